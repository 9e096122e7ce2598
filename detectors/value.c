/*
 * Values of structured bodies. The walkers (JSON, form) call these with
 * decoded bytes and their raw offsets; the key decides how a value is
 * treated:
 *   - a sensitive key (password, card_number, email, ...): the whole raw
 *     value is one finding, whatever it looks like;
 *   - "name": held (up to VEIL__NAME_MAX bytes) until it is known whether
 *     it reads as a person's name ("Jane Doe") or not ("Widget Pro");
 *   - anything else: scanned as text with the key as context.
 */
#include <string.h>

#include "scanner.h"

static int is_plain_name_key(const char *key, size_t len)
{
    return len == 4 && (key[0] | 0x20) == 'n' && (key[1] | 0x20) == 'a' &&
           (key[2] | 0x20) == 'm' && (key[3] | 0x20) == 'e';
}

void veil__value_open(struct veil_scanner *s, const char *key, size_t key_len,
                      const char *context, size_t context_len, int not_a_person,
                      uint64_t raw_start)
{
    int cls = key_len ? veil__key_class(key, key_len) : -1;

    s->value_raw = raw_start;
    s->field_det = cls;
    s->head_len = 0;
    s->value_dlen = 0;
    if (cls == VEIL_D_PERSON_NAME && is_plain_name_key(key, key_len) && not_a_person) {
        cls = -1;
    }
    if (cls == VEIL_D_PERSON_NAME && is_plain_name_key(key, key_len)) {
        s->mode = V_NAME;
        s->name_len = 0;
        s->hold = raw_start;
    } else if (cls >= 0) {
        s->mode = V_FIELD;
        s->hold = raw_start;
    } else {
        s->mode = V_SCAN;
        veil__scan_begin(s, context, context_len);
    }
    memcpy(s->key, key, key_len < sizeof(s->key) ? key_len : sizeof(s->key));
    s->key_len = key_len < sizeof(s->key) ? key_len : sizeof(s->key);
}

/* A "name" value that turned out too long or escaped is scanned as text;
   what was held came one-to-one from the raw bytes after value_raw. */
static void name_to_scan(struct veil_scanner *s)
{
    s->mode = V_SCAN;
    s->hold = UINT64_MAX;
    veil__scan_begin(s, s->key, s->key_len);
    veil__scan_plain(s, s->name, s->name_len, s->value_raw);
    s->name_len = 0;
}

/* Sensitive values are reported in pieces of VEIL__FIELD_SPLIT raw bytes,
   so that a huge one does not pin the caller's buffer. */
static void field_split(struct veil_scanner *s, uint64_t raw_now)
{
    while (raw_now - s->value_raw >= VEIL__FIELD_SPLIT) {
        uint64_t cut = s->value_raw + VEIL__FIELD_SPLIT;
        veil__scan_field(s, s->value_raw, cut, s->field_det, 0);
        s->value_raw = cut;
        s->hold = cut;
    }
}

static void keep_head(struct veil_scanner *s, const char *dec, size_t len)
{
    size_t room = sizeof(s->head) - s->head_len;
    memcpy(s->head + s->head_len, dec, len < room ? len : room);
    s->head_len += len < room ? len : room;
    s->value_dlen += len;
}

void veil__value_bytes(struct veil_scanner *s, const char *dec, size_t len, uint64_t raw)
{
    keep_head(s, dec, len);
    switch (s->mode) {
    case V_FIELD:
        field_split(s, raw + len);
        break;
    case V_NAME:
        if (s->name_len + len <= sizeof(s->name)) {
            memcpy(s->name + s->name_len, dec, len);
            s->name_len += len;
            break;
        }
        name_to_scan(s);
        veil__scan_plain(s, dec, len, raw);
        break;
    default:
        veil__scan_plain(s, dec, len, raw);
        break;
    }
}

void veil__value_escape(struct veil_scanner *s, const char *dec, size_t dlen, uint64_t raw,
                        uint32_t rlen)
{
    keep_head(s, dec, dlen);
    switch (s->mode) {
    case V_FIELD:
        field_split(s, raw + rlen);
        break;
    case V_NAME:
        name_to_scan(s);
        veil__scan_escape(s, dec, dlen, raw, rlen);
        break;
    default:
        veil__scan_escape(s, dec, dlen, raw, rlen);
        break;
    }
}

void veil__value_close(struct veil_scanner *s, uint64_t raw_end, unsigned flags)
{
    switch (s->mode) {
    case V_FIELD:
        veil__scan_field(s, s->value_raw, raw_end, s->field_det, flags);
        break;
    case V_NAME:
        if (s->name_len && veil__name_like(s->name, s->name_len)) {
            veil__scan_field(s, s->value_raw, raw_end, VEIL_D_PERSON_NAME, flags);
        } else if (s->name_len) {
            name_to_scan(s);
            veil__scan_end(s);
        }
        break;
    default:
        veil__scan_end(s);
        break;
    }
    s->mode = V_SCAN;
    s->hold = UINT64_MAX;
    s->name_len = 0;
}
