/*
 * Invalid and divide-by-zero on every entry point: every row of GELU_KERNELS (float32, 16-bit,
 * narrowing, composed, backward), every ISA this machine runs, through the public <name>_isa
 * functions. IEEE 754 asks of GELU invalid for a signalling NaN input and nothing else, so
 *
 *   a quiet NaN (either sign), +-inf, +-0 or ordinary values, in any one input, raise neither
 *   flag; a signalling NaN (either sign) in any one input raises invalid;
 *
 * the other input of a two-input kind holds ordinary values chosen so that the definition itself
 * raises nothing (no inf 0: gates and x with GELU and GELU' far from 0). Lengths 1, 5, 64 and 333,
 * the special value in every element or in every fourth. The 16-bit kernels fill a table on
 * their first call, running their kernels on every 16-bit value (signalling NaNs among them):
 * this test runs first thing in a fresh process, quiet NaNs first, so that such a first call is
 * one of the checked ones. Underflow and overflow are test_fpenv's (float32; the 16-bit calls'
 * follow their steps, gelu.h).
 */
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gelu.h"
#include "gelu_internal.h"

enum kind { F32, H16, N16, BIAS_F32, BIAS_H16, GLU_F32, GLU_H16, GLUR_F32, GLUR_H16, BWD_F32, BWD_H16 };
#define GELU_ROW(name, kind) {#name, kind, (void *)name##_isa},
static const struct {
    const char *name;
    enum kind kind;
    void *fn;
} functions[] = {GELU_KERNELS(GELU_ROW)};
#undef GELU_ROW
#define N_FUNCTIONS (sizeof functions / sizeof functions[0])
static const char *isa_names[] = GELU_ISA_NAMES;

/* The special values: bits as float32, bf16 and f16; the flags each requires. */
static const struct {
    const char *name;
    uint32_t f32;
    uint16_t bf16, f16;
    int invalid;
} specials[] = {
    {"quiet NaN", 0x7FC00000u, 0x7FC0, 0x7E00, 0},
    {"-quiet NaN", 0xFFC12345u, 0xFFC1, 0xFE01, 0},
    {"+inf", 0x7F800000u, 0x7F80, 0x7C00, 0},
    {"-inf", 0xFF800000u, 0xFF80, 0xFC00, 0},
    {"+0", 0x00000000u, 0x0000, 0x0000, 0},
    {"-0", 0x80000000u, 0x8000, 0x8000, 0},
    {"signalling NaN", 0x7F800001u, 0x7F81, 0x7C01, 1},
    {"-signalling NaN", 0xFFA00000u, 0xFFA0, 0xFD00, 1},
};
#define N_SPECIALS (sizeof specials / sizeof specials[0])
/* Ordinary values: any sign alone; positive beside a special (GELU and GELU' well above 0). */
static const float ordinary_any[] = {0.5f, -1.5f, 2.0f, -3.0f, 6.0f, -9.0f, 1.5f, 3.0f};
static const float ordinary_pos[] = {0.5f, 1.5f, 2.0f, 3.0f, 6.0f, 0.75f, 1.25f, 2.5f};

static int failures, checks;

/* Element i of an input of elem bytes (2: the function's 16-bit type): v, or a special's bits. */
static void put(void *buf, size_t i, size_t elem, int bf16, float v, int special)
{
    if (elem == 4) {
        uint32_t u = special >= 0 ? specials[special].f32 : gelu_bits32(v);
        memcpy((char *)buf + 4 * i, &u, 4);
        return;
    }
    uint16_t h;
    if (special >= 0) {
        h = bf16 ? specials[special].bf16 : specials[special].f16;
    } else if (bf16) {
        h = (uint16_t)(gelu_bits32(v) >> 16); /* these values are exact in bf16 */
    } else {
        _Float16 f = (_Float16)v;
        memcpy(&h, &f, 2);
    }
    memcpy((char *)buf + 2 * i, &h, 2);
}

/* One call with the special in input `which` (0: x, a or the a half of a row; 1: bias, gate, dy
   or the gate half), in every element (every = 1) or every fourth. */
static void check(size_t f, int isa, int special, int which, size_t n, int every)
{
    enum kind k = functions[f].kind;
    int two = k == BIAS_F32 || k == BIAS_H16 || k == GLU_F32 || k == GLU_H16 || k == BWD_F32 || k == BWD_H16 ||
              k == GLUR_F32 || k == GLUR_H16;
    if (which && !two)
        return;
    size_t in = k == F32 || k == N16 || k == BIAS_F32 || k == GLU_F32 || k == GLUR_F32 || k == BWD_F32 ? 4 : 2;
    size_t out = k == N16 ? 2 : in;
    int bf16 = strstr(functions[f].name, "bf16") != NULL;
    size_t rows_n = k == GLUR_F32 || k == GLUR_H16 ? 2 * n : n;
    void *x = calloc(rows_n, in), *x2 = calloc(n, in), *y = calloc(n, out);
    for (size_t i = 0; i < n; i++) {
        int sp = i % (size_t)every == 0 ? special : -1;
        if (k == GLUR_F32 || k == GLUR_H16) { /* [a | gate] */
            put(x, i, in, bf16, ordinary_pos[i % 8], which == 0 ? sp : -1);
            put(x, n + i, in, bf16, ordinary_pos[(i + 3) % 8], which == 1 ? sp : -1);
        } else if (two) {
            put(x, i, in, bf16, which == 0 ? ordinary_any[i % 8] : ordinary_pos[i % 8], which == 0 ? sp : -1);
            put(x2, i, in, bf16, ordinary_pos[(i + 3) % 8], which == 1 ? sp : -1);
        } else {
            put(x, i, in, bf16, ordinary_any[i % 8], sp);
        }
    }
    void *fn = functions[f].fn;
    feclearexcept(FE_ALL_EXCEPT);
    int rc;
    switch (k) {
    case F32: rc = ((int (*)(int, const float *, float *, size_t))fn)(isa, x, y, n); break;
    case H16: rc = ((int (*)(int, const uint16_t *, uint16_t *, size_t))fn)(isa, x, y, n); break;
    case N16: rc = ((int (*)(int, const float *, uint16_t *, size_t))fn)(isa, x, y, n); break;
    case GLU_F32:
    case BWD_F32: rc = ((int (*)(int, const float *, const float *, float *, size_t))fn)(isa, x, x2, y, n); break;
    case GLU_H16:
    case BWD_H16:
        rc = ((int (*)(int, const uint16_t *, const uint16_t *, uint16_t *, size_t))fn)(isa, x, x2, y, n);
        break;
    case BIAS_F32:
        rc = ((int (*)(int, const float *, const float *, float *, size_t, size_t, size_t, size_t))fn)(isa, x, x2, y, 1,
                                                                                                       n, n, n);
        break;
    case BIAS_H16:
        rc = ((int (*)(int, const uint16_t *, const uint16_t *, uint16_t *, size_t, size_t, size_t, size_t))fn)(
            isa, x, x2, y, 1, n, n, n);
        break;
    case GLUR_F32:
        rc = ((int (*)(int, const float *, float *, size_t, size_t, size_t, size_t))fn)(isa, x, y, 1, n, 2 * n, n);
        break;
    default:
        rc = ((int (*)(int, const uint16_t *, uint16_t *, size_t, size_t, size_t, size_t))fn)(isa, x, y, 1, n, 2 * n,
                                                                                              n);
        break;
    }
    int invalid = fetestexcept(FE_INVALID) != 0, divide = fetestexcept(FE_DIVBYZERO) != 0;
    checks++;
    if (rc != GELU_OK || invalid != specials[special].invalid || divide) {
        if (failures++ < 40)
            printf("FAIL %s/%s, %s in input %d, n=%zu, every %d: rc %d, invalid %d (IEEE 754: %d), "
                   "divide-by-zero %d\n",
                   functions[f].name, isa_names[isa], specials[special].name, which, n, every, rc, invalid,
                   specials[special].invalid, divide);
    }
    free(x);
    free(x2);
    free(y);
}

int main(void)
{
    static const size_t lengths[] = {1, 5, 64, 333};
    int ran = 0;
    for (int isa = GELU_N_ISAS - 1; isa >= 0; isa--) { /* the best ISA first fills the tables */
        float probe = 0, out;
        if (gelu_erf_f32_isa(isa, &probe, &out, 1) != GELU_OK)
            continue; /* not on this machine */
        ran++;
        for (size_t f = 0; f < N_FUNCTIONS; f++)
            for (size_t s = 0; s < N_SPECIALS; s++)
                for (int which = 0; which < 2; which++)
                    for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++)
                        for (int every = 1; every <= 4; every += 3)
                            check(f, isa, (int)s, which, lengths[l], every);
    }
    printf("%d calls on %d ISAs, %d with flags IEEE 754 does not ask for (or without invalid for a "
           "signalling NaN)\n",
           checks, ran, failures);
    return failures != 0 || ran == 0;
}
