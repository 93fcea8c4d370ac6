/*
 * Other GELU implementations ("anchors") whose accuracy the README compares with ours.
 *
 * Each is built in only when its library was found (GELU_HAVE_DNNL, GELU_HAVE_SLEEF,
 * GELU_HAVE_LIBMVEC_ERFC), and listed only when this CPU can run it. For the tools only:
 * never link this into libgelu.
 */
#ifndef GELU_ANCHORS_H
#define GELU_ANCHORS_H

#include <stddef.h>
#include <stdint.h>

int gelu_anchor_count(void);
/* For 0 <= i < gelu_anchor_count(); NULL otherwise. */
const char *gelu_anchor_name(int i);
/* 0: erf form x*Phi(x); 1: tanh form 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3))); -1 when out
   of range. */
int gelu_anchor_form(int i);
/* y[k] = anchor i at x[k] for k < n; thread-safe; aborts on an out-of-range i or when the
   anchor's library fails. */
void gelu_anchor_run(int i, const float *x, float *y, size_t n);

/* The 16-bit anchors: raw bf16 (type 0) or f16 (type 1) in, the same type out. The same
   contract as above; listed only when the library has a kernel for the type on this CPU. */
int gelu_anchor16_count(void);
const char *gelu_anchor16_name(int i);
int gelu_anchor16_form(int i);
int gelu_anchor16_type(int i);
void gelu_anchor16_run(int i, const uint16_t *x, uint16_t *y, size_t n);

#endif
