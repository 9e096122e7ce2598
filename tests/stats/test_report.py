"""The transparency report (`veil report`) over a known /stats document.

usage: test_report.py VEIL STATS_SAMPLE ARTIFACT_DIR [case]

Cases:
  formats   exact numbers in the JSON and Markdown outputs, HTML escaping,
            no external resource or script in the HTML
  chromium  the HTML opened in headless Chromium: every chart is in the
            DOM, no console message (a control page proves that a blocked
            external load is seen), screenshot kept in ARTIFACT_DIR
Exit 77 (skipped) when chromium is not installed.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

VEIL, SAMPLE, ART = sys.argv[1], sys.argv[2], sys.argv[3]
CASE = sys.argv[4] if len(sys.argv) > 4 else "formats"

CHARTS = ["by_category", "by_regulation", "by_detector", "by_route_direction",
          "by_location", "actions", "not_inspected", "rejected", "blocked",
          "upstream_errors"]


class Failure(Exception):
    pass


def eq(got, want, what):
    if got != want:
        raise Failure("%s:\n  got:  %r\n  want: %r" % (what, got, want))


def check(cond, what):
    if not cond:
        raise Failure(what)


def report(doc_path, fmt):
    return subprocess.run([VEIL, "report", "--from", doc_path, "--format", fmt],
                          check=True, capture_output=True).stdout.decode()


def sample(tmp):
    path = os.path.join(tmp, "stats.json")
    with open(path, "wb") as f:
        f.write(subprocess.run([SAMPLE, "json"], check=True,
                               capture_output=True).stdout)
    return path


def case_formats(tmp):
    doc = sample(tmp)
    j = json.loads(report(doc, "json"))
    eq(j["totals"], {"requests": 40, "findings": 64, "inspected_bytes": 777777,
                     "not_inspected": 3, "rejected": 3, "blocked": 2,
                     "upstream_errors": 1}, "totals")
    eq(j["by_category"], {"contact": 42, "financial": 9, "network": 9,
                          "government_id": 4}, "by_category")
    eq(j["by_detector"], {"email": 42, "credit_card": 9, "ipv4": 9,
                          "us_ssn": 4}, "by_detector")
    # email: gdpr,ccpa,hipaa; credit_card: ccpa,pci_dss,glba;
    # us_ssn: gdpr,ccpa,hipaa,glba; ipv4: gdpr.
    eq(j["by_regulation"], {"GDPR": 55, "CCPA": 55, "HIPAA": 46, "GLBA": 13,
                            "PCI DSS": 9}, "by_regulation")
    eq(j["actions"], {"observe": 51, "mask": 7, "hash": 4, "block": 2}, "actions")
    eq(j["by_location"], {"response body": 34, "request body": 19,
                          "request headers": 9, "request query": 2},
       "by_location")
    eq(j["by_route_direction"], {"default \u00b7 response": 30,
                                 "default \u00b7 request": 12,
                                 "odd \"route\"\\ \u00b7 request": 9,
                                 "payments \u00b7 request": 9,
                                 "payments \u00b7 response": 4},
       "by_route_direction")
    eq(j["not_inspected"], {"binary (response)": 1, "encoding (request)": 1,
                            "over_limit (response)": 1}, "not_inspected")
    eq(j["rejected"], {"bare_lf": 1, "cl_te_conflict": 1, "header_timeout": 1},
       "rejected")
    eq(j["blocked"], {"payments \u00b7 financial": 2}, "blocked")
    eq(j["upstream_errors"], {"upstream_unavailable": 1}, "upstream_errors")
    eq(j["category_regulations"]["financial"],
       {"findings": 9, "gdpr": 0, "ccpa": 9, "pci_dss": 9, "hipaa": 0,
        "glba": 9}, "financial row")
    eq(j["config"], {"id": "sha256:5f1c9a", "loaded_at": 1795000000.0}, "config")

    # Standard input gives the same report as the file.
    with open(doc, "rb") as f:
        r = subprocess.run([VEIL, "report", "--from", "-", "--format", "json"],
                           stdin=f, check=True, capture_output=True)
    eq(json.loads(r.stdout), j, "report from standard input")
    # -o writes the file and nothing to standard output.
    out = os.path.join(tmp, "r.md")
    r = subprocess.run([VEIL, "report", "--from", doc, "--format", "md", "-o", out],
                       check=True, capture_output=True)
    eq(r.stdout, b"", "stdout with -o")
    with open(out) as f:
        eq(f.read(), report(doc, "md"), "-o content")

    md = report(doc, "md")
    for line in ["| contact | 42 | 42 | 42 | - | 42 | - |",
                 "| financial | 9 | - | 9 | 9 | - | 9 |",
                 "| government_id | 4 | 4 | 4 | - | 4 | 4 |",
                 "| odd \"route\"\\ \u00b7 request | 9 |",
                 "- Requests: 40", "- Findings: 64",
                 "- Configuration: sha256:5f1c9a, loaded 2026-11-18 11:06:40 UTC"]:
        check(line in md.splitlines(), "markdown line missing: " + line)

    html = report(doc, "html")
    # Self-contained: no script, no external reference of any kind; the
    # only URL is the SVG namespace.
    for bad in ["<script", "<link", "src=", "url(", "@import", "<iframe",
                "<object", "<img"]:
        check(bad not in html.lower(), "HTML contains " + bad)
    urls = set(re.findall(r"https?://[^\"' )]+", html))
    eq(urls, {"http://www.w3.org/2000/svg"}, "URLs in the HTML")
    eq(len(re.findall(r"<svg class=\"chart\"", html)), len(CHARTS), "charts")
    for c in CHARTS:
        check('id="chart-%s"' % c in html, "chart %s missing" % c)
    check("odd &quot;route&quot;\\ \u00b7 request" in html, "route not escaped")
    check("odd \"route\"" not in html, "raw quote in HTML")
    check("sha256:5f1c9a" in html, "config id missing")
    # Bad inputs are refused with a reason, not rendered.
    bad = os.path.join(tmp, "bad.json")
    with open(bad, "w") as f:
        f.write('{"format": 2, "totals": {}}')
    r = subprocess.run([VEIL, "report", "--from", bad], capture_output=True)
    eq(r.returncode, 1, "exit status for format 2")
    eq(r.stderr.decode(), "veil report: not a veil /stats document (format 1)\n",
       "error for format 2")
    with open(bad, "w") as f:
        f.write('{"format": 1, "totals": {"requests": 1}')
    r = subprocess.run([VEIL, "report", "--from", bad], capture_output=True)
    eq(r.stderr.decode(), "veil report: invalid JSON near byte 39\n",
       "error for truncated JSON")


def chromium(url, tmp, extra):
    ud = tempfile.mkdtemp(dir=tmp)
    args = ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--user-data-dir=" + ud,
            "--enable-logging=stderr", "--v=0"] + extra + [url]
    r = subprocess.run(args, capture_output=True, timeout=90)
    console = [l for l in r.stderr.decode(errors="replace").splitlines()
               if ":CONSOLE" in l or "Uncaught" in l]
    return r.returncode, r.stdout.decode(errors="replace"), console


def case_chromium(tmp):
    if shutil.which("chromium") is None:
        print("SKIP: chromium not found (apt-get install chromium)")
        sys.exit(77)
    doc = sample(tmp)
    page = os.path.join(tmp, "report.html")
    subprocess.run([VEIL, "report", "--from", doc, "-o", page], check=True)

    # Control: the same policy, one external image; the check must see it.
    control = os.path.join(tmp, "control.html")
    with open(control, "w") as f:
        f.write('<!DOCTYPE html><html><head><meta charset="utf-8">'
                '<meta http-equiv="Content-Security-Policy" content='
                '"default-src \'none\'; img-src data:"></head><body>'
                '<img src="http://203.0.113.1/x.png"></body></html>')
    _, _, console = chromium("file://" + control, tmp, ["--dump-dom"])
    check(len(console) >= 1, "the control page's console error was not seen")

    rc, dom, console = chromium("file://" + page, tmp, ["--dump-dom"])
    eq(rc, 0, "chromium exit status")
    eq(console, [], "console messages")
    eq(len(re.findall(r"<svg class=\"chart\"", dom)), len(CHARTS),
       "SVG charts in the DOM")
    for c in CHARTS:
        check('id="chart-%s"' % c in dom, "chart %s not in the DOM" % c)
    eq(len(re.findall(r"<rect ", dom)), 4 + 5 + 4 + 5 + 4 + 4 + 3 + 3 + 1 + 1,
       "bars in the DOM")
    check("<title>veil transparency report</title>" in dom, "title")

    os.makedirs(ART, exist_ok=True)
    shot = os.path.join(ART, "report.png")
    if os.path.exists(shot):
        os.unlink(shot)
    rc, _, console = chromium("file://" + page, tmp,
                              ["--window-size=1280,2300",
                               "--screenshot=" + shot])
    eq(rc, 0, "chromium screenshot exit status")
    eq(console, [], "console messages (screenshot)")
    with open(shot, "rb") as f:
        png = f.read()
    check(png[:8] == b"\x89PNG\r\n\x1a\n", "screenshot is a PNG")
    check(len(png) > 50000, "screenshot too small: %d bytes" % len(png))
    print("screenshot: %s (%d bytes)" % (shot, len(png)))


def main():
    tmp = tempfile.mkdtemp(prefix="veil-report-")
    try:
        {"formats": case_formats, "chromium": case_chromium}[CASE](tmp)
    except Failure as e:
        print("FAIL %s: %s" % (CASE, e))
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("ok %s" % CASE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
