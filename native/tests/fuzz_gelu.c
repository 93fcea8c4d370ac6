/*
 * libFuzzer target for the C API; scripts/fuzz.sh builds it with ASan and UBSan and runs it.
 *
 * Input layout (little endian):
 *   byte 0     bit 0: form (erf, tanh), bit 4: the quick form instead; bits 1-2: the entry
 *              point of the argument checks (an ISA, 3: the dispatching one; an ISA that
 *              cannot run here means scalar)
 *   byte 1     4-byte offsets of x (low nibble) and y (high nibble) within a 64-byte line
 *   byte 2     the shift between x and y in the overlap checks
 *   byte 3     any ISA number (signed), valid or not
 *   bytes 4-5  the length, reduced modulo (number of floats that follow + 1)
 *   the rest   the floats
 * Every ISA that runs here must give the scalar kernel's bits, out of place and in place, as
 * must the dispatching entry point; argument errors must return their code and write nothing.
 * The same bytes are then read as 16-bit values (byte 0 bit 3: bf16 or f16) for the 16-bit
 * kernels, and the floats for the narrowing ones (float32 in, 16-bit out, in place too). The
 * operations (bias + GELU, GEGLU on two arrays and on [a | gate] rows, backward) run on the same
 * floats, shaped by the header bytes, every ISA against the scalar one, in exact-size blocks.
 * Each array is a heap block of exactly its size, so ASan sees any access outside it.
 */
#define _POSIX_C_SOURCE 200112L /* posix_memalign */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gelu.h"

#define HEADER 6
#define LINE 64
#define CANARY 0xA5
#define DISPATCH (-1) /* the entry points that choose the ISA themselves */

#define REQUIRE(cond)                                                             \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "fuzz_gelu: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                              \
        }                                                                         \
    } while (0)

struct input {
    int form, entry, isa_number; /* form: 0 erf, 1 tanh, 2 quick */
    size_t x_off, y_off, shift, n;
    const float *src; /* the n floats, copied out of the (unaligned) fuzzer data */
};

static int call_isa(int isa, int form, const float *x, float *y, size_t n)
{
    return form == 2 ? gelu_quick_f32_isa(isa, x, y, n)
           : form    ? gelu_tanh_f32_isa(isa, x, y, n)
                     : gelu_erf_f32_isa(isa, x, y, n);
}

/* entry: an ISA or DISPATCH */
static int call(int entry, int form, const float *x, float *y, size_t n)
{
    if (entry == DISPATCH)
        return form == 2 ? gelu_quick_f32(x, y, n) : form ? gelu_tanh_f32(x, y, n) : gelu_erf_f32(x, y, n);
    return call_isa(entry, form, x, y, n);
}

/* `floats` floats that end where the block does, `off` floats into a line-aligned block. */
static float *block(size_t off, size_t floats, void **base)
{
    size_t bytes = (off + floats) * sizeof(float);
    /* never 0 bytes: that may give NULL, and NULL + off is undefined */
    REQUIRE(posix_memalign(base, LINE, bytes ? bytes : 1) == 0);
    return (float *)*base + off;
}

static int same(const float *a, const float *b, size_t floats) { return memcmp(a, b, floats * sizeof(float)) == 0; }

static int untouched(const float *p, size_t floats)
{
    const unsigned char *b = (const unsigned char *)p;
    for (size_t i = 0; i < floats * sizeof(float); i++)
        if (b[i] != CANARY)
            return 0;
    return 1;
}

static struct input parse(const uint8_t *data, size_t size, float *src)
{
    struct input in;
    size_t avail = (size - HEADER) / sizeof(float);
    in.form = data[0] & 0x10 ? 2 : data[0] & 1;
    in.entry = (data[0] >> 1) & 3;
    if (in.entry == 3)
        in.entry = DISPATCH;
    else if (!gelu_isa_supported(in.entry))
        in.entry = GELU_ISA_SCALAR;
    in.x_off = data[1] & 15;
    in.y_off = data[1] >> 4;
    in.shift = data[2];
    in.isa_number = (int8_t)data[3];
    in.n = (size_t)(data[4] | data[5] << 8) % (avail + 1);
    memcpy(src, data + HEADER, in.n * sizeof(float));
    in.src = src;
    return in;
}

/* Every ISA that runs, out of place and in place, and the dispatching entry point. */
static void check_results(const struct input *in, const float *x, float *y, const float *want)
{
    for (int isa = GELU_ISA_SCALAR; isa <= GELU_ISA_AVX512; isa++) {
        if (!gelu_isa_supported(isa))
            continue;
        memset(y, CANARY, in->n * sizeof(float));
        REQUIRE(call(isa, in->form, x, y, in->n) == GELU_OK);
        REQUIRE(same(y, want, in->n));
        REQUIRE(same(x, in->src, in->n));
        memcpy(y, x, in->n * sizeof(float));
        REQUIRE(call(isa, in->form, y, y, in->n) == GELU_OK);
        REQUIRE(same(y, want, in->n));
    }
    REQUIRE(call(DISPATCH, in->form, x, y, in->n) == GELU_OK);
    REQUIRE(same(y, want, in->n));
    int valid = gelu_isa_supported(in->isa_number);
    REQUIRE(call_isa(in->isa_number, in->form, x, y, in->n) == (valid ? GELU_OK : GELU_ERR_ISA));
    REQUIRE(!valid || same(y, want, in->n));
}

static void check_null(const struct input *in, const float *x, float *y)
{
    int want = in->n ? GELU_ERR_NULL : GELU_OK;
    memset(y, CANARY, in->n * sizeof(float));
    REQUIRE(call(in->entry, in->form, NULL, y, in->n) == want);
    REQUIRE(call(in->entry, in->form, x, NULL, in->n) == want);
    REQUIRE(call(in->entry, in->form, NULL, NULL, in->n) == want);
    REQUIRE(untouched(y, in->n));
}

/*
 * x and y s floats apart in one array z of n floats, each m = n - s long: they overlap when
 * s < m, which must be refused with z untouched; otherwise the call must work.
 */
static void check_overlap(const struct input *in, float *z, const float *want)
{
    size_t n = in->n;
    if (n < 2)
        return;
    size_t s = 1 + in->shift % (n - 1), m = n - s;
    int rc_want = s < m ? GELU_ERR_OVERLAP : GELU_OK;

    memcpy(z, in->src, n * sizeof(float));
    REQUIRE(call(in->entry, in->form, z, z + s, m) == rc_want);
    REQUIRE(same(z, in->src, s));
    REQUIRE(same(z + s, rc_want ? in->src + s : want, m));

    memcpy(z, in->src, n * sizeof(float));
    REQUIRE(call(in->entry, in->form, z + s, z, m) == rc_want);
    REQUIRE(same(z, rc_want ? in->src : want + s, m));
    REQUIRE(same(z + m, in->src + m, s));
}

typedef int (*h16_fn)(int, const uint16_t *, uint16_t *, size_t);
typedef int (*n16_fn)(int, const float *, uint16_t *, size_t);

static uint16_t *block16(size_t count, void **base)
{
    REQUIRE(posix_memalign(base, LINE, count ? count * 2 : 1) == 0);
    return (uint16_t *)*base;
}

/* The 16-bit and narrowing kernels of every ISA against the scalar ones, on exact-size blocks. */
static void check_half(const struct input *in, int type, const uint8_t *payload, size_t bytes)
{
    static const h16_fn h16[3][2] = {{gelu_erf_bf16_isa, gelu_erf_f16_isa},
                                     {gelu_tanh_bf16_isa, gelu_tanh_f16_isa},
                                     {gelu_quick_bf16_isa, gelu_quick_f16_isa}};
    static const n16_fn n16[3][2] = {{gelu_erf_f32_to_bf16_isa, gelu_erf_f32_to_f16_isa},
                                     {gelu_tanh_f32_to_bf16_isa, gelu_tanh_f32_to_f16_isa},
                                     {gelu_quick_f32_to_bf16_isa, gelu_quick_f32_to_f16_isa}};
    size_t m = bytes / 2, n = in->n;
    void *xb, *wb, *yb, *nb, *ob, *fb;
    uint16_t *x = block16(m, &xb), *want = block16(m, &wb), *y = block16(m, &yb);
    uint16_t *nwant = block16(n, &nb), *ny = block16(n, &ob);
    float *f = block(0, n, &fb);
    memcpy(x, payload, m * 2);
    REQUIRE(h16[in->form][type](GELU_ISA_SCALAR, x, want, m) == GELU_OK);
    REQUIRE(n16[in->form][type](GELU_ISA_SCALAR, in->src, nwant, n) == GELU_OK);
    for (int isa = GELU_ISA_AVX2; isa <= GELU_ISA_AVX512; isa++) {
        if (!gelu_isa_supported(isa))
            continue;
        REQUIRE(h16[in->form][type](isa, x, y, m) == GELU_OK);
        REQUIRE(memcmp(y, want, m * 2) == 0);
        memcpy(y, x, m * 2);
        REQUIRE(h16[in->form][type](isa, y, y, m) == GELU_OK);
        REQUIRE(memcmp(y, want, m * 2) == 0);
        REQUIRE(n16[in->form][type](isa, in->src, ny, n) == GELU_OK);
        REQUIRE(memcmp(ny, nwant, n * 2) == 0);
        memcpy(f, in->src, n * sizeof(float));
        REQUIRE(n16[in->form][type](isa, f, (uint16_t *)f, n) == GELU_OK);
        REQUIRE(memcmp(f, nwant, n * 2) == 0);
    }
    free(xb), free(wb), free(yb), free(nb), free(ob), free(fb);
}

/* n floats from the input, cycled (exact-size block; n may exceed the input) */
static float *cycled(const struct input *in, size_t n, size_t start, void **base)
{
    float *p = block(0, n, base);
    for (size_t i = 0; i < n; i++)
        p[i] = in->n ? in->src[(start + i) % in->n] : 1.0f;
    return p;
}

/* The operations on every ISA against scalar: shapes from the header, padding must stay untouched. */
static void check_ops(const struct input *in)
{
    size_t cols = 1 + in->shift % 37, rows = in->n / cols, ldx = cols + in->x_off % 5, ldy = cols + in->y_off % 5;
    size_t nx = rows ? (rows - 1) * ldx + cols : 0, ny = rows ? (rows - 1) * ldy + cols : 0;
    size_t nr = rows ? (rows - 1) * (ldx + cols) + 2 * cols : 0, n = in->n;
    void *bases[12];
    float *x = cycled(in, nx, 0, &bases[0]), *b = cycled(in, cols, 3, &bases[1]), *xr = cycled(in, nr, 5, &bases[2]);
    float *g = cycled(in, n, 7, &bases[3]);
    float *y0 = block(0, ny, &bases[4]), *y1 = block(0, ny, &bases[5]), *r0 = block(0, ny, &bases[6]);
    float *r1 = block(0, ny, &bases[7]), *e0 = block(0, n, &bases[8]), *e1 = block(0, n, &bases[9]);
    float *d0 = block(0, n, &bases[10]), *d1 = block(0, n, &bases[11]);
    int f = in->form;
    static int (*const biases[3])(int, const float *, const float *, float *, size_t, size_t, size_t,
                                  size_t) = {gelu_erf_bias_f32_isa, gelu_tanh_bias_f32_isa, gelu_quick_bias_f32_isa};
    static int (*const rowsfns[3])(int, const float *, float *, size_t, size_t, size_t, size_t) = {
        geglu_erf_rows_f32_isa, geglu_tanh_rows_f32_isa, geglu_quick_rows_f32_isa};
    static int (*const glus[3])(int, const float *, const float *, float *,
                                size_t) = {geglu_erf_f32_isa, geglu_tanh_f32_isa, geglu_quick_f32_isa};
    static int (*const bwds[3])(int, const float *, const float *, float *, size_t) = {
        gelu_erf_backward_f32_isa, gelu_tanh_backward_f32_isa, gelu_quick_backward_f32_isa};
    int (*bias)(int, const float *, const float *, float *, size_t, size_t, size_t, size_t) = biases[f];
    int (*rowsfn)(int, const float *, float *, size_t, size_t, size_t, size_t) = rowsfns[f];
    int (*glu)(int, const float *, const float *, float *, size_t) = glus[f];
    int (*bwd)(int, const float *, const float *, float *, size_t) = bwds[f];
    memset(y0, CANARY, ny * sizeof(float));
    memset(r0, CANARY, ny * sizeof(float));
    REQUIRE(bias(GELU_ISA_SCALAR, x, b, y0, rows, cols, ldx, ldy) == GELU_OK);
    REQUIRE(rowsfn(GELU_ISA_SCALAR, xr, r0, rows, cols, ldx + cols, ldy) == GELU_OK);
    REQUIRE(glu(GELU_ISA_SCALAR, in->src, g, e0, n) == GELU_OK);
    REQUIRE(bwd(GELU_ISA_SCALAR, in->src, g, d0, n) == GELU_OK);
    for (size_t i = 0; i + 1 < rows; i++) /* the padding of y */
        for (size_t j = cols; j < ldy; j++)
            REQUIRE(untouched(y0 + i * ldy + j, 1) && untouched(r0 + i * ldy + j, 1));
    for (int isa = GELU_ISA_AVX2; isa <= GELU_ISA_AVX512; isa++) {
        if (!gelu_isa_supported(isa))
            continue;
        memset(y1, CANARY, ny * sizeof(float));
        memset(r1, CANARY, ny * sizeof(float));
        REQUIRE(bias(isa, x, b, y1, rows, cols, ldx, ldy) == GELU_OK && same(y0, y1, ny));
        REQUIRE(rowsfn(isa, xr, r1, rows, cols, ldx + cols, ldy) == GELU_OK && same(r0, r1, ny));
        REQUIRE(glu(isa, in->src, g, e1, n) == GELU_OK && same(e0, e1, n));
        REQUIRE(bwd(isa, in->src, g, d1, n) == GELU_OK && same(d0, d1, n));
    }
    REQUIRE(bias(GELU_ISA_SCALAR, x, b, y1, rows, cols, cols - 1, ldy) == GELU_ERR_SHAPE); /* ldx < cols */
    for (int i = 0; i < 12; i++)
        free(bases[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER)
        return 0;
    void *sb, *xb, *yb, *wb, *zb;
    float *src = block(0, (size - HEADER) / sizeof(float), &sb);
    struct input in = parse(data, size, src);
    float *x = block(in.x_off, in.n, &xb), *y = block(in.y_off, in.n, &yb);
    float *want = block(0, in.n, &wb), *z = block(0, in.n, &zb);
    memcpy(x, in.src, in.n * sizeof(float));
    REQUIRE(call(GELU_ISA_SCALAR, in.form, x, want, in.n) == GELU_OK);

    check_results(&in, x, y, want);
    check_null(&in, x, y);
    check_overlap(&in, z, want);
    check_half(&in, (data[0] >> 3) & 1, data + HEADER, size - HEADER);
    check_ops(&in);

    free(sb);
    free(xb);
    free(yb);
    free(wb);
    free(zb);
    return 0;
}
