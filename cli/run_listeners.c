/*
 * veil run's listeners for addresses the network reaches (a pod's), each
 * with one job, while the admin listener with /config, /stats and
 * /report stays on loopback:
 *   server.probe_listen    /live and /ready, for the kubelet's probes;
 *                          its /ready follows the service state
 *                          (include/veil/notify.h): 503 until the data
 *                          listeners accept, 200 while serving, 503
 *                          again from SIGTERM on
 *   server.metrics_listen  /metrics, for Prometheus (with the admin
 *                          token when admin.token_file is set)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veil/config.h"
#include "veil/notify.h"
#include "veil/proxy.h"
#include "veil/stats.h"
#include "cmd.h"

/* HOST:PORT or [v6]:PORT, as the settings table checked it. */
static int split_address(const char *s, char *host, size_t hcap, int *port)
{
    const char *colon = strrchr(s, ':');
    const char *h = s;
    size_t hl;

    if (colon == NULL) {
        return -1;
    }
    hl = (size_t)(colon - s);
    if (s[0] == '[' && hl >= 2 && colon[-1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl == 0 || hl >= hcap) {
        return -1;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = atoi(colon + 1);
    return *port > 0 && *port <= 65535 ? 0 : -1;
}


static void on_state(void *ud, veil_notify_state_t state)
{
    veil_run_listeners_t *l = ud;

    if (state == VEIL_NOTIFY_READY) {
        veil_admin_set_config_loaded(l->probe, 1);
    } else if (state == VEIL_NOTIFY_STOPPING) {
        /* SIGINT as well as SIGTERM: either way no new work belongs here. */
        veil_admin_set_draining(l->probe, 1);
        veil_admin_set_draining(l->admin, 1);
    }
}


/* Starts one listener of kind <only> on <address> ("off": none). */
static int start_one(veil_admin_t **out, int only, const char *key, const char *address,
                     const veil_admin_options_t *base)
{
    veil_admin_options_t o = *base;
    char host[64], err[256];

    *out = NULL;
    if (address == NULL || strcmp(address, "off") == 0) {
        return 0;
    }
    if (split_address(address, host, sizeof(host), &o.port) != 0) {
        fprintf(stderr, "veil run: %s: expected HOST:PORT or off\n", key);
        return 1;
    }
    o.host = host;
    o.only = only;
    if (veil_admin_start(out, &o, err, sizeof(err)) != 0) {
        fprintf(stderr, "veil run: %s listener: %s\n",
                only == VEIL_ADMIN_PROBES ? "probe" : "metrics", err);
        return 1;
    }
    return 0;
}


int veil_run_listeners_start(veil_run_listeners_t *l, const veil_config_t *conf,
                             veil_admin_t *admin, veil_proxy_config_t *cfg)
{
    const veil_server_settings_t *sv = veil_config_server(conf);
    const veil_listener_t *first = veil_config_listener(conf, 0);
    veil_admin_options_t o;

    memset(l, 0, sizeof(*l));
    memset(&o, 0, sizeof(o));
    l->admin = admin;
    o.data_host = first->host;
    o.data_port = first->port;
    if (start_one(&l->probe, VEIL_ADMIN_PROBES, "server.probe_listen", sv->probe_listen, &o) != 0) {
        return 1;
    }
    if (sv->metrics_listen != NULL && strcmp(sv->metrics_listen, "off") != 0 &&
        cfg->stats == NULL) {
        /* The admin listener is off (or its default port was taken): the
           counters are made for the metrics listener. */
        l->own_stats = veil_stats_new(veil_proxy_workers(sv->workers), 16);
        if (l->own_stats == NULL || veil_stats_route(l->own_stats, "default") < 0) {
            fprintf(stderr, "veil run: cannot allocate the statistics\n");
            veil_run_listeners_stop(l);
            return 1;
        }
        veil_stats_config_digest(l->own_stats, conf);
        cfg->stats = l->own_stats;
    }
    o.stats = cfg->stats;
    o.token_file = veil_config_admin(conf)->token_file;
    if (start_one(&l->metrics, VEIL_ADMIN_METRICS, "server.metrics_listen", sv->metrics_listen,
                  &o) != 0) {
        if (cfg->stats == l->own_stats) {
            cfg->stats = NULL;
        }
        veil_run_listeners_stop(l);
        return 1;
    }
    veil_notify_set_hook(on_state, l);
    return 0;
}


void veil_run_listeners_stop(veil_run_listeners_t *l)
{
    veil_notify_set_hook(NULL, NULL);
    veil_admin_stop(l->probe);
    veil_admin_stop(l->metrics);
    veil_stats_free(l->own_stats);
    l->probe = l->metrics = NULL;
    l->own_stats = NULL;
}
