/*
 * The caller's floating-point control word, for the tests that call the library from odd modes:
 * MXCSR on x86-64, FPCR on aarch64 (whose sticky flags live apart, in FPSR). The modes are
 * named; on aarch64 FZ flushes inputs and outputs alike, so "DAZ" is FZ there too, and the
 * modes only AArch64 has (default NaN, alternative half precision, FZ16) are in
 * TEST_FP_ARCH_ODD. Tests that switch modes are built with -frounding-math (tests/CMakeLists.txt):
 * without it GCC may move their own arithmetic across the switch.
 */
#ifndef GELU_TEST_FPMODE_H
#define GELU_TEST_FPMODE_H

#if defined(__x86_64__)
#include <xmmintrin.h>

static inline unsigned test_fp_get(void) { return _mm_getcsr(); }
static inline void test_fp_set(unsigned mode) { _mm_setcsr(mode); }
#define TEST_FP_NAME "MXCSR"
#define TEST_FP_DEFAULT 0x1F80u /* a C program's mode: round to nearest, everything masked */
#define TEST_FP_FLAGS 0x003Fu   /* the sticky flags, inside the word */
#define TEST_FP_FTZ 0x8000u
#define TEST_FP_DAZ 0x0040u
#define TEST_FP_UP 0x4000u
#define TEST_FP_DOWN 0x2000u
#define TEST_FP_ZERO 0x6000u
#define TEST_FP_ARCH_ODD 0u
/* mode with invalid trapped: a mask bit cleared */
static inline unsigned test_fp_trap_invalid(unsigned mode) { return mode & ~0x0080u; }

#elif defined(__aarch64__)

static inline unsigned test_fp_get(void)
{
    unsigned long v;
    __asm__ volatile("mrs %0, fpcr" : "=r"(v)::"memory");
    return (unsigned)v;
}
static inline void test_fp_set(unsigned mode)
{
    __asm__ volatile("msr fpcr, %0" ::"r"((unsigned long)mode) : "memory");
}
#define TEST_FP_NAME "FPCR"
#define TEST_FP_DEFAULT 0u
#define TEST_FP_FLAGS 0u
#define TEST_FP_FTZ (1u << 24)
#define TEST_FP_DAZ (1u << 24)
#define TEST_FP_UP (1u << 22)
#define TEST_FP_DOWN (2u << 22)
#define TEST_FP_ZERO (3u << 22)
#define TEST_FP_ARCH_ODD ((1u << 25) | (1u << 26) | (1u << 19)) /* DN, AHP, FZ16 */
/* mode with invalid trapped: IOE set (a CPU without trapping reads it back as 0) */
static inline unsigned test_fp_trap_invalid(unsigned mode) { return mode | (1u << 8); }

#else
#error "the tests know the floating-point control of x86-64 and aarch64 only"
#endif

#endif
