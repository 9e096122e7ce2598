/*
 * Credentials by name and by look: whether a header name, JSON key or form
 * field name names a credential, and whether a header value looks like
 * one whatever its name. Pure functions: no allocation, no state beyond
 * tables built once per process, safe from any thread.
 */
#ifndef VEIL_CREDENTIALS_H
#define VEIL_CREDENTIALS_H

#include <stddef.h>

/*
 * veil_name_is_credential(): 1 when <name> (<len> bytes, any case, any
 * separators, UTF-8) names a credential, else 0.
 *
 * The name is split into words (at - _ . space and other punctuation, at
 * camelCase boundaries, around digits); it names a credential when one of
 * its words is a credential word (auth, key, token, secret, password,
 * session, signature, cookie, ... and their usual translations), or a
 * compound ending or starting with one ("clientsecret", "apikey",
 * "passwordhash"), unless that word is qualified as something that only
 * describes a credential: a cursor ("next_page_token"), a data key
 * ("primary_key", "idempotency-key"), or metadata after it ("token_type",
 * "key_id", "password_expires_at"). docs/detectors.md lists the words.
 * Only the last 128 bytes of a longer name are judged.
 */
int veil_name_is_credential(const char *name, size_t len);

/*
 * veil_value_looks_secret(): 1 when the header value <v> (<len> bytes)
 * holds a run of 20 or more characters of the base64, base64url or hex
 * alphabets that reads as random (letters and digits mixed, Shannon
 * entropy at least 0.8 of the most a random string of its length and
 * alphabet can have): an API key, a token, a signature. Not: identifiers
 * of hex and '-' with no group over 32 digits (UUIDs, W3C traceparent,
 * request and trace ids, MD5 ETags), and the value of a MIME boundary
 * parameter. Else 0. detectors/cred_values.c says why these numbers.
 */
int veil_value_looks_secret(const char *v, size_t len);

/* veil_shannon_entropy(): the Shannon entropy of the bytes of <s>, in
   bits per byte (0 for an empty string). Exposed for tests. */
double veil_shannon_entropy(const char *s, size_t len);

#endif
