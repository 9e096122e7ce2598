/*
 * Fuzz target: the detection engine on multipart bodies. The input layout
 * and invariants are those of fuzz_scan.c, with the format fixed to
 * multipart: a body that starts with "--" gives its boundary on its first
 * line (the walker's own sniffing); any other body is read with the
 * boundary "b" from a Content-Type, so preambles are fuzzed too. Parts
 * not inspected are checked as fuzz_scan.c says (markers, or kept).
 */
#define VEIL_FUZZ_FORMAT VEIL_FMT_MULTIPART
#include "fuzz_scan.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static veil_body_type_t typed;
    int rc;

    if (typed.boundary_len == 0) {
        static const char ct[] = "multipart/form-data; boundary=\"b\"";
        veil_body_type_from_content_type(ct, sizeof(ct) - 1, &typed);
        FUZZ_ASSERT(typed.format == VEIL_FMT_MULTIPART && typed.boundary_len == 1);
    }
    fuzz_type = size >= 4 && data[2] == '-' && data[3] == '-' ? NULL : &typed;
    rc = fuzz_engine(data, size, VEIL_FMT_MULTIPART);
    fuzz_type = NULL;
    return rc;
}
