/* MPFR oracle of GELU'(x), the derivative, correctly rounded to float (Ziv's strategy). */
#ifndef GELU_ORACLE_DERIV_H
#define GELU_ORACLE_DERIV_H
/* form 0 = erf (Phi(x) + x phi(x)), 1 = tanh, 2 = quick (x sigma(1.702 x)): GELU'(x) rounded to nearest even. */
float gelu_oracle_deriv(int form, float x);
/* GELU'(x) from 128-bit terms, rounded to double: for diagnostics, not correctly rounded. */
double gelu_oracle_deriv_approx(int form, float x);
#endif
