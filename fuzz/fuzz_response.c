/*
 * Fuzz target: veil's validators against raw upstream response bytes,
 * cross-checked with llhttp (HTTP_RESPONSE). The modes and invariants are
 * those of fuzz_request.c, which this file reuses; every rejection must be
 * a 502.
 */
#define VEIL_FUZZ_HTTP_NO_MAIN
#include "fuzz_request.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_http(data, size, 1);
}
