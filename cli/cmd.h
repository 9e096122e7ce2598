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
 * run_probe.c: veil run's probe listener (admin.probe_listen), and the
 * service-state hook that turns /ready on it (and on the admin listener)
 * to 200 once the data listeners accept and to 503 at SIGTERM or SIGINT.
 */
struct veil_admin;
struct veil_config;
struct veil_proxy_config;
typedef struct veil_run_probe {
    struct veil_admin *probe; /* NULL: admin.probe_listen is off */
    struct veil_admin *admin; /* the admin listener, or NULL */
} veil_run_probe_t;
/* Starts the probe listener of <conf> (if any) and sets the hook. Returns
   0, or 1 after a message on stderr. */
int veil_run_probe_start(veil_run_probe_t *p, const struct veil_config *conf,
                         struct veil_admin *admin, const struct veil_proxy_config *cfg);
/* Removes the hook and stops the probe listener. */
void veil_run_probe_stop(veil_run_probe_t *p);

#endif
