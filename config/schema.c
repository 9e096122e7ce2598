/*
 * The schema: walks the YAML tree into the typed config, with a default
 * for every key, and reports what is wrong as file:line:column: key:
 * reason. Unknown keys are errors with the closest known key suggested.
 * Sections are in schema_*.c; checks that need the detection engine
 * (patterns, keys) are in compile.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"


int veil__schema_load(veil_config_t *cfg, const veil__node_t *root, unsigned flags, veil__diag_t *d)
{
    static const char *const keys[] = {
        "version", "listeners",  "upstreams", "routes", "policies", "detectors", "allowlists",
        "keys",    "access_log", "server",    "admin",  "tests",    "detokenize"};
    veil__schema_t s = {cfg, d, NB, flags, NULL};
    int rc = 0;
    uint64_t version = 1;

    if (root->kind != VEIL__N_MAP) {
        veil__err_at(d, root, "(top)", "expected a map of sections (listeners:, routes:, ...)");
        return -1;
    }
    if (veil__sc_check_keys(&s, root, "", keys, COUNT(keys)) != 0) {
        rc = -1;
    }
    if (veil__sc_get_number(&s, root, "version", "", 0, 1, 1, &version) != 0) {
        return -1;
    }
    /* Later sections refer to earlier ones: keys and detectors first. */
    rc |= veil__sc_parse_keys(&s, root);
    rc |= veil__sc_parse_detectors(&s, root);
    rc |= veil__sc_parse_allowlists(&s, root);
    rc |= veil__sc_parse_upstreams(&s, root);
    rc |= veil__sc_parse_listeners(&s, root);
    rc |= veil__sc_parse_server(&s, root);
    rc |= veil__sc_apply_overrides(&s);
    /* Every section is checked even after an error, so one run of veil
       check reports all of them; each falls back to defaults for what
       it refers to. */
    rc |= veil__sc_parse_policies(&s, root);
    rc |= veil__sc_parse_routes(&s, root);
    rc |= veil__sc_parse_detokenize(&s, root);
    veil__route_init_default(cfg);
    rc |= veil__sc_parse_tests(&s, root);
    return rc;
}
