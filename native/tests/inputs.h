/* The sampled input set shared by the C tests: every region of the float line, not just [-6, 6]. */
#ifndef GELU_TEST_INPUTS_H
#define GELU_TEST_INPUTS_H
#include <stddef.h>
/* Fills a newly allocated array (free() it) and returns its length. */
size_t gelu_test_inputs(float **out);
#endif
