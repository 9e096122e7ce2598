/*
 * Loading, reference counting and lookups: the entry points of
 * veil_config, routing and consent, and the holder the proxy swaps
 * configs through on reload.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "config_int.h"
#include "veil/client_cert.h"
#include "veil/settings.h"

#define MAX_FILE (16u << 20)

extern const char veil__default_yaml[];
extern const size_t veil__default_yaml_len;

const char *veil_config_default_yaml(void)
{
    return veil__default_yaml;
}

static veil_config_t *load_string(const char *name, const char *text, size_t len,
                                  const veil_config_load_options_t *o)
{
    unsigned flags = o->flags;
    veil__diag_t d = {name, o->cb, o->ud, 0, 0, NULL, 0, 0, NULL};
    veil_config_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        veil__diag(&d, VEIL_DIAG_ERROR, 1, 1, "config", "out of memory");
        veil__diag_flush(&d);
        return NULL;
    }
    atomic_init(&c->refs, 1);
    d.cfg = c;
    c->overrides = o->overrides;
    c->noverrides = o->noverrides;
    c->source = veil__arena_strndup(&c->arena, name, strlen(name));
    veil__node_t *root = veil__yaml_parse(&c->arena, text, len, &d);
    if (root == NULL || veil__schema_load(c, root, flags, &d) != 0 || d.errors ||
        veil__compile(c, flags, &d) != 0 || d.errors) {
        veil__diag_flush(&d);
        veil_config_release(c);
        return NULL;
    }
    veil__diag_flush(&d);
    c->overrides = NULL; /* the caller's: not kept */
    c->noverrides = 0;
    return c;
}

veil_config_t *veil_config_load_string(const char *name, const char *text, size_t len,
                                       unsigned flags, veil_diag_cb cb, void *ud)
{
    veil_config_load_options_t o = {flags, NULL, 0, cb, ud};

    return load_string(name, text, len, &o);
}

static veil_config_t *load_file(const char *path, const veil_config_load_options_t *o)
{
    veil__diag_t d = {path, o->cb, o->ud, 0, 0, NULL, 0, 0, NULL};
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        veil__diag(&d, VEIL_DIAG_ERROR, 0, 0, "file", "cannot open: %s", strerror(errno));
        veil__diag_flush(&d);
        return NULL;
    }
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len == cap) {
            char *nb = cap < MAX_FILE ? realloc(buf, cap * 2) : NULL;
            if (nb == NULL) {
                veil__diag(&d, VEIL_DIAG_ERROR, 0, 0, "file", "larger than %u bytes", MAX_FILE);
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        if (n == 0) {
            break;
        }
        len += n;
    }
    int bad = ferror(f);
    fclose(f);
    if (buf == NULL) {
        veil__diag_flush(&d);
        return NULL;
    }
    if (bad) {
        veil__diag(&d, VEIL_DIAG_ERROR, 0, 0, "file", "read error");
        veil__diag_flush(&d);
        free(buf);
        return NULL;
    }
    veil_config_t *c = load_string(path, buf, len, o);
    memset(buf, 0, len); /* a file may hold secrets of its own */
    free(buf);
    return c;
}

veil_config_t *veil_config_load_file(const char *path, unsigned flags, veil_diag_cb cb, void *ud)
{
    veil_config_load_options_t o = {flags, NULL, 0, cb, ud};

    return load_file(path, &o);
}

veil_config_t *veil_config_load(const char *path, const veil_config_load_options_t *o)
{
    if (path == NULL) {
        return load_string("(default)", veil__default_yaml, veil__default_yaml_len, o);
    }
    return load_file(path, o);
}

veil_config_t *veil_config_load_default(veil_diag_cb cb, void *ud)
{
    veil_config_load_options_t o = {0, NULL, 0, cb, ud};

    return load_string("(default)", veil__default_yaml, veil__default_yaml_len, &o);
}

veil_config_t *veil_config_acquire(veil_config_t *c)
{
    if (c) {
        atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
    }
    return c;
}

void veil_config_release(veil_config_t *c)
{
    if (c == NULL || atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1) {
        return;
    }
    veil__compiled_free(c);
    veil__arena_free(&c->arena);
    free(c);
}

const char *veil_config_source(const veil_config_t *c)
{
    return c->source;
}
size_t veil_config_listener_count(const veil_config_t *c)
{
    return c->nlisteners;
}
size_t veil_config_upstream_count(const veil_config_t *c)
{
    return c->nupstreams;
}
size_t veil_config_route_count(const veil_config_t *c)
{
    return c->nroutes;
}
size_t veil_config_policy_count(const veil_config_t *c)
{
    return c->npolicies;
}
size_t veil_config_test_count(const veil_config_t *c)
{
    return c->ntests;
}
size_t veil_config_engine_count(const veil_config_t *c)
{
    return c->nengines;
}
const veil_server_settings_t *veil_config_server(const veil_config_t *c)
{
    return &c->server;
}

const veil_access_log_settings_t *veil_config_access_log(const veil_config_t *c)
{
    return &c->access_log;
}

const veil_admin_settings_t *veil_config_admin(const veil_config_t *c)
{
    return &c->admin;
}

const veil_detokenize_settings_t *veil_config_detokenize(const veil_config_t *c)
{
    return c->detokenize;
}

const veil_listener_t *veil_config_listener(const veil_config_t *c, size_t i)
{
    return i < c->nlisteners ? &c->listeners[i] : NULL;
}

const veil_upstream_t *veil_config_upstream(const veil_config_t *c, size_t i)
{
    return i < c->nupstreams ? &c->upstreams[i] : NULL;
}

const veil_route_t *veil_config_route(const veil_config_t *c, size_t i)
{
    return i < c->nroutes ? &c->routes[i] : NULL;
}

const veil_policy_t *veil_config_policy_at(const veil_config_t *c, size_t i)
{
    return i < c->npolicies ? &c->policies[i] : NULL;
}

const veil_policy_t *veil_config_policy(const veil_config_t *c, const char *name)
{
    for (size_t i = 0; i < c->npolicies; i++) {
        if (strcmp(c->policies[i].name, name) == 0) {
            return &c->policies[i];
        }
    }
    return NULL;
}

const veil_policy_t *veil_policy_for_consent(const veil_policy_t *p, int gpc, int dnt)
{
    if (gpc && p->on_gpc) {
        return p->on_gpc;
    }
    if (dnt && p->on_dnt) {
        return p->on_dnt;
    }
    return p;
}

/* ---- routing ---- */

void veil__route_init_default(veil_config_t *c)
{
    veil_route_t *r = &c->default_route;
    r->name = "default";
    r->upstream = &c->upstreams[0];
    r->policy = veil_config_policy(c, "default");
}

void veil__route_free_re(veil_route_t *r)
{
    pcre2_code_free((pcre2_code *)r->re);
    r->re = NULL;
}

/* The host without its port, compared case-insensitively. */
static int host_match(const char *want, const char *host, size_t len)
{
    if (len && host[0] == '[') {
        const char *rb = memchr(host, ']', len);
        len = rb ? (size_t)(rb - host) + 1 : len;
    } else {
        for (size_t i = len; i > 0; i--) {
            if (host[i - 1] == ':') {
                len = i - 1;
                break;
            }
            if (host[i - 1] < '0' || host[i - 1] > '9') {
                break;
            }
        }
    }
    if (len && host[len - 1] == '.') {
        len--; /* a fully qualified name: "example.com." */
    }
    if (want[0] == '*' && want[1] == '.') {
        size_t wl = strlen(want + 1); /* ".example.com" */
        return len > wl && strncasecmp(host + len - wl, want + 1, wl) == 0;
    }
    return strlen(want) == len && strncasecmp(want, host, len) == 0;
}

static int content_type_match(const char *want, const char *ct, size_t len)
{
    size_t n = 0;
    while (len && (*ct == ' ' || *ct == '\t')) {
        ct++, len--;
    }
    while (n < len && ct[n] != ';' && ct[n] != ' ' && ct[n] != '\t') {
        n++;
    }
    size_t wl = strlen(want);
    if (wl >= 2 && want[wl - 1] == '*' && want[wl - 2] == '/') {
        return n >= wl - 1 && strncasecmp(ct, want, wl - 1) == 0;
    }
    return n == wl && strncasecmp(ct, want, wl) == 0;
}

/* Whether the verified client certificate of <q> is the one <r> names:
   one of its SANs among the route's, and its subject the route's. */
static int client_match(const veil_route_t *r, const veil_route_request_t *q)
{
    if (!q->client_verified) {
        return 0;
    }
    if (r->client_subject != NULL &&
        (q->client_subject == NULL || strcmp(r->client_subject, q->client_subject) != 0)) {
        return 0;
    }
    if (r->nclient_sans > 0) {
        /* As a listener compares its client_sans (client_cert.c). */
        for (size_t i = 0; i < q->nclient_sans; i++) {
            const veil_client_name_t *n = &q->client_sans[i];

            if (veil_client_name_listed(r->client_sans, r->nclient_sans, n->name, strlen(n->name),
                                        n->dns) >= 0) {
                return 1;
            }
        }
        return 0;
    }
    return 1;
}

static int route_matches(const veil_route_t *r, const veil_route_request_t *q)
{
    if (r->nlisteners && q->listener != NULL) {
        size_t k;
        for (k = 0; k < r->nlisteners && strcmp(r->listeners[k], q->listener) != 0; k++) {
        }
        if (k == r->nlisteners) {
            return 0;
        }
    }
    if ((r->nclient_sans > 0 || r->client_subject != NULL) && !client_match(r, q)) {
        return 0;
    }
    if (r->host && !host_match(r->host, q->host ? q->host : "", q->host ? q->host_len : 0)) {
        return 0;
    }
    if (r->path_prefix) {
        size_t pl = strlen(r->path_prefix);
        if (q->path_len < pl || memcmp(q->path, r->path_prefix, pl) != 0) {
            return 0;
        }
    }
    if (r->nmethods) {
        size_t k;
        for (k = 0; k < r->nmethods; k++) {
            if (strlen(r->methods[k]) == q->method_len &&
                memcmp(r->methods[k], q->method, q->method_len) == 0) {
                break;
            }
        }
        if (k == r->nmethods) {
            return 0;
        }
    }
    if (r->content_type &&
        (q->content_type == NULL ||
         !content_type_match(r->content_type, q->content_type, q->content_type_len))) {
        return 0;
    }
    if (r->re) {
        pcre2_match_data *md = pcre2_match_data_create(1, NULL);
        int rc = md ? pcre2_match((const pcre2_code *)r->re, (PCRE2_SPTR)(q->path ? q->path : ""),
                                  q->path_len, 0, 0, md, NULL)
                    : -1;
        pcre2_match_data_free(md);
        if (rc < 0) {
            return 0;
        }
    }
    return 1;
}

const veil_route_t *veil_config_route_match(const veil_config_t *c, const veil_route_request_t *q)
{
    for (size_t i = 0; i < c->nroutes; i++) {
        if (route_matches(&c->routes[i], q)) {
            return &c->routes[i];
        }
    }
    return &c->default_route;
}

int veil_route_detokenizes_type(const veil_route_t *r, const char *type, size_t len)
{
    if (r->ndetokenize_types == 0) {
        return 1;
    }
    for (size_t i = 0; i < r->ndetokenize_types; i++) {
        if (strlen(r->detokenize_types[i]) == len &&
            memcmp(r->detokenize_types[i], type, len) == 0) {
            return 1;
        }
    }
    return 0;
}

int veil_listener_trusted(const veil_listener_t *l)
{
    const char *h = l->host;

    if (l->tls != NULL && l->tls->client_auth == VEIL_CLIENT_AUTH_REQUIRED) {
        return 1;
    }
    /* 127.0.0.0/8, ::1 and the name localhost; never a wildcard. */
    if (strcmp(h, "::1") == 0 || strcasecmp(h, "localhost") == 0) {
        return 1;
    }
    if (strncmp(h, "127.", 4) == 0) {
        int dots = 0, ok = 1;
        for (const char *p = h; *p; p++) {
            dots += *p == '.';
            ok &= (*p >= '0' && *p <= '9') || *p == '.';
        }
        return ok && dots == 3;
    }
    return 0;
}

/* The section struct of <sec> in <c> (the first entry of a list). */
static const void *section_of(const veil_config_t *c, veil_setting_section_t sec)
{
    switch (sec) {
    case VEIL_SEC_SERVER:
        return &c->server;
    case VEIL_SEC_ACCESS_LOG:
        return &c->access_log;
    case VEIL_SEC_ADMIN:
        return &c->admin;
    case VEIL_SEC_UPSTREAM:
        return &c->upstreams[0];
    case VEIL_SEC_LISTENER:
        return &c->listeners[0];
    }
    return NULL;
}

int veil_config_needs_restart(const veil_config_t *old, const veil_config_t *cur, char *what,
                              size_t len)
{
    if (old->nlisteners != cur->nlisteners) {
        snprintf(what, len, "listeners");
        return 1;
    }
    for (size_t i = 0; i < old->nlisteners; i++) {
        if (strcmp(old->listeners[i].host, cur->listeners[i].host) != 0 ||
            old->listeners[i].port != cur->listeners[i].port) {
            snprintf(what, len, "listeners[%zu].address", i);
            return 1;
        }
    }
    /* The detokenize listener is started once, as the admin one. */
    {
        const veil_detokenize_settings_t *a = old->detokenize, *b = cur->detokenize;
        const char *al = a ? a->listen : NULL, *bl = b ? b->listen : NULL;
        const char *as = a ? a->socket : NULL, *bs = b ? b->socket : NULL;

        if ((al == NULL) != (bl == NULL) || (al && strcmp(al, bl) != 0)) {
            snprintf(what, len, "detokenize.listen");
            return 1;
        }
        if ((as == NULL) != (bs == NULL) || (as && strcmp(as, bs) != 0)) {
            snprintf(what, len, "detokenize.socket");
            return 1;
        }
    }
    /* Every scalar setting the table marks as read once at start. */
    for (size_t i = 0; i < veil_settings_count(); i++) {
        const veil_setting_t *st = veil_setting_at(i);
        char a[512], b[512];

        if (!(st->flags & VEIL_SET_START_ONLY) || st->section == VEIL_SEC_LISTENER ||
            st->section == VEIL_SEC_UPSTREAM) {
            continue;
        }
        veil_setting_format(st, (const char *)section_of(old, st->section) + st->offset, a,
                            sizeof(a));
        veil_setting_format(st, (const char *)section_of(cur, st->section) + st->offset, b,
                            sizeof(b));
        if (strcmp(a, b) != 0) {
            snprintf(what, len, "%s.%s", veil_setting_section_name(st->section), st->name);
            return 1;
        }
    }
    return 0;
}

/* ---- the holder ---- */

struct veil_config_holder {
    pthread_mutex_t lock;
    veil_config_t *cur;
    _Atomic uint64_t generation;
    _Atomic uint64_t ok, failed;
};

veil_config_holder_t *veil_config_holder_new(veil_config_t *cfg)
{
    veil_config_holder_t *h = calloc(1, sizeof(*h));
    if (h == NULL) {
        return NULL;
    }
    pthread_mutex_init(&h->lock, NULL);
    h->cur = cfg;
    atomic_init(&h->generation, 1);
    return h;
}

void veil_config_holder_free(veil_config_holder_t *h)
{
    if (h) {
        veil_config_release(h->cur);
        pthread_mutex_destroy(&h->lock);
        free(h);
    }
}

/* The lock covers reading the pointer and taking the reference, so a
   concurrent swap cannot free the config between the two. */
veil_config_t *veil_config_holder_get(veil_config_holder_t *h)
{
    pthread_mutex_lock(&h->lock);
    veil_config_t *c = veil_config_acquire(h->cur);
    pthread_mutex_unlock(&h->lock);
    return c;
}

uint64_t veil_config_holder_generation(const veil_config_holder_t *h)
{
    return atomic_load_explicit(&h->generation, memory_order_acquire);
}

void veil_config_holder_swap(veil_config_holder_t *h, veil_config_t *cfg)
{
    pthread_mutex_lock(&h->lock);
    veil_config_t *old = h->cur;
    h->cur = cfg;
    atomic_fetch_add_explicit(&h->generation, 1, memory_order_acq_rel);
    pthread_mutex_unlock(&h->lock);
    veil_config_release(old);
}

int veil_config_holder_reload(veil_config_holder_t *h, const char *path, veil_diag_cb cb, void *ud)
{
    veil_config_load_options_t o = {0, NULL, 0, cb, ud};

    return veil_config_holder_reload_with(h, path, &o);
}

int veil_config_holder_reload_with(veil_config_holder_t *h, const char *path,
                                   const veil_config_load_options_t *o)
{
    veil_config_t *c = veil_config_load(path, o);
    if (c == NULL) {
        atomic_fetch_add(&h->failed, 1);
        return -1;
    }
    veil_config_holder_swap(h, c);
    atomic_fetch_add(&h->ok, 1);
    return 0;
}

void veil_config_holder_counts(const veil_config_holder_t *h, uint64_t *ok, uint64_t *failed)
{
    *ok = atomic_load(&h->ok);
    *failed = atomic_load(&h->failed);
}

int veil_config_stamp_changed(veil_config_stamp_t *st, const char *path)
{
    struct stat sb;
    veil_config_stamp_t now = {0};
    if (stat(path, &sb) == 0) {
        now.dev = (uint64_t)sb.st_dev;
        now.ino = (uint64_t)sb.st_ino;
        now.size = (uint64_t)sb.st_size;
        now.mtime_ns = (uint64_t)sb.st_mtim.tv_sec * 1000000000u + (uint64_t)sb.st_mtim.tv_nsec;
    }
    int changed = memcmp(&now, st, sizeof(now)) != 0;
    *st = now;
    return changed;
}
