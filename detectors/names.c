/*
 * Person names in running text, without a model: dictionary evidence
 * (given names and surnames from public lists, detectors/data/README.md)
 * combined with structure, so that a common word that is also a name
 * ("May", "Will", "Bill", "Page") does not fire alone:
 *
 *   - after a title (Mr, Mrs, Frau, Herr, Mme, Sra., ...): the capitalised
 *     words that follow, whatever they are ("Dear Mrs. Effertz");
 *   - after a name label ("Name:", "Nom :", "Naam:"): the same;
 *   - after an introduction ("my name is", "ich heiße", "je suis", "soy"),
 *     a greeting ("Hi", "Liebe", "Hola"), a sign-off ("Regards,",
 *     "Viele Grüße", "Cordialement") or a relation ("my mother,"): words
 *     the dictionary knows, or two capitalised words, or one that ends the
 *     clause ("Hallo Mailin,");
 *   - anywhere: a given name that is no common word followed by one to
 *     four capitalised words ("Thea Hecht", "Miguel Ángel Serna Frías"),
 *     with the particles of family names between them ("Mik van Veen").
 *
 * The pass visits only the bytes where a capitalised word (or, for
 * addresses, a number) starts, found sixteen bytes at a time; each word is
 * folded and looked up by hash. Context is read backwards from the word,
 * at most a few words, and never across a value's delimiter.
 */
#include <pthread.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "names.h"
#include "slot_hash.h"
#include "names_fold.h"
#include "simd.h"
#include "wordlist.h"

extern const uint32_t veil__names_table[1u << VEIL__NAMES_BITS];

#define SEQ_MAX 5     /* capitalised words in one name */
#define WORD_MAX 40   /* bytes of one word */
#define NAME_SPAN 160 /* longest name, particles included */
/* Bytes after a candidate's start that any decision about it may read: a
   name (NAME_SPAN and the clause's end), an address (six words of
   WORD_MAX, a unit, a postcode and a town of four words). Closer to the
   end of what was fed, the pass waits for more (or the stream's end), so
   any chunking gives the same findings. */
#define LOOKAHEAD 512

/* ---- words ---- */

static inline int is_digit(unsigned c)
{
    return c - '0' < 10u;
}
static inline int is_alpha(unsigned c)
{
    return (c | 0x20) - 'a' < 26u;
}
static inline int is_hex(unsigned c)
{
    return is_digit(c) || (c | 0x20) - 'a' < 6u;
}

static inline int hexval(unsigned c)
{
    return is_digit(c) ? (int)(c - '0') : (c | 0x20) - 'a' < 6u ? (int)((c | 0x20) - 'a' + 10) : -1;
}

/* The byte of the %XX escape at <i>, or -1. */
static int pct_byte(const unsigned char *b, size_t i, size_t n)
{
    if (i + 2 >= n || b[i] != '%') {
        return -1;
    }
    int h = hexval(b[i + 1]), l = hexval(b[i + 2]);
    return h < 0 || l < 0 ? -1 : h * 16 + l;
}

int veil__nletter(const veil__nview_t *v, size_t i)
{
    unsigned char c = v->b[i];
    if (is_alpha(c)) {
        return 1;
    }
    if (c == '%') {
        /* A two-byte letter percent-encoded, as form bodies and query
           strings write them: %C3%A9 */
        if (i + 5 >= v->n) {
            return v->final || pct_byte(v->b, i, v->n) < 0xC3 ? 0 : -1;
        }
        int b0 = pct_byte(v->b, i, v->n), b1 = pct_byte(v->b, i + 3, v->n);
        char two[2];
        return b0 >= 0xC3 && b0 <= 0xC5 && b1 >= 0x80 &&
                       veil__fold2((unsigned char)b0, (unsigned char)b1, two)
                   ? 6
                   : 0;
    }
    if (c >= 0xC3 && c <= 0xC5) {
        if (i + 1 >= v->n) {
            return v->final ? 0 : -1;
        }
        char two[2];
        return veil__fold2(c, v->b[i + 1], two) ? 2 : 0;
    }
    return 0;
}

/* veil__nword_start(), inlined into the pass, which asks at every
   candidate. */
static inline int nword_start(const unsigned char *b, size_t i)
{
    if (i == 0) {
        return 1;
    }
    unsigned char p = b[i - 1];
    if (p >= 0x80 && i >= 3 && b[i - 3] >= 0xE0 && b[i - 3] < 0xF0 && (b[i - 2] & 0xC0) == 0x80 &&
        (p & 0xC0) == 0x80) {
        return 1; /* after a kanji, a kana or CJK punctuation */
    }
    if (is_alpha(p) || is_digit(p) || (p >= 0x80 && p != 0xA0)) {
        /* An escaped line break in a raw JSON string, or the end of a
           %XX escape, ends the word before. */
        if (i >= 2 && b[i - 2] == '\\' && (p == 'n' || p == 'r' || p == 't')) {
            return 1;
        }
        if (i >= 3 && b[i - 3] == '%' && is_hex(b[i - 2]) && is_hex(p)) {
            /* not after an escaped letter's last byte (%C3%A9) */
            return hexval(b[i - 2]) < 8;
        }
        return 0;
    }
    return p != '_' && p != '@' && p != '/' && p != '\\' && p != '.' && p != '-' && p != '\'';
}

int veil__nword_start(const unsigned char *b, size_t i)
{
    return nword_start(b, i);
}

static unsigned lookup_h(uint64_t h)
{
    uint32_t fp = veil__fold_fp(h);
    size_t mask = (1u << VEIL__NAMES_BITS) - 1;
    for (size_t slot = (size_t)h & mask;; slot = (slot + 1) & mask) {
        uint32_t e = veil__names_table[slot];
        if (e == 0) {
            return 0;
        }
        if (e >> 4 == fp) {
            return e & 15u;
        }
    }
}

static unsigned lookup(const char *f, size_t n)
{
    return lookup_h(veil__fold_hash(f, n));
}

static void word_lookup(veil__word_t *w);

/* veil__nword() for a word with bytes beyond ASCII letters. */
static int nword_slow(const veil__nview_t *v, size_t i, veil__word_t *w)
{
    const unsigned char *b = v->b;
    size_t q = i;
    int k = veil__nletter(v, i);
    if (k <= 0) {
        return k < 0 ? VEIL__NWORD_DEFER : 0;
    }
    int upper0 = k == 1   ? (b[i] >= 'A' && b[i] <= 'Z')
                 : k == 2 ? veil__fold_upper2(b[i], b[i + 1])
                          : veil__fold_upper2((unsigned char)pct_byte(b, i, v->n),
                                              (unsigned char)pct_byte(b, i + 3, v->n));
    int second = -1; /* is the second letter small: -1 none yet */
    q += (size_t)k;
    for (;;) {
        if (q >= v->n) {
            if (!v->final) {
                return VEIL__NWORD_DEFER;
            }
            break;
        }
        k = veil__nletter(v, q);
        if (k < 0) {
            return VEIL__NWORD_DEFER;
        }
        if (k > 0) {
            if (second < 0) {
                second = k == 1   ? (b[q] >= 'a' && b[q] <= 'z')
                         : k == 2 ? !veil__fold_upper2(b[q], b[q + 1])
                                  : !veil__fold_upper2((unsigned char)pct_byte(b, q, v->n),
                                                       (unsigned char)pct_byte(b, q + 3, v->n));
            }
            q += (size_t)k;
        } else {
            /* An apostrophe or a hyphen between letters stays in the word. */
            size_t gap = b[q] == '\'' || b[q] == '-' ? 1
                         : (b[q] == 0xE2 && q + 2 < v->n && b[q + 1] == 0x80 && b[q + 2] == 0x99)
                             ? 3
                             : 0;
            if (gap == 0) {
                break;
            }
            if (q + gap >= v->n) {
                if (!v->final) {
                    return VEIL__NWORD_DEFER;
                }
                break;
            }
            k = veil__nletter(v, q + gap);
            if (k < 0) {
                return VEIL__NWORD_DEFER;
            }
            if (k == 0) {
                break;
            }
            if (second < 0) {
                second = 1; /* O'Brien, D'Amore */
            }
            q += gap;
        }
        if (q - i > WORD_MAX) {
            /* Too long for a name: skip to its end. */
            while (q < v->n && veil__nletter(v, q) > 0) {
                q += (size_t)veil__nletter(v, q);
            }
            w->s = i;
            w->e = q;
            w->cap = 0;
            w->len = 0;
            w->flags = 0;
            return 1;
        }
    }
    w->s = i;
    w->e = q;
    w->cap = (uint8_t)(upper0 && second == 1);
    if (memchr(b + i, '%', q - i) != NULL) {
        /* Fold the word with its escapes decoded. */
        unsigned char dec[WORD_MAX + 8];
        size_t d = 0;
        for (size_t k2 = i; k2 < q && d < sizeof(dec);) {
            int x = b[k2] == '%' ? pct_byte(b, k2, v->n) : -1;
            dec[d++] = x >= 0 ? (unsigned char)x : b[k2];
            k2 += x >= 0 ? 3 : 1;
        }
        w->len = (uint8_t)veil__fold_word(dec, d, w->f, sizeof(w->f));
    } else {
        w->len = (uint8_t)veil__fold_word(b + i, q - i, w->f, sizeof(w->f));
    }
    word_lookup(w);
    return 1;
}

/* word_lookup() for a word of letters only (no hyphen to split at). */
static inline void word_lookup_letters(veil__word_t *w)
{
    uint64_t h = veil__fold_hash(w->f, w->len);
    w->h = (uint32_t)(h >> 32) ? (uint32_t)(h >> 32) : 1;
    w->flags = w->cap && w->len >= 2 ? lookup_h(h) : 0;
}

/* The word's hash, and its dictionary flags when it is capitalised. */
static void word_lookup(veil__word_t *w)
{
    uint64_t h = veil__fold_hash(w->f, w->len);
    w->h = (uint32_t)(h >> 32) ? (uint32_t)(h >> 32) : 1;
    w->flags = 0;
    if (w->cap && w->len >= 2) {
        w->flags = lookup_h(h);
        if (w->flags == 0) {
            /* A hyphenated name by its first part (Jean-Pierre). */
            const char *hy = memchr(w->f, '-', w->len);
            if (hy != NULL && hy - w->f >= 2) {
                w->flags = lookup(w->f, (size_t)(hy - w->f)) & (VEIL__NAME_GIVEN | VEIL__NAME_ANY);
            }
        }
    }
}

/*
 * veil__nword(): the common case, a word of ASCII letters only, measured
 * and folded from one 16-byte load (up to 15 letters) or in one loop that
 * folds as it goes; anything else (accents, escapes, inner apostrophes
 * and hyphens) takes nword_slow(). Words no rule reads
 * folded (all capitals longer than two letters, long words that are not
 * capitalised) are only measured.
 */
/*
 * nword_joined(): an ASCII word whose letters run from <i> to the hyphen
 * or apostrophe at <q> ("Content-Type", "keep-alive", "O'Brien"), read
 * as nword_slow() reads it: a hyphen or an apostrophe followed by a
 * letter stays in the word, and one right after the first letter makes it
 * capitalised when that letter is a capital. Anything nword_slow() treats
 * otherwise (a non-ASCII byte or an escape, the end of the view, a word
 * longer than WORD_MAX) goes to it.
 */
static int nword_joined(const veil__nview_t *v, size_t i, size_t q, veil__word_t *w)
{
    const unsigned char *b = v->b;
    size_t n = v->n;
    while (q < n && (b[q] == '\'' || b[q] == '-')) {
        if (q + 1 >= n) {
            return nword_slow(v, i, w);
        }
        if (b[q + 1] >= 0x80 || b[q + 1] == '%') {
            return nword_slow(v, i, w); /* "Jean-Émile" */
        }
        if (!is_alpha(b[q + 1])) {
            break;
        }
        q++;
        while (q < n && is_alpha(b[q])) {
            q++;
        }
    }
    if (q >= n || b[q] >= 0x80 || b[q] == '%' || q - i > WORD_MAX) {
        return nword_slow(v, i, w);
    }
    size_t len = q - i;
    int upper0 = (unsigned)b[i] - 'A' < 26u;
    /* the second letter small, or the word joined right after its first */
    int second =
        (unsigned)b[i + 1] - 'a' < 26u || ((b[i + 1] == '\'' || b[i + 1] == '-') && q > i + 1);
    w->s = i;
    w->e = q;
    w->cap = (uint8_t)(upper0 && second);
    for (size_t k = 0; k < len; k++) {
        w->f[k] = (char)(b[i + k] | (is_alpha(b[i + k]) ? 0x20 : 0));
    }
    w->len = (uint8_t)len;
    word_lookup(w);
    return 1;
}

/* <glued_lazy>: a word of two letters or more that '/', '_', '=' or '@'
   follows is not looked up (no flags, no hash): the pass's own call, for
   which such a word starts neither a name (the pass's test) nor an
   address (veil__address_at()'s first test; "C/", one letter, is looked
   up), so that a user agent's "Mozilla/5.0", "Safari/605" cost no hash
   and no table probe. */
static inline __attribute__((always_inline)) int nword_core(const veil__nview_t *v, size_t i,
                                                            veil__word_t *w, int glued_lazy)
{
    const unsigned char *b = v->b;
    size_t q = i, n = v->n;
#ifdef __SSE2__
    if (i < n) {
        /* A word of up to 15 ASCII letters (nearly every word of text) is
           measured and folded 16 bytes at once: the letters are the bytes
           that OR 0x20 puts in a-z, and those bytes are the folded word.
           Fewer than 16 bytes left (a JSON value's last word) are read
           from a copy padded with NULs, no letter. */
        __m128i x;
        if (n - i >= 16) {
            x = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
        } else {
            unsigned char pad[16] = {0};
            memcpy(pad, b + i, n - i);
            x = _mm_loadu_si128((const __m128i *)(const void *)pad);
        }
        __m128i low = _mm_or_si128(x, _mm_set1_epi8(0x20));
        __m128i y = _mm_add_epi8(low, _mm_set1_epi8((char)(0x80 - 'a')));
        unsigned other =
            ~(unsigned)_mm_movemask_epi8(_mm_cmpgt_epi8(_mm_set1_epi8((char)(-128 + 26)), y)) &
            0xFFFFu;
        if (other != 0) {
            size_t len = (size_t)__builtin_ctz(other);
            q = i + len;
            if (q >= n && !v->final) {
                return len == 0 ? nword_slow(v, i, w) : VEIL__NWORD_DEFER;
            }
            unsigned c = q < n ? b[q] : 0;
            if (len == 0 || c >= 0x80 || c == '%') {
                return nword_slow(v, i, w);
            }
            if (c == '\'' || c == '-') {
                return nword_joined(v, i, q, w);
            }
            int upper0 = (unsigned)b[i] - 'A' < 26u,
                lower1 = len > 1 && (unsigned)b[i + 1] - 'a' < 26u;
            w->s = i;
            w->e = q;
            w->cap = (uint8_t)(upper0 && lower1);
            w->flags = 0;
            w->h = 0;
            if (!w->cap && (len > 12 || (len > 2 && upper0 && !lower1))) {
                w->len = 0;
                return 1;
            }
            _mm_storeu_si128((__m128i *)(void *)w->f, low);
            w->len = (uint8_t)len;
            if (glued_lazy && len >= 2 && (c == '/' || c == '_' || c == '=' || c == '@')) {
                return 1;
            }
            word_lookup_letters(w);
            return 1;
        }
    }
#endif
    while (q < n && is_alpha(b[q])) {
        q++;
    }
    if (q == i) {
        return nword_slow(v, i, w);
    }
    if (q < n && (b[q] == '\'' || b[q] == '-')) {
        return nword_joined(v, i, q, w);
    }
    if (q < n && (b[q] >= 0x80 || b[q] == '%')) {
        return nword_slow(v, i, w);
    }
    if (q >= n && !v->final) {
        return VEIL__NWORD_DEFER;
    }
    size_t len = q - i;
    int upper0 = (unsigned)b[i] - 'A' < 26u, lower1 = len > 1 && (unsigned)b[i + 1] - 'a' < 26u;
    w->s = i;
    w->e = q;
    /* A word longer than any name is no capitalised word, as
       nword_slow() reads it too: otherwise a street name of 600 letters
       made an address in a whole scan that a stream, cut inside the
       word (longer than the pass's look-ahead), could not make. */
    w->cap = (uint8_t)(upper0 && lower1 && len <= WORD_MAX);
    w->flags = 0;
    w->h = 0;
    if (len > WORD_MAX || (!w->cap && (len > 12 || (len > 2 && upper0 && !lower1)))) {
        w->len = 0;
        return 1;
    }
    for (size_t k = 0; k < len; k++) {
        w->f[k] = (char)(b[i + k] | 0x20);
    }
    w->len = (uint8_t)len;
    word_lookup(w);
    return 1;
}

int veil__nword(const veil__nview_t *v, size_t i, veil__word_t *w)
{
    return nword_core(v, i, w, 0);
}

/* 1 when buffer position <i> lies in the value of a person-name key (a
   structured body's "name", "first_name", ...): value.c has judged that
   value whole, a product's "name" included, and the pass does not judge
   it again. */
static int under_name_key(const struct veil__text *t, size_t i)
{
    uint64_t at = t->base + i;
    size_t lo = 0, hi = t->nfields;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->fields[mid].start <= at) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0 || t->fields[lo - 1].len == 0 || t->fields[lo - 1].csv) {
        return 0; /* (a CSV column: names.c judges its cells itself) */
    }
    const struct veil__field *f = &t->fields[lo - 1];
    const char *sp = memchr(f->key, ' ', f->len); /* the key, then its sibling */
    size_t kl = sp ? (size_t)(sp - f->key) : f->len;
    return kl > 0 && veil__key_class(f->key, kl) == VEIL_D_PERSON_NAME;
}

void veil__nreport(veil__nview_t *v, size_t s, size_t e, int det)
{
    if (v->t == NULL) {
        v->found = 1;
        return;
    }
    if (det == VEIL_D_PERSON_NAME && v->t->nfields > 0 && under_name_key(v->t, s)) {
        return;
    }
    veil__text_report(v->t, s, e, det, VEIL_CONF_MEDIUM, 0);
}

/* ---- context words ---- */

enum {
    C_NONE = 0,
    C_TITLE,    /* Mr, Frau, Mme, Sra: any capitalised words follow */
    C_LABEL,    /* Name:, Nom :: the same */
    C_INTRO,    /* my name is, ich bin, je suis */
    C_GREET,    /* Hi, Liebe, Hola */
    C_SIGNOFF,  /* Regards, Viele Grüße, Cordialement */
    C_RELATION, /* my mother, meinen Vater, minha mãe */
    C_HOLDER,   /* account holder, Kontoinhaber, titular, Contact: */
};

typedef struct {
    const char *phrase; /* folded words, one space between */
    uint8_t kind;
} phrase_t;

/* Written from the languages of veil's phone formats (en, de, fr, es, it,
   nl, pt): the usual titles, greetings, sign-offs and introductions. */
/* clang-format off */
static const phrase_t phrases[] = {
    /* titles */
    {"mr", C_TITLE}, {"mrs", C_TITLE}, {"ms", C_TITLE}, {"miss", C_TITLE}, {"mx", C_TITLE},
    {"dr", C_TITLE}, {"prof", C_TITLE}, {"herr", C_TITLE}, {"herrn", C_TITLE},
    {"frau", C_TITLE}, {"hr", C_TITLE}, {"mme", C_TITLE}, {"mlle", C_TITLE},
    {"monsieur", C_TITLE}, {"madame", C_TITLE}, {"mademoiselle", C_TITLE}, {"sr", C_TITLE},
    {"sra", C_TITLE}, {"srta", C_TITLE}, {"senor", C_TITLE}, {"senora", C_TITLE},
    {"senorita", C_TITLE}, {"don", C_TITLE}, {"dona", C_TITLE}, {"sig", C_TITLE},
    {"sigra", C_TITLE}, {"signor", C_TITLE}, {"signora", C_TITLE}, {"signorina", C_TITLE},
    {"dott", C_TITLE}, {"dottssa", C_TITLE}, {"dottoressa", C_TITLE}, {"dhr", C_TITLE},
    {"mevr", C_TITLE}, {"heer", C_TITLE}, {"mevrouw", C_TITLE}, {"meneer", C_TITLE},
    {"senhor", C_TITLE}, {"senhora", C_TITLE},
    /* labels */
    {"name", C_LABEL}, {"full name", C_LABEL}, {"your name", C_LABEL}, {"nom", C_LABEL},
    {"nom complet", C_LABEL}, {"prenom", C_LABEL}, {"nombre", C_LABEL},
    {"nombre completo", C_LABEL}, {"apellidos", C_LABEL}, {"nome", C_LABEL},
    {"nome completo", C_LABEL}, {"cognome", C_LABEL}, {"naam", C_LABEL},
    {"volledige naam", C_LABEL}, {"vorname", C_LABEL}, {"nachname", C_LABEL},
    {"vollstandiger name", C_LABEL}, {"cardholder", C_LABEL}, {"card holder", C_LABEL},
    {"name on card", C_LABEL}, {"signed", C_LABEL}, {"signed by", C_LABEL},
    /* holders and contacts: words the dictionary knows or two words */
    {"account holder", C_HOLDER}, {"holder", C_HOLDER}, {"kontoinhaber", C_HOLDER},
    {"kontoinhaberin", C_HOLDER}, {"inhaber", C_HOLDER}, {"titular", C_HOLDER},
    {"intestatario", C_HOLDER}, {"intestataria", C_HOLDER}, {"rekeninghouder", C_HOLDER},
    {"tenaamstelling", C_HOLDER}, {"ten name van", C_HOLDER}, {"beneficiary", C_HOLDER},
    {"beneficiario", C_HOLDER}, {"contact", C_HOLDER}, {"kontakt", C_HOLDER},
    {"contacto", C_HOLDER}, {"contatto", C_HOLDER}, {"from", C_HOLDER}, {"von", C_HOLDER},
    {"customer", C_HOLDER}, {"client", C_HOLDER}, {"kunde", C_HOLDER}, {"cliente", C_HOLDER},
    {"klant", C_HOLDER}, {"patient", C_HOLDER}, {"employee", C_HOLDER},
    {"recipient", C_HOLDER}, {"a nome di", C_HOLDER}, {"au nom de", C_HOLDER},
    {"a nombre de", C_HOLDER}, {"em nome de", C_HOLDER}, {"on behalf of", C_HOLDER},
    {"im namen von", C_HOLDER}, {"namens", C_HOLDER}, {"created for", C_HOLDER},
    {"assigned to", C_HOLDER}, {"requested by", C_HOLDER}, {"contato", C_HOLDER},
    {"titulaire", C_HOLDER}, {"spoke to", C_RELATION}, {"spoke with", C_RELATION},
    {"talked to", C_RELATION}, {"talked with", C_RELATION}, {"sprach mit", C_RELATION},
    /* introductions */
    {"my name is", C_INTRO}, {"my name's", C_INTRO}, {"name is", C_INTRO}, {"i am", C_INTRO},
    {"i'm", C_INTRO}, {"this is", C_INTRO}, {"it's", C_INTRO}, {"ich bin", C_INTRO},
    {"ich heisse", C_INTRO}, {"mein name ist", C_INTRO}, {"hier ist", C_INTRO},
    {"hier spricht", C_INTRO}, {"je suis", C_INTRO}, {"je m'appelle", C_INTRO},
    {"mon nom est", C_INTRO}, {"ici", C_INTRO}, {"c'est", C_INTRO}, {"soy", C_INTRO},
    {"me llamo", C_INTRO}, {"mi nombre es", C_INTRO}, {"sono", C_INTRO},
    {"mi chiamo", C_INTRO}, {"il mio nome e", C_INTRO}, {"ik ben", C_INTRO},
    {"ik heet", C_INTRO}, {"mijn naam is", C_INTRO}, {"sou", C_INTRO}, {"eu sou", C_INTRO},
    {"meu nome e", C_INTRO}, {"chamo-me", C_INTRO}, {"me chamo", C_INTRO},
    {"aqui e", C_INTRO}, {"aqui", C_INTRO},
    /* greetings */
    {"hi", C_GREET}, {"hello", C_GREET}, {"hey", C_GREET}, {"dear", C_GREET},
    {"good morning", C_GREET}, {"good afternoon", C_GREET}, {"good evening", C_GREET},
    {"hallo", C_GREET}, {"liebe", C_GREET}, {"lieber", C_GREET}, {"moin", C_GREET},
    {"servus", C_GREET}, {"guten tag", C_GREET}, {"guten morgen", C_GREET},
    {"bonjour", C_GREET}, {"bonsoir", C_GREET}, {"salut", C_GREET}, {"cher", C_GREET},
    {"chere", C_GREET}, {"coucou", C_GREET}, {"hola", C_GREET}, {"estimado", C_GREET},
    {"estimada", C_GREET}, {"querido", C_GREET}, {"querida", C_GREET},
    {"buenos dias", C_GREET}, {"buenas tardes", C_GREET}, {"ciao", C_GREET},
    {"salve", C_GREET}, {"caro", C_GREET}, {"cara", C_GREET}, {"gentile", C_GREET},
    {"gentilissimo", C_GREET}, {"gentilissima", C_GREET}, {"egregio", C_GREET},
    {"buongiorno", C_GREET}, {"hoi", C_GREET}, {"beste", C_GREET}, {"dag", C_GREET},
    {"geachte", C_GREET}, {"goedemorgen", C_GREET}, {"goedemiddag", C_GREET}, {"ola", C_GREET},
    {"oi", C_GREET}, {"prezado", C_GREET}, {"prezada", C_GREET}, {"bom dia", C_GREET},
    {"boa tarde", C_GREET},
    /* sign-offs */
    {"regards", C_SIGNOFF}, {"best regards", C_SIGNOFF}, {"kind regards", C_SIGNOFF},
    {"warm regards", C_SIGNOFF}, {"best", C_SIGNOFF}, {"thanks", C_SIGNOFF},
    {"thank you", C_SIGNOFF}, {"many thanks", C_SIGNOFF}, {"cheers", C_SIGNOFF},
    {"sincerely", C_SIGNOFF}, {"yours sincerely", C_SIGNOFF}, {"yours truly", C_SIGNOFF},
    {"yours", C_SIGNOFF}, {"best wishes", C_SIGNOFF}, {"all the best", C_SIGNOFF},
    {"take care", C_SIGNOFF}, {"grusse", C_SIGNOFF}, {"gruss", C_SIGNOFF},
    {"grussen", C_SIGNOFF}, {"danke", C_SIGNOFF}, {"vielen dank", C_SIGNOFF},
    {"lg", C_SIGNOFF}, {"vg", C_SIGNOFF}, {"mfg", C_SIGNOFF}, {"cordialement", C_SIGNOFF},
    {"merci", C_SIGNOFF}, {"merci beaucoup", C_SIGNOFF}, {"bonne journee", C_SIGNOFF},
    {"bonne soiree", C_SIGNOFF}, {"bien a vous", C_SIGNOFF}, {"a bientot", C_SIGNOFF},
    {"salutations", C_SIGNOFF}, {"amicalement", C_SIGNOFF}, {"saludos", C_SIGNOFF},
    {"un saludo", C_SIGNOFF}, {"atentamente", C_SIGNOFF}, {"gracias", C_SIGNOFF},
    {"muchas gracias", C_SIGNOFF}, {"un abrazo", C_SIGNOFF}, {"cordialmente", C_SIGNOFF},
    {"saluti", C_SIGNOFF}, {"un saluto", C_SIGNOFF}, {"grazie", C_SIGNOFF},
    {"grazie mille", C_SIGNOFF}, {"a presto", C_SIGNOFF}, {"buona giornata", C_SIGNOFF},
    {"un abbraccio", C_SIGNOFF}, {"groet", C_SIGNOFF}, {"groeten", C_SIGNOFF},
    {"groetjes", C_SIGNOFF}, {"bedankt", C_SIGNOFF}, {"alvast bedankt", C_SIGNOFF},
    {"dank je", C_SIGNOFF}, {"dank u", C_SIGNOFF}, {"mvg", C_SIGNOFF},
    {"obrigado", C_SIGNOFF}, {"obrigada", C_SIGNOFF}, {"abraco", C_SIGNOFF},
    {"abracos", C_SIGNOFF}, {"cumprimentos", C_SIGNOFF}, {"atenciosamente", C_SIGNOFF},
    {"att", C_SIGNOFF}, {"beijos", C_SIGNOFF}, {"saudacoes", C_SIGNOFF},
    /* relations */
    {"my mother", C_RELATION}, {"my father", C_RELATION}, {"my son", C_RELATION},
    {"my daughter", C_RELATION}, {"my wife", C_RELATION}, {"my husband", C_RELATION},
    {"my partner", C_RELATION}, {"my brother", C_RELATION}, {"my sister", C_RELATION},
    {"meine mutter", C_RELATION}, {"meinen vater", C_RELATION}, {"mein vater", C_RELATION},
    {"meine tochter", C_RELATION}, {"mein sohn", C_RELATION}, {"meinen sohn", C_RELATION},
    {"meine frau", C_RELATION}, {"mein mann", C_RELATION}, {"meiner mutter", C_RELATION},
    {"meines vaters", C_RELATION}, {"ma mere", C_RELATION}, {"mon pere", C_RELATION},
    {"ma fille", C_RELATION}, {"mon fils", C_RELATION}, {"ma femme", C_RELATION},
    {"mon mari", C_RELATION}, {"mi madre", C_RELATION}, {"mi padre", C_RELATION},
    {"mi hijo", C_RELATION}, {"mi hija", C_RELATION}, {"mi esposa", C_RELATION},
    {"mi marido", C_RELATION}, {"mia madre", C_RELATION}, {"mio padre", C_RELATION},
    {"mia figlia", C_RELATION}, {"mio figlio", C_RELATION}, {"mia moglie", C_RELATION},
    {"mio marito", C_RELATION}, {"mijn moeder", C_RELATION}, {"mijn vader", C_RELATION},
    {"mijn dochter", C_RELATION}, {"mijn zoon", C_RELATION}, {"mijn vrouw", C_RELATION},
    {"mijn man", C_RELATION}, {"minha mae", C_RELATION}, {"meu pai", C_RELATION},
    {"minha filha", C_RELATION}, {"meu filho", C_RELATION}, {"minha esposa", C_RELATION},
    {"meu marido", C_RELATION}, {"da minha mae", C_RELATION}, {"do meu pai", C_RELATION},
};
/* clang-format on */

/* Capitalised words that are never part of a name here, though a list may
   hold them: addressees of greetings, pronouns, words of the phrases. */
/* clang-format off */
static const char *const not_names[] = {
    "team", "support", "all", "everyone", "everybody", "there", "sir", "madam", "customer",
    "service", "services", "colleagues", "friends", "folks", "guys", "zusammen", "kollegen",
    "kolleginnen", "damen", "herren", "kundin", "kundendienst", "kundenservice", "equipe",
    "clientes", "equipo", "servizio", "assistenza", "klantenservice", "helpdesk", "admin",
    "administrator", "manager", "world", "the", "my", "our", "your", "we", "you", "he", "she",
    "they", "it", "this", "that", "please", "bitte", "ich", "je", "yo", "io", "ik", "eu",
    "mein", "meine", "mon", "ma", "mi", "mio", "mia", "mijn", "meu", "minha", "hier", "here",
    "again", "also", "sales", "billing", "hr", "it", "ceo", "cto", "ops", "dev", "devops",
    "security", "accounting", "finance", "marketing", "engineering", "legal", "tax",
    "signore", "signora", "senor", "senora", "gmbh", "inc", "ltd", "llc", "corp", "bank",
    "street", "road", "avenue", "platz", "strasse", "via", "calle", "rue", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "july", "september", "october", "november", "december",
    "chrome", "firefox", "safari", "windows", "linux", "android", "iphone", "mac", "apple",
    "google", "microsoft", "amazon", "paypal", "visa", "mastercard", "stripe", "klarna",
    "iban", "bic", "swift", "api", "url", "id", "ip", "sms", "pin", "tan", "vip", "kunde",
    "client", "cliente", "klant", "kontakt", "contact", "name", "nom", "nome", "nombre",
    "naam", "vorname", "nachname", "plus", "pro", "premium", "enterprise", "business",
    "starter", "basic", "free", "team", "merci", "danke", "gracias", "grazie", "obrigado",
    "obrigada", "bedankt", "thanks", "regards", "cheers", "sincerely", "cordialement",
    "saludos", "saluti", "groet", "groeten", "groetjes", "abraco", "cumprimentos",
    "atentamente", "atenciosamente", "grusse", "gruss", "best", "kind", "warm", "viele",
    "beste", "liebe", "lieber", "freundliche", "freundlichen", "herzliche", "mit",
    "met", "vriendelijke", "hartelijke", "un", "bonne", "cordiali", "distinti", "muchas",
    "many", "yours", "dear", "hi", "hello", "hey", "hallo", "hola", "ciao", "hoi", "ola",
    "oi", "bonjour", "salut", "bonsoir", "caro", "cara", "cher", "chere", "estimado",
    "estimada", "gentile", "prezado", "prezada", "geachte", "mr", "mrs", "ms", "miss", "dr",
    "herr", "frau", "mme", "mlle", "sr", "sra", "srta", "sig", "dott", "dhr", "mevr",
    "monsieur", "madame", "heer", "mevrouw", "senhor", "senhora", "don", "dona", "prof",
    /* what follows a place's or a firm's name */
    "river", "lake", "park", "station", "airport", "hotel", "university", "college",
    "hospital", "school", "church", "company", "group", "holdings", "partners", "county",
    "city", "valley", "beach", "island", "mountain", "bridge", "square", "center", "centre",
    "street", "lane", "drive", "way", "place", "court", "hall", "house", "tower", "building",
};
/* clang-format on */

/* Lower-case particles of family names ("van der Velde", "da Silva"). */
static const char *const particles[] = {
    "van", "der", "den", "de", "da",  "das", "do", "dos", "del", "della", "di", "du",  "von",
    "la",  "le",  "y",   "e",  "ter", "ten", "zu", "vom", "des", "het",   "'t", "bin", "al",
};

#define PBITS 11 /* 476 distinct words: a table a quarter full */
#define PSLOTS (1u << PBITS)
static struct {
    uint32_t h;     /* 0: empty */
    uint16_t first; /* index + 1 of the first phrase ending in this word */
    uint8_t stop;   /* in not_names */
    uint8_t particle;
} ptab[PSLOTS];
static uint16_t pnext[sizeof(phrases) / sizeof(phrases[0])]; /* index + 1 of the next */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static int tables_built; /* set, with release, once they are */

static uint32_t h32(const char *s, size_t n)
{
    uint32_t h = (uint32_t)(veil__fold_hash(s, n) >> 32);
    return h ? h : 1;
}

static size_t pslot(uint32_t h)
{
    size_t slot = veil__wl_slot(h, PBITS);
    while (ptab[slot].h != 0 && ptab[slot].h != h) {
        slot = (slot + 1) & (PSLOTS - 1);
    }
    return slot;
}

static void ptab_build(void)
{
    for (size_t k = 0; k < sizeof(phrases) / sizeof(phrases[0]); k++) {
        const char *p = phrases[k].phrase, *last = strrchr(p, ' ');
        last = last ? last + 1 : p;
        uint32_t h = h32(last, strlen(last));
        size_t slot = pslot(h);
        ptab[slot].h = h;
        /* Appended at the end of the chain: the list order is kept. */
        if (ptab[slot].first == 0) {
            ptab[slot].first = (uint16_t)(k + 1);
        } else {
            size_t j = ptab[slot].first - 1u;
            while (pnext[j] != 0) {
                j = pnext[j] - 1u;
            }
            pnext[j] = (uint16_t)(k + 1);
        }
    }
    for (size_t k = 0; k < sizeof(not_names) / sizeof(not_names[0]); k++) {
        uint32_t h = h32(not_names[k], strlen(not_names[k]));
        size_t slot = pslot(h);
        ptab[slot].h = h;
        ptab[slot].stop = 1;
    }
    for (size_t k = 0; k < sizeof(particles) / sizeof(particles[0]); k++) {
        uint32_t h = h32(particles[k], strlen(particles[k]));
        size_t slot = pslot(h);
        ptab[slot].h = h;
        ptab[slot].particle = 1;
    }
}

/* The word tables of this file and addresses.c, built once per process
   on first use; only read after. */
static void tables_build(void)
{
    ptab_build();
    veil__addresses_init();
    __atomic_store_n(&tables_built, 1, __ATOMIC_RELEASE);
}

/* The tables, built: a load once they are (a JSON body asks for them at
   each value it probes, where pthread_once() cost 70 instructions). */
static inline void tables_ready(void)
{
    if (!__atomic_load_n(&tables_built, __ATOMIC_ACQUIRE)) {
        pthread_once(&tables_once, tables_build);
    }
}

static size_t pfind_h(uint32_t h)
{
    size_t slot = veil__wl_slot(h, PBITS);
    while (ptab[slot].h != 0) {
        if (ptab[slot].h == h) {
            return slot;
        }
        slot = (slot + 1) & (PSLOTS - 1);
    }
    return SIZE_MAX;
}

static size_t pfind(const char *f, size_t n)
{
    return pfind_h(h32(f, n));
}

static int is_stop(const veil__word_t *w)
{
    size_t s = w->len ? pfind_h(w->h) : SIZE_MAX;
    return s != SIZE_MAX && (ptab[s].stop || ptab[s].first);
}

static int is_particle_folded(const veil__word_t *w)
{
    size_t s = w->len ? pfind_h(w->h) : SIZE_MAX;
    return s != SIZE_MAX && ptab[s].particle;
}

static int is_particle(const veil__word_t *w)
{
    size_t s = w->len && !w->cap ? pfind_h(w->h) : SIZE_MAX;
    return s != SIZE_MAX && ptab[s].particle;
}

/* ---- reading backwards ---- */

/* The gap before <i>: spaces, '+' (form bodies), punctuation, %XX escapes
   and escaped line breaks. Returns where it starts; *punct gets the last
   punctuation seen (',', ':', '!', '.', '\n' for a line break, 0 none). */
static size_t gap_before(const unsigned char *b, size_t lo, size_t i, int *punct, int *count)
{
    size_t p = i;
    *punct = 0;
    *count = 0;
    while (p > lo && i - p < 16) {
        unsigned char c = b[p - 1];
        if (c == ' ' || c == '+' || c == '\t' || c == '\r') {
            p--;
        } else if (c == '\n') {
            *punct = '\n';
            ++*count;
            p--;
        } else if (c == ',' || c == ':' || c == '!' || c == '.' || c == ';' || c == '-') {
            if (*punct == 0 || *punct == '\n') {
                *punct = c;
            }
            ++*count;
            p--;
        } else if (c == 0xA0 && p - lo >= 2 && b[p - 2] == 0xC2) {
            p -= 2; /* no-break space */
        } else if (p - lo >= 3 && b[p - 3] == '%' && is_hex(b[p - 2]) && is_hex(c)) {
            unsigned v =
                (unsigned)((is_digit(b[p - 2]) ? b[p - 2] - '0' : (b[p - 2] | 0x20) - 'a' + 10) *
                               16 +
                           (is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10));
            if (v == ',' || v == ':' || v == '!' || v == '.' || v == '\n') {
                if (*punct == 0 || *punct == '\n') {
                    *punct = (int)v;
                }
                ++*count;
            } else if (v != ' ' && v != '\r' && v != '\t') {
                break;
            }
            p -= 3;
        } else if (p - lo >= 2 && b[p - 2] == '\\' && (c == 'n' || c == 'r' || c == 't')) {
            if (c == 'n') {
                *punct = *punct ? *punct : '\n';
                ++*count;
            }
            p -= 2;
        } else {
            break;
        }
    }
    return p;
}

/* The word that ends at <e> (folded into <f>); its start, or SIZE_MAX. */
static size_t word_before(const unsigned char *b, size_t lo, size_t e, char *f, size_t *fl)
{
    size_t s = e;
    int ascii = 1;
    while (s > lo && e - s < WORD_MAX) {
        unsigned char c = b[s - 1];
        if (is_alpha(c) || c == '\'') {
            s--;
        } else if (c >= 0x80 && c < 0xC0 && s - lo >= 2 && b[s - 2] >= 0xC3 && b[s - 2] <= 0xC5) {
            s -= 2;
            ascii = 0;
        } else {
            break;
        }
    }
    if (s == e || (s > lo && (is_digit(b[s - 1]) || b[s - 1] == '_'))) {
        return SIZE_MAX;
    }
    if (ascii) {
        /* Letters and apostrophes (0x27 has bit 5 already) fold by OR. */
        for (size_t k = s; k < e; k++) {
            f[k - s] = (char)(b[k] | 0x20);
        }
        *fl = e - s;
        return s;
    }
    *fl = veil__fold_word(b + s, e - s, f, WORD_MAX);
    return *fl ? s : SIZE_MAX;
}

/*
 * context_before(): the kind of phrase that ends just before the word at
 * <i>, with the punctuation between allowed for that kind.
 */
typedef struct {
    size_t at;        /* the position the gap was read before */
    int punct, count; /* gap_before()'s */
    size_t e;         /* where the word ends (SIZE_MAX: none read; the caller
                         sets it, as no word is read where no gap is) */
    size_t ws;        /* its start, or SIZE_MAX: no word there */
    size_t fl;
    char f[WORD_MAX]; /* folded */
} before_t;

static int context_before_read(const veil__nview_t *v, size_t lo, size_t i, before_t *wb)
{
    const unsigned char *b = v->b;
    int punct, count;
    size_t g = gap_before(b, lo, i, &punct, &count);
    wb->at = i;
    wb->punct = punct;
    wb->count = count;
    if (g == i) {
        return C_NONE; /* a context is words apart ("Ana" after a quote) */
    }
    char *f = wb->f;
    size_t fl = 0;
    size_t ws = word_before(b, lo, g, f, &fl);
    wb->e = g;
    wb->ws = ws;
    wb->fl = fl;
    if (ws == SIZE_MAX) {
        return C_NONE;
    }
    /* Titles and abbreviations with a stop inside: Dott.ssa, Sig.ra,
       Sig.na (Italian), t.n.v. (Dutch "ten name van"). */
    if (punct == 0 || punct == '.') {
        if (((fl == 3 && memcmp(f, "ssa", 3) == 0) && ws >= lo + 5 &&
             strncasecmp((const char *)b + ws - 5, "dott.", 5) == 0) ||
            ((fl == 2 && (memcmp(f, "ra", 2) == 0 || memcmp(f, "na", 2) == 0)) && ws >= lo + 4 &&
             strncasecmp((const char *)b + ws - 4, "sig.", 4) == 0)) {
            return C_TITLE;
        }
        if (fl == 1 && f[0] == 'v' && ws >= lo + 4 && memcmp(b + ws - 4, "t.n.", 4) == 0) {
            return C_HOLDER;
        }
    }
    size_t slot = pfind(f, fl);
    if (slot == SIZE_MAX || ptab[slot].first == 0) {
        return C_NONE;
    }
    for (size_t k = ptab[slot].first; k != 0; k = pnext[k - 1]) {
        const phrase_t *ph = &phrases[k - 1];
        const char *p = ph->phrase;
        size_t plen = strlen(p), at = plen - fl;
        size_t cur = ws;
        int ok = 1;
        /* The phrase's earlier words, right to left, one space apart. */
        while (at > 0 && ok) {
            size_t sp = at - 1; /* the space before the word matched */
            size_t pe = sp, ps = pe;
            while (ps > 0 && p[ps - 1] != ' ') {
                ps--;
            }
            size_t q = cur;
            while (q > lo && cur - q < 3 && (b[q - 1] == ' ' || b[q - 1] == '+')) {
                q--;
            }
            char f2[WORD_MAX];
            size_t fl2;
            size_t s2 = q < cur ? word_before(b, lo, q, f2, &fl2) : SIZE_MAX;
            if (s2 == SIZE_MAX || fl2 != pe - ps || memcmp(f2, p + ps, fl2) != 0) {
                ok = 0;
                break;
            }
            cur = s2;
            at = ps;
        }
        if (!ok) {
            continue;
        }
        /* The phrase must start a word (not "this" inside "bathis"), and
           not one of a domain, an address, a path or an identifier
           ("rosa@example.com.mx. No" holds no title "Mx"). */
        if (cur > lo &&
            (is_alpha(b[cur - 1]) || is_digit(b[cur - 1]) || b[cur - 1] >= 0xC0 ||
             b[cur - 1] == '.' || b[cur - 1] == '@' || b[cur - 1] == '/' || b[cur - 1] == '_')) {
            continue;
        }
        switch (ph->kind) {
        case C_TITLE:
            if ((punct == 0 || punct == '.') && count <= 1) {
                return C_TITLE;
            }
            break;
        case C_LABEL:
            /* "Name: ..." takes any words; "Name Jane" as a holder;
               "id,Name,Kartennummer" is a header, no label. */
            if (punct == ':' || punct == '-') {
                return C_LABEL;
            }
            if (punct == 0) {
                return C_HOLDER;
            }
            break;
        case C_HOLDER:
            if (punct == 0 || punct == ':' || punct == '-') {
                return ph->kind;
            }
            break;
        case C_INTRO:
            if (punct == 0 || (punct == ',' && count == 1)) {
                return C_INTRO;
            }
            break;
        case C_GREET:
            /* "Hello, The app ..." starts a sentence after the comma. */
            if (punct == 0) {
                return C_GREET;
            }
            break;
        case C_RELATION:
            if (punct == 0 || (punct == ',' && count == 1)) {
                return ph->kind;
            }
            break;
        case C_SIGNOFF:
            /* "Danke. Kann man ..." starts a sentence after the stop. */
            if ((punct == 0 || punct == ',' || punct == '!' || punct == '\n' || punct == '-') &&
                count <= 3) {
                return C_SIGNOFF;
            }
            break;
        default:
            break;
        }
    }
    return C_NONE;
}

static int context_before(const veil__nview_t *v, size_t lo, size_t i)
{
    before_t wb;
    return context_before_read(v, lo, i, &wb);
}

/* ---- names ---- */

/* Does the clause end after <e>: punctuation, a line break, a quote, a
   value's end, or the text's end? */
static int clause_ends(const veil__nview_t *v, size_t e)
{
    const unsigned char *b = v->b;
    size_t from = e;
    while (e < v->n && e - from < 8 && (b[e] == ' ' || b[e] == '+')) {
        e++;
    }
    if (e + 2 < v->n && b[e] == '%' && b[e + 1] == '2' && b[e + 2] == '0') {
        return 0; /* an escaped space: the clause goes on */
    }
    if (e >= v->n) {
        return 1;
    }
    unsigned char c = b[e];
    if (c == '%') {
        /* Any escape but a space's ends it, and so does a '%' that the
           bytes end within two bytes of (no escape): read as the end of
           the clause whether the bytes after the value are there or not
           (a scan in pieces reached the end there, a whole scan read on
           into the next value's bytes). The pass decides before the end
           only with a look-ahead of bytes after the name. */
        return !(e + 2 < v->n && b[e + 1] == '2' && b[e + 2] == '0');
    }
    return c == ',' || c == '.' || c == '!' || c == '?' || c == ':' || c == ';' || c == '\n' ||
           c == '\r' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '(' || c == ')' ||
           c == '&' || c == '\\' || c == VEIL__DELIM || c == '}' || c == ']' || c == '|' ||
           (c == 0xE3 && e + 1 < v->n && b[e + 1] == 0x80); /* CJK punctuation */
}

/* " here" after <e>, as in "Jane Doe here." */
static int here_after(const veil__nview_t *v, size_t e)
{
    return e + 5 <= v->n && (v->b[e] == ' ' || v->b[e] == '+') &&
           memcmp(v->b + e + 1, "here", 4) == 0 && (e + 5 == v->n || !is_alpha(v->b[e + 5]));
}

/*
 * name_at(): the name starting with the capitalised word <w1>; returns
 * the end of the name (0: none, SIZE_MAX: needs more bytes).
 */
static size_t name_at(const veil__nview_t *v, size_t lo, const veil__word_t *w1, size_t *start,
                      veil__word_t *follower)
{
    const unsigned char *b = v->b;
    size_t nw = 1, end = w1->e;
    /* known: a word the dictionary has that is no common word. */
    int known = w1->flags != 0 && !(w1->flags & VEIL__NAME_WORD);
    int given = (w1->flags & VEIL__NAME_GIVEN) && !(w1->flags & VEIL__NAME_WORD);

    if (is_stop(w1)) {
        return 0;
    }
    /* The capitalised words that follow, one space apart (particles
       between them). */
    size_t p = w1->e;
    while (nw < SEQ_MAX) {
        size_t q = p;
        if (q < v->n && (b[q] == ' ' || b[q] == '+')) {
            q++;
        } else if (q + 1 < v->n && b[q] == 0xC2 && b[q + 1] == 0xA0) {
            q += 2;
        } else if (q + 2 < v->n && b[q] == '%' && b[q + 1] == '2' && b[q + 2] == '0') {
            q += 3;
        } else if (q + 2 >= v->n && !v->final) {
            return SIZE_MAX;
        } else {
            break;
        }
        if (q >= v->n) {
            if (!v->final) {
                return SIZE_MAX;
            }
            break;
        }
        veil__word_t x;
        int r = veil__nword(v, q, &x);
        if (r == VEIL__NWORD_DEFER) {
            return SIZE_MAX;
        }
        if (r == 1 && p == w1->e) {
            *follower = x; /* the pass's next word, when this is no name */
        }
        if (r == 0 || x.e - w1->s > NAME_SPAN) {
            break;
        }
        if (x.cap && is_particle_folded(&x) && nw < SEQ_MAX) {
            p = x.e; /* Di Rocco, De Luca, Van Dijk: a particle written capital */
            continue;
        }
        if (x.cap) {
            /* A common word that is no surname starts the next clause
               ("Nombre: Ana Ruiz El pago ..."). */
            if (is_stop(&x) || ((x.flags & VEIL__NAME_WORD) && !(x.flags & VEIL__NAME_SURNAME))) {
                break;
            }
            nw++;
            known |= x.flags != 0 && !(x.flags & VEIL__NAME_WORD);
            end = x.e;
            p = x.e;
            continue;
        }
        if (!is_particle(&x)) {
            break;
        }
        p = x.e; /* a particle: a capitalised word must follow */
    }
    /* Particles before the first capitalised word belong to the name when
       a context precedes them: "Geachte heer de Koning". */
    size_t s0 = w1->s;
    before_t wb;
    wb.e = SIZE_MAX;
    wb.at = SIZE_MAX;
    int ctx = context_before_read(v, lo, s0, &wb);
    for (int k = 0; k < 2 && ctx == C_NONE && s0 > lo + 1 && v->b[s0 - 1] == ' '; k++) {
        /* The word before the space, which context_before_read() read
           when the space was the whole gap. */
        char fbuf[WORD_MAX];
        const char *f = fbuf;
        size_t fl, ps;
        if (k == 0 && wb.e == s0 - 1) {
            ps = wb.ws;
            fl = wb.fl;
            f = wb.f;
        } else {
            ps = word_before(v->b, lo, s0 - 1, fbuf, &fl);
        }
        veil__word_t pw;
        if (ps == SIZE_MAX || fl > sizeof(pw.f) || is_alpha(v->b[ps]) == 0 ||
            (v->b[ps] >= 'A' && v->b[ps] <= 'Z')) {
            break;
        }
        memcpy(pw.f, f, fl);
        pw.len = (uint8_t)fl;
        pw.h = h32(f, fl);
        if (!is_particle_folded(&pw)) {
            break;
        }
        s0 = ps;
        ctx = context_before(v, lo, s0);
    }
    if (ctx == C_NONE) {
        s0 = w1->s;
    }
    *start = s0;
    int ends = clause_ends(v, end);
    int ok = 0;

    switch (ctx) {
    case C_TITLE:
    case C_LABEL:
        ok = 1;
        break;
    case C_INTRO:
    case C_RELATION:
        ok = known || nw >= 2 || (ends && !(w1->flags & VEIL__NAME_WORD));
        break;
    case C_HOLDER:
        ok = known || nw >= 2;
        break;
    case C_GREET:
    case C_SIGNOFF:
        /* A common word must end the clause ("Hi Will,"). */
        ok = known || ends;
        break;
    default: {
        /* No context: a given name that is no common word, and at least
           one more capitalised word; or a signature after a dash at the
           clause's end ("- Homer"), or "Jane Doe here". */
        int punct, count;
        if (wb.at == w1->s) {
            punct = wb.punct; /* read by context_before_read() */
            count = wb.count;
        } else {
            gap_before(v->b, lo, w1->s, &punct, &count);
        }
        ok = (given && nw >= 2) ||
             (punct == '-' && count == 1 && ends && (known || !(w1->flags & VEIL__NAME_WORD))) ||
             ((known || nw >= 2) && here_after(v, end));
        break;
    }
    }
    return ok ? end : 0;
}

/* ---- names in Japanese script ---- */

/*
 * Japanese names have no capitals and no spaces around them; they are
 * found by the words around a run of kanji or katakana:
 *   - an honorific after it: 様, さん, 殿 (not after ご or お: ご担当者様);
 *   - a label before it: 氏名：, 名前：, 名前は, 連絡先：, 名義：, 担当：;
 *   - a relation before it: 母の, 父の, 娘の, 息子の, 妻の, 夫の;
 *   - a sentence start before it and です or と申します after it;
 *   - a signature: the whole last line after a sentence's 。.
 * The run is one to six characters, or two runs one space apart (a family
 * name and a given name).
 */

/* A kanji, katakana or the iteration mark 々 at <i> (three bytes). */
static int cjk_name_char(const veil__nview_t *v, size_t i)
{
    const unsigned char *b = v->b;
    if (i + 2 >= v->n) {
        return 0;
    }
    unsigned c0 = b[i], c1 = b[i + 1], c2 = b[i + 2];
    if ((c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80) {
        return 0;
    }
    if (c0 >= 0xE4 && c0 <= 0xE9) {
        /* U+4000..U+9FFF, but 様 and 殿, which follow names */
        return !(c0 == 0xE6 && ((c1 == 0xA7 && c2 == 0x98) || (c1 == 0xAE && c2 == 0xBF)));
    }
    if (c0 == 0xE3) {
        unsigned cp = ((c1 & 0x3Fu) << 6) | (c2 & 0x3Fu); /* U+3000 + cp */
        return (cp >= 0xA1 && cp <= 0xFA) || cp == 0xFC || cp == 0x05;
    }
    return 0;
}

static int bytes_before(const unsigned char *b, size_t lo, size_t p, const char *s)
{
    size_t n = strlen(s);
    return p - lo >= n && memcmp(b + p - n, s, n) == 0;
}

static int bytes_at(const veil__nview_t *v, size_t p, const char *s)
{
    size_t n = strlen(s);
    return v->n - p >= n && memcmp(v->b + p, s, n) == 0;
}

/* The end of the run of name characters at <i>. */
static size_t cjk_run(const veil__nview_t *v, size_t i)
{
    size_t e = i;
    while (e < v->n && e - i < 3 * 8 && cjk_name_char(v, e)) {
        e += 3;
    }
    return e;
}

/* After one space (ASCII or U+3000) at <p>, or <p>. */
static size_t cjk_space(const veil__nview_t *v, size_t p)
{
    if (p < v->n && v->b[p] == ' ') {
        return p + 1;
    }
    return bytes_at(v, p, "\xE3\x80\x80") ? p + 3 : p;
}

/* Does a line, a value or the text end at <p>? */
static int cjk_line_ends(const veil__nview_t *v, size_t p)
{
    const unsigned char *b = v->b;
    if (p < v->n && b[p] == ' ') {
        p++;
    }
    return p >= v->n || b[p] == '\n' || b[p] == '\r' || b[p] == VEIL__DELIM || b[p] == '"' ||
           b[p] == ',' || b[p] == ';' || (b[p] == '\\' && p + 1 < v->n && b[p + 1] == 'n');
}

/* A hiragana at <p>. */
static int cjk_hiragana(const veil__nview_t *v, size_t p)
{
    const unsigned char *b = v->b;
    return p + 2 < v->n && b[p] == 0xE3 &&
           ((b[p + 1] == 0x81 && b[p + 2] >= 0x81) || (b[p + 1] == 0x82 && b[p + 2] <= 0x96));
}

/* The particles and copulas that follow a name: の, は, が, と, に, で(す),
   も, へ, さ(ん). A kana other than these continues a word (新しい). */
static int cjk_particle(const veil__nview_t *v, size_t p)
{
    static const char *const after[] = {
        "\xE3\x81\xAE", "\xE3\x81\xAF", "\xE3\x81\x8C", "\xE3\x81\xA8", "\xE3\x81\xAB",
        "\xE3\x81\xA7", "\xE3\x82\x82", "\xE3\x81\xB8", "\xE3\x81\x95",
    };
    for (size_t k = 0; k < sizeof(after) / sizeof(after[0]); k++) {
        if (bytes_at(v, p, after[k])) {
            return 1;
        }
    }
    return 0;
}

/* The name starting at the run <i>; its end, or 0. */
static size_t cjk_name_at(const veil__nview_t *v, size_t lo, size_t i)
{
    const unsigned char *b = v->b;
    size_t e = cjk_run(v, i), e2 = e;
    if (e == i || e - i > 3 * 6) {
        return 0;
    }
    /* A second run after one space: a family name and a given name of
       one to three characters each, the second not the start of a word
       written on in kana (新しい, 誤って). */
    size_t q = cjk_space(v, e);
    if (q > e && e - i <= 3 * 3) {
        size_t r = cjk_run(v, q);
        if (r > q && r - q <= 3 * 3 && (!cjk_hiragana(v, r) || cjk_particle(v, r))) {
            e2 = r;
        }
    }
    /* What comes before. */
    size_t p = i;
    while (p > lo && (b[p - 1] == ' ' || b[p - 1] == '\t')) {
        p--;
    }
    if (bytes_before(b, lo, p, "\xE3\x80\x80")) {
        p -= 3;
    }
    static const char *const labels[] = {
        "\xE6\xB0\x8F\xE5\x90\x8D\xEF\xBC\x9A",             /* 氏名： */
        "\xE6\xB0\x8F\xE5\x90\x8D:",                        /* 氏名: */
        "\xE5\x90\x8D\xE5\x89\x8D\xEF\xBC\x9A",             /* 名前： */
        "\xE5\x90\x8D\xE5\x89\x8D\xE3\x81\xAF",             /* 名前は */
        "\xE9\x80\xA3\xE7\xB5\xA1\xE5\x85\x88\xEF\xBC\x9A", /* 連絡先： */
        "\xE5\x90\x8D\xE7\xBE\xA9\xEF\xBC\x9A",             /* 名義： */
        "\xE6\x8B\x85\xE5\xBD\x93\xEF\xBC\x9A",             /* 担当： */
        "\xE6\xAF\x8D\xE3\x81\xAE",                         /* 母の */
        "\xE7\x88\xB6\xE3\x81\xAE",                         /* 父の */
        "\xE5\xA8\x98\xE3\x81\xAE",                         /* 娘の */
        "\xE6\x81\xAF\xE5\xAD\x90\xE3\x81\xAE",             /* 息子の */
        "\xE5\xA6\xBB\xE3\x81\xAE",                         /* 妻の */
        "\xE5\xA4\xAB\xE3\x81\xAE",                         /* 夫の */
    };
    for (size_t k = 0; k < sizeof(labels) / sizeof(labels[0]); k++) {
        if (bytes_before(b, lo, p, labels[k])) {
            return e2;
        }
    }
    int after_o = bytes_before(b, lo, i, "\xE3\x81\x94") || bytes_before(b, lo, i, "\xE3\x81\x8A");
    /* An honorific after the name (on the first run). */
    if (!after_o && (bytes_at(v, e, "\xE6\xA7\x98") || bytes_at(v, e, "\xE6\xAE\xBF") ||
                     bytes_at(v, e, "\xE3\x81\x95\xE3\x82\x93"))) {
        return e;
    }
    if (after_o) {
        return 0;
    }
    int punct, count;
    size_t g = gap_before(b, lo, i, &punct, &count);
    int sentence = g == lo || b[g - 1] == VEIL__DELIM || b[g - 1] == '"' ||
                   bytes_before(b, lo, g, "\xE3\x80\x82") /* 。 */ ||
                   bytes_before(b, lo, g, "\xE6\xA7\x98") /* 様 */ || punct == '\n';
    /* After a greeting: 様, おります。 (お世話になっております), こんにちは。 */
    int greeted =
        bytes_before(b, lo, g, "\xE6\xA7\x98") ||
        bytes_before(b, lo, g, "\xE3\x81\x8A\xE3\x82\x8A\xE3\x81\xBE\xE3\x81\x99\xE3\x80\x82") ||
        bytes_before(b, lo, g, "\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF\xE3\x80\x82");
    /* と申します ("my name is") after a sentence; です after a greeting. */
    static const char *const moushi = "\xE3\x81\xA8\xE7\x94\xB3\xE3\x81\x97";
    static const char *const desu = "\xE3\x81\xA7\xE3\x81\x99";
    if ((sentence && bytes_at(v, e2, moushi)) || (greeted && bytes_at(v, e2, desu))) {
        return e2;
    }
    if ((sentence && bytes_at(v, e, moushi)) || (greeted && bytes_at(v, e, desu))) {
        return e;
    }
    /* A signature: the last line, after a sentence or a line break (the
       break is in the gap: wherever the view starts, a value judged alone
       or the text layer's buffer with the key before it). Not 以上 ("that
       is all") nor 敬具 ("sincerely"), which end letters too. */
    if (sentence && (bytes_before(b, lo, g, "\xE3\x80\x82") || punct == '\n') &&
        cjk_line_ends(v, e2) && !bytes_at(v, i, "\xE4\xBB\xA5\xE4\xB8\x8A") &&
        !bytes_at(v, i, "\xE6\x95\xAC\xE5\x85\xB7")) {
        return e2;
    }
    /* A Latin context word before the run ("customer 山田太郎"). */
    int ctx = context_before(v, lo, i);
    if (ctx == C_TITLE || ctx == C_LABEL || ctx == C_HOLDER || ctx == C_INTRO || ctx == C_SIGNOFF) {
        return e2;
    }
    return 0;
}

/* ---- CSV columns ---- */

/*
 * A CSV table in text (an export, a log attachment): a header row of keys
 * separated by ',' or ';', rows after it until a blank line. A column whose
 * key names a person (first_name, Nachname, "name" with a value that reads
 * like one) or an address holds one in each row, whatever the words.
 */
#define CSV_LINE_MAX 4096

static inline int csv_key_char(unsigned c)
{
    return is_alpha(c) || is_digit(c) || c == '_' || c == '-' || c == ' ' || c == '.' || c >= 0x80;
}

/* The header row at <L>: 1 when it is one (the state set), 0 when not,
   -1 when it needs bytes past the view. *end: the line's end. */
static int csv_header(veil__nview_t *v, size_t L, size_t *end)
{
    const unsigned char *b = v->b;
    size_t e = L, commas = 0, semis = 0, cell = 0;
    if (!(is_alpha(b[L]) || b[L] == '"' || b[L] == '_' || b[L] >= 0xC3)) {
        return 0; /* a header starts with its first key */
    }
    /* Most lines are prose: the first byte no key has, or a cell longer
       than a key, tells without reading the whole line. */
    while (e < v->n && b[e] != '\n' && b[e] != VEIL__DELIM && e - L < 512) {
        unsigned c = b[e];
        if (c == ',' || c == ';') {
            commas += c == ',';
            semis += c == ';';
            cell = 0;
        } else if ((!csv_key_char(c) && c != '"' && c != '\r') || ++cell > 42) {
            return 0;
        }
        e++;
    }
    if (e >= v->n && !v->final) {
        return -1;
    }
    *end = e;
    if (e - L >= 512 || (commas == 0 && semis == 0)) {
        return 0;
    }
    unsigned char sep = semis > commas ? ';' : ',';
    struct veil__csv c = {0, 0, 0, 0, 1, sep, 1};
    size_t col = 0, p = L;
    int any = 0;
    while (p <= e && col < 64) {
        size_t q = p;
        while (q < e && b[q] != sep) {
            q++;
        }
        size_t a = p, z = q;
        if (z > a && b[z - 1] == '\r') {
            z--;
        }
        if (z - a >= 2 && b[a] == '"' && b[z - 1] == '"') {
            a++, z--;
        }
        if (z == a || z - a > 40) {
            return 0;
        }
        for (size_t k = a; k < z; k++) {
            if (!csv_key_char(b[k])) {
                return 0;
            }
        }
        int cls = veil__key_class((const char *)b + a, z - a);
        if (cls == VEIL_D_PERSON_NAME) {
            c.name |= 1ull << col;
            if (z - a == 4 && (b[a] | 0x20) == 'n' && (b[a + 1] | 0x20) == 'a') {
                c.plain |= 1ull << col;
            }
            any = 1;
        } else if (cls == VEIL_D_ADDRESS) {
            c.addr |= 1ull << col;
            any = 1;
        }
        col++;
        p = q + 1;
    }
    if (!any || col < 2) {
        return 0;
    }
    v->t->csv = c;
    return 1;
}

/* A name cell: capitalised words (a known one under a plain "name"), or
   kanji and kana. */
static int csv_name_cell(const veil__nview_t *v, size_t a, size_t z, int plain)
{
    const unsigned char *b = v->b;
    if (z == a || z - a > 80) {
        return 0;
    }
    if (b[a] >= 0xE3) {
        return cjk_name_char(v, a);
    }
    if (!veil__name_like((const char *)b + a, z - a) && (plain || z - a < 2)) {
        return 0;
    }
    veil__nview_t cell = *v;
    cell.n = z;
    cell.final = 1;
    int known = 0, capital = 0;
    for (size_t p = a; p < z;) {
        veil__word_t w;
        if (veil__nword(&cell, p, &w) == 1) {
            known |= w.flags != 0;
            capital |= w.cap;
            p = w.e;
        } else {
            if (is_digit(b[p]) || b[p] == '@') {
                return 0;
            }
            p++;
        }
    }
    return plain ? known : capital;
}

/* The row at <L>: its cells under name and address columns reported.
   Returns the row's end, or SIZE_MAX when it needs bytes past the view. */
static size_t csv_row(veil__nview_t *v, size_t L)
{
    const unsigned char *b = v->b;
    const struct veil__csv *c = &v->t->csv;
    size_t p = L, col = 0;
    for (;;) {
        size_t a = p, z, next;
        if (p < v->n && b[p] == '"') {
            size_t q = p + 1;
            for (;;) {
                if (q >= v->n) {
                    if (!v->final && q - L < CSV_LINE_MAX) {
                        return SIZE_MAX;
                    }
                    return q;
                }
                if (b[q] == '"') {
                    if (q + 1 < v->n && b[q + 1] == '"') {
                        q += 2;
                        continue;
                    }
                    if (q + 1 >= v->n && !v->final) {
                        return SIZE_MAX;
                    }
                    break;
                }
                if (b[q] == VEIL__DELIM || q - L >= CSV_LINE_MAX) {
                    return q;
                }
                q++;
            }
            a = p + 1;
            z = q;
            next = q + 1;
        } else {
            size_t q = p;
            while (q < v->n && b[q] != c->sep && b[q] != '\n' && b[q] != VEIL__DELIM &&
                   q - L < CSV_LINE_MAX) {
                q++;
            }
            if (q >= v->n && !v->final) {
                return SIZE_MAX;
            }
            a = p;
            z = q > a && b[q - 1] == '\r' ? q - 1 : q;
            next = q;
        }
        if (col < 64) {
            uint64_t bit = 1ull << col;
            if ((c->name & bit) && csv_name_cell(v, a, z, (c->plain & bit) != 0)) {
                veil__nreport(v, a, z, VEIL_D_PERSON_NAME);
            } else if ((c->addr & bit) && veil__address_like((const char *)b + a, z - a)) {
                veil__nreport(v, a, z, VEIL_D_ADDRESS);
            }
        }
        col++;
        if (next < v->n && b[next] == c->sep) {
            p = next + 1;
            continue;
        }
        return next;
    }
}

/* At the start of a line <L> of the text layer: a header, a row, or a
   blank line that ends the table. SIZE_MAX: needs more bytes. */
static size_t csv_line(veil__nview_t *v, size_t L)
{
    struct veil__text *t = v->t;
    const unsigned char *b = v->b;
    if (L >= v->n) {
        return v->final ? L : SIZE_MAX;
    }
    if (b[L] == '\n' || b[L] == '\r' || b[L] == VEIL__DELIM) {
        t->csv.on = 0;
        return L;
    }
    if (t->csv.on) {
        size_t e = csv_row(v, L);
        if (e != SIZE_MAX) {
            t->csv.row_end = t->base + e;
        }
        return e;
    }
    /* A table starts at the stream's first line or after a blank line
       (as csv_columns.c reads them): the lines of a log or a mail head
       ("Host: ...") are no header to try. The pass keeps VEIL__LOOKBEHIND
       bytes before it, so the line before is in the buffer. */
    if (t->base + L > 1 && !(L >= 2 && b[L - 2] == '\n') &&
        !(L >= 3 && b[L - 2] == '\r' && b[L - 3] == '\n')) {
        return L;
    }
    size_t e;
    int h = csv_header(v, L, &e);
    return h < 0 ? SIZE_MAX : L;
}

/* ---- the pass ---- */

/* After these a digit starts no house number: times, dates, versions,
   paths, key=value (its value is the key's business), ids. */
#ifdef __SSE2__
/* Bytes of <x> in [lo, lo + count). */
static inline __m128i in_range(__m128i x, unsigned char lo, unsigned char count)
{
    __m128i d = _mm_sub_epi8(x, _mm_set1_epi8((char)lo));
    return _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8((char)(count - 1))), d);
}

static inline __m128i eq(__m128i x, char c)
{
    return _mm_cmpeq_epi8(x, _mm_set1_epi8(c));
}
#endif

typedef struct {
    size_t base; /* the first of the blocks the masks are of; SIZE_MAX: none */
    uint64_t mask[VEIL__NMASK_BLOCKS];
    uint64_t nl[VEIL__NMASK_BLOCKS]; /* every newline (with lines) */
    void (*mask_of)(const unsigned char *, size_t, size_t, int, int, veil__ncarry_t *, uint64_t *,
                    uint64_t *);
    int room;             /* the text layer's buffer (simd.h) */
    veil__ncarry_t carry; /* names_mask.h */
    /* The 64 bytes of the last candidate: their first position (SIZE_MAX:
       none) and bits, so the next candidate in them is a shift away. */
    size_t at;
    uint64_t m, nl_bits;
} cblock_t;

/*
 * next_candidate(): the next candidate at or after <i>, from masks of
 * 512 bytes computed once (names_mask.h, on the scanner's SIMD level):
 * capitals, digits and the rest only where
 * the byte before is no letter or digit (or an escape or a non-ASCII byte
 * ends there), so that the capitals and digits inside ids, hashes and
 * camelCase words are never visited. Most candidates lie in the 64 bytes
 * of the one before (a candidate every 36 bytes of API text): those are a
 * shift and a count of the bits kept from it (next_candidate()); the
 * search across blocks and spans is next_candidate_far().
 */
static size_t next_candidate_far(cblock_t *c, const unsigned char *b, size_t i, size_t n, int lines,
                                 uint64_t nl_too)
{
    const size_t span = 64 * VEIL__NMASK_BLOCKS;
    while (i < n) {
        size_t base = i / span * span;
        if (c->base != base) {
            c->base = base;
            c->mask_of(b, base, n, lines, c->room, &c->carry, c->mask, c->nl);
        }
        size_t j = (i - base) / 64;
        uint64_t m = (c->mask[j] | (c->nl[j] & nl_too)) & (~0ull << (i % 64));
        while (m == 0 && ++j < VEIL__NMASK_BLOCKS) {
            m = c->mask[j] | (c->nl[j] & nl_too);
        }
        if (m != 0) {
            c->at = base + 64 * j;
            c->m = c->mask[j];
            c->nl_bits = c->nl[j];
            size_t k = c->at + (size_t)__builtin_ctzll(m);
            return k < n ? k : n;
        }
        i = base + span;
    }
    return n;
}

/* A house number's first test (addresses.c's number first form): up to
   five digits and a letter, a comma, a space (or '+', %20), a letter. */
static inline int number_then_word(const veil__nview_t *v, size_t i)
{
    const unsigned char *b = v->b;
    size_t q = i;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (i + 8 <= v->n) {
        /* The digits among eight bytes at once: a byte XOR '0' is below 10
           only for a digit, and adding 0x76 to its low seven bits sets its
           top bit otherwise (no carry leaves a byte). Half the candidates
           of API text are numbers that fail here. */
        uint64_t x;
        memcpy(&x, b + i, 8);
        uint64_t a = x ^ 0x3030303030303030ull;
        uint64_t non =
            (((a & 0x7f7f7f7f7f7f7f7full) + 0x7676767676767676ull) | a) & 0x8080808080808080ull;
        q = i + (non != 0 ? (size_t)__builtin_ctzll(non) / 8 : 8);
    } else
#endif
    {
        while (q < v->n && q - i < 6 && is_digit(b[q])) {
            q++;
        }
    }
    if (q - i > 5 || q + 2 >= v->n) {
        return 0;
    }
    q += is_alpha(b[q]) != 0;
    q += q < v->n && b[q] == ',';
    if (q + 1 >= v->n) {
        return 0;
    }
    if (b[q] == ' ' || b[q] == '+') {
        q++;
    } else if (q + 3 < v->n && b[q] == '%' && b[q + 1] == '2' && b[q + 2] == '0') {
        q += 3;
    } else {
        return 0;
    }
    return q < v->n && (is_alpha(b[q]) || b[q] >= 0xC3 || b[q] == '%');
}

/* Are the bytes from <s> up to <e> all digits? */
static int digits_only(const unsigned char *b, size_t s, size_t e)
{
    while (s < e && is_digit(b[s])) {
        s++;
    }
    return s == e;
}

/*
 * next_candidate(): the next candidate at or after <i> that is worth the
 * pass's tests, with <*run> the start of the last digit run read. Two
 * kinds of candidate are ruled out as they are found, bit after bit of
 * one mask word, with no state but <*run> to keep: a digit that starts no
 * house number (counts, ids, timestamps: half the candidates of API text),
 * and a capital followed by a capital or a digit (an id, a code or an
 * acronym, not capitalised, so no name or street starts there, whatever
 * follows: veil__address_at() wants a capitalised word too). Together
 * four fifths of API text's candidates.
 */
static inline size_t next_candidate(cblock_t *c, const veil__nview_t *v, size_t i, int lines,
                                    int rows, size_t *run)
{
    const unsigned char *b = v->b;
    const size_t n = v->n;
    /* Inside a CSV table every newline starts a row; outside, only one
       after a line break can start a table (names_mask.h). */
    const uint64_t nl_too = rows ? ~0ull : 0;
    /* Read once: the stores below (*run, c) may alias the view for the
       compiler, which read both again at every digit. */
    const int addresses = v->addresses;
    /* a digit from here on waits for more bytes (not final) */
    const size_t wait_from = addresses && !v->final ? (n > 16 ? n - 16 : 0) : SIZE_MAX;
    /* (i before c->at wraps to a large d; before the first word, at is
       SIZE_MAX, d may be small, and m and nl_bits are 0) */
    size_t d = i - c->at;
    uint64_t m = d < 64 ? (c->m | (c->nl_bits & nl_too)) & (~0ull << d) : 0;
    for (;;) {
        if (m == 0) {
            /* Most often the next word of the span, every bit of it at or
               after <i> (a word holds a candidate every 36 bytes of API
               text): taken without the search's arithmetic. */
            size_t next = c->at + 64;
            if (c->at != SIZE_MAX && i <= next && next < n &&
                next - c->base < 64 * VEIL__NMASK_BLOCKS) {
                size_t j = (next - c->base) / 64;
                c->at = next;
                c->m = c->mask[j];
                c->nl_bits = c->nl[j];
                m = c->m | (c->nl_bits & nl_too);
                continue;
            }
            size_t k = next_candidate_far(c, b, i, n, lines, nl_too);
            if (k >= n) {
                return n;
            }
            m = (c->m | (c->nl_bits & nl_too)) & (~0ull << (k - c->at));
        }
        size_t k = c->at + (size_t)__builtin_ctzll(m);
        if (k >= n) {
            return n;
        }
        unsigned c0 = b[k];
        if (is_digit(c0)) {
            if (!(k > *run && is_digit(b[k - 1]) && digits_only(b, *run, k))) {
                /* (else: a digit after "%4" or "\\n" inside the run just
                   read) */
                if (k >= wait_from) {
                    return k; /* (the pass waits for more bytes) */
                }
                if (addresses && number_then_word(v, k)) {
                    return k;
                }
                *run = k;
            }
        } else if (!(c0 - 'A' < 26u && k + 1 < n &&
                     ((unsigned)b[k + 1] - 'A' < 26u || (unsigned)b[k + 1] - '0' < 10u))) {
            return k;
        }
        m &= m - 1;
        i = k + 1;
    }
}

/* Where the pass goes on when buffer position <i> lies in a span where
   no name or address starts: the span's end (or the next byte, where
   look-alikes made the buffer's offsets differ from the input's); 0 when
   it does not. The pass only moves forward, so spans behind it are
   passed for good. */
static size_t past_nonames(struct veil__text *t, size_t i)
{
    uint64_t x = veil__text_input_offset(t, t->base + i);
    while (t->nonames_at < t->nnonames && t->nonames[t->nonames_at][1] <= x) {
        t->nonames_at++;
    }
    if (t->nonames_at == t->nnonames || t->nonames[t->nonames_at][0] > x) {
        return 0;
    }
    uint64_t end = t->nonames[t->nonames_at][1];
    return t->nshr == 0 && end - t->shr_base - t->base > i ? end - t->shr_base - t->base : i + 1;
}

/* past_nonames() for a dry run's spans (offsets of the view's bytes). */
static size_t past_skips(veil__nview_t *v, size_t i)
{
    while (v->skip_at < v->nskip && v->skip[v->skip_at][1] <= i) {
        v->skip_at++;
    }
    if (v->skip_at == v->nskip || v->skip[v->skip_at][0] > i) {
        return 0;
    }
    return (size_t)v->skip[v->skip_at][1];
}

size_t veil__names_pass(veil__nview_t *v, size_t from)
{
    const unsigned char *b = v->b;
    /* Context is read at most a few words back, never past a value's
       delimiter: the buffer's start bounds it, and the text layer keeps
       VEIL__LOOKBEHIND bytes before the pass's position. */
    const size_t lo = 0;
    size_t i = from;
    size_t run = SIZE_MAX; /* the start of the last digit run read */
    /* The word right after the capitalised word name_at() last judged,
       which it read (when that word starts no name, most often the
       pass's next word: "Oxford" after "Cotton" in "Cotton Oxford
       Shirt"). */
    veil__word_t follower = {.s = SIZE_MAX};

    tables_ready();

    /* Lines (and CSV tables) only in plain text: a walker's values come
       with keys of their own (csv_columns.c decided which it is). */
    const int lines =
        v->t != NULL && (v->names || v->addresses) && v->t->csvcols.state != VEIL__CSV_OFF;
    if (lines && !v->t->csv.begun && v->t->base + from == 0) {
        /* The first line of a stream may be a CSV header. */
        size_t e = csv_line(v, 0);
        if (e == SIZE_MAX) {
            return 0;
        }
        v->t->csv.begun = 1;
    }
    int reference;
    const veil__kernels_t *k = v->t != NULL ? v->t->k : veil__simd_kernels(&reference);
    /* The text layer's buffer has zeroed room around it; a probe's value
       (no text) is read from padded copies. */
    /* (The masks are written before they are read: not zeroed here, at
       every value a JSON body's probe judges.) */
    cblock_t cb;
    cb.base = SIZE_MAX;
    cb.mask_of = k->names_mask;
    cb.room = v->t != NULL && v->b == v->t->buf;
    cb.carry.next = SIZE_MAX;
    cb.at = SIZE_MAX;
    cb.m = cb.nl_bits = 0;
    while (i < v->n && !(v->t == NULL && v->found)) {
        i = next_candidate(&cb, v, i, lines, lines && v->t->csv.on, &run);
        if (i >= v->n) {
            break;
        }
        if (b[i] == '\n') {
            if (v->t->base + i >= v->t->csv.row_end) {
                size_t e = csv_line(v, i + 1);
                if (e == SIZE_MAX) {
                    return i;
                }
            }
            i++;
            continue;
        }
        size_t past;
        if (v->t != NULL && v->t->nnonames != 0 && (past = past_nonames(v->t, i)) != 0) {
            i = past; /* no name or address starts here */
            continue;
        }
        if (v->t == NULL && v->nskip != 0 && (past = past_skips(v, i)) != 0) {
            i = past; /* (the same, in a dry run) */
            continue;
        }
        if (b[i] == '%') {
            /* A word may start with an escaped capital (%C3%93scar). */
            if (!v->final && v->n - i < LOOKAHEAD) {
                return i;
            }
            if (veil__nletter(v, i) != 6 || !veil__nword_start(b, i)) {
                i++;
                continue;
            }
        } else if (b[i] >= 0xE3) {
            if (!v->final && v->n - i < LOOKAHEAD) {
                return i;
            }
            if (v->names && cjk_name_char(v, i) && !(i >= 3 && cjk_name_char(v, i - 3))) {
                size_t e = cjk_name_at(v, lo, i);
                if (e != 0) {
                    veil__nreport(v, i, e, VEIL_D_PERSON_NAME);
                    i = e;
                    continue;
                }
                i = cjk_run(v, i);
                continue;
            }
            /* Past the character, but only a whole one: a lead byte alone
               (invalid UTF-8, or a value cut before the delimiter) must
               not swallow the next value's first letter. */
            i += i + 2 < v->n && (b[i + 1] & 0xC0) == 0x80 && (b[i + 2] & 0xC0) == 0x80 ? 3 : 1;
            continue;
        }
        if (!nword_start(b, i)) {
            i++; /* inside a word or a number */
            continue;
        }
        if (!v->final && v->n - i < LOOKAHEAD) {
            return i; /* a name or an address may need the bytes to come */
        }
        size_t next = i + 1;
        if (is_digit(b[i])) {
            /* (next_candidate() returns a digit only where
               number_then_word() holds, but for one it waits at) */
            if (v->addresses) {
                size_t s, e = veil__address_at(v, i, NULL, &s);
                if (e != 0) {
                    veil__nreport(v, s, e, VEIL_D_ADDRESS);
                    i = e;
                    continue;
                }
            }
            /* The run's other digits follow a digit, so the mask has no
               candidate among them but after an escape (below). */
            run = i;
            i = next;
            continue;
        }
        veil__word_t w;
        int r;
        if (follower.s == i && follower.e > i) {
            w = follower; /* read by name_at() as the last name's follower */
            r = 1;
        } else {
            r = nword_core(v, i, &w, 1);
        }
        if (r == VEIL__NWORD_DEFER) {
            return i;
        }
        if (r == 0) {
            i = next;
            continue;
        }
        next = w.e;
        if (v->addresses) {
            size_t s, e = veil__address_at(v, i, &w, &s);
            if (e != 0) {
                veil__nreport(v, s, e, VEIL_D_ADDRESS);
                i = e;
                continue;
            }
        }
        /* A name is followed by a space, punctuation or the end; not by
           '/', '_', '=', '@' ("Safari/605", "Jane_Doe", "Jane.Doe@"). */
        if (v->names && w.cap && w.len >= 2 &&
            !(w.e < v->n && (b[w.e] == '/' || b[w.e] == '_' || b[w.e] == '=' || b[w.e] == '@' ||
                             (b[w.e] == '.' && w.e + 1 < v->n &&
                              (is_alpha(b[w.e + 1]) || is_digit(b[w.e + 1])))))) {
            size_t s, e = name_at(v, lo, &w, &s, &follower);
            if (e == SIZE_MAX) {
                return i;
            }
            if (e != 0) {
                veil__nreport(v, s, e, VEIL_D_PERSON_NAME);
                next = e;
            }
        }
        i = next;
    }
    return i < v->n ? i : v->n;
}

/* Does b[s..e) hold a byte every name and address has: a letter, a byte
   >= 0x80 (another script's letter) or a '%' (an escaped letter)? A
   house number, the one candidate that is no letter, needs its street's
   name within a few bytes (number_then_word()). */
static int holds_letters(const unsigned char *b, size_t s, size_t e)
{
#ifdef __SSE2__
    for (; s + 16 <= e; s += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(b + s));
        __m128i letter = in_range(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 26);
        if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, x), eq(x, '%'))) != 0) {
            return 1;
        }
    }
#endif
    for (; s < e; s++) {
        if (is_alpha(b[s]) || b[s] >= 0x80 || b[s] == '%') {
            return 1;
        }
    }
    return 0;
}

void veil__names_run(struct veil__text *t, int final)
{
    const veil_engine_t *e = t->eng;
    veil__nview_t v = {
        t->buf, t->len, final, e->enabled[VEIL_D_PERSON_NAME], e->enabled[VEIL_D_ADDRESS], t, 0,
        NULL,   0,      0};
    if (!v.names && !v.addresses) {
        t->npos = t->len;
        return;
    }
    if (t->npos >= t->len) {
        return;
    }
    if (!final && t->len - t->npos < LOOKAHEAD) {
        /* Less than a look-ahead of bytes after where the pass stopped
           (it stops at the first name or address that may need the bytes
           to come): it would compute its mask up to here and stop again
           soon after, the same decisions a later run makes with more
           bytes. Fed a byte at a time, it ran for every byte and built a
           mask of up to 512 bytes each time. */
        return;
    }
    if (t->csvcols.state == VEIL__CSV_OFF && !holds_letters(t->buf, t->npos, t->len)) {
        /* Values without a letter (a JSON body's card numbers, amounts
           and dates): nothing starts in them. Outside CSV tables (whose
           rows the pass keeps count of at every newline), the pass is
           left out and goes on where it would wait for more bytes. */
        if (final || t->len - t->npos <= LOOKAHEAD) {
            t->npos = final ? t->len : t->npos;
        } else {
            t->npos = t->len - LOOKAHEAD;
        }
        return;
    }
    t->npos = veil__names_pass(&v, t->npos);
}

/* What a value holds, for the probe below (veil__names_may_hold()). */
enum {
    HOLD_SPACE = 1, /* a byte every name and address has before or inside
                       it: ' ', '+', '%' (%20), a line break, '\\' (an
                       escaped one), a two-byte lead >= C2 (a no-break
                       space), except in Japanese (a kanji's lead byte);
                       or the punctuation a context may end with right
                       before a name's first letter, with no space:
                       "Regards,!Jane", "Name:Maria" (gap_before()) */
    HOLD_RAW = 2,   /* a byte the text layer reads otherwise than the
                       raw value (>= 0x80, '%') */
    HOLD_HEAD = 4,  /* a byte a candidate of ASCII text starts on (A-Z,
                       0-9; names_mask.h) */
    HOLD_ALPHA = 8, /* a letter: every name and every street address has
                       one (a phone number or an amount has none) */
};

/* The punctuation gap_before() reads between a context and a name. */
static inline int gap_punct(unsigned c)
{
    return c == ',' || c == ':' || c == '!' || c == '.' || c == ';' || c == '-';
}

#ifdef __SSE2__
/* HOLD_* of the sixteen bytes <x>; <before> the byte before them (a
   punctuation byte there and a capital first counts as a gap). */
static inline unsigned holds16(__m128i x, unsigned before)
{
    __m128i pct = eq(x, '%');
    __m128i space = _mm_or_si128(_mm_or_si128(_mm_or_si128(eq(x, ' '), eq(x, '+')),
                                              _mm_or_si128(pct, in_range(x, 0xC2, 62))),
                                 _mm_or_si128(in_range(x, '\t', 5), eq(x, '\\')));
    __m128i upper = in_range(x, 'A', 26);
    __m128i head = _mm_or_si128(upper, in_range(x, '0', 10));
    __m128i alpha = _mm_or_si128(upper, in_range(x, 'a', 26));
    __m128i punct = _mm_or_si128(
        _mm_or_si128(_mm_or_si128(eq(x, ','), eq(x, ':')), _mm_or_si128(eq(x, '!'), eq(x, '.'))),
        _mm_or_si128(eq(x, ';'), eq(x, '-')));
    unsigned cap = (unsigned)_mm_movemask_epi8(_mm_or_si128(upper, in_range(x, 0xC3, 3)));
    unsigned glued = cap & ((unsigned)_mm_movemask_epi8(punct) << 1 | (unsigned)gap_punct(before));
    return (_mm_movemask_epi8(space) || glued ? HOLD_SPACE : 0) |
           (_mm_movemask_epi8(_mm_or_si128(x, pct)) ? HOLD_RAW : 0) |
           (_mm_movemask_epi8(head) ? HOLD_HEAD : 0) | (_mm_movemask_epi8(alpha) ? HOLD_ALPHA : 0);
}
#endif

/* HOLD_* of the <len> bytes at <s>, sixteen at a time: most JSON values
   are shorter than that, and are copied once into a vector's width
   instead of read byte by byte. */
static unsigned holds(const unsigned char *s, size_t len)
{
    unsigned h = 0;
#ifdef __SSE2__
    if (len < 16) {
        unsigned char pad[16] = {0}; /* NUL is in no class */
        memcpy(pad, s, len);
        return holds16(_mm_loadu_si128((const __m128i *)(const void *)pad), 0);
    }
    size_t k = 0;
    for (; k + 16 <= len && h != (HOLD_SPACE | HOLD_RAW | HOLD_HEAD | HOLD_ALPHA); k += 16) {
        h |= holds16(_mm_loadu_si128((const __m128i *)(const void *)(s + k)), k ? s[k - 1] : 0);
    }
    if (k < len) {
        /* the last sixteen bytes, overlapping the ones read */
        h |= holds16(_mm_loadu_si128((const __m128i *)(const void *)(s + len - 16)),
                     len > 16 ? s[len - 17] : 0);
    }
#else
    for (size_t k = 0; k < len; k++) {
        unsigned c = s[k];
        if (c == ' ' || c == '+' || c == '%' || c >= 0xC2 || (c >= '\t' && c <= '\r') ||
            c == '\\' ||
            (k > 0 && gap_punct(s[k - 1]) &&
             ((c >= 'A' && c <= 'Z') || (c >= 0xC3 && c <= 0xC5)))) {
            h |= HOLD_SPACE;
        }
        if (c >= 0x80 || c == '%') {
            h |= HOLD_RAW;
        }
        if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            h |= HOLD_HEAD;
        }
        if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
            h |= HOLD_ALPHA;
        }
    }
#endif
    return h;
}

/*
 * The probe's answers for values seen before. API traffic repeats its
 * values (the user agent of every event, the product names of a catalog,
 * enum words): the pass read each again at every occurrence, about a
 * thousand cycles for a user agent's fifteen capitalised words. A value
 * of up to PROBE_MAX bytes the pass found nothing in is kept, bytes and
 * all, in a small direct-mapped table per thread, and answered from it
 * next time (a whole compare, so no collision can answer for another
 * value). Only cleared values are kept: the callers ask only about
 * values every other detector has cleared already (no trigger byte, or
 * triggers the shortcuts rule out), so the table holds nothing veil would
 * not write unredacted into its body log; a value with a name is judged
 * again each time. The answer depends on the value and on which of the
 * two detectors are on (the pass reads nothing of the engine else, and
 * its dictionaries are built in), so both are part of the entry.
 */
#define PROBE_SLOTS 256
#define PROBE_MAX 200
typedef struct {
    uint16_t len; /* 0: empty */
    uint8_t what; /* 1: names, 2: addresses */
    unsigned char b[PROBE_MAX];
} probe_entry_t;
static _Thread_local probe_entry_t probe_cache[PROBE_SLOTS];

/* The slot of the <len> bytes at <s>. */
static inline size_t probe_slot(const unsigned char *s, size_t len)
{
    return (size_t)(veil__slot_hash(s, len) >> 56) % PROBE_SLOTS;
}

/* names_mask.h's glue bytes, after which a digit starts no word. */
static inline int is_glue(unsigned c)
{
    return c == ':' || c == '-' || c == '.' || c == '/' || c == '_' || c == '=' || c == '#';
}

#ifdef __SSE2__
/* The bytes of <x> in the range [lo, hi) of a vector (bytes with c - lo
   below hi - lo, unsigned), by a signed compare after a shift. */
static inline __m128i in_range16(__m128i x, unsigned char lo, unsigned char hi)
{
    return _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8((char)(0x80 - lo))),
                          _mm_set1_epi8((char)(0x80 + (hi - lo))));
}

/* no_candidate() for the sixteen bytes <x> (<valid>: which are the
   value's), <before> and <after> the bytes on either side (0: none). */
static inline int no_candidate16(__m128i x, unsigned valid, unsigned before, unsigned after)
{
    const __m128i cap = in_range16(x, 'A', 'Z' + 1), dig = in_range16(x, '0', '9' + 1);
    const __m128i low = in_range16(x, 'a', 'z' + 1);
    __m128i glue =
        _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(':')), _mm_cmpeq_epi8(x, _mm_set1_epi8('-')));
    glue = _mm_or_si128(glue, _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('.')),
                                           _mm_cmpeq_epi8(x, _mm_set1_epi8('/'))));
    glue = _mm_or_si128(glue, _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('_')),
                                           _mm_cmpeq_epi8(x, _mm_set1_epi8('='))));
    glue = _mm_or_si128(glue, _mm_cmpeq_epi8(x, _mm_set1_epi8('#')));
    const __m128i stop = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\\')),
                                      _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\n')),
                                                   _mm_cmpeq_epi8(x, _mm_set1_epi8('\r'))));
    const unsigned c = (unsigned)_mm_movemask_epi8(cap), d = (unsigned)_mm_movemask_epi8(dig);
    const unsigned w = c | d | (unsigned)_mm_movemask_epi8(low);
    const unsigned g = (unsigned)_mm_movemask_epi8(glue);
    const unsigned before_word = is_alpha(before) || is_digit(before);
    const unsigned before_glue = (unsigned)is_glue(before);
    const unsigned after_cd = after - 'A' < 26u || is_digit(after);
    const unsigned prev_word = (w << 1 | before_word) & 0xffff, prev_glue = g << 1 | before_glue;
    const unsigned next_cd = (c | d) >> 1 | after_cd << 15;
    const unsigned heads = (c & ~prev_word & ~next_cd) | (d & ~prev_word & ~prev_glue);
    return ((heads | (unsigned)_mm_movemask_epi8(stop)) & valid) == 0;
}
#endif

/*
 * no_candidate(): 1 when the pass, run over the ASCII value <s> alone (no
 * byte >= 0x80 and no '%': holds() said no HOLD_RAW), stops at no byte, so
 * finds nothing. Its candidates are names_mask.h's heads, a capital, or a
 * digit after no glue byte, where the byte before is no letter or digit
 * (none before the value's first byte), and newlines; next_candidate()
 * passes over a capital followed by a capital or a digit at once. A
 * backslash (an escape's head rules) or a line break sends the value to
 * the pass, as does any digit head (the house number test is the
 * pass's). Codes and ids joined by hyphens ("SKU-DRMP-97690",
 * "ORD-7Q2X") have a capital after punctuation, which holds() counts as
 * a gap a name may follow: the pass cost about 450 instructions to find
 * nothing in each. Sixteen bytes at a time, as holds().
 */
static int no_candidate(const unsigned char *s, size_t len)
{
#ifdef __SSE2__
    if (len < 16) {
        unsigned char pad[16] = {0}; /* NUL is in no class */
        memcpy(pad, s, len);
        return no_candidate16(_mm_loadu_si128((const __m128i *)(const void *)pad), (1u << len) - 1,
                              0, 0);
    }
    size_t k = 0;
    for (; k + 16 <= len; k += 16) {
        if (!no_candidate16(_mm_loadu_si128((const __m128i *)(const void *)(s + k)), 0xffff,
                            k ? s[k - 1] : 0, k + 16 < len ? s[k + 16] : 0)) {
            return 0;
        }
    }
    /* the last bytes: the sixteen at the end, the ones read before them
       out of the mask */
    return k == len ||
           no_candidate16(_mm_loadu_si128((const __m128i *)(const void *)(s + len - 16)),
                          0xffffu << (16 - (len - k)), len > 16 ? s[len - 17] : 0, 0);
#else
    int after_word = 0, after_glue = 0; /* the byte before: a letter or digit; glue */
    for (size_t k = 0; k < len; k++) {
        const unsigned c = s[k];
        if (c - 'A' < 26u) {
            if (!after_word) {
                const unsigned next = k + 1 < len ? s[k + 1] : 0;
                if (!(next - 'A' < 26u || is_digit(next))) {
                    return 0;
                }
            }
        } else if (is_digit(c)) {
            if (!after_word && !after_glue) {
                return 0;
            }
        } else if (c == '\\' || c == '\n' || c == '\r') {
            return 0;
        }
        after_word = is_alpha(c) || is_digit(c);
        after_glue = is_glue(c);
    }
    return 1;
#endif
}

int veil__names_may_hold(const veil_engine_t *e, const char *s, size_t len)
{
    return veil__names_may_hold_skip(e, s, len, NULL, 0);
}

int veil__names_may_hold_skip(const veil_engine_t *e, const char *s, size_t len,
                              const uint64_t (*skip)[2], size_t nskip)
{
    unsigned h = holds((const unsigned char *)s, len);
    if (!(h & HOLD_SPACE)) {
        return 0;
    }
    /* The text layer reads the value with its look-alikes replaced (a
       no-break space or an en dash, raw or %-escaped, text_scan.c) and
       CJK text with the bytes around it: the pass below reads the raw
       value alone, so a value with a non-ASCII byte or an escape goes to
       the text layer unjudged (fuzz_json found both: "Jane D\u2013oe",
       and "Jane Doe" after a kanji cut short). */
    if (h & HOLD_RAW) {
        return 1;
    }
    /* ASCII with no capital and no digit: no byte the pass starts on
       (lower-case prose, the common value); with no letter: no word a name
       or a street is made of (a phone number, an amount). */
    if (!(h & HOLD_HEAD) || !(h & HOLD_ALPHA)) {
        return 0;
    }
    veil__nview_t v = {(const unsigned char *)s,
                       len,
                       1,
                       e->enabled[VEIL_D_PERSON_NAME],
                       e->enabled[VEIL_D_ADDRESS],
                       NULL,
                       0,
                       skip,
                       nskip,
                       0};
    if ((!v.names && !v.addresses) || e->min_confidence > VEIL_CONF_MEDIUM ||
        no_candidate(v.b, len)) {
        return 0;
    }
    if (len > PROBE_MAX || nskip != 0) {
        /* (no cache: its entries are of values with no spans) */
        veil__names_pass(&v, 0);
        return v.found;
    }
    unsigned what = (v.names ? 1u : 0u) | (v.addresses ? 2u : 0u);
    probe_entry_t *c = &probe_cache[probe_slot(v.b, len)];
    if (c->len == len && c->what == what && memcmp(c->b, s, len) == 0) {
        return 0;
    }
    veil__names_pass(&v, 0);
    if (!v.found) {
        c->len = (uint16_t)len;
        c->what = (uint8_t)what;
        memcpy(c->b, s, len);
    }
    return v.found;
}
