/*
 * gelu.h declares exactly the library's API: for every row of the kernel table (GELU_KERNELS)
 * the function and its _isa variant, plus the queries below, and nothing else. The prototypes
 * themselves are checked by the compiler: gelu_dispatch.c defines every entry point from the
 * table with gelu.h included (a conflicting type fails) and the library is compiled with
 * -Werror=missing-prototypes (a definition gelu.h does not declare fails). This test catches
 * the rest: a declaration with no definition, or one declared twice.
 *
 * Usage: test_header PATH/gelu.h
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gelu_internal.h"

/* The API outside the kernel table, defined by hand in gelu_dispatch.c. */
static const char *const queries[] = {"gelu_isa",           "gelu_isa_supported", "gelu_max_isa_status",
                                      "gelu_max_isa_value", "gelu_version",       "gelu_version_number"};

#define GELU_NAMES(name, kind) #name, #name "_isa",
static const char *const kernels[] = {GELU_KERNELS(GELU_NAMES)};
#undef GELU_NAMES

#define COUNT(a) (sizeof a / sizeof a[0])
#define MAX_DECLS 1024

static char *declared[MAX_DECLS];
static int n_declared;

/* The names of the GELU_API declarations, each from GELU_API to its first '(' (the name is the
   identifier just before it). Preprocessor lines are skipped: they define GELU_API itself. */
static void parse(FILE *f)
{
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '#' || strncmp(p, "GELU_API ", 9) != 0)
            continue;
        char *paren = strchr(p, '(');
        if (!paren) {
            fprintf(stderr, "a GELU_API declaration that does not fit on one line: %s", line);
            exit(1);
        }
        char *end = paren;
        while (end > p && end[-1] == ' ')
            end--;
        char *start = end;
        while (start > p && (start[-1] == '_' || (start[-1] >= 'a' && start[-1] <= 'z') ||
                             (start[-1] >= 'A' && start[-1] <= 'Z') || (start[-1] >= '0' && start[-1] <= '9')))
            start--;
        if (n_declared == MAX_DECLS) {
            fprintf(stderr, "more than %d declarations\n", MAX_DECLS);
            exit(1);
        }
        declared[n_declared++] = strndup(start, (size_t)(end - start));
    }
}

static int count_declared(const char *name)
{
    int c = 0;
    for (int i = 0; i < n_declared; i++)
        c += strcmp(declared[i], name) == 0;
    return c;
}

static int expected(const char *name)
{
    for (size_t i = 0; i < COUNT(kernels); i++)
        if (strcmp(kernels[i], name) == 0)
            return 1;
    for (size_t i = 0; i < COUNT(queries); i++)
        if (strcmp(queries[i], name) == 0)
            return 1;
    return 0;
}

static int check(const char *name)
{
    int c = count_declared(name);
    if (c != 1)
        fprintf(stderr, "%s: declared %d times in gelu.h, expected once\n", name, c);
    return c != 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_header PATH/gelu.h\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    parse(f);
    fclose(f);
    int failures = 0;
    for (size_t i = 0; i < COUNT(kernels); i++)
        failures += check(kernels[i]);
    for (size_t i = 0; i < COUNT(queries); i++)
        failures += check(queries[i]);
    for (int i = 0; i < n_declared; i++)
        if (!expected(declared[i])) {
            fprintf(stderr, "%s: declared in gelu.h but not a row of GELU_KERNELS (nor a query)\n", declared[i]);
            failures++;
        }
    printf("gelu.h: %d declarations, %zu from %zu kernel rows and %zu queries expected, %d problems\n", n_declared,
           COUNT(kernels) + COUNT(queries), COUNT(kernels) / 2, COUNT(queries), failures);
    return failures != 0;
}
