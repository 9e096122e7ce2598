/*
 * Unit tests for the digit-run handler's fast paths: the same case is
 * scanned alone (the handler sees the end of the buffer within a few
 * bytes: the byte-at-a-time paths) and between 100 bytes of padding on
 * each side (there are 32, 64 or 80 bytes around the candidate: the
 * 16-bytes-at-a-time paths, the 64-byte trigger masks, the full context
 * window, the JSON key search). Both must give these exact findings, at
 * offsets moved by the padding, and every cut (whole, byte by byte,
 * random pieces) the same ones. The expected strings are what the
 * byte-at-a-time engine gave before these paths existed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "veil/scan.h"
#include "veil/transform.h"

#include "engine_harness.h"

static veil_engine_t *E, *E_LOW;

#define T(lit, exp) harness_padded(__LINE__, E, (lit), sizeof(lit) - 1, (exp))
#define T_LOW(lit, exp) harness_padded(__LINE__, E_LOW, (lit), sizeof(lit) - 1, (exp))

TEST(harness_shift)
{
    char out[128];
    CHECK_STR(harness_shifted("phone@7+10M uk_nhs@0+12H", 100, out, sizeof(out)),
              "phone@107+10M uk_nhs@100+12H");
    CHECK_STR(harness_shifted("", 100, out, sizeof(out)), "");
}

/* Short numbers standing alone: measured on digit and separator masks. */
TEST(short_numbers)
{
    T("amount 193800 total 285.67 qty 5", "");
    T("id 12345678, 1.2.3", "");
    T("ip 10.1.2.3 up", "ipv4@3+8H");
    T("ip 203.0.113.42", "ipv4@3+12H");
    T("on 3 January 1959 born", "");
    T("born on 3 January 1959.", "date_of_birth@8+14M");
    T("born January 3, 1959.", "date_of_birth@5+15M");
    /* The year as the last bytes of the input (every cut of the harness
       included): the end of the input ends the date. */
    T("born on 3 January 1959", "date_of_birth@8+14M");
    /* Month names of de, fr, es, it, nl, pt; "D." and "de"; the month
       first without a comma; the year, month and day kanji; "geboren"
       and 生まれ after the date */
    T("Ich bin am 3. Juli 1940 geboren.", "date_of_birth@11+12M");
    T("Nasci em 16 de fevereiro de 1947 ok", "date_of_birth@9+23M");
    T("Je suis n\xc3\xa9 le 31 ao\xc3\xbbt 2004. La", "date_of_birth@15+13M");
    T("Sono nato il 2 agosto 1955.", "date_of_birth@13+13M");
    T("Geboortedatum: 27 oktober 1985", "date_of_birth@15+15M");
    T("DOB Dec 17 1991, in case", "date_of_birth@4+11M");
    T("Ich bin am 19.01.1943 geboren. ", "date_of_birth@11+10M");
    T("1944/10/12\xe7\x94\x9f\xe3\x81\xbe\xe3\x82\x8c", "date_of_birth@0+10M");
    /* Japanese has no spaces: 生まれ may touch the next word, and the
       bytes a boundary would need lie past what the date's handler
       waits for (fuzz_json: found in pieces, not whole). */
    T("Marble 2026-10-05 \xe7\x94\x9f\xe3\x81\xbe\xe3\x82\x8cgeboren", "date_of_birth@7+10M");
    T("\xe7\xa7\x81\xe3\x81\xaf"
      "1980\xe5\xb9\xb4"
      "6\xe6\x9c\x88"
      "26\xe6\x97\xa5\xe7\x94\x9f\xe3\x81\xbe\xe3\x82\x8c",
      "date_of_birth@6+16M");
    T("Meeting on 3 March 2024 at noon, released 12 May 2020", "");
    T("Ich bin am 3. Juli 1940 gekommen.", "");
    T("date of birth: January 3, 1959", "date_of_birth@15+15M");
    T("born on 3 January 19590", "");
    /* 24 bytes is as far as the walk goes */
    T("n 1.2.3.4.5.6.7.8.9.1.2.3.4.5", "");
    T("n 123456789012345678901234567890", "");
}

/* Bare digit runs that are one chain word: checksums before patterns. */
TEST(bare_runs)
{
    T("mobile 4155552671", "phone@7+10H");
    T("order 4155552671 shipped", "");
    T("NHS 9434765919", "uk_nhs@4+10H");
    T("NHS 9434765918", "");
    T("nhs: 943-476-5919", "uk_nhs@5+12H");
    T_LOW("ref 9434765919", "");
    T("card 4111111111111111 ok", "credit_card@5+16H");
    T_LOW("card 4111111111111112 ok", "");
    T("order_number 5178234441773096", "");
    T("card 41111111111111112024", "");
    T("card 4111111111111111 2024", "credit_card@5+16H");
    T("amex 378282246310005", "credit_card@5+15H");
    T("NIR 255081416802538", "fr_nir@4+15M");
    T("nir 255081416802539", "");
    T("ref 255081416802538", "");
    T("CPF 12345678909", "br_cpf@4+11H");
    T("CPF 12345678900", "");
    T("aadhaar 234567890124", "in_aadhaar@8+12H");
    T("ts 1795910400 and 1795910400334", "");
    T("variant_id 9717735122, tx=3196550353", "");
}

/* Candidate shapes ruled out before their pattern runs. */
TEST(shapes)
{
    T("hwaddr 00-1a-2b-3c-4d-5e", "mac_address@7+17H");
    T("mac 00-1A-2B-3C-4D-5E", "mac_address@4+17H");
    T("mac a01a.2b3c.4d5e", "mac_address@4+14H");
    T("mac 001A.2B3C.4D5E now", "mac_address@4+14H");
    T("exp-17-b 00-1a-2b-3c-4d", "");
    T("eta 2026-12-02 ok", "");
    T("geo 54.009821, 107.547835", "");
    T("nino AB123456C", "uk_nino@5+9H");
    T("nino AB 12 34 56 C", "uk_nino@5+13H");
    T("sku SKU-AAA9-99999 SKU-CF67-32842", "");
    T("NIE X1234567L", "es_nie@4+9H");
    T("NIE X-1234567-L", "es_nie@4+11H");
    T("(X11; Linux x86_64)", "");
    T("born 1985-03-14 in Lyon", "date_of_birth@5+10M");
    T("DOB: 03/14/1985", "date_of_birth@5+10M");
    T("dob 14.03.1985", "date_of_birth@4+10M");
    T("born AppleWebKit/605.1.15", "");
    T("born 1885-03-14", "");
}

/* Context words: the window, its line, its case, its word boundaries. */
TEST(context_window)
{
    T("PHONE 4155552671", "phone@6+10H");
    T("Telephone:\n4155552671", "");
    T("call me at 4155552671", "phone@11+10H");
    T("recall 4155552671", "");
    T("callback 4155552671", "phone@9+10H");
    T("whatsapp-4155552671", "");
    T("tel 0123456789 0123456789 0123456789 0123456789 4155552671", "phone@48+10H");
    T("phone xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 4155552671", "phone@48+10H");
    T("phone xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 4155552671", "");
    T("routing 021000021", "us_bank_routing@8+9H");
    T("SIN 130 692 544", "ca_sin@4+11H");
    T("bsn 111222333", "nl_bsn@4+9H");
    T("ssn 536-22-8901 itin 912-70-1234", "us_ssn@4+11H us_itin@21+11H");
}

/* "key": in text: the opening quote is looked for 63 bytes back. */
TEST(json_keys)
{
    T("{\"password\":\"hunter2\"}", "secret_field@13+7HF");
    T("{\"phone\": \"4155552671\"}", "phone@11+10HF");
    /* 63 bytes between the quotes: a key; 64: not one (the second
       line's 48-byte window holds no "phone": 4155552671 is no phone) */
    T("{\"_______________________________________________________password\":\"hunter2\"}",
      "secret_field@68+7HF");
    T("{\"________________________________________________________password\":\"hunter2\"}", "");
    T("{\"a\0b_password\":\"hunter2\"}", "");
}

/* The redacted bytes of a digit-dense line, alone and after 100 bytes. */
TEST(redacted)
{
    REDACT_E(E, VEIL_FMT_TEXT, VEIL_ACT_LABEL,
             "card 4111111111111111 nhs 9434765919 mac 00-1a-2b-3c-4d-5e ts 1795910400",
             "card [CREDIT_CARD] nhs [UK_NHS] mac [MAC_ADDRESS] ts 1795910400");
    REDACT_E(E, VEIL_FMT_TEXT, VEIL_ACT_LABEL,
             "                                                                       "
             "                             \n"
             "card 4111111111111111 nhs 9434765919 mac 00-1a-2b-3c-4d-5e ts 1795910400"
             "                                                                       "
             "                             ",
             "                                                                       "
             "                             \n"
             "card [CREDIT_CARD] nhs [UK_NHS] mac [MAC_ADDRESS] ts 1795910400"
             "                                                                       "
             "                             ");
}

/* Not a digit path, but found while fuzzing these: a PEM footer whose
   label has the longest length allowed (40 letters) ends after its
   closing dashes however the input is cut (byte by byte, the dashes used
   to be left out). */
TEST(pem_footer_label)
{
    T("-----BEGIN PRIVATE KEY----------END RSA PRI7 60 90958RIVATE RSA PRIVATE KEY-----",
      "private_key@0+80H");
    T("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----", "private_key@0+62H");
}

int main(void)
{
    char err[256];
    veil_engine_options_t lo = {0};
    lo.min_confidence = VEIL_CONF_LOW;
    E = veil_engine_new(NULL, err, sizeof(err));
    E_LOW = veil_engine_new(&lo, err, sizeof(err));
    if (!E || !E_LOW) {
        fprintf(stderr, "engine: %s\n", err);
        return 1;
    }
    RUN(harness_shift);
    RUN(short_numbers);
    RUN(bare_runs);
    RUN(shapes);
    RUN(context_window);
    RUN(json_keys);
    RUN(redacted);
    RUN(pem_footer_label);
    veil_engine_free(E);
    veil_engine_free(E_LOW);
    TEST_MAIN_END;
}
