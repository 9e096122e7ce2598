/*
 * The benchmark corpus: a deterministic, in-memory stream of realistic API
 * traffic (JSON bodies, nginx access log lines, application log lines)
 * with sparse PII and many PII-like hard negatives (order numbers that
 * fail Luhn, UUIDs, timestamps, versions, prices, hashes, masked cards).
 *
 * The same seed and size always give the same bytes, so runs on different
 * days and machines scan the same input.
 */
#ifndef VEIL_BENCH_CORPUS_H
#define VEIL_BENCH_CORPUS_H

#include <stddef.h>
#include <stdint.h>

/* The kinds of PII planted in the corpus, named as the catalog ids. */
enum {
    CORPUS_PII_EMAIL,
    CORPUS_PII_PHONE,
    CORPUS_PII_CREDIT_CARD,
    CORPUS_PII_IBAN,
    CORPUS_PII_US_SSN,
    CORPUS_PII_IPV4,
    CORPUS_PII_IPV6,
    CORPUS_PII_MAC,
    CORPUS_PII_JWT,
    CORPUS_PII_AWS_KEY,
    CORPUS_PII_GITHUB_TOKEN,
    CORPUS_PII_STRIPE_KEY,
    CORPUS_PII_URL_CREDENTIALS,
    CORPUS_PII__COUNT
};

/* Record kinds, as a bit set; 0 means all. */
enum {
    CORPUS_JSON = 1u << 0,   /* JSON API bodies */
    CORPUS_ACCESS = 1u << 1, /* nginx access log lines */
    CORPUS_APP = 1u << 2,    /* application log lines */
    CORPUS_API = 1u << 3,    /* JSON API pages: tickets, products, chat
                                messages, repository events, mostly words */
    CORPUS_DENSE = 1u << 4,  /* PII-dense customer profiles and log lines */
};

typedef struct corpus_options {
    size_t bytes;     /* target size; the corpus ends on a record */
    uint64_t seed;    /* PRNG seed */
    size_t pii_every; /* mean distance between two PII values, bytes */
    unsigned records; /* CORPUS_* kinds to generate; 0: all */
} corpus_options_t;

typedef struct corpus {
    char *data; /* malloc'ed, <len> bytes (plus a NUL) */
    size_t len;
    size_t records; /* JSON bodies + log lines */
    size_t pii_total;
    size_t pii[CORPUS_PII__COUNT]; /* planted values per kind */
} corpus_t;

/* corpus_build(): fills <c>. Returns 0 or -ENOMEM. */
int corpus_build(corpus_t *c, const corpus_options_t *opts);
/* corpus_pathological(): an input that tries to make the engine's cost
   grow faster than its size, <kind> one of corpus_pathological_kinds
   (about <bytes> long where the kind has no size of its own). Returns 0,
   -EINVAL for an unknown kind or -ENOMEM. */
int corpus_pathological(corpus_t *c, const char *kind, size_t bytes, uint64_t seed);
/* The kinds, comma-separated. */
extern const char corpus_pathological_kinds[];
/* corpus_load(): reads a whole file into <c> (no PII counts). 0 or -errno. */
int corpus_load(corpus_t *c, const char *path);
void corpus_free(corpus_t *c);
/* corpus_pii_name(): the catalog id of a planted kind ("email", ...). */
const char *corpus_pii_name(int kind);

#endif
