/*
 * Reload for a libuv program: watches the config file (a debounced fs
 * watch on its directory, so editors that write a temporary file and
 * rename it, and Kubernetes ConfigMap symlink swaps, are seen), and
 * reloads on a change or on demand (SIGHUP). The file is parsed and
 * validated on libuv's thread pool, never on the loop; a valid config is
 * swapped into the holder, a bad one is reported (file:line:column
 * messages, never a secret) and counted while the old one keeps serving.
 *
 * Separate from veil_config so that the library itself needs no libuv;
 * link veil_config_watch.
 */
#ifndef VEIL_CONFIG_WATCH_H
#define VEIL_CONFIG_WATCH_H

#include <uv.h>

#include "veil/config.h"

typedef struct veil_config_reloader veil_config_reloader_t;

/* Told on the loop thread after each attempt: <ok> 1 when the new config
   is serving, 0 when it was rejected (its messages went to <diag>). */
typedef void (*veil_config_reload_cb)(void *ud, int ok);

typedef struct veil_config_reloader_options {
    const char *path;
    veil_config_holder_t *holder;
    unsigned debounce_ms;       /* 0: 200 ms */
    int watch_file;             /* reload when the file changes */
    int handle_sighup;          /* install a SIGHUP handler on the loop */
    veil_diag_cb diag;          /* called on the loop thread */
    veil_config_reload_cb done; /* may be NULL */
    void *ud;
    /* Command-line overrides, re-applied to every version of the file
       (kept by the caller for the reloader's life). */
    const struct veil_setting_override *overrides;
    size_t noverrides;
} veil_config_reloader_options_t;

/* veil_config_reloader_start(): starts watching on <loop>. NULL with
   errno-style failure in *rc when the watch cannot be set up. */
veil_config_reloader_t *
veil_config_reloader_start(uv_loop_t *loop, const veil_config_reloader_options_t *o, int *rc);
/* veil_config_reloader_trigger(): reload now, whether the file changed or
   not (what SIGHUP does). A request during a reload runs after it. */
void veil_config_reloader_trigger(veil_config_reloader_t *r);
/* veil_config_reloader_stop(): closes the handles; the reloader is freed
   once the loop has run their close callbacks and any reload in flight
   has finished. */
void veil_config_reloader_stop(veil_config_reloader_t *r);

#endif
