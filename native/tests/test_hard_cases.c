/*
 * The regression list of the exhaustive run: the inputs whose exact GELU lies closest to a
 * rounding boundary (decided by MPFR), each with its correctly rounded result in every form
 * (columns x erf tanh quick).
 * Every ISA must return exactly those bits. Usage: test_hard_cases native/tests/hard_cases.txt
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gelu.h"

static uint32_t bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

int main(int argc, char **argv)
{
    FILE *f = argc > 1 ? fopen(argv[1], "r") : NULL;
    if (!f) {
        fprintf(stderr, "usage: test_hard_cases FILE\n");
        return 2;
    }
    size_t n = 0, cap = 1024;
    uint32_t(*rows)[4] = malloc(cap * sizeof *rows);
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        if (n == cap)
            rows = realloc(rows, (cap *= 2) * sizeof *rows);
        if (sscanf(line, "%x %x %x %x", &rows[n][0], &rows[n][1], &rows[n][2], &rows[n][3]) != 4) {
            fprintf(stderr, "malformed line: %s", line);
            return 2;
        }
        n++;
    }
    fclose(f);
    float *x = malloc(n * 4 + 4), *y = malloc(n * 4 + 4);
    for (size_t i = 0; i < n; i++)
        memcpy(&x[i], &rows[i][0], 4);
    const char *isas[] = {"scalar", "avx2", "avx512"}, *forms[] = {"erf", "tanh", "quick"};
    int (*const fns[])(int, const float *, float *, size_t) = {gelu_erf_f32_isa, gelu_tanh_f32_isa, gelu_quick_f32_isa};
    long bad = 0;
    for (int isa = 0; isa < 3; isa++) {
        if (!gelu_isa_supported(isa))
            continue;
        for (int form = 0; form < 3; form++) {
            fns[form](isa, x, y, n);
            for (size_t i = 0; i < n; i++)
                if (bits(y[i]) != rows[i][1 + form] && bad++ < 10)
                    printf("FAIL %s %s x=%a: got %08x want %08x\n", isas[isa], forms[form], x[i],
                           bits(y[i]), rows[i][1 + form]);
        }
    }
    printf("%zu hard cases x 3 forms on every ISA: %ld wrong\n", n, bad);
    free(rows);
    free(x);
    free(y);
    return bad != 0 || n == 0;
}
