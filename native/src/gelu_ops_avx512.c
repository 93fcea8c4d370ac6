/* The composed operations on the avx512 kernels (gelu_ops.h), compiled with the ISA's flags. */
#define GELU_OPS_ISA avx512
#define GELU_OPS_NT 1 /* the f32 kernels have streaming variants, <name>_nt_avx512 */
#include "gelu_ops.h"
