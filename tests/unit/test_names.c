/*
 * Person names and street addresses in running text and in structured
 * values (names.c, addresses.c). The examples are written here from the
 * languages' usual letter phrases and the postal formats' published
 * layouts (USPS Publication 28, Royal Mail, Deutsche Post, La Poste,
 * Correos, Poste Italiane, PostNL), not from any corpus. Every case is
 * scanned whole, byte by byte and in random pieces, on every SIMD level
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
#include "names.h"
#include "names_fold.h"

static veil_engine_t *E;

#define TXT(lit, exp) SCAN_E(E, VEIL_FMT_TEXT, lit, exp)
#define JSN(lit, exp) SCAN_E(E, VEIL_FMT_JSON, lit, exp)
#define FORM(lit, exp) SCAN_E(E, VEIL_FMT_FORM, lit, exp)
#define MASK(lit, exp) REDACT_E(E, VEIL_FMT_TEXT, VEIL_ACT_MASK, lit, exp)

/* A title, a greeting, a sign-off, an introduction or a label before a
   name; a given name and another capitalised word with none. */
TEST(names_in_text)
{
    TXT("Dear Mrs. Whitfield, thank you for the call.", "person_name@10+9M");
    TXT("Kind regards,\nHannah Becker", "person_name@14+13M");
    TXT("Hi Tobias, the parcel arrived.", "person_name@3+6M");
    TXT("Hallo Jördis, danke!", "person_name@6+7M");
    TXT("Hi Team, the build is green.", "");
    TXT("Will you call me back? May I ask for a refund?", "");
    TXT("Please Bill the customer in May.", "");
    TXT("See page 4 of the Page Layout guide.", "");
    TXT("My name is Oskar Lindqvist and I need help.", "person_name@11+15M");
    TXT("Ich heiße Jürgen Weiß und habe eine Frage.", "person_name@11+13M");
    TXT("Je m'appelle Zoé Lefèvre, cliente depuis 2019.", "person_name@13+13M");
    TXT("Me llamo María José Fernández Ruiz.", "person_name@9+28M");
    TXT("Mi chiamo Giulia Ferraro.", "person_name@10+14M");
    TXT("Ik ben Sanne de Groot en ik woon in Utrecht.", "person_name@7+14M");
    TXT("Meu nome é João Pedro Almeida.", "person_name@12+19M");
    TXT("Sehr geehrter Herr Brandt, vielen Dank.", "person_name@19+6M");
    TXT("Estimada Sra. Vidal:", "person_name@14+5M");
    TXT("I spoke with Margaret Holloway yesterday.", "person_name@13+17M");
    TXT("Name: Xandrik Pell", "person_name@6+12M");
    TXT("Account holder Harriet Quill, IBAN to follow.", "person_name@15+13M");
    TXT("Victoria Road is closed; Jordan River flows south.", "");
    TXT("Cordialement,\nAnaïs", "person_name@14+6M");
    TXT("Thanks, Priya", "person_name@8+5M");
    TXT("Groetjes, Femke", "person_name@10+5M");
    TXT("message=Hi+Clara%2C+thanks&x=1", "person_name@11+5M");
}

/* A run of capitalised words with no context: a given name inside it
   starts a name of the words from it on (each word of the run is judged
   as the pass reaches it, with the word before for its only context);
   the whole run is a name before " here". */
TEST(names_inside_a_run)
{
    TXT("Item: Blue Cotton Anna Lee, ok", "person_name@18+8M");
    TXT("ref Cotton Oxford Shirt in stock", "");
    TXT("ref Cotton Oxford Shirt here", "person_name@4+19M");
    TXT("ref Blue Cotton Anna, ok", "");
    TXT("ref Blue+Cotton+Anna+Lee&x=1", "person_name@16+8M");
}

/* Common words that are names too fire only with a context. */
TEST(names_common_words)
{
    TXT("Hi Will, the invoice is attached.", "person_name@3+4M");
    TXT("Will the invoice be attached?", "");
    TXT("Regards, May", "person_name@9+3M");
}

/* Names in Japanese script, by the words around them. */
TEST(names_japanese)
{
    TXT("田中様 お世話になっております。", "person_name@0+6M");
    TXT("ご担当者様 いつもありがとうございます。", "");
    TXT("氏名：山本 花子 電話番号を変更してください。", "person_name@9+13M");
    TXT("よろしくお願いいたします。\n佐藤", "person_name@40+6M");
    TXT("以上、よろしくお願いします。\n以上", "");
    /* A signature is the last line after a line break, wherever the view
       starts: a JSON value's text judged alone (names.c's probe) starts
       at the value, the text layer's a key and a delimiter before it
       (fuzz_json: the two walks disagreed on 芹 after an escaped line
       break). */
    JSN("{\"i:\":\" \\n芹\"x", "person_name@10+3M");
    JSN("{\"i\":\" \\n芹\"}", "person_name@9+3M");
    TXT("\n佐藤", "person_name@1+6M");
}

TEST(addresses_in_text)
{
    TXT("Ship it to 1600 Pennsylvania Avenue NW, Washington, DC 20500 please.", "address@11+49M");
    /* ZIP+4 takes four digits after the dash, not a date's "-03-0" */
    TXT("Ship it to 1600 Pennsylvania Avenue NW, Washington, DC 20500-0003 please.",
        "address@11+54M");
    TXT("Ship it to 1600 Pennsylvania Avenue NW, Washington, DC 20500-03-08 please.",
        "address@11+49M");
    TXT("My address: 221B Baker Street, London NW1 6XE.", "address@12+33M");
    TXT("Lieferung an Hauptstraße 5, 10115 Berlin bitte.", "address@13+28M");
    TXT("Indirizzo: Via Garibaldi 12, 00185 Roma (RM).", "address@11+33M");
    TXT("Envíenlo a Calle de Alcalá, 48, 28014 Madrid, gracias.", "address@12+34M");
    TXT("Adres: Keizersgracht 123, 1015 CJ Amsterdam.", "address@7+36M");
    TXT("Adresse : 12 rue de la Paix, 75002 Paris.", "address@10+30M");
    TXT("Send it to Flat 3, 10 Downing Street.", "address@11+25M");
    TXT("We have 3 Main problems and 200 OK responses.", "");
    TXT("Chrome/124.0 on Windows 10 Build 22631.", "");
}

/* Under a key: "address" and "street" values are judged whole; an IP or
   a wallet under "address" is not a street address. */
TEST(structured)
{
    JSN("{\"street\":\"Hauptstraße 5\",\"city\":\"Berlin\"}", "address@11+14MF");
    JSN("{\"address\":\"10.0.0.7\"}", "ipv4@12+8H");
    JSN("{\"address\":\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\"}", "ethereum_address@12+42H");
    JSN("{\"note\":\"Regards, Hannah Becker\"}", "person_name@18+13M");
    JSN("{\"product\":{\"name\":\"Widget Pro\"}}", "");
    /* A product's "name" is no person's, but an address in it is still
       one (names.c leaves only person names under name keys to value.c):
       the index-driven walk asked the names pass nothing there, the
       byte-by-byte walk did (fuzz_json). */
    JSN("{\"product\":{\"name\":\"Janepad 1o\"}}", "address@20+10M");
    JSN("{\"product\":{\"name\":\"Hauptstraße 5\"}}", "address@20+14M");
    FORM("shipping_address=12+High+Street%2C+Leeds+LS1+4AB&x=1", "address@17+31MF");
    /* A lone UTF-8 lead byte at a key's end is one byte, not the first
       of three: the next value's first letter stays a word start
       (fuzz_json: the index-driven walk, which skips the short value in
       between, lost the name the byte-by-byte walk found). */
    JSN("{\"a\xe5\":\"J\x00\",\"Jane Doe\"}", "person_name@12+8M");
    /* "After a kanji" is after a whole three-byte character: a lone lead
       byte two values back is none (here the walks disagreed the other
       way round). */
    JSN("{\"a\xe5\":\"J\",\"\xce"
        "Jane Doe\"}",
        "");
}

/* The JSON walk asks names.c about a value no other detector wants
   (veil__names_may_hold()), and keeps the values it clears per thread, to
   answer them again at once: an engine with person names off clears
   "Regards, Hannah Becker" (no address in it), and one with them on, in
   the same thread, must still find the name there; a cleared value asked
   again stays cleared, and one with a name keeps its name. */
TEST(probe_cache)
{
    uint8_t enabled[VEIL_CATALOG_MAX];
    memset(enabled, 1, sizeof(enabled));
    int d = veil_catalog_find("person_name");
    CHECK(d >= 0);
    if (d < 0) {
        return;
    }
    enabled[d] = 0;
    veil_engine_options_t eo = {0};
    eo.enabled = enabled;
    char err[256];
    veil_engine_t *no_names = veil_engine_new(&eo, err, sizeof(err));
    CHECK(no_names != NULL);
    if (no_names == NULL) {
        return;
    }
    for (int round = 0; round < 2; round++) {
        SCAN_E(no_names, VEIL_FMT_JSON, "{\"x\":\"Regards, Hannah Becker\"}", "");
        SCAN_E(E, VEIL_FMT_JSON, "{\"x\":\"Regards, Hannah Becker\"}", "person_name@15+13M");
        SCAN_E(E, VEIL_FMT_JSON, "{\"x\":\"Widget Pro\",\"y\":\"Widget Pro\"}", "");
        SCAN_E(no_names, VEIL_FMT_JSON, "{\"x\":\"Ship to 12 Main Street\"}", "address@14+14M");
    }
    veil_engine_free(no_names);
}

/* The probe (veil__names_may_hold()) clears a value only where the pass,
   run over the value alone, finds nothing. Its shortcut for values with
   no byte the pass would stop at (codes and ids joined by hyphens,
   "SKU-DRMP-97690") is tried against names, house numbers and sign-offs
   after every kind of byte before them, at places across two sixteen-
   byte blocks, with capitals and digits right after them; some of the
   values must have a name or an address, and some must be cleared. */
TEST(probe_sound)
{
    static const char *const before[] = {"",
                                         "SKU-",
                                         "SKU-DRMP-",
                                         "A1B2C3D4E5F6G7-",
                                         "ABCDEFGHIJKLMNO",
                                         "ABCDEFGHIJKLMNOP-",
                                         "x",
                                         "ID:",
                                         "ref/",
                                         "a_",
                                         "Q=",
                                         "#",
                                         ",",
                                         "7",
                                         "X7-",
                                         "SKU-1EUJ-2019"};
    static const char *const middle[] = {"Anna Lee",
                                         "Hannah Becker",
                                         "12 Main Street",
                                         "Regards,Hannah Becker",
                                         "Mrs Whitfield",
                                         "ANNA LEE",
                                         "AnnaLee",
                                         "DRMP-97690",
                                         "1EUJ-20196",
                                         "A",
                                         "Anna"};
    static const char *const after[] = {"", "-X", " 12", "A", "-7Q2X", "9"};
    char value[160];
    int found = 0, cleared = 0;
    for (size_t b = 0; b < sizeof(before) / sizeof(before[0]); b++) {
        for (size_t m = 0; m < sizeof(middle) / sizeof(middle[0]); m++) {
            for (size_t a = 0; a < sizeof(after) / sizeof(after[0]); a++) {
                int n = snprintf(value, sizeof(value), "%s%s%s", before[b], middle[m], after[a]);
                veil__nview_t v = {
                    (const unsigned char *)value, (size_t)n, 1, 1, 1, NULL, 0, NULL, 0, 0};
                veil__names_pass(&v, 0);
                int may = veil__names_may_hold(E, value, (size_t)n);
                found += v.found;
                cleared += !may;
                if (v.found && !may) {
                    CHECK(!"the probe cleared a value the pass finds something in");
                    fprintf(stderr, "  (the value: %s)\n", value);
                }
            }
        }
    }
    CHECK(found > 0);
    CHECK(cleared > 0);
}

/* The harness's comparisons of one body, scanned and redacted; the body
   is printed when they disagree. */
static void agree(veil_format_t fmt, const char *body, size_t n)
{
    int before = test_failed_checks;
    (void)scan_str(__LINE__, E, fmt, body, n);
    (void)redact_str(__LINE__, E, fmt, VEIL_ACT_MASK, NULL, body, n);
    if (test_failed_checks != before) {
        fprintf(stderr, "  (the body: %s)\n", body);
    }
}

/* Names and addresses as values of the keys that name things and people,
   under the parents that make a "name" a product's or a person's, in
   JSON, XML and form bodies: the index-driven walks on every level, the
   byte-by-byte walk and every cut must agree (scan_str() and
   redact_str() compare them). Two disagreements of this kind came from
   fuzz_json: a lone lead byte at a key's end, and an address under a
   product's "name". */
TEST(name_keys_agree)
{
    static const char *const parents[] = {NULL, "product", "user", "items", "customer"};
    static const char *const keys[] = {"name",  "first_name", "full_name", "title",
                                       "label", "street",     "note"};
    static const char *const values[] = {
        "Janepad 1o",      "Hauptstra\u00dfe 5", "Hauptstraße 5",   "12 Main Street",
        "Jane Doe",        "Widget 2000",        "Calle Mayor, 12", "\uff11\uff12 Elm Street",
        "１２ Elm Street", "Dr. Maria Garcia",   "Oxford Shirt",    "Via Roma 1, 00184 Roma",
        "Kalverstraat 92", "%31%32 Main Street", "4 Privet Drive",  "Anna 3"};
    char body[512];
    for (size_t p = 0; p < sizeof(parents) / sizeof(parents[0]); p++) {
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
                int n;
                if (parents[p] == NULL) {
                    n = snprintf(body, sizeof(body), "{\"%s\":\"%s\",\"id\":7}", keys[k],
                                 values[v]);
                } else if (strcmp(parents[p], "items") == 0) {
                    n = snprintf(body, sizeof(body), "{\"items\":[{\"%s\":\"%s\"},{\"%s\":1}]}",
                                 keys[k], values[v], keys[k]);
                } else {
                    n = snprintf(body, sizeof(body), "{\"%s\":{\"%s\":\"%s\"}}", parents[p],
                                 keys[k], values[v]);
                }
                agree(VEIL_FMT_JSON, body, (size_t)n);
                /* The same as XML elements (a JSON escape is text there). */
                if (parents[p] == NULL) {
                    n = snprintf(body, sizeof(body), "<r><%s>%s</%s><id>7</id></r>", keys[k],
                                 values[v], keys[k]);
                } else {
                    n = snprintf(body, sizeof(body), "<r><%s><%s>%s</%s></%s></r>", parents[p],
                                 keys[k], values[v], keys[k], parents[p]);
                }
                agree(VEIL_FMT_XML, body, (size_t)n);
                /* And as a form field, spaces written '+'. */
                n = snprintf(body, sizeof(body), "%s%s%s=", parents[p] ? parents[p] : "",
                             parents[p] ? "." : "", keys[k]);
                for (const char *c = values[v]; *c && (size_t)n + 2 < sizeof(body); c++) {
                    body[n++] = *c == ' ' ? '+' : *c;
                }
                n += snprintf(body + n, sizeof(body) - (size_t)n, "&id=7");
                agree(VEIL_FMT_FORM, body, (size_t)n);
            }
        }
    }
}

/* What a redaction leaves: the finding masked but its spaces. */
TEST(redacted)
{
    MASK("Regards, Hannah Becker", "Regards, ****** ******");
    MASK("Ship to 9 Elm Street, Springfield, IL 62701.",
         "Ship to * *** ******* ************ ** *****.");
}

/* A long input, so that the pass decides in the middle of the stream
   (512 bytes of look-ahead, CSV rows, Japanese runs, escapes): cut byte
   by byte and in random pieces, it must find what it finds whole. */
TEST(streaming)
{
    static char big[16384];
    size_t n = 0;
    for (int k = 0; k < 14; k++) {
        n +=
            (size_t)snprintf(big + n, sizeof(big) - n,
                             "ticket %d: the export ran at 12:%02d and wrote %d rows.%*s\n"
                             "Dear Mrs. Whitfield,\nplease ship to %d Evergreen Terrace, "
                             "Springfield, OR 97475.\nMay I pay by invoice?\nKind regards,\n"
                             "Hannah Becker\n\nid;Vorname;Nachname;Adresse\n%d;Henrike;Albers;"
                             "\"Bahnhofstr. 12, 28195 Bremen\"\n\n"
                             "\xe7\x94\xb0\xe4\xb8\xad\xe6\xa7\x98 \xe3\x81\x8a\xe4\xb8\x96\xe8\xa9"
                             "\xb1\xe3\x81\xab\xe3\x81\xaa\xe3\x81\xa3\xe3\x81\xa6\xe3\x81\x8a\xe3"
                             "\x82\x8a\xe3\x81\xbe\xe3\x81\x99\xe3\x80\x82\n"
                             "message=Hola+%%C3%%93scar%%2C+gracias&x=%d\n",
                             k, k, k * 17, k * 7, "", 100 + k, k, k);
    }
    const char *got = scan_str(__LINE__, E, VEIL_FMT_TEXT, big, n);
    size_t names = 0, addresses = 0;
    for (const char *p = got; (p = strstr(p, "person_name@")) != NULL; p++) {
        names++;
    }
    for (const char *p = got; (p = strstr(p, "address@")) != NULL; p++) {
        addresses++;
    }
    /* Each round: Whitfield, Hannah Becker, Henrike, Albers, 田中, Óscar;
       the Terrace and the Bahnhofstr. */
    CHECK_EQ(names, 14 * 6);
    CHECK_EQ(addresses, 14 * 2);
}

/* A JSON body whose values reach the text layer without a letter (the
   names pass is left out of those) and then one with a house number at
   its start, cut every way and right after the number: where the pass is
   left out, it must still wait for the street's name. */
TEST(streaming_digit_values)
{
    static char big[8192];
    size_t n = (size_t)snprintf(big, sizeof(big), "{\"items\":[");
    for (int k = 0; k < 60; k++) {
        n += (size_t)snprintf(big + n, sizeof(big) - n, "{\"tel\":\"+1 415 555 01%02d\"},", k);
    }
    /* one value of 700 bytes without a letter before the number */
    n += (size_t)snprintf(big + n, sizeof(big) - n, "{\"to\":\"");
    for (int k = 0; k < 100; k++) {
        n += (size_t)snprintf(big + n, sizeof(big) - n, "%d.%d, ", k % 9, k % 7);
    }
    n += (size_t)snprintf(big + n, sizeof(big) - n,
                          "12 Evergreen Terrace, Springfield, OR 97475\"}]}");
    const char *got = scan_str(__LINE__, E, VEIL_FMT_JSON, big, n);
    size_t phones = 0;
    for (const char *p = got; (p = strstr(p, "phone@")) != NULL; p++) {
        phones++;
    }
    CHECK_EQ(phones, 60);
    CHECK(strstr(got, "address@") != NULL);
    char whole[8192], cut[8192];
    snprintf(whole, sizeof(whole), "%s", got);

    flist_t l;
    memset(&l, 0, sizeof(l));
    veil_scanner_t *sc = veil_scanner_new(E, VEIL_FMT_JSON, collect, &l);
    size_t at = (size_t)(strstr(big, "12 Evergreen") - big) + 3;
    CHECK(veil_scanner_feed(sc, big, at) == 0);
    CHECK(veil_scanner_feed(sc, big + at, n - at) == 0);
    CHECK(veil_scanner_finish(sc) == 0);
    veil_scanner_free(sc);
    flist_format(E, &l, cut, sizeof(cut));
    CHECK_STR(cut, whole);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* veil__fold_hash() reads a word's bytes in words of eight: only the
   word's own bytes count (the same word with other bytes after it, and
   alone in an allocation of its exact size, where ASan sees a read past
   it), and no two words of one to three letters share a hash, a table
   slot and fingerprint pair, or a 32-bit hash. */
TEST(fold_hash)
{
    char wide[64];
    for (size_t n = 0; n <= 40; n++) {
        char *exact = malloc(n ? n : 1);
        CHECK(exact != NULL);
        if (exact == NULL) {
            return;
        }
        for (size_t k = 0; k < n; k++) {
            exact[k] = (char)('a' + (k * 7 + n) % 26);
        }
        memset(wide, 'z', sizeof(wide));
        if (n) {
            memcpy(wide, exact, n);
        }
        uint64_t a = veil__fold_hash(exact, n), b = veil__fold_hash(wide, n);
        CHECK_EQ(a, b);
        if (n) {
            wide[n] = 'q'; /* a byte after the word changes nothing */
            CHECK_EQ(veil__fold_hash(wide, n), a);
            wide[n - 1] ^= 1; /* its last byte does */
            CHECK(veil__fold_hash(wide, n) != a);
        }
        free(exact);
    }
    /* 18,278 words of one to three letters */
    size_t count = 26 + 26 * 26 + 26 * 26 * 26;
    uint64_t *h = malloc(count * sizeof(*h));
    uint64_t *slot_fp = malloc(count * sizeof(*slot_fp));
    uint32_t *h32 = malloc(count * sizeof(*h32));
    CHECK(h != NULL && slot_fp != NULL && h32 != NULL);
    if (h == NULL || slot_fp == NULL || h32 == NULL) {
        free(h);
        free(slot_fp);
        free(h32);
        return;
    }
    size_t m = 0;
    for (size_t len = 1; len <= 3; len++) {
        size_t total = len == 1 ? 26 : len == 2 ? 676 : 17576;
        for (size_t v = 0; v < total; v++) {
            char w[3];
            for (size_t k = 0, x = v; k < len; k++, x /= 26) {
                w[k] = (char)('a' + x % 26);
            }
            h[m] = veil__fold_hash(w, len);
            slot_fp[m] = (h[m] & ((1u << VEIL__NAMES_BITS) - 1)) << 32 | veil__fold_fp(h[m]);
            h32[m] = (uint32_t)(h[m] >> 32);
            m++;
        }
    }
    qsort(h, m, sizeof(*h), cmp_u64);
    qsort(slot_fp, m, sizeof(*slot_fp), cmp_u64);
    qsort(h32, m, sizeof(*h32), cmp_u32);
    size_t same = 0, same_sf = 0, same32 = 0;
    for (size_t i = 1; i < m; i++) {
        same += h[i] == h[i - 1];
        same_sf += slot_fp[i] == slot_fp[i - 1];
        same32 += h32[i] == h32[i - 1];
    }
    CHECK_EQ(same, (size_t)0);
    CHECK_EQ(same_sf, (size_t)0);
    CHECK_EQ(same32, (size_t)0);
    free(h);
    free(slot_fp);
    free(h32);
}

int main(void)
{
    char err[256];
    E = veil_engine_new(NULL, err, sizeof(err));
    if (!E) {
        fprintf(stderr, "engine: %s\n", err);
        return 1;
    }
    RUN(names_in_text);
    RUN(names_inside_a_run);
    RUN(names_common_words);
    RUN(names_japanese);
    RUN(addresses_in_text);
    RUN(structured);
    RUN(name_keys_agree);
    RUN(probe_cache);
    RUN(probe_sound);
    RUN(redacted);
    RUN(streaming);
    RUN(streaming_digit_values);
    RUN(fold_hash);
    veil_engine_free(E);
    TEST_MAIN_END;
}
