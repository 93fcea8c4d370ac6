/*
 * The SIMD wrapper for AVX2 + FMA (+ F16C): four doubles a vector; the names and their
 * contracts are gelu_simd_avx512.h's (read its comment). Tables are read by gathers; masks are
 * vectors of all-ones lanes. vminpd/vmaxpd raise invalid on a quiet NaN, so min/max are not
 * quiet here (GELU_VD_MINMAX_QUIET 0); min_quiet/max_quiet compare and blend instead.
 */
#ifndef GELU_SIMD_AVX2_H
#define GELU_SIMD_AVX2_H

#include <immintrin.h>

#define GELU_SIMD_ALWAYS inline __attribute__((always_inline))
#define GELU_VD_LANES 4
#define GELU_VW_LANES 8
#define GELU_VD_MINMAX_QUIET 0
#define GELU_VD_HAS_SCALEF 0

typedef __m256d gelu_vd;
typedef __m128 gelu_vf;
typedef __m256 gelu_vw;
typedef __m256i gelu_vi;
typedef __m128i gelu_vidx;
typedef __m256d gelu_vm;

static GELU_SIMD_ALWAYS gelu_vd gelu_vd_set1(double v) { return _mm256_set1_pd(v); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_zero(void) { return _mm256_setzero_pd(); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_add(gelu_vd a, gelu_vd b) { return _mm256_add_pd(a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_sub(gelu_vd a, gelu_vd b) { return _mm256_sub_pd(a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_mul(gelu_vd a, gelu_vd b) { return _mm256_mul_pd(a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_div(gelu_vd a, gelu_vd b) { return _mm256_div_pd(a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_fma(gelu_vd a, gelu_vd b, gelu_vd c) { return _mm256_fmadd_pd(a, b, c); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_fnma(gelu_vd a, gelu_vd b, gelu_vd c) { return _mm256_fnmadd_pd(a, b, c); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_fms(gelu_vd a, gelu_vd b, gelu_vd c) { return _mm256_fmsub_pd(a, b, c); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_neg(gelu_vd a) { return _mm256_xor_pd(a, _mm256_set1_pd(-0.0)); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_abs(gelu_vd a) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), a); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_negabs(gelu_vd a) { return _mm256_or_pd(a, _mm256_set1_pd(-0.0)); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_min(gelu_vd a, gelu_vd b) { return _mm256_min_pd(a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_max(gelu_vd a, gelu_vd b) { return _mm256_max_pd(a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_min_quiet(gelu_vd a, gelu_vd b)
{
    return _mm256_blendv_pd(b, a, _mm256_cmp_pd(a, b, _CMP_LT_OQ));
}
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_max_quiet(gelu_vd a, gelu_vd b)
{
    return _mm256_blendv_pd(b, a, _mm256_cmp_pd(a, b, _CMP_GT_OQ));
}

static GELU_SIMD_ALWAYS gelu_vm gelu_vd_lt(gelu_vd a, gelu_vd b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
static GELU_SIMD_ALWAYS gelu_vm gelu_vd_le(gelu_vd a, gelu_vd b) { return _mm256_cmp_pd(a, b, _CMP_LE_OQ); }
static GELU_SIMD_ALWAYS gelu_vm gelu_vd_ge(gelu_vd a, gelu_vd b) { return _mm256_cmp_pd(a, b, _CMP_GE_OQ); }
static GELU_SIMD_ALWAYS gelu_vm gelu_vd_eq(gelu_vd a, gelu_vd b) { return _mm256_cmp_pd(a, b, _CMP_EQ_OQ); }
static GELU_SIMD_ALWAYS gelu_vm gelu_vd_ne(gelu_vd a, gelu_vd b) { return _mm256_cmp_pd(a, b, _CMP_NEQ_UQ); }
static GELU_SIMD_ALWAYS gelu_vm gelu_vm_from_bits(unsigned bits)
{
    __m256i b = _mm256_and_si256(_mm256_set1_epi64x(bits), _mm256_setr_epi64x(1, 2, 4, 8));
    return _mm256_castsi256_pd(_mm256_cmpeq_epi64(b, _mm256_setr_epi64x(1, 2, 4, 8)));
}
static GELU_SIMD_ALWAYS unsigned gelu_vm_bits(gelu_vm m) { return (unsigned)_mm256_movemask_pd(m); }

static GELU_SIMD_ALWAYS gelu_vd gelu_vd_select(gelu_vm m, gelu_vd a, gelu_vd b) { return _mm256_blendv_pd(b, a, m); }
/* computed in every lane, then blended: the callers' lanes outside m raise nothing anyway */
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_mask_mul(gelu_vd src, gelu_vm m, gelu_vd a, gelu_vd b)
{
    return _mm256_blendv_pd(src, _mm256_mul_pd(a, b), m);
}

static GELU_SIMD_ALWAYS gelu_vi gelu_vd_bits(gelu_vd a) { return _mm256_castpd_si256(a); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_from_bits(gelu_vi a) { return _mm256_castsi256_pd(a); }
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_set1(long long v) { return _mm256_set1_epi64x(v); }
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_add(gelu_vi a, gelu_vi b) { return _mm256_add_epi64(a, b); }
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_sub(gelu_vi a, gelu_vi b) { return _mm256_sub_epi64(a, b); }
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_and(gelu_vi a, gelu_vi b) { return _mm256_and_si256(a, b); }
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_or(gelu_vi a, gelu_vi b) { return _mm256_or_si256(a, b); }
#define gelu_vi_shl(a, count) _mm256_slli_epi64((a), (count))
#define gelu_vi_shr(a, count) _mm256_srli_epi64((a), (count)) /* logical */

/* the doubles at four addresses, one a lane: two loads and two loads folded into the unpacks,
   an insert (a gather per lookup ran the backward's erf path at a quarter of this speed) */
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_load4(const double *p0, const double *p1, const double *p2, const double *p3)
{
    __m128d lo = _mm_loadh_pd(_mm_load_sd(p0), p1), hi = _mm_loadh_pd(_mm_load_sd(p2), p3);
    return _mm256_insertf128_pd(_mm256_castpd128_pd256(lo), hi, 1);
}

/* the 16-entry tables, a load a lane: by a 32-bit truncated index, or by the low 4 bits of a double */
static GELU_SIMD_ALWAYS gelu_vidx gelu_vidx_trunc(gelu_vd a) { return _mm256_cvttpd_epi32(a); }
static GELU_SIMD_ALWAYS gelu_vidx gelu_vidx_min(gelu_vidx i, int n) { return _mm_min_epi32(i, _mm_set1_epi32(n)); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vidx_to_vd(gelu_vidx i) { return _mm256_cvtepi32_pd(i); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_lookup16(const double *row, gelu_vidx i)
{
    return gelu_vd_load4(row + _mm_cvtsi128_si32(i), row + _mm_extract_epi32(i, 1), row + _mm_extract_epi32(i, 2),
                         row + _mm_extract_epi32(i, 3));
}
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_lookup16_low_bits(const double *row, gelu_vd z)
{
    __m256i i = _mm256_and_si256(_mm256_castpd_si256(z), _mm256_set1_epi64x(15));
    __m128i i01 = _mm256_castsi256_si128(i), i23 = _mm256_extracti128_si256(i, 1);
    return gelu_vd_load4(row + _mm_cvtsi128_si64(i01), row + _mm_extract_epi64(i01, 1), row + _mm_cvtsi128_si64(i23),
                         row + _mm_extract_epi64(i23, 1));
}

/* piece k of a central tier's table (k the low bits of a double, `pieces` a power of 2), the
   table piece-major (a row of `row` doubles a piece, `row` a power of 2 from 8, the table
   64-byte aligned): each lane's row, then coefficients j and j + 1 (j even) by one 128-bit load
   a lane and a transpose (two inserts, two unpacks), or coefficient j alone by a load a lane
   (two of them folded into unpacks) and an insert. Gathers of the coefficients ran 0.59x as
   fast (erf, N(0, 1), n = 65536: docs/BENCH.md). */
#define GELU_VD_PIECE_ROWS 1
typedef struct {
    const double *row[4];
} gelu_vd_piece;
static GELU_SIMD_ALWAYS gelu_vd_piece gelu_vd_piece_low_bits(const double *tab, int pieces, int row, gelu_vd z)
{
    /* the rows' byte offsets, moved out lane by lane: a store and four loads stall on the
       store's forwarding, 1.1x as slow */
    __m256i off = _mm256_slli_epi64(_mm256_and_si256(_mm256_castpd_si256(z), _mm256_set1_epi64x(pieces - 1)),
                                    __builtin_ctz(row) + 3);
    gelu_vd_piece p;
    p.row[0] = (const double *)((const char *)tab + _mm256_extract_epi64(off, 0));
    p.row[1] = (const double *)((const char *)tab + _mm256_extract_epi64(off, 1));
    p.row[2] = (const double *)((const char *)tab + _mm256_extract_epi64(off, 2));
    p.row[3] = (const double *)((const char *)tab + _mm256_extract_epi64(off, 3));
    return p;
}
/* piece i of such a table by a lane's index (gelu_vidx_trunc), 0 <= i < 16 */
static GELU_SIMD_ALWAYS gelu_vd_piece gelu_vd_piece_index(const double *tab, int row, gelu_vidx i)
{
    gelu_vd_piece p;
    p.row[0] = tab + row * _mm_cvtsi128_si32(i);
    p.row[1] = tab + row * _mm_extract_epi32(i, 1);
    p.row[2] = tab + row * _mm_extract_epi32(i, 2);
    p.row[3] = tab + row * _mm_extract_epi32(i, 3);
    return p;
}
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_piece_one(gelu_vd_piece k, const double *tab, int j)
{
    (void)tab;
    return gelu_vd_load4(k.row[0] + j, k.row[1] + j, k.row[2] + j, k.row[3] + j);
}
static GELU_SIMD_ALWAYS void gelu_vd_piece_pair(gelu_vd_piece k, const double *tab, int j, gelu_vd *cj, gelu_vd *cj1)
{
    (void)tab;
    __m256d t0 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_load_pd(k.row[0] + j)), _mm_load_pd(k.row[2] + j), 1);
    __m256d t1 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_load_pd(k.row[1] + j)), _mm_load_pd(k.row[3] + j), 1);
    *cj = _mm256_unpacklo_pd(t0, t1);
    *cj1 = _mm256_unpackhi_pd(t0, t1);
}

static GELU_SIMD_ALWAYS gelu_vd gelu_vf_to_vd(gelu_vf f) { return _mm256_cvtps_pd(f); }
static GELU_SIMD_ALWAYS gelu_vf gelu_vd_to_vf(gelu_vd d) { return _mm256_cvtpd_ps(d); }
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_loadu(const float *p) { return _mm_loadu_ps(p); }
static GELU_SIMD_ALWAYS void gelu_vf_storeu(float *p, gelu_vf v) { _mm_storeu_ps(p, v); }
static GELU_SIMD_ALWAYS __m128i gelu_simd_first_mask(size_t n)
{
    return _mm_cmpgt_epi32(_mm_set1_epi32((int)n), _mm_setr_epi32(0, 1, 2, 3));
}
/* the first n lanes (n <= GELU_VD_LANES), the others 0 / untouched; vmaskmov never faults past them */
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_load_first(const float *p, size_t n)
{
    return _mm_maskload_ps(p, gelu_simd_first_mask(n));
}
static GELU_SIMD_ALWAYS void gelu_vf_store_first(float *p, size_t n, gelu_vf v)
{
    _mm_maskstore_ps(p, gelu_simd_first_mask(n), v);
}
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_select(gelu_vm m, gelu_vf a, gelu_vf b)
{
    return _mm_blendv_ps(b, a, _mm256_cvtpd_ps(m)); /* an all-ones double narrows to an all-ones (quiet NaN) float */
}
static GELU_SIMD_ALWAYS unsigned gelu_vf_bits_ne(gelu_vf a, gelu_vf b)
{
    return ~(unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(_mm_castps_si128(a), _mm_castps_si128(b)))) &
           0xF;
}

static GELU_SIMD_ALWAYS gelu_vw gelu_vw_loadu(const float *p) { return _mm256_loadu_ps(p); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_set1(float v) { return _mm256_set1_ps(v); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_abs(gelu_vw a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
static GELU_SIMD_ALWAYS unsigned gelu_vw_lt(gelu_vw a, gelu_vw b)
{
    return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_LT_OQ));
}
static GELU_SIMD_ALWAYS unsigned gelu_vw_le(gelu_vw a, gelu_vw b)
{
    return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_LE_OQ));
}
static GELU_SIMD_ALWAYS unsigned gelu_vw_ge(gelu_vw a, gelu_vw b)
{
    return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_GE_OQ));
}
static GELU_SIMD_ALWAYS unsigned gelu_vw_nge(gelu_vw a, gelu_vw b)
{
    return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_NGE_UQ));
}

static GELU_SIMD_ALWAYS void gelu_prefetch(const void *p) { _mm_prefetch((const char *)p, _MM_HINT_T0); }

/* ---- the 16-bit and backward kernels: the names of gelu_simd_avx512.h's section ---- */
typedef __m128 gelu_vfm;
typedef __m256i gelu_vwi;
typedef __m128i gelu_vh;

static GELU_SIMD_ALWAYS gelu_vf gelu_vf_mul(gelu_vf a, gelu_vf b) { return _mm_mul_ps(a, b); }
static GELU_SIMD_ALWAYS gelu_vfm gelu_vf_isnan(gelu_vf a) { return _mm_cmp_ps(a, a, _CMP_UNORD_Q); }
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_blend(gelu_vfm m, gelu_vf a, gelu_vf b) { return _mm_blendv_ps(b, a, m); }
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_from_bits(uint32_t u) { return _mm_castsi128_ps(_mm_set1_epi32((int)u)); }
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_quiet(gelu_vf a) { return _mm_or_ps(a, gelu_vf_from_bits(0x00400000u)); }
static GELU_SIMD_ALWAYS unsigned gelu_vi_le(gelu_vi a, gelu_vi b)
{
    return ~(unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(a, b))) & 0xF;
}

static GELU_SIMD_ALWAYS gelu_vw gelu_vw_zero(void) { return _mm256_setzero_ps(); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_sub(gelu_vw a, gelu_vw b) { return _mm256_sub_ps(a, b); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_add(gelu_vw a, gelu_vw b) { return _mm256_add_ps(a, b); }
/* to the nearest integer (ties to even); a 2^n for an integer n with 2^n and the result normal */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_round(gelu_vw a)
{
    return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_scalef(gelu_vw a, gelu_vw n)
{
    return _mm256_mul_ps(
        a, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23)));
}
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_mul(gelu_vw a, gelu_vw b) { return _mm256_mul_ps(a, b); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_fma(gelu_vw a, gelu_vw b, gelu_vw c) { return _mm256_fmadd_ps(a, b, c); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_fnma(gelu_vw a, gelu_vw b, gelu_vw c) { return _mm256_fnmadd_ps(a, b, c); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_fms(gelu_vw a, gelu_vw b, gelu_vw c) { return _mm256_fmsub_ps(a, b, c); }
/* a where bit i of m is set, else b */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_select(unsigned m, gelu_vw a, gelu_vw b)
{
    __m256i bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    __m256i on = _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)m), bit), bit);
    return _mm256_blendv_ps(b, a, _mm256_castsi256_ps(on));
}
/* c where a >= b (a quiet compare: a NaN lane gets d), else d: one compare and blend where a mask
   to bits and back would cost more (AVX2) */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_select_ge(gelu_vw a, gelu_vw b, gelu_vw c, gelu_vw d)
{
    return _mm256_blendv_ps(d, c, _mm256_cmp_ps(a, b, _CMP_GE_OQ));
}
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_quiet(gelu_vw a)
{
    return _mm256_or_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(0x00400000)));
}
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_min(gelu_vw a, gelu_vw b) { return _mm256_min_ps(a, b); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_max(gelu_vw a, gelu_vw b) { return _mm256_max_ps(a, b); }
static GELU_SIMD_ALWAYS void gelu_vw_storeu(float *p, gelu_vw v) { _mm256_storeu_ps(p, v); }
/* the 32-entry tables, gathered */
static GELU_SIMD_ALWAYS gelu_vwi gelu_vw_trunc(gelu_vw a) { return _mm256_cvttps_epi32(a); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vwi_to_vw(gelu_vwi i) { return _mm256_cvtepi32_ps(i); }
/* four 8-entry permutes and three blends on bits 3 and 4 of i (put in the sign bit): faster
   than vpgatherdd on this machine (gelu_cbench, faithful erf, n = 65536: see docs/BENCH.md) */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_lookup32(const float *row, gelu_vwi i)
{
    __m256 s3 = _mm256_castsi256_ps(_mm256_slli_epi32(i, 28)), s4 = _mm256_castsi256_ps(_mm256_slli_epi32(i, 27));
    __m256 a = _mm256_permutevar8x32_ps(_mm256_load_ps(row), i);
    __m256 b = _mm256_permutevar8x32_ps(_mm256_load_ps(row + 8), i);
    __m256 c = _mm256_permutevar8x32_ps(_mm256_load_ps(row + 16), i);
    __m256 d = _mm256_permutevar8x32_ps(_mm256_load_ps(row + 24), i);
    return _mm256_blendv_ps(_mm256_blendv_ps(a, b, s3), _mm256_blendv_ps(c, d, s3), s4);
}
/* the 8 entries of piece i of a table of 32 pieces, coefficient-major (cm) or piece-major (pm):
   here eight row loads of pm in 128-bit halves and an 8x8 transpose (16 shuffles), against 32
   permutes and 24 blends through cm (gelu_cbench, faithful erf, n = 65536: see docs/BENCH.md) */
static GELU_SIMD_ALWAYS void gelu_vw_lookup_piece(const float (*cm)[32], const float (*pm)[8], gelu_vwi i, gelu_vw *out)
{
    (void)cm;
    /* the rows' byte offsets, shifted in the vector and moved out as unsigned 32-bit values,
       which the loads take as they are: an int index a lane cost a sign extension and a shift
       each, and the faithful kernels ran 0.86x as fast (N(0, 1), n = 65536; a store and eight
       reloads instead of the extracts: 0.78x) */
    __m256i off = _mm256_slli_epi32(_mm256_and_si256(i, _mm256_set1_epi32(31)), 5);
    __m128i o0 = _mm256_castsi256_si128(off), o1 = _mm256_extracti128_si256(off, 1);
    const char *base = (const char *)pm;
    const char *row[8] = {base + (unsigned)_mm_cvtsi128_si32(o0),    base + (unsigned)_mm_extract_epi32(o0, 1),
                          base + (unsigned)_mm_extract_epi32(o0, 2), base + (unsigned)_mm_extract_epi32(o0, 3),
                          base + (unsigned)_mm_cvtsi128_si32(o1),    base + (unsigned)_mm_extract_epi32(o1, 1),
                          base + (unsigned)_mm_extract_epi32(o1, 2), base + (unsigned)_mm_extract_epi32(o1, 3)};
    _Pragma("GCC unroll 8")
    for (int h = 0; h < 2; h++) { /* entries 0-3, then 4-7 */
        __m256 t[4];
        _Pragma("GCC unroll 8")
        for (int r = 0; r < 4; r++) /* lanes r and r + 4 */
            t[r] = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_load_ps((const float *)row[r] + 4 * h)),
                                        _mm_load_ps((const float *)row[r + 4] + 4 * h), 1);
        __m256 u0 = _mm256_unpacklo_ps(t[0], t[1]), u1 = _mm256_unpackhi_ps(t[0], t[1]);
        __m256 u2 = _mm256_unpacklo_ps(t[2], t[3]), u3 = _mm256_unpackhi_ps(t[2], t[3]);
        out[4 * h] = _mm256_shuffle_ps(u0, u2, 0x44);
        out[4 * h + 1] = _mm256_shuffle_ps(u0, u2, 0xEE);
        out[4 * h + 2] = _mm256_shuffle_ps(u1, u3, 0x44);
        out[4 * h + 3] = _mm256_shuffle_ps(u1, u3, 0xEE);
    }
}
static GELU_SIMD_ALWAYS gelu_vwi gelu_vw_bits(gelu_vw a) { return _mm256_castps_si256(a); }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_set1(int v) { return _mm256_set1_epi32(v); }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_add(gelu_vwi a, gelu_vwi b) { return _mm256_add_epi32(a, b); }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_and(gelu_vwi a, gelu_vwi b) { return _mm256_and_si256(a, b); }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_or(gelu_vwi a, gelu_vwi b) { return _mm256_or_si256(a, b); }
#define gelu_vwi_shr(a, count) _mm256_srli_epi32((a), (count)) /* logical */
#define gelu_vwi_shl(a, count) _mm256_slli_epi32((a), (count))
static GELU_SIMD_ALWAYS gelu_vw gelu_vwi_as_vw(gelu_vwi a) { return _mm256_castsi256_ps(a); }
static GELU_SIMD_ALWAYS unsigned gelu_simd_bits32(gelu_vwi m)
{
    return (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(m));
}
/* unsigned */
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_min_u(gelu_vwi a, gelu_vwi b) { return _mm256_min_epu32(a, b); }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_max_u(gelu_vwi a, gelu_vwi b) { return _mm256_max_epu32(a, b); }
static GELU_SIMD_ALWAYS unsigned gelu_vwi_le(gelu_vwi a, gelu_vwi b)
{
    return ~gelu_simd_bits32(_mm256_cmpgt_epi32(a, b)) & 0xFF;
}
static GELU_SIMD_ALWAYS unsigned gelu_vwi_eq(gelu_vwi a, gelu_vwi b)
{
    return gelu_simd_bits32(_mm256_cmpeq_epi32(a, b));
}
static GELU_SIMD_ALWAYS unsigned gelu_vwi_in_range(gelu_vwi a, int lo, int hi)
{
    __m256i out = _mm256_or_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(lo), a),
                                  _mm256_cmpgt_epi32(a, _mm256_set1_epi32(hi - 1)));
    return ~gelu_simd_bits32(out) & 0xFF;
}
static GELU_SIMD_ALWAYS gelu_vh gelu_vwi_narrow16(gelu_vwi a)
{
    return _mm_packus_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1)); /* lanes below 2^16: exact */
}
static GELU_SIMD_ALWAYS gelu_vh gelu_vw_to_f16(gelu_vw a)
{
    return _mm256_cvtps_ph(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
static GELU_SIMD_ALWAYS gelu_vh gelu_vh_loadu(const void *p) { return _mm_loadu_si128((const __m128i *)p); }
static GELU_SIMD_ALWAYS void gelu_vh_storeu(uint16_t *p, gelu_vh v) { _mm_storeu_si128((__m128i *)p, v); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vh_f16_to_vw(gelu_vh h) { return _mm256_cvtph_ps(h); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vh_bf16_to_vw(gelu_vh h)
{
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

static GELU_SIMD_ALWAYS gelu_vf gelu_vw_lo(gelu_vw v) { return _mm256_castps256_ps128(v); }
static GELU_SIMD_ALWAYS gelu_vf gelu_vw_hi(gelu_vw v) { return _mm256_extractf128_ps(v, 1); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_join(gelu_vf lo, gelu_vf hi)
{
    return _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1);
}
/* a 65,536-entry float table indexed by 16-bit values: eight loads, faster than vgatherdps here
   (gelu_cbench, the bf16 backward, n = 65536: 1.25 against 0.65 Gelem/s) */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_lookup_h(const float *table, gelu_vh i)
{
    return _mm256_setr_ps(table[_mm_extract_epi16(i, 0)], table[_mm_extract_epi16(i, 1)],
                          table[_mm_extract_epi16(i, 2)], table[_mm_extract_epi16(i, 3)],
                          table[_mm_extract_epi16(i, 4)], table[_mm_extract_epi16(i, 5)],
                          table[_mm_extract_epi16(i, 6)], table[_mm_extract_epi16(i, 7)]);
}

/* Compress and expand by one permute each, no branch per lane (a lane loop mispredicts on
   every register, and its scalar stores stall the vector load after them): the permutation of
   each 4-lane half from a 16-entry table of byte indices, the halves joined by the low half's
   count. compress4[m] byte i: the lane of m's i-th set bit (0 past them); expand4[m] byte j:
   the set bits of m below lane j. */
static const uint32_t gelu_avx2_compress4[16] = {0x00000000, 0x00000000, 0x00000001, 0x00000100, 0x00000002, 0x00000200,
                                                 0x00000201, 0x00020100, 0x00000003, 0x00000300, 0x00000301, 0x00030100,
                                                 0x00000302, 0x00030200, 0x00030201, 0x03020100};
static const uint32_t gelu_avx2_expand4[16] = {0x00000000, 0x01010100, 0x01010000, 0x02020100, 0x01000000, 0x02010100,
                                               0x02010000, 0x03020100, 0x00000000, 0x01010100, 0x01010000, 0x02020100,
                                               0x01000000, 0x02010100, 0x02010000, 0x03020100};
static GELU_SIMD_ALWAYS __m256i gelu_avx2_bytes_to_lanes(uint64_t idx)
{
    return _mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)idx));
}
static GELU_SIMD_ALWAYS __m256i gelu_avx2_compress_index(unsigned m)
{
    unsigned lo = m & 15;
    uint64_t hi = gelu_avx2_compress4[(m >> 4) & 15] + 0x04040404u;
    return gelu_avx2_bytes_to_lanes(gelu_avx2_compress4[lo] | hi << (8 * __builtin_popcount(lo)));
}
/* the lanes of m in lane order, to p[0 .. popcount(m)): GELU_VW_LANES entries written; the
   floats of v, or the lane numbers plus `at`; returns the count */
static GELU_SIMD_ALWAYS unsigned gelu_vw_compress(float *p, unsigned m, gelu_vw v)
{
    _mm256_storeu_ps(p, _mm256_permutevar8x32_ps(v, gelu_avx2_compress_index(m)));
    return (unsigned)__builtin_popcount(m & 0xFF);
}
static GELU_SIMD_ALWAYS void gelu_lanes_compress(uint32_t *p, unsigned m, unsigned at)
{
    __m256i lanes = _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)at));
    _mm256_storeu_si256((__m256i *)p, _mm256_permutevar8x32_epi32(lanes, gelu_avx2_compress_index(m)));
}
/* v with the lanes of m, in lane order, from p[0 .. popcount(m)); reads p[0 .. 8) */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_expand(gelu_vw v, unsigned m, const float *p)
{
    unsigned lo = m & 15;
    uint64_t hi = gelu_avx2_expand4[(m >> 4) & 15] + 0x01010101u * (unsigned)__builtin_popcount(lo);
    __m256i idx = gelu_avx2_bytes_to_lanes(gelu_avx2_expand4[lo] | hi << 32);
    return gelu_vw_select(m, _mm256_permutevar8x32_ps(_mm256_loadu_ps(p), idx), v);
}

#endif
