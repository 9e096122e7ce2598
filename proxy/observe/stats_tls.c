/*
 * TLS handshake counters on the listeners, as /stats and /metrics show
 * them (docs/statistics.md). The counters live in the shards with the
 * others (stats.c, veil_stats_tls_handshake()); this file names the
 * results and renders the two families:
 *
 *   veil_tls_handshakes_total                   every handshake that ended
 *   veil_tls_handshake_failures_total{reason}   those that failed, by reason
 *
 * so the failure ratio is the second over the first. The reasons are
 * veil's fixed set (include/veil/stats.h), all of them always present, so
 * a dashboard sees a zero rather than no series; no label ever holds
 * anything the client sent (SNI, certificate names).
 */
#include "veil/stats.h"

static const char *const tls_names[VEIL_STATS_TLS__COUNT] = {
    "ok",
    "protocol_version",
    "no_shared_cipher",
    "no_application_protocol",
    "sni",
    "client_cert_required",
    "client_cert_invalid",
    "server_cert_rejected",
    "not_tls",
    "timeout",
    "client_closed",
    "other",
};


const char *veil_stats_tls_name(int r)
{
    return r >= 0 && r < VEIL_STATS_TLS__COUNT ? tls_names[r] : "other";
}


static uint64_t total(const veil_stats_snapshot_t *sn)
{
    uint64_t n = 0;

    for (int k = 0; k < VEIL_STATS_TLS__COUNT; k++) {
        n += sn->tls_handshakes[k];
    }
    return n;
}


void veil_stats_tls_json(const veil_stats_snapshot_t *sn, veil_jbuf_t *b)
{
    /* {"total":N,"failures":{"protocol_version":N,...}} */
    veil_jbuf_key(b, "tls_handshakes");
    veil_jbuf_raw(b, "{", 1);
    veil_jbuf_key(b, "total");
    veil_jbuf_u64(b, total(sn));
    veil_jbuf_key(b, "failures");
    veil_jbuf_raw(b, "{", 1);
    for (int k = VEIL_STATS_TLS_OK + 1; k < VEIL_STATS_TLS__COUNT; k++) {
        veil_jbuf_key(b, tls_names[k]);
        veil_jbuf_u64(b, sn->tls_handshakes[k]);
    }
    veil_jbuf_raw(b, "}}", 2);
}


void veil_stats_tls_prometheus(const veil_stats_snapshot_t *sn, veil_jbuf_t *b)
{
    veil_jbuf_cstr(b, "# HELP veil_tls_handshakes_total TLS handshakes on the listeners "
                      "that ended, completed or failed.\n"
                      "# TYPE veil_tls_handshakes_total counter\n"
                      "veil_tls_handshakes_total ");
    veil_jbuf_u64(b, total(sn));
    veil_jbuf_cstr(b, "\n# HELP veil_tls_handshake_failures_total TLS handshakes on the "
                      "listeners that failed, by reason.\n"
                      "# TYPE veil_tls_handshake_failures_total counter\n");
    for (int k = VEIL_STATS_TLS_OK + 1; k < VEIL_STATS_TLS__COUNT; k++) {
        /* The names are veil's own: nothing to escape. */
        veil_jbuf_cstr(b, "veil_tls_handshake_failures_total{reason=\"");
        veil_jbuf_cstr(b, tls_names[k]);
        veil_jbuf_cstr(b, "\"} ");
        veil_jbuf_u64(b, sn->tls_handshakes[k]);
        veil_jbuf_raw(b, "\n", 1);
    }
}
