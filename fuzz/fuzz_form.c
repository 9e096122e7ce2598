/*
 * Fuzz target: the detection engine on application/x-www-form-urlencoded
 * bodies and query strings. The input layout and invariants are those of
 * fuzz_scan.c, which this file reuses with the format fixed to form.
 */
#define VEIL_FUZZ_FORMAT VEIL_FMT_FORM
#include "fuzz_scan.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_engine(data, size, VEIL_FMT_FORM);
}
