/*
 * The detectors of validators_ids.c, validators_finance.c and
 * validators_secrets.c through the engine (text_ids.h): each found in
 * text with the confidence its catalog entry promises, with and without
 * its context word, and its PII-free look-alikes (order numbers, epoch
 * seconds, hashes, versions, upper-case words) not found. JSON values go
 * through the value layer's shortcuts (triggers.h, digit_fast). Every case
 * is scanned whole, byte by byte and in random pieces, on every SIMD level
 * (engine_harness.h): all must agree.
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

#define TXT(lit, exp) SCAN_E(E, VEIL_FMT_TEXT, lit, exp)
#define TXT_LOW(lit, exp) SCAN_E(E_LOW, VEIL_FMT_TEXT, lit, exp)
#define JSN(lit, exp) SCAN_E(E, VEIL_FMT_JSON, lit, exp)
#define MASK(lit, exp) REDACT_E(E, VEIL_FMT_TEXT, VEIL_ACT_MASK, lit, exp)

TEST(us)
{
    TXT("passport: A12345678", "us_passport@10+9M");
    TXT("passport number 340020013", "us_passport@16+9M");
    TXT("ref A12345678", ""); /* no context: no claim */
    TXT("driver's license D1234567", "us_drivers_license@17+8M");
    TXT("DL# S123-456-78-901-0", "us_drivers_license@4+17M");
    TXT("item D1234567", "");
    /* Digits only (TX, PA): not candidates, on every SIMD level alike. */
    TXT("driver's license 12345678 and 123456789012", "");
    TXT("NPI 1234567893", "us_npi@4+10H");
    TXT("NPI 1234567894", "");       /* its Luhn digit off by one */
    TXT_LOW("epoch 1234567893", ""); /* ten digits, no context */
    TXT("DEA number AB1234563", "us_dea@11+9H");
    TXT_LOW("order AB1234563", "us_dea@6+9L"); /* low: hidden by default */
    TXT("order AB1234563", "");
    TXT("DEA AB1234564", ""); /* check digit */
    TXT("MBI 1EG4-TE5-MK73", "us_mbi@4+13H");
    TXT("member 1EG4TE5MK73", "us_mbi@7+11M");
    TXT("code 1SG4TE5MK73", ""); /* S is never in an MBI */
    TXT("EIN 12-3456789", "us_ein@4+10H");
    TXT("code 12-3456789", "");
    /* No campus assigns 07: not an EIN (a phone number's shape instead). */
    TXT("EIN 07-3456789", "phone@4+10M");
}

TEST(uk)
{
    TXT("UK passport 925076473", "uk_passport@12+9M");
    TXT("driving licence MORGA753116SM9IJ", "uk_driving_licence@16+16H");
    TXT("ref MORGA753116SM9IJ", "uk_driving_licence@4+16M");
    TXT("ref MORGA713116SM9IJ", ""); /* month 13 */
    TXT("postcode SW1A 1AA", "uk_postcode@9+8M");
    /* The whole street address (addresses.c) holds the postcode. */
    TXT("address: 10 Downing St, London SW1A 2AA", "address@9+30M");
    TXT("ref SW1A 1AA", "");     /* a postcode needs an address */
    TXT("postcode ZZ1 1AA", ""); /* no area ZZ */
}

TEST(de)
{
    TXT("Steuer-ID 86095742719", "de_steuer_id@10+11H");
    TXT("Steuer-ID: 86 095 742 719", "de_steuer_id@11+14H");
    TXT("Steuer-ID 86095742718", "");
    TXT_LOW("nummer 12345678903", ""); /* fits the check, not the rule */
    TXT("Personalausweis T220001293", "de_id_document@16+10H");
    TXT("Reisepass C01X00T478", "de_id_document@10+10H");
    /* A card of before November 2010: ten bare digits, whose check the
       text layer makes first (ten_digit_checks()) */
    TXT("Personalausweis 1220001297", "de_id_document@16+10H");
    TXT("Personalausweis 1220001298", "");
    TXT("serial T220001293", "");
    TXT("Rentenversicherungsnummer 15 070649 C 103", "de_rvnr@26+15H");
    TXT("rv 15070649C103", "de_rvnr@3+12M");
    TXT("rv 15070649C104", "");
}

TEST(nordic_pl_es_it)
{
    TXT("PESEL 44051401359", "pl_pesel@6+11H");
    TXT_LOW("id 44051401359", "pl_pesel@3+11L");
    TXT("id 44051401359", "");
    TXT("personnummer 811218-9876", "se_personnummer@13+11H");
    TXT("born 811218-9876", "se_personnummer@5+11M");
    TXT("ref 811218-9875", "");
    TXT("hetu 131052-308T", "fi_hetu@5+11H");
    TXT("tunnus 131052-308T", "fi_hetu@7+11M");
    TXT("pasaporte PAA123456", "es_passport@10+9M");
    TXT("passaporto YA1234567", "it_passport@11+9M");
    TXT("partita iva 06363391001", "it_partita_iva@12+11H");
    TXT_LOW("fattura 06363391001", "");
}

TEST(au_in_kr_sg_za_tr)
{
    TXT("TFN 123 456 782", "au_tfn@4+11H");
    TXT("ref 123 456 782", "");
    TXT("ABN 51 824 753 556", "au_abn@4+14H");
    TXT("supplier 51 824 753 556", "au_abn@9+14M");
    TXT("Medicare 2123 45670 1", "au_medicare@9+12H");
    TXT("PAN AAAPL1234C", "in_pan@4+10H");
    TXT("code AAAXL1234C", ""); /* X is no holder status */
    TXT("GSTIN 27AAPFU0939F1ZV", "in_gstin@6+15H");
    TXT("gst 27AAPFU0939F1ZW", "");
    TXT("RRN 900101-1234568", "kr_rrn@4+14H");
    TXT("id 900101-1234567", "");
    TXT("NRIC S1234567D", "sg_nric@5+9H");
    TXT("holder S1234567D", "sg_nric@7+9M");
    TXT("holder S1234567A", "");
    TXT("ID number 8001015009087", "za_id@10+13H");
    TXT_LOW("barcode 8001015009088", "");
    TXT("TC Kimlik 10000000146", "tr_tckn@10+11H");
}

TEST(finance_devices)
{
    TXT("SWIFT DEUTDEFF500", "swift_bic@6+11H");
    TXT("the BUSINESS500 plan", ""); /* upper case, no context */
    TXT("send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 now", "bitcoin_address@8+34H");
    TXT("send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 now", "");
    TXT("to bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0.",
        "bitcoin_address@3+62H");
    TXT("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "bitcoin_address@0+42H");
    TXT("pay 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "ethereum_address@4+42H");
    TXT("pay 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", ""); /* checksum */
    TXT("wallet 0xde709f2102306220921060314715629080e2fb77", "ethereum_address@7+42M");
    TXT("commit 0xde709f2102306220921060314715629080e2fb77", "");
    TXT("IMEI 49-015420-323751-8", "imei@5+18H");
    TXT("IMEI 490154203237518", "imei@5+15H");
    TXT_LOW("order 490154203237518", "");
    TXT("VIN 1M8GDM9AXKP042788", "vin@4+17H");
    TXT("car WVWZZZ1JZXW000001", ""); /* shape only, no context */
    TXT("vehicle WVWZZZ1JZXW000001", "vin@8+17M");
}

TEST(secrets)
{
    TXT("key sk-abcdefghij0123456789T3BlbkFJabcdefghij0123456789 end", "openai_api_key@4+51H");
    TXT("sk-abcdefghij0123456789T3BlbkFJabcdefghij012345678 end", "");
    TXT("key AIzaSyA1234567890abcdefghijklmnopqrstuv", "google_api_key@4+39H");
    TXT("key AIzaSyA1234567890abcdefghijklmnopqrstu", ""); /* 38 */
    /* Percent-encoded text glues a token to the escape before it. */
    TXT("q=%E3%83%BCAIzaSyA1234567890abcdefghijklmnopqrstuv&x", "google_api_key@11+39H");
    /* The same where a chunk ends inside "AIza" (found by fuzz_scan). */
    TXT("x%CCAIzaSyA1234567890abcdefghijklmnopqrstuv", "google_api_key@4+39H");
    TXT("token glpat-z_sxgtrfAxKr8q1TPY8Y", "gitlab_token@6+26H");
    TXT("sid SK2a6f9b1c0d3e4f5a6b7c8d9e0f1a2b3c", "twilio_api_key@4+34H");
    TXT("sid PN2a6f9b1c0d3e4f5a6b7c8d9e0f1a2b3c", "");
    TXT("account AC2a6f9b1c0d3e4f5a6b7c8d9e0f1a2b3c", ""); /* an identifier */
    TXT("SG.aaaaaaaaaaaaaaaaaaaa1a.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2",
        "sendgrid_api_key@0+69H");
    TXT("SG.aaaaaaaaaaaaaaaaaaaa1a.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "");
    TXT("hook https://hooks.slack.com/services/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.",
        "slack_webhook@38+46H");
    TXT("docs https://hooks.slack.com/services/T00000000/B00000000/XXXX", "");
    TXT("the sk-learn-0.24 wheel and npm_install and pypi-mirror", "");
}

TEST(redacted)
{
    /* The identifier goes, its context word and separators stay. */
    MASK("NRIC S1234567D.", "NRIC *********.");
    MASK("MBI 1EG4-TE5-MK73", "MBI ****-***-****");
    MASK("key sk-abcdefghij0123456789T3BlbkFJabcdefghij0123456789 end",
         "key **-************************************************ end");
}

TEST(json_values)
{
    JSN("{\"passport\":\"A12345678\"}", "national_id@13+9HF");
    JSN("{\"note\":\"DEA AB1234563\"}", "us_dea@13+9H");
    JSN("{\"k\":\"AIzaSyAbcdefghijklmnopqrstuvwxyzABCDEFG\"}", "google_api_key@6+39H");
    JSN("{\"to\":\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\"}", "ethereum_address@7+42H");
    JSN("{\"w\":\"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2\"}", "bitcoin_address@6+34H");
    JSN("{\"t\":\"npm_abcdefghijklmnopqrstuvwxyz0123456789\"}", ""); /* CRC fails */
    JSN("{\"u\":\"https://hooks.slack.com/services/TABCDEFGH/BABCDEFGH/abcdefghijklmnopqrstuvwx\"}",
        "slack_webhook@39+44H");
    JSN("{\"sha\":\"de709f2102306220921060314715629080e2fb77\"}", "");
    JSN("{\"ts\":1712345678,\"order\":\"ORD-2024-000123\"}", "");
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
    RUN(us);
    RUN(uk);
    RUN(de);
    RUN(nordic_pl_es_it);
    RUN(au_in_kr_sg_za_tr);
    RUN(finance_devices);
    RUN(secrets);
    RUN(redacted);
    RUN(json_values);
    veil_engine_free(E);
    veil_engine_free(E_LOW);
    TEST_MAIN_END;
}
