/*
 * upstreams:, listeners:, server: and access_log:, with the defaults of
 * veil run when a section is absent; detokenize: (the POST /detokenize
 * listener and its callers).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema.h"
#include "veil/settings.h"


static int parse_hostport(const char *s, const char **host, int *port, veil__arena_t *a,
                          int default_port)
{
    const char *colon, *h = s;
    size_t hl;
    if (s[0] == '[') {
        const char *rb = strchr(s, ']');
        if (rb == NULL || (rb[1] != ':' && rb[1] != '\0')) {
            return -1;
        }
        h = s + 1;
        hl = (size_t)(rb - s - 1);
        colon = rb[1] == ':' ? rb + 1 : NULL;
    } else {
        colon = strrchr(s, ':');
        hl = colon ? (size_t)(colon - s) : strlen(s);
        if (colon && strchr(s, ':') != colon) {
            return -1; /* an IPv6 literal needs brackets */
        }
    }
    if (hl == 0 || hl > 253) {
        return -1;
    }
    for (size_t i = 0; i < hl; i++) {
        char c = h[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '_')) {
            return -1;
        }
    }
    long p = default_port;
    if (colon) {
        char *end;
        p = strtol(colon + 1, &end, 10);
        if (*end != '\0' || end == colon + 1 || p <= 0 || p > 65535) {
            return -1;
        }
    }
    if (p <= 0) {
        return -1;
    }
    *host = veil__arena_strndup(a, h, hl);
    *port = (int)p;
    return *host ? 0 : -1;
}


/* <text> as a setting of <st>'s section into <base>: numbers set, strings
   copied into the config. 0, or -1 after an error at <at> (key <path>). */
static int set_value(veil__schema_t *s, const veil_setting_t *st, void *base, const char *text,
                     const veil__node_t *at, const char *path)
{
    char err[160];
    uint64_t v = 0;

    if (veil_setting_parse(st, text, &v, err, sizeof(err)) != 0) {
        if (at != NULL) {
            veil__err_at(s->d, at, path, "%s", err);
        } else {
            veil__diag(s->d, VEIL_DIAG_ERROR, 0, 0, st->flag ? st->flag : path, "%s", err);
        }
        return -1;
    }
    if (st->type == VEIL_SET_STRING || st->type == VEIL_SET_ADDRESS || st->type == VEIL_SET_URL) {
        const char *copy = NULL;

        if (text[0] != '\0') {
            copy = at != NULL ? veil__sc_save_str(s, at)
                              : veil__arena_strndup(&s->cfg->arena, text, strlen(text));
            if (copy == NULL) {
                return -1;
            }
        }
        memcpy((char *)base + st->offset, &copy, sizeof(copy));
    } else {
        veil_setting_set_u64(st, base, v);
    }
    return 0;
}


/* The scalar settings of <sec> in <map> (a section, or an entry of a
   list; NULL: none given) into <base>, defaults first. Keys of the map
   that are not settings are left to the caller when <others> lists them;
   any other key is an error. */
static int parse_settings(veil__schema_t *s, const veil__node_t *map, const char *path,
                          veil_setting_section_t sec, void *base, const char *const *others,
                          size_t nothers)
{
    const char *known[64];
    size_t nk = 0;
    int rc = 0;

    for (size_t i = 0; i < veil_settings_count(); i++) {
        const veil_setting_t *st = veil_setting_at(i);

        if (st->section != sec) {
            continue;
        }
        if (st->type != VEIL_SET_URL && !(sec == VEIL_SEC_LISTENER)) {
            rc |= set_value(s, st, base, st->def, NULL, path);
        }
        if (nk < 64) {
            known[nk++] = st->name;
        }
    }
    for (size_t i = 0; i < nothers && nk < 64; i++) {
        known[nk++] = others[i];
    }
    if (map == NULL) {
        return rc;
    }
    if (veil__sc_want_kind(s, map, VEIL__N_MAP, path) ||
        veil__sc_check_keys(s, map, path, known, nk)) {
        return -1;
    }
    for (size_t i = 0; i < veil_settings_count(); i++) {
        const veil_setting_t *st = veil_setting_at(i);
        char p[PATH];
        const veil__node_t *v;

        if (st->section != sec || st->type == VEIL_SET_URL || sec == VEIL_SEC_LISTENER) {
            continue; /* url and address: split by the caller */
        }
        v = veil__sc_field(map, st->name, path, p);
        if (v == NULL) {
            continue;
        }
        if (veil__sc_want_kind(s, v, VEIL__N_SCALAR, p) != 0) {
            rc = -1;
            continue;
        }
        rc |= set_value(s, st, base, v->str, v, p);
    }
    return rc;
}


/* The base struct of a section of the config being loaded. */
static void *section_base(veil_config_t *c, veil_setting_section_t sec)
{
    switch (sec) {
    case VEIL_SEC_SERVER:
        return &c->server;
    case VEIL_SEC_ACCESS_LOG:
        return &c->access_log;
    case VEIL_SEC_ADMIN:
        return &c->admin;
    case VEIL_SEC_UPSTREAM:
        return c->nupstreams ? &c->upstreams[0] : NULL;
    case VEIL_SEC_LISTENER:
        return c->nlisteners ? &c->listeners[0] : NULL;
    }
    return NULL;
}


/* u->url into its host, port and scheme. 0, or -1 when it is not
   http[s]://HOST[:PORT] with at most a "/" after it. */
static int split_url(veil__schema_t *s, veil_upstream_t *u)
{
    const char *rest = NULL;
    char hp[300] = "";

    u->tls = 0;
    if (strncmp(u->url, "http://", 7) == 0) {
        rest = u->url + 7;
    } else if (strncmp(u->url, "https://", 8) == 0) {
        rest = u->url + 8;
        u->tls = 1;
    }
    if (rest) {
        size_t hl = strcspn(rest, "/");
        if (hl < sizeof(hp) && (rest[hl] == '\0' || strcmp(rest + hl, "/") == 0)) {
            memcpy(hp, rest, hl);
            hp[hl] = '\0';
        } else {
            rest = NULL;
        }
    }
    if (rest == NULL ||
        parse_hostport(hp, &u->host, &u->port, &s->cfg->arena, u->tls ? 443 : 80) != 0) {
        return -1;
    }
    return 0;
}


int veil__sc_parse_upstreams(veil__schema_t *s, const veil__node_t *root)
{
    static const char *const others[] = {"name", "tls"};
    static const char *const tkeys[] = {"verify", "ca_file", "server_name", "cert_file",
                                        "key_file"};
    const veil__node_t *seq = veil__map_get(root, "upstreams");
    veil_config_t *c = s->cfg;
    int rc = 0;
    size_t n = seq ? seq->count : 0;

    if (seq && veil__sc_want_kind(s, seq, VEIL__N_SEQ, "upstreams")) {
        rc = -1;
        n = 0;
    }
    c->upstreams = veil__arena_alloc(&c->arena, (n + 1) * sizeof(*c->upstreams));
    if (c->upstreams == NULL) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const veil__node_t *m = seq->items[i];
        veil_upstream_t *u = &c->upstreams[c->nupstreams];
        memset(u, 0, sizeof(*u)); /* a slot left by a rejected entry is reused */
        char p[PATH], pk[PATH];
        veil__sc_join_index(p, "upstreams", i);
        if (parse_settings(s, m, p, VEIL_SEC_UPSTREAM, u, others, COUNT(others)) ||
            veil__sc_get_str(s, m, "name", p, &u->name) ||
            veil__sc_get_str(s, m, "url", p, &u->url)) {
            rc = -1;
            continue;
        }
        if (u->name == NULL || u->url == NULL) {
            veil__err_at(s->d, m, p, "an upstream needs a name and a url");
            rc = -1;
            continue;
        }
        for (size_t j = 0; j < c->nupstreams; j++) {
            if (strcmp(c->upstreams[j].name, u->name) == 0) {
                veil__sc_field(m, "name", p, pk);
                veil__err_at(s->d, veil__map_get(m, "name"), pk, "'%s' is defined twice", u->name);
                rc = -1;
            }
        }
        if (split_url(s, u) != 0) {
            veil__sc_field(m, "url", p, pk);
            veil__err_at(s->d, veil__map_get(m, "url"), pk,
                         "expected http://HOST[:PORT] or https://HOST[:PORT] (no path)");
            rc = -1;
            continue;
        }
        u->tls_verify = 1;
        const veil__node_t *tm = veil__sc_field(m, "tls", p, pk);
        if (tm != NULL) {
            char tp[PATH];
            snprintf(tp, sizeof(tp), "%s", pk);
            if (!u->tls) {
                veil__err_at(s->d, tm, tp, "tls settings need an https:// url");
                rc = -1;
                continue;
            }
            if (veil__sc_want_kind(s, tm, VEIL__N_MAP, tp) ||
                veil__sc_check_keys(s, tm, tp, tkeys, COUNT(tkeys)) ||
                veil__sc_get_bool(s, tm, "verify", tp, &u->tls_verify) ||
                veil__sc_get_str(s, tm, "ca_file", tp, &u->tls_ca_file) ||
                veil__sc_get_str(s, tm, "server_name", tp, &u->tls_server_name) ||
                veil__sc_get_str(s, tm, "cert_file", tp, &u->tls_cert_file) ||
                veil__sc_get_str(s, tm, "key_file", tp, &u->tls_key_file)) {
                rc = -1;
                continue;
            }
            if ((u->tls_cert_file == NULL) != (u->tls_key_file == NULL)) {
                veil__err_at(s->d, tm, tp, "cert_file and key_file go together (mTLS)");
                rc = -1;
                continue;
            }
        }
        c->nupstreams++;
    }
    if (c->nupstreams == 0) {
        veil_upstream_t *u = &c->upstreams[0];
        u->name = "default";
        u->url = veil_setting_by_key("upstreams.url")->def;
        rc |= parse_settings(s, NULL, "upstreams[0]", VEIL_SEC_UPSTREAM, u, NULL, 0);
        rc |= split_url(s, u);
        u->tls_verify = 1;
        c->nupstreams = 1;
    }
    return rc;
}


/* listeners[i].tls (include/veil/config.h): 0, or -1 after errors. */
static int parse_listener_tls(veil__schema_t *s, const veil__node_t *tm, const char *tp,
                              veil_listener_t *l)
{
    static const char *const keys[] = {"certificates", "min_version", "client_auth",
                                       "client_ca_file", "client_sans"};
    static const char *const ckeys[] = {"cert_file", "key_file", "ocsp_file"};
    static const char *const auth[] = {"none", "optional", "required"};
    veil_config_t *c = s->cfg;
    veil_listener_tls_t *lt;
    veil_tls_certificate_t *certs;
    const veil__node_t *seq, *mv;
    char p[PATH];
    int a = VEIL_CLIENT_AUTH_NONE, rc = 0;

    if (veil__sc_want_kind(s, tm, VEIL__N_MAP, tp) ||
        veil__sc_check_keys(s, tm, tp, keys, COUNT(keys))) {
        return -1;
    }
    lt = veil__arena_alloc(&c->arena, sizeof(*lt));
    if (lt == NULL) {
        return -1;
    }
    memset(lt, 0, sizeof(*lt));
    lt->min_version = 12;
    seq = veil__sc_field(tm, "certificates", tp, p);
    if (seq == NULL) {
        veil__err_at(s->d, tm, tp, "a TLS listener needs certificates: [{cert_file, key_file}]");
        return -1;
    }
    if (veil__sc_want_kind(s, seq, VEIL__N_SEQ, p)) {
        return -1;
    }
    if (seq->count == 0) {
        veil__err_at(s->d, seq, p, "at least one certificate");
        return -1;
    }
    certs = veil__arena_alloc(&c->arena, seq->count * sizeof(*certs));
    if (certs == NULL) {
        return -1;
    }
    for (size_t i = 0; i < seq->count; i++) {
        veil_tls_certificate_t *tc = &certs[i];
        char pi[PATH];

        memset(tc, 0, sizeof(*tc));
        veil__sc_join_index(pi, p, i);
        if (veil__sc_want_kind(s, seq->items[i], VEIL__N_MAP, pi) ||
            veil__sc_check_keys(s, seq->items[i], pi, ckeys, COUNT(ckeys)) ||
            veil__sc_get_str(s, seq->items[i], "cert_file", pi, &tc->cert_file) ||
            veil__sc_get_str(s, seq->items[i], "key_file", pi, &tc->key_file) ||
            veil__sc_get_str(s, seq->items[i], "ocsp_file", pi, &tc->ocsp_file)) {
            rc = -1;
            continue;
        }
        if (tc->cert_file == NULL || tc->key_file == NULL) {
            veil__err_at(s->d, seq->items[i], pi, "a certificate needs cert_file and key_file");
            rc = -1;
        }
    }
    lt->certificates = certs;
    lt->ncertificates = seq->count;
    mv = veil__sc_field(tm, "min_version", tp, p);
    if (mv != NULL) {
        if (veil__sc_want_kind(s, mv, VEIL__N_SCALAR, p)) {
            rc = -1;
        } else if (strcmp(mv->str, "1.3") == 0) {
            lt->min_version = 13;
        } else if (strcmp(mv->str, "1.2") != 0) {
            veil__err_at(s->d, mv, p,
                         "expected \"1.2\" or \"1.3\" (TLS 1.1 and below are "
                         "refused)");
            rc = -1;
        }
    }
    if (veil__sc_get_enum(s, tm, "client_auth", tp, auth, COUNT(auth), &a) ||
        veil__sc_get_str(s, tm, "client_ca_file", tp, &lt->client_ca_file) ||
        veil__sc_get_list(s, tm, "client_sans", tp, &lt->client_sans, &lt->nclient_sans, NULL)) {
        return -1;
    }
    lt->client_auth = (veil_client_auth_t)a;
    if (lt->client_auth != VEIL_CLIENT_AUTH_NONE && lt->client_ca_file == NULL) {
        veil__err_at(s->d, tm, tp, "client_auth %s needs client_ca_file", auth[a]);
        rc = -1;
    } else if (lt->client_auth == VEIL_CLIENT_AUTH_NONE &&
               (lt->client_ca_file != NULL || lt->nclient_sans > 0)) {
        veil__err_at(s->d, tm, tp,
                     "client_ca_file and client_sans need client_auth optional "
                     "or required");
        rc = -1;
    }
    l->tls = lt;
    return rc;
}


int veil__sc_parse_listeners(veil__schema_t *s, const veil__node_t *root)
{
    static const char *const keys[] = {"name", "address", "tls"};
    const veil__node_t *seq = veil__map_get(root, "listeners");
    veil_config_t *c = s->cfg;
    size_t n = seq ? seq->count : 0;
    int rc = 0;

    if (seq && veil__sc_want_kind(s, seq, VEIL__N_SEQ, "listeners")) {
        rc = -1;
        n = 0;
    }
    c->listeners = veil__arena_alloc(&c->arena, (n + 1) * sizeof(*c->listeners));
    if (c->listeners == NULL) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const veil__node_t *m = seq->items[i];
        veil_listener_t *l = &c->listeners[c->nlisteners];
        memset(l, 0, sizeof(*l)); /* a slot left by a rejected entry is reused */
        const char *addr = NULL;
        char p[PATH], pk[PATH];
        veil__sc_join_index(p, "listeners", i);
        if (veil__sc_want_kind(s, m, VEIL__N_MAP, p) ||
            veil__sc_check_keys(s, m, p, keys, COUNT(keys)) ||
            veil__sc_get_str(s, m, "name", p, &l->name) ||
            veil__sc_get_str(s, m, "address", p, &addr)) {
            rc = -1;
            continue;
        }
        if (addr == NULL) {
            veil__err_at(s->d, m, p, "a listener needs an address (HOST:PORT)");
            rc = -1;
            continue;
        }
        if (parse_hostport(addr, &l->host, &l->port, &c->arena, 0) != 0) {
            veil__sc_field(m, "address", p, pk);
            veil__err_at(s->d, veil__map_get(m, "address"), pk, "expected HOST:PORT");
            rc = -1;
            continue;
        }
        if (l->name == NULL) {
            l->name = i == 0 ? "main" : veil__arena_strndup(&c->arena, p, strlen(p));
        }
        const veil__node_t *tm = veil__sc_field(m, "tls", p, pk);
        if (tm != NULL && parse_listener_tls(s, tm, pk, l) != 0) {
            rc = -1;
            continue;
        }
        c->nlisteners++;
    }
    if (c->nlisteners == 0) {
        c->listeners[0].name = "main";
        if (parse_hostport(veil_setting_by_key("listeners.address")->def, &c->listeners[0].host,
                           &c->listeners[0].port, &c->arena, 0) != 0) {
            return -1;
        }
        c->nlisteners = 1;
    }
    return rc;
}


int veil__sc_parse_server(veil__schema_t *s, const veil__node_t *root)
{
    veil_config_t *c = s->cfg;
    int rc = 0;

    rc |= parse_settings(s, veil__map_get(root, "server"), "server", VEIL_SEC_SERVER, &c->server,
                         NULL, 0);
    rc |= parse_settings(s, veil__map_get(root, "access_log"), "access_log", VEIL_SEC_ACCESS_LOG,
                         &c->access_log, NULL, 0);
    rc |= parse_settings(s, veil__map_get(root, "admin"), "admin", VEIL_SEC_ADMIN, &c->admin, NULL,
                         0);
    return rc;
}


/*
 * --tls-cert FILE --tls-key FILE: the first listener's first certificate
 * (the default one), replacing the file's or making the listener a TLS
 * one with the defaults of every other tls key. Both or neither.
 */
static int apply_tls_flags(veil__schema_t *s)
{
    veil_config_t *c = s->cfg;
    const char *cert = NULL, *key = NULL;
    veil_listener_tls_t *lt;
    veil_tls_certificate_t *certs;
    const veil_listener_tls_t *old;
    size_t n;

    for (size_t i = 0; i < c->noverrides; i++) {
        const veil_setting_t *st = c->overrides[i].setting;

        if (st->section == VEIL_SEC_LISTENER && st->type == VEIL_SET_STRING) {
            if (strstr(st->name, "cert_file") != NULL) {
                cert = c->overrides[i].value;
            } else {
                key = c->overrides[i].value;
            }
        }
    }
    if (cert == NULL && key == NULL) {
        return 0;
    }
    if (cert == NULL || key == NULL || cert[0] == '\0' || key[0] == '\0') {
        veil__diag(s->d, VEIL_DIAG_ERROR, 0, 0, cert == NULL ? "--tls-key" : "--tls-cert",
                   "--tls-cert FILE and --tls-key FILE go together");
        return -1;
    }
    old = c->listeners[0].tls;
    n = old != NULL ? old->ncertificates : 1;
    lt = veil__arena_alloc(&c->arena, sizeof(*lt));
    certs = veil__arena_alloc(&c->arena, n * sizeof(*certs));
    if (lt == NULL || certs == NULL) {
        return -1;
    }
    memset(lt, 0, sizeof(*lt));
    lt->min_version = 12;
    if (old != NULL) {
        *lt = *old;
        memcpy(certs, old->certificates, n * sizeof(*certs));
    }
    memset(&certs[0], 0, sizeof(certs[0]));
    certs[0].cert_file = veil__arena_strndup(&c->arena, cert, strlen(cert));
    certs[0].key_file = veil__arena_strndup(&c->arena, key, strlen(key));
    if (certs[0].cert_file == NULL || certs[0].key_file == NULL) {
        return -1;
    }
    lt->certificates = certs;
    lt->ncertificates = n;
    c->listeners[0].tls = lt;
    return 0;
}


/*
 * Command-line overrides, after the whole file: each replaces its key (the
 * first listener's address, the first upstream's url and timeouts), so it
 * wins at start and at every reload. The values were checked by the
 * command line with the same grammar; what depends on the file (an http://
 * url for an upstream with tls settings) is reported here.
 */
int veil__sc_apply_overrides(veil__schema_t *s)
{
    veil_config_t *c = s->cfg;
    int rc = 0;

    for (size_t i = 0; i < c->noverrides; i++) {
        const veil_setting_override_t *o = &c->overrides[i];
        const veil_setting_t *st = o->setting;
        void *base = section_base(c, st->section);

        if (base == NULL) {
            continue;
        }
        if (st->section == VEIL_SEC_LISTENER && st->type == VEIL_SET_STRING) {
            continue; /* --tls-cert, --tls-key: together, below */
        }
        if (st->section == VEIL_SEC_LISTENER) {
            veil_listener_t *l = base;
            if (parse_hostport(o->value, &l->host, &l->port, &c->arena, 0) != 0) {
                veil__diag(s->d, VEIL_DIAG_ERROR, 0, 0, st->flag, "expected HOST:PORT");
                rc = -1;
            }
            continue;
        }
        if (set_value(s, st, base, o->value, NULL, st->name) != 0) {
            rc = -1;
            continue;
        }
        if (st->type == VEIL_SET_URL) {
            veil_upstream_t *u = base;
            if (split_url(s, u) != 0) {
                veil__diag(s->d, VEIL_DIAG_ERROR, 0, 0, st->flag,
                           "expected http://HOST[:PORT] or https://HOST[:PORT] (no path)");
                rc = -1;
            } else if (!u->tls && (u->tls_ca_file || u->tls_server_name || !u->tls_verify)) {
                veil__diag(s->d, VEIL_DIAG_ERROR, 0, 0, st->flag,
                           "the first upstream has tls settings: the url must be https://");
                rc = -1;
            }
        }
    }
    return rc | apply_tls_flags(s);
}


/* ---- detokenize: (POST /detokenize, docs/tokens.md) ---- */

/* The bearer token of a caller from <path>: one line of visible ASCII,
   16 to 255 characters, in a file no group or other user may read or
   write (like a key file). Messages name the file, never its content. */
static int read_caller_token(veil__schema_t *s, const veil__node_t *at, const char *key,
                             const char *path, veil_detokenize_caller_t *dc)
{
    char buf[257];
    struct stat st;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    size_t len, i;
    char *tok;

    if (fd < 0) {
        veil__err_at(s->d, at, key, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
        close(fd);
        veil__err_at(s->d, at, key,
                     "%s: a token file must not be readable or writable by "
                     "group or others (chmod 600 or 400)",
                     path);
        return -1;
    }
    n = read(fd, buf, sizeof(buf));
    close(fd);
    len = n > 0 ? (size_t)n : 0;
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) {
        len--;
    }
    for (i = 0; i < len && (unsigned char)buf[i] > 0x20 && (unsigned char)buf[i] < 0x7f; i++) {
    }
    if (n < 0 || (size_t)n == sizeof(buf) || len < 16 || i != len) {
        explicit_bzero(buf, sizeof(buf));
        veil__err_at(s->d, at, key,
                     "%s: expected one line of 16 to 255 visible ASCII "
                     "characters",
                     path);
        return -1;
    }
    tok = veil__arena_strndup(&s->cfg->arena, buf, len);
    explicit_bzero(buf, sizeof(buf));
    if (tok == NULL) {
        return -1;
    }
    dc->token = tok;
    dc->token_len = len;
    return 0;
}


/* rate: N (per second), N/s, N/m or N/h, N a whole number of at least 1. */
static int parse_rate(const char *v, double *out)
{
    char *end;
    unsigned long n;

    if (v[0] < '0' || v[0] > '9') {
        return -1;
    }
    n = strtoul(v, &end, 10);
    if (n == 0 || n > 1000000) {
        return -1;
    }
    if (*end == '\0' || strcmp(end, "/s") == 0) {
        *out = (double)n;
    } else if (strcmp(end, "/m") == 0) {
        *out = (double)n / 60.0;
    } else if (strcmp(end, "/h") == 0) {
        *out = (double)n / 3600.0;
    } else {
        return -1;
    }
    return 0;
}


static int parse_caller(veil__schema_t *s, const veil__node_t *m, const char *p,
                        veil_detokenize_caller_t *dc)
{
    static const char *const keys[] = {"name", "token_file", "types", "rate", "burst"};
    const veil__node_t **tnodes = NULL, *rn;
    const char *rate = NULL;
    char pk[PATH];
    uint64_t burst = 0;
    int rc = 0;

    memset(dc, 0, sizeof(*dc));
    if (veil__sc_want_kind(s, m, VEIL__N_MAP, p) ||
        veil__sc_check_keys(s, m, p, keys, COUNT(keys)) ||
        veil__sc_get_str(s, m, "name", p, &dc->name) ||
        veil__sc_get_str(s, m, "token_file", p, &dc->token_file) ||
        veil__sc_get_list(s, m, "types", p, &dc->types, &dc->ntypes, &tnodes) ||
        veil__sc_get_str(s, m, "rate", p, &rate) ||
        veil__sc_get_number(s, m, "burst", p, 0, 1, 100000, &burst)) {
        return -1;
    }
    if (dc->name == NULL || dc->token_file == NULL || dc->ntypes == 0) {
        veil__err_at(s->d, m, p,
                     "a caller needs a name, a token_file and types (the detector "
                     "ids it may see turned back)");
        return -1;
    }
    for (const char *q = dc->name; *q; q++) {
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
              *q == '_' || *q == '-' || *q == '.') ||
            q - dc->name >= 64) {
            veil__sc_field(m, "name", p, pk);
            veil__err_at(s->d, veil__map_get(m, "name"), pk,
                         "1 to 64 of A-Z, a-z, 0-9, '_', "
                         "'-', '.'");
            return -1;
        }
    }
    for (size_t k = 0; k < dc->ntypes; k++) {
        if (!veil__sc_token_type_known(s, dc->types[k])) {
            veil__sc_join(pk, p, "types");
            veil__err_at(s->d, tnodes[k], pk,
                         "'%s' is no detector id (credit_card, iban, "
                         "email, ...)",
                         dc->types[k]);
            rc = -1;
        }
    }
    dc->rate = 1.0;
    rn = veil__sc_field(m, "rate", p, pk);
    if (rate != NULL && parse_rate(rate, &dc->rate) != 0) {
        veil__err_at(s->d, rn, pk,
                     "expected requests per second, minute or hour: 10, 10/s, "
                     "100/m, 1000/h");
        rc = -1;
    }
    /* A burst of one second's worth by default, at least one request. */
    dc->burst = burst ? (unsigned)burst : dc->rate < 1.0 ? 1u : (unsigned)(dc->rate + 0.999);
    veil__sc_field(m, "token_file", p, pk);
    if (read_caller_token(s, veil__map_get(m, "token_file"), pk, dc->token_file, dc) != 0) {
        rc = -1;
    }
    return rc;
}


int veil__sc_parse_detokenize(veil__schema_t *s, const veil__node_t *root)
{
    static const char *const keys[] = {"listen",        "socket", "policy",
                                       "max_body_size", "audit",  "callers"};
    static const char *const audits[] = {"access_log", "stderr"};
    const veil__node_t *m = veil__map_get(root, "detokenize"), *seq;
    veil_config_t *c = s->cfg;
    veil_detokenize_settings_t *d;
    veil_detokenize_caller_t *callers;
    uint64_t max = 1024 * 1024;
    char pk[PATH];
    int rc = 0;

    if (m == NULL) {
        return 0;
    }
    d = veil__arena_alloc(&c->arena, sizeof(*d));
    if (d == NULL) {
        return -1;
    }
    memset(d, 0, sizeof(*d));
    if (veil__sc_want_kind(s, m, VEIL__N_MAP, "detokenize") ||
        veil__sc_check_keys(s, m, "detokenize", keys, COUNT(keys)) ||
        veil__sc_get_str(s, m, "listen", "detokenize", &d->listen) ||
        veil__sc_get_str(s, m, "socket", "detokenize", &d->socket) ||
        veil__sc_get_str(s, m, "policy", "detokenize", &d->policy) ||
        veil__sc_get_number(s, m, "max_body_size", "detokenize", 1, 1, 64u * 1024 * 1024, &max) ||
        veil__sc_get_enum(s, m, "audit", "detokenize", audits, COUNT(audits), &d->audit_stderr)) {
        return -1;
    }
    d->max_body_size = (size_t)max;
    if (d->listen == NULL && d->socket == NULL) {
        veil__err_at(s->d, m, "detokenize",
                     "give listen (a loopback HOST:PORT) or socket (a "
                     "Unix socket path), or both");
        rc = -1;
    }
    if (d->listen != NULL) {
        veil_listener_t l;

        memset(&l, 0, sizeof(l));
        veil__sc_field(m, "listen", "detokenize", pk);
        if (parse_hostport(d->listen, &l.host, &l.port, &c->arena, 0) != 0) {
            veil__err_at(s->d, veil__map_get(m, "listen"), pk, "expected HOST:PORT");
            rc = -1;
        } else if (!veil_listener_trusted(&l)) {
            /* No TLS on this listener: tokens and values would cross the
               network in the clear. */
            veil__err_at(s->d, veil__map_get(m, "listen"), pk,
                         "must be a loopback address (127.0.0.1:PORT, [::1]:PORT): values go "
                         "out in the clear; callers on other hosts go through a local proxy "
                         "or use socket:");
            rc = -1;
        }
    }
    if (d->socket != NULL && (d->socket[0] != '/' || strlen(d->socket) >= 108)) {
        veil__sc_field(m, "socket", "detokenize", pk);
        veil__err_at(s->d, veil__map_get(m, "socket"), pk,
                     "an absolute path of at most 107 "
                     "bytes");
        rc = -1;
    }
    if (!veil__sc_has_token_slots(c)) {
        veil__err_at(s->d, m, "detokenize",
                     "needs token key slots (keys: ID: {file: F, "
                     "slot: 1})");
        rc = -1;
    }
    veil__sc_field(m, "policy", "detokenize", pk);
    if (veil__sc_find_policy(s, veil__map_get(m, "policy") ? veil__map_get(m, "policy") : m, pk,
                             d->policy ? d->policy : "default") == NULL) {
        rc = -1;
    }
    if (d->policy == NULL) {
        d->policy = "default";
    }
    seq = veil__sc_field(m, "callers", "detokenize", pk);
    if (seq == NULL || (seq->kind == VEIL__N_SEQ && seq->count == 0)) {
        veil__err_at(s->d, seq ? seq : m, seq ? pk : "detokenize",
                     "at least one caller: callers: [{name, token_file, types}]");
        return -1;
    }
    if (veil__sc_want_kind(s, seq, VEIL__N_SEQ, pk)) {
        return -1;
    }
    callers = veil__arena_alloc(&c->arena, seq->count * sizeof(*callers));
    if (callers == NULL) {
        return -1;
    }
    for (size_t i = 0; i < seq->count; i++) {
        char pi[PATH];

        veil__sc_join_index(pi, pk, i);
        if (parse_caller(s, seq->items[i], pi, &callers[d->ncallers]) != 0) {
            rc = -1;
            continue;
        }
        for (size_t j = 0; j < d->ncallers; j++) {
            const veil_detokenize_caller_t *o = &callers[j], *n = &callers[d->ncallers];

            if (strcmp(o->name, n->name) == 0) {
                veil__err_at(s->d, seq->items[i], pi, "a caller '%s' is defined twice", n->name);
                rc = -1;
            } else if (o->token_len == n->token_len &&
                       memcmp(o->token, n->token, n->token_len) == 0) {
                veil__err_at(s->d, seq->items[i], pi, "callers '%s' and '%s' have the same token",
                             o->name, n->name);
                rc = -1;
            }
        }
        d->ncallers++;
    }
    d->callers = callers;
    c->detokenize = d;
    return rc;
}
