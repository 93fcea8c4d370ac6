/*
 * The forms of GELU, in the order of enum gelu_form: the one list that the enum, the kernel
 * table's rows (GELU_KERNELS), the tests and the tools iterate, so a new form is a row here
 * (plus its constants and algorithm, and its declarations in gelu.h). X(form, FORM): the
 * lower-case name of the entry points (gelu_<form>_f32...), the upper-case one of the
 * constants (GELU_FORM_<FORM>...).
 */
#ifndef GELU_FORMS_H
#define GELU_FORMS_H

#define GELU_FORMS_EACH(R, X) R(X, erf, ERF) R(X, tanh, TANH) R(X, quick, QUICK)

/* R(X, form, FORM) for each form: the kernel table's rows (gelu_internal.h) pass X through R.
   GELU_FORMS(X) is the plain X(form, FORM) for each form. */
#define GELU_FORM_PLAIN(X, form, FORM) X(form, FORM)
#define GELU_FORMS(X) GELU_FORMS_EACH(GELU_FORM_PLAIN, X)

/* For initializers: {GELU_FORMS(GELU_FORM_NAME)} is {"erf", "tanh", "quick"}, GELU_FORM_UPPER
   the same in capitals; GELU_N_FORMS is their count. */
#define GELU_FORM_NAME(form, FORM) #form,
#define GELU_FORM_UPPER(form, FORM) #FORM,
#define GELU_FORM_ONE(form, FORM) +1
#define GELU_N_FORMS (0 GELU_FORMS(GELU_FORM_ONE))

#endif
