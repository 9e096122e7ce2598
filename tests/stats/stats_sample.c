/*
 * stats_sample: prints a fixed, known set of counters as the /stats JSON
 * (`stats_sample json`) or the /metrics text (`stats_sample metrics`), for
 * promtool and the report tests; `stats_sample tables` lists the reason ids. Every family has at least one series,
 * and one route name needs escaping.
 */
#include <stdio.h>
#include <string.h>

#include "veil/stats.h"
#include "veil/tokens.h"

int main(int argc, char **argv)
{
    veil_stats_t *s = veil_stats_new(2, 8);
    veil_stats_shard_t *a = veil_stats_shard(s, 0), *b = veil_stats_shard(s, 1);
    veil_stats_shard_t *m = veil_stats_shard(s, VEIL_STATS_SHARD_MAIN);
    veil_stats_snapshot_t sn;
    veil_jbuf_t out;
    int email = veil_catalog_find("email"), card = veil_catalog_find("credit_card");
    int ssn = veil_catalog_find("us_ssn"), ip = veil_catalog_find("ipv4");
    int rc;

    if (argc != 2 || s == NULL) {
        fprintf(stderr, "usage: stats_sample json|metrics|tables\n");
        return 2;
    }
    veil_stats_route(s, "default");
    veil_stats_route(s, "payments");
    veil_stats_route(s, "odd \"route\"\\");
    if (strcmp(argv[1], "tables") == 0) {
        /* Every reason id, "table name" per line, for test_reasons.py. */
        static const char *const names[] = {"reject", "skip", "upstream"};

        for (int t = 0; t < VEIL_STATS_T__COUNT; t++) {
            for (size_t i = 0; i < veil_stats_table_count((veil_stats_table_t)t); i++) {
                printf("%s %s\n", names[t], veil_stats_table_name((veil_stats_table_t)t, i));
            }
        }
        veil_stats_free(s);
        return 0;
    }
    for (int i = 0; i < 40; i++) {
        veil_stats_request(i % 2 ? a : b, (unsigned)(i % 3),
                           i % 4 ? VEIL_STATS_M_GET : VEIL_STATS_M_POST, i % 10 ? 200 : 502,
                           1000000ull * (uint64_t)(i + 1), 800000ull * (uint64_t)(i + 1), 150000);
    }
    veil_stats_finding(a, 0, VEIL_STATS_LOC_REQ_BODY, (unsigned)email, VEIL_STATS_ACT_OBSERVE, 12);
    veil_stats_finding(a, 0, VEIL_STATS_LOC_RSP_BODY, (unsigned)email, VEIL_STATS_ACT_OBSERVE, 30);
    veil_stats_finding(b, 1, VEIL_STATS_LOC_REQ_BODY, (unsigned)card, VEIL_STATS_ACT_MASK, 7);
    veil_stats_finding(b, 1, VEIL_STATS_LOC_REQ_QUERY, (unsigned)card, VEIL_STATS_ACT_BLOCK, 2);
    veil_stats_finding(a, 1, VEIL_STATS_LOC_RSP_BODY, (unsigned)ssn, VEIL_STATS_ACT_HASH, 4);
    veil_stats_finding(b, 2, VEIL_STATS_LOC_REQ_HEADERS, (unsigned)ip, VEIL_STATS_ACT_OBSERVE, 9);
    veil_stats_inspected(a, 0, VEIL_STATS_DIR_REQUEST, 123456);
    veil_stats_inspected(b, 1, VEIL_STATS_DIR_RESPONSE, 654321);
    veil_stats_not_inspected(a, 0, VEIL_STATS_DIR_RESPONSE, "binary");
    veil_stats_not_inspected(a, 0, VEIL_STATS_DIR_RESPONSE, "over_limit");
    veil_stats_not_inspected(b, 1, VEIL_STATS_DIR_REQUEST, "encoding");
    veil_stats_rejected(a, "cl_te_conflict");
    veil_stats_rejected(a, "header_timeout");
    veil_stats_rejected(b, "bare_lf");
    veil_stats_blocked(b, 1, VEIL_CAT_FINANCIAL);
    veil_stats_blocked(b, 1, VEIL_CAT_FINANCIAL);
    veil_stats_upstream_error(a, 0, "upstream_unavailable");
    veil_stats_reload(m, VEIL_STATS_RELOAD_OK);
    veil_stats_set_config(s, "sha256:5f1c9a", 1795000000.0);
    {
        /* Reversible tokens, placeholders, POST /detokenize: one series of
           each family. */
        veil_hash_key_t k;
        const veil_hash_key_t *kp = &k;
        char err[128];
        veil_token_ring_t *ring;
        static veil_token_stats_t st;
        unsigned e = veil_token_stat_type("email"), c = veil_token_stat_type("credit_card");

        memset(&k, 0, sizeof(k));
        k.id = "k1";
        k.slot = 1;
        k.len = 32;
        k.state = VEIL_KEY_ACTIVE;
        ring = veil_token_ring_new(&kp, 1, err, sizeof(err));
        st.issued[e][1][VEIL_TOKEN_KIND_TAGGED] = 6;
        st.issued[c][1][VEIL_TOKEN_KIND_FPE] = 2;
        st.reversed[c][1][VEIL_TOKEN_RESTORED] = 2;
        st.reversed[e][1][VEIL_TOKEN_NOT_ALLOWED] = 1;
        st.fpe_refused[e][VEIL_FPE_REFUSED_DOMAIN] = 1;
        st.kept = 1;
        veil_stats_tokens(a, ring, &st);
        veil_stats_placeholders(b, 1, 3, 4, 1);
        veil_stats_detokenize_request(m, "billing", 200);
        veil_stats_detokenize_request(m, NULL, 401);
        veil_token_ring_free(ring);
    }

    veil_stats_snapshot(s, &sn);
    veil_jbuf_init(&out, 1 << 22);
    rc = strcmp(argv[1], "json") == 0 ? veil_stats_json(&sn, &out)
                                      : veil_stats_prometheus(&sn, &out);
    fwrite(out.data, 1, out.len, stdout);
    veil_jbuf_dispose(&out);
    veil_stats_snapshot_dispose(&sn);
    veil_stats_free(s);
    return rc == 0 ? 0 : 1;
}
