/*
 * One hash of the outputs per exported function and ISA, on a fixed deterministic input set:
 * the bit-identity check across architectures (an x86-64 build cannot load an aarch64 one, so
 * each prints its digests and the lines are compared). Every row of GELU_KERNELS, so a new row
 * is covered without touching this file; the inputs are made with integer and exact IEEE
 * operations only, so both architectures make the same ones.
 *
 *   F32, N16 (one float input)   every K-th float bit pattern (--stride K, default 4099, plus
 *                                the last pattern), in calls of 4099 elements (odd lengths and
 *                                tails), then the sample below
 *   H16 (one 16-bit input)       all 2^16 patterns, out of place and in place, then the sample
 *   every kind                   a sample of shapes: every length 1..17, 31..33, 63..65, 127..129,
 *                                4097, misaligned, in place (over each input), rows with padding
 *                                (ld > cols), over mixed inputs: random bits, the main range,
 *                                piece boundaries, specials (signed zeros, infinities, NaN
 *                                payloads quiet and signalling, subnormals), log-uniform tails
 * The hash (FNV-1a, 64 bits) covers the whole output buffer, padding included, and the return
 * codes.
 *
 * Usage: gelu_digest [--stride K] [--isa LIST] [--expect FILE]
 * Prints "<function> <isa> <hash>" for each function and each ISA that runs here (--isa: only
 * those). Every ISA of a function must give the same hash; with --expect, also the same as every
 * line of FILE for that function (another build's output, e.g. x86-64's against aarch64's), and
 * FILE must have every function. Exit status 0 when all agree, 1 on any difference, 2 on misuse.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gelu_internal.h"

static const char *isa_names[GELU_N_ISAS] = GELU_ISA_NAMES;

/* The kinds of GELU_KERNELS, and what their buffers hold (as in gelu_bitcompare.c). */
enum kind { F32, H16, N16, BIAS_F32, BIAS_H16, GLU_F32, GLU_H16, GLUR_F32, GLUR_H16, BWD_F32, BWD_H16 };
enum shape { ONE, TWO, BIAS, GLUR };
static const struct {
    enum shape shape;
    size_t in_size, out_size;
} kinds[] = {
    [F32] = {ONE, 4, 4},       [H16] = {ONE, 2, 2},     [N16] = {ONE, 4, 2},     [BIAS_F32] = {BIAS, 4, 4},
    [BIAS_H16] = {BIAS, 2, 2}, [GLU_F32] = {TWO, 4, 4}, [GLU_H16] = {TWO, 2, 2}, [GLUR_F32] = {GLUR, 4, 4},
    [GLUR_H16] = {GLUR, 2, 2}, [BWD_F32] = {TWO, 4, 4}, [BWD_H16] = {TWO, 2, 2},
};

struct function {
    const char *name;
    enum kind kind;
    void *fn; /* the public <name>_isa entry point */
};
#define GELU_ROW(name, kind) {#name, kind, (void *)name##_isa},
static const struct function functions[] = {GELU_KERNELS(GELU_ROW)};
#undef GELU_ROW
#define N_FUNCTIONS (sizeof functions / sizeof functions[0])

/* One call: x (and x2: gate, dy or bias) in, y out; rows of cols elements, ldx and ldy apart. */
struct call {
    void *x, *x2, *y;
    size_t rows, cols, ldx, ldy;
};

static int invoke(const struct function *f, int isa, const struct call *c)
{
    size_t n = c->cols;
#define AS(kind) ((int (*)(int, GELU_SIG_##kind))f->fn)
    switch (f->kind) {
    case F32: return AS(F32)(isa, c->x, c->y, n);
    case H16: return AS(H16)(isa, c->x, c->y, n);
    case N16: return AS(N16)(isa, c->x, c->y, n);
    case GLU_F32: return AS(GLU_F32)(isa, c->x, c->x2, c->y, n);
    case GLU_H16: return AS(GLU_H16)(isa, c->x, c->x2, c->y, n);
    case BWD_F32: return AS(BWD_F32)(isa, c->x, c->x2, c->y, n);
    case BWD_H16: return AS(BWD_H16)(isa, c->x, c->x2, c->y, n);
    case BIAS_F32: return AS(BIAS_F32)(isa, c->x, c->x2, c->y, c->rows, n, c->ldx, c->ldy);
    case BIAS_H16: return AS(BIAS_H16)(isa, c->x, c->x2, c->y, c->rows, n, c->ldx, c->ldy);
    case GLUR_F32: return AS(GLUR_F32)(isa, c->x, c->y, c->rows, n, c->ldx, c->ldy);
    case GLUR_H16: return AS(GLUR_H16)(isa, c->x, c->y, c->rows, n, c->ldx, c->ldy);
    }
#undef AS
    return -100;
}

/* FNV-1a over bytes */
static uint64_t hash_bytes(uint64_t h, const void *p, size_t len)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 0x100000001B3ull;
    return h;
}
static uint64_t hash_rc(uint64_t h, int rc) { return hash_bytes(h, &rc, sizeof rc); }

/* ---- inputs: integer arithmetic only ---- */

static uint64_t mix(uint64_t z) /* splitmix64's finalizer */
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
struct rng {
    uint64_t state;
};
static uint64_t next(struct rng *r) { return mix(r->state += 0x9E3779B97F4A7C15ull); }

static const uint32_t special_f32[] = {
    0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7FC00001, 0xFFFFFFFF,
    0x7F800001, 0xFF800001, 0x7FA00000, 0xFFBFFFFF, 0x00000001, 0x80000001, 0x007FFFFF, 0x807FFFFF,
    0x00800000, 0x80800000, 0x7F7FFFFF, 0xFF7FFFFF, 0x3F800000, 0xBF800000, 0x33800000, 0xB3800000,
};
static const uint16_t special_16[] = {
    0x0000, 0x8000, 0x7F80, 0xFF80, 0x7FC0, 0xFFC0, 0x7F81, 0xFFFF, 0x7FA0, 0x0001, 0x8001, 0x007F, 0x0080,
    0x7F7F, 0xFF7F, 0x7C00, 0xFC00, 0x7C01, 0xFE00, 0x7E01, 0x03FF, 0x83FF, 0x0400, 0x7BFF, 0xFBFF,
};
#define COUNT(a) (sizeof a / sizeof a[0])

static uint32_t gen_f32(struct rng *r)
{
    uint64_t cat = next(r) % 100, u = next(r);
    uint32_t sign = u & 1 ? 0x80000000u : 0;
    if (cat < 25) /* any bit pattern */
        return (uint32_t)(u >> 32);
    if (cat < 60) /* |x| in [2^-4, 16): every piece of every form */
        return sign | (uint32_t)((123 + (u >> 1) % 8) << 23) | (uint32_t)((u >> 8) & 0x7FFFFF);
    if (cat < 72) { /* a few ulps around multiples of 1/16 up to 20 (piece boundaries) */
        float base = (float)((int)((u >> 1) % 641) - 320) / 16; /* exact */
        return gelu_bits32(base) + (uint32_t)((u >> 20) % 9) - 4;
    }
    if (cat < 82)
        return special_f32[(u >> 1) % COUNT(special_f32)];
    /* tails and tiny values: any exponent, subnormals included */
    return sign | (uint32_t)(((u >> 1) % 255) << 23) | (uint32_t)((u >> 9) & 0x7FFFFF);
}

static void fill(void *p, size_t count, size_t size, struct rng *r)
{
    for (size_t i = 0; i < count; i++) {
        uint32_t v = gen_f32(r);
        if (size == 4) {
            memcpy((char *)p + 4 * i, &v, 4);
            continue;
        }
        uint64_t cat = next(r) % 100;
        uint16_t h = cat < 40   ? (uint16_t)next(r)
                     : cat < 50 ? special_16[next(r) % COUNT(special_16)]
                     : cat < 75 ? (uint16_t)(v >> 16)                                    /* as bf16 */
                                : (uint16_t)((v >> 16 & 0x8000) | ((v >> 13) & 0x7FFF)); /* a float's bits as f16 */
        memcpy((char *)p + 2 * i, &h, 2);
    }
}

/* ---- the runs ---- */

static uint64_t stride = 4099;

/* Chunks of one-input calls over a sweep of inputs: every stride-th float, or every 16-bit value. */
static uint64_t sweep(const struct function *f, int isa, uint64_t h)
{
    enum { CHUNK = 4099 };
    size_t in = kinds[f->kind].in_size, out = kinds[f->kind].out_size;
    uint64_t step = in == 4 ? stride : 1, total = in == 4 ? (0xFFFFFFFFull / step + 2) : 65536;
    char *x = malloc(CHUNK * in), *y = malloc(CHUNK * 4);
    for (uint64_t first = 0; first < total; first += CHUNK) {
        size_t n = total - first < CHUNK ? (size_t)(total - first) : CHUNK;
        for (size_t i = 0; i < n; i++) {
            uint64_t k = first + i;
            if (in == 4) {
                uint32_t v = k * step > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)(k * step);
                memcpy(x + 4 * i, &v, 4);
            } else {
                uint16_t v = (uint16_t)k;
                memcpy(x + 2 * i, &v, 2);
            }
        }
        struct call c = {x, NULL, y, 1, n, n, n};
        h = hash_rc(h, invoke(f, isa, &c));
        h = hash_bytes(h, y, n * out);
        if (in == out) { /* in place */
            c.y = x;
            h = hash_rc(h, invoke(f, isa, &c));
            h = hash_bytes(h, x, n * out);
        }
    }
    free(x);
    free(y);
    return h;
}

enum inplace { APART, Y_IS_X, Y_IS_X2 };
struct shape_case {
    size_t rows, cols, ldx, ldy, offset;
    enum inplace inplace;
};
#define MAX_CASES 512
static struct shape_case cases[MAX_CASES];
static int n_cases;

static void add(size_t rows, size_t cols, size_t ldx, size_t ldy, size_t offset, enum inplace inplace)
{
    if (n_cases < MAX_CASES)
        cases[n_cases++] = (struct shape_case){rows, cols, ldx, ldy, offset, inplace};
}

static const size_t lengths[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,  11,  12,  13,  14,
                                 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 4097};

static void make_cases(enum shape shape)
{
    n_cases = 0;
    if (shape == ONE || shape == TWO) {
        int modes = shape == ONE ? 2 : 3;
        for (size_t i = 0; i < COUNT(lengths); i++)
            for (size_t offset = 0; offset < 2; offset++)
                for (int m = 0; m < modes; m++)
                    add(1, lengths[i], lengths[i], lengths[i], offset, (enum inplace)m);
        add(1, 60000, 60000, 60000, 0, APART); /* the bulk of the sample */
        return;
    }
    size_t width = shape == GLUR ? 2 : 1;
    for (size_t i = 0; i < COUNT(lengths); i++) {
        size_t c = lengths[i], rows = c >= 4096 ? 2 : 3;
        add(rows, c, width * c, c, 0, APART);
        add(rows, c, width * c + 3, c + 16, 1, APART);
        add(rows, c, width * c + 1, width * c + 1, 0, Y_IS_X);
    }
    add(40, 1000, 1000 * width + 3, 1003, 2, APART); /* the bulk of the sample */
}

/* The sample: its inputs depend on the case and the element size only. */
static uint64_t sample(const struct function *f, int isa, uint64_t h)
{
    size_t in = kinds[f->kind].in_size, out = kinds[f->kind].out_size;
    enum shape shape = kinds[f->kind].shape;
    make_cases(shape);
    for (int ci = 0; ci < n_cases; ci++) {
        const struct shape_case *c = &cases[ci];
        size_t x_elems = (c->rows - 1) * c->ldx + (shape == GLUR ? 2 : 1) * c->cols;
        size_t x2_elems = shape == BIAS ? c->cols : shape == TWO ? x_elems : 0;
        size_t y_elems = (c->rows - 1) * c->ldy + c->cols;
        struct rng r = {mix((uint64_t)ci * 1000003u + in)};
        char *xb = malloc((x_elems + c->offset) * in), *x2b = malloc((x2_elems + c->offset) * in + 1);
        char *yb = malloc((y_elems + c->offset) * out);
        char *x = xb + c->offset * in, *x2 = x2_elems ? x2b + c->offset * in : NULL, *y = yb + c->offset * out;
        fill(x, x_elems, in, &r);
        if (x2)
            fill(x2, x2_elems, in, &r);
        memset(y, 0xA5, y_elems * out);
        struct call call = {x, x2, y, c->rows, c->cols, c->ldx, c->ldy};
        size_t out_bytes = y_elems * out;
        if (c->inplace == Y_IS_X)
            call.y = x, out_bytes = x_elems * in;
        else if (c->inplace == Y_IS_X2)
            call.y = x2, out_bytes = x2_elems * in;
        h = hash_rc(h, invoke(f, isa, &call));
        h = hash_bytes(h, call.y, out_bytes);
        free(xb);
        free(x2b);
        free(yb);
    }
    return h;
}

/* ---- --expect: another build's lines ---- */

#define MAX_LINES 4096
static struct {
    char name[64];
    uint64_t hash;
} expected[MAX_LINES];
static int n_expected;

static int read_expected(const char *path)
{
    FILE *in = fopen(path, "r");
    if (!in) {
        perror(path);
        return 0;
    }
    char line[256], name[64], isa[32];
    unsigned long long hash;
    while (fgets(line, sizeof line, in) && n_expected < MAX_LINES)
        if (sscanf(line, "%63s %31s %llx", name, isa, &hash) == 3) {
            snprintf(expected[n_expected].name, sizeof expected[n_expected].name, "%s", name);
            expected[n_expected++].hash = hash;
        }
    fclose(in);
    return 1;
}

int main(int argc, char **argv)
{
    const char *isa_list = NULL, *expect = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--stride") && i + 1 < argc)
            stride = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--isa") && i + 1 < argc)
            isa_list = argv[++i];
        else if (!strcmp(argv[i], "--expect") && i + 1 < argc)
            expect = argv[++i];
        else {
            fprintf(stderr, "usage: gelu_digest [--stride K] [--isa LIST] [--expect FILE]\n");
            return 2;
        }
    }
    if (stride == 0 || (expect && !read_expected(expect)))
        return 2;
    int isas[GELU_N_ISAS], n_isas = 0;
    for (int isa = 0; isa < GELU_N_ISAS; isa++)
        if (gelu_isa_supported(isa) && (!isa_list || strstr(isa_list, isa_names[isa])))
            isas[n_isas++] = isa;
    if (n_isas == 0) {
        fprintf(stderr, "gelu_digest: no ISA to run\n");
        return 2;
    }
    time_t t0 = time(NULL);
    int differ = 0;
    for (size_t k = 0; k < N_FUNCTIONS; k++) {
        const struct function *f = &functions[k];
        uint64_t first = 0;
        for (int j = 0; j < n_isas; j++) {
            uint64_t h = 0xCBF29CE484222325ull;
            if (f->kind == F32 || f->kind == N16 || f->kind == H16)
                h = sweep(f, isas[j], h);
            h = sample(f, isas[j], h);
            printf("%s %s %016llx\n", f->name, isa_names[isas[j]], (unsigned long long)h);
            if (j == 0)
                first = h;
            else if (h != first) {
                printf("DIFFER %s: %s and %s\n", f->name, isa_names[isas[0]], isa_names[isas[j]]);
                differ++;
            }
        }
        if (expect) {
            int seen = 0;
            for (int e = 0; e < n_expected; e++)
                if (!strcmp(expected[e].name, f->name)) {
                    seen++;
                    if (expected[e].hash != first) {
                        printf("DIFFER %s: %016llx here, %016llx in %s\n", f->name, (unsigned long long)first,
                               (unsigned long long)expected[e].hash, expect);
                        differ++;
                    }
                }
            if (!seen) {
                printf("MISSING %s in %s\n", f->name, expect);
                differ++;
            }
        }
        fflush(stdout);
    }
    printf("SUMMARY: %zu functions x %d ISAs, stride %llu%s%s: %d differ (%llds)\n", N_FUNCTIONS, n_isas,
           (unsigned long long)stride, expect ? ", against " : "", expect ? expect : "", differ,
           (long long)(time(NULL) - t0));
    return differ ? 1 : 0;
}
