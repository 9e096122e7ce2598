/*
 * The columns of a CSV table as keys of its cells (issue 10).
 *
 * A text stream whose first line, or a line after a blank one, is a CSV
 * header that names personal data ("id,first_name,date_of_birth,phone")
 * starts a table: every cell
 * after it gets its column's header as its key, the way a JSON value gets
 * its key (veil__text_set_field). Context then comes from the header as
 * from a key: nine bare digits under "ssn", a date under "date_of_birth",
 * ten digits under "phone" are what their column says, though no word
 * stands before them on their line.
 *
 * The cells are found as the bytes arrive, before the trigger handlers
 * see them (veil__text_run), with RFC 4180's quoting: a separator or a
 * line break inside quotes is the cell's, and "" is a quote. The state
 * carries across feeds, so every chunking gives the same keys. A blank
 * line or a row longer than CSV_LINE_MAX ends the table.
 */
#include <string.h>

#include "engine.h"
#include "simd.h"

#define CSV_HEADER_MAX 150 /* bytes of a header line (< VEIL__LOOKBEHIND) */
#define CSV_LINE_MAX 65536 /* bytes of a row: longer is no table */

static int header_char(unsigned c)
{
    return (c | 0x20) - 'a' < 26u || c - '0' < 10u || c == '_' || c == '-' || c == ' ' ||
           c == '.' || c == '/' || c >= 0x80;
}

/*
 * A header line at buf[ls..e): cells of key characters (1 to 40 bytes, at
 * most three spaces, quotes around allowed), two or more, split by the
 * commonest of ',' ';' TAB '|', and one that names a sensitive field.
 * Sets the columns; returns 1, or 0 when the line is no such header.
 */
static int read_header(struct veil__text *t, size_t ls, size_t e)
{
    struct veil__csvcols *c = &t->csvcols;
    const unsigned char *b = t->buf;
    static const unsigned char seps[] = {',', ';', '\t', '|'};
    size_t count[4] = {0, 0, 0, 0};
    int named = 0;

    if (e > 0 && b[e - 1] == '\r') {
        e--;
    }
    for (size_t i = ls; i < e; i++) {
        for (int k = 0; k < 4; k++) {
            count[k] += b[i] == seps[k];
        }
    }
    int best = 0;
    for (int k = 1; k < 4; k++) {
        best = count[k] > count[best] ? k : best;
    }
    if (count[best] == 0) {
        return 0;
    }
    c->sep = seps[best];
    c->ncols = 0;
    for (size_t p = ls; p <= e;) {
        size_t q = p, spaces = 0;
        while (q < e && b[q] != c->sep) {
            q++;
        }
        size_t a = p, z = q;
        if (z - a >= 2 && b[a] == '"' && b[z - 1] == '"') {
            a++, z--;
        }
        if (z == a || z - a > 40) {
            return 0;
        }
        for (size_t k = a; k < z; k++) {
            if (!header_char(b[k]) || (b[k] == ' ' && ++spaces > 3)) {
                return 0;
            }
        }
        int cls = veil__key_class((const char *)b + a, z - a);
        named |= cls >= 0;
        if (c->ncols < VEIL__CSV_COLS) {
            c->whole[c->ncols] = cls == VEIL_D_NATIONAL_ID || cls == VEIL_D_SECRET_FIELD;
            size_t n = z - a < sizeof(c->head[0]) ? z - a : sizeof(c->head[0]);
            memcpy(c->head[c->ncols], b + a, n);
            c->hlen[c->ncols] = (uint8_t)n;
            c->ncols++;
            c->hmax = c->ncols > c->hmax ? c->ncols : c->hmax;
        }
        p = q + 1;
    }
    return named && c->ncols >= 2;
}

/* The cell that starts at stream offset <at> is in column <col>. */
static void cell_at(struct veil__text *t, uint64_t at, unsigned col)
{
    struct veil__csvcols *c = &t->csvcols;
    if (col < c->ncols) {
        veil__text_field_at(t, at, c->head[col], c->hlen[col], 1);
    } else {
        veil__text_field_at(t, at, NULL, 0, 1);
    }
}

/*
 * The cell at buffer [s, e) ends: in a column whose header names an
 * identity document or a secret ("national_id", "password"), the cell is
 * a finding whole, as a JSON value under such a key is (an id needs a
 * digit: "n/a" is none). Only cells of at most CELL_WHOLE_MAX bytes: the
 * finding then starts after what earlier runs have emitted (a cell ends
 * in bytes that just arrived, and the layer emits VEIL__EMIT_LAG bytes
 * behind its scan).
 */
#define CELL_WHOLE_MAX 100
static void cell_end(struct veil__text *t, uint64_t start, size_t e)
{
    struct veil__csvcols *c = &t->csvcols;
    const unsigned char *b = t->buf;
    int det = VEIL_D_SECRET_FIELD, digit = 0;

    /* A cell that started before the buffer's first byte is longer than
       the layer keeps behind its scan: far longer than CELL_WHOLE_MAX. */
    if (c->col >= c->ncols || !c->whole[c->col] || start < t->base ||
        t->base + e - start > CELL_WHOLE_MAX + 3) {
        return;
    }
    size_t s = (size_t)(start - t->base);
    if (e > s && b[e - 1] == '\r') {
        e--;
    }
    if (e - s >= 2 && b[s] == '"' && b[e - 1] == '"') {
        s++, e--;
    }
    if (e == s || e - s > CELL_WHOLE_MAX || veil__value_is_mask((const char *)b + s, e - s, 0)) {
        return;
    }
    if (veil__key_class(c->head[c->col], c->hlen[c->col]) == VEIL_D_NATIONAL_ID) {
        det = VEIL_D_NATIONAL_ID;
        for (size_t k = s; k < e && !digit; k++) {
            digit = (unsigned)(b[k] - '0') < 10u;
        }
        if (!digit) {
            return;
        }
    }
    veil__text_report(t, s, e, det, VEIL_CONF_HIGH, VEIL_FIND_FIELD);
}

/* The rows from buffer index <i>: each cell gets its column's key. Returns
   where it stopped: the buffer's end, a quote that may be the first of
   "" (not yet known), or the end of the table (state no longer ON). */
static size_t read_rows(struct veil__text *t, size_t i, int final)
{
    struct veil__csvcols *c = &t->csvcols;
    const unsigned char *b = t->buf;
    size_t n = t->len;

    while (i < n) {
        unsigned char ch = b[i];
        if (c->quoted) {
            if (ch == '"') {
                if (i + 1 == n && !final) {
                    return i; /* a quote that may be the first of "" */
                }
                if (i + 1 < n && b[i + 1] == '"') {
                    i += 2;
                    continue;
                }
                c->quoted = 0;
            }
            i++;
            continue;
        }
        if (ch == '"' && t->base + i == c->cell_start) {
            c->quoted = 1;
        } else if (ch == c->sep) {
            cell_end(t, c->cell_start, i);
            c->col++;
            c->cell_start = t->base + i + 1;
            cell_at(t, c->cell_start, c->col);
        } else if (ch == '\n') {
            uint64_t next = t->base + i + 1;
            cell_end(t, c->cell_start, i);
            /* A blank line, or a row too long: the table has ended. */
            if (next - c->row_start <= 2 || next - c->row_start > CSV_LINE_MAX) {
                veil__text_field_at(t, next, NULL, 0, 1);
                c->state = VEIL__CSV_IDLE;
                c->line_start = next;
                c->candidate = 1; /* another table may follow */
                return i + 1;
            }
            c->row_start = next;
            c->col = 0;
            c->cell_start = next;
            cell_at(t, next, 0);
        }
        i++;
    }
    return i;
}

/* Outside a table: the line after a blank line (or the stream's first)
   may be a header. Returns where it stopped: the buffer's end, a header
   line's end (state ON), or a candidate line not yet whole. */
static size_t read_lines(struct veil__text *t, size_t i, int final)
{
    struct veil__csvcols *c = &t->csvcols;
    const unsigned char *b = t->buf;
    size_t n = t->len;

    while (i < n) {
        const unsigned char *nl = memchr(b + i, '\n', n - i);
        size_t ls = (size_t)(c->line_start - t->base);
        if (nl == NULL) {
            /* A candidate longer than a header is none; a shorter one
               waits for its end (CSV_HEADER_MAX keeps it in the buffer:
               compaction leaves VEIL__LOOKBEHIND bytes before the scan). */
            if (c->candidate && (n - ls > CSV_HEADER_MAX || final)) {
                c->candidate = 0;
            }
            return n;
        }
        size_t e = (size_t)(nl - b), len = e - ls;
        int blank = len == 0 || (len == 1 && b[ls] == '\r');
        if (c->candidate && !blank && len <= CSV_HEADER_MAX && read_header(t, ls, e)) {
            c->state = VEIL__CSV_ON;
            c->row_start = c->cell_start = t->base + e + 1;
            c->col = 0;
            c->quoted = 0;
            cell_at(t, c->cell_start, 0);
            return e + 1;
        }
        c->candidate = blank;
        c->line_start = t->base + e + 1;
        i = e + 1;
        if (!blank) {
            /* No line but the one after a blank line can be a header: on
               to the newline before the next blank line or, without one,
               to the last newline (most text is lines between blank
               lines, and a memchr() per line cost more than the rest). */
            size_t p = t->k->next_blank(b, e, n);
            if (p == n) {
                p = (size_t)((const unsigned char *)memrchr(b + e, '\n', n - e) - b);
            }
            c->line_start = t->base + p + 1;
            i = p + 1;
        }
    }
    return i;
}

void veil__csv_columns_run(struct veil__text *t, int final)
{
    struct veil__csvcols *c = &t->csvcols;

    if (c->state == VEIL__CSV_OFF || t->error) {
        return;
    }
    if (t->walked) {
        c->state = VEIL__CSV_OFF; /* a JSON, form, XML or multipart body */
        return;
    }
    if (c->state == VEIL__CSV_UNDECIDED && t->len == 0) {
        return; /* a walker sets its first key before its first value */
    }
    if (c->state == VEIL__CSV_UNDECIDED) {
        /* Only a plain text stream, from its first byte: a walker's
           values come with keys of their own. */
        if (t->base != 0 || t->fields_used != 0 || t->nfields != 0) {
            c->state = VEIL__CSV_OFF;
            return;
        }
        c->state = VEIL__CSV_IDLE;
        c->candidate = 1;
        c->line_start = c->at = 0;
    }
    size_t i = (size_t)(c->at - t->base);
    while (i < t->len) {
        size_t r = c->state == VEIL__CSV_ON ? read_rows(t, i, final) : read_lines(t, i, final);
        if (r == i) {
            break; /* waits for more */
        }
        i = r;
    }
    c->at = t->base + i;
    /* The stream's last cell, with no line break after it. */
    if (final && c->state == VEIL__CSV_ON && !c->quoted && c->cell_start < t->base + t->len &&
        c->cell_start >= t->base) {
        cell_end(t, c->cell_start, t->len);
        c->cell_start = t->base + t->len;
    }
}
