/*
 * The exhaustive checker of the narrowing functions gelu_<form>_f32_to_{bf16,f16}: every
 * float bit pattern, every form, both 16-bit formats, every ISA that runs here, compared bit
 * for bit with the exact value rounded once to the format (gelu_reference_half: long double,
 * MPFR where that is not conclusive). The 16-bit in, 16-bit out functions are proven on all
 * their 2^16 inputs by the test suite (native/tests/test_half.c).
 *
 * Usage: gelu_exhaustive_half [--forms LIST (default: all)] [--threads N] [--stride K] [--emit-tables]
 *   --emit-tables  write native/src/gelu_half_hard_cases.h and the Java HalfHardCaseTable: the
 *                  current table plus every input the scalar kernel (the double path) still
 *                  misrounds (run from the repository root, then rebuild and run again).
 * Exit status: 0 when every result of every ISA is correctly rounded, else 1.
 */
#include <mpfr.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gelu.h"
#include "gelu_forms.h"
#include "gelu_isas.h"
#include "gelu_half_hard_cases.h"
#include "gelu_reference.h"

#define CHUNK (1u << 16)

typedef int (*n16_fn)(int, const float *, uint16_t *, size_t);
#define N_FORMS GELU_N_FORMS
#define GELU_ROW(form, FORM) {gelu_##form##_f32_to_bf16_isa, gelu_##form##_f32_to_f16_isa},
static const n16_fn kernels[N_FORMS][2] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW
static const char *form_names[] = {GELU_FORMS(GELU_FORM_NAME)}, *type_names[] = {"bf16", "f16"};
static const char *isa_names[] = GELU_ISA_NAMES;

static int n_isas, isas[3], form_now, threads = 2;
static uint64_t stride = 1, n_chunks;
static _Atomic uint64_t next_chunk;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t checked, oracle_calls, mismatches[2][3];
static int n_examples;
#define MAX_LIST 100000
static uint32_t wrong[N_FORMS][2][MAX_LIST][2]; /* [form][type]: x bits, correct bits (scalar kernel) */
static size_t n_wrong[N_FORMS][2];

static float from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

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
                        if (isas[k] == GELU_ISA_SCALAR && n_wrong[form_now][type] < MAX_LIST) {
                            uint32_t xb;
                            memcpy(&xb, &x[i], 4);
                            wrong[form_now][type][n_wrong[form_now][type]][0] = xb;
                            wrong[form_now][type][n_wrong[form_now][type]++][1] = want[type][i];
                        }
                        if (n_examples++ < 20)
                            fprintf(stderr, "  %s %s %s: x=%a (0x%08x) got 0x%04x want 0x%04x\n", form_names[form_now],
                                    type_names[type], isa_names[isas[k]], (double)x[i],
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
    mpfr_free_cache(); /* MPFR's per-thread constant caches (LeakSanitizer counts them) */
    return NULL;
}

static int cmp_pair(const void *a, const void *b)
{
    uint32_t x = ((const uint32_t *)a)[0], y = ((const uint32_t *)b)[0];
    return (x > y) - (x < y);
}

static void add_current(int form, int type, const uint32_t (*table)[2], size_t count)
{
    for (size_t k = 0; k < count && n_wrong[form][type] < MAX_LIST; k++) {
        wrong[form][type][n_wrong[form][type]][0] = table[k][0];
        wrong[form][type][n_wrong[form][type]++][1] = table[k][1];
    }
}

static int emit_tables(void)
{
    add_current(0, 0, gelu_half_hard_cases_erf_bf16, GELU_HALF_HARD_CASES_ERF_BF16);
    add_current(0, 1, gelu_half_hard_cases_erf_f16, GELU_HALF_HARD_CASES_ERF_F16);
    add_current(1, 0, gelu_half_hard_cases_tanh_bf16, GELU_HALF_HARD_CASES_TANH_BF16);
    add_current(1, 1, gelu_half_hard_cases_tanh_f16, GELU_HALF_HARD_CASES_TANH_F16);
    add_current(2, 0, gelu_half_hard_cases_quick_bf16, GELU_HALF_HARD_CASES_QUICK_BF16);
    add_current(2, 1, gelu_half_hard_cases_quick_f16, GELU_HALF_HARD_CASES_QUICK_F16);
    FILE *c = fopen("native/src/gelu_half_hard_cases.h", "w");
    FILE *j = fopen("java/src/main/java/dev/gelu/internal/HalfHardCaseTable.java", "w");
    if (!c || !j) {
        fprintf(stderr, "--emit-tables: run from the repository root\n");
        return 1;
    }
    fprintf(c, "/* Generated by native/tools/gelu_exhaustive_half --emit-tables: do not edit.\n"
               "   Inputs whose 16-bit result the double path does not decide correctly, with the right result,\n"
               "   per form and type (0 bf16, 1 f16). Sorted by input bits; each table ends with a sentinel. */\n"
               "#ifndef GELU_HALF_HARD_CASES_H\n#define GELU_HALF_HARD_CASES_H\n#include <stdint.h>\n");
    fprintf(j, "// Generated by native/tools/gelu_exhaustive_half --emit-tables: do not edit.\n"
               "package dev.gelu.internal;\n\n"
               "/** Inputs (float bits, sorted as unsigned) whose 16-bit result the double path cannot decide, and the "
               "result. */\n"
               "public final class HalfHardCaseTable {\n    private HalfHardCaseTable() {}\n");
    for (int f = 0; f < N_FORMS; f++)
        for (int t = 0; t < 2; t++) {
            qsort(wrong[f][t], n_wrong[f][t], sizeof wrong[f][t][0], cmp_pair);
            size_t n = 0; /* without duplicates (a re-run adds what the table already has) */
            for (size_t k = 0; k < n_wrong[f][t]; k++)
                if (n == 0 || wrong[f][t][k][0] != wrong[f][t][n - 1][0])
                    memcpy(wrong[f][t][n++], wrong[f][t][k], sizeof wrong[f][t][k]);
            n_wrong[f][t] = n;
            static const char *const upper[] = {GELU_FORMS(GELU_FORM_UPPER)};
            const char *up = upper[f], *ty = t ? "F16" : "BF16";
            fprintf(c, "#define GELU_HALF_HARD_CASES_%s_%s %zu\n", up, ty, n);
            fprintf(c, "static const uint32_t gelu_half_hard_cases_%s_%s[][2] = {\n", form_names[f],
                    t ? "f16" : "bf16");
            for (size_t k = 0; k < n; k++)
                fprintf(c, "    {0x%08xu, 0x%04xu},\n", wrong[f][t][k][0], wrong[f][t][k][1]);
            fprintf(c, "    {0xffffffffu, 0xffffffffu},\n};\n");
            for (int col = 0; col < 2; col++) {
                fprintf(j, "\n    public static final int[] %s_%s_%s = {", up, ty, col ? "Y" : "X");
                for (size_t k = 0; k < n; k++)
                    fprintf(j, "%s0x%08x,", k % 6 ? " " : "\n        ", wrong[f][t][k][col]);
                fprintf(j, "%s};\n", n ? "\n    " : "");
            }
            printf("%s %s: %zu hard cases\n", form_names[f], type_names[t], n);
        }
    fprintf(c, "#endif\n");
    fprintf(j, "}\n");
    fclose(c);
    fclose(j);
    return 0;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    int do_form[N_FORMS], emit = 0;
    for (int k = 0; k < N_FORMS; k++)
        do_form[k] = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--forms") && i + 1 < argc) {
            const char *f = argv[++i];
            for (int k = 0; k < N_FORMS; k++)
                do_form[k] = strstr(f, form_names[k]) != NULL;
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            threads = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--stride") && i + 1 < argc) {
            stride = strtoull(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--emit-tables")) {
            emit = 1;
        } else {
            fprintf(stderr, "usage: %s [--forms LIST (default: all)] [--threads N] [--stride K] [--emit-tables]\n",
                    argv[0]);
            return 2;
        }
    }
    if (threads < 1 || threads > 256 || stride < 1) {
        fprintf(stderr, "--threads takes 1 to 256, --stride a positive number\n");
        return 2;
    }
    for (int isa = 0; isa < GELU_N_ISAS; isa++)
        if (gelu_isa_supported(isa))
            isas[n_isas++] = isa;
    uint64_t inputs = (0x100000000ull + stride - 1) / stride;
    n_chunks = (inputs + CHUNK - 1) / CHUNK;
    int failed = 0;
    for (int form = 0; form < N_FORMS; form++) {
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
               (unsigned long long)checked, (unsigned long long)stride, (unsigned long long)oracle_calls, now() - t0);
        for (int type = 0; type < 2; type++)
            for (int k = 0; k < n_isas; k++) {
                printf("  f32_to_%-4s %-6s %llu misrounded\n", type_names[type], isa_names[isas[k]],
                       (unsigned long long)mismatches[type][k]);
                failed |= mismatches[type][k] != 0;
            }
        fflush(stdout);
    }
    printf("%s\n", failed ? "FAILED" : "every result correctly rounded");
    fflush(stdout);
    if (emit && emit_tables() != 0)
        return 1;
    return failed;
}
