/*
 * AArch64 Advanced SIMD (NEON) kernels: two doubles a vector. The float32 forward kernels are
 * the bodies of gelu_forward_*.h over simd/gelu_simd_neon.h, in AVX2's two tiers (the first and
 * the reference: gelu_forward_cr.h); the 16-bit and backward kernels are the bodies of
 * gelu_half_body.h and gelu_backward_body.h (without their central tier). The
 * wrapper emulates x86 where NEON differs, so every result has x86's bits (gelu_bitcompare
 * --digest checks it against the x86 build). A tail goes through single-lane loads and stores
 * or a small local buffer, so no load or store leaves the arrays.
 */
#include <float.h>
#include <math.h>

#include "gelu_internal.h"
#include "simd/gelu_simd_neon.h"

#define GELU_ISA neon
#define GELU_FWD_NB 4
#define GELU_FWD_FIRST 1
#define GELU_FWD_CENTRAL 0
/* faithful: 4 registers (16 floats) a group, so that the chains overlap */
#define GELU_FWD_FNW 4
#define GELU_FWD_FTG 1
#include "gelu_forward_kernels.h"

/* ---- the 16-bit and backward kernels: the bodies of gelu_half_body.h and gelu_backward_body.h ---- */

#define GELU_HALF_ISA neon
#define GELU_HALF_NB 2 /* registers of floats a group holds */
#include "gelu_half_body.h"
GELU_HALF_KERNELS

#define GELU_BWD_ISA neon
#define GELU_BWD_NB 4 /* vectors a group interleaves, for the long dependency chain */
#define GELU_BWD_CENTRAL 0
#define GELU_BWD_PREFETCH 0
#include "gelu_backward_body.h"
GELU_BWD_KERNELS
