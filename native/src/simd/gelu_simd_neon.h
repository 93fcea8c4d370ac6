/*
 * The SIMD wrapper for AArch64 Advanced SIMD (NEON): two doubles a vector; the names and
 * their contracts are gelu_simd_avx512.h's (read its comment), in the same order. The contract
 * is x86's bits, so every operation here is the IEEE-exact counterpart of the x86 wrappers'
 * and, where NEON differs, emulates x86:
 *
 *   - FMA: FMLA/FMLS are fused like vfmadd (a NaN operand of fnma/fms may come back with its
 *     sign flipped, as NEON negates before it propagates: the bodies never pass one there);
 *   - compares: FCMGT/FCMGE raise invalid on a quiet NaN, vcmppd's _OQ predicates do not, so
 *     the quiet ones are built from FMIN/FMAX and FCMEQ, which raise it on a signalling NaN
 *     only (le(a, b) = fmin(a, b) == a, ge(a, b) = fmax(a, b) == a; lt = le and not eq);
 *   - min/max: x86's a < b ? a : b (b when either is NaN, and for two zeros), by a compare and
 *     BSL; min/max raise invalid on a quiet NaN as vminpd does (GELU_VD_MINMAX_QUIET 0), the
 *     _quiet ones take the quiet compares;
 *   - conversions round by FPCR's mode, which gelu_fpenv.h holds at round to nearest with FZ,
 *     DN and AHP off, so they round, quiet NaNs and keep payloads as x86's do;
 *   - tables: loads by lane index (the lanes are few); masks are all-ones lanes.
 */
#ifndef GELU_SIMD_NEON_H
#define GELU_SIMD_NEON_H

#include <arm_neon.h>

#define GELU_SIMD_ALWAYS inline __attribute__((always_inline))
#define GELU_VD_LANES 2
#define GELU_VW_LANES 4
#define GELU_VD_MINMAX_QUIET 0
#define GELU_VD_HAS_SCALEF 0

typedef float64x2_t gelu_vd;
typedef float32x2_t gelu_vf;
typedef float32x4_t gelu_vw;
typedef uint64x2_t gelu_vi;
typedef int64x2_t gelu_vidx;
typedef uint64x2_t gelu_vm;

static GELU_SIMD_ALWAYS gelu_vd gelu_vd_set1(double v) { return vdupq_n_f64(v); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_zero(void) { return vdupq_n_f64(0.0); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_add(gelu_vd a, gelu_vd b) { return vaddq_f64(a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_sub(gelu_vd a, gelu_vd b) { return vsubq_f64(a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_mul(gelu_vd a, gelu_vd b) { return vmulq_f64(a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_div(gelu_vd a, gelu_vd b) { return vdivq_f64(a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_fma(gelu_vd a, gelu_vd b, gelu_vd c) { return vfmaq_f64(c, a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_fnma(gelu_vd a, gelu_vd b, gelu_vd c) { return vfmsq_f64(c, a, b); }
/* (-c) + a b, one rounding: an exact zero is +0 as in vfmsub's a b - c */
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_fms(gelu_vd a, gelu_vd b, gelu_vd c) { return vfmaq_f64(vnegq_f64(c), a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_neg(gelu_vd a) { return vnegq_f64(a); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_abs(gelu_vd a) { return vabsq_f64(a); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_negabs(gelu_vd a) { return vnegq_f64(vabsq_f64(a)); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_min(gelu_vd a, gelu_vd b) { return vbslq_f64(vcltq_f64(a, b), a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_max(gelu_vd a, gelu_vd b) { return vbslq_f64(vcgtq_f64(a, b), a, b); }

/* the quiet compares (see the top): FMIN/FMAX/FCMEQ raise invalid on a signalling NaN only */
static GELU_SIMD_ALWAYS gelu_vm gelu_vd_le(gelu_vd a, gelu_vd b) { return vceqq_f64(vminq_f64(a, b), a); }
static GELU_SIMD_ALWAYS gelu_vm gelu_vd_ge(gelu_vd a, gelu_vd b) { return vceqq_f64(vmaxq_f64(a, b), a); }
static GELU_SIMD_ALWAYS gelu_vm gelu_vd_eq(gelu_vd a, gelu_vd b) { return vceqq_f64(a, b); }
static GELU_SIMD_ALWAYS gelu_vm gelu_vd_lt(gelu_vd a, gelu_vd b)
{
    return vbicq_u64(gelu_vd_le(a, b), gelu_vd_eq(a, b));
}
static GELU_SIMD_ALWAYS gelu_vm gelu_vd_ne(gelu_vd a, gelu_vd b)
{
    return vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(gelu_vd_eq(a, b))));
}
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_min_quiet(gelu_vd a, gelu_vd b) { return vbslq_f64(gelu_vd_lt(a, b), a, b); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_max_quiet(gelu_vd a, gelu_vd b) { return vbslq_f64(gelu_vd_lt(b, a), a, b); }
static GELU_SIMD_ALWAYS gelu_vm gelu_vm_from_bits(unsigned bits)
{
    static const uint64_t lane_bit[2] = {1, 2};
    return vtstq_u64(vdupq_n_u64(bits), vld1q_u64(lane_bit));
}
static GELU_SIMD_ALWAYS unsigned gelu_vm_bits(gelu_vm m)
{
    return (unsigned)(vgetq_lane_u64(m, 0) & 1) | (unsigned)(vgetq_lane_u64(m, 1) & 2);
}

static GELU_SIMD_ALWAYS gelu_vd gelu_vd_select(gelu_vm m, gelu_vd a, gelu_vd b) { return vbslq_f64(m, a, b); }
/* computed in every lane, then selected: the callers' lanes outside m raise nothing anyway */
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_mask_mul(gelu_vd src, gelu_vm m, gelu_vd a, gelu_vd b)
{
    return vbslq_f64(m, vmulq_f64(a, b), src);
}

static GELU_SIMD_ALWAYS gelu_vi gelu_vd_bits(gelu_vd a) { return vreinterpretq_u64_f64(a); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_from_bits(gelu_vi a) { return vreinterpretq_f64_u64(a); }
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_set1(long long v) { return vdupq_n_u64((uint64_t)v); }
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_add(gelu_vi a, gelu_vi b) { return vaddq_u64(a, b); }
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_sub(gelu_vi a, gelu_vi b) { return vsubq_u64(a, b); }
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_and(gelu_vi a, gelu_vi b) { return vandq_u64(a, b); }
static GELU_SIMD_ALWAYS gelu_vi gelu_vi_or(gelu_vi a, gelu_vi b) { return vorrq_u64(a, b); }
#define gelu_vi_shl(a, count) vshlq_n_u64((a), (count))
#define gelu_vi_shr(a, count) vshrq_n_u64((a), (count)) /* logical */

/* the 16-entry tables: by a truncated index, or by the low 4 bits of a double; a load a lane */
static GELU_SIMD_ALWAYS gelu_vidx gelu_vidx_trunc(gelu_vd a) { return vcvtq_s64_f64(a); }
static GELU_SIMD_ALWAYS gelu_vidx gelu_vidx_min(gelu_vidx i, int n)
{
    gelu_vidx nv = vdupq_n_s64(n);
    return vbslq_s64(vcgtq_s64(i, nv), nv, i);
}
static GELU_SIMD_ALWAYS gelu_vd gelu_vidx_to_vd(gelu_vidx i) { return vcvtq_f64_s64(i); }
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_lookup16(const double *row, gelu_vidx i)
{
    return vcombine_f64(vld1_f64(row + vgetq_lane_s64(i, 0)), vld1_f64(row + vgetq_lane_s64(i, 1)));
}
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_lookup16_low_bits(const double *row, gelu_vd z)
{
    return gelu_vd_lookup16(row, vreinterpretq_s64_u64(vandq_u64(vreinterpretq_u64_f64(z), vdupq_n_u64(15))));
}

static GELU_SIMD_ALWAYS gelu_vd gelu_vf_to_vd(gelu_vf f) { return vcvt_f64_f32(f); }
static GELU_SIMD_ALWAYS gelu_vf gelu_vd_to_vf(gelu_vd d) { return vcvt_f32_f64(d); }
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_loadu(const float *p) { return vld1_f32(p); }
static GELU_SIMD_ALWAYS void gelu_vf_storeu(float *p, gelu_vf v) { vst1_f32(p, v); }
/* the first n lanes (n <= GELU_VD_LANES), the others 0 / untouched; never touches memory past them */
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_load_first(const float *p, size_t n)
{
    if (n >= 2)
        return vld1_f32(p);
    return n ? vld1_lane_f32(p, vdup_n_f32(0.0f), 0) : vdup_n_f32(0.0f);
}
static GELU_SIMD_ALWAYS void gelu_vf_store_first(float *p, size_t n, gelu_vf v)
{
    if (n >= 2)
        vst1_f32(p, v);
    else if (n)
        vst1_lane_f32(p, v, 0);
}
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_select(gelu_vm m, gelu_vf a, gelu_vf b) { return vbsl_f32(vmovn_u64(m), a, b); }
static GELU_SIMD_ALWAYS unsigned gelu_vf_bits_ne(gelu_vf a, gelu_vf b)
{
    uint32x2_t eq = vceq_u32(vreinterpret_u32_f32(a), vreinterpret_u32_f32(b));
    return ~((unsigned)(vget_lane_u32(eq, 0) & 1) | (unsigned)(vget_lane_u32(eq, 1) & 2)) & 3;
}

/* full-width floats: the quiet compares as above, to lane bits */
static GELU_SIMD_ALWAYS unsigned gelu_simd_bits32(uint32x4_t m)
{
    static const uint32_t lane_bit[4] = {1, 2, 4, 8};
    return vaddvq_u32(vandq_u32(m, vld1q_u32(lane_bit)));
}
static GELU_SIMD_ALWAYS uint32x4_t gelu_simd_vw_le(gelu_vw a, gelu_vw b) { return vceqq_f32(vminq_f32(a, b), a); }
static GELU_SIMD_ALWAYS uint32x4_t gelu_simd_vw_ge(gelu_vw a, gelu_vw b) { return vceqq_f32(vmaxq_f32(a, b), a); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_loadu(const float *p) { return vld1q_f32(p); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_set1(float v) { return vdupq_n_f32(v); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_abs(gelu_vw a) { return vabsq_f32(a); }
static GELU_SIMD_ALWAYS unsigned gelu_vw_lt(gelu_vw a, gelu_vw b)
{
    return gelu_simd_bits32(vbicq_u32(gelu_simd_vw_le(a, b), vceqq_f32(a, b)));
}
static GELU_SIMD_ALWAYS unsigned gelu_vw_le(gelu_vw a, gelu_vw b) { return gelu_simd_bits32(gelu_simd_vw_le(a, b)); }
static GELU_SIMD_ALWAYS unsigned gelu_vw_ge(gelu_vw a, gelu_vw b) { return gelu_simd_bits32(gelu_simd_vw_ge(a, b)); }
static GELU_SIMD_ALWAYS unsigned gelu_vw_nge(gelu_vw a, gelu_vw b) { return ~gelu_vw_ge(a, b) & 0xF; }

static GELU_SIMD_ALWAYS void gelu_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

/* ---- the 16-bit and backward kernels: the names of gelu_simd_avx512.h's section ---- */
typedef uint32x2_t gelu_vfm;
typedef uint32x4_t gelu_vwi;
typedef uint16x4_t gelu_vh;

static GELU_SIMD_ALWAYS gelu_vf gelu_vf_mul(gelu_vf a, gelu_vf b) { return vmul_f32(a, b); }
static GELU_SIMD_ALWAYS gelu_vfm gelu_vf_isnan(gelu_vf a) { return vmvn_u32(vceq_f32(a, a)); }
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_blend(gelu_vfm m, gelu_vf a, gelu_vf b) { return vbsl_f32(m, a, b); }
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_from_bits(uint32_t u) { return vreinterpret_f32_u32(vdup_n_u32(u)); }
static GELU_SIMD_ALWAYS gelu_vf gelu_vf_quiet(gelu_vf a)
{
    return vreinterpret_f32_u32(vorr_u32(vreinterpret_u32_f32(a), vdup_n_u32(0x00400000u)));
}
static GELU_SIMD_ALWAYS unsigned gelu_vi_le(gelu_vi a, gelu_vi b) { return gelu_vm_bits(vcleq_u64(a, b)); }

static GELU_SIMD_ALWAYS gelu_vw gelu_vw_zero(void) { return vdupq_n_f32(0.0f); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_sub(gelu_vw a, gelu_vw b) { return vsubq_f32(a, b); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_add(gelu_vw a, gelu_vw b) { return vaddq_f32(a, b); }
/* to the nearest integer (ties to even); a 2^n for an integer n with 2^n and the result normal */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_round(gelu_vw a) { return vrndnq_f32(a); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_scalef(gelu_vw a, gelu_vw n)
{
    return vmulq_f32(a, vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(vcvtnq_s32_f32(n), vdupq_n_s32(127)), 23)));
}
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_mul(gelu_vw a, gelu_vw b) { return vmulq_f32(a, b); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_fma(gelu_vw a, gelu_vw b, gelu_vw c) { return vfmaq_f32(c, a, b); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_fnma(gelu_vw a, gelu_vw b, gelu_vw c) { return vfmsq_f32(c, a, b); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_fms(gelu_vw a, gelu_vw b, gelu_vw c) { return vfmaq_f32(vnegq_f32(c), a, b); }
/* a where bit i of m is set, else b */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_select(unsigned m, gelu_vw a, gelu_vw b)
{
    static const uint32_t bits[4] = {1, 2, 4, 8};
    return vbslq_f32(vtstq_u32(vdupq_n_u32(m), vld1q_u32(bits)), a, b);
}
/* c where a >= b (a quiet compare: a NaN lane gets d), else d: one compare and blend where a mask
   to bits and back would cost more (AVX2) */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_select_ge(gelu_vw a, gelu_vw b, gelu_vw c, gelu_vw d)
{
    return vbslq_f32(gelu_simd_vw_ge(a, b), c, d);
}
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_quiet(gelu_vw a)
{
    return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(a), vdupq_n_u32(0x00400000u)));
}
/* vminps/vmaxps: b when either is NaN, and for two zeros (invalid on a quiet NaN, as there) */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_min(gelu_vw a, gelu_vw b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_max(gelu_vw a, gelu_vw b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
static GELU_SIMD_ALWAYS void gelu_vw_storeu(float *p, gelu_vw v) { vst1q_f32(p, v); }
/* the 32-entry tables: a load a lane */
static GELU_SIMD_ALWAYS gelu_vwi gelu_vw_trunc(gelu_vw a) { return vreinterpretq_u32_s32(vcvtq_s32_f32(a)); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vwi_to_vw(gelu_vwi i) { return vcvtq_f32_s32(vreinterpretq_s32_u32(i)); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_lookup32(const float *row, gelu_vwi i)
{
    gelu_vw v = vld1q_dup_f32(row + vgetq_lane_u32(i, 0));
    v = vld1q_lane_f32(row + vgetq_lane_u32(i, 1), v, 1);
    v = vld1q_lane_f32(row + vgetq_lane_u32(i, 2), v, 2);
    return vld1q_lane_f32(row + vgetq_lane_u32(i, 3), v, 3);
}
/* the 8 entries of piece i of a table of 32 pieces, coefficient-major (cm) or piece-major (pm) */
static GELU_SIMD_ALWAYS void gelu_vw_lookup_piece(const float (*cm)[32], const float (*pm)[8], gelu_vwi i, gelu_vw *out)
{
    (void)pm;
    _Pragma("GCC unroll 8")
    for (int j = 0; j < 8; j++)
        out[j] = gelu_vw_lookup32(cm[j], i);
}
static GELU_SIMD_ALWAYS gelu_vwi gelu_vw_bits(gelu_vw a) { return vreinterpretq_u32_f32(a); }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_set1(int v) { return vdupq_n_u32((uint32_t)v); }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_add(gelu_vwi a, gelu_vwi b) { return vaddq_u32(a, b); }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_and(gelu_vwi a, gelu_vwi b) { return vandq_u32(a, b); }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_or(gelu_vwi a, gelu_vwi b) { return vorrq_u32(a, b); }
#define gelu_vwi_shr(a, count) vshrq_n_u32((a), (count)) /* logical */
#define gelu_vwi_shl(a, count) vshlq_n_u32((a), (count))
static GELU_SIMD_ALWAYS gelu_vw gelu_vwi_as_vw(gelu_vwi a) { return vreinterpretq_f32_u32(a); }
/* unsigned */
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_min_u(gelu_vwi a, gelu_vwi b) { return vminq_u32(a, b); }
static GELU_SIMD_ALWAYS gelu_vwi gelu_vwi_max_u(gelu_vwi a, gelu_vwi b) { return vmaxq_u32(a, b); }
static GELU_SIMD_ALWAYS unsigned gelu_vwi_le(gelu_vwi a, gelu_vwi b) { return gelu_simd_bits32(vcleq_u32(a, b)); }
static GELU_SIMD_ALWAYS unsigned gelu_vwi_eq(gelu_vwi a, gelu_vwi b) { return gelu_simd_bits32(vceqq_u32(a, b)); }
static GELU_SIMD_ALWAYS unsigned gelu_vwi_in_range(gelu_vwi a, int lo, int hi)
{
    return gelu_simd_bits32(vcltq_u32(vsubq_u32(a, vdupq_n_u32((uint32_t)lo)), vdupq_n_u32((uint32_t)(hi - lo))));
}
static GELU_SIMD_ALWAYS gelu_vh gelu_vwi_narrow16(gelu_vwi a) { return vmovn_u32(a); } /* lanes below 2^16: exact */
/* FCVTN to IEEE binary16 (FPCR.AHP off), rounding by FPCR (to nearest under gelu_fpenv.h) */
static GELU_SIMD_ALWAYS gelu_vh gelu_vw_to_f16(gelu_vw a) { return vreinterpret_u16_f16(vcvt_f16_f32(a)); }
static GELU_SIMD_ALWAYS gelu_vh gelu_vh_loadu(const void *p) { return vld1_u16((const uint16_t *)p); }
static GELU_SIMD_ALWAYS void gelu_vh_storeu(uint16_t *p, gelu_vh v) { vst1_u16(p, v); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vh_f16_to_vw(gelu_vh h) { return vcvt_f32_f16(vreinterpret_f16_u16(h)); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vh_bf16_to_vw(gelu_vh h)
{
    return vreinterpretq_f32_u32(vshlq_n_u32(vmovl_u16(h), 16));
}

/* a register of floats as two of gelu_vf, its low and high halves, and back */
static GELU_SIMD_ALWAYS gelu_vf gelu_vw_lo(gelu_vw v) { return vget_low_f32(v); }
static GELU_SIMD_ALWAYS gelu_vf gelu_vw_hi(gelu_vw v) { return vget_high_f32(v); }
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_join(gelu_vf lo, gelu_vf hi) { return vcombine_f32(lo, hi); }
/* a 65,536-entry float table indexed by 16-bit values: one load a lane (no gather on NEON) */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_lookup_h(const float *table, gelu_vh i)
{
    gelu_vw v = vld1q_dup_f32(table + vget_lane_u16(i, 0));
    v = vld1q_lane_f32(table + vget_lane_u16(i, 1), v, 1);
    v = vld1q_lane_f32(table + vget_lane_u16(i, 2), v, 2);
    return vld1q_lane_f32(table + vget_lane_u16(i, 3), v, 3);
}
#include "gelu_simd_lanes.h" /* gelu_vw_compress, gelu_lanes_compress, gelu_vd_piece_* */

#endif
