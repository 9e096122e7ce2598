/*
 * Service state: what veil run tells its service manager and its own
 * probe listeners about starting, reloading and stopping.
 *
 * The service manager hears it through systemd's notification protocol
 * (sd_notify(3)), written here without libsystemd: when $NOTIFY_SOCKET
 * names a Unix datagram socket (a path, or an abstract name written with
 * a leading '@'), each change is one datagram of NEWLINE-separated
 * VARIABLE=VALUE lines:
 *   READY=1                     the listeners accept connections, and
 *                               again when a reload has finished
 *   RELOADING=1 MONOTONIC_USEC  a reload (SIGHUP) has started; the time is
 *                               CLOCK_MONOTONIC in microseconds, which
 *                               Type=notify-reload requires
 *   STOPPING=1                  SIGTERM (drain) or SIGINT (stop) arrived
 *   STATUS=...                  a short line for `systemctl status`
 * Without $NOTIFY_SOCKET nothing is sent. Once STOPPING=1 is sent, later
 * READY=1 and RELOADING=1 are not (a reload that ends during a drain must
 * not tell the manager the service is up again).
 *
 * A hook (one, set by veil run) hears the same changes in the process, so
 * the probe listener's /ready can wait for the listeners.
 *
 * Call from one thread (veil run's main loop); the hook runs on it.
 */
#ifndef VEIL_NOTIFY_H
#define VEIL_NOTIFY_H

#include <stddef.h>

typedef enum veil_notify_state {
    VEIL_NOTIFY_READY,
    VEIL_NOTIFY_RELOADING,
    VEIL_NOTIFY_STOPPING,
} veil_notify_state_t;

typedef void (*veil_notify_hook_t)(void *ud, veil_notify_state_t state);

/* veil_notify_set_hook(): <hook> (NULL: none) hears every change. */
void veil_notify_set_hook(veil_notify_hook_t hook, void *ud);

/*
 * veil_notify(): the service is now in <state>; <status> (or NULL) is a
 * short description without newlines, never request data. Returns 0 when
 * sent or when there is no $NOTIFY_SOCKET, or a negative errno (the
 * caller may ignore it: the protocol has no answers).
 */
int veil_notify(veil_notify_state_t state, const char *status);

/*
 * veil_notify_send(): sends <len> bytes as one datagram to the socket
 * named <address> ("/path" or "@abstract"), waiting at most two seconds
 * for room in its queue. Returns 0 or a negative errno (-EAFNOSUPPORT for
 * an address of another kind, such as vsock:).
 */
int veil_notify_send(const char *address, const char *msg, size_t len);

#endif
