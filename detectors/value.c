/*
 * Values of structured bodies. The walkers (JSON, form) call these with
 * decoded bytes and their raw offsets; the key decides how a value is
 * treated:
 *   - a sensitive key (password, card_number, email, ...): the whole raw
 *     value is one finding, whatever it looks like;
 *   - "name": held (up to VEIL__NAME_MAX bytes) until it is known whether
 *     it reads as a person's name ("Jane Doe") or not ("Widget Pro");
 *   - anything else: scanned as text with the key as context.
 */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "names.h"
#include "scanner.h"
#include "simd.h"
#include "triggers.h"
#include "wordlist.h"

static int is_plain_name_key(const char *key, size_t len)
{
    return len == 4 && (key[0] | 0x20) == 'n' && (key[1] | 0x20) == 'a' && (key[2] | 0x20) == 'm' &&
           (key[3] | 0x20) == 'e';
}

void veil__value_open(struct veil_scanner *s, const char *key, size_t key_len, int not_a_person,
                      uint64_t raw_start)
{
    veil__value_open_class(s, key_len ? veil__key_class(key, key_len) : -1, key, key_len, NULL, 0,
                           not_a_person, raw_start);
}

/* The context a value is scanned with: the key, then the sibling after a
   space when both fit (scanner.h). */
size_t veil__value_ctx(char ctx[VEIL__KEY_MAX], const char *key, size_t key_len,
                       const char *sibling, size_t sibling_len)
{
    size_t n = key_len < VEIL__KEY_MAX ? key_len : VEIL__KEY_MAX;

    if (n) {
        memcpy(ctx, key, n);
    }
    if (sibling_len && n + 1 + sibling_len <= VEIL__KEY_MAX) {
        ctx[n++] = ' ';
        memcpy(ctx + n, sibling, sibling_len);
        n += sibling_len;
    }
    return n;
}

/* Starts the text layer on the current value with its context. Built
   only when a value is really scanned, which most are not. */
static void scan_begin_ctx(struct veil_scanner *s)
{
    char ctx[VEIL__KEY_MAX];
    size_t n = veil__value_ctx(ctx, s->ctx_key, s->ctx_key_len, s->ctx_sib, s->ctx_sib_len);
    veil__scan_begin(s, ctx, n);
}

/* The key and sibling pointed to must stay as they are until the value
   closes (the walkers keep them in their frame or key buffer). */
void veil__value_open_class(struct veil_scanner *s, int cls, const char *key, size_t key_len,
                            const char *sibling, size_t sibling_len, int not_a_person,
                            uint64_t raw_start)
{
    s->value_raw = raw_start;
    s->field_det = cls;
    s->head_len = 0;
    s->value_dlen = 0;
    if (cls == VEIL_D_PERSON_NAME && is_plain_name_key(key, key_len) && not_a_person) {
        cls = -1;
    }
    s->ctx_key = key;
    s->ctx_key_len = key_len;
    s->ctx_sib = sibling;
    s->ctx_sib_len = sibling_len;
    s->name_len = 0;
    s->name_nseg = 0;
    if ((cls == VEIL_D_PERSON_NAME && is_plain_name_key(key, key_len)) || cls == VEIL_D_ADDRESS) {
        /* Held and judged whole: "name" names products too, and
           "address" IP and e-mail addresses. */
        s->mode = V_NAME;
        s->hold = raw_start;
    } else if (cls >= 0) {
        s->mode = V_FIELD;
        s->hold = raw_start;
    } else if (s->eng->custom_re == NULL) {
        /* Custom patterns may match anything, so only without them may a
           value be judged by its trigger bytes. */
        s->mode = V_LAZY;
        s->hold = raw_start;
    } else {
        s->mode = V_SCAN;
        scan_begin_ctx(s);
    }
}

int veil__value_names_judged(const struct veil_scanner *s, const char *v, size_t len)
{
    /* A plain "name" key judged no person's ("items[].name": a product):
       names.c leaves person names under name keys to this file, so the
       names pass could only find an address there, and every address has
       a house number. Without a byte that is or may become a digit (a
       full-width digit's bytes >= 0x80, an escape's '\\' or '%') the pass
       is not asked (fuzz_json: "Janepad 1o" under a product's "name" was
       an address on the byte-by-byte walk and not on the index's). */
    if (s->field_det != VEIL_D_PERSON_NAME || s->mode != V_LAZY) {
        return 0;
    }
    if (s->eng->enabled[VEIL_D_ADDRESS]) {
        for (size_t k = 0; k < len; k++) {
            unsigned char c = (unsigned char)v[k];
            if ((c >= '0' && c <= '9') || c >= 0x80 || c == '\\' || c == '%') {
                return 0;
            }
        }
    }
    return 1;
}

void veil__value_open_rule(struct veil_scanner *s, int action, uint64_t raw_start)
{
    s->value_raw = raw_start;
    s->field_det = VEIL__DET_RULE;
    s->rule_action = action;
    s->head_len = 0;
    s->value_dlen = 0;
    s->ctx_key_len = s->ctx_sib_len = 0;
    s->name_len = 0;
    s->name_nseg = 0;
    s->mode = V_FIELD;
    s->hold = raw_start;
}

/* A key of a structured body: scanned as text with no context, and held
   like a value while short. */
void veil__value_open_key(struct veil_scanner *s, uint64_t raw_start)
{
    s->value_raw = raw_start;
    s->field_det = -1;
    s->head_len = 0;
    s->value_dlen = 0;
    s->ctx_key_len = s->ctx_sib_len = 0;
    s->name_len = 0;
    s->name_nseg = 0;
    if (s->eng->custom_re == NULL) {
        s->mode = V_LAZY;
        s->hold = raw_start;
    } else {
        s->mode = V_SCAN;
        veil__scan_begin(s, NULL, 0);
    }
}

/* A held value that turned out to need scanning (too long, or a trigger
   byte, or a "name" that is no person's) goes to the text layer with the
   raw offsets its bytes came from. */
static void name_to_scan(struct veil_scanner *s)
{
    size_t off = 0;
    s->mode = V_SCAN;
    s->hold = UINT64_MAX;
    scan_begin_ctx(s);
    for (size_t k = 0; k < s->name_nseg; k++) {
        if (s->name_seg[k].dlen == s->name_seg[k].rlen) {
            veil__scan_plain(s, s->name + off, s->name_seg[k].dlen, s->name_seg[k].raw);
        } else {
            veil__scan_escape(s, s->name + off, s->name_seg[k].dlen, s->name_seg[k].raw,
                              s->name_seg[k].rlen);
        }
        off += s->name_seg[k].dlen;
    }
    s->name_len = 0;
    s->name_nseg = 0;
}

/* Holds <dlen> decoded bytes of a "name" value; 0 when they do not fit
   (the value is then too long to judge and is scanned instead). */
static int name_hold(struct veil_scanner *s, const char *dec, size_t dlen, uint64_t raw,
                     uint32_t rlen)
{
    if (s->name_len + dlen > sizeof(s->name)) {
        return 0;
    }
    if (s->name_nseg > 0 && dlen == rlen) {
        __typeof__(s->name_seg[0]) *last = &s->name_seg[s->name_nseg - 1];
        if (last->dlen == last->rlen && last->raw + last->rlen == raw) {
            last->dlen += (uint32_t)dlen;
            last->rlen += rlen;
            memcpy(s->name + s->name_len, dec, dlen);
            s->name_len += dlen;
            return 1;
        }
    }
    if (s->name_nseg == sizeof(s->name_seg) / sizeof(s->name_seg[0])) {
        return 0;
    }
    s->name_seg[s->name_nseg].raw = raw;
    s->name_seg[s->name_nseg].rlen = rlen;
    s->name_seg[s->name_nseg].dlen = (uint32_t)dlen;
    s->name_nseg++;
    memcpy(s->name + s->name_len, dec, dlen);
    s->name_len += dlen;
    return 1;
}

/* Sensitive values are reported in pieces of VEIL__FIELD_SPLIT raw bytes,
   so that a huge one does not pin the caller's buffer. */
static void field_split(struct veil_scanner *s, uint64_t raw_now)
{
    while (raw_now - s->value_raw >= VEIL__FIELD_SPLIT) {
        uint64_t cut = s->value_raw + VEIL__FIELD_SPLIT;
        veil__scan_field(s, s->value_raw, cut, s->field_det, 0);
        s->value_raw = cut;
        s->hold = cut;
    }
}

static void keep_head(struct veil_scanner *s, const char *dec, size_t len)
{
    size_t room = sizeof(s->head) - s->head_len;
    memcpy(s->head + s->head_len, dec, len < room ? len : room);
    s->head_len += len < room ? len : room;
}

/* A held value's bytes are in s->name; its head is copied from there only
   when it is needed (going to the text layer, or at the close). */
static void head_from_name(struct veil_scanner *s)
{
    size_t n = s->name_len < sizeof(s->head) ? s->name_len : sizeof(s->head);
    memcpy(s->head, s->name, n);
    s->head_len = n;
}

void veil__value_bytes(struct veil_scanner *s, const char *dec, size_t len, uint64_t raw)
{
    s->value_dlen += len;
    switch (s->mode) {
    case V_FIELD:
        keep_head(s, dec, len);
        field_split(s, raw + len);
        break;
    case V_NAME:
    case V_LAZY:
        if (name_hold(s, dec, len, raw, (uint32_t)len)) {
            break;
        }
        head_from_name(s);
        keep_head(s, dec, len);
        name_to_scan(s);
        veil__scan_plain(s, dec, len, raw);
        break;
    default:
        keep_head(s, dec, len);
        veil__scan_plain(s, dec, len, raw);
        break;
    }
}

void veil__value_escape(struct veil_scanner *s, const char *dec, size_t dlen, uint64_t raw,
                        uint32_t rlen)
{
    s->value_dlen += dlen;
    switch (s->mode) {
    case V_FIELD:
        keep_head(s, dec, dlen);
        field_split(s, raw + rlen);
        break;
    case V_NAME:
    case V_LAZY:
        if (name_hold(s, dec, dlen, raw, rlen)) {
            break;
        }
        head_from_name(s);
        keep_head(s, dec, dlen);
        name_to_scan(s);
        veil__scan_escape(s, dec, dlen, raw, rlen);
        break;
    default:
        keep_head(s, dec, dlen);
        veil__scan_escape(s, dec, dlen, raw, rlen);
        break;
    }
}

void veil__value_escapes(struct veil_scanner *s, const char *dec, size_t n, uint64_t raw,
                         uint32_t step)
{
    size_t k = 0;
    /* A held value takes them one by one (it holds 96 bytes at most, then
       scans); the rest go on as one run. */
    while (k < n && (s->mode == V_NAME || s->mode == V_LAZY)) {
        veil__value_escape(s, dec + k, 1, raw + (uint64_t)step * k, step);
        k++;
    }
    if (k == n) {
        return;
    }
    s->value_dlen += n - k;
    keep_head(s, dec + k, n - k);
    if (s->mode == V_FIELD) {
        field_split(s, raw + (uint64_t)step * n);
    } else {
        veil__scan_escapes(s, dec + k, n - k, raw + (uint64_t)step * k, step);
    }
}

/* A whole value on the allowlist is never a finding, field or not. */
static int value_allowed(struct veil_scanner *s)
{
    const veil_engine_t *e = s->eng;
    return (e->allow_values_count || e->allow_re_count) && s->value_dlen <= sizeof(s->head) &&
           veil__engine_allowed(e, s->text.md, s->head, (size_t)s->value_dlen);
}

/* Is a held value worth the text layer's time? Not without a trigger byte,
   nor as a JSON number of fewer than nine digits (no detector takes a bare
   number that short). */
static int number_worth(const char *v, size_t len);

static int worth_scanning(const struct veil_scanner *s, const char *v, size_t len, int json_number)
{
    const int trigger = s->text.k->has_trigger(v, len);
    if (json_number) {
        return trigger && number_worth(v, len);
    }
    /* (as veil__value_whole() judges a value it was handed whole: the
       text layer's shortcuts, unless this is the reference; and the
       names pass) */
    if (trigger && (s->text.reference ||
                    s->text.k->value_needs_scan(&s->text, (const unsigned char *)v, len))) {
        return 1;
    }
    return !veil__value_names_judged(s, v, len) && veil__names_may_hold(s->eng, v, len);
}

/* A held JSON number is scanned only with nine digits or more, or a byte
   no number has (the text layer would see a non-number token). */
static int number_worth(const char *v, size_t len)
{
    size_t digits = 0;
    for (size_t k = 0; k < len; k++) {
        char c = v[k];
        if (c >= '0' && c <= '9') {
            digits++;
        } else if (c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E') {
            return 1;
        }
    }
    return digits >= 9;
}

void veil__value_whole(struct veil_scanner *s, const char *v, size_t len, uint64_t raw,
                       uint64_t raw_end, unsigned flags, uint64_t trigger, int need)
{
    if (s->mode != V_LAZY) {
        veil__value_bytes(s, v, len, raw);
        veil__value_close(s, raw_end, flags);
        return;
    }
    /* What value_bytes() and value_close() do to a held value, without
       holding it: a value the text layer would find nothing in (no
       trigger byte, a short JSON number, or one the shortcuts clear) is
       never handed to it. */
    keep_head(s, v, len);
    s->value_dlen += len;
    /* need < 0: not judged yet, by the trigger bytes nor by names.c. */
    if (len > 0 && (!(flags & VEIL_FIND_JSON_BARE) || number_worth(v, len)) &&
        (need > 0 ||
         (need < 0 &&
          ((trigger != 0 && veil__triggers_matter((const unsigned char *)v, len, trigger) &&
            s->text.k->value_needs_scan(&s->text, (const unsigned char *)v, len)) ||
           (!(flags & VEIL_FIND_JSON_BARE) && !veil__value_names_judged(s, v, len) &&
            veil__names_may_hold(s->eng, v, len)))))) {
        scan_begin_ctx(s);
        veil__scan_plain(s, v, len, raw);
        veil__scan_end(s);
    }
    s->mode = V_SCAN;
    s->hold = UINT64_MAX;
    s->name_len = 0;
    s->name_nseg = 0;
}

/*
 * veil__value_is_mask(): whether a value under a sensitive key is already
 * a redaction placeholder or a masked value, not the data its key names.
 * Such a value is left as it is: redacting it again hides nothing and makes
 * a log that was already clean look as if it held personal data.
 *
 * - an absent value: null, nil, none, undefined, n/a;
 * - a placeholder word, bare or enclosed in [], <>, {}, () or runs of
 *   '*': [REDACTED], [FILTERED] (Rails' filter_parameters), <hidden>,
 *   <private> (Apple's unified log), ***REDACTED***,
 *   HIDDEN_DUE_TO_SECURITY_REASONS, and veil's own labels, hashes and
 *   placeholders ([EMAIL], [EMAIL:1f2e3d4c5b6a7988], [EMAIL_1]);
 * - mask characters ('*', '#', 'x' or 'X' alone, U+2022, U+25CF,
 *   U+2217) with separators and at most the digits a masked card number
 *   may show (PCI DSS: the first six and the last four): ****,
 *   **** **** **** 1111, 411111******1111, XXX-XX-1234, veil's own mask
 *   output (****@*******.***).
 *
 * <v> is the decoded value; with <pct>, %XX escapes and '+' are decoded
 * first (a form body read as text). Values longer than 96 bytes are not
 * masks.
 */
/* 2: a word that says a value was taken out; 1: one that does so only
   when enclosed (a bare "secret" may be the password itself). */
static int mask_word(const char *w, size_t n)
{
    static const struct {
        const char *word;
        uint8_t len, bare;
    } words[] = {
        {"redacted", 8, 2},
        {"filtered", 8, 2},
        {"hidden", 6, 2},
        {"masked", 6, 2},
        {"removed", 7, 2},
        {"omitted", 7, 2},
        {"censored", 8, 2},
        {"scrubbed", 8, 2},
        {"sanitized", 9, 2},
        {"sanitised", 9, 2},
        {"obfuscated", 10, 2},
        {"withheld", 8, 2},
        {"suppressed", 10, 2},
        /* enclosed only */
        {"private", 7, 1},
        {"protected", 9, 1},
        {"confidential", 12, 1},
        {"sensitive", 9, 1},
        {"secret", 6, 1},
        {"concealed", 9, 1},
    };
    if (n < 6 || n > 12) {
        return 0;
    }
    for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
        if (n != words[k].len || (w[0] | 0x20) != words[k].word[0]) {
            continue;
        }
        size_t j = 1;
        while (j < n && (w[j] | 0x20) == words[k].word[j]) {
            j++;
        }
        if (j == n) {
            return words[k].bare;
        }
    }
    return 0;
}

static int hexval_c(char ch)
{
    int c = (unsigned char)ch;
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int absent_word(const char *w, size_t n)
{
    static const veil__word_len_t words[] = {VEIL__WL("null"), VEIL__WL("nil"), VEIL__WL("none"),
                                             VEIL__WL("undefined"), VEIL__WL("n/a")};
    if (n < 3 || n > 9) {
        return 0;
    }
    for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
        size_t j = 0;
        if (n != words[k].len) {
            continue;
        }
        while (j < n && (w[j] | 0x20) == words[k].w[j]) {
            j++;
        }
        if (j == n) {
            return 1;
        }
    }
    return 0;
}

/* Words of letters joined by '_', '-' or ' ': a placeholder when one is a
   placeholder word (the first, when <bare>), or, enclosed in [] and
   upper case, any label ([EMAIL], [CREDIT_CARD_2], [EMAIL:1f2e...]). */
static int placeholder_words(const char *w, size_t n, int bare, int bracket)
{
    size_t k = 0;
    int upper = 1, any = 0, first = 1;

    if (n == 0 || n > 48) {
        return 0;
    }
    while (k < n) {
        size_t s = k;
        while (k < n && ((w[k] | 0x20) >= 'a' && (w[k] | 0x20) <= 'z')) {
            upper &= w[k] >= 'A' && w[k] <= 'Z';
            k++;
        }
        if (k == s) {
            return 0;
        }
        int mw = mask_word(w + s, k - s);
        if (bare ? first && mw == 2 : mw != 0) {
            any = 1;
        }
        first = 0;
        /* veil's hash form [LABEL:hex] and numbered placeholders
           [LABEL_1]: the rest after ':' is hex, a '_' may lead digits. */
        if (bracket && k < n && w[k] == ':') {
            size_t h = k + 1;
            while (h < n && ((w[h] >= '0' && w[h] <= '9') || (w[h] >= 'a' && w[h] <= 'f'))) {
                h++;
            }
            return h == n && h - k - 1 >= 8 && upper;
        }
        if (bracket && k + 1 < n && w[k] == '_' && w[k + 1] >= '0' && w[k + 1] <= '9') {
            size_t h = k + 1;
            while (h < n && w[h] >= '0' && w[h] <= '9') {
                h++;
            }
            return h == n && upper;
        }
        if (k < n) {
            if (!(w[k] == '_' || w[k] == '-' || w[k] == ' ') || k + 1 == n) {
                return 0;
            }
            k++;
        }
    }
    return any || (bracket && upper);
}

#ifdef __SSE2__
/* The constants of data_at_once(), from memory (see nmv_consts() in
   names_mask.h: built from a general register at every call otherwise). */
static const __m128i value_consts[15] = {
#define NC(c)                                                       \
    {                                                               \
        (long long)(0x0101010101010101ull * (unsigned char)(c)),    \
            (long long)(0x0101010101010101ull * (unsigned char)(c)) \
    }
    NC('0' - 1), NC('9' + 1), NC(' '),  NC('-'),     NC('.'),     NC('/'), NC('('), NC(')'),
    NC('+'),     NC(':'),     NC(0x20), NC('a' - 1), NC('z' + 1), NC('x'), NC('_'),
#undef NC
};

/*
 * 1 when the first 16 bytes of <v> already say it is data, not a mask, as
 * the first two tests of veil__value_is_mask() would after reading it
 * byte by byte: digits and the separators numbers are written with, a
 * digit among them (a value of up to 16 bytes); or a letter other than x
 * and a byte no placeholder word has, with no bracket, '*' or escape
 * first. DATA_LETTERS: a value of up to 16 bytes, every one an ASCII
 * letter (a key's one-word value: "tada", "thumbsup"), which
 * letters_mask() decides. 0: not decided here.
 */
enum {
    DATA_LETTERS = 2
};
static int data_at_once(const char *v, size_t len)
{
    const __m128i *k = value_consts;
    __asm__("" : "+r"(k));
    __m128i x;
    unsigned in = 0xffff;
    if (len >= 16) {
        x = _mm_loadu_si128((const __m128i *)(const void *)v);
    } else {
        char tmp[16] __attribute__((aligned(16))) = {0};
        memcpy(tmp, v, len);
        x = _mm_load_si128((const __m128i *)(const void *)tmp);
        in = (1u << len) - 1;
    }
    __m128i sp = _mm_cmpeq_epi8(x, k[2]), dash = _mm_cmpeq_epi8(x, k[3]);
    __m128i slash = _mm_cmpeq_epi8(x, k[5]), plus = _mm_cmpeq_epi8(x, k[8]);
    unsigned digits = (unsigned)_mm_movemask_epi8(
        _mm_and_si128(_mm_cmpgt_epi8(x, k[0]), _mm_cmplt_epi8(x, k[1])));
    if (len <= 16 && (digits & in) != 0) {
        __m128i sep = _mm_or_si128(
            _mm_or_si128(_mm_or_si128(sp, dash), _mm_or_si128(slash, plus)),
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, k[4]), _mm_cmpeq_epi8(x, k[6])),
                         _mm_or_si128(_mm_cmpeq_epi8(x, k[7]), _mm_cmpeq_epi8(x, k[9]))));
        if (((digits | (unsigned)_mm_movemask_epi8(sep)) & in) == in) {
            return 1;
        }
    }
    unsigned rest = in & ~(unsigned)_mm_movemask_epi8(sp);
    if (rest == 0) {
        return 0;
    }
    unsigned char c0 = (unsigned char)v[__builtin_ctz(rest)];
    if (c0 == '[' || c0 == '<' || c0 == '{' || c0 == '(' || c0 == '*' || c0 == '%') {
        return 0;
    }
    __m128i y = _mm_or_si128(x, k[10]);
    __m128i az = _mm_and_si128(_mm_cmpgt_epi8(y, k[11]), _mm_cmplt_epi8(y, k[12]));
    unsigned letters = (unsigned)_mm_movemask_epi8(_mm_andnot_si128(_mm_cmpeq_epi8(y, k[13]), az));
    __m128i plain = _mm_or_si128(
        _mm_or_si128(az, sp),
        _mm_or_si128(_mm_or_si128(dash, plus), _mm_or_si128(slash, _mm_cmpeq_epi8(x, k[14]))));
    unsigned other = ~((unsigned)_mm_movemask_epi8(plain) | (unsigned)_mm_movemask_epi8(x));
    if (len <= 16 && ((unsigned)_mm_movemask_epi8(az) & in) == in) {
        return DATA_LETTERS;
    }
    return (letters & in) != 0 && (other & in) != 0;
}

/* veil__value_is_mask() of a value of ASCII letters alone, as its steps
   below decide it: a word for an absent value, x's (three or more), or a
   placeholder word that stands bare ("redacted"). */
static int letters_mask(const char *w, size_t n)
{
    size_t xs = 0;
    for (size_t k = 0; k < n; k++) {
        xs += (w[k] | 0x20) == 'x';
    }
    return absent_word(w, n) || (xs == n && n >= 3) || mask_word(w, n) == 2;
}
#endif

int veil__value_is_mask(const char *v, size_t len, int pct)
{
    char buf[96];
    const char *src = v;
    size_t n = len;

    if (len > 3 * sizeof(buf)) {
        return 0;
    }
#ifdef __SSE2__
    int at_once = len > 0 ? data_at_once(v, len) : 0;
    if (at_once == DATA_LETTERS) {
        return letters_mask(v, len);
    }
    if (at_once) {
        return 0; /* as the two loops below would say */
    }
#endif
    /* Digits with separators only ("4111111111111111", "+1 415 555
       0100"): no mask character, no word, so no mask (the steps below
       would say so after reading it four times). */
    {
        size_t k = 0;
        int digit = 0;
        for (; k < len; k++) {
            unsigned char c = (unsigned char)v[k];
            if ((unsigned)(c - '0') < 10u) {
                digit = 1;
            } else if (!(c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')' ||
                         c == '+' || c == ':')) {
                break;
            }
        }
        if (k == len && digit) {
            return 0;
        }
    }
    /* Most values are data, seen at once: a letter (not x, which masks
       use) with a digit or punctuation no placeholder word has, and no
       bracket, '*' or escape in front ("hunter2", "jane@example.com"). */
    {
        size_t k = 0;
        while (k < len && v[k] == ' ') {
            k++;
        }
        unsigned char c0 = k < len ? (unsigned char)v[k] : 0;
        if (!(c0 == '[' || c0 == '<' || c0 == '{' || c0 == '(' || c0 == '*' || c0 == '%')) {
            int letter = 0, other = 0;
            for (; k < len && !(letter && other); k++) {
                unsigned char c = (unsigned char)v[k];
                unsigned l = (c | 0x20) - 'a';
                if (l < 26u) {
                    letter |= l != 'x' - 'a';
                } else if (!(c == ' ' || c == '_' || c == '-' || c == '+' || c == '/' ||
                             c >= 0x80)) {
                    other = 1;
                }
            }
            if (letter && other) {
                return 0;
            }
        }
    }
    if (pct && (memchr(v, '%', len) != NULL || memchr(v, '+', len) != NULL)) {
        n = 0;
        for (size_t k = 0; k < len; k++) {
            unsigned char c = (unsigned char)v[k];
            if (c == '%' && k + 2 < len && hexval_c(v[k + 1]) >= 0 && hexval_c(v[k + 2]) >= 0) {
                c = (unsigned char)(hexval_c(v[k + 1]) << 4 | hexval_c(v[k + 2]));
                k += 2;
            } else if (c == '+') {
                c = ' ';
            }
            if (n == sizeof(buf)) {
                return 0;
            }
            buf[n++] = (char)c;
        }
        src = buf;
    } else if (len > sizeof(buf)) {
        return 0;
    }
    /* Surrounding space is no part of it. */
    size_t s = 0, e = n;
    while (s < e && (src[s] == ' ' || src[s] == '\t')) {
        s++;
    }
    while (e > s && (src[e - 1] == ' ' || src[e - 1] == '\t')) {
        e--;
    }
    if (s == e) {
        return 1;
    }
    const char *w = src + s;
    n = e - s;
    if (absent_word(w, n)) {
        return 1;
    }
    /* Mask characters, separators and the digits a masked card shows. */
    {
        size_t masks = 0, xs = 0, digits = 0, k = 0;
        int ok = 1;
        while (k < n && ok) {
            unsigned char c = (unsigned char)w[k];
            if (c == '*' || c == '#') {
                masks++;
            } else if (c == 'x' || c == 'X') {
                xs++;
            } else if (c >= '0' && c <= '9') {
                digits++;
            } else if (c == 0xe2 && k + 2 < n &&
                       (((unsigned char)w[k + 1] == 0x80 && (unsigned char)w[k + 2] == 0xa2) ||
                        ((unsigned char)w[k + 1] == 0x97 && (unsigned char)w[k + 2] == 0x8f) ||
                        ((unsigned char)w[k + 1] == 0x88 && (unsigned char)w[k + 2] == 0x97))) {
                masks++; /* U+2022 bullet, U+25CF black circle, U+2217 asterisk */
                k += 2;
            } else if (!(c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')' ||
                         c == '+' || c == ':' || c == '@' || c == '_')) {
                ok = 0;
            }
            k++;
        }
        if (ok && masks + xs >= 3 && digits <= 10 && (masks + xs) * 2 >= digits) {
            return 1;
        }
    }
    /* A placeholder word, bare or enclosed. */
    size_t a = 0, b = n;
    int bracket = 0;
    if (n >= 2 && ((w[0] == '[' && w[n - 1] == ']') || (w[0] == '<' && w[n - 1] == '>') ||
                   (w[0] == '{' && w[n - 1] == '}') || (w[0] == '(' && w[n - 1] == ')'))) {
        bracket = w[0] == '[';
        a = 1;
        b = n - 1;
        /* {{redacted}} */
        if (b - a >= 2 && w[a] == '{' && w[b - 1] == '}') {
            a++;
            b--;
        }
        if (absent_word(w + a, b - a)) {
            return 1;
        }
        size_t stars = a;
        while (stars < b && w[stars] == '*') {
            stars++;
        }
        return placeholder_words(w + a, b - a, 0, bracket) || (stars == b && b - a >= 3);
    }
    while (a < b && w[a] == '*') {
        a++;
    }
    while (b > a && w[b - 1] == '*') {
        b--;
    }
    return placeholder_words(w + a, b - a, a == 0 && b == n, 0);
}

int veil__token_kind(const veil_engine_t *e, pcre2_match_data *md, const char *v, size_t len)
{
    static const struct {
        int det;
        veil__validator_fn valid;
    } kinds[] = {
        {VEIL_D_GITHUB_TOKEN, veil__valid_github_token},
        {VEIL_D_SLACK_TOKEN, NULL},
        {VEIL_D_STRIPE_KEY, NULL},
        {VEIL_D_AWS_ACCESS_KEY_ID, NULL},
        {VEIL_D_JWT, veil__valid_jwt},
    };

    if (len > 11 && memcmp(v, "-----BEGIN ", 11) == 0 && e->enabled[VEIL_D_PRIVATE_KEY]) {
        const char *eol = memchr(v, '\n', len);
        size_t line = eol ? (size_t)(eol - v) : len;
        if (line >= 27 && memcmp(v + line - 16, "PRIVATE KEY-----", 16) == 0) {
            return VEIL_D_PRIVATE_KEY;
        }
    }
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        const pcre2_code *re = e->re[kinds[k].det]; /* anchored at the start */
        if (re == NULL || !e->enabled[kinds[k].det]) {
            continue;
        }
        int rc = e->jit ? pcre2_jit_match(re, (PCRE2_SPTR)v, len, 0, 0, md, NULL)
                        : pcre2_match(re, (PCRE2_SPTR)v, len, 0, 0, md, NULL);
        if (rc >= 0 && pcre2_get_ovector_pointer(md)[1] == len &&
            (kinds[k].valid == NULL || kinds[k].valid(v, len))) {
            return kinds[k].det;
        }
    }
    return -1;
}

size_t veil__auth_scheme_len(const char *v, size_t len)
{
    static const char *const schemes[] = {"bearer", "basic",     "token",
                                          "digest", "negotiate", "ntlm"};
    for (size_t k = 0; k < sizeof(schemes) / sizeof(schemes[0]); k++) {
        size_t n = strlen(schemes[k]), j = 0;
        if (len <= n + 1 || v[n] != ' ') {
            continue;
        }
        while (j < n && (v[j] | 0x20) == schemes[k][j]) {
            j++;
        }
        if (j < n) {
            continue;
        }
        while (j < len && v[j] == ' ') {
            j++;
        }
        return j < len ? j : 0;
    }
    return 0;
}

/* The detector of a secret field's finding: the token kind of its value
   from <skip> on when it has one. Only values that fit the head are
   matched whole; a PEM private key is known by its first line. */
static int field_detector(struct veil_scanner *s, size_t skip)
{
    size_t len = (size_t)s->value_dlen;
    int k;

    if (s->field_det != VEIL_D_SECRET_FIELD || len == 0) {
        return s->field_det;
    }
    k = veil__token_kind(s->eng, s->text.md, s->head + skip,
                         (len <= sizeof(s->head) ? len : s->head_len) - skip);
    return k < 0 || (len > sizeof(s->head) && k != VEIL_D_PRIVATE_KEY) ? s->field_det : k;
}

/* The bytes of a credential field's value that are its auth scheme
   ("Bearer " in "Authorization": "Bearer eyJ..."): RFC 9110 section 11.4
   puts the credential after the scheme, and the scheme is no secret.
   Only for a value written without escapes (and not reported in pieces),
   so that the raw bytes match the decoded ones. */
static size_t field_scheme(const struct veil_scanner *s, uint64_t raw_end)
{
    if (s->field_det != VEIL_D_SECRET_FIELD || raw_end - s->value_raw != s->value_dlen) {
        return 0;
    }
    return veil__auth_scheme_len(s->head, s->head_len);
}

void veil__value_close(struct veil_scanner *s, uint64_t raw_end, unsigned flags)
{
    if ((s->mode == V_LAZY || s->mode == V_NAME) && s->name_len) {
        head_from_name(s);
    }
    switch (s->mode) {
    case V_LAZY:
        if (s->name_len &&
            worth_scanning(s, s->name, s->name_len, (flags & VEIL_FIND_JSON_BARE) != 0)) {
            name_to_scan(s);
            veil__scan_end(s);
        }
        break;
    case V_FIELD:
        /* The allowlist names values no detector should flag, and a value
           that is already a mask is no finding; a field rule is the
           policy's word and always applies. */
        if (s->field_det == VEIL__DET_RULE) {
            veil__scan_field(s, s->value_raw, raw_end, s->field_det, flags);
        } else if (!value_allowed(s) && !(s->value_dlen <= sizeof(s->head) &&
                                          veil__value_is_mask(s->head, (size_t)s->value_dlen, 0))) {
            size_t skip = field_scheme(s, raw_end);
            veil__scan_field(s, s->value_raw + skip, raw_end, field_detector(s, skip), flags);
        }
        break;
    case V_NAME:
        if (s->name_len &&
            (s->field_det == VEIL_D_ADDRESS ? veil__address_like(s->name, s->name_len)
                                            : veil__name_like(s->name, s->name_len)) &&
            !value_allowed(s)) {
            veil__scan_field(s, s->value_raw, raw_end,
                             s->field_det == VEIL_D_ADDRESS ? VEIL_D_ADDRESS : VEIL_D_PERSON_NAME,
                             flags);
        } else if (s->name_len &&
                   (s->eng->custom_re != NULL || worth_scanning(s, s->name, s->name_len, 0))) {
            /* No name: scanned when a lazy value would be ("name": "tada",
               a reaction's, has no trigger byte and nothing the names
               pass could take, and the text layer finds nothing in it);
               custom patterns may match anything. */
            name_to_scan(s);
            veil__scan_end(s);
        }
        break;
    default:
        veil__scan_end(s);
        break;
    }
    s->mode = V_SCAN;
    s->hold = UINT64_MAX;
    s->name_len = 0;
    s->name_nseg = 0;
}

int veil__value_drop_lazy(struct veil_scanner *s)
{
    if (s->mode != V_LAZY) {
        return 0;
    }
    explicit_bzero(s->name, s->name_len);
    s->mode = V_SCAN;
    s->hold = UINT64_MAX;
    s->name_len = 0;
    s->name_nseg = 0;
    return 1;
}

void veil__value_open_aside(struct veil_scanner *s, uint64_t raw_start)
{
    if (s->field_cb != NULL) {
        char path[VEIL__PATH_MAX];
        size_t n = 1, w = 0;
        path[0] = '$';
        if (s->root_key != NULL) {
            w = veil__path_step(s->root_key, s->root_key_len, path + 1, sizeof(path) - 1);
        }
        if (s->root_key == NULL || w > 0) {
            int action = s->field_cb(s->field_ud, VEIL_PLACE_JSON, path, n + w);
            if (action >= 0) {
                veil__value_open_rule(s, action, raw_start);
                return;
            }
        }
    }
    veil__value_open_class(s, -1, NULL, 0, NULL, 0, 0, raw_start);
}
