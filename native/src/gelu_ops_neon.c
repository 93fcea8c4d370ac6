/* The composed operations on the neon kernels (gelu_ops.h), compiled with the ISA's flags. */
#define GELU_OPS_ISA neon
#include "gelu_ops.h"
