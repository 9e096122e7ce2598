/*
 * Checksum and structure validators, run after a pattern matched a
 * candidate. Each takes the matched text as it appears (separators such as
 * spaces, dashes and dots included) and returns 1 when the value is valid,
 * 0 when not. None allocates, none reads past <len>.
 */
#ifndef VEIL_DETECTORS_VALIDATORS_H
#define VEIL_DETECTORS_VALIDATORS_H

#include <stddef.h>

typedef int (*veil__validator_fn)(const char *s, size_t len);

int veil__valid_luhn(const char *s, size_t len);        /* digits only */
int veil__valid_card(const char *s, size_t len);        /* Luhn + issuer prefix + length */
int veil__valid_iban(const char *s, size_t len);        /* mod-97 + per-country length */
int veil__valid_aba(const char *s, size_t len);         /* 3-7-1 + Fed prefix */
int veil__valid_us_ssn(const char *s, size_t len);
int veil__valid_us_itin(const char *s, size_t len);
int veil__valid_uk_nino(const char *s, size_t len);
int veil__valid_uk_nhs(const char *s, size_t len);      /* mod 11 */
int veil__valid_ca_sin(const char *s, size_t len);      /* Luhn, 9 digits */
int veil__valid_es_dni(const char *s, size_t len);      /* check letter */
int veil__valid_es_nie(const char *s, size_t len);
int veil__valid_it_fiscal(const char *s, size_t len);   /* check character, omocodia */
int veil__valid_fr_nir(const char *s, size_t len);      /* 97 - n mod 97, 2A/2B */
int veil__valid_nl_bsn(const char *s, size_t len);      /* 11-test */
int veil__valid_br_cpf(const char *s, size_t len);      /* two mod-11 digits */
int veil__valid_verhoeff(const char *s, size_t len);    /* Aadhaar: 12 digits, first 2-9 */
int veil__valid_cn_id(const char *s, size_t len);       /* ISO 7064 MOD 11-2 + date */
int veil__valid_github_token(const char *s, size_t len);/* CRC32 base62 check */
int veil__valid_jwt(const char *s, size_t len);         /* header is JSON with "alg" */
int veil__valid_ipv4(const char *s, size_t len);
int veil__valid_ipv6(const char *s, size_t len);        /* RFC 4291 / 5952 forms */
int veil__valid_mac(const char *s, size_t len);
int veil__valid_date(const char *s, size_t len);        /* a real calendar date, 1900..today */

/* veil__validator_find(): the validator named <name> ("luhn", "iban", ...),
   or NULL. Custom detectors in the config choose validators by name. */
veil__validator_fn veil__validator_find(const char *name);
/* veil__validator_names(): NULL-terminated list of the names. */
const char *const *veil__validator_names(void);

#endif
