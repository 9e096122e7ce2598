/*
 * findings_dump: every finding the engine reports on the fuzz corpora and
 * on the accuracy corpus, and a hash of every redacted output, as text.
 * A change to the engine that should not change what it finds (a faster
 * path, a SIMD kernel) must leave this dump byte for byte the same; the
 * dump of the commit before such work is kept in fuzz/findings.baseline
 * and ctest compares against it on every dispatch path.
 *
 * Usage: findings_dump [--expect FILE] [--out FILE] SOURCE...
 *   SOURCE is KIND:PATH. KIND fuzz_scan, fuzz_json, fuzz_form,
 *   fuzz_multipart, fuzz_xml: PATH is a corpus directory read as that fuzz
 *   target reads its inputs (two header bytes pick the engine, format and
 *   actions; fuzz_multipart gives a body that does not start with "--" the
 *   boundary "b", as fuzz_multipart.c does). KIND text, json, form: PATH is
 *   one file scanned whole in that format by the default engine.
 *   --expect FILE: compare with FILE instead of printing; exit 1 and name
 *   the first differing line when they differ.
 *
 * Per input: a line "# NAME bytes=N findings=K" and the output hashes
 * (mask=, label=, third=, rules=: FNV-1a of what the redactor wrote, fed
 * whole), then one line per finding: offset length detector confidence
 * flags (a skipped multipart part: "skip:" and its reason for the
 * detector). No byte of any input is printed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>

#include "fuzz_common.h"
#include "simd.h"

/* The engine's own switch for skipped parts (detectors/scanner.h): the
   dump's scanner reports them as a redactor's scanner does. */
void veil__scanner_report_skips(veil_scanner_t *s, int on);

/* The body type of the input being dumped (a multipart boundary), or
   NULL: the format alone. */
static const veil_body_type_t *dump_type;

__attribute__((format(printf, 2, 3))) static void out(sink_t *t, const char *fmt, ...)
{
    va_list ap;
    char line[512];
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    FUZZ_ASSERT(n >= 0 && (size_t)n < sizeof(line));
    sink_write(t, line, (size_t)n);
}

typedef struct {
    veil_finding_t *f;
    size_t n, cap;
} list_t;

static void on_finding(void *ud, const veil_finding_t *f)
{
    list_t *l = ud;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->f = realloc(l->f, l->cap * sizeof(*l->f));
        FUZZ_ASSERT(l->f != NULL);
    }
    l->f[l->n++] = *f;
}

static uint64_t fnv(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t k = 0; k < n; k++) {
        h = (h ^ p[k]) * 0x100000001b3ull;
    }
    return h;
}

/* FNV-1a of the output of <act> over <d>, fed whole. */
static uint64_t redact_hash(const veil_engine_t *e, veil_format_t fmt, veil_action_t act, int rules,
                            const uint8_t *d, size_t len)
{
    static sink_t o;
    veil_redactor_options_t opts;
    memset(&opts, 0, sizeof(opts));
    opts.type = dump_type;
    opts.format = fmt;
    opts.action = act;
    opts.key = &fuzz_hash_key;
    opts.write = sink_write;
    opts.write_ud = &o;
    if (rules) {
        opts.field_action = fuzz_rules;
    }
    o.len = 0;
    veil_redactor_t *r = veil_redactor_new(e, &opts);
    FUZZ_ASSERT(r != NULL);
    FUZZ_ASSERT(veil_redactor_feed(r, d, len) == 0);
    FUZZ_ASSERT(veil_redactor_finish(r) == 0);
    veil_redactor_free(r);
    return fnv(o.buf, o.len);
}

static void dump_one(sink_t *t, const char *name, const veil_engine_t *e, veil_format_t fmt,
                     veil_action_t third, int rules, const uint8_t *d, size_t len)
{
    static list_t l;
    l.n = 0;
    veil_scanner_t *s = dump_type ? veil_scanner_new_typed(e, dump_type, on_finding, &l)
                                  : veil_scanner_new(e, fmt, on_finding, &l);
    FUZZ_ASSERT(s != NULL);
    veil__scanner_report_skips(s, 1);
    FUZZ_ASSERT(veil_scanner_feed(s, d, len) == 0);
    FUZZ_ASSERT(veil_scanner_finish(s) == 0);
    veil_scanner_free(s);

    out(t, "# %s bytes=%zu findings=%zu mask=%016llx label=%016llx", name, len, l.n,
        (unsigned long long)redact_hash(e, fmt, VEIL_ACT_MASK, 0, d, len),
        (unsigned long long)redact_hash(e, fmt, VEIL_ACT_LABEL, 0, d, len));
    if ((int)third >= 0) {
        out(t, " third=%016llx", (unsigned long long)redact_hash(e, fmt, third, 0, d, len));
    }
    if (rules) {
        out(t, " rules=%016llx",
            (unsigned long long)redact_hash(e, fmt, VEIL_ACT_LABEL, 1, d, len));
    }
    out(t, "\n");
    for (size_t k = 0; k < l.n; k++) {
        const veil_finding_t *f = &l.f[k];
        if (f->flags & VEIL_FIND_SKIP) {
            out(t, "%llu %u skip:%s %u %u\n", (unsigned long long)f->offset, (unsigned)f->length,
                veil_skip_reason_name((veil_skip_reason_t)f->detector), (unsigned)f->confidence,
                (unsigned)f->flags);
            continue;
        }
        const veil_detector_info_t *info = veil_engine_detector(e, f->detector);
        out(t, "%llu %u %s %u %u\n", (unsigned long long)f->offset, (unsigned)f->length,
            (f->flags & VEIL_FIND_RULE) || info == NULL ? "-" : info->id, (unsigned)f->confidence,
            (unsigned)f->flags);
    }
}

static int read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    sink_t b = {0};
    char tmp[65536];
    size_t n;

    if (f == NULL) {
        return -errno;
    }
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
        sink_write(&b, tmp, n);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b.buf);
        return -EIO;
    }
    *data = b.buf;
    *len = b.len;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A corpus directory, in name order (readdir's order is the file
   system's). */
static int dump_corpus(sink_t *t, const char *kind, const char *dir, int fixed_format)
{
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *ent;

    if (d == NULL) {
        fprintf(stderr, "findings_dump: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.') {
            continue;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            names = realloc(names, cap * sizeof(*names));
            FUZZ_ASSERT(names != NULL);
        }
        names[n++] = strdup(ent->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_names);
    for (size_t k = 0; k < n; k++) {
        char path[4096], name[512];
        uint8_t *data = NULL;
        size_t len = 0;
        fuzz_case_t fc;
        snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
        snprintf(name, sizeof(name), "%s/%s", kind, names[k]);
        if (read_file(path, &data, &len) != 0) {
            fprintf(stderr, "findings_dump: cannot read %s\n", path);
            return -1;
        }
        if (fuzz_case(data, len, fixed_format, &fc) == 0) {
            static veil_body_type_t typed;
            if (typed.boundary_len == 0) {
                static const char ct[] = "multipart/form-data; boundary=\"b\"";
                veil_body_type_from_content_type(ct, sizeof(ct) - 1, &typed);
                FUZZ_ASSERT(typed.format == VEIL_FMT_MULTIPART && typed.boundary_len == 1);
            }
            dump_type =
                fc.format == VEIL_FMT_MULTIPART && !(len >= 4 && data[2] == '-' && data[3] == '-')
                    ? &typed
                    : NULL;
            dump_one(t, name, fc.engine, fc.format, fc.third, fc.rules, fc.body, fc.len);
            dump_type = NULL;
        }
        free(data);
        free(names[k]);
    }
    free(names);
    return 0;
}

static int dump_file(sink_t *t, const char *kind, const char *path, veil_format_t fmt)
{
    static veil_engine_t *def;
    char err[256], name[512];
    uint8_t *data = NULL;
    size_t len = 0;
    const char *base = strrchr(path, '/');

    if (def == NULL) {
        def = veil_engine_new(NULL, err, sizeof(err));
        FUZZ_ASSERT(def != NULL);
    }
    if (read_file(path, &data, &len) != 0) {
        fprintf(stderr, "findings_dump: cannot read %s\n", path);
        return -1;
    }
    snprintf(name, sizeof(name), "%s/%s", kind, base ? base + 1 : path);
    dump_one(t, name, def, fmt, (veil_action_t)-1, 0, data, len);
    free(data);
    return 0;
}

/* The first line where <a> and <b> differ, 1-based; 0 when equal. */
static size_t first_difference(const char *a, size_t al, const char *b, size_t bl)
{
    size_t line = 1, k = 0;
    for (; k < al && k < bl && a[k] == b[k]; k++) {
        line += a[k] == '\n';
    }
    return k == al && k == bl ? 0 : line;
}

int main(int argc, char **argv)
{
    sink_t t = {0};
    const char *expect = NULL, *outpath = NULL;
    int i = 1;

    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (strcmp(argv[i], "--expect") == 0) {
            expect = argv[i + 1];
        } else if (strcmp(argv[i], "--out") == 0) {
            outpath = argv[i + 1];
        } else {
            break;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "usage: findings_dump [--expect FILE] [--out FILE] KIND:PATH...\n");
        return 2;
    }
    for (; i < argc; i++) {
        const char *colon = strchr(argv[i], ':');
        size_t kl = colon ? (size_t)(colon - argv[i]) : 0;
        const char *path = colon ? colon + 1 : "";
        int rc;
#define KIND(s) (kl == sizeof(s) - 1 && memcmp(argv[i], s, kl) == 0)
        if (KIND("fuzz_scan")) {
            rc = dump_corpus(&t, "scan", path, -1);
        } else if (KIND("fuzz_json")) {
            rc = dump_corpus(&t, "json", path, VEIL_FMT_JSON);
        } else if (KIND("fuzz_form")) {
            rc = dump_corpus(&t, "form", path, VEIL_FMT_FORM);
        } else if (KIND("fuzz_multipart")) {
            rc = dump_corpus(&t, "multipart", path, VEIL_FMT_MULTIPART);
        } else if (KIND("fuzz_xml")) {
            rc = dump_corpus(&t, "xml", path, VEIL_FMT_XML);
        } else if (KIND("text")) {
            rc = dump_file(&t, "text", path, VEIL_FMT_TEXT);
        } else if (KIND("json")) {
            rc = dump_file(&t, "json", path, VEIL_FMT_JSON);
        } else if (KIND("form")) {
            rc = dump_file(&t, "form", path, VEIL_FMT_FORM);
        } else {
            fprintf(stderr, "findings_dump: unknown source %s\n", argv[i]);
            return 2;
        }
#undef KIND
        if (rc != 0) {
            return 1;
        }
    }
    if (expect != NULL) {
        uint8_t *want = NULL;
        size_t wl = 0;
        if (read_file(expect, &want, &wl) != 0) {
            fprintf(stderr, "findings_dump: cannot read %s\n", expect);
            return 1;
        }
        size_t line = first_difference((const char *)want, wl, (const char *)t.buf, t.len);
        free(want);
        if (line != 0) {
            fprintf(stderr, "findings_dump: DIFFERENT from %s at line %zu\n", expect, line);
            return 1;
        }
        printf("findings_dump: the same as %s (%zu bytes), SIMD level %s\n", expect, t.len,
               veil__simd_name(veil__simd_level()));
        return 0;
    }
    FILE *f = outpath ? fopen(outpath, "wb") : stdout;
    if (f == NULL || fwrite(t.buf, 1, t.len, f) != t.len || (outpath && fclose(f) != 0)) {
        fprintf(stderr, "findings_dump: cannot write the dump\n");
        return 1;
    }
    return 0;
}
