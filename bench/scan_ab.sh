#!/bin/sh
# bench/scan_ab.sh: CPU seconds of `veil scan` for two or more veil
# binaries on the same files, interleaved run by run, best of N each.
# Run by hand on a quiet machine, not in CI:
#
#   bench/scan_ab.sh [-n RUNS] [-f text|json] FILE NAME=VEIL [NAME=VEIL ...]
#
# Prints, per binary, the best user+sys CPU seconds of RUNS runs, MB/s of
# CPU time, and the ratio of each binary's time to the first's. The
# findings and the redacted copy go to /dev/null: what is timed is the
# whole process, as a user runs it.
set -eu
runs=5
fmt=text
while getopts n:f: o; do
    case $o in
    n) runs=$OPTARG ;;
    f) fmt=$OPTARG ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
file=$1
shift
bytes=$(wc -c <"$file")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
while [ "$i" -lt "$runs" ]; do
    for nv in "$@"; do
        name=${nv%%=*}
        veil=${nv#*=}
        /usr/bin/time -f "%U %S" -o "$tmp/t" "$veil" scan --format "$fmt" \
            --findings /dev/null "$file" >/dev/null
        awk '{ printf "%.3f\n", $1 + $2 }' "$tmp/t" >>"$tmp/$name"
    done
    i=$((i + 1))
done
first=""
for nv in "$@"; do
    name=${nv%%=*}
    best=$(sort -n "$tmp/$name" | head -1)
    [ -n "$first" ] || first=$best
    awk -v n="$name" -v b="$best" -v f="$first" -v by="$bytes" -v fmt="$fmt" 'BEGIN {
        printf "%-10s %-5s %7.3f s  %6.1f MB/s  %.3fx\n", n, fmt, b, by / b / 1e6, b / f }'
done
