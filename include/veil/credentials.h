/*
 * Credentials by name: whether a header name, JSON key or form field name
 * names a credential. A pure function: no allocation, no state beyond
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

#endif
