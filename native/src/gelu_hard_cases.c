/* The slow path of the rounding tests: a binary search in a table of known hard cases. */
#include "gelu_internal.h"
#include "gelu_hard_cases_table.h"

const uint32_t *gelu_table_find(const uint32_t (*table)[2], size_t count, uint32_t key)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (table[mid][0] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < count && table[lo][0] == key ? table[lo] : NULL;
}

float gelu_table_f32(const uint32_t (*table)[2], size_t count, float x, float fast)
{
    const uint32_t *row = gelu_table_find(table, count, gelu_bits32(x));
    return row ? gelu_from_bits32(row[1]) : fast;
}

float gelu_hard_case_f32(enum gelu_form form, float x, float fast)
{
    if (form == GELU_FORM_ERF)
        return gelu_table_f32(gelu_erf_hard_cases, GELU_ERF_HARD_CASES, x, fast);
    if (form == GELU_FORM_QUICK)
        return gelu_table_f32(gelu_quick_hard_cases, GELU_QUICK_HARD_CASES, x, fast);
    return gelu_table_f32(gelu_tanh_hard_cases, GELU_TANH_HARD_CASES, x, fast);
}
