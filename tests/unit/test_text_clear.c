/*
 * veil_engine_text_clear(): a text it calls clear holds no finding. The
 * proxy skips its scan of a head's values on that answer, so a wrong
 * "clear" would let personal data into the log unredacted: each text
 * below it clears is scanned as the proxy would have (a text stream, its
 * lines no table, no name starting in the spans given) on every SIMD
 * level, and must yield nothing. The texts are typical heads, heads with
 * personal data in one value, and the lines of the accuracy corpus
 * (tests/data/accuracy, written apart from the engine) taken one to six at
 * a time, with and without every other line a span where no name starts
 * (a head's field names).
 */
#include <stdint.h>
#include <stdlib.h>

#include "test.h"

#include "simd.h"
#include "veil/scan.h"

void veil__scanner_no_tables(veil_scanner_t *s);
void veil__scanner_no_names(veil_scanner_t *s, const uint64_t (*spans)[2], size_t n);

static veil_engine_t *E;

static const int levels[] = {VEIL_SIMD_SCALAR, VEIL_SIMD_SSE, VEIL_SIMD_AVX2, VEIL_SIMD_AVX512};

static void count(void *ud, const veil_finding_t *f)
{
    (void)f;
    (*(size_t *)ud)++;
}

/* The findings of a full scan of <t>, as the proxy scans a head. */
static size_t scanned(const veil_engine_t *e, const char *t, size_t n, const uint64_t (*sp)[2],
                      size_t nsp)
{
    size_t found = 0;
    veil_scanner_t *s = veil_scanner_new(e, VEIL_FMT_TEXT, count, &found);
    if (s == NULL) {
        return SIZE_MAX;
    }
    veil__scanner_no_tables(s);
    veil__scanner_no_names(s, sp, nsp);
    if (veil_scanner_feed(s, t, n) != 0 || veil_scanner_finish(s) != 0) {
        found = SIZE_MAX;
    }
    veil_scanner_free(s);
    return found;
}

/* Lines given as "name|value|name|value...": the text, its name lines as
   spans where no name starts. */
static size_t head_text(const char *spec, char *out, size_t cap, uint64_t sp[][2], size_t *nsp)
{
    size_t n = 0, line = 0;
    *nsp = 0;
    for (const char *p = spec;; p++) {
        size_t start = n;
        while (*p && *p != '|' && n + 1 < cap) {
            out[n++] = *p++;
        }
        if (line % 2 == 0 && n > start) {
            sp[*nsp][0] = start;
            sp[(*nsp)++][1] = n;
        }
        out[n++] = '\n';
        line++;
        if (*p == '\0') {
            break;
        }
    }
    return n;
}

/* Clear on every level, or on none; and when clear, nothing found. */
static int clear_everywhere(const char *t, size_t n, const uint64_t (*sp)[2], size_t nsp, int *bad)
{
    int first = -1;
    for (size_t k = 0; k < sizeof(levels) / sizeof(levels[0]); k++) {
        veil__simd_select(levels[k]);
        int c = veil_engine_text_clear(E, t, n, sp, nsp);
        if (first < 0) {
            first = c;
        } else if (c != first) {
            fprintf(stderr, "levels disagree on: %.*s\n", (int)n, t);
            *bad = 1;
        }
        if (c && scanned(E, t, n, sp, nsp) != 0) {
            fprintf(stderr, "clear on %s, yet found: %.*s\n", veil__simd_name(levels[k]), (int)n,
                    t);
            *bad = 1;
        }
    }
    veil__simd_select(veil__simd_best());
    return first;
}

static int head_clear(const char *spec)
{
    char t[2048];
    uint64_t sp[64][2];
    size_t nsp;
    int bad = 0;
    size_t n = head_text(spec, t, sizeof(t), sp, &nsp);
    int c = clear_everywhere(t, n, (const uint64_t(*)[2])sp, nsp, &bad);
    CHECK(!bad);
    return c;
}

TEST(typical_heads_clear)
{
    /* A response from nginx (its Date left out as the proxy does: an
       empty line) and a request from a client behind a named host. */
    CHECK_EQ(head_clear("Server|nginx/1.22.1|Date||Content-Type|application/json|Content-Length|"
                        "1033|Connection|keep-alive|ETag|\"6570a1b2-409\"|Accept-Ranges|bytes"),
             1);
    CHECK_EQ(head_clear("/orders/42||Host|api.example.com|User-Agent|okhttp/4.12.0|Accept|*/"
                        "*|Accept-Encoding|gzip, deflate, br"),
             1);
    CHECK_EQ(head_clear("Cache-Control|no-store, max-age=0|Vary|Accept-Encoding, Origin"), 1);
}

TEST(heads_with_personal_data_not_clear)
{
    CHECK_EQ(head_clear("Server|nginx|X-Contact|jane.doe@example.com"), 0);
    CHECK_EQ(head_clear("Server|nginx|X-Phone|+1 415-555-2671"), 0);
    CHECK_EQ(head_clear("Host|127.0.0.1:8080"), 0); /* an IPv4 address: found */
    CHECK_EQ(head_clear("X-Customer|Jane Doe"), 0);
    CHECK_EQ(head_clear("Authorization|Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc"), 0);
    CHECK_EQ(head_clear("X-Card|4111 1111 1111 1111"), 0);
    CHECK_EQ(head_clear("/users/jane@example.com/profile"), 0);
}

TEST(names_in_spans_only)
{
    /* A field name no name starts in: clear; the same words as a value:
       the names pass is asked, and answers. */
    CHECK_EQ(head_clear("Jane-Doe|yes"), 1);
    CHECK_EQ(head_clear("X-Name|Jane Doe"), 0);
}

TEST(cannot_tell)
{
    char big[5000];
    memset(big, 'a', sizeof(big));
    CHECK_EQ(veil_engine_text_clear(E, big, sizeof(big), NULL, 0), 0); /* over 4 KiB */
    CHECK_EQ(veil_engine_text_clear(E, "", 0, NULL, 0), 1);
    veil__simd_select(VEIL_SIMD_REFERENCE);
    CHECK_EQ(veil_engine_text_clear(E, "keep-alive", 10, NULL, 0), 0);
    veil__simd_select(veil__simd_best());
    CHECK_EQ(veil_engine_text_clear(E, "keep-alive", 10, NULL, 0), 1);

    /* Custom patterns match what they match. */
    char err[256];
    veil_custom_detector_t cd = {0};
    cd.id = "ticket";
    cd.pattern = "keep-alive";
    veil_engine_options_t o = {0};
    o.custom = &cd;
    o.custom_count = 1;
    veil_engine_t *c = veil_engine_new(&o, err, sizeof(err));
    CHECK(c != NULL);
    if (c != NULL) {
        CHECK_EQ(veil_engine_text_clear(c, "keep-alive", 10, NULL, 0), 0);
        veil_engine_free(c);
    }
}

/* What makes an HTTP date inert in a head (proxy/net/head_inspect.c: not
   scanned at all): alone on its line, after a field name that says what a
   date of birth is, no detector finds anything in it. */
TEST(http_dates_find_nothing)
{
    static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    size_t found = 0, n = 0;
    for (int y = 1900; y <= 2030; y += 7) {
        for (int m = 0; m < 12; m++) {
            char t[128];
            uint64_t sp[1][2] = {{0, 13}};
            int len = snprintf(t, sizeof(t), "Date-Of-Birth\n%s, %02d %s %d %02d:%02d:%02d GMT\n",
                               days[(y + m) % 7], 1 + (y + 3 * m) % 28, months[m], y, m * 2,
                               (y * 7) % 60, m * 5);
            found += scanned(E, t, (size_t)len, (const uint64_t(*)[2])sp, 1);
            n++;
        }
    }
    CHECK_EQ(found, 0);
    CHECK(n > 200);
    /* (the same date after "born" on its own line is one: the test can
       fail) */
    const char *born = "born Mon, 07 Dec 1990 00:00:00 GMT\n";
    CHECK(scanned(E, born, strlen(born), NULL, 0) == 1);
}

/* The corpus's lines, <per> at a time (1 to 6), every other line a span
   with <spans>: each text cleared is checked by a full scan. */
static void corpus(const char *path, size_t *texts, size_t *clear, int *bad)
{
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f == NULL) {
        return;
    }
    static char buf[1 << 20];
    size_t len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    size_t at = 0, per = 1;
    while (at < len) {
        char t[4096];
        uint64_t sp[8][2];
        size_t n = 0, nsp = 0, start = at;
        int spans = (int)(per & 1);
        for (size_t line = 0; line < per && at < len; line++) {
            const char *nl = memchr(buf + at, '\n', len - at);
            size_t e = nl ? (size_t)(nl - buf) + 1 : len;
            if (n + (e - at) > sizeof(t)) {
                break;
            }
            memcpy(t + n, buf + at, e - at);
            if (spans && line % 2 == 0 && e - at > 1) {
                sp[nsp][0] = n;
                sp[nsp++][1] = n + (e - at) - (nl ? 1 : 0);
            }
            n += e - at;
            at = e;
        }
        if (at == start) {
            /* a line longer than the buffer */
            const char *nl = memchr(buf + at, '\n', len - at);
            at = nl ? (size_t)(nl - buf) + 1 : len;
            continue;
        }
        (*texts)++;
        *clear += (size_t)clear_everywhere(t, n, (const uint64_t(*)[2])sp, nsp, bad);
        per = per % 6 + 1;
    }
}

TEST(corpus_lines)
{
    static const char *const files[] = {"text.txt", "json.jsonl", "form.txt"};
    size_t texts = 0, clear = 0;
    int bad = 0;
    for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/tests/data/accuracy/%s", VEIL_SOURCE_DIR, files[k]);
        corpus(path, &texts, &clear, &bad);
    }
    fprintf(stderr, "corpus: %zu texts, %zu clear\n", texts, clear);
    CHECK(!bad);
    /* The property is asked of enough texts to mean something (the
       corpus is dense with personal data: few are clear). */
    CHECK(texts > 1000);
    CHECK(clear >= 20);
}

int main(void)
{
    char err[256];
    E = veil_engine_new(NULL, err, sizeof(err));
    if (E == NULL) {
        fprintf(stderr, "engine: %s\n", err);
        return 1;
    }
    RUN(typical_heads_clear);
    RUN(heads_with_personal_data_not_clear);
    RUN(names_in_spans_only);
    RUN(cannot_tell);
    RUN(http_dates_find_nothing);
    RUN(corpus_lines);
    veil_engine_free(E);
    TEST_MAIN_END;
}
