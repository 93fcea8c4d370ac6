/*
 * Wrapper operations written lane by lane, for the wrappers whose ISA has no instruction for
 * them (scalar, NEON; gelu_simd_avx512.h and gelu_simd_avx2.h have their own): include at the
 * end of such a wrapper, after gelu_vw_storeu.
 */
#ifndef GELU_SIMD_LANES_H
#define GELU_SIMD_LANES_H

/* the lanes of m in lane order, to p[0 .. popcount(m)); the floats of v, or the lane numbers
   plus `at`; returns the count */
static GELU_SIMD_ALWAYS unsigned gelu_vw_compress(float *p, unsigned m, gelu_vw v)
{
    float lanes[GELU_VW_LANES];
    unsigned k = 0;
    gelu_vw_storeu(lanes, v);
    for (; m; m &= m - 1)
        p[k++] = lanes[__builtin_ctz(m)];
    return k;
}
static GELU_SIMD_ALWAYS void gelu_lanes_compress(uint32_t *p, unsigned m, unsigned at)
{
    for (; m; m &= m - 1)
        *p++ = at + (unsigned)__builtin_ctz(m);
}
/* v with the lanes of m, in lane order, from p[0 .. popcount(m)) */
static GELU_SIMD_ALWAYS gelu_vw gelu_vw_expand(gelu_vw v, unsigned m, const float *p)
{
    float lanes[GELU_VW_LANES];
    gelu_vw_storeu(lanes, v);
    for (; m; m &= m - 1)
        lanes[__builtin_ctz(m)] = *p++;
    return gelu_vw_loadu(lanes);
}

/* piece i of a 16-piece table by a lane's index (gelu_vidx_trunc), looked up lane by lane by
   gelu_vd_lookup16: the table coefficient-major (16 entries a coefficient; `row` is for the
   ISAs that read piece-major rows) */
#define GELU_VD_PIECE_ROWS 0
typedef gelu_vidx gelu_vd_piece;
static GELU_SIMD_ALWAYS gelu_vd_piece gelu_vd_piece_index(const double *tab, int row, gelu_vidx i)
{
    (void)tab, (void)row;
    return i;
}
static GELU_SIMD_ALWAYS gelu_vd gelu_vd_piece_one(gelu_vd_piece k, const double *tab, int j)
{
    return gelu_vd_lookup16(tab + 16 * j, k);
}
static GELU_SIMD_ALWAYS void gelu_vd_piece_pair(gelu_vd_piece k, const double *tab, int j, gelu_vd *cj, gelu_vd *cj1)
{
    *cj = gelu_vd_piece_one(k, tab, j);
    *cj1 = gelu_vd_piece_one(k, tab, j + 1);
}

#endif
