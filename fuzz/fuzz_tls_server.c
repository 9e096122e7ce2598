/*
 * Fuzz target: the server side of the TLS transport (proxy/net/tls.c), as
 * a listener with `tls:` runs it: TLS records from a client fed through
 * the memory BIOs in slices, the handshake advanced after each slice, the
 * plaintext pulled as the connection code pulls it, then the end of the
 * stream, a response written and the session shut down.
 *
 * Input: byte 0 is the slice size (1..256); the rest is what the client
 * sends. The seeds (fuzz/corpus/tls_server/) are ClientHellos recorded
 * from Python's ssl module (TLS 1.3 and 1.2, with and without SNI and
 * ALPN, with a client certificate offered), a TLS 1.1 hello, records cut
 * short and bytes that are no record.
 *
 * The listener: two self-signed certificates (SNI), client_auth optional
 * with client_sans, so the verify and servername callbacks run.
 *
 * Invariants (abort on violation):
 * - a pull never writes past the room it was given, and the plaintext
 *   handed out is never more than the ciphertext fed;
 * - no plaintext comes out before the handshake completed;
 * - once the stream ended (end_done), nothing more comes out;
 * - a failed handshake leaves the transport marked failed;
 * - a handshake that completed or failed was counted (once: the count at
 *   free time adds nothing then), and the counters sum to one per input
 *   that fed a byte.
 *
 * tls.c, tls_ctx.c and transport.c are compiled into the target (as
 * fuzz_request.c does with the HTTP validators) so libFuzzer's coverage
 * sees them; the write queue is a stub that counts what the session
 * sends. OpenSSL itself is not instrumented: its parsers are reached
 * through mutations of the recorded hellos.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy/net/tls.c"
#include "proxy/net/tls_ctx.c"
#include "proxy/net/transport.c"

#define FUZZ_ASSERT(cond)                                                                \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                     \
        }                                                                                \
    } while (0)

static const char cert_pem[] = "-----BEGIN CERTIFICATE-----\n"
                               "MIIBqjCCAVGgAwIBAgIUALs/P8Qx6yKwCRCqTxQ4sBzuklIwCgYIKoZIzj0EAwIw\n"
                               "FDESMBAGA1UEAwwJZnV6ei50ZXN0MCAXDTI2MTIwNTE0MjIxMVoYDzIxMjYxMTEx\n"
                               "MTQyMjExWjAUMRIwEAYDVQQDDAlmdXp6LnRlc3QwWTATBgcqhkjOPQIBBggqhkjO\n"
                               "PQMBBwNCAARx9v+7M5vZJay8hhYKQM4NrB5/AgsLr688wXTqFUAo+Wez7fD/CI/v\n"
                               "tW6Gfas9yeLch2BWfikoIwQ2C1XaaImwo38wfTAdBgNVHQ4EFgQUtqCUWVHfczuF\n"
                               "GtRsD/FwroFTFhwwHwYDVR0jBBgwFoAUtqCUWVHfczuFGtRsD/FwroFTFhwwDwYD\n"
                               "VR0TAQH/BAUwAwEB/zAqBgNVHREEIzAhgglmdXp6LnRlc3SGFHNwaWZmZTovL2Z1\n"
                               "enovY2xpZW50MAoGCCqGSM49BAMCA0cAMEQCIDl+Ix4LGf/a7GFltl7JngmJJ14S\n"
                               "CsirxvOy+X022v6KAiAV5uZ4TdH8/gZl+17I9oEuzPgtlRuBiP6TBZNQdxKi8Q==\n"
                               "-----END CERTIFICATE-----\n";

static const char key_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                              "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgDxNtA4cv7FwhLfDn\n"
                              "IWCwksfY1PjYbJ/g5dE7sDVgltmhRANCAARx9v+7M5vZJay8hhYKQM4NrB5/AgsL\n"
                              "r688wXTqFUAo+Wez7fD/CI/vtW6Gfas9yeLch2BWfikoIwQ2C1XaaImw\n"
                              "-----END PRIVATE KEY-----\n";

static uint64_t sent_bytes;

/* The write queue's raw path: what the session sends to the client. */
int veil__outq_send_raw(veil__outq_t *q, const uv_buf_t *bufs, unsigned n)
{
    (void)q;
    for (unsigned i = 0; i < n; i++) {
        sent_bytes += bufs[i].len;
    }
    return 0;
}


static veil__tls_srv_t *srv;
static veil_stats_t *stats;
static uint64_t inputs_fed; /* inputs that fed at least one byte */

static void write_file(char *path, const char *text)
{
    int fd = mkstemp(path);

    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        abort();
    }
    close(fd);
}


static void setup(void)
{
    static char cert[] = "/tmp/veil-fuzz-tls-cert-XXXXXX";
    static char key[] = "/tmp/veil-fuzz-tls-key-XXXXXX";
    static veil_tls_certificate_t certs[2];
    static const char *sans[] = {"spiffe://fuzz/client", "fuzz.test"};
    veil_listener_tls_t lt;
    char err[512];

    write_file(cert, cert_pem);
    write_file(key, key_pem);
    certs[0].cert_file = certs[1].cert_file = cert;
    certs[0].key_file = certs[1].key_file = key;
    memset(&lt, 0, sizeof(lt));
    lt.certificates = certs;
    lt.ncertificates = 2;
    lt.min_version = 12;
    lt.client_auth = VEIL_CLIENT_AUTH_OPTIONAL;
    lt.client_ca_file = cert;
    lt.client_sans = sans;
    lt.nclient_sans = 2;
    srv = veil__tls_srv_new(&lt, err, sizeof(err));
    stats = veil_stats_new(1, 1);
    unlink(cert);
    unlink(key);
    if (srv == NULL || stats == NULL) {
        fprintf(stderr, "fuzz_tls_server: %s\n", srv == NULL ? err : "no memory");
        abort();
    }
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char plain[4096];
    veil__outq_t q;
    veil__transport_t *t;
    size_t slice, off = 1, out_total = 0, in_total = 0;

    if (srv == NULL) {
        setup();
    }
    if (size < 1) {
        return 0;
    }
    slice = (size_t)data[0] + 1;
    memset(&q, 0, sizeof(q));
    t = veil__tls_server_new(srv, &q, veil_stats_shard(stats, 0));
    if (t == NULL) {
        return 0;
    }
    q.tr = t;
    while (off <= size) {
        size_t n = size - off < slice ? size - off : slice, len = 0;
        int got = 0, end;
        uv_buf_t b;

        /* Where libuv would read to: the transport's own buffer. */
        t->type->read_buf(t, plain, sizeof(plain), &b);
        FUZZ_ASSERT(b.len >= n || n > 16 * 1024);
        if (off == size) {
            (void)t->type->feed(t, NULL, 0); /* the client's FIN */
        } else {
            memcpy(b.base, data + off, n);
            if (t->type->feed(t, b.base, n) != 0) {
                break;
            }
            in_total += n;
        }
        off += n > 0 ? n : 1;
        if (!t->hs_done) {
            int rc = t->type->handshake(t);

            if (rc < 0) {
                FUZZ_ASSERT(t->failed);
                break;
            }
            if (rc == 0) {
                continue;
            }
            FUZZ_ASSERT(veil__tls_info(t) != NULL);
        }
        /* A small room, as a nearly full input buffer would give. */
        do {
            size_t room = 1 + (size_t)(data[0] % 64);
            size_t before = len;

            end = veil__transport_pull(
                t, plain, &len, len + room < sizeof(plain) ? len + room : sizeof(plain), &got);
            FUZZ_ASSERT(len <= sizeof(plain));
            FUZZ_ASSERT(got == (len > before));
            out_total += len - before;
            if (len >= sizeof(plain) - 64) {
                len = 0;
            }
        } while (got && end == 0);
        FUZZ_ASSERT(out_total <= in_total);
        if (end != 0) {
            size_t l2 = 0;

            FUZZ_ASSERT(t->end_done);
            FUZZ_ASSERT(veil__transport_pull(t, plain, &l2, sizeof(plain), &got) != 0 && !got &&
                        l2 == 0);
            break;
        }
    }
    FUZZ_ASSERT(t->hs_done || out_total == 0);
    FUZZ_ASSERT(!(t->hs_done || t->failed) || ((tls_t *)t)->fed == 0 || ((tls_t *)t)->counted);
    inputs_fed += ((tls_t *)t)->fed > 0;
    if (t->hs_done && !t->failed) {
        uv_buf_t r = uv_buf_init((char *)"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 38);

        (void)t->type->write(t, &r, 1);
        t->type->shutdown(t);
    }
    veil__transport_free(t);
    /* Every hundredth input: the sum of all results is the number of
       inputs that were handshakes (a snapshot costs a few arrays). */
    if (inputs_fed % 100 == 1) {
        veil_stats_snapshot_t sn;
        uint64_t n = 0;

        if (veil_stats_snapshot(stats, &sn) == 0) {
            for (int k = 0; k < VEIL_STATS_TLS__COUNT; k++) {
                n += sn.tls_handshakes[k];
            }
            veil_stats_snapshot_dispose(&sn);
            FUZZ_ASSERT(n == inputs_fed);
        }
    }
    return 0;
}
