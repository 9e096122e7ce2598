/*
 * The access-log sink and the JSON line builder (include/veil/log.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__SSE2__) && (defined(__x86_64__) || defined(__i386__))
#include <tmmintrin.h>
#define ESC_SSSE3 1 /* built with a function for SSSE3, used where the CPU has it */
#endif

#include "veil/log.h"
#include "veil/stats.h"
#include "log_socket.h"
#include "logfile.h"

struct veil_log {
    int fd;
    int is_stdout;
    /* Not a regular file (a pipe, as a container's stdout is; a socket; a
       terminal): a write of more than PIPE_BUF bytes may be split, and
       two workers' batches would then interleave mid-line. Such writes
       take <lock>, so each batch goes out whole. */
    int serialize;
    pthread_mutex_t lock;
    char path[1024];
    veil_logfile_t *lf;       /* the rotating file sink, when configured */
    veil_logsock_t *sock;     /* unix: or unixgram: */
    struct veil_stats *stats; /* lost records are counted here, or NULL */
};


void veil_jbuf_init(veil_jbuf_t *b, size_t max)
{
    memset(b, 0, sizeof(*b));
    b->max = max;
}


void veil_jbuf_dispose(veil_jbuf_t *b)
{
    size_t max = b->max;

    if (b->data != NULL) {
        /* The buffer held redacted records only, but a record under
           construction may have held a header value before redaction. */
        explicit_bzero(b->data, b->cap);
        free(b->data);
    }
    veil_jbuf_init(b, max);
}


void veil_jbuf_reset(veil_jbuf_t *b)
{
    b->len = 0;
    b->overflow = 0;
}


static int reserve(veil_jbuf_t *b, size_t more)
{
    size_t need = b->len + more, cap;
    char *p;

    if (need <= b->cap) {
        return 0;
    }
    if (need > b->max) {
        b->overflow = 1;
        return -ENOMEM;
    }
    cap = b->cap ? b->cap : 1024;
    while (cap < need) {
        cap *= 2;
    }
    if (cap > b->max) {
        cap = b->max;
    }
    p = realloc(b->data, cap);
    if (p == NULL) {
        b->overflow = 1;
        return -ENOMEM;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}


int veil__jbuf_raw_grow(veil_jbuf_t *b, const char *s, size_t len)
{
    if (reserve(b, len) != 0) {
        return -ENOMEM;
    }
    memcpy(b->data + b->len, s, len);
    b->len += len;
    return 0;
}


int veil_jbuf_cstr(veil_jbuf_t *b, const char *s)
{
    return veil_jbuf_raw(b, s, strlen(s));
}


/* utf8_len(): the length of the valid UTF-8 sequence at <s>, or 0. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
    unsigned c = s[0];
    size_t n, i;
    unsigned cp;

    if (c < 0xc2 || c > 0xf4) {
        return 0;
    }
    n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    if (len < n) {
        return 0;
    }
    cp = c & (0x3f >> (n - 1));
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    /* Overlong forms, surrogates and values past U+10FFFF. */
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) ||
        cp > 0x10ffff) {
        return 0;
    }
    return n;
}


/*
 * What each byte becomes in a JSON string: 0 copied as is, 'u' as \u00XX,
 * 'x' a UTF-8 lead or stray byte (checked), any other value the letter of
 * a two-character escape (\" \\ \n \r \t).
 */
/* clang-format off */
static const unsigned char esc_class[256] = {
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 't', 'n', 'u', 'u', 'r',
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
    'u', 'u', 'u', 'u',
    0, 0, '"', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,           /* 0x20 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,             /* 0x30 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,             /* 0x40 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\\', 0, 0, 0,         /* 0x50 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,             /* 0x60 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'u',           /* 0x70 */
#define X8 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'
    X8, X8, X8, X8, X8, X8, X8, X8, X8, X8, X8, X8, X8, X8, X8, X8,
#undef X8
};
/* clang-format on */


/* Bits set (0x80 of a byte) where one of the eight bytes of <x> needs an
   escape: below 0x20, '"', '\\', 0x7f, or 0x80 and above (checked as
   UTF-8 by the byte loop). The usual zero-byte tests: a borrow may set
   a bit above a byte that has one, so only "none" is exact, which is
   all the caller asks. */
static inline uint64_t esc_word(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    const uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\'), del = x ^ (ones * 0x7f);

    return (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((bs - ones) & ~bs) |
            ((del - ones) & ~del) | x) &
           high;
}


#ifdef ESC_SSSE3
/*
 * JSON in a JSON string (a body in its log record) has a quote every few
 * bytes. Eight input bytes whose specials are quotes and backslashes only
 * become 8 + k output bytes with one byte shuffle: the eight bytes in a
 * register's low half and backslashes in its high half, and for each of
 * the 256 sets of special places a shuffle that takes a backslash (index
 * 8) before each special byte. The loop it replaces took about ten
 * instructions a quote.
 */
static unsigned char esc_shuf[256][16] __attribute__((aligned(16)));
static unsigned char esc_adv[256];
static int esc_use_ssse3;
static pthread_once_t esc_once = PTHREAD_ONCE_INIT;

static void esc_init(void)
{
    const char *level = getenv("VEIL_SIMD"); /* as the engine: scalar turns vectors off */

    for (unsigned m = 0; m < 256; m++) {
        unsigned j = 0;

        for (unsigned i = 0; i < 8; i++) {
            if (m >> i & 1) {
                esc_shuf[m][j++] = 8;
            }
            esc_shuf[m][j++] = (unsigned char)i;
        }
        esc_adv[m] = (unsigned char)j;
        while (j < 16) {
            esc_shuf[m][j++] = 0x80;
        }
    }
    esc_use_ssse3 =
        __builtin_cpu_supports("ssse3") && !(level != NULL && strcmp(level, "scalar") == 0);
}

/* The sixteen bytes <v>, whose special bytes (bit set in <m>) are quotes
   and backslashes, escaped at <o> (which has room for 32 bytes). */
__attribute__((target("ssse3"))) static char *esc_quotes16(char *o, __m128i v, unsigned m)
{
    const __m128i bs = _mm_set1_epi8('\\');
    const unsigned m0 = m & 0xff, m1 = m >> 8;

    _mm_storeu_si128((__m128i *)(void *)o,
                     _mm_shuffle_epi8(_mm_unpacklo_epi64(v, bs),
                                      _mm_load_si128((const __m128i *)(const void *)esc_shuf[m0])));
    o += esc_adv[m0];
    _mm_storeu_si128((__m128i *)(void *)o,
                     _mm_shuffle_epi8(_mm_unpackhi_epi64(v, bs),
                                      _mm_load_si128((const __m128i *)(const void *)esc_shuf[m1])));
    return o + esc_adv[m1];
}
#endif

/* esc_general(): esc_into()'s loop for any string (kept out of line, so
   that the short plain strings' path pays no frame for it). */
static __attribute__((noinline)) char *esc_general(char *o, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + len;
#ifdef ESC_SSSE3
    pthread_once(&esc_once, esc_init);
    const int ssse3 = esc_use_ssse3;
#endif

    while (p < end) {
#ifdef __SSE2__
        /* Redacted bodies are mostly printable ASCII: sixteen bytes that
           need no escape are copied at once (the caller's room of six
           bytes per input byte covers the store past a special byte). */
        if (end - p >= 16) {
            const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
            const __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                                                          _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f))),
                                             _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                          _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
            unsigned m = (unsigned)_mm_movemask_epi8(bad);

            _mm_storeu_si128((__m128i *)(void *)o, v);
            if (m == 0) {
                p += 16;
                o += 16;
                continue;
            }
            /* JSON in a JSON string: quotes every few bytes. When quotes
               and backslashes are all the block holds, they are escaped
               here, the plain bytes between them copied sixteen at a time
               where sixteen input bytes remain (else byte-exact). */
            const __m128i qb = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                            _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
            if ((unsigned)_mm_movemask_epi8(qb) == m) {
#ifdef ESC_SSSE3
                if (ssse3) {
                    o = esc_quotes16(o, v, m);
                    p += 16;
                    continue;
                }
#endif
                unsigned done = 0;
                while (m != 0) {
                    unsigned b = (unsigned)__builtin_ctz(m);
                    if (b > done && end - (p + done) >= 16) {
                        _mm_storeu_si128(
                            (__m128i *)(void *)o,
                            _mm_loadu_si128((const __m128i *)(const void *)(p + done)));
                        o += b - done;
                    } else if (b > done) {
                        memcpy(o, p + done, b - done);
                        o += b - done;
                    }
                    o[0] = '\\';
                    o[1] = (char)p[b];
                    o += 2;
                    done = b + 1;
                    m &= m - 1;
                }
                if (done < 16) {
                    memcpy(o, p + done, 16 - done);
                    o += 16 - done;
                }
                p += 16;
                continue;
            }
            p += __builtin_ctz(m);
            o += __builtin_ctz(m);
        }
#endif
        unsigned c = *p;
        unsigned k = esc_class[c];

        if (k == 0) {
            *o++ = (char)c;
            p++;
            continue;
        }
        if (k == 'x') {
            size_t n = utf8_len(p, (size_t)(end - p));

            if (n == 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
                /* U+2028 and U+2029 are valid JSON, but JavaScript and
                   many log consumers take them as line ends: one record
                   would become several lines. */
                memcpy(o, p[2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
                o += 6;
                p += 3;
                continue;
            }
            if (n > 0) {
                memcpy(o, p, n);
                o += n;
                p += n;
            } else {
                memcpy(o, "\xef\xbf\xbd", 3); /* U+FFFD */
                o += 3;
                p++;
            }
            continue;
        }
        o[0] = '\\';
        if (k == 'u') {
            o[1] = 'u';
            o[2] = '0';
            o[3] = '0';
            o[4] = hex[c >> 4];
            o[5] = hex[c & 15];
            o += 6;
        } else {
            o[1] = (char)k;
            o += 2;
        }
        p++;
    }
    return o;
}


/* esc_into(): writes <len> bytes of <s> escaped at <o>, which has room for
   6 * len bytes; returns the end of what it wrote. */
static inline char *esc_into(char *o, const char *s, size_t len)
{
    if (len == 0) {
        return o;
    }
    if (len < 64) {
        /* Keys and most header values are short and need no escape: one
           check, eight bytes at a time (the last eight again where the
           length is no multiple), and a copy. A record has dozens. */
        const unsigned char *p = (const unsigned char *)s;
        uint64_t bad = 0, w;

        if (len >= 8) {
            for (size_t i = 0; i + 8 <= len; i += 8) {
                memcpy(&w, p + i, 8);
                bad |= esc_word(w);
            }
            memcpy(&w, p + len - 8, 8);
            bad |= esc_word(w);
        } else {
            for (size_t i = 0; i < len; i++) {
                bad |= esc_class[p[i]];
            }
        }
        if (bad == 0) {
            memcpy(o, s, len);
            return o + len;
        }
    }
    return esc_general(o, s, len);
}


int veil_jbuf_esc(veil_jbuf_t *b, const char *s, size_t len)
{
    /* Worst case 6 output bytes per input byte: reserve once. */
    if (reserve(b, len * 6) != 0) {
        return -ENOMEM;
    }
    b->len = (size_t)(esc_into(b->data + b->len, s, len) - b->data);
    return 0;
}


int veil_jbuf_str(veil_jbuf_t *b, const char *s, size_t len)
{
    char *o;

    if (reserve(b, len * 6 + 2) != 0) {
        return -ENOMEM;
    }
    o = b->data + b->len;
    *o++ = '"';
    o = esc_into(o, s, len);
    *o++ = '"';
    b->len = (size_t)(o - b->data);
    return 0;
}


int veil_jbuf_u64(veil_jbuf_t *b, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof(tmp);

    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return veil_jbuf_raw(b, tmp + i, sizeof(tmp) - i);
}


int veil_jbuf_key(veil_jbuf_t *b, const char *key)
{
    size_t len = strlen(key);
    char *o;

    /* One reserve and direct writes: a record has dozens of keys. */
    if (reserve(b, len * 6 + 4) != 0) {
        return -ENOMEM;
    }
    o = b->data + b->len;
    if (b->len > 0 && o[-1] != '{' && o[-1] != '[') {
        *o++ = ',';
    }
    *o++ = '"';
    o = esc_into(o, key, len);
    *o++ = '"';
    *o++ = ':';
    b->len = (size_t)(o - b->data);
    return 0;
}


int veil__jbuf_name_grow(veil_jbuf_t *b, const char *key, size_t len)
{
    char *o;

    if (reserve(b, len + 4) != 0) {
        return -ENOMEM;
    }
    o = b->data + b->len;
    if (b->len > 0 && o[-1] != '{' && o[-1] != '[') {
        *o++ = ',';
    }
    *o++ = '"';
    memcpy(o, key, len);
    o += len;
    *o++ = '"';
    *o++ = ':';
    b->len = (size_t)(o - b->data);
    return 0;
}


static int open_path(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}


static void count_dropped(void *ud, int reason, uint64_t n)
{
    veil_log_t *log = ud;

    if (log->stats != NULL) {
        veil_stats_log_dropped(veil_stats_shard(log->stats, VEIL_STATS_SHARD_MAIN), reason, n);
    }
}


int veil_log_open(veil_log_t **out, const char *path, char *err, size_t errlen)
{
    return veil_log_open_with(out, &(veil_log_options_t){path, 0, NULL}, err, errlen);
}


int veil_log_open_with(veil_log_t **out, const veil_log_options_t *o, char *err, size_t errlen)
{
    veil_log_t *log = calloc(1, sizeof(*log));
    const char *path = o->path;

    *out = NULL;
    if (log == NULL) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    log->stats = o->stats;
    if (veil_logsock_kind(path) != VEIL_LOGSOCK_NONE) {
        veil_logsock_options_t so = {path, o->max_record ? o->max_record : 64 * 1024, 0,
                                     count_dropped, log};
        int rc = veil_logsock_open(&log->sock, &so, err, errlen);

        if (rc != 0) {
            free(log);
            return rc;
        }
        log->fd = -1;
        pthread_mutex_init(&log->lock, NULL);
        *out = log;
        return 0;
    }
    if (strcmp(path, "-") == 0) {
        log->fd = STDOUT_FILENO;
        log->is_stdout = 1;
    } else {
        if (strlen(path) >= sizeof(log->path)) {
            snprintf(err, errlen, "access log path too long");
            free(log);
            return -ENAMETOOLONG;
        }
        strcpy(log->path, path);
        log->fd = open_path(path);
        if (log->fd < 0) {
            int e = errno;

            snprintf(err, errlen, "cannot open access log: %s", strerror(e));
            free(log);
            return -e;
        }
    }
    {
        struct stat st;

        log->serialize = fstat(log->fd, &st) != 0 || !S_ISREG(st.st_mode);
    }
    pthread_mutex_init(&log->lock, NULL);
    *out = log;
    return 0;
}


int veil_log_set_rotation(veil_log_t *log, uint64_t max_bytes, uint64_t rotate_s,
                          uint64_t retention_s)
{
    veil_logfile_options_t o = {log->path, max_bytes, rotate_s, retention_s};
    char err[256];
    int rc;

    if (log->is_stdout || log->sock != NULL || log->lf != NULL ||
        (max_bytes == 0 && rotate_s == 0 && retention_s == 0)) {
        return 0;
    }
    rc = veil_logfile_open(&log->lf, &o, err, sizeof(err));
    if (rc == 0) {
        /* The rotating sink writes through its own descriptor now. */
        close(log->fd);
        log->fd = -1;
    }
    return rc;
}


void veil_log_tick(veil_log_t *log)
{
    if (log != NULL && log->lf != NULL) {
        veil_logfile_tick(log->lf);
    }
}


int veil_log_reopen(veil_log_t *log)
{
    int fd;

    if (log == NULL || log->is_stdout) {
        return 0;
    }
    if (log->sock != NULL) {
        veil_logsock_reconnect(log->sock);
        return 0;
    }
    if (log->lf != NULL) {
        return veil_logfile_reopen(log->lf);
    }
    fd = open_path(log->path);
    if (fd < 0) {
        return -errno;
    }
    /* dup2() swaps the file under the same number atomically: a write in
       another thread goes either to the old file or to the new one. */
    if (dup2(fd, log->fd) < 0) {
        int e = errno;

        close(fd);
        return -e;
    }
    close(fd);
    return 0;
}


/* The records of <len> bytes a failed write did not deliver (a partial
   one included: its end never follows). */
static void count_lines_lost(veil_log_t *log, const char *data, size_t len)
{
    uint64_t n = 0;
    const char *p = data, *end = data + len;

    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    count_dropped(log, VEIL_STATS_LOGDROP_WRITE_ERROR, n ? n : 1);
}


int veil_log_write(veil_log_t *log, const char *line, size_t len)
{
    int rc = 0;

    if (log->sock != NULL) {
        /* Lost lines are counted by the sink itself. */
        return veil_logsock_write(log->sock, line, len);
    }
    if (log->lf != NULL) {
        rc = veil_logfile_write(log->lf, line, len);
        if (rc != 0) {
            count_lines_lost(log, line, len);
        }
        return rc;
    }
    if (log->serialize) {
        pthread_mutex_lock(&log->lock);
    }
    while (len > 0) {
        ssize_t n = write(log->fd, line, len);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            rc = -errno;
            count_lines_lost(log, line, len);
            break;
        }
        /* A regular file with O_APPEND takes the lines whole; a pipe
           takes up to PIPE_BUF at once and the rest follows here, under
           the lock, so no other batch lands in between. */
        line += n;
        len -= (size_t)n;
    }
    if (log->serialize) {
        pthread_mutex_unlock(&log->lock);
    }
    return rc;
}


void veil_log_close(veil_log_t *log)
{
    if (log == NULL) {
        return;
    }
    if (!log->is_stdout && log->fd >= 0) {
        close(log->fd);
    }
    /* A second to hand what is queued to a socket's receiver. */
    veil_logsock_close(log->sock, 1000);
    veil_logfile_close(log->lf);
    pthread_mutex_destroy(&log->lock);
    free(log);
}


/* ---- per-thread batches of records ---- */

#define BATCH_MAX (64 * 1024)

typedef struct batch {
    veil_log_t *log;
    char *data;
    size_t len;
} batch_t;

static pthread_key_t batch_key;
static pthread_once_t batch_once = PTHREAD_ONCE_INIT;
static int batch_ok;

static void batch_write(batch_t *b)
{
    if (b->len > 0) {
        /* Errors are the sink's to report (on reopen), as for one line. */
        (void)veil_log_write(b->log, b->data, b->len);
        b->len = 0;
    }
}

static void batch_release(void *p)
{
    batch_t *b = p;

    batch_write(b);
    free(b->data);
    free(b);
}

static void batch_init(void)
{
    batch_ok = pthread_key_create(&batch_key, batch_release) == 0;
}

static batch_t *thread_batch(void)
{
    batch_t *b;

    pthread_once(&batch_once, batch_init);
    if (!batch_ok) {
        return NULL;
    }
    b = pthread_getspecific(batch_key);
    if (b == NULL) {
        b = calloc(1, sizeof(*b));
        if (b != NULL && (b->data = malloc(BATCH_MAX)) == NULL) {
            free(b);
            b = NULL;
        }
        if (b != NULL && pthread_setspecific(batch_key, b) != 0) {
            free(b->data);
            free(b);
            b = NULL;
        }
    }
    return b;
}


int veil_log_write_batched(veil_log_t *log, const char *line, size_t len)
{
    batch_t *b = thread_batch();

    if (b == NULL || len >= BATCH_MAX) {
        if (b != NULL) {
            batch_write(b); /* keep the order of lines */
        }
        return veil_log_write(log, line, len);
    }
    if (b->log != log || b->len + len > BATCH_MAX) {
        batch_write(b);
    }
    b->log = log;
    memcpy(b->data + b->len, line, len);
    b->len += len;
    return 0;
}


void veil_log_flush_batch(void)
{
    batch_t *b;

    pthread_once(&batch_once, batch_init);
    if (batch_ok && (b = pthread_getspecific(batch_key)) != NULL) {
        batch_write(b);
    }
}
