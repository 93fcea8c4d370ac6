/* MPFR oracle: the correctly rounded float value of each GELU form (Ziv's strategy). */
#ifndef GELU_ORACLE_H
#define GELU_ORACLE_H
float gelu_oracle_erf(float x);
float gelu_oracle_tanh(float x);
/* form 0 = erf, 1 = tanh: the sign of GELU(x) - y, decided at growing precision. */
int gelu_oracle_side(int form, float x, float y);
#include <stdint.h>
/* GELU(x) of the form rounded once to bf16 (type 0) or f16 (type 1): the format's raw bits. */
uint16_t gelu_oracle_half(int form, int type, float x);
/* The raw bits of a float that is a value of the format (or beyond its range: infinity). */
uint16_t gelu_half_bits(float f, int type);
#endif
