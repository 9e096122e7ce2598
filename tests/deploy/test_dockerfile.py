"""The Dockerfile, read as Docker reads it (instructions, continuation
lines, exec-form JSON) and checked against the binary it packages: the
Debian packages that hold the libraries `ldd` lists, the build packages
tools/deps.sh installs, a numeric non-root user matching the Kubernetes
manifest, its ports, and its default command, run for real.
(No image is built: that needs a registry this machine cannot reach.)

usage: test_dockerfile.py VEIL [test_name ...]
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import check, eq, free_port, run, wait_port  # noqa: E402


def instructions():
    """[(stage index, INSTRUCTION, arguments)] of the Dockerfile."""
    out = []
    stage = -1
    with open(os.path.join(ROOT, "Dockerfile")) as f:
        text = f.read()
    logical = ""
    for line in text.split("\n"):
        if not logical and (line.startswith("#") or not line.strip()):
            continue
        if line.strip().startswith("#"):
            continue
        if line.endswith("\\"):
            logical += line[:-1] + " "
            continue
        logical += line
        op, _, args = logical.strip().partition(" ")
        op = op.upper()
        if op == "FROM":
            stage += 1
        out.append((stage, op, args.strip()))
        logical = ""
    return out


def apt_packages(run_args):
    m = re.search(r"apt-get install -y --no-install-recommends (.*?)(?:&&|$)", run_args)
    check(m is not None, "apt-get install in %r" % run_args[:80])
    return set(m.group(1).split())


def stage_of(ins, n):
    return [(op, a) for s, op, a in ins if s == n]


def test_stages_and_user(veil):
    ins = instructions()
    froms = [a for s, op, a in ins if op == "FROM"]
    eq(froms, ["debian:bookworm-slim AS build", "debian:bookworm-slim"], "two Debian stages")
    final = stage_of(ins, 1)
    users = [a for op, a in final if op == "USER"]
    eq(len(users), 1, "one USER in the final stage")
    uid, gid = (int(x) for x in users[0].split(":"))
    check(uid != 0 and gid != 0, "not root")
    with open(os.path.join(ROOT, "deploy", "kubernetes", "deployment.yaml")) as f:
        dep = yaml.safe_load(f)
    sc = dep["spec"]["template"]["spec"]["securityContext"]
    eq((sc["runAsUser"], sc["runAsGroup"]), (uid, gid), "the manifest runs as the image's user")
    check(any("useradd" in a and "--uid %d" % uid in a for op, a in final if op == "RUN"),
          "the user exists in the image")
    # Nothing from the build stage but the binary and its man page.
    copies = [a for op, a in final if op == "COPY"]
    for c in copies:
        if c.startswith("--from=build"):
            src = c.split()[1]
            check(src.startswith("/out/usr/local/"), "copied from the install tree: %s" % src)
        else:
            check(os.path.exists(os.path.join(ROOT, c.split()[0])), "%s exists" % c)
    with open(os.path.join(ROOT, ".dockerignore")) as f:
        ignored = f.read().split()
    check("build*" in ignored and ".git" in ignored, ".dockerignore keeps builds out")


def test_packages(veil):
    ins = instructions()
    build = set()
    for op, a in stage_of(ins, 0):
        if op == "RUN" and "apt-get install" in a:
            build |= apt_packages(a)
    with open(os.path.join(ROOT, "tools", "deps.sh")) as f:
        deps = re.search(r'^want="(.*)"$', f.read(), re.M).group(1).split()
    eq(set(deps) - build, set(), "build packages tools/deps.sh names")
    runtime = set()
    for op, a in stage_of(ins, 1):
        if op == "RUN" and "apt-get install" in a:
            runtime |= apt_packages(a)
    r = subprocess.run(["ldd", veil], capture_output=True, timeout=10)
    libs = re.findall(r"^\s+(\S+) => (\S+)", r.stdout.decode(), re.M)
    needed = set()
    for name, path in libs:
        if re.match(r"lib(c|m|pthread|dl|rt)\.so", name) or name.startswith("ld-linux"):
            continue  # libc6, in every Debian image
        q = subprocess.run(["dpkg", "-S", os.path.realpath(path)], capture_output=True)
        if q.returncode != 0:
            q = subprocess.run(["dpkg", "-S", path], capture_output=True)
        eq(q.returncode, 0, "a package holds %s" % path)
        needed.add(q.stdout.decode().split(":")[0])
    check(len(needed) >= 4, "ldd names the libraries: %r" % needed)
    eq(needed - runtime, set(), "runtime packages for the libraries veil links")
    check("ca-certificates" in runtime, "CA certificates for https upstreams")


def test_default_command_runs(veil):
    """ENTRYPOINT + CMD, with the image's configuration, on free loopback
    ports instead of 0.0.0.0: listening, /ready on the probe port,
    /metrics on the metrics port, the ports the image EXPOSEs."""
    final = stage_of(instructions(), 1)
    entry = json.loads([a for op, a in final if op == "ENTRYPOINT"][0])
    cmd = json.loads([a for op, a in final if op == "CMD"][0])
    eq(entry, ["/usr/local/bin/veil"], "ENTRYPOINT")
    exposed = {int(p) for op, a in final if op == "EXPOSE" for p in a.split()}
    eq({int(a.rsplit(":", 1)[1]) for a in cmd if re.match(r"0\.0\.0\.0:\d+$", a)}, exposed,
       "CMD listens on the EXPOSEd ports")
    with open(os.path.join(ROOT, "deploy", "kubernetes", "deployment.yaml")) as f:
        dep = yaml.safe_load(f)
    veil_c = dep["spec"]["template"]["spec"]["initContainers"][0]
    eq({p["containerPort"] for p in veil_c["ports"]}, exposed, "the manifest's ports")

    copies = dict(reversed(a.split()) for op, a in final
                  if op == "COPY" and not a.startswith("--from"))
    ports = {}
    args = []
    for a in cmd:
        if a in copies:
            a = os.path.join(ROOT, copies[a])
        m = re.match(r"0\.0\.0\.0:(\d+)$", a)
        if m:
            ports[int(m.group(1))] = free_port()
            a = "127.0.0.1:%d" % ports[int(m.group(1))]
        args.append(a)
    tmp = tempfile.mkdtemp(prefix="veil-image-")
    p = subprocess.Popen([os.path.abspath(veil)] + args + ["--admin", "127.0.0.1:%d" % free_port(),
                                          "--upstream", "http://127.0.0.1:1"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp)
    try:
        for port in ports.values():
            wait_port(port, proc=p)

        def get(port, path):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path)
            data = b""
            while True:
                d = s.recv(65536)
                if not d:
                    return data
                data += d
        deadline = time.time() + 10
        while not get(ports[9902], b"/ready").startswith(b"HTTP/1.1 200"):
            check(time.time() < deadline, "/ready on the probe port")
            time.sleep(0.05)
        check(get(ports[9903], b"/metrics").startswith(b"HTTP/1.1 200"), "/metrics")
        check(get(ports[8000], b"/").startswith(b"HTTP/1.1 502"),
              "the data port answers (502: no upstream here)")
        p.send_signal(signal.SIGTERM)
        eq(p.wait(timeout=30), 0, "exit after SIGTERM")
        eq(os.listdir(tmp), [], "nothing written to the working directory")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


TESTS = [test_stages_and_user, test_packages, test_default_command_runs]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
