/*
 * The SIMD wrapper for AVX-512 (F, DQ, VL, BW): eight doubles a vector. One of three headers
 * with the same names (gelu_simd_scalar.h, gelu_simd_avx2.h, this one) over which the kernel
 * bodies are written once; the only place in the forward kernels where intrinsics appear.
 * Include it from a file compiled with the AVX-512 flags (CMakeLists.txt), after gelu_internal.h.
 *
 * The names, common to every wrapper:
 *   gelu_vd   doubles, GELU_VD_LANES of them     gelu_vf   as many floats (a half register here)
 *   gelu_vw   floats filling a register, GELU_VW_LANES of them (the checks over whole groups)
 *   gelu_vi   64-bit integers, one a double lane  gelu_vidx a table index per double lane
 *   gelu_vm   a lane mask of gelu_vd; masks as plain bits (unsigned, lane j = bit j) where the
 *             kernels only test or iterate them
 * Capabilities, 0 or 1: GELU_VD_MINMAX_QUIET (min/max raise nothing on a quiet NaN; else the
 * bodies keep NaN away from them), GELU_VD_HAS_SCALEF (gelu_vd_scalef exists).
 * min(a, b) and max(a, b) return b when either is NaN, and for two zeros (as vminpd/vmaxpd do).
 */
#ifndef GELU_SIMD_AVX512_H
#define GELU_SIMD_AVX512_H

#include <immintrin.h>

#define GELU_SIMD_ALWAYS inline __attribute__((always_inline))
#define GELU_VD_LANES 8
#define GELU_VW_LANES 16
#define GELU_VD_MINMAX_QUIET 1 /* {sae} */
#define GELU_VD_HAS_SCALEF 1

typedef __m512d gelu_vd;
typedef __m256 gelu_vf;
typedef __m512 gelu_vw;
typedef __m512i gelu_vi;
typedef __m512i gelu_vidx;
typedef __mmask8 gelu_vm;

/* arithmetic; fma(a, b, c) = a b + c, fnma = c - a b, fms = a b - c, each rounded once */
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_set1(double v) { return _mm512_set1_pd(v); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_zero(void) { return _mm512_setzero_pd(); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_add(gelu_vd a, gelu_vd b) { return _mm512_add_pd(a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_sub(gelu_vd a, gelu_vd b) { return _mm512_sub_pd(a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_mul(gelu_vd a, gelu_vd b) { return _mm512_mul_pd(a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_div(gelu_vd a, gelu_vd b) { return _mm512_div_pd(a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_fma(gelu_vd a, gelu_vd b, gelu_vd c) { return _mm512_fmadd_pd(a, b, c); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_fnma(gelu_vd a, gelu_vd b, gelu_vd c) { return _mm512_fnmadd_pd(a, b, c); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_fms(gelu_vd a, gelu_vd b, gelu_vd c) { return _mm512_fmsub_pd(a, b, c); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_neg(gelu_vd a) { return _mm512_xor_pd(a, _mm512_set1_pd(-0.0)); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_abs(gelu_vd a) { return _mm512_abs_pd(a); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_negabs(gelu_vd a) { return _mm512_or_pd(a, _mm512_set1_pd(-0.0)); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_min(gelu_vd a, gelu_vd b)
{
    return _mm512_min_round_pd(a, b, _MM_FROUND_NO_EXC);
}
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_max(gelu_vd a, gelu_vd b)
{
    return _mm512_max_round_pd(a, b, _MM_FROUND_NO_EXC);
}
/* the same, quiet on every ISA (here the same instruction) */
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_min_quiet(gelu_vd a, gelu_vd b) { return gelu_vd_min(a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_max_quiet(gelu_vd a, gelu_vd b) { return gelu_vd_max(a, b); }
/* a 2^floor(b), exact where the result is normal */
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_scalef(gelu_vd a, gelu_vd b) { return _mm512_scalef_pd(a, b); }

/* quiet compares (a NaN lane is false, except ne: true), to masks; masks */
static GELU_SIMD_ALWAYS gelu_vm gelu_vd_lt(gelu_vd a, gelu_vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
static GELU_SIMD_ALWAYS gelu_vm gelu_vd_le(gelu_vd a, gelu_vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_LE_OQ); }
static GELU_SIMD_ALWAYS gelu_vm gelu_vd_ge(gelu_vd a, gelu_vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_GE_OQ); }
static GELU_SIMD_ALWAYS gelu_vm gelu_vd_eq(gelu_vd a, gelu_vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_EQ_OQ); }
static GELU_SIMD_ALWAYS gelu_vm gelu_vd_ne(gelu_vd a, gelu_vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_NEQ_UQ); }
static GELU_SIMD_ALWAYS gelu_vm gelu_vm_from_bits(unsigned bits) { return (gelu_vm)bits; }
static GELU_SIMD_ALWAYS unsigned gelu_vm_bits(gelu_vm m) { return _cvtmask8_u32(m); }

/* m ? a : b per lane; m ? a b : src, where a lane outside m computes nothing (raises nothing) */
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_select(gelu_vm m, gelu_vd a, gelu_vd b)
{
    return _mm512_mask_blend_pd(m, b, a);
}
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_mask_mul(gelu_vd src, gelu_vm m, gelu_vd a, gelu_vd b)
{
    return _mm512_mask_mul_pd(src, m, a, b);
}

/* 64-bit integer lanes and the bits of doubles */
static GELU_SIMD_ALWAYS gelu_vi gelu_vd_bits(gelu_vd a) { return _mm512_castpd_si512(a); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_from_bits(gelu_vi a) { return _mm512_castsi512_pd(a); }
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_set1(long long v) { return _mm512_set1_epi64(v); }
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_add(gelu_vi a, gelu_vi b) { return _mm512_add_epi64(a, b); }
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_sub(gelu_vi a, gelu_vi b) { return _mm512_sub_epi64(a, b); }
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_and(gelu_vi a, gelu_vi b) { return _mm512_and_si512(a, b); }
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_or(gelu_vi a, gelu_vi b) { return _mm512_or_si512(a, b); }
#define gelu_vi_shl(a, count) _mm512_slli_epi64((a), (count))
#define gelu_vi_shr(a, count) _mm512_srli_epi64((a), (count)) /* logical */

/* the 16-entry tables (64-byte aligned rows): by a truncated index, or by the low 4 bits of a double */
static GELU_SIMD_ALWAYS gelu_vidx gelu_vidx_trunc(gelu_vd a) { return _mm512_cvttpd_epi64(a); }
static GELU_SIMD_ALWAYS gelu_vidx gelu_vidx_min(gelu_vidx i, int n)
{
    return _mm512_min_epi64(i, _mm512_set1_epi64(n));
}
static GELU_SIMD_ALWAYS gelu_vd gelu_vidx_to_vd(gelu_vidx i) { return _mm512_cvtepi64_pd(i); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_lookup16(const double *row, gelu_vidx i)
{
    return _mm512_permutex2var_pd(_mm512_load_pd(row), i, _mm512_load_pd(row + 8));
}
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_lookup16_low_bits(const double *row, gelu_vd z)
{
    return gelu_vd_lookup16(row, _mm512_castpd_si512(z)); /* the permute reads only the low 4 bits */
}

/* piece k of a central tier's table (k the low 4 bits of a double: 16 pieces), the table
   coefficient-major (16 entries a coefficient; `row`, the piece-major layout's row length, is
   for the ISAs that read rows): coefficient j by one permute, j and j + 1 by two */
#define GELU_VD_PIECE_ROWS 0
typedef gelu_vd gelu_vd_piece;
static GELU_SIMD_ALWAYS gelu_vd_piece gelu_vd_piece_low_bits(const double *tab, int pieces, int row, gelu_vd z)
{
    (void)tab, (void)pieces, (void)row;
    return z;
}
/* piece i of such a table by a lane's index (gelu_vidx_trunc) */
static GELU_SIMD_ALWAYS gelu_vd_piece gelu_vd_piece_index(const double *tab, int row, gelu_vidx i)
{
    (void)tab, (void)row;
    return _mm512_castsi512_pd(i);
}
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_piece_one(gelu_vd_piece k, const double *tab, int j)
{
    return gelu_vd_lookup16_low_bits(tab + 16 * j, k);
}
static GELU_SIMD_ALWAYS void gelu_vd_piece_pair(gelu_vd_piece k, const double *tab, int j, gelu_vd *cj, gelu_vd *cj1)
{
    *cj = gelu_vd_piece_one(k, tab, j);
    *cj1 = gelu_vd_piece_one(k, tab, j + 1);
}

/* floats: conversions (exact widening; narrowing rounds to nearest), memory, bit compares */
static GELU_SIMD_ALWAYS gelu_vd gelu_vf_to_vd(gelu_vf f) { return _mm512_cvtps_pd(f); }
static GELU_SIMD_ALWAYS gelu_vf gelu_vd_to_vf(gelu_vd d) { return _mm512_cvtpd_ps(d); }
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_loadu(const float *p) { return _mm256_loadu_ps(p); }
static GELU_SIMD_ALWAYS void gelu_vf_storeu(float *p, gelu_vf v) { _mm256_storeu_ps(p, v); }
/* the first n lanes (n <= GELU_VD_LANES), the others 0 / untouched; never touches memory past them */
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_load_first(const float *p, size_t n)
{
    return _mm256_maskz_loadu_ps((__mmask8)((1u << n) - 1), p);
}
static GELU_SIMD_ALWAYS void gelu_vf_store_first(float *p, size_t n, gelu_vf v)
{
    _mm256_mask_storeu_ps(p, (__mmask8)((1u << n) - 1), v);
}
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_select(gelu_vm m, gelu_vf a, gelu_vf b)
{
    return _mm256_mask_blend_ps(m, b, a);
}
/* the lanes whose bits differ (a vector compare and vmovmskps: gcc 12 may spill a mask
   register's 8 bits and reload 32, garbage above, when a __mmask8 becomes an unsigned) */
static GELU_SIMD_ALWAYS unsigned gelu_vf_bits_ne(gelu_vf a, gelu_vf b)
{
    __m256i eq = _mm256_cmpeq_epi32(_mm256_castps_si256(a), _mm256_castps_si256(b));
    return (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(eq)) ^ 0xFFu;
}

/* full-width floats, for checks over a group of lanes: quiet compares to bits */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_loadu(const float *p) { return _mm512_loadu_ps(p); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_set1(float v) { return _mm512_set1_ps(v); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_abs(gelu_vw a) { return _mm512_abs_ps(a); }
static GELU_SIMD_ALWAYS unsigned gelu_vw_lt(gelu_vw a, gelu_vw b)
{
    return _cvtmask16_u32(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ));
}
static GELU_SIMD_ALWAYS unsigned gelu_vw_le(gelu_vw a, gelu_vw b)
{
    return _cvtmask16_u32(_mm512_cmp_ps_mask(a, b, _CMP_LE_OQ));
}
static GELU_SIMD_ALWAYS unsigned gelu_vw_ge(gelu_vw a, gelu_vw b)
{
    return _cvtmask16_u32(_mm512_cmp_ps_mask(a, b, _CMP_GE_OQ));
}
/* !(a >= b): true for a NaN lane */
static GELU_SIMD_ALWAYS unsigned gelu_vw_nge(gelu_vw a, gelu_vw b)
{
    return _cvtmask16_u32(_mm512_cmp_ps_mask(a, b, _CMP_NGE_UQ));
}

static GELU_SIMD_ALWAYS void gelu_prefetch(const void *p) { _mm_prefetch((const char *)p, _MM_HINT_T0); }

/* ---- the 16-bit and backward kernels (gelu_half_body.h, gelu_backward_body.h) ----
 * gelu_vfm  a lane mask of gelu_vf          gelu_vwi  32-bit integers, one a gelu_vw lane
 * gelu_vh   16-bit values, one a gelu_vw lane
 * Integer compares return lane bits (by _cvtmask, as above); gelu_vwi_le and gelu_vi_le are for
 * lanes below 2^31 and 2^63 (AVX2 compares signed). gelu_vw_min and gelu_vw_max are the instructions: b when either
 * is NaN, and for two zeros. */
typedef __mmask8 gelu_vfm;
typedef __m512i gelu_vwi;
typedef __m256i gelu_vh;

static GELU_SIMD_ALWAYS gelu_vf gelu_vf_mul(gelu_vf a, gelu_vf b) { return _mm256_mul_ps(a, b); }
static GELU_SIMD_ALWAYS gelu_vfm gelu_vf_isnan(gelu_vf a) { return _mm256_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_blend(gelu_vfm m, gelu_vf a, gelu_vf b)
{
    return _mm256_mask_blend_ps(m, b, a);
}
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_from_bits(uint32_t u) { return _mm256_castsi256_ps(_mm256_set1_epi32((int)u)); }
/* a with its quiet bit set (a quieted NaN) */
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_quiet(gelu_vf a) { return _mm256_or_ps(a, gelu_vf_from_bits(0x00400000u)); }
static GELU_SIMD_ALWAYS unsigned gelu_vi_le(gelu_vi a, gelu_vi b)
{
    return _cvtmask8_u32(_mm512_cmple_epu64_mask(a, b));
}

static GELU_SIMD_ALWAYS gelu_vw gelu_vw_zero(void) { return _mm512_setzero_ps(); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_sub(gelu_vw a, gelu_vw b) { return _mm512_sub_ps(a, b); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_add(gelu_vw a, gelu_vw b) { return _mm512_add_ps(a, b); }
/* to the nearest integer (ties to even); a 2^n for an integer n with 2^n and the result normal */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_round(gelu_vw a)
{
    return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_scalef(gelu_vw a, gelu_vw n) { return _mm512_scalef_ps(a, n); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_mul(gelu_vw a, gelu_vw b) { return _mm512_mul_ps(a, b); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_fma(gelu_vw a, gelu_vw b, gelu_vw c) { return _mm512_fmadd_ps(a, b, c); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_fnma(gelu_vw a, gelu_vw b, gelu_vw c) { return _mm512_fnmadd_ps(a, b, c); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_fms(gelu_vw a, gelu_vw b, gelu_vw c) { return _mm512_fmsub_ps(a, b, c); }
/* a where bit i of m is set, else b */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_select(unsigned m, gelu_vw a, gelu_vw b)
{
    return _mm512_mask_blend_ps((__mmask16)m, b, a);
}
/* c where a >= b (a quiet compare: a NaN lane gets d), else d: one compare and blend where a mask
   to bits and back would cost more (AVX2) */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_select_ge(gelu_vw a, gelu_vw b, gelu_vw c, gelu_vw d)
{
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_GE_OQ), d, c);
}
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_quiet(gelu_vw a)
{
    return _mm512_or_ps(a, _mm512_castsi512_ps(_mm512_set1_epi32(0x00400000)));
}
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_min(gelu_vw a, gelu_vw b) { return _mm512_min_ps(a, b); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_max(gelu_vw a, gelu_vw b) { return _mm512_max_ps(a, b); }
static GELU_SIMD_ALWAYS void gelu_vw_storeu(float *p, gelu_vw v) { _mm512_storeu_ps(p, v); }
/* the 32-entry tables (64-byte aligned rows), by a truncated index */
static GELU_SIMD_ALWAYS gelu_vwi gelu_vw_trunc(gelu_vw a) { return _mm512_cvttps_epi32(a); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vwi_to_vw(gelu_vwi i) { return _mm512_cvtepi32_ps(i); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_lookup32(const float *row, gelu_vwi i)
{
    return _mm512_permutex2var_ps(_mm512_load_ps(row), i, _mm512_load_ps(row + 16));
}
/* The 16-bit-input polynomial path's names (gelu_half_input.h, GELU_HALF_INPUT_POLY; an ISA
   whose wrapper lacks them keeps the table): a lookup by the low 5 bits of each lane of i (the
   permute reads no others) */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_lookup32_low_bits(const float *row, gelu_vwi i)
{
    return gelu_vw_lookup32(row, i);
}
/* a + b rounded up; a - ceil(a 2^g) 2^-g, exact (vreduceps, g an immediate), for a >= 0 */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_add_up(gelu_vw a, gelu_vw b)
{
    return _mm512_add_round_ps(a, b, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC);
}
#define gelu_vw_less_ceil(a, g) _mm512_reduce_ps((a), ((g) << 4) | _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC)
/* v with the 16-bit lanes of m from p (the others of p not read) */
static GELU_SIMD_ALWAYS gelu_vh gelu_vh_patch(gelu_vh v, unsigned m, const uint16_t *p)
{
    return _mm256_mask_loadu_epi16(v, (__mmask16)m, p);
}
/* a with the sign of s; the lanes of m kept, the others zero */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_copysign(gelu_vw a, gelu_vw s)
{
    __m512i sign = _mm512_set1_epi32((int)0x80000000u); /* sign ? s : a, bitwise */
    return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(sign, _mm512_castps_si512(s), _mm512_castps_si512(a), 0xCA));
}
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_keep(unsigned m, gelu_vw v) { return _mm512_maskz_mov_ps((__mmask16)m, v); }
/* the 8 entries of piece i of a table of 32 pieces, coefficient-major (cm) or piece-major (pm):
   here eight permutes of cm */
static GELU_SIMD_ALWAYS void gelu_vw_lookup_piece(const float (*cm)[32], const float (*pm)[8], gelu_vwi i, gelu_vw *out)
{
    (void)pm;
    _Pragma("GCC unroll 8")
    for (int j = 0; j < 8; j++)
        out[j] = gelu_vw_lookup32(cm[j], i);
}
static GELU_SIMD_ALWAYS gelu_vwi gelu_vw_bits(gelu_vw a) { return _mm512_castps_si512(a); }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_set1(int v) { return _mm512_set1_epi32(v); }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_add(gelu_vwi a, gelu_vwi b) { return _mm512_add_epi32(a, b); }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_and(gelu_vwi a, gelu_vwi b) { return _mm512_and_si512(a, b); }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_or(gelu_vwi a, gelu_vwi b) { return _mm512_or_si512(a, b); }
#define gelu_vwi_shr(a, count) _mm512_srli_epi32((a), (count)) /* logical */
#define gelu_vwi_shl(a, count) _mm512_slli_epi32((a), (count))
static GELU_SIMD_ALWAYS gelu_vw gelu_vwi_as_vw(gelu_vwi a) { return _mm512_castsi512_ps(a); }
/* unsigned */
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_min_u(gelu_vwi a, gelu_vwi b) { return _mm512_min_epu32(a, b); }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_max_u(gelu_vwi a, gelu_vwi b) { return _mm512_max_epu32(a, b); }
static GELU_SIMD_ALWAYS unsigned gelu_vwi_le(gelu_vwi a, gelu_vwi b)
{
    return _cvtmask16_u32(_mm512_cmple_epu32_mask(a, b));
}
static GELU_SIMD_ALWAYS unsigned gelu_vwi_eq(gelu_vwi a, gelu_vwi b)
{
    return _cvtmask16_u32(_mm512_cmpeq_epi32_mask(a, b));
}
/* lo <= a < hi, for a, lo and hi in [0, 2^31) */
static GELU_SIMD_ALWAYS unsigned gelu_vwi_in_range(gelu_vwi a, int lo, int hi)
{
    return _cvtmask16_u32(
        _mm512_cmplt_epu32_mask(_mm512_sub_epi32(a, _mm512_set1_epi32(lo)), _mm512_set1_epi32(hi - lo)));
}
/* 16-bit values: the low halves of 32-bit lanes below 2^16; floats rounded to f16 (nearest);
   memory; exact widening of bf16 and f16 */
static GELU_SIMD_ALWAYS gelu_vh gelu_vwi_narrow16(gelu_vwi a) { return _mm512_cvtepi32_epi16(a); }
static GELU_SIMD_ALWAYS gelu_vh gelu_vw_to_f16(gelu_vw a)
{
    return _mm512_cvtps_ph(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
static GELU_SIMD_ALWAYS gelu_vh gelu_vh_loadu(const void *p) { return _mm256_loadu_si256((const __m256i *)p); }
static GELU_SIMD_ALWAYS void gelu_vh_storeu(uint16_t *p, gelu_vh v) { _mm256_storeu_si256((__m256i *)p, v); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vh_f16_to_vw(gelu_vh h) { return _mm512_cvtph_ps(h); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vh_bf16_to_vw(gelu_vh h)
{
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

/* gelu_vh2: 32 16-bit values, two registers' worth (GELU_VH2_PAIRS 1: this wrapper has them);
   memory; bf16 values widened to floats two registers at a
   time, the even elements and the odd ones; the high halves of the lanes of e and o back in
   memory order (e's at the even elements); v with the lanes of m from p (the others of p not
   read); the values whose bits without the sign exceed m, as bits in memory order */
#define GELU_VH2_PAIRS 1
typedef __m512i gelu_vh2;
static GELU_SIMD_ALWAYS gelu_vh2 gelu_vh2_loadu(const uint16_t *p) { return _mm512_loadu_si512((const void *)p); }
static GELU_SIMD_ALWAYS void gelu_vh2_storeu(uint16_t *p, gelu_vh2 v) { _mm512_storeu_si512((void *)p, v); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vh2_bf16_even(gelu_vh2 h) { return _mm512_castsi512_ps(_mm512_slli_epi32(h, 16)); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vh2_bf16_odd(gelu_vh2 h)
{
    return _mm512_castsi512_ps(_mm512_and_si512(h, _mm512_set1_epi32((int)0xFFFF0000u)));
}
static GELU_SIMD_ALWAYS gelu_vh2 gelu_vh2_join_high(gelu_vwi e, gelu_vwi o)
{
    /* (e >> 16) | (o & 0xFFFF0000) */
    return _mm512_ternarylogic_epi32(_mm512_srli_epi32(e, 16), o, _mm512_set1_epi32((int)0xFFFF0000u), 0xF8);
}
static GELU_SIMD_ALWAYS gelu_vh2 gelu_vh2_patch(gelu_vh2 v, uint32_t m, const uint16_t *p)
{
    return _mm512_mask_loadu_epi16(v, (__mmask32)m, p);
}
static GELU_SIMD_ALWAYS uint32_t gelu_vh2_abs_above(gelu_vh2 h, int m)
{
    __m512i a = _mm512_and_si512(h, _mm512_set1_epi16(0x7FFF));
    return _cvtmask32_u32(_mm512_cmpgt_epu16_mask(a, _mm512_set1_epi16((short)m)));
}
/* the lanes with lo <= h < hi (unsigned); the value v, or v's lanes, to p's lanes of m; v | b */
static GELU_SIMD_ALWAYS uint32_t gelu_vh2_in_range(gelu_vh2 h, int lo, int hi)
{
    return _cvtmask32_u32(_mm512_cmplt_epu16_mask(_mm512_sub_epi16(h, _mm512_set1_epi16((short)lo)),
                                                  _mm512_set1_epi16((short)(hi - lo))));
}
static GELU_SIMD_ALWAYS void gelu_vh2_fill(uint16_t *p, uint32_t m, int v)
{
    _mm512_mask_storeu_epi16(p, (__mmask32)m, _mm512_set1_epi16((short)v));
}
static GELU_SIMD_ALWAYS void gelu_vh2_store_lanes(uint16_t *p, uint32_t m, gelu_vh2 v)
{
    _mm512_mask_storeu_epi16(p, (__mmask32)m, v);
}
static GELU_SIMD_ALWAYS gelu_vh2 gelu_vh2_or(gelu_vh2 v, int b)
{
    return _mm512_or_si512(v, _mm512_set1_epi16((short)b));
}
/* the lanes whose bits without the sign are 1 or above m, m odd: v = |h| ^ 1 swaps 0 and 1 and
   keeps [2, m] (m odd: pairs 2k, 2k + 1 stay together), so those are the lanes with v - 1 >= m */
static GELU_SIMD_ALWAYS uint32_t gelu_vh2_abs_one_or_above(gelu_vh2 h, int m)
{
    __m512i v = _mm512_ternarylogic_epi32(h, _mm512_set1_epi16(0x7FFF), _mm512_set1_epi16(1), 0x6A); /* (h & b) ^ c */
    return _cvtmask32_u32(
        _mm512_cmpge_epu16_mask(_mm512_sub_epi16(v, _mm512_set1_epi16(1)), _mm512_set1_epi16((short)m)));
}

/* a register of floats as two of gelu_vf, its low and high halves (the double paths take one
   at a time), and back */
static GELU_SIMD_ALWAYS gelu_vf gelu_vw_lo(gelu_vw v) { return _mm512_castps512_ps256(v); }
static GELU_SIMD_ALWAYS gelu_vf gelu_vw_hi(gelu_vw v) { return _mm512_extractf32x8_ps(v, 1); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_join(gelu_vf lo, gelu_vf hi)
{
    return _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1);
}
/* a 65,536-entry float table indexed by 16-bit values: sixteen loads, faster than vgatherdps
   here (gelu_cbench, the bf16 backward, n = 65536: 2.37 against 1.80 Gelem/s) */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_lookup_h(const float *table, gelu_vh i)
{
    uint16_t k[16];
    _mm256_storeu_si256((__m256i *)k, i);
    return _mm512_setr_ps(table[k[0]], table[k[1]], table[k[2]], table[k[3]], table[k[4]], table[k[5]], table[k[6]],
                          table[k[7]], table[k[8]], table[k[9]], table[k[10]], table[k[11]], table[k[12]], table[k[13]],
                          table[k[14]], table[k[15]]);
}

/* the lanes of m in lane order, to p[0 .. popcount(m)): GELU_VW_LANES entries written; the
   floats of v, or the lane numbers plus `at`; returns the count */
static GELU_SIMD_ALWAYS unsigned gelu_vw_compress(float *p, unsigned m, gelu_vw v)
{
    _mm512_storeu_ps(p, _mm512_maskz_compress_ps((__mmask16)m, v));
    return (unsigned)__builtin_popcount(m);
}
static GELU_SIMD_ALWAYS void gelu_lanes_compress(uint32_t *p, unsigned m, unsigned at)
{
    __m512i lanes = _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                     _mm512_set1_epi32((int)at));
    _mm512_storeu_si512(p, _mm512_maskz_compress_epi32((__mmask16)m, lanes));
}
/* v with the lanes of m, in lane order, from p[0 .. popcount(m)); reads p[0 .. 16) (the
   register form: the memory form is microcoded on Zen 4) */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_expand(gelu_vw v, unsigned m, const float *p)
{
    __m512 w = _mm512_loadu_ps(p);
    __asm__("" : "+v"(w)); /* keeps gcc from folding the load into the memory form */
    return _mm512_mask_expand_ps(v, (__mmask16)m, w);
}

#endif
