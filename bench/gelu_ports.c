/*
 * gelu_ports: which AVX-512 operations of the kernels compete for the same execution pipes on
 * this CPU, measured, not looked up. Each line times a loop of 8 independent operations (no
 * chain: every result goes to its own register, and the read-modify-write ones, FMA and the
 * two-register permute, start from a register copy, which the renamer eliminates) and prints
 * core cycles per operation. Two kinds that share pipes take the sum of their times mixed;
 * two that do not, the larger.
 *
 * Why: the 16-bit and float32 kernels are bound by throughput, and which operations count
 * against the bound decides what a change gains (docs/BENCH.md, "Where the cycles go").
 *
 * Core cycles come from a chain of dependent integer adds (one a cycle on every x86 core),
 * timed with the time-stamp counter like the loops, so no performance counter is needed (a VM
 * often has none). Run by hand: gelu_ports [iterations]. AVX-512 (F, BW, DQ) only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <x86intrin.h>

#if defined(__x86_64__) && defined(__GNUC__)

/* %0..%7 the results, %8 a float operand, %9 an index, %10 a table half */
#define EIGHT(op) op("0") op("1") op("2") op("3") op("4") op("5") op("6") op("7")
#define FOUR_FOUR(a, b) a("0") a("1") a("2") a("3") b("4") b("5") b("6") b("7")

#define FMA(r) "vmovaps %10, %" r "\n\tvfmadd231ps %8, %8, %" r "\n\t"
#define PERM(r) "vmovaps %10, %" r "\n\tvpermt2ps %8, %9, %" r "\n\t"
#define PERMD(r) "vmovaps %10, %" r "\n\tvpermt2pd %8, %9, %" r "\n\t"
#define MUL(r) "vmulps %8, %10, %" r "\n\t"
#define ADD(r) "vaddps %8, %10, %" r "\n\t"
#define MAX(r) "vmaxps %8, %10, %" r "\n\t"
#define REDUCE(r) "vreduceps $0x2a, %8, %" r "\n\t"
#define TO_F16(r) "vcvtps2ph $8, %8, %t" r "\n\t"
#define FROM_F16(r) "vcvtph2ps %t8, %" r "\n\t"
#define TRUNC(r) "vcvttps2dq %8, %" r "\n\t"
#define AND(r) "vpandd %8, %10, %" r "\n\t"
#define SHIFT(r) "vpslld $16, %8, %" r "\n\t"
#define MINU(r) "vpminud %8, %10, %" r "\n\t"
#define DIVD(r) "vdivpd %8, %10, %" r "\n\t"
#define DIVS(r) "vdivps %8, %10, %" r "\n\t"
#define RCPD(r) "vrcp14pd %8, %" r "\n\t"
#define SCALEFD(r) "vscalefpd %8, %10, %" r "\n\t"

static double tsc_per_cycle;

#define TIME(name, body)                                                                                 \
    do {                                                                                                 \
        __m512 r0, r1, r2, r3, r4, r5, r6, r7;                                                           \
        unsigned long long t0 = __rdtsc();                                                               \
        for (long i = 0; i < iters; i++)                                                                 \
            __asm__ volatile(body                                                                        \
                             : "=&v"(r0), "=&v"(r1), "=&v"(r2), "=&v"(r3), "=&v"(r4), "=&v"(r5), "=&v"(r6), \
                               "=&v"(r7)                                                                 \
                             : "v"(f), "v"(idx), "v"(tab));                                              \
        double c = (double)(__rdtsc() - t0) / tsc_per_cycle / (double)iters / 8;                        \
        printf("%-34s %5.2f cycles per operation\n", name, c);                                           \
    } while (0)

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 20000000;
    if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw") ||
        !__builtin_cpu_supports("avx512dq")) {
        fprintf(stderr, "gelu_ports: needs AVX-512 F, BW and DQ\n");
        return 2;
    }
    long x = 0;
    unsigned long long t0 = __rdtsc();
    for (long i = 0; i < iters; i++)
        __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                         "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
    tsc_per_cycle = (double)(__rdtsc() - t0) / (double)iters / 8;
    printf("time-stamp counter ticks per core cycle: %.3f\n", tsc_per_cycle);

    __m512 f = _mm512_set1_ps(0.5f), tab = _mm512_set1_ps(0.25f);
    __m512i idx = _mm512_set1_epi32(3);
    printf("alone (8 independent):\n");
    TIME("  vfmadd231ps", EIGHT(FMA));
    TIME("  vpermt2ps (two-register permute)", EIGHT(PERM));
    TIME("  vpermt2pd", EIGHT(PERMD));
    TIME("  vmulps", EIGHT(MUL));
    TIME("  vaddps", EIGHT(ADD));
    TIME("  vmaxps", EIGHT(MAX));
    TIME("  vreduceps", EIGHT(REDUCE));
    TIME("  vcvtps2ph (float to f16)", EIGHT(TO_F16));
    TIME("  vcvtph2ps (f16 to float)", EIGHT(FROM_F16));
    TIME("  vcvttps2dq", EIGHT(TRUNC));
    TIME("  vpandd", EIGHT(AND));
    TIME("  vpslld", EIGHT(SHIFT));
    TIME("  vpminud", EIGHT(MINU));
    TIME("  vdivpd", EIGHT(DIVD));
    TIME("  vdivps", EIGHT(DIVS));
    TIME("  vrcp14pd", EIGHT(RCPD));
    TIME("  vscalefpd", EIGHT(SCALEFD));
    printf("mixed, 4 + 4 (sharing pipes: near the mean of the two alone; apart: near half the larger):\n");
    TIME("  fma + permute", FOUR_FOUR(FMA, PERM));
    TIME("  fma + mul", FOUR_FOUR(FMA, MUL));
    TIME("  fma + add", FOUR_FOUR(FMA, ADD));
    TIME("  fma + max", FOUR_FOUR(FMA, MAX));
    TIME("  permute + add", FOUR_FOUR(PERM, ADD));
    TIME("  add + reduce", FOUR_FOUR(ADD, REDUCE));
    TIME("  fma + reduce", FOUR_FOUR(FMA, REDUCE));
    TIME("  permute + float to f16", FOUR_FOUR(PERM, TO_F16));
    TIME("  permute + f16 to float", FOUR_FOUR(PERM, FROM_F16));
    TIME("  add + float to f16", FOUR_FOUR(ADD, TO_F16));
    TIME("  permute + vpslld", FOUR_FOUR(PERM, SHIFT));
    TIME("  permute + vpminud", FOUR_FOUR(PERM, MINU));
    TIME("  fma + vpandd", FOUR_FOUR(FMA, AND));
    TIME("  fma + vdivpd", FOUR_FOUR(FMA, DIVD));
    TIME("  add + vdivpd", FOUR_FOUR(ADD, DIVD));
    TIME("  fma + vrcp14pd", FOUR_FOUR(FMA, RCPD));
    return 0;
}

#else
int main(void)
{
    fprintf(stderr, "gelu_ports: x86-64 with GCC or Clang only\n");
    return 2;
}
#endif
