/*
 * How far the 16-bit kernels' float32 fast path is from the exact value, in float ulps of the
 * result: the bound behind GELU_HALF_ULPS (the window of the rounding test). The fast path is
 * repeated here operation for operation (it is a handful of float operations on the table of
 * gelu_half_coeffs.h) and compared with the correctly rounded kernels' double y, which is
 * within 2^-40 of the exact value. Prints the worst error and a histogram per form.
 * Usage: gelu_half_ulps [STRIDE]   (every STRIDE-th float bit pattern, default 101)
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "gelu_half_coeffs.h"
#include "gelu_internal.h"

static float fast_y(const float (*c)[32], float x)
{
    float ax = fabsf(x), r = fminf(ax * 4.0f, GELU_HALF_R_MAX);
    int k = (int)r;
    float t = (r - (float)k) - 0.5f, q = c[GELU_HALF_DEGREE][k];
    for (int j = GELU_HALF_DEGREE - 1; j >= 0; j--)
        q = fmaf(q, t, c[j][k]);
    return fmaf(-ax, q, x >= 0.0f ? x : 0.0f);
}

int main(int argc, char **argv)
{
    unsigned stride = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 101;
    if (stride == 0)
        stride = 1;
    static const char *const names[3] = {"erf", "tanh", "quick"};
    const float(*const tables[3])[32] = {gelu_half_erf_coef, gelu_half_tanh_coef, gelu_half_quick_coef};
    const float los[3] = {GELU_HALF_ERF_LO, GELU_HALF_TANH_LO, GELU_HALF_QUICK_LO};
    const float his[3] = {INFINITY, INFINITY, GELU_HALF_QUICK_HI}; /* the fast path takes x < hi */
    for (int form = 0; form < 3; form++) {
        const float(*c)[32] = tables[form];
        float lo = los[form], hi = his[form], worst_x = 0;
        double worst = 0;
        unsigned long long hist[9] = {0}, n = 0;
        for (unsigned long long u = 0; u < 0x100000000ull; u += stride) {
            float x = gelu_from_bits32((uint32_t)u);
            if (!(x >= lo && x < hi))
                continue;
            double exact = gelu_cr_y(form, x);
            if (exact == 0)
                continue;
            double ulp = fabs(exact) < 0x1p-126 ? 0x1p-149 : ldexp(1.0, ilogb((float)exact) - 23);
            double e = fabs((double)fast_y(c, x) - exact) / ulp;
            hist[e < 4 ? (int)(e * 2) : 8]++, n++;
            if (e > worst)
                worst = e, worst_x = x;
        }
        printf("%s: %llu inputs in [%g, %g), worst %.3f ulps (x = %a), window %d ulps\n", names[form], n, (double)lo,
               (double)hi, worst, (double)worst_x, GELU_HALF_ULPS);
        for (int i = 0; i < 9; i++)
            if (hist[i])
                printf("  %s%.1f ulps: %llu\n", i < 8 ? "< " : ">= ", i < 8 ? (i + 1) / 2.0 : 4.0, hist[i]);
        if (worst >= GELU_HALF_ULPS)
            return 1;
    }
    return 0;
}
