#!/usr/bin/env python3
"""CLI tests for `veil scan` and `veil detectors`.

Usage: run.py PATH_TO_VEIL

Each case runs the real binary on files written to a temporary directory
and checks exact bytes: one output line per input line (no trailing
newline, CRLF, a 5 MB line, NUL bytes, invalid UTF-8), the --findings JSON
lines and that they never contain a matched value, stdin, several files,
--format json on JSON Lines, the actions, and the exit codes.
"""
import json
import os
import subprocess
import sys
import tempfile

VEIL = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "veil"
failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)


def run(args, stdin=b"", env=None):
    p = subprocess.run([VEIL] + args, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120, env=env)
    return p.returncode, p.stdout, p.stderr


def lines_of(data):
    """Lines as the tool counts them: a last line without '\\n' counts."""
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


class Dir:
    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="veil-cli-")

    def write(self, name, data):
        path = os.path.join(self.tmp.name, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def read(self, name):
        with open(os.path.join(self.tmp.name, name), "rb") as f:
            return f.read()

    def path(self, name):
        return os.path.join(self.tmp.name, name)


D = Dir()

FIELDS = ["file", "detector", "category", "confidence", "line", "column",
          "offset", "length", "action"]


def findings(path):
    out = []
    with open(path, "rb") as f:
        for raw in f.read().splitlines():
            out.append(json.loads(raw))
    return out


def scan_file(name, data, extra=()):
    """Runs veil scan on one file; returns (rc, stdout, findings, raw
    findings bytes)."""
    path = D.write(name, data)
    fpath = D.path(name + ".findings")
    rc, out, err = run(["scan", "--findings", fpath] + list(extra) + [path])
    fs = findings(fpath)
    raw = D.read(name + ".findings")
    for f in fs:
        # the finding points at the value, and the value is nowhere in
        # the findings file nor on stderr
        value = data[f["offset"]:f["offset"] + f["length"]]
        check(len(value) == f["length"], "%s: finding inside the file" % name)
        if len(value) >= 6:
            check(value not in raw and value not in err,
                  "%s: value of a %s finding leaked" % (name, f["detector"]))
    return rc, out, fs, raw, err


def test_line_for_line():
    data = (b"contact jane.doe+news@example.com now\n"
            b"no pii here\n"
            b"\n"
            b"card 4111 1111 1111 1111 exp\n"
            b"SSN 536-22-8901")
    rc, out, fs, raw, err = scan_file("basic.txt", data)
    check(rc == 0, "basic: exit 0 (got %d, %r)" % (rc, err))
    check(out == (b"contact ****.***+****@*******.*** now\n"
                  b"no pii here\n"
                  b"\n"
                  b"card **** **** **** 1111 exp\n"
                  b"SSN ***-**-****"),
          "basic: exact output, no newline added after the last line: %r" % out)
    check(lines_of(out) == lines_of(data), "basic: line count")
    check([(f["detector"], f["line"], f["column"], f["offset"], f["length"])
           for f in fs] ==
          [("email", 1, 8, 8, 25), ("credit_card", 4, 5, 56, 19),
           ("us_ssn", 5, 4, 84, 11)],
          "basic: findings %r" % fs)
    for f in fs:
        check(sorted(f.keys()) == sorted(FIELDS), "findings fields: %r" % f)
        check(f["file"] == D.path("basic.txt"), "findings file name: %r" % f)
        check(f["action"] == "mask", "findings action")
    check(fs[0]["category"] == "contact" and fs[1]["category"] == "financial" and
          fs[2]["category"] == "government_id", "findings categories")
    check(fs[0]["confidence"] == "high", "findings confidence")
    for value in (b"jane.doe", b"example.com", b"4111", b"536-22-8901", b"8901"):
        check(value not in raw, "findings never contain the value %r" % value)


def test_crlf_and_odd_bytes():
    data = (b"a jane@example.com\r\n"
            b"b\x00c 4111111111111111\r\n"
            b"\xff\xfe\xc3( invalid utf-8 jane@example.com\n"
            b"\r\n"
            b"last line without newline \x00")
    rc, out, fs, raw, err = scan_file("odd.txt", data)
    check(rc == 0, "odd bytes: exit 0 (%d %r)" % (rc, err))
    check(out == (b"a ****@*******.***\r\n"
                  b"b\x00c ************1111\r\n"
                  b"\xff\xfe\xc3( invalid utf-8 ****@*******.***\n"
                  b"\r\n"
                  b"last line without newline \x00"),
          "odd bytes: exact output %r" % out)
    check([(f["detector"], f["line"], f["column"]) for f in fs] ==
          [("email", 1, 2), ("credit_card", 2, 4), ("email", 3, 19)],
          "odd bytes: findings %r" % fs)


def test_long_line():
    # A 5 MB line with sparse PII, then two short lines.
    chunk = b"lorem ipsum dolor sit amet " * 4
    parts = []
    size = 0
    k = 0
    while size < 5 * 1024 * 1024:
        piece = chunk + (b"mail jane%d@example.com " % k if k % 50 == 0 else b"")
        parts.append(piece)
        size += len(piece)
        k += 1
    line = b"".join(parts)
    data = line + b"\nshort jane@example.com\nend"
    rc, out, fs, raw, err = scan_file("long.txt", data)
    check(rc == 0, "long line: exit 0 (%d %r)" % (rc, err[:200]))
    check(len(out) == len(data), "long line: mask keeps the length")
    check(lines_of(out) == 3, "long line: 3 lines out")
    emails = sum(1 for p in parts if b"@" in p)
    check(len(fs) == emails + 1, "long line: %d findings, got %d" % (emails + 1, len(fs)))
    check(b"@example.com" not in out.replace(b"@*******.***", b""),
          "long line: no address left")
    check(all(f["line"] == 1 for f in fs[:-1]) and fs[-1]["line"] == 2,
          "long line: line numbers")


def test_stdin_and_multiple_files():
    rc, out, err = run(["scan"], stdin=b"jane@example.com\nok\n")
    check(rc == 0 and out == b"****@*******.***\nok\n", "stdin: %r" % out)
    rc, out, err = run(["scan", "--findings", "-"], stdin=b"x 203.0.113.42\n")
    check(rc == 0 and out == b"x ***.*.***.**\n", "stdin findings to stderr: out")
    f = [json.loads(l) for l in err.splitlines() if l.startswith(b"{")]
    check(len(f) == 1 and f[0]["file"] == "-" and f[0]["detector"] == "ipv4",
          "stdin findings: %r" % err)
    a = D.write("a.txt", b"one jane@example.com\ntwo")
    b = D.write("b.txt", b"three SSN 536-22-8901\n")
    fpath = D.path("ab.findings")
    rc, out, err = run(["scan", "--findings", fpath, a, b])
    check(rc == 0, "two files: exit 0")
    # each file keeps its own lines: the first one's last line is ended so
    # the second starts on a line of its own
    check(out in (b"one ****@*******.***\ntwo\nthree SSN ***-**-****\n",
                  b"one ****@*******.***\ntwothree SSN ***-**-****\n"),
          "two files: output %r" % out)
    check(lines_of(out) in (3, 2), "two files: lines")
    fs = findings(fpath)
    check([(x["file"], x["detector"], x["line"]) for x in fs] ==
          [(a, "email", 1), (b, "us_ssn", 1)], "two files: findings %r" % fs)
    check(fs[1]["offset"] == 10, "second file's offsets start at 0: %r" % fs[1])


def test_json_lines():
    data = (b'{"user":{"email":"jane@example.com","name":"Jane Doe"},"n":1}\n'
            b'{"ssn":536228901,"note":"card 4111 1111 1111 1111"}\n'
            b'not json jane@example.com\n'
            b'{"x":"john\\u0040example.com"}\n')
    rc, out, fs, raw, err = scan_file("body.jsonl", data, ["--format", "json"])
    check(rc == 0, "jsonl: exit 0")
    check(out == (b'{"user":{"email":"****@*******.***","name":"**** ***"},"n":1}\n'
                  b'{"ssn":"*********","note":"card **** **** **** 1111"}\n'
                  b'not json ****@*******.***\n'
                  b'{"x":"*****************.***"}\n'),
          "jsonl: exact output %r" % out)
    # A line that is not JSON is text, and the next line is JSON again: the
    # escaped address of line 4 is decoded (JSON Lines recovery).
    got = [(f["detector"], f["line"]) for f in fs]
    check(got == [("email", 1), ("person_name", 1), ("us_ssn", 2),
                  ("credit_card", 2), ("email", 3), ("email", 4)],
          "jsonl: findings %r" % got)
    # each valid JSON line stays valid JSON
    for k, line in enumerate(out.splitlines()):
        if k != 2:
            try:
                json.loads(line)
                ok = True
            except ValueError:
                ok = False
            check(ok, "jsonl: line %d stays JSON" % (k + 1))
    # auto: .jsonl is JSON
    rc, out2, fs2, raw2, err = scan_file("auto.jsonl", data)
    check(out2 == out, "jsonl: --format auto picks json for .jsonl")


def test_form_and_actions():
    data = b"email=jane%40example.com&card=4111+1111+1111+1111&q=x\n"
    rc, out, fs, raw, err = scan_file("form.txt", data, ["--format", "form", "--action", "label"])
    check(rc == 0 and out == b"email=[EMAIL]&card=[CREDIT_CARD]&q=x\n", "form label: %r" % out)
    check(all(f["action"] == "label" for f in fs), "form label: action field")
    rc, out, fs, raw, err = scan_file("drop.txt", b"a jane@example.com b\n", ["--action", "drop"])
    check(out == b"a  b\n", "drop: %r" % out)
    env = dict(os.environ, VEIL_CLI_KEY="0123456789abcdef0123")
    path = D.write("hash.txt", b"4111 1111 1111 1111 and 4111111111111111\n")
    rc, out, err = run(["scan", "--action", "hash", "--hash-key-env", "VEIL_CLI_KEY", path],
                       env=env)
    check(rc == 0 and out == b"[CREDIT_CARD:fd7d567acc8853a8] and [CREDIT_CARD:fd7d567acc8853a8]\n",
          "hash: %r" % out)
    key = D.write("key", b"0123456789abcdef0123\n")
    os.chmod(key, 0o644)
    rc, out, err = run(["scan", "--action", "hash", "--hash-key-file", key, path])
    check(rc != 0 and out == b"", "hash key file 0644 refused (rc %d)" % rc)
    check(b"0123456789" not in err, "key never printed")
    os.chmod(key, 0o600)
    rc, out, err = run(["scan", "--action", "hash", "--hash-key-file", key, path])
    check(rc == 0 and out.startswith(b"[CREDIT_CARD:fd7d567acc8853a8]"), "hash key file 0600")
    rc, out, fs, raw, err = scan_file("conf.txt", b"ref 021000021\n", ["--min-confidence", "low"])
    check([f["confidence"] for f in fs] == ["low"] and out == b"ref *********\n",
          "min-confidence low: %r" % fs)
    rc, out, fs, raw, err = scan_file("allow.txt", b"a@example.com b@example.com\n",
                                      ["--allow", "a@example.com"])
    check(out == b"a@example.com *@*******.***\n", "allow: %r" % out)
    rc, out, fs, raw, err = scan_file("dis.txt", b"a@example.com 203.0.113.42\n",
                                      ["--disable", "email"])
    check(out == b"a@example.com ***.*.***.**\n", "disable: %r" % out)
    rc, out, fs, raw, err = scan_file("only.txt", b"a@example.com 203.0.113.42\n",
                                      ["--only", "email"])
    check(out == b"*@*******.*** 203.0.113.42\n", "only: %r" % out)


def test_multipart_and_xml():
    # multipart: the boundary from the first line, a password part redacted
    # whole, a file part replaced by a marker (its line break kept)
    data = (b'--b\r\nContent-Disposition: form-data; name="password"\r\n\r\nhunter2\r\n'
            b'--b\r\nContent-Disposition: form-data; name="f"; filename="a.png"\r\n'
            b'Content-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\nIHDR\r\n--b--\r\n')
    rc, out, fs, raw, err = scan_file("form.multipart", data,
                                      ["--format", "multipart", "--action", "label"])
    check(rc == 0 and out == (b'--b\r\nContent-Disposition: form-data; name="password"\r\n\r\n'
                              b'[SECRET]\r\n'
                              b'--b\r\nContent-Disposition: form-data; name="f"; filename="a.png"\r\n'
                              b'Content-Type: image/png\r\n\r\n[SKIPPED binary part, 12 bytes]\n\n'
                              b'\r\n--b--\r\n'),
          "multipart label: %r" % out)
    check([f["detector"] for f in fs] == ["secret_field"], "multipart findings: %r" % fs)
    # xml, picked by --format auto for .xml: an element and an attribute
    data = b'<login email="jane@example.com"><password>hunter2</password></login>\n'
    rc, out, fs, raw, err = scan_file("login.xml", data, ["--action", "label"])
    check(rc == 0 and out == b'<login email="[EMAIL]"><password>[SECRET]</password></login>\n',
          "xml label: %r" % out)
    check([(f["detector"], f["offset"]) for f in fs] == [("email", 14), ("secret_field", 42)],
          "xml findings: %r" % fs)


def test_errors():
    rc, out, err = run(["scan", "--bogus", "x"])
    check(rc == 2, "unknown option: exit 2 (got %d)" % rc)
    rc, out, err = run(["scan", "--action", "shred"])
    check(rc == 2, "bad action: exit 2 (got %d)" % rc)
    rc, out, err = run(["frobnicate"])
    check(rc == 2, "unknown command: exit 2 (got %d)" % rc)
    rc, out, err = run(["scan", D.path("does-not-exist")])
    check(rc == 1, "missing file: exit 1 (got %d)" % rc)
    rc, out, err = run(["scan", "--help"])
    check(rc == 0 and b"usage: veil scan" in out + err, "scan --help")


def test_detectors():
    rc, out, err = run(["detectors", "--json"])
    check(rc == 0, "detectors --json: exit 0")
    try:
        cat = json.loads(out)
    except ValueError:
        cat = None
    check(isinstance(cat, list), "detectors --json is a JSON list")
    if not isinstance(cat, list):
        return
    ids = [d.get("id") for d in cat]
    check(len(cat) >= 32, "at least 32 detectors (got %d)" % len(cat))
    check(len(set(ids)) == len(ids), "ids unique")
    builtin = ["email", "phone", "credit_card", "iban", "us_bank_routing", "us_ssn", "us_itin",
               "uk_nino", "uk_nhs", "ca_sin", "es_dni", "es_nie", "it_fiscal_code", "fr_nir",
               "nl_bsn", "br_cpf", "in_aadhaar", "cn_resident_id", "ipv4", "ipv6",
               "mac_address", "jwt", "aws_access_key_id", "github_token", "slack_token",
               "stripe_key", "bearer_token", "url_credentials", "private_key",
               "date_of_birth", "person_name", "secret_field"]
    check(ids[:32] == builtin, "the 32 built-in detectors in catalog order: %r" % ids)
    cats = {"contact", "financial", "government_id", "health", "credentials", "network",
            "demographic"}
    for d in cat:
        for field in ("id", "category", "regulations", "validator", "example", "label",
                      "context", "confidence"):
            check(field in d, "detector %s has %s" % (d.get("id"), field))
        check(d.get("category") in cats, "detector %s category %r" % (d.get("id"), d.get("category")))
        check(isinstance(d.get("regulations"), list), "regulations is a list")
        check(d.get("validator") is None or isinstance(d.get("validator"), str), "validator")
    byid = {d["id"]: d for d in cat}
    check(byid["email"]["label"] == "EMAIL" and byid["email"]["validator"] is None, "email row")
    check(byid["credit_card"]["regulations"] == ["ccpa", "pci_dss", "glba"], "card regulations")
    rc, out, err = run(["detectors"])
    rows = [l for l in out.splitlines()[1:] if l.strip()]
    check(rc == 0 and len(rows) == len(cat), "text listing has one row per detector")
    check(out.splitlines()[0].split()[:3] == [b"ID", b"CATEGORY", b"REGULATIONS"], "header row")


def test_names_and_addresses():
    """Person names and a street address in a support message, a CSV
    export and a JSON body, through the binary: exact spans and output,
    and no value in the findings file."""
    data = ("Dear Mrs. Okonkwo,\n"
            "please ship to 742 Evergreen Terrace, Springfield, OR 97475.\n"
            "May I pay by invoice?\n"
            "Best regards,\n"
            "Ingrid Solberg\n").encode()
    rc, out, fs, raw, err = scan_file("letter.txt", data)
    check(rc == 0, "letter: exit 0 (%d %r)" % (rc, err))
    check([(f["detector"], f["line"], f["column"], f["length"]) for f in fs] ==
          [("person_name", 1, 10, 7), ("address", 2, 15, 44), ("person_name", 5, 0, 14)],
          "letter: findings %r" % [(f["detector"], f["line"], f["column"], f["length"]) for f in fs])
    check(out.startswith(b"Dear Mrs. *******,\n") and b"May I pay" in out and
          out.endswith(b"****** *******\n"), "letter: output %r" % out)
    check(fs and fs[0]["category"] == "demographic" and fs[1]["category"] == "contact" and
          fs[0]["confidence"] == "medium", "letter: categories and confidence")
    csv = b"id;Vorname;Nachname;Adresse\n7;Henrike;Albers;Bahnhofstr. 12, 28195 Bremen\n"
    rc, out, fs, raw, err = scan_file("export.csv", csv)
    check(rc == 0 and [(f["detector"], f["line"], f["column"]) for f in fs] ==
          [("person_name", 2, 2), ("person_name", 2, 10), ("address", 2, 17)],
          "csv: findings %r" % fs)
    body = '{"street":"Rue du Lac 5","note":"Grüße, Henrike Albers","ip":"203.0.113.9"}\n'.encode()
    rc, out, fs, raw, err = scan_file("body.jsonl", body, ["--format", "json"])
    check(rc == 0 and [f["detector"] for f in fs] == ["address", "person_name", "ipv4"],
          "json: findings %r" % fs)


def main():
    for t in (test_line_for_line, test_crlf_and_odd_bytes, test_long_line,
              test_stdin_and_multiple_files, test_json_lines, test_form_and_actions,
              test_multipart_and_xml, test_errors, test_detectors,
              test_names_and_addresses):
        t()
    print("%d checks, %d failed" % (checks, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
