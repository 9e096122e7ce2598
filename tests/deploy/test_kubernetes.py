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
import ssl
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
from test_tls_listen import make_ca, make_cert  # noqa: E402

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
    configuration with every default filled in (the Secrets' files laid
    out in a temporary directory, their paths put back in the result)."""
    tmp = tempfile.mkdtemp(prefix="veil-k8s-")
    try:
        vols = pod_secrets(tmp)
        path = os.path.join(tmp, "veil.yaml")
        with open(path, "w") as f:
            f.write(localize(config_text, vols))
        e = dict(os.environ)
        e.update(env or {})
        r = subprocess.run([veil, "check", "--dump", "-c", path], capture_output=True,
                           env=e, timeout=30)
        eq(r.returncode, 0, "veil check --dump: %r" % r.stderr)
        out = r.stdout.decode()
        for mount, d in vols.items():
            out = out.replace(d.path, mount)
        return yaml.safe_load(out)
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
    conf = dump(veil, config_text(by_kind))
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

    # Keys and certificates are files from Secrets mounted read-only, as
    # directories (a subPath mount would never see a renewal), mode 0440
    # with the pod's fsGroup: root:fsGroup 0440 is what veil's secret-file
    # rule takes (include/veil/secret_file.h). No key in the environment.
    secret_files = [k["file"] for k in conf.get("keys", {}).values() if "file" in k]
    for lst in conf["listeners"]:
        for c in (lst.get("tls") or {}).get("certificates", []):
            secret_files += [c["cert_file"], c["key_file"]]
    check(len(secret_files) >= 3, "a hash key file and a TLS certificate and key")
    check(conf["listeners"][0].get("tls") is not None, "the pod's listener terminates TLS")
    check(not any("env" in k for k in conf.get("keys", {}).values()),
          "no key from an environment variable")
    check(not any("secretKeyRef" in (e.get("valueFrom") or {}) for e in v.get("env", [])),
          "no Secret in veil's environment")
    for path in secret_files:
        m = [m for m in v["volumeMounts"] if path.startswith(m["mountPath"].rstrip("/") + "/")]
        eq(len(m), 1, "%s is on one mount" % path)
        m = m[0]
        vol = vols[m["name"]]
        check("secret" in vol, "%s comes from a Secret volume" % path)
        check("subPath" not in m, "%s: no subPath" % path)
        eq(m.get("readOnly"), True, "%s: mounted read-only" % path)
        eq(vol["secret"].get("defaultMode"), 0o440, "%s: defaultMode 0440" % path)
        eq(os.path.dirname(path), m["mountPath"].rstrip("/"), "%s: a key of the Secret" % path)
    fs_group = spec["securityContext"].get("fsGroup")
    check(fs_group is not None, "the pod has an fsGroup")
    eq(fs_group, spec["securityContext"].get("runAsGroup"), "fsGroup is veil's group")
    check(spec["securityContext"].get("runAsUser") not in (None, 0), "veil is not root")

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
    """A ConfigMap or Secret volume as the kubelet writes it (its
    AtomicWriter): the data in a timestamped directory, a ..data link to
    it, each key a link through ..data; an update writes a new directory,
    points ..data_tmp at it, renames ..data_tmp over ..data and removes
    the old directory. A Secret volume's files get the volume's
    defaultMode (<mode>) and, with the pod's fsGroup, that group (<gid>)
    while root keeps them."""

    def __init__(self, path, files, mode=None, gid=None):
        self.path = path
        self.n = 0
        self.current = None
        self.mode, self.gid = mode, gid
        os.makedirs(path, exist_ok=True)
        self.update(files)
        for name in files:
            os.symlink(os.path.join("..data", name), os.path.join(path, name))

    def update(self, files):
        self.n += 1
        ts = "..2026_12_05_13_00_%02d.%09d" % (self.n, 123456789 + self.n)
        os.mkdir(os.path.join(self.path, ts))
        for name, text in files.items():
            fp = os.path.join(self.path, ts, name)
            with open(fp, "wb" if isinstance(text, bytes) else "w") as f:
                f.write(text)
            if self.gid is not None:
                os.chown(fp, 0, self.gid)
            if self.mode is not None:
                os.chmod(fp, self.mode)
        tmp = os.path.join(self.path, "..data_tmp")
        os.symlink(ts, tmp)
        os.rename(tmp, os.path.join(self.path, "..data"))
        if self.current is not None:
            shutil.rmtree(os.path.join(self.path, self.current))
        self.current = ts


POD_GID = 10001   # the Deployment's runAsGroup and fsGroup


def tls_files(pki, name):
    """The Secret veil-tls of `kubectl create secret tls`: tls.crt, tls.key."""
    make_cert(pki, "ca", name, "api.test", "DNS:api.test,DNS:localhost,IP:127.0.0.1")
    out = {}
    for key, ext in (("tls.crt", ".pem"), ("tls.key", ".key")):
        with open(os.path.join(pki, name + ext), "rb") as f:
            out[key] = f.read()
    return out


def pod_secrets(tmp):
    """The Secrets veil-tls and veil-keys mounted in <tmp> as the kubelet
    mounts them for the Deployment: root:10001, mode 0440 (defaultMode,
    fsGroup). Without root the files stay the test user's, mode 0400 (the
    same rule's other case). {mount path in the pod: AtomicDir}."""
    pki = os.path.join(tmp, "pki")
    os.makedirs(pki)
    make_ca(pki, "ca")
    root = os.geteuid() == 0
    mode, gid = (0o440, POD_GID) if root else (0o400, None)
    for d in (tmp, pki):
        os.chmod(d, 0o755)
    return {"/etc/veil/tls": AtomicDir(os.path.join(tmp, "tls"), tls_files(pki, "api"),
                                       mode, gid),
            "/etc/veil/keys": AtomicDir(os.path.join(tmp, "keys"), {"hash-key": "ab" * 32},
                                        mode, gid)}


def localize(text, vols):
    """<text> with the pod's mount paths moved to the volumes in <vols>."""
    for mount, d in vols.items():
        text = text.replace(mount + "/", d.path + "/")
    return text


def https_get(port, path, cafile):
    """(status, body, the server certificate's serial) of one request."""
    ctx = ssl.create_default_context(cafile=cafile)
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    s = ctx.wrap_socket(raw, server_hostname="localhost")
    serial = s.getpeercert()["serialNumber"]
    s.sendall(("GET %s HTTP/1.1\r\nHost: p\r\nConnection: close\r\n\r\n" % path).encode())
    data = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        data += d
    s.close()
    head, body = data.split(b"\r\n\r\n", 1)
    return int(head.split(b" ")[1]), body, serial


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
    """The ConfigMap's file and the Secrets' files, in volumes laid out as
    the kubelet lays them, run by veil with the pod's addresses moved to
    free loopback ports, as the pod's user and group (10001, when the test
    runs as root) reading root:10001 0440 keys; then the ConfigMap changes
    and veil reloads it by itself, and the TLS Secret is renewed (as
    cert-manager does) and veil serves the new certificate."""
    text = config_text(manifests())
    tmp = tempfile.mkdtemp(prefix="veil-k8s-")
    up = None
    p = None
    try:
        vols = pod_secrets(tmp)
        vol = os.path.join(tmp, "config")
        os.mkdir(vol)
        cm = AtomicDir(vol, {"veil.yaml": localize(text, vols)}, 0o644)
        up_port = free_port()
        up = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "integration",
                                                            "upstream.py"),
                               str(up_port), os.path.join(tmp, "rec")])
        wait_port(up_port)
        port, probe, metrics, admin = (free_port() for _ in range(4))
        err = open(os.path.join(tmp, "stderr"), "wb")

        def as_pod_user():
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(POD_GID)
                os.setuid(10001)

        p = subprocess.Popen([veil, "run", "-c", os.path.join(vol, "veil.yaml"),
                              "--listen", "127.0.0.1:%d" % port,
                              "--upstream", "http://127.0.0.1:%d" % up_port,
                              "--probe-listen", "127.0.0.1:%d" % probe,
                              "--metrics-listen", "127.0.0.1:%d" % metrics,
                              "--admin", "127.0.0.1:%d" % admin],
                             stdout=subprocess.DEVNULL, stderr=err, preexec_fn=as_pod_user)
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
        cafile = os.path.join(tmp, "pki", "ca.pem")
        st, _, serial = https_get(port, "/json", cafile)
        eq(st, 200, "a request through veil, over TLS")

        # kubectl apply of a changed ConfigMap: the kubelet swaps ..data.
        cm.update({"veil.yaml": localize(text.replace("drain_timeout: 25s",
                                                      "drain_timeout: 20s"), vols)})
        deadline = time.time() + 10
        while True:
            second = config_id(http_get(metrics, "/metrics")[1])
            if second != first:
                break
            check(time.time() < deadline, "the ConfigMap change was reloaded")
            time.sleep(0.1)
        eq(http_get(probe, "/ready"), (200, b"ready\n"), "still ready after the reload")

        # The certificate is renewed: the Secret changes, the kubelet
        # swaps its ..data, veil takes the new files without a restart.
        vols["/etc/veil/tls"].update(tls_files(os.path.join(tmp, "pki"), "api2"))
        deadline = time.time() + 10
        while True:
            st, _, renewed = https_get(port, "/json", cafile)
            if renewed != serial:
                break
            check(time.time() < deadline, "the renewed certificate is served")
            time.sleep(0.1)
        eq(st, 200, "served with the renewed certificate")
        p.send_signal(signal.SIGTERM)
        eq(p.wait(timeout=30), 0, "exit after SIGTERM")
        err.close()
        with open(os.path.join(tmp, "stderr"), "rb") as f:
            stderr = f.read()
        check(b"veil: configuration reloaded (1 reloads, 0 rejected)\n" in stderr,
              "one reload reported: %r" % stderr)
        check(b"veil: listeners[0].tls: certificates reloaded\n" in stderr,
              "the renewal reported: %r" % stderr)
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
