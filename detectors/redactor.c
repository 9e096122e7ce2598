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
    uint8_t *actions;          /* per detector, custom ones included */
    size_t nactions;
    unsigned char *buf;        /* raw bytes [buf_off, buf_off + len) */
    size_t len, cap;
    size_t used;               /* most bytes buf ever held: what to wipe */
    uint64_t buf_off;
    veil_finding_t *queue;     /* findings not written yet, in order */
    size_t nqueue, capqueue;
    uint64_t written;          /* raw offset written out so far */
    char *scratch;
    size_t scratch_cap;
    uint64_t skip_from;        /* start of the skipped part being written,
                                  UINT64_MAX: none */
    uint64_t skip_lines;       /* line breaks in it so far */
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
 * a 1 KiB body. They go back to the heap when their thread exits.
 */
#define SPARES_MAX 8
#define VEIL__SPARE_BUF_MAX (1u << 20) /* a larger buffer goes back to the heap */

struct spares {
    veil_redactor_t *r[SPARES_MAX];
    unsigned n;
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
        r->actions[d] = opts->action_by_detector ? opts->action_by_detector[d]
                                                 : (uint8_t)opts->action;
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
static const veil_body_type_t *opts_type(const veil_redactor_options_t *opts,
                                         veil_body_type_t *tmp)
{
    if (opts->type != NULL) {
        return opts->type;
    }
    memset(tmp, 0, sizeof(*tmp));
    tmp->format = opts->format;
    return tmp;
}

veil_redactor_t *veil_redactor_new(const veil_engine_t *engine,
                                   const veil_redactor_options_t *opts)
{
    struct spares *sp = thread_spares(0);
    veil_body_type_t tmp;
    const veil_body_type_t *type = opts_type(opts, &tmp);
    veil_redactor_t *r;

    if (sp != NULL && sp->n > 0) {
        r = sp->r[--sp->n];
        if (start(r, engine, opts) == 0 &&
            veil__scanner_reset(r->scanner, engine, type, on_finding, r) == 0) {
            veil__scanner_set_field_cb(r->scanner, opts->field_action, opts->field_ud);
            veil__scanner_report_skips(r->scanner, !opts->keep_skipped);
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
    return r;
}

static int out(veil_redactor_t *r, const void *p, size_t n)
{
    if (n && r->opts.write(r->opts.write_ud, p, n) != 0) {
        r->error = VEIL_EWRITE;
    }
    return r->error;
}

/* A skipped part: nothing for its pieces but the last, which writes the
   marker with the length of the whole part, then its line breaks (as
   the label transform keeps a value's: every action keeps the number of
   lines). */
static int write_skip(veil_redactor_t *r, const veil_finding_t *f)
{
    const unsigned char *raw = r->buf + (f->offset - r->buf_off);
    char marker[80];
    int n;

    if (r->skip_from == UINT64_MAX) {
        r->skip_from = f->offset;
        r->skip_lines = 0;
    }
    for (const unsigned char *p = raw, *e = raw + f->length;
         (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++) {
        r->skip_lines++;
    }
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

static int write_finding(veil_redactor_t *r, const veil_finding_t *f)
{
    if (f->flags & VEIL_FIND_SKIP) {
        return write_skip(r, f);
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
    const char *raw = (const char *)r->buf + (f->offset - r->buf_off);
    int rule = (f->flags & VEIL_FIND_RULE) != 0;
    /* A field rule's finding carries its action where a detector would
       be; its label is the generic one ([PII]). */
    veil_action_t act = rule ? (veil_action_t)f->detector : (veil_action_t)r->actions[f->detector];
    const veil_detector_info_t *info = rule ? NULL : veil_engine_detector(r->engine, f->detector);
    long n;
    n = -1;
    if (act == VEIL_ACT_PLACEHOLDER && r->opts.placeholder != NULL) {
        n = r->opts.placeholder(r->opts.placeholder_ud, info ? info->label : "PII", raw,
                                f->length, r->scratch, r->scratch_cap);
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
    if (n < 0) {
        return r->error = (int)n;
    }
    out(r, r->scratch, (size_t)n);
    /* A masked value keeps the raw bytes it did not mask (separators, a
       card's last four): the scratch copy is wiped all the same. */
    wipe(r->scratch, (size_t)n);
    return r->error;
}

/* Writes everything before <upto>; queued findings that start before it
   are written whole. */
static int flush(veil_redactor_t *r, uint64_t upto)
{
    size_t k = 0;
    uint64_t end = r->buf_off + r->len;
    if (upto > end) {
        upto = end;
    }
    while (r->error == 0 && r->written < upto) {
        if (k < r->nqueue && r->queue[k].offset < upto) {
            const veil_finding_t *f = &r->queue[k++];
            out(r, r->buf + (r->written - r->buf_off), f->offset - r->written);
            write_finding(r, f);
            r->written = f->offset + f->length;
        } else {
            out(r, r->buf + (r->written - r->buf_off), upto - r->written);
            r->written = upto;
        }
    }
    if (k) {
        memmove(r->queue, r->queue + k, (r->nqueue - k) * sizeof(*r->queue));
        r->nqueue -= k;
    }
    /* Release the bytes already written. What stays behind past the new
       end is overwritten by later input and wiped at the latest by
       veil_redactor_free(), which wipes all the buffer ever held. */
    size_t drop = (size_t)(r->written - r->buf_off);
    if (drop > r->len) {
        drop = r->len;
    }
    if (drop) {
        memmove(r->buf, r->buf + drop, r->len - drop);
        r->len -= drop;
        r->buf_off += drop;
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
    if (r->len + len > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + len) {
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
    }
    memcpy(r->buf + r->len, data, len);
    r->len += len;
    if (r->len > r->used) {
        r->used = r->len;
    }
    int rc = veil_scanner_feed(r->scanner, data, len);
    if (rc != 0) {
        return r->error = rc;
    }
    return flush(r, veil_scanner_safe_offset(r->scanner));
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
    return flush(r, UINT64_MAX);
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
