/*
 * veil run: the proxy's command line: flags, and -c FILE for the
 * configuration (listener, upstreams, routes, policies), which the flags
 * override.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "veil/log.h"
#include "veil/config.h"
#include "veil/proxy.h"
#include "veil/scan.h"
#include "veil/stats.h"
#include "cmd.h"

static void usage(FILE *out)
{
    fprintf(out,
        "usage: veil run [-c FILE] [--listen HOST:PORT] [--upstream URL]\n"
        "                [--access-log PATH|-] [--workers N] [options]\n"
        "\n"
        "Runs veil as a reverse proxy in observe mode: requests and responses\n"
        "pass unchanged, and each exchange is written to the access log as\n"
        "one JSON line with its personal data redacted.\n"
        "\n"
        "  -c FILE                 the configuration (routes, policies, detectors;\n"
        "                          docs/configuration.md); flags override it;\n"
        "                          reloaded on SIGHUP and when the file changes\n"
        "  --listen HOST:PORT      where to listen (127.0.0.1:8000)\n"
        "  --upstream URL          the service, http[s]://HOST:PORT\n"
        "                          (http://127.0.0.1:8080)\n"
        "  --access-log PATH|-     access log file, or - for stdout (-)\n"
        "  --workers N             worker threads (number of cores)\n"
        "\n"
        "limits (sizes take k/m/g suffixes):\n"
        "  --max-connections N     connections at once; more get 503 (10000)\n"
        "  --max-header-bytes N    request head size; more is 431 (16k)\n"
        "  --max-headers N         header fields; more is 431 (100)\n"
        "  --inspect-limit N       body bytes inspected, decoded (1m)\n"
        "  --max-body-size N       request body size; more is 413, 0 = no\n"
        "                          limit (10m)\n"
        "  --log-body-limit N      redacted body bytes logged (64k)\n"
        "  --inspect on|off        off: no detection engine; records keep\n"
        "                          method, status, sizes and timings only\n"
        "                          (path, query, fields, bodies omitted) (on)\n"
        "\n"
        "timeouts (ms, s or m suffix; a bare number is seconds):\n"
        "  --header-timeout D      request head must arrive; 408 (60s)\n"
        "  --body-timeout D        idle gap in a body; 408 or cut (60s)\n"
        "  --connect-timeout D     upstream connect; 502 (5s)\n"
        "  --upstream-timeout D    upstream response, idle gaps; 504 (60s)\n"
        "  --upstream-resolve-interval D  look the upstream name up again\n"
        "                          this often; 0 = at start only (30s)\n"
        "  --keepalive-timeout D   idle client connection (75s)\n"
        "  --drain-timeout D       SIGTERM grace for in-flight requests (30s)\n"
        "\n"
        "admin listener (/live, /ready, /stats, /metrics, /config, /report):\n"
        "  --admin HOST:PORT|off   where it listens (127.0.0.1:9901; when\n"
        "                          this default port is taken, veil warns\n"
        "                          and runs without it)\n"
        "  --admin-token-file F    bearer token for all but /live, /ready;\n"
        "                          required when --admin is not loopback\n"
        "  --admin-insecure        allow a non-loopback --admin without a\n"
        "                          token (anyone who reaches it reads /config,\n"
        "                          /stats and /report)\n"
        "\n"
        "access-log rotation (a file log; 0 disables each):\n"
        "  --access-log-max-size N rotate above N bytes (100m)\n"
        "  --access-log-rotate D   rotate every D: s, m, h, d (1d, UTC)\n"
        "  --access-log-retention D  delete rotated files older than D (7d)\n"
        "\n"
        "signals: TERM drains, INT stops, USR1 reopens the access log.\n");
}


static int parse_duration(const char *s, uint64_t *ms)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || v < 0) {
        return -1;
    }
    if (strcmp(end, "ms") == 0) {
        *ms = (uint64_t)v;
    } else if (*end == '\0' || strcmp(end, "s") == 0) {
        *ms = (uint64_t)(v * 1000);
    } else if (strcmp(end, "m") == 0) {
        *ms = (uint64_t)(v * 60000);
    } else {
        return -1;
    }
    return *ms > 0 ? 0 : -1;
}


/* A size with an optional k/m/g suffix; 0 is allowed (limits where 0
   means none), negative values are not. */
static int parse_size_zero(const char *s, size_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || s[0] == '-') {
        return -1;
    }
    if (*end == 'k' || *end == 'K') {
        v *= 1024;
        end++;
    } else if (*end == 'm' || *end == 'M') {
        v *= 1024 * 1024;
        end++;
    } else if (*end == 'g' || *end == 'G') {
        v *= 1024 * 1024 * 1024;
        end++;
    }
    if (*end != '\0') {
        return -1;
    }
    *out = (size_t)v;
    return 0;
}


static int parse_size(const char *s, size_t *out)
{
    size_t v;

    if (parse_size_zero(s, &v) != 0 || v == 0) {
        return -1;
    }
    *out = v;
    return 0;
}


/* A duration that may be 0 (for "off"). */
static int parse_duration_zero(const char *s, uint64_t *ms)
{
    char *end;

    if (strtod(s, &end) == 0 && end != s &&
        (*end == '\0' || strcmp(end, "s") == 0 || strcmp(end, "ms") == 0 ||
         strcmp(end, "m") == 0) && s[0] != '-') {
        *ms = 0;
        return 0;
    }
    return parse_duration(s, ms);
}


static int parse_hostport(const char *s, char *host, size_t hcap, int *port)
{
    const char *colon;
    size_t hl;
    char *end;
    long p;

    if (s[0] == '[') {
        const char *rb = strchr(s, ']');

        if (rb == NULL || rb[1] != ':') {
            return -1;
        }
        hl = (size_t)(rb - s - 1);
        s++;
        colon = rb + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL) {
            return -1;
        }
        hl = (size_t)(colon - s);
    }
    if (hl == 0 || hl >= hcap) {
        return -1;
    }
    memcpy(host, s, hl);
    host[hl] = '\0';
    p = strtol(colon + 1, &end, 10);
    if (*end != '\0' || p <= 0 || p > 65535) {
        return -1;
    }
    *port = (int)p;
    return 0;
}


/* Whether <host> (as --admin gives it) is a loopback address. */
static int loopback_host(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;

    if (strcmp(host, "localhost") == 0) {
        return 1;
    }
    if (inet_pton(AF_INET, host, &a4) == 1) {
        return (ntohl(a4.s_addr) >> 24) == 127;
    }
    if (inet_pton(AF_INET6, host, &a6) == 1) {
        return IN6_IS_ADDR_LOOPBACK(&a6);
    }
    return 0;
}


static int parse_upstream(const char *url, veil_proxy_config_t *cfg)
{
    const char *rest, *slash;
    char hp[300];
    size_t n;

    /* https: verified against the system CA store; other TLS settings
       need a config (upstreams: tls:). */
    cfg->upstream_tls = strncmp(url, "https://", 8) == 0;
    cfg->upstream_tls_verify = 1;
    cfg->upstream_tls_ca_file[0] = '\0';
    cfg->upstream_tls_server_name[0] = '\0';
    if (!cfg->upstream_tls && strncmp(url, "http://", 7) != 0) {
        fprintf(stderr, "veil run: --upstream: expected http://HOST:PORT or "
                        "https://HOST:PORT\n");
        return -1;
    }
    rest = url + (cfg->upstream_tls ? 8 : 7);
    slash = strchr(rest, '/');
    n = slash ? (size_t)(slash - rest) : strlen(rest);
    if (slash != NULL && strcmp(slash, "/") != 0) {
        fprintf(stderr, "veil run: --upstream: a path is not supported\n");
        return -1;
    }
    if (n == 0 || n >= sizeof(hp)) {
        fprintf(stderr, "veil run: --upstream: missing host\n");
        return -1;
    }
    memcpy(hp, rest, n);
    hp[n] = '\0';
    memcpy(cfg->upstream_authority, hp, n + 1);
    if (strchr(hp, ':') == NULL || (hp[0] == '[' && hp[n - 1] == ']')) {
        /* No port: 80. */
        size_t hl = hp[0] == '[' ? n - 2 : n;

        if (hl >= sizeof(cfg->upstream_host)) {
            return -1;
        }
        memcpy(cfg->upstream_host, hp[0] == '[' ? hp + 1 : hp, hl);
        cfg->upstream_host[hl] = '\0';
        cfg->upstream_port = cfg->upstream_tls ? 443 : 80;
        return 0;
    }
    if (parse_hostport(hp, cfg->upstream_host, sizeof(cfg->upstream_host),
                       &cfg->upstream_port) != 0) {
        fprintf(stderr, "veil run: --upstream: bad host or port\n");
        return -1;
    }
    return 0;
}


static void json_kv_str(veil_jbuf_t *b, const char *k, const char *v)
{
    veil_jbuf_key(b, k);
    veil_jbuf_str(b, v, strlen(v));
}


static void json_kv_u64(veil_jbuf_t *b, const char *k, uint64_t v)
{
    veil_jbuf_key(b, k);
    veil_jbuf_u64(b, v);
}


/* /config: the effective settings (there are no secrets among them). */
static int config_json(void *ud, veil_jbuf_t *out)
{
    const veil_proxy_config_t *c = ud;
    char hp[320];

    veil_jbuf_raw(out, "{", 1);
    snprintf(hp, sizeof(hp), "%s:%d", c->listen_host, c->listen_port);
    json_kv_str(out, "listen", hp);
    snprintf(hp, sizeof(hp), "%s://%s", c->upstream_tls ? "https" : "http",
             c->upstream_authority);
    json_kv_str(out, "upstream", hp);
    if (c->holder != NULL) {
        /* -c: every upstream of the current config, as routes use it
           (the first one with the flags that override it). */
        veil_config_t *conf = veil_config_holder_get(c->holder);

        veil_jbuf_key(out, "upstreams");
        veil_jbuf_raw(out, "[", 1);
        for (size_t i = 0; i < veil_config_upstream_count(conf); i++) {
            const veil_upstream_t *u = veil_config_upstream(conf, i);
            unsigned ov = i == 0 ? c->upstream_overrides : 0;

            veil_jbuf_raw(out, i ? ",{" : "{", i ? 2 : 1);
            json_kv_str(out, "name", u->name);
            json_kv_str(out, "url", (ov & VEIL_UPSTREAM_OVERRIDE_URL) ? hp
                                                                     : u->url);
            json_kv_u64(out, "connect_timeout_ms",
                        (ov & VEIL_UPSTREAM_OVERRIDE_CONNECT)
                            ? c->connect_timeout_ms : u->connect_timeout_ms);
            json_kv_u64(out, "response_timeout_ms",
                        (ov & VEIL_UPSTREAM_OVERRIDE_RESPONSE)
                            ? c->upstream_timeout_ms : u->response_timeout_ms);
            json_kv_u64(out, "idle_timeout_ms", u->idle_timeout_ms);
            json_kv_u64(out, "pool_size", u->pool_size);
            json_kv_u64(out, "resolve_interval_ms",
                        (ov & VEIL_UPSTREAM_OVERRIDE_RESOLVE)
                            ? c->upstream_resolve_interval_ms
                            : u->resolve_interval_ms);
            veil_jbuf_raw(out, "}", 1);
        }
        veil_jbuf_raw(out, "]", 1);
        veil_config_release(conf);
    }
    json_kv_str(out, "access_log", c->access_log);
    json_kv_u64(out, "access_log_max_bytes", c->access_log_max_bytes);
    json_kv_u64(out, "access_log_rotate_seconds", c->access_log_rotate_s);
    json_kv_u64(out, "access_log_retention_seconds", c->access_log_retention_s);
    json_kv_u64(out, "workers", c->workers);
    json_kv_str(out, "mode", "observe");
    json_kv_str(out, "inspect", c->engine ? "on" : "off");
    json_kv_u64(out, "max_connections", c->max_connections);
    json_kv_u64(out, "max_header_bytes", c->max_header_bytes);
    json_kv_u64(out, "max_headers", c->max_header_count);
    json_kv_u64(out, "inspect_limit", c->inspect_limit);
    json_kv_u64(out, "max_body_size", c->max_body_size);
    json_kv_u64(out, "log_body_limit", c->log_body_limit);
    json_kv_u64(out, "header_timeout_ms", c->header_timeout_ms);
    json_kv_u64(out, "body_timeout_ms", c->body_timeout_ms);
    json_kv_u64(out, "connect_timeout_ms", c->connect_timeout_ms);
    json_kv_u64(out, "upstream_timeout_ms", c->upstream_timeout_ms);
    json_kv_u64(out, "upstream_resolve_interval_ms",
                c->upstream_resolve_interval_ms);
    json_kv_u64(out, "keepalive_timeout_ms", c->keepalive_timeout_ms);
    json_kv_u64(out, "drain_timeout_ms", c->drain_timeout_ms);
    veil_jbuf_raw(out, "}", 1);
    return out->overflow ? -ENOMEM : 0;
}


static void on_drain(void *ud)
{
    veil_admin_set_draining(ud, 1);
}


static void run_diag(void *ud, veil_diag_level_t level, const char *msg)
{
    (void)ud;
    fprintf(stderr, "%s: %s\n", level == VEIL_DIAG_ERROR ? "error" : "warning",
            msg);
}


/* veil run -c FILE: the file's settings; flags given as well override
   them. Routes and policies come from the holder per exchange. */
static int apply_config(const veil_config_t *c, veil_proxy_config_t *cfg)
{
    const veil_listener_t *l = veil_config_listener(c, 0);
    const veil_upstream_t *u = veil_config_upstream(c, 0);
    const veil_server_settings_t *sv = veil_config_server(c);
    const veil_access_log_settings_t *al = veil_config_access_log(c);

    /* Every listener after the first is served as well (--listen replaces
       the first only). */
    cfg->n_more_listen = 0;
    for (size_t k = 1; k < veil_config_listener_count(c); k++) {
        const veil_listener_t *m = veil_config_listener(c, k);
        if (k >= VEIL_MAX_LISTENERS) {
            fprintf(stderr, "veil run: at most %d listeners\n", VEIL_MAX_LISTENERS);
            return -1;
        }
        if (strlen(m->host) >= sizeof(cfg->more_listen[0].host)) {
            fprintf(stderr, "veil run: a name in the configuration is too long\n");
            return -1;
        }
        strcpy(cfg->more_listen[cfg->n_more_listen].host, m->host);
        cfg->more_listen[cfg->n_more_listen].port = m->port;
        cfg->n_more_listen++;
    }
    if (strlen(l->host) >= sizeof(cfg->listen_host) ||
        strlen(u->host) >= sizeof(cfg->upstream_host) ||
        strlen(al->path) >= sizeof(cfg->access_log)) {
        fprintf(stderr, "veil run: a name in the configuration is too long\n");
        return -1;
    }
    strcpy(cfg->listen_host, l->host);
    cfg->listen_port = l->port;
    /* The first upstream's settings (the default route's): what the
       upstream flags override, and what serves with --inspect off. Every
       upstream gets its own settings in the proxy (upstream_set.c). */
    strcpy(cfg->upstream_host, u->host);
    cfg->upstream_port = u->port;
    /* Its TLS settings go with its URL (upstream_set.c copies each
       upstream's own); here for /config. */
    cfg->upstream_tls = u->tls;
    cfg->upstream_tls_verify = u->tls_verify;
    snprintf(cfg->upstream_authority, sizeof(cfg->upstream_authority),
             strchr(u->host, ':') ? "[%s]:%d" : "%s:%d", u->host, u->port);
    cfg->connect_timeout_ms = u->connect_timeout_ms;
    cfg->upstream_timeout_ms = u->response_timeout_ms;
    cfg->upstream_keepalive_ms = u->idle_timeout_ms;
    cfg->upstream_idle_max = u->pool_size;
    cfg->upstream_resolve_interval_ms = u->resolve_interval_ms;
    cfg->workers = sv->workers;
    cfg->max_connections = sv->max_connections;
    cfg->max_header_bytes = sv->max_header_bytes > 60 * 1024 ? 60 * 1024
                                                             : sv->max_header_bytes;
    cfg->max_header_count = sv->max_headers;
    cfg->inspect_limit = sv->inspect_limit;
    cfg->max_body_size = sv->max_body_size;
    cfg->header_timeout_ms = sv->header_timeout_ms;
    cfg->body_timeout_ms = sv->body_timeout_ms;
    cfg->keepalive_timeout_ms = sv->keepalive_timeout_ms;
    cfg->drain_timeout_ms = sv->drain_timeout_ms;
    strcpy(cfg->access_log, al->path);
    cfg->log_body_limit = al->body_limit;
    return 0;
}


int veil_cmd_run(int argc, char **argv)
{
    veil_proxy_config_t cfg;
    veil_engine_t *engine = NULL;
    veil_stats_t *stats = NULL;
    veil_admin_t *admin = NULL;
    veil_admin_options_t ao;
    char err[256], admin_host[64] = "127.0.0.1";
    const char *token_file = NULL;
    int i, rc, inspect = 1, admin_port = 9901, admin_on = 1;
    int admin_explicit = 0, admin_insecure = 0;
    const char *config_path = NULL;
    veil_config_t *conf = NULL;
    veil_config_holder_t *holder = NULL;

    veil_proxy_config_init(&cfg);
    /* -c first: the flags, wherever they are, override the file. */
    for (i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) &&
            i + 1 < argc) {
            config_path = argv[++i];
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            config_path = argv[i] + 9;
        }
    }
    if (config_path != NULL) {
        conf = veil_config_load_file(config_path, 0, run_diag, NULL);
        if (conf == NULL) {
            fprintf(stderr, "veil run: %s: configuration is not valid\n",
                    config_path);
            return 2;
        }
        if (apply_config(conf, &cfg) != 0) {
            veil_config_release(conf);
            return 2;
        }
    }
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL, *eq;
        char name[64];
        size_t nl;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
            i++;
            continue;
        }
        if (strncmp(a, "--config=", 9) == 0) {
            continue;
        }
        if (strcmp(a, "--admin-insecure") == 0) {
            admin_insecure = 1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "veil run: unexpected argument\n");
            usage(stderr);
            return 2;
        }
        eq = strchr(a, '=');
        nl = eq ? (size_t)(eq - a) : strlen(a);
        if (nl >= sizeof(name)) {
            fprintf(stderr, "veil run: unknown option\n");
            return 2;
        }
        memcpy(name, a, nl);
        name[nl] = '\0';
        if (eq != NULL) {
            val = eq + 1;
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            fprintf(stderr, "veil run: %s needs a value\n", name);
            return 2;
        }

        rc = 0;
        if (strcmp(name, "--listen") == 0) {
            rc = parse_hostport(val, cfg.listen_host, sizeof(cfg.listen_host),
                                &cfg.listen_port);
        } else if (strcmp(name, "--upstream") == 0) {
            if (parse_upstream(val, &cfg) != 0) {
                return 2;
            }
            cfg.upstream_overrides |= VEIL_UPSTREAM_OVERRIDE_URL;
        } else if (strcmp(name, "--access-log") == 0) {
            if (strlen(val) >= sizeof(cfg.access_log) || val[0] == '\0') {
                rc = -1;
            } else {
                strcpy(cfg.access_log, val);
            }
        } else if (strcmp(name, "--workers") == 0) {
            size_t n = 0;

            rc = parse_size(val, &n);
            if (rc == 0 && n > 256) {
                rc = -1;
            }
            cfg.workers = (unsigned)n;
        } else if (strcmp(name, "--max-connections") == 0) {
            size_t n = 0;

            rc = parse_size(val, &n);
            cfg.max_connections = (unsigned)n;
        } else if (strcmp(name, "--max-header-bytes") == 0) {
            rc = parse_size(val, &cfg.max_header_bytes);
            if (rc == 0 && cfg.max_header_bytes > 60 * 1024) {
                rc = -1; /* must fit the 64 KiB read buffer */
            }
        } else if (strcmp(name, "--max-headers") == 0) {
            size_t n = 0;

            rc = parse_size(val, &n);
            cfg.max_header_count = (unsigned)n;
        } else if (strcmp(name, "--inspect-limit") == 0) {
            rc = parse_size(val, &cfg.inspect_limit);
        } else if (strcmp(name, "--max-body-size") == 0) {
            size_t n = 0;

            rc = parse_size_zero(val, &n);
            cfg.max_body_size = n;
        } else if (strcmp(name, "--admin") == 0) {
            admin_explicit = 1;
            if (strcmp(val, "off") == 0) {
                admin_on = 0;
            } else {
                rc = parse_hostport(val, admin_host, sizeof(admin_host),
                                    &admin_port);
            }
        } else if (strcmp(name, "--access-log-max-size") == 0) {
            rc = veil_stats_parse_bytes(val, &cfg.access_log_max_bytes);
        } else if (strcmp(name, "--access-log-rotate") == 0) {
            rc = veil_stats_parse_secs(val, &cfg.access_log_rotate_s);
        } else if (strcmp(name, "--access-log-retention") == 0) {
            rc = veil_stats_parse_secs(val, &cfg.access_log_retention_s);
        } else if (strcmp(name, "--admin-token-file") == 0) {
            token_file = val;
        } else if (strcmp(name, "--inspect") == 0) {
            if (strcmp(val, "on") == 0 || strcmp(val, "off") == 0) {
                inspect = strcmp(val, "on") == 0;
            } else {
                rc = -1;
            }
        } else if (strcmp(name, "--log-body-limit") == 0) {
            rc = parse_size(val, &cfg.log_body_limit);
        } else if (strcmp(name, "--header-timeout") == 0) {
            rc = parse_duration(val, &cfg.header_timeout_ms);
        } else if (strcmp(name, "--body-timeout") == 0) {
            rc = parse_duration(val, &cfg.body_timeout_ms);
        } else if (strcmp(name, "--connect-timeout") == 0) {
            rc = parse_duration(val, &cfg.connect_timeout_ms);
            cfg.upstream_overrides |= VEIL_UPSTREAM_OVERRIDE_CONNECT;
        } else if (strcmp(name, "--upstream-timeout") == 0) {
            rc = parse_duration(val, &cfg.upstream_timeout_ms);
            cfg.upstream_overrides |= VEIL_UPSTREAM_OVERRIDE_RESPONSE;
        } else if (strcmp(name, "--upstream-resolve-interval") == 0) {
            rc = parse_duration_zero(val, &cfg.upstream_resolve_interval_ms);
            cfg.upstream_overrides |= VEIL_UPSTREAM_OVERRIDE_RESOLVE;
        } else if (strcmp(name, "--keepalive-timeout") == 0) {
            rc = parse_duration(val, &cfg.keepalive_timeout_ms);
        } else if (strcmp(name, "--drain-timeout") == 0) {
            rc = parse_duration(val, &cfg.drain_timeout_ms);
        } else {
            fprintf(stderr, "veil run: unknown option %s\n", name);
            usage(stderr);
            return 2;
        }
        if (rc != 0) {
            fprintf(stderr, "veil run: %s: invalid value\n", name);
            return 2;
        }
    }

    if (admin_on && token_file == NULL && !admin_insecure &&
        !loopback_host(admin_host)) {
        /* /config and /report describe the deployment, /stats what was
           found: never served to the network unauthenticated by
           accident. */
        fprintf(stderr, "veil run: --admin %s is not a loopback address: "
                        "give --admin-token-file FILE (or --admin-insecure "
                        "to serve it without a token)\n", admin_host);
        veil_config_release(conf);
        return 2;
    }
    if (conf != NULL) {
        /* Routes choose the upstream even with --inspect off (a route to
           another upstream must never fall back to the first one). */
        holder = veil_config_holder_new(veil_config_acquire(conf));
        cfg.holder = holder;
        cfg.config_path = config_path;
    }
    if (inspect && conf != NULL) {
        /* The default route's engine stands for "inspection on" and for
           records without an exchange; <conf> keeps it alive. */
        cfg.engine = veil_config_route_match(
            conf, &(veil_route_request_t){"GET", 3, "", 0, "/", 1, NULL, 0})
                         ->policy->dir[VEIL_DIR_REQUEST].engine;
    } else if (inspect) {
        engine = veil_engine_new(NULL, err, sizeof(err));
        if (engine == NULL) {
            fprintf(stderr, "veil run: cannot build the detection engine: "
                            "%s\n", err);
            return 1;
        }
    }
    if (engine != NULL) {
        cfg.engine = engine;
    }
    if (cfg.workers == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);

        cfg.workers = n > 0 ? (unsigned)n : 1;
    }

    if (admin_on) {
        /* Routes are counted by name across reloads; names past 16
           share one series, "other". */
        stats = veil_stats_new(cfg.workers, 16);
        if (stats == NULL || veil_stats_route(stats, "default") < 0) {
            fprintf(stderr, "veil run: cannot allocate the statistics\n");
            veil_stats_free(stats);
            veil_engine_free(engine);
            veil_config_holder_free(holder);
            veil_config_release(conf);
            return 1;
        }
        memset(&ao, 0, sizeof(ao));
        ao.host = admin_host;
        ao.port = admin_port;
        ao.token_file = token_file;
        ao.stats = stats;
        ao.data_host = cfg.listen_host;
        ao.data_port = cfg.listen_port;
        ao.config_json = config_json;
        ao.config_ud = &cfg;
        rc = veil_admin_start(&admin, &ao, err, sizeof(err));
        if (rc != 0 && (admin_explicit || rc != -EADDRINUSE)) {
            fprintf(stderr, "veil run: admin listener: %s\n", err);
            veil_stats_free(stats);
            veil_engine_free(engine);
            veil_config_holder_free(holder);
            veil_config_release(conf);
            return 1;
        }
        if (rc != 0) {
            /* The default port is taken (another veil on this host):
               serve without counters rather than not at all. */
            fprintf(stderr, "veil run: admin listener %s:%d is in use; "
                            "running without it (set --admin)\n",
                    admin_host, admin_port);
            veil_stats_free(stats);
            stats = NULL;
            admin = NULL;
        } else {
            veil_admin_set_config_loaded(admin, 1);
            if (conf != NULL) {
                veil_stats_config_digest(stats, conf);
            } else {
                veil_stats_config_id(stats, config_json, &cfg);
            }
            cfg.stats = stats;
            cfg.on_drain = on_drain;
            cfg.drain_ud = admin;
        }
    }

    rc = veil_proxy_run(&cfg);
    veil_admin_stop(admin);
    veil_stats_free(stats);
    veil_engine_free(engine);
    veil_config_holder_free(holder);
    veil_config_release(conf);
    return rc == 0 ? 0 : 1;
}
