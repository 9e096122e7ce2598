/*
 * What is written in place of a finding. Every transform keeps the
 * line structure (a multi-line PEM block stays as many lines), and a
 * replacement of a bare JSON token is quoted so the document stays JSON.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "veil/secret_file.h"
#include "veil/transform.h"

static const char *const action_names[VEIL_ACT__COUNT] = {"mask", "label",    "hash",
                                                          "drop", "tokenize", "placeholder"};

const char *veil_action_name(veil_action_t action)
{
    return (unsigned)action < VEIL_ACT__COUNT ? action_names[action] : "unknown";
}

int veil_action_parse(const char *name)
{
    for (int a = 0; a < VEIL_ACT__COUNT; a++) {
        if (strcmp(name, action_names[a]) == 0) {
            return a;
        }
    }
    return -1;
}

int veil_hash_key_load(veil_hash_key_t *key, const char *path, const char *env, char *err,
                       size_t errlen)
{
    unsigned char buf[sizeof(key->bytes) + 2];
    ssize_t n;

    memset(key, 0, sizeof(*key));
    if (path != NULL) {
        size_t got;
        int rc = veil_secret_read(path, buf, sizeof(buf), &got, err, errlen);

        if (rc == -EFBIG) {
            OPENSSL_cleanse(buf, sizeof(buf));
            snprintf(err, errlen, "hash key must be 16 to %zu bytes", sizeof(key->bytes));
            return -EINVAL;
        }
        if (rc != 0) {
            OPENSSL_cleanse(buf, sizeof(buf));
            return rc;
        }
        n = (ssize_t)got;
    } else {
        const char *v = env ? getenv(env) : NULL;
        if (v == NULL) {
            snprintf(err, errlen, "environment variable %s is not set", env ? env : "(none)");
            return -ENOENT;
        }
        n = (ssize_t)strlen(v);
        if ((size_t)n > sizeof(buf)) {
            n = sizeof(buf);
        }
        memcpy(buf, v, (size_t)n);
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
        n--;
    }
    if (n < 16 || (size_t)n > sizeof(key->bytes)) {
        OPENSSL_cleanse(buf, sizeof(buf));
        snprintf(err, errlen, "hash key must be 16 to %zu bytes", sizeof(key->bytes));
        return -EINVAL;
    }
    memcpy(key->bytes, buf, (size_t)n);
    key->len = (size_t)n;
    OPENSSL_cleanse(buf, sizeof(buf));
    return 0;
}

/* The bytes a mask keeps: separators, so that the value's shape stays
   ("****-****", "***@*****.***"), and line breaks. A table, read once
   per byte of every masked value. */
static const unsigned char mask_keeps[256] = {
    ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1, ['('] = 1, [')'] = 1,
    ['+'] = 1,  ['-'] = 1,  ['.'] = 1,  ['/'] = 1, [':'] = 1, ['@'] = 1,
};

static int is_digit_type(int det)
{
    if (det < 0 || det >= VEIL_D__COUNT) {
        return 0; /* custom detectors and field rules: hashed as written */
    }
    switch (det) {
    case VEIL_D_EMAIL:
    case VEIL_D_IPV6:
    case VEIL_D_MAC_ADDRESS:
    case VEIL_D_JWT:
    case VEIL_D_AWS_ACCESS_KEY_ID:
    case VEIL_D_GITHUB_TOKEN:
    case VEIL_D_SLACK_TOKEN:
    case VEIL_D_STRIPE_KEY:
    case VEIL_D_BEARER_TOKEN:
    case VEIL_D_URL_CREDENTIALS:
    case VEIL_D_PRIVATE_KEY:
    case VEIL_D_PERSON_NAME:
    case VEIL_D_SECRET_FIELD:
        return 0;
    default:
        return 1;
    }
}

/* The form a value is hashed in: the same card, written with or without
   spaces, gives the same token; e-mail addresses ignore case. */
static size_t normalise(int det, const char *raw, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t k = 0; k < len && n < cap; k++) {
        unsigned char c = (unsigned char)raw[k];
        if (is_digit_type(det) && (c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' ||
                                   c == ')' || c == '\n' || c == '\r')) {
            continue;
        }
        if (det == VEIL_D_EMAIL && c >= 'A' && c <= 'Z') {
            c |= 0x20;
        }
        out[n++] = (char)c;
    }
    return n;
}

static int hex_digit(int c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* The length of an escape at raw[k] (\uXXXX in JSON, %XX in a form), or
   0; an escape is masked whole and never counts as a kept digit. */
static size_t escape_len(const char *raw, size_t len, size_t k)
{
    if (raw[k] == '\\' && k + 5 < len && raw[k + 1] == 'u' && hex_digit(raw[k + 2]) &&
        hex_digit(raw[k + 3]) && hex_digit(raw[k + 4]) && hex_digit(raw[k + 5])) {
        return 6;
    }
    if (raw[k] == '%' && k + 2 < len && hex_digit(raw[k + 1]) && hex_digit(raw[k + 2])) {
        return 3;
    }
    return 0;
}

/*
 * card_last_four(): where the kept last four digits of a card start, or
 * <len> when nothing is kept. Only a value that is nothing but a card
 * number (digits, separators, escapes of them) keeps them: a card_number
 * field holding "... cvv 123" is masked whole.
 */
static size_t card_last_four(const char *raw, size_t len)
{
    size_t digits[4], seen = 0;
    for (size_t k = 0; k < len;) {
        size_t esc = escape_len(raw, len, k);
        unsigned char c = (unsigned char)raw[k];
        if (esc) {
            k += esc;
            continue;
        }
        if (c >= '0' && c <= '9') {
            digits[seen % 4] = k;
            seen++;
        } else if (c != ' ' && c != '-' && c != '+' && c != '.') {
            return len;
        }
        k++;
    }
    return seen >= 12 ? digits[seen % 4] : len;
}

long veil_transform_apply(veil_action_t action, uint16_t detector, unsigned flags, const char *raw,
                          size_t len, const veil_hash_key_t *key, char *out, size_t cap)
{
    return veil_transform_apply_info(action,
                                     detector < VEIL_D__COUNT ? &veil__catalog[detector] : NULL,
                                     detector, flags, raw, len, key, out, cap);
}

long veil_transform_apply_info(veil_action_t action, const veil_detector_info_t *info,
                               uint16_t detector, unsigned flags, const char *raw, size_t len,
                               const veil_hash_key_t *key, char *out, size_t cap)
{
    const char *label = info && info->label ? info->label : "PII";
    int quote = (flags & VEIL_FIND_JSON_BARE) != 0;
    size_t n = 0, newlines = 0;

    if (cap < 64 + 2 * len) {
        return -ENOSPC;
    }
    /* Line breaks inside a value are kept after its replacement, so line
       numbers stay true; most values have none. */
    if (action != VEIL_ACT_MASK && memchr(raw, '\n', len) != NULL) {
        for (size_t k = 0; k < len; k++) {
            newlines += raw[k] == '\n';
        }
    }
    if (quote) {
        out[n++] = '"';
    }
    switch (action) {
    case VEIL_ACT_MASK: {
        /* A card keeps its last four digits, as receipts print them, and
           only a value that is nothing but a card number (digits, spaces,
           dashes) does: a card_number field holding "... cvv 123" is
           masked whole. */
        size_t keep_from = len;
        if (detector == VEIL_D_CREDIT_CARD) {
            keep_from = card_last_four(raw, len);
        }
        for (size_t k = 0; k < keep_from; k++) {
            unsigned char c = (unsigned char)raw[k];
            out[n++] = mask_keeps[c] ? (char)c : '*';
        }
        for (size_t k = keep_from; k < len; k++) {
            unsigned char c = (unsigned char)raw[k];
            out[n++] = (c >= '0' && c <= '9') || mask_keeps[c] ? (char)c : '*';
        }
        newlines = 0;
        break;
    }
    case VEIL_ACT_LABEL:
    case VEIL_ACT_PLACEHOLDER:
    case VEIL_ACT_TOKENIZE: {
        /* Written by hand: this runs once per finding. A token needs the
           tokens context (veil_tokens_transform()); without one, the
           label, never the value. */
        size_t ll = strlen(label);
        if (n + ll + 2 + 2 + newlines > cap) {
            return -ENOSPC;
        }
        out[n++] = '[';
        memcpy(out + n, label, ll);
        n += ll;
        out[n++] = ']';
        break;
    }
    case VEIL_ACT_HASH: {
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int maclen = 0;
        char norm[4096];
        size_t nl = normalise(detector, raw, len, norm, sizeof(norm));
        if (key == NULL || key->len == 0 ||
            HMAC(EVP_sha256(), key->bytes, (int)key->len, (const unsigned char *)norm, nl, mac,
                 &maclen) == NULL) {
            OPENSSL_cleanse(norm, sizeof(norm));
            return -EINVAL;
        }
        OPENSSL_cleanse(norm, sizeof(norm));
        size_t ll = strlen(label);
        if (n + ll + 20 + 2 + newlines > cap) {
            return -ENOSPC;
        }
        out[n++] = '[';
        memcpy(out + n, label, ll);
        n += ll;
        out[n++] = ':';
        for (int k = 0; k < 8; k++) {
            out[n++] = "0123456789abcdef"[mac[k] >> 4];
            out[n++] = "0123456789abcdef"[mac[k] & 15];
        }
        out[n++] = ']';
        break;
    }
    case VEIL_ACT_DROP:
        break;
    default:
        return -EINVAL;
    }
    if (quote) {
        out[n++] = '"';
    }
    while (newlines-- > 0) {
        out[n++] = '\n';
    }
    return (long)n;
}
