/*
 * The text layer of the engine: the buffer of decoded bytes with its
 * bounded hold-back window, the queue of findings (merged when they
 * overlap, emitted in offset order) and the keys of structured values.
 * The scan itself, the trigger prefilter and the handlers, is in
 * text_handlers.h, compiled once per SIMD level; this file calls the level
 * chosen for the stream (simd.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "chartab.h"
#include "engine.h"
#include "names.h"
#include "simd.h"

static void norm_finish(struct veil__text *t);

/* ---- findings ---- */

/* input_at(): veil__text_input_offset() for offsets that only grow from
   one call to the next, with <cur> kept by the caller (0 to start). */
static inline uint64_t input_at(const struct veil__text *t, uint64_t x, size_t *cur)
{
    while (*cur < t->nshr && t->shr[*cur].at <= x) {
        (*cur)++;
    }
    return x + (*cur ? t->shr[*cur - 1].dropped : t->shr_base);
}

static void emit_upto(struct veil__text *t, uint64_t upto)
{
    size_t k = 0, cur = 0;
    for (;;) {
        const struct veil__inject *in = t->inj_head < t->ninj ? &t->inj[t->inj_head] : NULL;
        const veil_finding_t *f = k < t->npend ? &t->pend[k] : NULL;
        /* The next in offset order of the text's findings and the queued
           field findings (their delimiter bytes never overlap a finding). */
        if (in && in->dec + 1 <= upto && (f == NULL || in->dec < f->offset)) {
            t->emit(t->ud, in->raw_start, in->raw_end, in->detector, in->confidence,
                    in->flags | VEIL__FIND_RAW);
            t->inj_head++;
            continue;
        }
        if (f == NULL || f->offset + f->length > upto) {
            break;
        }
        uint64_t is = input_at(t, f->offset, &cur);
        t->emit(t->ud, is, input_at(t, f->offset + f->length, &cur), f->detector, f->confidence,
                f->flags);
        k++;
    }
    if (t->inj_head == t->ninj) {
        t->inj_head = t->ninj = 0;
    }
    if (k > 0) {
        memmove(t->pend, t->pend + k, (t->npend - k) * sizeof(t->pend[0]));
        memmove(t->pend_w, t->pend_w + k, (t->npend - k) * sizeof(t->pend_w[0]));
        t->npend -= k;
    }
}

/*
 * add_finding(): queues a finding in offset order. Overlapping findings
 * merge into their union under the detector of the longest original one
 * (ties: a field's finding, then the lower detector index), so an e-mail
 * address whose local part looked like a card number is one e-mail
 * address. The rule does not depend
 * on the order findings arrive in (custom patterns run ahead of the
 * built-in handlers), so neither does the result on the chunking.
 */
static void add_finding(struct veil__text *t, uint64_t start, uint64_t end, int det, int conf,
                        unsigned flags)
{
    veil_finding_t f = {start, (uint32_t)(end - start), (uint16_t)det, (uint8_t)conf,
                        (uint8_t)flags};
    uint32_t w = f.length;

    if (t->npend == t->cappend) {
        size_t cap = t->cappend ? t->cappend * 2 : 64;
        veil_finding_t *n = realloc(t->pend, cap * sizeof(*n));
        uint32_t *nw = realloc(t->pend_w, cap * sizeof(*nw));
        if (nw != NULL) {
            t->pend_w = nw;
        }
        if (n == NULL || nw == NULL) {
            if (n != NULL) {
                t->pend = n;
            }
            /* Fail closed: a scanner that cannot keep a finding stops. */
            t->error = -ENOMEM;
            return;
        }
        t->pend = n;
        t->cappend = cap;
    }
    /* The first pending finding that ends after this one starts: most
       often none (findings come in order), which the last one says. */
    size_t lo = 0, hi = t->npend;
    if (hi == 0 || t->pend[hi - 1].offset + t->pend[hi - 1].length <= f.offset) {
        lo = hi;
    }
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->pend[mid].offset + t->pend[mid].length <= f.offset) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    size_t k = lo, j = lo;
    while (j < t->npend && t->pend[j].offset < f.offset + f.length) {
        const veil_finding_t *o = &t->pend[j];
        uint64_t us = o->offset < f.offset ? o->offset : f.offset;
        uint64_t ue = o->offset + o->length > f.offset + f.length ? o->offset + o->length
                                                                  : f.offset + f.length;
        /* Ties: a field's finding (its key said what it is) before a
           finding of the text, then the lower detector index. */
        int o_field = (o->flags & VEIL_FIND_FIELD) != 0, f_field = (f.flags & VEIL_FIND_FIELD) != 0;
        if (t->pend_w[j] > w ||
            (t->pend_w[j] == w &&
             (o_field > f_field || (o_field == f_field && o->detector < f.detector)))) {
            f.detector = o->detector;
            f.flags = o->flags;
            w = t->pend_w[j];
        }
        if (o->confidence > f.confidence) {
            f.confidence = o->confidence;
        }
        f.offset = us;
        f.length = (uint32_t)(ue - us);
        j++;
    }
    /* Replace pend[k..j) by f. */
    if (j == k) {
        memmove(t->pend + k + 1, t->pend + k, (t->npend - k) * sizeof(*t->pend));
        memmove(t->pend_w + k + 1, t->pend_w + k, (t->npend - k) * sizeof(*t->pend_w));
        t->npend++;
    } else if (j > k + 1) {
        memmove(t->pend + k + 1, t->pend + j, (t->npend - j) * sizeof(*t->pend));
        memmove(t->pend_w + k + 1, t->pend_w + j, (t->npend - j) * sizeof(*t->pend_w));
        t->npend -= j - k - 1;
    }
    t->pend[k] = f;
    t->pend_w[k] = w;
}

void veil__text_report(struct veil__text *t, size_t s, size_t e, int det, int conf, unsigned flags)
{
    const veil_engine_t *eng = t->eng;

    if (e <= s || (det < VEIL_D__COUNT && !eng->enabled[det]) || conf < eng->min_confidence) {
        return;
    }
    if ((eng->allow_values_count || eng->allow_re_count) &&
        veil__engine_allowed(eng, t->md, (const char *)t->buf + s, e - s)) {
        return;
    }
    add_finding(t, t->base + s, t->base + e, det, conf, flags);
}


/* The scan frontier: nothing before it is still to be looked at. */
static size_t scan_frontier(const struct veil__text *t)
{
    size_t f = t->eng->custom_re && t->cpos < t->pos ? t->cpos : t->pos;
    return t->npos < f ? t->npos : f;
}

/* ---- the layer's interface ---- */

int veil__has_trigger(const void *s, size_t len)
{
    int reference;
    return veil__simd_kernels(&reference)->has_trigger(s, len);
}

int veil__text_init(struct veil__text *t, const veil_engine_t *eng, veil__emit_fn emit, void *ud)
{
    memset(t, 0, sizeof(*t));
    t->eng = eng;
    t->emit = emit;
    t->ud = ud;
    t->ctx_pos = SIZE_MAX;
    t->k = veil__simd_kernels(&t->reference);
    t->md = pcre2_match_data_create(4, NULL);
    if (t->md && eng->custom_re) {
        t->cmd = pcre2_match_data_create_from_pattern(eng->custom_re, NULL);
        if (t->cmd == NULL) {
            pcre2_match_data_free(t->md);
            t->md = NULL;
        }
    }
    return t->md ? 0 : -ENOMEM;
}

/* A CSV header's names, only of the columns ever read: the state is 900
   bytes, most of it their room, and it is wiped for every head's values
   and every body. */
static void csvcols_wipe(struct veil__csvcols *c)
{
    explicit_bzero(c->head, c->hmax * sizeof(c->head[0]));
    explicit_bzero(c, offsetof(struct veil__csvcols, head));
}

void veil__text_dispose(struct veil__text *t)
{
    if (t->buf) {
        /* The buffer held PII: wipe all it ever held before it goes back
           to the heap (compaction leaves stale bytes past len). */
        explicit_bzero(t->buf, t->used);
        free(t->buf - VEIL__TEXT_BEFORE);
    }
    pcre2_match_data_free(t->md);
    pcre2_match_data_free(t->cmd);
    free(t->inj);
    free(t->pend);
    free(t->pend_w);
    free(t->shr);
    free(t->plus);
    explicit_bzero(t->part, sizeof(t->part));
    csvcols_wipe(&t->csvcols);
    if (t->fields) {
        explicit_bzero(t->fields, t->fields_used * sizeof(*t->fields));
        free(t->fields);
    }
    memset(t, 0, sizeof(*t));
}

void veil__text_wipe(struct veil__text *t)
{
    /* What the last stream left behind, as veil__text_dispose() wipes it;
       the allocations are kept. */
    if (t->buf) {
        explicit_bzero(t->buf, t->used);
        t->used = 0;
    }
    explicit_bzero(t->part, sizeof(t->part));
    t->npart = 0;
    csvcols_wipe(&t->csvcols);
    if (t->fields) {
        explicit_bzero(t->fields, t->fields_used * sizeof(*t->fields));
        t->fields_used = 0;
    }
}

int veil__text_reset(struct veil__text *t, const veil_engine_t *eng, veil__emit_fn emit, void *ud)
{
    /* The allocations are kept (not a copy of the whole state: copying
       its 1,360 bytes back and forth cost more than the rest of a short
       value's reset). */
    pcre2_match_data *md = t->md;
    unsigned char *buf = t->buf;
    size_t cap = t->cap, capfields = t->capfields, capinj = t->capinj;
    size_t cappend = t->cappend, capshr = t->capshr, capplus = t->capplus;
    struct veil__field *fields = t->fields;
    struct veil__inject *inj = t->inj;
    veil_finding_t *pend = t->pend;
    uint32_t *pend_w = t->pend_w;
    struct veil__shrink *shr = t->shr;
    uint64_t *plus = t->plus;

    /* The match data for custom patterns is sized by the engine's
       pattern, so it is made again. */
    veil__text_wipe(t);
    pcre2_match_data_free(t->cmd);
    memset(t, 0, sizeof(*t));
    t->eng = eng;
    t->emit = emit;
    t->ud = ud;
    t->ctx_pos = SIZE_MAX;
    t->k = veil__simd_kernels(&t->reference);
    t->md = md;
    t->buf = buf;
    t->cap = cap;
    t->fields = fields;
    t->capfields = capfields;
    t->inj = inj;
    t->capinj = capinj;
    t->pend = pend;
    t->pend_w = pend_w;
    t->cappend = cappend;
    t->shr = shr;
    t->capshr = capshr;
    t->plus = plus;
    t->capplus = capplus;
    if (eng->custom_re) {
        t->cmd = pcre2_match_data_create_from_pattern(eng->custom_re, NULL);
        if (t->cmd == NULL) {
            return t->error = -ENOMEM;
        }
    }
    return t->md ? 0 : (t->error = -ENOMEM);
}

uint64_t veil__text_safe(const struct veil__text *t)
{
    uint64_t frontier = t->base + scan_frontier(t);
    uint64_t lag = frontier > VEIL__EMIT_LAG ? frontier - VEIL__EMIT_LAG : 0;
    if (lag < t->sealed) {
        lag = t->sealed;
    }
    uint64_t first = t->npend ? t->pend[0].offset : UINT64_MAX;
    if (t->inj_head < t->ninj && t->inj[t->inj_head].dec < first) {
        first = t->inj[t->inj_head].dec;
    }
    return veil__text_input_offset(t, first < lag ? first : lag);
}

int veil__text_inject(struct veil__text *t, uint64_t raw_start, uint64_t raw_end, int detector,
                      int confidence, unsigned flags)
{
    static const char delim = VEIL__DELIM;
    norm_finish(t);
    if (t->ninj == t->capinj) {
        if (t->inj_head > 0) {
            memmove(t->inj, t->inj + t->inj_head, (t->ninj - t->inj_head) * sizeof(*t->inj));
            t->ninj -= t->inj_head;
            t->inj_head = 0;
        }
        if (t->ninj == t->capinj) {
            size_t cap = t->capinj ? t->capinj * 2 : 64;
            struct veil__inject *n = realloc(t->inj, cap * sizeof(*n));
            if (n == NULL) {
                return t->error = -ENOMEM;
            }
            t->inj = n;
            t->capinj = cap;
        }
    }
    struct veil__inject *in = &t->inj[t->ninj++];
    in->dec = t->base + t->len;
    in->raw_start = raw_start;
    in->raw_end = raw_end;
    in->detector = (uint16_t)detector;
    in->confidence = (uint8_t)confidence;
    in->flags = (uint8_t)flags;
    return veil__text_append(t, &delim, 1);
}

static void compact(struct veil__text *t)
{
    size_t f = scan_frontier(t);
    size_t keep_from = f > VEIL__LOOKBEHIND ? f - VEIL__LOOKBEHIND : 0;
    if (keep_from == 0) {
        return;
    }
    /* The bytes left behind past the new end are overwritten by later
       input and wiped, up to t->used, when the stream ends. */
    memmove(t->buf, t->buf + keep_from, t->len - keep_from);
    t->base += keep_from;
    t->len -= keep_from;
    t->pos -= keep_from;
    t->cpos = t->cpos > keep_from ? t->cpos - keep_from : 0;
    t->npos = t->npos > keep_from ? t->npos - keep_from : 0;
    t->ctx_pos = SIZE_MAX;
}

int veil__text_feed(struct veil__text *t, const void *data, size_t len)
{
    if (veil__text_append(t, data, len) != 0) {
        return t->error;
    }
    veil__text_run(t);
    return t->error;
}

/* ---- look-alikes ---- */

/*
 * What people type between and for digits, written to the buffer as the
 * ASCII byte the handlers know, so that "4111\u00a01111 1111 1111", a
 * full-width "０３－１２３４－５６７８" and "2409%3Ab476%3A..." match like
 * their ASCII forms; findings are reported at the input's offsets, so a
 * redaction covers the bytes as they came.
 *
 * - UTF-8, always: U+00A0 no-break space, U+2007 figure space, U+2009
 *   thin space, U+200A hair space, U+202F narrow no-break space as ' '
 *   (not U+3000: Japanese text separates words and fields with it, not
 *   digit groups); U+2010-2013 hyphens and dashes, U+2212 minus as '-';
 *   full-width forms (U+FF01-FF5E) of the digits, '@', '+', '(', ')',
 *   '-', '.' and '/' as those.
 * - '+' between two digits as ' ' (a form body's space: 4111+1111+...).
 * - %XX escapes of those, and of ' ', '+', '(', ')', '-', '.' and ':',
 *   where they can join a number: a full-width digit or '@' always, '+'
 *   before a digit, ':' next to a hex digit or another %3A, the others
 *   next to a digit. Other escapes stay (%40 has a handler of its own).
 */
#define NORM_MORE 0 /* norm_unit(): the bytes that decide have not come */

static const struct {
    unsigned char u[3];
    char c;
} alikes[] = {
    {{0xc2, 0xa0, 0}, ' '},    {{0xe2, 0x80, 0x87}, ' '}, {{0xe2, 0x80, 0x89}, ' '},
    {{0xe2, 0x80, 0x8a}, ' '}, {{0xe2, 0x80, 0xaf}, ' '}, {{0xe2, 0x80, 0x90}, '-'},
    {{0xe2, 0x80, 0x91}, '-'}, {{0xe2, 0x80, 0x92}, '-'}, {{0xe2, 0x80, 0x93}, '-'},
    {{0xe2, 0x88, 0x92}, '-'}, {{0xef, 0xbc, 0x8d}, '-'}, {{0xef, 0xbc, 0xa0}, '@'},
    {{0xef, 0xbc, 0x8b}, '+'}, {{0xef, 0xbc, 0x88}, '('}, {{0xef, 0xbc, 0x89}, ')'},
    {{0xef, 0xbc, 0x8e}, '.'}, {{0xef, 0xbc, 0x8f}, '/'},
};

static int n_digit(unsigned c)
{
    return c - '0' < 10u;
}

static int n_hexval(unsigned c)
{
    return c - '0' < 10u           ? (int)(c - '0')
           : (c | 0x20) - 'a' < 6u ? (int)((c | 0x20) - 'a' + 10)
                                   : -1;
}

/* The ASCII byte the UTF-8 bytes u[0..n) start with a look-alike of, its
   length in *ul; 0 for none; -1 when u is a cut prefix of one. */
static int utf8_alike(const unsigned char *u, size_t n, size_t *ul)
{
    size_t len = u[0] == 0xc2 ? 2 : 3, m = n < len ? n : len;
    int cut = 0;

    if (u[0] == 0xef && m >= 2 && u[1] == 0xbc) {
        if (m == 2) {
            return -1;
        }
        if (u[2] >= 0x90 && u[2] <= 0x99) {
            *ul = 3;
            return '0' + (u[2] - 0x90);
        }
    }
    for (size_t k = 0; k < sizeof(alikes) / sizeof(alikes[0]); k++) {
        if (alikes[k].u[0] == u[0] && memcmp(alikes[k].u, u, m) == 0) {
            if (m == len) {
                *ul = len;
                return alikes[k].c;
            }
            cut = 1;
        }
    }
    return cut ? -1 : 0;
}

static int is_norm_lead(unsigned c)
{
    return c == 0xc2 || c == 0xe2 || c == 0xef;
}

/* The value of the %XX escape that ends at w[wl), or -1. */
static int escape_before(const unsigned char *w, size_t wl)
{
    if (wl < 3 || w[wl - 3] != '%' || n_hexval(w[wl - 2]) < 0 || n_hexval(w[wl - 1]) < 0) {
        return -1;
    }
    return n_hexval(w[wl - 2]) << 4 | n_hexval(w[wl - 1]);
}

/* Whether the bytes written, w[0..wl), end in a word a plus sign after
   them would be glued to (jo%2Btag, Windows%2B10). An escape left as it
   was is judged by the byte it encodes: a space or a punctuation mark
   (al%20%2B34, %3A%2B49) is none, and neither is the end of a character
   of three UTF-8 bytes (U+0800 to U+FFFF: the kana and kanji of Japanese,
   written without spaces, 日中は%2B81-...). */
static int ends_in_word(const unsigned char *w, size_t wl)
{
    int v = escape_before(w, wl);
    if (v < 0) {
        unsigned prev = wl ? w[wl - 1] : 0;
        return n_digit(prev) || (prev | 0x20) - 'a' < 26u || prev >= 0x80;
    }
    if (v < 0x80) {
        return n_digit((unsigned)v) || ((unsigned)v | 0x20) - 'a' < 26u;
    }
    int lead = wl >= 9 && escape_before(w, wl - 3) >= 0x80 ? escape_before(w, wl - 6) : -1;
    return !(v < 0xc0 && lead >= 0xe0 && lead < 0xf0);
}

/* A %XX escape at p[0..n) and the ones after it that spell one of the
   look-alikes above: the byte it is written as (*out) and the bytes it
   spans; 1 when it stays as it is; NORM_MORE when the bytes that decide
   have not all come (never when <final>). w[0..wl) were written before. */
static size_t norm_pct(const unsigned char *p, size_t n, int final, const unsigned char *w,
                       size_t wl, unsigned char *out)
{
    int hi, lo, c;
    size_t len = 3;
    unsigned prev = wl ? w[wl - 1] : 0;

    if (n < 3) {
        return final || (n == 2 && n_hexval(p[1]) < 0) ? 1 : NORM_MORE;
    }
    if ((hi = n_hexval(p[1])) < 0 || (lo = n_hexval(p[2])) < 0) {
        return 1;
    }
    unsigned v = (unsigned)(hi << 4 | lo);
    if (is_norm_lead(v)) {
        unsigned char u[3] = {(unsigned char)v, 0, 0};
        size_t k = 1, need = v == 0xc2 ? 2 : 3, ul;
        while (k < need) {
            size_t at = 3 * k;
            if (n < at + 3) {
                int more = (n == at || p[at] == '%') && utf8_alike(u, k, &ul) < 0;
                return final || !more ? 1 : NORM_MORE;
            }
            if (p[at] != '%' || (hi = n_hexval(p[at + 1])) < 0 || (lo = n_hexval(p[at + 2])) < 0) {
                return 1;
            }
            u[k++] = (unsigned char)(hi << 4 | lo);
        }
        if ((c = utf8_alike(u, k, &ul)) <= 0) {
            return 1;
        }
        len = 3 * k;
    } else {
        switch (v) {
        case 0x20:
            c = ' ';
            break;
        case 0x2b:
            c = '+';
            break;
        case 0x28:
            c = '(';
            break;
        case 0x29:
            c = ')';
            break;
        case 0x2d:
            c = '-';
            break;
        case 0x2e:
            c = '.';
            break;
        case 0x3a:
            c = ':';
            break;
        default:
            return 1;
        }
    }
    if (n_digit((unsigned)c) || c == '@') {
        *out = (unsigned char)c;
        return len;
    }
    /* The others depend on the byte after the escape. */
    if (n <= len) {
        return final ? 1 : NORM_MORE;
    }
    unsigned next = p[len];
    int ok;
    if (c == '+') {
        /* A number's plus sign: a digit after it, no word before it (a
           plus inside an address, jo%2Btag, stays an escape). */
        ok = n_digit(next) && !ends_in_word(w, wl);
    } else if (c == ':') {
        ok = n_hexval(prev) >= 0 || prev == ':' || n_hexval(next) >= 0;
        if (!ok && next == '%') {
            if (n < len + 3) {
                return final ? 1 : NORM_MORE;
            }
            ok = p[len + 1] == '3' && (p[len + 2] | 0x20) == 'a';
        }
    } else {
        ok = n_digit(prev) || n_digit(next);
    }
    if (!ok) {
        return 1;
    }
    *out = (unsigned char)c;
    return len;
}

/* Whether the bytes written, w[0..wl), end in a number standing alone:
   digits after a byte that is no letter or digit. */
static int ends_in_number(const unsigned char *w, size_t wl)
{
    size_t j = wl;
    while (j > 0 && wl - j < 64 && n_digit(w[j - 1])) {
        j--;
    }
    if (j == wl) {
        return 0;
    }
    unsigned c = w[j - 1 + (j == 0)];
    return j == 0 || !(n_digit(c) || (c | 0x20) - 'a' < 26u || c >= 0x80);
}

/* One unit of input at p[0..n), after the bytes w[0..wl) were written:
   the byte it is written as (*out) and its input length (1: a byte
   written as it came), or NORM_MORE. */
static size_t norm_unit(const unsigned char *p, size_t n, int final, const unsigned char *w,
                        size_t wl, unsigned char *out)
{
    size_t ul;
    int c;
    unsigned prev = wl ? w[wl - 1] : 0;

    *out = p[0];
    switch (p[0]) {
    case '+':
        /* A space of a form body between digit groups: 4111+1111, not the
           plus of an address (maria1969+2024@...) or a sum. */
        if (!(n_digit(prev) && ends_in_number(w, wl)) &&
            !(prev == ')' && wl >= 2 && n_digit(w[wl - 2]))) {
            return 1; /* ("(305)+358-3993": after an area code, too) */
        }
        if (n < 2) {
            return final ? 1 : NORM_MORE;
        }
        if (n_digit(p[1])) {
            *out = ' ';
        } else if (p[1] == '(') {
            /* A parenthesised group after it, an area code or a trunk
               zero: "%2B1+(305)+935-7786", "0033+(0)6+93+...". */
            if (n < 3) {
                return final ? 1 : NORM_MORE;
            }
            if (n_digit(p[2])) {
                *out = ' ';
            }
        } else if (p[1] == '%' || is_norm_lead(p[1])) {
            /* A digit's look-alike after it: 5+%EF%BC%95, 5+５; or a
               '(' before a digit: 1+%28305%29. */
            unsigned char o2;
            static const unsigned char plus = '+';
            size_t l = norm_unit(p + 1, n - 1, final, &plus, 1, &o2);
            if (l == NORM_MORE) {
                return NORM_MORE;
            }
            if (l > 1 && (n_digit(o2) || o2 == '(')) {
                *out = ' ';
            }
        }
        return 1;
    case '%':
        return norm_pct(p, n, final, w, wl, out);
    case 0xc2:
    case 0xe2:
    case 0xef:
        c = utf8_alike(p, n, &ul);
        if (c < 0) {
            return final ? 1 : NORM_MORE;
        }
        if (c > 0) {
            *out = (unsigned char)c;
            return ul;
        }
        return 1;
    default:
        return 1;
    }
}

/* Hex digit values plus one (0: none), and the escapes norm_pct() may
   decode: 20 28 29 2B 2D 2E 3A, and the UTF-8 lead bytes C2 E2 EF. */
static const uint8_t hexv1[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
    ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16};
static const uint8_t pct_decodes[256] = {
    [0x20] = 1, [0x28] = 1, [0x29] = 1, [0x2b] = 1, [0x2d] = 1,
    [0x2e] = 1, [0x3a] = 1, [0xc2] = 1, [0xe2] = 1, [0xef] = 1};

/* The bytes that may start a replacement ('%', '+', C2, E2, EF) are
   found by the SIMD level's plain_copy() (text_handlers.h). */

/* Records that the '+' at buffer stream offset <at> was written as ' '
   (a key=value field's value runs on through it: text_handlers.h). */
static int plus_add(struct veil__text *t, uint64_t at)
{
    if (t->nplus == t->capplus) {
        size_t cap = t->capplus ? t->capplus * 2 : 64;
        uint64_t *n = realloc(t->plus, cap * sizeof(*n));
        if (n == NULL) {
            return t->error = -ENOMEM;
        }
        t->plus = n;
        t->capplus = cap;
    }
    t->plus[t->nplus++] = at;
    return 0;
}

int veil__text_was_plus(const struct veil__text *t, size_t i)
{
    uint64_t at = t->base + i;
    size_t lo = 0, hi = t->nplus;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->plus[mid] < at) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < t->nplus && t->plus[lo] == at;
}

/* Records that <dropped> more input bytes were dropped before buffer
   stream offset <at>. */
static int shrink_add(struct veil__text *t, uint64_t at, uint64_t dropped)
{
    uint64_t total = (t->nshr ? t->shr[t->nshr - 1].dropped : t->shr_base) + dropped;
    if (t->nshr == t->capshr) {
        size_t cap = t->capshr ? t->capshr * 2 : 64;
        struct veil__shrink *n = realloc(t->shr, cap * sizeof(*n));
        if (n == NULL) {
            return t->error = -ENOMEM;
        }
        t->shr = n;
        t->capshr = cap;
    }
    t->shr[t->nshr].at = at;
    t->shr[t->nshr].dropped = total;
    t->nshr++;
    return 0;
}

uint64_t veil__text_input_offset_slow(const struct veil__text *t, uint64_t x)
{
    size_t lo = 0, hi = t->nshr;
    /* The last entry at or before x. */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->shr[mid].at <= x) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return x + (lo ? t->shr[lo - 1].dropped : t->shr_base);
}

/* Drops the entries no offset still to be reported can need: findings
   start at or after the buffer or the first one queued. */
static void prune_shrinks(struct veil__text *t)
{
    uint64_t floor = t->base;
    size_t k = 0;
    if (t->npend && t->pend[0].offset < floor) {
        floor = t->pend[0].offset;
    }
    while (k < t->nshr && t->shr[k].at <= floor) {
        k++;
    }
    if (k > 0) {
        t->shr_base = t->shr[k - 1].dropped;
        memmove(t->shr, t->shr + k, (t->nshr - k) * sizeof(*t->shr));
        t->nshr -= k;
    }
    k = 0;
    while (k < t->nplus && t->plus[k] < t->base) {
        k++;
    }
    if (k > 0) {
        memmove(t->plus, t->plus + k, (t->nplus - k) * sizeof(*t->plus));
        t->nplus -= k;
    }
}

/* Writes p[0..n) to the buffer with its look-alikes replaced, for the
   units that start before <stop>; a unit cut by the end of p is held in
   t->part (not when <final>). The buffer has room for n bytes. Returns
   the bytes of p consumed or held. */
static size_t norm_run(struct veil__text *t, const unsigned char *p, size_t n, size_t stop,
                       int final)
{
    size_t i = 0;
    while (i < stop) {
        /* The plain bytes a vector at a time on the stream's SIMD level:
           a vector with a special byte is stored whole and only the bytes
           before it are kept (the buffer has room for n bytes from where
           this run began, and the bytes past len are wiped like the rest:
           t->used). */
        if (t->len + (stop - i) > t->used) {
            t->used = t->len + (stop - i);
        }
        size_t k = t->k->plain_copy(t->buf + t->len, p + i, stop - i);
        t->len += k;
        i += k;
        if (i >= stop) {
            break;
        }
        /* The commonest specials, decided here: a '+' after no digit, an
           escape of nothing norm_pct() decodes (%2C, %C3, %E3...). */
        if ((p[i] == '+' && t->len && !n_digit(t->buf[t->len - 1]) && t->buf[t->len - 1] != ')') ||
            (p[i] == '%' && i + 2 < n &&
             (!hexv1[p[i + 1]] || !hexv1[p[i + 2]] ||
              !pct_decodes[(hexv1[p[i + 1]] - 1) << 4 | (hexv1[p[i + 2]] - 1)]))) {
            t->buf[t->len++] = p[i++];
            continue;
        }
        unsigned char o;
        size_t l = norm_unit(p + i, n - i, final, t->buf, t->len, &o);
        if (l == NORM_MORE) {
            memcpy(t->part, p + i, n - i);
            t->npart = (uint8_t)(n - i);
            return n;
        }
        if (o == ' ' && p[i] == '+' && plus_add(t, t->base + t->len) != 0) {
            return n;
        }
        t->buf[t->len++] = o;
        if (l > 1 && shrink_add(t, t->base + t->len, l - 1) != 0) {
            return n;
        }
        i += l;
    }
    return i;
}

/* Room in the buffer for <more> bytes. */
static int grow(struct veil__text *t, size_t more);

static inline int reserve(struct veil__text *t, size_t more)
{
    return t->len + more > t->cap ? grow(t, more) : 0;
}

static __attribute__((noinline)) int grow(struct veil__text *t, size_t more)
{
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->len + more) {
        cap *= 2;
    }
    /* Zeroed room before the buffer and after its capacity
       (VEIL__TEXT_BEFORE, VEIL__TEXT_AFTER): the names pass's mask reads
       blocks in place, the bytes before the first and past the last
       included, instead of from a padded copy (names_mask.h). */
    unsigned char *nb = calloc(1, VEIL__TEXT_BEFORE + cap + VEIL__TEXT_AFTER);
    if (nb == NULL) {
        t->error = -ENOMEM;
        return t->error;
    }
    nb += VEIL__TEXT_BEFORE;
    if (t->buf) {
        memcpy(nb, t->buf, t->len);
        explicit_bzero(t->buf, t->used);
        free(t->buf - VEIL__TEXT_BEFORE);
    }
    t->buf = nb;
    t->cap = cap;
    t->used = t->len;
    return 0;
}

static void note_used(struct veil__text *t)
{
    if (t->len > t->used) {
        t->used = t->len;
    }
}

/* Writes the held bytes as they are: what follows cannot complete them
   (a delimiter, a field's start, the end of the input). */
static void norm_finish(struct veil__text *t)
{
    if (t->npart == 0 || reserve(t, t->npart) != 0) {
        return;
    }
    unsigned char held[sizeof(t->part)];
    size_t k = t->npart;
    memcpy(held, t->part, k);
    explicit_bzero(t->part, sizeof(t->part));
    t->npart = 0;
    norm_run(t, held, k, k, 1);
    explicit_bzero(held, sizeof(held));
    note_used(t);
}

int veil__text_append(struct veil__text *t, const void *data, size_t len)
{
    const unsigned char *in = data;

    if (t->error) {
        return t->error;
    }
    if (len == 0) {
        return 0;
    }
    if (reserve(t, len + t->npart) != 0) {
        return t->error;
    }
    if (t->npart == 0) {
        /* Most values and lines have nothing to replace, or start so. */
        size_t k = t->k->plain_copy(t->buf + t->len, in, len);
        t->len += k;
        if (k == len) {
            note_used(t);
            return 0;
        }
        in += k;
        len -= k;
    }
    if (t->npart) {
        /* The held bytes and enough of the new ones to decide them. */
        unsigned char tmp[sizeof(t->part) + 16];
        size_t k = t->npart, take = len < 16 ? len : 16;
        memcpy(tmp, t->part, k);
        memcpy(tmp + k, in, take);
        explicit_bzero(t->part, sizeof(t->part));
        t->npart = 0;
        size_t used = norm_run(t, tmp, k + take, k, 0);
        explicit_bzero(tmp, sizeof(tmp));
        if (t->npart || used >= k + len) {
            note_used(t);
            return t->error;
        }
        in += used - k;
        len -= used - k;
    }
    norm_run(t, in, len, len, 0);
    note_used(t);
    return t->error;
}

/* Drops the keys of values that lie wholly before the buffer. */
static void prune_fields(struct veil__text *t)
{
    size_t k = 0;
    while (k + 1 < t->nfields && t->fields[k + 1].start <= t->base) {
        k++;
    }
    if (k > 0) {
        memmove(t->fields, t->fields + k, (t->nfields - k) * sizeof(*t->fields));
        t->nfields -= k;
    }
}

void veil__text_run(struct veil__text *t)
{
    if (t->error) {
        return;
    }
    /* A walker's text whose last value is closed (its delimiter the last
       byte): what comes later is another value, and nothing reads across
       a delimiter (handlers, context words, names and addresses stop at
       it), so its triggers and name candidates are decided as at the
       stream's end, which they are for them, instead of waiting for more
       bytes; then every pending finding is final. Without this, a JSON
       body's value that reached the text layer, followed only by values
       the walker judged without it, held the safe offset at that value
       to the body's end: the redactor kept the whole stream (sparse PII:
       a hold-back as long as the body). Not with custom patterns, whose
       matches may span the values of a body without keys; with them the
       walker hands every value to the text layer, so its frontier moves
       with the body anyway. */
    const int closed =
        t->walked && t->len > 0 && t->buf[t->len - 1] == VEIL__DELIM && !t->eng->custom_re;
    veil__csv_columns_run(t, 0);
    t->k->text_scan(t, closed);
    veil__names_run(t, closed);
    size_t done = scan_frontier(t);
    uint64_t front = t->base + done;
    if (closed && done == t->len) {
        t->sealed = front;
        emit_upto(t, UINT64_MAX);
    } else {
        emit_upto(t, front > VEIL__EMIT_LAG ? front - VEIL__EMIT_LAG : 0);
    }
    compact(t);
    prune_fields(t);
    prune_shrinks(t);
}

void veil__text_flush(struct veil__text *t)
{
    if (t->error) {
        return;
    }
    norm_finish(t);
    veil__csv_columns_run(t, 1);
    t->k->text_scan(t, 1);
    veil__names_run(t, 1);
    emit_upto(t, UINT64_MAX);
    compact(t);
    prune_fields(t);
    prune_shrinks(t);
}

void veil__text_end(struct veil__text *t)
{
    norm_finish(t);
    veil__csv_columns_run(t, 1);
    t->k->text_scan(t, 1);
    veil__names_run(t, 1);
    emit_upto(t, UINT64_MAX);
    if (t->used) {
        explicit_bzero(t->buf, t->used);
        t->used = 0;
    }
    t->base += t->len;
    t->len = t->pos = t->cpos = t->npos = 0;
    memset(&t->csv, 0, sizeof(t->csv));
    csvcols_wipe(&t->csvcols);
    t->nfields = 0;
    t->ctx_pos = SIZE_MAX;
    prune_shrinks(t);
}

/* The eight bytes <w> with A-Z made a-z, all at once: a byte's low seven
   bits plus 0x3F reach its top bit from 'A' on, plus 0x25 from past 'Z'
   on, and no sum carries out of its byte; bytes >= 0x80 stay. */
static inline uint64_t lower8(uint64_t w)
{
    uint64_t b = w & 0x7f7f7f7f7f7f7f7full;
    uint64_t upper =
        (b + 0x3f3f3f3f3f3f3f3full) & ~(b + 0x2525252525252525ull) & ~w & 0x8080808080808080ull;
    return w | upper >> 2;
}

/* dst[0..n) = src[0..n) lower-cased (ASCII), eight bytes a step, the last
   step overlapping the one before; never reading or writing outside the
   n bytes. Keys ("note phone", "items.0.variant_id") are mostly 8 to 30
   bytes: a padded copy read back sixteen bytes at a time waited on the
   copy's stores (the load of each group a third of the field's time). */
static void lower_copy(char *dst, const char *src, size_t n)
{
    if (n >= 8) {
        size_t j = 0;
        for (; j + 8 <= n; j += 8) {
            uint64_t w;
            memcpy(&w, src + j, 8);
            w = lower8(w);
            memcpy(dst + j, &w, 8);
        }
        if (j < n) {
            uint64_t w;
            memcpy(&w, src + n - 8, 8);
            w = lower8(w);
            memcpy(dst + n - 8, &w, 8);
        }
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, src, 4);
        memcpy(&b, src + n - 4, 4);
        a = (uint32_t)lower8(a);
        b = (uint32_t)lower8(b);
        memcpy(dst, &a, 4);
        memcpy(dst + n - 4, &b, 4);
    } else {
        for (size_t j = 0; j < n; j++) {
            dst[j] = (char)lower8((unsigned char)src[j]);
        }
    }
}

size_t veil__text_field_key(char dst[VEIL__FIELD_KEY], const char *key, size_t len)
{
    size_t n = key == NULL ? 0 : len < VEIL__FIELD_KEY ? len : VEIL__FIELD_KEY;
    lower_copy(dst, key, n);
    return n;
}

void veil__text_set_field(struct veil__text *t, const char *key, size_t len)
{
    norm_finish(t);
    veil__text_field_at(t, t->base + t->len, key, len, 0);
}

void veil__text_field_at(struct veil__text *t, uint64_t at, const char *key, size_t len, int csv)
{
    struct veil__field *f;

    if ((key == NULL || len == 0) && (t->nfields == 0 || t->fields[t->nfields - 1].len == 0)) {
        return; /* no context before, none now */
    }
    if (t->nfields && t->fields[t->nfields - 1].start == at) {
        f = &t->fields[t->nfields - 1];
    } else {
        if (t->nfields == t->capfields) {
            size_t cap = t->capfields ? t->capfields * 2 : 16;
            struct veil__field *n = realloc(t->fields, cap * sizeof(*n));
            if (n == NULL) {
                t->error = -ENOMEM;
                return;
            }
            t->fields = n;
            t->capfields = cap;
        }
        f = &t->fields[t->nfields++];
        if (t->nfields > t->fields_used) {
            t->fields_used = t->nfields;
        }
    }
    f->start = at;
    f->mask = f->done = 0;
    f->csv = (uint8_t)(csv != 0);
    f->len = (uint8_t)veil__text_field_key(f->key, key, len);
}
