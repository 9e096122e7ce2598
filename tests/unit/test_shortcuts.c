/*
 * The text layer's shortcuts (text_handlers.h: digit_fast) must say
 * exactly what the handlers would. Each case puts a value at every offset
 * from 0 to 140 of a line long enough for the shortcuts to run (they need
 * the two 64-byte blocks around a trigger), ended by one of a few bytes,
 * and engine_harness.h scans
 * every line on every SIMD level, the reference (no shortcuts) included,
 * whole and cut, and redacts it the same ways: all must agree. Each case
 * also states which detectors
 * must find something in it, the same at every offset.
 */
#include "test.h"

#include "engine_harness.h"
#include "scanner.h"

static veil_engine_t *E, *LOW;

/* The detector ids of <s> (flist_format()'s output), offsets dropped. */
static void ids_only(const char *s, char *out, size_t cap)
{
    size_t m = 0;
    for (const char *p = s; *p && m + 1 < cap; p++) {
        if (*p == '@') {
            while (*p && *p != ' ') {
                p++;
            }
            if (!*p) {
                break;
            }
        }
        out[m++] = *p;
    }
    out[m] = '\0';
}

/* Scans <buf> and compares its detectors with <want>; says where when they
   differ. */
static int expect_ids(int line, const veil_engine_t *e, veil_format_t fmt, const char *buf,
                      size_t n, const char *want, const char *what, size_t pad)
{
    char ids[512];
    ids_only(scan_str(line, e, fmt, buf, n), ids, sizeof(ids));
    if (strcmp(ids, want) != 0) {
        fprintf(stderr, "line %d: %s, offset %zu: found \"%s\", want \"%s\"\n", line, what, pad,
                ids, want);
        return 0;
    }
    return 1;
}

/* <pad> (at most 140) bytes of 'q' in <q>: a key that moves what comes
   after it across the index's blocks. */
static const char *pad_key(char q[160], size_t pad)
{
    memset(q, 'q', pad);
    q[pad] = '\0';
    return q;
}

/* A JSON body whose value "<ctx><value>" under <key> comes after a key of
   <pad> bytes, with enough words after it for two blocks. */
static size_t json_doc(char *buf, size_t cap, size_t pad, const char *key, const char *ctx,
                       const char *value)
{
    char q[160];
    pad_key(q, pad);
    return (size_t)snprintf(buf, cap,
                            "{\"%s\":\"x\",\"%s\":\"%s%s\",\"tail\":\"plain words only, long "
                            "enough for two blocks after the value, and then some more\"}\n",
                            q, key, ctx, value);
}

/* The same value in JSON bodies, where the walker judges values in place
   from its index (the shortcuts on the index's class bits): as a string
   value after a key whose length moves it across the index's blocks, as a
   key, and (digits only) as a bare number; the string value must give the
   detectors <want>. */
static int sweep_json(int line, const veil_engine_t *e, const char *ctx, const char *value,
                      const char *want)
{
    char buf[900];
    int digits = strspn(value, "0123456789") == strlen(value);
    for (size_t pad = 0; pad <= 140; pad++) {
        size_t n = json_doc(buf, sizeof(buf), pad, "note", ctx, value);
        if (!expect_ids(line, e, VEIL_FMT_JSON, buf, n, want, "JSON", pad)) {
            return 0;
        }
        (void)redact_str(line, e, VEIL_FMT_JSON, VEIL_ACT_LABEL, NULL, buf, n);
        char key[160];
        n = (size_t)snprintf(buf, sizeof(buf), "{\"%s\":1,\"%s%s\":2,\"z\":[%s]}\n",
                             pad_key(key, pad), ctx, value, digits ? value : "3");
        (void)scan_str(line, e, VEIL_FMT_JSON, buf, n);
        (void)redact_str(line, e, VEIL_FMT_JSON, VEIL_ACT_MASK, NULL, buf, n);
    }
    return 1;
}

/* Scans "<filler> <ctx><value><end><words>" with the value at offsets 0
   to 140 and each of a few bytes ending it; returns 1 when every line gave
   the detectors <want> (ids, space-separated, "" for none). */
static int sweep(int line, const veil_engine_t *e, const char *ctx, const char *value,
                 const char *want)
{
    static const char tail[] = " and so on, nothing more here, only plain words follow the "
                               "value to the end of this line of text which is long enough "
                               "for two whole blocks of sixty-four bytes after the value";
    static const char ends[] = " ,\"};\n";
    char buf[800], ids[512];
    for (const char *end = ends; *end; end++) {
        for (size_t pad = 0; pad <= 140; pad++) {
            size_t n = 0;
            for (size_t k = 0; k < pad; k++) {
                buf[n++] = k % 7 == 6 ? ' ' : 'q';
            }
            n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s%s%c%s", pad ? " " : "", ctx,
                                  value, *end, tail);
            ids_only(scan_str(line, e, VEIL_FMT_TEXT, buf, n), ids, sizeof(ids));
            (void)redact_str(line, e, VEIL_FMT_TEXT, VEIL_ACT_LABEL, NULL, buf, n);
            if (strcmp(ids, want) != 0) {
                fprintf(stderr, "line %d: offset %zu, end '%c': found \"%s\", want \"%s\"\n", line,
                        pad, *end, ids, want);
                return 0;
            }
        }
    }
    return 1;
}

#define SWEEP(e, ctx, value, want)                        \
    CHECK(sweep(__LINE__, (e), (ctx), (value), (want)) && \
          sweep_json(__LINE__, (e), (ctx), (value), (want)))

/* Words with a lower-case letter after a digit, and the tokens joined to
   them, are skipped; MAC groups and a CN id's final x are not. */
TEST(lowercase_tokens)
{
    SWEEP(E, "", "6b0dd717-8630-1586-9989-a3f2b1c4d5e6", "");
    SWEEP(E, "", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "");
    SWEEP(E, "id ", "usr_Qx3bK9mPz", "");
    SWEEP(E, "", "a1b2c3/d4e5.f6_g7-h8", "");
    /* A '-' or '_' inside a token whose prefix ids_token() knows: the
       handler's, with no digit in the token to take it there instead. */
    SWEEP(E, "", "glpat-z_sxgtrfAxKrqqaTPYqY", "gitlab_token");
    SWEEP(E, "", "AIzaSyAbcdefghijklmnopqrstuvwxyzABCD_EF", "google_api_key");
    SWEEP(E, "mac ", "4e-d1-2b-3c-4d-5e", "mac_address");
    SWEEP(E, "mac ", "4ed1.2b3c.4d5e", "mac_address");
    SWEEP(E, "", "ab-cd-ef-01-23-45", "mac_address");
    SWEEP(E, "id card ", "11010519491231002x", "cn_resident_id");
    SWEEP(E, "", "2b-3c-4d", "");
    /* hex ids of a Base58Check address's length and first digit: a 0
       rules the address out; without one the handler looks */
    SWEEP(E, "", "30e8897a5a95d5e095a1c73202e8ceec", "");
    SWEEP(E, "", "1ebbe21145d5d7f42fe175382eb72d4f", "");
    SWEEP(E, "", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "bitcoin_address");
    SWEEP(E, "", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "bitcoin_address");
    /* SHA-256 digests: the word fills the shortcut's 64-byte window, and
       the bytes after it say whether a joined word follows */
#define SHA256 "46f16c86d94400bfa753559c6f6bb3acbd96529790e0628055ade07d3fb549b1"
    SWEEP(E, "", SHA256, "");
    SWEEP(E, "", "d5a6b135278c21bf0a4e8973d6a142c6594cb329254fb2a6f3b57b9d342b445f", "");
    SWEEP(E, "", SHA256 "/4111 1111 1111 1111", "");
    SWEEP(E, "", SHA256 "0/4111 1111 1111 1111", "");
    SWEEP(E, "", SHA256 " 4111 1111 1111 1111", "credit_card");
#undef SHA256
    SWEEP(E, "", "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f", "");
}

/* ISO 8601 date-times are skipped whole; a birth date is not. */
TEST(date_times)
{
    SWEEP(E, "at ", "2026-11-29T00:01:47.630Z", "");
    SWEEP(E, "at ", "2026-11-29T00:01:47+02:00", "");
    SWEEP(E, "born ", "2026-11-29T00:01:47Z", "");
    SWEEP(E, "born ", "1985-03-14", "date_of_birth");
    SWEEP(E, "born on ", "January 3, 1959", "date_of_birth");
    SWEEP(E, "born ", "3 January 1959", "date_of_birth");
    SWEEP(E, "", "3 January 1959", "");
    /* a short number next to no month's name is a short number
       (month_near()); next to one, the handler reads the date */
    SWEEP(E, "", "Trail Runner 2 Waterproof", "");
    SWEEP(E, "", "Size 10 shoes", "");
    SWEEP(E, "born ", "3 de julio de 1990", "date_of_birth");
    SWEEP(E, "born ", "3. Juli 1940", "date_of_birth");
    SWEEP(E, "born ", "Dec 17 1991", "date_of_birth");
    SWEEP(E, "born ", "17 Dec 1991", "date_of_birth");
    SWEEP(E, "born ", "march 2 1990", "date_of_birth");
    SWEEP(E, "born ", "2 février 1990", "date_of_birth");
    /* An offset's sign follows a digit: the dashes of a PEM header right
       after a date-time are no part of it (fuzz_json: the value was
       judged in place to need no scan). */
    SWEEP(E, "", "2025-08-16T11:04:29+00:-----BEGIN PRIVATE KEY-----00", "private_key");
    /* A '+' between digits is a form body's space to the text layer
       (text_scan.c): the date-time ends there, and a CPF after it is read
       (fuzz_json: the raw value was judged in place to hold nothing). */
    SWEEP(E, "", "2025-08-16T11:04:29+123.456.789-09 KN", "br_cpf");
    /* A date-time whose value ends after the hour's colon is still one: a
       JSON string value judged in place sees the quote after it, and the
       handler sees the value's end (fuzz_json: the handler read
       "0023-04-11 23" as a phone when fewer than 20 bytes were left). */
    SWEEP(E, "", "0023-04-11 23:", "");
    SWEEP(E, "", "2026-11-29 23:", "");
    SWEEP(E, "", "2026-11-29T23:5", "");
    /* The date-time's end, each run of digits stepped over by the class
       bits: "::" ends it before the first colon; a sign after no digit,
       or anything after forty bytes, is no part of it (what comes after
       is read on). */
    SWEEP(E, "", "2026-11-29T00:01::4111111111111111", "");
    SWEEP(E, "", "2026-11-29T00:01:47.-4111111111111111", "credit_card");
    SWEEP(E, "", "2026-11-29T00:01:47Z+4111111111111111", "credit_card");
    SWEEP(E, "", "2026-11-29T00:01:47.12345678901234567890.4111111111111111", "credit_card");
    SWEEP(E, "", "2026-11-29T00:01:47.1234567890123456789.4111111111111111", "credit_card");
}

/* A name after a context phrase and punctuation with no space between
   ("Regards,!Jane", "Name:Maria Garcia"): a JSON value judged in place
   must not be ruled out of the names pass for its lack of a space
   (fuzz_json: the probe's "every name has a space-like byte" was
   wrong). */
TEST(names_after_punctuation)
{
    SWEEP(E, "", "Regards,!Jane", "person_name");
    SWEEP(E, "", "Name:Maria", "person_name");
}

/* Short numbers standing alone, and before a word that cannot join. */
TEST(short_numbers)
{
    SWEEP(E, "took ", "5 ms", "");
    SWEEP(E, "", "[29/Nov/2026:00:01:47 +0000]", "");
    SWEEP(E, "price ", "12.34", "");
    SWEEP(E, "", "[worker-3]", "");
    SWEEP(E, "", "-12.345678", "");
    SWEEP(E, "", "rt=1.203 uct", "");
    SWEEP(E, "", "skipped=20 in 5s", "");
    SWEEP(E, "", "HTTP/1.1\" 200 123456 \"-\"", "");
    SWEEP(E, "", "Chrome/124.0.0.0 Safari/537.36", "");
    SWEEP(E, "", "203.0.113.42", "ipv4");
    SWEEP(E, "call ", "+44 20 7946 0958", "phone");
    SWEEP(E, "call ", "(415) 555-2671", "phone");
    SWEEP(E, "", "AB 12 34 56 C", "uk_nino");
    SWEEP(E, "ssn ", "536-22-8901", "us_ssn");
}

/* One bare word of digits: the lengths and first digits some detector
   takes go to the handler, the others are skipped. */
TEST(one_word_numbers)
{
    SWEEP(E, "ts ", "1796851234567", "");
    SWEEP(E, "ts ", "17968512345678", "");
    SWEEP(E, "n ", "1234567890123456", "");
    SWEEP(E, "n ", "12345678901234567", "");
    SWEEP(E, "n ", "1234567890123456789", "");
    SWEEP(E, "n ", "7234567890123456789012", "");
    SWEEP(E, "nhs number ", "1234567881", "uk_nhs");
    SWEEP(E, "", "1234567881", "");
    SWEEP(E, "phone ", "4155552671", "phone");
    SWEEP(E, "card ", "4222222222222", "credit_card");
    SWEEP(E, "card ", "4111111111111111", "credit_card");
    SWEEP(E, "", "4111111111111111", "credit_card");
    SWEEP(E, "card ", "6011111111111117", "credit_card");
    SWEEP(E, "nir ", "255081416802538", "fr_nir");
    SWEEP(E, "id card ", "110105194912310011", "cn_resident_id");
    SWEEP(E, "aadhaar ", "234567890124", "in_aadhaar");
    SWEEP(E, "cpf ", "12345678909", "br_cpf");
    SWEEP(E, "bsn ", "111222333", "nl_bsn");
    SWEEP(LOW, "", "021000021", "us_bank_routing");
    SWEEP(E, "", "+14155552671", "phone");
    SWEEP(E, "", "(4155552671)", "");
    SWEEP(E, "", "ab-1796851234567", "");
    /* Thirteen digits with a month third and fourth, and ten from a 1
       with a month or a check digit that holds, are the handler's (a
       South African id, a personnummer, an NPI), as ten from another
       digit are (a phone number); a Unix time is skipped. */
    SWEEP(E, "south african id ", "1205155009081", "za_id");
    SWEEP(E, "personnummer ", "1212121212", "se_personnummer");
    SWEEP(E, "ts=", "1795910400", "");
    SWEEP(E, "npi ", "1245319599", "us_npi");
    SWEEP(E, "phone ", "4155552672", "phone");
}

/* The value <value> under the key <key> in a JSON body, at offsets 0 to
   140 (a key before it of that many bytes), and in a form body: the
   value stands alone and its context is the key's; both must give the
   detectors <want>. */
static int sweep_key(int line, const veil_engine_t *e, const char *key, const char *value,
                     const char *want)
{
    char buf[900];
    for (size_t pad = 0; pad <= 140; pad++) {
        size_t n = json_doc(buf, sizeof(buf), pad, key, "", value);
        if (!expect_ids(line, e, VEIL_FMT_JSON, buf, n, want, "JSON key", pad)) {
            return 0;
        }
        char q[160];
        n = (size_t)snprintf(buf, sizeof(buf),
                             "%s=x&%s=%s&tail=plain+words+only+long+enough+for+two+blocks+"
                             "after+the+value+and+then+some+more",
                             pad_key(q, pad), key, value);
        if (!expect_ids(line, e, VEIL_FMT_FORM, buf, n, want, "form", pad)) {
            return 0;
        }
    }
    return 1;
}

#define SWEEP_KEY(e, key, value, want) CHECK(sweep_key(__LINE__, (e), (key), (value), (want)))

/* Words from a digit with capitals (mixed_word_end()): tracking numbers
   and SKU parts are skipped, and ids_mixed()'s lengths, the DNI's final
   letter, a MAC group or NIE letter before, and a long number after go to
   the handler, which finds what it finds. */
TEST(mixed_words)
{
    SWEEP(E, "", "1ZA8WR3KVELCM8XSPT", "");
    SWEEP(E, "phone ", "1ZA8WR3KVELCM8XSPT", "");
    SWEEP(E, "", "SKU-1EUJ-20196", "");
    SWEEP(E, "", "1EUJ-415555", "");
    SWEEP(E, "", "9A-123456", "");
    SWEEP(E, "", "AB-1EUJ-20196", "");
    SWEEP(E, "", "X-1EUJ-20196", "");
    SWEEP(E, "", "1EG4TE5MK73", "us_mbi");
    SWEEP(E, "", "1EG4-TE5-MK73", "us_mbi");
    SWEEP(E, "", "27AAPFU0939F1ZV", "in_gstin");
    SWEEP(E, "", "1HGCM82633A004352", "vin");
    SWEEP(E, "", "12345678Z", "es_dni");
    SWEEP(E, "", "15070649C103", "de_rvnr");
    SWEEP(E, "call me ", "1A-4155552671", "phone");
    SWEEP(E, "call me ", "1A-415555267", "");
    SWEEP(E, "call me '", "1AB-4155552671", "phone");
    SWEEP_KEY(E, "call", "1AB-4155552671", "phone");
    SWEEP_KEY(E, "tracking", "1ZA8WR3KVELCM8XSPT", "");
    SWEEP_KEY(E, "sku", "SKU-1EUJ-20196", "");
}

/* A short number between words (short_between_words()): an experiment's
   arm or a slug is skipped, and a MAC address whose groups join the
   number (dotted from four digits, dashed after two, or its first groups
   before the number) still goes to the handler, as a word with a digit
   after it and a third word do. */
TEST(short_between_words)
{
    SWEEP(E, "", "exp-14-b", "");
    SWEEP(E, "", "item-7-xl sold", "");
    SWEEP(E, "", "rc-12-BETA-x", "");
    SWEEP(E, "", "v-3 (ab", "");
    SWEEP_KEY(E, "experiment", "exp-69-b", "");
    SWEEP_KEY(E, "slug", "release-2-notes", "");
    SWEEP(E, "", "1234.abcd.dead", "mac_address");
    SWEEP(E, "mac ", "12-ab-cd-ef-ab-cd", "mac_address");
    SWEEP(E, "", "ab-12-cd-ef-ab-cd", "mac_address");
    SWEEP(E, "", "ab-cd-12-ef-ab-cd", "mac_address");
    SWEEP(E, "", "ab-cd-ef-ab-12-cd", "mac_address");
    SWEEP(E, "", "ref-12-GB82WEST12345698765432", "iban");
    SWEEP(E, "call ", "415-55-ab-5552671", "");
    SWEEP_KEY(E, "mac", "1234.abcd.dead", "mac_address");
}

/* A product code alone (code_context()): skipped under a key with no
   licence word, and still the handler's where the code's first word is
   one ("DLN-"), where the key is, or where its number is long enough for
   a candidate of its own (nine digits after "SSN-"). */
TEST(product_codes)
{
    SWEEP_KEY(E, "sku", "SKU-QC6E-15356", "");
    SWEEP_KEY(E, "sku", "SKU-A123-45678", "");
    SWEEP_KEY(E, "dln", "SKU-A123-45678", "us_drivers_license");
    SWEEP_KEY(E, "ref", "DLN-A123-45678", "us_drivers_license");
    SWEEP_KEY(E, "ref", "SSN-QC6E-536228901", "us_ssn");
    SWEEP_KEY(E, "ref", "AB-NL67-123456", "");
}

/* A word that starts with a letter and stands alone: the ids of API
   traffic are skipped, and every identifier try_lettered() takes is still
   found (the handler), with its context word where it needs one. */
TEST(lettered_words)
{
    SWEEP(E, "user ", "U4YTHBEAL", "");
    SWEEP(E, "channel ", "CA1ZCUZGE", "");
    SWEEP(E, "", "C4897WXJA", "");
    SWEEP(E, "", "U25A29JJ5", "");
    SWEEP(E, "", "v1", "");
    SWEEP(E, "", "AB1", "");
    SWEEP(E, "", "K8S4EVERYTHINGOK", "");
    SWEEP(E, "", "ABCDEFGHIJK1LMNOPQRSTUVWXYZ", "");
    SWEEP(E, "driver's license ", "D1234567", "us_drivers_license");
    SWEEP(E, "driver's license ", "WDLABCD1234E", "us_drivers_license");
    SWEEP(E, "passport: ", "A12345678", "us_passport");
    SWEEP(E, "pasaporte ", "PAA123456", "es_passport");
    SWEEP(E, "passaporto ", "YA1234567", "it_passport");
    SWEEP(E, "PAN ", "AAAPL1234C", "in_pan");
    SWEEP(E, "NRIC ", "S1234567D", "sg_nric");
    SWEEP(E, "SWIFT ", "DEUTDEFF500", "swift_bic");
    SWEEP(E, "", "X1234567L", "es_nie");
    SWEEP(E, "", "GB82WEST12345698765432", "iban");
    /* two capitals and a digit: an IBAN alone has 15 characters or more,
       a NINO nine with six digits; Slack's ids have neither */
    SWEEP(E, "", "NO9386011117947", "iban");
    SWEEP(E, "", "AB123456C", "uk_nino");
    SWEEP(E, "", "CA11ZCUZGEAB", "");
    SWEEP(E, "", "AB12CDEFGHIJKLM", "");
    /* After an '_' (prefixed ids, crossing the blocks' starts at some
       offsets): skipped. A word with an identifier's shape after one
       still goes to the handler, which takes none there (the prefix and
       the '_' before it are one token), as the reference says. */
    SWEEP(E, "", "ord_PBRbVtchRiFXu1", "");
    SWEEP(E, "", "pay_XCuNCBHLuuuu78", "");
    SWEEP(E, "", "dl_D1234567", "");
    SWEEP(E, "", "licence_F123456789012", "");
    SWEEP(E, "", "x_AB123456C", "");
    SWEEP(E, "", "x_GB82WEST12345698765432", "");
    SWEEP(E, "", "passport_A12345678", "");
    SWEEP(E, "", "passport A12345678", "us_passport");
    SWEEP(E, "passport:", "A12345678", "");
    /* A lower-case letter two before the digit: only a lower-case IBAN's
       shape and check digits go to the handler. */
    SWEEP(E, "", "usr_zU416BRH424NEY", "");
    SWEEP(E, "", "zU416BRH424NEY", "");
    SWEEP(E, "iban ", "de89370400440532013000", "iban");
    SWEEP(E, "", "de89370400440532013000", "");
    SWEEP(E, "", "no9386011117947", "iban");
    SWEEP(E, "", "x_no9386011117947", "");
    /* Path segments: "v1" alone between slashes; a word after the slash
       that a chain may join (digits, or four bytes or fewer) goes to the
       handler. */
    SWEEP(E, "", "https://api.example.com/v1/items?page=65", "");
    SWEEP(E, "GET ", "/api/v2/users/U4YTHBEAL/profile", "");
    SWEEP(E, "", "/v1/2024/ABCD", "");
    SWEEP(E, "", "/v1/AB12", "");
    SWEEP(E, "", "/X1234567L/", "es_nie");
    SWEEP(E, "passport ", "/A12345678/x", "us_passport");
    /* Alone, with the context in the key (where the shortcut looks): a
       key of a sensitive class makes the value a field finding of its
       class (national_id, credit_card for "pan"). */
    SWEEP_KEY(E, "user", "U4YTHBEAL", "");
    SWEEP_KEY(E, "ref", "v1", "");
    SWEEP_KEY(E, "next", "https://api.example.com/v1/items?page=65", "");
    SWEEP_KEY(E, "dln", "/WDLABCD1234E/", "us_drivers_license");
    SWEEP_KEY(E, "drivers_license", "D1234567", "national_id");
    SWEEP_KEY(E, "dln", "D1234567", "us_drivers_license");
    SWEEP_KEY(E, "dln", "WDLABCD1234E", "us_drivers_license");
    /* the other lengths that reach the counts of letters and digits:
       Florida's 13, Wisconsin's 14, New Jersey's 15 and New York's 19
       characters, and a 13 that no state takes */
    SWEEP_KEY(E, "dln", "F123456789012", "us_drivers_license");
    SWEEP_KEY(E, "dln", "W1234567890123", "us_drivers_license");
    SWEEP_KEY(E, "dln", "N12345678901234", "us_drivers_license");
    SWEEP_KEY(E, "dln", "Y123456789012345678", "us_drivers_license");
    SWEEP_KEY(E, "dln", "FL12345678901", "");
    SWEEP_KEY(E, "dln", "U4YTHBEAL", "");
    SWEEP_KEY(E, "passport", "A12345678", "national_id");
    SWEEP_KEY(E, "pasaporte", "PAA123456", "es_passport");
    SWEEP_KEY(E, "passaporto", "YA1234567", "it_passport");
    SWEEP_KEY(E, "pan", "AAAPL1234C", "credit_card");
    SWEEP_KEY(E, "ref", "AAAPL1234C", "in_pan");
    SWEEP_KEY(E, "nric", "S1234567D", "sg_nric");
    SWEEP_KEY(E, "swift", "DEUTDEFF500", "swift_bic");
    SWEEP_KEY(E, "postcode", "SW1A1AA", "uk_postcode");
    SWEEP_KEY(E, "ref", "X1234567L", "es_nie");
    SWEEP_KEY(E, "ref", "GB82WEST12345698765432", "iban");
}

/* Unix times with a fraction ("ts": "1795910400.425688") are skipped
   whatever the context word: ten digits from a 1, a '.', six to eight
   digits. With five digits or fewer after the '.' (a phone number's
   length) or a first digit of 2 the handler judges, and a phone context
   word makes some of them phone numbers. */
TEST(fractional_epochs)
{
    static const char *const ctx[] = {"",     "ts ",         "phone ", "imei ", "npi ",
                                      "cpf ", "nhs number ", "nir ",   "card "};
    for (size_t k = 0; k < sizeof(ctx) / sizeof(ctx[0]); k++) {
        SWEEP(E, ctx[k], "1795910400.425688", "");
    }
    SWEEP(LOW, "phone ", "1795910400.425688", "");
    SWEEP(E, "phone ", "1795910400.4256881", "");
    SWEEP(E, "phone ", "1795910400.04256881", "");
    SWEEP(E, "phone ", "1795910400.425688123", "");
    SWEEP(E, "phone ", "2795910400.425688", "");
    SWEEP(E, "phone ", "1795910400.42568", "phone");
    SWEEP(E, "call ", "1795910400.425", "phone");
    SWEEP(E, "phone ", "1795910400.4", "phone");
    SWEEP(E, "", "1795910400.42568", "");
    SWEEP(E, "", "+1795910400.425688", "");
    SWEEP(E, "", "(1795910400.425688)", "");
    SWEEP(E, "", "ab-1795910400.425688", "");
    SWEEP(E, "", "1795910400.425688.12", "");
    SWEEP(E, "phone ", "1795910400.425688 12", "");
    SWEEP_KEY(E, "ts", "1795910400.425688", "");
    SWEEP_KEY(E, "ref", "1795910400.4256881", "");
    SWEEP_KEY(E, "tel", "1795910400.42568", "phone");
    /* where the shortcut takes the value: a context word before its quote,
       or in a key of no sensitive class */
    SWEEP(E, "phone '", "1795910400.42568", "phone");
    SWEEP(E, "call me at '", "1795910400.4256", "phone");
    SWEEP(E, "tel '", "1795910400.425", "phone");
    SWEEP(E, "phone '", "1795910400.425688", "");
    SWEEP(E, "tel '", "1795910400.42568812", "");
    SWEEP_KEY(E, "call", "1795910400.42568", "phone");
    SWEEP_KEY(E, "call", "1795910400.425688", "");
    SWEEP_KEY(E, "contact", "1795910400.4256881", "");
}

/* A value alone under a key in a JSON body, as a string and, when it is
   digits, as a bare number, at offsets 0 to 140, after a sibling
   ("type": <sib>) when <sib> is not empty: each must give the detectors
   <want>. The walk clears ten to nineteen digits and dates whose checks
   need a context word when the field has none (alone_context()). */
static int sweep_field(int line, const veil_engine_t *e, const char *key, const char *sib,
                       const char *value, const char *want)
{
    static const char tail[] = "\"tail\":\"plain words only, long enough for two blocks "
                               "after the value, and then some more\"}\n";
    char buf[900], q[160], type[64];
    int digits = strspn(value, "0123456789") == strlen(value);
    snprintf(type, sizeof(type), "\"type\":\"%s\",", sib);
    for (size_t pad = 0; pad <= 140; pad++) {
        for (int bare = 0; bare <= digits; bare++) {
            const char *mark = bare ? "" : "\"";
            size_t n =
                (size_t)snprintf(buf, sizeof(buf), "{\"%s\":\"x\",%s\"%s\":%s%s%s,%s",
                                 pad_key(q, pad), *sib ? type : "", key, mark, value, mark, tail);
            if (!expect_ids(line, e, VEIL_FMT_JSON, buf, n, want, bare ? "bare" : "string", pad)) {
                return 0;
            }
        }
    }
    return 1;
}

#define SWEEP_FIELD(e, key, sib, value, want) \
    CHECK(sweep_field(__LINE__, (e), (key), (sib), (value), (want)))

TEST(context_gated_digits)
{
    /* no context word: Unix times in seconds and milliseconds, ids */
    SWEEP_FIELD(E, "created", "", "1795910400", "");
    SWEEP_FIELD(E, "ts", "", "1795910400110", "");
    SWEEP_FIELD(E, "variant_id", "", "9890523107", "");
    SWEEP_FIELD(LOW, "ref", "", "4155552671", "");
    SWEEP_FIELD(E, "ref", "", "9434765919", "");
    /* a context word in the key, or in the sibling value */
    SWEEP_FIELD(E, "call", "", "4155552671", "phone");
    SWEEP_FIELD(E, "ref", "mobile", "4155552671", "phone");
    SWEEP_FIELD(E, "nhs", "", "9434765919", "uk_nhs");
    SWEEP_FIELD(E, "ref", "nhs", "9434765919", "uk_nhs");
    SWEEP_FIELD(E, "npi", "", "1234567893", "us_npi");
    SWEEP_FIELD(E, "uid", "", "234567890124", "in_aadhaar");
    SWEEP_FIELD(E, "imei", "", "490154203237518", "imei");
    SWEEP_FIELD(E, "secu", "", "255081416802538", "fr_nir");
    SWEEP_FIELD(E, "sa id", "", "8001015009087", "za_id");
    SWEEP_FIELD(E, "pesel", "", "44051401359", "pl_pesel");
    SWEEP_FIELD(E, "mobile", "", "07700900123", "phone");
    /* without one: the low-confidence readings, and a card's Luhn */
    SWEEP_FIELD(LOW, "id", "", "8001015009087", "za_id");
    SWEEP_FIELD(LOW, "doc", "", "44051401359", "pl_pesel");
    SWEEP_FIELD(E, "ref", "", "4111111111111111", "credit_card");
    SWEEP_FIELD(E, "ref", "", "110105194912310011", "cn_resident_id");
    /* a card's lengths from a 2 to a 6: Luhn decides, not context */
    SWEEP_FIELD(E, "order_number", "", "5178234441773096", "");
    SWEEP_FIELD(E, "ref", "", "4234771403386", "");
    SWEEP_FIELD(E, "ref", "", "4222222222222", "credit_card");
    SWEEP_FIELD(E, "ref", "", "378282246310005", "credit_card");
    SWEEP_FIELD(E, "imei", "", "378282246310006", "");
    SWEEP_FIELD(E, "ref", "", "62345678901234567890", "");
    /* a calendar date alone: a date of birth by a context word only */
    SWEEP_FIELD(E, "eta", "", "2026-12-02", "");
    SWEEP_FIELD(E, "date", "", "1985/03/14", "");
    SWEEP_FIELD(E, "born", "", "1985-03-14", "date_of_birth");
    SWEEP_FIELD(E, "date", "birth", "1985-03-14", "date_of_birth");
    SWEEP_FIELD(E, "geburtsdatum", "", "1985/03/14", "date_of_birth");
}

/* Short numbers, ISO 8601 date-times and lower-case hex ids as strings
   are cleared by the walk on their shape, without the judge (json_walk.c
   cleared_by_shape()): up to eight digits, or fewer than six in at most
   three dot-joined groups; a date-time of forty bytes at most with no '+'
   or "::" in it; hex words joined by '-' but for the judge's exceptions
   (hex_id_cleared()). Past any of those bounds the judge reads the value,
   and a context word or its shape makes a finding of it (test date_times
   has the date-times' signs and length). */
TEST(shape_cleared_strings)
{
    SWEEP_FIELD(E, "qty", "", "42", "");
    SWEEP_FIELD(E, "price", "", "10.01", "");
    SWEEP_FIELD(E, "ver", "", "1.2.3", "");
    SWEEP_FIELD(E, "ref", "ssn", "12345678", "");
    SWEEP_FIELD(E, "ref", "ssn", "123456789", "us_ssn");
    SWEEP_FIELD(E, "ref", "dob", "1.3.1990", "date_of_birth");
    SWEEP_FIELD(E, "ref", "", "10.0.0.1", "ipv4");
    SWEEP_FIELD(E, "ts", "", "2026-11-29T00:01:47.630Z", "");
    SWEEP_FIELD(E, "ts", "", "2026-11-29 00:01:47-05:00", "");
    SWEEP_FIELD(E, "ts", "", "2026-11-29T00:01:47", "");
    SWEEP_FIELD(E, "ts", "", "2026-11-29T00:01:47.Z", "");
    /* (the usual shape, "MM:SS", a fraction, a 'Z', read at fixed
       places: anything else after them is the loop's) */
    SWEEP_FIELD(E, "ts", "", "2026-11-29T00:01:47.1 4111111111111111", "credit_card");
    SWEEP_FIELD(E, "ts", "", "2026-11-29T00:01:47 4111111111111111", "credit_card");
    SWEEP_FIELD(E, "ts", "", "2026-11-29T00:01:47.4111 1111 1111 1111", "");
    SWEEP_FIELD(E, "ts", "", "2026-11-29T00:01 4111 1111 1111 1111", "credit_card");
    SWEEP_FIELD(E, "ref", "", "1985-03-14 10::1985-03-14", "ipv6");
    /* lower-case hex ids: the judge's exceptions are judged */
    SWEEP_FIELD(E, "ref", "", "fc99e4b20e20c233ffdf45f1cbc7ea96", "");
    SWEEP_FIELD(E, "ref", "", "6b0dd717-8630-1586-9989-a3f2b1c4d5e6", "");
    SWEEP_FIELD(E, "ref", "", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                "");
    SWEEP_FIELD(E, "ref", "", "abcdef-4111111111111111", "credit_card");
    SWEEP_FIELD(E, "ref", "", "4111111111111111-abcd", "credit_card");
    SWEEP_FIELD(E, "ref", "iban", "ad5200012030abcdef123456", "iban");
    /* (a hex id with an IBAN's start whose check digits fail) */
    SWEEP_FIELD(E, "ref", "iban", "ca17f0cf7c22dfa5bf4307154a66bd44", "");
    SWEEP(E, "iban ", "de89370400440532013000", "iban");
    /* sixty-four bytes whose only digit is the last (no bit after it) */
    SWEEP_FIELD(E, "ref", "", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1",
                "");
}

/* A string with escapes is held and judged whole (value.c
   worth_scanning()) by the same shortcuts and names probe as one read
   whole: an ETag's hex gives nothing, and what the text layer finds in
   one is still found. */
TEST(escaped_values)
{
    SWEEP_FIELD(E, "etag", "", "W/\\\"4a5c929317b97152\\\"", "");
    SWEEP_FIELD(E, "note", "", "ref \\\"SKU-1EUJ-20196\\\" ok", "");
    SWEEP_FIELD(E, "note", "", "mail \\\"a.b@example.com\\\"", "email");
    SWEEP_FIELD(E, "note", "", "call \\\"+44 20 7946 0958\\\"", "phone");
    SWEEP_FIELD(E, "note", "", "Regards,\\nJohn Smith", "person_name");
    SWEEP_FIELD(E, "note", "", "ship to \\\"10 Downing Street, London\\\"", "address");
}

static void no_finding(void *ud, const veil_finding_t *f)
{
    (void)f;
    ++*(int *)ud;
}

/* The walk's cache of field contexts (json_walk.c context_cleared()):
   the same context asked about other detectors is judged again, and a
   new stream starts with none of the last one's sibling values in it. */
TEST(context_cache)
{
    /* "call" names no IMEI, then is a phone number's context */
    static const char two[] = "[{\"call\":\"123456789012345\"},{\"call\":\"4155552671\"}]";
    CHECK_STR(scan_str(__LINE__, E, VEIL_FMT_JSON, two, sizeof(two) - 1), "phone@37+10H");
    static const char one[] = "{\"type\":\"sibcanary77\",\"ts\":1795910400110}";
    int n = 0;
    veil_scanner_t *sc = veil_scanner_new(E, VEIL_FMT_JSON, no_finding, &n);
    CHECK(sc != NULL);
    veil_scanner_feed(sc, one, sizeof(one) - 1);
    veil_scanner_finish(sc);
    CHECK(memmem(sc->ccache, sizeof(sc->ccache), "sibcanary77", 11) != NULL);
    veil__scanner_wipe(sc);
    CHECK(memmem(sc->ccache, sizeof(sc->ccache), "sibcanary77", 11) == NULL);
    CHECK_EQ(n, 0);
    veil_scanner_free(sc);
}

int main(void)
{
    char err[256];
    veil_engine_options_t lo = {0};
    lo.min_confidence = VEIL_CONF_LOW;
    E = veil_engine_new(NULL, err, sizeof(err));
    LOW = veil_engine_new(&lo, err, sizeof(err));
    if (E == NULL || LOW == NULL) {
        fprintf(stderr, "engine: %s\n", err);
        return 1;
    }
    RUN(lowercase_tokens);
    RUN(date_times);
    RUN(names_after_punctuation);
    RUN(short_numbers);
    RUN(fractional_epochs);
    RUN(context_gated_digits);
    RUN(context_cache);
    RUN(shape_cleared_strings);
    RUN(escaped_values);
    RUN(one_word_numbers);
    RUN(short_between_words);
    RUN(product_codes);
    RUN(lettered_words);
    RUN(mixed_words);
    veil_engine_free(E);
    veil_engine_free(LOW);
    TEST_MAIN_END;
}
