/*
 * The exhaustive checker: every float bit pattern, every form, both accuracies, every ISA
 * that runs here. The correctly rounded kernels are compared bit for bit with the correctly
 * rounded value; a faithful kernel's result must be one of the two floats around the exact
 * value (gelu_reference_faithful), and the share that is not the correctly rounded one is
 * reported. In both accuracies every ISA must return the same bits as scalar.
 *
 * The reference is gelu_reference.c: long double, with MPFR deciding the inputs near a
 * rounding boundary.
 *
 * Usage: gelu_exhaustive [--forms LIST (default: all)] [--accuracy correct|faithful|both] [--threads N]
 *                        [--stride K] [--emit-tables] [--hard-cases FILE]
 *   --stride K       check every K-th bit pattern only (a sampled run for the test suite)
 *   --emit-tables    write native/src/gelu_hard_cases_table.h and the Java HardCaseTable: the
 *                    current table plus every input still misrounded (run from the repository
 *                    root). An entry is never wrong, only perhaps unneeded: to prune the table,
 *                    empty it, rebuild, and run again.
 *   --hard-cases F   write the inputs the MPFR oracle had to decide, with every form's results
 * Exit status: 0 when every ISA keeps its promise everywhere and all ISAs agree, else 1.
 */
#include <math.h>
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
#include "gelu_oracle.h"
#include "gelu_reference.h"
#include "gelu_hard_cases_table.h"

#define CHUNK (1u << 16)
#define MAX_LIST 100000

typedef int (*isa_fn)(int, const float *, float *, size_t);

#define N_FORMS GELU_N_FORMS
static const char *form_names[N_FORMS] = {GELU_FORMS(GELU_FORM_NAME)};
static const char *isa_names[] = GELU_ISA_NAMES;

static int n_isas, isas[3];
static uint64_t stride = 1;
static int threads = 2;

/* shared results, guarded by `lock` */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t checked;
static uint64_t mismatches[N_FORMS][3], disagreements[N_FORMS][3], not_cr[N_FORMS][3];
static uint32_t wrong[N_FORMS][MAX_LIST][2]; /* x bits, correct bits: misrounded by the fast path */
static size_t n_wrong[N_FORMS];
static uint32_t oracle_inputs[N_FORMS][MAX_LIST];
static size_t n_oracle[N_FORMS];
static char examples[N_FORMS][3][5][160];
static int n_examples[N_FORMS][3];
static _Atomic uint64_t next_chunk;
static uint64_t n_chunks;
static int form_now, faithful_now;

static uint32_t bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
static float from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static void *worker(void *arg)
{
    (void)arg;
    int form = form_now, faithful = faithful_now;
    float *x = malloc(CHUNK * 4), *want = malloc(CHUNK * 4), *got[3];
    for (int i = 0; i < n_isas; i++)
        got[i] = malloc(CHUNK * 4);
    for (;;) {
        uint64_t c = atomic_fetch_add(&next_chunk, 1);
        if (c >= n_chunks)
            break;
        size_t n = 0;
        for (uint64_t u = c * CHUNK * stride; u < (c + 1) * CHUNK * stride && u <= 0xffffffffu; u += stride)
            x[n++] = from_bits((uint32_t)u);
        for (int i = 0; i < n_isas; i++) {
#define GELU_FN(form, FORM) gelu_##form##_f32_isa,
            static const isa_fn cr[N_FORMS] = {GELU_FORMS(GELU_FN)};
#undef GELU_FN
#define GELU_FN(form, FORM) gelu_##form##_f32_faithful_isa,
            static const isa_fn fa[N_FORMS] = {GELU_FORMS(GELU_FN)};
#undef GELU_FN
            isa_fn fn = faithful ? fa[form] : cr[form];
            if (fn(isas[i], x, got[i], n) != GELU_OK)
                abort();
        }
        uint32_t local_oracle[256];
        size_t n_local_oracle = 0;
        for (size_t k = 0; k < n; k++) {
            int used;
            want[k] = gelu_reference(form, x[k], &used);
            if (used && !faithful && n_local_oracle < 256)
                local_oracle[n_local_oracle++] = bits(x[k]);
        }
        pthread_mutex_lock(&lock);
        checked += n;
        for (size_t j = 0; j < n_local_oracle && n_oracle[form] < MAX_LIST; j++)
            oracle_inputs[form][n_oracle[form]++] = local_oracle[j];
        for (int i = 0; i < n_isas; i++) {
            for (size_t k = 0; k < n; k++) {
                int exact = isnan(want[k]) ? isnan(got[i][k]) : bits(want[k]) == bits(got[i][k]);
                int ok = exact || (faithful && gelu_reference_faithful(form, x[k], want[k], got[i][k]));
                not_cr[form][i] += !exact;
                if (!ok) {
                    mismatches[form][i]++;
                    if (i == 0 && !faithful && n_wrong[form] < MAX_LIST) {
                        wrong[form][n_wrong[form]][0] = bits(x[k]);
                        wrong[form][n_wrong[form]][1] = bits(want[k]);
                        n_wrong[form]++;
                    }
                    if (n_examples[form][i] < 5)
                        snprintf(examples[form][i][n_examples[form][i]++], 160, "x=%a (0x%08x) ours=%a correct=%a",
                                 x[k], bits(x[k]), got[i][k], want[k]);
                }
                if (i > 0 && bits(got[i][k]) != bits(got[0][k]))
                    disagreements[form][i]++;
            }
        }
        pthread_mutex_unlock(&lock);
    }
    free(x);
    free(want);
    for (int i = 0; i < n_isas; i++)
        free(got[i]);
    /* MPFR caches its constants per thread; they would leak when this thread ends. */
    mpfr_free_cache();
    return NULL;
}

static int cmp_pair(const void *a, const void *b)
{
    uint32_t x = ((const uint32_t *)a)[0], y = ((const uint32_t *)b)[0];
    return (x > y) - (x < y);
}

static void add_current(int form, const uint32_t (*table)[2], size_t count)
{
    for (size_t k = 0; k < count && n_wrong[form] < MAX_LIST; k++) {
        wrong[form][n_wrong[form]][0] = table[k][0];
        wrong[form][n_wrong[form]][1] = table[k][1];
        n_wrong[form]++;
    }
}

static int emit_tables(void)
{
    add_current(0, gelu_erf_hard_cases, GELU_ERF_HARD_CASES);
    add_current(1, gelu_tanh_hard_cases, GELU_TANH_HARD_CASES);
    add_current(2, gelu_quick_hard_cases, GELU_QUICK_HARD_CASES);
    for (int f = 0; f < N_FORMS; f++)
        qsort(wrong[f], n_wrong[f], sizeof wrong[f][0], cmp_pair);
    FILE *c = fopen("native/src/gelu_hard_cases_table.h", "w");
    FILE *j = fopen("java/src/main/java/dev/gelu/internal/HardCaseTable.java", "w");
    if (!c || !j) {
        fprintf(stderr, "--emit-tables: run from the repository root\n");
        return 1;
    }
    fprintf(c, "/* Generated by native/tools/gelu_exhaustive --emit-tables: do not edit.\n"
               "   Inputs whose fast-path result is not the correctly rounded one, with the right result.\n"
               "   Sorted by input bits; the last row of each table is a sentinel that is never matched. */\n"
               "#ifndef GELU_HARD_CASES_TABLE_H\n#define GELU_HARD_CASES_TABLE_H\n");
    fprintf(j, "// Generated by native/tools/gelu_exhaustive --emit-tables: do not edit.\n"
               "package dev.gelu.internal;\n\n"
               "/** Misrounded fast-path inputs (float bits, sorted as unsigned) and their correct results. */\n"
               "final class HardCaseTable {\n    private HardCaseTable() {}\n");
    for (int f = 0; f < N_FORMS; f++) {
        static const char *upper[N_FORMS] = {GELU_FORMS(GELU_FORM_UPPER)};
        const char *up = upper[f];
        fprintf(c, "#define GELU_%s_HARD_CASES %zu\n", up, n_wrong[f]);
        fprintf(c, "static const uint32_t gelu_%s_hard_cases[][2] = {\n", form_names[f]);
        for (size_t k = 0; k < n_wrong[f]; k++)
            fprintf(c, "    {0x%08xu, 0x%08xu},\n", wrong[f][k][0], wrong[f][k][1]);
        fprintf(c, "    {0xffffffffu, 0xffffffffu},\n};\n");
        for (int col = 0; col < 2; col++) {
            fprintf(j, "\n    static final int[] %s_%s = {", up, col ? "Y" : "X");
            for (size_t k = 0; k < n_wrong[f]; k++)
                fprintf(j, "%s0x%08x,", k % 6 ? " " : "\n        ", wrong[f][k][col]);
            fprintf(j, "%s};\n", n_wrong[f] ? "\n    " : "");
        }
    }
    fprintf(c, "#endif\n");
    fprintf(j, "}\n");
    fclose(c);
    fclose(j);
    printf("wrote %zu erf, %zu tanh and %zu quick hard cases to the C and Java tables\n", n_wrong[0], n_wrong[1],
           n_wrong[2]);
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    int forms[N_FORMS], accuracies[2] = {1, 0}, emit = 0;
    for (int k = 0; k < N_FORMS; k++)
        forms[k] = 1;
    const char *hard_file = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--forms") && i + 1 < argc) {
            const char *f = argv[++i];
            for (int k = 0; k < N_FORMS; k++)
                forms[k] = strstr(f, form_names[k]) != NULL;
        } else if (!strcmp(argv[i], "--accuracy") && i + 1 < argc) {
            const char *a = argv[++i];
            accuracies[0] = !strcmp(a, "correct") || !strcmp(a, "both");
            accuracies[1] = !strcmp(a, "faithful") || !strcmp(a, "both");
            if (!accuracies[0] && !accuracies[1]) {
                fprintf(stderr, "--accuracy takes correct, faithful or both\n");
                return 2;
            }
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            threads = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--stride") && i + 1 < argc) {
            stride = strtoull(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--emit-tables")) {
            emit = 1;
        } else if (!strcmp(argv[i], "--hard-cases") && i + 1 < argc) {
            hard_file = argv[++i];
        } else {
            fprintf(stderr,
                    "usage: %s [--forms LIST (default: all)] [--accuracy correct|faithful|both] [--threads N] "
                    "[--stride K] [--emit-tables] [--hard-cases FILE]\n",
                    argv[0]);
            return 2;
        }
    }
    if (stride < 1 || threads < 1 || threads > 64) {
        fprintf(stderr, "bad --stride or --threads\n");
        return 2;
    }
    for (int i = 0; i < GELU_N_ISAS; i++)
        if (gelu_isa_supported(i))
            isas[n_isas++] = i;
    uint64_t total = (0x100000000ull + stride - 1) / stride;
    n_chunks = (total + CHUNK - 1) / CHUNK;
    printf("gelu_exhaustive: %llu inputs per form (stride %llu), %d threads, ISAs:", (unsigned long long)total,
           (unsigned long long)stride, threads);
    for (int i = 0; i < n_isas; i++)
        printf(" %s", isa_names[isas[i]]);
    printf("\n");
    int failed = 0;
    for (int acc = 0; acc < 2; acc++)
        for (int form = 0; form < N_FORMS; form++) {
            if (!forms[form] || !accuracies[acc])
                continue;
            double t0 = now();
            form_now = form;
            faithful_now = acc;
            checked = 0;
            memset(mismatches, 0, sizeof mismatches);
            memset(disagreements, 0, sizeof disagreements);
            memset(not_cr, 0, sizeof not_cr);
            memset(n_examples, 0, sizeof n_examples);
            atomic_store(&next_chunk, 0);
            pthread_t th[64];
            for (int t = 0; t < threads; t++)
                pthread_create(&th[t], NULL, worker, NULL);
            for (int t = 0; t < threads; t++)
                pthread_join(th[t], NULL);
            double secs = now() - t0;
            for (int i = 0; i < n_isas; i++) {
                if (acc)
                    printf("%-4s faithful %-6s: %llu inputs, %llu outside the bracket, %llu not correctly rounded "
                           "(%.4f %%), %llu differ from scalar  (%.0f s)\n",
                           form_names[form], isa_names[isas[i]], (unsigned long long)checked,
                           (unsigned long long)mismatches[form][i], (unsigned long long)not_cr[form][i],
                           100.0 * (double)not_cr[form][i] / (double)checked,
                           (unsigned long long)disagreements[form][i], secs);
                else
                    printf("%-4s %-6s: %llu inputs, %llu not correctly rounded, %llu differ from scalar  (%.0f s)\n",
                           form_names[form], isa_names[isas[i]], (unsigned long long)checked,
                           (unsigned long long)mismatches[form][i], (unsigned long long)disagreements[form][i], secs);
                for (int e = 0; e < n_examples[form][i]; e++)
                    printf("    %s\n", examples[form][i][e]);
                failed |= mismatches[form][i] != 0 || disagreements[form][i] != 0;
            }
            if (!acc)
                printf("%-4s: %zu inputs decided by MPFR (listed up to %d)\n", form_names[form], n_oracle[form],
                       MAX_LIST);
            fflush(stdout);
        }
    if (hard_file) {
        FILE *h = fopen(hard_file, "w");
        if (!h)
            return 2;
        fprintf(h, "# x");
        for (int f = 0; f < N_FORMS; f++)
            fprintf(h, " %s", form_names[f]);
        fprintf(
            h,
            " (float bits, hex): the inputs closest to a rounding boundary in\n"
            "# some form, decided by MPFR in the exhaustive run. Made by native/tools/gelu_exhaustive --hard-cases\n");
        for (int f = 0; f < N_FORMS; f++)
            for (size_t k = 0; k < n_oracle[f]; k++) {
                float x = from_bits(oracle_inputs[f][k]);
                fprintf(h, "%08x", oracle_inputs[f][k]);
                for (int g = 0; g < N_FORMS; g++)
                    fprintf(h, " %08x", bits(gelu_oracle(g, x)));
                fprintf(h, "\n");
            }
        fclose(h);
    }
    if (emit && emit_tables())
        return 2;
    printf(failed ? "FAILED\n" : "OK: every input keeps its promise on every ISA, and every ISA agrees\n");
    return failed;
}
