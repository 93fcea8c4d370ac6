/* The composed operations on the scalar kernels (gelu_ops.h), compiled with the ISA's flags. */
#define GELU_OPS_ISA scalar
#include "gelu_ops.h"
