#!/bin/sh
# tools/pgo.sh BUILD_DIR [CMAKE_ARGS...]: a profile-guided build of veil
# (GCC). First an instrumented build of the engine and its training
# program in BUILD_DIR-pgo-gen, whose run (bench/pgo_train.c: scans and
# redactions of generated traffic, text and JSON, seed 2) writes the
# profiles; then BUILD_DIR built from them, with CMAKE_ARGS. Measured on
# the benchmark corpora (seed 1, BENCHMARKS.md): the engine 9-12% faster
# on text. `make build PGO=1` and the container image use it.
set -eu

build=${1:?usage: tools/pgo.sh BUILD_DIR [CMAKE_ARGS...]}
shift
here=$(cd "$(dirname "$0")/.." && pwd)
case $build in /*) ;; *) build=$PWD/$build ;; esac
gen=$build-pgo-gen
profiles=$gen/profiles
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
# Both stages at the same optimisation level (Release unless CMAKE_ARGS
# name another), so that the code profiled is the code built.
type=Release
for a in "$@"; do
    case $a in -DCMAKE_BUILD_TYPE=*) type=${a#-DCMAKE_BUILD_TYPE=} ;; esac
done

cmake -S "$here" -B "$gen" -DCMAKE_BUILD_TYPE="$type" -DVEIL_BUILD_TESTS=OFF \
    -DVEIL_BUILD_BENCH=OFF -DVEIL_PGO=generate -DVEIL_PGO_DIR="$profiles" >/dev/null
cmake --build "$gen" -j "$jobs" --target pgo_train
# Profiles of an earlier run would add to this one's counts.
rm -rf "$profiles"
"$gen/pgo_train"
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE="$type" -DVEIL_PGO=use \
    -DVEIL_PGO_DIR="$profiles" "$@" >/dev/null
cmake --build "$build" -j "$jobs"
