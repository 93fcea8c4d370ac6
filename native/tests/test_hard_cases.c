/*
 * The regression list of the exhaustive run: the inputs whose exact GELU lies closest to a
 * rounding boundary (decided by MPFR), each with its correctly rounded result in every form
 * (columns x, then one per form in the order of GELU_FORMS).
 * Every ISA must return exactly those bits. Usage: test_hard_cases native/tests/hard_cases.txt
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gelu.h"
#include "gelu_forms.h"
#include "gelu_isas.h"

#define COLUMNS (1 + GELU_N_FORMS)

static uint32_t bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

int main(int argc, char **argv)
{
    FILE *f = argc > 1 ? fopen(argv[1], "r") : NULL;
    if (!f) {
        fprintf(stderr, "usage: test_hard_cases FILE\n");
        return 2;
    }
    size_t n = 0, cap = 1024;
    uint32_t(*rows)[COLUMNS] = malloc(cap * sizeof *rows);
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        if (n == cap)
            rows = realloc(rows, (cap *= 2) * sizeof *rows);
        int read = 0, used = 0;
        for (const char *p = line; read < COLUMNS && sscanf(p, "%x%n", &rows[n][read], &used) == 1; p += used)
            read++;
        if (read != COLUMNS) {
            fprintf(stderr, "malformed line (want %d columns): %s", COLUMNS, line);
            return 2;
        }
        n++;
    }
    fclose(f);
    float *x = malloc(n * 4 + 4), *y = malloc(n * 4 + 4);
    for (size_t i = 0; i < n; i++)
        memcpy(&x[i], &rows[i][0], 4);
    const char *isas[] = GELU_ISA_NAMES, *forms[] = {GELU_FORMS(GELU_FORM_NAME)};
#define GELU_FN(form, FORM) gelu_##form##_f32_isa,
    int (*const fns[])(int, const float *, float *, size_t) = {GELU_FORMS(GELU_FN)};
#undef GELU_FN
    long bad = 0;
    for (int isa = 0; isa < GELU_N_ISAS; isa++) {
        if (!gelu_isa_supported(isa))
            continue;
        for (int form = 0; form < GELU_N_FORMS; form++) {
            fns[form](isa, x, y, n);
            for (size_t i = 0; i < n; i++)
                if (bits(y[i]) != rows[i][1 + form] && bad++ < 10)
                    printf("FAIL %s %s x=%a: got %08x want %08x\n", isas[isa], forms[form], x[i], bits(y[i]),
                           rows[i][1 + form]);
        }
    }
    printf("%zu hard cases x %d forms on every ISA: %ld wrong\n", n, GELU_N_FORMS, bad);
    free(rows);
    free(x);
    free(y);
    return bad != 0 || n == 0;
}
