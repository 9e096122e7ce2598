#!/bin/sh
# bench/json_ratio.sh: veil's JSON walk, inspecting, against simdjson
# parsing the same files (bench/simdjson_parse.cpp), one after the other
# on the same pinned core, in one script. Run by hand, not in CI:
#
#   bench/json_ratio.sh BENCH_SCAN FILE...
#   CPU=1 RUNS=5 bench/json_ratio.sh build-rel/bench/bench_scan /tmp/api.json
#
# FILE: JSON documents, one after another or one a line (bench_scan
# --records json|api --dump FILE writes them). simdjson's DOM parse finds
# every token and unescapes every string, and nothing else: the ratio is
# what inspecting costs over the fastest complete parse. A file simdjson
# rejects (a log line among the documents) gets no baseline.
#
# Needs g++ and libsimdjson-dev (tools/deps.sh bench); simdjson picks its
# kernels at run time (the implementation column).
set -eu
[ $# -ge 2 ] || { echo "usage: bench/json_ratio.sh BENCH_SCAN FILE..." >&2; exit 2; }
bench=$1
shift
CPU=${CPU:-1}
RUNS=${RUNS:-5}
[ -x "$bench" ] || { echo "bench: no bench_scan at $bench" >&2; exit 2; }
command -v g++ >/dev/null 2>&1 || { echo "bench: g++ not found (tools/deps.sh bench)" >&2; exit 2; }
[ -f /usr/include/simdjson.h ] ||
    { echo "bench: libsimdjson-dev not installed (tools/deps.sh bench)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
g++ -std=c++17 -O3 -o "$tmp/simdjson_parse" "$(dirname "$0")/simdjson_parse.cpp" -lsimdjson

printf '%-32s %10s %14s %9s  %s\n' file "veil MB/s" "simdjson MB/s" ratio implementation
for f in "$@"; do
    v=$("$bench" --corpus "$f" --format json --only veil --runs "$RUNS" --cpu "$CPU" 2>/dev/null |
        sed -n 's/.*veil_mbps=\([0-9.]*\).*/\1/p')
    out=$(taskset -c "$CPU" "$tmp/simdjson_parse" "$f" "$RUNS" 2>/dev/null) || out=""
    s=$(printf '%s\n' "$out" | sed -n 's/.*simdjson_mbps=\([0-9.]*\).*/\1/p')
    impl=$(printf '%s\n' "$out" | sed -n 's/.*implementation=\([a-z0-9_]*\).*/\1/p')
    if [ -n "$s" ]; then
        r=$(awk -v v="$v" -v s="$s" 'BEGIN { printf "%.3f", v / s }')
    else
        s="(not JSON)"
        r="-"
    fi
    printf '%-32s %10s %14s %9s  %s\n' "$(basename "$f")" "$v" "$s" "$r" "$impl"
done
