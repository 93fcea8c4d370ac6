/*
 * The anchors: GELU as other libraries and frameworks compute it, each written the way its
 * users get it, so that their accuracy can be measured against the correctly rounded value.
 */
#include "gelu_anchors.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef GELU_HAVE_DNNL
#include <dnnl.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#endif
#ifdef GELU_HAVE_SLEEF
#include <sleef.h>
#endif
#ifdef GELU_HAVE_LIBMVEC_ERFC
#include <immintrin.h>
#endif

typedef void (*anchor_fn)(const float *x, float *y, size_t n);

/* The constants as float code rounds them: (float)M_SQRT1_2 and PyTorch's sqrt(2/pi). */
static const float SQRT1_2 = 0.707106781186547524f;
static const float SQRT_2_PI = 0.7978845608f;

/* PyTorch's scalar CPU fallback, x * 0.5 * (1 + erf(x * M_SQRT1_2)) in float. */
static void pytorch_naive_erff(const float *x, float *y, size_t n)
{
    for (size_t k = 0; k < n; k++)
        y[k] = 0.5f * x[k] * (1.0f + erff(x[k] * SQRT1_2));
}

/* The erfc form: no cancellation in 1 + erf for negative x, so tiny results keep their digits. */
static void glibc_erfcf(const float *x, float *y, size_t n)
{
    for (size_t k = 0; k < n; k++)
        y[k] = 0.5f * x[k] * erfcf(-x[k] * SQRT1_2);
}

/* PyTorch's approximate="tanh" formula in float. */
static void glibc_tanhf(const float *x, float *y, size_t n)
{
    for (size_t k = 0; k < n; k++)
        y[k] = 0.5f * x[k] * (1.0f + tanhf(SQRT_2_PI * (x[k] + 0.044715f * x[k] * x[k] * x[k])));
}

#ifdef GELU_HAVE_SLEEF
/* SLEEF 3.5 has no Sleef_erff1_u10; Sleef_erff_u10 is its scalar erff with the same 1-ulp bound. */
static void sleef_erff_u10(const float *x, float *y, size_t n)
{
    for (size_t k = 0; k < n; k++)
        y[k] = 0.5f * x[k] * (1.0f + Sleef_erff_u10(x[k] * SQRT1_2));
}
#endif

#ifdef GELU_HAVE_LIBMVEC_ERFC
/* Only this region may use AVX-512: the rest of the file must run on any x86-64. */
#pragma GCC push_options
#pragma GCC target("avx512f")

/* glibc ships no header for its vector variants; this is the x86-64 vector ABI name of erfcf
   on 16 floats in a zmm register. */
__m512 _ZGVeN16v_erfcf(__m512 x);

static void libmvec_erfcf_avx512(const float *x, float *y, size_t n)
{
    const __m512 half = _mm512_set1_ps(0.5f), minus_sqrt1_2 = _mm512_set1_ps(-SQRT1_2);
    for (size_t k = 0; k < n; k += 16) {
        __mmask16 m = n - k >= 16 ? 0xffff : (__mmask16)((1u << (n - k)) - 1);
        __m512 v = _mm512_maskz_loadu_ps(m, x + k);
        __m512 e = _ZGVeN16v_erfcf(_mm512_mul_ps(v, minus_sqrt1_2));
        _mm512_mask_storeu_ps(y + k, m, _mm512_mul_ps(_mm512_mul_ps(half, v), e));
    }
}

#pragma GCC pop_options

static int cpu_has_avx512f(void) { return __builtin_cpu_supports("avx512f"); }
#endif

#ifdef GELU_HAVE_DNNL
#define DNNL_CHUNK 65536

/* Streams are not thread-safe and building a primitive costs far more than running it on one
   chunk, so each thread keeps its own engine, stream and primitive per algorithm. */
struct dnnl_ctx {
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    dnnl_primitive_t prim;
    dnnl_memory_t src, dst;
    void *in, *out;
};

static void check(dnnl_status_t s)
{
    if (s != dnnl_success)
        abort();
}

/* The primitive descriptor: 1-D, DNNL_CHUNK elements of the type; 2.x and 3.x name these
   apart. Returns oneDNN's status: a type without a kernel on this CPU is not an error here. */
static dnnl_status_t dnnl_pd(dnnl_engine_t engine, dnnl_alg_kind_t alg, dnnl_data_type_t type, dnnl_memory_desc_t *md,
                             dnnl_primitive_desc_t *pd)
{
    dnnl_dims_t dims = {DNNL_CHUNK};
#if DNNL_VERSION_MAJOR >= 3
    check(dnnl_memory_desc_create_with_tag(md, 1, dims, type, dnnl_a));
    return dnnl_eltwise_forward_primitive_desc_create(pd, engine, dnnl_forward_inference, alg, *md, *md, 0.0f, 0.0f,
                                                      NULL);
#else
    dnnl_eltwise_desc_t ed;
    check(dnnl_memory_desc_init_by_tag(md, 1, dims, type, dnnl_a));
    check(dnnl_eltwise_forward_desc_init(&ed, dnnl_forward_inference, alg, md, 0.0f, 0.0f));
    return dnnl_primitive_desc_create(pd, &ed, NULL, engine, NULL);
#endif
}

/* The primitive and its buffers. */
static void dnnl_ctx_build(struct dnnl_ctx *c, dnnl_alg_kind_t alg, dnnl_data_type_t type)
{
    dnnl_memory_desc_t md;
    dnnl_primitive_desc_t pd;
    check(dnnl_pd(c->engine, alg, type, &md, &pd));
#if DNNL_VERSION_MAJOR >= 3
    check(dnnl_memory_create(&c->src, md, c->engine, DNNL_MEMORY_ALLOCATE));
    check(dnnl_memory_create(&c->dst, md, c->engine, DNNL_MEMORY_ALLOCATE));
    check(dnnl_memory_desc_destroy(md));
#else
    check(dnnl_memory_create(&c->src, &md, c->engine, DNNL_MEMORY_ALLOCATE));
    check(dnnl_memory_create(&c->dst, &md, c->engine, DNNL_MEMORY_ALLOCATE));
#endif
    check(dnnl_primitive_create(&c->prim, pd));
    check(dnnl_primitive_desc_destroy(pd));
}

static size_t dnnl_size(dnnl_data_type_t type) { return type == dnnl_f32 ? 4 : 2; }

static void dnnl_ctx_init(struct dnnl_ctx *c, dnnl_alg_kind_t alg, dnnl_data_type_t type)
{
#ifdef _OPENMP
    /* The callers already run one thread per core; an OpenMP team under each would only
       contend for them. This sets the calling thread's team size, which oneDNN reads. */
    omp_set_num_threads(1);
#endif
    check(dnnl_engine_create(&c->engine, dnnl_cpu, 0));
    check(dnnl_stream_create(&c->stream, c->engine, dnnl_stream_default_flags));
    dnnl_ctx_build(c, alg, type);
    check(dnnl_memory_get_data_handle(c->src, &c->in));
    check(dnnl_memory_get_data_handle(c->dst, &c->out));
    /* The tail of a short last chunk is computed too; keep it defined. */
    memset(c->in, 0, DNNL_CHUNK * dnnl_size(type));
}

/* Copying through the primitive's own buffers keeps one primitive for every n; the copies
   cost nothing next to the reference that the results are compared with. */
static void dnnl_gelu(int which, dnnl_alg_kind_t alg, dnnl_data_type_t type, const void *x, void *y, size_t n)
{
    static _Thread_local struct dnnl_ctx ctx[4];
    struct dnnl_ctx *c = &ctx[which];
    size_t size = dnnl_size(type);
    if (!c->prim)
        dnnl_ctx_init(c, alg, type);
    dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC, c->src}, {DNNL_ARG_DST, c->dst}};
    for (size_t k = 0; k < n; k += DNNL_CHUNK) {
        size_t m = n - k < DNNL_CHUNK ? n - k : DNNL_CHUNK;
        memcpy(c->in, (const char *)x + k * size, m * size);
        check(dnnl_primitive_execute(c->prim, c->stream, 2, args));
        check(dnnl_stream_wait(c->stream));
        memcpy((char *)y + k * size, c->out, m * size);
    }
}

static void onednn_gelu_erf(const float *x, float *y, size_t n)
{
    dnnl_gelu(0, dnnl_eltwise_gelu_erf, dnnl_f32, x, y, n);
}

static void onednn_gelu_tanh(const float *x, float *y, size_t n)
{
    dnnl_gelu(1, dnnl_eltwise_gelu_tanh, dnnl_f32, x, y, n);
}

/* bf16 in and out: the primitive a bf16 model runs (oneDNN 2.6 computes in f32 registers and
   rounds the result to bf16 once; its f16 eltwise is not implemented, hence no f16 anchor). */
static void onednn_bf16_gelu_erf(const uint16_t *x, uint16_t *y, size_t n)
{
    dnnl_gelu(2, dnnl_eltwise_gelu_erf, dnnl_bf16, x, y, n);
}

static void onednn_bf16_gelu_tanh(const uint16_t *x, uint16_t *y, size_t n)
{
    dnnl_gelu(3, dnnl_eltwise_gelu_tanh, dnnl_bf16, x, y, n);
}

/* Whether oneDNN has a bf16 eltwise kernel here (it needs AVX-512 on x86-64). */
static int dnnl_has_bf16(void)
{
    static int known, has;
    if (!known) {
        dnnl_engine_t engine;
        dnnl_memory_desc_t md;
        dnnl_primitive_desc_t pd;
        check(dnnl_engine_create(&engine, dnnl_cpu, 0));
        has = dnnl_pd(engine, dnnl_eltwise_gelu_erf, dnnl_bf16, &md, &pd) == dnnl_success;
#if DNNL_VERSION_MAJOR >= 3
        check(dnnl_memory_desc_destroy(md));
#endif
        if (has)
            check(dnnl_primitive_desc_destroy(pd));
        check(dnnl_engine_destroy(engine));
        known = 1;
    }
    return has;
}
#endif

struct anchor {
    const char *name;
    int form;
    anchor_fn run;
    int (*usable)(void); /* NULL: runs on any x86-64 */
};

static const struct anchor anchors[] = {
#ifdef GELU_HAVE_DNNL
    {"onednn-gelu-erf", 0, onednn_gelu_erf, NULL},
    {"onednn-gelu-tanh", 1, onednn_gelu_tanh, NULL},
#endif
    {"pytorch-naive-erff", 0, pytorch_naive_erff, NULL},
    {"glibc-erfcf", 0, glibc_erfcf, NULL},
#ifdef GELU_HAVE_SLEEF
    {"sleef-erff-u10", 0, sleef_erff_u10, NULL},
#endif
#ifdef GELU_HAVE_LIBMVEC_ERFC
    {"libmvec-erfcf-avx512", 0, libmvec_erfcf_avx512, cpu_has_avx512f},
#endif
    {"glibc-tanhf", 1, glibc_tanhf, NULL},
};

#define N_ANCHORS ((int)(sizeof anchors / sizeof anchors[0]))

static int usable(const struct anchor *a) { return !a->usable || a->usable(); }

/* The i-th anchor this CPU can run, or NULL; a scan of a handful keeps this stateless. */
static const struct anchor *nth(int i)
{
    for (int k = 0; k < N_ANCHORS; k++)
        if (usable(&anchors[k]) && i-- == 0)
            return &anchors[k];
    return NULL;
}

int gelu_anchor_count(void)
{
    int n = 0;
    for (int k = 0; k < N_ANCHORS; k++)
        n += usable(&anchors[k]);
    return n;
}

const char *gelu_anchor_name(int i)
{
    const struct anchor *a = nth(i);
    return a ? a->name : NULL;
}

int gelu_anchor_form(int i)
{
    const struct anchor *a = nth(i);
    return a ? a->form : -1;
}

void gelu_anchor_run(int i, const float *x, float *y, size_t n)
{
    const struct anchor *a = nth(i);
    if (!a)
        abort();
    a->run(x, y, n);
}

/* ---- 16-bit anchors, the same way ---- */

struct anchor16 {
    const char *name;
    int form, type;
    void (*run)(const uint16_t *x, uint16_t *y, size_t n);
    int (*usable)(void);
};

static const struct anchor16 anchors16[] = {
#ifdef GELU_HAVE_DNNL
    {"onednn-bf16-gelu-erf", 0, 0, onednn_bf16_gelu_erf, dnnl_has_bf16},
    {"onednn-bf16-gelu-tanh", 1, 0, onednn_bf16_gelu_tanh, dnnl_has_bf16},
#endif
    {NULL, 0, 0, NULL, NULL}, /* keeps the array non-empty without oneDNN */
};

#define N_ANCHORS16 ((int)(sizeof anchors16 / sizeof anchors16[0]) - 1)

/* The first usable() is called on one thread (the tool counts the anchors before it starts
   any), so dnnl_has_bf16's cache needs no lock. */
static const struct anchor16 *nth16(int i)
{
    for (int k = 0; k < N_ANCHORS16; k++)
        if (anchors16[k].usable() && i-- == 0)
            return &anchors16[k];
    return NULL;
}

int gelu_anchor16_count(void)
{
    int n = 0;
    while (nth16(n))
        n++;
    return n;
}

const char *gelu_anchor16_name(int i)
{
    const struct anchor16 *a = nth16(i);
    return a ? a->name : NULL;
}

int gelu_anchor16_form(int i)
{
    const struct anchor16 *a = nth16(i);
    return a ? a->form : -1;
}

int gelu_anchor16_type(int i)
{
    const struct anchor16 *a = nth16(i);
    return a ? a->type : -1;
}

void gelu_anchor16_run(int i, const uint16_t *x, uint16_t *y, size_t n)
{
    const struct anchor16 *a = nth16(i);
    if (!a)
        abort();
    a->run(x, y, n);
}
