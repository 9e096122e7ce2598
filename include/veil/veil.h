/*
 * veil: a transparent PII-redacting HTTP/1.1 proxy.
 *
 * Umbrella header and status codes. Functions return 0 on success, a
 * negative errno value (-ENOMEM, -EINVAL) or a VEIL_E* code from the
 * reserved range below, as libuv does.
 */
#ifndef VEIL_VEIL_H
#define VEIL_VEIL_H

#include <errno.h>

#define VEIL_VERSION "0.1.0"

enum {
    VEIL_OK = 0,
    VEIL_EBASE = -4200,
    VEIL_ELIMIT = VEIL_EBASE - 1,   /* a configured limit was exceeded */
    VEIL_ESYNTAX = VEIL_EBASE - 2,  /* malformed input */
    VEIL_EPATTERN = VEIL_EBASE - 3, /* a pattern failed to compile */
    VEIL_ESTATE = VEIL_EBASE - 4,   /* call not allowed in this state */
    VEIL_EWRITE = VEIL_EBASE - 5,   /* an output callback failed */
    /* Tokens (veil/tokens.h). */
    VEIL_ETOKEN_KEY = VEIL_EBASE - 6,     /* no key of that id or slot */
    VEIL_ETOKEN_RETIRED = VEIL_EBASE - 7, /* the token's key is retired */
    VEIL_ETOKEN_AUTH = VEIL_EBASE - 8,    /* a token failed authentication */
    VEIL_ETOKEN_DOMAIN = VEIL_EBASE - 9,  /* too short for FPE (radix^n < 10^6) */
    VEIL_ETOKEN_FORMAT = VEIL_EBASE - 10, /* a value FPE cannot take */
};

/* veil_strerror(): a static, human-readable text for <status>. */
const char *veil_strerror(int status);

#endif
