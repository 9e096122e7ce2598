/*
 * veil run: the proxy's command line. Flags only for now (the config file
 * arrives with another issue).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veil/proxy.h"
#include "veil/scan.h"
#include "cmd.h"

static void usage(FILE *out)
{
    fprintf(out,
        "usage: veil run [--listen HOST:PORT] [--upstream URL]\n"
        "                [--access-log PATH|-] [--workers N] [options]\n"
        "\n"
        "Runs veil as a reverse proxy in observe mode: requests and responses\n"
        "pass unchanged, and each exchange is written to the access log as\n"
        "one JSON line with its personal data redacted.\n"
        "\n"
        "  --listen HOST:PORT      where to listen (127.0.0.1:8000)\n"
        "  --upstream URL          the service, http://HOST:PORT\n"
        "                          (http://127.0.0.1:8080)\n"
        "  --access-log PATH|-     access log file, or - for stdout (-)\n"
        "  --workers N             worker threads (number of cores)\n"
        "\n"
        "limits (sizes take k/m suffixes):\n"
        "  --max-connections N     connections at once; more get 503 (10000)\n"
        "  --max-header-bytes N    request head size; more is 431 (16k)\n"
        "  --max-headers N         header fields; more is 431 (100)\n"
        "  --inspect-limit N       body bytes inspected, decoded (1m)\n"
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
        "  --keepalive-timeout D   idle client connection (75s)\n"
        "  --drain-timeout D       SIGTERM grace for in-flight requests (30s)\n"
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


static int parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s) {
        return -1;
    }
    if (*end == 'k' || *end == 'K') {
        v *= 1024;
        end++;
    } else if (*end == 'm' || *end == 'M') {
        v *= 1024 * 1024;
        end++;
    }
    if (*end != '\0' || v == 0) {
        return -1;
    }
    *out = (size_t)v;
    return 0;
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


static int parse_upstream(const char *url, veil_proxy_config_t *cfg)
{
    const char *rest, *slash;
    char hp[300];
    size_t n;

    if (strncmp(url, "https://", 8) == 0) {
        fprintf(stderr, "veil run: --upstream: https is not supported yet\n");
        return -1;
    }
    if (strncmp(url, "http://", 7) != 0) {
        fprintf(stderr, "veil run: --upstream: expected http://HOST:PORT\n");
        return -1;
    }
    rest = url + 7;
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
        cfg->upstream_port = 80;
        return 0;
    }
    if (parse_hostport(hp, cfg->upstream_host, sizeof(cfg->upstream_host),
                       &cfg->upstream_port) != 0) {
        fprintf(stderr, "veil run: --upstream: bad host or port\n");
        return -1;
    }
    return 0;
}


int veil_cmd_run(int argc, char **argv)
{
    veil_proxy_config_t cfg;
    veil_engine_t *engine = NULL;
    char err[256];
    int i, rc, inspect = 1;

    veil_proxy_config_init(&cfg);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL, *eq;
        char name[64];
        size_t nl;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "-c") == 0 || strncmp(a, "--config", 8) == 0) {
            fprintf(stderr, "veil run: -c: config files are not supported "
                            "yet; use the flags (veil run --help)\n");
            return 2;
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
        } else if (strcmp(name, "--access-log") == 0) {
            if (strlen(val) >= sizeof(cfg.access_log) || val[0] == '\0') {
                rc = -1;
            } else {
                strcpy(cfg.access_log, val);
            }
        } else if (strcmp(name, "--workers") == 0) {
            size_t n;

            rc = parse_size(val, &n);
            if (rc == 0 && n > 256) {
                rc = -1;
            }
            cfg.workers = (unsigned)n;
        } else if (strcmp(name, "--max-connections") == 0) {
            size_t n;

            rc = parse_size(val, &n);
            cfg.max_connections = (unsigned)n;
        } else if (strcmp(name, "--max-header-bytes") == 0) {
            rc = parse_size(val, &cfg.max_header_bytes);
            if (rc == 0 && cfg.max_header_bytes > 60 * 1024) {
                rc = -1; /* must fit the 64 KiB read buffer */
            }
        } else if (strcmp(name, "--max-headers") == 0) {
            size_t n;

            rc = parse_size(val, &n);
            cfg.max_header_count = (unsigned)n;
        } else if (strcmp(name, "--inspect-limit") == 0) {
            rc = parse_size(val, &cfg.inspect_limit);
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
        } else if (strcmp(name, "--upstream-timeout") == 0) {
            rc = parse_duration(val, &cfg.upstream_timeout_ms);
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

    if (inspect) {
        engine = veil_engine_new(NULL, err, sizeof(err));
        if (engine == NULL) {
            fprintf(stderr, "veil run: cannot build the detection engine: "
                            "%s\n", err);
            return 1;
        }
    }
    cfg.engine = engine;
    rc = veil_proxy_run(&cfg);
    veil_engine_free(engine);
    return rc == 0 ? 0 : 1;
}
