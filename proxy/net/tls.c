/*
 * The TLS transport (transport.h): one OpenSSL session over memory BIOs,
 * in the client role on connections to https upstreams and in the server
 * role on connections accepted by a listener with `tls:`. Its contexts
 * come from tls_ctx.c.
 *
 * Ciphertext libuv read lands in a per-thread buffer and goes into the
 * session's read BIO at once (read callbacks of one loop never overlap);
 * plaintext comes out of SSL_read. What the session writes (handshake
 * records, application data, alerts, close_notify) leaves its write BIO
 * record by record through the connection's write queue, so the write BIO
 * never holds more than one buffer's worth.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "proxy_int.h"
#include "veil/stats.h"

typedef struct tls {
    veil__transport_t base; /* first: a tls_t is a transport */
    SSL *ssl;
    BIO *rb;               /* ciphertext from the peer */
    BIO *wb;               /* ciphertext to the peer */
    const char *name;      /* upstream name for messages, or NULL */
    veil__tls_srv_t *srv;  /* server role: a reference */
    veil__tls_info_t info; /* server role: once the handshake is done */
    /* Server role: the handshake's end is counted once in <shard>; <fed>
       bytes came from the client so far (none: no handshake to count);
       the last alerts sent and received (SSL_alert_desc values, -1:
       none) say why a handshake failed. */
    veil_stats_shard_t *shard;
    int counted;
    uint64_t fed;
    int alert_sent, alert_read;
} tls_t;

static _Thread_local char cipher_in[16 * 1024 + 512];


static void tls_read_buf(veil__transport_t *t, char *dst, size_t room, uv_buf_t *out)
{
    (void)t;
    (void)dst;
    (void)room;
    out->base = cipher_in;
    out->len = sizeof(cipher_in);
}


static int tls_feed(veil__transport_t *t, const char *p, size_t n)
{
    tls_t *s = (tls_t *)t;

    if (p == NULL) {
        t->sock_eof = 1;
        return 0;
    }
    s->fed += n;
    return BIO_write(s->rb, p, (int)n) == (int)n ? 0 : -1;
}


/* Sends the records the session produced. */
static int flush_records(tls_t *s)
{
    char buf[16 * 1024 + 512];
    int n, rc = 0;

    while (rc == 0 && (n = BIO_read(s->wb, buf, (int)sizeof(buf))) > 0) {
        uv_buf_t b = uv_buf_init(buf, (unsigned)n);

        rc = veil__outq_send_raw(s->base.q, &b, 1);
    }
    return rc;
}


static long tls_read(veil__transport_t *t, char *buf, size_t len)
{
    tls_t *s = (tls_t *)t;
    int n = SSL_read(s->ssl, buf, len > INT_MAX ? INT_MAX : (int)len), err;

    /* Reading may answer the peer (a key update): send it. */
    if (BIO_ctrl_pending(s->wb) > 0 && flush_records(s) != 0) {
        return VEIL__TR_ERR;
    }
    if (n > 0) {
        return n;
    }
    err = SSL_get_error(s->ssl, n);
    ERR_clear_error();
    if (err == SSL_ERROR_WANT_READ) {
        return t->sock_eof ? VEIL__TR_CUT : VEIL__TR_MORE;
    }
    return err == SSL_ERROR_ZERO_RETURN ? VEIL__TR_EOF : VEIL__TR_ERR;
}


static int tls_write(veil__transport_t *t, const uv_buf_t *bufs, unsigned n)
{
    tls_t *s = (tls_t *)t;
    veil__outq_t *q = t->q;

    for (unsigned i = 0; i < n; i++) {
        if (bufs[i].len == 0) {
            continue;
        }
        /* A memory BIO never blocks: the whole buffer is taken. */
        if (SSL_write(s->ssl, bufs[i].base, (int)bufs[i].len) != (int)bufs[i].len) {
            ERR_clear_error();
            q->error = UV_EPROTO;
            return UV_EPROTO;
        }
        if (flush_records(s) != 0) {
            return q->error != 0 ? q->error : UV_EPROTO;
        }
    }
    return 0;
}


/* What is logged of a verified client certificate, and what routes match
   on: its names, never the certificate. */
static void take_info(tls_t *s)
{
    veil__tls_info_t *in = &s->info;
    const char *sni = SSL_get_servername(s->ssl, TLSEXT_NAMETYPE_host_name);
    X509 *peer;

    const unsigned char *alpn = NULL;
    unsigned alpn_len = 0;

    in->version = SSL_get_version(s->ssl);
    in->cipher = SSL_get_cipher_name(s->ssl);
    in->resumed = SSL_session_reused(s->ssl);
    SSL_get0_alpn_selected(s->ssl, &alpn, &alpn_len);
    if (alpn != NULL && alpn_len < sizeof(in->alpn)) {
        memcpy(in->alpn, alpn, alpn_len);
        in->alpn[alpn_len] = '\0';
    }
    if (sni != NULL) {
        snprintf(in->server_name, sizeof(in->server_name), "%s", sni);
    }
    peer = SSL_get1_peer_certificate(s->ssl);
    if (peer == NULL) {
        return;
    }
    if (SSL_get_verify_result(s->ssl) == X509_V_OK) {
        /* The names veil test takes from a certificate file too. */
        veil_client_cert_take(&in->client, peer);
        (void)veil__tls_srv_san_match(s->srv, peer, in->client.san, sizeof(in->client.san));
    }
    X509_free(peer);
    ERR_clear_error();
}


/* Server role: counts how the handshake ended, once. A connection that
   sent nothing (a port check) had no handshake. */
static void count(tls_t *s, int result)
{
    if (s->srv == NULL || s->counted || s->fed == 0) {
        return;
    }
    s->counted = 1;
    veil_stats_tls_handshake(s->shard, result);
}


/* Records the alerts a server-role session sends and receives: why a
   handshake failed is often only said there. */
static void info_cb(const SSL *ssl, int where, int ret)
{
    tls_t *s = SSL_get_app_data(ssl);

    if (s == NULL || !(where & SSL_CB_ALERT)) {
        return;
    }
    if (where & SSL_CB_WRITE) {
        s->alert_sent = ret & 0xff;
    } else {
        s->alert_read = ret & 0xff;
    }
}


/* The failure reason (VEIL_STATS_TLS_*) of OpenSSL's error <reason>, or
   -1 when it says nothing specific. */
static int reason_of(int reason)
{
    switch (reason) {
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_VERSION_TOO_LOW:
    case SSL_R_WRONG_SSL_VERSION:
        return VEIL_STATS_TLS_PROTOCOL_VERSION;
    case SSL_R_NO_SHARED_CIPHER:
    case SSL_R_NO_SHARED_GROUPS:
    case SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM:
        return VEIL_STATS_TLS_NO_SHARED_CIPHER;
    case SSL_R_NO_APPLICATION_PROTOCOL:
        return VEIL_STATS_TLS_NO_APPLICATION_PROTOCOL;
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
        return VEIL_STATS_TLS_CLIENT_CERT_REQUIRED;
    case SSL_R_CERTIFICATE_VERIFY_FAILED:
        return VEIL_STATS_TLS_CLIENT_CERT_INVALID;
    case SSL_R_HTTP_REQUEST:
    case SSL_R_HTTPS_PROXY_REQUEST:
    case SSL_R_WRONG_VERSION_NUMBER:
        return VEIL_STATS_TLS_NOT_TLS;
    case SSL_R_UNEXPECTED_EOF_WHILE_READING:
        return VEIL_STATS_TLS_CLIENT_CLOSED;
    default:
        return -1;
    }
}


/* Why a server-role handshake failed: the client's alert first (it
   refused veil's certificate, or left), then OpenSSL's error, then the
   alert veil sent. Consumes the error queue. */
static int failure_reason(tls_t *s, int err)
{
    unsigned long e;
    int r = -1;

    while ((e = ERR_get_error()) != 0) {
        if (r < 0 && ERR_GET_LIB(e) == ERR_LIB_SSL) {
            r = reason_of(ERR_GET_REASON(e));
        }
    }
    switch (s->alert_read) {
    case SSL3_AD_BAD_CERTIFICATE:
    case SSL3_AD_UNSUPPORTED_CERTIFICATE:
    case SSL3_AD_CERTIFICATE_REVOKED:
    case SSL3_AD_CERTIFICATE_EXPIRED:
    case SSL3_AD_CERTIFICATE_UNKNOWN:
    case TLS1_AD_UNKNOWN_CA:
        return VEIL_STATS_TLS_SERVER_CERT_REJECTED;
    case SSL3_AD_CLOSE_NOTIFY:
    case TLS1_AD_USER_CANCELLED:
        return VEIL_STATS_TLS_CLIENT_CLOSED;
    case TLS1_AD_PROTOCOL_VERSION:
        return VEIL_STATS_TLS_PROTOCOL_VERSION;
    case -1:
        break;
    default:
        return r >= 0 ? r : VEIL_STATS_TLS_OTHER;
    }
    if (r >= 0) {
        return r;
    }
    switch (s->alert_sent) {
    case SSL_AD_PROTOCOL_VERSION:
        return VEIL_STATS_TLS_PROTOCOL_VERSION;
    case SSL_AD_UNRECOGNIZED_NAME:
        return VEIL_STATS_TLS_SNI;
    case SSL_AD_NO_APPLICATION_PROTOCOL:
        return VEIL_STATS_TLS_NO_APPLICATION_PROTOCOL;
    case SSL_AD_CERTIFICATE_REQUIRED:
        return VEIL_STATS_TLS_CLIENT_CERT_REQUIRED;
    default:
        break;
    }
    if (SSL_get_verify_result(s->ssl) != X509_V_OK) {
        return VEIL_STATS_TLS_CLIENT_CERT_INVALID;
    }
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN) {
        return VEIL_STATS_TLS_CLIENT_CLOSED; /* the stream ended mid-way */
    }
    return VEIL_STATS_TLS_OTHER;
}


static int tls_handshake(veil__transport_t *t)
{
    tls_t *s = (tls_t *)t;
    int rc = SSL_do_handshake(s->ssl), err;
    long vr;

    if (flush_records(s) != 0) {
        /* The client is gone: what it was told cannot be sent. */
        ERR_clear_error();
        count(s, VEIL_STATS_TLS_CLIENT_CLOSED);
        t->failed = 1;
        return -1;
    }
    if (rc == 1) {
        t->hs_done = 1;
        if (s->srv != NULL) {
            take_info(s);
            count(s, VEIL_STATS_TLS_OK);
        }
        return 1;
    }
    err = SSL_get_error(s->ssl, rc);
    if (err == SSL_ERROR_WANT_READ && !t->sock_eof) {
        return 0;
    }
    if (s->srv != NULL) {
        count(s, failure_reason(s, err));
    }
    /* A peer that left in the middle is not worth a message. */
    if (s->name != NULL && err != SSL_ERROR_WANT_READ) {
        /* The reason is OpenSSL's or the verifier's: about certificates
           and protocol, never about the traffic. */
        vr = SSL_get_verify_result(s->ssl);
        if (vr != X509_V_OK) {
            fprintf(stderr, "veil: upstream %s: TLS verification failed: %s\n", s->name,
                    X509_verify_cert_error_string(vr));
        } else {
            fprintf(stderr, "veil: upstream %s: TLS handshake failed: %s\n", s->name,
                    veil__tls_reason("connection"));
        }
    }
    ERR_clear_error();
    t->failed = 1;
    return -1;
}


static int tls_pending(const veil__transport_t *t)
{
    const tls_t *s = (const tls_t *)t;

    return SSL_pending(s->ssl) > 0 || BIO_ctrl_pending(s->rb) > 0;
}


static void tls_shutdown(veil__transport_t *t)
{
    tls_t *s = (tls_t *)t;

    if (!t->hs_done || t->failed) {
        return;
    }
    if (SSL_shutdown(s->ssl) < 0) {
        ERR_clear_error();
        return;
    }
    (void)flush_records(s);
}


static void tls_free(veil__transport_t *t)
{
    tls_t *s = (tls_t *)t;

    /* A handshake that neither completed nor failed: the connection was
       closed under it, by the header timer or by the client (a reset). */
    count(s, t->hs_timed_out ? VEIL_STATS_TLS_TIMEOUT : VEIL_STATS_TLS_CLIENT_CLOSED);
    SSL_free(s->ssl);
    veil__tls_srv_unref(s->srv);
    free(s);
}


static const veil__transport_type_t tls_type = {
    "tls",         1,           tls_read_buf, tls_feed, tls_read, tls_write,
    tls_handshake, tls_pending, tls_shutdown, tls_free,
};


const char *veil__tls_reason(const char *dflt)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;

    return r != NULL ? r : dflt;
}


/* A session on <ctx> with its BIOs, writing to <q>; NULL: no memory. */
static tls_t *tls_new(SSL_CTX *ctx, veil__outq_t *q)
{
    tls_t *s = calloc(1, sizeof(*s));

    if (s == NULL) {
        return NULL;
    }
    s->base.type = &tls_type;
    s->base.q = q;
    s->ssl = SSL_new(ctx);
    s->rb = BIO_new(BIO_s_mem());
    s->wb = BIO_new(BIO_s_mem());
    if (s->ssl == NULL || s->rb == NULL || s->wb == NULL) {
        SSL_free(s->ssl);
        BIO_free(s->rb);
        BIO_free(s->wb);
        free(s);
        ERR_clear_error();
        return NULL;
    }
    SSL_set_bio(s->ssl, s->rb, s->wb); /* the session owns them now */
    return s;
}


static int is_ip_literal(const char *s)
{
    unsigned char a[16];

    return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}


veil__transport_t *veil__tls_client_new(veil__tls_upctx_t *ctx, const veil__upsettings_t *c,
                                        const char *name, veil__outq_t *q)
{
    const char *host = c->tls_server_name[0] != '\0' ? c->tls_server_name : c->host;
    int ip = is_ip_literal(host);
    SSL_SESSION *sess;
    tls_t *s = tls_new(veil__tls_upctx_ssl_ctx(ctx), q);

    if (s == NULL) {
        return NULL;
    }
    s->name = name;
    SSL_set_connect_state(s->ssl);
    /* SNI names a host; RFC 6066 does not allow an address there. */
    if (!ip && SSL_set_tlsext_host_name(s->ssl, host) != 1) {
        goto fail;
    }
    if (SSL_get_verify_mode(s->ssl) != SSL_VERIFY_NONE) {
        if (ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s->ssl), host) != 1
               : SSL_set1_host(s->ssl, host) != 1) {
            goto fail;
        }
        SSL_set_hostflags(s->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    }
    /* Resumption: the upstream's newest session, if any. A server that
       no longer knows it answers with a full handshake. */
    sess = veil__tls_upctx_session(ctx);
    if (sess != NULL) {
        (void)SSL_set_session(s->ssl, sess);
        SSL_SESSION_free(sess);
    }
    return &s->base;
fail:
    tls_free(&s->base);
    ERR_clear_error();
    return NULL;
}


veil__transport_t *veil__tls_server_new(veil__tls_srv_t *srv, veil__outq_t *q,
                                        veil_stats_shard_t *shard)
{
    tls_t *s = tls_new(veil__tls_srv_ssl_ctx(srv), q);

    if (s == NULL) {
        return NULL;
    }
    s->srv = veil__tls_srv_ref(srv);
    s->shard = shard;
    s->alert_sent = s->alert_read = -1;
    SSL_set_app_data(s->ssl, s);
    SSL_set_info_callback(s->ssl, info_cb);
    SSL_set_accept_state(s->ssl);
    return &s->base;
}


const veil__tls_info_t *veil__tls_info(const veil__transport_t *t)
{
    if (t == NULL || t->type != &tls_type || !t->hs_done) {
        return NULL;
    }
    return ((const tls_t *)t)->srv != NULL ? &((const tls_t *)t)->info : NULL;
}


int veil__tls_resumed(const veil__transport_t *t)
{
    return t != NULL && t->type == &tls_type && SSL_session_reused(((const tls_t *)t)->ssl);
}
