/* Correctly rounded GELU, fast enough for all 2^32 inputs (see gelu_reference.c). */
#ifndef GELU_REFERENCE_H
#define GELU_REFERENCE_H
/* form 0 = erf, 1 = tanh, 2 = quick; *used_oracle tells whether MPFR had to decide this input. */
float gelu_reference(int form, float x, int *used_oracle);
/* 1 when got is faithful: one of the two floats around GELU(x); want is the correctly rounded value. */
int gelu_reference_faithful(int form, float x, float want, float got);
#include <stdint.h>
/* GELU(x) rounded once to bf16 (out[0]) and f16 (out[1]), raw bits; returns how many MPFR decided. */
int gelu_reference_half(int form, float x, uint16_t out[2]);
#endif
