/*
 * Bit-for-bit comparison of two builds of libgelu: every exported kernel (every row of
 * GELU_KERNELS, so a new row is covered without touching this file) on every ISA the machine
 * runs, its outputs against a reference build's. No oracle: a refactoring that must not change
 * a single result is proven by running both builds on the same inputs.
 *
 *   F32, N16 (one float input)   every float bit pattern (--stride K: every K-th)
 *   H16 (one 16-bit input)       every 16-bit pattern, plus in place
 *   BWD_F32, BWD_H16 (x and dy)  every x as above, dy cycling through 1, -0.75 and a
 *                                subnormal (the kernels branch on x alone)
 *   every kind                   a deterministic sample of shapes: lengths and columns that
 *                                hit every tail (1..17, 63..65, 4096...), misaligned buffers,
 *                                padded rows (ld > cols), in place, and arrays of 2^18 elements
 *                                and more, over inputs that mix random bits, the main range,
 *                                piece boundaries, tails, subnormals, signed zeros,
 *                                infinities and NaN payloads (signalling too)
 * The whole output buffer is compared, padding included, and the return codes.
 *
 * Usage: gelu_bitcompare NEW.so REF.so [--stride K] [--only REGEX] [--isa LIST] [--ref-isa best|all]
 *                        [--threads N] [--skip-exhaustive]
 *   --isa LIST     only these ISAs of NEW (e.g. avx2,avx512; default: every one this machine runs)
 *   --ref-isa all  compare each ISA of NEW with the same ISA of REF (default: with REF's best
 *                  ISA, run once; REF's ISAs are already proven identical to each other)
 * Prints one line per function and ISA (the count of differing outputs, the first few), then
 * a summary. Exit status: 0 when every output is identical, 1 on any difference, 2 on misuse.
 */
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gelu_internal.h"

#define N_ISAS GELU_N_ISAS
#define CHUNK (1u << 16)
#define N_EXAMPLES 4

static const char *isa_names[N_ISAS] = GELU_ISA_NAMES;

/* The kinds of GELU_KERNELS, and what their buffers hold. */
enum kind { F32, H16, N16, BIAS_F32, BIAS_H16, GLU_F32, GLU_H16, GLUR_F32, GLUR_H16, BWD_F32, BWD_H16 };
enum shape { ONE, TWO, BIAS, GLUR }; /* x; x and x2 (a/gate, x/dy); x and bias per column; [a | gate] rows */
struct kind_info {
    enum shape shape;
    size_t in_size, out_size;
};
static const struct kind_info kinds[] = {
    [F32] = {ONE, 4, 4},       [H16] = {ONE, 2, 2},     [N16] = {ONE, 4, 2},     [BIAS_F32] = {BIAS, 4, 4},
    [BIAS_H16] = {BIAS, 2, 2}, [GLU_F32] = {TWO, 4, 4}, [GLU_H16] = {TWO, 2, 2}, [GLUR_F32] = {GLUR, 4, 4},
    [GLUR_H16] = {GLUR, 2, 2}, [BWD_F32] = {TWO, 4, 4}, [BWD_H16] = {TWO, 2, 2},
};

struct function {
    const char *name;
    enum kind kind;
};
#define GELU_ROW(name, kind) {#name, kind},
static const struct function functions[] = {GELU_KERNELS(GELU_ROW)};
#undef GELU_ROW
#define N_FUNCTIONS (sizeof functions / sizeof functions[0])

/* The public <name>_isa entry point of each kind, resolved by name in each build. */
#define GELU_ISA_FN(kind) typedef int (*isa_##kind)(int isa, GELU_SIG_##kind);
GELU_ISA_FN(F32)
GELU_ISA_FN(H16)
GELU_ISA_FN(N16)
GELU_ISA_FN(BIAS_F32)
GELU_ISA_FN(GLU_F32)
GELU_ISA_FN(GLUR_F32)
GELU_ISA_FN(BWD_F32)
GELU_ISA_FN(BIAS_H16)
GELU_ISA_FN(GLU_H16)
GELU_ISA_FN(GLUR_H16)
GELU_ISA_FN(BWD_H16)
#undef GELU_ISA_FN

/* One call: x (and x2: gate, dy or bias) in, y out; rows of cols elements, ldx and ldy apart. */
struct call {
    void *x, *x2, *y;
    size_t rows, cols, ldx, ldy;
};

static int invoke(void *fn, enum kind kind, int isa, const struct call *c)
{
    size_t n = c->cols;
    switch (kind) {
    case F32: return ((isa_F32)fn)(isa, c->x, c->y, n);
    case H16: return ((isa_H16)fn)(isa, c->x, c->y, n);
    case N16: return ((isa_N16)fn)(isa, c->x, c->y, n);
    case GLU_F32: return ((isa_GLU_F32)fn)(isa, c->x, c->x2, c->y, n);
    case GLU_H16: return ((isa_GLU_H16)fn)(isa, c->x, c->x2, c->y, n);
    case BWD_F32: return ((isa_BWD_F32)fn)(isa, c->x, c->x2, c->y, n);
    case BWD_H16: return ((isa_BWD_H16)fn)(isa, c->x, c->x2, c->y, n);
    case BIAS_F32: return ((isa_BIAS_F32)fn)(isa, c->x, c->x2, c->y, c->rows, n, c->ldx, c->ldy);
    case BIAS_H16: return ((isa_BIAS_H16)fn)(isa, c->x, c->x2, c->y, c->rows, n, c->ldx, c->ldy);
    case GLUR_F32: return ((isa_GLUR_F32)fn)(isa, c->x, c->y, c->rows, n, c->ldx, c->ldy);
    case GLUR_H16: return ((isa_GLUR_H16)fn)(isa, c->x, c->y, c->rows, n, c->ldx, c->ldy);
    }
    return -100;
}

/* Options and the two builds. */
static void *lib_new, *lib_ref;
static uint64_t stride = 1;
static int ref_all, n_threads = 2, skip_exhaustive, isas[N_ISAS], n_isas, ref_best;

/* The differences of one function on one ISA: a count and the first few, lowest input first. */
struct example {
    uint64_t order; /* input index (exhaustive) or case * 2^32 + element (sample) */
    char text[160];
};
struct diffs {
    uint64_t count;
    int n_examples;
    struct example examples[N_EXAMPLES];
};
static struct diffs diffs[N_ISAS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void record(int isa_index, uint64_t order, const char *text)
{
    pthread_mutex_lock(&lock);
    struct diffs *d = &diffs[isa_index];
    d->count++;
    int at = d->n_examples;
    while (at > 0 && d->examples[at - 1].order > order)
        at--;
    if (at < N_EXAMPLES) {
        int last = d->n_examples < N_EXAMPLES ? d->n_examples : N_EXAMPLES - 1;
        memmove(&d->examples[at + 1], &d->examples[at], (size_t)(last - at) * sizeof d->examples[0]);
        d->examples[at].order = order;
        snprintf(d->examples[at].text, sizeof d->examples[at].text, "%s", text);
        if (d->n_examples < N_EXAMPLES)
            d->n_examples++;
    }
    pthread_mutex_unlock(&lock);
}

static uint32_t load(const void *p, size_t size, size_t i)
{
    if (size == 4) {
        uint32_t v;
        memcpy(&v, (const char *)p + 4 * i, 4);
        return v;
    }
    uint16_t v;
    memcpy(&v, (const char *)p + 2 * i, 2);
    return v;
}

/* The reference ISA that NEW's isa is compared with. */
static int ref_isa(int isa) { return ref_all ? isa : ref_best; }

/* ---- Every input of the one-input kinds ---- */

static const struct function *current;
static void *fn_new, *fn_ref;
static _Atomic uint64_t next_chunk;
static uint64_t n_inputs, n_chunks;

static void *exhaustive_worker(void *arg)
{
    (void)arg;
    const struct kind_info *k = &kinds[current->kind];
    uint32_t *x = malloc(CHUNK * 4), *dy = NULL;
    void *want = malloc(CHUNK * 4), *got = malloc(CHUNK * 4);
    if (current->kind == BWD_F32 || current->kind == BWD_H16) { /* dy: 1, -0.75, a subnormal */
        static const uint32_t f32[3] = {0x3F800000u, 0xBF400000u, 0x0020A5A5u};
        static const uint16_t h16[3] = {0x3F80u, 0xBF40u,
                                        0x0001u}; /* bf16: 1, -0.75, 2^-133; f16: 1.875, -1.8125, 2^-24 */
        dy = malloc(CHUNK * 4);
        for (size_t i = 0; i < CHUNK; i++) {
            if (k->in_size == 4)
                dy[i] = f32[i % 3];
            else
                ((uint16_t *)dy)[i] = h16[i % 3];
        }
    }
    for (;;) {
        uint64_t chunk = atomic_fetch_add(&next_chunk, 1);
        if (chunk >= n_chunks)
            break;
        uint64_t first = chunk * CHUNK;
        size_t n = n_inputs - first < CHUNK ? (size_t)(n_inputs - first) : CHUNK;
        for (size_t i = 0; i < n; i++) {
            if (k->in_size == 4)
                x[i] = (uint32_t)((first + i) * stride);
            else
                ((uint16_t *)x)[i] = (uint16_t)(first + i);
        }
        struct call cw = {x, dy, want, 1, n, n, n}, cg = {x, dy, got, 1, n, n, n};
        int rc_want = -100;
        for (int j = 0; j < n_isas; j++) {
            if (j == 0 || ref_all)
                rc_want = invoke(fn_ref, current->kind, ref_isa(isas[j]), &cw);
            int rc_got = invoke(fn_new, current->kind, isas[j], &cg);
            if (rc_got != rc_want) {
                char text[160];
                snprintf(text, sizeof text, "inputs from %#llx: return code %d, reference %d",
                         (unsigned long long)first, rc_got, rc_want);
                record(j, first, text);
            }
            for (size_t i = 0; i < n; i++) {
                uint32_t w = load(want, k->out_size, i), g = load(got, k->out_size, i);
                if (w != g) {
                    char text[160];
                    snprintf(text, sizeof text, "x=%#x: %#x, reference %#x", load(x, k->in_size, i), g, w);
                    record(j, first + i, text);
                }
            }
        }
    }
    free(x);
    free(dy);
    free(want);
    free(got);
    return NULL;
}

static void run_threads(void *(*worker)(void *))
{
    pthread_t t[64];
    for (int i = 0; i < n_threads; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < n_threads; i++)
        pthread_join(t[i], NULL);
}

static void exhaustive(void)
{
    uint64_t space = kinds[current->kind].in_size == 4 ? 1ull << 32 : 1ull << 16;
    uint64_t step = kinds[current->kind].in_size == 4 ? stride : 1;
    uint64_t saved = stride;
    stride = step;
    n_inputs = (space + step - 1) / step;
    n_chunks = (n_inputs + CHUNK - 1) / CHUNK;
    atomic_store(&next_chunk, 0);
    run_threads(exhaustive_worker);
    stride = saved;
}

/* ---- The sample: shapes and inputs ---- */

static uint64_t mix(uint64_t z) /* splitmix64's finalizer: a deterministic stream from a seed */
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
struct rng {
    uint64_t state;
};
static uint64_t next(struct rng *r) { return mix(r->state += 0x9E3779B97F4A7C15ull); }
static double uniform(struct rng *r) { return (double)(next(r) >> 11) * 0x1p-53; }

/* Values every kernel must get right and that random bits rarely hit. */
static const uint32_t special_f32[] = {
    0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7FC00001, 0xFFFFFFFF,
    0x7F800001, 0xFF800001, 0x7FA00000, 0xFFBFFFFF, 0x00000001, 0x80000001, 0x007FFFFF, 0x807FFFFF,
    0x00800000, 0x80800000, 0x7F7FFFFF, 0xFF7FFFFF, 0x3F800000, 0xBF800000, 0x33800000, 0xB3800000,
};
static const uint16_t special_16[] = {
    0x0000, 0x8000, 0x7F80, 0xFF80, 0x7FC0, 0xFFC0, 0x7F81, 0xFFFF, 0x7FA0, 0x0001, 0x8001, 0x007F, 0x0080,
    0x7F7F, 0xFF7F, 0x7C00, 0xFC00, 0x7C01, 0xFE00, 0x7E01, 0x03FF, 0x83FF, 0x0400, 0x7BFF, 0xFBFF,
};

static float gen_f32(struct rng *r)
{
    uint64_t cat = next(r) % 100;
    if (cat < 25) /* any bit pattern */
        return gelu_from_bits32((uint32_t)next(r));
    if (cat < 60) /* the range where every piece of every form is used */
        return (float)(uniform(r) * 24 - 12);
    if (cat < 72) { /* a few ulps around multiples of 1/16 (piece boundaries) and powers of 2 */
        float base = next(r) & 1 ? (float)((int)(next(r) % 641) - 320) / 16
                                 : gelu_from_bits32((uint32_t)(next(r) % 254 + 1) << 23) * (next(r) & 1 ? -1.0f : 1.0f);
        return gelu_from_bits32(gelu_bits32(base) + (uint32_t)(next(r) % 9) - 4);
    }
    if (cat < 82)
        return gelu_from_bits32(special_f32[next(r) % (sizeof special_f32 / sizeof special_f32[0])]);
    /* tails and tiny values: log-uniform magnitude over the whole range */
    double mag = exp2(uniform(r) * 277 - 149);
    return (float)(next(r) & 1 ? -mag : mag);
}

/* A float to f16 by truncation: enough to aim the sample at f16's range. */
static uint16_t trunc_f16(float f)
{
    uint32_t u = gelu_bits32(f), sign = (u >> 16) & 0x8000, a = u & 0x7FFFFFFF;
    if (a > 0x7F800000)
        return (uint16_t)(sign | 0x7C00 | ((a >> 13) & 0x3FF) | 1);
    if (a >= 0x477FF000)
        return (uint16_t)(sign | (a == 0x7F800000 ? 0x7C00 : 0x7BFF));
    if (a < 0x38800000)
        return (uint16_t)(sign | (uint32_t)(gelu_from_bits32(a) * 0x1p24f));
    return (uint16_t)(sign | ((a - 0x38000000) >> 13));
}

static void fill(void *p, size_t count, size_t size, int bf16, struct rng *r)
{
    for (size_t i = 0; i < count; i++) {
        if (size == 4) {
            float f = gen_f32(r);
            memcpy((char *)p + 4 * i, &f, 4);
            continue;
        }
        uint64_t cat = next(r) % 100;
        uint16_t h = cat < 40   ? (uint16_t)next(r)
                     : cat < 50 ? special_16[next(r) % (sizeof special_16 / sizeof special_16[0])]
                     : bf16     ? (uint16_t)(gelu_bits32(gen_f32(r)) >> 16)
                                : trunc_f16(gen_f32(r));
        memcpy((char *)p + 2 * i, &h, 2);
    }
}

/* One shape: rows of cols, ld apart (ldx counts x's elements: 2 cols and more for GLUR). */
enum inplace { APART, Y_IS_X, Y_IS_X2 };
struct shape_case {
    size_t rows, cols, ldx, ldy, offset;
    enum inplace inplace;
};
#define MAX_CASES 1024
static struct shape_case cases[MAX_CASES];
static int n_cases;

static void add(size_t rows, size_t cols, size_t ldx, size_t ldy, size_t offset, enum inplace inplace)
{
    if (n_cases < MAX_CASES)
        cases[n_cases++] = (struct shape_case){rows, cols, ldx, ldy, offset, inplace};
}

static const size_t lengths[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,   10,  11,  12,   13,   14,  15,
                                 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 4095, 4096, 4097};
#define N_LENGTHS (sizeof lengths / sizeof lengths[0])

static void make_cases(enum shape shape)
{
    n_cases = 0;
    size_t big = (1u << 18) + 5; /* a large tensor */
    if (shape == ONE || shape == TWO) {
        int modes = shape == ONE ? 2 : 3;
        for (size_t i = 0; i < N_LENGTHS; i++)
            for (size_t offset = 0; offset < 2; offset++)
                for (int m = 0; m < modes; m++)
                    add(1, lengths[i], lengths[i], lengths[i], offset, (enum inplace)m);
        for (int m = 0; m < modes; m++)
            add(1, big, big, big, m, (enum inplace)m);
        add(1, 1u << 21, 1u << 21, 1u << 21, 0, APART);
        return;
    }
    size_t width = shape == GLUR ? 2 : 1;
    for (size_t i = 0; i < N_LENGTHS; i++) {
        size_t c = lengths[i], rows = c >= 4096 ? 2 : 3;
        add(rows, c, width * c, c, 0, APART);
        add(rows, c, width * c + 3, c + 16, 1, APART);
        add(rows, c, width * c + 16, c + 5, 3, APART);
        add(rows, c, width * c + 1, width * c + 1, 0, Y_IS_X);
    }
    add(65539, 5, 5 * width, 5, 0, APART); /* many short rows, a large tensor */
    add(65539, 5, 5 * width + 2, 7, 1, APART);
    add(512, 1024, 1024 * width, 1024, 0, APART);
    add(300, 1000, 1000 * width + 3, 1003, 2, APART);
    add(300, 1000, 1000 * width, 1000 * width, 0, Y_IS_X);
    add(1024, 2048, 2048 * width, 2048, 0, APART);
}

/* The buffers of one case, laid out the same for both builds; y is compared whole. */
struct buffers {
    char *xbuf, *x2buf, *ybuf;
    size_t x_elems, x2_elems, y_elems;
    struct call call;
    void *out;
    size_t out_elems;
};

static void prepare(struct buffers *b, const struct shape_case *c, const char *x0, const char *x20,
                    const struct kind_info *k)
{
    size_t off_in = c->offset * k->in_size, off_out = c->offset * k->out_size;
    memcpy(b->xbuf + off_in, x0, b->x_elems * k->in_size);
    if (b->x2buf)
        memcpy(b->x2buf + off_in, x20, b->x2_elems * k->in_size);
    memset(b->ybuf, 0xA5, (b->y_elems + c->offset) * k->out_size);
    b->call = (struct call){
        b->xbuf + off_in, b->x2buf ? b->x2buf + off_in : NULL, b->ybuf + off_out, c->rows, c->cols, c->ldx, c->ldy};
    b->out = b->ybuf + off_out;
    b->out_elems = b->y_elems;
    if (c->inplace == Y_IS_X) {
        b->call.y = b->call.x;
        b->out = b->call.x;
        b->out_elems = b->x_elems * k->in_size / k->out_size;
    } else if (c->inplace == Y_IS_X2) {
        b->call.y = b->call.x2;
        b->out = b->call.x2;
        b->out_elems = b->x2_elems * k->in_size / k->out_size;
    }
}

static void describe(char *text, size_t len, const struct shape_case *c, int ci, size_t e, const char *x0,
                     const char *x20, const struct kind_info *k, uint32_t got, uint32_t want)
{
    size_t col = e % c->ldy, xi = e / c->ldy * c->ldx + col;
    if (c->inplace != APART) /* out element e overwrote input element e */
        col = e % c->ldx, xi = e;
    char in[64];
    if (col >= (kinds[current->kind].shape == GLUR && c->inplace != APART ? 2 : 1) * c->cols)
        snprintf(in, sizeof in, "padding");
    else if (kinds[current->kind].shape == GLUR && c->inplace == APART)
        snprintf(in, sizeof in, "a=%#x gate=%#x", load(x0, k->in_size, xi), load(x0, k->in_size, xi + c->cols));
    else if (x20)
        snprintf(in, sizeof in, "x=%#x x2=%#x", load(x0, k->in_size, xi),
                 load(x20, k->in_size, kinds[current->kind].shape == BIAS ? col : xi));
    else
        snprintf(in, sizeof in, "x=%#x", load(x0, k->in_size, xi));
    snprintf(text, len, "case %d (%zux%zu ld %zu/%zu +%zu%s) out[%zu] %s: %#x, reference %#x", ci, c->rows, c->cols,
             c->ldx, c->ldy, c->offset,
             c->inplace == APART    ? ""
             : c->inplace == Y_IS_X ? " y=x"
                                    : " y=x2",
             e, in, got, want);
}

static _Atomic int next_case;

static void *sample_worker(void *arg)
{
    (void)arg;
    const struct kind_info *k = &kinds[current->kind];
    int bf16 = strstr(current->name, "bf16") != NULL;
    for (;;) {
        int ci = atomic_fetch_add(&next_case, 1);
        if (ci >= n_cases)
            break;
        const struct shape_case *c = &cases[ci];
        struct buffers b = {0};
        b.x_elems = (c->rows - 1) * c->ldx + (k->shape == GLUR ? 2 : 1) * c->cols;
        b.x2_elems = k->shape == BIAS ? c->cols : k->shape == TWO ? b.x_elems : 0;
        b.y_elems = (c->rows - 1) * c->ldy + c->cols;
        /* The inputs depend on the case and the type only, so every build and ISA sees the same. */
        struct rng r = {mix((uint64_t)ci * 1000003u + k->in_size * 7 + (size_t)bf16)};
        char *x0 = malloc(b.x_elems * k->in_size), *x20 = b.x2_elems ? malloc(b.x2_elems * k->in_size) : NULL;
        fill(x0, b.x_elems, k->in_size, bf16, &r);
        if (x20)
            fill(x20, b.x2_elems, k->in_size, bf16, &r);
        size_t pad = 4 * 4;
        b.xbuf = malloc(b.x_elems * k->in_size + pad);
        b.x2buf = x20 ? malloc(b.x2_elems * k->in_size + pad) : NULL;
        b.ybuf = malloc(b.y_elems * k->out_size + pad);
        char *want = NULL;
        int rc_want = -100;
        for (int j = 0; j < n_isas; j++) {
            if (j == 0 || ref_all) {
                prepare(&b, c, x0, x20, k);
                rc_want = invoke(fn_ref, current->kind, ref_isa(isas[j]), &b.call);
                free(want);
                want = malloc(b.out_elems * k->out_size);
                memcpy(want, b.out, b.out_elems * k->out_size);
            }
            prepare(&b, c, x0, x20, k);
            int rc_got = invoke(fn_new, current->kind, isas[j], &b.call);
            char text[160];
            if (rc_got != rc_want) {
                snprintf(text, sizeof text, "case %d: return code %d, reference %d", ci, rc_got, rc_want);
                record(j, (uint64_t)ci << 32, text);
            }
            for (size_t e = 0; e < b.out_elems; e++) {
                uint32_t w = load(want, k->out_size, e), g = load(b.out, k->out_size, e);
                if (w != g) {
                    describe(text, sizeof text, c, ci, e, x0, x20, k, g, w);
                    record(j, ((uint64_t)ci << 32) + e, text);
                }
            }
        }
        free(want);
        free(x0);
        free(x20);
        free(b.xbuf);
        free(b.x2buf);
        free(b.ybuf);
    }
    return NULL;
}

static void sample(void)
{
    make_cases(kinds[current->kind].shape);
    atomic_store(&next_case, 0);
    run_threads(sample_worker);
}

/* ---- Driver ---- */

static void *open_lib(const char *path)
{
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "gelu_bitcompare: %s\n", dlerror());
        exit(2);
    }
    return lib;
}

static void *symbol(void *lib, const char *name)
{
    char isa_name[128];
    snprintf(isa_name, sizeof isa_name, "%s_isa", name);
    return dlsym(lib, isa_name);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: gelu_bitcompare NEW.so REF.so [--stride K] [--only REGEX] [--isa LIST] [--ref-isa best|all] "
            "[--threads N] [--skip-exhaustive]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *paths[2] = {NULL, NULL}, *only = NULL, *isa_list = NULL;
    int n_paths = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--stride") && i + 1 < argc)
            stride = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "--isa") && i + 1 < argc)
            isa_list = argv[++i];
        else if (!strcmp(argv[i], "--ref-isa") && i + 1 < argc)
            ref_all = !strcmp(argv[++i], "all");
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            n_threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--skip-exhaustive"))
            skip_exhaustive = 1;
        else if (argv[i][0] != '-' && n_paths < 2)
            paths[n_paths++] = argv[i];
        else
            usage();
    }
    if (n_paths != 2 || stride == 0 || n_threads < 1 || n_threads > 64)
        usage();
    regex_t re;
    if (only && regcomp(&re, only, REG_EXTENDED | REG_NOSUB) != 0) {
        fprintf(stderr, "gelu_bitcompare: bad --only regex: %s\n", only);
        return 2;
    }
    lib_new = open_lib(paths[0]);
    lib_ref = open_lib(paths[1]);
    if (lib_new == lib_ref) {
        fprintf(stderr, "gelu_bitcompare: both paths load the same library\n");
        return 2;
    }
    int (*supported_new)(int) = (int (*)(int))dlsym(lib_new, "gelu_isa_supported");
    int (*supported_ref)(int) = (int (*)(int))dlsym(lib_ref, "gelu_isa_supported");
    if (!supported_new || !supported_ref) {
        fprintf(stderr, "gelu_bitcompare: gelu_isa_supported missing\n");
        return 2;
    }
    for (int isa = 0; isa < N_ISAS; isa++)
        if (supported_new(isa) && supported_ref(isa)) {
            if (!isa_list || strstr(isa_list, isa_names[isa]))
                isas[n_isas++] = isa;
            ref_best = isa;
        }
    if (n_isas == 0) {
        fprintf(stderr, "gelu_bitcompare: no ISA to compare\n");
        return 2;
    }
    printf("new %s\nref %s (%s)\nstride %llu, threads %d\n", paths[0], paths[1],
           ref_all ? "each ISA against the same ISA" : isa_names[ref_best], (unsigned long long)stride, n_threads);

    int compared = 0, differing = 0, missing = 0;
    uint64_t total = 0;
    for (size_t f = 0; f < N_FUNCTIONS; f++) {
        current = &functions[f];
        if (only && regexec(&re, current->name, 0, NULL, 0) != 0)
            continue;
        fn_new = symbol(lib_new, current->name);
        fn_ref = symbol(lib_ref, current->name);
        if (!fn_new) {
            printf("%-34s MISSING in the new build\n", current->name);
            missing++;
            continue;
        }
        if (!fn_ref) { /* a new function: nothing to compare it with */
            printf("%-34s not in the reference build, not compared\n", current->name);
            continue;
        }
        memset(diffs, 0, sizeof diffs);
        time_t t0 = time(NULL);
        int full = current->kind == F32 || current->kind == H16 || current->kind == N16 || current->kind == BWD_F32 ||
                   current->kind == BWD_H16;
        if (full && !skip_exhaustive)
            exhaustive();
        sample();
        const char *what = !full || skip_exhaustive            ? "sample"
                           : kinds[current->kind].in_size == 2 ? "all 2^16 + sample"
                           : stride == 1                       ? "all 2^32 + sample"
                                                               : "2^32 strided + sample";
        for (int j = 0; j < n_isas; j++) {
            printf("%-34s %-6s %-21s %llu differ (%llds)\n", current->name, isa_names[isas[j]], what,
                   (unsigned long long)diffs[j].count, (long long)(time(NULL) - t0));
            for (int e = 0; e < diffs[j].n_examples; e++)
                printf("    %s\n", diffs[j].examples[e].text);
            total += diffs[j].count;
            differing += diffs[j].count != 0;
            compared++;
        }
        fflush(stdout);
    }
    printf("SUMMARY: %d function x ISA pairs compared, %d differ (%llu outputs), %d missing in the new build\n",
           compared, differing, (unsigned long long)total, missing);
    if (only)
        regfree(&re);
    return differing || missing ? 1 : 0;
}
