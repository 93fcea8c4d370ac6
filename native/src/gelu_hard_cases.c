/* The slow path of the rounding test: a binary search in the table of known hard cases. */
#include "gelu_internal.h"
#include "gelu_hard_cases_table.h"

static float lookup(const uint32_t (*table)[2], size_t count, float x, float fast)
{
    uint32_t key = gelu_bits32(x);
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (table[mid][0] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < count && table[lo][0] == key ? gelu_from_bits32(table[lo][1]) : fast;
}

float gelu_hard_case_f32(enum gelu_form form, float x, float fast)
{
    if (form == GELU_FORM_ERF)
        return lookup(gelu_erf_hard_cases, GELU_ERF_HARD_CASES, x, fast);
    if (form == GELU_FORM_QUICK)
        return lookup(gelu_quick_hard_cases, GELU_QUICK_HARD_CASES, x, fast);
    return lookup(gelu_tanh_hard_cases, GELU_TANH_HARD_CASES, x, fast);
}
