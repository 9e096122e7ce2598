/*
 * Body inspection: a copy of each body, as it streams, is decoded
 * (gzip/deflate, then UTF-16/UTF-32 to UTF-8 when its charset or byte
 * order mark says so) and fed to the engine's redactor, which counts
 * findings and writes a redacted copy for the log (in UTF-8). The
 * forwarded bytes are never touched here.
 *
 * Fail closed: a body that cannot be inspected whole (over the inspection
 * limit, an encoding or a charset veil cannot decode, a binary type, a
 * decode error) is not logged at all; the record gives the reason instead.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proxy_int.h"
#include "veil/config.h"
#include "veil/tokens.h"

void veil__findings_add(veil__findings_t *f, uint16_t detector, int loc)
{
    uint8_t kept = (loc & VEIL__LOC_KEPT) != 0;
    unsigned i;

    loc &= ~(VEIL__LOC_KEPT | VEIL__LOC_NO_NAMES | VEIL__LOC_INERT);
    for (i = 0; i < f->n; i++) {
        if (f->kind[i].detector == detector && f->kind[i].loc == loc && f->kind[i].kept == kept) {
            f->kind[i].count++;
            return;
        }
    }
    if (f->n == VEIL__MAX_FINDING_KINDS) {
        f->dropped++;
        return;
    }
    f->kind[f->n].detector = detector;
    f->kind[f->n].loc = (uint8_t)loc;
    f->kind[f->n].kept = kept;
    f->kind[f->n].count = 1;
    f->n++;
}


static int lc_prefix(veil_h1_span_t s, const char *lc)
{
    size_t n = strlen(lc);

    return s.len >= n && strncasecmp(s.ptr, lc, n) == 0;
}


/* The media type of <ct> without parameters, OWS trimmed. */
static veil_h1_span_t media_type(veil_h1_span_t ct)
{
    veil_h1_span_t m = ct;
    size_t i;

    for (i = 0; i < m.len; i++) {
        if (m.ptr[i] == ';') {
            m.len = i;
            break;
        }
    }
    while (m.len > 0 && (m.ptr[m.len - 1] == ' ' || m.ptr[m.len - 1] == '\t')) {
        m.len--;
    }
    return m;
}


static int ends_with(veil_h1_span_t s, const char *lc)
{
    size_t n = strlen(lc);

    return s.len >= n && strncasecmp(s.ptr + s.len - n, lc, n) == 0;
}


/* Text-like media types are inspected and logged; others are binary. */
static int text_like(veil_h1_span_t ct)
{
    static const char *const exact[] = {
        "application/json",       "application/xml",
        "application/javascript", "application/x-www-form-urlencoded",
        "application/graphql",    "application/x-ndjson",
        "application/jsonl",      "application/csv",
        "application/yaml",       "application/x-yaml",
        "application/soap+xml",
    };
    veil_h1_span_t m = media_type(ct);
    size_t i;

    if (ct.ptr == NULL) {
        return 1; /* untyped bodies are inspected as text */
    }
    if (lc_prefix(m, "text/") || lc_prefix(m, "multipart/")) {
        return 1; /* multipart: each part is judged by its own type */
    }
    for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
        if (m.len == strlen(exact[i]) && strncasecmp(m.ptr, exact[i], m.len) == 0) {
            return 1;
        }
    }
    return ends_with(m, "+json") || ends_with(m, "+xml");
}


static int log_write(void *ud, const char *data, size_t len)
{
    veil__inspect_t *in = ud;
    size_t room;

    if (!in->log_on || in->truncated) {
        return 0;
    }
    room = in->log.max - in->log.len;
    if (len > room) {
        len = room;
        in->truncated = 1;
    }
    if (len > 0 && veil_jbuf_raw(&in->log, data, len) != 0) {
        in->truncated = 1;
    }
    return 0;
}


static void on_finding(void *ud, const veil_finding_t *f)
{
    veil__inspect_t *in = ud;

    veil__findings_add(in->findings, f->detector, in->loc);
}


void veil__inspect_begin(veil__inspect_t *in, const veil__xchg_t *x, int dir, veil_h1_span_t ct,
                         veil_h1_span_t ce, veil__findings_t *findings, int loc)
{
    veil_redactor_options_t ro;
    veil_h1_span_t m;
    const uint8_t *actions;
    const veil_engine_t *engine = veil__xchg_engine(x->c->w, x, dir, &actions);

    memset(in, 0, sizeof(*in));
    in->findings = findings;
    in->loc = loc;
    in->limit = veil_config_server(x->conf)->inspect_limit;
    veil_jbuf_init(&in->log, veil_config_access_log(x->conf)->body_limit);
    in->state = VEIL__INS_ON;
    if (engine == NULL) {
        veil__inspect_skip(in, "inspection_off");
        return;
    }
    if (!text_like(ct)) {
        veil__inspect_skip(in, "binary");
        return;
    }
    m = media_type(ce);
    if (ce.ptr == NULL || m.len == 0 || (m.len == 8 && strncasecmp(m.ptr, "identity", 8) == 0)) {
        in->zmode = 0;
    } else if ((m.len == 4 && strncasecmp(m.ptr, "gzip", 4) == 0) ||
               (m.len == 6 && strncasecmp(m.ptr, "x-gzip", 6) == 0) ||
               (m.len == 7 && strncasecmp(m.ptr, "deflate", 7) == 0)) {
        in->zmode = 1;
        /* 32 + 15: zlib or gzip header, detected. Raw deflate (sent by
           some servers as "deflate") is retried on the first error. */
        if (inflateInit2(&in->z, 32 + 15) != Z_OK) {
            veil__inspect_skip(in, "decode_error");
            return;
        }
        in->zinit = 1;
    } else {
        veil__inspect_skip(in, "encoding");
        return;
    }
    /* UTF-16 and UTF-32 are read as UTF-8; a charset veil cannot read
       (UTF-7, EBCDIC, unknown) would hide what it spells. */
    in->cs.declared = (uint8_t)veil_charset_from_content_type(ct.ptr, ct.len);
    if (in->cs.declared == VEIL_CS_UNKNOWN) {
        veil__inspect_skip(in, "charset");
        return;
    }
    memset(&ro, 0, sizeof(ro));
    veil_body_type_from_content_type(ct.ptr, ct.len, &in->type);
    ro.type = &in->type;
    in->format = in->type.format;
    if (x != NULL && x->policy != NULL &&
        (x->policy->dir[dir].nfields > 0 ||
         x->policy->dir[dir].body_log == VEIL_BODY_LOG_ALLOWLIST)) {
        ro.field_action = veil__log_rules;
        ro.field_ud = (void *)&x->policy->dir[dir];
    }
    ro.action = VEIL_ACT_LABEL;
    ro.action_by_detector = actions;
    ro.key = x && x->policy ? x->policy->dir[dir].key : NULL;
    /* The tokenize action writes tokens (veil/tokens.h) where the config
       has key slots; the label otherwise. */
    ro.tokens = x && x->policy ? x->policy->dir[dir].tokens : NULL;
    if (veil__xchg_issues_placeholders(x, dir)) {
        ro.placeholder = veil__xchg_placeholder;
        ro.placeholder_ud = (void *)x;
    }
    ro.write = log_write;
    ro.write_ud = in;
    ro.on_finding = on_finding;
    ro.finding_ud = in;
    in->log_on = 1;
    in->red = veil_redactor_new(engine, &ro);
    if (in->red == NULL) {
        veil__inspect_skip(in, "no_memory");
    }
}


/* Text as the engine reads it (UTF-8 or ASCII-compatible). */
static int feed_text(void *ud, const char *data, size_t len)
{
    veil__inspect_t *in = ud;

    if (in->decoded + len > in->limit) {
        veil__inspect_skip(in, "over_limit");
        return 1;
    }
    in->decoded += len;
    if (veil_redactor_feed(in->red, data, len) != 0) {
        veil__inspect_skip(in, "engine_error");
        return 1;
    }
    return 0;
}


/* Bytes of the body after its content coding: through the charset
   decoder (which passes most bodies on as they are). */
static void feed_engine(veil__inspect_t *in, const char *data, size_t len)
{
    if (veil_charset_decode(&in->cs, data, len, feed_text, in) == VEIL_CHARSET_CONFLICT) {
        veil__inspect_skip(in, "charset");
    }
}


static void inflate_feed(veil__inspect_t *in, const char *data, size_t len, int finish)
{
    char out[16384];
    int rc;

    in->z.next_in = (Bytef *)data;
    in->z.avail_in = (uInt)len;
    do {
        in->z.next_out = (Bytef *)out;
        in->z.avail_out = sizeof(out);
        rc = inflate(&in->z, Z_NO_FLUSH);
        if (rc == Z_DATA_ERROR && !in->zraw_tried && in->z.total_out == 0 && in->raw_bytes == len) {
            /* "deflate" sent as raw deflate: start again without header. */
            in->zraw_tried = 1;
            inflateEnd(&in->z);
            if (inflateInit2(&in->z, -15) != Z_OK) {
                in->zinit = 0;
                veil__inspect_skip(in, "decode_error");
                return;
            }
            in->z.next_in = (Bytef *)data;
            in->z.avail_in = (uInt)len;
            continue;
        }
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
            veil__inspect_skip(in, "decode_error");
            return;
        }
        if (sizeof(out) - in->z.avail_out > 0) {
            feed_engine(in, out, sizeof(out) - in->z.avail_out);
            if (in->state != VEIL__INS_ON) {
                return;
            }
        }
        if (rc == Z_STREAM_END) {
            if (in->z.avail_in > 0) {
                /* Bytes after the end of the compressed stream. */
                veil__inspect_skip(in, "decode_error");
            }
            in->zmode = 2;
            return;
        }
        if (rc == Z_BUF_ERROR && in->z.avail_out != 0) {
            break; /* needs more input */
        }
    } while (in->z.avail_in > 0 || in->z.avail_out == 0);
    (void)finish;
}


void veil__inspect_feed(veil__inspect_t *in, const char *data, size_t len)
{
    if (in->state != VEIL__INS_ON || len == 0) {
        in->raw_bytes += len;
        return;
    }
    in->raw_bytes += len;
    if (in->zmode == 0) {
        feed_engine(in, data, len);
    } else if (in->zmode == 1) {
        /* The compressed size is capped too: a stream that stalls
           without output must not be decoded forever. */
        if (in->raw_bytes > in->limit) {
            veil__inspect_skip(in, "over_limit");
            return;
        }
        inflate_feed(in, data, len, 0);
    } else {
        veil__inspect_skip(in, "decode_error");
    }
}


void veil__inspect_end(veil__inspect_t *in, int complete)
{
    if (in->state != VEIL__INS_ON) {
        return;
    }
    if (in->raw_bytes == 0) {
        veil_redactor_free(in->red);
        in->red = NULL;
        in->state = VEIL__INS_NONE;
        return;
    }
    if (in->zmode == 1) {
        /* The compressed stream never ended. */
        veil__inspect_skip(in, complete ? "decode_error" : "incomplete");
        return;
    }
    if (veil_charset_decode_finish(&in->cs, feed_text, in) == VEIL_CHARSET_CONFLICT) {
        veil__inspect_skip(in, "charset");
    }
    if (in->state != VEIL__INS_ON) {
        return;
    }
    if (veil_redactor_finish(in->red) != 0) {
        veil__inspect_skip(in, "engine_error");
        return;
    }
    if (!complete) {
        /* What arrived was inspected whole, but the body was cut. */
        in->skip = "incomplete";
    }
    in->parts_skipped = veil_redactor_skipped(in->red, VEIL_SKIP__COUNT);
    in->state = VEIL__INS_DONE;
    veil_redactor_free(in->red);
    in->red = NULL;
}


void veil__inspect_skip(veil__inspect_t *in, const char *reason)
{
    if (in->state == VEIL__INS_SKIPPED) {
        return;
    }
    in->state = VEIL__INS_SKIPPED;
    in->skip = reason;
    in->log_on = 0;
    veil_redactor_free(in->red);
    in->red = NULL;
    veil_jbuf_dispose(&in->log);
    if (in->zinit) {
        inflateEnd(&in->z);
        in->zinit = 0;
    }
}


void veil__inspect_dispose(veil__inspect_t *in)
{
    veil_redactor_free(in->red);
    in->red = NULL;
    if (in->zinit) {
        inflateEnd(&in->z);
        in->zinit = 0;
    }
    veil_jbuf_dispose(&in->log);
}


/* Redaction of short values (path, query, header values) in one pass. */
struct lines_ctx {
    veil_jbuf_t *out;
    size_t n;
    const size_t *starts; /* offset of each value in the stream */
    const int *loc_of;
    veil__findings_t *findings;
    int bad;
};


static int lines_write(void *ud, const char *data, size_t len)
{
    struct lines_ctx *lc = ud;

    if (veil_jbuf_raw(lc->out, data, len) != 0) {
        lc->bad = 1;
    }
    return 0;
}


static void lines_finding(void *ud, const veil_finding_t *f)
{
    struct lines_ctx *lc = ud;
    size_t lo = 0, hi = lc->n;

    /* The value whose span holds the finding's offset. */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;

        if (lc->starts[mid] <= f->offset) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    veil__findings_add(lc->findings, f->detector, lc->loc_of[lo]);
}


/* Whether value <i> is one no detector finds anything in. */
static int inert(const int *loc_of, size_t i)
{
    return loc_of != NULL && (loc_of[i] & VEIL__LOC_INERT);
}


/* Whether value <i> is one where no name or address can be. */
static int no_names_of(const int *loc_of, const veil_h1_span_t *vals, size_t i)
{
    return loc_of != NULL && (loc_of[i] & VEIL__LOC_NO_NAMES) && vals[i].len > 0;
}


static int redact_lines(const veil_engine_t *engine, const uint8_t *actions,
                        const veil_policy_dir_t *pd, veil_format_t fmt, const veil_h1_span_t *vals,
                        size_t n, veil_jbuf_t *out, veil_h1_span_t *red, const int *loc_of,
                        veil__findings_t *findings, veil_field_action_cb rules, void *rules_ud,
                        veil__xchg_t *ph_x, veil_token_stats_t *tst, size_t *starts,
                        uint64_t (*no_names)[2])
{
    veil_redactor_options_t ro;
    veil_redactor_t *r;
    struct lines_ctx lc;
    size_t off = 0, i, pos, k = 0;
    int rc = 0;

    memset(&lc, 0, sizeof(lc));
    lc.out = out;
    lc.n = n;
    lc.starts = starts;
    lc.loc_of = loc_of;
    lc.findings = findings;
    memset(&ro, 0, sizeof(ro));
    ro.format = fmt;
    ro.action = VEIL_ACT_LABEL;
    ro.action_by_detector = actions;
    ro.key = pd ? pd->key : NULL;
    ro.tokens = pd ? pd->tokens : NULL;
    ro.token_stats = tst;
    if (ph_x != NULL) {
        ro.placeholder = veil__xchg_placeholder;
        ro.placeholder_ud = ph_x;
    }
    ro.write = lines_write;
    ro.write_ud = &lc;
    ro.on_finding = lines_finding;
    ro.finding_ud = &lc;
    ro.field_action = rules;
    ro.field_ud = rules_ud;
    ro.no_names = (const uint64_t(*)[2])no_names;
    ro.no_tables = 1; /* values, one a line */
    /* The values joined by newlines and fed at once: one pass of the
       engine instead of two feeds per value. */
    char small[4096], *joined = small;
    size_t total = 0;

    /* (an inert value is an empty line: its line keeps the others' order) */
    for (i = 0; i < n; i++) {
        total += (inert(loc_of, i) ? 0 : vals[i].len) + 1;
    }
    if (total > sizeof(small) && (joined = malloc(total)) == NULL) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        size_t len = inert(loc_of, i) ? 0 : vals[i].len;
        starts[i] = off;
        if (len > 0) {
            memcpy(joined + off, vals[i].ptr, len);
        }
        if (len > 0 && no_names_of(loc_of, vals, i)) {
            no_names[k][0] = off; /* (the redactor reads them when fed) */
            no_names[k++][1] = off + len;
        }
        joined[off + len] = '\n';
        off += len + 1;
    }
    ro.n_no_names = k;
    int clear = fmt == VEIL_FMT_TEXT && rules == NULL &&
                veil_engine_text_clear(engine, joined, total, (const uint64_t(*)[2])no_names, k);
    if (clear) {
        /* Nothing the engine could find (most heads: a content type, a
           length, a server's name): the values as they came, without a
           redactor's set-up, pass and wiping. */
        rc = veil_jbuf_raw(out, joined, total);
    } else if ((r = veil_redactor_new(engine, &ro)) == NULL) {
        rc = -1;
    } else {
        rc = veil_redactor_feed(r, joined, total);
        if (rc == 0) {
            rc = veil_redactor_finish(r);
        }
        veil_redactor_free(r);
    }
    /* The values before redaction. */
    explicit_bzero(joined, total);
    if (joined != small) {
        free(joined);
    }
    if (rc != 0 || lc.bad) {
        return -1;
    }
    /* Each value must come back as exactly one line: a replacement that
       swallowed a separator would shift values between fields. */
    off = 0;
    k = 0;
    for (pos = 0; pos < out->len; pos++) {
        if (out->data[pos] == '\n') {
            if (k == n) {
                return -1;
            }
            red[k].ptr = out->data + off;
            red[k].len = pos - off;
            if (inert(loc_of, k)) {
                red[k] = vals[k];
            }
            k++;
            off = pos + 1;
        }
    }
    if (off != out->len) {
        return -1;
    }
    return k == n ? 0 : -1;
}


int veil__redact_lines(const veil_engine_t *engine, const uint8_t *actions,
                       const veil_policy_dir_t *pd, veil_format_t fmt, const veil_h1_span_t *vals,
                       size_t n, veil_jbuf_t *out, veil_h1_span_t *red, const int *loc_of,
                       veil__findings_t *findings, veil_field_action_cb rules, void *rules_ud,
                       veil__xchg_t *ph_x)
{
    return veil__redact_lines_counted(engine, actions, pd, fmt, vals, n, out, red, loc_of, findings,
                                      rules, rules_ud, ph_x, NULL);
}


int veil__redact_lines_counted(const veil_engine_t *engine, const uint8_t *actions,
                               const veil_policy_dir_t *pd, veil_format_t fmt,
                               const veil_h1_span_t *vals, size_t n, veil_jbuf_t *out,
                               veil_h1_span_t *red, const int *loc_of, veil__findings_t *findings,
                               veil_field_action_cb rules, void *rules_ud, veil__xchg_t *ph_x,
                               veil_token_stats_t *tst)
{
    size_t few[64], *starts = few;
    uint64_t few_spans[64][2], (*no_names)[2] = few_spans;
    int rc;

    if (n == 0) {
        return 0;
    }
    if (engine == NULL) {
        return -1;
    }
    /* A head has as many values as fields (server.max_headers). */
    if (n > sizeof(few) / sizeof(few[0]) && ((starts = malloc(n * sizeof(*starts))) == NULL ||
                                             (no_names = malloc(n * sizeof(*no_names))) == NULL)) {
        if (starts != few) {
            free(starts);
        }
        return -1;
    }
    rc = redact_lines(engine, actions, pd, fmt, vals, n, out, red, loc_of, findings, rules,
                      rules_ud, ph_x, tst, starts, no_names);
    if (starts != few) {
        free(starts);
        free(no_names);
    }
    return rc;
}


/* ---- bodies rewritten in transit (modes redact and tokenize) ---- */

static int held_write(void *ud, const char *data, size_t len)
{
    return veil__held_add(ud, data, len, SIZE_MAX);
}


int veil__rewrite_body(const veil_engine_t *engine, const uint8_t *actions,
                       const veil_hash_key_t *key, const veil_body_type_t *type,
                       const struct veil_policy_dir *rules, veil__held_t *h, veil__xchg_t *ph_x,
                       veil_token_stats_t *tst)
{
    veil_redactor_options_t ro;
    veil__held_t out = {NULL, 0, 0};
    veil_redactor_t *r;
    int rc;

    memset(&ro, 0, sizeof(ro));
    ro.type = type;
    ro.keep_skipped = 1; /* a file in transit is the client's, untouched */
    ro.action = VEIL_ACT_MASK;
    ro.action_by_detector = actions;
    ro.key = key;
    ro.tokens = rules != NULL ? rules->tokens : NULL;
    ro.token_stats = tst;
    if (ph_x != NULL) {
        ro.placeholder = veil__xchg_placeholder;
        ro.placeholder_ud = ph_x;
    }
    ro.write = held_write;
    ro.write_ud = &out;
    if (rules != NULL && rules->nfields > 0) {
        ro.field_action = veil__transit_rules;
        ro.field_ud = (void *)rules;
    }
    r = veil_redactor_new(engine, &ro);
    if (r == NULL) {
        return -1;
    }
    rc = h->len ? veil_redactor_feed(r, h->data, h->len) : 0;
    if (rc == 0) {
        rc = veil_redactor_finish(r);
    }
    veil_redactor_free(r);
    if (rc != 0) {
        veil__held_free(&out);
        return -1;
    }
    veil__held_free(h);
    *h = out;
    return 0;
}


/* ---- bodies in UTF-16/UTF-32, rewritten in transit ---- */

int veil__charset_decode_held(const veil__inspect_t *in, const veil__held_t *h, veil__held_t *out)
{
    veil_charset_decoder_t d;

    memset(&d, 0, sizeof(d));
    d.declared = in->cs.declared;
    if ((h->len && veil_charset_decode(&d, h->data, h->len, held_write, out) != 0) ||
        veil_charset_decode_finish(&d, held_write, out) != 0 || d.form != in->cs.form) {
        veil__held_free(out);
        return -1;
    }
    return 0;
}


int veil__charset_encode_held(const veil__inspect_t *in, const char *utf8, size_t len,
                              veil__held_t *out)
{
    veil_charset_encoder_t e;

    veil_charset_encoder_init(&e, &in->cs);
    if ((len && veil_charset_encode(&e, utf8, len, held_write, out) != 0) ||
        veil_charset_encode_finish(&e, held_write, out) != 0) {
        veil__held_free(out);
        return -1;
    }
    return 0;
}


/* ---- field rules and body_log allow, asked by the engine ---- */

static int rule_action(const veil_policy_dir_t *pd, veil_field_where_t where, const char *path,
                       size_t len)
{
    const veil_field_rule_t *r = pd->nfields ? veil_policy_field_rule(pd, where, path, len) : NULL;

    return r != NULL ? (int)r->action : -1;
}


int veil__log_rules(void *ud, int place, const char *path, size_t len)
{
    const veil_policy_dir_t *pd = ud;
    int a =
        rule_action(pd, place == VEIL_PLACE_JSON ? VEIL_FIELD_JSON : VEIL_FIELD_FORM, path, len);

    if (a >= 0) {
        return a;
    }
    /* body_log allow: only the listed fields are logged (redacted); the
       others are emptied, the structure kept. */
    if (pd->body_log == VEIL_BODY_LOG_ALLOWLIST && !veil_policy_body_field_allowed(pd, path, len)) {
        return VEIL_ACT_DROP;
    }
    return -1;
}


int veil__transit_rules(void *ud, int place, const char *path, size_t len)
{
    return rule_action(ud, place == VEIL_PLACE_JSON ? VEIL_FIELD_JSON : VEIL_FIELD_FORM, path, len);
}


int veil__query_rules(void *ud, int place, const char *path, size_t len)
{
    return place == VEIL_PLACE_FORM ? rule_action(ud, VEIL_FIELD_QUERY, path, len) : -1;
}
