/*
 * The instruction sets of the architecture being built, in the order of gelu.h's ids
 * (GELU_ISA_*, the index of each): the one list that the kernel declarations, the dispatcher,
 * the tests and the tools iterate. Each ISA implements every row of the kernel table as
 * <name>_<isa> (gelu_internal.h).
 *
 * GELU_ISAS_EACH(X, name, a)  X(name##_<isa>, a) for each ISA, in order
 * GELU_ISA_NAMES           {"scalar", ...}: gelu_isa()'s names, for initializers
 * GELU_N_ISAS              their count
 */
#ifndef GELU_ISAS_H
#define GELU_ISAS_H

#if defined(__x86_64__)
#define GELU_ISAS_EACH(X, name, a) X(name##_scalar, a) X(name##_avx2, a) X(name##_avx512, a)
#define GELU_ISA_NAMES             \
    {                              \
        "scalar", "avx2", "avx512" \
    }
#define GELU_N_ISAS 3
#elif defined(__aarch64__)
#define GELU_ISAS_EACH(X, name, a) X(name##_scalar, a) X(name##_neon, a)
#define GELU_ISA_NAMES   \
    {                    \
        "scalar", "neon" \
    }
#define GELU_N_ISAS 2
#else
#error "gelu-ffm's kernels are written for x86-64 and aarch64"
#endif

/* {GELU_ISAS_EACH(GELU_ISAS_INIT, name, )} is {name_scalar, ...}: each ISA's kernel, for initializers. */
#define GELU_ISAS_INIT(fn, a) fn,

#endif
