/*
 * Writes the correctly rounded 16-bit GELU of every bf16 and every f16 input, so that a script
 * without MPFR (bench/torch_accuracy16.py) can check another implementation against it.
 *
 * Usage: gelu_oracle16_dump OUT
 * OUT: 4 tables of 65,536 little-endian uint16, in the order bf16 erf, bf16 tanh, f16 erf,
 * f16 tanh (512 KiB); entry i of a table is gelu_oracle_half at the input whose bits are i.
 * NaN inputs get the oracle's quieted NaN; a checker should leave them out or accept any NaN.
 */
#include <stdint.h>
#include <stdio.h>

#include "gelu_half_convert.h"
#include "gelu_oracle.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gelu_oracle16_dump OUT\n");
        return 2;
    }
    FILE *out = fopen(argv[1], "wb");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    for (int type = 0; type < 2; type++)
        for (int form = 0; form < 2; form++)
            for (uint32_t i = 0; i < 65536; i++) {
                float x = type ? half_f16_to_f32((uint16_t)i) : half_bf16_to_f32((uint16_t)i);
                uint16_t y = gelu_oracle_half(form, type, x);
                unsigned char le[2] = {(unsigned char)(y & 0xFF), (unsigned char)(y >> 8)};
                if (fwrite(le, 1, 2, out) != 2) {
                    perror(argv[1]);
                    return 1;
                }
            }
    if (fclose(out) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
