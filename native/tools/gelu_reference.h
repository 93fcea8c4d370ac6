/* Correctly rounded GELU, fast enough for all 2^32 inputs (see gelu_reference.c). */
#ifndef GELU_REFERENCE_H
#define GELU_REFERENCE_H
/* form 0 = erf, 1 = tanh; *used_oracle tells whether MPFR had to decide this input. */
float gelu_reference(int form, float x, int *used_oracle);
#endif
