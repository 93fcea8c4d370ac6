/*
 * The oneDNN anchors of gelu_cbench: one library version each, loaded at run time.
 *
 * Two oneDNN versions run in the same process so that their ratios to ours come from the same
 * interleaved rounds: oneDNN 3.8.1 (the anchor, the Maven Central build of bench/fetch_onednn.sh)
 * and Debian's 2.6 (libdnnl-dev, the anchor before it). Both export the same dnnl_* names, so
 * neither is linked: gelu_cbench_onednn.c is compiled once against each version's headers, and
 * each copy dlopens its own library with RTLD_LOCAL | RTLD_DEEPBIND and resolves the few calls
 * it makes with dlsym. 3.8.1's build exports its C++ internals too; RTLD_DEEPBIND makes each
 * library bind its own symbols first, whatever the other one exports. Both run on OpenMP and
 * share the one libgomp that gelu_cbench links (LD_DEBUG=files shows a single libgomp.so.1).
 *
 * Which kernels run (checked 2026-12-06 on an AMD EPYC with AVX-512 and AVX512-BF16, no
 * AVX512-FP16): ONEDNN_VERBOSE=1 shows jit:avx512_core for f32 (jit:avx2 under --max-isa avx2),
 * jit:avx512_core_bf16 for bf16, jit:uni for the binary bias; no f16 eltwise at all. With
 * ONEDNN_JIT_DUMP=1 and objdump -D -b binary -mi386:x86-64, the whole f32 gelu_erf kernel
 * (unrolled body and tail) of 3.8.1 has 12 vpermt2ps, 10 FMAs, no vdivps and no vrndscaleps:
 * the exp-free piecewise polynomial; 2.6's has no vpermt2ps, 2 vrndscaleps (its exp) and
 * 2 vdivps. Both swish kernels (the quick form) compute an exp and divide.
 */
#ifndef GELU_CBENCH_ONEDNN_H
#define GELU_CBENCH_ONEDNN_H

#include <stddef.h>

enum gelu_dnnl_op { GELU_DNNL_FORWARD, GELU_DNNL_BIAS, GELU_DNNL_BACKWARD };
/* GELU_DNNL_QUICK is eltwise_swish with alpha = 1.702: x * sigma(1.702 x), the quick form exactly. */
enum gelu_dnnl_form { GELU_DNNL_ERF, GELU_DNNL_TANH, GELU_DNNL_QUICK };
enum gelu_dnnl_type { GELU_DNNL_F32, GELU_DNNL_BF16, GELU_DNNL_F16 };

/* One primitive: forward and backward on n = rows * cols elements (rows = 1); the bias row is
   a binary add of a (1, cols) bias broadcast over (rows, cols), GELU as its eltwise post-op. */
struct gelu_dnnl_job {
    enum gelu_dnnl_op op;
    enum gelu_dnnl_form form;
    enum gelu_dnnl_type type;
    size_t rows, cols;
};

struct gelu_dnnl_lib {
    const char *label; /* what the bench prints for this library: "onednn" or "onednn2" */
    /* Loads the library once; NULL when it is usable, else why not. With cap_avx2, oneDNN
       dispatches to AVX2 at most (dnnl_set_max_cpu_isa, as ONEDNN_MAX_CPU_ISA=AVX2 would). */
    const char *(*load)(int cap_avx2);
    const char *(*version)(void); /* "3.8.1", once loaded */
    /* The kernel oneDNN picks for the job ("jit:avx512_core", "ref:any", or "none" when it
       has no primitive for it), into name; returns whether it is a jit kernel. */
    int (*kernel)(const struct gelu_dnnl_job *job, char *name, size_t size);
    /* A primitive on the caller's own buffers (no copies): x, then other (the bias, or the
       backward's dy; NULL for the forward) and y (the backward's dx). On the calling thread. */
    void *(*setup)(const struct gelu_dnnl_job *job, const void *x, const void *other, void *y);
    void (*run)(void *state);
    void (*teardown)(void *state);
};

/* Each is defined only when CMake found that version (GELU_HAVE_DNNL3, GELU_HAVE_DNNL2). */
extern const struct gelu_dnnl_lib gelu_dnnl3, gelu_dnnl2;

#endif
