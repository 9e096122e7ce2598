#!/usr/bin/env python3
"""Accuracy test for veil's detection engine on the labeled corpus.

Runs `veil scan --format F --action label --findings TMP FILE` on each corpus
file (tests/data/accuracy/), maps the findings back to the labeled values by
byte span and checks the thresholds of issue 2:

  recall >= 97% for credit_card, iban, us_ssn, email, phone, ipv4, ipv6 and
  us_bank_routing; hard negatives touched <= 1%; checksum-failing negatives
  touched == 0; clean lines changed <= 2%; one output line per input line.

A labeled value counts as detected when the union of the findings on its line
covers every byte of every occurrence of it (whatever the detector); "typed"
recall also asks that the covering findings come from the labeled detector.
A negative is touched when any finding covers any of its bytes.

Output never contains a labeled value or a line of the corpus (our rule: no
PII on the output of tools, even synthetic): misses are file:line:type.
Standard library only.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

FILES = (("text.txt", "text"), ("json.jsonl", "json"), ("form.txt", "form"))

RECALL_MIN = 0.97
RECALL_TYPES = ("credit_card", "iban", "us_ssn", "email", "phone", "ipv4",
                "ipv6", "us_bank_routing")
NEG_TOUCHED_MAX = 0.01
CLEAN_CHANGED_MAX = 0.02
MAX_MISSES_SHOWN = 20

_ESCAPE_BEFORE = re.compile(rb"(%[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|\\[nrt])$")


def _alnum(b):
    return (48 <= b <= 57) or (65 <= b <= 90) or (97 <= b <= 122)


def occurrences(hay, needle):
    """Spans [a, b) of needle in hay that are not glued to an ASCII letter or
    digit on a side where the value itself starts/ends with one. An escape
    (%AF, \\u00e9, \\n) right before the value counts as a boundary. The
    corpus generator (gen/record.mjs) applies the same rule."""
    out = []
    if not needle:
        return out
    first_an, last_an = _alnum(needle[0]), _alnum(needle[-1])
    i = hay.find(needle)
    while i != -1:
        j = i + len(needle)
        ok_start = (not first_an or i == 0 or not _alnum(hay[i - 1])
                    or _ESCAPE_BEFORE.search(hay[max(0, i - 6):i]) is not None)
        ok_end = not last_an or j == len(hay) or not _alnum(hay[j])
        if ok_start and ok_end:
            out.append((i, j))
        i = hay.find(needle, i + 1)
    return out


def split_lines(data):
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def merge(spans):
    spans = sorted(spans)
    out = []
    for a, b in spans:
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1][1] = b
        else:
            out.append([a, b])
    return out


def covered(merged, a, b):
    """Every byte of [a, b) is inside the union <merged>."""
    pos = a
    for x, y in merged:
        if y <= pos:
            continue
        if x > pos:
            return False
        pos = y
        if pos >= b:
            return True
    return pos >= b


def touched(merged, a, b):
    for x, y in merged:
        if x < b and a < y:
            return True
    return False


def run_veil(veil, fmt, path, extra, timeout):
    fd, findings_path = tempfile.mkstemp(prefix="veil-accuracy-", suffix=".jsonl")
    os.close(fd)
    cmd = [veil, "scan", "--format", fmt, "--action", "label",
           "--findings", findings_path] + extra + [path]
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout, check=False)
        elapsed = time.monotonic() - t0
        with open(findings_path, "rb") as f:
            findings_raw = f.read()
    finally:
        os.unlink(findings_path)
    return proc, findings_raw, elapsed


def parse_findings(raw, line_starts, lines, problems, fname):
    """Findings grouped by 0-based line index: list of (start, end, detector)
    in line-relative byte offsets."""
    by_line = {}
    n = 0
    for k, text in enumerate(raw.split(b"\n")):
        if not text.strip():
            continue
        try:
            f = json.loads(text)
            line = int(f["line"])
            col = int(f["column"])
            length = int(f["length"])
            det = str(f["detector"])
        except (ValueError, KeyError, TypeError):
            problems.append("%s: findings line %d is not a valid finding" % (fname, k + 1))
            continue
        n += 1
        idx = line - 1
        if idx < 0 or idx >= len(lines) or col < 0 or length <= 0 \
                or col + length > len(lines[idx]):
            problems.append("%s: finding %d (%s) lies outside line %d" % (fname, n, det, line))
            continue
        if "offset" in f and int(f["offset"]) != line_starts[idx] + col:
            problems.append("%s: finding %d (%s) offset does not match line %d column %d"
                            % (fname, n, det, line, col))
        by_line.setdefault(idx, []).append((col, col + length, det))
    return by_line, n


def pct(x):
    return "%6.2f%%" % (100.0 * x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--veil", required=True, help="path to the veil executable")
    ap.add_argument("--data", required=True, help="corpus directory (tests/data/accuracy)")
    ap.add_argument("--json", help="write the metrics as JSON to this file")
    ap.add_argument("--min-confidence", choices=("low", "medium", "high"),
                    help="passed to veil scan (default: veil's own default)")
    ap.add_argument("--timeout", type=float, default=240.0,
                    help="seconds allowed per veil run")
    args = ap.parse_args()

    labels = {}
    with open(os.path.join(args.data, "labels.jsonl"), "rb") as f:
        for raw in f:
            if raw.strip():
                rec = json.loads(raw)
                labels.setdefault(rec["file"], {})[rec["line"] - 1] = rec

    extra = []
    if args.min_confidence:
        extra += ["--min-confidence", args.min_confidence]

    recall = {}       # type -> [labeled, detected, typed]
    recall_by_file = {}
    negs = {}         # kind -> [labeled, touched]
    neg_touched_by = {}
    clean = [0, 0]    # lines, changed
    clean_changed_by_file = {}
    clean_detectors = {}
    misses = []       # (file, line, type, what)
    problems = []
    findings_total = 0
    findings_by_detector = {}
    seconds = {}
    bytes_total = 0

    for fname, fmt in FILES:
        path = os.path.join(args.data, fname)
        with open(path, "rb") as f:
            data = f.read()
        bytes_total += len(data)
        lines = split_lines(data)
        line_starts = []
        pos = 0
        for ln in lines:
            line_starts.append(pos)
            pos += len(ln) + 1

        try:
            proc, findings_raw, elapsed = run_veil(args.veil, fmt, path, extra, args.timeout)
        except subprocess.TimeoutExpired:
            problems.append("%s: veil scan timed out after %.0fs" % (fname, args.timeout))
            continue
        except OSError as e:
            problems.append("%s: cannot run veil: %s" % (fname, e.strerror))
            continue
        seconds[fname] = round(elapsed, 3)
        if proc.returncode not in (0, 1):
            problems.append("%s: veil scan exited with status %d" % (fname, proc.returncode))
            err = proc.stderr.decode("utf-8", "replace").splitlines()
            for e in err[:20]:
                print("  veil: %s" % e, file=sys.stderr)
            continue

        out_lines = split_lines(proc.stdout)
        if len(out_lines) != len(lines):
            problems.append("%s: %d output lines for %d input lines"
                            % (fname, len(out_lines), len(lines)))

        by_line, n = parse_findings(findings_raw, line_starts, lines, problems, fname)
        findings_total += n
        for fl in by_line.values():
            for _, _, det in fl:
                findings_by_detector[det] = findings_by_detector.get(det, 0) + 1

        for idx, line in enumerate(lines):
            rec = labels.get(fname, {}).get(idx)
            if rec is None:
                problems.append("%s:%d has no label" % (fname, idx + 1))
                continue
            fl = by_line.get(idx, [])
            union = merge([(a, b) for a, b, _ in fl])
            kind = rec["kind"]

            if kind == "clean":
                clean[0] += 1
                changed = idx >= len(out_lines) or out_lines[idx] != line
                if changed:
                    clean[1] += 1
                    clean_changed_by_file[fname] = clean_changed_by_file.get(fname, 0) + 1
                    misses.append((fname, idx + 1, "clean", "changed"))
                    for _, _, det in fl:
                        clean_detectors[det] = clean_detectors.get(det, 0) + 1
                continue

            values = []
            for v in rec["values"]:
                occ = occurrences(line, v["value"].encode("utf-8"))
                if not occ:
                    problems.append("%s:%d: a %s label is not in the line (corpus bug)"
                                    % (fname, idx + 1, v["type"]))
                    continue
                values.append((v, occ))
            pii_spans = [s for v, occ in values if not v.get("neg") for s in occ]

            for v, occ in values:
                t = v["type"]
                if v.get("neg") or kind == "negative":
                    st = negs.setdefault(t, [0, 0])
                    st[0] += 1
                    hit = [d for a, b, d in fl if any(a < y and x < b for x, y in occ)]
                    if hit:
                        st[1] += 1
                        misses.append((fname, idx + 1, t, "touched"))
                        by = neg_touched_by.setdefault(t, {})
                        for d in set(hit):
                            by[d] = by.get(d, 0) + 1
                    continue
                # Occurrences nested inside another PII value are covered by it.
                own = [(a, b) for a, b in occ
                       if not any(c <= a and b <= d and (d - c) > (b - a) for c, d in pii_spans)]
                st = recall.setdefault(t, [0, 0, 0])
                sf = recall_by_file.setdefault(t, {}).setdefault(fname, [0, 0])
                st[0] += 1
                sf[0] += 1
                if all(covered(union, a, b) for a, b in own):
                    st[1] += 1
                    sf[1] += 1
                else:
                    misses.append((fname, idx + 1, t, "missed"))
                typed = merge([(a, b) for a, b, d in fl if d == t])
                if all(covered(typed, a, b) for a, b in own):
                    st[2] += 1

    # ------------------------------------------------------------ report
    checks = []

    def check(name, value, op, limit):
        ok = value is not None and (value >= limit if op == ">=" else
                                    value <= limit if op == "<=" else value == limit)
        checks.append({"name": name, "value": value, "op": op, "limit": limit, "ok": ok})

    print("veil accuracy on %s (%d bytes, %d findings)" % (args.data, bytes_total, findings_total))
    print("")
    print("%-18s %8s %8s %8s   %8s" % ("PII type", "labeled", "detected", "recall", "typed"))
    for t in sorted(recall, key=lambda k: (k not in RECALL_TYPES, k)):
        lab, det, typ = recall[t]
        print("%-18s %8d %8d  %s  %s%s" % (t, lab, det, pct(det / lab), pct(typ / lab),
                                           "  *" if t in RECALL_TYPES else ""))
    for t in RECALL_TYPES:
        if t in recall:
            lab, det, _ = recall[t]
            check("recall." + t, round(det / lab, 4), ">=", RECALL_MIN)
        else:
            check("recall." + t, None, ">=", RECALL_MIN)

    print("")
    print("%-18s %8s %8s %8s" % ("negative kind", "labeled", "touched", "rate"))
    nl = nt = 0
    for t in sorted(negs):
        lab, tch = negs[t]
        nl += lab
        nt += tch
        print("%-18s %8d %8d  %s" % (t, lab, tch, pct(tch / lab)))
    print("%-18s %8d %8d  %s" % ("all negatives", nl, nt, pct(nt / nl) if nl else "   n/a"))
    check("negatives.touched", round(nt / nl, 4) if nl else None, "<=", NEG_TOUCHED_MAX)
    cf = negs.get("checksum_fail", [0, 0])
    check("negatives.checksum_fail.touched", cf[1] if cf[0] else None, "==", 0)

    print("")
    print("%-18s %8d %8d  %s" % ("clean lines", clean[0], clean[1],
                                 pct(clean[1] / clean[0]) if clean[0] else "   n/a"))
    check("clean.changed", round(clean[1] / clean[0], 4) if clean[0] else None,
          "<=", CLEAN_CHANGED_MAX)
    check("harness.problems", len(problems), "==", 0)

    if seconds:
        print("")
        print("veil scan time: " + ", ".join("%s %.2fs" % kv for kv in seconds.items()))

    for p in problems[:MAX_MISSES_SHOWN]:
        print("problem: " + p, file=sys.stderr)
    if len(problems) > MAX_MISSES_SHOWN:
        print("problem: ... %d more" % (len(problems) - MAX_MISSES_SHOWN), file=sys.stderr)

    failed = [c for c in checks if not c["ok"]]
    if failed:
        print("")
        shown = [m for m in misses if m[3] == "missed" and m[2] in RECALL_TYPES]
        shown += [m for m in misses if m[2] == "checksum_fail"]
        shown += [m for m in misses if m not in shown]
        print("misses (file:line:type, first %d of %d):" % (min(len(shown), MAX_MISSES_SHOWN), len(shown)))
        for m in shown[:MAX_MISSES_SHOWN]:
            print("  %s:%d:%s %s" % m)

    print("")
    for c in checks:
        print("%s %-34s %s %s %s" % ("ok  " if c["ok"] else "FAIL", c["name"],
                                     "n/a" if c["value"] is None else c["value"], c["op"], c["limit"]))
    print("accuracy: %d passed, %d failed" % (len(checks) - len(failed), len(failed)))

    if args.json:
        metrics = {
            "corpus": {"bytes": bytes_total, "lines": sum(len(v) for v in labels.values())},
            "findings": findings_total,
            "findings_by_detector": findings_by_detector,
            "recall": {t: {"labeled": v[0], "detected": v[1], "recall": round(v[1] / v[0], 4),
                           "typed": v[2], "typed_recall": round(v[2] / v[0], 4),
                           "by_file": {f: {"labeled": x[0], "detected": x[1]}
                                       for f, x in recall_by_file.get(t, {}).items()}}
                       for t, v in recall.items()},
            "negatives": {t: {"labeled": v[0], "touched": v[1], "touched_by": neg_touched_by.get(t, {})}
                          for t, v in negs.items()},
            "negatives_total": {"labeled": nl, "touched": nt, "rate": round(nt / nl, 4) if nl else None},
            "clean": {"lines": clean[0], "changed": clean[1],
                      "rate": round(clean[1] / clean[0], 4) if clean[0] else None,
                      "changed_by_file": clean_changed_by_file, "detectors_on_changed": clean_detectors},
            "seconds": seconds,
            "checks": checks,
            "problems": problems,
            "misses": ["%s:%d:%s:%s" % m for m in misses],
        }
        with open(args.json, "w") as f:
            json.dump(metrics, f, indent=1, sort_keys=True)
            f.write("\n")

    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
