/*
 * The text layer of the engine: the buffer of decoded bytes with its
 * bounded hold-back window, the queue of findings (merged when they
 * overlap, emitted in offset order) and the keys of structured values.
 * The scan itself, the trigger prefilter and the handlers, is in
 * text_handlers.h, compiled once per SIMD level; this file calls the level
 * chosen for the stream (simd.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "chartab.h"
#include "engine.h"
#include "names.h"
#include "simd.h"

/* ---- findings ---- */

static void emit_upto(struct veil__text *t, uint64_t upto)
{
    size_t k = 0;
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
        t->emit(t->ud, f->offset, f->offset + f->length, f->detector, f->confidence,
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
static void add_finding(struct veil__text *t, uint64_t start, uint64_t end, int det,
                        int conf, unsigned flags)
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
    /* The first pending finding that ends after this one starts. */
    size_t lo = 0, hi = t->npend;
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

void veil__text_report(struct veil__text *t, size_t s, size_t e, int det, int conf,
                       unsigned flags)
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

int veil__text_init(struct veil__text *t, const veil_engine_t *eng, veil__emit_fn emit,
                    void *ud)
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

void veil__text_dispose(struct veil__text *t)
{
    if (t->buf) {
        /* The buffer held PII: wipe all it ever held before it goes back
           to the heap (compaction leaves stale bytes past len). */
        explicit_bzero(t->buf, t->used);
        free(t->buf);
    }
    pcre2_match_data_free(t->md);
    pcre2_match_data_free(t->cmd);
    free(t->inj);
    free(t->pend);
    free(t->pend_w);
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
    if (t->fields) {
        explicit_bzero(t->fields, t->fields_used * sizeof(*t->fields));
        t->fields_used = 0;
    }
}

int veil__text_reset(struct veil__text *t, const veil_engine_t *eng, veil__emit_fn emit,
                     void *ud)
{
    struct veil__text keep = *t;

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
    t->md = keep.md;
    t->buf = keep.buf;
    t->cap = keep.cap;
    t->fields = keep.fields;
    t->capfields = keep.capfields;
    t->inj = keep.inj;
    t->capinj = keep.capinj;
    t->pend = keep.pend;
    t->pend_w = keep.pend_w;
    t->cappend = keep.cappend;
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
    uint64_t first = t->npend ? t->pend[0].offset : UINT64_MAX;
    if (t->inj_head < t->ninj && t->inj[t->inj_head].dec < first) {
        first = t->inj[t->inj_head].dec;
    }
    return first < lag ? first : lag;
}

int veil__text_inject(struct veil__text *t, uint64_t raw_start, uint64_t raw_end,
                      int detector, int confidence, unsigned flags)
{
    static const char delim = VEIL__DELIM;
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

int veil__text_append(struct veil__text *t, const void *data, size_t len)
{
    if (t->error) {
        return t->error;
    }
    if (len == 0) {
        return 0;
    }
    if (t->len + len > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + len) {
            cap *= 2;
        }
        unsigned char *nb = malloc(cap);
        if (nb == NULL) {
            t->error = -ENOMEM;
            return t->error;
        }
        if (t->buf) {
            memcpy(nb, t->buf, t->len);
            explicit_bzero(t->buf, t->used);
            free(t->buf);
        }
        t->buf = nb;
        t->cap = cap;
        t->used = t->len;
    }
    memcpy(t->buf + t->len, data, len);
    t->len += len;
    if (t->len > t->used) {
        t->used = t->len;
    }
    return 0;
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
    t->k->text_scan(t, 0);
    veil__names_run(t, 0);
    uint64_t front = t->base + scan_frontier(t);
    emit_upto(t, front > VEIL__EMIT_LAG ? front - VEIL__EMIT_LAG : 0);
    compact(t);
    prune_fields(t);
}

void veil__text_flush(struct veil__text *t)
{
    if (t->error) {
        return;
    }
    t->k->text_scan(t, 1);
    veil__names_run(t, 1);
    emit_upto(t, UINT64_MAX);
    compact(t);
    prune_fields(t);
}

void veil__text_end(struct veil__text *t)
{
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
    t->nfields = 0;
    t->ctx_pos = SIZE_MAX;
}

void veil__text_set_field(struct veil__text *t, const char *key, size_t len)
{
    uint64_t at = t->base + t->len;
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
    size_t n = key == NULL ? 0 : len < sizeof(f->key) ? len : sizeof(f->key), j = 0;
#ifdef __SSE2__
    /* Key paths ("items.0.variant_id") are often longer than 16 bytes. */
    const __m128i a1 = _mm_set1_epi8('A' - 1), z1 = _mm_set1_epi8('Z' + 1),
                  bit = _mm_set1_epi8(0x20);
    for (; j + 16 <= n; j += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(key + j));
        __m128i up = _mm_and_si128(_mm_cmpgt_epi8(v, a1), _mm_cmplt_epi8(v, z1));
        _mm_storeu_si128((__m128i *)(void *)(f->key + j), _mm_or_si128(v, _mm_and_si128(up, bit)));
    }
#endif
    for (; j < n; j++) {
        unsigned char c = (unsigned char)key[j];
        f->key[j] = (char)(c | ((veil__chartab[c] & VEIL_C_UPPER) ? 0x20 : 0));
    }
    f->len = (uint8_t)n;
}
