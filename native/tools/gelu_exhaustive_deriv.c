/*
 * The exhaustive checker of the backward kernels: GELU'(x) for every float bit pattern, each
 * form, each ISA variant that runs here, bit for bit against the correctly rounded value; and
 * every ISA must return the same bits as scalar. The kernels run with dy = 1, so dx is GELU'(x)
 * itself (fl(1 * d) = d, also for -0 and NaN).
 *
 * The reference is long double (glibc erfcl, expl: a 64-bit significand), trusted when
 * r -+ bound round to the same float, with bound = 2^-48 (|t1| + |t2|) for D = t1 + t2: the
 * terms' own error is a few 2^-64 relative (exp's argument, at most ~1200 here, costs 11 bits),
 * and the bound follows the cancellation near the zero crossings. Every other input is
 * decided by the MPFR oracle (gelu_oracle_deriv.c), which proves its own rounding.
 *
 * Usage: gelu_exhaustive_deriv [--forms LIST (default: all)] [--threads N] [--stride K] [--emit-tables]
 *   --emit-tables  write native/src/gelu_backward_hard_cases.h and the Java BackwardHardCaseTable
 *                  (run from the repository root):
 *                  the current table plus every input the scalar kernel still misrounds.
 * Exit status 0 when every ISA is correctly rounded everywhere and all ISAs agree, else 1.
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
#include "gelu_internal.h"
#include "gelu_backward_hard_cases.h"
#include "gelu_oracle_deriv.h"

#define CHUNK (1u << 16)
#define MAX_LIST 100000
#define N_FORMS GELU_N_FORMS

typedef void (*bwd_fn)(const float *x, const float *dy, float *dx, size_t n);

static const char *form_names[N_FORMS] = {GELU_FORMS(GELU_FORM_NAME)};
static const char *isa_names[GELU_N_ISAS] = GELU_ISA_NAMES;
#define GELU_ROW(f, F) {GELU_ISAS_EACH(GELU_ISAS_INIT, gelu_##f##_backward_f32, )},
static const bwd_fn kernels[N_FORMS][GELU_N_ISAS] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW

static int n_isas, isas[3];
static uint64_t stride = 1;
static int threads = 2, form_now;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t checked, n_oracle, mismatches[3], disagreements[3];
static uint32_t wrong[N_FORMS][MAX_LIST][2];
static size_t n_wrong[N_FORMS];
static char examples[3][5][160];
static int n_examples[3];
static _Atomic uint64_t next_chunk;
static uint64_t n_chunks;

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

/* GELU'(x) = t1 + t2 in long double, as in the oracle */
static long double ref_terms(int form, float x, long double *t2)
{
    long double xl = x;
    if (form == 0) {
        *t2 = xl * expl(-xl * xl / 2) * 0.398942280401432677939946059934381868L;
        return erfcl(-xl * 0.707106781186547524400844362104849039L) / 2;
    }
    const long double c = 1.59576912160573071175978423973752747L; /* 2 sqrt(2/pi) */
    long double v = form == 1 ? c * (xl + 0.044715L * xl * xl * xl) : 1.702L * xl;
    long double vp = form == 1 ? c * (1 + 3 * 0.044715L * xl * xl) : 1.702L;
    long double e = expl(-v), s = 1 / (1 + e), oms = e / (1 + e);
    *t2 = xl * s * oms * vp;
    return s;
}

static float reference(int form, float x, int *used)
{
    float limit = form == 2 ? 100.0f : 20.0f;
    *used = 0;
    if (isnan(x) || x == 0 || fabsf(x) >= limit)
        return gelu_oracle_deriv(form, x); /* the oracle's known values, no MPFR arithmetic */
    long double t2, t1 = ref_terms(form, x, &t2), r = t1 + t2;
    long double bound = (fabsl(t1) + fabsl(t2)) * 0x1p-48L;
    float lo = (float)(r - bound), hi = (float)(r + bound);
    if (bits(lo) == bits(hi))
        return lo;
    *used = 1;
    return gelu_oracle_deriv(form, x);
}

static void *worker(void *arg)
{
    (void)arg;
    int form = form_now;
    float *x = malloc(CHUNK * 4), *one = malloc(CHUNK * 4), *want = malloc(CHUNK * 4), *got[3];
    for (size_t k = 0; k < CHUNK; k++)
        one[k] = 1.0f;
    for (int i = 0; i < n_isas; i++)
        got[i] = malloc(CHUNK * 4);
    for (;;) {
        uint64_t c = atomic_fetch_add(&next_chunk, 1);
        if (c >= n_chunks)
            break;
        size_t n = 0;
        for (uint64_t u = c * CHUNK * stride; u < (c + 1) * CHUNK * stride && u <= 0xffffffffu; u += stride)
            x[n++] = from_bits((uint32_t)u);
        for (int i = 0; i < n_isas; i++)
            kernels[form][isas[i]](x, one, got[i], n);
        uint64_t used_here = 0;
        for (size_t k = 0; k < n; k++) {
            int used;
            want[k] = reference(form, x[k], &used);
            used_here += used;
        }
        pthread_mutex_lock(&lock);
        checked += n;
        n_oracle += used_here;
        for (int i = 0; i < n_isas; i++)
            for (size_t k = 0; k < n; k++) {
                int ok = isnan(want[k]) ? isnan(got[i][k]) : bits(want[k]) == bits(got[i][k]);
                if (!ok) {
                    mismatches[i]++;
                    if (i == 0 && n_wrong[form] < MAX_LIST) {
                        wrong[form][n_wrong[form]][0] = bits(x[k]);
                        wrong[form][n_wrong[form]][1] = bits(want[k]);
                        n_wrong[form]++;
                    }
                    if (n_examples[i] < 5)
                        snprintf(examples[i][n_examples[i]++], 160, "x=%a (0x%08x) ours=%a correct=%a", (double)x[k],
                                 bits(x[k]), (double)got[i][k], (double)want[k]);
                }
                if (i > 0 && bits(got[i][k]) != bits(got[0][k]))
                    disagreements[i]++;
            }
        pthread_mutex_unlock(&lock);
    }
    free(x), free(one), free(want);
    for (int i = 0; i < n_isas; i++)
        free(got[i]);
    mpfr_free_cache(); /* MPFR's per-thread constants would leak when this thread ends */
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
        int dup = 0;
        for (size_t j = 0; j < n_wrong[form]; j++)
            dup |= wrong[form][j][0] == table[k][0];
        if (!dup) {
            wrong[form][n_wrong[form]][0] = table[k][0];
            wrong[form][n_wrong[form]][1] = table[k][1];
            n_wrong[form]++;
        }
    }
}

static int emit_tables(void)
{
    add_current(0, gelu_erf_backward_hard_cases, GELU_ERF_BACKWARD_HARD_CASES);
    add_current(1, gelu_tanh_backward_hard_cases, GELU_TANH_BACKWARD_HARD_CASES);
    add_current(2, gelu_quick_backward_hard_cases, GELU_QUICK_BACKWARD_HARD_CASES);
    FILE *c = fopen("native/src/gelu_backward_hard_cases.h", "w");
    if (!c) {
        fprintf(stderr, "--emit-tables: run from the repository root\n");
        return 1;
    }
    fprintf(c, "/* Generated by native/tools/gelu_exhaustive_deriv --emit-tables: do not edit.\n"
               "   Inputs whose GELU'(x) the double evaluation misrounds, with the correctly rounded GELU'(x).\n"
               "   Sorted by input bits; the last row of each table is a sentinel that is never matched. */\n"
               "#ifndef GELU_BACKWARD_HARD_CASES_H\n#define GELU_BACKWARD_HARD_CASES_H\n#include <stdint.h>\n");
    for (int f = 0; f < N_FORMS; f++) {
        const char *up[] = {"ERF", "TANH", "QUICK"};
        qsort(wrong[f], n_wrong[f], sizeof wrong[f][0], cmp_pair);
        fprintf(c, "#define GELU_%s_BACKWARD_HARD_CASES %zu\n", up[f], n_wrong[f]);
        fprintf(c, "static const uint32_t gelu_%s_backward_hard_cases[][2] = {\n", form_names[f]);
        for (size_t k = 0; k < n_wrong[f]; k++)
            fprintf(c, "    {0x%08xu, 0x%08xu},\n", wrong[f][k][0], wrong[f][k][1]);
        fprintf(c, "    {0xffffffffu, 0xffffffffu},\n};\n");
    }
    fprintf(c, "#endif\n");
    fclose(c);
    FILE *j = fopen("java/src/main/java/dev/gelu/internal/BackwardHardCaseTable.java", "w");
    if (!j) {
        fprintf(stderr, "--emit-tables: run from the repository root\n");
        return 1;
    }
    fprintf(j,
            "// Generated by native/tools/gelu_exhaustive_deriv --emit-tables: do not edit.\n"
            "package dev.gelu.internal;\n\n"
            "/** Misrounded inputs of GELU'(x) (float bits, sorted as unsigned) and the correct results, per form. */\n"
            "final class BackwardHardCaseTable {\n    private BackwardHardCaseTable() {}\n");
    for (int col = 0; col < 2; col++) {
        fprintf(j, "\n    /** %s, indexed by form (0 erf, 1 tanh, 2 quick). */\n", col ? "GELU'(x) bits" : "x bits");
        fprintf(j, "    static final int[][] %s = {\n", col ? "Y" : "X");
        for (int f = 0; f < N_FORMS; f++) {
            fprintf(j, "        {");
            for (size_t k = 0; k < n_wrong[f]; k++)
                fprintf(j, "%s0x%08x", k ? ", " : "", wrong[f][k][col]);
            fprintf(j, "},\n");
        }
        fprintf(j, "    };\n");
    }
    fprintf(j, "}\n");
    fclose(j);
    printf("wrote %zu erf, %zu tanh and %zu quick hard cases\n", n_wrong[0], n_wrong[1], n_wrong[2]);
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
    int forms[N_FORMS], emit = 0;
    for (int k = 0; k < N_FORMS; k++)
        forms[k] = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--forms") && i + 1 < argc) {
            const char *f = argv[++i];
            for (int k = 0; k < N_FORMS; k++)
                forms[k] = strstr(f, form_names[k]) != NULL;
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
    if (stride < 1 || threads < 1 || threads > 64) {
        fprintf(stderr, "bad --stride or --threads\n");
        return 2;
    }
    for (int i = 0; i < GELU_N_ISAS; i++)
        if (gelu_isa_supported(i) && kernels[0][i])
            isas[n_isas++] = i;
    uint64_t total = (0x100000000ull + stride - 1) / stride;
    n_chunks = (total + CHUNK - 1) / CHUNK;
    printf("gelu_exhaustive_deriv: %llu inputs per form (stride %llu), %d threads, ISAs:", (unsigned long long)total,
           (unsigned long long)stride, threads);
    for (int i = 0; i < n_isas; i++)
        printf(" %s", isa_names[isas[i]]);
    printf("\n");
    fflush(stdout);
    int failed = 0;
    for (int form = 0; form < N_FORMS; form++) {
        if (!forms[form])
            continue;
        double t0 = now();
        form_now = form;
        checked = n_oracle = 0;
        memset(mismatches, 0, sizeof mismatches);
        memset(disagreements, 0, sizeof disagreements);
        memset(n_examples, 0, sizeof n_examples);
        atomic_store(&next_chunk, 0);
        pthread_t th[64];
        for (int t = 0; t < threads; t++)
            pthread_create(&th[t], NULL, worker, NULL);
        for (int t = 0; t < threads; t++)
            pthread_join(th[t], NULL);
        double secs = now() - t0;
        for (int i = 0; i < n_isas; i++) {
            printf("%-5s backward %-6s: %llu inputs, %llu not correctly rounded, %llu differ from scalar  (%.0f s)\n",
                   form_names[form], isa_names[isas[i]], (unsigned long long)checked, (unsigned long long)mismatches[i],
                   (unsigned long long)disagreements[i], secs);
            for (int e = 0; e < n_examples[i]; e++)
                printf("    %s\n", examples[i][e]);
            failed |= mismatches[i] != 0 || disagreements[i] != 0;
        }
        printf("%-5s backward: %llu inputs decided by MPFR\n", form_names[form], (unsigned long long)n_oracle);
        fflush(stdout);
    }
    if (emit && emit_tables())
        return 2;
    printf(failed ? "FAILED\n" : "OK: every input correctly rounded on every ISA, and every ISA agrees\n");
    return failed;
}
