/*
 * A log file with rotation by size and time, and retention (logfile.h).
 *
 * The write path takes no lock: it checks the size and the deadline with
 * relaxed atomics and writes. Only a rotation takes the mutex, and it
 * re-checks under it, so when many threads see "due" at once only the
 * first rotates.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "logfile.h"

struct veil_logfile {
    int fd;
    char path[1024];
    char dir[1024];
    char base[256];
    uint64_t max_bytes, every_s, retention_s;
    _Atomic uint64_t size;
    _Atomic int64_t deadline; /* next rotation by time; 0: none */
    pthread_mutex_t lock;     /* rotation, reopen and sweep */
};


static int open_path(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}


static int64_t next_deadline(const veil_logfile_t *lf, time_t now)
{
    if (lf->every_s == 0) {
        return 0;
    }
    /* Boundaries are multiples of the period since the epoch, so a daily
       log rotates at midnight UTC whenever the process started. */
    return ((int64_t)now / (int64_t)lf->every_s + 1) * (int64_t)lf->every_s;
}


static uint64_t file_size(int fd)
{
    struct stat st;

    return fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
}


int veil_logfile_open(veil_logfile_t **out, const veil_logfile_options_t *o, char *err,
                      size_t errlen)
{
    veil_logfile_t *lf;
    const char *slash;

    *out = NULL;
    if (o->path == NULL || o->path[0] == '\0' || strlen(o->path) >= sizeof(lf->path)) {
        snprintf(err, errlen, "log file path empty or too long");
        return -EINVAL;
    }
    lf = calloc(1, sizeof(*lf));
    if (lf == NULL) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    strcpy(lf->path, o->path);
    slash = strrchr(o->path, '/');
    if (slash == NULL) {
        strcpy(lf->dir, ".");
        snprintf(lf->base, sizeof(lf->base), "%s", o->path);
    } else {
        size_t dl = (size_t)(slash - o->path);

        if (dl == 0) {
            dl = 1; /* "/access.log" */
        }
        memcpy(lf->dir, o->path, dl);
        lf->dir[dl] = '\0';
        if (strlen(slash + 1) >= sizeof(lf->base) || slash[1] == '\0') {
            snprintf(err, errlen, "log file name empty or too long");
            free(lf);
            return -EINVAL;
        }
        strcpy(lf->base, slash + 1);
    }
    lf->max_bytes = o->max_bytes;
    lf->every_s = o->rotate_every_s;
    lf->retention_s = o->retention_s;
    lf->fd = open_path(lf->path);
    if (lf->fd < 0) {
        int e = errno;

        snprintf(err, errlen, "cannot open %s: %s", lf->path, strerror(e));
        free(lf);
        return -e;
    }
    atomic_init(&lf->size, file_size(lf->fd));
    atomic_init(&lf->deadline, next_deadline(lf, time(NULL)));
    pthread_mutex_init(&lf->lock, NULL);
    *out = lf;
    return 0;
}


/* Opens the path again and swaps it in under lf->fd. Caller holds lock. */
static int swap_in(veil_logfile_t *lf)
{
    int fd = open_path(lf->path);

    if (fd < 0) {
        return -errno;
    }
    /* dup2() replaces the file under the same number atomically: a write
       in another thread goes either to the old file or to the new one. */
    if (dup2(fd, lf->fd) < 0) {
        int e = errno;

        close(fd);
        return -e;
    }
    close(fd);
    atomic_store_explicit(&lf->size, file_size(lf->fd), memory_order_relaxed);
    return 0;
}


/* PATH.YYYY-MM-DDTHH-MM-SS[.N] for rotation time <t>, not yet taken. */
static int rotated_name(const veil_logfile_t *lf, time_t t, char *buf, size_t cap)
{
    struct tm tm;
    char stamp[32];
    struct stat st;

    gmtime_r(&t, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H-%M-%S", &tm);
    for (int i = 0; i < 1000; i++) {
        int n = i == 0 ? snprintf(buf, cap, "%s.%s", lf->path, stamp)
                       : snprintf(buf, cap, "%s.%s.%d", lf->path, stamp, i);

        if (n < 0 || (size_t)n >= cap) {
            return -ENAMETOOLONG;
        }
        if (lstat(buf, &st) != 0 && errno == ENOENT) {
            return 0;
        }
    }
    return -EEXIST;
}


static int rotate_locked(veil_logfile_t *lf, time_t now)
{
    char name[1100];
    int rc;

    atomic_store_explicit(&lf->deadline, next_deadline(lf, now), memory_order_relaxed);
    if (file_size(lf->fd) == 0) {
        /* Nothing to keep: no empty rotated files. */
        atomic_store_explicit(&lf->size, 0, memory_order_relaxed);
        return 0;
    }
    rc = rotated_name(lf, now, name, sizeof(name));
    if (rc != 0) {
        return rc;
    }
    if (rename(lf->path, name) != 0) {
        return -errno;
    }
    return swap_in(lf);
}


/* Parses "YYYY-MM-DDTHH-MM-SS" optionally followed by ".N". */
static int parse_stamp(const char *s, time_t *t)
{
    struct tm tm;
    int y, mo, d, h, mi, se, used = 0;

    memset(&tm, 0, sizeof(tm));
    if (sscanf(s, "%4d-%2d-%2dT%2d-%2d-%2d%n", &y, &mo, &d, &h, &mi, &se, &used) != 6 ||
        used != 19) {
        return -1;
    }
    if (s[used] != '\0') {
        if (s[used] != '.' || s[used + 1] == '\0' ||
            strspn(s + used + 1, "0123456789") != strlen(s + used + 1)) {
            return -1;
        }
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    *t = timegm(&tm);
    return 0;
}


static int sweep_locked(veil_logfile_t *lf, time_t now)
{
    size_t bl = strlen(lf->base);
    struct dirent *de;
    DIR *d;
    int deleted = 0;

    if (lf->retention_s == 0) {
        return 0;
    }
    d = opendir(lf->dir);
    if (d == NULL) {
        return -errno;
    }
    while ((de = readdir(d)) != NULL) {
        time_t t;
        char full[1400];

        /* Only our own rotated files: BASE.<stamp>[.N]. */
        if (strncmp(de->d_name, lf->base, bl) != 0 || de->d_name[bl] != '.' ||
            parse_stamp(de->d_name + bl + 1, &t) != 0) {
            continue;
        }
        if ((int64_t)t + (int64_t)lf->retention_s > (int64_t)now) {
            continue;
        }
        if (snprintf(full, sizeof(full), "%s/%s", lf->dir, de->d_name) >= (int)sizeof(full)) {
            continue;
        }
        if (unlink(full) == 0) {
            deleted++;
        }
    }
    closedir(d);
    return deleted;
}


int veil_logfile_write(veil_logfile_t *lf, const char *line, size_t len)
{
    uint64_t size = atomic_load_explicit(&lf->size, memory_order_relaxed);
    int64_t dl = atomic_load_explicit(&lf->deadline, memory_order_relaxed);
    int due_size = lf->max_bytes && size > 0 && size + len > lf->max_bytes;
    time_t now = 0;

    if (dl != 0) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME_COARSE, &ts);
        now = ts.tv_sec;
    }
    if (due_size || (dl != 0 && now >= dl)) {
        pthread_mutex_lock(&lf->lock);
        if (now == 0) {
            now = time(NULL);
        }
        /* Another thread may have rotated meanwhile: check again. */
        size = atomic_load_explicit(&lf->size, memory_order_relaxed);
        dl = atomic_load_explicit(&lf->deadline, memory_order_relaxed);
        if ((lf->max_bytes && size > 0 && size + len > lf->max_bytes) || (dl != 0 && now >= dl)) {
            if (rotate_locked(lf, now) == 0) {
                sweep_locked(lf, now);
            }
        }
        pthread_mutex_unlock(&lf->lock);
    }
    atomic_fetch_add_explicit(&lf->size, len, memory_order_relaxed);
    while (len > 0) {
        ssize_t n = write(lf->fd, line, len);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        line += n;
        len -= (size_t)n;
    }
    return 0;
}


int veil_logfile_rotate(veil_logfile_t *lf)
{
    time_t now = time(NULL);
    int rc;

    pthread_mutex_lock(&lf->lock);
    rc = rotate_locked(lf, now);
    if (rc == 0) {
        sweep_locked(lf, now);
    }
    pthread_mutex_unlock(&lf->lock);
    return rc;
}


int veil_logfile_reopen(veil_logfile_t *lf)
{
    int rc;

    pthread_mutex_lock(&lf->lock);
    rc = swap_in(lf);
    pthread_mutex_unlock(&lf->lock);
    return rc;
}


int veil_logfile_tick(veil_logfile_t *lf)
{
    time_t now = time(NULL);
    int64_t dl;
    int rc = 0;

    pthread_mutex_lock(&lf->lock);
    dl = atomic_load_explicit(&lf->deadline, memory_order_relaxed);
    if (dl != 0 && now >= dl) {
        rc = rotate_locked(lf, now);
    }
    sweep_locked(lf, now);
    pthread_mutex_unlock(&lf->lock);
    return rc;
}


int veil_logfile_sweep(veil_logfile_t *lf, time_t now)
{
    int rc;

    pthread_mutex_lock(&lf->lock);
    rc = sweep_locked(lf, now);
    pthread_mutex_unlock(&lf->lock);
    return rc;
}


uint64_t veil_logfile_size(const veil_logfile_t *lf)
{
    return atomic_load_explicit(&((veil_logfile_t *)lf)->size, memory_order_relaxed);
}


void veil_logfile_close(veil_logfile_t *lf)
{
    if (lf == NULL) {
        return;
    }
    close(lf->fd);
    pthread_mutex_destroy(&lf->lock);
    free(lf);
}
