/*
 * The floating-point mode the kernels run in, whatever the caller's.
 *
 * The kernels are proven correctly rounded (all 2^32 inputs) in one SSE/AVX mode: round to
 * nearest even, no flush-to-zero, no denormals-are-zero (on AArch64 the same: FPCR's round
 * to nearest, FZ, FZ16 off, and besides DN and AHP off, so that NaNs keep their payloads and
 * f16 is IEEE binary16 as on x86). A host process may run in another
 * (anything built with -Ofast sets FTZ and DAZ at start-up; fesetround changes the rounding;
 * feenableexcept unmasks traps), so every public entry point brackets its kernel with
 * gelu_fpenv_enter / gelu_fpenv_leave:
 *
 *   - enter: when the caller's MXCSR control bits differ from GELU_MXCSR_PROVEN, load the
 *     proven mode (round to nearest, FTZ and DAZ off, every exception masked), keeping the
 *     caller's sticky flags;
 *   - leave: load the caller's control bits back, with the flags the caller had plus the ones
 *     the kernel raised (IEEE 754 flags are sticky and belong to the caller).
 *
 * So no trap is taken inside the library (the kernels run with exceptions masked), and the
 * flags a caller sees are the ones IEEE 754 asks of GELU (invalid for a signalling NaN,
 * underflow for a tiny inexact result; inexact is not tracked and may be raised by any call).
 * In the usual case (a C program or the JVM, MXCSR = 0x1F80) both steps are one STMXCSR and a
 * compare: LDMXCSR, which costs far more, only runs when the mode has to change.
 *
 * x87 state is not touched: the kernels do not use the x87 unit. Baseline SSE only, so the
 * dispatcher (compiled without -mavx) may include it.
 *
 * AArch64: the control bits live in FPCR and the sticky flags in a register of their own,
 * FPSR, so enter and leave only read FPCR and write it when the caller's control bits differ
 * from the proven ones (all zero: round to nearest, FZ/FZ16/DN/AHP off, traps disabled; the
 * FEAT_AFP bits FIZ/AH/NEP off too); the flags are never touched, so the caller's stay and the
 * kernel's add to them. Every FPCR access is a volatile asm with a memory clobber, and the
 * kernels run behind a call through a pointer, so no arithmetic moves across the switch.
 */
#ifndef GELU_FPENV_H
#define GELU_FPENV_H

#if defined(__x86_64__)
#include <xmmintrin.h>

/* MXCSR: bits 0-5 the sticky exception flags, 6 DAZ, 7-12 the exception masks, 13-14 the
   rounding control, 15 FTZ. */
#define GELU_MXCSR_FLAGS 0x003Fu
/* Every exception masked, round to nearest, FTZ and DAZ off: the mode of the proofs. */
#define GELU_MXCSR_PROVEN 0x1F80u

/* Puts the proven mode in place; returns the caller's MXCSR for gelu_fpenv_leave. */
static inline unsigned gelu_fpenv_enter(void)
{
    unsigned caller = _mm_getcsr();
    if ((caller & ~GELU_MXCSR_FLAGS) != GELU_MXCSR_PROVEN)
        _mm_setcsr(GELU_MXCSR_PROVEN | (caller & GELU_MXCSR_FLAGS));
    return caller;
}

/* Restores the caller's mode, adding the flags raised since gelu_fpenv_enter. */
static inline void gelu_fpenv_leave(unsigned caller)
{
    if ((caller & ~GELU_MXCSR_FLAGS) != GELU_MXCSR_PROVEN)
        _mm_setcsr(caller | (_mm_getcsr() & GELU_MXCSR_FLAGS));
}

#elif defined(__aarch64__)

/* FPCR: 0 FIZ, 1 AH, 2 NEP (FEAT_AFP); 8-12 and 15 the trap enables (IOE DZE OFE UFE IXE
   IDE); 19 FZ16; 22-23 RMode; 24 FZ; 25 DN; 26 AHP. Every one of them 0 is the proven mode. */
#define GELU_FPCR_CONTROL 0x07C89F07u

static inline unsigned gelu_fpcr_get(void)
{
    unsigned long v;
    __asm__ volatile("mrs %0, fpcr" : "=r"(v)::"memory");
    return (unsigned)v;
}

static inline void gelu_fpcr_set(unsigned v) { __asm__ volatile("msr fpcr, %0" ::"r"((unsigned long)v) : "memory"); }

/* Puts the proven mode in place; returns the caller's FPCR for gelu_fpenv_leave. */
static inline unsigned gelu_fpenv_enter(void)
{
    unsigned caller = gelu_fpcr_get();
    if (caller & GELU_FPCR_CONTROL)
        gelu_fpcr_set(caller & ~GELU_FPCR_CONTROL);
    return caller;
}

/* Restores the caller's mode; the flags (FPSR) were never touched, the kernel's added to them. */
static inline void gelu_fpenv_leave(unsigned caller)
{
    if (caller & GELU_FPCR_CONTROL)
        gelu_fpcr_set(caller);
}

#else
#error "gelu_fpenv.h knows the floating-point control of x86-64 and aarch64 only"
#endif

#endif
