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

int veil__valid_luhn(const char *s, size_t len); /* digits only */
int veil__valid_card(const char *s, size_t len); /* Luhn + issuer prefix + length */
int veil__valid_iban(const char *s, size_t len); /* mod-97 + per-country length */
int veil__valid_aba(const char *s, size_t len);  /* 3-7-1 + Fed prefix */
int veil__valid_us_ssn(const char *s, size_t len);
int veil__valid_us_itin(const char *s, size_t len);
int veil__valid_uk_nino(const char *s, size_t len);
int veil__valid_uk_nhs(const char *s, size_t len); /* mod 11 */
int veil__valid_ca_sin(const char *s, size_t len); /* Luhn, 9 digits */
int veil__valid_es_dni(const char *s, size_t len); /* check letter */
int veil__valid_es_nie(const char *s, size_t len);
int veil__valid_it_fiscal(const char *s, size_t len);    /* check character, omocodia */
int veil__valid_fr_nir(const char *s, size_t len);       /* 97 - n mod 97, 2A/2B */
int veil__valid_nl_bsn(const char *s, size_t len);       /* 11-test */
int veil__valid_br_cpf(const char *s, size_t len);       /* two mod-11 digits */
int veil__valid_verhoeff(const char *s, size_t len);     /* Aadhaar: 12 digits, first 2-9 */
int veil__valid_cn_id(const char *s, size_t len);        /* ISO 7064 MOD 11-2 + date */
int veil__valid_github_token(const char *s, size_t len); /* CRC32 base62 check */
int veil__valid_jwt(const char *s, size_t len);          /* header is JSON with "alg" */
int veil__valid_ipv4(const char *s, size_t len);
int veil__valid_ipv6(const char *s, size_t len); /* RFC 4291 / 5952 forms */
int veil__valid_mac(const char *s, size_t len);
int veil__valid_date(const char *s, size_t len); /* a real calendar date, 1900..today */

/* ---- national and health identifiers (validators_ids.c) -------------- */

int veil__valid_us_passport(const char *s, size_t len);       /* 9 digits, or letter + 8 */
int veil__valid_us_driver_licence(const char *s, size_t len); /* any state's format */
/* 0 only where veil__valid_us_driver_licence() is 0 for certain: the
   counts of letters and digits fit no state's format (a cheap test that
   may go before the context word the detector needs). */
int veil__us_driver_licence_may_be(const char *s, size_t len);
/* The same test on a word of letters and digits only, from its counts
   (the caller has them from class bits): <letter_first>, its first byte
   is a letter. */
int veil__us_driver_licence_counts_fit(unsigned letters, unsigned digits, int letter_first);
int veil__valid_us_npi(const char *s, size_t len);             /* Luhn over 80840 + NPI */
int veil__valid_us_dea(const char *s, size_t len);             /* registrant type + check digit */
int veil__valid_us_mbi(const char *s, size_t len);             /* Medicare MBI character rules */
int veil__valid_us_ein(const char *s, size_t len);             /* IRS-assigned prefix */
int veil__valid_uk_passport(const char *s, size_t len);        /* 9 digits */
int veil__valid_uk_driving_licence(const char *s, size_t len); /* DVLA: name, birth date */
int veil__valid_uk_postcode(const char *s, size_t len);        /* BS 7666 + postcode area */
int veil__valid_de_steuer_id(const char *s, size_t len);       /* ISO 7064 MOD 11,10 + repeats */
int veil__valid_de_id_document(const char *s, size_t len);     /* ID card/passport, ICAO 7-3-1 */
int veil__valid_de_rvnr(const char *s, size_t len);            /* Rentenversicherungsnummer */
int veil__valid_pl_pesel(const char *s, size_t len);           /* birth date + weighted sum */
int veil__valid_se_personnummer(const char *s, size_t len);    /* birth date + Luhn */
int veil__valid_fi_hetu(const char *s, size_t len);            /* birth date + mod 31 */
int veil__valid_es_passport(const char *s, size_t len);        /* structure only */
int veil__valid_it_passport(const char *s, size_t len);        /* structure only */
int veil__valid_it_partita_iva(const char *s, size_t len);     /* office code + Luhn */
int veil__valid_au_tfn(const char *s, size_t len);             /* weighted mod 11 */
int veil__valid_au_abn(const char *s, size_t len);             /* weighted mod 89 */
int veil__valid_au_medicare(const char *s, size_t len);        /* weighted mod 10 */
int veil__valid_in_pan(const char *s, size_t len);             /* structure + holder status */
int veil__valid_in_gstin(const char *s, size_t len);           /* state + PAN + mod 36 */
int veil__valid_kr_rrn(const char *s, size_t len);             /* birth date + mod 11 */
int veil__valid_kr_rrn_shape(const char *s, size_t len);       /* birth date, no check (2020-) */
int veil__valid_sg_nric(const char *s, size_t len);            /* S T F G M check letter */
int veil__valid_za_id(const char *s, size_t len);              /* birth date + Luhn */
int veil__valid_tr_tckn(const char *s, size_t len);            /* two check digits */

/* ---- finance and devices (validators_finance.c) ----------------------- */

int veil__valid_bic(const char *s, size_t len);          /* ISO 9362, ISO 3166 country */
int veil__valid_btc_address(const char *s, size_t len);  /* Base58Check or segwit */
int veil__valid_eth_address(const char *s, size_t len);  /* EIP-55 when mixed case */
int veil__valid_eth_checksum(const char *s, size_t len); /* mixed case and EIP-55 valid */
int veil__valid_imei(const char *s, size_t len);         /* 15 digits, Luhn */
int veil__valid_vin(const char *s, size_t len);          /* 49 CFR 565 check digit */
int veil__valid_vin_shape(const char *s, size_t len);    /* ISO 3779 shape, no check */
/* veil__bech32_kind(): 1 for a valid Bech32 string (BIP 173), 2 for
   Bech32m (BIP 350), 0 for neither. Any human-readable part. */
int veil__bech32_kind(const char *s, size_t len);

/* ---- secret token formats (validators_secrets.c) ---------------------- */

int veil__valid_openai_key(const char *s, size_t len);          /* sk-, sk-proj- ... T3BlbkFJ */
int veil__valid_anthropic_key(const char *s, size_t len);       /* sk-ant-api03- ... AA */
int veil__valid_google_api_key(const char *s, size_t len);      /* AIza + 35 */
int veil__valid_gitlab_token(const char *s, size_t len);        /* glpat- and other gl prefixes */
int veil__valid_npm_token(const char *s, size_t len);           /* npm_ + 30 + CRC-32 */
int veil__valid_pypi_token(const char *s, size_t len);          /* pypi- + macaroon */
int veil__valid_sendgrid_key(const char *s, size_t len);        /* SG.22.43 */
int veil__valid_twilio_sid(const char *s, size_t len);          /* SK or AC + 32 hex */
int veil__valid_slack_webhook(const char *s, size_t len);       /* hooks.slack.com URL */
int veil__valid_azure_account_key(const char *s, size_t len);   /* [AccountKey=] 64-byte base64 */
int veil__valid_gcp_sa_email(const char *s, size_t len);        /* ...gserviceaccount.com */
int veil__valid_gcp_service_account(const char *s, size_t len); /* key file JSON object */

/* veil__validator_find(): the validator named <name> ("luhn", "iban", ...),
   or NULL. Custom detectors in the config choose validators by name. */
veil__validator_fn veil__validator_find(const char *name);
/* veil__validator_names(): NULL-terminated list of the names. */
const char *const *veil__validator_names(void);

#endif
