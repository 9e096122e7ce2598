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
#include "veil/settings.h"
#include "veil/stats.h"
#include "cmd.h"

/* The flags come from the settings table (include/veil/settings.h): each
   is an override of its key, with its default and one line of help. */
static void usage(FILE *out)
{
    static const char *const heads[] = {
        "server (server:)", "access log (access_log:)", "admin listener (admin:)",
        "the first upstream (upstreams:)", "the first listener (listeners:)"};
    static const veil_setting_section_t order[] = {
        VEIL_SEC_LISTENER, VEIL_SEC_UPSTREAM, VEIL_SEC_SERVER, VEIL_SEC_ACCESS_LOG, VEIL_SEC_ADMIN};

    fprintf(out, "usage: veil run [-c FILE] [--listen HOST:PORT] [--upstream URL] [options]\n"
                 "\n"
                 "Runs veil as a reverse proxy: requests and responses pass (observed,\n"
                 "or redacted, tokenized or blocked where a policy says so), and each\n"
                 "exchange is written to the access log as one JSON line with its\n"
                 "personal data redacted.\n"
                 "\n"
                 "  -c FILE                 the configuration (docs/configuration.md);\n"
                 "                          reloaded on SIGHUP and when the file changes.\n"
                 "                          Without it, the embedded default.\n"
                 "\n"
                 "Every other flag overrides one key of the configuration, at start\n"
                 "and at every reload, with the same values a file takes: durations\n"
                 "500ms, 5s, 2m, 1h, 7d (a bare number is seconds), sizes 64k, 10m, 1g.\n");
    for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
        fprintf(out, "\n%s:\n", heads[order[k]]);
        for (size_t i = 0; i < veil_settings_count(); i++) {
            const veil_setting_t *st = veil_setting_at(i);
            char arg[64];

            if (st->section != order[k] || st->flag == NULL) {
                continue;
            }
            snprintf(arg, sizeof(arg), "%s%s", st->flag,
                     (st->flags & VEIL_SET_FLAG_NOARG) ? ""
                     : st->type == VEIL_SET_DURATION   ? " D"
                     : st->type == VEIL_SET_SIZE       ? " N"
                     : st->type == VEIL_SET_COUNT      ? " N"
                     : st->type == VEIL_SET_BOOL       ? " on|off"
                     : st->type == VEIL_SET_ADDRESS    ? " HOST:PORT"
                     : st->type == VEIL_SET_URL        ? " URL"
                                                       : " VALUE");
            fprintf(out, "  %-30s %s.%s", arg, veil_setting_section_name(st->section), st->name);
            if (st->def[0] != '\0') {
                fprintf(out, " (%s)", st->def);
            }
            fprintf(out, "\n  %-30s %s\n", "", st->doc);
        }
    }
    fprintf(out, "\nsignals: TERM drains, INT stops, HUP reloads -c, USR1 reopens the "
                 "access log.\n");
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


static void json_kv_str(veil_jbuf_t *b, const char *k, const char *v)
{
    veil_jbuf_key(b, k);
    veil_jbuf_str(b, v, strlen(v));
}


static void json_setting(veil_jbuf_t *b, const veil_setting_t *st, const void *base)
{
    const char *field = (const char *)base + st->offset;
    char key[80];

    if (st->type == VEIL_SET_STRING || st->type == VEIL_SET_ADDRESS || st->type == VEIL_SET_URL) {
        const char *v;

        memcpy(&v, field, sizeof(v));
        veil_jbuf_key(b, st->name);
        if (v == NULL) {
            veil_jbuf_cstr(b, "null");
        } else if (st->flags & VEIL_SET_PATH) {
            veil_jbuf_str(b, "(set)", 5); /* a secret's file: not even its name */
        } else {
            veil_jbuf_str(b, v, strlen(v));
        }
        return;
    }
    snprintf(key, sizeof(key), "%s%s", st->name, st->type == VEIL_SET_DURATION ? "_ms" : "");
    veil_jbuf_key(b, key);
    if (st->type == VEIL_SET_BOOL) {
        veil_jbuf_cstr(b, veil_setting_get_u64(st, base) ? "true" : "false");
    } else {
        veil_jbuf_u64(b, veil_setting_get_u64(st, base));
    }
}


/* The scalar settings of <sec> at <base>, as a JSON object's members. */
static void json_section(veil_jbuf_t *b, veil_setting_section_t sec, const void *base)
{
    /* veil_jbuf_key() writes the commas between members. */
    for (size_t i = 0; i < veil_settings_count(); i++) {
        const veil_setting_t *st = veil_setting_at(i);

        if (st->section == sec && sec != VEIL_SEC_LISTENER) {
            json_setting(b, st, base);
        }
    }
}


/* A listener's tls: as the file has it; file names only (a key file's
   name too: it says where, not what). */
static void listener_tls_json(veil_jbuf_t *b, const veil_listener_tls_t *lt)
{
    static const char *const auth[] = {"none", "optional", "required"};

    veil_jbuf_key(b, "tls");
    veil_jbuf_raw(b, "{", 1);
    veil_jbuf_key(b, "certificates");
    veil_jbuf_raw(b, "[", 1);
    for (size_t i = 0; i < lt->ncertificates; i++) {
        veil_jbuf_raw(b, i ? ",{" : "{", i ? 2 : 1);
        json_kv_str(b, "cert_file", lt->certificates[i].cert_file);
        json_kv_str(b, "key_file", lt->certificates[i].key_file);
        if (lt->certificates[i].ocsp_file != NULL) {
            json_kv_str(b, "ocsp_file", lt->certificates[i].ocsp_file);
        }
        veil_jbuf_raw(b, "}", 1);
    }
    veil_jbuf_raw(b, "]", 1);
    json_kv_str(b, "min_version", lt->min_version == 13 ? "1.3" : "1.2");
    json_kv_str(b, "client_auth", auth[lt->client_auth]);
    if (lt->client_ca_file != NULL) {
        json_kv_str(b, "client_ca_file", lt->client_ca_file);
    }
    veil_jbuf_key(b, "client_sans");
    veil_jbuf_raw(b, "[", 1);
    for (size_t i = 0; i < lt->nclient_sans; i++) {
        if (i > 0) {
            veil_jbuf_raw(b, ",", 1);
        }
        veil_jbuf_str(b, lt->client_sans[i], strlen(lt->client_sans[i]));
    }
    veil_jbuf_raw(b, "]", 1);
    veil_jbuf_raw(b, "}", 1);
}


/* /config: the current configuration's settings, from the settings table,
   in the shape of the file (durations in ms, sizes in bytes; never a
   secret: a token file is "(set)"). */
/* The detokenize: section: where it listens and who may call, never a
   caller's token nor its file's name. */
static void detokenize_json(veil_jbuf_t *out, const veil_detokenize_settings_t *d)
{
    char num[64];

    veil_jbuf_key(out, "detokenize");
    if (d == NULL) {
        veil_jbuf_cstr(out, "null");
        return;
    }
    veil_jbuf_raw(out, "{", 1);
    veil_jbuf_key(out, "listen");
    d->listen ? (void)veil_jbuf_str(out, d->listen, strlen(d->listen))
              : (void)veil_jbuf_cstr(out, "null");
    veil_jbuf_key(out, "socket");
    d->socket ? (void)veil_jbuf_str(out, d->socket, strlen(d->socket))
              : (void)veil_jbuf_cstr(out, "null");
    veil_jbuf_key(out, "max_body_size");
    veil_jbuf_u64(out, d->max_body_size);
    json_kv_str(out, "audit", d->audit_stderr ? "stderr" : "access_log");
    veil_jbuf_key(out, "callers");
    veil_jbuf_raw(out, "[", 1);
    for (size_t i = 0; i < d->ncallers; i++) {
        const veil_detokenize_caller_t *c = &d->callers[i];

        veil_jbuf_raw(out, i ? ",{" : "{", i ? 2 : 1);
        json_kv_str(out, "name", c->name);
        json_kv_str(out, "token_file", "(set)");
        veil_jbuf_key(out, "types");
        veil_jbuf_raw(out, "[", 1);
        for (size_t k = 0; k < c->ntypes; k++) {
            if (k > 0) {
                veil_jbuf_raw(out, ",", 1);
            }
            veil_jbuf_str(out, c->types[k], strlen(c->types[k]));
        }
        veil_jbuf_raw(out, "]", 1);
        veil_jbuf_key(out, "rate_per_second");
        snprintf(num, sizeof(num), "%.6g", c->rate);
        veil_jbuf_raw(out, num, strlen(num));
        veil_jbuf_key(out, "burst");
        veil_jbuf_u64(out, c->burst);
        veil_jbuf_raw(out, "}", 1);
    }
    veil_jbuf_raw(out, "]}", 2);
}


static int config_json(void *ud, veil_jbuf_t *out)
{
    const veil_proxy_config_t *c = ud;
    veil_config_t *conf = veil_config_holder_get(c->holder);
    char hp[320];

    veil_jbuf_raw(out, "{", 1);
    json_kv_str(out, "source", veil_config_source(conf));
    veil_jbuf_key(out, "listeners");
    veil_jbuf_raw(out, "[", 1);
    for (size_t i = 0; i < veil_config_listener_count(conf); i++) {
        const veil_listener_t *l = veil_config_listener(conf, i);

        veil_jbuf_raw(out, i ? ",{" : "{", i ? 2 : 1);
        json_kv_str(out, "name", l->name);
        snprintf(hp, sizeof(hp), strchr(l->host, ':') ? "[%s]:%d" : "%s:%d", l->host, l->port);
        json_kv_str(out, "address", hp);
        if (l->tls != NULL) {
            listener_tls_json(out, l->tls);
        }
        veil_jbuf_raw(out, "}", 1);
    }
    veil_jbuf_raw(out, "]", 1);
    veil_jbuf_key(out, "upstreams");
    veil_jbuf_raw(out, "[", 1);
    for (size_t i = 0; i < veil_config_upstream_count(conf); i++) {
        const veil_upstream_t *u = veil_config_upstream(conf, i);

        veil_jbuf_raw(out, i ? ",{" : "{", i ? 2 : 1);
        json_kv_str(out, "name", u->name);
        json_section(out, VEIL_SEC_UPSTREAM, u);
        veil_jbuf_raw(out, "}", 1);
    }
    veil_jbuf_raw(out, "]", 1);
    veil_jbuf_key(out, "server");
    veil_jbuf_raw(out, "{", 1);
    json_section(out, VEIL_SEC_SERVER, veil_config_server(conf));
    veil_jbuf_raw(out, "}", 1);
    veil_jbuf_key(out, "access_log");
    veil_jbuf_raw(out, "{", 1);
    json_section(out, VEIL_SEC_ACCESS_LOG, veil_config_access_log(conf));
    veil_jbuf_raw(out, "}", 1);
    veil_jbuf_key(out, "admin");
    veil_jbuf_raw(out, "{", 1);
    json_section(out, VEIL_SEC_ADMIN, veil_config_admin(conf));
    veil_jbuf_raw(out, "}", 1);
    detokenize_json(out, veil_config_detokenize(conf));
    veil_jbuf_raw(out, "}", 1);
    veil_config_release(conf);
    return out->overflow ? -ENOMEM : 0;
}


static void on_drain(void *ud)
{
    veil_admin_set_draining(ud, 1);
}


static void run_diag(void *ud, veil_diag_level_t level, const char *msg)
{
    (void)ud;
    fprintf(stderr, "%s: %s\n", level == VEIL_DIAG_ERROR ? "error" : "warning", msg);
}


/* The admin listener's address: from admin.listen ("off": none). */
static int admin_address(const veil_admin_settings_t *ad, char *host, size_t hcap, int *port)
{
    if (ad->listen == NULL || strcmp(ad->listen, "off") == 0) {
        return 0;
    }
    return parse_hostport(ad->listen, host, hcap, port) == 0 ? 1 : -1;
}


#define MAX_OVERRIDES 64

int veil_cmd_run(int argc, char **argv)
{
    veil_proxy_config_t cfg;
    veil_stats_t *stats = NULL;
    veil_admin_t *admin = NULL;
    veil_admin_options_t ao;
    veil_run_listeners_t more;
    veil_setting_override_t ov[MAX_OVERRIDES];
    size_t nov = 0;
    char err[256], admin_host[64] = "";
    int i, rc, admin_port = 0, admin_on, admin_explicit = 0;
    unsigned workers;
    const char *config_path = NULL;
    const veil_admin_settings_t *ad;
    veil_config_t *conf = NULL;
    veil_config_holder_t *holder = NULL;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL, *eq;
        const veil_setting_t *st;
        char name[64];
        size_t nl;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "veil run: %s needs a value\n", a);
                return 2;
            }
            config_path = argv[++i];
            continue;
        }
        if (strncmp(a, "--config=", 9) == 0) {
            config_path = a + 9;
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
        st = veil_setting_by_flag(name);
        if (st == NULL) {
            fprintf(stderr, "veil run: unknown option %s\n", name);
            usage(stderr);
            return 2;
        }
        if (eq != NULL) {
            val = eq + 1;
        } else if (st->flags & VEIL_SET_FLAG_NOARG) {
            val = "true";
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            fprintf(stderr, "veil run: %s needs a value\n", name);
            return 2;
        }
        /* The grammar of the file: --header-timeout 1h is
           server.header_timeout: 1h. */
        if (veil_setting_parse(st, val, NULL, err, sizeof(err)) != 0) {
            fprintf(stderr, "veil run: %s: invalid value: %s\n", name, err);
            return 2;
        }
        if (nov == MAX_OVERRIDES) {
            fprintf(stderr, "veil run: too many options\n");
            return 2;
        }
        if (st->section == VEIL_SEC_ADMIN && strcmp(st->name, "listen") == 0) {
            admin_explicit = 1;
        }
        ov[nov].setting = st;
        ov[nov].value = val;
        nov++;
    }

    /* Without -c the embedded default, with the same overrides: the
       proxy always runs on one loaded configuration. */
    {
        veil_config_load_options_t lo = {0, ov, nov, run_diag, NULL};

        conf = veil_config_load(config_path, &lo);
    }
    if (conf == NULL) {
        fprintf(stderr, "veil run: %s: configuration is not valid\n",
                config_path ? config_path : "command line");
        return 2;
    }
    memset(&cfg, 0, sizeof(cfg));
    ad = veil_config_admin(conf);
    admin_on = admin_address(ad, admin_host, sizeof(admin_host), &admin_port);
    if (admin_on < 0) {
        fprintf(stderr, "veil run: admin.listen: expected HOST:PORT or off\n");
        veil_config_release(conf);
        return 2;
    }
    if (config_path != NULL &&
        strcmp(ad->listen ? ad->listen : "off", veil_setting_by_key("admin.listen")->def) != 0) {
        admin_explicit = 1; /* the file chose it */
    }
    if (admin_on && ad->token_file == NULL && !ad->insecure && !loopback_host(admin_host)) {
        /* /config and /report describe the deployment, /stats what was
           found: never served to the network unauthenticated by
           accident. */
        fprintf(stderr,
                "veil run: --admin %s is not a loopback address: "
                "give --admin-token-file FILE (or --admin-insecure "
                "to serve it without a token)\n",
                admin_host);
        veil_config_release(conf);
        return 2;
    }
    /* Routes choose the upstream even with inspection off (a route to
       another upstream must never fall back to the first one). */
    holder = veil_config_holder_new(veil_config_acquire(conf));
    cfg.holder = holder;
    cfg.config_path = config_path;
    cfg.overrides = ov;
    cfg.noverrides = nov;
    workers = veil_proxy_workers(veil_config_server(conf)->workers);

    if (admin_on) {
        /* Routes are counted by name across reloads; names past 16
           share one series, "other". */
        stats = veil_stats_new(workers, 16);
        if (stats == NULL || veil_stats_route(stats, "default") < 0) {
            fprintf(stderr, "veil run: cannot allocate the statistics\n");
            veil_stats_free(stats);
            veil_config_holder_free(holder);
            veil_config_release(conf);
            return 1;
        }
        memset(&ao, 0, sizeof(ao));
        ao.host = admin_host;
        ao.port = admin_port;
        ao.token_file = ad->token_file;
        ao.stats = stats;
        ao.data_host = veil_config_listener(conf, 0)->host;
        ao.data_port = veil_config_listener(conf, 0)->port;
        ao.config_json = config_json;
        ao.config_ud = &cfg;
        rc = veil_admin_start(&admin, &ao, err, sizeof(err));
        if (rc != 0 && (admin_explicit || rc != -EADDRINUSE)) {
            fprintf(stderr, "veil run: admin listener: %s\n", err);
            veil_stats_free(stats);
            veil_config_holder_free(holder);
            veil_config_release(conf);
            return 1;
        }
        if (rc != 0) {
            /* The default port is taken (another veil on this host):
               serve without counters rather than not at all. */
            fprintf(stderr,
                    "veil run: admin listener %s:%d is in use; "
                    "running without it (set --admin)\n",
                    admin_host, admin_port);
            veil_stats_free(stats);
            stats = NULL;
            admin = NULL;
        } else {
            veil_admin_set_config_loaded(admin, 1);
            veil_stats_config_digest(stats, conf);
            cfg.stats = stats;
            cfg.on_drain = on_drain;
            cfg.drain_ud = admin;
        }
    }

    if (veil_run_listeners_start(&more, conf, admin, &cfg) != 0) {
        veil_admin_stop(admin);
        veil_stats_free(stats);
        veil_config_holder_free(holder);
        veil_config_release(conf);
        return 1;
    }
    rc = veil_proxy_run(&cfg);
    veil_run_listeners_stop(&more);
    veil_admin_stop(admin);
    veil_stats_free(stats);
    veil_config_holder_free(holder);
    veil_config_release(conf);
    return rc == 0 ? 0 : 1;
}
