"""`make install` (cmake --install) into a staging directory: the binary,
veil(1), the default configuration as an example, and the systemd unit
naming the installed binary.

usage: test_install.py VEIL BUILD_DIR PREFIX
"""
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    veil, build, prefix = sys.argv[1:4]
    stage = tempfile.mkdtemp(prefix="veil-install-")
    try:
        env = dict(os.environ, DESTDIR=stage)
        r = subprocess.run(["cmake", "--install", build], capture_output=True, env=env,
                           timeout=120)
        if r.returncode != 0:
            print("FAIL cmake --install: %r" % r.stderr[-500:])
            return 1
        root = stage + prefix
        want = ["bin/veil", "share/man/man1/veil.1", "lib/systemd/system/veil.service",
                "share/doc/veil/examples/default.yaml",
                "share/doc/veil/deploy/kubernetes/deployment.yaml"]
        missing = [w for w in want if not os.path.isfile(os.path.join(root, w))]
        if missing:
            print("FAIL not installed: %s" % missing)
            return 1
        with open(os.path.join(root, "lib/systemd/system/veil.service")) as f:
            unit = f.read()
        if "ExecStart=%s/bin/veil run -c /etc/veil/veil.yaml\n" % prefix not in unit:
            print("FAIL the unit does not run %s/bin/veil" % prefix)
            return 1
        r = subprocess.run([os.path.join(root, "bin/veil"), "check", "-c",
                            os.path.join(root, "share/doc/veil/examples/default.yaml")],
                           capture_output=True, timeout=30)
        if r.returncode != 0:
            print("FAIL the installed example does not check: %r" % r.stderr)
            return 1
        print("ok   install (%d files)" % sum(len(f) for _, _, f in os.walk(stage)))
        return 0
    finally:
        shutil.rmtree(stage, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
