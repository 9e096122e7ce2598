"""Every reason id the proxy can produce has its own counter label.

usage: test_reasons.py STATS_SAMPLE SOURCE_DIR

Reads the reason ids from the sources (the header validator's request
rules, the proxy's refusals, inspect.c's skip reasons, the upstream
failures) and checks each is in the matching table of proxy/observe/stats.c, so a
new rule cannot silently be counted as "other".
"""
import os
import re
import subprocess
import sys

SAMPLE, SRC = sys.argv[1], sys.argv[2]


def read(name):
    """A source file of the proxy, wherever its layer folder is."""
    for layer in ("http", "net", "observe"):
        path = os.path.join(SRC, "proxy", layer, name)
        if os.path.exists(path):
            with open(path) as f:
                return f.read()
    raise FileNotFoundError(name)


tables = {}
out = subprocess.run([SAMPLE, "tables"], check=True,
                     capture_output=True).stdout.decode()
for line in out.splitlines():
    t, name = line.split(" ")
    tables.setdefault(t, set()).add(name)

want = {"reject": set(), "skip": set(), "upstream": set()}
v = read("http_validate.c")
for status, reason in re.findall(r'(?:reject\(cx|scan_fail\(st, v), (\d+), "([a-z0-9_]+)"', v):
    want["upstream" if status == "502" else "reject"].add(reason)
for status, reason in re.findall(r'\? (\d+) : \d+, "([a-z0-9_]+)"', v):
    want["reject"].add(reason)
# Ternaries like reject(cx, 400, cond ? "a" : "b").
for a, b in re.findall(r'reject\(cx, 4\d\d, [^;]*\? "([a-z0-9_]+)" : "([a-z0-9_]+)"', v):
    want["reject"].update([a, b])
for r in re.findall(r'veil__inspect_skip\(in, "([a-z0-9_]+)"', read("inspect.c")):
    want["skip"].add(r)
for name in ["client.c", "exchange.c", "upstream.c", "response.c"]:
    src = read(name)
    for r in re.findall(r'"(upstream_[a-z_]+|bad_[a-z_]*response[a-z_]*|'
                        r'[a-z_]*response_head[a-z_]*)"', src):
        want["upstream"].add(r)
# A response head can break the shared rules too (then a 502): every
# validator reason but the request-only ones is an upstream kind as well.
request_only = {"bad_method", "bad_request_line", "bad_target",
                "bad_target_form", "connect_with_body", "host_duplicate",
                "host_malformed", "host_missing", "http09"}
want["upstream"] |= {r for r in want["reject"] if r in
                     set(re.findall(r'"([a-z0-9_]+)"', v))} - request_only

missing = []
for t, names in want.items():
    for n in sorted(names - tables[t]):
        missing.append("%s: %s" % (t, n))
if missing:
    print("FAIL: reason ids counted as 'other':\n  " + "\n  ".join(missing))
    sys.exit(1)
print("ok: %d reject, %d skip, %d upstream reason ids have labels"
      % (len(want["reject"]), len(want["skip"]), len(want["upstream"])))
