/*
 * Transports: what a connection's bytes pass through between the socket
 * and the HTTP code, in the manner of Redis's ConnectionType or curl's
 * connection filters. One small table of functions, two implementations:
 * plain TCP (transport.c), where the bytes are the plaintext, and TLS
 * (tls.c), an OpenSSL session over memory BIOs, in the server role on
 * client connections (listeners with `tls:`) and in the client role on
 * upstream connections (https:// upstreams).
 *
 * OpenSSL never touches the socket. The connection code (client.c,
 * upstream.c) asks the transport where libuv should put what it reads
 * (read_buf), hands it what was read (feed) and takes plaintext out
 * (read, through veil__transport_pull); what it writes goes through its
 * write queue (outq.c), whose every write is the transport's write. So
 * backpressure, timers and pooling work alike for both, counted in bytes
 * on the wire.
 *
 * Ownership: a connection owns its transport; a plain one is embedded in
 * the connection (veil__transport_tcp_init), a TLS one is allocated and
 * freed with type->free once the socket is closed. Every call is made on
 * the loop of the worker that owns the connection.
 */
#ifndef VEIL_TRANSPORT_H
#define VEIL_TRANSPORT_H

#include <stddef.h>

#include <uv.h>

typedef struct veil__transport veil__transport_t;
struct veil__outq;

/* veil__transport_type_t.read: besides a count of bytes (> 0). */
#define VEIL__TR_MORE 0   /* nothing until more bytes arrive */
#define VEIL__TR_EOF (-1) /* a clean end: FIN, or TLS close_notify */
#define VEIL__TR_CUT (-2) /* TLS: the socket ended without close_notify */
#define VEIL__TR_ERR (-3) /* a protocol or verification error */

typedef struct veil__transport_type {
    const char *name; /* "tcp", "tls" */
    int secure;       /* 1: the bytes on the wire are encrypted */
    /* Where libuv should put what it reads next: <dst> (<room> bytes of
       the connection's input buffer) for a transport that passes bytes as
       they are, else a buffer of its own. */
    void (*read_buf)(veil__transport_t *t, char *dst, size_t room, uv_buf_t *out);
    /* <n> bytes libuv read into the buffer read_buf gave; p NULL: the
       socket's read side ended. 0, or -1 (no memory). */
    int (*feed)(veil__transport_t *t, const char *p, size_t n);
    /* Plaintext into <buf>: > 0 bytes, or VEIL__TR_MORE/EOF/CUT/ERR.
       Records the session must answer (a key update) are sent on. */
    long (*read)(veil__transport_t *t, char *buf, size_t len);
    /* Sends <bufs> (encrypted by TLS) on the write queue's socket: 0, or
       a negative libuv error (the queue is then failed). */
    int (*write)(veil__transport_t *t, const uv_buf_t *bufs, unsigned n);
    /* Advances the handshake: 1 done, 0 more bytes needed, -1 failed. */
    int (*handshake)(veil__transport_t *t);
    /* Whether bytes were fed that read() has not handed out yet. */
    int (*pending)(const veil__transport_t *t);
    /* Queues the end of the session (TLS close_notify) ahead of the FIN;
       nothing for TCP. */
    void (*shutdown)(veil__transport_t *t);
    /* Frees what the transport allocated (not an embedded plain one). */
    void (*free)(veil__transport_t *t);
} veil__transport_type_t;

/*
 * The part every transport has. The flags describe the stream under the
 * transport as the connection code sees it (veil__transport_pull keeps
 * them): they decide whether a connection may be pooled and whether a
 * body delimited by the end of the stream is complete.
 */
struct veil__transport {
    const veil__transport_type_t *type;
    struct veil__outq *q; /* where its bytes go */
    int sock_eof;         /* the socket's read side ended */
    int hs_done;          /* the handshake completed (TCP: at once) */
    int hs_timed_out;     /* closed by a timer before hs_done */
    int failed;           /* any error: the connection is never reused */
    int end_done;         /* the end of the stream was handed on */
    int truncated;        /* it ended without a TLS close_notify */
    /* TCP: bytes libuv put in the connection's buffer, not yet read. */
    char *fresh_at;
    size_t fresh;
};

extern const veil__transport_type_t veil__transport_tcp;

/* An embedded plain transport writing to <q>. */
void veil__transport_tcp_init(veil__transport_t *t, struct veil__outq *q);

/*
 * veil__transport_pull(): moves the plaintext the transport holds into
 * in[*len .. cap), advancing *len. Returns 0 while the stream goes on, or
 * what ended it (VEIL__TR_EOF, _CUT or _ERR; t->end_done is then set and
 * the flags updated). *got is set when bytes arrived.
 */
int veil__transport_pull(veil__transport_t *t, char *in, size_t *len, size_t cap, int *got);

/* Frees a transport (NULL and embedded plain ones are fine). */
void veil__transport_free(veil__transport_t *t);

#endif
