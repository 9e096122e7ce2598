/*
 * Sensitive field names. A value under one of these keys is redacted
 * whatever it looks like: a password is a secret even when it is "123456".
 *
 * Credentials (password, token, api_key, Passwort, ...) are judged by the
 * words of the key (veil_name_is_credential(), cred_names.c), the same
 * judge the access log uses for header names. The tables below hold the
 * other classes, and secrets that are no credential word (pin, cvv, otp,
 * account numbers); they are compared after folding case and dropping
 * separators, so card_number, cardNumber, card-number and CARD_NUMBER are
 * one key.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "engine.h"
#include "wordlist.h"

static inline int isdig(int c)
{
    return (unsigned)(c - '0') < 10;
}
static inline int isup(int c)
{
    return (unsigned)(c - 'A') < 26;
}
static inline int islo(int c)
{
    return (unsigned)(c - 'a') < 26;
}

/* 0-35 for [0-9a-zA-Z] (case folded), 255 for what keys drop. */
static uint8_t fold[256];

typedef struct {
    const char *key;
    int detector;
} key_rule_t;

/* Exact keys. */
/* clang-format off */
static const key_rule_t exact[] = {
    {"pin", VEIL_D_SECRET_FIELD},
    {"cvv", VEIL_D_SECRET_FIELD}, {"cvc", VEIL_D_SECRET_FIELD},
    {"cvv2", VEIL_D_SECRET_FIELD}, {"securitycode", VEIL_D_SECRET_FIELD},
    {"otp", VEIL_D_SECRET_FIELD}, {"totp", VEIL_D_SECRET_FIELD}, {"hotp", VEIL_D_SECRET_FIELD},
    {"accountnumber", VEIL_D_SECRET_FIELD}, {"bankaccount", VEIL_D_SECRET_FIELD},
    {"bankaccountnumber", VEIL_D_SECRET_FIELD}, {"acctnumber", VEIL_D_SECRET_FIELD},
    {"accountno", VEIL_D_SECRET_FIELD},
    {"cardnumber", VEIL_D_CREDIT_CARD}, {"ccnumber", VEIL_D_CREDIT_CARD},
    {"creditcard", VEIL_D_CREDIT_CARD}, {"creditcardnumber", VEIL_D_CREDIT_CARD},
    {"cardno", VEIL_D_CREDIT_CARD}, {"pan", VEIL_D_CREDIT_CARD},
    {"ccnum", VEIL_D_CREDIT_CARD},
    {"ssn", VEIL_D_US_SSN}, {"socialsecuritynumber", VEIL_D_US_SSN},
    {"iban", VEIL_D_IBAN},
    {"email", VEIL_D_EMAIL}, {"emailaddress", VEIL_D_EMAIL}, {"mail", VEIL_D_EMAIL},
    {"phone", VEIL_D_PHONE}, {"phonenumber", VEIL_D_PHONE}, {"mobile", VEIL_D_PHONE},
    {"mobilenumber", VEIL_D_PHONE}, {"telephone", VEIL_D_PHONE}, {"tel", VEIL_D_PHONE},
    {"cell", VEIL_D_PHONE}, {"cellphone", VEIL_D_PHONE}, {"fax", VEIL_D_PHONE},
    {"msisdn", VEIL_D_PHONE},
    /* The words localised forms use (de telefon, handy; es teléfono,
       móvil; it telefono, cellulare; pt telefone, celular; fr
       téléphone, portable is ambiguous: left out), accents dropped. */
    {"telefon", VEIL_D_PHONE}, {"telefonnummer", VEIL_D_PHONE}, {"handy", VEIL_D_PHONE},
    {"handynummer", VEIL_D_PHONE}, {"mobil", VEIL_D_PHONE}, {"mobilnummer", VEIL_D_PHONE},
    {"telefono", VEIL_D_PHONE}, {"telfono", VEIL_D_PHONE}, {"movil", VEIL_D_PHONE},
    {"mvil", VEIL_D_PHONE}, {"cellulare", VEIL_D_PHONE}, {"telefone", VEIL_D_PHONE},
    {"celular", VEIL_D_PHONE}, {"tlphone", VEIL_D_PHONE},
    {"dob", VEIL_D_DATE_OF_BIRTH}, {"dateofbirth", VEIL_D_DATE_OF_BIRTH},
    {"birthdate", VEIL_D_DATE_OF_BIRTH}, {"birthday", VEIL_D_DATE_OF_BIRTH},
    {"name", VEIL_D_PERSON_NAME}, {"firstname", VEIL_D_PERSON_NAME},
    {"lastname", VEIL_D_PERSON_NAME}, {"fullname", VEIL_D_PERSON_NAME},
    {"surname", VEIL_D_PERSON_NAME}, {"givenname", VEIL_D_PERSON_NAME},
    {"familyname", VEIL_D_PERSON_NAME}, {"middlename", VEIL_D_PERSON_NAME},
    {"maidenname", VEIL_D_PERSON_NAME}, {"cardholder", VEIL_D_PERSON_NAME},
    {"cardholdername", VEIL_D_PERSON_NAME}, {"holdername", VEIL_D_PERSON_NAME},
    {"accountholder", VEIL_D_PERSON_NAME}, {"accountholdername", VEIL_D_PERSON_NAME},
    {"nombre", VEIL_D_PERSON_NAME}, {"apellido", VEIL_D_PERSON_NAME},
    {"vorname", VEIL_D_PERSON_NAME}, {"nachname", VEIL_D_PERSON_NAME},
    {"nom", VEIL_D_PERSON_NAME}, {"prenom", VEIL_D_PERSON_NAME},
    {"cognome", VEIL_D_PERSON_NAME}, {"fname", VEIL_D_PERSON_NAME},
    {"lname", VEIL_D_PERSON_NAME}, {"nameoncard", VEIL_D_PERSON_NAME},
    {"holder", VEIL_D_PERSON_NAME}, {"ccname", VEIL_D_PERSON_NAME},
    {"cardname", VEIL_D_PERSON_NAME}, {"prnom", VEIL_D_PERSON_NAME}, /* Prénom */
    {"voornaam", VEIL_D_PERSON_NAME}, {"achternaam", VEIL_D_PERSON_NAME},
    {"sobrenome", VEIL_D_PERSON_NAME}, {"apellidos", VEIL_D_PERSON_NAME},
    {"titular", VEIL_D_PERSON_NAME}, {"intestatario", VEIL_D_PERSON_NAME},
    {"kontoinhaber", VEIL_D_PERSON_NAME}, {"inhaber", VEIL_D_PERSON_NAME},
    {"nationalid", VEIL_D_NATIONAL_ID}, {"taxid", VEIL_D_NATIONAL_ID},
    {"idnumber", VEIL_D_NATIONAL_ID}, {"passportnumber", VEIL_D_NATIONAL_ID},
    {"passportno", VEIL_D_NATIONAL_ID}, {"passport", VEIL_D_NATIONAL_ID},
    {"documentnumber", VEIL_D_NATIONAL_ID}, {"driverslicense", VEIL_D_NATIONAL_ID},
    {"driverlicense", VEIL_D_NATIONAL_ID}, {"licensenumber", VEIL_D_NATIONAL_ID},
    {"nationalidnumber", VEIL_D_NATIONAL_ID}, {"personalnumber", VEIL_D_NATIONAL_ID},
    {"socialinsurancenumber", VEIL_D_NATIONAL_ID}, {"nhsnumber", VEIL_D_NATIONAL_ID},
    {"bsn", VEIL_D_NATIONAL_ID}, {"cpf", VEIL_D_NATIONAL_ID}, {"aadhaar", VEIL_D_NATIONAL_ID},
    {"nino", VEIL_D_NATIONAL_ID}, {"dni", VEIL_D_NATIONAL_ID}, {"nie", VEIL_D_NATIONAL_ID},
    {"codicefiscale", VEIL_D_NATIONAL_ID}, {"fiscalcode", VEIL_D_NATIONAL_ID},
    /* Street addresses: the value is judged whole (veil__address_like()),
       since "address" names IP and e-mail addresses as well. */
    {"address", VEIL_D_ADDRESS}, {"streetaddress", VEIL_D_ADDRESS},
    {"street", VEIL_D_ADDRESS}, {"streetname", VEIL_D_ADDRESS},
    {"street1", VEIL_D_ADDRESS}, {"street2", VEIL_D_ADDRESS},
    {"streetline1", VEIL_D_ADDRESS}, {"address1", VEIL_D_ADDRESS},
    {"address2", VEIL_D_ADDRESS}, {"addressline", VEIL_D_ADDRESS},
    {"addressline1", VEIL_D_ADDRESS}, {"addressline2", VEIL_D_ADDRESS},
    {"line1", VEIL_D_ADDRESS}, {"line2", VEIL_D_ADDRESS},
    {"strasse", VEIL_D_ADDRESS}, {"strae", VEIL_D_ADDRESS}, {"anschrift", VEIL_D_ADDRESS},
    {"adresse", VEIL_D_ADDRESS}, {"direccion", VEIL_D_ADDRESS}, {"domicilio", VEIL_D_ADDRESS},
    {"indirizzo", VEIL_D_ADDRESS}, {"adres", VEIL_D_ADDRESS}, {"straat", VEIL_D_ADDRESS},
    {"endereco", VEIL_D_ADDRESS}, {"morada", VEIL_D_ADDRESS}, {"calle", VEIL_D_ADDRESS},
    {"rue", VEIL_D_ADDRESS},
};
/* clang-format on */

/* Keys ending in one of these: billing_email, homePhone, savingsAccountNumber. */
/* clang-format off */
static const key_rule_t suffixes[] = {
    {"accountnumber", VEIL_D_SECRET_FIELD},
    {"displayname", VEIL_D_PERSON_NAME}, {"holdername", VEIL_D_PERSON_NAME},
    {"beneficiaryname", VEIL_D_PERSON_NAME}, {"customername", VEIL_D_PERSON_NAME},
    {"contactname", VEIL_D_PERSON_NAME}, {"recipientname", VEIL_D_PERSON_NAME},
    {"patientname", VEIL_D_PERSON_NAME}, {"employeename", VEIL_D_PERSON_NAME},
    {"nationalid", VEIL_D_NATIONAL_ID}, {"taxid", VEIL_D_NATIONAL_ID},
    {"idnumber", VEIL_D_NATIONAL_ID}, {"passportnumber", VEIL_D_NATIONAL_ID},
    {"cardnumber", VEIL_D_CREDIT_CARD}, {"ccnumber", VEIL_D_CREDIT_CARD},
    {"ssn", VEIL_D_US_SSN}, {"iban", VEIL_D_IBAN},
    {"email", VEIL_D_EMAIL}, {"emailaddress", VEIL_D_EMAIL},
    {"phone", VEIL_D_PHONE}, {"phonenumber", VEIL_D_PHONE},
    {"mobilenumber", VEIL_D_PHONE},
    {"dateofbirth", VEIL_D_DATE_OF_BIRTH}, {"birthdate", VEIL_D_DATE_OF_BIRTH},
    {"firstname", VEIL_D_PERSON_NAME}, {"lastname", VEIL_D_PERSON_NAME},
    {"fullname", VEIL_D_PERSON_NAME}, {"surname", VEIL_D_PERSON_NAME},
    {"givenname", VEIL_D_PERSON_NAME}, {"familyname", VEIL_D_PERSON_NAME},
    {"streetaddress", VEIL_D_ADDRESS}, {"billingaddress", VEIL_D_ADDRESS},
    {"shippingaddress", VEIL_D_ADDRESS}, {"homeaddress", VEIL_D_ADDRESS},
    {"mailingaddress", VEIL_D_ADDRESS}, {"postaladdress", VEIL_D_ADDRESS},
    {"deliveryaddress", VEIL_D_ADDRESS}, {"addressline1", VEIL_D_ADDRESS},
    {"addressline2", VEIL_D_ADDRESS},
};
/* clang-format on */

/*
 * Lookup tables, built once: the exact keys and the suffixes hashed into
 * small open-addressing tables, and the distinct suffix lengths. A key is
 * classified with one hash for the exact table and one per suffix length,
 * instead of a string compare per rule: keys are classified at every
 * "key": and key= in the traffic, so this is on the hot path.
 */
#define SLOTS 512

typedef struct {
    uint32_t hash[SLOTS];
    int16_t rule[SLOTS]; /* index + 1, 0 = empty */
} table_t;

static table_t exact_table, suffix_table;
/* By the last three characters of a key: which rules could apply (bit 0:
   an exact key; bit L: a suffix of length L). Most keys in traffic
   ("created_at", "id") are ruled out by them, and the rest look up only
   the suffix lengths that end that way. */
static uint8_t tail_slot[36 * 36 * 36];
static uint32_t tail_rules[128];
static size_t ntail_rules = 1;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static uint32_t fnv1a(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t k = 0; k < n; k++) {
        h = (h ^ (unsigned char)s[k]) * 16777619u;
    }
    return h;
}

static void table_put(table_t *t, const char *key, int rule)
{
    uint32_t h = fnv1a(key, strlen(key));
    size_t slot = h % SLOTS;
    while (t->rule[slot] != 0) {
        slot = (slot + 1) % SLOTS;
    }
    t->hash[slot] = h;
    t->rule[slot] = (int16_t)(rule + 1);
}

static int table_get(const table_t *t, const key_rule_t *rules, const char *s, size_t n)
{
    uint32_t h = fnv1a(s, n);
    for (size_t slot = h % SLOTS; t->rule[slot] != 0; slot = (slot + 1) % SLOTS) {
        const key_rule_t *r = &rules[t->rule[slot] - 1];
        if (t->hash[slot] == h && strlen(r->key) == n && memcmp(r->key, s, n) == 0) {
            return r->detector;
        }
    }
    return -1;
}

static inline int char_index(int c)
{
    return fold[(unsigned char)c];
}

static inline size_t tail_bit(const char *end)
{
    return (size_t)((char_index((unsigned char)end[-3]) * 36 + char_index((unsigned char)end[-2])) *
                        36 +
                    char_index((unsigned char)end[-1]));
}

static void mark_tail(const char *key, uint32_t rule)
{
    size_t len = strlen(key);
    if (len >= 3) {
        size_t bit = tail_bit(key + len);
        if (tail_slot[bit] == 0 && ntail_rules < sizeof(tail_rules) / sizeof(tail_rules[0])) {
            tail_slot[bit] = (uint8_t)ntail_rules++;
        }
        tail_rules[tail_slot[bit]] |= rule;
    }
}

static void kc_keep_build(void);
static void things_build(void);

static void build_tables(void)
{
    kc_keep_build();
    things_build();
    for (int c = 0; c < 256; c++) {
        fold[c] = isdig(c)  ? (uint8_t)(c - '0')
                  : islo(c) ? (uint8_t)(10 + c - 'a')
                  : isup(c) ? (uint8_t)(10 + c - 'A')
                            : 255;
    }
    for (size_t k = 0; k < sizeof(exact) / sizeof(exact[0]); k++) {
        table_put(&exact_table, exact[k].key, (int)k);
        mark_tail(exact[k].key, 1);
    }
    for (size_t k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++) {
        size_t len = strlen(suffixes[k].key);
        table_put(&suffix_table, suffixes[k].key, (int)k);
        mark_tail(suffixes[k].key, len < 32 ? 1u << len : 0);
    }
}

void veil__keys_init(void)
{
    pthread_once(&tables_once, build_tables);
    veil__cred_names_init();
}

/* The key's class once its tail says it may have one: normalised (lower
   case, letters and digits only) and looked up whole, then by suffix. Kept
   apart from veil__key_class() so the common case (a tail no sensitive key
   has) runs without this frame (its buffer and stack guard). */
static __attribute__((noinline)) int key_lookup(const char *key, size_t len, uint32_t rules)
{
    char norm[48];
    size_t n = 0;
    int d;

    for (size_t k = 0; k < len; k++) {
        int c = (unsigned char)key[k];
        if (isup(c)) {
            c |= 0x20;
        } else if (!islo(c) && !isdig(c)) {
            continue;
        }
        if (n == sizeof(norm)) {
            return -1;
        }
        norm[n++] = (char)c;
    }
    if (n == 0) {
        return -1;
    }
    if ((rules & 1) && (d = table_get(&exact_table, exact, norm, n)) >= 0) {
        return d;
    }
    for (uint32_t lengths = rules & ~1u; lengths; lengths &= lengths - 1) {
        size_t sl = (size_t)__builtin_ctz(lengths);
        if (sl <= n && (d = table_get(&suffix_table, suffixes, norm + n - sl, sl)) >= 0) {
            return d;
        }
    }
    return -1;
}

static int key_class(const char *key, size_t len, int prose)
{
    unsigned t0, t1, t2;
    uint32_t rules;

    /* A credential first: "email_password" is a secret, whatever else. */
    if (veil__cred_may_hold(key, len) && veil__credential_judge(key, len, prose)) {
        return VEIL_D_SECRET_FIELD;
    }

    /* Most keys are ruled out by their last three letters or digits
       alone. Most keys end in three of them: read at once (fold gives
       0-35, or 255 for anything else). */
    if (len >= 3) {
        t0 = fold[(unsigned char)key[len - 3]];
        t1 = fold[(unsigned char)key[len - 2]];
        t2 = fold[(unsigned char)key[len - 1]];
    } else {
        t0 = t1 = t2 = 255;
    }
    if (((t0 | t1 | t2) & 0xc0) != 0) {
        unsigned got = 0, tail[3] = {0, 0, 0};
        for (size_t k = len; got < 3 && k > 0; k--) {
            unsigned f = fold[(unsigned char)key[k - 1]];
            if (f != 255) {
                tail[2 - got++] = f;
            }
        }
        /* Every sensitive key has at least three letters. */
        if (got < 3) {
            return -1;
        }
        t0 = tail[0];
        t1 = tail[1];
        t2 = tail[2];
    }
    rules = tail_rules[tail_slot[(t0 * 36 + t1) * 36 + t2]];
    return rules == 0 ? -1 : key_lookup(key, len, rules);
}

/*
 * A cache of classes per thread: the text layer classifies the key of
 * every "key": and key= it meets (74,000 times in 2 MiB of API pages),
 * and traffic repeats a few dozen keys, so each distinct key is
 * classified once and then found by one hash of its bytes and one
 * compare. The class is a function of the key's bytes alone (the tables
 * above never change once built), so an entry never goes stale; a place
 * holds the key it was filled with last. Keys longer than KC_KEY bytes
 * are classified every time. 512 places of 32 bytes: 16 KiB a thread.
 */
#define KC_SLOTS 512
#define KC_KEY 24

typedef struct {
    uint64_t w[KC_KEY / 8]; /* the key, zero-padded */
    uint8_t len;            /* 0: empty */
    int8_t cls[2];          /* key_class(), prose 0 and 1; KC_UNKNOWN: not yet */
} kc_entry_t;

#define KC_UNKNOWN (-128)

static _Thread_local kc_entry_t kc_table[KC_SLOTS];

/* kc_keep[len][k]: the bytes of word k that a key of <len> bytes holds
   (built with the key tables). */
static uint64_t kc_keep[KC_KEY + 1][KC_KEY / 8];

static void kc_keep_build(void)
{
    for (size_t len = 0; len <= KC_KEY; len++) {
        for (size_t k = 0; k < KC_KEY / 8; k++) {
            size_t have = len > 8 * k ? len - 8 * k : 0;
            uint64_t m = 0;
            for (size_t j = 0; j < 8 && j < have; j++) {
                m |= 0xFFull << (8 * j);
            }
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            m = __builtin_bswap64(m);
#endif
            kc_keep[len][k] = m;
        }
    }
}

/* The key's bytes into w[], zero-padded, without a call to memcpy of a
   variable length: whole words, then the last 1-7 bytes. */
static inline void kc_words(const char *key, size_t len, uint64_t w[KC_KEY / 8])
{
    size_t k = 0;
    for (; k + 8 <= len; k += 8) {
        memcpy(&w[k / 8], key + k, 8);
    }
    if (len > k) {
        w[k / 8] = veil__load_tail(key, len, len - k);
    }
}

static inline int kc_holds(const kc_entry_t *e, const uint64_t w[KC_KEY / 8], size_t len)
{
    return e->len == len && ((e->w[0] ^ w[0]) | (e->w[1] ^ w[1]) | (e->w[2] ^ w[2])) == 0;
}

static inline __attribute__((always_inline)) int key_class_cached(const char *key, size_t len,
                                                                  int prose, int padded)
{
    uint64_t w[KC_KEY / 8];

    if (len == 0 || len > KC_KEY) {
        return key_class(key, len, prose);
    }
    if (padded) {
        /* The key's bytes, zero-padded, from three whole-word loads: the
           24 bytes at <key> are readable (the text layer's buffer, whose
           room after its capacity is larger). No branch on the length:
           the keys of an API body take turns at every length, and
           kc_words()'s branches were mispredicted about once a key. In
           registers: an array filled in a loop went through the stack, a
           store and a reload on the path every "key": waits on. */
        uint64_t x0, x1, x2;
        memcpy(&x0, key, 8);
        memcpy(&x1, key + 8, 8);
        memcpy(&x2, key + 16, 8);
        w[0] = x0 & kc_keep[len][0];
        w[1] = x1 & kc_keep[len][1];
        w[2] = x2 & kc_keep[len][2];
    } else {
        w[0] = w[1] = w[2] = 0;
        kc_words(key, len, w);
    }
    /* Three products side by side, not one after another: the place is
       the hash's first use, and every instruction of its chain delays
       the key's class (the text layer waits for it at every "key":). */
    uint64_t h = (w[0] ^ len) * 0xff51afd7ed558ccdull + w[1] * 0x9e3779b97f4a7c15ull +
                 w[2] * 0xc4ceb9fe1a85ec53ull;
    /* Two places per key, from two parts of the hash (in the manner of a
       skewed-associative cache): a new key takes its first when that is
       free, else its second, so keys that share a first place still
       fit. */
    kc_entry_t *e = &kc_table[h >> 55];
    if (!kc_holds(e, w, len)) {
        kc_entry_t *e2 = &kc_table[(h >> 30) % KC_SLOTS];
        if (kc_holds(e2, w, len)) {
            e = e2;
        } else {
            e = e->len == 0 ? e : e2;
            memcpy(e->w, w, sizeof(w));
            e->len = (uint8_t)len;
            e->cls[0] = e->cls[1] = KC_UNKNOWN;
        }
    }
    if (e->cls[prose] == KC_UNKNOWN) {
        e->cls[prose] = (int8_t)key_class(key, len, prose);
    }
    return e->cls[prose];
}

int veil__key_class(const char *key, size_t len)
{
    return key_class_cached(key, len, 0, 0);
}

int veil__key_class_at(const char *key, size_t len)
{
    return key_class_cached(key, len, 0, 1);
}

int veil__key_class_prose(const char *key, size_t len)
{
    return key_class_cached(key, len, 1, 0);
}

/*
 * veil__name_like(): "name" alone names products, files and hosts as often
 * as people, so its value counts only when it reads like a person's name:
 * two to four capitalised words (a non-ASCII first letter counts, for
 * scripts without case), apostrophes, hyphens and dots allowed, no digits,
 * plus the lower-case particles of family names ("van der", "de", "da").
 */
static int particle(const char *w, size_t len)
{
    static const veil__word_len_t list[] = {
        VEIL__WL("de"),  VEIL__WL("da"),    VEIL__WL("di"),  VEIL__WL("do"),  VEIL__WL("du"),
        VEIL__WL("del"), VEIL__WL("della"), VEIL__WL("der"), VEIL__WL("den"), VEIL__WL("van"),
        VEIL__WL("von"), VEIL__WL("la"),    VEIL__WL("le"),  VEIL__WL("dos"), VEIL__WL("das"),
        VEIL__WL("e"),   VEIL__WL("y"),     VEIL__WL("bin"), VEIL__WL("al"),  VEIL__WL("ter"),
        VEIL__WL("ten"), VEIL__WL("zu")};
    for (size_t k = 0; k < sizeof(list) / sizeof(list[0]); k++) {
        if (list[k].len == len && memcmp(list[k].w, w, len) == 0) {
            return 1;
        }
    }
    return 0;
}

/* %20 (a space) and %C3-style escapes of UTF-8 bytes, as query strings
   write names ("Mila%20Rosenthal", "Zo%C3%A9"). */
static int pct20(const char *s, size_t k, size_t len)
{
    return k + 2 < len && s[k] == '%' && s[k + 1] == '2' && s[k + 2] == '0';
}

static int pct_high(const char *s, size_t k, size_t len)
{
    return k + 2 < len && s[k] == '%' && (s[k + 1] | 0x20) >= '8' &&
           (((s[k + 1] | 0x20) <= '9') || ((s[k + 1] | 0x20) >= 'a' && (s[k + 1] | 0x20) <= 'f')) &&
           (isdig((unsigned char)s[k + 2]) ||
            ((s[k + 2] | 0x20) >= 'a' && (s[k + 2] | 0x20) <= 'f'));
}

int veil__name_like(const char *s, size_t len)
{
    int capitalised = 0, words = 0;
    size_t k = 0;

    if (len < 3 || len > 80) {
        return 0;
    }
    while (k < len) {
        while (k < len && (s[k] == ' ' || s[k] == '+' || pct20(s, k, len))) {
            k += s[k] == '%' ? 3 : 1;
        }
        if (k == len) {
            break;
        }
        size_t w = k;
        while (k < len && s[k] != ' ' && s[k] != '+' && !pct20(s, k, len)) {
            unsigned char c = (unsigned char)s[k];
            if (c == '%' && pct_high(s, k, len)) {
                k += 3; /* a percent-encoded letter of a query string */
                continue;
            }
            if (isdig(c) || c == '@' || c == '/' || c == '_' || c == ':' || c == '=' || c == '%' ||
                c == '#') {
                return 0;
            }
            k++;
        }
        unsigned char first = (unsigned char)s[w];
        words++;
        if (isup(first) || first >= 0x80 || (first == '%' && pct_high(s, w, len))) {
            capitalised++;
        } else if (!particle(s + w, k - w)) {
            return 0;
        }
    }
    return capitalised >= 2 && words <= 5;
}

/* Objects whose "name" is not a person's: {"product": {"name": ...}}. */
static const veil__word_len_t things[] = {
    VEIL__WL("product"),      VEIL__WL("item"),        VEIL__WL("items"),
    VEIL__WL("article"),      VEIL__WL("sku"),         VEIL__WL("plan"),
    VEIL__WL("category"),     VEIL__WL("company"),     VEIL__WL("organization"),
    VEIL__WL("organisation"), VEIL__WL("org"),         VEIL__WL("brand"),
    VEIL__WL("merchant"),     VEIL__WL("store"),       VEIL__WL("shop"),
    VEIL__WL("app"),          VEIL__WL("application"), VEIL__WL("service"),
    VEIL__WL("team"),         VEIL__WL("project"),     VEIL__WL("file"),
    VEIL__WL("repo"),         VEIL__WL("repository"),  VEIL__WL("bucket"),
    VEIL__WL("city"),         VEIL__WL("country"),     VEIL__WL("region"),
    VEIL__WL("device"),       VEIL__WL("tag"),         VEIL__WL("tags"),
    VEIL__WL("label"),        VEIL__WL("labels"),      VEIL__WL("event"),
    VEIL__WL("campaign"),     VEIL__WL("products"),    VEIL__WL("variant"),
    VEIL__WL("variants"),     VEIL__WL("collection"),  VEIL__WL("feature"),
    VEIL__WL("features"),     VEIL__WL("role"),        VEIL__WL("roles"),
    VEIL__WL("group"),        VEIL__WL("groups"),      VEIL__WL("channel"),
    VEIL__WL("workspace"),    VEIL__WL("database"),    VEIL__WL("table"),
    VEIL__WL("model"),        VEIL__WL("package"),     VEIL__WL("course"),
    VEIL__WL("venue"),        VEIL__WL("location"),    VEIL__WL("bank"),
    VEIL__WL("employer")};

/* The things by the FNV-1a hash of their letters, in open addressing
   (index + 1, 0 empty): a "name" value asks once per value, and a
   search of the list cost 330 instructions a "name" on API pages. */
#define THING_SLOTS 128
static uint8_t thing_slot[THING_SLOTS];

static void things_build(void)
{
    for (size_t k = 0; k < sizeof(things) / sizeof(things[0]); k++) {
        size_t slot = fnv1a(things[k].w, things[k].len) % THING_SLOTS;
        while (thing_slot[slot] != 0) {
            slot = (slot + 1) % THING_SLOTS;
        }
        thing_slot[slot] = (uint8_t)(k + 1);
    }
}

int veil__thing_key(const char *key, size_t len)
{
    char norm[32];
    size_t n = 0;
    for (size_t k = 0; k < len && n < sizeof(norm); k++) {
        int c = (unsigned char)key[k];
        if (isup(c)) {
            c |= 0x20;
        }
        if (islo(c)) {
            norm[n++] = (char)c;
        }
    }
    for (size_t slot = fnv1a(norm, n) % THING_SLOTS; thing_slot[slot] != 0;
         slot = (slot + 1) % THING_SLOTS) {
        const veil__word_len_t *t = &things[thing_slot[slot] - 1];
        if (t->len == n && memcmp(t->w, norm, n) == 0) {
            return 1;
        }
    }
    return 0;
}
