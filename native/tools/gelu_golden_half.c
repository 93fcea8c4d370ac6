/*
 * Writes the golden 16-bit values for the Java tests: for every one of the 2^16 inputs of
 * each format, the MPFR oracle's GELU rounded once to that format, as little-endian uint16 in
 * six tables of 65536 (erf bf16, erf f16, tanh bf16, tanh f16, quick bf16, quick f16), table[i] the result for the
 * input with bits i. scripts/make-golden.sh gzips it into the Java test resources.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gelu_half_convert.h"
#include "gelu_oracle.h"

static float widen(int type, uint16_t h) { return type ? half_f16_to_f32(h) : half_bf16_to_f32(h); }

int main(void)
{
    for (int form = 0; form < 3; form++)
        for (int type = 0; type < 2; type++)
            for (uint32_t i = 0; i < 65536; i++) {
                uint16_t y = gelu_oracle_half(form, type, widen(type, (uint16_t)i));
                unsigned char le[2] = {(unsigned char)(y & 0xFF), (unsigned char)(y >> 8)};
                fwrite(le, 1, 2, stdout);
            }
    return ferror(stdout) != 0;
}
