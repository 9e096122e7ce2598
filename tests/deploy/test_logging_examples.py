"""The log shipper examples in deploy/logging/ (Vector, Fluent Bit, the
OpenTelemetry Collector): each file is loaded (YAML with PyYAML, Fluent
Bit's classic format with the parser below) and the settings that decide
whether veil's records arrive whole are checked against a real record of
a real `veil run` longer than a container runtime's 16 KiB line.

The CRI log line format ("<RFC 3339 time> <stream> <P|F> <content>",
partial lines tagged P and the last part F) is written here from the
Kubernetes CRI logging design (kubelet, "CRI container log format"), not
from any shipper's code.

usage: test_logging_examples.py VEIL SOURCE_DIR [test_name ...]
"""
import fnmatch
import json
import os
import re
import subprocess
import sys
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import Env, check, eq, run  # noqa: E402

SRC = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "..")
LOGGING = os.path.join(SRC, "deploy", "logging")
SOCKET = "/run/veil/access.sock"   # the path docs/deploying.md uses

# A runtime's split: containerd and CRI-O write at most 16 KiB of content
# per line; Docker's json-file escapes the content, at most 6 bytes per
# byte (\u00XX), plus its fields.
CRI_MAX_CONTENT = 16 * 1024
CRI_PREFIX = len("2025-03-01T10:00:00.123456789Z stdout P ")
RAW_LINE_MAX = 6 * CRI_MAX_CONTENT + 100

# Pod log paths of a container named veil, and of its neighbour.
POD_LOG = "/var/log/pods/shop_orders-api-7d9f5_0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e/veil/0.log"
POD_LOG_OTHER = "/var/log/pods/shop_orders-api-7d9f5_0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e/api/0.log"
CONTAINER_LINK = "/var/log/containers/orders-api-7d9f5_shop_veil-0123456789abcdef.log"
CONTAINER_LINK_OTHER = "/var/log/containers/orders-api-7d9f5_shop_api-0123456789abcdef.log"


def veil_default(veil, key):
    """A setting's default, from `veil check --dump` (the settings table)."""
    out = subprocess.run([veil, "check", "--dump"], capture_output=True, check=True).stdout
    doc = yaml.safe_load(out)
    section, name = key.split(".")
    return doc[section][name]


def size(text, unit=1024):
    """64k, 1M, 128KiB, 8MiB (unit: what k means; Fluent Bit's is 1000)."""
    if isinstance(text, int):
        return text
    m = re.fullmatch(r"(\d+)\s*([kKmMgG]?)(i?[bB])?", str(text).replace("_", ""))
    check(m is not None, "a size: %r" % text)
    mult = {"": 1, "k": unit, "m": unit ** 2, "g": unit ** 3}[m.group(2).lower()]
    if m.group(3) and m.group(3).lower() == "ib":
        mult = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}[m.group(2).lower()]
    return int(m.group(1)) * mult


_record = {}


def long_record(veil):
    """One real access-log record of more than 16 KiB: a JSON body with
    personal data, echoed by the upstream, logged redacted both ways."""
    if "line" in _record:
        return _record["line"]
    env = Env(veil)
    try:
        body = json.dumps({"items": [{"email": "user%d@example.com" % i,
                                      "note": "x" * 200} for i in range(100)]})
        path = os.path.join(env.tmp, "body.json")
        with open(path, "w") as f:
            f.write(body)
        out, _, rc = env.curl("-o", "/dev/null", "-w", "%{http_code}", "-H",
                              "Content-Type: application/json", "--data-binary", "@" + path,
                              "{base}/echo")
        eq((out, rc), (b"200", 0), "the request")
        recs = env.log(1)
        raw = env.log_raw()
    finally:
        env.stop()
        env.cleanup()
    line = raw.split(b"\n")[0]
    check(len(line) > 2 * CRI_MAX_CONTENT, "the record is longer than two CRI lines: %d"
          % len(line))
    check("user0@example.com" not in line.decode(), "the record is redacted")
    _record["line"] = line
    _record["parsed"] = recs[0]
    return line


def cri_lines(record, stream="stdout"):
    """The record as a CRI runtime writes it: 16 KiB parts, P then F."""
    parts = [record[i:i + CRI_MAX_CONTENT] for i in range(0, len(record), CRI_MAX_CONTENT)]
    out = []
    for i, p in enumerate(parts):
        tag = b"F" if i == len(parts) - 1 else b"P"
        out.append(b"2025-03-01T10:00:00.%09dZ %s %s %s" % (i, stream.encode(), tag, p))
    return out


def cri_merge(lines):
    """Joins CRI partial lines into the lines they were cut from."""
    merged, cur = [], b""
    for ln in lines:
        _time, _stream, tag, content = ln.split(b" ", 3)
        cur += content
        if tag == b"F":
            merged.append(cur)
            cur = b""
    return merged


# --- Fluent Bit's classic format ---------------------------------------

def parse_fluent_bit(path):
    """[SECTION] headers and 'Key Value' lines (indented), '#' comments,
    @INCLUDE files; keys are case-insensitive. Returns [(section, {key:
    value})] in file order."""
    sections = []
    with open(path) as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            if s.startswith("@INCLUDE"):
                sections += parse_fluent_bit(os.path.join(os.path.dirname(path), s.split()[1]))
                continue
            m = re.fullmatch(r"\[([A-Z_]+)\]", s)
            if m:
                sections.append((m.group(1), {}))
                continue
            check(line[:1] in (" ", "\t"), "%s:%d: an entry is indented" % (path, n))
            check(sections, "%s:%d: an entry outside a section" % (path, n))
            parts = s.split(None, 1)
            check(len(parts) == 2, "%s:%d: 'Key Value'" % (path, n))
            key = parts[0].lower()
            check(key not in sections[-1][1], "%s:%d: %s given twice" % (path, n, key))
            sections[-1][1][key] = parts[1].strip()
    return sections


def fb_time_ok(fmt, stamp):
    """Fluent Bit's %L is the fraction of a second."""
    time.strptime(stamp.split(".")[0] + "Z", fmt.replace(".%L", ""))
    return re.fullmatch(r"\d{3}Z", stamp.split(".")[1]) is not None


def test_fluent_bit(veil):
    conf = parse_fluent_bit(os.path.join(LOGGING, "fluent-bit.conf"))
    service = [s for n, s in conf if n == "SERVICE"]
    eq(len(service), 1, "one [SERVICE]")
    parsers = parse_fluent_bit(os.path.join(LOGGING, service[0]["parsers_file"]))
    by_name = {s["name"]: s for n, s in parsers if n == "PARSER"}
    inputs = [s for n, s in conf if n == "INPUT"]
    filters = [s for n, s in conf if n == "FILTER"]
    outputs = [s for n, s in conf if n == "OUTPUT"]
    record = long_record(veil)
    max_record = size(veil_default(veil, "access_log.max_record_size"))

    tail = [s for s in inputs if s["name"] == "tail"]
    eq(len(tail), 1, "one tail input")
    tail = tail[0]
    eq([p.strip() for p in tail["multiline.parser"].split(",")], ["docker", "cri"],
       "the runtimes' partial lines are joined")
    check(fnmatch.fnmatch(CONTAINER_LINK, tail["path"]), "Path takes veil's container log")
    check(not fnmatch.fnmatch(CONTAINER_LINK_OTHER, tail["path"]), "and no other container")
    raw = max(len(l) for l in cri_lines(record))
    check(raw <= CRI_PREFIX + CRI_MAX_CONTENT, "a CRI line is at most 16 KiB plus its prefix")
    check(size(tail["buffer_max_size"], 1000) >= RAW_LINE_MAX,
          "Buffer_Max_Size holds the longest raw line")
    check(size(tail["buffer_chunk_size"], 1000) <= size(tail["buffer_max_size"], 1000),
          "chunk <= max")

    sock = [s for s in inputs if s["name"] == "syslog"]
    eq(len(sock), 1, "one socket input")
    sock = sock[0]
    eq((sock["mode"], sock["path"]), ("unix_tcp", SOCKET), "the socket veil writes to")
    check(size(sock["buffer_max_size"], 1000) >= max_record,
          "Buffer_Max_Size >= access_log.max_record_size")
    eq(sock["parser"], "veil_json", "the socket's records are parsed as JSON")

    p = by_name["veil_json"]
    eq((p["format"], p["time_key"], p["time_keep"]), ("json", "@timestamp", "On"),
       "the parser")
    check(fb_time_ok(p["time_format"], _record["parsed"]["@timestamp"]),
          "Time_Format reads veil's @timestamp")

    parser_filters = [f for f in filters if f["name"] == "parser"]
    eq([(f["match"], f["key_name"], f["parser"]) for f in parser_filters],
       [("veil.pod.*", "log", "veil_json")], "the joined 'log' key is parsed")
    check(tail["tag"] == "veil.pod.*", "the filters match the tail input's tag")
    eq([(f["regex"]) for f in filters if f["name"] == "grep"], ["stream ^stdout$"],
       "stderr's operational lines are left out")
    check(all(fnmatch.fnmatch("veil.socket", o["match"]) and
              fnmatch.fnmatch("veil.pod.x", o["match"]) for o in outputs),
          "the outputs take both inputs")

    # The joined record is the record: parsed, it is veil's.
    joined = cri_merge(cri_lines(record))
    eq(len(joined), 1, "one record after joining")
    eq(json.loads(joined[0]), _record["parsed"], "the joined record parses as veil's")


def test_vector(veil):
    with open(os.path.join(LOGGING, "vector.yaml")) as f:
        doc = yaml.safe_load(f)
    record = long_record(veil)
    max_record = size(veil_default(veil, "access_log.max_record_size"))
    sources, transforms, sinks = doc["sources"], doc["transforms"], doc["sinks"]

    pods = [s for s in sources.values() if s["type"] == "kubernetes_logs"]
    eq(len(pods), 1, "one kubernetes_logs source")
    eq(pods[0]["auto_partial_merge"], True, "partial lines are joined")
    check(pods[0]["max_line_bytes"] >= RAW_LINE_MAX, "max_line_bytes holds a raw line")

    sock = [s for s in sources.values() if s["type"] == "socket"]
    eq(len(sock), 1, "one socket source")
    sock = sock[0]
    eq((sock["mode"], sock["path"]), ("unix_stream", SOCKET), "the socket veil writes to")
    eq(sock["socket_file_mode"], 0o660, "group-writable socket")
    eq(sock["decoding"], {"codec": "json"}, "JSON records")
    eq(sock["framing"]["method"], "newline_delimited", "one record per line")
    check(sock["framing"]["newline_delimited"]["max_length"] >= max_record,
          "max_length >= access_log.max_record_size")

    # Every input names a source or transform; the sink takes both paths.
    names = set(sources) | set(transforms)
    for name, t in list(transforms.items()) + list(sinks.items()):
        for i in t["inputs"]:
            check(i in names, "%s: input %s exists" % (name, i))
    flt = [t for t in transforms.values() if t["type"] == "filter"]
    eq(len(flt), 1, "one filter")
    check('.kubernetes.container_name == "veil"' in flt[0]["condition"] and
          '.stream == "stdout"' in flt[0]["condition"], "veil's stdout only")
    remap = [t for t in transforms.values() if t["type"] == "remap"]
    check(len(remap) == 1 and "parse_json(.message)" in remap[0]["source"],
          "the merged message is parsed as JSON")

    def reaches_sink(name):
        for s in sinks.values():
            if name in s["inputs"]:
                return True
        return any(name in t["inputs"] and reaches_sink(k) for k, t in transforms.items())
    for name in sources:
        check(reaches_sink(name), "source %s reaches a sink" % name)
    check(len(record) <= sock["framing"]["newline_delimited"]["max_length"],
          "a long record fits the socket's max_length")


def test_otel_collector(veil):
    with open(os.path.join(LOGGING, "otel-collector.yaml")) as f:
        doc = yaml.safe_load(f)
    record = long_record(veil)
    recv = doc["receivers"]["filelog/veil"]
    check(any(fnmatch.fnmatch(POD_LOG, g) for g in recv["include"]), "include takes veil's log")
    check(not any(fnmatch.fnmatch(POD_LOG_OTHER, g) for g in recv["include"]),
          "and no other container's")
    eq(recv["include_file_path"], True, "the path is kept for the container operator")
    check(size(recv["max_log_size"]) >= RAW_LINE_MAX, "max_log_size holds a raw line")

    ops = recv["operators"]
    eq(ops[0]["type"], "container", "the runtime's format first (joins CRI partial lines)")
    check(size(ops[0]["max_log_size"]) >= 4 * 1024 * 1024 + 8 * 64 * 1024,
          "the joined record's limit holds veil's largest record")
    check(size(ops[0]["max_log_size"]) >= len(record), "and this one")
    eq([o["type"] for o in ops], ["container", "filter", "json_parser"], "operators")
    eq(ops[1]["expr"], 'attributes["log.iostream"] != "stdout"', "stderr left out")
    jp = ops[2]
    eq((jp["parse_from"], jp["parse_to"]), ("body", "body"), "the record becomes the body")
    ts = jp["timestamp"]
    eq((ts["parse_from"], ts["layout_type"], ts["location"]),
       ('body["@timestamp"]', "strptime", "UTC"), "timestamp")
    # stanza's %L is milliseconds: Python's %f reads three digits too.
    time.strptime(_record["parsed"]["@timestamp"], ts["layout"].replace("%L", "%f"))

    pipe = doc["service"]["pipelines"]["logs/veil"]
    eq(pipe["receivers"], ["filelog/veil"], "the pipeline's receiver")
    for e in pipe["exporters"]:
        check(e in doc["exporters"], "exporter %s is defined" % e)


def test_cri_split_round_trip(veil):
    """The test data itself: a long record, cut as a runtime cuts it and
    joined by the P/F tags, is the record again, byte for byte."""
    record = long_record(veil)
    lines = cri_lines(record)
    check(len(lines) >= 3, "three or more parts: %d" % len(lines))
    check(all(l.split(b" ")[2] == b"P" for l in lines[:-1]) and
          lines[-1].split(b" ")[2] == b"F", "P ... F")
    eq(cri_merge(lines), [record], "joined")


TESTS = [test_fluent_bit, test_vector, test_otel_collector, test_cri_split_round_trip]

if __name__ == "__main__":
    sys.exit(run(TESTS, [sys.argv[0], sys.argv[1]] + sys.argv[3:]))
