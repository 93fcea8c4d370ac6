/* MPFR oracle: the correctly rounded float value of each GELU form (Ziv's strategy). */
#ifndef GELU_ORACLE_H
#define GELU_ORACLE_H
float gelu_oracle_erf(float x);
float gelu_oracle_tanh(float x);
/* form 0 = erf, 1 = tanh: the sign of GELU(x) - y, decided at growing precision. */
int gelu_oracle_side(int form, float x, float y);
#endif
