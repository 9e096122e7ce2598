"""deploy/systemd/veil.service: systemd's own checker accepts it (no
warning), its offline security analysis rates it OK, the directives
issue 13 asks for are there, and its command lines are ones veil accepts.
The notification protocol itself is tested by test_notify.py.

usage: test_systemd.py VEIL [test_name ...]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
UNIT = os.path.join(ROOT, "deploy", "systemd", "veil.service")
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import check, eq, run  # noqa: E402


def directives():
    """[(section, key, value)] in file order."""
    out = []
    section = None
    with open(UNIT) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                section = line.strip("[]")
                continue
            k, _, v = line.partition("=")
            out.append((section, k, v))
    return out


def values(key):
    return [v for s, k, v in directives() if k == key]


def with_binary(tmp, veil):
    """The unit with ExecStart= naming the binary under test, as `make
    install` rewrites it for the installed one."""
    path = os.path.join(tmp, "veil.service")
    with open(UNIT) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace("/usr/local/bin/veil", os.path.abspath(veil)))
    return path


def test_verify(veil):
    tmp = tempfile.mkdtemp(prefix="veil-unit-")
    try:
        unit = with_binary(tmp, veil)
        r = subprocess.run(["systemd-analyze", "verify", "--man=no", unit],
                           capture_output=True, timeout=60)
        eq((r.returncode, r.stderr), (0, b""), "systemd-analyze verify")
        # The checker does complain about a bad unit, so silence means
        # something.
        bad = os.path.join(tmp, "bad.service")
        with open(bad, "w") as f:
            f.write("[Service]\nType=notiffy\nExecStart=/bin/true\n")
        r = subprocess.run(["systemd-analyze", "verify", "--man=no", bad],
                           capture_output=True, timeout=60)
        check(b"notiffy" in r.stderr, "verify reports a bad Type=: %r" % r.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_security_rating(veil):
    tmp = tempfile.mkdtemp(prefix="veil-unit-")
    try:
        unit = with_binary(tmp, veil)
        r = subprocess.run(["systemd-analyze", "security", "--offline=yes", unit],
                           capture_output=True, timeout=60)
        text = r.stdout.decode()
        m = re.search(r"Overall exposure level for veil.service: ([0-9.]+) (\w+)", text)
        check(m is not None, "an exposure level: %r" % text[-300:])
        check(float(m.group(1)) <= 2.0, "exposure %s <= 2.0" % m.group(1))
        eq(m.group(2), "OK", "rating")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_directives(veil):
    one = {k: v for s, k, v in directives()}
    eq(one["Type"], "notify", "Type=notify: veil sends READY=1 itself")
    eq(one["NotifyAccess"], "main", "NotifyAccess")
    eq(one["DynamicUser"], "yes", "DynamicUser")
    eq(one["ProtectSystem"], "strict", "ProtectSystem")
    eq(one["NoNewPrivileges"], "yes", "NoNewPrivileges")
    eq(values("CapabilityBoundingSet"), [""], "an empty capability bounding set")
    eq(values("AmbientCapabilities"), [""], "no ambient capability")
    check("MemoryDenyWriteExecute" not in one, "no MemoryDenyWriteExecute (PCRE2 JIT)")
    reload = values("ExecReload")
    eq(reload[-1], "/bin/kill -HUP $MAINPID", "ExecReload sends SIGHUP")
    eq(one["KillSignal"], "SIGTERM", "SIGTERM drains")


def test_command_lines(veil):
    """ExecStart= and ExecStartPre= use commands and flags veil has, and
    the stop timeout leaves room for the default drain."""
    start = values("ExecStart")
    eq(len(start), 1, "one ExecStart")
    argv = start[0].split()
    eq(argv[:2], ["/usr/local/bin/veil", "run"], "ExecStart runs veil run")
    r = subprocess.run([veil, "run", "--help"], capture_output=True, timeout=10)
    flags = set(re.findall(rb"^\s+(-c|--[a-z0-9-]+)", r.stdout + r.stderr, re.M))
    for a in argv[2:]:
        if a.startswith("-"):
            check(a.encode() in flags, "veil run accepts %s" % a)
    cfg = argv[argv.index("-c") + 1]
    for line in values("ExecStartPre") + values("ExecReload")[:-1]:
        eq(line.split(), ["/usr/local/bin/veil", "check", "-c", cfg], "the check: %s" % line)
    eq(os.path.dirname(cfg), "/etc/" + values("ConfigurationDirectory")[0],
       "the file is in ConfigurationDirectory")

    r = subprocess.run([veil, "check", "--dump"], capture_output=True, timeout=30)
    drain = yaml.safe_load(r.stdout)["server"]["drain_timeout"]
    m = re.match(r"(\d+)s$", drain)
    check(m is not None, "drain_timeout in seconds: %r" % drain)
    stop = re.match(r"(\d+)s$", values("TimeoutStopSec")[0])
    check(int(stop.group(1)) > int(m.group(1)), "TimeoutStopSec > server.drain_timeout")


def test_installed_unit(veil):
    """The unit `make install` writes names the installed binary."""
    build = os.path.dirname(os.path.abspath(veil))
    with open(os.path.join(build, "veil.service")) as f:
        text = f.read()
    cache = open(os.path.join(build, "CMakeCache.txt")).read()
    prefix = re.search(r"^CMAKE_INSTALL_PREFIX:PATH=(.*)$", cache, re.M).group(1)
    check("ExecStart=%s/bin/veil run" % prefix in text, "ExecStart under the prefix")
    check("/usr/local/bin/veil" not in text or prefix == "/usr/local", "no other path")


TESTS = [test_verify, test_security_rating, test_directives, test_command_lines,
         test_installed_unit]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
