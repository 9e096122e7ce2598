/*
 * The config loader on arbitrary bytes: YAML parsing, ${VAR}, the schema,
 * pattern compilation. A config that loads must also dump, route and run
 * its tests without crashing; a rejected one must have said why.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veil/config.h"

static void count(void *ud, veil_diag_level_t level, const char *msg)
{
    (void)msg;
    if (level == VEIL_DIAG_ERROR) {
        (*(unsigned *)ud)++;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned errors = 0;
    if (size > 64 * 1024) {
        return 0;
    }
    veil_config_t *c =
        veil_config_load_string("fuzz.yaml", (const char *)data, size, 0, count, &errors);
    if (c == NULL) {
        if (errors == 0) {
            abort(); /* rejected without a reason */
        }
        return 0;
    }
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        veil_config_dump(c, null);
        veil_config_run_tests(c, null, 1, NULL);
        fclose(null);
    }
    static const char *const paths[] = {"/", "/v1/cards", "/files/x?y"};
    for (size_t i = 0; i < 3; i++) {
        /* The second request comes with a verified client certificate:
           routes matching on client_sans / client_subject are tried. */
        static const veil_client_name_t sans[] = {{"spiffe://example.org/billing", 0},
                                                  {"Billing.Example.Org", 1}};
        veil_route_request_t q = {"POST",
                                  4,
                                  "api.example.com:443",
                                  19,
                                  paths[i],
                                  strlen(paths[i]),
                                  "application/json",
                                  16,
                                  NULL,
                                  i == 1,
                                  i == 1 ? "CN=billing,O=Example" : NULL,
                                  i == 1 ? sans : NULL,
                                  i == 1 ? 2 : 0};
        const veil_route_t *r = veil_config_route_match(c, &q);
        if (r == NULL || r->policy == NULL || r->upstream == NULL) {
            abort();
        }
        const veil_policy_t *p = veil_policy_for_consent(r->policy, 1, 1);
        if (p->dir[VEIL_DIR_REQUEST].engine == NULL) {
            abort();
        }
    }
    static const char *const fields[] = {
        "$.user.card", "$.items[3].iban", "$['a b'][0]", "password", "x-api-key", "$.", "$[", ""};
    for (size_t i = 0; i < veil_config_policy_count(c); i++) {
        const veil_policy_t *p = veil_config_policy_at(c, i);
        for (int d = 0; d < VEIL_DIR__COUNT; d++) {
            for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
                for (int w = VEIL_FIELD_JSON; w <= VEIL_FIELD_QUERY; w++) {
                    (void)veil_policy_field_rule(&p->dir[d], (veil_field_where_t)w, fields[f],
                                                 strlen(fields[f]));
                }
                (void)veil_policy_body_field_allowed(&p->dir[d], fields[f], strlen(fields[f]));
            }
        }
    }
    veil_config_release(c);
    return 0;
}
