/*
 * The token transform: what the redactor writes in place of a finding
 * when its action is tokenize (or when a stream is detokenized or
 * rewrapped), and the counters it keeps.
 *
 * Tokenizing leaves a value that already is a token of this ring as it
 * is, so tokenizing twice changes nothing: a tagged token that
 * authenticates, or an FPE token whose slot names one of the ring's keys
 * (a card whose Luhn sum, an IBAN whose remainder, an e-mail address
 * whose +vt tag names a slot). FPE is written only where the token can be
 * recognised again: e-mail addresses anywhere (their tag), cards, IBANs,
 * SSNs and phone numbers only as the whole value of a field whose name
 * says what it holds (VEIL_FIND_FIELD). In free text a Luhn-invalid
 * number is as likely an order number as a card token, so a card there
 * gets a tagged token (docs/tokens.md, "Where FPE is used").
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <string.h>

#include "tokens_int.h"
#include "veil/veil.h"

/* The FPE kind this finding may use, or NONE. */
static veil__fpe_kind_t fpe_place(const veil_tokens_t *t, uint16_t detector,
                                  const veil_detector_info_t *info, unsigned flags)
{
    veil__fpe_kind_t kind = veil__fpe_kind(info ? info->id : NULL);
    if (kind == VEIL__FPE_NONE || info == NULL || (flags & VEIL_FIND_RULE)) {
        return VEIL__FPE_NONE;
    }
    if (t->formats == NULL || detector >= t->nformats || t->formats[detector] != VEIL_TOKEN_FPE) {
        return VEIL__FPE_NONE;
    }
    if (kind != VEIL__FPE_EMAIL && !(flags & VEIL_FIND_FIELD)) {
        return VEIL__FPE_NONE;
    }
    return kind;
}

static void count_reversed(veil_token_stats_t *st, unsigned row, const veil_token_ring_t *ring,
                           int key, veil_token_outcome_t outcome)
{
    int slot = key >= 0 ? veil_token_ring_slot(ring, (size_t)key) : 0;
    if (st) {
        st->reversed[row][slot][outcome]++;
    }
}

static veil_token_outcome_t outcome_of(long rc)
{
    return rc == VEIL_ETOKEN_RETIRED ? VEIL_TOKEN_RETIRED
           : rc == VEIL_ETOKEN_KEY   ? VEIL_TOKEN_UNKNOWN_KEY
                                     : VEIL_TOKEN_FORGED;
}

static long copy(const char *raw, size_t len, char *out, size_t cap)
{
    if (len > cap) {
        return -ENOSPC;
    }
    memcpy(out, raw, len);
    return (long)len;
}

/* Is <raw> already a token of this ring (tokenizing leaves it)? */
static int is_own_token(const veil_tokens_t *t, veil__fpe_kind_t kind,
                        const veil_detector_info_t *info, veil_format_t format, const char *raw,
                        size_t len, char *scratch, size_t cap)
{
    long n;
    int used;
    if (len >= 4 && memcmp(raw, "tok-", 4) == 0) {
        /* An e-mail finding whose local part is a token: a URL's userinfo
           tokenized before (scheme://tok-...@host). */
        size_t end = len;
        if (info && strcmp(info->id, "email") == 0) {
            const char *at = memchr(raw, '@', len);
            end = at ? (size_t)(at - raw) : len;
        }
        n = veil_token_tagged_open(t->ring, raw, end, scratch, cap, NULL, NULL);
        OPENSSL_cleanse(scratch, n > 0 ? (size_t)n : 0);
        if (n >= 0) {
            return 1;
        }
    }
    if (kind == VEIL__FPE_CARD || kind == VEIL__FPE_IBAN || kind == VEIL__FPE_EMAIL) {
        n = veil_token_fpe_open(t->ring, -1, info->id, format, raw, len, scratch, cap, &used);
        OPENSSL_cleanse(scratch, n > 0 ? (size_t)n : 0);
        return n >= 0;
    }
    return 0;
}

static long tokenize(const veil_tokens_t *t, veil_token_stats_t *st, veil_format_t format,
                     const veil_detector_info_t *info, uint16_t detector, unsigned flags,
                     const char *raw, size_t len, char *out, size_t cap)
{
    veil__fpe_kind_t kind = fpe_place(t, detector, info, flags);
    const char *type = info && info->id ? info->id : "field";
    unsigned row = veil_token_stat_type(info ? info->id : NULL);
    int bare = (flags & VEIL_FIND_JSON_BARE) != 0;
    size_t newlines = 0, n = 0;
    long rc;

    if (is_own_token(t, kind, info, format, raw, len, out, cap)) {
        if (st) {
            st->kept++;
        }
        return copy(raw, len, out, cap);
    }
    if (t->issue < 0) {
        return -EINVAL;
    }
    if (kind != VEIL__FPE_NONE) {
        rc = veil_token_fpe_make(t->ring, t->issue, info->id, format, raw, len, out, cap);
        if (rc >= 0) {
            /* An FPE token of a bare JSON number is digits again: it
               stays bare. */
            if (st) {
                st->issued[row][veil_token_ring_slot(t->ring, (size_t)t->issue)]
                          [VEIL_TOKEN_KIND_FPE]++;
            }
            return rc;
        }
        if (rc != VEIL_ETOKEN_DOMAIN && rc != VEIL_ETOKEN_FORMAT) {
            return rc;
        }
        if (st) {
            st->fpe_refused[row][rc == VEIL_ETOKEN_DOMAIN ? VEIL_FPE_REFUSED_DOMAIN
                                                          : VEIL_FPE_REFUSED_FORMAT]++;
        }
    }
    /* Line breaks inside a value come after its token, so the text keeps
       its lines; the way back drops them again. */
    for (size_t k = 0; k < len; k++) {
        newlines += raw[k] == '\n';
    }
    if (cap < 2 + newlines) {
        return -ENOSPC;
    }
    if (bare) {
        out[n++] = '"';
    }
    rc = veil_token_tagged_make(t->ring, t->issue, type, bare, raw, len, out + n,
                                cap - n - 1 - newlines);
    if (rc < 0) {
        return rc;
    }
    n += (size_t)rc;
    if (bare) {
        out[n++] = '"';
    }
    memset(out + n, '\n', newlines);
    n += newlines;
    if (st) {
        st->issued[row][veil_token_ring_slot(t->ring, (size_t)t->issue)][VEIL_TOKEN_KIND_TAGGED]++;
    }
    return (long)n;
}

/* Detokenize or rewrap one finding: only an FPE token at its place is
   anything to this step; tagged tokens are the stream's. */
static long reverse(const veil_tokens_t *t, veil_token_stats_t *st, veil_token_op_t op,
                    veil_format_t format, const veil_detector_info_t *info, uint16_t detector,
                    unsigned flags, const char *raw, size_t len, char *out, size_t cap)
{
    veil__fpe_kind_t kind = fpe_place(t, detector, info, flags);
    unsigned row = veil_token_stat_type(info ? info->id : NULL);
    int from = op == VEIL_TOKEN_OP_REWRAP ? t->rewrap_from : t->issue;
    int used = -1;
    long rc;

    if (kind == VEIL__FPE_NONE) {
        return copy(raw, len, out, cap);
    }
    rc = veil_token_fpe_open(t->ring, from, info->id, format, raw, len, out, cap, &used);
    if (rc == VEIL_ESYNTAX) {
        return copy(raw, len, out, cap);
    }
    if (op == VEIL_TOKEN_OP_DETOKENIZE && t->type_allowed != NULL &&
        !t->type_allowed(t->type_ud, info->id, strlen(info->id))) {
        /* A token (it opened, or named a key) of a type the caller may not
           see: the value goes again, the token stays. */
        if (rc > 0) {
            OPENSSL_cleanse(out, (size_t)rc);
        }
        count_reversed(st, row, t->ring, used, VEIL_TOKEN_NOT_ALLOWED);
        return copy(raw, len, out, cap);
    }
    if (rc < 0 && rc != VEIL_ETOKEN_KEY && rc != VEIL_ETOKEN_RETIRED) {
        return rc;
    }
    if (rc < 0) {
        count_reversed(st, row, t->ring, used, outcome_of(rc));
        return copy(raw, len, out, cap);
    }
    if (op == VEIL_TOKEN_OP_DETOKENIZE) {
        count_reversed(st, row, t->ring, used, VEIL_TOKEN_RESTORED);
        return rc;
    }
    /* Rewrap: only tokens under the old key are made again. */
    if (used != t->rewrap_from) {
        OPENSSL_cleanse(out, (size_t)rc);
        return copy(raw, len, out, cap);
    }
    {
        char value[256];
        size_t vlen = (size_t)rc;
        if (vlen > sizeof(value)) {
            OPENSSL_cleanse(out, vlen);
            return copy(raw, len, out, cap);
        }
        memcpy(value, out, vlen);
        OPENSSL_cleanse(out, vlen);
        rc = veil_token_fpe_make(t->ring, t->issue, info->id, format, value, vlen, out, cap);
        OPENSSL_cleanse(value, sizeof(value));
        if (rc < 0) {
            return rc;
        }
        count_reversed(st, row, t->ring, used, VEIL_TOKEN_REWRAPPED);
        return rc;
    }
}

long veil_tokens_transform(const veil_tokens_t *t, veil_token_stats_t *st, veil_token_op_t op,
                           veil_format_t format, const veil_detector_info_t *info,
                           uint16_t detector, unsigned flags, const char *raw, size_t len,
                           char *out, size_t cap)
{
    if (t == NULL || t->ring == NULL || cap < VEIL_TOKEN_OUT_CAP(len)) {
        return t == NULL || t->ring == NULL ? -EINVAL : -ENOSPC;
    }
    if (op == VEIL_TOKEN_OP_TOKENIZE) {
        return tokenize(t, st, format, info, detector, flags, raw, len, out, cap);
    }
    return reverse(t, st, op, format, info, detector, flags, raw, len, out, cap);
}
