/* The composed operations on the avx512 kernels (gelu_ops.h), compiled with the ISA's flags. */
#define GELU_OPS_ISA avx512
#include "gelu_ops.h"
