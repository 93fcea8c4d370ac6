/*
 * The exhaustive checker of the narrowing functions gelu_<form>_f32_to_{bf16,f16}: every
 * float bit pattern, both forms, both 16-bit formats, every ISA that runs here, compared bit
 * for bit with the exact value rounded once to the format (gelu_reference_half: long double,
 * MPFR where that is not conclusive). The 16-bit in, 16-bit out functions are proven on all
 * their 2^16 inputs by the test suite (native/tests/test_half.c).
 *
 * Usage: gelu_exhaustive_half [--forms erf,tanh] [--threads N] [--stride K]
 * Exit status: 0 when every result of every ISA is correctly rounded, else 1.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gelu.h"
#include "gelu_reference.h"

#define CHUNK (1u << 16)

typedef int (*n16_fn)(int, const float *, uint16_t *, size_t);
static const n16_fn kernels[2][2] = {{gelu_erf_f32_to_bf16_isa, gelu_erf_f32_to_f16_isa},
                                     {gelu_tanh_f32_to_bf16_isa, gelu_tanh_f32_to_f16_isa}};
static const char *form_names[] = {"erf", "tanh"}, *type_names[] = {"bf16", "f16"};
static const char *isa_names[] = {"scalar", "avx2", "avx512"};

static int n_isas, isas[3], form_now, threads = 2;
static uint64_t stride = 1, n_chunks;
static _Atomic uint64_t next_chunk;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t checked, oracle_calls, mismatches[2][3];
static int n_examples;

static float from_bits(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

static void *worker(void *arg)
{
    (void)arg;
    static _Thread_local float x[CHUNK];
    static _Thread_local uint16_t want[2][CHUNK], got[CHUNK];
    uint64_t c;
    while ((c = atomic_fetch_add(&next_chunk, 1)) < n_chunks) {
        size_t n = 0;
        for (uint64_t b = c * CHUNK * stride; n < CHUNK && b < 0x100000000ull; b += stride)
            x[n++] = from_bits((uint32_t)b);
        uint64_t oracle = 0, bad[2][3] = {{0}};
        for (size_t i = 0; i < n; i++) {
            uint16_t w[2];
            oracle += (uint64_t)gelu_reference_half(form_now, x[i], w);
            want[0][i] = w[0], want[1][i] = w[1];
        }
        for (int type = 0; type < 2; type++)
            for (int k = 0; k < n_isas; k++) {
                kernels[form_now][type](isas[k], x, got, n);
                for (size_t i = 0; i < n; i++)
                    if (got[i] != want[type][i]) {
                        bad[type][k]++;
                        pthread_mutex_lock(&lock);
                        if (n_examples++ < 20)
                            fprintf(stderr, "  %s %s %s: x=%a (0x%08x) got 0x%04x want 0x%04x\n",
                                    form_names[form_now], type_names[type], isa_names[isas[k]], (double)x[i],
                                    (unsigned)(c * CHUNK * stride + i * stride), got[i], want[type][i]);
                        pthread_mutex_unlock(&lock);
                    }
            }
        pthread_mutex_lock(&lock);
        checked += n;
        oracle_calls += oracle;
        for (int type = 0; type < 2; type++)
            for (int k = 0; k < n_isas; k++)
                mismatches[type][k] += bad[type][k];
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    int do_form[2] = {1, 1};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--forms") && i + 1 < argc) {
            const char *f = argv[++i];
            do_form[0] = strstr(f, "erf") != NULL;
            do_form[1] = strstr(f, "tanh") != NULL;
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            threads = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--stride") && i + 1 < argc) {
            stride = strtoull(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "usage: %s [--forms erf,tanh] [--threads N] [--stride K]\n", argv[0]);
            return 2;
        }
    }
    if (threads < 1 || threads > 256 || stride < 1) {
        fprintf(stderr, "--threads takes 1 to 256, --stride a positive number\n");
        return 2;
    }
    for (int isa = 0; isa < 3; isa++)
        if (gelu_isa_supported(isa))
            isas[n_isas++] = isa;
    uint64_t inputs = (0x100000000ull + stride - 1) / stride;
    n_chunks = (inputs + CHUNK - 1) / CHUNK;
    int failed = 0;
    for (int form = 0; form < 2; form++) {
        if (!do_form[form])
            continue;
        form_now = form;
        checked = oracle_calls = 0;
        memset(mismatches, 0, sizeof mismatches);
        atomic_store(&next_chunk, 0);
        double t0 = now();
        pthread_t tid[256];
        for (int t = 0; t < threads; t++)
            pthread_create(&tid[t], NULL, worker, NULL);
        for (int t = 0; t < threads; t++)
            pthread_join(tid[t], NULL);
        printf("%s: %llu inputs (stride %llu), %llu decided by MPFR, %.0f s\n", form_names[form],
               (unsigned long long)checked, (unsigned long long)stride, (unsigned long long)oracle_calls,
               now() - t0);
        for (int type = 0; type < 2; type++)
            for (int k = 0; k < n_isas; k++) {
                printf("  f32_to_%-4s %-6s %llu misrounded\n", type_names[type], isa_names[isas[k]],
                       (unsigned long long)mismatches[type][k]);
                failed |= mismatches[type][k] != 0;
            }
    }
    printf("%s\n", failed ? "FAILED" : "every result correctly rounded");
    return failed;
}
