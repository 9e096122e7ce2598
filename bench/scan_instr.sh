#!/bin/sh
# bench/scan_instr.sh: instructions of whole `veil scan` processes, counted
# by callgrind, for two or more veil binaries on the same files, and each
# binary's ratio to the first. Run by hand, not in CI:
#
#   bench/scan_instr.sh [-f text|json] FILE NAME=VEIL [NAME=VEIL ...]
#   bench/scan_instr.sh -b [-f text|json] FILE NAME=BENCH_SCAN ...
#
# -b: the binaries are bench_scan builds, and only their scan is counted
# (bench_scan's veil_run, three passes over FILE: the warm-up and the timed
# run in chunks, and the run in one feed; no process start, no corpus
# loading, no engine compile), per byte of FILE too (three passes' worth). The avx2 kernels (VEIL_SIMD=avx2): valgrind has no
# AVX-512.
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
bench=0
while getopts bf: o; do
    case $o in
    b) bench=1 ;;
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
    if [ "$bench" = 1 ]; then
        VEIL_SIMD=avx2 valgrind --tool=callgrind --toggle-collect='veil_run*' \
            --callgrind-out-file="$tmp/cg" "$veil" --corpus "$file" --format "$fmt" \
            --only veil --runs 1 --cpu -1 >/dev/null 2>"$tmp/err" ||
            { cat "$tmp/err" >&2; exit 1; }
    else
        valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$veil" scan --format "$fmt" \
            --findings /dev/null "$file" >/dev/null 2>"$tmp/err" ||
            { cat "$tmp/err" >&2; exit 1; }
    fi
    ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$tmp/cg")
    [ -n "$first" ] || first=$ir
    awk -v n="$name" -v ir="$ir" -v f="$first" -v fmt="$fmt" -v sz="$(wc -c < "$file")" \
        'BEGIN { printf "%-12s %-5s %14d instructions  %.3fx  %8.3f a byte\n", n, fmt, ir,
                 ir / f, ir / sz }'
done
