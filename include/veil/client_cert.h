/*
 * A client certificate as a TLS listener sees it: the names veil takes
 * from a verified certificate (routes match on them, the access log
 * writes them) and the check of a listener's client_sans allow-list.
 *
 * The listener (proxy/net/tls.c, tls_ctx.c) and veil test (a case's
 * request.client_cert_file or client_subject/client_sans) use these same
 * functions, so a test case is routed on exactly the names, and refused
 * for exactly the reasons, that a handshake would give.
 */
#ifndef VEIL_CLIENT_CERT_H
#define VEIL_CLIENT_CERT_H

#include <stddef.h>

#include "veil/config.h"

/* Routes compare the first this many subject alternative names. */
#define VEIL_CLIENT_MAX_SANS 16
/* The longest client chain a listener verifies (SSL_CTX_set_verify_depth). */
#define VEIL_CLIENT_VERIFY_DEPTH 8

/* What is known of a client certificate: its names only, never the
   certificate. Valid when zero-filled (no certificate). */
typedef struct veil_client_cert {
    int verified;      /* a certificate was given and verified */
    char subject[256]; /* its subject DN (RFC 2253) */
    int subject_cut;   /* longer than subject[]: matches no client_subject */
    char issuer[256];
    char san[256]; /* the listener's client_sans entry it matched, "" */
    /* Its subject alternative names (DNS, email, URI, IP as text), for
       routes: the first VEIL_CLIENT_MAX_SANS that fit in san_text. */
    veil_client_name_t sans[VEIL_CLIENT_MAX_SANS];
    size_t nsans;
    char san_text[2048];
} veil_client_cert_t;

struct x509_st;

/*
 * veil_client_cert_take(): fills <cc> from the verified certificate <x>:
 * subject and issuer (RFC 2253, as the access log writes them), and its
 * SANs; <cc>->verified is set, <cc>->san is left as it is. A SAN holding
 * a NUL byte is left out (it could compare equal to a shorter name), and
 * so are names past the room.
 */
void veil_client_cert_take(veil_client_cert_t *cc, struct x509_st *x);

/*
 * veil_client_cert_add_san(): appends one SAN of <len> bytes (<dns>: a
 * DNS name, compared case-insensitively). 0, or -1 when it is left out
 * as veil_client_cert_take() leaves names out (empty, a NUL byte, no
 * room).
 */
int veil_client_cert_add_san(veil_client_cert_t *cc, const char *name, size_t len, int dns);

/*
 * veil_client_name_listed(): the index of the first entry of <list> that
 * the SAN <name> (<len> bytes) equals, or -1. Exact, as configured (a SAN
 * is an identity, not a pattern); DNS names case-insensitively. Both a
 * listener's client_sans and a route's match.client_sans compare so.
 */
int veil_client_name_listed(const char *const *list, size_t n, const char *name, size_t len,
                            int dns);

/*
 * veil_client_cert_allowed(): whether the certificate <x> carries one of
 * a listener's client_sans (<allow>, <nallow>; 1 when the list is empty),
 * looking at every SAN of the certificate; the entry it matched is copied
 * to <out> (when not NULL). A listener refuses the handshake otherwise.
 */
int veil_client_cert_allowed(struct x509_st *x, const char *const *allow, size_t nallow, char *out,
                             size_t len);

/* veil_client_names_allowed(): the same on the names of <cc> (veil test,
   where a case gives the names instead of a certificate). */
int veil_client_names_allowed(const veil_client_cert_t *cc, const char *const *allow, size_t nallow,
                              char *out, size_t len);

/* veil_client_cert_route(): what routing looks at of <cc> into <q>'s
   client fields; nothing when <cc> is NULL or was not verified. <q>
   points into <cc> afterwards. */
void veil_client_cert_route(const veil_client_cert_t *cc, veil_route_request_t *q);

#endif
