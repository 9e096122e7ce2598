/*
 * Client-side TLS to https upstreams, as nginx's proxy_ssl_* or Envoy's
 * upstream TLS: one SSL_CTX per upstream (TLS 1.2 at least, the system
 * CA store or the config's ca_file, the peer's certificate and host name
 * verified unless the config says `verify: false`), one session per
 * connection, kept with it in the pool.
 *
 * OpenSSL never touches the socket: the session reads from and writes to
 * memory BIOs. upstream.c feeds the ciphertext libuv read into the read
 * BIO and takes plaintext out with SSL_read; outq.c hands plaintext to
 * SSL_write, and the write BIO's records go out through the queue as
 * any bytes do. So backpressure, timers and the pool work as for plain
 * TCP, counted in ciphertext bytes.
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

struct veil__tls {
    SSL *ssl;
    BIO *rb;                 /* ciphertext from the upstream */
    BIO *wb;                 /* ciphertext to the upstream */
};


void *veil__tls_ctx_new(const veil__upsettings_t *c, const char *name)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    int ok;

    if (ctx == NULL) {
        fprintf(stderr, "veil: upstream %s: cannot create a TLS context\n",
                name);
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    /* No renegotiation, no compression: neither is needed to talk to an
       API, both have had attacks. */
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    if (c->tls_ca_file[0] != '\0') {
        ok = SSL_CTX_load_verify_locations(ctx, c->tls_ca_file,
                                           NULL);
    } else {
        ok = SSL_CTX_set_default_verify_paths(ctx);
    }
    if (ok != 1) {
        fprintf(stderr, "veil: upstream %s: cannot load the CA %s%s\n", name,
                c->tls_ca_file[0] != '\0' ? "file " : "store",
                c->tls_ca_file);
        SSL_CTX_free(ctx);
        ERR_clear_error();
        return NULL;
    }
    SSL_CTX_set_verify(ctx, c->tls_verify ? SSL_VERIFY_PEER
                                                   : SSL_VERIFY_NONE, NULL);
    if (!c->tls_verify) {
        fprintf(stderr, "veil: upstream %s: tls verify is off: the upstream "
                        "is not authenticated (unsafe)\n", name);
    }
    return ctx;
}


void veil__tls_ctx_free(void *ctx)
{
    SSL_CTX_free(ctx);
}


static int is_ip_literal(const char *s)
{
    unsigned char a[16];

    return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}


veil__tls_t *veil__tls_new(void *ctx, const veil__upsettings_t *c)
{
    veil__tls_t *t = calloc(1, sizeof(*t));
    const char *name = c->tls_server_name[0] != '\0'
                           ? c->tls_server_name : c->host;
    int ip = is_ip_literal(name);

    if (t == NULL) {
        return NULL;
    }
    t->ssl = SSL_new(ctx);
    t->rb = BIO_new(BIO_s_mem());
    t->wb = BIO_new(BIO_s_mem());
    if (t->ssl == NULL || t->rb == NULL || t->wb == NULL) {
        SSL_free(t->ssl);
        BIO_free(t->rb);
        BIO_free(t->wb);
        free(t);
        ERR_clear_error();
        return NULL;
    }
    SSL_set_bio(t->ssl, t->rb, t->wb); /* the session owns them now */
    SSL_set_connect_state(t->ssl);
    /* SNI names a host; RFC 6066 does not allow an address there. */
    if (!ip && SSL_set_tlsext_host_name(t->ssl, name) != 1) {
        goto fail_ssl;
    }
    if (SSL_get_verify_mode(t->ssl) != SSL_VERIFY_NONE) {
        if (ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), name)
                     != 1
               : SSL_set1_host(t->ssl, name) != 1) {
            goto fail_ssl;
        }
        SSL_set_hostflags(t->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    }
    return t;
fail_ssl:
    SSL_free(t->ssl);
    free(t);
    ERR_clear_error();
    return NULL;
}


void veil__tls_free(veil__tls_t *t)
{
    if (t != NULL) {
        SSL_free(t->ssl);
        free(t);
    }
}


int veil__tls_feed(veil__tls_t *t, const char *p, size_t n)
{
    return BIO_write(t->rb, p, (int)n) == (int)n ? 0 : -1;
}


/* Sends the records the session produced. */
static int flush_records(veil__tls_t *t, veil__outq_t *q)
{
    char buf[16 * 1024 + 512];
    int n, rc = 0;

    while (rc == 0 && (n = BIO_read(t->wb, buf, (int)sizeof(buf))) > 0) {
        uv_buf_t b = uv_buf_init(buf, (unsigned)n);

        rc = veil__outq_send_raw(q, &b, 1);
    }
    return rc;
}


int veil__tls_handshake(veil__tls_t *t, veil__outq_t *q, const char *name)
{
    int rc = SSL_do_handshake(t->ssl), err;
    long vr;

    if (flush_records(t, q) != 0) {
        return -1;
    }
    if (rc == 1) {
        return 1;
    }
    err = SSL_get_error(t->ssl, rc);
    if (err == SSL_ERROR_WANT_READ) {
        return 0;
    }
    /* The reason is OpenSSL's or the verifier's: about certificates and
       protocol, never about the traffic. */
    vr = SSL_get_verify_result(t->ssl);
    if (vr != X509_V_OK) {
        fprintf(stderr, "veil: upstream %s: TLS verification failed: %s\n",
                name, X509_verify_cert_error_string(vr));
    } else {
        unsigned long e = ERR_peek_last_error();

        fprintf(stderr, "veil: upstream %s: TLS handshake failed: %s\n",
                name, e != 0 ? ERR_reason_error_string(e) : "connection");
    }
    ERR_clear_error();
    return -1;
}


long veil__tls_read(veil__tls_t *t, veil__outq_t *q, char *buf, size_t len)
{
    int n = SSL_read(t->ssl, buf, len > INT_MAX ? INT_MAX : (int)len), err;

    /* Reading may answer the peer (a key update): send it. */
    if (BIO_ctrl_pending(t->wb) > 0 && flush_records(t, q) != 0) {
        return VEIL__TLS_ERR;
    }
    if (n > 0) {
        return n;
    }
    err = SSL_get_error(t->ssl, n);
    if (err == SSL_ERROR_WANT_READ) {
        return VEIL__TLS_MORE;
    }
    ERR_clear_error();
    return err == SSL_ERROR_ZERO_RETURN ? VEIL__TLS_EOF : VEIL__TLS_ERR;
}


int veil__tls_pending(const veil__tls_t *t)
{
    return SSL_pending(t->ssl) > 0 || BIO_ctrl_pending(t->rb) > 0;
}


int veil__tls_send(veil__outq_t *q, const uv_buf_t *bufs, unsigned n)
{
    veil__tls_t *t = q->tls;

    for (unsigned i = 0; i < n; i++) {
        if (bufs[i].len == 0) {
            continue;
        }
        /* A memory BIO never blocks: the whole buffer is taken. */
        if (SSL_write(t->ssl, bufs[i].base, (int)bufs[i].len) !=
            (int)bufs[i].len) {
            ERR_clear_error();
            q->error = UV_EPROTO;
            return UV_EPROTO;
        }
        /* Record by record to the socket, so that the write BIO never
           holds more than one buffer's worth. */
        if (flush_records(t, q) != 0) {
            return q->error != 0 ? q->error : UV_EPROTO;
        }
    }
    return 0;
}


void veil__tls_shutdown(veil__tls_t *t, uv_stream_t *s)
{
    char buf[512];
    int n;

    if (SSL_shutdown(t->ssl) < 0) {
        ERR_clear_error();
        return;
    }
    n = BIO_read(t->wb, buf, (int)sizeof(buf));
    if (n > 0) {
        uv_buf_t b = uv_buf_init(buf, (unsigned)n);

        (void)uv_try_write(s, &b, 1);
    }
}
