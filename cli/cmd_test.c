/*
 * veil test: runs the `tests:` section of a config file, as `vector test`
 * does: one line per case, then "N passed, N failed". Exit 0 when every
 * case passed, 1 when one failed, 2 when the file is not valid.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "veil/config.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: veil test -c FILE [--show-output]\n\n"
                 "Runs each case of FILE's tests: section through its policy (named, via\n"
                 "a route, or by matching a request) and compares the redacted output,\n"
                 "the findings per detector and the block decision. A request may\n"
                 "present a client certificate (client_cert_file, or client_subject and\n"
                 "client_sans); one its listener's TLS handshake refuses is reported so\n"
                 "(expect: {handshake: refused}).\n\n"
                 "  --show-output   print the actual output of failing cases (it may\n"
                 "                  contain the test's own sample values)\n");
}

static void on_diag(void *ud, veil_diag_level_t level, const char *msg)
{
    (void)ud;
    fprintf(stderr, "%s: %s\n", level == VEIL_DIAG_ERROR ? "error" : "warning", msg);
}

int veil_cmd_test(int argc, char **argv)
{
    const char *path = NULL;
    int show = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) &&
                   i + 1 < argc) {
            path = argv[++i];
        } else if (strcmp(argv[i], "--show-output") == 0) {
            show = 1;
        } else {
            fprintf(stderr, "veil test: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (path == NULL) {
        usage(stderr);
        return 2;
    }
    veil_config_t *cfg = veil_config_load_file(path, VEIL_CONFIG_TEST_FILES, on_diag, NULL);
    if (cfg == NULL) {
        fprintf(stderr, "veil test: %s: configuration is not valid\n", path);
        return 2;
    }
    unsigned failed = veil_config_run_tests(cfg, stdout, show, NULL);
    veil_config_release(cfg);
    fflush(stdout);
    return failed ? 1 : 0;
}
