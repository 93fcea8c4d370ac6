/* The composed operations on the scalar kernels (gelu_ops.h), compiled with the ISA's flags;
   also the scalar 16-bit backward (the vector ISAs' is in gelu_half_body.h). */
#define GELU_OPS_ISA scalar
#define GELU_OPS_SCALAR_BWD16 1
#include "gelu_ops.h"
