/*
 * tests[].request: the client certificate a case's request presents
 * (client_subject and client_sans, or client_cert_file), and what its
 * listener's handshake makes of it, with the listener's own functions
 * (include/veil/client_cert.h): refused (a listener that requires a
 * certificate and got none, a certificate that does not verify against
 * client_ca_file, none of the listener's client_sans), or a verified
 * identity that routes match on as in veil run.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509.h>

#include "schema.h"
#include "veil/client_cert.h"


/* The SAN types a case names, as openssl writes subjectAltName. */
static const struct {
    const char *prefix;
    int dns;
} san_types[] = {{"DNS:", 1}, {"URI:", 0}, {"email:", 0}, {"IP:", 0}};


/* One "TYPE:name" of request.client_sans into <cc>; an IP address in the
   text form a listener writes it in (inet_ntop), as client_sans and
   match.client_sans compare it. 0, or -1 after an error at <at>. */
static int add_san(veil__schema_t *s, const veil__node_t *at, const char *path, const char *v,
                   veil_client_cert_t *cc)
{
    unsigned char ip[16];
    char text[64];
    size_t k, pl;

    for (k = 0; k < COUNT(san_types); k++) {
        pl = strlen(san_types[k].prefix);
        if (strncasecmp(v, san_types[k].prefix, pl) == 0 && v[pl] != '\0') {
            break;
        }
    }
    if (k == COUNT(san_types)) {
        veil__err_at(s->d, at, path,
                     "expected TYPE:NAME, TYPE one of DNS, URI, email, IP "
                     "(as openssl writes subjectAltName)");
        return -1;
    }
    v += pl;
    if (k == 3) {
        int v6 = strchr(v, ':') != NULL;

        if (inet_pton(v6 ? AF_INET6 : AF_INET, v, ip) != 1 ||
            inet_ntop(v6 ? AF_INET6 : AF_INET, ip, text, sizeof(text)) == NULL) {
            veil__err_at(s->d, at, path, "'%s' is not an IP address", v);
            return -1;
        }
        v = text;
    }
    if (veil_client_cert_add_san(cc, v, strlen(v), san_types[k].dns) != 0) {
        veil__err_at(s->d, at, path, "more names than a listener keeps (%d, %zu bytes)",
                     VEIL_CLIENT_MAX_SANS, sizeof(cc->san_text) - 1);
        return -1;
    }
    return 0;
}


/* The inline identity: client_subject and client_sans, taken as a
   certificate the listener verified. 0, or -1 after an error. */
static int inline_identity(veil__schema_t *s, const veil__node_t *rq, const char *rp,
                           const char *subject, veil_client_cert_t *cc)
{
    const char *const *sans = NULL;
    const veil__node_t **nodes = NULL;
    size_t n = 0;
    char lp[PATH];

    if (veil__sc_get_list(s, rq, "client_sans", rp, &sans, &n, &nodes) != 0) {
        return -1;
    }
    cc->verified = 1;
    if (subject != NULL) {
        /* A listener cuts a longer one, which then matches nothing. */
        cc->subject_cut = strlen(subject) >= sizeof(cc->subject);
        snprintf(cc->subject, sizeof(cc->subject), "%s", subject);
    }
    veil__sc_field(rq, "client_sans", rp, lp);
    for (size_t i = 0; i < n; i++) {
        char pi[PATH];

        veil__sc_join_index(pi, lp, i);
        if (add_san(s, nodes[i], pi, sans[i], cc) != 0) {
            return -1;
        }
    }
    return 0;
}


/* The reason a listener refuses, in the config's arena. */
static const char *refusal(veil__schema_t *s, const char *why)
{
    return veil__arena_strndup(&s->cfg->arena, why, strlen(why));
}


/* The refusal of a certificate that carries none of <l>'s client_sans. */
static const char *not_allowed(veil__schema_t *s, const veil_listener_t *l)
{
    char msg[512];

    snprintf(msg, sizeof(msg),
             "the client certificate carries none of the client_sans of listener '%s'", l->name);
    return refusal(s, msg);
}


/* client_cert_file, read and verified as the handshake would verify it.
   0 (<cc> filled, or *refused set), or -1 after an error at <at>. */
static int file_identity(veil__schema_t *s, const veil__node_t *at, const char *path,
                         const char *file, const veil_listener_t *l, veil_client_cert_t *cc,
                         const char **refused)
{
    X509 *leaf = NULL;
    STACK_OF(X509) *chain = NULL;
    char why[512], msg[640];
    int rc = -1, v;

    if (veil__client_cert_read(file, &leaf, &chain, why, sizeof(why)) != 0) {
        veil__err_at(s->d, at, path, "%s", why);
        return -1;
    }
    v = veil__client_cert_verify(l->tls->client_ca_file, leaf, chain, why, sizeof(why));
    if (v < 0) {
        /* Said at the first case that needs it: the file is the
           listener's, every later case would say the same. */
        if (s->bad_ca_listener != l) {
            veil__err_at(s->d, at, path, "listener '%s': client_ca_file %s", l->name, why);
            s->bad_ca_listener = l;
        }
        goto done;
    }
    if (v == 0) {
        snprintf(msg, sizeof(msg),
                 "the client certificate does not verify against the client_ca_file of "
                 "listener '%s': %s",
                 l->name, why);
        *refused = refusal(s, msg);
    } else {
        veil_client_cert_take(cc, leaf);
        if (!veil_client_cert_allowed(leaf, l->tls->client_sans, l->tls->nclient_sans, cc->san,
                                      sizeof(cc->san))) {
            *refused = not_allowed(s, l);
        }
    }
    rc = 0;
done:
    X509_free(leaf);
    sk_X509_pop_free(chain, X509_free);
    return rc;
}


/* The client keys given, if any: the first one's node and path. */
static const veil__node_t *first_client_key(const veil__node_t *rq, const char *rp, char *out)
{
    static const char *const keys[] = {"client_subject", "client_sans", "client_cert_file"};
    const veil__node_t *n = NULL;

    for (size_t k = 0; rq != NULL && n == NULL && k < COUNT(keys); k++) {
        n = veil__sc_field(rq, keys[k], rp, out);
    }
    return n;
}


int veil__sc_test_client(veil__schema_t *s, const veil__node_t *rq, const char *rp,
                         const veil_listener_t *l, veil_client_cert_t *cc, const char **refused)
{
    const veil_client_auth_t auth = l->tls != NULL ? l->tls->client_auth : VEIL_CLIENT_AUTH_NONE;
    const char *subject = NULL, *file = NULL;
    const veil__node_t *at;
    char kp[PATH], msg[512];

    *refused = NULL;
    memset(cc, 0, sizeof(*cc));
    at = first_client_key(rq, rp, kp);
    if (at == NULL) {
        if (auth == VEIL_CLIENT_AUTH_REQUIRED) {
            snprintf(msg, sizeof(msg),
                     "listener '%s' requires a client certificate (tls.client_auth: "
                     "required) and the request presents none",
                     l->name);
            *refused = refusal(s, msg);
        }
        return 0;
    }
    if (auth == VEIL_CLIENT_AUTH_NONE) {
        veil__err_at(s->d, at, kp,
                     "listener '%s' does not ask for client certificates (its "
                     "tls.client_auth is none): a client would present none",
                     l->name[0] ? l->name : "(default)");
        return -1;
    }
    if (veil__sc_get_str(s, rq, "client_subject", rp, &subject) ||
        veil__sc_get_str(s, rq, "client_cert_file", rp, &file)) {
        return -1;
    }
    if (file == NULL) {
        if (inline_identity(s, rq, rp, subject, cc) != 0) {
            return -1;
        }
    } else {
        at = veil__sc_field(rq, "client_cert_file", rp, kp);
        if (subject != NULL || veil__map_get(rq, "client_sans") != NULL) {
            veil__err_at(s->d, at, kp,
                         "give client_cert_file or client_subject and client_sans, "
                         "not both");
            return -1;
        }
        /* Only veil test opens it: a deployed config needs no fixtures. */
        if (!(s->flags & VEIL_CONFIG_TEST_FILES)) {
            return 0;
        }
        return file_identity(s, at, kp, file, l, cc, refused);
    }
    if (!veil_client_names_allowed(cc, l->tls->client_sans, l->tls->nclient_sans, cc->san,
                                   sizeof(cc->san))) {
        *refused = not_allowed(s, l);
    }
    return 0;
}
