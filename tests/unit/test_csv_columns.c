/*
 * CSV tables in text (csv_columns.c, issue 10): a header that names
 * personal data makes its columns the keys of their cells, so context
 * comes from the header; cells under an identity-document or secret
 * header are findings whole. Every case runs whole, byte by byte and in
 * random pieces on every SIMD level (engine_harness.h), so a row or a
 * quote cut anywhere gives the same findings.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "veil/scan.h"
#include "veil/transform.h"

#include "engine_harness.h"

static veil_engine_t *E;

#define TXT(lit, exp) SCAN_E(E, VEIL_FMT_TEXT, lit, exp)
#define TLABEL(lit, exp) REDACT_E(E, VEIL_FMT_TEXT, VEIL_ACT_LABEL, lit, exp)

/* Nine bare digits, a date and ten digits have no word before them on
   their line: the header is their context. */
TEST(header_is_context)
{
    TXT("id,ssn,date_of_birth,phone\n"
        "1,536228901,1985-03-14,4155552671\n",
        "us_ssn@29+9M date_of_birth@39+10M phone@50+10H");
    /* ';' and quoted cells with the separator and "" inside */
    TXT("id;notes;ssn\n"
        "1;\"a; b \"\"c\"\"\";536228901\n",
        "us_ssn@28+9M");
    /* the redacted copy: the header stays, the value goes */
    TLABEL("id,ssn\n1,536228901\n", "id,ssn\n1,[US_SSN]\n");
    /* the same rows with no header: nothing says what they are */
    TXT("1,536228901,1985-03-14,4155552671\n", "");
}

/* A table starts at the stream's first line or after a blank line, and a
   blank line ends it. */
TEST(tables_in_text)
{
    TXT("Export below.\n"
        "\n"
        "id,ssn\n"
        "1,536228901\n"
        "\n"
        "ref 536228901\n",
        "us_ssn@24+9M");
    /* a line of prose with commas is no header */
    TXT("Hello, world, again\n536228901\n", "");
    /* a header naming nothing personal gives no context */
    TXT("sku,product,amount\nA-1,536228901,3\n", "");
}

/* Cells under "national_id" and "password" are findings whole; "n/a" and
   a mask are none. */
TEST(whole_cells)
{
    TXT("id,national_id,password\n"
        "1,AB123456C,Summer2024!\n"
        "2,n/a,****\n",
        "national_id@26+9HF secret_field@36+11HF");
    /* the last cell of the stream, with no line break after it */
    TXT("id,password\n1,\"pa\"\"ss\"", "secret_field@15+6HF");
}

int main(void)
{
    char err[256];

    E = veil_engine_new(NULL, err, sizeof(err));
    if (E == NULL) {
        fprintf(stderr, "engine: %s\n", err);
        return 1;
    }
    RUN(header_is_context);
    RUN(tables_in_text);
    RUN(whole_cells);
    veil_engine_free(E);
    TEST_MAIN_END;
}
