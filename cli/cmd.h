/* The subcommands of the veil executable, one per cli/cmd_<name>.c. */
#ifndef VEIL_PROXY_CMD_H
#define VEIL_PROXY_CMD_H

int veil_cmd_scan(int argc, char **argv);
int veil_cmd_detectors(int argc, char **argv);
int veil_cmd_run(int argc, char **argv);
int veil_cmd_report(int argc, char **argv);
int veil_cmd_check(int argc, char **argv);
int veil_cmd_test(int argc, char **argv);
/* cmd_tokenize.c */
int veil_cmd_tokenize(int argc, char **argv);
int veil_cmd_detokenize(int argc, char **argv);
int veil_cmd_tokens(int argc, char **argv);

/*
 * run_listeners.c: veil run's pod-facing listeners, the probe listener
 * (server.probe_listen: /live, /ready) and the metrics listener
 * (server.metrics_listen: /metrics), and the service-state hook that turns
 * /ready to 200 once the data listeners accept and to 503 at SIGTERM or
 * SIGINT.
 */
struct veil_admin;
struct veil_config;
struct veil_proxy_config;
struct veil_stats;
typedef struct veil_run_listeners {
    struct veil_admin *probe;     /* NULL: server.probe_listen is off */
    struct veil_admin *metrics;   /* NULL: server.metrics_listen is off */
    struct veil_admin *admin;     /* the admin listener, or NULL */
    struct veil_stats *own_stats; /* made for the metrics listener */
} veil_run_listeners_t;
/* Starts the listeners <conf> asks for and sets the hook; the metrics
   listener gets <cfg>'s counters, made here when the admin listener
   made none. Returns 0, or 1 after a message on stderr. */
int veil_run_listeners_start(veil_run_listeners_t *l, const struct veil_config *conf,
                             struct veil_admin *admin, struct veil_proxy_config *cfg);
/* Removes the hook, stops the listeners, frees what they own. */
void veil_run_listeners_stop(veil_run_listeners_t *l);

#endif
