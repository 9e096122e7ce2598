/*
 * Fuzz target: the detection engine on XML bodies (SOAP included). The
 * input layout and invariants are those of fuzz_scan.c, which this file
 * reuses with the format fixed to XML: whole and cut give the same
 * findings and bytes, findings sorted and apart, safe offsets monotonic,
 * the redacted output rebuilt from the findings byte for byte (so it is
 * bounded: no entity is ever expanded).
 */
#define VEIL_FUZZ_FORMAT VEIL_FMT_XML
#include "fuzz_scan.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_engine(data, size, VEIL_FMT_XML);
}
