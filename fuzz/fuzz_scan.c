/*
 * Fuzz target: the detection engine's scanner and streaming redactor.
 *
 * Input: two header bytes, then the body (fuzz_common.h).
 *   byte 0, bits 0-1: format (fuzz_scan only: 0/3 text, 1 JSON, 2 form;
 *                     fuzz_json and fuzz_form fix it)
 *           bit 2:    min_confidence low (else the default, medium)
 *           bits 3-4: the action of the redaction pass (mask, label,
 *                     hash, drop)
 *           bit 5:    an engine with an allowlist (overrides bit 2)
 *           bit 6:    an engine with custom detectors (overrides 2, 5)
 *           bit 7:    also redact with field rules (JSON and form)
 *   byte 1:          seed of the cuts and of the SIMD levels
 *
 * Each input runs three times: scanned whole on the reference (every
 * shortcut off: detectors/simd.h), scanned in pieces on a
 * SIMD level the seed picks, and redacted in other pieces on another
 * level; with field rules, redacted twice more (whole on the reference,
 * in pieces on a level). The pieces: one to eight cuts, half of them put
 * next to a byte the engine treats specially (quote, backslash, digit,
 * '@', ':', '=', '%', '-', '_', '\n'); one input in sixteen is fed byte by
 * byte instead.
 *
 * Invariants (abort on violation):
 * - the reference whole and the level in pieces report the same findings
 *   (offset, length, detector, confidence, flags): the streaming contract
 *   and the SIMD levels' and shortcuts' agreement at once;
 * - findings are sorted, non-overlapping, non-empty and inside the input;
 *   the safe offset never moves back, never passes the bytes fed, and no
 *   finding starts before an offset already declared safe;
 * - the redactor tells exactly those findings, in order; its offset never
 *   moves back and it ends having written every input byte;
 * - its output is rebuilt from the findings alone and compared byte for
 *   byte: every byte outside findings copied, each finding replaced by
 *   its mask ('*' for all but separators and a card's last four digits),
 *   [LABEL], the hash transform's output, or nothing (drop), quoted for a
 *   bare JSON token and followed by the finding's line breaks; under mask,
 *   no finding's value of 8+ bytes is left at its place;
 * - every action keeps the number of lines;
 * - allowlist: no finding's raw value is an allowed value or matches the
 *   allowed pattern (text; structured values may be escaped);
 * - JSON: a body that is a sequence of valid JSON values stays one;
 * - text: a body veil_engine_text_clear() clears (on the pieces' level,
 *   every other line a span where no name starts, or none) yields no
 *   finding, scanned as a proxy scans a head's values;
 * - field rules: the engine asks with well-formed places (a JSON path
 *   starting with '$', at most 256 bytes); the output is the same fed
 *   whole and in pieces, keeps the number of lines and valid JSON;
 * - multipart: parts that are not inspected are reported (to the scanner
 *   here, as to a redactor) as pieces in order, the last of a part without
 *   VEIL_FIND_MORE; the redactor writes "[SKIPPED <reason> part, N bytes]"
 *   and the part's line breaks for each part (the rebuilt output says
 *   so, N the part's whole length); a second redaction, label with
 *   skipped parts kept, gives the input with the findings replaced.
 *
 * fuzz_json.c, fuzz_form.c, fuzz_multipart.c and fuzz_xml.c include this
 * file with VEIL_FUZZ_FORMAT set.
 */
#include "fuzz_common.h"
#include "simd.h"

#define MAX_FINDINGS 8192

/* The engine's own switch for skipped parts (detectors/scanner.h): the
   scanner reports them as a redactor's scanner does. */
void veil__scanner_report_skips(veil_scanner_t *s, int on);
/* And those of a redactor of a head's values (veil_redactor_options_t's
   no_tables and no_names). */
void veil__scanner_no_tables(veil_scanner_t *s);
void veil__scanner_no_names(veil_scanner_t *s, const uint64_t (*spans)[2], size_t n);

/* Set by fuzz_multipart.c: the body type (a boundary), or NULL. */
static const veil_body_type_t *fuzz_type;

typedef struct {
    veil_finding_t *f;
    size_t n;
    uint64_t floor;
} findings_t;

static void on_finding(void *ud, const veil_finding_t *f)
{
    findings_t *l = ud;
    FUZZ_ASSERT(f->length > 0);
    FUZZ_ASSERT(f->offset >= l->floor);
    if (l->n > 0) {
        const veil_finding_t *p = &l->f[l->n - 1];
        FUZZ_ASSERT(f->offset >= p->offset + p->length);
        /* The pieces of a skipped part follow each other without a gap. */
        if (p->flags & VEIL_FIND_MORE) {
            FUZZ_ASSERT((f->flags & VEIL_FIND_SKIP) && f->offset == p->offset + p->length &&
                        f->detector == p->detector);
        }
    }
    if (f->flags & VEIL_FIND_SKIP) {
        FUZZ_ASSERT(f->detector < VEIL_SKIP__COUNT);
    } else {
        FUZZ_ASSERT(!(f->flags & VEIL_FIND_MORE));
    }
    FUZZ_ASSERT(l->n < MAX_FINDINGS);
    l->f[l->n++] = *f;
}

static uint32_t rng_state;

static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/*
 * The pieces an input is fed in: cut[0..ncut) are the offsets where a
 * piece ends (the last is the length). Chunking bugs live where a token,
 * an escape or a handler's region is cut, so half of the cuts go next to
 * a byte the engine treats specially; one input in sixteen goes byte by
 * byte (every cut at once).
 */
#define CUTS_MAX 9

typedef struct {
    size_t at[CUTS_MAX];
    size_t n;
    int bytewise;
} cuts_t;

static int special(uint8_t c)
{
    return c == '"' || c == '\\' || c == '@' || c == ':' || c == '=' || c == '%' || c == '-' ||
           c == '_' || c == '\n' || (c >= '0' && c <= '9');
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static void cuts_make(cuts_t *c, const uint8_t *d, size_t len)
{
    c->n = 0;
    c->bytewise = (rng() & 15) == 0;
    size_t want = 1 + rng() % (CUTS_MAX - 1);
    for (size_t k = 0; k < want && len > 1; k++) {
        size_t at = 1 + rng() % (len - 1);
        if (rng() & 1) {
            /* the next special byte from there, or the one after it */
            size_t q = at;
            while (q < len && !special(d[q])) {
                q++;
            }
            if (q < len) {
                at = q + (rng() & 1);
            }
        }
        if (at > 0 && at < len) {
            c->at[c->n++] = at;
        }
    }
    qsort(c->at, c->n, sizeof(c->at[0]), cmp_size);
    c->at[c->n++] = len;
}

/* The size of the next piece from offset <i>. */
static size_t cuts_next(const cuts_t *c, size_t i, size_t len)
{
    if (c->bytewise) {
        return 1;
    }
    for (size_t k = 0; k < c->n; k++) {
        if (c->at[k] > i) {
            return c->at[k] - i;
        }
    }
    return len - i;
}

/* Scans <d> in the pieces <c> (NULL: whole) on SIMD <level>. */
static void scan(const veil_engine_t *e, veil_format_t fmt, const uint8_t *d, size_t len,
                 const cuts_t *c, int level, findings_t *l)
{
    l->n = 0;
    l->floor = 0;
    veil__simd_select(level);
    veil_scanner_t *s = fuzz_type ? veil_scanner_new_typed(e, fuzz_type, on_finding, l)
                                  : veil_scanner_new(e, fmt, on_finding, l);
    FUZZ_ASSERT(s != NULL);
    veil__scanner_report_skips(s, 1);
    uint64_t last = 0;
    for (size_t i = 0; i < len;) {
        size_t k = c ? cuts_next(c, i, len) : len;
        FUZZ_ASSERT(veil_scanner_feed(s, d + i, k) == 0);
        i += k;
        uint64_t safe = veil_scanner_safe_offset(s);
        FUZZ_ASSERT(safe >= last && safe <= i);
        last = safe;
        l->floor = safe;
    }
    FUZZ_ASSERT(veil_scanner_finish(s) == 0);
    veil_scanner_free(s);
}

/*
 * veil_engine_text_clear(): a text it clears without a scan holds no
 * finding when scanned as a proxy scans a head's values (a text stream,
 * its lines no table), no name starting in the spans it was given: every
 * other line when <spans> (as a head's field names).
 */
static void clear_check(const veil_engine_t *e, const uint8_t *d, size_t len, int spans, int level)
{
    static uint64_t sp[64][2];
    static veil_finding_t *f;
    size_t n = 0, start = 0;
    findings_t l = {0};

    if (f == NULL) {
        f = calloc(MAX_FINDINGS, sizeof(*f));
        FUZZ_ASSERT(f != NULL);
    }

    for (size_t i = 0, line = 0; spans && i <= len && n < 64; i++) {
        if (i == len || d[i] == '\n') {
            if (line % 2 == 0 && i > start) {
                sp[n][0] = start;
                sp[n++][1] = i;
            }
            line++;
            start = i + 1;
        }
    }
    veil__simd_select(level);
    if (!veil_engine_text_clear(e, d, len, (const uint64_t(*)[2])sp, n)) {
        return;
    }
    l.f = f;
    veil_scanner_t *s = veil_scanner_new(e, VEIL_FMT_TEXT, on_finding, &l);
    FUZZ_ASSERT(s != NULL);
    veil__scanner_no_tables(s);
    veil__scanner_no_names(s, (const uint64_t(*)[2])sp, n);
    FUZZ_ASSERT(veil_scanner_feed(s, d, len) == 0);
    FUZZ_ASSERT(veil_scanner_finish(s) == 0);
    veil_scanner_free(s);
    if (l.n != 0 && getenv("VEIL_FUZZ_DEBUG") != NULL) {
        fprintf(stderr, "clear, yet %zu findings: detector %u at %llu+%llu\n", l.n,
                (unsigned)f[0].detector, (unsigned long long)f[0].offset,
                (unsigned long long)f[0].length);
    }
    FUZZ_ASSERT(l.n == 0);
}

/* The findings the redactor tells, in order. */
typedef struct {
    uint64_t end;
    size_t n;
    veil_finding_t *f;
} order_t;

static void order_cb(void *ud, const veil_finding_t *f)
{
    order_t *o = ud;
    FUZZ_ASSERT(f->offset >= o->end);
    o->end = f->offset + f->length;
    if (o->f != NULL) {
        FUZZ_ASSERT(o->n < MAX_FINDINGS);
        o->f[o->n] = *f;
    }
    o->n++;
}

static int use_rules, keep_skipped;

/* Redacts <d> in the pieces <c> (NULL: whole) on SIMD <level>; the
   findings it tells go to <told> (or are only counted: NULL). */
static void redact(const veil_engine_t *e, veil_format_t fmt, veil_action_t act, const uint8_t *d,
                   size_t len, const cuts_t *c, int level, sink_t *out, findings_t *told,
                   size_t *nfound)
{
    order_t o = {0, 0, told ? told->f : NULL};
    veil_redactor_options_t opts;
    memset(&opts, 0, sizeof(opts));
    if (use_rules) {
        opts.field_action = fuzz_rules;
    }
    opts.type = fuzz_type;
    opts.keep_skipped = keep_skipped;
    opts.format = fmt;
    opts.action = act;
    opts.key = &fuzz_hash_key;
    opts.write = sink_write;
    opts.write_ud = out;
    opts.on_finding = order_cb;
    opts.finding_ud = &o;
    out->len = 0;
    veil__simd_select(level);
    veil_redactor_t *r = veil_redactor_new(e, &opts);
    FUZZ_ASSERT(r != NULL);
    uint64_t last = 0;
    for (size_t i = 0; i < len;) {
        size_t k = c ? cuts_next(c, i, len) : len;
        FUZZ_ASSERT(veil_redactor_feed(r, d + i, k) == 0);
        i += k;
        uint64_t off = veil_redactor_offset(r);
        FUZZ_ASSERT(off >= last && off <= i);
        last = off;
    }
    FUZZ_ASSERT(veil_redactor_finish(r) == 0);
    FUZZ_ASSERT(veil_redactor_offset(r) == len);
    veil_redactor_free(r);
    *nfound = o.n;
    if (told != NULL) {
        told->n = o.n;
    }
}

static int is_mask_sep(uint8_t c)
{
    return c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')' || c == '+' ||
           c == ':' || c == '@' || c == '\n' || c == '\r' || c == '\t';
}

static size_t count_lines(const uint8_t *p, size_t n)
{
    size_t c = 0;
    for (size_t k = 0; k < n; k++) {
        c += p[k] == '\n';
    }
    return c;
}

static int hexd(int c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* Where a card's kept last four digits start, or <len>: only a value that
   is nothing but a card number (digits, ' ', '-', '+', '.', and \uXXXX or
   %XX escapes, which never count as digits) of 12+ digits keeps them. */
static size_t card_keep(const uint8_t *raw, size_t len)
{
    size_t at[4], seen = 0;
    for (size_t k = 0; k < len;) {
        if (raw[k] == '\\' && k + 5 < len && raw[k + 1] == 'u' && hexd(raw[k + 2]) &&
            hexd(raw[k + 3]) && hexd(raw[k + 4]) && hexd(raw[k + 5])) {
            k += 6;
            continue;
        }
        if (raw[k] == '%' && k + 2 < len && hexd(raw[k + 1]) && hexd(raw[k + 2])) {
            k += 3;
            continue;
        }
        if (raw[k] >= '0' && raw[k] <= '9') {
            at[seen % 4] = k;
            seen++;
        } else if (raw[k] != ' ' && raw[k] != '-' && raw[k] != '+' && raw[k] != '.') {
            return len;
        }
        k++;
    }
    return seen >= 12 ? at[seen % 4] : len;
}

static const veil_engine_t *rebuild_engine;

/* The marker a redactor writes for a skipped part of <n> bytes. */
static size_t skip_marker(const veil_finding_t *f, uint64_t n, char *out, size_t cap)
{
    static const char *const reasons[VEIL_SKIP__COUNT] = {"binary", "encoded", "headers"};
    int w = snprintf(out, cap, "[SKIPPED %s part, %llu bytes]", reasons[f->detector],
                     (unsigned long long)n);
    FUZZ_ASSERT(w > 0 && (size_t)w < cap);
    return (size_t)w;
}

/* The expected output of <act>, rebuilt from the findings: mask and label
   without the transform code; drop as nothing; hash from the transform
   alone (veil_transform_apply_info(), which the transform's own tests
   check), so what is checked is where the redactor puts it. A skipped
   part is its marker and line breaks, or itself when kept. */
static void rebuild(const findings_t *l, veil_action_t act, const uint8_t *d, size_t len,
                    sink_t *exp)
{
    static char *hbuf;
    static size_t hcap;
    int card = veil_catalog_find("credit_card");
    uint64_t at = 0, skip_from = UINT64_MAX;
    size_t skip_lines = 0;
    exp->len = 0;
    for (size_t k = 0; k < l->n; k++) {
        const veil_finding_t *f = &l->f[k];
        const uint8_t *raw = d + f->offset;
        const veil_detector_info_t *info = veil_engine_detector(rebuild_engine, f->detector);
        int bare = (f->flags & VEIL_FIND_JSON_BARE) != 0;
        sink_write(exp, (const char *)d + at, (size_t)(f->offset - at));
        at = f->offset + f->length;
        if (f->flags & VEIL_FIND_SKIP) {
            if (keep_skipped) {
                sink_write(exp, (const char *)raw, f->length);
                continue;
            }
            if (skip_from == UINT64_MAX) {
                skip_from = f->offset;
            }
            skip_lines += count_lines(raw, f->length);
            if (!(f->flags & VEIL_FIND_MORE)) {
                char m[80];
                sink_write(exp, m, skip_marker(f, at - skip_from, m, sizeof(m)));
                for (; skip_lines > 0; skip_lines--) {
                    sink_write(exp, "\n", 1);
                }
                skip_from = UINT64_MAX;
            }
            continue;
        }
        if (act == VEIL_ACT_HASH) {
            size_t need = 64 + 2 * (size_t)f->length;
            if (need > hcap) {
                hbuf = realloc(hbuf, need);
                FUZZ_ASSERT(hbuf != NULL);
                hcap = need;
            }
            long n =
                veil_transform_apply_info(VEIL_ACT_HASH, info, f->detector, f->flags,
                                          (const char *)raw, f->length, &fuzz_hash_key, hbuf, hcap);
            FUZZ_ASSERT(n > 0 && hbuf[bare] == '[' &&
                        hbuf[n - 1 - (long)count_lines(raw, f->length)] == (bare ? '"' : ']'));
            sink_write(exp, hbuf, (size_t)n);
            continue;
        }
        if (bare) {
            sink_write(exp, "\"", 1);
        }
        if (act == VEIL_ACT_MASK) {
            /* A value that is nothing but a card number keeps its last
               four digits; anything else is masked whole, separators
               aside. */
            size_t keep = f->detector == card ? card_keep(raw, f->length) : f->length;
            for (size_t j = 0; j < f->length; j++) {
                int kept = j >= keep && raw[j] >= '0' && raw[j] <= '9';
                char c = kept || is_mask_sep(raw[j]) ? (char)raw[j] : '*';
                sink_write(exp, &c, 1);
            }
        } else if (act == VEIL_ACT_LABEL) {
            char lab[80];
            int n = snprintf(lab, sizeof(lab), "[%s]", info->label);
            sink_write(exp, lab, (size_t)n);
        }
        if (bare) {
            sink_write(exp, "\"", 1);
        }
        if (act != VEIL_ACT_MASK) {
            for (size_t j = count_lines(raw, f->length); j > 0; j--) {
                sink_write(exp, "\n", 1);
            }
        }
    }
    sink_write(exp, (const char *)d + at, len - (size_t)at);
}

/* ---- a strict JSON checker: a body that is a sequence of JSON values
   (JSON Lines) must still be one after redaction ---- */

typedef struct {
    const uint8_t *p;
    size_t n, i;
} jp_t;

static void jp_ws(jp_t *j)
{
    while (j->i < j->n &&
           (j->p[j->i] == ' ' || j->p[j->i] == '\t' || j->p[j->i] == '\n' || j->p[j->i] == '\r')) {
        j->i++;
    }
}

static int jp_digits(jp_t *j)
{
    size_t s = j->i;
    while (j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9') {
        j->i++;
    }
    return j->i > s;
}

static int jp_value(jp_t *j, int depth);

static int jp_string(jp_t *j)
{
    j->i++; /* the opening quote */
    while (j->i < j->n) {
        uint8_t c = j->p[j->i++];
        if (c == '"') {
            return 1;
        }
        if (c < 0x20) {
            return 0;
        }
        if (c == '\\') {
            if (j->i >= j->n) {
                return 0;
            }
            c = j->p[j->i++];
            if (c == 'u') {
                for (int k = 0; k < 4; k++) {
                    if (j->i >= j->n || !hexd(j->p[j->i++])) {
                        return 0;
                    }
                }
            } else if (!strchr("\"\\/bfnrt", c) || c == 0) {
                return 0;
            }
        }
    }
    return 0;
}

static int jp_value(jp_t *j, int depth)
{
    if (depth > 200 || j->i >= j->n) {
        return 0;
    }
    uint8_t c = j->p[j->i];
    if (c == '"') {
        return jp_string(j);
    }
    if (c == '{' || c == '[') {
        uint8_t close = c == '{' ? '}' : ']';
        j->i++;
        jp_ws(j);
        if (j->i < j->n && j->p[j->i] == close) {
            j->i++;
            return 1;
        }
        for (;;) {
            if (c == '{') {
                if (j->i >= j->n || j->p[j->i] != '"' || !jp_string(j)) {
                    return 0;
                }
                jp_ws(j);
                if (j->i >= j->n || j->p[j->i++] != ':') {
                    return 0;
                }
                jp_ws(j);
            }
            if (!jp_value(j, depth + 1)) {
                return 0;
            }
            jp_ws(j);
            if (j->i >= j->n) {
                return 0;
            }
            if (j->p[j->i] == close) {
                j->i++;
                return 1;
            }
            if (j->p[j->i++] != ',') {
                return 0;
            }
            jp_ws(j);
        }
    }
    static const char *const lits[] = {"true", "false", "null"};
    for (int k = 0; k < 3; k++) {
        size_t l = strlen(lits[k]);
        if (j->n - j->i >= l && memcmp(j->p + j->i, lits[k], l) == 0) {
            j->i += l;
            return 1;
        }
    }
    if (c == '-') {
        j->i++;
    }
    if (j->i < j->n && j->p[j->i] == '0') {
        j->i++;
    } else if (!jp_digits(j)) {
        return 0;
    }
    if (j->i < j->n && j->p[j->i] == '.') {
        j->i++;
        if (!jp_digits(j)) {
            return 0;
        }
    }
    if (j->i < j->n && (j->p[j->i] == 'e' || j->p[j->i] == 'E')) {
        j->i++;
        if (j->i < j->n && (j->p[j->i] == '+' || j->p[j->i] == '-')) {
            j->i++;
        }
        if (!jp_digits(j)) {
            return 0;
        }
    }
    /* a number must end at a delimiter */
    return j->i == j->n || strchr(" \t\r\n,]}", j->p[j->i]) != NULL;
}

/* 1 when <p> is one or more JSON values separated by whitespace. */
static int json_seq(const uint8_t *p, size_t n)
{
    jp_t j = {p, n, 0};
    int values = 0;
    jp_ws(&j);
    while (j.i < j.n) {
        if (!jp_value(&j, 0)) {
            return 0;
        }
        values++;
        jp_ws(&j);
    }
    return values > 0;
}

/* Whether <v> is on the fuzz engine's allowlist (the pattern checked by
   hand). */
static int allowed(const uint8_t *v, size_t n)
{
    for (size_t k = 0; k < sizeof(fuzz_allow_values) / sizeof(fuzz_allow_values[0]); k++) {
        if (strlen(fuzz_allow_values[k]) == n && memcmp(fuzz_allow_values[k], v, n) == 0) {
            return 1;
        }
    }
    size_t at = 0;
    while (at < n && v[at] >= 'a' && v[at] <= 'z') {
        at++;
    }
    return at > 0 && n - at == 12 && memcmp(v + at, "@example.org", 12) == 0;
}

/* VEIL_FUZZ_DEBUG=1 with a replay binary: both finding lists and the
   cuts on stderr, to see where a disagreement starts. Never on in a
   fuzzing run (the inputs are synthetic, not PII). */
static void debug_dump(const veil_engine_t *e, const uint8_t *d, const char *what,
                       const findings_t *l, const cuts_t *c)
{
    fprintf(stderr, "%s: %zu findings\n", what, l->n);
    for (size_t k = 0; k < l->n; k++) {
        const veil_finding_t *f = &l->f[k];
        fprintf(stderr, "  %llu+%llu %s conf %d flags %x \"%.*s\"\n", (unsigned long long)f->offset,
                (unsigned long long)f->length, veil_engine_detector(e, f->detector)->id,
                (int)f->confidence, (unsigned)f->flags, (int)(f->length > 60 ? 60 : f->length),
                (const char *)d + f->offset);
    }
    if (c != NULL) {
        fprintf(stderr, "  cuts (%s):", c->bytewise ? "bytewise" : "at");
        for (size_t k = 0; k < c->n; k++) {
            fprintf(stderr, " %zu", c->at[k]);
        }
        fprintf(stderr, "\n");
    }
}

/* The SIMD levels the pieces run on, from the seed: any level the CPU
   has, and (for the redaction) another one. */
static int level_pick(uint32_t r)
{
    static const int levels[4] = {VEIL_SIMD_AVX512, VEIL_SIMD_AVX2, VEIL_SIMD_SSE,
                                  VEIL_SIMD_SCALAR};
    return veil__simd_select(levels[r % 4]);
}

static int fuzz_engine(const uint8_t *data, size_t size, int fixed_format)
{
    static findings_t whole, cut, told;
    static sink_t o1, o2, exp;
    fuzz_case_t fc;

    if (whole.f == NULL) {
        whole.f = calloc(MAX_FINDINGS, sizeof(veil_finding_t));
        cut.f = calloc(MAX_FINDINGS, sizeof(veil_finding_t));
        told.f = calloc(MAX_FINDINGS, sizeof(veil_finding_t));
        FUZZ_ASSERT(whole.f != NULL && cut.f != NULL && told.f != NULL);
    }
    if (fuzz_case(data, size, fixed_format, &fc) != 0) {
        return 0;
    }
    const veil_format_t fmt = fc.format;
    const veil_engine_t *e = fc.engine;
    const uint8_t *d = fc.body;
    const size_t len = fc.len;
    const int best = veil__simd_best();
    cuts_t c;

    rebuild_engine = e;
    rng_state = fc.seed | 1;
    int scan_level = level_pick(rng()), red_level = level_pick(rng() + 1);

    /* Findings: the reference whole, a level in pieces. */
    scan(e, fmt, d, len, NULL, VEIL_SIMD_REFERENCE, &whole);
    cuts_make(&c, d, len);
    scan(e, fmt, d, len, &c, scan_level, &cut);
    if (getenv("VEIL_FUZZ_DEBUG") != NULL) {
        debug_dump(e, d, "whole/reference", &whole, NULL);
        debug_dump(e, d, "pieces", &cut, &c);
    }
    FUZZ_ASSERT(whole.n == cut.n);
    for (size_t k = 0; k < whole.n; k++) {
        const veil_finding_t *a = &whole.f[k], *b = &cut.f[k];
        FUZZ_ASSERT(a->offset == b->offset && a->length == b->length);
        FUZZ_ASSERT(a->detector == b->detector && a->confidence == b->confidence);
        FUZZ_ASSERT(a->flags == b->flags);
        FUZZ_ASSERT(a->offset + a->length <= len);
        FUZZ_ASSERT(a->detector < veil_engine_detector_count(e));
        FUZZ_ASSERT(a->confidence >= VEIL_CONF_LOW && a->confidence <= VEIL_CONF_HIGH);
        if (a->flags & VEIL_FIND_SKIP) {
            FUZZ_ASSERT(fmt == VEIL_FMT_MULTIPART);
        }
    }
    FUZZ_ASSERT(whole.n == 0 || !(whole.f[whole.n - 1].flags & VEIL_FIND_MORE));
    if (fmt == VEIL_FMT_TEXT && fuzz_type == NULL) {
        clear_check(e, d, len, (int)(rng() & 1), scan_level);
    }

    for (size_t k = 0; fc.allow && fmt == VEIL_FMT_TEXT && k < whole.n; k++) {
        FUZZ_ASSERT(!allowed(d + whole.f[k].offset, whole.f[k].length));
    }

    /* One redaction in other pieces on another level: it tells the same
       findings (skipped parts are no detections: not told), and its output
       is the one rebuilt from them. */
    int was_json = fmt == VEIL_FMT_JSON && json_seq(d, len);
    size_t lines = count_lines(d, len), n1 = 0, n2 = 0;
    cuts_make(&c, d, len);
    redact(e, fmt, fc.third, d, len, &c, red_level, &o1, &told, &n1);
    size_t detections = 0;
    for (size_t k = 0; k < whole.n; k++) {
        if (whole.f[k].flags & VEIL_FIND_SKIP) {
            continue;
        }
        FUZZ_ASSERT(detections < told.n);
        FUZZ_ASSERT(memcmp(&told.f[detections], &whole.f[k], sizeof(told.f[0])) == 0);
        detections++;
    }
    FUZZ_ASSERT(told.n == detections);
    rebuild(&whole, fc.third, d, len, &exp);
    FUZZ_ASSERT(exp.len == o1.len && (o1.len == 0 || memcmp(exp.buf, o1.buf, o1.len) == 0));
    FUZZ_ASSERT(count_lines(o1.buf, o1.len) == lines);
    /* valid JSON (Lines) stays valid */
    FUZZ_ASSERT(!was_json || json_seq(o1.buf, o1.len));
    if (fc.third == VEIL_ACT_MASK) {
        /* No value of 8+ bytes survives at its place (the rebuilt output
           says what is there; this states the goal). */
        int64_t shift = 0;
        uint64_t skip_from = UINT64_MAX;
        for (size_t k = 0; k < whole.n; k++) {
            const veil_finding_t *f = &whole.f[k];
            int bare = (f->flags & VEIL_FIND_JSON_BARE) != 0;
            if (f->flags & VEIL_FIND_SKIP) {
                /* Its bytes are gone; the marker is in their place. */
                char m[80];
                if (skip_from == UINT64_MAX) {
                    skip_from = f->offset;
                }
                shift -= (int64_t)f->length;
                shift += (int64_t)count_lines(d + f->offset, f->length);
                if (!(f->flags & VEIL_FIND_MORE)) {
                    shift +=
                        (int64_t)skip_marker(f, f->offset + f->length - skip_from, m, sizeof(m));
                    skip_from = UINT64_MAX;
                }
                continue;
            }
            if (f->length >= 8) {
                int only_kept = 1;
                /* a value of separators and '*' masks to itself */
                for (size_t j = 0; j < f->length; j++) {
                    only_kept &= is_mask_sep(d[f->offset + j]) || d[f->offset + j] == '*';
                }
                if (!only_kept) {
                    FUZZ_ASSERT(memcmp(o1.buf + (int64_t)f->offset + shift + bare, d + f->offset,
                                       f->length) != 0);
                }
            }
            shift += bare ? 2 : 0;
        }
    }

    /* Multipart: label with skipped parts kept, in other pieces on the
       scan's level: the input with the findings replaced. */
    if (fmt == VEIL_FMT_MULTIPART) {
        keep_skipped = 1;
        cuts_make(&c, d, len);
        redact(e, fmt, VEIL_ACT_LABEL, d, len, &c, scan_level, &o1, NULL, &n1);
        FUZZ_ASSERT(n1 == detections);
        rebuild(&whole, VEIL_ACT_LABEL, d, len, &exp);
        keep_skipped = 0;
        FUZZ_ASSERT(exp.len == o1.len && (o1.len == 0 || memcmp(exp.buf, o1.buf, o1.len) == 0));
        FUZZ_ASSERT(count_lines(o1.buf, o1.len) == lines);
    }

    /* Field rules: the same bytes whole (reference) and in pieces (a
       level), lines and JSON kept, skipped parts kept. (Rule values are
       not findings: the count is not compared.) */
    if (fc.rules) {
        use_rules = 1;
        keep_skipped = 1;
        redact(e, fmt, VEIL_ACT_LABEL, d, len, NULL, VEIL_SIMD_REFERENCE, &o1, NULL, &n1);
        cuts_make(&c, d, len);
        redact(e, fmt, VEIL_ACT_LABEL, d, len, &c, scan_level, &o2, NULL, &n2);
        use_rules = 0;
        keep_skipped = 0;
        if (getenv("VEIL_FUZZ_DEBUG") != NULL) {
            fprintf(stderr,
                    "rules: whole/reference %zu findings, pieces %zu\n  whole: %.*s\n  "
                    "pieces: %.*s\n",
                    n1, n2, (int)o1.len, o1.buf, (int)o2.len, o2.buf);
            static const findings_t none = {NULL, 0, 0};
            debug_dump(e, d, "rules' pieces (cuts)", &none, &c);
        }
        FUZZ_ASSERT(n1 == n2);
        FUZZ_ASSERT(o1.len == o2.len && (o1.len == 0 || memcmp(o1.buf, o2.buf, o1.len) == 0));
        FUZZ_ASSERT(count_lines(o1.buf, o1.len) == lines);
        FUZZ_ASSERT(!was_json || json_seq(o1.buf, o1.len));
    }
    veil__simd_select(best);
    return 0;
}

#ifndef VEIL_FUZZ_FORMAT
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_engine(data, size, -1);
}
#endif
