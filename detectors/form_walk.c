/*
 * An incremental walker for application/x-www-form-urlencoded bodies and
 * query strings: pairs separated by '&' (or line breaks, so a file of one
 * body per line works), keys and values percent-decoded ('+' is a space)
 * before detection. Keys are scanned too; each value is scanned with its
 * key as context, or is one finding when the key is sensitive.
 *
 * Two levels of percent-encoding are read: a '%' that came from %25 and
 * is followed by two hex digits (plain or themselves encoded) is one
 * character, %2540 and %25%34%30 are '@'. Values encoded twice (by a
 * client that encodes an already encoded string, or to slip past a
 * filter) are read as what a server that decodes twice would see; a
 * finding covers all the raw bytes of the sequence.
 */
#include <string.h>

#include "scanner.h"

enum {
    F_KEY = 0,
    F_VALUE = 1
};

static int hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int is_pair_end(int c)
{
    return c == '&' || c == '\n' || c == '\r';
}

static void key_open(struct veil_scanner *s, uint64_t raw)
{
    s->key_len = 0;
    s->in_key = 1;
    s->value_raw = raw;
    veil__scan_begin(s, NULL, 0);
}

static void emit_bytes(struct veil_scanner *s, const char *dec, size_t len, uint64_t raw)
{
    if (s->in_key) {
        size_t room = sizeof(s->key) - s->key_len;
        memcpy(s->key + s->key_len, dec, len < room ? len : room);
        s->key_len += len < room ? len : room;
        veil__scan_plain(s, dec, len, raw);
    } else {
        veil__value_bytes(s, dec, len, raw);
    }
}

static void emit_escape(struct veil_scanner *s, char c, uint64_t raw, uint32_t rlen)
{
    if (s->in_key) {
        if (s->key_len < sizeof(s->key)) {
            s->key[s->key_len++] = c;
        }
        veil__scan_escape(s, &c, 1, raw, rlen);
    } else {
        veil__value_escape(s, &c, 1, raw, rlen);
    }
}

static void emit_char(struct veil_scanner *s, char c, uint64_t raw, uint32_t rlen);

/* The '%' from %25 and what was held after it turn out not to start a
   second level: they go on as decoded. */
static void pct2_release(struct veil_scanner *s)
{
    int held = s->pct2 - 1;
    s->pct2 = 0;
    emit_escape(s, '%', s->pct2_start, 3);
    for (int k = 0; k < held; k++) {
        emit_char(s, s->pct2_held[k].c, s->pct2_held[k].raw, s->pct2_held[k].rlen);
    }
}

/* One decoded character: <rlen> raw bytes from <raw> (1: itself; 3: a
   %XX). */
static void emit_char(struct veil_scanner *s, char c, uint64_t raw, uint32_t rlen)
{
    if (s->pct2) {
        if (hexval((unsigned char)c) >= 0) {
            int held = s->pct2 - 1;
            if (held == 1) {
                char v = (char)(hexval((unsigned char)s->pct2_held[0].c) << 4 |
                                hexval((unsigned char)c));
                s->pct2 = 0;
                emit_escape(s, v, s->pct2_start, (uint32_t)(raw + rlen - s->pct2_start));
                return;
            }
            s->pct2_held[0].c = c;
            s->pct2_held[0].raw = raw;
            s->pct2_held[0].rlen = rlen;
            s->pct2 = 2;
            return;
        }
        pct2_release(s);
    }
    if (c == '%' && rlen == 3) {
        s->pct2 = 1;
        s->pct2_start = raw;
        return;
    }
    if (rlen == 1) {
        emit_bytes(s, &c, 1, raw);
    } else {
        emit_escape(s, c, raw, rlen);
    }
}

/* Plain bytes: one by one while a second level may be pending. */
static void emit_run(struct veil_scanner *s, const char *p, size_t len, uint64_t raw)
{
    size_t k = 0;
    while (k < len && s->pct2) {
        emit_char(s, p[k], raw + k, 1);
        k++;
    }
    if (k < len) {
        emit_bytes(s, p + k, len - k, raw + k);
    }
}

/* A '%' not followed by two hex digits is kept as it is. */
static void pct_abandon(struct veil_scanner *s)
{
    emit_char(s, '%', s->esc_start, 1);
    if (s->pct == 2) {
        char h = "0123456789ABCDEF"[s->pct_val >> 4];
        emit_char(s, h, s->esc_start + 1, 1);
    }
    s->pct = 0;
}

/* The end of a key or value: nothing pending crosses it. */
static void flush_pending(struct veil_scanner *s)
{
    if (s->pct) {
        pct_abandon(s);
    }
    if (s->pct2) {
        pct2_release(s);
    }
}

static void pair_end(struct veil_scanner *s, uint64_t raw)
{
    flush_pending(s);
    if (s->in_key) {
        veil__scan_end(s);
        s->in_key = 0;
    } else {
        veil__value_close(s, raw, 0);
    }
    s->state = F_KEY;
    s->value_raw = UINT64_MAX;
}

int veil__form_feed(struct veil_scanner *s, const unsigned char *p, size_t len)
{
    const uint64_t base = s->raw_pos;
    size_t i = 0;

    if (!s->form_started) {
        s->form_started = 1;
        key_open(s, base);
    }
    while (i < len && s->error == 0) {
        int c = p[i];
        uint64_t raw = base + i;

        if (s->pct) {
            int h = hexval(c);
            if (h < 0) {
                pct_abandon(s);
                continue; /* this byte again */
            }
            if (s->pct == 1) {
                s->pct_val = (unsigned char)(h << 4);
                s->pct = 2;
            } else {
                s->pct = 0;
                emit_char(s, (char)(s->pct_val | h), s->esc_start, 3);
            }
            i++;
            continue;
        }
        if (is_pair_end(c)) {
            pair_end(s, raw);
            key_open(s, raw + 1);
            i++;
            continue;
        }
        if (c == '=' && s->in_key) {
            flush_pending(s);
            veil__scan_end(s);
            s->in_key = 0;
            s->state = F_VALUE;
            int action = -1;
            if (s->field_cb != NULL && s->key_len > 0 && s->key_len < sizeof(s->key)) {
                action = s->field_cb(s->field_ud, VEIL_PLACE_FORM, s->key, s->key_len);
            }
            if (action >= 0) {
                veil__value_open_rule(s, action, raw + 1);
            } else {
                veil__value_open(s, s->key, s->key_len, 0, raw + 1);
            }
            i++;
            continue;
        }
        if (c == '%') {
            s->pct = 1;
            s->esc_start = raw;
            i++;
            continue;
        }
        if (c == '+') {
            emit_char(s, ' ', raw, 1);
            i++;
            continue;
        }
        size_t q = i;
        while (q < len && p[q] != '%' && p[q] != '+' && !is_pair_end(p[q]) &&
               !(p[q] == '=' && s->in_key)) {
            q++;
        }
        emit_run(s, (const char *)p + i, q - i, raw);
        i = q;
    }
    s->raw_pos = base + len;
    veil__text_run(&s->text);
    return s->error;
}

void veil__form_finish(struct veil_scanner *s)
{
    if (s->in_key || s->state == F_VALUE) {
        pair_end(s, s->raw_pos);
    }
}

void veil__form_begin(struct veil_scanner *s)
{
    s->state = F_KEY;
    s->in_key = 0;
    s->pct = 0;
    s->form_started = 0;
    s->mode = V_SCAN;
    s->hold = UINT64_MAX;
}
