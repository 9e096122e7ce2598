/*
 * admin_serve: the admin listener over a fixed set of counters, driven by
 * tests/stats/test_admin.py.
 *
 * usage: admin_serve PORT [--token-file F] [--data HOST:PORT]
 * Prints "listening" (or the error and exits 1), then reads commands on
 * stdin, one per line: "loaded", "unloaded", "drain", "undrain",
 * "finding" (one more email finding, request body of route "api");
 * end of input stops the listener and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veil/stats.h"

static int config_json(void *ud, veil_jbuf_t *out)
{
    (void)ud;
    return veil_jbuf_cstr(out, "{\"listen\":\"127.0.0.1:8000\","
                               "\"hash_key\":\"(set)\"}");
}


int main(int argc, char **argv)
{
    veil_stats_t *s = veil_stats_new(1, 4);
    veil_stats_shard_t *w = veil_stats_shard(s, 0);
    veil_admin_options_t o = {0};
    veil_admin_t *a;
    char err[256], line[64], dhost[64] = "";
    int email = veil_catalog_find("email");

    if (argc < 2) {
        fprintf(stderr, "usage: admin_serve PORT [--token-file F] [--data HOST:PORT]\n");
        return 2;
    }
    veil_stats_route(s, "api");
    veil_stats_route(s, "static");
    o.host = "127.0.0.1";
    o.port = atoi(argv[1]);
    o.stats = s;
    o.config_json = config_json;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--token-file") == 0) {
            o.token_file = argv[i + 1];
        } else if (strcmp(argv[i], "--data") == 0) {
            const char *c = strrchr(argv[i + 1], ':');

            snprintf(dhost, sizeof(dhost), "%.*s", (int)(c - argv[i + 1]), argv[i + 1]);
            o.data_host = dhost;
            o.data_port = atoi(c + 1);
        }
    }
    veil_stats_request(w, 0, VEIL_STATS_M_GET, 200, 2000000, 1500000, 300000);
    veil_stats_finding(w, 0, VEIL_STATS_LOC_REQ_BODY, (unsigned)email, VEIL_STATS_ACT_OBSERVE, 2);
    veil_stats_rejected(w, "cl_te_conflict");
    veil_stats_set_config(s, "test-config-1", 1795000000.0);

    if (veil_admin_start(&a, &o, err, sizeof(err)) != 0) {
        printf("error: %s\n", err);
        veil_stats_free(s);
        return 1;
    }
    printf("listening\n");
    fflush(stdout);
    while (fgets(line, sizeof(line), stdin) != NULL) {
        if (strcmp(line, "loaded\n") == 0) {
            veil_admin_set_config_loaded(a, 1);
        } else if (strcmp(line, "unloaded\n") == 0) {
            veil_admin_set_config_loaded(a, 0);
        } else if (strcmp(line, "drain\n") == 0) {
            veil_admin_set_draining(a, 1);
        } else if (strcmp(line, "undrain\n") == 0) {
            veil_admin_set_draining(a, 0);
        } else if (strcmp(line, "finding\n") == 0) {
            veil_stats_finding(w, 0, VEIL_STATS_LOC_REQ_BODY, (unsigned)email,
                               VEIL_STATS_ACT_OBSERVE, 1);
        }
        printf("ok\n");
        fflush(stdout);
    }
    veil_admin_stop(a);
    veil_stats_free(s);
    return 0;
}
