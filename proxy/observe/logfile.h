/*
 * A log file with rotation and retention.
 *
 * Lines are appended with one write(2) each on a descriptor opened with
 * O_APPEND, from any number of threads, without a lock. The file rotates
 * when a line would take it past <max_bytes>, and at every multiple of
 * <rotate_every_s> seconds since the epoch (UTC), by renaming it to
 * PATH.YYYY-MM-DDTHH-MM-SS (the rotation time, UTC; ".1", ".2" ... when
 * that name exists) and opening PATH again under the same descriptor
 * number (dup2), so a writer in another thread never sees a closed
 * descriptor: its line lands whole in the old or in the new file.
 * Rotated files whose rotation time is older than <retention_s> are
 * deleted at each rotation and each veil_logfile_tick().
 *
 * veil_logfile_reopen() opens PATH again without renaming, for external
 * rotation (logrotate + SIGUSR1).
 */
#ifndef VEIL_PROXY_LOGFILE_H
#define VEIL_PROXY_LOGFILE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct veil_logfile_options {
    const char *path;
    uint64_t max_bytes;      /* 0: no rotation by size */
    uint64_t rotate_every_s; /* 0: no rotation by time */
    uint64_t retention_s;    /* 0: rotated files are kept */
} veil_logfile_options_t;

/* Defaults for the access log: 100 MiB, daily, 7 days. */
#define VEIL_LOGFILE_DEFAULT_MAX_BYTES (100ull * 1024 * 1024)
#define VEIL_LOGFILE_DEFAULT_ROTATE_S (24ull * 3600)
#define VEIL_LOGFILE_DEFAULT_RETENTION_S (7ull * 24 * 3600)

typedef struct veil_logfile veil_logfile_t;

/*
 * veil_logfile_open(): opens (creates 0640) <opts->path> for appending.
 * Returns 0 and the sink in <out>, or -errno with a reason (the path is
 * the operator's, never request data) in <err>.
 */
int veil_logfile_open(veil_logfile_t **out, const veil_logfile_options_t *opts, char *err,
                      size_t errlen);
/* veil_logfile_write(): appends one complete line; rotates first when
   due. Any thread. Returns 0 or -errno. */
int veil_logfile_write(veil_logfile_t *lf, const char *line, size_t len);
/* veil_logfile_rotate(): rotates now (renames, reopens, sweeps). */
int veil_logfile_rotate(veil_logfile_t *lf);
/* veil_logfile_reopen(): opens the path again in place (SIGUSR1). */
int veil_logfile_reopen(veil_logfile_t *lf);
/* veil_logfile_tick(): rotation by time when due, and the retention
   sweep; call it about once a second from any thread. */
int veil_logfile_tick(veil_logfile_t *lf);
/* veil_logfile_sweep(): deletes rotated files older than the retention
   at time <now>; returns how many were deleted, or -errno. */
int veil_logfile_sweep(veil_logfile_t *lf, time_t now);
/* veil_logfile_size(): bytes in the current file, as counted. */
uint64_t veil_logfile_size(const veil_logfile_t *lf);
void veil_logfile_close(veil_logfile_t *lf);

#endif
