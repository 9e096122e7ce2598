#!/usr/bin/env python3
"""TLS private key files and PostgreSQL's rule for its server key
(include/veil/secret_file.h): owned by the user veil runs as and 0600 or
less, or owned by root and 0640 or less. One case per rule, each a real
`veil run` with a TLS listener whose key file has that owner and mode:
it serves, or it does not start and says why. The root-owned and
other-owned cases need root (to chown); CI runs as root.

Usage: test_tls_key_modes.py VEIL [test names...]
"""
import os
import shutil
import socket
import ssl
import subprocess
import sys

from tlskit import PKI, Env, check, eq, free_port, run, wait_port

OTHER_UID = 4242


def key_copy(pki, mode, uid=None, gid=None):
    path = pki.path("k-%o-%s.key" % (mode, uid))
    shutil.copyfile(pki.path("a.key"), path)
    if uid is not None or gid is not None:
        os.chown(path, -1 if uid is None else uid, -1 if gid is None else gid)
    os.chmod(path, mode)
    return path


def write_conf(pki, key):
    conf = pki.path("veil.yaml")
    with open(conf, "w") as f:
        f.write("version: 1\nlisteners:\n  - name: main\n    address: 127.0.0.1:1\n"
                "    tls:\n      certificates:\n        - {cert_file: %s, key_file: %s}\n"
                % (pki.path("a.pem"), key))
    return conf


def serves(veil, pki, key):
    """veil run with listener a.pem + <key> answers a request over TLS."""
    env = Env(veil, ["-c", write_conf(pki, key), "--workers", "1"])
    try:
        ctx = ssl.create_default_context(cafile=pki.path("ca.pem"))
        with socket.create_connection(("127.0.0.1", env.port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"GET /json HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                data = s.recv(100)
        check(data.startswith(b"HTTP/1.1 200 "), "served over TLS: %r" % data)
    finally:
        env.stop()
        env.cleanup()


def refuses(veil, pki, key):
    """veil run with listener a.pem + <key> does not start: its stderr."""
    p = subprocess.run([veil, "run", "-c", write_conf(pki, key), "--admin", "off",
                        "--listen", "127.0.0.1:%d" % free_port()], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20)
    check(p.returncode != 0, "veil did not start")
    return p.stderr.decode()


def refused(path, mode):
    return ("veil: listeners[0].tls: %s: has group or others access (mode %04o): a secret "
            "file must be 0600 or less when owned by the user veil runs as, 0640 or less "
            "when owned by root (chmod 600)\n" % (path, mode))


def need_root():
    if os.geteuid() != 0:
        print("SKIP: needs root to give files to root and to another user")
        return False
    return True


def test_0600_own(veil):
    pki = PKI()
    serves(veil, pki, key_copy(pki, 0o600))


def test_0400_own(veil):
    pki = PKI()
    serves(veil, pki, key_copy(pki, 0o400))


def test_0644_refused(veil):
    pki = PKI()
    key = key_copy(pki, 0o644)
    eq(refuses(veil, pki, key), refused(key, 0o644), "stderr")


def test_0640_root_owned(veil):
    """As a Kubernetes Secret volume with fsGroup: root:GROUP 0640 (and
    0440) is taken, for veil running as root or as the group's member."""
    if not need_root():
        return
    pki = PKI()
    for mode in (0o640, 0o440):
        serves(veil, pki, key_copy(pki, mode, uid=0, gid=OTHER_UID))


def test_0660_root_owned_refused(veil):
    if not need_root():
        return
    pki = PKI()
    key = key_copy(pki, 0o660, uid=0)
    eq(refuses(veil, pki, key), refused(key, 0o660), "stderr")


def test_0640_other_owned_refused(veil):
    """0640 (and even 0600) owned by neither veil's user nor root."""
    if not need_root():
        return
    pki = PKI()
    for mode in (0o640, 0o600):
        key = key_copy(pki, mode, uid=OTHER_UID)
        eq(refuses(veil, pki, key), "veil: listeners[0].tls: %s: owned by uid %d: a secret file must be owned by "
                "the user veil runs as (uid %d) or by root\n" % (key, OTHER_UID, os.geteuid()),
           "stderr")


def test_secret_volume_as_non_root(veil):
    """The Kubernetes case itself: veil runs as user 10001 in group 10001
    (runAsUser, fsGroup) and reads its key through a Secret volume as the
    kubelet lays it out: KEY -> ..data/KEY, ..data -> a timestamped
    directory, the file root:10001 mode 0440. It serves; the same file
    with mode 0444 does not."""
    if not need_root():
        return
    pki = PKI()
    os.chmod(pki.dir, 0o755)
    for name in ("a.pem", "ca.pem"):
        os.chmod(pki.path(name), 0o644)
    vol = pki.path("secret")
    os.makedirs(os.path.join(vol, "..2026_12_05_17_00_00.000000001"))
    os.symlink("..2026_12_05_17_00_00.000000001", os.path.join(vol, "..data"))
    os.symlink("..data/tls.key", os.path.join(vol, "tls.key"))
    real = os.path.join(vol, "..data", "tls.key")
    shutil.copyfile(pki.path("a.key"), real)
    os.chown(real, 0, 10001)
    os.chmod(real, 0o440)
    key = os.path.join(vol, "tls.key")
    conf = write_conf(pki, key)
    os.chmod(conf, 0o644)

    def as_10001():
        os.setgroups([])
        os.setgid(10001)
        os.setuid(10001)

    port = free_port()
    p = subprocess.Popen([veil, "run", "-c", conf, "--admin", "off", "--workers", "1",
                          "--listen", "127.0.0.1:%d" % port, "--access-log", "-",
                          "--upstream", "http://127.0.0.1:9"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         preexec_fn=as_10001)
    try:
        wait_port(port, proc=p)
        ctx = ssl.create_default_context(cafile=pki.path("ca.pem"))
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                data = s.recv(100)
        # The upstream is down: 502 over TLS is the answer.
        check(data.startswith(b"HTTP/1.1 502 "), "served over TLS as uid 10001: %r" % data)
    finally:
        p.terminate()
        err = p.communicate(timeout=15)[1]
    eq(p.returncode, 0, "exit status: %r" % err)
    os.chmod(real, 0o444)
    p = subprocess.run([veil, "run", "-c", conf, "--admin", "off", "--listen",
                        "127.0.0.1:%d" % free_port()], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20, preexec_fn=as_10001)
    eq(p.stderr.decode(), refused(key, 0o444), "0444: others may read it")


def test_upstream_key_refused(veil):
    """upstreams[].tls.key_file follows the same rule."""
    pki = PKI()
    key = key_copy(pki, 0o644)
    conf = pki.path("up.yaml")
    with open(conf, "w") as f:
        f.write("version: 1\nupstreams:\n  - name: m\n    url: https://localhost:9\n"
                "    tls: {ca_file: %s, cert_file: %s, key_file: %s}\n"
                % (pki.path("ca.pem"), pki.path("a.pem"), key))
    p = subprocess.run([veil, "run", "-c", conf, "--admin", "off", "--listen",
                        "127.0.0.1:%d" % free_port()], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20)
    check(p.returncode != 0, "does not start")
    check(("veil: upstream m: tls.key_file " + refused(key, 0o644)[len(
        "veil: listeners[0].tls: "):]) in p.stderr.decode(), p.stderr.decode())


TESTS = [test_0600_own, test_0400_own, test_0644_refused, test_0640_root_owned,
         test_0660_root_owned_refused, test_0640_other_owned_refused,
         test_secret_volume_as_non_root, test_upstream_key_refused]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
