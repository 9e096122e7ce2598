/*
 * Client certificates (include/veil/client_cert.h): the names a TLS
 * listener takes from a verified client certificate and its client_sans
 * check, shared by the listener (proxy/net/tls.c, tls_ctx.c) and veil
 * test; and, for veil test only, reading a certificate file and verifying
 * it as a listener's handshake would.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "config_int.h"
#include "veil/client_cert.h"


/* Calls <fn> on each SAN of <x> that names a client as text (DNS, email,
   URI, and an IP address in its usual text form, as client_sans give
   it), until it returns non-zero; returns that. */
static int san_each(X509 *x, int (*fn)(void *ud, const char *v, size_t len, int dns), void *ud)
{
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    int rc = 0;

    for (int i = 0; gens != NULL && rc == 0 && i < sk_GENERAL_NAME_num(gens); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        char ip[64] = "";
        const char *v = NULL;
        int vl = 0;

        switch (g->type) {
        case GEN_DNS:
        case GEN_EMAIL:
        case GEN_URI:
            v = (const char *)ASN1_STRING_get0_data(g->d.ia5);
            vl = ASN1_STRING_length(g->d.ia5);
            break;
        case GEN_IPADD:
            if ((g->d.ip->length == 4 && inet_ntop(AF_INET, g->d.ip->data, ip, sizeof(ip))) ||
                (g->d.ip->length == 16 && inet_ntop(AF_INET6, g->d.ip->data, ip, sizeof(ip)))) {
                v = ip;
                vl = (int)strlen(ip);
            }
            break;
        default:
            break;
        }
        if (v != NULL && vl > 0) {
            rc = fn(ud, v, (size_t)vl, g->type == GEN_DNS);
        }
    }
    GENERAL_NAMES_free(gens);
    return rc;
}


int veil_client_cert_add_san(veil_client_cert_t *cc, const char *name, size_t len, int dns)
{
    size_t used = 0;

    if (cc->nsans > 0) {
        const veil_client_name_t *last = &cc->sans[cc->nsans - 1];
        used = (size_t)(last->name - cc->san_text) + strlen(last->name) + 1;
    }
    if (cc->nsans == VEIL_CLIENT_MAX_SANS || len == 0 || memchr(name, '\0', len) != NULL ||
        len + 1 > sizeof(cc->san_text) - used) {
        return -1;
    }
    memcpy(cc->san_text + used, name, len);
    cc->san_text[used + len] = '\0';
    cc->sans[cc->nsans].name = cc->san_text + used;
    cc->sans[cc->nsans].dns = dns;
    cc->nsans++;
    return 0;
}


static int take_one(void *ud, const char *v, size_t len, int dns)
{
    veil_client_cert_t *cc = ud;

    (void)veil_client_cert_add_san(cc, v, len, dns);
    return cc->nsans == VEIL_CLIENT_MAX_SANS; /* full: stop */
}


/* A distinguished name in RFC 2253 form into <out>; 1 when it did not
   fit (then cut), or could not be written at all. */
static int name_text(const X509_NAME *name, char *out, size_t len)
{
    BIO *b = BIO_new(BIO_s_mem());
    int n, cut;

    out[0] = '\0';
    if (b == NULL) {
        return 1;
    }
    X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253);
    n = BIO_read(b, out, (int)len - 1);
    out[n > 0 ? n : 0] = '\0';
    cut = BIO_ctrl_pending(b) > 0;
    BIO_free(b);
    return cut;
}


void veil_client_cert_take(veil_client_cert_t *cc, X509 *x)
{
    cc->verified = 1;
    cc->subject_cut = name_text(X509_get_subject_name(x), cc->subject, sizeof(cc->subject));
    (void)name_text(X509_get_issuer_name(x), cc->issuer, sizeof(cc->issuer));
    cc->nsans = 0;
    (void)san_each(x, take_one, cc);
    ERR_clear_error();
}


int veil_client_name_listed(const char *const *list, size_t n, const char *name, size_t len,
                            int dns)
{
    for (size_t k = 0; k < n; k++) {
        if (strlen(list[k]) == len &&
            (dns ? strncasecmp(list[k], name, len) == 0 : memcmp(list[k], name, len) == 0)) {
            return (int)k;
        }
    }
    return -1;
}


typedef struct {
    const char *const *allow;
    size_t nallow;
    int found;
} allow_t;

static int allow_one(void *ud, const char *v, size_t len, int dns)
{
    allow_t *a = ud;

    /* A name with a NUL in it could equal a shorter entry: never one. */
    if (memchr(v, '\0', len) == NULL) {
        a->found = veil_client_name_listed(a->allow, a->nallow, v, len, dns);
    }
    return a->found >= 0;
}


static int allowed_result(const allow_t *a, char *out, size_t len)
{
    if (a->found >= 0 && out != NULL) {
        snprintf(out, len, "%s", a->allow[a->found]);
    }
    return a->found >= 0;
}


int veil_client_cert_allowed(X509 *x, const char *const *allow, size_t nallow, char *out,
                             size_t len)
{
    allow_t a = {allow, nallow, -1};

    if (nallow == 0) {
        return 1;
    }
    (void)san_each(x, allow_one, &a);
    ERR_clear_error();
    return allowed_result(&a, out, len);
}


int veil_client_names_allowed(const veil_client_cert_t *cc, const char *const *allow, size_t nallow,
                              char *out, size_t len)
{
    allow_t a = {allow, nallow, -1};

    if (nallow == 0) {
        return 1;
    }
    for (size_t i = 0; i < cc->nsans && a.found < 0; i++) {
        (void)allow_one(&a, cc->sans[i].name, strlen(cc->sans[i].name), cc->sans[i].dns);
    }
    return allowed_result(&a, out, len);
}


void veil_client_cert_route(const veil_client_cert_t *cc, veil_route_request_t *q)
{
    if (cc == NULL || !cc->verified) {
        return;
    }
    q->client_verified = 1;
    q->client_subject = cc->subject_cut ? NULL : cc->subject;
    q->client_sans = cc->sans;
    q->nclient_sans = cc->nsans;
}


/* ---- veil test: a certificate file, verified as a handshake would ---- */

int veil__client_cert_read(const char *path, X509 **leaf, STACK_OF(X509) * *chain, char *err,
                           size_t len)
{
    BIO *b = BIO_new_file(path, "r");
    X509 *x;

    *leaf = NULL;
    *chain = NULL;
    if (b == NULL) {
        snprintf(err, len, "%s: cannot open: %s", path, strerror(errno));
        ERR_clear_error();
        return -1;
    }
    /* Other PEM blocks (a private key kept in the same file) are
       skipped: only certificates are read, the leaf first. */
    *leaf = PEM_read_bio_X509(b, NULL, NULL, NULL);
    if (*leaf == NULL) {
        snprintf(err, len, "%s: no PEM certificate in it", path);
        goto fail;
    }
    *chain = sk_X509_new_null();
    while (*chain != NULL && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        if (sk_X509_push(*chain, x) <= 0) {
            X509_free(x);
            break;
        }
    }
    if (*chain == NULL) {
        snprintf(err, len, "%s: out of memory", path);
        goto fail;
    }
    BIO_free(b);
    ERR_clear_error();
    return 0;
fail:
    BIO_free(b);
    X509_free(*leaf);
    *leaf = NULL;
    ERR_clear_error();
    return -1;
}


/* The context a listener verifies client certificates on, as
   proxy/net/tls_ctx.c sets up its own (the CA file, the depth); NULL
   with the reason in <err>. */
static SSL_CTX *verify_ctx(const char *ca_file, char *err, size_t len)
{
    FILE *f = fopen(ca_file, "r");
    SSL_CTX *ctx;

    /* OpenSSL says "system lib" of a file that is not there. */
    if (f == NULL) {
        snprintf(err, len, "%s: cannot open: %s", ca_file, strerror(errno));
        return NULL;
    }
    fclose(f);
    ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) {
        snprintf(err, len, "cannot create a TLS context");
        return NULL;
    }
    if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
        unsigned long e = ERR_peek_last_error();
        const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;

        snprintf(err, len, "%s: cannot load: %s", ca_file, r != NULL ? r : "no certificate");
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_verify_depth(ctx, VEIL_CLIENT_VERIFY_DEPTH);
    return ctx;
}


int veil__client_cert_verify(const char *ca_file, X509 *leaf, STACK_OF(X509) * chain, char *why,
                             size_t len)
{
    SSL_CTX *ctx = verify_ctx(ca_file, why, len);
    X509_STORE_CTX *xs = NULL;
    STACK_OF(X509) *peer = NULL;
    int rc = -1;

    if (ctx == NULL) {
        goto done;
    }
    xs = X509_STORE_CTX_new();
    peer = sk_X509_dup(chain);
    if (xs == NULL || peer == NULL || sk_X509_unshift(peer, leaf) <= 0 ||
        X509_STORE_CTX_init(xs, SSL_CTX_get_cert_store(ctx), leaf, peer) != 1) {
        snprintf(why, len, "out of memory");
        goto done;
    }
    /* As libssl verifies a client's chain on a server: the whole chain
       the client sent as untrusted, the context's security level, the
       "ssl_client" purpose, then the context's parameters (depth). */
    X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(xs),
                                     SSL_CTX_get_security_level(ctx));
    X509_STORE_CTX_set_default(xs, "ssl_client");
    X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(xs), SSL_CTX_get0_param(ctx));
    if (X509_verify_cert(xs) == 1) {
        rc = 1;
    } else {
        snprintf(why, len, "%s", X509_verify_cert_error_string(X509_STORE_CTX_get_error(xs)));
        rc = 0;
    }
done:
    X509_STORE_CTX_free(xs);
    sk_X509_free(peer);
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return rc;
}
