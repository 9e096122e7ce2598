/*
 * The streaming redactor: a scanner plus a window of raw bytes. Bytes are
 * written out as soon as the scanner says no finding can start before
 * them; a finding's bytes are written transformed. Memory stays bounded by
 * the scanner's hold-back window plus one chunk.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "scanner.h"
#include "veil/tokens.h"
#include "veil/transform.h"
#include "veil/veil.h"

struct veil_redactor {
    veil_scanner_t *scanner;
    const veil_engine_t *engine;
    veil_redactor_options_t opts;
    uint8_t *actions; /* per detector, custom ones included */
    size_t nactions;
    unsigned char *buf; /* raw bytes [buf_off, buf_off + len) */
    size_t len, cap;
    size_t used; /* most bytes buf ever held: what to wipe */
    uint64_t buf_off;
    veil_finding_t *queue; /* findings not written yet, in order */
    size_t nqueue, capqueue;
    uint64_t written; /* raw offset written out so far */
    char *scratch;
    size_t scratch_cap;
    char *span; /* a finding's bytes when they straddle held
                                  and fresh bytes (wiped after each use) */
    size_t span_cap;
    uint64_t skip_from;  /* start of the skipped part being written,
                                  UINT64_MAX: none */
    uint64_t skip_lines; /* line breaks in it so far */
    int error;
};

static void wipe(void *p, size_t n)
{
    explicit_bzero(p, n);
}

static void on_finding(void *ud, const veil_finding_t *f)
{
    veil_redactor_t *r = ud;
    veil_finding_t g = *f;

    if (r->error) {
        return;
    }
    /* Findings arrive in order and never overlap; should one start inside
       what is queued anyway, it is merged rather than written twice. */
    if (r->nqueue) {
        veil_finding_t *last = &r->queue[r->nqueue - 1];
        uint64_t lend = last->offset + last->length;
        if (g.offset < lend) {
            uint64_t end = g.offset + g.length > lend ? g.offset + g.length : lend;
            last->length = (uint32_t)(end - last->offset);
            return;
        }
    }
    if (g.offset < r->written) {
        /* Cannot happen (the scanner's safe offset forbids it); never let
           an already written prefix make us skip the rest. */
        uint64_t end = g.offset + g.length;
        if (end <= r->written) {
            return;
        }
        g.length = (uint32_t)(end - r->written);
        g.offset = r->written;
    }
    if (r->nqueue == r->capqueue) {
        size_t cap = r->capqueue ? r->capqueue * 2 : 64;
        veil_finding_t *q = realloc(r->queue, cap * sizeof(*q));
        if (q == NULL) {
            r->error = -ENOMEM;
            return;
        }
        r->queue = q;
        r->capqueue = cap;
    }
    r->queue[r->nqueue++] = g;
    /* A field rule's value is the policy's, not a detection; a skipped
       part is no detection either. */
    if (r->opts.on_finding && !(g.flags & (VEIL_FIND_RULE | VEIL_FIND_SKIP))) {
        r->opts.on_finding(r->opts.finding_ud, &g);
    }
}

/*
 * Freed redactors are kept for reuse, a few per thread, wiped: the proxy
 * makes up to four per exchange (headers, query, both bodies), and making
 * and freeing one (allocations, zeroing, wiping) cost as much as scanning
 * a 1 KiB body. They go back to the heap when their thread exits, or when
 * veil_redactor_settle() finds them unused for a whole period.
 */
#define SPARES_MAX 8
#define VEIL__SPARE_BUF_MAX (1u << 20) /* a larger buffer goes back to the heap */

struct spares {
    veil_redactor_t *r[SPARES_MAX];
    unsigned n;
    /* The fewest kept since the last veil_redactor_settle(): r[0] to
       r[low - 1] sat unused all that time (new() takes from the top). */
    unsigned low;
};

static pthread_key_t spares_key;
static pthread_once_t spares_once = PTHREAD_ONCE_INIT;
static int spares_ok;

static void destroy(veil_redactor_t *r);

static void spares_release(void *p)
{
    struct spares *sp = p;

    for (unsigned i = 0; i < sp->n; i++) {
        destroy(sp->r[i]);
    }
    free(sp);
}

static void spares_init(void)
{
    spares_ok = pthread_key_create(&spares_key, spares_release) == 0;
}

static struct spares *thread_spares(int create)
{
    struct spares *sp;

    pthread_once(&spares_once, spares_init);
    if (!spares_ok) {
        return NULL;
    }
    sp = pthread_getspecific(spares_key);
    if (sp == NULL && create) {
        sp = calloc(1, sizeof(*sp));
        if (sp != NULL && pthread_setspecific(spares_key, sp) != 0) {
            free(sp);
            sp = NULL;
        }
    }
    return sp;
}

/* The per-stream state of <r> as a new redactor has it. */
static int start(veil_redactor_t *r, const veil_engine_t *engine,
                 const veil_redactor_options_t *opts)
{
    size_t n = veil_engine_detector_count(engine);

    r->opts = *opts;
    r->engine = engine;
    if (n > r->nactions) {
        uint8_t *a = realloc(r->actions, n);
        if (a == NULL) {
            return -ENOMEM;
        }
        r->actions = a;
        r->nactions = n;
    }
    for (size_t d = 0; d < n; d++) {
        r->actions[d] =
            opts->action_by_detector ? opts->action_by_detector[d] : (uint8_t)opts->action;
    }
    r->len = 0;
    r->buf_off = 0;
    r->nqueue = 0;
    r->written = 0;
    r->skip_from = UINT64_MAX;
    r->error = 0;
    return 0;
}

/* The body type the options name: <type>, or <format> alone. */
static const veil_body_type_t *opts_type(const veil_redactor_options_t *opts, veil_body_type_t *tmp)
{
    if (opts->type != NULL) {
        return opts->type;
    }
    memset(tmp, 0, sizeof(*tmp));
    tmp->format = opts->format;
    return tmp;
}

veil_redactor_t *veil_redactor_new(const veil_engine_t *engine, const veil_redactor_options_t *opts)
{
    struct spares *sp = thread_spares(0);
    veil_body_type_t tmp;
    const veil_body_type_t *type = opts_type(opts, &tmp);
    veil_redactor_t *r;

    if (sp != NULL && sp->n > 0) {
        r = sp->r[--sp->n];
        if (sp->n < sp->low) {
            sp->low = sp->n;
        }
        if (start(r, engine, opts) == 0 &&
            veil__scanner_reset(r->scanner, engine, type, on_finding, r) == 0) {
            veil__scanner_set_field_cb(r->scanner, opts->field_action, opts->field_ud);
            veil__scanner_report_skips(r->scanner, !opts->keep_skipped);
            veil__scanner_no_names(r->scanner, opts->no_names, opts->n_no_names);
            if (opts->no_tables) {
                veil__scanner_no_tables(r->scanner);
            }
            return r;
        }
        destroy(r);
        return NULL;
    }
    r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return NULL;
    }
    if (start(r, engine, opts) != 0) {
        free(r);
        return NULL;
    }
    r->scanner = veil_scanner_new_typed(engine, type, on_finding, r);
    if (r->scanner == NULL) {
        free(r->actions);
        free(r);
        return NULL;
    }
    veil__scanner_set_field_cb(r->scanner, opts->field_action, opts->field_ud);
    veil__scanner_report_skips(r->scanner, !opts->keep_skipped);
    veil__scanner_no_names(r->scanner, opts->no_names, opts->n_no_names);
    if (opts->no_tables) {
        veil__scanner_no_tables(r->scanner);
    }
    return r;
}

static int out(veil_redactor_t *r, const void *p, size_t n)
{
    if (n && r->error == 0 && r->opts.write(r->opts.write_ud, p, n) != 0) {
        r->error = VEIL_EWRITE;
    }
    return r->error;
}

/*
 * The raw bytes the redactor can still write: those it holds (r->buf, from
 * raw offset r->buf_off) and those of the feed being handled (<fresh>,
 * from r->buf_off + r->len), which are written from where the caller has
 * them and never copied unless they must be held.
 */
typedef struct {
    const unsigned char *fresh;
    size_t fresh_len;
} feed_t;

/* Writes raw bytes [from, to): held ones, then fresh ones, in bulk. */
static int out_range(veil_redactor_t *r, const feed_t *fd, uint64_t from, uint64_t to)
{
    uint64_t fresh_off = r->buf_off + r->len;
    if (from < fresh_off) {
        uint64_t e = to < fresh_off ? to : fresh_off;
        out(r, r->buf + (from - r->buf_off), (size_t)(e - from));
        from = e;
    }
    if (from < to) {
        out(r, fd->fresh + (from - fresh_off), (size_t)(to - from));
    }
    return r->error;
}

/* The line breaks among raw bytes [from, to), held or fresh. */
static uint64_t count_lines(const veil_redactor_t *r, const feed_t *fd, uint64_t from, uint64_t to)
{
    uint64_t fresh_off = r->buf_off + r->len, lines = 0;
    while (from < to) {
        const unsigned char *p, *e;
        if (from < fresh_off) {
            p = r->buf + (from - r->buf_off);
            from = to < fresh_off ? to : fresh_off;
            e = r->buf + (from - r->buf_off);
        } else {
            p = fd->fresh + (from - fresh_off);
            e = fd->fresh + (to - fresh_off);
            from = to;
        }
        for (; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++) {
            lines++;
        }
    }
    return lines;
}

/* A skipped part: nothing for its pieces but the last, which writes the
   marker with the length of the whole part, then its line breaks (as
   the label transform keeps a value's: every action keeps the number of
   lines). */
static int write_skip(veil_redactor_t *r, const feed_t *fd, const veil_finding_t *f)
{
    char marker[80];
    int n;

    if (r->skip_from == UINT64_MAX) {
        r->skip_from = f->offset;
        r->skip_lines = 0;
    }
    r->skip_lines += count_lines(r, fd, f->offset, f->offset + f->length);
    if (f->flags & VEIL_FIND_MORE) {
        return r->error;
    }
    n = snprintf(marker, sizeof(marker), "[SKIPPED %s part, %llu bytes]",
                 veil_skip_reason_name((veil_skip_reason_t)f->detector),
                 (unsigned long long)(f->offset + f->length - r->skip_from));
    r->skip_from = UINT64_MAX;
    if (n < 0 || (size_t)n >= sizeof(marker)) {
        return r->error = -EINVAL;
    }
    out(r, marker, (size_t)n);
    for (; r->skip_lines > 0 && r->error == 0; r->skip_lines--) {
        out(r, "\n", 1);
    }
    return r->error;
}

/* The raw bytes of <f> in one piece: where they lie, or copied into
   r->span when they straddle the held and the fresh bytes. */
static const char *span_bytes(veil_redactor_t *r, const feed_t *fd, const veil_finding_t *f)
{
    uint64_t fresh_off = r->buf_off + r->len, end = f->offset + f->length;
    if (end <= fresh_off) {
        return (const char *)r->buf + (f->offset - r->buf_off);
    }
    if (f->offset >= fresh_off) {
        return (const char *)fd->fresh + (f->offset - fresh_off);
    }
    if (f->length > r->span_cap) {
        char *n = malloc(f->length);
        if (n == NULL) {
            r->error = -ENOMEM;
            return NULL;
        }
        if (r->span) {
            wipe(r->span, r->span_cap);
            free(r->span);
        }
        r->span = n;
        r->span_cap = f->length;
    }
    size_t held = (size_t)(fresh_off - f->offset);
    memcpy(r->span, r->buf + (f->offset - r->buf_off), held);
    memcpy(r->span + held, fd->fresh, f->length - held);
    return r->span;
}

static int write_finding(veil_redactor_t *r, const feed_t *fd, const veil_finding_t *f)
{
    if (f->flags & VEIL_FIND_SKIP) {
        return write_skip(r, fd, f);
    }
    size_t need = r->opts.tokens ? VEIL_TOKEN_OUT_CAP(f->length) : 64 + 2 * (size_t)f->length;
    if (need > r->scratch_cap) {
        char *s = malloc(need);
        if (s == NULL) {
            return r->error = -ENOMEM;
        }
        if (r->scratch) {
            wipe(r->scratch, r->scratch_cap);
            free(r->scratch);
        }
        r->scratch = s;
        r->scratch_cap = need;
    }
    const char *raw = span_bytes(r, fd, f);
    if (raw == NULL) {
        return r->error;
    }
    int rule = (f->flags & VEIL_FIND_RULE) != 0;
    /* A field rule's finding carries its action where a detector would
       be; its label is the generic one ([PII]). */
    veil_action_t act = rule ? (veil_action_t)f->detector : (veil_action_t)r->actions[f->detector];
    const veil_detector_info_t *info = rule ? NULL : veil_engine_detector(r->engine, f->detector);
    long n;
    n = -1;
    if (act == VEIL_ACT_PLACEHOLDER && r->opts.placeholder != NULL) {
        n = r->opts.placeholder(r->opts.placeholder_ud, info ? info->label : "PII", raw, f->length,
                                r->scratch, r->scratch_cap);
    }
    if (n >= 0) {
        /* written by the round trip's map */
    } else if (r->opts.tokens &&
               (act == VEIL_ACT_TOKENIZE || r->opts.token_op != VEIL_TOKEN_OP_TOKENIZE)) {
        n = veil_tokens_transform(r->opts.tokens, r->opts.token_stats,
                                  (veil_token_op_t)r->opts.token_op, r->opts.format, info,
                                  rule ? UINT16_MAX : f->detector, f->flags, raw, f->length,
                                  r->scratch, r->scratch_cap);
    } else {
        n = veil_transform_apply_info(act, info, rule ? UINT16_MAX : f->detector, f->flags, raw,
                                      f->length, r->opts.key, r->scratch, r->scratch_cap);
    }
    if (raw == r->span) {
        wipe(r->span, f->length);
    }
    if (n < 0) {
        return r->error = (int)n;
    }
    out(r, r->scratch, (size_t)n);
    /* A masked value keeps the raw bytes it did not mask (separators, a
       card's last four): the scratch copy is wiped all the same. */
    wipe(r->scratch, (size_t)n);
    return r->error;
}

/* Makes room for <n> more held bytes. */
static int hold_room(veil_redactor_t *r, size_t n)
{
    if (r->len + n <= r->cap) {
        return 0;
    }
    size_t cap = r->cap ? r->cap : 4096;
    while (cap < r->len + n) {
        cap *= 2;
    }
    unsigned char *b = malloc(cap);
    if (b == NULL) {
        return r->error = -ENOMEM;
    }
    if (r->buf) {
        memcpy(b, r->buf, r->len);
        wipe(r->buf, r->used);
        free(r->buf);
    }
    r->used = r->len;
    r->buf = b;
    r->cap = cap;
    return 0;
}

/*
 * Writes everything before <upto>, untouched runs in bulk and queued
 * findings that start before it whole, then keeps what is left of the
 * held and fresh bytes (the scanner's hold-back, bounded): a feed with no
 * finding in it is written straight from the caller's buffer.
 */
static int flush(veil_redactor_t *r, const feed_t *fd, uint64_t upto)
{
    size_t k = 0;
    uint64_t fresh_off = r->buf_off + r->len, end = fresh_off + fd->fresh_len;
    if (upto > end) {
        upto = end;
    }
    while (r->error == 0 && r->written < upto) {
        if (k < r->nqueue && r->queue[k].offset < upto) {
            const veil_finding_t *f = &r->queue[k++];
            out_range(r, fd, r->written, f->offset);
            write_finding(r, fd, f);
            r->written = f->offset + f->length;
        } else {
            out_range(r, fd, r->written, upto);
            r->written = upto;
        }
    }
    if (k) {
        memmove(r->queue, r->queue + k, (r->nqueue - k) * sizeof(*r->queue));
        r->nqueue -= k;
    }
    if (r->error) {
        return r->error;
    }
    /* Keep [written, end). What stays behind past the new end of buf is
       overwritten by later bytes and wiped at the latest by
       veil_redactor_free(), which wipes all the buffer ever held. */
    uint64_t keep = r->written < end ? r->written : end;
    if (keep >= fresh_off) {
        r->len = 0;
        r->buf_off = keep;
        size_t n = (size_t)(end - keep);
        if (n && hold_room(r, n) == 0) {
            memcpy(r->buf, fd->fresh + (keep - fresh_off), n);
            r->len = n;
        }
    } else {
        size_t drop = (size_t)(keep - r->buf_off);
        if (drop) {
            memmove(r->buf, r->buf + drop, r->len - drop);
            r->len -= drop;
            r->buf_off += drop;
        }
        if (fd->fresh_len && hold_room(r, fd->fresh_len) == 0) {
            memcpy(r->buf + r->len, fd->fresh, fd->fresh_len);
            r->len += fd->fresh_len;
        }
    }
    if (r->len > r->used) {
        r->used = r->len;
    }
    return r->error;
}

int veil_redactor_feed(veil_redactor_t *r, const void *data, size_t len)
{
    if (r->error) {
        return r->error;
    }
    if (len == 0) {
        return 0;
    }
    int rc = veil_scanner_feed(r->scanner, data, len);
    if (rc != 0) {
        return r->error = rc;
    }
    feed_t fd = {data, len};
    return flush(r, &fd, veil_scanner_safe_offset(r->scanner));
}

int veil_redactor_finish(veil_redactor_t *r)
{
    if (r->error) {
        return r->error;
    }
    int rc = veil_scanner_finish(r->scanner);
    if (rc != 0) {
        return r->error = rc;
    }
    feed_t fd = {NULL, 0};
    return flush(r, &fd, UINT64_MAX);
}

uint64_t veil_redactor_offset(const veil_redactor_t *r)
{
    return r->written;
}

uint32_t veil_redactor_skipped(const veil_redactor_t *r, veil_skip_reason_t reason)
{
    return veil_scanner_skipped(r->scanner, reason);
}

static void destroy(veil_redactor_t *r)
{
    veil_scanner_free(r->scanner);
    if (r->buf) {
        wipe(r->buf, r->used);
        free(r->buf);
    }
    if (r->scratch) {
        /* Wiped after each use (write_finding). */
        free(r->scratch);
    }
    free(r->span); /* wiped after each use too */
    free(r->queue);
    free(r->actions);
    free(r);
}

void veil_redactor_free(veil_redactor_t *r)
{
    struct spares *sp;

    if (r == NULL) {
        return;
    }
    sp = thread_spares(1);
    if (sp == NULL || sp->n == SPARES_MAX || r->used > VEIL__SPARE_BUF_MAX ||
        r->scanner->text.cap > VEIL__SPARE_BUF_MAX) {
        destroy(r);
        return;
    }
    /* Kept for reuse: nothing of this stream stays readable in it. */
    if (r->buf) {
        wipe(r->buf, r->used);
    }
    r->used = 0;
    veil__scanner_wipe(r->scanner);
    sp->r[sp->n++] = r;
}


/*
 * The spares a thread keeps grow to the most redactors it had in flight at
 * once, each with the buffers its biggest stream grew (a 64 KiB form body
 * leaves a scanner of about 1 MB), so without this one busy moment sets
 * the thread's memory for good: a soak on a loaded machine crept up 0.8 MB
 * over ten minutes as rarer and rarer peaks came along.
 */
unsigned veil_redactor_settle(int all)
{
    struct spares *sp = thread_spares(0);
    unsigned drop, i;

    if (sp == NULL) {
        return 0;
    }
    drop = all ? sp->n : (sp->low < sp->n ? sp->low : sp->n);
    for (i = 0; i < drop; i++) {
        destroy(sp->r[i]);
    }
    memmove(sp->r, sp->r + drop, (sp->n - drop) * sizeof(sp->r[0]));
    sp->n -= drop;
    sp->low = sp->n;
    return drop;
}
