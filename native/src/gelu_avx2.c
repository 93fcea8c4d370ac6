/*
 * AVX2 + FMA kernels. The float32 forward kernels are the bodies of gelu_forward_*.h over
 * simd/gelu_simd_avx2.h, in three tiers for erf (the central one from its own table of rows,
 * then the first and the reference: gelu_forward_cr.h) and two for the others; the 16-bit and
 * backward kernels are the bodies of gelu_half_body.h and gelu_backward_body.h (without their
 * central tier). A tail goes through masked loads and stores or a small local buffer, so no
 * load or store leaves the arrays.
 */
#include <float.h>
#include <immintrin.h>
#include <math.h>

#include "gelu_internal.h"
#include "simd/gelu_simd_avx2.h"

#define GELU_ISA avx2
#define GELU_FWD_NB 4
#define GELU_FWD_FIRST 1
#define GELU_FWD_CENTRAL 1
/* faithful: 4 registers (32 floats) a group, so that the chains overlap */
#define GELU_FWD_FNW 4
#define GELU_FWD_FTG 4
#include "gelu_forward_kernels.h"

/* ---- the 16-bit and backward kernels: the bodies of gelu_half_body.h and gelu_backward_body.h ---- */

#define GELU_HALF_ISA avx2
#define GELU_HALF_NB 2 /* registers of floats a group holds */
#include "gelu_half_body.h"
GELU_HALF_KERNELS

#define GELU_BWD_ISA avx2
#define GELU_BWD_NB 4 /* vectors a group interleaves, for the long dependency chain */
#define GELU_BWD_CENTRAL 1
#define GELU_BWD_PREFETCH 0
#include "gelu_backward_body.h"
GELU_BWD_KERNELS
