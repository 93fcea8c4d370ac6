/*
 * The 16-bit backward kernels against MPFR, each form, format and ISA that runs here: for every
 * 16-bit x, dx = fl16(dy GELU'(x)) with GELU'(x) correctly rounded to float first (the MPFR
 * oracle gelu_oracle_deriv) and the exact product rounded once to the format (MPFR with the
 * format's exponent range, gelu_oracle_product16), for a set of dy per x: the specials (zeros,
 * infinities, a NaN, 1), random codes (NaNs and subnormals among them), and dy chosen next to
 * m / GELU'(x) for midpoints m between neighbouring 16-bit values, so that the product lands
 * within a few units of a rounding boundary (ties included where GELU'(x) is a power of two,
 * as at x = 0 and far out). NaN results follow the definition (gelu.h): dy's quieted, else
 * x's quieted, else the default one (0 times infinity). Exit status 0 when every result matches.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "gelu.h"
#include "gelu_forms.h"
#include "gelu_half_convert.h"
#include "gelu_oracle.h"
#include "gelu_oracle_deriv.h"

enum { BF16 = 0, F16 = 1, PER_X = 16, CODES = 65536 };
#define N ((size_t)CODES * PER_X)

typedef int (*bwd16_fn)(int, const uint16_t *, const uint16_t *, uint16_t *, size_t);
#define GELU_ROW(form, FORM) {gelu_##form##_backward_bf16_isa, gelu_##form##_backward_f16_isa},
static const bwd16_fn kernels[GELU_N_FORMS][2] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW
static const char *form_names[GELU_N_FORMS] = {GELU_FORMS(GELU_FORM_NAME)}, *type_names[2] = {"bf16", "f16"};

static uint64_t rng = 0x243F6A8885A308D3u;
static uint32_t next32(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)(rng >> 32);
}

static float widen(uint16_t h, int type) { return type == BF16 ? half_bf16_to_f32(h) : half_f16_to_f32(h); }
static uint16_t narrow(float f, int type) { return type == BF16 ? half_f32_to_bf16(f) : half_f32_to_f16(f); }
static int is_nan16(uint16_t h, int type) { return (h & 0x7FFF) > (type == BF16 ? 0x7F80 : 0x7C00); }
static int is_inf16(uint16_t h, int type) { return (h & 0x7FFF) == (type == BF16 ? 0x7F80 : 0x7C00); }
static uint16_t quiet16(uint16_t h, int type) { return (uint16_t)(h | (type == BF16 ? 0x0040 : 0x0200)); }

/* A dy whose product with g lies next to a midpoint between two neighbouring 16-bit values. */
static uint16_t near_boundary(float g, int type)
{
    uint16_t top = type == BF16 ? 0x7F7F : 0x7BFF;
    uint16_t v = (uint16_t)(1 + next32() % (top - 1)); /* positive finite, below the largest */
    double m = ((double)widen(v, type) + (double)widen((uint16_t)(v + 1), type)) / 2;
    double t = m / fabs((double)g);
    if (!(t > 0 && t < 1e300) || !(fabsf((float)t) < INFINITY))
        return (uint16_t)next32();
    uint16_t d = narrow((float)t, type);
    if (is_inf16(d, type) || is_nan16(d, type))
        return (uint16_t)next32();
    d = (uint16_t)(d + (next32() % 3) - 1); /* the nearest, or a neighbour: both sides of m */
    if (is_inf16(d, type) || is_nan16(d, type) || (d & 0x7FFF) == 0x7FFF)
        d = narrow((float)t, type);
    return (uint16_t)(d | (next32() & 1 ? 0x8000 : 0));
}

static uint16_t expected(int type, uint16_t x, uint16_t dy, float g)
{
    if (is_nan16(dy, type))
        return quiet16(dy, type);
    if (is_nan16(x, type))
        return quiet16(x, type); /* GELU'(NaN) is x quieted, narrowed back */
    if (g == 0 && is_inf16(dy, type))
        return type == BF16 ? 0x7FC0 : 0x7E00;
    return gelu_oracle_product16(type, g, widen(dy, type));
}

int main(void)
{
    uint16_t *x = malloc(N * 2), *dy = malloc(N * 2), *dx = malloc(N * 2), *want = malloc(N * 2);
    float *g = malloc(CODES * sizeof(float));
    if (!x || !dy || !dx || !want || !g)
        return 2;
    long failures = 0, checked = 0;
    for (int form = 0; form < GELU_N_FORMS; form++) {
        for (int type = BF16; type <= F16; type++) {
            for (uint32_t c = 0; c < CODES; c++)
                g[c] = is_nan16((uint16_t)c, type) ? NAN : gelu_oracle_deriv(form, widen((uint16_t)c, type));
            const uint16_t one = type == BF16 ? 0x3F80 : 0x3C00, inf = type == BF16 ? 0x7F80 : 0x7C00;
            const uint16_t fixed[6] = {0x0000, 0x8000, inf, (uint16_t)(inf | 0x8000), (uint16_t)(inf | 0x0011), one};
            for (size_t i = 0; i < N; i++) {
                uint16_t c = (uint16_t)(i % CODES);
                size_t j = i / CODES;
                x[i] = c;
                dy[i] = j < 6 ? fixed[j] : j < 10 ? (uint16_t)next32() : near_boundary(g[c], type);
                want[i] = expected(type, c, dy[i], g[c]);
            }
            for (int isa = GELU_ISA_SCALAR; isa <= GELU_ISA_AVX512; isa++) {
                if (!gelu_isa_supported(isa))
                    continue;
                int rc = kernels[form][type](isa, x, dy, dx, N);
                if (rc != GELU_OK) {
                    printf("FAIL %s %s isa %d: rc %d\n", form_names[form], type_names[type], isa, rc);
                    failures++;
                    continue;
                }
                for (size_t i = 0; i < N; i++, checked++)
                    if (dx[i] != want[i] && failures++ < 20)
                        printf("FAIL %s %s isa %d x %04x dy %04x (GELU' %a): %04x, want %04x\n", form_names[form],
                               type_names[type], isa, x[i], dy[i], (double)g[x[i]], dx[i], want[i]);
            }
        }
    }
    printf("backward16: %ld results checked against MPFR, %ld wrong\n", checked, failures);
    free(x), free(dy), free(dx), free(want), free(g);
    return failures != 0;
}
