"""The pod-facing listeners: the probe listener (--probe-listen), /live
and /ready only, for Kubernetes probes, and the metrics listener
(--metrics-listen), /metrics only, for Prometheus, each on an address the
network reaches while the admin listener stays on loopback; with a real
`veil run` in front of the scripted upstream.

usage: test_probe.py VEIL [test_name ...]
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import Env, check, eq, free_port, run, wait_port  # noqa: E402


def get(port, path, method="GET"):
    """One request on its own connection: (status, headers, body)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(("%s %s HTTP/1.1\r\nHost: p\r\nConnection: close\r\n\r\n"
               % (method, path)).encode())
    data = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        data += d
    s.close()
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ")[1])
    headers = dict((k.strip().lower(), v.strip())
                   for k, v in (l.split(b":", 1) for l in lines[1:]))
    return status, headers, body


def wait_ready(port, timeout=10.0):
    """Polls /ready until 200: the probe listener opens before the data
    listeners accept, and says so until they do."""
    deadline = time.time() + timeout
    while True:
        st, _, body = get(port, "/ready")
        if st == 200:
            eq(body, b"ready\n", "/ready body")
            return
        eq((st, body), (503, b"no configuration loaded\n"), "/ready before the data listeners")
        check(time.time() < deadline, "/ready never turned 200")
        time.sleep(0.05)


def start(veil, extra=()):
    """veil with a probe listener; returns (env, probe port)."""
    for attempt in range(5):
        probe = free_port()
        env = Env(veil, ["--probe-listen", "127.0.0.1:%d" % probe] + list(extra))
        try:
            wait_port(probe, timeout=5)
            wait_ready(probe)
            return env, probe
        except RuntimeError:
            env.stop(signal.SIGKILL)
            env.cleanup()
    raise RuntimeError("no free probe port")


def test_endpoints(veil):
    env, probe = start(veil)
    try:
        eq(get(probe, "/live")[::2], (200, b"live\n"), "/live")
        eq(get(probe, "/ready")[::2], (200, b"ready\n"), "/ready")
        eq(get(probe, "/ready?verbose=1")[::2], (200, b"ready\n"), "/ready?query")
        st, h, body = get(probe, "/ready", "HEAD")
        eq((st, h[b"content-length"], body), (200, b"6", b""), "HEAD /ready")
        # Nothing that describes the deployment or the traffic, whatever
        # the path, and the answer does not say whether the path exists
        # on the admin listener.
        for path in ("/config", "/stats", "/metrics", "/report", "/",
                     "/config?x=1", "/livez", "/ready/", "/%2fconfig"):
            eq(get(probe, path)[::2], (404, b"not found\n"), "probe " + path)
        eq(get(probe, "/live", "POST")[0], 405, "POST /live")
        # The admin listener still serves everything on loopback.
        eq(get(env.admin_port, "/config")[0], 200, "admin /config")
        st, _, body = get(env.admin_port, "/config")
        check(b'"probe_listen":"127.0.0.1:%d"' % probe in body,
              "/config shows server.probe_listen: %r" % body[-200:])
    finally:
        env.stop()
        env.cleanup()


def test_ready_503_while_draining(veil):
    env, probe = start(veil, ["--drain-timeout", "10s"])
    try:
        eq(get(probe, "/ready")[::2], (200, b"ready\n"), "/ready before")
        # An exchange in flight keeps the drain going for ~2.5 s.
        result = {}

        def slow():
            result["r"] = env.curl("-o", "/dev/null", "-w", "%{http_code}",
                                   "{base}/slow?ms=2500")
        t = threading.Thread(target=slow)
        t.start()
        # In flight once the upstream has it; draining once /ready says so.
        check(len(env.requests(min_count=1)) == 1, "the slow request reached the upstream")
        env.veil.send_signal(signal.SIGTERM)
        end = time.time() + 5
        while get(probe, "/ready")[0] != 503 and time.time() < end:
            time.sleep(0.02)
        eq(get(probe, "/ready")[::2], (503, b"draining\n"), "probe /ready while draining")
        eq(get(probe, "/live")[::2], (200, b"live\n"), "probe /live while draining")
        eq(get(env.admin_port, "/ready")[::2], (503, b"draining\n"),
           "admin /ready while draining")
        eq(get(probe, "/config")[0], 404, "probe /config while draining")
        t.join()
        eq(result["r"][0], b"200", "the slow exchange finished")
        eq(env.veil.wait(timeout=15), 0, "exit after the drain")
        env.veil = None
    finally:
        env.stop()
        env.cleanup()


def test_not_the_data_port(veil):
    port = free_port()
    r = subprocess.run([veil, "run", "--listen", "127.0.0.1:%d" % port,
                        "--admin", "off", "--probe-listen", "127.0.0.1:%d" % port,
                        "--upstream", "http://127.0.0.1:1"],
                       capture_output=True, timeout=10)
    eq(r.returncode, 1, "probe on the data port")
    eq(r.stderr, b"veil run: probe listener: --probe-listen: the probe listener "
       b"cannot share the data port %d\n" % port, "message")
    r = subprocess.run([veil, "run", "--probe-listen", "nowhere"],
                       capture_output=True, timeout=10)
    eq(r.returncode, 2, "not an address")
    eq(r.stderr, b"veil run: --probe-listen: invalid value: expected HOST:PORT\n",
       "bad address message")


def test_config_key_without_admin(veil):
    """server.probe_listen in a file, with the admin listener off."""
    tmp = tempfile.mkdtemp(prefix="veil-probe-")
    probe = free_port()
    cfg = os.path.join(tmp, "veil.yaml")
    with open(cfg, "w") as f:
        f.write("admin:\n  listen: \"off\"\nserver:\n  probe_listen: 127.0.0.1:%d\n" % probe)
    p = subprocess.Popen([veil, "run", "-c", cfg, "--listen", "127.0.0.1:%d" % free_port(),
                          "--access-log", os.path.join(tmp, "a.log")],
                         stderr=subprocess.PIPE)
    try:
        wait_port(probe, proc=p)
        wait_ready(probe)
        eq(get(probe, "/stats")[0], 404, "/stats")
        p.send_signal(signal.SIGTERM)
        eq(p.wait(timeout=15), 0, "exit")
        err = p.stderr.read()
        check(b"error" not in err and b"Sanitizer" not in err, "stderr: %r" % err)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def get_auth(port, path, token):
    """GET <path> with a bearer token: (status, body)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(("GET %s HTTP/1.1\r\nHost: p\r\nAuthorization: Bearer %s\r\n"
               "Connection: close\r\n\r\n" % (path, token)).encode())
    data = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        data += d
    s.close()
    head, body = data.split(b"\r\n\r\n", 1)
    return int(head.split(b" ")[1]), body


def requests_line(metrics):
    """The veil_requests_total sample of GET 2xx on the default route."""
    for line in metrics.split(b"\n"):
        if line.startswith(b'veil_requests_total{route="default",method="GET",code="2xx"}'):
            return line
    return None


def test_metrics_listener(veil):
    """--metrics-listen beside the admin listener: the same counters."""
    for attempt in range(5):
        mport = free_port()
        env = Env(veil, ["--metrics-listen", "127.0.0.1:%d" % mport])
        try:
            wait_port(mport, timeout=5)
            break
        except RuntimeError:
            env.stop(signal.SIGKILL)
            env.cleanup()
    try:
        for _ in range(3):
            eq(env.curl("-o", "/dev/null", "-w", "%{http_code}", "{base}/json")[0], b"200",
               "request")
        env.log(3)
        st, h, body = get(mport, "/metrics")
        eq(st, 200, "metrics /metrics")
        eq(h[b"content-type"], b"text/plain; version=0.0.4; charset=utf-8", "content type")
        eq(requests_line(body),
           b'veil_requests_total{route="default",method="GET",code="2xx"} 3',
           "GET 2xx count")
        eq(requests_line(get(env.admin_port, "/metrics")[2]), requests_line(body),
           "the admin listener counts the same")
        for path in ("/live", "/ready", "/config", "/stats", "/report", "/",
                     "/metrics/", "/%2fconfig"):
            eq(get(mport, path)[::2], (404, b"not found\n"), "metrics " + path)
        eq(get(mport, "/metrics", "POST")[0], 405, "POST /metrics")
        eq(get(mport, "/metrics", "HEAD")[::2], (200, b""), "HEAD /metrics")
    finally:
        env.stop()
        env.cleanup()


def test_metrics_without_admin(veil):
    """The admin listener off: the metrics listener has counters of its
    own, and the token of admin.token_file guards it."""
    tmp = tempfile.mkdtemp(prefix="veil-metrics-")
    mport = free_port()
    token = os.path.join(tmp, "token")
    with open(token, "w") as f:
        f.write("s3cret-metrics-token\n")
    os.chmod(token, 0o600)
    env = Env(veil, ["--admin", "off", "--admin-token-file", token,
                     "--metrics-listen", "127.0.0.1:%d" % mport])
    try:
        wait_port(mport, timeout=5)
        eq(env.curl("-o", "/dev/null", "-w", "%{http_code}", "{base}/json")[0], b"200",
           "request")
        env.log(1)
        st, h, body = get(mport, "/metrics")
        eq((st, body), (401, b"a bearer token is required\n"), "no token")
        eq(get_auth(mport, "/metrics", "wrong")[0], 401, "wrong token")
        st, body = get_auth(mport, "/metrics", "s3cret-metrics-token")
        eq(st, 200, "with the token")
        eq(requests_line(body),
           b'veil_requests_total{route="default",method="GET",code="2xx"} 1',
           "GET 2xx count")
        eq(get_auth(mport, "/config", "s3cret-metrics-token")[0], 404, "/config")
    finally:
        env.stop()
        env.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


TESTS = [test_endpoints, test_ready_503_while_draining, test_not_the_data_port,
         test_config_key_without_admin, test_metrics_listener, test_metrics_without_admin]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
