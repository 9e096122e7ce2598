/*
 * Files that hold a secret: TLS private keys (listeners and upstream
 * mTLS), token and hash key files, the admin token file. veil opens them
 * all the same way, with PostgreSQL's rule for its server key
 * (src/backend/libpq/be-secure-common.c, check_ssl_key_file_permissions):
 *
 *   - a regular file (through symbolic links, as a Kubernetes volume lays
 *     its files out);
 *   - owned by the user veil runs as, with no access for group or others
 *     (0600, 0400); or
 *   - owned by root, with at most read access for its group and none for
 *     others (0640, 0440): how a Kubernetes Secret volume with
 *     defaultMode 0440 and fsGroup mounts it, or /etc/ssl/private with
 *     group ssl-cert.
 *
 * Unlike PostgreSQL, which never runs as root, the root rule holds for a
 * root-owned file whatever user veil runs as, so veil run as root takes
 * a 0640 root-owned file too.
 */
#ifndef VEIL_SECRET_FILE_H
#define VEIL_SECRET_FILE_H

#include <stddef.h>

/*
 * veil_secret_open(): opens <path> for reading and checks the descriptor
 * against the rule above (the checked file is the one read: no race with
 * a rename). Returns the descriptor (close it), or a negative errno with
 * a reason in <err> that begins with the path: "PATH: cannot open: ...",
 * "PATH: not a regular file", "PATH: owned by uid N: ...", "PATH: has
 * group or others access (mode 0644): ...".
 */
int veil_secret_open(const char *path, char *err, size_t errlen);

/*
 * veil_secret_read(): veil_secret_open(), then the whole file into <buf>
 * (<cap> bytes, no terminator added), its length in *len. A file of <cap>
 * bytes or more is refused (-EFBIG, "PATH: larger than N bytes"), so a
 * caller that wants at most K bytes passes K + 1 and checks *len.
 * Returns 0 or a negative errno with a reason in <err>. The caller wipes
 * <buf> when done.
 */
int veil_secret_read(const char *path, void *buf, size_t cap, size_t *len, char *err,
                     size_t errlen);

#endif
