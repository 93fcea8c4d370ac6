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
#include <string.h>

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
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_or(gelu_vi a, gelu_vi b) { return a | b; }
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

/* ---- the backward kernels: the names of gelu_simd_avx512.h's section they use ---- */
typedef unsigned gelu_vfm; /* 0 or 1 */

static GELU_SIMD_ALWAYS gelu_vf gelu_vf_mul(gelu_vf a, gelu_vf b) { return a * b; }
static GELU_SIMD_ALWAYS gelu_vfm gelu_vf_isnan(gelu_vf a) { return a != a; }
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_blend(gelu_vfm m, gelu_vf a, gelu_vf b) { return m ? a : b; }
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_from_bits(uint32_t u) { return gelu_from_bits32(u); }
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_quiet(gelu_vf a) { return gelu_from_bits32(gelu_bits32(a) | 0x00400000u); }
static GELU_SIMD_ALWAYS unsigned gelu_vi_le(gelu_vi a, gelu_vi b) { return a <= b; }

/* the 16-bit kernels: full "registers" of one float, its bits, one 16-bit value */
typedef uint32_t gelu_vwi;
typedef uint16_t gelu_vh;

static GELU_SIMD_ALWAYS gelu_vw gelu_vw_zero(void) { return 0.0f; }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_sub(gelu_vw a, gelu_vw b) { return a - b; }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_add(gelu_vw a, gelu_vw b) { return a + b; }
/* to the nearest integer (ties to even); a 2^n for an integer n with 2^n and the result normal */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_round(gelu_vw a) { return (a + 0x1.8p23f) - 0x1.8p23f /* |a| < 2^22 here */; }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_scalef(gelu_vw a, gelu_vw n)
{
    return a * gelu_from_bits32((uint32_t)((int32_t)n + 127) << 23);
}
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_mul(gelu_vw a, gelu_vw b) { return a * b; }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_fma(gelu_vw a, gelu_vw b, gelu_vw c) { return fmaf(a, b, c); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_fnma(gelu_vw a, gelu_vw b, gelu_vw c) { return fmaf(-a, b, c); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_fms(gelu_vw a, gelu_vw b, gelu_vw c) { return fmaf(a, b, -c); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_select(unsigned m, gelu_vw a, gelu_vw b) { return m & 1 ? a : b; }
/* c where a >= b (a quiet compare: a NaN lane gets d), else d: one compare and blend where a mask
   to bits and back would cost more (AVX2) */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_select_ge(gelu_vw a, gelu_vw b, gelu_vw c, gelu_vw d)
{
    return __builtin_isgreaterequal(a, b) ? c : d;
}
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_quiet(gelu_vw a) { return gelu_from_bits32(gelu_bits32(a) | 0x00400000u); }
/* as vminps/vmaxps: b when either is NaN, and for two zeros */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_min(gelu_vw a, gelu_vw b) { return __builtin_isless(a, b) ? a : b; }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_max(gelu_vw a, gelu_vw b) { return __builtin_isgreater(a, b) ? a : b; }
static GELU_SIMD_ALWAYS void gelu_vw_storeu(float *p, gelu_vw v) { *p = v; }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vw_trunc(gelu_vw a) { return (gelu_vwi)(int32_t)a; }
static GELU_SIMD_ALWAYS gelu_vw gelu_vwi_to_vw(gelu_vwi i) { return (float)(int32_t)i; }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_lookup32(const float *row, gelu_vwi i) { return row[i & 31]; }
/* the 8 entries of piece i of a table of 32 pieces, coefficient-major (cm) or piece-major (pm) */
static GELU_SIMD_ALWAYS void gelu_vw_lookup_piece(const float (*cm)[32], const float (*pm)[8], gelu_vwi i, gelu_vw *out)
{
    (void)cm;
    _Pragma("GCC unroll 8")
    for (int j = 0; j < 8; j++)
        out[j] = pm[i & 31][j];
}
static GELU_SIMD_ALWAYS gelu_vwi gelu_vw_bits(gelu_vw a) { return gelu_bits32(a); }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_set1(int v) { return (gelu_vwi)v; }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_add(gelu_vwi a, gelu_vwi b) { return a + b; }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_and(gelu_vwi a, gelu_vwi b) { return a & b; }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_or(gelu_vwi a, gelu_vwi b) { return a | b; }
#define gelu_vwi_shr(a, count) ((gelu_vwi)(a) >> (count))
#define gelu_vwi_shl(a, count) ((gelu_vwi)(a) << (count))
static GELU_SIMD_ALWAYS gelu_vw gelu_vwi_as_vw(gelu_vwi a) { return gelu_from_bits32(a); }
/* unsigned */
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_min_u(gelu_vwi a, gelu_vwi b) { return a < b ? a : b; }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_max_u(gelu_vwi a, gelu_vwi b) { return a > b ? a : b; }
static GELU_SIMD_ALWAYS unsigned gelu_vwi_le(gelu_vwi a, gelu_vwi b) { return a <= b; }
static GELU_SIMD_ALWAYS unsigned gelu_vwi_eq(gelu_vwi a, gelu_vwi b) { return a == b; }
static GELU_SIMD_ALWAYS unsigned gelu_vwi_in_range(gelu_vwi a, int lo, int hi)
{
    return a - (gelu_vwi)lo < (gelu_vwi)(hi - lo);
}
static GELU_SIMD_ALWAYS gelu_vh gelu_vwi_narrow16(gelu_vwi a) { return (gelu_vh)a; }
/*
 * A float rounded to f16, to nearest even, as vcvtps2ph does: beyond 65520 infinity, the
 * subnormals rounded at 2^-24, a NaN quieted with its sign and top payload bits.
 */
static GELU_SIMD_ALWAYS gelu_vh gelu_vw_to_f16(gelu_vw a)
{
    uint32_t b = gelu_bits32(a), sign = (b >> 16) & 0x8000u, mag = b & 0x7FFFFFFFu;
    if (mag > 0x7F800000u)
        return (gelu_vh)(sign | 0x7E00u | ((mag >> 13) & 0x3FFu));
    if (mag >= 0x477FF000u) /* 65520 and above, infinity included */
        return (gelu_vh)(sign | 0x7C00u);
    if (mag < 0x38800000u) {       /* below 2^-14: a multiple of 2^-24, rounded by the float addition */
        float r = fabsf(a) + 0.5f; /* 0.5 = 2^23 * 2^-24: the sum's last place is 2^-24 */
        return (gelu_vh)(sign | (gelu_bits32(r) - 0x3F000000u));
    }
    uint32_t m = mag + 0xFFFu + ((mag >> 13) & 1); /* ties to even; a carry moves into the exponent */
    return (gelu_vh)(sign | ((m >> 13) - (112u << 10)));
}
static GELU_SIMD_ALWAYS gelu_vh gelu_vh_loadu(const void *p)
{
    gelu_vh h;
    memcpy(&h, p, sizeof h);
    return h;
}
static GELU_SIMD_ALWAYS void gelu_vh_storeu(uint16_t *p, gelu_vh v) { *p = v; }
static GELU_SIMD_ALWAYS gelu_vw gelu_vh_f16_to_vw(gelu_vh h) { return gelu_f16_to_f32(h); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vh_bf16_to_vw(gelu_vh h) { return gelu_bf16_to_f32(h); }
/* the register as its halves: one lane is its own low half, and the high half is unused */
static GELU_SIMD_ALWAYS gelu_vf gelu_vw_lo(gelu_vw v) { return v; }
static GELU_SIMD_ALWAYS gelu_vf gelu_vw_hi(gelu_vw v) { return v; }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_join(gelu_vf lo, gelu_vf hi)
{
    (void)hi;
    return lo;
}
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_lookup_h(const float *table, gelu_vh i) { return table[i]; }

#include "gelu_simd_lanes.h" /* gelu_vw_compress, gelu_lanes_compress, gelu_vd_piece_* */

#endif
