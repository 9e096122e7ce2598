/*
 * Opening files that hold secrets (include/veil/secret_file.h):
 * PostgreSQL's ownership and mode rule, checked on the open descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "veil/secret_file.h"


/* 0, or -EPERM with the reason: what <st> allows is too much. */
static int check_mode(const char *path, const struct stat *st, char *err, size_t errlen)
{
    uid_t me = geteuid();
    mode_t mode = st->st_mode & 07777;

    if (!S_ISREG(st->st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        return -EINVAL;
    }
    if (st->st_uid != me && st->st_uid != 0) {
        snprintf(err, errlen,
                 "%s: owned by uid %u: a secret file must be owned by the user "
                 "veil runs as (uid %u) or by root",
                 path, (unsigned)st->st_uid, (unsigned)me);
        return -EPERM;
    }
    /* Root's file: its group may read (S_IRGRP), nothing more. The
       user's own: no group or other access at all. */
    if (st->st_uid == 0 ? (mode & (S_IWGRP | S_IXGRP | S_IRWXO)) != 0
                        : (mode & (S_IRWXG | S_IRWXO)) != 0) {
        snprintf(err, errlen,
                 "%s: has group or others access (mode %04o): a secret file "
                 "must be 0600 or less when owned by the user veil runs as, 0640 or less "
                 "when owned by root (chmod 600)",
                 path, (unsigned)mode);
        return -EPERM;
    }
    return 0;
}


int veil_secret_open(const char *path, char *err, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY), rc;

    if (fd < 0) {
        rc = -errno;
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-rc));
        return rc;
    }
    if (fstat(fd, &st) != 0) {
        rc = -errno;
        close(fd);
        snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(-rc));
        return rc;
    }
    rc = check_mode(path, &st, err, errlen);
    if (rc != 0) {
        close(fd);
        return rc;
    }
    return fd;
}


int veil_secret_read(const char *path, void *buf, size_t cap, size_t *len, char *err, size_t errlen)
{
    int fd = veil_secret_open(path, err, errlen);
    size_t n = 0;
    ssize_t r = 0;

    *len = 0;
    if (fd < 0) {
        return fd;
    }
    while (n < cap && (r = read(fd, (char *)buf + n, cap - n)) != 0) {
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            r = -errno;
            close(fd);
            snprintf(err, errlen, "%s: cannot read: %s", path, strerror((int)-r));
            return (int)r;
        }
        n += (size_t)r;
    }
    close(fd);
    if (n == cap) {
        snprintf(err, errlen, "%s: larger than %zu bytes", path, cap - 1);
        return -EFBIG;
    }
    *len = n;
    return 0;
}
