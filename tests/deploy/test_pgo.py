"""tools/pgo.sh, the profile-guided build (`make build PGO=1`, the
container image): run for real into a temporary directory, then checked:
the training runs (the engine's, and veil run proxying a local upstream)
wrote profiles for the engine's and the proxy's files, the second stage
compiled every engine file with them, and the binary it built finds,
byte for byte, what the suite's own binary finds (a profile changes the
code's layout, never its results).

usage: test_pgo.py VEIL SOURCE_DIR
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile


def scan(veil, fmt, path, out):
    r = subprocess.run([veil, "scan", "--format", fmt, "--findings", out, path],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)
    if r.returncode != 0:
        raise SystemExit("FAIL %s scan %s: %r" % (veil, path, r.stderr[-300:]))
    with open(out, "rb") as f:
        return f.read()


def main():
    veil, src = sys.argv[1:3]
    tmp = tempfile.mkdtemp(prefix="veil-pgo-")
    try:
        build = os.path.join(tmp, "b")
        env = dict(os.environ, JOBS=os.environ.get("JOBS", "2"))
        r = subprocess.run([os.path.join(src, "tools", "pgo.sh"), build,
                            "-DVEIL_BUILD_TESTS=OFF", "-DVEIL_WERROR=ON"],
                           capture_output=True, env=env, timeout=1500)
        if r.returncode != 0:
            print("FAIL tools/pgo.sh: %s" % r.stderr.decode(errors="replace")[-800:])
            return 1
        out = r.stdout.decode(errors="replace")
        if out.count("pgo_train: ") < 6:
            print("FAIL the training run did not report its six corpora:\n%s" % out[-800:])
            return 1
        if "pgo_proxy: " not in out or "veil exited 0" not in out:
            print("FAIL the proxy's training run did not end well:\n%s" % out[-800:])
            return 1

        # Profiles for the engine's files, named relative to the build tree.
        prof = os.path.join(build + "-pgo-gen", "profiles")
        names = [os.path.basename(p) for p in glob.glob(os.path.join(prof, "*.gcda"))]
        for d, want in (("detectors", "text_scan.c"), ("detectors", "json_walk.c"),
                        ("detectors", "names.c"), ("detectors", "kernels_scalar.c"),
                        ("proxy", "client.c"), ("proxy", "access_log.c"),
                        ("proxy", "http_validate.c")):
            if not any(n.startswith(d + "#") and n.endswith("#" + want + ".gcda") for n in names):
                print("FAIL no profile for %s/%s in %s" % (d, want, sorted(names)[:10]))
                return 1

        # Every engine file compiled from them.
        with open(os.path.join(build, "compile_commands.json")) as f:
            cmds = json.load(f)
        engine = [c for c in cmds if "/detectors/" in c["file"]]
        without = [c["file"] for c in engine if "-fprofile-use" not in c["command"]]
        if not engine or without:
            print("FAIL compiled without the profiles: %s" % without[:5])
            return 1

        pgo = os.path.join(build, "veil")
        inputs = [("text", os.path.join(src, "tests", "data", "sample.log")),
                  ("text", os.path.join(src, "tests", "data", "accuracy", "text.txt")),
                  ("json", os.path.join(src, "tests", "data", "accuracy", "json.jsonl"))]
        for fmt, path in inputs:
            a = scan(veil, fmt, path, os.path.join(tmp, "a"))
            b = scan(pgo, fmt, path, os.path.join(tmp, "b.findings"))
            if a != b or not a:
                print("FAIL %s as %s: %d bytes of findings, %d from the PGO build"
                      % (path, fmt, len(a), len(b)))
                return 1
        print("ok   pgo: %d profiles, %d engine files built from them, the same findings"
              % (len(names), len(engine)))
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
