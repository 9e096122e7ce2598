/*
 * The tls.* fields of an access-log record (ECS names: tls.version,
 * tls.cipher, tls.next_protocol, tls.resumed, tls.client.server_name,
 * tls.client.subject, tls.client.issuer, tls.client.x509.
 * alternative_names) for an exchange that came in over a TLS listener.
 *
 * What the session chose (version, cipher, ALPN) is veil's own text. What
 * the client sent or is named (its SNI, its certificate's names) may
 * carry personal data, like a header: it is written as the engine redacts
 * it, and left out when it cannot be redacted (fail closed). The client
 * certificate itself is never written.
 */
#include <string.h>

#include "proxy_int.h"


void veil__log_tls(veil_jbuf_t *b, const veil__client_t *c, const veil_engine_t *engine,
                   const uint8_t *actions, const veil_policy_dir_t *pd)
{
    const veil__tls_info_t *in = veil__tls_info(c->tr);
    const char *v = NULL;
    veil_h1_span_t vals[4], red[4];
    int locs[4] = {VEIL__LOC_REQ_HEADERS, VEIL__LOC_REQ_HEADERS, VEIL__LOC_REQ_HEADERS,
                   VEIL__LOC_REQ_HEADERS};
    veil__findings_t scratch;
    veil_jbuf_t out;
    size_t n = 0;
    int has_sni, has_cert;

    if (in == NULL) {
        return;
    }
    v = in->version;
    if (v != NULL && strncmp(v, "TLSv", 4) == 0) {
        v += 4; /* ECS: "1.3", with tls.version_protocol "tls" */
    }
    veil_jbuf_key(b, "tls.version_protocol");
    veil_jbuf_cstr(b, "\"tls\"");
    if (v != NULL) {
        veil_jbuf_key(b, "tls.version");
        veil_jbuf_str(b, v, strlen(v));
    }
    if (in->cipher != NULL) {
        veil_jbuf_key(b, "tls.cipher");
        veil_jbuf_str(b, in->cipher, strlen(in->cipher));
    }
    if (in->alpn[0] != '\0') {
        veil_jbuf_key(b, "tls.next_protocol");
        veil_jbuf_str(b, in->alpn, strlen(in->alpn));
    }
    veil_jbuf_key(b, "tls.resumed");
    veil_jbuf_cstr(b, in->resumed ? "true" : "false");
    has_sni = in->server_name[0] != '\0';
    has_cert = in->client.verified;
    if (!has_sni && !has_cert) {
        return;
    }
    if (engine == NULL) {
        /* Inspection off: what the client named cannot be redacted. */
        return;
    }
    vals[n].ptr = in->server_name;
    vals[n++].len = strlen(in->server_name);
    vals[n].ptr = in->client.subject;
    vals[n++].len = strlen(in->client.subject);
    vals[n].ptr = in->client.issuer;
    vals[n++].len = strlen(in->client.issuer);
    vals[n].ptr = in->client.san;
    vals[n++].len = strlen(in->client.san);
    /* A name that holds a line break would be two lines to the engine. */
    for (size_t i = 0; i < n; i++) {
        if (memchr(vals[i].ptr, '\n', vals[i].len) != NULL) {
            return;
        }
    }
    memset(&scratch, 0, sizeof(scratch));
    veil_jbuf_init(&out, 8 * 1024);
    if (veil__redact_lines(engine, actions, pd, VEIL_FMT_TEXT, vals, n, &out, red, locs, &scratch,
                           NULL, NULL, NULL) == 0) {
        if (has_sni) {
            veil_jbuf_key(b, "tls.client.server_name");
            veil_jbuf_str(b, red[0].ptr, red[0].len);
        }
        if (has_cert) {
            veil_jbuf_key(b, "tls.client.subject");
            veil_jbuf_str(b, red[1].ptr, red[1].len);
            veil_jbuf_key(b, "tls.client.issuer");
            veil_jbuf_str(b, red[2].ptr, red[2].len);
            if (red[3].len > 0) {
                veil_jbuf_key(b, "tls.client.x509.alternative_names");
                veil_jbuf_raw(b, "[", 1);
                veil_jbuf_str(b, red[3].ptr, red[3].len);
                veil_jbuf_raw(b, "]", 1);
            }
        }
    }
    veil_jbuf_dispose(&out);
}
