/*
 * AVX-512 kernels (F, DQ, VL, BW). The float32 forward kernels are the bodies of
 * gelu_forward_*.h over simd/gelu_simd_avx512.h, in three tiers (the central one, the first,
 * the reference: gelu_forward_cr.h); the 16-bit and backward kernels are the bodies of gelu_half_body.h and
 * gelu_backward_body.h. Tails use masked loads and stores or a zero-padded local buffer, so no
 * load or store leaves the arrays.
 */
#include <float.h>
#include <immintrin.h>
#include <math.h>

#include "gelu_internal.h"
#include "simd/gelu_simd_avx512.h"

#define GELU_ISA avx512
/* The first tier works on 8 vectors at once: its dependency chain (a division, the
   polynomials, exp) is long, and only interleaving independent vectors keeps both FMA pipes
   busy (1 vector: 0.7 Gelem/s for erf, 8: 1.26, measured with the C bench at n = 65536). */
#define GELU_FWD_NB 8
#define GELU_FWD_FIRST 1
#define GELU_FWD_CENTRAL 1
/* faithful: 4 registers (64 floats) a group: the Horner chains of the four overlap */
#define GELU_FWD_FNW 4
#define GELU_FWD_FTG 2
#define GELU_FWD_FMIX 1
#include "gelu_forward_kernels.h"

/* ---- the 16-bit and backward kernels: the bodies of gelu_half_body.h and gelu_backward_body.h ---- */

#define GELU_HALF_ISA avx512
#define GELU_HALF_NB 4         /* registers of floats a group holds */
#define GELU_HALF_INPUT_POLY 1 /* 16-bit inputs: the polynomial path (gelu_half_input.h) */
#include "gelu_half_body.h"
GELU_HALF_KERNELS

#define GELU_BWD_ISA avx512
#define GELU_BWD_NB 4 /* vectors a group interleaves, for the long dependency chain */
#define GELU_BWD_CENTRAL 1
#define GELU_BWD_PREFETCH 1
#include "gelu_backward_body.h"
GELU_BWD_KERNELS
