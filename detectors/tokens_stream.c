/*
 * Tagged tokens found again in a stream by their grammar: a token is a
 * whole word of [A-Za-z0-9_-] that parses as tok-<key>-<type>-<payload>.
 * Bytes are written as soon as they cannot be part of a token; a word
 * that has not ended yet is held, with a quote right before it (a bare
 * JSON value's token is quoted, and its quotes go when it turns back).
 * A word longer than the longest token passes through unheld.
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "tokens_int.h"
#include "veil/veil.h"

struct veil_token_stream {
    const veil_tokens_t *t;
    veil_token_op_t op;
    veil_token_stats_t *st;
    veil_write_cb write;
    void *ud;
    char *buf; /* bytes not written yet */
    size_t len, cap;
    int prev_word;  /* the byte before buf[0] was a word byte */
    int in_long;    /* inside a word too long to be a token */
    size_t skip_nl; /* line breaks a restored value brought back */
    char *val;      /* a token's value, wiped after use; made when
                               the first token comes */
    int error;
};

static int word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

veil_token_stream_t *veil_token_stream_new(const veil_tokens_t *t, veil_token_op_t op,
                                           veil_token_stats_t *st, veil_write_cb write, void *ud)
{
    veil_token_stream_t *s;
    if (t == NULL || t->ring == NULL || write == NULL || op == VEIL_TOKEN_OP_TOKENIZE) {
        return NULL;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    s->t = t;
    s->op = op;
    s->st = st;
    s->write = write;
    s->ud = ud;
    return s;
}

static void out(veil_token_stream_t *s, const char *p, size_t n)
{
    if (n && s->error == 0 && s->write(s->ud, p, n) != 0) {
        s->error = VEIL_EWRITE;
    }
}

static void count(veil_token_stream_t *s, const veil_token_parts_t *parts, int key,
                  veil_token_outcome_t outcome)
{
    char type[VEIL_TOKEN_TYPE_MAX + 1];
    int slot = key >= 0 ? veil_token_ring_slot(s->t->ring, (size_t)key) : 0;
    if (s->st == NULL) {
        return;
    }
    memcpy(type, parts->type, parts->type_len);
    type[parts->type_len] = '\0';
    s->st->reversed[veil_token_stat_type(type)][slot][outcome]++;
}

/*
 * The word buf[i, j) is complete. Returns where writing resumes (past
 * the token, and past its closing quote when the quotes went with it),
 * having written what comes before; or <i> when the word stays as it is.
 */
static size_t on_token(veil_token_stream_t *s, size_t *emitted, size_t i, size_t j,
                       const veil_token_parts_t *pp)
{
    const size_t cap = VEIL_TOKEN_OUT_CAP(VEIL_TOKEN_VALUE_MAX);
    veil_token_parts_t parts = *pp;
    int key = -1, bare = 0;
    long n;

    /* A type the caller may not see stays a token, unopened: counted
       under the key its id names (slot 0 when the ring has none). */
    if (s->op == VEIL_TOKEN_OP_DETOKENIZE && s->t->type_allowed != NULL &&
        !s->t->type_allowed(s->t->type_ud, parts.type, parts.type_len)) {
        count(s, &parts, veil_token_ring_find(s->t->ring, parts.key, parts.key_len),
              VEIL_TOKEN_NOT_ALLOWED);
        return i;
    }
    /* Made when the first word that parses as a token comes. */
    if (s->val == NULL && (s->val = malloc(cap)) == NULL) {
        s->error = -ENOMEM;
        return i;
    }

    n = veil_token_tagged_open(s->t->ring, s->buf + i, j - i, s->val, cap, &key, &bare);
    if (n < 0) {
        if (n == VEIL_ETOKEN_KEY || n == VEIL_ETOKEN_RETIRED || n == VEIL_ETOKEN_AUTH) {
            count(s, &parts, key,
                  n == VEIL_ETOKEN_KEY       ? VEIL_TOKEN_UNKNOWN_KEY
                  : n == VEIL_ETOKEN_RETIRED ? VEIL_TOKEN_RETIRED
                                             : VEIL_TOKEN_FORGED);
        } else if (n != VEIL_ESYNTAX) {
            s->error = (int)n;
        }
        return i;
    }
    if (s->op == VEIL_TOKEN_OP_REWRAP) {
        char type[VEIL_TOKEN_TYPE_MAX + 1];
        long m;
        if (key != s->t->rewrap_from) {
            OPENSSL_cleanse(s->val, (size_t)n);
            return i;
        }
        memcpy(type, parts.type, parts.type_len);
        type[parts.type_len] = '\0';
        /* The value moves to the end of the scratch buffer, so the new
           token can be written at its start. */
        memmove(s->val + cap - (size_t)n, s->val, (size_t)n);
        m = veil_token_tagged_make(s->t->ring, s->t->issue, type, bare, s->val + cap - (size_t)n,
                                   (size_t)n, s->val, cap - (size_t)n);
        OPENSSL_cleanse(s->val + cap - (size_t)n, (size_t)n);
        if (m < 0) {
            s->error = (int)m;
            return i;
        }
        out(s, s->buf + *emitted, i - *emitted);
        out(s, s->val, (size_t)m);
        count(s, &parts, key, VEIL_TOKEN_REWRAPPED);
        *emitted = j;
        return j;
    }
    /* A bare JSON value's token was written quoted: the quotes go. */
    int quoted = bare && i > *emitted && s->buf[i - 1] == '"' && j < s->len && s->buf[j] == '"';
    out(s, s->buf + *emitted, (quoted ? i - 1 : i) - *emitted);
    out(s, s->val, (size_t)n);
    for (long k = 0; k < n; k++) {
        s->skip_nl += s->val[k] == '\n';
    }
    OPENSSL_cleanse(s->val, (size_t)n);
    count(s, &parts, key, VEIL_TOKEN_RESTORED);
    *emitted = quoted ? j + 1 : j;
    return *emitted;
}

/*
 * A token is a whole word, or the end of one: a finding right after an
 * escape (%28, \u53f7) or glued to a letter became a token there, and
 * the word then starts before it. Authentication decides, so looking at
 * every "tok-" of a word restores nothing that is no token.
 */
static size_t on_word(veil_token_stream_t *s, size_t *emitted, size_t i, size_t j)
{
    veil_token_parts_t parts;
    for (size_t p = i; j - p >= 4;) {
        const char *hit = memmem(s->buf + p, j - p, "tok-", 4);
        if (hit == NULL) {
            break;
        }
        p = (size_t)(hit - s->buf);
        if (veil_token_parse(s->buf + p, j - p, &parts)) {
            return on_token(s, emitted, p, j, &parts);
        }
        p += 4;
    }
    return i;
}

/* Writes every byte that is decided; keeps the rest in buf. */
static int process(veil_token_stream_t *s, int final)
{
    size_t i = 0, emitted = 0, keep;

    if (s->len == 0) {
        return s->error;
    }
    while (i < s->len && s->error == 0) {
        unsigned char c = (unsigned char)s->buf[i];
        if (s->skip_nl) {
            if (c == '\n' && i == emitted) {
                emitted = ++i;
                s->skip_nl--;
                continue;
            }
            s->skip_nl = 0;
        }
        if (!word_byte(c)) {
            s->in_long = 0;
            i++;
            continue;
        }
        if (s->in_long || (i > 0 ? word_byte((unsigned char)s->buf[i - 1]) : s->prev_word)) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < s->len && word_byte((unsigned char)s->buf[j])) {
            j++;
        }
        if (j == s->len && !final) {
            if (j - i > VEIL_TOKEN_MAX_LEN) {
                s->in_long = 1;
                i = j;
                continue;
            }
            break; /* the word may go on in the next chunk */
        }
        size_t next = on_word(s, &emitted, i, j);
        i = next > i ? next : j;
    }
    /* Keep an unfinished word, and a quote right before it (or a quote
       that ends the chunk: a token may follow it). */
    keep = i < s->len ? i : s->len;
    if (!final && keep > emitted && s->buf[keep - 1] == '"') {
        keep--;
    }
    if (keep < emitted) {
        keep = emitted;
    }
    out(s, s->buf + emitted, keep - emitted);
    if (keep > 0) {
        s->prev_word = word_byte((unsigned char)s->buf[keep - 1]);
    }
    OPENSSL_cleanse(s->buf, keep);
    memmove(s->buf, s->buf + keep, s->len - keep);
    s->len -= keep;
    return s->error;
}

int veil_token_stream_feed(veil_token_stream_t *s, const void *data, size_t len)
{
    if (s->error || len == 0) {
        return s->error;
    }
    if (s->len + len > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + len) {
            cap *= 2;
        }
        char *b = malloc(cap);
        if (b == NULL) {
            return s->error = -ENOMEM;
        }
        if (s->buf) {
            memcpy(b, s->buf, s->len);
            OPENSSL_cleanse(s->buf, s->cap);
            free(s->buf);
        }
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, len);
    s->len += len;
    return process(s, 0);
}

int veil_token_stream_finish(veil_token_stream_t *s)
{
    if (s->error) {
        return s->error;
    }
    return process(s, 1);
}

void veil_token_stream_free(veil_token_stream_t *s)
{
    if (s == NULL) {
        return;
    }
    if (s->buf) {
        OPENSSL_cleanse(s->buf, s->cap);
        free(s->buf);
    }
    if (s->val) {
        OPENSSL_cleanse(s->val, VEIL_TOKEN_OUT_CAP(VEIL_TOKEN_VALUE_MAX));
        free(s->val);
    }
    free(s);
}
