/*
 * Memory safety at the edges of the arrays, on every ISA that runs here, every form, every
 * length 0..130 (every vector tail, and full blocks before them):
 *   - arrays flush against a PROT_NONE page, ending right before it or starting right after
 *     it, out of place and in place: one byte read or written past either end faults, and
 *     the test dies, so ctest fails;
 *   - arrays starting at every 4-byte offset of a 64-byte line;
 *   - every byte around the output that is not a guard page keeps its canary, the input is
 *     left as it was, and the output has the scalar kernel's bits exactly.
 * The narrowing kernels (float32 in, bf16 or f16 out) the same way at the output's edges, on
 * those inputs and on inputs far below zero (most results -0, a few lanes a group through the
 * exact path), whose padded last group once sent padding lanes to y past its end.
 * Without arguments the ISAs are the ones gelu_isa_supported reports, so GELU_MAX_ISA caps
 * them (valgrind cannot run AVX-512 code). --memory-only (under valgrind): the narrowing
 * kernels' results are not compared with the scalar kernel's, only where they write.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gelu.h"
#include "gelu_forms.h"
#include "gelu_isas.h"

#define MAX_LEN 130
#define LINE_FLOATS 16 /* a 64-byte cache line */
#define CANARY 0xA5

typedef int (*isa_fn)(int, const float *, float *, size_t);

static const char *isa_names[] = GELU_ISA_NAMES;
#define N_FORMS GELU_N_FORMS
static const char *form_names[N_FORMS] = {GELU_FORMS(GELU_FORM_NAME)};
#define GELU_FN(form, FORM) gelu_##form##_f32_isa,
static const isa_fn form_fns[N_FORMS] = {GELU_FORMS(GELU_FN)};
#undef GELU_FN

static int failures;
#define FAIL(...)                         \
    do {                                  \
        if (failures++ < 20) {            \
            printf("FAIL: " __VA_ARGS__); \
            printf("\n");                 \
        }                                 \
    } while (0)

/* One read-write page between two PROT_NONE pages. */
struct fenced {
    unsigned char *lo; /* first usable byte: the page before it is a guard */
    unsigned char *hi; /* one past the last usable byte: the page there is a guard */
};

static size_t page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

static struct fenced fenced_map(void)
{
    size_t page = page_size();
    unsigned char *base = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED || mprotect(base, page, PROT_NONE) || mprotect(base + 2 * page, page, PROT_NONE)) {
        perror("guard pages");
        exit(2);
    }
    return (struct fenced){base + page, base + 2 * page};
}

static void fenced_unmap(struct fenced f) { munmap(f.lo - page_size(), 3 * page_size()); }

static void fill_canary(struct fenced f) { memset(f.lo, CANARY, (size_t)(f.hi - f.lo)); }

static int canary_intact(const unsigned char *from, const unsigned char *to)
{
    for (; from < to; from++)
        if (*from != CANARY)
            return 0;
    return 1;
}

/* Canaries intact in f everywhere outside [p, p + n floats). */
static int untouched_around(struct fenced f, const float *p, size_t n)
{
    const unsigned char *b = (const unsigned char *)p;
    return canary_intact(f.lo, b) && canary_intact(b + n * sizeof(float), f.hi);
}

/* Deterministic inputs that reach every path: special values, the hard-case table's
   inputs (the slow path), the clamps, random bit patterns (NaN payloads, subnormals, huge)
   and many values in the range where the polynomials work. */
static void make_inputs(float *x, size_t n)
{
    static const uint32_t special[] = {
        0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc00001u,
        0x7f800001u, 0x00000001u, 0x80000001u, 0x00800000u, 0x7f7fffffu, 0xff7fffffu,
        0x37b0a46fu, 0xb7b0a46fu, 0x41700000u, 0xc1700000u, 0x41400000u, 0xc1400000u,
    };
    const size_t n_special = sizeof special / sizeof special[0];
    uint64_t s = 0x9E3779B97F4A7C15u;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17; /* xorshift64 */
        uint32_t r = (uint32_t)(s >> 32);
        if (r % 4 == 0)
            memcpy(&x[i], &special[(r / 4) % n_special], 4);
        else if (r % 4 == 1)
            memcpy(&x[i], &r, 4);
        else
            x[i] = (float)((r / 4294967296.0 - 0.5) * 32.0);
    }
}

struct fixture {
    float in[MAX_LEN];
    float want[N_FORMS][MAX_LEN]; /* the scalar kernel's results, per form */
    struct fenced xa, ya;
};

/* x and y placed, n inputs copied in: run, then check output bits and every other byte. */
static void check_call(const struct fixture *fx, int isa, int form, float *x, float *y, size_t n, const char *where)
{
    isa_fn fn = form_fns[form];
    int in_place = x == y;
    fill_canary(fx->xa);
    fill_canary(fx->ya);
    memcpy(x, fx->in, n * sizeof(float));
    int rc = fn(isa, x, y, n);
    if (rc != GELU_OK) {
        FAIL("%s %s %s n=%zu: rc %d", isa_names[isa], form_names[form], where, n, rc);
        return;
    }
    if (memcmp(y, fx->want[form], n * sizeof(float)) != 0)
        FAIL("%s %s %s n=%zu: results differ from scalar", isa_names[isa], form_names[form], where, n);
    if (!untouched_around(in_place ? fx->xa : fx->ya, y, n))
        FAIL("%s %s %s n=%zu: wrote outside y", isa_names[isa], form_names[form], where, n);
    if (!in_place && (!untouched_around(fx->xa, x, n) || memcmp(x, fx->in, n * sizeof(float))))
        FAIL("%s %s %s n=%zu: changed x", isa_names[isa], form_names[form], where, n);
}

static float *at_start(struct fenced f) { return (float *)f.lo; }
static float *at_end(struct fenced f, size_t n) { return (float *)f.hi - n; }

static void check_guarded(const struct fixture *fx, int isa, int form, size_t n)
{
    check_call(fx, isa, form, at_end(fx->xa, n), at_end(fx->ya, n), n, "x end, y end");
    check_call(fx, isa, form, at_start(fx->xa), at_start(fx->ya), n, "x start, y start");
    check_call(fx, isa, form, at_end(fx->xa, n), at_start(fx->ya), n, "x end, y start");
    check_call(fx, isa, form, at_start(fx->xa), at_end(fx->ya, n), n, "x start, y end");
    check_call(fx, isa, form, at_end(fx->xa, n), at_end(fx->xa, n), n, "in place, end");
    check_call(fx, isa, form, at_start(fx->xa), at_start(fx->xa), n, "in place, start");
}

/* x and y each at every offset of a line, in opposite order so their alignments differ. */
static void check_offsets(const struct fixture *fx, int isa, int form, size_t n)
{
    char where[48];
    for (int off = 0; off < LINE_FLOATS; off++) {
        float *x = at_start(fx->xa) + off, *y = at_start(fx->ya) + (LINE_FLOATS - 1 - off);
        snprintf(where, sizeof where, "x offset %d, y offset %d", off, LINE_FLOATS - 1 - off);
        check_call(fx, isa, form, x, y, n, where);
        snprintf(where, sizeof where, "in place, offset %d", off);
        check_call(fx, isa, form, x, x, n, where);
    }
}

/* The narrowing kernels: each form to bf16, then to f16. */
typedef int (*narrow_fn)(int, const float *, uint16_t *, size_t);
#define GELU_FN(form, FORM) gelu_##form##_f32_to_bf16_isa, gelu_##form##_f32_to_f16_isa,
static const narrow_fn narrow_fns[2 * N_FORMS] = {GELU_FORMS(GELU_FN)};
#undef GELU_FN

/* x far below zero: -14 to -20, every ninth -12.25 (erf bf16's tail, through the exact path). */
static void make_far(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = i % 9 == 4 ? -12.25f : -14.0f - (float)(i % 7);
}

/* Kernel k on the n inputs at the ends of the pages (y: 16-bit, before its guard page). */
static int memory_only;

static void check_narrow(const struct fixture *fx, const float *in, const uint16_t *want, int isa, int k, size_t n)
{
    float *x = at_end(fx->xa, n);
    uint16_t *y = (uint16_t *)fx->ya.hi - n;
    fill_canary(fx->xa);
    fill_canary(fx->ya);
    memcpy(x, in, n * sizeof(float));
    int rc = narrow_fns[k](isa, x, y, n);
    if (rc != GELU_OK || (!memory_only && memcmp(y, want, n * sizeof(uint16_t)) != 0))
        FAIL("%s narrowing kernel %d n=%zu: rc %d or results differ from scalar", isa_names[isa], k, n, rc);
    if (!canary_intact(fx->ya.lo, (const unsigned char *)y))
        FAIL("%s narrowing kernel %d n=%zu: wrote outside y", isa_names[isa], k, n);
    if (memcmp(x, in, n * sizeof(float)) != 0)
        FAIL("%s narrowing kernel %d n=%zu: changed x", isa_names[isa], k, n);
}

static void check_narrowing(const struct fixture *fx)
{
    static float far[MAX_LEN];
    static uint16_t want[2][2 * N_FORMS][MAX_LEN];
    make_far(far, MAX_LEN);
    const float *inputs[2] = {fx->in, far};
    for (int p = 0; p < 2; p++)
        for (int k = 0; k < 2 * N_FORMS; k++)
            if (narrow_fns[k](GELU_ISA_SCALAR, inputs[p], want[p][k], MAX_LEN) != GELU_OK)
                FAIL("scalar narrowing reference rc");
    for (int isa = GELU_ISA_SCALAR; isa < GELU_N_ISAS; isa++)
        if (gelu_isa_supported(isa))
            for (int p = 0; p < 2; p++)
                for (int k = 0; k < 2 * N_FORMS; k++)
                    for (size_t n = 0; n <= MAX_LEN; n++)
                        check_narrow(fx, inputs[p], want[p][k], isa, k, n);
}

int main(int argc, char **argv)
{
    static struct fixture fx;
    memory_only = argc > 1 && strcmp(argv[1], "--memory-only") == 0;
    make_inputs(fx.in, MAX_LEN);
    for (int form = 0; form < N_FORMS; form++) {
        isa_fn fn = form_fns[form];
        if (fn(GELU_ISA_SCALAR, fx.in, fx.want[form], MAX_LEN) != GELU_OK) {
            printf("FAIL: scalar reference rc\n");
            return 1;
        }
    }
    fx.xa = fenced_map();
    fx.ya = fenced_map();
    printf("ISAs:");
    for (int isa = GELU_ISA_SCALAR; isa < GELU_N_ISAS; isa++) {
        if (!gelu_isa_supported(isa))
            continue;
        printf(" %s", isa_names[isa]);
        for (int form = 0; form < N_FORMS; form++)
            for (size_t n = 0; n <= MAX_LEN; n++) {
                check_guarded(&fx, isa, form, n);
                check_offsets(&fx, isa, form, n);
            }
    }
    printf("\n");
    check_narrowing(&fx);
    fenced_unmap(fx.xa);
    fenced_unmap(fx.ya);
    printf(failures ? "FAILED (%d)\n" : "OK\n", failures);
    return failures != 0;
}
