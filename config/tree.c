/*
 * YAML into a tree of nodes that remember their line and column, with
 * ${VAR} substitution in scalars; the arena the tree and the config live
 * in; diagnostics and "did you mean" suggestions.
 *
 * Anchors and aliases are refused: a config has no use for them, and they
 * are how a small YAML file expands into a huge tree ("billion laughs").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config_int.h"

#define MAX_DEPTH 64
#define MAX_NODES 200000

struct veil__arena_block {
    veil__arena_block_t *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

void *veil__arena_alloc(veil__arena_t *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    veil__arena_block_t *b = a->head;
    if (b == NULL || b->cap - b->used < size) {
        size_t cap = size > 16384 ? size : 16384;
        b = calloc(1, sizeof(*b) + cap);
        if (b == NULL) {
            return NULL;
        }
        b->cap = cap;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += size;
    return p;
}

char *veil__arena_strndup(veil__arena_t *a, const char *s, size_t len)
{
    char *p = veil__arena_alloc(a, len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

void veil__arena_free(veil__arena_t *a)
{
    /* Env values and key material live here: wipe before freeing. */
    for (veil__arena_block_t *b = a->head, *next; b; b = next) {
        next = b->next;
        volatile unsigned char *p = b->data;
        for (size_t i = 0; i < b->used; i++) {
            p[i] = 0;
        }
        free(b);
    }
    a->head = NULL;
}

struct veil__diag_msg {
    unsigned line, col;
    veil_diag_level_t level;
    char *text;
};

/* A message may quote a value ("no policy 'x'"); one that came from the
   environment may be a secret, so it is replaced wherever it appears. */
static void mask_env_values(veil__diag_t *d, char *msg, size_t cap)
{
    static const char mask[] = "(value from the environment)";
    if (d->cfg == NULL) {
        return;
    }
    for (size_t i = 0; i < d->cfg->nsecrets; i++) {
        const char *v = d->cfg->secrets[i].value;
        size_t vl = strlen(v), ml = sizeof(mask) - 1;
        char *at, *from = msg;
        if (vl == 0) {
            continue;
        }
        /* Search on after each mask: the value may occur inside it. */
        while ((at = strstr(from, v)) != NULL) {
            size_t tail = strlen(at + vl);
            if ((size_t)(at - msg) + ml + tail + 1 > cap) {
                *at = '\0'; /* no room: cut the message here */
                break;
            }
            memmove(at + ml, at + vl, tail + 1);
            memcpy(at, mask, ml);
            from = at + ml;
        }
    }
}

void veil__diag(veil__diag_t *d, veil_diag_level_t level, unsigned line, unsigned col,
                const char *key, const char *fmt, ...)
{
    char reason[512], msg[1024];
    va_list ap;

    if (level == VEIL_DIAG_ERROR) {
        d->errors++;
    } else {
        d->warnings++;
    }
    if (d->cb == NULL) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    mask_env_values(d, reason, sizeof(reason));
    if (line == 0) { /* about the file itself: no position */
        snprintf(msg, sizeof(msg), "%s: %s: %s", d->file, key, reason);
    } else {
        snprintf(msg, sizeof(msg), "%s:%u:%u: %s: %s", d->file, line, col, key, reason);
    }
    if (d->nmsgs == d->capmsgs) {
        size_t cap = d->capmsgs ? d->capmsgs * 2 : 16;
        veil__diag_msg_t *n = realloc(d->msgs, cap * sizeof(*n));
        if (n == NULL) {
            d->cb(d->ud, level, msg); /* out of order beats lost */
            return;
        }
        d->msgs = n;
        d->capmsgs = cap;
    }
    veil__diag_msg_t *m = &d->msgs[d->nmsgs];
    m->line = line;
    m->col = col;
    m->level = level;
    m->text = strdup(msg);
    if (m->text == NULL) {
        d->cb(d->ud, level, msg);
        return;
    }
    d->nmsgs++;
}

void veil__diag_flush(veil__diag_t *d)
{
    /* Insertion sort by position: stable, and there are few messages. */
    for (size_t i = 1; i < d->nmsgs; i++) {
        veil__diag_msg_t m = d->msgs[i];
        size_t j = i;
        while (j > 0 && (d->msgs[j - 1].line > m.line ||
                         (d->msgs[j - 1].line == m.line && d->msgs[j - 1].col > m.col))) {
            d->msgs[j] = d->msgs[j - 1];
            j--;
        }
        d->msgs[j] = m;
    }
    for (size_t i = 0; i < d->nmsgs; i++) {
        d->cb(d->ud, d->msgs[i].level, d->msgs[i].text);
        free(d->msgs[i].text);
    }
    free(d->msgs);
    d->msgs = NULL;
    d->nmsgs = d->capmsgs = 0;
}

/* Levenshtein distance with adjacent transpositions counted as one edit
   (optimal string alignment): "mdoe" is one typo away from "mode". */
size_t veil__levenshtein(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    static _Thread_local size_t m[65][65];

    if (la > 64 || lb > 64) {
        return (size_t)-1;
    }
    for (size_t i = 0; i <= la; i++) {
        m[i][0] = i;
    }
    for (size_t j = 0; j <= lb; j++) {
        m[0][j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t best = m[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (m[i - 1][j] + 1 < best) {
                best = m[i - 1][j] + 1;
            }
            if (m[i][j - 1] + 1 < best) {
                best = m[i][j - 1] + 1;
            }
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                m[i - 2][j - 2] + 1 < best) {
                best = m[i - 2][j - 2] + 1;
            }
            m[i][j] = best;
        }
    }
    return m[la][lb];
}

const char *veil__suggest(const char *word, const char *const *cand, size_t n)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    size_t len = strlen(word);
    /* A typo is at most a third of the word (and at least one edit). */
    size_t limit = len / 3 > 1 ? len / 3 : 1;

    if (limit > 3) {
        limit = 3;
    }
    for (size_t i = 0; i < n; i++) {
        size_t dist = veil__levenshtein(word, cand[i]);
        if (dist < best_d) {
            best_d = dist;
            best = cand[i];
        }
    }
    return best_d <= limit ? best : NULL;
}

const veil__node_t *veil__map_get(const veil__node_t *map, const char *key)
{
    if (map == NULL || map->kind != VEIL__N_MAP) {
        return NULL;
    }
    for (size_t i = 0; i < map->count; i++) {
        if (strcmp(map->keys[i]->str, key) == 0) {
            return map->items[i];
        }
    }
    return NULL;
}

typedef struct {
    yaml_parser_t parser;
    veil__arena_t *arena;
    veil__diag_t *diag;
    size_t nodes;
} parse_t;

static int next_event(parse_t *p, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&p->parser, ev)) {
        yaml_mark_t m = p->parser.problem_mark;
        veil__diag(p->diag, VEIL_DIAG_ERROR, (unsigned)m.line + 1, (unsigned)m.column + 1, "yaml",
                   "%s", p->parser.problem ? p->parser.problem : "syntax error");
        return -1;
    }
    return 0;
}

/*
 * substitute(): ${NAME} and ${NAME:-default} from the environment; $$ is
 * a literal $. An unset variable without a default is an error at the
 * value's position (the name is not a secret; the value would be).
 */
static int substitute(parse_t *p, veil__node_t *n, const char *s, size_t len)
{
    if (memchr(s, '$', len) == NULL) {
        n->str = veil__arena_strndup(p->arena, s, len);
        n->len = len;
        return n->str ? 0 : -1;
    }
    size_t cap = len + 1, out = 0;
    char *buf = malloc(cap);
    int used_env = 0, rc = 0;
    if (buf == NULL) {
        return -1;
    }
    for (size_t i = 0; i < len && rc == 0;) {
        const char *add = s + i;
        size_t addlen = 1;
        if (s[i] == '$' && i + 1 < len && s[i + 1] == '$') {
            addlen = 1;
            i += 2;
        } else if (s[i] == '$' && i + 1 < len && s[i + 1] == '{') {
            const char *end = memchr(s + i + 2, '}', len - i - 2);
            if (end == NULL) {
                veil__diag(p->diag, VEIL_DIAG_ERROR, n->line, n->col, "${}",
                           "unterminated ${ in value");
                rc = -1;
                break;
            }
            const char *name = s + i + 2;
            size_t nlen = (size_t)(end - name);
            const char *dflt = NULL;
            size_t dlen = 0;
            for (size_t k = 0; k + 1 < nlen; k++) {
                if (name[k] == ':' && name[k + 1] == '-') {
                    dflt = name + k + 2;
                    dlen = nlen - k - 2;
                    nlen = k;
                    break;
                }
            }
            int valid = nlen > 0 && nlen < 128 && !(name[0] >= '0' && name[0] <= '9');
            for (size_t k = 0; valid && k < nlen; k++) {
                char c = name[k];
                valid = c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9');
            }
            char var[128];
            if (!valid) {
                veil__diag(p->diag, VEIL_DIAG_ERROR, n->line, n->col, "${}",
                           "invalid environment variable name in ${...}");
                rc = -1;
                break;
            }
            memcpy(var, name, nlen);
            var[nlen] = '\0';
            const char *val = getenv(var);
            if (val == NULL && dflt == NULL) {
                veil__diag(p->diag, VEIL_DIAG_ERROR, n->line, n->col, var,
                           "environment variable is not set (use ${%s:-default})", var);
                rc = -1;
                break;
            }
            if (val != NULL && dflt != NULL && *val == '\0') {
                val = NULL; /* as in the shell: ${VAR:-x} also covers an empty VAR */
            }
            if (val != NULL) {
                add = val;
                addlen = strlen(val);
                used_env = 1;
            } else {
                add = dflt;
                addlen = dlen;
            }
            i = (size_t)(end - s) + 1;
        } else {
            i++;
        }
        if (out + addlen + 1 > cap) {
            size_t ncap = (out + addlen + 1) * 2;
            char *nb = realloc(buf, ncap);
            if (nb == NULL) {
                rc = -1;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        memcpy(buf + out, add, addlen);
        out += addlen;
    }
    if (rc == 0) {
        n->str = veil__arena_strndup(p->arena, buf, out);
        n->len = out;
        if (used_env) {
            n->env_ref = veil__arena_strndup(p->arena, s, len);
        }
        rc = n->str ? 0 : -1;
    }
    /* The buffer may hold an env value. */
    memset(buf, 0, cap);
    free(buf);
    return rc;
}

static veil__node_t *parse_node(parse_t *p, yaml_event_t *ev, int depth);

static int push(parse_t *p, veil__node_t ***arr, size_t count, size_t *cap, veil__node_t *n)
{
    if (count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        veil__node_t **na = veil__arena_alloc(p->arena, ncap * sizeof(*na));
        if (na == NULL) {
            return -1;
        }
        if (count) {
            memcpy(na, *arr, count * sizeof(*na));
        }
        *arr = na;
        *cap = ncap;
    }
    (*arr)[count] = n;
    return 0;
}

static veil__node_t *parse_collection(parse_t *p, veil__node_t *n, int depth)
{
    yaml_event_type_t end =
        n->kind == VEIL__N_MAP ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
    size_t kcap = 0, icap = 0;
    for (;;) {
        yaml_event_t ev;
        if (next_event(p, &ev) != 0) {
            return NULL;
        }
        if (ev.type == end) {
            yaml_event_delete(&ev);
            return n;
        }
        veil__node_t *child = parse_node(p, &ev, depth + 1);
        yaml_event_delete(&ev);
        if (child == NULL) {
            return NULL;
        }
        if (n->kind == VEIL__N_MAP) {
            if (child->kind != VEIL__N_SCALAR) {
                veil__err_at(p->diag, child, "yaml", "a key must be a plain string");
                return NULL;
            }
            for (size_t i = 0; i < n->count; i++) {
                if (strcmp(n->keys[i]->str, child->str) == 0) {
                    veil__err_at(p->diag, child, child->str, "duplicate key (first at line %u)",
                                 n->keys[i]->line);
                    return NULL;
                }
            }
            if (push(p, &n->keys, n->count, &kcap, child) != 0) {
                return NULL;
            }
            if (next_event(p, &ev) != 0) {
                return NULL;
            }
            veil__node_t *val = parse_node(p, &ev, depth + 1);
            yaml_event_delete(&ev);
            if (val == NULL) {
                return NULL;
            }
            child = val;
        }
        if (push(p, &n->items, n->count, &icap, child) != 0) {
            return NULL;
        }
        n->count++;
    }
}

static veil__node_t *parse_node(parse_t *p, yaml_event_t *ev, int depth)
{
    if (++p->nodes > MAX_NODES) {
        veil__diag(p->diag, VEIL_DIAG_ERROR, (unsigned)ev->start_mark.line + 1,
                   (unsigned)ev->start_mark.column + 1, "yaml", "too many nodes");
        return NULL;
    }
    veil__node_t *n = veil__arena_alloc(p->arena, sizeof(*n));
    if (n == NULL) {
        return NULL;
    }
    n->line = (unsigned)ev->start_mark.line + 1;
    n->col = (unsigned)ev->start_mark.column + 1;
    if (depth > MAX_DEPTH) {
        veil__err_at(p->diag, n, "yaml", "nested more than %d levels", MAX_DEPTH);
        return NULL;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        if (ev->data.scalar.anchor) {
            break;
        }
        n->kind = VEIL__N_SCALAR;
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        return substitute(p, n, (const char *)ev->data.scalar.value, ev->data.scalar.length) ? NULL
                                                                                             : n;
    case YAML_MAPPING_START_EVENT:
        if (ev->data.mapping_start.anchor) {
            break;
        }
        n->kind = VEIL__N_MAP;
        return parse_collection(p, n, depth);
    case YAML_SEQUENCE_START_EVENT:
        if (ev->data.sequence_start.anchor) {
            break;
        }
        n->kind = VEIL__N_SEQ;
        return parse_collection(p, n, depth);
    case YAML_ALIAS_EVENT:
        break;
    default:
        veil__err_at(p->diag, n, "yaml", "unexpected YAML event");
        return NULL;
    }
    veil__err_at(p->diag, n, "yaml", "anchors and aliases are not supported");
    return NULL;
}

veil__node_t *veil__yaml_parse(veil__arena_t *a, const char *text, size_t len, veil__diag_t *d)
{
    parse_t p = {.arena = a, .diag = d};
    veil__node_t *root = NULL;
    yaml_event_t ev;
    int state = 0; /* 0: before the document, 1: got root, 2: done */

    if (!yaml_parser_initialize(&p.parser)) {
        veil__diag(d, VEIL_DIAG_ERROR, 1, 1, "yaml", "out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&p.parser, (const unsigned char *)text, len);
    for (;;) {
        if (next_event(&p, &ev) != 0) {
            root = NULL;
            break;
        }
        yaml_event_type_t t = ev.type;
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_STREAM_START_EVENT || t == YAML_DOCUMENT_END_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        if (t == YAML_DOCUMENT_START_EVENT) {
            if (state != 0) {
                veil__diag(d, VEIL_DIAG_ERROR, (unsigned)ev.start_mark.line + 1,
                           (unsigned)ev.start_mark.column + 1, "yaml",
                           "only one YAML document is allowed");
                yaml_event_delete(&ev);
                root = NULL;
                break;
            }
            state = 1;
            yaml_event_delete(&ev);
            continue;
        }
        root = parse_node(&p, &ev, 0);
        yaml_event_delete(&ev);
        if (root == NULL) {
            break;
        }
        state = 1;
    }
    yaml_parser_delete(&p.parser);
    if (root == NULL && d->errors == 0) {
        /* An empty file: an empty map, i.e. every default. */
        root = veil__arena_alloc(a, sizeof(*root));
        if (root) {
            root->kind = VEIL__N_MAP;
            root->line = root->col = 1;
        }
    }
    return d->errors ? NULL : root;
}
