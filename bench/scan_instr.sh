#!/bin/sh
# bench/scan_instr.sh: instructions of whole `veil scan` processes, counted
# by callgrind, for two or more veil binaries on the same files, and each
# binary's ratio to the first. Run by hand, not in CI:
#
#   bench/scan_instr.sh [-f text|json] FILE NAME=VEIL [NAME=VEIL ...]
#
# Why: MB/s (bench_scan, bench/scan_ab.sh) moves by 20% on a shared 2-core
# machine; the instructions a process executes do not depend on what else
# runs, so two builds compare within a fraction of a percent whatever the
# load. They leave out the cache and branch behaviour that MB/s shows, so
# they complement a quiet machine's timings, never replace them. Inputs:
# `bench_scan --dump FILE` (a corpus the same seed always gives), 2 MiB is
# enough. The counts include the process's start (about 12M instructions:
# the dynamic loader, the engine's PCRE2 JIT compile), the same for every
# binary of one source.
set -eu
fmt=text
while getopts f: o; do
    case $o in
    f) fmt=$OPTARG ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
file=$1
shift
command -v valgrind >/dev/null 2>&1 || { echo "scan_instr: valgrind not found" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
first=""
for nv in "$@"; do
    name=${nv%%=*}
    veil=${nv#*=}
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$veil" scan --format "$fmt" \
        --findings /dev/null "$file" >/dev/null 2>"$tmp/err" ||
        { cat "$tmp/err" >&2; exit 1; }
    ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$tmp/cg")
    [ -n "$first" ] || first=$ir
    awk -v n="$name" -v ir="$ir" -v f="$first" -v fmt="$fmt" \
        'BEGIN { printf "%-12s %-5s %14d instructions  %.3fx\n", n, fmt, ir, ir / f }'
done
