/*
 * interop_c.c - the C baseline of the cross-language call-cost comparison (issue #13):
 * gelu_erf_f32 and gelu_erf_f32_faithful called straight from C through libgelu.so's PLT,
 * the same way every other path of bench/interop/ ends up calling them.
 *
 *   interop_c [--rounds R] [--min-us U] [--sizes 1,16,256,4096]
 *
 * Prints CSV on stdout: path,n,ns_per_call (one line per round); scripts/interop.sh takes the
 * medians. Built with -DINTEROP_NO_MAIN -shared, it is libinterop_c.so: interop_c_ns_per_call
 * only, the C loop for the Java and Python harnesses. Buffers are in cache: 2 x 4096 floats (32 KiB) allocated once, aligned to 64 bytes,
 * inputs uniform in [-5, 5]. Rounds go round-robin over the (kernel, n) cells, so that a slow
 * moment of a shared machine spreads over all the cells instead of hitting one of them.
 */
#define _POSIX_C_SOURCE 200809L
#include <gelu.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int (*kernel_fn)(const float *, float *, size_t);

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ns per call of f on n elements over reps calls. */
static double time_calls(kernel_fn f, const float *x, float *y, size_t n, long reps, int *sink) {
  double t0 = now_ns();
  int acc = 0;
  for (long r = 0; r < reps; r++) acc |= f(x, y, n);
  double t1 = now_ns();
  *sink |= acc;
  return (t1 - t0) / (double)reps;
}

/*
 * The same C loop for the other harnesses (built into build/interop/libinterop_c.so): Java and
 * Python time it among their own cells, so that each of them has a C reference measured in
 * the same process, on the same CPU, in the same minutes. kernel 0 is gelu_erf_f32, 1 its
 * faithful variant. Returns ns per call, or -1 on a kernel error.
 */
__attribute__((visibility("default"))) double interop_c_ns_per_call(int kernel, const float *x, float *y, size_t n,
                                                                    long reps) {
  int sink = 0;
  double t = time_calls(kernel ? gelu_erf_f32_faithful : gelu_erf_f32, x, y, n, reps, &sink);
  return sink ? -1 : t;
}

#ifndef INTEROP_NO_MAIN
/* x and y of a cell: the separate 64-byte aligned buffers, or the Java heap layout in h (whose
 * x copies the inputs of the first n floats of x0) */
static const float *kx(int heap, const float *x0, float *h, size_t n) {
  if (!heap) return x0;
  float *x = h + 4; /* 16 bytes into a 64-byte aligned block */
  for (size_t i = 0; i < n; i++) x[i] = x0[i];
  return x;
}

static float *ky(int heap, float *y0, float *h, size_t n) {
  if (!heap) return y0;
  size_t obj = (16 + 4 * n + 7) / 8 * 8; /* bytes of one float[n] object */
  return h + 4 + obj / 4;
}


int main(int argc, char **argv) {
  int rounds = 101;
  double min_us = 200; /* each round of each cell lasts about this long: short rounds, so that
                          most of them escape the preemptions of a shared machine */
  size_t sizes[16] = {1, 16, 256, 4096};
  int nsizes = 4;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
      rounds = atoi(argv[++i]);
    } else if (!strcmp(argv[i], "--min-us") && i + 1 < argc) {
      min_us = atof(argv[++i]);
    } else if (!strcmp(argv[i], "--sizes") && i + 1 < argc) {
      nsizes = 0;
      for (char *s = strtok(argv[++i], ","); s && nsizes < 16; s = strtok(NULL, ",")) sizes[nsizes++] = strtoul(s, NULL, 10);
    } else {
      fprintf(stderr, "usage: interop_c [--rounds R] [--min-us U] [--sizes a,b,c]\n");
      return 2;
    }
  }
  size_t maxn = 1;
  for (int i = 0; i < nsizes; i++)
    if (sizes[i] > maxn) maxn = sizes[i];
  float *x = aligned_alloc(64, (maxn * sizeof(float) + 63) / 64 * 64);
  float *y = aligned_alloc(64, (maxn * sizeof(float) + 63) / 64 * 64);
  if (!x || !y) return 1;
  uint64_t s = 0x9E3779B97F4A7C15u;
  for (size_t i = 0; i < maxn; i++) {
    s = s * 6364136223846793005u + 1442695040888963407u;
    x[i] = (float)((double)(s >> 11) / 9007199254740992.0 * 10.0 - 5.0);
    y[i] = 0;
  }
  /* c_heap_layout: x and y placed like two float[n] allocated back to back on the Java heap
   * (array data 16 bytes into an 8-aligned object of 16 + 4n bytes rounded up to 8): at n = 1,
   * y starts 24 bytes after x, inside the reach of the kernel's masked vector accesses */
  float *hx = aligned_alloc(64, (2 * maxn * sizeof(float) + 256 + 63) / 64 * 64);
  if (!hx) return 1;
  struct {
    const char *name;
    kernel_fn f;
    int heap_layout;
  } kernels[] = {{"c_direct", gelu_erf_f32, 0}, {"c_direct_faithful", gelu_erf_f32_faithful, 0},
                 {"c_heap_layout", gelu_erf_f32, 1}};
  const int nk = (int)(sizeof kernels / sizeof kernels[0]);
  int sink = 0;

  /* Calibration and warm-up: reps per cell so that one round lasts >= min_us. */
  long reps[3][16];
  for (int k = 0; k < nk; k++) {
    for (int j = 0; j < nsizes; j++) {
      const float *cx = kx(kernels[k].heap_layout, x, hx, sizes[j]);
      float *cy = ky(kernels[k].heap_layout, y, hx, sizes[j]);
      long r = 16;
      double t0 = now_ns();
      /* warm-up: at least 20 ms and until one pass lasts min_us / 8 */
      for (;;) {
        double pass = time_calls(kernels[k].f, cx, cy, sizes[j], r, &sink) * (double)r;
        int short_pass = pass < min_us * 1e3 / 8 && r < (1L << 30);
        if (!short_pass && now_ns() - t0 >= 20e6) break;
        if (short_pass) r *= 2;
      }
      double per = 1e300; /* the fastest of 5: a preempted pass would give short rounds */
      for (int i = 0; i < 5; i++) {
        double t = time_calls(kernels[k].f, cx, cy, sizes[j], r, &sink);
        if (t < per) per = t;
      }
      reps[k][j] = (long)(min_us * 1e3 / per) + 1;
    }
  }
  printf("path,n,ns_per_call\n");
  for (int round = 0; round < rounds; round++)
    for (int k = 0; k < nk; k++)
      for (int j = 0; j < nsizes; j++)
        printf("%s,%zu,%.3f\n", kernels[k].name, sizes[j],
               time_calls(kernels[k].f, kx(kernels[k].heap_layout, x, hx, sizes[j]),
                          ky(kernels[k].heap_layout, y, hx, sizes[j]), sizes[j], reps[k][j], &sink));
  fprintf(stderr, "interop_c: isa %s, rc %d\n", gelu_isa(), sink);
  free(x);
  free(y);
  free(hx);
  return sink != 0;
}
#endif
