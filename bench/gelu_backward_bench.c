/*
 * One-thread speed of the backward kernels (dx = dy * GELU'(x)) next to oneDNN's backward
 * eltwise gelu_erf / gelu_tanh (f32, diff_src from src and diff_dst), at n = 65536 and 2^24.
 * Implementations run round-robin, so drift hits all alike; each reports its median in
 * Gelem/s. x uniform in [-6, 6], dy uniform in [-1, 1]. Run by hand: gelu_backward_bench [reps].
 * Our kernels are called directly (linked from the library's objects); the public entry points
 * add only the argument checks and the MXCSR guard.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gelu.h"
#include "gelu_internal.h"
#ifdef GELU_HAVE_DNNL
#include <dnnl.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#endif

typedef void (*bwd_fn)(const float *, const float *, float *, size_t);

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#ifdef GELU_HAVE_DNNL
static void check(dnnl_status_t s)
{
    if (s != dnnl_success) {
        fprintf(stderr, "oneDNN call failed (%d)\n", (int)s);
        exit(1);
    }
}

struct dnnl_bwd {
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    dnnl_primitive_t prim;
    dnnl_memory_t src, ddst, dsrc;
};

/* oneDNN 2.x API: backward needs the forward primitive descriptor as a hint. */
static void dnnl_bwd_setup(struct dnnl_bwd *s, dnnl_alg_kind_t alg, const float *x, const float *dy, float *dx, size_t n)
{
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
    dnnl_dims_t dims = {(dnnl_dim_t)n};
    dnnl_memory_desc_t md;
    dnnl_eltwise_desc_t fd, bd;
    dnnl_primitive_desc_t fpd, bpd;
    const char *info = "?";
    check(dnnl_engine_create(&s->engine, dnnl_cpu, 0));
    check(dnnl_stream_create(&s->stream, s->engine, dnnl_stream_default_flags));
    check(dnnl_memory_desc_init_by_tag(&md, 1, dims, dnnl_f32, dnnl_a));
    check(dnnl_eltwise_forward_desc_init(&fd, dnnl_forward_training, alg, &md, 0.0f, 0.0f));
    check(dnnl_primitive_desc_create(&fpd, &fd, NULL, s->engine, NULL));
    check(dnnl_eltwise_backward_desc_init(&bd, alg, &md, &md, 0.0f, 0.0f));
    check(dnnl_primitive_desc_create(&bpd, &bd, NULL, s->engine, fpd));
    check(dnnl_primitive_desc_query(bpd, dnnl_query_impl_info_str, 0, &info));
    static int shown[2];
    if (!shown[alg == dnnl_eltwise_gelu_tanh]++)
        printf("# oneDNN %d.%d backward %s: %s\n", DNNL_VERSION_MAJOR, DNNL_VERSION_MINOR,
               alg == dnnl_eltwise_gelu_tanh ? "gelu_tanh" : "gelu_erf", info);
    check(dnnl_memory_create(&s->src, &md, s->engine, (void *)x));
    check(dnnl_memory_create(&s->ddst, &md, s->engine, (void *)dy));
    check(dnnl_memory_create(&s->dsrc, &md, s->engine, dx));
    check(dnnl_primitive_create(&s->prim, bpd));
    check(dnnl_primitive_desc_destroy(bpd));
    check(dnnl_primitive_desc_destroy(fpd));
}

static void dnnl_bwd_run(struct dnnl_bwd *s)
{
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, s->src}, {DNNL_ARG_DIFF_DST, s->ddst}, {DNNL_ARG_DIFF_SRC, s->dsrc}};
    check(dnnl_primitive_execute(s->prim, s->stream, 3, args));
    check(dnnl_stream_wait(s->stream));
}
#endif

int main(int argc, char **argv)
{
    int reps_small = argc > 1 ? atoi(argv[1]) : 200;
    static const size_t sizes[2] = {65536, 1u << 24};
    static const char *isa_names[3] = {"scalar", "avx2", "avx512"};
    static const bwd_fn ours[2][3] = {
        {gelu_erf_backward_f32_scalar, gelu_erf_backward_f32_avx2, gelu_erf_backward_f32_avx512},
        {gelu_tanh_backward_f32_scalar, gelu_tanh_backward_f32_avx2, gelu_tanh_backward_f32_avx512}};
    for (int si = 0; si < 2; si++) {
        size_t n = sizes[si];
        int reps = si == 0 ? reps_small : reps_small / 20 + 3;
        float *x = aligned_alloc(64, n * 4), *dy = aligned_alloc(64, n * 4), *dx = aligned_alloc(64, n * 4);
        uint64_t r = 12345;
        for (size_t i = 0; i < n; i++) {
            r = r * 6364136223846793005u + 1442695040888963407u;
            x[i] = (float)((double)(r >> 11) * 0x1p-53 * 12.0 - 6.0);
            r = r * 6364136223846793005u + 1442695040888963407u;
            dy[i] = (float)((double)(r >> 11) * 0x1p-53 * 2.0 - 1.0);
        }
        for (int form = 0; form < 2; form++) {
            enum { N_IMPL = 4 };
            double t[N_IMPL][512];
            int have[N_IMPL] = {1, gelu_isa_supported(1), gelu_isa_supported(2), 0};
#ifdef GELU_HAVE_DNNL
            struct dnnl_bwd d;
            dnnl_bwd_setup(&d, form ? dnnl_eltwise_gelu_tanh : dnnl_eltwise_gelu_erf, x, dy, dx, n);
            have[3] = 1;
#endif
            int rr = si == 0 ? reps : reps; /* scalar at 2^24 is slow: fewer reps there */
            if (rr > 512)
                rr = 512;
            for (int k = 0; k < rr; k++)
                for (int im = 0; im < N_IMPL; im++) {
                    if (!have[im] || (im == 0 && si == 1 && k >= 3))
                        continue;
                    double t0 = now();
                    if (im < 3)
                        ours[form][im](x, dy, dx, n);
#ifdef GELU_HAVE_DNNL
                    else
                        dnnl_bwd_run(&d);
#endif
                    t[im][k] = now() - t0;
                }
            for (int im = 0; im < N_IMPL; im++) {
                if (!have[im])
                    continue;
                int cnt = im == 0 && si == 1 ? (rr < 3 ? rr : 3) : rr;
                qsort(t[im], (size_t)cnt, sizeof(double), cmp_d);
                printf("%-5s n=%-9zu %-7s %7.3f Gelem/s (median of %d)\n", form ? "tanh" : "erf", n,
                       im < 3 ? isa_names[im] : "oneDNN", (double)n / t[im][cnt / 2] * 1e-9, cnt);
            }
            fflush(stdout);
        }
        free(x), free(dy), free(dx);
    }
    return 0;
}
