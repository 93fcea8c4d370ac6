/*
 * How accurate are other GELU implementations? Every anchor of gelu_anchors.c against the
 * correctly rounded value of its form (gelu_reference.c), on every float or a sample of them.
 *
 * Usage: gelu_anchor_accuracy [--stride K] [--threads N] [--range LO HI]
 *        gelu_anchor_accuracy --half
 *   --stride K     every K-th input only, in order of value; take K odd, as a power of two
 *                  samples only floats whose last significand bits are 0
 *   --threads N    worker threads (default: one per online CPU)
 *   --range LO HI  only the floats x with LO <= x <= HI (both zeros when 0 is inside; no NaNs)
 * Without --range every bit pattern is an input, NaNs and infinities included: a NaN input is
 * right when the output is any NaN, and GELU(-inf) = -0, GELU(+inf) = +inf. The reference costs
 * up to ~100 ns per input and form, so the full run takes minutes; progress goes to stderr.
 *
 * Per anchor it prints the share correctly rounded (same bits, so a zero of the wrong sign is
 * wrong; any NaN for NaN), the largest error in ulps (the count of floats between output and
 * correct value, -0 and +0 being one point, so a 0 for a nonzero value counts its full
 * distance) and where it is, the same over nonzero outputs only, the share correctly rounded
 * on [-10, 10], and how often a nonzero value came out as zero; then a Markdown table.
 *
 * --half: 16-bit storage instead, every one of the 65,536 bf16 and the 65,536 f16 bit patterns
 * against GELU rounded once to that format (gelu_oracle_half), for the 16-bit anchors
 * (oneDNN's bf16 eltwise), for our correctly rounded float32 result rounded to the format (to
 * nearest even: the double rounding a float32 library gives), and for ours (gelu_<form>_bf16
 * and _f16, every ISA that runs here). NaN inputs are left out of the count and reported on
 * their own (how many came out NaN); +-inf are counted. A few wrong inputs of each row go
 * to the details. Takes seconds.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gelu.h"
#include "gelu_anchors.h"
#include "gelu_half_convert.h"
#include "gelu_oracle.h"
#include "gelu_reference.h"

#define CHUNK 65536
#define MAX_THREADS 64

static const char *form_names[] = {"erf", "tanh"};

/* What one anchor did on the inputs one thread saw; merged after the threads end. */
struct tally {
    uint64_t inputs, correct, inputs10, correct10;
    uint64_t zero_for_value; /* output ±0, correct value nonzero */
    uint64_t zero_sign;      /* output ±0, correct value the other zero */
    uint64_t nan_for_number; /* output NaN, correct value not NaN */
    uint64_t max_ulp;
    uint32_t max_key;    /* key of the input with the largest error; ties: the lowest */
    uint64_t max_ulp_nz; /* the same over nonzero outputs, which a flush to 0 would hide */
    uint32_t max_key_nz;
};

static int n_anchors;
static int form_used[2];
static uint32_t first_key;
static uint64_t stride = 1, n_inputs, n_chunks;
static _Atomic uint64_t next_chunk, chunks_done;

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

/* Floats in order of value as unsigned keys: negative NaNs, -inf, ..., -0, +0, ..., +inf,
   positive NaNs. Every bit pattern has one key, so a range of keys is a range of values. */
static uint32_t key_of(float f)
{
    uint32_t u = bits(f);
    return u >> 31 ? ~u : u | 0x80000000u;
}

static float float_of_key(uint32_t k) { return from_bits(k >> 31 ? k & 0x7fffffffu : ~k); }

/* Position on the number line in floats, with -0 and +0 at the same point. */
static int64_t ordinal(float f)
{
    uint32_t u = bits(f);
    return u >> 31 ? -(int64_t)(u & 0x7fffffffu) : (int64_t)u;
}

static float correct(int form, float x)
{
    int used_oracle;
    return gelu_reference(form, x, &used_oracle);
}

/* Ties go to the lowest key, so the answer does not depend on which thread saw what. */
static void keep_max(uint64_t *max_ulp, uint32_t *max_key, uint64_t ulp, uint32_t key)
{
    if (ulp > *max_ulp || (ulp == *max_ulp && ulp > 0 && key < *max_key)) {
        *max_ulp = ulp;
        *max_key = key;
    }
}

static void count(struct tally *t, const float *x, const float *want, const float *got, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        int ok = isnan(want[k]) ? isnan(got[k]) : bits(got[k]) == bits(want[k]);
        int in10 = fabsf(x[k]) <= 10.0f;
        t->inputs++;
        t->correct += ok;
        t->inputs10 += in10;
        t->correct10 += ok && in10;
        if (ok || isnan(want[k]))
            continue;
        if (isnan(got[k])) {
            t->nan_for_number++;
            continue;
        }
        if (got[k] == 0.0f && want[k] == 0.0f)
            t->zero_sign++;
        else if (got[k] == 0.0f)
            t->zero_for_value++;
        int64_t d = ordinal(got[k]) - ordinal(want[k]);
        uint64_t ulp = (uint64_t)(d < 0 ? -d : d);
        uint32_t key = key_of(x[k]);
        keep_max(&t->max_ulp, &t->max_key, ulp, key);
        if (got[k] != 0.0f)
            keep_max(&t->max_ulp_nz, &t->max_key_nz, ulp, key);
    }
}

static void report_progress(void)
{
    uint64_t done = atomic_fetch_add(&chunks_done, 1) + 1, step = n_chunks / 20;
    if (step && done % step == 0)
        fprintf(stderr, "gelu_anchor_accuracy: %3.0f%%\n", 100.0 * done / n_chunks);
}

/* Takes chunks of inputs until none are left; arg is this thread's tally per anchor. */
static void *worker(void *arg)
{
    struct tally *tallies = arg;
    float *x = malloc(CHUNK * sizeof *x), *got = malloc(CHUNK * sizeof *got);
    float *want[2] = {malloc(CHUNK * sizeof(float)), malloc(CHUNK * sizeof(float))};
    if (!x || !got || !want[0] || !want[1])
        abort();
    for (uint64_t c; (c = atomic_fetch_add(&next_chunk, 1)) < n_chunks;) {
        uint64_t start = c * CHUNK, end = start + CHUNK < n_inputs ? start + CHUNK : n_inputs;
        size_t n = 0;
        for (uint64_t i = start; i < end; i++)
            x[n++] = float_of_key(first_key + (uint32_t)(i * stride));
        for (int form = 0; form < 2; form++)
            if (form_used[form])
                for (size_t k = 0; k < n; k++)
                    want[form][k] = correct(form, x[k]);
        for (int a = 0; a < n_anchors; a++) {
            gelu_anchor_run(a, x, got, n);
            count(&tallies[a], x, want[gelu_anchor_form(a)], got, n);
        }
        report_progress();
    }
    free(x);
    free(got);
    free(want[0]);
    free(want[1]);
    return NULL;
}

static void merge(struct tally *into, const struct tally *t)
{
    into->inputs += t->inputs;
    into->correct += t->correct;
    into->inputs10 += t->inputs10;
    into->correct10 += t->correct10;
    into->zero_for_value += t->zero_for_value;
    into->zero_sign += t->zero_sign;
    into->nan_for_number += t->nan_for_number;
    keep_max(&into->max_ulp, &into->max_key, t->max_ulp, t->max_key);
    keep_max(&into->max_ulp_nz, &into->max_key_nz, t->max_ulp_nz, t->max_key_nz);
}

static double percent(uint64_t part, uint64_t whole) { return whole ? 100.0 * part / whole : 0.0; }

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* What the anchor makes of -inf, +inf and NaN, whatever the stride: "nan, inf, nan". */
static void special_values(int a, char *out, size_t size)
{
    const float x[3] = {-INFINITY, INFINITY, NAN};
    float y[3];
    gelu_anchor_run(a, x, y, 3);
    snprintf(out, size, "%g, %g, %g", y[0], y[1], y[2]);
}

static void print_max(const char *what, uint64_t ulp, uint32_t key)
{
    printf("  %-24s%llu ulp", what, (unsigned long long)ulp);
    if (ulp)
        printf(" at x = %.9g (%a)", float_of_key(key), float_of_key(key));
    printf("\n");
}

static void print_anchor(int a, const struct tally *t)
{
    char specials[64];
    special_values(a, specials, sizeof specials);
    printf("%s (%s form)\n", gelu_anchor_name(a), form_names[gelu_anchor_form(a)]);
    printf("  inputs checked          %llu\n", (unsigned long long)t->inputs);
    printf("  correctly rounded       %.2f %%\n", percent(t->correct, t->inputs));
    print_max("max error", t->max_ulp, t->max_key);
    print_max("max error, output != 0", t->max_ulp_nz, t->max_key_nz);
    printf("  correctly rounded, |x| <= 10: %.2f %% of %llu\n", percent(t->correct10, t->inputs10),
           (unsigned long long)t->inputs10);
    printf("  0 for a nonzero value   %llu\n", (unsigned long long)t->zero_for_value);
    printf("  zero of the wrong sign  %llu\n", (unsigned long long)t->zero_sign);
    printf("  NaN for a non-NaN value %llu\n", (unsigned long long)t->nan_for_number);
    printf("  f(-inf), f(+inf), f(NaN) = %s (correct: -0, inf, nan)\n", specials);
}

static void print_table(const struct tally *totals)
{
    printf("\n| anchor | form | inputs | correctly rounded %% | max ulp | at x | 0 instead of a value "
           "| correctly rounded %% on [-10, 10] | f(-inf), f(+inf), f(NaN) |\n");
    printf("|---|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (int a = 0; a < n_anchors; a++) {
        const struct tally *t = &totals[a];
        char at[32] = "-", specials[64];
        if (t->max_ulp)
            snprintf(at, sizeof at, "%.9g", float_of_key(t->max_key));
        special_values(a, specials, sizeof specials);
        printf("| %s | %s | %llu | %.2f | %llu | %s | %llu | %.2f | %s |\n", gelu_anchor_name(a),
               form_names[gelu_anchor_form(a)], (unsigned long long)t->inputs, percent(t->correct, t->inputs),
               (unsigned long long)t->max_ulp, at, (unsigned long long)t->zero_for_value,
               percent(t->correct10, t->inputs10), specials);
    }
}

/* ---- --half: the 16-bit formats ---- */

#define N16 65536
static const char *type_names[] = {"bf16", "f16"};
static const char *isa_names[] = {"scalar", "avx2", "avx512"};

static float widen16(int type, uint16_t h) { return type ? half_f16_to_f32(h) : half_bf16_to_f32(h); }
static uint16_t narrow16(int type, float f) { return type ? half_f32_to_f16(f) : half_f32_to_bf16(f); }
static int is_nan16(int type, uint16_t h) { return (h & 0x7FFF) > (type ? 0x7C00 : 0x7F80); }

/* Position on the number line in steps of the format, -0 and +0 the same point: both formats
   are sign and magnitude, with magnitudes in order of value. */
static int32_t ordinal16(uint16_t h) { return h >> 15 ? -(int32_t)(h & 0x7FFF) : (int32_t)h; }

struct tally16 {
    unsigned inputs, wrong, far, nan_for_number, zero_for_value, nan_inputs, nan_kept;
    unsigned max_ulp;
    uint16_t max_x;
    uint16_t examples[3];
    uint16_t minus_inf, plus_inf; /* the outputs for -inf and +inf */
};

static void count16(struct tally16 *t, int type, const uint16_t *want, const uint16_t *got)
{
    t->minus_inf = got[type ? 0xFC00 : 0xFF80];
    t->plus_inf = got[type ? 0x7C00 : 0x7F80];
    for (uint32_t i = 0; i < N16; i++) {
        if (is_nan16(type, (uint16_t)i)) {
            t->nan_inputs++;
            t->nan_kept += is_nan16(type, got[i]);
            continue;
        }
        t->inputs++;
        if (got[i] == want[i])
            continue;
        if (t->wrong < 3)
            t->examples[t->wrong] = (uint16_t)i;
        t->wrong++;
        if (is_nan16(type, got[i])) {
            t->nan_for_number++;
            continue;
        }
        t->zero_for_value += (got[i] & 0x7FFF) == 0 && (want[i] & 0x7FFF) != 0;
        int32_t d = ordinal16(got[i]) - ordinal16(want[i]);
        unsigned ulp = (unsigned)(d < 0 ? -d : d);
        t->far += ulp > 1;
        if (ulp > t->max_ulp) /* ties: the first in bit order */
            t->max_ulp = ulp, t->max_x = (uint16_t)i;
    }
}

typedef int (*h16_fn)(int, const uint16_t *, uint16_t *, size_t);
typedef int (*f32_fn)(const float *, float *, size_t);

/* What gelu_<form>_f32 gives, rounded to the format: the float32 path of a 16-bit model. */
static void f32_then_round(int form, int type, const uint16_t *x, uint16_t *y)
{
    static const f32_fn f32[2] = {gelu_erf_f32, gelu_tanh_f32};
    static float xf[N16], yf[N16];
    for (uint32_t i = 0; i < N16; i++)
        xf[i] = widen16(type, x[i]);
    f32[form](xf, yf, N16);
    for (uint32_t i = 0; i < N16; i++)
        y[i] = narrow16(type, yf[i]);
}

static void print_row16(const char *name, int form, int type, const struct tally16 *t, int table)
{
    char max[64] = "0 ulp";
    if (t->max_ulp)
        snprintf(max, sizeof max, "%u ulp at x = %.6g", t->max_ulp, widen16(type, t->max_x));
    char specials[32];
    snprintf(specials, sizeof specials, "%g, %g", widen16(type, t->minus_inf), widen16(type, t->plus_inf));
    if (table) {
        printf("| %s | %s | %s | %u | %u | %u | %u | %s | %u | %s | %u of %u |\n", name, form_names[form],
               type_names[type], t->inputs, t->wrong, t->far, t->nan_for_number, max, t->zero_for_value, specials,
               t->nan_kept, t->nan_inputs);
        return;
    }
    printf("%s (%s form, %s)\n", name, form_names[form], type_names[type]);
    printf("  inputs checked          %u (NaN inputs left out: %u, of which %u gave NaN)\n", t->inputs, t->nan_inputs,
           t->nan_kept);
    printf("  not correctly rounded   %u (more than 1 ulp off: %u, NaN for a number: %u)\n", t->wrong, t->far,
           t->nan_for_number);
    printf("  max error               %s\n", max);
    printf("  0 for a nonzero value   %u\n", t->zero_for_value);
    printf("  f(-inf), f(+inf)        %s (correct: -0, inf)\n", specials);
    for (unsigned k = 0; k < t->wrong && k < 3; k++)
        printf("  e.g. x = %a (0x%04x)\n", (double)widen16(type, t->examples[k]), t->examples[k]);
}

#define MAX_ROWS16 32

static int run_half(void)
{
    static const h16_fn ours[2][2] = {{gelu_erf_bf16_isa, gelu_erf_f16_isa}, {gelu_tanh_bf16_isa, gelu_tanh_f16_isa}};
    static uint16_t x[N16], want[N16], got[N16];
    static struct tally16 tallies[MAX_ROWS16];
    static char names[MAX_ROWS16][64];
    static int forms[MAX_ROWS16], types[MAX_ROWS16];
    int rows = 0, n16 = gelu_anchor16_count();
    double t0 = now();
    for (uint32_t i = 0; i < N16; i++)
        x[i] = (uint16_t)i;
    printf("gelu_anchor_accuracy --half: every bf16 and every f16 bit pattern, 65536 each\n\n");
    for (int type = 0; type < 2; type++)
        for (int form = 0; form < 2; form++) {
            for (uint32_t i = 0; i < N16; i++)
                want[i] = is_nan16(type, x[i]) ? 0 : gelu_oracle_half(form, type, widen16(type, x[i]));
            for (int a = 0; a < n16; a++) {
                if (gelu_anchor16_form(a) != form || gelu_anchor16_type(a) != type)
                    continue;
                gelu_anchor16_run(a, x, got, N16);
                snprintf(names[rows], sizeof names[rows], "%s", gelu_anchor16_name(a));
                count16(&tallies[rows], type, want, got);
                forms[rows] = form, types[rows++] = type;
            }
            f32_then_round(form, type, x, got);
            snprintf(names[rows], sizeof names[rows], "gelu-ffm float32, rounded to %s", type_names[type]);
            count16(&tallies[rows], type, want, got);
            forms[rows] = form, types[rows++] = type;
            for (int isa = 0; isa < 3; isa++) {
                if (!gelu_isa_supported(isa))
                    continue;
                if (ours[form][type](isa, x, got, N16) != GELU_OK)
                    return 1;
                snprintf(names[rows], sizeof names[rows], "gelu-ffm %s, %s", type_names[type], isa_names[isa]);
                count16(&tallies[rows], type, want, got);
                forms[rows] = form, types[rows++] = type;
            }
        }
    for (int r = 0; r < rows; r++)
        print_row16(names[r], forms[r], types[r], &tallies[r], 0);
    printf("\n| implementation | form | format | inputs (no NaN) | not correctly rounded | more than 1 ulp "
           "off | NaN for a number | max error | 0 for a nonzero value | f(-inf), f(+inf) | NaN inputs "
           "giving NaN |\n");
    printf("|---|---|---|---:|---:|---:|---:|---|---:|---|---:|\n");
    for (int r = 0; r < rows; r++)
        print_row16(names[r], forms[r], types[r], &tallies[r], 1);
    printf("\n(every 16-bit pattern; %.0f s)\n", now() - t0);
    return 0;
}

static int parse_float(const char *s, float *f)
{
    char *end;
    *f = strtof(s, &end);
    return end != s && *end == '\0';
}

static int usage(const char *prog)
{
    fprintf(stderr, "usage: %s [--stride K] [--threads N] [--range LO HI] | --half\n", prog);
    return 2;
}

int main(int argc, char **argv)
{
    long threads = sysconf(_SC_NPROCESSORS_ONLN);
    uint32_t last_key = UINT32_MAX;
    const char *what = "every float bit pattern";
    char range_text[96];
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    if (argc == 2 && !strcmp(argv[1], "--half"))
        return run_half();
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--stride") && i + 1 < argc) {
            stride = strtoull(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            threads = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--range") && i + 2 < argc) {
            float lo, hi;
            if (!parse_float(argv[i + 1], &lo) || !parse_float(argv[i + 2], &hi) || !(lo <= hi))
                return usage(argv[0]);
            i += 2;
            /* Both zeros belong to any range that contains 0. */
            first_key = key_of(lo == 0.0f ? -0.0f : lo);
            last_key = key_of(hi == 0.0f ? 0.0f : hi);
            snprintf(range_text, sizeof range_text, "every float in [%g, %g]", lo, hi);
            what = range_text;
        } else {
            return usage(argv[0]);
        }
    }
    if (stride < 1 || stride > UINT32_MAX || threads < 1 || threads > MAX_THREADS)
        return usage(argv[0]);

    n_anchors = gelu_anchor_count();
    for (int a = 0; a < n_anchors; a++)
        form_used[gelu_anchor_form(a)] = 1;
    n_inputs = ((uint64_t)last_key - first_key) / stride + 1;
    n_chunks = (n_inputs + CHUNK - 1) / CHUNK;
    printf("gelu_anchor_accuracy: %s", what);
    if (stride > 1)
        printf(", 1 in %llu", (unsigned long long)stride);
    printf(": %llu inputs per anchor, %d anchors, %ld threads\n\n", (unsigned long long)n_inputs, n_anchors, threads);
    fflush(stdout);

    double t0 = now();
    /* Thread t's tally of anchor a is tallies[t * n_anchors + a]. */
    struct tally *tallies = calloc((size_t)threads * n_anchors, sizeof *tallies);
    struct tally *totals = calloc((size_t)n_anchors, sizeof *totals);
    pthread_t th[MAX_THREADS];
    if (!tallies || !totals)
        return 1;
    for (long t = 0; t < threads; t++)
        if (pthread_create(&th[t], NULL, worker, &tallies[t * n_anchors]))
            return 1;
    for (long t = 0; t < threads; t++)
        pthread_join(th[t], NULL);
    for (long t = 0; t < threads; t++)
        for (int a = 0; a < n_anchors; a++)
            merge(&totals[a], &tallies[t * n_anchors + a]);

    for (int a = 0; a < n_anchors; a++)
        print_anchor(a, &totals[a]);
    print_table(totals);
    printf("\n(%s%s; %.0f s)\n", what, stride > 1 ? ", sampled" : "", now() - t0);
    free(tallies);
    free(totals);
    return 0;
}
