/*
 * Times the native kernels without a JVM: every ISA this CPU runs, both forms, one thread.
 * Usage: gelu_cbench [n] [repeats]   (defaults 65536 and enough repeats for ~0.3 s)
 * Prints one line per (form, isa): Gelem/s and ns/element, the median of 5 timed rounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gelu.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 65536;
    float *x = aligned_alloc(64, (n * 4 + 63) / 64 * 64), *y = aligned_alloc(64, (n * 4 + 63) / 64 * 64);
    if (!x || !y)
        return 1;
    unsigned s = 12345;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = ((s >> 8) * (1.0f / 16777216.0f) - 0.5f) * 12.0f; /* uniform in [-6, 6] */
    }
    const char *names[] = {"scalar", "avx2", "avx512"};
    printf("n=%zu active=%s version=%s\n", n, gelu_isa(), gelu_version());
    printf("%-5s %-7s %10s %10s\n", "form", "isa", "Gelem/s", "ns/elem");
    for (int form = 0; form < 2; form++) {
        for (int isa = 0; isa < 3; isa++) {
            if (!gelu_isa_supported(isa))
                continue;
            int (*fn)(int, const float *, float *, size_t) = form ? gelu_tanh_f32_isa : gelu_erf_f32_isa;
            double t0 = now();
            long reps = 0;
            do {
                fn(isa, x, y, n);
                reps++;
            } while (now() - t0 < 0.05);
            double rounds[5];
            for (int r = 0; r < 5; r++) {
                t0 = now();
                for (long k = 0; k < reps; k++)
                    fn(isa, x, y, n);
                rounds[r] = (now() - t0) / ((double)reps * n);
            }
            qsort(rounds, 5, sizeof rounds[0], cmp);
            printf("%-5s %-7s %10.3f %10.3f\n", form ? "tanh" : "erf", names[isa], 1e-9 / rounds[2],
                   rounds[2] * 1e9);
        }
    }
    free(x);
    free(y);
    return 0;
}
