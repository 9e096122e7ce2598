/*
 * The reloader: fs watch on the config's directory + debounce timer +
 * SIGHUP, a reload on the thread pool, the swap into the holder. One
 * reload at a time; a trigger during a reload queues exactly one more.
 */
#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "config_watch.h"

typedef struct msg {
    struct msg *next;
    veil_diag_level_t level;
    char text[];
} msg_t;

struct veil_config_reloader {
    uv_loop_t *loop;
    veil_config_reloader_options_t o;
    char *path, *dir, *base;
    uv_fs_event_t fs;
    uv_timer_t timer;
    uv_signal_t sig;
    uv_work_t work;
    int fs_on, sig_on;
    int busy, again, force, stopping;
    int open_handles;
    int result;
    veil_config_stamp_t stamp;
    msg_t *msgs, **tail;
};

static void maybe_free(veil_config_reloader_t *r)
{
    if (r->stopping && r->open_handles == 0 && !r->busy) {
        free(r->path);
        free(r->dir);
        free(r);
    }
}

static void on_close(uv_handle_t *h)
{
    veil_config_reloader_t *r = h->data;
    r->open_handles--;
    maybe_free(r);
}

/* Diagnostics arrive on a pool thread; they are kept for the loop. */
static void collect(void *ud, veil_diag_level_t level, const char *text)
{
    veil_config_reloader_t *r = ud;
    size_t n = strlen(text);
    msg_t *m = malloc(sizeof(*m) + n + 1);
    if (m == NULL) {
        return;
    }
    m->next = NULL;
    m->level = level;
    memcpy(m->text, text, n + 1);
    *r->tail = m;
    r->tail = &m->next;
}

static void work_cb(uv_work_t *w)
{
    veil_config_reloader_t *r = w->data;
    veil_config_t *old = veil_config_holder_get(r->o.holder);
    veil_config_load_options_t lo = {0, r->o.overrides, r->o.noverrides, collect, r};

    r->result = veil_config_holder_reload_with(r->o.holder, r->path, &lo);
    if (r->result == 0) {
        veil_config_t *cur = veil_config_holder_get(r->o.holder);
        char what[64], msg[256];
        if (veil_config_needs_restart(old, cur, what, sizeof(what))) {
            snprintf(msg, sizeof(msg), "%s: %s: changed; takes effect at the next restart", r->path,
                     what);
            collect(r, VEIL_DIAG_WARNING, msg);
        }
        veil_config_release(cur);
    }
    veil_config_release(old);
}

static void start_reload(veil_config_reloader_t *r);

static void after_work_cb(uv_work_t *w, int status)
{
    veil_config_reloader_t *r = w->data;
    r->busy = 0;
    for (msg_t *m = r->msgs, *next; m; m = next) {
        next = m->next;
        if (r->o.diag && !r->stopping) {
            r->o.diag(r->o.ud, m->level, m->text);
        }
        free(m);
    }
    r->msgs = NULL;
    r->tail = &r->msgs;
    if (!r->stopping && r->o.done) {
        r->o.done(r->o.ud, status == 0 && r->result == 0);
    }
    if (r->again && !r->stopping) {
        r->again = 0;
        start_reload(r);
    }
    maybe_free(r);
}

static void start_reload(veil_config_reloader_t *r)
{
    if (r->busy) {
        r->again = 1;
        return;
    }
    r->busy = 1;
    r->work.data = r;
    if (uv_queue_work(r->loop, &r->work, work_cb, after_work_cb) != 0) {
        r->busy = 0;
    }
}

static void timer_cb(uv_timer_t *t)
{
    veil_config_reloader_t *r = t->data;
    /* Several events for one save (truncate, write, rename, chmod) end
       here once; an event that did not change the file reloads nothing. */
    int changed = veil_config_stamp_changed(&r->stamp, r->path);
    if (changed || r->force) {
        r->force = 0;
        start_reload(r);
    }
}

static void fs_cb(uv_fs_event_t *h, const char *filename, int events, int status)
{
    veil_config_reloader_t *r = h->data;
    (void)events;
    if (status < 0 || r->stopping) {
        return;
    }
    /* The directory is watched: only our file, or a ConfigMap's ..data
       link swap, matters. No name: the platform could not tell. */
    if (filename && strcmp(filename, r->base) != 0 && strcmp(filename, "..data") != 0) {
        return;
    }
    uv_timer_start(&r->timer, timer_cb, r->o.debounce_ms, 0);
}

static void sig_cb(uv_signal_t *s, int signum)
{
    (void)signum;
    veil_config_reloader_trigger(s->data);
}

void veil_config_reloader_trigger(veil_config_reloader_t *r)
{
    if (r->stopping) {
        return;
    }
    r->force = 1;
    uv_timer_start(&r->timer, timer_cb, 0, 0);
}

veil_config_reloader_t *veil_config_reloader_start(uv_loop_t *loop,
                                                   const veil_config_reloader_options_t *o, int *rc)
{
    veil_config_reloader_t *r = calloc(1, sizeof(*r));
    *rc = 0;
    if (r == NULL || (r->path = strdup(o->path)) == NULL || (r->dir = strdup(o->path)) == NULL) {
        *rc = -ENOMEM;
        if (r) {
            free(r->path);
            free(r);
        }
        return NULL;
    }
    r->loop = loop;
    r->o = *o;
    if (r->o.debounce_ms == 0) {
        r->o.debounce_ms = 200;
    }
    r->tail = &r->msgs;
    char *slash = strrchr(r->dir, '/');
    if (slash == NULL) {
        free(r->dir);
        r->dir = strdup(".");
        r->base = r->path;
    } else {
        r->base = r->path + (slash - r->dir) + 1;
        slash[slash == r->dir ? 1 : 0] = '\0';
    }
    veil_config_stamp_changed(&r->stamp, r->path);

    uv_timer_init(loop, &r->timer);
    r->timer.data = r;
    r->open_handles++;
    if (o->watch_file) {
        uv_fs_event_init(loop, &r->fs);
        r->fs.data = r;
        r->open_handles++;
        r->fs_on = 1;
        *rc = uv_fs_event_start(&r->fs, fs_cb, r->dir, 0);
    }
    if (*rc == 0 && o->handle_sighup) {
        uv_signal_init(loop, &r->sig);
        r->sig.data = r;
        r->open_handles++;
        r->sig_on = 1;
        *rc = uv_signal_start(&r->sig, sig_cb, SIGHUP);
    }
    if (*rc != 0) {
        veil_config_reloader_stop(r);
        return NULL;
    }
    return r;
}

void veil_config_reloader_stop(veil_config_reloader_t *r)
{
    if (r == NULL || r->stopping) {
        return;
    }
    r->stopping = 1;
    uv_close((uv_handle_t *)&r->timer, on_close);
    if (r->fs_on) {
        uv_close((uv_handle_t *)&r->fs, on_close);
    }
    if (r->sig_on) {
        uv_close((uv_handle_t *)&r->sig, on_close);
    }
}
