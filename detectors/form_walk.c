/*
 * An incremental walker for application/x-www-form-urlencoded bodies and
 * query strings: pairs separated by '&' (or line breaks, so a file of one
 * body per line works), keys and values percent-decoded ('+' is a space)
 * before detection. Keys are scanned too; each value is scanned with its
 * key as context, or is one finding when the key is sensitive.
 */
#include <string.h>

#include "scanner.h"

enum { F_KEY = 0, F_VALUE = 1 };

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

/* A '%' not followed by two hex digits is kept as it is. */
static void pct_abandon(struct veil_scanner *s)
{
    emit_bytes(s, "%", 1, s->esc_start);
    if (s->pct == 2) {
        char h = "0123456789ABCDEF"[s->pct_val >> 4];
        emit_bytes(s, &h, 1, s->esc_start + 1);
    }
    s->pct = 0;
}

static void pair_end(struct veil_scanner *s, uint64_t raw)
{
    if (s->pct) {
        pct_abandon(s);
    }
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
                emit_escape(s, (char)(s->pct_val | h), s->esc_start, 3);
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
            emit_bytes(s, " ", 1, raw);
            i++;
            continue;
        }
        size_t q = i;
        while (q < len && p[q] != '%' && p[q] != '+' && !is_pair_end(p[q]) &&
               !(p[q] == '=' && s->in_key)) {
            q++;
        }
        emit_bytes(s, (const char *)p + i, q - i, raw);
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
