/*
 * Unit tests for reversible tokens (veil/tokens.h): the tagged grammar
 * and its refusals (wrong key, retired key, unknown key, moved type,
 * altered payload: an error, never a value), format-preserving tokens
 * (the Luhn adjust digit over many random cards, the IBAN check-digit
 * rule, e-mail addresses, SSNs, phone numbers), the transform (FPE only
 * where it can be found again, existing tokens kept), the stream in any
 * chunking, key files and counters.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "veil/tokens.h"
#include "veil/veil.h"

static veil_token_ring_t *ring;  /* k1 active slot 1, k2 decrypt_only 2, old retired 3 */
static veil_token_ring_t *other; /* the same ids and slots, other bytes */

static veil_token_ring_t *make_ring(unsigned char fill)
{
    static veil_hash_key_t k[3];
    const veil_hash_key_t *kp[3] = {&k[0], &k[1], &k[2]};
    static const char *const ids[3] = {"k1", "k2", "old"};
    char err[128];
    for (int i = 0; i < 3; i++) {
        memset(&k[i], 0, sizeof(k[i]));
        k[i].id = ids[i];
        k[i].slot = i + 1;
        k[i].state = i == 0 ? VEIL_KEY_ACTIVE : i == 1 ? VEIL_KEY_DECRYPT_ONLY : VEIL_KEY_RETIRED;
        k[i].len = VEIL_TOKEN_KEY_BYTES;
        for (int b = 0; b < VEIL_TOKEN_KEY_BYTES; b++) {
            k[i].bytes[b] = (unsigned char)(fill + 31 * i + b);
        }
    }
    return veil_token_ring_new(kp, 3, err, sizeof(err));
}

static uint64_t rng = 0x2545f4914f6cdd1dull;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static char tok[VEIL_TOKEN_MAX_LEN + 8], val[VEIL_TOKEN_OUT_CAP(VEIL_TOKEN_VALUE_MAX)];

/* ---- tagged ------------------------------------------------------------ */

TEST(tagged_round_trip_and_grammar)
{
    veil_token_parts_t p;
    int key = -9, bare = -9;
    long n =
        veil_token_tagged_make(ring, 0, "email", 0, "jane.doe@example.com", 20, tok, sizeof(tok));
    CHECK(n > 0);
    tok[n] = '\0';
    CHECK(strncmp(tok, "tok-k1-email-", 13) == 0);
    /* 16-byte tag + form byte + 20 bytes = 37 bytes = 60 base32 characters */
    CHECK_EQ(n, 13 + 60);
    for (long i = 13; i < n; i++) {
        CHECK((tok[i] >= 'a' && tok[i] <= 'z') || (tok[i] >= '2' && tok[i] <= '7'));
    }
    CHECK_EQ(veil_token_parse(tok, (size_t)n, &p), 1);
    CHECK_EQ(p.key_len, 2);
    CHECK_EQ(p.type_len, 5);
    CHECK_EQ(p.payload_len, 60);
    CHECK_EQ(veil_token_tagged_open(ring, tok, (size_t)n, val, sizeof(val), &key, &bare), 20);
    CHECK(memcmp(val, "jane.doe@example.com", 20) == 0);
    CHECK_EQ(key, 0);
    CHECK_EQ(bare, 0);
    /* Deterministic: the same value, the same token. */
    char again[200];
    CHECK_EQ(veil_token_tagged_make(ring, 0, "email", 0, "jane.doe@example.com", 20, again,
                                    sizeof(again)),
             n);
    CHECK(memcmp(again, tok, (size_t)n) == 0);
    /* Another value or form, another token. */
    CHECK_EQ(veil_token_tagged_make(ring, 0, "email", 1, "jane.doe@example.com", 20, again,
                                    sizeof(again)),
             n);
    CHECK(memcmp(again, tok, (size_t)n) != 0);
    /* decrypt_only keys still make tokens (rewrap needs them), retired
       ones do not. */
    CHECK(veil_token_tagged_make(ring, 1, "email", 0, "x", 1, again, sizeof(again)) > 0);
    CHECK_EQ(veil_token_tagged_make(ring, 2, "email", 0, "x", 1, again, sizeof(again)), -EINVAL);
    CHECK_EQ(veil_token_tagged_make(ring, 0, "Email", 0, "x", 1, again, sizeof(again)), -EINVAL);
    CHECK_EQ(veil_token_tagged_make(ring, 0, "email", 0, "x", 1, again, 20), -ENOSPC);
}

TEST(tagged_grammar_refusals)
{
    veil_token_parts_t p;
    static const char *const bad[] = {
        "tok-k1-email-",                               /* no payload */
        "tok--email-aaaaaaaaaaaaaaaaaaaaaaaaaaaa",     /* empty key */
        "tok-k1--aaaaaaaaaaaaaaaaaaaaaaaaaaaa",        /* empty type */
        "tok-K1-email-aaaaaaaaaaaaaaaaaaaaaaaaaaaa",   /* upper case */
        "tok-k1-email-aaaaaaaaaaaaaaaaaaaaaaaaaaa1",   /* 1 is not base32 */
        "tok-k1-email-aaaaaaaaaaaaaaaaaaaaaaaaaaa",    /* 27: too short */
        "tok-k1-email-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 30: no byte count */
        "tok-k1-x-email-aaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* four parts */
        "tk-k1-email-aaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "tok-k1-email-aaaaaaaaaaaaaaaaaaaaaaaaaaaa ", /* not the whole word */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_EQ(veil_token_parse(bad[i], strlen(bad[i]), &p), 0);
        CHECK_EQ(veil_token_tagged_open(ring, bad[i], strlen(bad[i]), val, sizeof(val), NULL, NULL),
                 VEIL_ESYNTAX);
    }
    /* 28 characters of payload: 17 bytes, the shortest. */
    const char *ok = "tok-k1-email-aaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    CHECK_EQ(veil_token_parse(ok, strlen(ok), &p), 1);
}

/* Every way a token can be wrong is an error, and no value is left. */
TEST(tagged_refusals)
{
    char t2[200];
    long n = veil_token_tagged_make(ring, 0, "credit_card", 0, "4111 1111 1111 1111", 19, tok,
                                    sizeof(tok));
    CHECK(n > 0);
    /* Another key's bytes under the same id. */
    memset(val, 0, sizeof(val));
    CHECK_EQ(veil_token_tagged_open(other, tok, (size_t)n, val, sizeof(val), NULL, NULL),
             VEIL_ETOKEN_AUTH);
    CHECK(memchr(val, '4', sizeof(val)) == NULL);
    /* Moved to another type. */
    memcpy(t2, "tok-k1-iban", 11);
    memcpy(t2 + 11, tok + 18, (size_t)n - 18);
    CHECK_EQ(veil_token_tagged_open(ring, t2, (size_t)n - 7, val, sizeof(val), NULL, NULL),
             VEIL_ETOKEN_AUTH);
    /* Moved to another key id. */
    memcpy(t2, tok, (size_t)n);
    t2[5] = '2';
    CHECK_EQ(veil_token_tagged_open(ring, t2, (size_t)n, val, sizeof(val), NULL, NULL),
             VEIL_ETOKEN_AUTH);
    /* A key id the ring does not have; a retired one. */
    t2[5] = '7';
    CHECK_EQ(veil_token_tagged_open(ring, t2, (size_t)n, val, sizeof(val), NULL, NULL),
             VEIL_ETOKEN_KEY);
    char r[200] = "tok-old-";
    memcpy(r + 8, tok + 7, (size_t)n - 7);
    CHECK_EQ(veil_token_tagged_open(ring, r, (size_t)n + 1, val, sizeof(val), NULL, NULL),
             VEIL_ETOKEN_RETIRED);
    /* Every single character of the payload changed. */
    for (long i = 19; i < n; i++) {
        memcpy(t2, tok, (size_t)n);
        t2[i] = t2[i] == 'a' ? 'b' : 'a';
        long rc = veil_token_tagged_open(ring, t2, (size_t)n, val, sizeof(val), NULL, NULL);
        CHECK(rc == VEIL_ETOKEN_AUTH || rc == VEIL_ESYNTAX);
    }
    /* The last character with a trailing bit set: the same bytes in
       another spelling, refused (non-canonical). */
    memcpy(t2, tok, (size_t)n);
    CHECK(((n - 19) * 5) % 8 != 0);
    t2[n - 1] = t2[n - 1] == 'z' ? '2' : (char)(t2[n - 1] + 1);
    CHECK_EQ(veil_token_tagged_open(ring, t2, (size_t)n, val, sizeof(val), NULL, NULL) < 0, 1);
    CHECK_EQ(veil_token_tagged_open(ring, tok, (size_t)n, val, 3, NULL, NULL), -ENOSPC);
    CHECK_STR(veil_strerror(VEIL_ETOKEN_AUTH),
              "token failed authentication (altered, moved or another key)");
    CHECK_STR(veil_strerror(VEIL_ETOKEN_RETIRED), "token under a retired key");
}

/* ---- format-preserving ---------------------------------------------------- */

static unsigned luhn(const char *s)
{
    unsigned sum = 0, i = 0;
    for (size_t k = strlen(s); k-- > 0;) {
        if (s[k] < '0' || s[k] > '9') {
            continue;
        }
        unsigned d = (unsigned)(s[k] - '0');
        if (i++ % 2) {
            d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        }
        sum += d;
    }
    return sum % 10;
}

static void random_card(char *out, size_t n)
{
    out[0] = (char)('3' + rnd(4));
    for (size_t i = 1; i < n; i++) {
        out[i] = (char)('0' + rnd(10));
    }
    out[n] = '\0';
    /* fix the check digit */
    out[n - 1] = '0';
    out[n - 1] = (char)('0' + (10 - luhn(out)) % 10);
}

TEST(card_luhn_adjust_digit)
{
    veil_hash_key_t k[9];
    const veil_hash_key_t *kp[9];
    static char ids[9][4];
    char err[128], card[24], t[24], back[24];
    for (int i = 0; i < 9; i++) {
        memset(&k[i], 0, sizeof(k[i]));
        snprintf(ids[i], sizeof(ids[i]), "s%d", i + 1);
        k[i].id = ids[i];
        k[i].slot = i + 1;
        k[i].len = 32;
        memset(k[i].bytes, i + 1, 32);
        kp[i] = &k[i];
    }
    veil_token_ring_t *nine = veil_token_ring_new(kp, 9, err, sizeof(err));
    CHECK(nine != NULL);
    unsigned tokens = 0, differ = 0;
    for (int round = 0; round < 20000; round++) {
        size_t n = 13 + rnd(7);
        int key = (int)rnd(9);
        random_card(card, n);
        CHECK_EQ(luhn(card), 0);
        long m =
            veil_token_fpe_make(nine, key, "credit_card", VEIL_FMT_TEXT, card, n, t, sizeof(t));
        CHECK_EQ(m, (long)n);
        t[n] = '\0';
        /* Never a valid card: the Luhn sum is the slot, 1-9. */
        CHECK_EQ(luhn(t), (unsigned)key + 1);
        /* First digit and last four kept. */
        CHECK(t[0] == card[0] && memcmp(t + n - 4, card + n - 4, 4) == 0);
        differ += memcmp(t, card, n) != 0;
        int used = -1;
        CHECK_EQ(veil_token_fpe_open(nine, -1, "credit_card", VEIL_FMT_TEXT, t, n, back,
                                     sizeof(back), &used),
                 (long)n);
        CHECK(memcmp(back, card, n) == 0);
        CHECK_EQ(used, key);
        tokens++;
    }
    CHECK_EQ(tokens, 20000);
    CHECK_EQ(differ, 20000);
    /* Separators stay where they were. */
    CHECK_EQ(veil_token_fpe_make(nine, 0, "credit_card", VEIL_FMT_TEXT, "4111 1111-1111 1111", 19,
                                 t, sizeof(t)),
             19);
    CHECK(t[4] == ' ' && t[9] == '-' && t[14] == ' ' && memcmp(t + 15, "1111", 4) == 0);
    /* An invalid card, a short number, letters: no FPE (the caller makes
       a tagged token). A valid card is no token. */
    CHECK_EQ(veil_token_fpe_make(nine, 0, "credit_card", VEIL_FMT_TEXT, "4111111111111112", 16, t,
                                 sizeof(t)),
             VEIL_ETOKEN_FORMAT);
    CHECK_EQ(veil_token_fpe_make(nine, 0, "credit_card", VEIL_FMT_TEXT, "411111111111", 12, t,
                                 sizeof(t)),
             VEIL_ETOKEN_FORMAT);
    CHECK_EQ(veil_token_fpe_make(nine, 0, "credit_card", VEIL_FMT_TEXT, "4111x11111111111", 16, t,
                                 sizeof(t)),
             VEIL_ETOKEN_FORMAT);
    CHECK_EQ(veil_token_fpe_open(nine, -1, "credit_card", VEIL_FMT_TEXT, "4111111111111111", 16,
                                 back, sizeof(back), NULL),
             VEIL_ESYNTAX);
    veil_token_ring_free(nine);
}

TEST(card_token_slot_names_its_key)
{
    char t[24], back[24];
    int used;
    /* slot 1 (k1) opens; slot 2 (k2, decrypt_only) opens; slot 3 is
       retired; slot 4 has no key. */
    CHECK_EQ(veil_token_fpe_make(ring, 0, "credit_card", VEIL_FMT_TEXT, "4111111111111111", 16, t,
                                 sizeof(t)),
             16);
    CHECK_EQ(luhn((t[16] = 0, t)), 1);
    CHECK_EQ(veil_token_fpe_make(ring, 1, "credit_card", VEIL_FMT_TEXT, "4111111111111111", 16, t,
                                 sizeof(t)),
             16);
    CHECK_EQ(luhn(t), 2);
    CHECK_EQ(veil_token_fpe_open(ring, -1, "credit_card", VEIL_FMT_TEXT, t, 16, back, sizeof(back),
                                 &used),
             16);
    CHECK_EQ(used, 1);
    CHECK_EQ(veil_token_fpe_make(ring, 2, "credit_card", VEIL_FMT_TEXT, "4111111111111111", 16, t,
                                 sizeof(t)),
             -EINVAL);
    /* A number whose Luhn sum is 3: retired; 4: no key. */
    CHECK_EQ(veil_token_fpe_open(ring, -1, "credit_card", VEIL_FMT_TEXT, "4111111111111114", 16,
                                 back, sizeof(back), &used),
             VEIL_ETOKEN_RETIRED);
    CHECK_EQ(veil_token_fpe_open(ring, -1, "credit_card", VEIL_FMT_TEXT, "4111111111111115", 16,
                                 back, sizeof(back), &used),
             VEIL_ETOKEN_KEY);
}

/* ISO 13616 remainder of an IBAN written without spaces. */
static unsigned mod97(const char *s)
{
    char r[40];
    size_t n = 0;
    for (const char *p = s; *p; p++) {
        if (*p != ' ') {
            r[n++] = *p;
        }
    }
    unsigned rem = 0;
    for (size_t k = 0; k < n; k++) {
        char c = r[(k + 4) % n];
        rem = c >= '0' && c <= '9' ? (rem * 10 + (unsigned)(c - '0')) % 97
                                   : (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
    }
    return rem;
}

TEST(iban_check_digit_rule)
{
    /* Valid IBANs (ISO 13616 check digits) of several shapes. */
    static const char *const ibans[] = {
        "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "FR7630006000011234567890189",
        "NL91ABNA0417164300",          "BE68539007547034",       "NO9386011117947",
        "IT60X0542811101000000123456", "CH9300762011623852957",  "ES9121000418450200051332",
        "PL61109010140000071219812874"};
    static const unsigned bank[] = {8, 4, 5, 4, 3, 4, 6, 5, 4, 8};
    char t[40], back[40];
    for (size_t i = 0; i < sizeof(ibans) / sizeof(ibans[0]); i++) {
        size_t n = strlen(ibans[i]);
        CHECK_EQ(mod97(ibans[i]), 1);
        for (int key = 0; key < 2; key++) {
            long m =
                veil_token_fpe_make(ring, key, "iban", VEIL_FMT_TEXT, ibans[i], n, t, sizeof(t));
            CHECK_EQ(m, (long)n);
            t[n] = '\0';
            /* mod-97 is 1 + slot: never a valid IBAN, and it names its key. */
            CHECK_EQ(mod97(t), 2 + (unsigned)key);
            /* Country and bank kept; check digits 02..98. */
            CHECK(memcmp(t, ibans[i], 2) == 0);
            int cd = (t[2] - '0') * 10 + (t[3] - '0');
            CHECK(cd >= 2 && cd <= 98);
            size_t kept = 0;
            for (size_t k = 4; k < n && kept < bank[i]; k++) {
                if (ibans[i][k] != ' ') {
                    CHECK(t[k] == ibans[i][k]);
                    kept++;
                }
            }
            CHECK(strcmp(t, ibans[i]) != 0);
            /* Letters stay letters, digits digits, spaces where they were. */
            for (size_t k = 0; k < n; k++) {
                CHECK((ibans[i][k] == ' ') == (t[k] == ' '));
                CHECK((ibans[i][k] >= 'A') == (t[k] >= 'A'));
            }
            int used = -1;
            CHECK_EQ(veil_token_fpe_open(ring, -1, "iban", VEIL_FMT_TEXT, t, n, back, sizeof(back),
                                         &used),
                     (long)n);
            CHECK(memcmp(back, ibans[i], n) == 0);
            CHECK_EQ(used, key);
        }
    }
    /* An invalid IBAN, an unknown country: no FPE; a valid one is no token. */
    CHECK_EQ(veil_token_fpe_make(ring, 0, "iban", VEIL_FMT_TEXT, "DE88370400440532013000", 22, t,
                                 sizeof(t)),
             VEIL_ETOKEN_FORMAT);
    CHECK_EQ(veil_token_fpe_make(ring, 0, "iban", VEIL_FMT_TEXT, "ZZ89370400440532013000", 22, t,
                                 sizeof(t)),
             VEIL_ETOKEN_FORMAT);
    CHECK_EQ(veil_token_fpe_open(ring, -1, "iban", VEIL_FMT_TEXT, "DE89370400440532013000", 22,
                                 back, sizeof(back), NULL),
             VEIL_ESYNTAX);
    /* One to four letters in the account part: 26^4 < 10^6, so no FPE
       (the caller makes a tagged token). */
    CHECK_EQ(veil_token_fpe_make(ring, 0, "iban", VEIL_FMT_TEXT, "FR1420041010050500013M02606", 27,
                                 t, sizeof(t)),
             VEIL_ETOKEN_DOMAIN);
    /* The form's + as a space stays. */
    CHECK_EQ(veil_token_fpe_make(ring, 0, "iban", VEIL_FMT_FORM, "DE89+3704+0044+0532+0130+00", 27,
                                 t, sizeof(t)),
             27);
    CHECK(t[4] == '+' && t[24] == '+');
}

TEST(email_fpe)
{
    char t[128], back[128];
    int used = -1;
    const char *e = "Jane.Doe+news@Example.com";
    long n = veil_token_fpe_make(ring, 0, "email", VEIL_FMT_TEXT, e, strlen(e), t, sizeof(t));
    CHECK_EQ(n, (long)strlen(e) + 4);
    t[n] = '\0';
    /* Local part: letters and digits encrypted, . and + in place; the
       tag before the @; the domain kept. */
    CHECK(t[4] == '.' && t[8] == '+');
    CHECK(strcmp(t + 13, "+vt1@Example.com") == 0);
    CHECK(memcmp(t, "Jane", 4) != 0 || memcmp(t + 5, "Doe", 3) != 0);
    CHECK_EQ(veil_token_fpe_open(ring, -1, "email", VEIL_FMT_TEXT, t, (size_t)n, back, sizeof(back),
                                 &used),
             (long)strlen(e));
    CHECK(memcmp(back, e, strlen(e)) == 0);
    CHECK_EQ(used, 0);
    /* The domain is the tweak, case aside. */
    char t2[128];
    CHECK_EQ(veil_token_fpe_make(ring, 0, "email", VEIL_FMT_TEXT, "Jane.Doe+news@example.COM", 25,
                                 t2, sizeof(t2)),
             n);
    CHECK(memcmp(t2, t, 13) == 0);
    /* In a form, + is a space: the tag is %2Bvt. */
    const char *f = "jane.doe%40example.com";
    n = veil_token_fpe_make(ring, 1, "email", VEIL_FMT_FORM, f, strlen(f), t, sizeof(t));
    CHECK_EQ(n, (long)strlen(f) + 6);
    t[n] = '\0';
    CHECK(strstr(t, "%2Bvt2%40example.com") != NULL);
    CHECK_EQ(veil_token_fpe_open(ring, -1, "email", VEIL_FMT_FORM, t, (size_t)n, back, sizeof(back),
                                 &used),
             (long)strlen(f));
    CHECK(memcmp(back, f, strlen(f)) == 0 && used == 1);
    /* Three letters and digits: 62^3 < 10^6, refused (tagged instead). */
    CHECK_EQ(
        veil_token_fpe_make(ring, 0, "email", VEIL_FMT_TEXT, "bob@example.org", 15, t, sizeof(t)),
        VEIL_ETOKEN_DOMAIN);
    CHECK_EQ(veil_token_fpe_make(ring, 0, "email", VEIL_FMT_TEXT, "b.o.b.a@example.org", 19, t,
                                 sizeof(t)),
             19 + 4);
    /* No tag: a real address, not a token. */
    CHECK_EQ(veil_token_fpe_open(ring, -1, "email", VEIL_FMT_TEXT, e, strlen(e), back, sizeof(back),
                                 NULL),
             VEIL_ESYNTAX);
}

TEST(ssn_and_phone_fpe)
{
    char t[40], back[40];
    long n = veil_token_fpe_make(ring, 0, "us_ssn", VEIL_FMT_TEXT, "536-22-8901", 11, t, sizeof(t));
    CHECK_EQ(n, 11);
    t[11] = '\0';
    CHECK(t[3] == '-' && t[6] == '-' && strcmp(t, "536-22-8901") != 0);
    /* Still a well-formed SSN: area not 000, 666 or 9xx; group, serial
       not zero. */
    int area = atoi(t), group = atoi(t + 4), serial = atoi(t + 7);
    CHECK(area != 0 && area != 666 && area < 900 && group != 0 && serial != 0);
    CHECK_EQ(veil_token_fpe_open(ring, 0, "us_ssn", VEIL_FMT_TEXT, t, 11, back, sizeof(back), NULL),
             11);
    CHECK(memcmp(back, "536-22-8901", 11) == 0);
    /* SSN tokens carry no slot: opened with the key the caller names.
       With another key the result is a wrong value: documented, and why
       SSNs are FPE only on named fields. */
    CHECK_EQ(veil_token_fpe_open(ring, 2, "us_ssn", VEIL_FMT_TEXT, t, 11, back, sizeof(back), NULL),
             VEIL_ETOKEN_RETIRED);
    CHECK_EQ(veil_token_fpe_make(ring, 0, "us_ssn", VEIL_FMT_TEXT, "666-22-8901", 11, t, sizeof(t)),
             VEIL_ETOKEN_FORMAT);

    const char *ph = "+1 (415) 555-2671";
    n = veil_token_fpe_make(ring, 0, "phone", VEIL_FMT_TEXT, ph, strlen(ph), t, sizeof(t));
    CHECK_EQ(n, (long)strlen(ph));
    t[n] = '\0';
    /* 11 digits: the first four kept, the last seven encrypted. */
    CHECK(memcmp(t, "+1 (415) ", 9) == 0 && t[12] == '-' && strcmp(t, ph) != 0);
    CHECK_EQ(veil_token_fpe_open(ring, 0, "phone", VEIL_FMT_TEXT, t, (size_t)n, back, sizeof(back),
                                 NULL),
             (long)strlen(ph));
    CHECK(memcmp(back, ph, strlen(ph)) == 0);
    CHECK_EQ(veil_token_fpe_make(ring, 0, "phone", VEIL_FMT_TEXT, "555-267", 7, t, sizeof(t)),
             VEIL_ETOKEN_DOMAIN);
    CHECK_EQ(veil_token_fpe_make(ring, 0, "ipv4", VEIL_FMT_TEXT, "1.2.3.4", 7, t, sizeof(t)),
             -EINVAL);
}

/* ---- the transform ---------------------------------------------------------- */

static const veil_detector_info_t *info(const char *id)
{
    return veil_catalog_get((size_t)veil_catalog_find(id));
}

static long xform(const veil_tokens_t *t, veil_token_stats_t *st, veil_token_op_t op,
                  const char *id, unsigned flags, const char *raw, char *out)
{
    long n =
        veil_tokens_transform(t, st, op, VEIL_FMT_JSON, info(id), (uint16_t)veil_catalog_find(id),
                              flags, raw, strlen(raw), out, VEIL_TOKEN_OUT_CAP(strlen(raw)));
    if (n >= 0) {
        out[n] = '\0';
    }
    return n;
}

TEST(transform_places_and_idempotence)
{
    uint8_t formats[64] = {0};
    veil_tokens_t t = {ring, 0, formats, 64, -1, NULL, NULL};
    static veil_token_stats_t st;
    char a[512], b[512];
    formats[veil_catalog_find("credit_card")] = VEIL_TOKEN_FPE;
    formats[veil_catalog_find("email")] = VEIL_TOKEN_FPE;

    /* A card in free text: tagged (a Luhn-invalid number there could be
       anything); the same card as a field's value: FPE. */
    CHECK(xform(&t, &st, VEIL_TOKEN_OP_TOKENIZE, "credit_card", 0, "4111111111111111", a) > 0);
    CHECK(strncmp(a, "tok-k1-credit_card-", 19) == 0);
    CHECK_EQ(xform(&t, &st, VEIL_TOKEN_OP_TOKENIZE, "credit_card", VEIL_FIND_FIELD,
                   "4111111111111111", b),
             16);
    CHECK(b[0] == '4' && strcmp(b + 12, "1111") == 0 && luhn(b) == 1);
    /* A bare JSON number: FPE keeps it a number; a tagged token is quoted. */
    CHECK_EQ(xform(&t, &st, VEIL_TOKEN_OP_TOKENIZE, "credit_card",
                   VEIL_FIND_FIELD | VEIL_FIND_JSON_BARE, "4111111111111111", b),
             16);
    CHECK(xform(&t, &st, VEIL_TOKEN_OP_TOKENIZE, "us_ssn", VEIL_FIND_JSON_BARE, "536228901", a) >
          0);
    CHECK(a[0] == '"' && a[strlen(a) - 1] == '"');
    /* E-mail FPE anywhere. */
    CHECK(xform(&t, &st, VEIL_TOKEN_OP_TOKENIZE, "email", 0, "jane.doe@example.com", a) > 0);
    CHECK(strstr(a, "+vt1@example.com") != NULL);
    /* Tokenizing a token changes nothing, and is counted as kept. */
    uint64_t kept = st.kept;
    CHECK(xform(&t, &st, VEIL_TOKEN_OP_TOKENIZE, "email", 0, a, b) > 0);
    CHECK_STR(b, a);
    CHECK(xform(&t, &st, VEIL_TOKEN_OP_TOKENIZE, "phone", 0, "+1 415 555 2671", a) > 0);
    CHECK(xform(&t, &st, VEIL_TOKEN_OP_TOKENIZE, "phone", 0, a, b) > 0);
    CHECK_STR(b, a);
    CHECK_EQ(st.kept, kept + 2);
    /* A token-looking value that does not authenticate is tokenized. */
    const char *fake = "tok-k1-email-aaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    CHECK(xform(&t, &st, VEIL_TOKEN_OP_TOKENIZE, "email", 0, fake, a) > 0);
    CHECK(strcmp(a, fake) != 0);
    /* Line breaks of a multi-line value follow its token. */
    CHECK(xform(&t, &st, VEIL_TOKEN_OP_TOKENIZE, "private_key", 0, "-----BEGIN X-----\nAB\r\nCD\n",
                a) > 0);
    CHECK(strlen(a) > 3 && strcmp(a + strlen(a) - 3, "\n\n\n") == 0);
    /* Counters: by type, key slot and kind. */
    CHECK_EQ(st.issued[veil_token_stat_type("credit_card")][1][VEIL_TOKEN_KIND_FPE], 2);
    CHECK_EQ(st.issued[veil_token_stat_type("credit_card")][1][VEIL_TOKEN_KIND_TAGGED], 1);
    /* Detokenize: an FPE card at its place; elsewhere bytes unchanged;
       a valid card (no token) unchanged. */
    char card[32];
    CHECK_EQ(xform(&t, &st, VEIL_TOKEN_OP_TOKENIZE, "credit_card", VEIL_FIND_FIELD,
                   "4111 1111 1111 1111", card),
             19);
    CHECK_EQ(xform(&t, &st, VEIL_TOKEN_OP_DETOKENIZE, "credit_card", VEIL_FIND_FIELD, card, a), 19);
    CHECK_STR(a, "4111 1111 1111 1111");
    CHECK_EQ(xform(&t, &st, VEIL_TOKEN_OP_DETOKENIZE, "credit_card", 0, card, a), 19);
    CHECK_STR(a, card);
    CHECK_EQ(xform(&t, &st, VEIL_TOKEN_OP_DETOKENIZE, "credit_card", VEIL_FIND_FIELD,
                   "4111 1111 1111 1111", a),
             19);
    CHECK_STR(a, "4111 1111 1111 1111");
    CHECK_EQ(st.reversed[veil_token_stat_type("credit_card")][1][VEIL_TOKEN_RESTORED], 1);
}

/* ---- the stream ------------------------------------------------------------ */

typedef struct {
    char buf[8192];
    size_t len;
} sink_t;

static int sink(void *ud, const char *p, size_t n)
{
    sink_t *s = ud;
    if (s->len + n > sizeof(s->buf)) {
        return -1;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    return 0;
}

static void run_stream(const veil_tokens_t *t, veil_token_op_t op, const char *in, size_t step,
                       sink_t *out, veil_token_stats_t *st)
{
    size_t len = strlen(in);
    veil_token_stream_t *s = veil_token_stream_new(t, op, st, sink, out);
    out->len = 0;
    CHECK(s != NULL);
    for (size_t off = 0; off < len; off += step) {
        CHECK_EQ(veil_token_stream_feed(s, in + off, len - off < step ? len - off : step), 0);
    }
    CHECK_EQ(veil_token_stream_finish(s), 0);
    veil_token_stream_free(s);
    out->buf[out->len] = '\0';
}

TEST(stream_restores_in_any_chunking)
{
    veil_tokens_t t = {ring, 0, NULL, 0, -1, NULL, NULL};
    char text[4096], tk1[200], tk2[200], tk3[300], want[4096];
    long n1 = veil_token_tagged_make(ring, 0, "email", 0, "jane@example.com", 16, tk1, sizeof(tk1));
    long n2 = veil_token_tagged_make(ring, 1, "us_ssn", 1, "536228901", 9, tk2, sizeof(tk2));
    long n3 = veil_token_tagged_make(ring, 0, "private_key", 0,
                                     "-----BEGIN-----\nAB\n-----END-----", 32, tk3, sizeof(tk3));
    tk1[n1] = tk2[n2] = tk3[n3] = '\0';
    /* A token in text, after an escape, a bare JSON value's quoted token,
       a multi-line value's token with its line breaks, a forged one. */
    snprintf(text, sizeof(text),
             "mail %s, %%28%s%%29 {\"ssn\":\"%s\"}\nkey %s\n\n\nend tok-k1-email-%s x\n", tk1, tk1,
             tk2, tk3, "aaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    snprintf(want, sizeof(want),
             "mail jane@example.com, %%28jane@example.com%%29 {\"ssn\":536228901}\n"
             "key -----BEGIN-----\nAB\n-----END-----\nend tok-k1-email-%s x\n",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    for (size_t step = 1; step <= strlen(text); step += step < 8 ? 1 : 37) {
        static veil_token_stats_t st;
        sink_t out;
        memset(&st, 0, sizeof(st));
        run_stream(&t, VEIL_TOKEN_OP_DETOKENIZE, text, step, &out, &st);
        CHECK_STR(out.buf, want);
        CHECK_EQ(st.reversed[veil_token_stat_type("email")][1][VEIL_TOKEN_RESTORED], 2);
        CHECK_EQ(st.reversed[veil_token_stat_type("us_ssn")][2][VEIL_TOKEN_RESTORED], 1);
        CHECK_EQ(st.reversed[veil_token_stat_type("email")][1][VEIL_TOKEN_FORGED], 1);
    }
}

typedef struct {
    size_t len, held_max;
    int same;
    const char *want;
} count_sink_t;

static int count_sink(void *ud, const char *p, size_t n)
{
    count_sink_t *c = ud;
    c->same &= memcmp(c->want + c->len, p, n) == 0;
    c->len += n;
    return 0;
}

/* A word longer than any token passes byte for byte, and is not held
   whole: what the stream holds stays bounded. */
TEST(stream_long_words)
{
    veil_tokens_t t = {ring, 0, NULL, 0, -1, NULL, NULL};
    size_t n = 3 * VEIL_TOKEN_MAX_LEN;
    char *text = malloc(n + 1);
    memset(text, 'a', n);
    memcpy(text, "tok-k1-email-", 13);
    text[n] = '\0';
    count_sink_t c = {0, 0, 1, text};
    veil_token_stream_t *s =
        veil_token_stream_new(&t, VEIL_TOKEN_OP_DETOKENIZE, NULL, count_sink, &c);
    for (size_t off = 0; off < n; off += 1000) {
        CHECK_EQ(veil_token_stream_feed(s, text + off, n - off < 1000 ? n - off : 1000), 0);
        /* Held: at most the longest token and one chunk. */
        CHECK(off + 1000 - c.len <= VEIL_TOKEN_MAX_LEN + 1000 + 1 || off + 1000 > n);
    }
    CHECK_EQ(veil_token_stream_finish(s), 0);
    CHECK_EQ(c.len, n);
    CHECK_EQ(c.same, 1);
    veil_token_stream_free(s);
    free(text);
}

/* A token ends at the end of its word or at a '-': a slug that glues
   "-abcdef" to it (an id after a value in a URL) still holds the token,
   and so does a slug of two tokens; '_' and a digit base32 has not
   continue the word, so a token followed by them is none. The same in
   any chunking, and after a word longer than any token. */
TEST(stream_token_before_a_dash)
{
    veil_tokens_t t = {ring, 0, NULL, 0, -1, NULL, NULL};
    char text[2048], tk1[200], tk2[200], want[2048];
    long n1 = veil_token_tagged_make(ring, 0, "email", 0, "jane@example.com", 16, tk1, sizeof(tk1));
    long n2 = veil_token_tagged_make(ring, 1, "email", 0, "joe@example.org", 15, tk2, sizeof(tk2));
    static char longer[3 * VEIL_TOKEN_MAX_LEN + 4096];
    static char longer_want[3 * VEIL_TOKEN_MAX_LEN + 4096];
    size_t pad = 2 * VEIL_TOKEN_MAX_LEN;

    tk1[n1] = tk2[n2] = '\0';
    snprintf(text, sizeof(text),
             "/orders/%s-abcdef /x/%s-%s-9f2c %s- end-%s-%s-0 %s_x %s8 "
             "tok-k1-email-%s-abcdef\n",
             tk1, tk1, tk2, tk2, tk1, tk2, tk1, tk1, "aaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    snprintf(want, sizeof(want),
             "/orders/jane@example.com-abcdef /x/jane@example.com-joe@example.org-9f2c "
             "joe@example.org- end-jane@example.com-joe@example.org-0 %s_x %s8 "
             "tok-k1-email-%s-abcdef\n",
             tk1, tk1, "aaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    for (size_t step = 1; step <= strlen(text); step += step < 8 ? 1 : 31) {
        static veil_token_stats_t st;
        sink_t out;

        memset(&st, 0, sizeof(st));
        run_stream(&t, VEIL_TOKEN_OP_DETOKENIZE, text, step, &out, &st);
        CHECK_STR(out.buf, want);
        CHECK_EQ(st.reversed[veil_token_stat_type("email")][1][VEIL_TOKEN_RESTORED], 3);
        CHECK_EQ(st.reversed[veil_token_stat_type("email")][2][VEIL_TOKEN_RESTORED], 3);
        CHECK_EQ(st.reversed[veil_token_stat_type("email")][1][VEIL_TOKEN_FORGED], 1);
    }
    /* A token glued to the end of a long word and followed by '-'. */
    memset(longer, 'a', pad);
    memset(longer_want, 'a', pad);
    snprintf(longer + pad, sizeof(longer) - pad, "%s-%s\n", tk1, "abcdef");
    snprintf(longer_want + pad, sizeof(longer_want) - pad, "jane@example.com-abcdef\n");
    for (size_t step = 1; step <= 1001; step += 100) {
        count_sink_t c = {0, 0, 1, longer_want};
        size_t n = strlen(longer);
        veil_token_stream_t *s =
            veil_token_stream_new(&t, VEIL_TOKEN_OP_DETOKENIZE, NULL, count_sink, &c);

        for (size_t off = 0; off < n; off += step) {
            CHECK_EQ(veil_token_stream_feed(s, longer + off, n - off < step ? n - off : step), 0);
        }
        CHECK_EQ(veil_token_stream_finish(s), 0);
        CHECK_EQ(c.len, strlen(longer_want));
        CHECK_EQ(c.same, 1);
        veil_token_stream_free(s);
    }
    /* Rewrapped the same way: k2's token before a '-' is made again. */
    {
        veil_tokens_t rw = {ring, 0, NULL, 0, 1, NULL, NULL};
        char tk3[200];
        sink_t out;
        long n3 =
            veil_token_tagged_make(ring, 0, "email", 0, "joe@example.org", 15, tk3, sizeof(tk3));

        tk3[n3] = '\0';
        snprintf(text, sizeof(text), "/x/%s-abcdef\n", tk2);
        snprintf(want, sizeof(want), "/x/%s-abcdef\n", tk3);
        run_stream(&rw, VEIL_TOKEN_OP_REWRAP, text, 3, &out, NULL);
        CHECK_STR(out.buf, want);
    }
}

TEST(stream_rewrap)
{
    veil_tokens_t t = {ring, 0, NULL, 0, 1, NULL, NULL}; /* from k2 to k1 */
    char text[512], tk1[200], tk2[200];
    sink_t out;
    long n1 = veil_token_tagged_make(ring, 0, "email", 0, "a@b.co", 6, tk1, sizeof(tk1));
    long n2 = veil_token_tagged_make(ring, 1, "email", 0, "a@b.co", 6, tk2, sizeof(tk2));
    tk1[n1] = tk2[n2] = '\0';
    snprintf(text, sizeof(text), "%s %s\n", tk2, tk1);
    run_stream(&t, VEIL_TOKEN_OP_REWRAP, text, 5, &out, NULL);
    /* k2's token is made again under k1; k1's stays. */
    snprintf(text, sizeof(text), "%s %s\n", tk1, tk1);
    CHECK_STR(out.buf, text);
}

/* A caller that may see e-mail addresses only: every other type's token
   stays as it is, unopened, and is counted as not_allowed under the key
   its id (tagged) or its slot (FPE) names. */
static int email_only(void *ud, const char *type, size_t len)
{
    (void)ud;
    return len == 5 && memcmp(type, "email", 5) == 0;
}

TEST(type_filter)
{
    uint8_t formats[64] = {0};
    veil_tokens_t t = {ring, 0, formats, 64, -1, email_only, NULL};
    static veil_token_stats_t st;
    char text[1024], tk1[200], tk2[200], want[1024], card[32], a[128];
    sink_t out;
    long n1 = veil_token_tagged_make(ring, 0, "email", 0, "jane@example.com", 16, tk1, sizeof(tk1));
    long n2 = veil_token_tagged_make(ring, 1, "us_ssn", 0, "536-22-8901", 11, tk2, sizeof(tk2));

    tk1[n1] = tk2[n2] = '\0';
    snprintf(text, sizeof(text), "to %s ssn %s ghost tok-zz-us_ssn-%s\n", tk1, tk2,
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    snprintf(want, sizeof(want), "to jane@example.com ssn %s ghost tok-zz-us_ssn-%s\n", tk2,
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    for (size_t step = 1; step <= strlen(text); step += step < 4 ? 1 : 29) {
        memset(&st, 0, sizeof(st));
        run_stream(&t, VEIL_TOKEN_OP_DETOKENIZE, text, step, &out, &st);
        CHECK_STR(out.buf, want);
        CHECK_EQ(st.reversed[veil_token_stat_type("email")][1][VEIL_TOKEN_RESTORED], 1);
        CHECK_EQ(st.reversed[veil_token_stat_type("us_ssn")][2][VEIL_TOKEN_NOT_ALLOWED], 1);
        /* No key of that id: slot 0. */
        CHECK_EQ(st.reversed[veil_token_stat_type("us_ssn")][0][VEIL_TOKEN_NOT_ALLOWED], 1);
    }
    /* FPE: a card token in its field stays; an e-mail token opens. */
    formats[veil_catalog_find("credit_card")] = VEIL_TOKEN_FPE;
    formats[veil_catalog_find("email")] = VEIL_TOKEN_FPE;
    memset(&st, 0, sizeof(st));
    CHECK_EQ(xform(&t, &st, VEIL_TOKEN_OP_TOKENIZE, "credit_card", VEIL_FIND_FIELD,
                   "4111 1111 1111 1111", card),
             19);
    CHECK_EQ(xform(&t, &st, VEIL_TOKEN_OP_DETOKENIZE, "credit_card", VEIL_FIND_FIELD, card, a), 19);
    CHECK_STR(a, card);
    CHECK_EQ(st.reversed[veil_token_stat_type("credit_card")][1][VEIL_TOKEN_NOT_ALLOWED], 1);
    CHECK_EQ(st.reversed[veil_token_stat_type("credit_card")][1][VEIL_TOKEN_RESTORED], 0);
    CHECK(xform(&t, &st, VEIL_TOKEN_OP_TOKENIZE, "email", 0, "jane.doe@example.com", card) > 0);
    CHECK(xform(&t, &st, VEIL_TOKEN_OP_DETOKENIZE, "email", 0, card, a) > 0);
    CHECK_STR(a, "jane.doe@example.com");
    /* Values that are no tokens are no business of the filter. */
    CHECK_EQ(xform(&t, &st, VEIL_TOKEN_OP_DETOKENIZE, "credit_card", VEIL_FIND_FIELD,
                   "4111 1111 1111 1111", a),
             19);
    CHECK_EQ(st.reversed[veil_token_stat_type("credit_card")][1][VEIL_TOKEN_NOT_ALLOWED], 1);
    CHECK_STR(veil_token_outcome_name(VEIL_TOKEN_NOT_ALLOWED), "not_allowed");
}

/* ---- key files ---------------------------------------------------------------- */

TEST(key_files)
{
    char path[] = "/tmp/veil-test-key-XXXXXX", err[256];
    veil_hash_key_t k;
    unsigned char bytes[33] = {1, 2, 3};
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, bytes, 32), 32);
    close(fd);
    CHECK_EQ(chmod(path, 0644), 0);
    CHECK_EQ(veil_token_key_load(&k, path, err, sizeof(err)), -EPERM);
    CHECK(strstr(err, "group or others") != NULL);
    CHECK_EQ(chmod(path, 0620), 0);
    CHECK_EQ(veil_token_key_load(&k, path, err, sizeof(err)), -EPERM);
    CHECK_EQ(chmod(path, 0400), 0);
    CHECK_EQ(veil_token_key_load(&k, path, err, sizeof(err)), 0);
    CHECK_EQ(k.len, 32);
    CHECK(k.bytes[0] == 1 && k.bytes[2] == 3);
    CHECK_EQ(chmod(path, 0600), 0);
    fd = open(path, O_WRONLY | O_APPEND);
    CHECK_EQ(write(fd, bytes, 1), 1);
    close(fd);
    CHECK_EQ(veil_token_key_load(&k, path, err, sizeof(err)), -EINVAL);
    CHECK(strstr(err, "exactly 32") != NULL);
    unlink(path);
    CHECK(veil_token_key_load(&k, path, err, sizeof(err)) < 0);
    CHECK_EQ(veil_token_key_id_valid("k_2024"), 1);
    CHECK_EQ(veil_token_key_id_valid("k-2024"), 0);
    CHECK_EQ(veil_token_key_id_valid(""), 0);
    CHECK_EQ(veil_key_state_parse("decrypt_only"), VEIL_KEY_DECRYPT_ONLY);
    CHECK_EQ(veil_key_state_parse("revoked"), -1);
}

TEST(ring_rules)
{
    veil_hash_key_t a = {0}, b = {0};
    const veil_hash_key_t *kp[2] = {&a, &b};
    char err[128];
    a.id = "a";
    a.slot = 1;
    a.len = 32;
    b = a;
    b.id = "b";
    CHECK(veil_token_ring_new(kp, 2, err, sizeof(err)) == NULL);
    CHECK(strstr(err, "slot 1 is taken") != NULL);
    b.slot = 2;
    b.len = 16;
    CHECK(veil_token_ring_new(kp, 2, err, sizeof(err)) == NULL);
    b.state = VEIL_KEY_RETIRED; /* a retired slot needs no bytes */
    veil_token_ring_t *r = veil_token_ring_new(kp, 2, err, sizeof(err));
    CHECK(r != NULL);
    CHECK_EQ(veil_token_ring_active(r), 0);
    CHECK_EQ(veil_token_ring_find(r, "b", 1), 1);
    CHECK_EQ(veil_token_ring_state(r, 1), VEIL_KEY_RETIRED);
    veil_token_ring_free(r);
}

int main(void)
{
    ring = make_ring(1);
    other = make_ring(101);
    RUN(tagged_round_trip_and_grammar);
    RUN(tagged_grammar_refusals);
    RUN(tagged_refusals);
    RUN(card_luhn_adjust_digit);
    RUN(card_token_slot_names_its_key);
    RUN(iban_check_digit_rule);
    RUN(email_fpe);
    RUN(ssn_and_phone_fpe);
    RUN(transform_places_and_idempotence);
    RUN(stream_restores_in_any_chunking);
    RUN(stream_long_words);
    RUN(stream_token_before_a_dash);
    RUN(stream_rewrap);
    RUN(type_filter);
    RUN(key_files);
    RUN(ring_rules);
    veil_token_ring_free(ring);
    veil_token_ring_free(other);
    TEST_MAIN_END;
}
