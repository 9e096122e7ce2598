/*
 * veil check: validates a config file the way `nginx -t` does. Loading
 * it compiles every pattern with JIT into the engines the proxy would
 * use, opens the key files (refused unless mode 0600) and, here only,
 * tests loose custom patterns against common identifiers. Errors and
 * warnings go to stderr as file:line:column: key: reason; a summary to
 * stdout. --dump prints the effective config without secrets.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "veil/config.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: veil check [-c FILE] [--dump]\n\n"
                 "Validates FILE (default: the embedded configuration) and exits 0 when\n"
                 "it is valid, 1 when not. Problems are printed as\n"
                 "file:line:column: key: reason.\n\n"
                 "  -c FILE   the configuration file\n"
                 "  --dump    print the effective configuration (defaults included,\n"
                 "            secrets removed) to stdout\n");
}

static void on_diag(void *ud, veil_diag_level_t level, const char *msg)
{
    unsigned *warnings = ud;
    if (level == VEIL_DIAG_WARNING) {
        (*warnings)++;
    }
    fprintf(stderr, "%s: %s\n", level == VEIL_DIAG_ERROR ? "error" : "warning", msg);
}

int veil_cmd_check(int argc, char **argv)
{
    const char *path = NULL;
    int dump = 0;
    unsigned warnings = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) &&
                   i + 1 < argc) {
            path = argv[++i];
        } else if (strcmp(argv[i], "--dump") == 0) {
            dump = 1;
        } else {
            fprintf(stderr, "veil check: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    veil_config_t *cfg;
    if (path) {
        cfg = veil_config_load_file(path, VEIL_CONFIG_LINT, on_diag, &warnings);
    } else {
        const char *text = veil_config_default_yaml();
        cfg = veil_config_load_string("(default)", text, strlen(text), VEIL_CONFIG_LINT, on_diag,
                                      &warnings);
    }
    const char *name = path ? path : "(default)";
    if (cfg == NULL) {
        fprintf(stderr, "veil check: %s: configuration is not valid\n", name);
        return 1;
    }
    if (dump) {
        veil_config_dump(cfg, stdout);
    } else {
        printf("veil check: %s: ok: %zu listener(s), %zu upstream(s), %zu route(s), "
               "%zu polic%s, %zu engine(s), %zu test(s), %u warning(s)\n",
               name, veil_config_listener_count(cfg), veil_config_upstream_count(cfg),
               veil_config_route_count(cfg), veil_config_policy_count(cfg),
               veil_config_policy_count(cfg) == 1 ? "y" : "ies", veil_config_engine_count(cfg),
               veil_config_test_count(cfg), warnings);
    }
    veil_config_release(cfg);
    return fflush(stdout) == 0 ? 0 : 1;
}
