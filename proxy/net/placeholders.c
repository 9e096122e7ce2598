/*
 * The per-exchange placeholder map and the streaming restorer
 * (placeholders.h).
 *
 * A placeholder is '[' LABEL '_' N ']': LABEL is [A-Z][A-Z0-9_]* (the
 * detector's label: EMAIL, CREDIT_CARD, US_SSN), N a decimal number from
 * 1 without leading zeros. The restorer copies everything else as it
 * comes; at a '[' it holds the bytes back while they can still be a
 * placeholder, and at the ']' looks it up: a known one is replaced by its
 * value, anything else goes out unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "placeholders.h"

typedef struct entry {
    char label[65];
    uint32_t num;
    char *val;
    size_t len;
} entry_t;

struct veil__phmap {
    entry_t *e;
    size_t n, cap;
};


veil__phmap_t *veil__ph_new(void)
{
    return calloc(1, sizeof(veil__phmap_t));
}


void veil__ph_free(veil__phmap_t *m)
{
    if (m == NULL) {
        return;
    }
    for (size_t i = 0; i < m->n; i++) {
        if (m->e[i].val != NULL) {
            explicit_bzero(m->e[i].val, m->e[i].len);
            free(m->e[i].val);
        }
    }
    free(m->e);
    free(m);
}


size_t veil__ph_count(const veil__phmap_t *m)
{
    return m ? m->n : 0;
}


static int label_ok(const char *label, size_t n)
{
    if (n == 0 || n > 64 || label[0] < 'A' || label[0] > 'Z') {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char c = label[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
            return 0;
        }
    }
    return 1;
}


long veil__ph_issue(veil__phmap_t *m, const char *label, const char *raw, size_t len, char *out,
                    size_t cap)
{
    size_t ll = strlen(label), i;
    uint32_t last = 0;
    entry_t *e = NULL;
    int n;

    if (m == NULL || !label_ok(label, ll)) {
        return -1;
    }
    for (i = 0; i < m->n; i++) {
        if (strcmp(m->e[i].label, label) != 0) {
            continue;
        }
        last = m->e[i].num;
        if (m->e[i].len == len && memcmp(m->e[i].val, raw, len) == 0) {
            e = &m->e[i];
            break;
        }
    }
    if (e == NULL) {
        if (m->n == VEIL__PH_MAX_ENTRIES || last >= 999999) {
            return -1;
        }
        if (m->n == m->cap) {
            size_t nc = m->cap ? m->cap * 2 : 8;
            entry_t *ne = realloc(m->e, nc * sizeof(*ne));
            if (ne == NULL) {
                return -1;
            }
            m->e = ne;
            m->cap = nc;
        }
        e = &m->e[m->n];
        e->val = malloc(len ? len : 1);
        if (e->val == NULL) {
            return -1;
        }
        memcpy(e->label, label, ll + 1);
        e->num = last + 1;
        if (len > 0) {
            memcpy(e->val, raw, len);
        }
        e->len = len;
        m->n++;
    }
    n = snprintf(out, cap, "[%s_%u]", e->label, (unsigned)e->num);
    return n < 0 || (size_t)n >= cap ? -1 : n;
}


/* The entry a complete placeholder "[LABEL_N]" (<p>, <n> bytes) names. */
static const entry_t *lookup(const veil__phmap_t *m, const char *p, size_t n, int *shaped)
{
    size_t us = 0, i;
    uint32_t num = 0;

    *shaped = 0;
    if (n < 5 || p[0] != '[' || p[n - 1] != ']') {
        return NULL;
    }
    for (i = n - 2; i > 1; i--) {
        if (p[i] == '_') {
            us = i;
            break;
        }
    }
    if (us == 0 || us + 2 > n - 1 || p[us + 1] == '0' || n - 2 - us > 6 ||
        !label_ok(p + 1, us - 1)) {
        return NULL;
    }
    for (i = us + 1; i < n - 1; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return NULL;
        }
        num = num * 10 + (uint32_t)(p[i] - '0');
    }
    *shaped = 1;
    for (i = 0; m != NULL && i < m->n; i++) {
        const entry_t *e = &m->e[i];
        if (e->num == num && strlen(e->label) == us - 1 && memcmp(e->label, p + 1, us - 1) == 0) {
            return e;
        }
    }
    return NULL;
}


void veil__ph_restorer_init(veil__ph_restorer_t *r, const veil__phmap_t *m)
{
    memset(r, 0, sizeof(*r));
    r->m = m;
}


static int placeholder_byte(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}


/* Hands on the held bytes unchanged. */
static int flush_pending(veil__ph_restorer_t *r, veil__ph_emit_fn emit, void *ud)
{
    int rc = r->npend ? emit(ud, r->pend, r->npend) : 0;
    r->npend = 0;
    return rc;
}


int veil__ph_restore(veil__ph_restorer_t *r, const char *data, size_t len, veil__ph_emit_fn emit,
                     void *ud)
{
    size_t i = 0;

    while (i < len) {
        if (r->npend == 0) {
            /* Plain bytes up to the next '[' go out in one piece. */
            const char *b = memchr(data + i, '[', len - i);
            size_t run = b ? (size_t)(b - (data + i)) : len - i;

            if (run > 0 && emit(ud, data + i, run) != 0) {
                return -1;
            }
            i += run;
            if (b == NULL) {
                break;
            }
            r->pend[r->npend++] = '[';
            i++;
            continue;
        }
        char c = data[i];
        if (c == ']') {
            int shaped;
            const entry_t *e;

            r->pend[r->npend++] = ']';
            e = lookup(r->m, r->pend, r->npend, &shaped);
            i++;
            if (e != NULL) {
                r->npend = 0;
                r->restored++;
                if (e->len > 0 && emit(ud, e->val, e->len) != 0) {
                    return -1;
                }
                continue;
            }
            r->unknown += (uint64_t)shaped;
            if (flush_pending(r, emit, ud) != 0) {
                return -1;
            }
            continue;
        }
        if (placeholder_byte(c) && r->npend < VEIL__PH_MAX - 1) {
            r->pend[r->npend++] = c;
            i++;
            continue;
        }
        /* Not a placeholder after all: the held bytes go out, and this
           byte is read again (it may open one: "[[EMAIL_1]"). */
        if (flush_pending(r, emit, ud) != 0) {
            return -1;
        }
    }
    return 0;
}


int veil__ph_restore_finish(veil__ph_restorer_t *r, veil__ph_emit_fn emit, void *ud)
{
    return flush_pending(r, emit, ud);
}
