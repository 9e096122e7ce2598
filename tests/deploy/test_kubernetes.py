"""deploy/kubernetes/: the native-sidecar manifests, parsed and checked
against what veil accepts (its flags, its keys, its listeners), and the
ConfigMap's configuration run by a real veil, reloaded through the same
directory swap the kubelet makes when a ConfigMap changes.

usage: test_kubernetes.py VEIL [test_name ...]
"""
import glob
import ipaddress
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
KDIR = os.path.join(ROOT, "deploy", "kubernetes")
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import check, eq, free_port, run, wait_port  # noqa: E402

# Paths a pod-reachable port may serve (issue 13: liveness and readiness
# only, never /config or /report).
PROBE_PATHS = {"/live", "/ready"}


def manifests():
    """Every object of every YAML file in deploy/kubernetes/, by kind."""
    by_kind = {}
    for path in sorted(glob.glob(os.path.join(KDIR, "*.yaml"))):
        with open(path) as f:
            for doc in yaml.safe_load_all(f):
                if doc is not None:
                    by_kind.setdefault(doc["kind"], []).append((os.path.basename(path), doc))
    return by_kind


def one(by_kind, kind):
    objs = by_kind.get(kind, [])
    eq(len(objs), 1, "one %s" % kind)
    return objs[0][1]


def veil_container(dep):
    spec = dep["spec"]["template"]["spec"]
    sidecars = [c for c in spec.get("initContainers", []) if c["name"] == "veil"]
    eq(len(sidecars), 1, "veil is an init container")
    return spec, sidecars[0]


def port_number(container, port):
    """A probe's or Service's port, by name or number, as a number."""
    if isinstance(port, int):
        return port
    named = [p["containerPort"] for p in container.get("ports", []) if p.get("name") == port]
    eq(len(named), 1, "container port named %r" % port)
    return named[0]


def address_port(addr):
    return int(addr.rsplit(":", 1)[1])


def address_host(addr):
    return addr.rsplit(":", 1)[0].strip("[]")


def dump(veil, config_text, env=None):
    """`veil check --dump` of <config_text>, parsed: the effective
    configuration with every default filled in."""
    tmp = tempfile.mkdtemp(prefix="veil-k8s-")
    try:
        path = os.path.join(tmp, "veil.yaml")
        with open(path, "w") as f:
            f.write(config_text)
        e = dict(os.environ)
        e.update(env or {})
        r = subprocess.run([veil, "check", "--dump", "-c", path], capture_output=True,
                           env=e, timeout=30)
        eq(r.returncode, 0, "veil check --dump: %r" % r.stderr)
        return yaml.safe_load(r.stdout)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def help_flags(veil):
    r = subprocess.run([veil, "run", "--help"], capture_output=True, timeout=10)
    text = r.stdout + r.stderr
    return set(re.findall(rb"^\s+(-c|--[a-z0-9-]+)", text, re.M))


def config_text(by_kind):
    cm = one(by_kind, "ConfigMap")
    check("veil.yaml" in cm["data"], "the ConfigMap holds veil.yaml")
    return cm["data"]["veil.yaml"]


def test_sidecar_manifest(veil):
    by_kind = manifests()
    dep = one(by_kind, "Deployment")
    spec, v = veil_container(dep)
    conf = dump(veil, config_text(by_kind), {"VEIL_HASH_KEY": "00" * 32})
    server, admin = conf["server"], conf["admin"]

    # A native sidecar: an init container that keeps running.
    eq(v.get("restartPolicy"), "Always", "restartPolicy of the veil init container")
    check(len(spec["containers"]) >= 1, "an application container beside veil")

    # Its command line is `veil run` with flags veil knows.
    args = v["args"]
    eq(args[0], "run", "veil run")
    flags = help_flags(veil)
    for a in args[1:]:
        if a.startswith("-"):
            check(a.split("=")[0].encode() in flags, "veil run accepts %s" % a)
    cpath = args[args.index("-c") + 1]

    # The configuration comes from the ConfigMap, mounted as a directory
    # (subPath mounts are never updated, so the file would never reload).
    cm_name = one(by_kind, "ConfigMap")["metadata"]["name"]
    vols = {vol["name"]: vol for vol in spec["volumes"]}
    mounts = [m for m in v["volumeMounts"]
              if vols[m["name"]].get("configMap", {}).get("name") == cm_name]
    eq(len(mounts), 1, "the ConfigMap is mounted in veil")
    m = mounts[0]
    check("subPath" not in m, "the ConfigMap is not mounted with subPath")
    eq(m.get("readOnly"), True, "the ConfigMap is mounted read-only")
    eq(os.path.join(m["mountPath"], "veil.yaml"), cpath, "-c names the mounted file")

    # Probes: the probe listener only, and only /live and /ready.
    probe_port = address_port(server["probe_listen"])
    check(ipaddress.ip_address(address_host(server["probe_listen"])).is_unspecified,
          "the probe listener is on the pod's address")
    for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
        check(kind in v, "veil has a %s" % kind)
        g = v[kind]["httpGet"]
        eq(port_number(v, g["port"]), probe_port, "%s goes to server.probe_listen" % kind)
        check(g["path"] in PROBE_PATHS, "%s path %s" % (kind, g["path"]))
    eq(v["readinessProbe"]["httpGet"]["path"], "/ready", "readiness is /ready")
    eq(v["startupProbe"]["httpGet"]["path"], "/ready", "startup is /ready")
    eq(v["livenessProbe"]["httpGet"]["path"], "/live", "liveness is /live")

    # Prometheus: the pod annotations and the PodMonitor name the metrics
    # listener, which serves /metrics only.
    metrics_port = address_port(server["metrics_listen"])
    ann = dep["spec"]["template"]["metadata"]["annotations"]
    eq(ann["prometheus.io/scrape"], "true", "scrape annotation")
    eq(int(ann["prometheus.io/port"]), metrics_port, "scrape port is server.metrics_listen")
    eq(ann["prometheus.io/path"], "/metrics", "scrape path")
    pm = one(by_kind, "PodMonitor")
    ep = pm["spec"]["podMetricsEndpoints"]
    eq(len(ep), 1, "one PodMonitor endpoint")
    eq(port_number(v, ep[0]["port"]), metrics_port, "PodMonitor port")
    eq(ep[0]["path"], "/metrics", "PodMonitor path")
    eq(pm["spec"]["selector"]["matchLabels"], dep["spec"]["selector"]["matchLabels"],
       "PodMonitor selects the pods")

    # The admin listener (/config, /stats, /report) stays on loopback and
    # no container port exposes it.
    check(ipaddress.ip_address(address_host(admin["listen"])).is_loopback,
          "admin.listen is loopback: %s" % admin["listen"])
    exposed = {p["containerPort"] for c in spec["containers"] + spec["initContainers"]
               for p in c.get("ports", [])}
    check(address_port(admin["listen"]) not in exposed, "the admin port is not a container port")
    listen = conf["listeners"][0]["address"]
    eq(exposed & {address_port(listen), probe_port, metrics_port},
       {address_port(listen), probe_port, metrics_port}, "veil's ports are declared")

    # The Service sends traffic to veil's listener, not the application.
    svc = one(by_kind, "Service")
    eq(svc["spec"]["selector"], dep["spec"]["selector"]["matchLabels"], "Service selector")
    for p in svc["spec"]["ports"]:
        eq(port_number(v, p["targetPort"]), address_port(listen), "Service targetPort")
    upstream = conf["upstreams"][0]["url"]
    app_ports = {p["containerPort"] for c in spec["containers"] for p in c.get("ports", [])}
    check(int(upstream.rsplit(":", 1)[1]) not in
          {port_number(v, p["targetPort"]) for p in svc["spec"]["ports"]} | app_ports,
          "the application's port is not published")
    check(upstream.startswith("http://127.0.0.1:"), "the upstream is the pod's own API")

    # Resources and hardening.
    res = v["resources"]
    for k in ("cpu", "memory"):
        check(k in res["requests"], "veil requests %s" % k)
    check("memory" in res["limits"], "veil has a memory limit")
    sc = v["securityContext"]
    eq(sc.get("readOnlyRootFilesystem"), True, "read-only root filesystem")
    eq(sc.get("allowPrivilegeEscalation"), False, "no privilege escalation")
    eq(sc["capabilities"]["drop"], ["ALL"], "no capability")
    eq(spec["securityContext"].get("runAsNonRoot"), True, "runAsNonRoot")
    check(all(p["containerPort"] >= 1024 for p in v["ports"]), "no privileged port")

    # Draining fits in the grace period; workers are set, not the node's
    # core count.
    drain_s = int(re.match(r"(\d+)s$", server["drain_timeout"]).group(1))
    check(spec["terminationGracePeriodSeconds"] > drain_s,
          "terminationGracePeriodSeconds > server.drain_timeout")
    check(int(server["workers"]) > 0, "server.workers is set")

    # The key comes from the Secret that docs/deploying.md creates.
    key_envs = {k["env"] for k in conf.get("keys", {}).values() if "env" in k}
    given = {e["name"]: e for e in v.get("env", [])}
    for name in key_envs:
        check(name in given and "secretKeyRef" in given[name].get("valueFrom", {}),
              "key variable %s comes from a Secret" % name)

    # The PodDisruptionBudget covers the pods.
    pdb = one(by_kind, "PodDisruptionBudget")
    eq(pdb["spec"]["selector"]["matchLabels"], dep["spec"]["selector"]["matchLabels"],
       "PodDisruptionBudget selector")

    # kustomization.yaml lists every object but the PodMonitor.
    kust = one(by_kind, "Kustomization")
    files = {f for f in os.listdir(KDIR) if f.endswith(".yaml")}
    eq(set(kust["resources"]), files - {"kustomization.yaml", "podmonitor.yaml"},
       "kustomization resources")


def test_kustomize_build(veil):
    """`kubectl kustomize` (offline) builds the objects the test above read."""
    r = subprocess.run(["kubectl", "kustomize", KDIR], capture_output=True, timeout=60)
    eq(r.returncode, 0, "kubectl kustomize: %r" % r.stderr[-500:])
    kinds = sorted(d["kind"] for d in yaml.safe_load_all(r.stdout) if d)
    eq(kinds, ["ConfigMap", "Deployment", "PodDisruptionBudget", "Service"], "kinds")


class AtomicDir:
    """A ConfigMap volume as the kubelet writes it (its AtomicWriter): the
    data in a timestamped directory, a ..data link to it, each key a link
    through ..data; an update writes a new directory, points ..data_tmp at
    it, renames ..data_tmp over ..data and removes the old directory."""

    def __init__(self, path, files):
        self.path = path
        self.n = 0
        self.current = None
        self.update(files)
        for name in files:
            os.symlink(os.path.join("..data", name), os.path.join(path, name))

    def update(self, files):
        self.n += 1
        ts = "..2026_12_05_13_00_%02d.%09d" % (self.n, 123456789 + self.n)
        os.mkdir(os.path.join(self.path, ts))
        for name, text in files.items():
            with open(os.path.join(self.path, ts, name), "w") as f:
                f.write(text)
        tmp = os.path.join(self.path, "..data_tmp")
        os.symlink(ts, tmp)
        os.rename(tmp, os.path.join(self.path, "..data"))
        if self.current is not None:
            shutil.rmtree(os.path.join(self.path, self.current))
        self.current = ts


def http_get(port, path):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(("GET %s HTTP/1.1\r\nHost: p\r\nConnection: close\r\n\r\n" % path).encode())
    data = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        data += d
    s.close()
    head, body = data.split(b"\r\n\r\n", 1)
    return int(head.split(b" ")[1]), body


def config_id(metrics):
    m = re.search(rb'^veil_config_info\{id="(sha256:[0-9a-f]+)"\} 1$', metrics, re.M)
    check(m is not None, "veil_config_info in /metrics")
    return m.group(1)


def test_configmap_runs_and_reloads(veil):
    """The ConfigMap's file, in a volume laid out as the kubelet lays it,
    run by veil with the pod's addresses moved to free loopback ports;
    then the ConfigMap changes and veil reloads it by itself."""
    text = config_text(manifests())
    tmp = tempfile.mkdtemp(prefix="veil-k8s-")
    up = None
    p = None
    try:
        vol = os.path.join(tmp, "config")
        os.mkdir(vol)
        cm = AtomicDir(vol, {"veil.yaml": text})
        up_port = free_port()
        up = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "integration",
                                                            "upstream.py"),
                               str(up_port), os.path.join(tmp, "rec")])
        wait_port(up_port)
        port, probe, metrics, admin = (free_port() for _ in range(4))
        err = open(os.path.join(tmp, "stderr"), "wb")
        env = dict(os.environ, VEIL_HASH_KEY="11" * 32)
        p = subprocess.Popen([veil, "run", "-c", os.path.join(vol, "veil.yaml"),
                              "--listen", "127.0.0.1:%d" % port,
                              "--upstream", "http://127.0.0.1:%d" % up_port,
                              "--probe-listen", "127.0.0.1:%d" % probe,
                              "--metrics-listen", "127.0.0.1:%d" % metrics,
                              "--admin", "127.0.0.1:%d" % admin],
                             stdout=subprocess.DEVNULL, stderr=err, env=env)
        wait_port(port, proc=p)
        wait_port(probe, proc=p)
        deadline = time.time() + 10
        while http_get(probe, "/ready")[0] != 200:
            check(time.time() < deadline, "/ready turns 200")
            time.sleep(0.05)
        eq(http_get(probe, "/live"), (200, b"live\n"), "probe /live")
        eq(http_get(probe, "/config")[0], 404, "probe /config")
        st, body = http_get(metrics, "/metrics")
        eq(st, 200, "metrics /metrics")
        first = config_id(body)
        eq(http_get(metrics, "/report")[0], 404, "metrics /report")
        eq(http_get(port, "/json")[0], 200, "a request through veil")

        # kubectl apply of a changed ConfigMap: the kubelet swaps ..data.
        cm.update({"veil.yaml": text.replace("drain_timeout: 25s", "drain_timeout: 20s")})
        deadline = time.time() + 10
        while True:
            second = config_id(http_get(metrics, "/metrics")[1])
            if second != first:
                break
            check(time.time() < deadline, "the ConfigMap change was reloaded")
            time.sleep(0.1)
        eq(http_get(probe, "/ready"), (200, b"ready\n"), "still ready after the reload")
        p.send_signal(signal.SIGTERM)
        eq(p.wait(timeout=30), 0, "exit after SIGTERM")
        err.close()
        with open(os.path.join(tmp, "stderr"), "rb") as f:
            stderr = f.read()
        check(b"veil: configuration reloaded (1 reloads, 0 rejected)\n" in stderr,
              "one reload reported: %r" % stderr)
        check(b"Sanitizer" not in stderr and b"runtime error" not in stderr,
              "sanitizers: %r" % stderr[-2000:])
    finally:
        for proc in (p, up):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


TESTS = [test_sidecar_manifest, test_kustomize_build, test_configmap_runs_and_reloads]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
