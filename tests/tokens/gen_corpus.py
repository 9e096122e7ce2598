#!/usr/bin/env python3
"""A second corpus for the token round trip, written from the formats'
specifications (not from veil's code): card numbers by ISO/IEC 7812
(issuer prefixes, lengths 13-19, Luhn check digit), IBANs by ISO 13616
(per-country length, MOD 97-10 check digits), SSNs by the SSA's rules
(area not 000, 666 or 9xx; group and serial not zero), e-mail addresses
by RFC 5322 (atext local parts, dotted domains), phone numbers in E.164
and NANP forms. The values sit in text, JSON Lines and form bodies, as
they are written: spaced and dashed, JSON-escaped (\\u0040), percent-
encoded (%40, + for space), bare JSON numbers, multi-line PEM blocks,
next to look-alikes (Luhn-invalid 16-digit numbers, IBANs with wrong
check digits, strings that look like tokens). Seeded: the same files
every run.

    gen_corpus.py OUTDIR
"""
import json
import os
import random
import sys
import urllib.parse

rng = random.Random(20240612)

def luhn_digit(body):
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)

def luhn_sum(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return total % 10

ISSUERS = [("4", 16), ("4", 13), ("4", 19), ("51", 16), ("55", 16), ("2221", 16),
           ("34", 15), ("37", 15), ("6011", 16), ("65", 16), ("3528", 16), ("36", 14)]

def card():
    prefix, n = rng.choice(ISSUERS)
    body = prefix + "".join(rng.choice("0123456789") for _ in range(n - len(prefix) - 1))
    return body + luhn_digit(body)

def spaced(num, sep):
    if len(num) == 15:
        return num[:4] + sep + num[4:10] + sep + num[10:]
    return sep.join(num[i:i + 4] for i in range(0, len(num), 4))

def lookalike_card():
    # 16 digits, a card prefix, Luhn sum not zero (some have sum 1: the
    # sum an FPE token of slot 1 has).
    while True:
        d = "4" + "".join(rng.choice("0123456789") for _ in range(15))
        if luhn_sum(d) != 0:
            return d

# ISO 13616: country, BBAN shape (n digits, a upper letters, c alnum).
IBAN_SHAPES = {"DE": "8n10n", "GB": "4a6n8n", "FR": "5n5n11n2n", "ES": "4n4n2n10n",
               "NL": "4a10n", "BE": "3n7n2n", "IT": "1a5n5n12n", "AT": "5n11n",
               "CH": "5n12n", "PL": "8n16n", "NO": "4n6n1n", "SE": "3n16n1n",
               "PT": "4n4n11n2n", "IE": "4a6n8n", "DK": "4n9n1n", "FI": "3n11n"}

def shape_chars(shape):
    out, num = [], ""
    for ch in shape:
        if ch.isdigit():
            num += ch
        else:
            alphabet = {"n": "0123456789", "a": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                        "c": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}[ch]
            out += [rng.choice(alphabet) for _ in range(int(num))]
            num = ""
    return "".join(out)

def mod97(s):
    r = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in r)) % 97

def iban(valid=True):
    cc = rng.choice(sorted(IBAN_SHAPES))
    bban = shape_chars(IBAN_SHAPES[cc])
    check = 98 - mod97(cc + "00" + bban)
    if not valid:
        check = (check + rng.randint(1, 90)) % 97 + 2
    s = "%s%02d%s" % (cc, check, bban)
    return s

def paper(s):
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))

def ssn():
    while True:
        area = rng.randint(1, 899)
        if area != 666:
            break
    return "%03d-%02d-%04d" % (area, rng.randint(1, 99), rng.randint(1, 9999))

ATEXT = "abcdefghijklmnopqrstuvwxyz0123456789"
def email():
    words = ["".join(rng.choice(ATEXT) for _ in range(rng.randint(2, 9)))
             for _ in range(rng.randint(1, 3))]
    local = rng.choice([".", "_", "-"]).join(words)
    if rng.random() < 0.2:
        local += "+" + rng.choice(["news", "billing", "x1"])
    if rng.random() < 0.2:
        local = local.capitalize()
    domain = rng.choice(["example.com", "example.org", "mail.example.net", "corp.example.co.uk"])
    return local + "@" + domain

def phone():
    kind = rng.randint(0, 3)
    a, b, c = rng.randint(201, 989), rng.randint(200, 999), rng.randint(0, 9999)
    if kind == 0:
        return "+1 %d %d %04d" % (a, b, c)
    if kind == 1:
        return "(%d) %d-%04d" % (a, b, c)
    if kind == 2:
        return "+44 20 7946 %04d" % c
    return "+49 30 %d%04d" % (b, c)

PEM = ("-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
       "KUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm\n-----END RSA PRIVATE KEY-----")

def text_line():
    k = rng.randint(0, 9)
    if k == 0:
        return "Charge card %s for order %d." % (spaced(card(), rng.choice([" ", "-"])), rng.randint(1000, 99999))
    if k == 1:
        return "Refund to IBAN %s, ref %s" % (paper(iban()), lookalike_card())
    if k == 2:
        return "SSN %s on file; contact %s or %s" % (ssn(), email(), phone())
    if k == 3:
        return "tracking %s and invoice %s (not cards)" % (lookalike_card(), iban(False))
    if k == 4:
        return "mailto:%s?subject=hi, cc <%s>" % (email(), email())
    if k == 5:
        return "key follows\n" + PEM
    if k == 6:
        return "looks like a token: tok-k1-email-%s and tok-zz-x-%s" % (
            "".join(rng.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(28)),
            "".join(rng.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(40)))
    if k == 7:
        return "db postgres://app:%s@db.internal:5432/main" % "".join(rng.choice(ATEXT) for _ in range(12))
    if k == 8:
        return "no personal data here, build %d.%d.%d ok" % (rng.randint(1, 9), rng.randint(0, 20), rng.randint(0, 99))
    return "call %s, card %s" % (phone(), card())

def json_line():
    k = rng.randint(0, 5)
    if k == 0:
        doc = {"card_number": spaced(card(), " "), "exp": "12/29", "email": email()}
    elif k == 1:
        doc = {"iban": paper(iban()), "name": "Account", "amount": rng.randint(1, 9999)}
    elif k == 2:
        doc = {"ssn": ssn(), "phone": phone(), "note": "call %s" % phone()}
    elif k == 3:
        doc = {"pan": int(card()), "order": int(lookalike_card())}
    elif k == 4:
        doc = {"message": "Write to %s, card %s" % (email(), card()), "ok": True}
    else:
        doc = {"contact": {"email": email(), "iban": iban()}, "tags": ["a", "b"]}
    s = json.dumps(doc, ensure_ascii=rng.random() < 0.5)
    if rng.random() < 0.3:
        s = s.replace("@", "\\u0040")
    return s

def form_line():
    k = rng.randint(0, 3)
    if k == 0:
        pairs = [("card_number", card()), ("cvc", "123"), ("email", email())]
    elif k == 1:
        pairs = [("iban", paper(iban())), ("holder", "A B")]
    elif k == 2:
        pairs = [("phone", phone()), ("ssn", ssn()), ("msg", "card %s" % card())]
    else:
        pairs = [("q", "order %s" % lookalike_card()), ("page", "2")]
    if rng.random() < 0.5:
        return urllib.parse.urlencode(pairs)
    return "&".join("%s=%s" % (a, b.replace(" ", "+")) for a, b in pairs)

def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, fn, n in (("spec.txt", text_line, 600), ("spec.jsonl", json_line, 600),
                        ("spec-form.txt", form_line, 400)):
        with open(os.path.join(out, name), "w", encoding="utf-8", newline="") as fh:
            for _ in range(n):
                fh.write(fn() + "\n")

if __name__ == "__main__":
    main()
