/*
 * What the floating-point environment guard costs per call (native/src/gelu_fpenv.h):
 *
 *   gelu_fpenv_cost [library.so ...]
 *
 * Times gelu_erf_f32 and gelu_tanh_f32 at n = 1 and n = 16 with the caller in the default
 * mode (MXCSR 0x1F80: the guard is one STMXCSR and a compare) and in FTZ+DAZ (0x9FC0: the
 * guard loads the proven mode and the caller's back, two LDMXCSR), for each library given
 * (default: the libgelu this is linked against); with two libraries, before and after, the
 * rounds alternate between them so that the noise of a shared machine hits both alike. Prints
 * the median and the minimum ns per call over the rounds (on a busy machine the minimum is
 * the better estimate of the cost itself). Run by hand; not a test.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xmmintrin.h>

#include "gelu.h"

typedef int (*gelu_fn)(const float *, float *, size_t);

#define ROUNDS 31
#define CALLS 1000000

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double round_ns(gelu_fn f, unsigned mxcsr, size_t n)
{
    static float x[16] = {-3.5f, -1, -0.25f, 0, 0.5f, 1, 2.5f, 4, -6, -0.125f, 0.75f, 1.5f, 3, -2, 5, 6};
    static float y[16];
    _mm_setcsr(mxcsr);
    double t0 = now_ns();
    for (int i = 0; i < CALLS; i++) {
        f(x, y, n);
        __asm__ volatile("" ::: "memory");
    }
    double t = (now_ns() - t0) / CALLS;
    _mm_setcsr(0x1F80);
    return t;
}

int main(int argc, char **argv)
{
    int libs = argc > 1 ? argc - 1 : 1;
    gelu_fn fns[8][2];
    const char *names[8];
    for (int l = 0; l < libs && l < 8; l++) {
        if (argc > 1) {
            void *h = dlopen(argv[l + 1], RTLD_NOW | RTLD_LOCAL);
            if (!h) {
                fprintf(stderr, "%s\n", dlerror());
                return 1;
            }
            fns[l][0] = (gelu_fn)dlsym(h, "gelu_erf_f32");
            fns[l][1] = (gelu_fn)dlsym(h, "gelu_tanh_f32");
            names[l] = argv[l + 1];
        } else {
            fns[l][0] = gelu_erf_f32;
            fns[l][1] = gelu_tanh_f32;
            names[l] = "linked libgelu";
        }
    }
    static const unsigned modes[2] = {0x1F80, 0x9FC0};
    static const char *mode_names[2] = {"default 0x1F80", "FTZ+DAZ 0x9FC0"};
    static const size_t sizes[2] = {1, 16};
    printf("form,n,caller_mxcsr,library,median_ns_per_call,min_ns_per_call\n");
    for (int form = 0; form < 2; form++)
        for (int s = 0; s < 2; s++)
            for (int m = 0; m < 2; m++) {
                double t[8][ROUNDS];
                for (int r = 0; r < ROUNDS; r++)
                    for (int l = 0; l < libs; l++)
                        t[l][r] = round_ns(fns[l][form], modes[m], sizes[s]);
                for (int l = 0; l < libs; l++) {
                    qsort(t[l], ROUNDS, sizeof(double), cmp);
                    printf("%s,%zu,%s,%s,%.2f,%.2f\n", form ? "tanh" : "erf", sizes[s], mode_names[m], names[l],
                           t[l][ROUNDS / 2], t[l][0]);
                }
            }
    return 0;
}
