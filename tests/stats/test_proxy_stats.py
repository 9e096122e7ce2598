"""Statistics of a real `veil run`: known traffic through the proxy to the
scripted upstream (tests/integration/upstream.py), then every affected
counter checked exactly in /stats and /metrics, promtool on /metrics,
readiness while draining, the report over HTTP, and access-log rotation.

usage: test_proxy_stats.py VEIL [test_name ...]
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import Env, Failure, check, eq, free_port, run  # noqa: E402

PII_JSON_LEN = 92       # upstream.py PII_JSON
ECHO = b'{"email":"a.b@example.com","n":1}'
NOPE_LEN = 4            # upstream.py's 404 body, text/plain


def admin_get(port, path, token=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path))
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def start(veil, extra=()):
    # The harness gives every veil its own admin port.
    env = Env(veil, list(extra))
    admin = env.admin = env.admin_port
    end = time.time() + 10
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", admin), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.05)
    return env


def metric_lines(body):
    return [l for l in body.decode().splitlines() if l and not l.startswith("#")]


def known_traffic(env):
    """Sends the fixed traffic; returns nothing (the expectations are
    written out in full below)."""
    for _ in range(3):
        out, _, rc = env.curl("{base}/json")
        eq(rc, 0, "curl /json")
    for _ in range(2):
        out, _, rc = env.curl("-X", "POST", "-H", "Content-Type: application/json",
                              "--data-binary", ECHO.decode(), "{base}/echo")
        eq(out, ECHO, "echo")
    env.curl("{base}/gzip")
    env.curl("{base}/br")
    env.curl("{base}/big?mb=1", "-o", "/dev/null")
    env.curl("-I", "{base}/json")
    env.curl("{base}/bad")
    env.curl("-X", "DELETE", "{base}/nope")
    env.curl("-X", "PROPFIND", "{base}/json")
    # Refused before any exchange: request smuggling shapes.
    r = env.raw(b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    check(r.startswith(b"HTTP/1.1 400 "), "CL+TE refused: %r" % r[:40])
    r = env.raw(b"GET /json HTTP/1.1\nHost: a\r\n\r\n")
    check(r.startswith(b"HTTP/1.1 400 "), "bare LF refused: %r" % r[:40])
    r = env.raw(b"GET /json HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
    check(r.startswith(b"HTTP/1.1 400 "), "two Hosts refused: %r" % r[:40])
    env.log(min_lines=14)


EXPECT_REQUESTS = sorted([
    ("GET", "2xx", 3 + 1 + 1 + 1),       # /json x3, /gzip, /br, /big
    ("POST", "2xx", 2),
    ("HEAD", "2xx", 1),
    ("GET", "5xx", 1),                   # /bad: 502
    ("DELETE", "4xx", 1),
    ("OTHER", "2xx", 1),                 # PROPFIND
])

# (direction, location, detector, category, count)
EXPECT_FINDINGS = sorted([
    ("response", "body", "email", "contact", 3 + 1 + 1 + 2),  # json, gzip, propfind, echo
    ("response", "body", "credit_card", "financial", 3 + 1 + 1),
    ("response", "body", "us_ssn", "government_id", 3 + 1 + 1),
    ("request", "body", "email", "contact", 2),
    # curl sends Host: 127.0.0.1:PORT, an IPv4 address, on every exchange.
    ("request", "headers", "ipv4", "network", 12),
])


def check_stats(env):
    st, body = admin_get(env.admin, "/stats")
    eq(st, 200, "/stats status")
    doc = json.loads(body)
    eq(doc["routes"], ["default"], "routes")
    check(re.fullmatch(r"sha256:[0-9a-f]{12}", doc["config"]["id"]) is not None,
          "config id: %r" % doc["config"]["id"])
    check(abs(doc["config"]["loaded_at"] - doc["start_time"]) < 5,
          "config loaded at start")
    got = sorted((r["method"], r["code"], r["count"]) for r in doc["requests"]
                 if r["route"] == "default")
    eq(got, EXPECT_REQUESTS, "/stats requests")
    got = sorted((f["direction"], f["location"], f["detector"], f["category"],
                  f["count"]) for f in doc["findings"])
    eq(got, EXPECT_FINDINGS, "/stats findings")
    check(all(f["action"] == "observe" and f["route"] == "default"
              for f in doc["findings"]), "observe mode, default route")
    eq(sorted((x["direction"], x["reason"], x["count"])
              for x in doc["not_inspected"]),
       [("response", "binary", 1), ("response", "encoding", 1)],
       "/stats not_inspected")
    eq(sorted((x["reason"], x["count"]) for x in doc["rejected"]),
       [("bare_lf", 1), ("cl_te_conflict", 1), ("host_duplicate", 1)],
       "/stats rejected")
    # /bad's head has Content-Length and Transfer-Encoding: a 502.
    eq([(x["kind"], x["count"]) for x in doc["upstream_errors"]],
       [("cl_te_conflict", 1)], "/stats upstream_errors")
    eq(doc["blocked"], [], "nothing blocked in observe mode")
    # The access log is a second, independent account of the same
    # exchanges: its findings must add up to the counters exactly.
    from_log = {}
    for rec in env.log():
        for f in rec.get("veil.findings", []):
            d, _, l = f["location"].partition(".")
            if d == "url":               # url.path, url.query
                d = "request"
            k = (d, l, f["detector"], f["category"])
            from_log[k] = from_log.get(k, 0) + f["count"]
    eq(sorted(k + (n,) for k, n in from_log.items()), EXPECT_FINDINGS,
       "findings in the access log")
    inspected = {x["direction"]: x["bytes"] for x in doc["inspected_bytes"]}
    # Requests: the two echo bodies. Responses: /json x3 and PROPFIND (92
    # each), gzip decoded (92), two echoes (33 each), the 404's text body
    # (4); /br, /big and HEAD have nothing inspected.
    eq(inspected, {"request": 2 * len(ECHO),
                   "response": 5 * PII_JSON_LEN + 2 * len(ECHO) + NOPE_LEN},
       "/stats inspected_bytes")
    lat = {x["kind"]: x for x in doc["latency"]}
    eq(lat["total"]["count"], 12, "total latency observations")
    eq(lat["total"]["cumulative"][-1], 12, "+Inf bucket = count")
    eq(lat["upstream"]["count"], 12, "upstream latency observations")
    eq(lat["added"]["count"], 12, "added latency observations")
    check(lat["added"]["sum_seconds"] <= lat["total"]["sum_seconds"],
          "added <= total")
    eq(doc["totals"], {"requests": 12, "findings": 31,
                       "inspected_bytes": 4 * len(ECHO) + 5 * PII_JSON_LEN
                                          + NOPE_LEN,
                       "not_inspected": 2, "rejected": 3, "blocked": 0,
                       "upstream_errors": 1}, "/stats totals")
    return doc


def check_metrics(env):
    st, body = admin_get(env.admin, "/metrics")
    eq(st, 200, "/metrics status")
    lines = set(metric_lines(body))
    want = [
        'veil_requests_total{route="default",method="GET",code="2xx"} 6',
        'veil_requests_total{route="default",method="POST",code="2xx"} 2',
        'veil_requests_total{route="default",method="HEAD",code="2xx"} 1',
        'veil_requests_total{route="default",method="GET",code="5xx"} 1',
        'veil_requests_total{route="default",method="DELETE",code="4xx"} 1',
        'veil_requests_total{route="default",method="OTHER",code="2xx"} 1',
        'veil_findings_total{route="default",direction="request",location="body",'
        'detector="email",category="contact",action="observe"} 2',
        'veil_findings_total{route="default",direction="response",location="body",'
        'detector="email",category="contact",action="observe"} 7',
        'veil_findings_total{route="default",direction="response",location="body",'
        'detector="credit_card",category="financial",action="observe"} 5',
        'veil_findings_total{route="default",direction="response",location="body",'
        'detector="us_ssn",category="government_id",action="observe"} 5',
        'veil_inspected_bytes_total{route="default",direction="request"} %d'
        % (2 * len(ECHO)),
        'veil_inspected_bytes_total{route="default",direction="response"} %d'
        % (5 * PII_JSON_LEN + 2 * len(ECHO) + NOPE_LEN),
        'veil_bodies_not_inspected_total{route="default",direction="response",'
        'reason="binary"} 1',
        'veil_bodies_not_inspected_total{route="default",direction="response",'
        'reason="encoding"} 1',
        'veil_requests_rejected_total{reason="cl_te_conflict"} 1',
        'veil_requests_rejected_total{reason="bare_lf"} 1',
        'veil_requests_rejected_total{reason="host_duplicate"} 1',
        'veil_upstream_errors_total{route="default",kind="cl_te_conflict"} 1',
        'veil_findings_total{route="default",direction="request",location="headers",'
        'detector="ipv4",category="network",action="observe"} 12',
        'veil_request_duration_seconds_count{route="default"} 12',
        'veil_request_duration_seconds_bucket{route="default",le="+Inf"} 12',
        'veil_upstream_duration_seconds_count{route="default"} 12',
        'veil_added_latency_seconds_count{route="default"} 12',
        'veil_config_reloads_total{result="ok"} 0',
    ]
    ids = [l for l in lines if l.startswith('veil_config_info{id="sha256:')]
    eq(len(ids), 1, "veil_config_info")
    for w in want:
        check(w in lines, "/metrics line missing: %s" % w)
    n = sum(1 for l in lines if l.startswith("veil_findings_total{"))
    eq(n, 5, "findings series")
    n = sum(1 for l in lines if l.startswith("veil_requests_total{"))
    eq(n, 6, "requests series")
    if shutil.which("promtool"):
        r = subprocess.run(["promtool", "check", "metrics"], input=body,
                           capture_output=True)
        eq((r.returncode, r.stdout + r.stderr), (0, b""),
           "promtool check metrics on a live /metrics")
    else:
        print("note: promtool not installed, lint skipped")
    # No value and no path ever becomes a label: the HELP and TYPE lines,
    # and each sample's name and labels. (A sample's value is a number
    # whose digits may be anything: a duration's sum or a byte count can
    # read 4111 somewhere, as one under AddressSanitizer's timing did.)
    heads = [l if l.startswith(b"#") else l.rsplit(b" ", 1)[0]
             for l in body.split(b"\n")]
    for bad in [b"example", b"4111", b"123-45", b"/json", b"/echo", b"127.0.0.1"]:
        hit = [l for l in heads if bad in l]
        check(not hit, "%r in /metrics: %r" % (bad, hit[:1]))


def test_counters_exact(veil):
    env = start(veil)
    try:
        st, body = admin_get(env.admin, "/ready")
        eq((st, body), (200, b"ready\n"), "/ready once running")
        known_traffic(env)
        check_stats(env)
        check_metrics(env)
        # The same numbers in the report, fetched over HTTP.
        r = subprocess.run([veil, "report", "--from",
                            "http://127.0.0.1:%d" % env.admin, "--format", "json"],
                           capture_output=True)
        eq((r.returncode, r.stderr), (0, b""), "veil report --from the admin")
        rep = json.loads(r.stdout)
        eq(rep["by_detector"], {"email": 9, "credit_card": 5, "us_ssn": 5,
                                "ipv4": 12}, "report by detector")
        eq(rep["by_location"], {"response body": 17, "request body": 2,
                                "request headers": 12}, "report by location")
        st, html = admin_get(env.admin, "/report")
        eq(st, 200, "/report")
        check(b'id="chart-by_detector"' in html, "/report charts")
    finally:
        env.stop()
        env.cleanup()


def test_ready_while_draining(veil):
    env = start(veil, ["--drain-timeout", "10s"])
    try:
        eq(admin_get(env.admin, "/ready")[0], 200, "/ready before")
        # An exchange in flight keeps the drain going for ~2 s.
        t = threading.Thread(target=env.curl, args=("{base}/slow?ms=2000",))
        t.start()
        # In flight once the upstream has it; draining once /ready says so.
        check(len(env.requests(min_count=1)) == 1, "the slow request reached the upstream")
        env.veil.send_signal(signal.SIGTERM)
        end = time.time() + 5
        while admin_get(env.admin, "/ready")[0] != 503 and time.time() < end:
            time.sleep(0.02)
        eq(admin_get(env.admin, "/ready"), (503, b"draining\n"),
           "/ready while draining")
        eq(admin_get(env.admin, "/live"), (200, b"live\n"), "/live while draining")
        t.join()
        rc = env.veil.wait(timeout=15)
        eq(rc, 0, "exit after drain")
        env.veil = None
    finally:
        env.stop()
        env.cleanup()


def test_admin_token_and_port(veil):
    env = start(veil)
    try:
        # The admin listener may not take the data port.
        r = subprocess.run([veil, "run", "--listen", "127.0.0.1:%d" % free_port(),
                            "--admin", "127.0.0.1:%d" % env.port,
                            "--upstream", "http://127.0.0.1:1"],
                           capture_output=True, timeout=10)
        check(r.returncode != 0, "admin on a port in use must fail")
        p = free_port()
        r = subprocess.run([veil, "run", "--listen", "127.0.0.1:%d" % p,
                            "--admin", "127.0.0.1:%d" % p,
                            "--upstream", "http://127.0.0.1:1"],
                           capture_output=True, timeout=10)
        eq(r.returncode, 1, "admin on the data port")
        check(r.stderr.startswith(b"veil run: ") and r.stderr.endswith(
              b"--admin: the admin listener cannot share the data port %d\n" % p),
              "message: %r" % r.stderr)
    finally:
        env.stop()
        env.cleanup()
    tok = os.path.join(env.tmp + "-tok")
    with open(tok, "w") as f:
        f.write("t0ken\n")
    os.chmod(tok, 0o600)
    env = start(veil, ["--admin-token-file", tok])
    try:
        eq(admin_get(env.admin, "/metrics")[0], 401, "no token")
        eq(admin_get(env.admin, "/metrics", "t0ken")[0], 200, "token")
        eq(admin_get(env.admin, "/ready")[0], 200, "probe without token")
    finally:
        env.stop()
        env.cleanup()
        os.unlink(tok)


def test_access_log_rotation(veil):
    import http.client
    env = start(veil, ["--access-log-max-size", "4k",
                       "--access-log-retention", "2s"])
    try:
        # One keep-alive connection: the 20 exchanges take milliseconds,
        # well inside the retention (20 curl processes could take longer
        # than 2 s on a loaded machine, and the first rotated files were
        # then swept before they were counted).
        conn = http.client.HTTPConnection("127.0.0.1", env.port, timeout=10)
        for _ in range(20):
            conn.request("GET", "/json")
            conn.getresponse().read()
        conn.close()
        d = os.path.dirname(env.log_path)

        def rotated_files():
            return sorted(f for f in os.listdir(d)
                          if re.match(r"access\.log\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d(\.\d+)?$", f))

        def count_lines():
            n = 0
            for f in rotated_files() + ["access.log"]:
                with open(os.path.join(d, f), "rb") as fh:
                    data = fh.read()
                check(len(data) <= 4096, "%s is %d bytes" % (f, len(data)))
                for l in data.splitlines():
                    json.loads(l)          # every line whole
                    n += 1
            return n

        end = time.time() + 5
        while count_lines() < 20 and time.time() < end:
            time.sleep(0.02)
        check(len(rotated_files()) >= 2, "rotated files: %r" % rotated_files())
        eq(count_lines(), 20, "every record once, across the files")
        # Retention: after 2 s the rotated files are swept (once a second).
        end = time.time() + 10
        while time.time() < end and any(f.startswith("access.log.") for f in os.listdir(d)):
            time.sleep(0.1)
        left = [f for f in os.listdir(d) if f.startswith("access.log.")]
        eq(left, [], "rotated files after the retention period")
        # SIGUSR1 still reopens in place: poll until a record lands in a
        # new file under the old name.
        os.rename(env.log_path, env.log_path + ".moved")
        env.veil.send_signal(signal.SIGUSR1)
        # (The file can appear, empty, after the last request of a round:
        # a request goes on until one's record is in it.)
        def new_file_lines():
            if not os.path.exists(env.log_path):
                return 0
            with open(env.log_path, "rb") as fh:
                return fh.read().count(b"\n")

        end = time.time() + 5
        while new_file_lines() == 0 and time.time() < end:
            env.curl("{base}/json")
            time.sleep(0.05)
        check(os.path.exists(env.log_path), "a new file after SIGUSR1")
        check(len(env.log(min_lines=1)) >= 1, "records in the new file")
    finally:
        env.stop()
        env.cleanup()


def test_live_report_chromium(veil):
    """The /report of a veil that served the known traffic, in headless
    Chromium: every chart in the DOM, no console message, a screenshot."""
    if shutil.which("chromium") is None:
        print("note: chromium not installed, skipped")
        return
    env = start(veil)
    try:
        known_traffic(env)
        st, html = admin_get(env.admin, "/report")
        eq(st, 200, "/report")
    finally:
        env.stop()
        env.cleanup()
    art = os.environ.get("VEIL_ARTIFACTS") or os.path.join(
        os.path.dirname(os.path.abspath(veil)), "tests", "stats", "artifacts")
    os.makedirs(art, exist_ok=True)
    page = os.path.join(art, "live-report.html")
    with open(page, "wb") as f:
        f.write(html)
    shot = os.path.join(art, "live-report.png")
    ud = os.path.join(art, "chromium-profile")
    shutil.rmtree(ud, ignore_errors=True)
    base = ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
            "--user-data-dir=" + ud, "--enable-logging=stderr", "--v=0"]
    r = subprocess.run(base + ["--dump-dom", "file://" + page],
                       capture_output=True, timeout=90)
    console = [l for l in r.stderr.decode(errors="replace").splitlines()
               if ":CONSOLE" in l]
    eq(console, [], "console messages")
    dom = r.stdout.decode()
    charts = re.findall(r'<svg class="chart" id="chart-([a-z_]+)"', dom)
    # Nothing was blocked: that section says so instead of a chart.
    eq(sorted(charts), sorted(["by_category", "by_regulation", "by_detector",
                               "by_route_direction", "by_location", "actions",
                               "not_inspected", "rejected", "upstream_errors"]),
       "charts in the DOM")
    check("None recorded in this period." in dom, "empty blocked section")
    r = subprocess.run(base + ["--window-size=1280,2400", "--screenshot=" + shot,
                               "file://" + page], capture_output=True, timeout=90)
    eq(r.returncode, 0, "screenshot")
    with open(shot, "rb") as f:
        check(f.read(8) == b"\x89PNG\r\n\x1a\n", "a PNG screenshot")
    shutil.rmtree(ud, ignore_errors=True)


CONFIG = """version: 1
upstreams:
  - name: app
    url: http://127.0.0.1:%d
detectors:
  custom:
    - id: employee_id
      category: government_id
      regulations: [gdpr]
      pattern: '\\bEMP-\\d{6}\\b'
      confidence: high
routes:
  - name: %s
    match:
      path_prefix: /echo
    upstream: app
    policy: default
"""


def wait_metric(env, line, timeout=5.0):
    end = time.time() + timeout
    while time.time() < end:
        if line in metric_lines(admin_get(env.admin, "/metrics")[1]):
            return
        time.sleep(0.1)
    raise Failure("metric never appeared: " + line)


def test_config_routes_and_reload(veil):
    """veil run -c: series per route name, custom detectors under their id
    and category, reloads by result, the config id following the file."""
    import tempfile
    d = tempfile.mkdtemp(prefix="veil-stats-cfg-")
    path = os.path.join(d, "veil.yaml")
    up = 1
    with open(path, "w") as f:
        f.write(CONFIG % (up, "echo"))
    env = None
    try:
        # --upstream (from the harness) overrides the file's upstream.
        env = start(veil, ["-c", path])
        body = b'{"note":"EMP-123456 asked","email":"a.b@example.com"}'
        out, _, _ = env.curl("-X", "POST", "-H", "Content-Type: application/json",
                             "--data-binary", body.decode(), "{base}/echo")
        eq(out, body, "echo through route echo")
        env.curl("{base}/json")
        env.log(min_lines=2)
        st, m = admin_get(env.admin, "/metrics")
        lines = set(metric_lines(m))
        for w in [
            'veil_requests_total{route="echo",method="POST",code="2xx"} 1',
            'veil_requests_total{route="default",method="GET",code="2xx"} 1',
            'veil_findings_total{route="echo",direction="request",location="body",'
            'detector="employee_id",category="government_id",action="observe"} 1',
            'veil_findings_total{route="echo",direction="response",location="body",'
            'detector="employee_id",category="government_id",action="observe"} 1',
            'veil_findings_total{route="echo",direction="request",location="body",'
            'detector="email",category="contact",action="observe"} 1',
            'veil_findings_total{route="default",direction="response",location="body",'
            'detector="credit_card",category="financial",action="observe"} 1',
            'veil_config_reloads_total{result="ok"} 0',
            'veil_config_reloads_total{result="failed"} 0',
        ]:
            check(w in lines, "/metrics line missing: " + w)
        ids = [l for l in lines if l.startswith("veil_config_info{")]
        eq(len(ids), 1, "one config id")
        first_id = ids[0]
        check(re.fullmatch(r'veil_config_info\{id="sha256:[0-9a-f]{12}"\} 1',
                           first_id) is not None, first_id)
        # A broken file is rejected: counted, the id stays.
        with open(path, "a") as f:
            f.write("garbage: [\n")
        env.veil.send_signal(signal.SIGHUP)
        wait_metric(env, 'veil_config_reloads_total{result="failed"} 1')
        check(first_id in metric_lines(admin_get(env.admin, "/metrics")[1]),
              "config id kept after a rejected reload")
        # A good file with the route renamed: a new series, a new id.
        with open(path, "w") as f:
            f.write(CONFIG % (up, "echo2"))
        env.veil.send_signal(signal.SIGHUP)
        wait_metric(env, 'veil_config_reloads_total{result="ok"} 1')
        env.curl("-X", "POST", "--data-binary", "EMP-654321", "{base}/echo")
        env.log(min_lines=3)
        lines = set(metric_lines(admin_get(env.admin, "/metrics")[1]))
        check('veil_requests_total{route="echo2",method="POST",code="2xx"} 1'
              in lines, "the renamed route's series")
        check('veil_requests_total{route="echo",method="POST",code="2xx"} 1'
              in lines, "the old route's series stays")
        check(first_id not in lines, "config id changed with the file")
        # The report names the custom detector with its category.
        rep = json.loads(subprocess.run(
            [veil, "report", "--from", "http://127.0.0.1:%d" % env.admin,
             "--format", "json"], check=True, capture_output=True).stdout)
        eq(rep["by_detector"]["employee_id"], 4, "report: employee_id (2 exchanges, both directions)")
        # employee_id (4) and the us_ssn of /json (1) are both GDPR.
        eq(rep["category_regulations"]["government_id"]["gdpr"], 5,
           "report: government_id under GDPR")
    finally:
        if env is not None:
            env.stop()
            env.cleanup()
        shutil.rmtree(d, ignore_errors=True)


TESTS = [test_counters_exact, test_config_routes_and_reload, test_live_report_chromium, test_ready_while_draining,
         test_admin_token_and_port, test_access_log_rotation]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
