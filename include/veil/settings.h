/*
 * Settings: every scalar setting of veil run declared once, with its key,
 * command-line flag, type, default, limits and one line of documentation.
 *
 * The YAML loader parses `server:`, `access_log:`, `admin:` and the scalar
 * keys of each `upstreams:` entry from this table; `veil check --dump`,
 * the admin listener's /config, the reload check and `veil run --help` are
 * written from it; and each command-line flag is an override of its key,
 * read with the same value grammar (`--header-timeout 1h` is
 * `server.header_timeout: 1h`). A setting's default lives here and nowhere
 * else.
 *
 * Value grammar, the same in a file and on the command line:
 *   count     a whole number: 100
 *   size      bytes with an optional k, m or g (powers of 1024): 64k, 10m
 *   duration  a number (a fraction allowed) with ms, s, m, h or d: 500ms,
 *             1.5s, 2m, 1h, 7d; a bare number is seconds; 0 where the
 *             setting allows it (then it turns the behaviour off)
 *   bool      true, false (also on, off)
 *   string    any text; address: HOST:PORT ([v6]:PORT)
 */
#ifndef VEIL_SETTINGS_H
#define VEIL_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

typedef enum veil_setting_type {
    VEIL_SET_COUNT,
    VEIL_SET_SIZE,
    VEIL_SET_DURATION, /* stored in milliseconds */
    VEIL_SET_BOOL,
    VEIL_SET_STRING,
    VEIL_SET_ADDRESS, /* HOST:PORT, or "off" where VEIL_SET_OFF allows it */
    VEIL_SET_URL,     /* http[s]://HOST[:PORT] */
} veil_setting_type_t;

/* Where a setting lives. */
typedef enum veil_setting_section {
    VEIL_SEC_SERVER,     /* server: */
    VEIL_SEC_ACCESS_LOG, /* access_log: */
    VEIL_SEC_ADMIN,      /* admin: */
    VEIL_SEC_UPSTREAM,   /* each upstreams: entry; a flag sets the first */
    VEIL_SEC_LISTENER,   /* each listeners: entry; a flag sets the first */
} veil_setting_section_t;

enum {
    /* Read once when veil run starts: a reload that changes it warns
       that it needs a restart (the rest of the reload applies). */
    VEIL_SET_START_ONLY = 1u << 0,
    /* 0 is allowed and turns the behaviour off. */
    VEIL_SET_ZERO_OFF = 1u << 1,
    /* "off" is allowed (an address). */
    VEIL_SET_OFF = 1u << 2,
    /* The flag takes no value (it sets a bool to true). */
    VEIL_SET_FLAG_NOARG = 1u << 3,
    /* A file name whose content is secret: shown, never read, by /config. */
    VEIL_SET_PATH = 1u << 4,
};

typedef struct veil_setting {
    veil_setting_section_t section;
    const char *name; /* "header_timeout" */
    const char *flag; /* "--header-timeout", or NULL */
    veil_setting_type_t type;
    unsigned flags;    /* VEIL_SET_* */
    size_t offset;     /* of its field in the section's struct */
    size_t size;       /* of that field: 4 or 8 (numbers, bools) */
    const char *def;   /* the default, in the value grammar */
    uint64_t min, max; /* numbers: bounds (durations in ms) */
    const char *doc;   /* one line, for --help and the docs */
} veil_setting_t;

/* The table, in the order --help and --dump list it. */
size_t veil_settings_count(void);
const veil_setting_t *veil_setting_at(size_t i);
/* NULL when no setting has that flag or key ("server.header_timeout",
   "upstreams.connect_timeout"). */
const veil_setting_t *veil_setting_by_flag(const char *flag);
const veil_setting_t *veil_setting_by_key(const char *key);
/* "server", "access_log", "admin", "upstreams", "listeners". */
const char *veil_setting_section_name(veil_setting_section_t section);

/*
 * veil_setting_parse(): reads <text> as a value of <s>. Numbers (count,
 * size, duration, bool as 0/1) go to *num; strings, addresses and URLs
 * are checked and left to the caller. Returns 0, or -1 with the reason
 * ("expected a duration (500ms, 5s, 2m, 1h)", "out of range (...)") in
 * <err>.
 */
int veil_setting_parse(const veil_setting_t *s, const char *text, uint64_t *num, char *err,
                       size_t errlen);

/*
 * veil_setting_format(): the value at <field> (the setting's field in its
 * section's struct) as the value grammar writes it ("60s", "16k", "true";
 * strings as they are, NULL as ""). Returns <buf>.
 */
const char *veil_setting_format(const veil_setting_t *s, const void *field, char *buf, size_t len);

/* veil_setting_get_u64() / set_u64(): the numeric field of <s> in the
   section struct <base> (counts, sizes, durations, bools). */
uint64_t veil_setting_get_u64(const veil_setting_t *s, const void *base);
void veil_setting_set_u64(const veil_setting_t *s, void *base, uint64_t v);

/* A command-line override: <s> given as <value> (validated by the caller
   with veil_setting_parse(); applied by the config loader after the
   file, so it wins at start and at every reload). */
typedef struct veil_setting_override {
    const veil_setting_t *setting;
    const char *value;
} veil_setting_override_t;

#endif
