/* The composed operations on the avx2 kernels (gelu_ops.h), compiled with the ISA's flags. */
#define GELU_OPS_ISA avx2
#include "gelu_ops.h"
