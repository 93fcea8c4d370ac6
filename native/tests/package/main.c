/* A C user's program, built against the installed package (find_package(gelu) or pkg-config):
 * checks that the header and the library it finds agree and compute known values. */
#include <gelu.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    const float x[3] = {1.0f, -10.0f, 0.0f};
    float y[3];
    if (gelu_erf_f32(x, y, 3) != GELU_OK) {
        fprintf(stderr, "gelu_erf_f32 failed\n");
        return 1;
    }
    /* GELU(1) = Phi(1) = 0.8413447460685429..., GELU(-10) = -7.6198530241605269e-23 */
    if (y[0] != 0x1.aec4bep-1f || y[1] != -0x1.707936p-74f || y[2] != 0.0f) {
        fprintf(stderr, "wrong values: %a %a %a\n", y[0], y[1], y[2]);
        return 1;
    }
    if (gelu_version_number() != GELU_VERSION_NUMBER || (argc > 1 && strcmp(gelu_version(), argv[1]) != 0)) {
        fprintf(stderr, "version mismatch: library %s (%d), header %d\n", gelu_version(), gelu_version_number(),
                GELU_VERSION_NUMBER);
        return 1;
    }
    printf("gelu %s on %s: GELU(1) = %.9g, GELU(-10) = %.9g\n", gelu_version(), gelu_isa(), y[0], y[1]);
    return 0;
}
