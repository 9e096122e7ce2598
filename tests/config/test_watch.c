/*
 * The reloader on a real libuv loop and a real file: a burst of writes is
 * one reload (debounce), a rename over the file is seen, a bad file is
 * rejected and counted while the old config keeps serving, a SIGHUP
 * reloads an unchanged file, and a config taken before a swap stays whole.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_watch.h"
#include "test.h"

#define FILE_NAME "watch-test.yaml"

typedef struct {
    uv_loop_t loop;
    uv_timer_t step_timer;
    veil_config_holder_t *h;
    veil_config_reloader_t *r;
    int step;
    int oks, fails;
    char last_diag[512];
    int diags;
} ctx_t;

static void write_file(const char *path, const char *route)
{
    FILE *f = fopen(path, "w");
    fprintf(f, "routes:\n  - name: %s\n    match: {path_prefix: /%s}\n", route, route);
    fclose(f);
}

static const char *current_route(ctx_t *c)
{
    static char name[64];
    veil_config_t *cfg = veil_config_holder_get(c->h);
    snprintf(name, sizeof(name), "%s",
             veil_config_route_count(cfg) ? veil_config_route(cfg, 0)->name : "(none)");
    veil_config_release(cfg);
    return name;
}

static void on_diag(void *ud, veil_diag_level_t level, const char *msg)
{
    ctx_t *c = ud;
    (void)level;
    c->diags++;
    snprintf(c->last_diag, sizeof(c->last_diag), "%s", msg);
}

static void on_done(void *ud, int ok)
{
    ctx_t *c = ud;
    if (ok) {
        c->oks++;
    } else {
        c->fails++;
    }
}

static veil_config_t *held;

/* The scenario, one step per 400 ms (debounce is 50 ms). */
static void step_cb(uv_timer_t *t)
{
    ctx_t *c = t->data;
    uint64_t ok, failed;
    switch (c->step++) {
    case 0:
        held = veil_config_holder_get(c->h);
        /* A burst of five writes: one reload, of the last content. */
        for (int i = 1; i <= 5; i++) {
            char name[16];
            snprintf(name, sizeof(name), "burst%d", i);
            write_file(FILE_NAME, name);
        }
        break;
    case 1:
        CHECK_EQ(c->oks, 1);
        CHECK_STR(current_route(c), "burst5");
        CHECK_EQ(veil_config_holder_generation(c->h), 2);
        /* The config taken before the swap is still whole. */
        CHECK_STR(veil_config_route(held, 0)->name, "start");
        veil_config_release(held);
        held = NULL;
        /* An editor's save: a temporary file renamed over the config. */
        write_file(FILE_NAME ".tmp", "renamed");
        rename(FILE_NAME ".tmp", FILE_NAME);
        break;
    case 2:
        CHECK_EQ(c->oks, 2);
        CHECK_STR(current_route(c), "renamed");
        /* A bad file: rejected, reported with its position, counted. */
        {
            FILE *f = fopen(FILE_NAME, "w");
            fputs("routes:\n  - polcy: x\n", f);
            fclose(f);
        }
        break;
    case 3:
        CHECK_EQ(c->fails, 1);
        CHECK_STR(current_route(c), "renamed");
        CHECK_STR(c->last_diag, FILE_NAME ":2:5: routes[0].polcy: unknown key "
                                          "(did you mean 'policy'?)");
        veil_config_holder_counts(c->h, &ok, &failed);
        CHECK_EQ(ok, 2);
        CHECK_EQ(failed, 1);
        write_file(FILE_NAME, "fixed");
        break;
    case 4:
        CHECK_EQ(c->oks, 3);
        CHECK_STR(current_route(c), "fixed");
        /* SIGHUP reloads even an unchanged file. */
        kill(getpid(), SIGHUP);
        break;
    case 5:
        CHECK_EQ(c->oks, 4);
        CHECK_EQ(veil_config_holder_generation(c->h), 5);
        /* Touching the directory's other files reloads nothing. */
        write_file("watch-other.yaml", "other");
        break;
    case 6:
        CHECK_EQ(c->oks, 4);
        remove("watch-other.yaml");
        /* A listener change applies only at the next start: a warning. */
        {
            FILE *f = fopen(FILE_NAME, "w");
            fputs("listeners: [{address: '127.0.0.1:8999'}]\n", f);
            fclose(f);
        }
        break;
    case 7:
        CHECK_EQ(c->oks, 5);
        CHECK_STR(c->last_diag, FILE_NAME ": listeners[0].address: changed; takes effect at "
                                          "the next restart");
        veil_config_reloader_stop(c->r);
        uv_close((uv_handle_t *)&c->step_timer, NULL);
        return;
    }
    uv_timer_start(&c->step_timer, step_cb, 400, 0);
}

TEST(reloader_scenario)
{
    ctx_t c;
    int rc;
    memset(&c, 0, sizeof(c));
    write_file(FILE_NAME, "start");
    veil_config_t *cfg = veil_config_load_file(FILE_NAME, 0, NULL, NULL);
    CHECK(cfg != NULL);
    c.h = veil_config_holder_new(cfg);
    uv_loop_init(&c.loop);
    veil_config_reloader_options_t o = {FILE_NAME, c.h, 50, 1, 1, on_diag, on_done, &c, NULL, 0};
    c.r = veil_config_reloader_start(&c.loop, &o, &rc);
    CHECK(c.r != NULL);
    uv_timer_init(&c.loop, &c.step_timer);
    c.step_timer.data = &c;
    uv_timer_start(&c.step_timer, step_cb, 100, 0);
    uv_run(&c.loop, UV_RUN_DEFAULT);
    CHECK_EQ(c.step, 8);
    CHECK_EQ(uv_loop_close(&c.loop), 0);
    veil_config_holder_free(c.h);
    remove(FILE_NAME);
}

int main(void)
{
    RUN(reloader_scenario);
    TEST_MAIN_END;
}
