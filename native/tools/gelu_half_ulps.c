/*
 * How far the 16-bit narrowing kernels' float32 fast path is from the exact value, in float ulps
 * of the result: the bounds behind GELU_HALF_ULPS (x > -4) and GELU_HALF_<FORM>_TAIL_ULPS
 * (x <= -4), the windows of the rounding test. The fast path is repeated here operation for
 * operation (a handful of float operations on the tables of gelu_half_coeffs.h; the lanes of a
 * register below 4 get E = 1 exactly, so one lane at a time is the same) and compared with the
 * correctly rounded kernels' double y, which is within 2^-40 of the exact value; below -A_SCALE
 * the kernel's y is 2^GELU_HALF_DEEP_SCALE times its value, and so is the exact one here. Prints the
 * worst error and a histogram per form and range; exits 1 when a bound does not hold.
 * Usage: gelu_half_ulps [STRIDE]   (every STRIDE-th float bit pattern, default 101; the
 * negative tail [-A_MAX, -4], where the tail's error is largest, is always taken whole)
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "gelu_half_coeffs.h"
#include "gelu_internal.h"

struct form {
    const char *name;
    const float (*c)[32];
    float a_scale, a_max, g4;
    int tail_ulps;
};

static float tail_e(int form, const struct form *f, float ax)
{
    const float k = form == 0 ? 2.0f : 1.0f, g4 = k * f->g4;
    int deep = ax > f->a_scale;
    float a = fminf(fmaxf(ax, 4.0f), f->a_max);
    float g, e;
    if (form == 1) {
        const float c3 = GELU_HALF_TANH_C3;
        float h = a * a, hn = fmaf(-a, a, h), cu = a * h, cn = fmaf(-a, h, cu);
        float p = c3 * cu, pn = fmaf(-c3, cu, p);
        g = p + a;
        float sn = (g - p) - a;
        e = fmaf(c3, fmaf(a, hn, cn), pn) + sn;
    } else {
        float c = form == 0 ? a : GELU_HALF_QUICK_C;
        g = a * c;
        e = fmaf(-a, c, g);
    }
    float d = g - g4;
    float mn = nearbyintf(d * (-GELU_HALF_LOG2E / k));
    float r = fmaf(mn, k * GELU_HALF_LN2_HI, form == 0 ? d : g);
    if (form != 0)
        r -= g4;
    r = fmaf(mn, k * GELU_HALF_LN2_LO, r) - e;
    float scale = 1.0f / k;
    for (int j = 0; j < GELU_HALF_EXP_DEGREE; j++)
        scale /= k;
    float s = gelu_half_exp_s[GELU_HALF_EXP_DEGREE] * scale;
    for (int j = GELU_HALF_EXP_DEGREE - 1; j >= 0; j--) {
        scale *= k;
        s = fmaf(s, r, gelu_half_exp_s[j] * scale);
    }
    return ldexpf(fmaf(r, s, 1.0f), (int)mn + (deep ? GELU_HALF_DEEP_SCALE : 0));
}

static float fast_y(int form, const struct form *f, float x)
{
    float ax = fabsf(x), r = fminf(fminf(ax * 4.0f, ax + 12.0f), GELU_HALF_R_MAX);
    int k = (int)r;
    float t = (r - (float)k) - 0.5f, q = f->c[GELU_HALF_DEGREE][k];
    for (int j = GELU_HALF_DEGREE - 1; j >= 0; j--)
        q = fmaf(q, t, f->c[j][k]);
    if (ax >= 4.0f)
        q *= tail_e(form, f, ax); /* scaled for x > A_SCALE too, whose y is x still */
    return fmaf(-ax, q, x >= 0.0f ? x : 0.0f);
}

struct tally {
    double worst;
    float worst_x;
    unsigned long long hist[10], n;
};

static void measure(int form, const struct form *f, float x, struct tally *t)
{
    double exact = ldexp(gelu_cr_y(form, x), x < -f->a_scale ? GELU_HALF_DEEP_SCALE : 0);
    if (exact == 0)
        return;
    double ulp = fabs(exact) < 0x1p-126 ? 0x1p-149 : ldexp(1.0, ilogb((float)exact) - 23);
    double e = fabs((double)fast_y(form, f, x) - exact) / ulp;
    t->hist[e < 1 ? 0 : e >= 256 ? 9 : 1 + ilogb(e)]++, t->n++;
    if (e > t->worst)
        t->worst = e, t->worst_x = x;
}

static int report(const char *name, const char *range, const struct tally *t, int bound)
{
    printf("%s %s: %llu inputs, worst %.3f ulps (x = %a), window %d ulps\n", name, range, t->n, t->worst,
           (double)t->worst_x, bound);
    for (int i = 0; i < 10; i++)
        if (t->hist[i])
            printf("  %s %g ulps: %llu\n", i < 9 ? "<" : ">=",
                   i == 0  ? 1.0
                   : i < 9 ? ldexp(1.0, i)
                           : 256.0,
                   t->hist[i]);
    return t->worst >= bound;
}

int main(int argc, char **argv)
{
    unsigned stride = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 101;
    if (stride == 0)
        stride = 1;
    static const struct form forms[3] = {
        {"erf", gelu_half_erf_coef, GELU_HALF_ERF_A_SCALE, GELU_HALF_ERF_A_MAX, GELU_HALF_ERF_G4,
         GELU_HALF_ERF_TAIL_ULPS},
        {"tanh", gelu_half_tanh_coef, GELU_HALF_TANH_A_SCALE, GELU_HALF_TANH_A_MAX, GELU_HALF_TANH_G4,
         GELU_HALF_TANH_TAIL_ULPS},
        {"quick", gelu_half_quick_coef, GELU_HALF_QUICK_A_SCALE, GELU_HALF_QUICK_A_MAX, GELU_HALF_QUICK_G4,
         GELU_HALF_QUICK_TAIL_ULPS},
    };
    int bad = 0;
    for (int form = 0; form < 3; form++) {
        const struct form *f = &forms[form];
        struct tally body = {0}, tail = {0};
        /* the negative tail whole: -4 up to -A_MAX are consecutive bit patterns */
        for (uint32_t u = gelu_bits32(-4.0f); u <= gelu_bits32(-f->a_max); u++)
            measure(form, f, gelu_from_bits32(u), &tail);
        for (unsigned long long u = 0; u < 0x100000000ull; u += stride) {
            float x = gelu_from_bits32((uint32_t)u);
            if (!(x >= -f->a_max && x < INFINITY) || x <= -4.0f)
                continue;
            measure(form, f, x, &body);
        }
        bad |= report(f->name, "x > -4", &body, GELU_HALF_ULPS);
        bad |= report(f->name, "-A_MAX <= x <= -4 (every float)", &tail, f->tail_ulps);
    }
    return bad;
}
