/*
 * A small JSON reader for the report: parses a whole document into a tree
 * (objects keep their key order). Only what `veil report` reads: a /stats
 * document from the admin listener or a file, bounded in depth and size.
 */
#ifndef VEIL_PROXY_REPORT_JSON_H
#define VEIL_PROXY_REPORT_JSON_H

#include <stddef.h>
#include <stdint.h>

enum {
    VEIL__J_NULL,
    VEIL__J_BOOL,
    VEIL__J_NUM,
    VEIL__J_STR,
    VEIL__J_ARR,
    VEIL__J_OBJ
};

typedef struct veil__jv veil__jv_t;
struct veil__jv {
    int type;
    double num;        /* NUM, BOOL (0/1) */
    char *str;         /* STR: decoded UTF-8, NUL-terminated */
    veil__jv_t *items; /* ARR, OBJ: n values */
    char **keys;       /* OBJ: n keys */
    size_t n;
};

/* veil__json_parse(): parses <len> bytes into <out>; returns 0, or -1
   with a reason (an offset, never document bytes) in <err>. */
int veil__json_parse(const char *s, size_t len, veil__jv_t *out, char *err, size_t errlen);
void veil__json_free(veil__jv_t *v);
/* Member <key> of an object, or NULL. */
const veil__jv_t *veil__json_get(const veil__jv_t *obj, const char *key);
/* Shorthands with defaults when absent or of another type. */
double veil__json_num(const veil__jv_t *obj, const char *key, double dflt);
const char *veil__json_str(const veil__jv_t *obj, const char *key, const char *dflt);

#endif
