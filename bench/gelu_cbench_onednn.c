/*
 * One oneDNN anchor for gelu_cbench (gelu_cbench_onednn.h says why at run time): compiled once
 * per oneDNN version against that version's headers, with
 *   GELU_DNNL_TABLE  the table's name (gelu_dnnl3, gelu_dnnl2)
 *   GELU_DNNL_LABEL  the rows' name ("onednn", "onednn2")
 *   GELU_DNNL_PATH   the library to dlopen
 * The 2.x and 3.x C APIs name the descriptor calls apart (3.x creates primitive descriptors
 * directly from opaque memory descriptors); the #if blocks below are those differences only.
 */
#define _GNU_SOURCE /* RTLD_DEEPBIND */
#include "gelu_cbench_onednn.h"

#include <dlfcn.h>
#include <dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define DNNL3 (DNNL_VERSION_MAJOR >= 3)

/* The calls we make, resolved in our library only; dl.f has the type of dnnl_f. */
#define GELU_DNNL_COMMON(X)                                                                       \
    X(version) X(set_max_cpu_isa) X(engine_create) X(engine_destroy) X(stream_create)           \
    X(stream_destroy) X(stream_wait) X(memory_create) X(memory_destroy) X(primitive_create)     \
    X(primitive_destroy) X(primitive_execute) X(primitive_desc_destroy) X(primitive_desc_query) \
    X(post_ops_create) X(post_ops_destroy) X(post_ops_append_eltwise) X(primitive_attr_create)  \
    X(primitive_attr_destroy) X(primitive_attr_set_post_ops)
#if DNNL3
#define GELU_DNNL_CALLS(X)                                                                         \
    GELU_DNNL_COMMON(X) X(memory_desc_create_with_tag) X(memory_desc_destroy)                    \
    X(eltwise_forward_primitive_desc_create) X(eltwise_backward_primitive_desc_create)          \
    X(binary_primitive_desc_create)
#else
#define GELU_DNNL_CALLS(X)                                                                         \
    GELU_DNNL_COMMON(X) X(memory_desc_init_by_tag) X(eltwise_forward_desc_init)                  \
    X(eltwise_backward_desc_init) X(binary_desc_init) X(primitive_desc_create)
#endif

static struct {
#define GELU_DNNL_FIELD(f) __typeof__(dnnl_##f) *f;
    GELU_DNNL_CALLS(GELU_DNNL_FIELD)
#undef GELU_DNNL_FIELD
} dl;

static char version_string[32];

static const char *load(int cap_avx2)
{
    static int done;
    static const char *why;
    if (done)
        return why;
    done = 1;
    void *h = dlopen(GELU_DNNL_PATH, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!h)
        return why = dlerror();
#define GELU_DNNL_RESOLVE(f)                                     \
    if (!(dl.f = (__typeof__(dl.f))dlsym(h, "dnnl_" #f)))      \
        return why = "dnnl_" #f " is missing from " GELU_DNNL_PATH;
    GELU_DNNL_CALLS(GELU_DNNL_RESOLVE)
#undef GELU_DNNL_RESOLVE
    const dnnl_version_t *v = dl.version();
    snprintf(version_string, sizeof version_string, "%d.%d.%d", v->major, v->minor, v->patch);
    /* Before any primitive exists, as oneDNN requires. */
    if (cap_avx2 && dl.set_max_cpu_isa(dnnl_cpu_isa_avx2) != dnnl_success)
        return why = "dnnl_set_max_cpu_isa(avx2) failed";
    return NULL;
}

static const char *version(void) { return version_string; }

static void check(dnnl_status_t s, const char *what)
{
    if (s != dnnl_success) {
        fprintf(stderr, "gelu_cbench: %s %s failed (%d)\n", GELU_DNNL_LABEL, what, (int)s);
        exit(1);
    }
}

/* 2.x memory descriptors are values passed by address, 3.x ones opaque handles. */
#if DNNL3
#define MD(md) (md)
#else
#define MD(md) (&(md))
#endif

static dnnl_status_t md_make(dnnl_memory_desc_t *md, int ndims, const dnnl_dims_t dims, dnnl_data_type_t type)
{
#if DNNL3
    return dl.memory_desc_create_with_tag(md, ndims, dims, type, ndims == 1 ? dnnl_a : dnnl_ab);
#else
    return dl.memory_desc_init_by_tag(md, ndims, dims, type, ndims == 1 ? dnnl_a : dnnl_ab);
#endif
}

static void md_done(dnnl_memory_desc_t md)
{
#if DNNL3
    dl.memory_desc_destroy(md);
#else
    (void)md;
#endif
}

static dnnl_alg_kind_t alg(const struct gelu_dnnl_job *j)
{
    return j->form == GELU_DNNL_ERF ? dnnl_eltwise_gelu_erf : j->form == GELU_DNNL_TANH ? dnnl_eltwise_gelu_tanh
                                                                                        : dnnl_eltwise_swish;
}

static float alpha(const struct gelu_dnnl_job *j) { return j->form == GELU_DNNL_QUICK ? 1.702f : 0.0f; }

static dnnl_data_type_t type(const struct gelu_dnnl_job *j)
{
    return j->type == GELU_DNNL_BF16 ? dnnl_bf16 : j->type == GELU_DNNL_F16 ? dnnl_f16 : dnnl_f32;
}

static dnnl_status_t eltwise_fwd_pd(const struct gelu_dnnl_job *j, dnnl_engine_t engine, dnnl_memory_desc_t md,
                                    dnnl_prop_kind_t prop, dnnl_primitive_desc_t *pd)
{
#if DNNL3
    return dl.eltwise_forward_primitive_desc_create(pd, engine, prop, alg(j), md, md, alpha(j), 0.0f, NULL);
#else
    dnnl_eltwise_desc_t ed;
    dnnl_status_t s = dl.eltwise_forward_desc_init(&ed, prop, alg(j), &md, alpha(j), 0.0f);
    return s != dnnl_success ? s : dl.primitive_desc_create(pd, &ed, NULL, engine, NULL);
#endif
}

/* The backward (diff_src from src and diff_dst), hinted by its forward training descriptor. */
static dnnl_status_t eltwise_bwd_pd(const struct gelu_dnnl_job *j, dnnl_engine_t engine, dnnl_memory_desc_t md,
                                    dnnl_primitive_desc_t *pd)
{
    dnnl_primitive_desc_t fpd;
    dnnl_status_t s = eltwise_fwd_pd(j, engine, md, dnnl_forward_training, &fpd);
    if (s != dnnl_success)
        return s;
#if DNNL3
    s = dl.eltwise_backward_primitive_desc_create(pd, engine, alg(j), md, md, md, alpha(j), 0.0f, fpd, NULL);
#else
    dnnl_eltwise_desc_t bd;
    s = dl.eltwise_backward_desc_init(&bd, alg(j), &md, &md, alpha(j), 0.0f);
    if (s == dnnl_success)
        s = dl.primitive_desc_create(pd, &bd, NULL, engine, fpd);
#endif
    dl.primitive_desc_destroy(fpd);
    return s;
}

/* The binary add of the broadcast bias with GELU as a post-op: one primitive, one pass. */
static dnnl_status_t bias_pd(const struct gelu_dnnl_job *j, dnnl_engine_t engine, dnnl_memory_desc_t md,
                             dnnl_memory_desc_t bmd, dnnl_primitive_desc_t *pd)
{
    dnnl_post_ops_t po;
    dnnl_primitive_attr_t attr;
    check(dl.post_ops_create(&po), "post_ops_create");
#if DNNL3
    check(dl.post_ops_append_eltwise(po, alg(j), alpha(j), 0.0f), "post_ops_append_eltwise");
#else
    check(dl.post_ops_append_eltwise(po, 1.0f, alg(j), alpha(j), 0.0f), "post_ops_append_eltwise");
#endif
    check(dl.primitive_attr_create(&attr), "primitive_attr_create");
    check(dl.primitive_attr_set_post_ops(attr, po), "primitive_attr_set_post_ops");
#if DNNL3
    dnnl_status_t s = dl.binary_primitive_desc_create(pd, engine, dnnl_binary_add, md, bmd, md, attr);
#else
    dnnl_binary_desc_t bd;
    dnnl_status_t s = dl.binary_desc_init(&bd, dnnl_binary_add, &md, &bmd, &md);
    if (s == dnnl_success)
        s = dl.primitive_desc_create(pd, &bd, attr, engine, NULL);
#endif
    dl.primitive_attr_destroy(attr);
    dl.post_ops_destroy(po);
    return s;
}

/* The job's primitive descriptor and its memory descriptors (the data, and the bias's); the
   caller destroys the memory descriptors, and the primitive descriptor when this succeeds. */
static dnnl_status_t job_pd(const struct gelu_dnnl_job *j, dnnl_engine_t engine, dnnl_memory_desc_t *md,
                            dnnl_memory_desc_t *bmd, dnnl_primitive_desc_t *pd)
{
    dnnl_dims_t dims = {(dnnl_dim_t)j->rows, (dnnl_dim_t)j->cols}, bdims = {1, (dnnl_dim_t)j->cols};
    dnnl_dims_t n = {(dnnl_dim_t)(j->rows * j->cols)};
    dnnl_status_t s = j->op == GELU_DNNL_BIAS ? md_make(md, 2, dims, type(j)) : md_make(md, 1, n, type(j));
    check(s, "memory descriptor");
    check(md_make(bmd, 2, bdims, type(j)), "memory descriptor");
    if (j->op == GELU_DNNL_FORWARD)
        return eltwise_fwd_pd(j, engine, *md, dnnl_forward_inference, pd);
    if (j->op == GELU_DNNL_BACKWARD)
        return eltwise_bwd_pd(j, engine, *md, pd);
    return bias_pd(j, engine, *md, *bmd, pd);
}

static int kernel(const struct gelu_dnnl_job *j, char *name, size_t size)
{
    dnnl_engine_t engine;
    dnnl_memory_desc_t md, bmd;
    dnnl_primitive_desc_t pd;
    const char *info = "none";
    check(dl.engine_create(&engine, dnnl_cpu, 0), "engine_create");
    dnnl_status_t s = job_pd(j, engine, &md, &bmd, &pd);
    if (s == dnnl_success)
        check(dl.primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &info), "impl_info_str");
    snprintf(name, size, "%s", info);
    if (s == dnnl_success)
        dl.primitive_desc_destroy(pd);
    md_done(md);
    md_done(bmd);
    dl.engine_destroy(engine);
    return strncmp(name, "jit", 3) == 0;
}

struct state {
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    dnnl_primitive_t prim;
    dnnl_exec_arg_t args[3];
};

static void *setup(const struct gelu_dnnl_job *j, const void *x, const void *other, void *y)
{
#ifdef _OPENMP
    /* Both oneDNNs run on OpenMP (one libgomp in the process): one OpenMP thread under each of
       our threads, so that it splits the work the way everything else here does. This sets
       the calling thread's team size, which oneDNN reads. */
    omp_set_num_threads(1);
#endif
    struct state *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    dnnl_memory_desc_t md, bmd;
    dnnl_primitive_desc_t pd;
    check(dl.engine_create(&s->engine, dnnl_cpu, 0), "engine_create");
    check(dl.stream_create(&s->stream, s->engine, dnnl_stream_default_flags), "stream_create");
    check(job_pd(j, s->engine, &md, &bmd, &pd), "primitive descriptor");
    check(dl.primitive_create(&s->prim, pd), "primitive_create");
    dl.primitive_desc_destroy(pd);
    /* The arguments: x, the other input, y; the bias has its own descriptor. */
    int ids[][3] = {[GELU_DNNL_FORWARD] = {DNNL_ARG_SRC, 0, DNNL_ARG_DST},
                    [GELU_DNNL_BIAS] = {DNNL_ARG_SRC_0, DNNL_ARG_SRC_1, DNNL_ARG_DST},
                    [GELU_DNNL_BACKWARD] = {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_SRC}};
    const void *ptr[3] = {x, other, y};
    for (int k = 0; k < 3; k++) {
        s->args[k].arg = ids[j->op][k];
        if (ptr[k])
            check(dl.memory_create(&s->args[k].memory, k == 1 && j->op == GELU_DNNL_BIAS ? MD(bmd) : MD(md),
                                   s->engine, (void *)ptr[k]),
                  "memory_create");
    }
    if (j->op == GELU_DNNL_FORWARD) /* no second input: y moves up */
        s->args[1] = s->args[2], s->args[2].memory = NULL;
    md_done(md);
    md_done(bmd);
    return s;
}

static void run(void *state)
{
    struct state *s = state;
    int nargs = s->args[2].memory ? 3 : 2;
    check(dl.primitive_execute(s->prim, s->stream, nargs, s->args), "primitive_execute");
    check(dl.stream_wait(s->stream), "stream_wait");
}

static void teardown(void *state)
{
    struct state *s = state;
    for (int k = 0; k < 3; k++)
        if (s->args[k].memory)
            dl.memory_destroy(s->args[k].memory);
    dl.primitive_destroy(s->prim);
    dl.stream_destroy(s->stream);
    dl.engine_destroy(s->engine);
    free(s);
}

const struct gelu_dnnl_lib GELU_DNNL_TABLE = {GELU_DNNL_LABEL, load, version, kernel, setup, run, teardown};
