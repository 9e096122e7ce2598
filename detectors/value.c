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

#include "names.h"
#include "scanner.h"
#include "simd.h"
#include "triggers.h"

static int is_plain_name_key(const char *key, size_t len)
{
    return len == 4 && (key[0] | 0x20) == 'n' && (key[1] | 0x20) == 'a' &&
           (key[2] | 0x20) == 'm' && (key[3] | 0x20) == 'e';
}

void veil__value_open(struct veil_scanner *s, const char *key, size_t key_len,
                      int not_a_person, uint64_t raw_start)
{
    veil__value_open_class(s, key_len ? veil__key_class(key, key_len) : -1, key, key_len,
                           NULL, 0, not_a_person, raw_start);
}

/* Starts the text layer on the current value with its context: the key,
   then the sibling after a space when both fit. Built only when a value
   is really scanned, which most are not. */
static void scan_begin_ctx(struct veil_scanner *s)
{
    char ctx[VEIL__KEY_MAX];
    size_t n = s->ctx_key_len < sizeof(ctx) ? s->ctx_key_len : sizeof(ctx);

    if (n) {
        memcpy(ctx, s->ctx_key, n);
    }
    if (s->ctx_sib_len && n + 1 + s->ctx_sib_len <= sizeof(ctx)) {
        ctx[n++] = ' ';
        memcpy(ctx + n, s->ctx_sib, s->ctx_sib_len);
        n += s->ctx_sib_len;
    }
    veil__scan_begin(s, ctx, n);
}

/* The key and sibling pointed to must stay as they are until the value
   closes (the walkers keep them in their frame or key buffer). */
void veil__value_open_class(struct veil_scanner *s, int cls, const char *key, size_t key_len,
                            const char *sibling, size_t sibling_len, int not_a_person,
                            uint64_t raw_start)
{
    s->value_raw = raw_start;
    s->field_det = cls;
    s->head_len = 0;
    s->value_dlen = 0;
    if (cls == VEIL_D_PERSON_NAME && is_plain_name_key(key, key_len) && not_a_person) {
        cls = -1;
    }
    s->ctx_key = key;
    s->ctx_key_len = key_len;
    s->ctx_sib = sibling;
    s->ctx_sib_len = sibling_len;
    s->name_len = 0;
    s->name_nseg = 0;
    if ((cls == VEIL_D_PERSON_NAME && is_plain_name_key(key, key_len)) ||
        cls == VEIL_D_ADDRESS) {
        /* Held and judged whole: "name" names products too, and
           "address" IP and e-mail addresses. */
        s->mode = V_NAME;
        s->hold = raw_start;
    } else if (cls >= 0) {
        s->mode = V_FIELD;
        s->hold = raw_start;
    } else if (s->eng->custom_re == NULL) {
        /* Custom patterns may match anything, so only without them may a
           value be judged by its trigger bytes. */
        s->mode = V_LAZY;
        s->hold = raw_start;
    } else {
        s->mode = V_SCAN;
        scan_begin_ctx(s);
    }
}

void veil__value_open_rule(struct veil_scanner *s, int action, uint64_t raw_start)
{
    s->value_raw = raw_start;
    s->field_det = VEIL__DET_RULE;
    s->rule_action = action;
    s->head_len = 0;
    s->value_dlen = 0;
    s->ctx_key_len = s->ctx_sib_len = 0;
    s->name_len = 0;
    s->name_nseg = 0;
    s->mode = V_FIELD;
    s->hold = raw_start;
}

/* A key of a structured body: scanned as text with no context, and held
   like a value while short. */
void veil__value_open_key(struct veil_scanner *s, uint64_t raw_start)
{
    s->value_raw = raw_start;
    s->field_det = -1;
    s->head_len = 0;
    s->value_dlen = 0;
    s->ctx_key_len = s->ctx_sib_len = 0;
    s->name_len = 0;
    s->name_nseg = 0;
    if (s->eng->custom_re == NULL) {
        s->mode = V_LAZY;
        s->hold = raw_start;
    } else {
        s->mode = V_SCAN;
        veil__scan_begin(s, NULL, 0);
    }
}

/* A held value that turned out to need scanning (too long, or a trigger
   byte, or a "name" that is no person's) goes to the text layer with the
   raw offsets its bytes came from. */
static void name_to_scan(struct veil_scanner *s)
{
    size_t off = 0;
    s->mode = V_SCAN;
    s->hold = UINT64_MAX;
    scan_begin_ctx(s);
    for (size_t k = 0; k < s->name_nseg; k++) {
        if (s->name_seg[k].dlen == s->name_seg[k].rlen) {
            veil__scan_plain(s, s->name + off, s->name_seg[k].dlen, s->name_seg[k].raw);
        } else {
            veil__scan_escape(s, s->name + off, s->name_seg[k].dlen, s->name_seg[k].raw,
                              s->name_seg[k].rlen);
        }
        off += s->name_seg[k].dlen;
    }
    s->name_len = 0;
    s->name_nseg = 0;
}

/* Holds <dlen> decoded bytes of a "name" value; 0 when they do not fit
   (the value is then too long to judge and is scanned instead). */
static int name_hold(struct veil_scanner *s, const char *dec, size_t dlen, uint64_t raw,
                     uint32_t rlen)
{
    if (s->name_len + dlen > sizeof(s->name)) {
        return 0;
    }
    if (s->name_nseg > 0 && dlen == rlen) {
        __typeof__(s->name_seg[0]) *last = &s->name_seg[s->name_nseg - 1];
        if (last->dlen == last->rlen && last->raw + last->rlen == raw) {
            last->dlen += (uint32_t)dlen;
            last->rlen += rlen;
            memcpy(s->name + s->name_len, dec, dlen);
            s->name_len += dlen;
            return 1;
        }
    }
    if (s->name_nseg == sizeof(s->name_seg) / sizeof(s->name_seg[0])) {
        return 0;
    }
    s->name_seg[s->name_nseg].raw = raw;
    s->name_seg[s->name_nseg].rlen = rlen;
    s->name_seg[s->name_nseg].dlen = (uint32_t)dlen;
    s->name_nseg++;
    memcpy(s->name + s->name_len, dec, dlen);
    s->name_len += dlen;
    return 1;
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
}

/* A held value's bytes are in s->name; its head is copied from there only
   when it is needed (going to the text layer, or at the close). */
static void head_from_name(struct veil_scanner *s)
{
    size_t n = s->name_len < sizeof(s->head) ? s->name_len : sizeof(s->head);
    memcpy(s->head, s->name, n);
    s->head_len = n;
}

void veil__value_bytes(struct veil_scanner *s, const char *dec, size_t len, uint64_t raw)
{
    s->value_dlen += len;
    switch (s->mode) {
    case V_FIELD:
        keep_head(s, dec, len);
        field_split(s, raw + len);
        break;
    case V_NAME:
    case V_LAZY:
        if (name_hold(s, dec, len, raw, (uint32_t)len)) {
            break;
        }
        head_from_name(s);
        keep_head(s, dec, len);
        name_to_scan(s);
        veil__scan_plain(s, dec, len, raw);
        break;
    default:
        keep_head(s, dec, len);
        veil__scan_plain(s, dec, len, raw);
        break;
    }
}

void veil__value_escape(struct veil_scanner *s, const char *dec, size_t dlen, uint64_t raw,
                        uint32_t rlen)
{
    s->value_dlen += dlen;
    switch (s->mode) {
    case V_FIELD:
        keep_head(s, dec, dlen);
        field_split(s, raw + rlen);
        break;
    case V_NAME:
    case V_LAZY:
        if (name_hold(s, dec, dlen, raw, rlen)) {
            break;
        }
        head_from_name(s);
        keep_head(s, dec, dlen);
        name_to_scan(s);
        veil__scan_escape(s, dec, dlen, raw, rlen);
        break;
    default:
        keep_head(s, dec, dlen);
        veil__scan_escape(s, dec, dlen, raw, rlen);
        break;
    }
}

void veil__value_escapes(struct veil_scanner *s, const char *dec, size_t n, uint64_t raw,
                         uint32_t step)
{
    size_t k = 0;
    /* A held value takes them one by one (it holds 96 bytes at most, then
       scans); the rest go on as one run. */
    while (k < n && (s->mode == V_NAME || s->mode == V_LAZY)) {
        veil__value_escape(s, dec + k, 1, raw + (uint64_t)step * k, step);
        k++;
    }
    if (k == n) {
        return;
    }
    s->value_dlen += n - k;
    keep_head(s, dec + k, n - k);
    if (s->mode == V_FIELD) {
        field_split(s, raw + (uint64_t)step * n);
    } else {
        veil__scan_escapes(s, dec + k, n - k, raw + (uint64_t)step * k, step);
    }
}

/* A whole value on the allowlist is never a finding, field or not. */
static int value_allowed(struct veil_scanner *s)
{
    const veil_engine_t *e = s->eng;
    return (e->allow_values_count || e->allow_re_count) && s->value_dlen <= sizeof(s->head) &&
           veil__engine_allowed(e, s->text.md, s->head, (size_t)s->value_dlen);
}

/* Is a held value worth the text layer's time? Not without a trigger byte,
   nor as a JSON number of fewer than nine digits (no detector takes a bare
   number that short). */
static int worth_scanning(const struct veil_scanner *s, const char *v, size_t len,
                          int json_number)
{
    size_t digits = 0, k;
    if (!s->text.k->has_trigger(v, len)) {
        return !json_number && veil__names_may_hold(s->eng, v, len);
    }
    if (!json_number) {
        return 1;
    }
    for (k = 0; k < len; k++) {
        char c = v[k];
        if (c >= '0' && c <= '9') {
            digits++;
        } else if (c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E') {
            return 1;
        }
    }
    return digits >= 9;
}

/* A held JSON number is scanned only with nine digits or more, or a byte
   no number has (the text layer would see a non-number token). */
static int number_worth(const char *v, size_t len)
{
    size_t digits = 0;
    for (size_t k = 0; k < len; k++) {
        char c = v[k];
        if (c >= '0' && c <= '9') {
            digits++;
        } else if (c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E') {
            return 1;
        }
    }
    return digits >= 9;
}

void veil__value_whole(struct veil_scanner *s, const char *v, size_t len, uint64_t raw,
                       uint64_t raw_end, unsigned flags, uint64_t trigger, int need)
{
    if (s->mode != V_LAZY) {
        veil__value_bytes(s, v, len, raw);
        veil__value_close(s, raw_end, flags);
        return;
    }
    /* What value_bytes() and value_close() do to a held value, without
       holding it: a value the text layer would find nothing in (no
       trigger byte, a short JSON number, or one the shortcuts clear) is
       never handed to it. */
    keep_head(s, v, len);
    s->value_dlen += len;
    /* need < 0: not judged yet, by the trigger bytes nor by names.c. */
    if (len > 0 && (!(flags & VEIL_FIND_JSON_BARE) || number_worth(v, len)) &&
        (need > 0 ||
         (need < 0 &&
          ((trigger != 0 && veil__triggers_matter((const unsigned char *)v, len, trigger) &&
            s->text.k->value_needs_scan(&s->text, (const unsigned char *)v, len)) ||
           (!(flags & VEIL_FIND_JSON_BARE) && veil__names_may_hold(s->eng, v, len)))))) {
        scan_begin_ctx(s);
        veil__scan_plain(s, v, len, raw);
        veil__scan_end(s);
    }
    s->mode = V_SCAN;
    s->hold = UINT64_MAX;
    s->name_len = 0;
    s->name_nseg = 0;
}

int veil__token_kind(const veil_engine_t *e, pcre2_match_data *md, const char *v, size_t len)
{
    static const struct {
        int det;
        veil__validator_fn valid;
    } kinds[] = {
        {VEIL_D_GITHUB_TOKEN, veil__valid_github_token}, {VEIL_D_SLACK_TOKEN, NULL},
        {VEIL_D_STRIPE_KEY, NULL}, {VEIL_D_AWS_ACCESS_KEY_ID, NULL}, {VEIL_D_JWT, veil__valid_jwt},
    };

    if (len > 11 && memcmp(v, "-----BEGIN ", 11) == 0 && e->enabled[VEIL_D_PRIVATE_KEY]) {
        const char *eol = memchr(v, '\n', len);
        size_t line = eol ? (size_t)(eol - v) : len;
        if (line >= 27 && memcmp(v + line - 16, "PRIVATE KEY-----", 16) == 0) {
            return VEIL_D_PRIVATE_KEY;
        }
    }
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        const pcre2_code *re = e->re[kinds[k].det]; /* anchored at the start */
        if (re == NULL || !e->enabled[kinds[k].det]) {
            continue;
        }
        int rc = e->jit ? pcre2_jit_match(re, (PCRE2_SPTR)v, len, 0, 0, md, NULL)
                        : pcre2_match(re, (PCRE2_SPTR)v, len, 0, 0, md, NULL);
        if (rc >= 0 && pcre2_get_ovector_pointer(md)[1] == len &&
            (kinds[k].valid == NULL || kinds[k].valid(v, len))) {
            return kinds[k].det;
        }
    }
    return -1;
}

/* The detector of a secret field's finding: the token kind of its whole
   value when it has one. Only values that fit the head are matched whole;
   a PEM private key is known by its first line. */
static int field_detector(struct veil_scanner *s)
{
    size_t len = (size_t)s->value_dlen;
    int k;

    if (s->field_det != VEIL_D_SECRET_FIELD || len == 0) {
        return s->field_det;
    }
    k = veil__token_kind(s->eng, s->text.md, s->head, len <= sizeof(s->head) ? len : s->head_len);
    return k < 0 || (len > sizeof(s->head) && k != VEIL_D_PRIVATE_KEY) ? s->field_det : k;
}

void veil__value_close(struct veil_scanner *s, uint64_t raw_end, unsigned flags)
{
    if ((s->mode == V_LAZY || s->mode == V_NAME) && s->name_len) {
        head_from_name(s);
    }
    switch (s->mode) {
    case V_LAZY:
        if (s->name_len &&
            worth_scanning(s, s->name, s->name_len, (flags & VEIL_FIND_JSON_BARE) != 0)) {
            name_to_scan(s);
            veil__scan_end(s);
        }
        break;
    case V_FIELD:
        /* The allowlist names values no detector should flag; a field
           rule is the policy's word and always applies. */
        if (s->field_det == VEIL__DET_RULE || !value_allowed(s)) {
            veil__scan_field(s, s->value_raw, raw_end, field_detector(s), flags);
        }
        break;
    case V_NAME:
        if (s->name_len &&
            (s->field_det == VEIL_D_ADDRESS ? veil__address_like(s->name, s->name_len)
                                            : veil__name_like(s->name, s->name_len)) &&
            !value_allowed(s)) {
            veil__scan_field(s, s->value_raw, raw_end,
                             s->field_det == VEIL_D_ADDRESS ? VEIL_D_ADDRESS : VEIL_D_PERSON_NAME,
                             flags);
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
    s->name_nseg = 0;
}

int veil__value_drop_lazy(struct veil_scanner *s)
{
    if (s->mode != V_LAZY) {
        return 0;
    }
    explicit_bzero(s->name, s->name_len);
    s->mode = V_SCAN;
    s->hold = UINT64_MAX;
    s->name_len = 0;
    s->name_nseg = 0;
    return 1;
}

void veil__value_open_aside(struct veil_scanner *s, uint64_t raw_start)
{
    if (s->field_cb != NULL) {
        char path[VEIL__PATH_MAX];
        size_t n = 1, w = 0;
        path[0] = '$';
        if (s->root_key != NULL) {
            w = veil__path_step(s->root_key, s->root_key_len, path + 1, sizeof(path) - 1);
        }
        if (s->root_key == NULL || w > 0) {
            int action = s->field_cb(s->field_ud, VEIL_PLACE_JSON, path, n + w);
            if (action >= 0) {
                veil__value_open_rule(s, action, raw_start);
                return;
            }
        }
    }
    veil__value_open_class(s, -1, NULL, 0, NULL, 0, 0, raw_start);
}
