/*
 * TLS contexts: what the sessions of tls.c are made from.
 *
 * Upstreams (the client role), as nginx's proxy_ssl_* or Envoy's upstream
 * TLS: one SSL_CTX per https upstream: TLS 1.2 at least, the system CA
 * store or the config's ca_file, the peer's certificate and host name
 * verified unless the config says `verify: false`, a client certificate
 * when the config gives one (mTLS), and the last session the upstream
 * gave kept for the next connection (resumption).
 *
 * Listeners (the server role): one SSL_CTX per configured certificate,
 * all set up alike; the first one's servername callback moves a session
 * to the certificate whose names match the client's SNI. ALPN chooses
 * http/1.1 (a client offering only other protocols is refused, RFC 7301
 * section 3.2); session tickets are sealed with a process-wide key that
 * rotates (the previous one still opens tickets, which are then renewed);
 * an OCSP response read from a file is stapled when asked for; client
 * certificates are asked for, verified and checked against the allowed
 * names as client_auth says.
 *
 * A listener's contexts are built at start and again at each reload or
 * change of one of its files (server.c), into a new veil__tls_srv_t; a
 * session keeps a reference to the one it began with, so a swap never
 * pulls a context from under a handshake.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "proxy_int.h"
#include "veil/secret_file.h"

/* How long a ticket key seals new tickets; it opens them for as long
   again, so a ticket lives at most twice this. */
#define TICKET_ROTATE_S (12 * 3600)
/* Largest OCSP response file read. */
#define OCSP_MAX (64 * 1024)


/* OpenSSL's reason for the last error, or <dflt>. Certificates and
   protocol only: never traffic. */
static const char *ssl_reason(const char *dflt)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;

    return r != NULL ? r : dflt;
}


/* Largest private key file read (an RSA 16384 key is under 13 KiB). */
#define KEY_MAX (64 * 1024)


/* No passphrase prompts: an encrypted key does not load. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}


/*
 * The PEM private key in <path> into <ctx>, read as a secret file
 * (include/veil/secret_file.h: owned by veil's user and 0600, or by root
 * and 0640), then checked against the certificate. 0, or -1 with "PATH:
 * REASON" in <err>. The key's bytes are wiped after use.
 */
static int load_key(SSL_CTX *ctx, const char *path, char *err, size_t errlen)
{
    unsigned char *buf = OPENSSL_malloc(KEY_MAX + 1);
    size_t len = 0;
    EVP_PKEY *pk = NULL;
    BIO *b;
    int rc = -1;

    if (buf == NULL) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    if (veil_secret_read(path, buf, KEY_MAX + 1, &len, err, errlen) != 0) {
        OPENSSL_clear_free(buf, KEY_MAX + 1);
        return -1;
    }
    b = BIO_new_mem_buf(buf, (int)len);
    if (b != NULL) {
        pk = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
        BIO_free(b);
    }
    if (pk == NULL) {
        snprintf(err, errlen, "%s: %s", path, ssl_reason("not a PEM private key"));
    } else if (SSL_CTX_use_PrivateKey(ctx, pk) != 1) {
        snprintf(err, errlen, "%s: %s", path, ssl_reason("cannot load"));
    } else if (SSL_CTX_check_private_key(ctx) != 1) {
        snprintf(err, errlen, "%s: %s", path, ssl_reason("does not match the certificate"));
    } else {
        rc = 0;
    }
    EVP_PKEY_free(pk);
    OPENSSL_clear_free(buf, KEY_MAX + 1);
    ERR_clear_error();
    return rc;
}


/* ---- upstreams ---- */

struct veil__tls_upctx {
    SSL_CTX *ctx;
    pthread_mutex_t lock;
    SSL_SESSION *last; /* the newest session the upstream gave */
};

static int upctx_index = -1;
static pthread_once_t index_once = PTHREAD_ONCE_INIT;
static int srv_index = -1;

static void make_indexes(void)
{
    upctx_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    srv_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}


/* A session (a TLS 1.3 ticket, or a 1.2 session) to resume with. */
static int upctx_new_session(SSL *ssl, SSL_SESSION *sess)
{
    veil__tls_upctx_t *u = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), upctx_index);

    SSL_SESSION *copy;

    if (u == NULL || !SSL_SESSION_is_resumable(sess)) {
        return 0;
    }
    /* A copy: OpenSSL marks the connection's own session as not
       resumable when the connection ends without a close_notify sent,
       which is how most upstream connections end (the peer closes). */
    copy = SSL_SESSION_dup(sess);
    if (copy == NULL) {
        ERR_clear_error();
        return 0;
    }
    pthread_mutex_lock(&u->lock);
    SSL_SESSION_free(u->last);
    u->last = copy;
    pthread_mutex_unlock(&u->lock);
    return 0; /* the callback's reference stays OpenSSL's */
}


veil__tls_upctx_t *veil__tls_upctx_new(const veil__upsettings_t *c, const char *name)
{
    veil__tls_upctx_t *u;
    SSL_CTX *ctx;
    int ok;

    pthread_once(&index_once, make_indexes);
    u = calloc(1, sizeof(*u));
    ctx = SSL_CTX_new(TLS_client_method());
    if (u == NULL || ctx == NULL) {
        fprintf(stderr, "veil: upstream %s: cannot create a TLS context\n", name);
        free(u);
        SSL_CTX_free(ctx);
        ERR_clear_error();
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    /* No renegotiation, no compression: neither is needed to talk to an
       API, both have had attacks. */
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    if (c->tls_ca_file[0] != '\0') {
        ok = SSL_CTX_load_verify_locations(ctx, c->tls_ca_file, NULL);
    } else {
        ok = SSL_CTX_set_default_verify_paths(ctx);
    }
    if (ok != 1) {
        fprintf(stderr, "veil: upstream %s: cannot load the CA %s%s\n", name,
                c->tls_ca_file[0] != '\0' ? "file " : "store", c->tls_ca_file);
        goto fail;
    }
    if (c->tls_cert_file[0] != '\0') {
        if (SSL_CTX_use_certificate_chain_file(ctx, c->tls_cert_file) != 1) {
            fprintf(stderr, "veil: upstream %s: tls.cert_file %s: %s\n", name, c->tls_cert_file,
                    ssl_reason("cannot load"));
            goto fail;
        }
        char why[1200];

        if (load_key(ctx, c->tls_key_file, why, sizeof(why)) != 0) {
            fprintf(stderr, "veil: upstream %s: tls.key_file %s\n", name, why);
            goto fail;
        }
    }
    SSL_CTX_set_verify(ctx, c->tls_verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
    if (!c->tls_verify) {
        fprintf(stderr,
                "veil: upstream %s: tls verify is off: the upstream "
                "is not authenticated (unsafe)\n",
                name);
    }
    /* Resumption: OpenSSL hands each new session to the callback; no
       internal cache (the callback keeps the newest). */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, upctx_new_session);
    pthread_mutex_init(&u->lock, NULL);
    u->ctx = ctx;
    SSL_CTX_set_ex_data(ctx, upctx_index, u);
    return u;
fail:
    SSL_CTX_free(ctx);
    free(u);
    ERR_clear_error();
    return NULL;
}


void veil__tls_upctx_free(veil__tls_upctx_t *u)
{
    if (u != NULL) {
        SSL_CTX_free(u->ctx);
        SSL_SESSION_free(u->last);
        pthread_mutex_destroy(&u->lock);
        free(u);
    }
}


SSL_CTX *veil__tls_upctx_ssl_ctx(veil__tls_upctx_t *u)
{
    return u->ctx;
}


SSL_SESSION *veil__tls_upctx_session(veil__tls_upctx_t *u)
{
    SSL_SESSION *s;

    pthread_mutex_lock(&u->lock);
    s = u->last;
    if (s != NULL) {
        SSL_SESSION_up_ref(s);
    }
    pthread_mutex_unlock(&u->lock);
    return s;
}


/* ---- session ticket keys (listeners) ---- */

typedef struct ticket_key {
    unsigned char name[16];
    unsigned char aes[32];
    unsigned char hmac[32];
    time_t born;
} ticket_key_t;

static struct {
    pthread_mutex_t lock;
    ticket_key_t cur, prev; /* prev.born 0: none */
} tickets = {PTHREAD_MUTEX_INITIALIZER, {{0}, {0}, {0}, 0}, {{0}, {0}, {0}, 0}};


/* The key sealing new tickets, rotated when it is too old (under the
   lock). 0, or -1 when no random bytes could be had. */
static int ticket_rotate(time_t now)
{
    ticket_key_t k;

    if (tickets.cur.born != 0 && now - tickets.cur.born < TICKET_ROTATE_S) {
        return 0;
    }
    if (RAND_bytes(k.name, sizeof(k.name)) != 1 || RAND_bytes(k.aes, sizeof(k.aes)) != 1 ||
        RAND_bytes(k.hmac, sizeof(k.hmac)) != 1) {
        return -1;
    }
    k.born = now;
    OPENSSL_cleanse(&tickets.prev, sizeof(tickets.prev));
    tickets.prev = tickets.cur;
    tickets.cur = k;
    OPENSSL_cleanse(&k, sizeof(k));
    return 0;
}


static int ticket_cb(SSL *ssl, unsigned char key_name[16], unsigned char *iv, EVP_CIPHER_CTX *cctx,
                     EVP_MAC_CTX *hctx, int enc)
{
    const ticket_key_t *k = NULL;
    OSSL_PARAM params[3];
    int rc = 1;

    (void)ssl;
    pthread_mutex_lock(&tickets.lock);
    if (ticket_rotate(time(NULL)) != 0) {
        rc = enc ? -1 : 0;
        goto out;
    }
    if (enc) {
        k = &tickets.cur;
        if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1) {
            rc = -1;
            goto out;
        }
        memcpy(key_name, k->name, 16);
        if (EVP_EncryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, k->aes, iv) != 1) {
            rc = -1;
            goto out;
        }
    } else {
        if (memcmp(key_name, tickets.cur.name, 16) == 0) {
            k = &tickets.cur;
        } else if (tickets.prev.born != 0 && memcmp(key_name, tickets.prev.name, 16) == 0 &&
                   time(NULL) - tickets.prev.born < 2 * TICKET_ROTATE_S) {
            k = &tickets.prev;
            rc = 2; /* good, but sealed with the old key: a new ticket */
        } else {
            rc = 0; /* unknown or expired: a full handshake */
            goto out;
        }
        if (EVP_DecryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, k->aes, iv) != 1) {
            rc = -1;
            goto out;
        }
    }
    params[0] =
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, (void *)k->hmac, sizeof(k->hmac));
    params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0);
    params[2] = OSSL_PARAM_construct_end();
    if (EVP_MAC_CTX_set_params(hctx, params) != 1) {
        rc = -1;
    }
out:
    pthread_mutex_unlock(&tickets.lock);
    return rc;
}


void veil__tls_tickets_rotate_now(void)
{
    pthread_mutex_lock(&tickets.lock);
    tickets.cur.born = 0;
    (void)ticket_rotate(time(NULL));
    pthread_mutex_unlock(&tickets.lock);
}


/* ---- listeners ---- */

typedef struct srv_cert {
    SSL_CTX *ctx;
    unsigned char *ocsp; /* DER, or NULL */
    long ocsp_len;
} srv_cert_t;

struct veil__tls_srv {
    _Atomic unsigned refs;
    unsigned n;
    char **sans; /* client_sans, copied */
    size_t nsans;
    srv_cert_t cert[];
};


static int alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                   const unsigned char *in, unsigned inlen, void *arg)
{
    static const unsigned char h1[] = "\x08http/1.1";
    unsigned char *sel = NULL;

    (void)ssl;
    (void)arg;
    if (SSL_select_next_proto(&sel, outlen, h1, sizeof(h1) - 1, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED) {
        /* The client speaks only protocols veil does not (h2 alone). */
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = sel;
    return SSL_TLSEXT_ERR_OK;
}


static int status_cb(SSL *ssl, void *arg)
{
    const srv_cert_t *c = arg;
    unsigned char *copy;

    if (c == NULL || c->ocsp == NULL) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    /* The session frees what it is given. */
    copy = OPENSSL_memdup(c->ocsp, (size_t)c->ocsp_len);
    if (copy == NULL || SSL_set_tlsext_status_ocsp_resp(ssl, copy, c->ocsp_len) != 1) {
        OPENSSL_free(copy);
        return SSL_TLSEXT_ERR_NOACK;
    }
    return SSL_TLSEXT_ERR_OK;
}


/* SNI: the first certificate (in the config's order) whose names match. */
static int servername_cb(SSL *ssl, int *alert, void *arg)
{
    const veil__tls_srv_t *s = arg;
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);

    (void)alert;
    if (name == NULL || s->n < 2) {
        return SSL_TLSEXT_ERR_OK;
    }
    for (unsigned i = 0; i < s->n; i++) {
        X509 *x = SSL_CTX_get0_certificate(s->cert[i].ctx);

        if (x != NULL && X509_check_host(x, name, 0, 0, NULL) == 1) {
            if (i > 0) {
                SSL_set_SSL_CTX(ssl, s->cert[i].ctx);
            }
            return SSL_TLSEXT_ERR_OK;
        }
    }
    return SSL_TLSEXT_ERR_OK; /* the default certificate */
}


int veil__tls_srv_san_match(const veil__tls_srv_t *s, X509 *x, char *out, size_t len)
{
    /* Shared with veil test, which checks a case's certificate so. */
    return veil_client_cert_allowed(x, (const char *const *)s->sans, s->nsans, out, len);
}


/* Client certificates: OpenSSL's chain check, then the allowed names on
   the leaf. A name that is not allowed fails the handshake. */
static int verify_cb(int ok, X509_STORE_CTX *st)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(st, SSL_get_ex_data_X509_STORE_CTX_idx());
    const veil__tls_srv_t *s;

    if (!ok || X509_STORE_CTX_get_error_depth(st) != 0 || ssl == NULL) {
        return ok;
    }
    s = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), srv_index);
    if (s != NULL && !veil__tls_srv_san_match(s, X509_STORE_CTX_get_current_cert(st), NULL, 0)) {
        X509_STORE_CTX_set_error(st, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    return ok;
}


/* Reads a whole small file; NULL after a reason in <err>. */
static unsigned char *read_file(const char *path, long *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    size_t n;

    if (f == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    buf = OPENSSL_malloc(OCSP_MAX);
    n = buf != NULL ? fread(buf, 1, OCSP_MAX, f) : 0;
    fclose(f);
    if (buf == NULL || n == 0 || n == OCSP_MAX) {
        snprintf(err, errlen, "%s: %s", path,
                 buf == NULL ? "out of memory"
                 : n == 0    ? "empty"
                             : "too large");
        OPENSSL_free(buf);
        return NULL;
    }
    *len = (long)n;
    return buf;
}


/*
 * An OCSP response is stapled as it is, so a wrong one would make clients
 * that check it refuse the handshake: it must be a successful response
 * and, when the chain file holds the issuer (needed to name the
 * certificate as OCSP does), must answer for this certificate. Whether
 * it is still fresh is the client's to judge, as with any staple. 0, or
 * -1 with the reason in <err>.
 */
static int ocsp_check(SSL_CTX *ctx, OCSP_RESPONSE *r, const char *path, char *err, size_t errlen)
{
    X509 *leaf = SSL_CTX_get0_certificate(ctx), *issuer = NULL;
    STACK_OF(X509) *chain = NULL;
    OCSP_BASICRESP *br;
    OCSP_CERTID *id;
    int found;

    if (OCSP_response_status(r) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        snprintf(err, errlen, "%s: the OCSP response says %s", path,
                 OCSP_response_status_str(OCSP_response_status(r)));
        return -1;
    }
    br = OCSP_response_get1_basic(r);
    if (br == NULL) {
        snprintf(err, errlen, "%s: not a basic OCSP response", path);
        return -1;
    }
    (void)SSL_CTX_get0_chain_certs(ctx, &chain);
    for (int i = 0; leaf != NULL && i < sk_X509_num(chain) && issuer == NULL; i++) {
        if (X509_check_issued(sk_X509_value(chain, i), leaf) == X509_V_OK) {
            issuer = sk_X509_value(chain, i);
        }
    }
    if (issuer == NULL) {
        OCSP_BASICRESP_free(br);
        return 0; /* the issuer is not in the file: cannot tell */
    }
    /* Each answer names its certificate with a digest of its choice. */
    found = 0;
    for (int i = 0; !found && i < OCSP_resp_count(br); i++) {
        const OCSP_CERTID *cid = OCSP_SINGLERESP_get0_id(OCSP_resp_get0(br, i));
        ASN1_OBJECT *alg = NULL;
        const EVP_MD *md;

        if (OCSP_id_get0_info(NULL, &alg, NULL, NULL, (OCSP_CERTID *)cid) != 1 ||
            (md = EVP_get_digestbyobj(alg)) == NULL) {
            continue;
        }
        id = OCSP_cert_to_id(md, leaf, issuer);
        found = id != NULL && OCSP_id_cmp(id, cid) == 0;
        OCSP_CERTID_free(id);
    }
    OCSP_BASICRESP_free(br);
    ERR_clear_error();
    if (!found) {
        snprintf(err, errlen, "%s: the OCSP response is not for the certificate", path);
        return -1;
    }
    return 0;
}


/* One certificate's context, set up as every other of the listener. */
static SSL_CTX *srv_ctx_new(const veil_listener_tls_t *lt, const veil_tls_certificate_t *tc,
                            veil__tls_srv_t *s, srv_cert_t *sc, char *err, size_t errlen)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    static const unsigned char sid_ctx[] = "veil";

    if (ctx == NULL) {
        snprintf(err, errlen, "cannot create a TLS context: %s", ssl_reason("no memory"));
        return NULL;
    }
    SSL_CTX_set_ex_data(ctx, srv_index, s);
    SSL_CTX_set_min_proto_version(ctx, lt->min_version == 13 ? TLS1_3_VERSION : TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE);
    /* TLS 1.2: forward-secret AEAD suites only. */
    SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20");
    if (SSL_CTX_use_certificate_chain_file(ctx, tc->cert_file) != 1) {
        snprintf(err, errlen, "%s: %s", tc->cert_file, ssl_reason("cannot load"));
        goto fail;
    }
    if (load_key(ctx, tc->key_file, err, errlen) != 0) {
        goto fail;
    }
    if (tc->ocsp_file != NULL) {
        const unsigned char *p;
        OCSP_RESPONSE *r;

        sc->ocsp = read_file(tc->ocsp_file, &sc->ocsp_len, err, errlen);
        if (sc->ocsp == NULL) {
            goto fail;
        }
        p = sc->ocsp;
        r = d2i_OCSP_RESPONSE(NULL, &p, sc->ocsp_len);
        if (r == NULL) {
            snprintf(err, errlen, "%s: %s", tc->ocsp_file, "not a DER OCSP response");
            goto fail;
        }
        if (ocsp_check(ctx, r, tc->ocsp_file, err, errlen) != 0) {
            OCSP_RESPONSE_free(r);
            goto fail;
        }
        OCSP_RESPONSE_free(r);
    }
    SSL_CTX_set_tlsext_status_cb(ctx, status_cb);
    SSL_CTX_set_tlsext_status_arg(ctx, sc);
    SSL_CTX_set_alpn_select_cb(ctx, alpn_cb, NULL);
    SSL_CTX_set_tlsext_servername_callback(ctx, servername_cb);
    SSL_CTX_set_tlsext_servername_arg(ctx, s);
    /* Resumption by tickets only: no server-side session cache to share
       between workers or to keep across reloads. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof(sid_ctx) - 1);
    SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_cb);
    SSL_CTX_set_timeout(ctx, 2 * TICKET_ROTATE_S);
    SSL_CTX_set_num_tickets(ctx, 1);
    if (lt->client_auth != VEIL_CLIENT_AUTH_NONE) {
        STACK_OF(X509_NAME) * names;

        if (SSL_CTX_load_verify_locations(ctx, lt->client_ca_file, NULL) != 1) {
            snprintf(err, errlen, "%s: %s", lt->client_ca_file, ssl_reason("cannot load"));
            goto fail;
        }
        names = SSL_load_client_CA_file(lt->client_ca_file);
        if (names != NULL) {
            SSL_CTX_set_client_CA_list(ctx, names);
        }
        SSL_CTX_set_verify(ctx,
                           SSL_VERIFY_PEER | (lt->client_auth == VEIL_CLIENT_AUTH_REQUIRED
                                                  ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT
                                                  : 0),
                           verify_cb);
        SSL_CTX_set_verify_depth(ctx, VEIL_CLIENT_VERIFY_DEPTH);
    }
    ERR_clear_error();
    return ctx;
fail:
    SSL_CTX_free(ctx);
    OPENSSL_free(sc->ocsp);
    sc->ocsp = NULL;
    ERR_clear_error();
    return NULL;
}


veil__tls_srv_t *veil__tls_srv_new(const veil_listener_tls_t *lt, char *err, size_t errlen)
{
    veil__tls_srv_t *s;

    pthread_once(&index_once, make_indexes);
    pthread_mutex_lock(&tickets.lock);
    (void)ticket_rotate(time(NULL));
    pthread_mutex_unlock(&tickets.lock);
    s = calloc(1, sizeof(*s) + lt->ncertificates * sizeof(s->cert[0]));
    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    atomic_init(&s->refs, 1);
    if (lt->nclient_sans > 0) {
        s->sans = calloc(lt->nclient_sans, sizeof(*s->sans));
        if (s->sans == NULL) {
            snprintf(err, errlen, "out of memory");
            veil__tls_srv_unref(s);
            return NULL;
        }
        for (size_t i = 0; i < lt->nclient_sans; i++) {
            if ((s->sans[i] = strdup(lt->client_sans[i])) == NULL) {
                snprintf(err, errlen, "out of memory");
                veil__tls_srv_unref(s);
                return NULL;
            }
            s->nsans++;
        }
    }
    for (size_t i = 0; i < lt->ncertificates; i++) {
        s->cert[i].ctx = srv_ctx_new(lt, &lt->certificates[i], s, &s->cert[i], err, errlen);
        if (s->cert[i].ctx == NULL) {
            veil__tls_srv_unref(s);
            return NULL;
        }
        s->n++;
    }
    return s;
}


veil__tls_srv_t *veil__tls_srv_ref(veil__tls_srv_t *s)
{
    atomic_fetch_add(&s->refs, 1);
    return s;
}


void veil__tls_srv_unref(veil__tls_srv_t *s)
{
    if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1) {
        return;
    }
    for (size_t i = 0; i < s->n; i++) {
        SSL_CTX_free(s->cert[i].ctx);
        OPENSSL_free(s->cert[i].ocsp);
    }
    for (size_t i = 0; i < s->nsans; i++) {
        free(s->sans[i]);
    }
    free(s->sans);
    free(s);
}


SSL_CTX *veil__tls_srv_ssl_ctx(veil__tls_srv_t *s)
{
    return s->cert[0].ctx;
}


void veil__tls_listeners_init(veil__tls_listeners_t *t)
{
    memset(t, 0, sizeof(*t));
    pthread_mutex_init(&t->lock, NULL);
}


void veil__tls_listeners_dispose(veil__tls_listeners_t *t)
{
    for (unsigned k = 0; k < VEIL_MAX_LISTENERS; k++) {
        veil__tls_srv_unref(t->srv[k]);
        t->srv[k] = NULL;
    }
    pthread_mutex_destroy(&t->lock);
}


veil__tls_srv_t *veil__tls_listeners_get(veil__tls_listeners_t *t, unsigned k)
{
    veil__tls_srv_t *s;

    if (k >= VEIL_MAX_LISTENERS) {
        return NULL;
    }
    pthread_mutex_lock(&t->lock);
    s = t->srv[k] != NULL ? veil__tls_srv_ref(t->srv[k]) : NULL;
    pthread_mutex_unlock(&t->lock);
    return s;
}


void veil__tls_listeners_set(veil__tls_listeners_t *t, unsigned k, veil__tls_srv_t *s)
{
    veil__tls_srv_t *old;

    pthread_mutex_lock(&t->lock);
    old = t->srv[k];
    t->srv[k] = s;
    pthread_mutex_unlock(&t->lock);
    veil__tls_srv_unref(old);
}
