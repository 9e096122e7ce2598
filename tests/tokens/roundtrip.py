#!/usr/bin/env python3
"""The token round trip through the real binary, on tests/data/accuracy
and on a second corpus written from the formats' specifications
(gen_corpus.py):

  - veil tokenize then veil detokenize gives every file back byte for
    byte, with exactly one output line per input line each way;
  - tokenizing the tokenized text again changes nothing;
  - every value veil scan still finds as a core type (cards, IBANs, SSNs,
    e-mail addresses, phones) in the tokenized text is a token: a tagged
    token, an FPE card that fails Luhn, an FPE IBAN whose remainder is not
    1, an FPE e-mail address with its +vt tag;
  - a wrong key restores nothing (exit 1, the text unchanged, the audit
    line counts the refusals); a key file others may read is refused
    (exit 2); the audit line carries counts, never a value or a token.

    roundtrip.py VEIL ACCURACY_DIR WORK_DIR
"""
import json
import os
import re
import subprocess
import sys

veil, accuracy, work = sys.argv[1], sys.argv[2], sys.argv[3]
here = os.path.dirname(os.path.abspath(__file__))
failures = 0
passed = 0

def check(cond, what):
    global failures, passed
    if cond:
        passed += 1
    else:
        failures += 1
        print("FAIL " + what)

def run(args, data=None):
    p = subprocess.run([veil] + args, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr

os.makedirs(work, exist_ok=True)
key = os.path.join(work, "k1.key")
wrong = os.path.join(work, "wrong.key")
for path, seed in ((key, b"\x01"), (wrong, b"\x02")):
    with open(path, "wb") as fh:
        fh.write((seed * 32))
    os.chmod(path, 0o600)
subprocess.run([sys.executable, os.path.join(here, "gen_corpus.py"), work], check=True)

corpora = [(os.path.join(accuracy, "text.txt"), "text"),
           (os.path.join(accuracy, "json.jsonl"), "json"),
           (os.path.join(accuracy, "form.txt"), "form"),
           (os.path.join(work, "spec.txt"), "text"),
           (os.path.join(work, "spec.jsonl"), "json"),
           (os.path.join(work, "spec-form.txt"), "form")]

TAGGED = re.compile(rb'^"?tok-[a-z0-9_]{1,24}-[a-z0-9_]{1,64}-[a-z2-7]{28,}"?$')
CORE = {"credit_card", "iban", "us_ssn", "email", "phone"}

def luhn_sum(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return total % 10

def iban_mod97(s):
    s = re.sub(r"[ +]", "", s)
    r = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in r)) % 97

def is_token(det, value):
    if TAGGED.match(value):
        return True
    v = value.decode("utf-8", "replace").strip('"')
    if det == "credit_card":
        digits = re.sub(r"[^0-9]", "", v)
        return 13 <= len(digits) <= 19 and luhn_sum(digits) != 0
    if det == "iban" and re.fullmatch(r"[A-Z0-9 +]+", v):
        return iban_mod97(v) != 1
    if det == "email":
        return re.search(r"(\+|%2B)vt[1-9](@|%40|\\u0040)", v) is not None
    return False

B32 = "abcdefghijklmnopqrstuvwxyz234567"

def lookalikes(text):
    """Words of the input that are tokens by the grammar and not this
    key's: under another key id (refused as unknown_key), or under k1
    with a canonical payload (refused as forged)."""
    unknown = forged = 0
    for m in re.finditer(rb"(?<![A-Za-z0-9_-])tok-([a-z0-9_]{1,24})-[a-z0-9_]{1,64}-([a-z2-7]+)"
                         rb"(?![A-Za-z0-9_-])", text):
        payload = m.group(2).decode()
        if len(payload) < 28 or len(payload) % 8 not in (0, 2, 4, 5, 7):
            continue
        if m.group(1) != b"k1":
            unknown += 1
            continue
        bits = len(payload) * 5 % 8
        if bits == 0 or B32.index(payload[-1]) & ((1 << bits) - 1) == 0:
            forged += 1
    return unknown, forged

total_lines = total_tokens = 0
for path, fmt in corpora:
    name = os.path.basename(path)
    with open(path, "rb") as fh:
        original = fh.read()
    rc, tokenized, err = run(["tokenize", "--key-file", key, "--format", fmt, "--stats", path])
    check(rc == 0, "%s: tokenize exit %d: %s" % (name, rc, err[-300:]))
    stats = json.loads(err.decode().strip().splitlines()[-1])
    issued = sum(e["count"] for e in stats["issued"])
    total_tokens += issued
    check(issued > 50, "%s: only %d tokens issued" % (name, issued))
    check(tokenized.count(b"\n") == original.count(b"\n"),
          "%s: %d lines in, %d out" % (name, original.count(b"\n"), tokenized.count(b"\n")))
    tok_path = os.path.join(work, name + ".tok")
    with open(tok_path, "wb") as fh:
        fh.write(tokenized)

    # Back, byte for byte; the audit line counts and names no value.
    rc, back, err = run(["detokenize", "--key-file", key, "--format", fmt,
                         "--reason", "round trip test", tok_path])
    # Look-alikes under other key ids stay in the text and are refused by
    # name; those under k1 fail authentication, unless the engine took
    # them for a value (a secret) and tokenized them: not more than the
    # input held.
    unknown, _ = lookalikes(tokenized)
    _, forged = lookalikes(original)
    check(rc == (1 if unknown + forged else 0),
          "%s: detokenize exit %d: %s" % (name, rc, err[-300:]))
    check(back == original, "%s: detokenize did not give the input back" % name)
    if back != original:
        a, b = original.splitlines(), back.splitlines()
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                print("  first difference, line %d:\n  in:  %r\n  out: %r" % (i + 1, x[:300], y[:300]))
                break
    audit = json.loads(err.decode().strip().splitlines()[-1])
    restored = sum(e["count"] for e in audit["restored"])
    refused = {}
    for e in audit["refused"]:
        refused[e["outcome"]] = refused.get(e["outcome"], 0) + e["count"]
    check(audit["event"] == "veil.detokenize" and audit["reason"] == "round trip test" and
          refused.get("unknown_key", 0) == unknown and refused.get("forged", 0) <= forged and
          restored == issued,
          "%s: audit line %r (issued %d, look-alikes %d unknown, %d forged)"
          % (name, audit, issued, unknown, forged))
    check(b"tok-" not in err and b"@" not in err.replace(b"\"@timestamp\"", b""),
          "%s: the audit line holds a token or an address" % name)
    total_lines += original.count(b"\n")

    # Tokenizing twice changes nothing.
    rc, twice, err = run(["tokenize", "--key-file", key, "--format", fmt, tok_path])
    check(rc == 0 and twice == tokenized, "%s: tokenizing twice changed the text" % name)

    # What veil scan still finds as a core type is a token.
    find_path = os.path.join(work, name + ".findings")
    rc, _, err = run(["scan", "--format", fmt, "--findings", find_path, tok_path])
    check(rc == 0, "%s: scan exit %d" % (name, rc))
    bad = []
    with open(find_path) as fh:
        for line in fh:
            f = json.loads(line)
            if f["detector"] not in CORE:
                continue
            value = tokenized[f["offset"]:f["offset"] + f["length"]]
            if not is_token(f["detector"], value):
                bad.append((f["detector"], f["line"], value[:80]))
    check(not bad, "%s: %d core findings in the tokenized text are not tokens, e.g. %r"
          % (name, len(bad), bad[:3]))

# A wrong key restores nothing and says so; a readable key file is refused.
tok_path = os.path.join(work, "spec.txt.tok")
with open(tok_path, "rb") as fh:
    tokenized = fh.read()
rc, out, err = run(["detokenize", "--key-file", wrong, "--reason", "wrong key", tok_path])
check(rc == 1 and out == tokenized, "wrong key: exit %d, text %s" % (rc, "same" if out == tokenized else "changed"))
check(b"left as they were" in err, "wrong key: no message: %r" % err[-200:])
audit = json.loads(err.decode().strip().splitlines()[-1])
check(audit["restored"] == [] and
      sum(e["count"] for e in audit["refused"] if e["outcome"] == "forged") > 50,
      "wrong key: audit %r" % audit)
# 0644: others may read it (0640 is taken when root owns the file, as a
# Kubernetes Secret volume lays it out: include/veil/secret_file.h).
os.chmod(key, 0o644)
rc, out, err = run(["detokenize", "--key-file", key, "--reason", "x", tok_path])
check(rc == 2 and out == b"" and b"group or others" in err, "readable key: exit %d %r" % (rc, err))
os.chmod(key, 0o400)
rc, out, err = run(["detokenize", "--key-file", key, tok_path])
check(rc == 2 and b"--reason is required" in err, "no reason: exit %d" % rc)

print("%d lines, %d tokens round-tripped over %d corpora" % (total_lines, total_tokens, len(corpora)))
print("%d passed, %d failed" % (passed, failures))
sys.exit(1 if failures else 0)
