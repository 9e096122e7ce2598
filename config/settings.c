/*
 * The settings table (include/veil/settings.h): one line per setting, and
 * the value grammar shared by the YAML loader and the command line.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veil/config.h"
#include "veil/settings.h"

#define SRV(f) \
    VEIL_SEC_SERVER, offsetof(veil_server_settings_t, f), sizeof(((veil_server_settings_t *)0)->f)
#define LOG(f)                                                    \
    VEIL_SEC_ACCESS_LOG, offsetof(veil_access_log_settings_t, f), \
        sizeof(((veil_access_log_settings_t *)0)->f)
#define ADM(f) \
    VEIL_SEC_ADMIN, offsetof(veil_admin_settings_t, f), sizeof(((veil_admin_settings_t *)0)->f)
#define UPS(f) VEIL_SEC_UPSTREAM, offsetof(veil_upstream_t, f), sizeof(((veil_upstream_t *)0)->f)
#define LIS(f) VEIL_SEC_LISTENER, offsetof(veil_listener_t, f), sizeof(((veil_listener_t *)0)->f)

/* A listener key the loader applies by its name (a list element has no
   field of its own in veil_listener_t). */
#define LISN VEIL_SEC_LISTENER, 0, 0

#define MS_DAY 86400000ull
#define NOLIMIT (1ull << 50)

/* One row per setting. The table is the only place a default is written. */
typedef struct {
    const char *name;
    const char *flag;
    veil_setting_type_t type;
    unsigned flags;
    veil_setting_section_t section;
    size_t offset, size;
    const char *def;
    uint64_t min, max;
    const char *doc;
} row_t;

/* clang-format off */
static const row_t rows[] = {
    /* listeners: and upstreams: (the first entry from the command line) */
    {"address", "--listen", VEIL_SET_ADDRESS, VEIL_SET_START_ONLY, LIS(host),
     "127.0.0.1:8000", 0, 0, "where the first listener listens"},
    {"tls.certificates[0].cert_file", "--tls-cert", VEIL_SET_STRING, 0, LISN, "", 0, 0,
     "TLS on the first listener: its (default) certificate chain, PEM; with --tls-key"},
    {"tls.certificates[0].key_file", "--tls-key", VEIL_SET_STRING, VEIL_SET_PATH, LISN, "", 0, 0,
     "the private key of --tls-cert, PEM"},
    {"url", "--upstream", VEIL_SET_URL, 0, UPS(url),
     "http://127.0.0.1:8080", 0, 0, "the service, http[s]://HOST[:PORT]"},
    {"connect_timeout", "--connect-timeout", VEIL_SET_DURATION, 0, UPS(connect_timeout_ms),
     "5s", 1, 3600000, "upstream TCP connect (and TLS handshake); 502 after it"},
    {"response_timeout", "--upstream-timeout", VEIL_SET_DURATION, 0,
     UPS(response_timeout_ms), "60s", 1, MS_DAY,
     "first response byte, and idle gaps in a response; 504 after it"},
    {"idle_timeout", NULL, VEIL_SET_DURATION, 0, UPS(idle_timeout_ms), "60s", 1, MS_DAY,
     "how long an idle pooled upstream connection is kept"},
    {"pool_size", NULL, VEIL_SET_COUNT, 0, UPS(pool_size), "64", 0, 100000,
     "idle upstream connections kept per worker"},
    {"resolve_interval", "--upstream-resolve-interval", VEIL_SET_DURATION, VEIL_SET_ZERO_OFF,
     UPS(resolve_interval_ms), "30s", 0, MS_DAY,
     "how often the upstream's name is looked up again; 0: at start only"},

    /* server: */
    {"workers", "--workers", VEIL_SET_COUNT, VEIL_SET_START_ONLY, SRV(workers), "0", 0, 1024,
     "worker threads; 0: one per core"},
    {"max_connections", "--max-connections", VEIL_SET_COUNT, 0, SRV(max_connections), "10000",
     1, 10000000, "client connections at once; more get 503"},
    {"max_header_bytes", "--max-header-bytes", VEIL_SET_SIZE, 0, SRV(max_header_bytes), "16k",
     1024, 60 * 1024, "request head size; a bigger one gets 431"},
    {"max_headers", "--max-headers", VEIL_SET_COUNT, 0, SRV(max_headers), "100", 1, 10000,
     "header fields in a head; more get 431"},
    {"inspect_limit", "--inspect-limit", VEIL_SET_SIZE, 0, SRV(inspect_limit), "1m", 1,
     1ull << 32, "decoded body bytes the engine reads; a longer body is not logged"},
    {"max_body_size", "--max-body-size", VEIL_SET_SIZE, VEIL_SET_ZERO_OFF, SRV(max_body_size),
     "10m", 0, NOLIMIT, "request body bytes; a bigger body gets 413; 0: no limit"},
    {"header_timeout", "--header-timeout", VEIL_SET_DURATION, 0, SRV(header_timeout_ms), "60s",
     1, MS_DAY, "a request head must arrive within this; 408"},
    {"body_timeout", "--body-timeout", VEIL_SET_DURATION, 0, SRV(body_timeout_ms), "60s", 1,
     MS_DAY, "longest idle gap in a body (and in sending to a slow client)"},
    {"keepalive_timeout", "--keepalive-timeout", VEIL_SET_DURATION, 0,
     SRV(keepalive_timeout_ms), "75s", 1, MS_DAY, "idle client connection between requests"},
    {"drain_timeout", "--drain-timeout", VEIL_SET_DURATION, 0, SRV(drain_timeout_ms), "30s", 1,
     MS_DAY, "SIGTERM: in-flight exchanges get this long to finish"},
    {"inspect", "--inspect", VEIL_SET_BOOL, VEIL_SET_START_ONLY, SRV(inspect), "true", 0, 1,
     "false: no detection engine; records keep method, status, sizes and timings only"},
    {"pass_underscore_headers", "--pass-underscore-headers", VEIL_SET_BOOL, 0,
     SRV(pass_underscore_headers), "false", 0, 1,
     "forward request fields whose name holds '_' (dropped by default, never rewritten)"},
    {"probe_listen", "--probe-listen", VEIL_SET_ADDRESS, VEIL_SET_OFF | VEIL_SET_START_ONLY,
     SRV(probe_listen), "off", 0, 0,
     "a listener serving /live and /ready only (Kubernetes probes on a pod address), or off"},
    {"metrics_listen", "--metrics-listen", VEIL_SET_ADDRESS, VEIL_SET_OFF | VEIL_SET_START_ONLY,
     SRV(metrics_listen), "off", 0, 0,
     "a listener serving /metrics only (Prometheus on a pod address; admin.token_file if set), or off"},

    /* access_log: */
    {"path", "--access-log", VEIL_SET_STRING, VEIL_SET_START_ONLY, LOG(path), "-", 0, 0,
     "a file, - for stdout, unix:/PATH (stream socket) or unixgram:/PATH (datagrams)"},
    {"body_limit", "--log-body-limit", VEIL_SET_SIZE, VEIL_SET_START_ONLY, LOG(body_limit), "64k",
     1, 1ull << 30,
     "redacted body bytes written per body"},
    {"max_size", "--access-log-max-size", VEIL_SET_SIZE, VEIL_SET_ZERO_OFF | VEIL_SET_START_ONLY,
     LOG(max_size), "100m", 0, NOLIMIT, "a file log is rotated above this size; 0: never"},
    {"rotate", "--access-log-rotate", VEIL_SET_DURATION, VEIL_SET_ZERO_OFF | VEIL_SET_START_ONLY,
     LOG(rotate_ms), "1d", 0, 365 * MS_DAY,
     "a file log is rotated every this long, at UTC boundaries; 0: never"},
    {"retention", "--access-log-retention", VEIL_SET_DURATION,
     VEIL_SET_ZERO_OFF | VEIL_SET_START_ONLY, LOG(retention_ms), "7d", 0, 3650 * MS_DAY,
     "rotated files older than this are deleted; 0: kept"},
    {"max_record_size", "--access-log-max-record", VEIL_SET_SIZE, VEIL_SET_START_ONLY,
     LOG(max_record_size), "64k", 1024, 16 * 1024 * 1024,
     "unix: and unixgram: logs: a longer record is replaced by a stand-in, never split"},

    /* admin: */
    {"listen", "--admin", VEIL_SET_ADDRESS, VEIL_SET_OFF | VEIL_SET_START_ONLY, ADM(listen),
     "127.0.0.1:9901", 0, 0,
     "the admin listener (/live, /ready, /stats, /metrics, /config, /report), or off"},
    {"token_file", "--admin-token-file", VEIL_SET_STRING, VEIL_SET_PATH | VEIL_SET_START_ONLY,
     ADM(token_file), "", 0, 0,
     "a bearer token for all but /live and /ready; required off loopback"},
    {"insecure", "--admin-insecure", VEIL_SET_BOOL, VEIL_SET_FLAG_NOARG | VEIL_SET_START_ONLY,
     ADM(insecure), "false", 0, 1,
     "allow a non-loopback admin listener without a token (anyone reaching it reads it)"},
};
/* clang-format on */

#define NROWS (sizeof(rows) / sizeof(rows[0]))

static veil_setting_t table[NROWS];

static void build(void)
{
    /* The public struct is filled from the rows once; a static table of
       the public type would need its field order in every row. */
    for (size_t i = 0; i < NROWS; i++) {
        veil_setting_t *t = &table[i];
        const row_t *r = &rows[i];

        t->section = r->section;
        t->name = r->name;
        t->flag = r->flag;
        t->type = r->type;
        t->flags = r->flags;
        t->offset = r->offset;
        t->size = r->size;
        t->def = r->def;
        t->min = r->min;
        t->max = r->max;
        t->doc = r->doc;
    }
}


size_t veil_settings_count(void)
{
    return NROWS;
}


const veil_setting_t *veil_setting_at(size_t i)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, build);
    return i < NROWS ? &table[i] : NULL;
}


const char *veil_setting_section_name(veil_setting_section_t section)
{
    static const char *const names[] = {"server", "access_log", "admin", "upstreams", "listeners"};

    return (unsigned)section < 5 ? names[section] : "?";
}


const veil_setting_t *veil_setting_by_flag(const char *flag)
{
    for (size_t i = 0; i < NROWS; i++) {
        const veil_setting_t *s = veil_setting_at(i);

        if (s->flag != NULL && strcmp(s->flag, flag) == 0) {
            return s;
        }
    }
    return NULL;
}


const veil_setting_t *veil_setting_by_key(const char *key)
{
    for (size_t i = 0; i < NROWS; i++) {
        const veil_setting_t *s = veil_setting_at(i);
        const char *sec = veil_setting_section_name(s->section);
        size_t n = strlen(sec);

        if (strncmp(key, sec, n) == 0 && key[n] == '.' && strcmp(key + n + 1, s->name) == 0) {
            return s;
        }
    }
    return NULL;
}


/* Digits, with a fraction for durations: strtod alone would take 1e9,
   0x10, inf and numbers too large for any field. */
static int parse_number(const veil_setting_t *s, const char *text, uint64_t *out)
{
    size_t nd = strspn(text, "0123456789");
    const char *end;
    uint64_t mult = 1;
    double num;

    if (s->type == VEIL_SET_DURATION && text[nd] == '.' && text[nd + 1] >= '0' &&
        text[nd + 1] <= '9') {
        nd += 1 + strspn(text + nd + 1, "0123456789");
    }
    if (nd == 0 || nd > 18) {
        return -1;
    }
    num = strtod(text, NULL);
    end = text + nd;
    switch (s->type) {
    case VEIL_SET_COUNT:
        if (*end != '\0' || memchr(text, '.', nd) != NULL) {
            return -1;
        }
        break;
    case VEIL_SET_SIZE:
        if (*end == 'k' || *end == 'K') {
            mult = 1024, end++;
        } else if (*end == 'm' || *end == 'M') {
            mult = 1024 * 1024, end++;
        } else if (*end == 'g' || *end == 'G') {
            mult = 1024 * 1024 * 1024, end++;
        }
        if (*end != '\0') {
            return -1;
        }
        break;
    default: /* duration */
        if (strcmp(end, "ms") == 0) {
            mult = 1;
        } else if (*end == '\0' || strcmp(end, "s") == 0) {
            mult = 1000; /* a bare number is seconds, as in nginx */
        } else if (strcmp(end, "m") == 0) {
            mult = 60000;
        } else if (strcmp(end, "h") == 0) {
            mult = 3600000;
        } else if (strcmp(end, "d") == 0) {
            mult = MS_DAY;
        } else {
            return -1;
        }
        break;
    }
    if (num * (double)mult > 1e18) {
        return -1;
    }
    *out = (uint64_t)(num * (double)mult);
    return 0;
}


/* HOST:PORT with an IPv6 literal in brackets; the port 1..65535. */
static int check_address(const char *text)
{
    const char *colon;
    char *end;
    long port;

    if (text[0] == '[') {
        const char *rb = strchr(text, ']');

        if (rb == NULL || rb[1] != ':' || rb == text + 1) {
            return -1;
        }
        colon = rb + 1;
    } else {
        colon = strrchr(text, ':');
        if (colon == NULL || colon == text || strchr(text, ':') != colon) {
            return -1;
        }
    }
    errno = 0;
    port = strtol(colon + 1, &end, 10);
    return (*end == '\0' && end != colon + 1 && errno == 0 && port > 0 && port <= 65535) ? 0 : -1;
}


int veil_setting_parse(const veil_setting_t *s, const char *text, uint64_t *num, char *err,
                       size_t errlen)
{
    static const char *const what[] = {"a whole number",
                                       "a size (64k, 1m)",
                                       "a duration (500ms, 5s, 2m, 1h)",
                                       "true or false",
                                       "a value",
                                       "HOST:PORT",
                                       "http://HOST[:PORT] or https://HOST[:PORT]"};
    uint64_t v = 0;

    switch (s->type) {
    case VEIL_SET_BOOL:
        if (strcmp(text, "true") == 0 || strcmp(text, "on") == 0) {
            v = 1;
        } else if (strcmp(text, "false") == 0 || strcmp(text, "off") == 0) {
            v = 0;
        } else {
            goto bad;
        }
        break;
    case VEIL_SET_STRING:
        return 0;
    case VEIL_SET_ADDRESS:
        if ((s->flags & VEIL_SET_OFF) && strcmp(text, "off") == 0) {
            return 0;
        }
        if (check_address(text) != 0) {
            goto bad;
        }
        return 0;
    case VEIL_SET_URL:
        if (strncmp(text, "http://", 7) != 0 && strncmp(text, "https://", 8) != 0) {
            goto bad;
        }
        return 0; /* host and port: the loader splits and checks them */
    default:
        if (parse_number(s, text, &v) != 0) {
            goto bad;
        }
        if (v == 0 && (s->flags & VEIL_SET_ZERO_OFF)) {
            break;
        }
        if (v < s->min || v > s->max) {
            snprintf(err, errlen, "out of range (%llu to %llu%s)", (unsigned long long)s->min,
                     (unsigned long long)s->max, s->type == VEIL_SET_DURATION ? " ms" : "");
            return -1;
        }
        break;
    }
    if (num != NULL) {
        *num = v;
    }
    return 0;
bad:
    snprintf(err, errlen, "expected %s", what[s->type]);
    return -1;
}


uint64_t veil_setting_get_u64(const veil_setting_t *s, const void *base)
{
    const char *p = (const char *)base + s->offset;

    if (s->size == 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
    } else {
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
    }
}


void veil_setting_set_u64(const veil_setting_t *s, void *base, uint64_t v)
{
    char *p = (char *)base + s->offset;

    if (s->size == 8) {
        memcpy(p, &v, 8);
    } else {
        uint32_t w = (uint32_t)v;
        memcpy(p, &w, 4);
    }
}


/* The largest unit that divides <v> exactly: 60000 ms is "1m". */
static void format_unit(uint64_t v, const char *const *units, const uint64_t *mult, size_t n,
                        char *buf, size_t len)
{
    size_t i = n;

    while (i-- > 1) {
        if (v % mult[i] == 0) {
            break;
        }
    }
    snprintf(buf, len, "%llu%s", (unsigned long long)(v / mult[i]), units[i]);
}


const char *veil_setting_format(const veil_setting_t *s, const void *field, char *buf, size_t len)
{
    static const char *const sunits[] = {"", "k", "m", "g"};
    static const uint64_t smult[] = {1, 1024, 1024 * 1024, 1024 * 1024 * 1024};
    static const char *const dunits[] = {"ms", "s", "m", "h", "d"};
    static const uint64_t dmult[] = {1, 1000, 60000, 3600000, MS_DAY};
    /* <field> is the field itself: read it as offset 0 of a base. */
    veil_setting_t at = *s;
    uint64_t v;

    at.offset = 0;
    switch (s->type) {
    case VEIL_SET_STRING:
    case VEIL_SET_ADDRESS:
    case VEIL_SET_URL: {
        const char *str;
        memcpy(&str, field, sizeof(str));
        snprintf(buf, len, "%s", str ? str : "");
        return buf;
    }
    default:
        break;
    }
    v = veil_setting_get_u64(&at, field);
    if (s->type == VEIL_SET_BOOL) {
        snprintf(buf, len, "%s", v ? "true" : "false");
    } else if (s->type == VEIL_SET_COUNT || v == 0) {
        snprintf(buf, len, "%llu", (unsigned long long)v);
    } else if (s->type == VEIL_SET_SIZE) {
        format_unit(v, sunits, smult, 4, buf, len);
    } else {
        format_unit(v, dunits, dmult, 5, buf, len);
    }
    return buf;
}
