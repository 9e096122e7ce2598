"""docs/deploying.md stays true: every veil command line in its shell
blocks uses a command and flags the binary accepts, and every repository
path it names exists. (Its cluster and host commands need a cluster or
systemd as PID 1; what they rely on is tested by the other deploy tests.)

usage: test_deploying_doc.py VEIL
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


def main():
    veil = sys.argv[1]
    with open(os.path.join(ROOT, "docs", "deploying.md")) as f:
        text = f.read()
    failures = []
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    lines = []
    for b in blocks:
        lines += re.sub(r"\\\n\s*", " ", b).splitlines()
    helps = {}
    seen = 0
    for line in lines:
        line = line.split("#")[0] if not line.strip().startswith("docker") else line
        for m in re.finditer(r"(?:^|\s)(?:build/veil|veil|veil:latest)\s+([a-z]+)((?:\s+\S+)*)",
                             line):
            cmd, rest = m.group(1), m.group(2)
            if cmd not in ("run", "check", "scan", "test", "report", "tokenize",
                           "detokenize", "tokens", "detectors"):
                continue
            if cmd not in helps:
                r = subprocess.run([veil, cmd, "--help"], capture_output=True, timeout=10)
                helps[cmd] = set(re.findall(rb"(?:^|\s)(-c|--[a-z0-9-]+)", r.stdout + r.stderr))
            for flag in re.findall(r"(?:^|\s)(-c|--[a-z0-9-]+)", rest):
                seen += 1
                if flag.encode() not in helps[cmd]:
                    failures.append("veil %s has no %s" % (cmd, flag))
    for path in set(re.findall(r"`((?:deploy|config|docs|tools)/[A-Za-z0-9_./-]+)`", text)):
        if not os.path.exists(os.path.join(ROOT, path.rstrip("/"))):
            failures.append("no %s" % path)
    if seen < 10:
        failures.append("only %d flags found: the extraction is broken" % seen)
    for f in failures:
        print("FAIL " + f)
    if not failures:
        print("ok   deploying.md (%d flags, %d blocks)" % (seen, len(blocks)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
