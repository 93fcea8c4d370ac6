/*
 * Every ISA that runs here against the MPFR oracle on a few million inputs from every region,
 * and every ISA against every other bit for bit (NaN payloads included).
 *
 * Usage: test_accuracy [max-mismatches]. A mismatch is a result that is not the correctly
 * rounded one; any result more than 1 ulp away, or any disagreement between ISAs, fails.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpfr.h>

#include "gelu.h"
#include "gelu_forms.h"
#include "gelu_isas.h"
#include "gelu_oracle.h"
#include "inputs.h"

static uint32_t bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* distance in representable floats; both finite or both infinite of one sign */
static int64_t ulps_apart(float a, float b)
{
    int64_t ia = bits(a) & 0x80000000u ? -(int64_t)(bits(a) & 0x7fffffffu) : (int64_t)bits(a);
    int64_t ib = bits(b) & 0x80000000u ? -(int64_t)(bits(b) & 0x7fffffffu) : (int64_t)bits(b);
    return ia > ib ? ia - ib : ib - ia;
}

int main(int argc, char **argv)
{
    long allowed = argc > 1 ? atol(argv[1]) : 0;
    float *x;
    size_t n = gelu_test_inputs(&x);
    float *want = malloc(n * 4), *got = malloc(n * 4), *first = malloc(n * 4);
    const char *forms[] = {GELU_FORMS(GELU_FORM_NAME)};
#define GELU_FN(form, FORM) gelu_##form##_f32_isa,
    int (*const kernels[])(int, const float *, float *, size_t) = {GELU_FORMS(GELU_FN)};
#undef GELU_FN
    const char *isas[] = GELU_ISA_NAMES;
    int failed = 0;
    printf("%zu inputs, active ISA %s\n", n, gelu_isa());
    for (int form = 0; form < GELU_N_FORMS; form++) {
        /* MPFR keeps its caches in thread-local storage when built with TLS (Debian's is) */
#pragma omp parallel for schedule(dynamic, 4096) if (mpfr_buildopt_tls_p())
        for (size_t i = 0; i < n; i++)
            want[i] = gelu_oracle(form, x[i]);
        int have_first = 0;
        for (int isa = 0; isa < GELU_N_ISAS; isa++) {
            if (!gelu_isa_supported(isa))
                continue;
            int rc = kernels[form](isa, x, got, n);
            if (rc != GELU_OK) {
                printf("FAIL %s/%s returned %d\n", forms[form], isas[isa], rc);
                failed = 1;
                continue;
            }
            long mismatches = 0, far = 0, differ = 0;
            for (size_t i = 0; i < n; i++) {
                if (isnan(want[i]) != isnan(got[i])) {
                    far++;
                } else if (!isnan(want[i]) && bits(want[i]) != bits(got[i])) {
                    /* -0 versus +0 counts as a mismatch and as far: the sign must be right */
                    if (ulps_apart(want[i], got[i]) > 1 || (want[i] == 0 && got[i] == 0))
                        far++;
                    if (mismatches++ < 5)
                        printf("  %s/%s x=%a (0x%08x): got %a want %a\n", forms[form], isas[isa], x[i], bits(x[i]),
                               got[i], want[i]);
                }
                if (have_first && bits(first[i]) != bits(got[i]) && differ++ < 5)
                    printf("  %s/%s differs from %s at x=%a: %a vs %a\n", forms[form], isas[isa], isas[0], x[i], got[i],
                           first[i]);
            }
            printf("%-5s %-6s: %ld not correctly rounded, %ld off by more than 1 ulp, "
                   "%ld differ from the first ISA\n",
                   forms[form], isas[isa], mismatches, far, differ);
            if (mismatches > allowed || far || differ)
                failed = 1;
            if (!have_first) {
                memcpy(first, got, n * 4);
                have_first = 1;
            }
        }
    }
    free(x);
    free(want);
    free(got);
    free(first);
    printf(failed ? "FAILED\n" : "OK\n");
    return failed;
}
