/*
 * A small recursive-descent JSON reader (report_json.h). Strict RFC 8259
 * syntax, \uXXXX escapes with surrogate pairs, nesting limited to 32.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_json.h"

#define MAX_DEPTH 32

typedef struct reader {
    const char *s;
    size_t len, pos;
    int depth;
} reader_t;


static void ws(reader_t *r)
{
    while (r->pos < r->len && (r->s[r->pos] == ' ' || r->s[r->pos] == '\t' ||
                               r->s[r->pos] == '\n' || r->s[r->pos] == '\r')) {
        r->pos++;
    }
}


static int hex4(reader_t *r, unsigned *out)
{
    unsigned v = 0;

    if (r->len - r->pos < 4) {
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        char c = r->s[r->pos++];

        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= (unsigned)(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            v |= (unsigned)(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            v |= (unsigned)(c - 'A' + 10);
        } else {
            return -1;
        }
    }
    *out = v;
    return 0;
}


static size_t utf8(unsigned cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}


static int string(reader_t *r, char **out)
{
    size_t start = ++r->pos, n = 0;
    char *buf;

    /* The decoded string is never longer than the raw one. */
    while (r->pos < r->len && r->s[r->pos] != '"') {
        r->pos += r->s[r->pos] == '\\' ? 2 : 1;
    }
    if (r->pos >= r->len) {
        return -1;
    }
    buf = malloc(r->pos - start + 1);
    if (buf == NULL) {
        return -1;
    }
    r->pos = start;
    while (r->s[r->pos] != '"') {
        unsigned char c = (unsigned char)r->s[r->pos++];

        if (c < 0x20) {
            goto bad;
        }
        if (c != '\\') {
            buf[n++] = (char)c;
            continue;
        }
        c = (unsigned char)r->s[r->pos++];
        switch (c) {
        case '"':
            buf[n++] = '"';
            break;
        case '\\':
            buf[n++] = '\\';
            break;
        case '/':
            buf[n++] = '/';
            break;
        case 'b':
            buf[n++] = '\b';
            break;
        case 'f':
            buf[n++] = '\f';
            break;
        case 'n':
            buf[n++] = '\n';
            break;
        case 'r':
            buf[n++] = '\r';
            break;
        case 't':
            buf[n++] = '\t';
            break;
        case 'u': {
            unsigned cp, lo;

            if (hex4(r, &cp) != 0) {
                goto bad;
            }
            if (cp >= 0xd800 && cp < 0xdc00 && r->len - r->pos >= 6 && r->s[r->pos] == '\\' &&
                r->s[r->pos + 1] == 'u') {
                r->pos += 2;
                if (hex4(r, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff) {
                    goto bad;
                }
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else if (cp >= 0xd800 && cp < 0xe000) {
                cp = 0xfffd; /* a lone surrogate */
            }
            /* \u0000 would cut the C string: replaced. */
            n += utf8(cp == 0 ? 0xfffd : cp, buf + n);
            break;
        }
        default:
            goto bad;
        }
    }
    r->pos++;
    buf[n] = '\0';
    *out = buf;
    return 0;
bad:
    free(buf);
    return -1;
}


static int value(reader_t *r, veil__jv_t *v);


static int push(veil__jv_t *v, size_t *cap, char *key)
{
    if (v->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        veil__jv_t *ni = realloc(v->items, nc * sizeof(*ni));

        if (ni == NULL) {
            return -1;
        }
        v->items = ni;
        if (v->type == VEIL__J_OBJ) {
            char **nk = realloc(v->keys, nc * sizeof(*nk));

            if (nk == NULL) {
                return -1;
            }
            v->keys = nk;
        }
        *cap = nc;
    }
    memset(&v->items[v->n], 0, sizeof(v->items[0]));
    if (v->type == VEIL__J_OBJ) {
        v->keys[v->n] = key;
    }
    v->n++;
    return 0;
}


static int container(reader_t *r, veil__jv_t *v, int obj)
{
    size_t cap = 0;
    char close = obj ? '}' : ']';

    if (++r->depth > MAX_DEPTH) {
        return -1;
    }
    v->type = obj ? VEIL__J_OBJ : VEIL__J_ARR;
    r->pos++;
    ws(r);
    if (r->pos < r->len && r->s[r->pos] == close) {
        r->pos++;
        r->depth--;
        return 0;
    }
    for (;;) {
        char *key = NULL;

        ws(r);
        if (obj) {
            if (r->pos >= r->len || r->s[r->pos] != '"' || string(r, &key) != 0) {
                return -1;
            }
            ws(r);
            if (r->pos >= r->len || r->s[r->pos] != ':') {
                free(key);
                return -1;
            }
            r->pos++;
        }
        if (push(v, &cap, key) != 0) {
            free(key);
            return -1;
        }
        if (value(r, &v->items[v->n - 1]) != 0) {
            return -1;
        }
        ws(r);
        if (r->pos >= r->len) {
            return -1;
        }
        if (r->s[r->pos] == ',') {
            r->pos++;
            continue;
        }
        if (r->s[r->pos] == close) {
            r->pos++;
            r->depth--;
            return 0;
        }
        return -1;
    }
}


static int literal(reader_t *r, const char *lit)
{
    size_t n = strlen(lit);

    if (r->len - r->pos < n || memcmp(r->s + r->pos, lit, n) != 0) {
        return -1;
    }
    r->pos += n;
    return 0;
}


static int number(reader_t *r, veil__jv_t *v)
{
    char buf[64];
    size_t start = r->pos, n;
    char *end;

    if (r->pos < r->len && r->s[r->pos] == '-') {
        r->pos++;
    }
    if (r->pos >= r->len || r->s[r->pos] < '0' || r->s[r->pos] > '9') {
        return -1;
    }
    while (r->pos < r->len && strchr("0123456789.eE+-", r->s[r->pos]) != NULL) {
        r->pos++;
    }
    n = r->pos - start;
    if (n >= sizeof(buf)) {
        return -1;
    }
    memcpy(buf, r->s + start, n);
    buf[n] = '\0';
    v->type = VEIL__J_NUM;
    v->num = strtod(buf, &end);
    return *end == '\0' ? 0 : -1;
}


static int value(reader_t *r, veil__jv_t *v)
{
    ws(r);
    if (r->pos >= r->len) {
        return -1;
    }
    switch (r->s[r->pos]) {
    case '{':
        return container(r, v, 1);
    case '[':
        return container(r, v, 0);
    case '"':
        v->type = VEIL__J_STR;
        return string(r, &v->str);
    case 't':
        v->type = VEIL__J_BOOL;
        v->num = 1;
        return literal(r, "true");
    case 'f':
        v->type = VEIL__J_BOOL;
        return literal(r, "false");
    case 'n':
        v->type = VEIL__J_NULL;
        return literal(r, "null");
    default:
        return number(r, v);
    }
}


int veil__json_parse(const char *s, size_t len, veil__jv_t *out, char *err, size_t errlen)
{
    reader_t r = {s, len, 0, 0};

    memset(out, 0, sizeof(*out));
    if (value(&r, out) == 0) {
        ws(&r);
        if (r.pos == r.len) {
            return 0;
        }
    }
    snprintf(err, errlen, "invalid JSON near byte %zu", r.pos);
    veil__json_free(out);
    return -1;
}


void veil__json_free(veil__jv_t *v)
{
    if (v == NULL) {
        return;
    }
    for (size_t i = 0; i < v->n; i++) {
        veil__json_free(&v->items[i]);
        if (v->keys) {
            free(v->keys[i]);
        }
    }
    free(v->items);
    free(v->keys);
    free(v->str);
    memset(v, 0, sizeof(*v));
}


const veil__jv_t *veil__json_get(const veil__jv_t *obj, const char *key)
{
    if (obj == NULL || obj->type != VEIL__J_OBJ) {
        return NULL;
    }
    for (size_t i = 0; i < obj->n; i++) {
        if (obj->keys[i] != NULL && strcmp(obj->keys[i], key) == 0) {
            return &obj->items[i];
        }
    }
    return NULL;
}


double veil__json_num(const veil__jv_t *obj, const char *key, double dflt)
{
    const veil__jv_t *v = veil__json_get(obj, key);

    return v && v->type == VEIL__J_NUM ? v->num : dflt;
}


const char *veil__json_str(const veil__jv_t *obj, const char *key, const char *dflt)
{
    const veil__jv_t *v = veil__json_get(obj, key);

    return v && v->type == VEIL__J_STR ? v->str : dflt;
}
