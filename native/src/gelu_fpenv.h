/*
 * The floating-point mode the kernels run in, whatever the caller's.
 *
 * The kernels are proven correctly rounded (all 2^32 inputs) in one SSE/AVX mode: round to
 * nearest even, no flush-to-zero, no denormals-are-zero. A host process may run in another
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
 */
#ifndef GELU_FPENV_H
#define GELU_FPENV_H

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

#endif
