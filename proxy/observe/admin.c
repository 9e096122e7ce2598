/*
 * The admin listener: /live, /ready, /stats, /metrics, /config, /report.
 *
 * It runs on its own thread with its own libuv loop, so it depends on
 * nothing inside the workers: it reads the counters through
 * veil_stats_snapshot() and the readiness flags through atomics. HTTP is
 * the strict minimum: the same head validator as the data path, GET and
 * HEAD only, no request bodies, keep-alive, one request at a time per
 * connection, an idle timeout and a connection cap.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>

#include "veil/secret_file.h"
#include "veil/stats.h"
#include "http_validate.h"

#define ADMIN_HEAD_MAX 8192
#define ADMIN_MAX_CONNS 64
#define ADMIN_IDLE_MS 10000
#define ADMIN_BODY_MAX (64u * 1024 * 1024)
#define ADMIN_DEFAULT_PORT 9901

typedef struct conn conn_t;

struct veil_admin {
    uv_loop_t loop;
    uv_tcp_t listener;
    uv_async_t stop;
    uv_thread_t thread;
    int port;
    veil_stats_t *stats;
    char token[256];
    size_t token_len;
    int (*config_json)(void *ud, veil_jbuf_t *out);
    void *config_ud;
    _Atomic int config_loaded;
    _Atomic int draining;
    int only; /* VEIL_ADMIN_*: what it serves */
    conn_t *conns;
    unsigned nconns;
};

struct conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    veil_admin_t *a;
    conn_t *next, *prev;
    char in[ADMIN_HEAD_MAX];
    size_t in_len;
    veil_h1_scan_t scan;
    int pending_close;
    int closing;
    int writing;
    int close_after_write;
    int lingering; /* response sent, input discarded until EOF */
    uv_shutdown_t shut;
};

typedef struct wreq {
    uv_write_t req;
    conn_t *c;
    veil_jbuf_t buf;
} wreq_t;


static const char *status_text(int status)
{
    return status == 401 ? "Unauthorized" : veil_h1_status_text(status);
}


static void conn_free_cb(uv_handle_t *h)
{
    conn_t *c = h->data;

    if (--c->pending_close == 0) {
        free(c);
    }
}


static void conn_close(conn_t *c)
{
    veil_admin_t *a = c->a;

    if (c->closing) {
        return;
    }
    c->closing = 1;
    if (c->prev) {
        c->prev->next = c->next;
    } else {
        a->conns = c->next;
    }
    if (c->next) {
        c->next->prev = c->prev;
    }
    a->nconns--;
    c->pending_close = 2;
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *)&c->timer, conn_free_cb);
    uv_close((uv_handle_t *)&c->tcp, conn_free_cb);
}


static void process(conn_t *c);
static void start_reading(conn_t *c);


static void shutdown_cb(uv_shutdown_t *req, int status)
{
    (void)req;
    (void)status;
}


static void linger_cb(uv_timer_t *t)
{
    conn_close(t->data);
}


/*
 * Closing at once with unread input makes the kernel send a reset, which
 * can destroy the response before the client reads it. So the write side
 * is shut down and input is read and dropped until the client closes, for
 * at most a second.
 */
static void linger(conn_t *c)
{
    c->lingering = 1;
    c->in_len = 0;
    if (uv_shutdown(&c->shut, (uv_stream_t *)&c->tcp, shutdown_cb) != 0) {
        conn_close(c);
        return;
    }
    uv_timer_start(&c->timer, linger_cb, 1000, 0);
    start_reading(c);
}


static void write_cb(uv_write_t *req, int status)
{
    wreq_t *w = (wreq_t *)req;
    conn_t *c = w->c;

    veil_jbuf_dispose(&w->buf);
    free(w);
    c->writing = 0;
    if (c->closing) {
        return;
    }
    if (status < 0) {
        conn_close(c);
        return;
    }
    if (c->close_after_write) {
        linger(c);
        return;
    }
    /* The next pipelined request, if any, then reading resumes. */
    process(c);
}


/*
 * Sends one response. <body> is written unless <head_only>; <extra> are
 * additional header lines, each ending in CRLF.
 */
static void respond(conn_t *c, int status, const char *ctype, const char *body, size_t len,
                    int head_only, const char *extra, int close)
{
    wreq_t *w = calloc(1, sizeof(*w));
    char head[1024];
    uv_buf_t b;
    int n;

    if (w == NULL) {
        conn_close(c);
        return;
    }
    n = snprintf(head, sizeof(head),
                 "HTTP/1.1 %d %s\r\n"
                 "Content-Type: %s\r\n"
                 "Content-Length: %zu\r\n"
                 "Cache-Control: no-store\r\n"
                 "X-Content-Type-Options: nosniff\r\n"
                 "%s"
                 "%s"
                 "\r\n",
                 status, status_text(status), ctype, len, extra ? extra : "",
                 close ? "Connection: close\r\n" : "");
    veil_jbuf_init(&w->buf, ADMIN_BODY_MAX + sizeof(head));
    if (n < 0 || (size_t)n >= sizeof(head) || veil_jbuf_raw(&w->buf, head, (size_t)n) != 0 ||
        (!head_only && veil_jbuf_raw(&w->buf, body, len) != 0)) {
        veil_jbuf_dispose(&w->buf);
        free(w);
        conn_close(c);
        return;
    }
    w->c = c;
    c->writing = 1;
    c->close_after_write = close;
    uv_read_stop((uv_stream_t *)&c->tcp);
    b = uv_buf_init(w->buf.data, (unsigned)w->buf.len);
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, write_cb) != 0) {
        veil_jbuf_dispose(&w->buf);
        free(w);
        c->writing = 0;
        conn_close(c);
    }
}


static void respond_text(conn_t *c, int status, const char *text, int head_only, const char *extra,
                         int close)
{
    respond(c, status, "text/plain; charset=utf-8", text, strlen(text), head_only, extra, close);
}


/* Constant time in the length of the expected token. */
static int token_ok(const veil_admin_t *a, veil_h1_span_t v)
{
    unsigned char diff = 0;

    if (v.len < 7 || strncasecmp(v.ptr, "bearer ", 7) != 0) {
        return 0;
    }
    v.ptr += 7;
    v.len -= 7;
    while (v.len > 0 && v.ptr[0] == ' ') {
        v.ptr++;
        v.len--;
    }
    diff = (unsigned char)(v.len != a->token_len);
    for (size_t i = 0; i < a->token_len; i++) {
        diff |= (unsigned char)(a->token[i] ^ (i < v.len ? v.ptr[i] : 0));
    }
    return diff == 0;
}


static int authorized(const veil_admin_t *a, const char *head, size_t len)
{
    veil_h1_span_t name, value;
    size_t pos = 0;

    if (a->token_len == 0) {
        return 1;
    }
    while (veil_h1_next_header(head, len, &pos, &name, &value)) {
        if (veil_h1_span_eq(name, "authorization")) {
            return token_ok(a, value);
        }
    }
    return 0;
}


static int path_is(veil_h1_span_t path, const char *p)
{
    size_t n = strlen(p);

    /* A query string is ignored. */
    return path.len >= n && memcmp(path.ptr, p, n) == 0 && (path.len == n || path.ptr[n] == '?');
}


/* Renders /stats, /metrics or /report into <out>: 0 or -errno. */
static int render(veil_admin_t *a, int what, veil_jbuf_t *out)
{
    veil_stats_snapshot_t sn;
    veil_jbuf_t json;
    char err[128];
    int rc;

    rc = veil_stats_snapshot(a->stats, &sn);
    if (rc != 0) {
        return rc;
    }
    if (what == 1) {
        rc = veil_stats_prometheus(&sn, out);
        veil_stats_snapshot_dispose(&sn);
        return rc;
    }
    if (what == 0) {
        rc = veil_stats_json(&sn, out);
        veil_stats_snapshot_dispose(&sn);
        return rc;
    }
    /* The report is rendered from the /stats document, as `veil report`
       does: one code path for both. */
    veil_jbuf_init(&json, ADMIN_BODY_MAX);
    rc = veil_stats_json(&sn, &json);
    veil_stats_snapshot_dispose(&sn);
    if (rc == 0) {
        rc = veil_report_render(json.data, json.len, VEIL_REPORT_HTML, out, err, sizeof(err));
    }
    veil_jbuf_dispose(&json);
    return rc;
}


static void handle(conn_t *c, const char *head, size_t len, const veil_h1_head_t *h)
{
    veil_admin_t *a = c->a;
    int head_only = veil_h1_span_eq(h->method, "head");
    int close = !h->keep_alive;
    veil_h1_span_t path = h->path;
    veil_jbuf_t body;
    int what, rc;
    const char *ctype;

    /* Methods are case-sensitive; span_eq is not, so check the bytes. */
    if (!((h->method.len == 3 && memcmp(h->method.ptr, "GET", 3) == 0) ||
          (h->method.len == 4 && memcmp(h->method.ptr, "HEAD", 4) == 0))) {
        respond_text(c, 405, "method not allowed\n", 0, "Allow: GET, HEAD\r\n", 1);
        return;
    }
    head_only = h->method.len == 4;
    if (veil_h1_request_body(h) != VEIL_H1_BODY_NONE) {
        respond_text(c, 400, "request bodies are not accepted\n", head_only, NULL, 1);
        return;
    }
    if (h->target_form != VEIL_H1_TARGET_ORIGIN) {
        respond_text(c, 400, "origin-form targets only\n", head_only, NULL, 1);
        return;
    }
    if (a->only == VEIL_ADMIN_METRICS && !path_is(path, "/metrics")) {
        /* A pod-reachable metrics port: the counters and nothing else. */
        respond_text(c, 404, "not found\n", head_only, NULL, close);
        return;
    }
    if (path_is(path, "/live")) {
        respond_text(c, 200, "live\n", head_only, NULL, close);
        return;
    }
    if (path_is(path, "/ready")) {
        if (atomic_load(&a->draining)) {
            respond_text(c, 503, "draining\n", head_only, NULL, close);
        } else if (!atomic_load(&a->config_loaded)) {
            respond_text(c, 503, "no configuration loaded\n", head_only, NULL, close);
        } else {
            respond_text(c, 200, "ready\n", head_only, NULL, close);
        }
        return;
    }
    if (a->only == VEIL_ADMIN_PROBES) {
        /* A pod-reachable probe port: nothing but liveness and readiness,
           whatever the path. */
        respond_text(c, 404, "not found\n", head_only, NULL, close);
        return;
    }
    if (path_is(path, "/stats")) {
        what = 0;
        ctype = "application/json";
    } else if (path_is(path, "/metrics")) {
        what = 1;
        ctype = "text/plain; version=0.0.4; charset=utf-8";
    } else if (path_is(path, "/report")) {
        what = 2;
        ctype = "text/html; charset=utf-8";
    } else if (path_is(path, "/config")) {
        what = 3;
        ctype = "application/json";
    } else {
        respond_text(c, 404, "not found\n", head_only, NULL, close);
        return;
    }
    if (!authorized(a, head, len)) {
        respond_text(c, 401, "a bearer token is required\n", head_only,
                     "WWW-Authenticate: Bearer realm=\"veil-admin\"\r\n", close);
        return;
    }
    veil_jbuf_init(&body, ADMIN_BODY_MAX);
    if (what == 3) {
        rc = a->config_json ? a->config_json(a->config_ud, &body) : veil_jbuf_cstr(&body, "{}");
        if (rc == 0) {
            rc = veil_jbuf_raw(&body, "\n", 1);
        }
    } else {
        rc = render(a, what, &body);
    }
    if (rc != 0 || body.overflow) {
        respond_text(c, 500, "cannot render\n", head_only, NULL, close);
    } else {
        respond(c, 200, ctype, body.data, body.len, head_only,
                what == 2 ? "Content-Security-Policy: default-src 'none'; "
                            "style-src 'unsafe-inline'; img-src data:\r\n"
                          : NULL,
                close);
    }
    veil_jbuf_dispose(&body);
}


/* Handles the next complete request in c->in, or resumes reading. */
static void process(conn_t *c)
{
    veil_h1_limits_t lim = {ADMIN_HEAD_MAX, 50};
    veil_h1_verdict_t v;
    veil_h1_head_t h;
    long end;

    if (c->closing || c->writing) {
        return;
    }
    end = veil_h1_head_scan(&c->scan, c->in, c->in_len, &lim, &v);
    if (end == 0) {
        if (c->in_len == sizeof(c->in)) {
            respond_text(c, 431, "request head too large\n", 0, NULL, 1);
            return;
        }
        start_reading(c);
        return;
    }
    if (end < 0) {
        respond_text(c, v.status, "bad request\n", 0, NULL, 1);
        return;
    }
    if (veil_h1_parse_request(c->in, (size_t)end, &lim, &h, &v) != 0) {
        respond_text(c, v.status, "bad request\n", 0, NULL, 1);
        return;
    }
    handle(c, c->in, (size_t)end, &h);
    /* The head is answered; keep what follows for the next request. */
    memmove(c->in, c->in + end, c->in_len - (size_t)end);
    c->in_len -= (size_t)end;
    memset(&c->scan, 0, sizeof(c->scan));
}


static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    conn_t *c = h->data;

    (void)hint;
    *buf = uv_buf_init(c->in + c->in_len, (unsigned)(sizeof(c->in) - c->in_len));
}


static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    conn_t *c = s->data;

    (void)buf;
    if (n < 0) {
        conn_close(c);
        return;
    }
    if (c->lingering) {
        c->in_len = 0;
        return;
    }
    c->in_len += (size_t)n;
    uv_timer_again(&c->timer);
    process(c);
}


static void start_reading(conn_t *c)
{
    /* Already reading is fine (UV_EALREADY). */
    (void)uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb);
}


static void idle_cb(uv_timer_t *t)
{
    conn_close(t->data);
}


static void on_connection(uv_stream_t *server, int status)
{
    veil_admin_t *a = server->data;
    conn_t *c;

    if (status < 0) {
        return;
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return;
    }
    c->a = a;
    uv_tcp_init(&a->loop, &c->tcp);
    uv_timer_init(&a->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
        c->pending_close = 2;
        c->closing = 1;
        uv_close((uv_handle_t *)&c->timer, conn_free_cb);
        uv_close((uv_handle_t *)&c->tcp, conn_free_cb);
        return;
    }
    c->next = a->conns;
    if (a->conns) {
        a->conns->prev = c;
    }
    a->conns = c;
    a->nconns++;
    if (a->nconns > ADMIN_MAX_CONNS) {
        respond_text(c, 503, "too many admin connections\n", 0, NULL, 1);
        return;
    }
    uv_timer_start(&c->timer, idle_cb, ADMIN_IDLE_MS, ADMIN_IDLE_MS);
    start_reading(c);
}


static void stop_cb(uv_async_t *h)
{
    veil_admin_t *a = h->data;

    while (a->conns != NULL) {
        conn_close(a->conns);
    }
    uv_close((uv_handle_t *)&a->listener, NULL);
    uv_close((uv_handle_t *)&a->stop, NULL);
}


static void thread_main(void *arg)
{
    veil_admin_t *a = arg;

    uv_run(&a->loop, UV_RUN_DEFAULT);
}


static int read_token(veil_admin_t *a, const char *path, char *err, size_t errlen)
{
    char why[512];
    ssize_t n;
    /* A secret file: owned by veil's user and 0600, or by root and 0640
       (include/veil/secret_file.h). */
    int fd = veil_secret_open(path, why, sizeof(why));

    if (fd < 0) {
        snprintf(err, errlen, "--admin-token-file: %s", why);
        return fd;
    }
    n = read(fd, a->token, sizeof(a->token));
    close(fd);
    if (n < 0 || (size_t)n >= sizeof(a->token)) {
        snprintf(err, errlen,
                 "--admin-token-file: unreadable or longer "
                 "than %zu bytes",
                 sizeof(a->token) - 1);
        return -EINVAL;
    }
    while (n > 0 && (a->token[n - 1] == '\n' || a->token[n - 1] == '\r' || a->token[n - 1] == ' ' ||
                     a->token[n - 1] == '\t')) {
        n--;
    }
    a->token_len = (size_t)n;
    for (ssize_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)a->token[i];

        if (ch <= 0x20 || ch >= 0x7f) {
            a->token_len = 0;
        }
    }
    if (a->token_len == 0) {
        snprintf(err, errlen,
                 "--admin-token-file: empty, or not one line "
                 "of visible ASCII");
        return -EINVAL;
    }
    return 0;
}


static int is_any(const char *h)
{
    return strcmp(h, "0.0.0.0") == 0 || strcmp(h, "::") == 0;
}


int veil_admin_start(veil_admin_t **out, const veil_admin_options_t *o, char *err, size_t errlen)
{
    veil_admin_t *a;
    struct sockaddr_storage ss;
    const char *host = o->host ? o->host : "127.0.0.1";
    int port = o->port ? o->port : ADMIN_DEFAULT_PORT;
    /* Messages name the flag the operator set. */
    static const char *const flags[] = {"--admin", "--probe-listen", "--metrics-listen"};
    static const char *const kinds[] = {"admin", "probe", "metrics"};
    int only = o->only >= VEIL_ADMIN_ALL && o->only <= VEIL_ADMIN_METRICS ? o->only : 0;
    const char *flag = flags[only];
    int rc;

    *out = NULL;
    if (o->stats == NULL && only != VEIL_ADMIN_PROBES) {
        snprintf(err, errlen, "admin: no statistics");
        return -EINVAL;
    }
    if (o->data_host != NULL && port == o->data_port &&
        (strcmp(host, o->data_host) == 0 || is_any(host) || is_any(o->data_host))) {
        snprintf(err, errlen,
                 "%s: the %s listener cannot share the "
                 "data port %d",
                 flag, kinds[only], port);
        return -EINVAL;
    }
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)&ss) != 0 &&
        uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss) != 0) {
        snprintf(err, errlen, "%s: not an IP address and port", flag);
        return -EINVAL;
    }
    a = calloc(1, sizeof(*a));
    if (a == NULL) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    a->stats = o->stats;
    a->port = port;
    a->config_json = o->config_json;
    a->config_ud = o->config_ud;
    a->only = only;
    if (o->token_file != NULL && only != VEIL_ADMIN_PROBES) {
        rc = read_token(a, o->token_file, err, errlen);
        if (rc != 0) {
            free(a);
            return rc;
        }
    }
    uv_loop_init(&a->loop);
    uv_tcp_init(&a->loop, &a->listener);
    a->listener.data = a;
    if ((rc = uv_tcp_bind(&a->listener, (struct sockaddr *)&ss, 0)) != 0 ||
        (rc = uv_listen((uv_stream_t *)&a->listener, 64, on_connection)) != 0) {
        snprintf(err, errlen, "%s: cannot listen on %s:%d: %s", flag, host, port, uv_strerror(rc));
        uv_close((uv_handle_t *)&a->listener, NULL);
        uv_run(&a->loop, UV_RUN_DEFAULT);
        uv_loop_close(&a->loop);
        explicit_bzero(a->token, sizeof(a->token));
        free(a);
        return rc;
    }
    uv_async_init(&a->loop, &a->stop, stop_cb);
    a->stop.data = a;
    if (uv_thread_create(&a->thread, thread_main, a) != 0) {
        snprintf(err, errlen, "admin: cannot start its thread");
        uv_close((uv_handle_t *)&a->listener, NULL);
        uv_close((uv_handle_t *)&a->stop, NULL);
        uv_run(&a->loop, UV_RUN_DEFAULT);
        uv_loop_close(&a->loop);
        free(a);
        return -EAGAIN;
    }
    *out = a;
    return 0;
}


int veil_admin_port(const veil_admin_t *a)
{
    return a->port;
}


void veil_admin_set_config_loaded(veil_admin_t *a, int loaded)
{
    if (a != NULL) {
        atomic_store(&a->config_loaded, loaded);
    }
}


void veil_admin_set_draining(veil_admin_t *a, int draining)
{
    if (a != NULL) {
        atomic_store(&a->draining, draining);
    }
}


void veil_admin_stop(veil_admin_t *a)
{
    if (a == NULL) {
        return;
    }
    uv_async_send(&a->stop);
    uv_thread_join(&a->thread);
    uv_loop_close(&a->loop);
    explicit_bzero(a->token, sizeof(a->token));
    free(a);
}
