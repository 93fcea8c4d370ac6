/* MPFR oracle: the correctly rounded float value of each GELU form (Ziv's strategy). */
#ifndef GELU_ORACLE_H
#define GELU_ORACLE_H
float gelu_oracle_erf(float x);
float gelu_oracle_tanh(float x);
float gelu_oracle_quick(float x);
/* form 0 = erf, 1 = tanh, 2 = quick (x sigma(1.702 x)) in every function below. */
float gelu_oracle(int form, float x);
/* |x| from which the form's result is x or -0 without evaluation: 20, quick 64. */
double gelu_oracle_big(int form);
/* The sign of GELU(x) - y, decided at growing precision. */
int gelu_oracle_side(int form, float x, float y);
#include <stdint.h>
/* GELU(x) of the form rounded once to bf16 (type 0) or f16 (type 1): the format's raw bits. */
uint16_t gelu_oracle_half(int form, int type, float x);
/* g dy, the exact product of two floats (numbers), rounded once to bf16 (type 0) or f16 (type 1). */
uint16_t gelu_oracle_product16(int type, float g, float dy);
/* The raw bits of a float that is a value of the format (or beyond its range: infinity). */
uint16_t gelu_half_bits(float f, int type);
#endif
