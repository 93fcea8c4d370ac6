/*
 * The one-lane wrapper: plain C for the baseline of every architecture (x86-64, AArch64), the
 * names and contracts of gelu_simd_avx512.h (read its comment) over double, float and
 * uint64_t. fma() is exactly specified by IEEE 754, so glibc's fma (one FMADD on AArch64)
 * gives the bits of the vector FMAs; the comparisons are the quiet ones (isless, ...), so min
 * and max are quiet too.
 */
#ifndef GELU_SIMD_SCALAR_H
#define GELU_SIMD_SCALAR_H

#include <math.h>

#define GELU_SIMD_ALWAYS inline __attribute__((always_inline))
#define GELU_VD_LANES 1
#define GELU_VW_LANES 1
#define GELU_VD_MINMAX_QUIET 1
#define GELU_VD_HAS_SCALEF 0

typedef double gelu_vd;
typedef float gelu_vf;
typedef float gelu_vw;
typedef uint64_t gelu_vi;
typedef int gelu_vidx;
typedef unsigned gelu_vm; /* 0 or 1 */

static GELU_SIMD_ALWAYS gelu_vd gelu_vd_set1(double v) { return v; }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_zero(void) { return 0.0; }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_add(gelu_vd a, gelu_vd b) { return a + b; }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_sub(gelu_vd a, gelu_vd b) { return a - b; }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_mul(gelu_vd a, gelu_vd b) { return a * b; }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_div(gelu_vd a, gelu_vd b) { return a / b; }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_fma(gelu_vd a, gelu_vd b, gelu_vd c) { return fma(a, b, c); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_fnma(gelu_vd a, gelu_vd b, gelu_vd c) { return fma(-a, b, c); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_fms(gelu_vd a, gelu_vd b, gelu_vd c) { return fma(a, b, -c); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_neg(gelu_vd a) { return -a; }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_abs(gelu_vd a) { return fabs(a); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_negabs(gelu_vd a) { return -fabs(a); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_min(gelu_vd a, gelu_vd b) { return __builtin_isless(a, b) ? a : b; }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_max(gelu_vd a, gelu_vd b) { return __builtin_isgreater(a, b) ? a : b; }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_min_quiet(gelu_vd a, gelu_vd b) { return gelu_vd_min(a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_max_quiet(gelu_vd a, gelu_vd b) { return gelu_vd_max(a, b); }

static GELU_SIMD_ALWAYS gelu_vm gelu_vd_lt(gelu_vd a, gelu_vd b) { return __builtin_isless(a, b); }
static GELU_SIMD_ALWAYS gelu_vm gelu_vd_le(gelu_vd a, gelu_vd b) { return __builtin_islessequal(a, b); }
static GELU_SIMD_ALWAYS gelu_vm gelu_vd_ge(gelu_vd a, gelu_vd b) { return __builtin_isgreaterequal(a, b); }
static GELU_SIMD_ALWAYS gelu_vm gelu_vd_eq(gelu_vd a, gelu_vd b) { return a == b; } /* == is quiet */
static GELU_SIMD_ALWAYS gelu_vm gelu_vd_ne(gelu_vd a, gelu_vd b) { return a != b; }
static GELU_SIMD_ALWAYS gelu_vm gelu_vm_from_bits(unsigned bits) { return bits & 1; }
static GELU_SIMD_ALWAYS unsigned gelu_vm_bits(gelu_vm m) { return m; }

static GELU_SIMD_ALWAYS gelu_vd gelu_vd_select(gelu_vm m, gelu_vd a, gelu_vd b) { return m ? a : b; }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_mask_mul(gelu_vd src, gelu_vm m, gelu_vd a, gelu_vd b)
{
    return m ? a * b : src;
}

static GELU_SIMD_ALWAYS gelu_vi gelu_vd_bits(gelu_vd a) { return gelu_bits64(a); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_from_bits(gelu_vi a) { return gelu_from_bits64(a); }
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_set1(long long v) { return (uint64_t)v; }
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_add(gelu_vi a, gelu_vi b) { return a + b; }
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_sub(gelu_vi a, gelu_vi b) { return a - b; }
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_and(gelu_vi a, gelu_vi b) { return a & b; }
#define gelu_vi_shl(a, count) ((gelu_vi)(a) << (count))
#define gelu_vi_shr(a, count) ((gelu_vi)(a) >> (count))

static GELU_SIMD_ALWAYS gelu_vidx gelu_vidx_trunc(gelu_vd a) { return (int)a; }
static GELU_SIMD_ALWAYS gelu_vidx gelu_vidx_min(gelu_vidx i, int n) { return i < n ? i : n; }
static GELU_SIMD_ALWAYS gelu_vd gelu_vidx_to_vd(gelu_vidx i) { return (double)i; }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_lookup16(const double *row, gelu_vidx i) { return row[i]; }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_lookup16_low_bits(const double *row, gelu_vd z)
{
    return row[gelu_bits64(z) & 15];
}

static GELU_SIMD_ALWAYS gelu_vd gelu_vf_to_vd(gelu_vf f) { return f; }
static GELU_SIMD_ALWAYS gelu_vf gelu_vd_to_vf(gelu_vd d) { return (float)d; }
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_loadu(const float *p) { return *p; }
static GELU_SIMD_ALWAYS void gelu_vf_storeu(float *p, gelu_vf v) { *p = v; }
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_load_first(const float *p, size_t n) { return n ? *p : 0.0f; }
static GELU_SIMD_ALWAYS void gelu_vf_store_first(float *p, size_t n, gelu_vf v)
{
    if (n)
        *p = v;
}
static GELU_SIMD_ALWAYS void gelu_vf_stream(float *p, gelu_vf v) { *p = v; }
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_select(gelu_vm m, gelu_vf a, gelu_vf b) { return m ? a : b; }
static GELU_SIMD_ALWAYS unsigned gelu_vf_bits_ne(gelu_vf a, gelu_vf b) { return gelu_bits32(a) != gelu_bits32(b); }

static GELU_SIMD_ALWAYS gelu_vw gelu_vw_loadu(const float *p) { return *p; }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_set1(float v) { return v; }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_abs(gelu_vw a) { return fabsf(a); }
static GELU_SIMD_ALWAYS unsigned gelu_vw_lt(gelu_vw a, gelu_vw b) { return __builtin_isless(a, b); }
static GELU_SIMD_ALWAYS unsigned gelu_vw_le(gelu_vw a, gelu_vw b) { return __builtin_islessequal(a, b); }
static GELU_SIMD_ALWAYS unsigned gelu_vw_ge(gelu_vw a, gelu_vw b) { return __builtin_isgreaterequal(a, b); }
static GELU_SIMD_ALWAYS unsigned gelu_vw_nge(gelu_vw a, gelu_vw b) { return !__builtin_isgreaterequal(a, b); }

/* for reading, into every cache level (x86-64: prefetcht0, as the vector wrappers' _mm_prefetch) */
static GELU_SIMD_ALWAYS void gelu_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }
static GELU_SIMD_ALWAYS void gelu_sfence(void) {}

/* ---- the backward kernels: the names of gelu_simd_avx512.h's section they use ---- */
typedef unsigned gelu_vfm; /* 0 or 1 */

static GELU_SIMD_ALWAYS gelu_vf gelu_vf_mul(gelu_vf a, gelu_vf b) { return a * b; }
static GELU_SIMD_ALWAYS gelu_vfm gelu_vf_isnan(gelu_vf a) { return a != a; }
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_blend(gelu_vfm m, gelu_vf a, gelu_vf b) { return m ? a : b; }
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_from_bits(uint32_t u) { return gelu_from_bits32(u); }
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_quiet(gelu_vf a) { return gelu_from_bits32(gelu_bits32(a) | 0x00400000u); }
static GELU_SIMD_ALWAYS unsigned gelu_vi_le(gelu_vi a, gelu_vi b) { return a <= b; }

#endif
