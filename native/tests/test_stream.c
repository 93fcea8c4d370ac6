/*
 * The AVX-512 float32 kernels' streaming variants (<name>_nt_avx512, non-temporal stores, for
 * the composed operations' blocks) against the same kernels storing normally, bit for bit:
 * lengths around the 64 elements from which they stream and longer, y at every offset of a
 * 64-byte line (the unstreamed head), out of place and in place, the floats around y
 * untouched. The inputs put tail lanes (which the faithful kernels finish in a buffer before
 * streaming their registers), NaN, infinities and tiny values among N(0, 1)-like ones.
 * Exit status 0 when every output is identical (or the machine has no AVX-512).
 */
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gelu_internal.h"

typedef void (*f32_fn)(const float *x, float *y, size_t n);

#define GELU_FNS(form, FORM)                                        \
    {#form, gelu_##form##_f32_avx512, gelu_##form##_f32_nt_avx512}, \
        {#form " faithful", gelu_##form##_f32_faithful_avx512, gelu_##form##_f32_faithful_nt_avx512},
static const struct {
    const char *name;
    f32_fn plain, nt;
} kernels[] = {GELU_FORMS(GELU_FNS)};
#undef GELU_FNS

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint32_t next32(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)(rng >> 32);
}

static float input(void)
{
    uint32_t u = next32();
    double r = (double)next32() / 4294967296.0;
    switch (u % 16) {
    case 0: return (float)(-4.0 - 90.0 * r); /* the negative tail of every form */
    case 1: return u & 16 ? NAN : u & 32 ? INFINITY : -INFINITY;
    case 2: return (float)((r - 0.5) * 0x1p-38); /* tiny */
    case 3: return (float)(r * 16.0 - 8.0);
    default: return (float)((r - 0.5) * 6.0);
    }
}

int main(void)
{
    if (!gelu_isa_supported(GELU_ISA_AVX512)) {
        printf("no AVX-512 here: nothing to test\n");
        return 0;
    }
    static const size_t lengths[] = {63, 64, 65, 100, 1023, 1024, 1025, 4096 + 77, 20000, (1u << 18) + 5};
    const size_t pad = 32, len = (1u << 18) + 128;
    float *x = aligned_alloc(64, len * 4), *want = aligned_alloc(64, len * 4), *got = aligned_alloc(64, len * 4);
    for (size_t i = 0; i < len; i++)
        x[i] = input();
    int failures = 0;
    for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; k++)
        for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++)
            for (size_t off = 0; off < 16; off += 3)
                for (int in_place = 0; in_place < 2; in_place++) {
                    size_t n = lengths[l];
                    for (size_t i = 0; i < len; i++)
                        want[i] = got[i] = in_place ? x[i] : -99.0f;
                    kernels[k].plain(in_place ? want + pad + off : x + pad + off, want + pad + off, n);
                    kernels[k].nt(in_place ? got + pad + off : x + pad + off, got + pad + off, n);
                    _mm_sfence(); /* the streaming variants leave the fence to the caller */
                    if (memcmp(got, want, len * 4) != 0) {
                        size_t i = 0;
                        while (memcmp(got + i, want + i, 4) == 0)
                            i++;
                        if (++failures <= 20)
                            fprintf(stderr, "FAIL %s n=%zu offset %zu %s: element %zu is %a, want %a\n",
                                    kernels[k].name, n, off, in_place ? "in place" : "out of place", i, (double)got[i],
                                    (double)want[i]);
                    }
                }
    free(x), free(want), free(got);
    printf(failures ? "FAILED (%d)\n" : "OK\n", failures);
    return failures != 0;
}
