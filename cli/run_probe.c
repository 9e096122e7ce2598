/*
 * veil run's probe listener: /live and /ready only, on an address the
 * kubelet reaches (the pod's), while the admin listener with /config,
 * /stats and /report stays on loopback. Its /ready follows the service
 * state (include/veil/notify.h): 503 until the data listeners accept,
 * 200 while serving, 503 again from SIGTERM on.
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
    veil_run_probe_t *p = ud;

    if (state == VEIL_NOTIFY_READY) {
        veil_admin_set_config_loaded(p->probe, 1);
    } else if (state == VEIL_NOTIFY_STOPPING) {
        /* SIGINT as well as SIGTERM: either way no new work belongs here. */
        veil_admin_set_draining(p->probe, 1);
        veil_admin_set_draining(p->admin, 1);
    }
}


int veil_run_probe_start(veil_run_probe_t *p, const veil_config_t *conf, veil_admin_t *admin,
                         const veil_proxy_config_t *cfg)
{
    const char *listen = veil_config_admin(conf)->probe_listen;
    veil_admin_options_t o;
    char host[64], err[256];

    memset(p, 0, sizeof(*p));
    p->admin = admin;
    if (listen != NULL && strcmp(listen, "off") != 0) {
        memset(&o, 0, sizeof(o));
        if (split_address(listen, host, sizeof(host), &o.port) != 0) {
            fprintf(stderr, "veil run: admin.probe_listen: expected HOST:PORT or off\n");
            return 1;
        }
        o.host = host;
        o.probe_only = 1;
        o.data_host = cfg->listen_host;
        o.data_port = cfg->listen_port;
        if (veil_admin_start(&p->probe, &o, err, sizeof(err)) != 0) {
            fprintf(stderr, "veil run: probe listener: %s\n", err);
            return 1;
        }
    }
    veil_notify_set_hook(on_state, p);
    return 0;
}


void veil_run_probe_stop(veil_run_probe_t *p)
{
    veil_notify_set_hook(NULL, NULL);
    veil_admin_stop(p->probe);
    p->probe = NULL;
}
