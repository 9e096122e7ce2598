#!/bin/sh
# bench/scan_instr.sh: instructions of veil's scan (bench_scan's veil_run,
# counted by callgrind) per byte of a corpus, for one or more bench_scan
# binaries. Run by hand, not in CI:
#
#   bench/scan_instr.sh CORPUS FORMAT NAME=BENCH_SCAN ...
#
# Why: bench_scan's MB/s move by 5% from run to run on a shared 2-core
# machine, more than most single changes to the engine. The instructions
# do not depend on what else runs, so two builds compare within 0.1%.
# They leave out what time also counts (cache misses, mispredicted
# branches), so a change is kept only when the timed runs do not say
# otherwise. VEIL_SIMD=avx2: valgrind has no AVX-512. The count covers
# bench_scan's runs of veil (chunked and whole: about two passes over the
# corpus), not the corpus's loading or the engine's compilation.
set -eu
[ $# -ge 3 ] || { echo "usage: $0 CORPUS FORMAT NAME=BENCH_SCAN ..." >&2; exit 2; }
corpus=$1
format=$2
shift 2
command -v valgrind >/dev/null || { echo "bench: valgrind is not installed" >&2; exit 2; }
size=$(wc -c < "$corpus")
t=$(mktemp -d /tmp/veil-scan-instr.XXXXXX)
trap 'rm -rf "$t"' EXIT INT TERM
for nb in "$@"; do
    name=${nb%%=*}
    bin=${nb#*=}
    VEIL_SIMD=avx2 valgrind --tool=callgrind --toggle-collect='veil_run*' \
        --callgrind-out-file="$t/cg.$name" "$bin" --corpus "$corpus" --format "$format" \
        --only veil --runs 1 --cpu -1 >/dev/null 2>&1
    ir=$(awk '/^totals:/ {print $2; exit}' "$t/cg.$name")
    awk -v n="$name" -v ir="$ir" -v sz="$size" \
        'BEGIN { printf "%-12s %14d instructions  %8.3f a byte\n", n, ir, ir / sz }'
done
