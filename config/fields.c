/*
 * Field rules and body allowlists at run time: which rule applies to a
 * header, a query parameter, a form field or a JSON value at a concrete
 * path, and whether a body field may be logged. Allocation-free except
 * for the PCRE2 match data of key patterns.
 */
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "config_int.h"

/* One step of a JSON path: a key, an index, or a wildcard. */
typedef struct {
    enum {
        SEG_END,
        SEG_KEY,
        SEG_INDEX,
        SEG_ANY,
        SEG_BAD
    } kind;
    const char *p;
    size_t len;
} seg_t;

static seg_t next_seg(const char **pp, const char *end)
{
    const char *p = *pp;
    seg_t s = {SEG_END, NULL, 0};
    if (p >= end) {
        return s;
    }
    if (*p == '.') {
        const char *q = ++p;
        while (q < end && *q != '.' && *q != '[') {
            q++;
        }
        s.kind = q - p == 1 && *p == '*' ? SEG_ANY : q > p ? SEG_KEY : SEG_BAD;
        s.p = p;
        s.len = (size_t)(q - p);
        *pp = q;
    } else if (*p == '[' && p + 1 < end && p[1] == '\'') {
        const char *q = memchr(p + 2, '\'', (size_t)(end - p - 2));
        if (q == NULL || q + 1 >= end || q[1] != ']') {
            s.kind = SEG_BAD;
            return s;
        }
        s.kind = SEG_KEY;
        s.p = p + 2;
        s.len = (size_t)(q - p - 2);
        *pp = q + 2;
    } else if (*p == '[') {
        const char *q = memchr(p, ']', (size_t)(end - p));
        if (q == NULL) {
            s.kind = SEG_BAD;
            return s;
        }
        s.kind = q - p == 2 && p[1] == '*' ? SEG_ANY : SEG_INDEX;
        s.p = p + 1;
        s.len = (size_t)(q - p - 1);
        *pp = q + 1;
    } else {
        s.kind = SEG_BAD;
    }
    return s;
}

int veil_json_path_match(const char *pattern, const char *path, size_t len)
{
    const char *pe = pattern + strlen(pattern), *end = path + len;
    if (pattern[0] != '$' || len == 0 || path[0] != '$') {
        return 0;
    }
    pattern++;
    path++;
    for (;;) {
        seg_t a = next_seg(&pattern, pe), b = next_seg(&path, end);
        if (a.kind == SEG_BAD || b.kind == SEG_BAD || b.kind == SEG_ANY) {
            return 0;
        }
        if (a.kind == SEG_END || b.kind == SEG_END) {
            return a.kind == b.kind;
        }
        if (a.kind == SEG_ANY) {
            continue;
        }
        if (a.kind != b.kind || a.len != b.len || memcmp(a.p, b.p, a.len) != 0) {
            return 0;
        }
    }
}

/* The last key of a concrete JSON path ("iban" in $.items[2].iban), or
   the whole name when it is no path. */
static void last_key(const char *path, size_t len, const char **key, size_t *klen)
{
    *key = path;
    *klen = len;
    if (len == 0 || path[0] != '$') {
        return;
    }
    const char *p = path + 1, *end = path + len;
    for (;;) {
        seg_t s = next_seg(&p, end);
        if (s.kind == SEG_END || s.kind == SEG_BAD) {
            return;
        }
        if (s.kind == SEG_KEY) {
            *key = s.p;
            *klen = s.len;
        }
    }
}

static int key_matches(const veil_field_rule_t *r, const char *key, size_t len)
{
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    int rc = md ? pcre2_match((const pcre2_code *)r->re, (PCRE2_SPTR)key, len, 0, 0, md, NULL) : -1;
    pcre2_match_data_free(md);
    return rc >= 0;
}

const veil_field_rule_t *veil_policy_field_rule(const veil_policy_dir_t *pd,
                                                veil_field_where_t where, const char *name,
                                                size_t len)
{
    const char *key;
    size_t klen;
    last_key(name, len, &key, &klen);
    /* Rules that name the place exactly come before key patterns. */
    for (size_t i = 0; i < pd->nfields; i++) {
        const veil_field_rule_t *r = &pd->fields[i];
        if (r->where != where) {
            continue;
        }
        size_t rl = strlen(r->name);
        switch (where) {
        case VEIL_FIELD_HEADER:
            if (rl == len && strncasecmp(r->name, name, len) == 0) {
                return r;
            }
            break;
        case VEIL_FIELD_QUERY:
        case VEIL_FIELD_FORM:
            if (rl == len && memcmp(r->name, name, len) == 0) {
                return r;
            }
            break;
        case VEIL_FIELD_JSON:
            if (veil_json_path_match(r->name, name, len)) {
                return r;
            }
            break;
        case VEIL_FIELD_KEY:
            if (r->re && key_matches(r, key, klen)) {
                return r;
            }
            break;
        }
    }
    if (where == VEIL_FIELD_FORM || where == VEIL_FIELD_JSON) {
        for (size_t i = 0; i < pd->nfields; i++) {
            const veil_field_rule_t *r = &pd->fields[i];
            if (r->where == VEIL_FIELD_KEY && r->re && key_matches(r, key, klen)) {
                return r;
            }
        }
    }
    return NULL;
}

int veil_policy_body_field_allowed(const veil_policy_dir_t *pd, const char *path, size_t len)
{
    const char *key;
    size_t klen;
    if (pd->body_log != VEIL_BODY_LOG_ALLOWLIST) {
        return pd->body_log == VEIL_BODY_LOG_REDACTED;
    }
    last_key(path, len, &key, &klen);
    for (size_t i = 0; i < pd->nbody_fields; i++) {
        const char *f = pd->body_fields[i];
        if (f[0] == '$' ? veil_json_path_match(f, path, len)
                        : strlen(f) == klen && memcmp(f, key, klen) == 0) {
            return 1;
        }
    }
    return 0;
}
