#!/bin/sh
# tools/pgo.sh BUILD_DIR [CMAKE_ARGS...]: a profile-guided build of veil
# (GCC). First an instrumented build in BUILD_DIR-pgo-gen, whose training
# runs write the profiles: bench/pgo_train.c (the engine: scans and
# redactions of generated traffic, text and JSON, seed 2) and
# tools/pgo_proxy.py (veil run proxying a local upstream); then BUILD_DIR
# built from them, with CMAKE_ARGS. Measured (BENCHMARKS.md): the engine
# 8-12% faster on the benchmark corpora (seed 1), the proxy a few percent
# less CPU per exchange (3-8% in one noisy measurement). `make build PGO=1`
# and the container image use it.
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
cmake --build "$gen" -j "$jobs" --target pgo_train veil
# Profiles of an earlier run would add to this one's counts.
rm -rf "$profiles"
"$gen/pgo_train"
# The proxy's own code: veil run in front of a local upstream
# (tools/pgo_proxy.py); without Python the engine's profile alone.
if command -v python3 >/dev/null 2>&1; then
    python3 "$here/tools/pgo_proxy.py" "$gen/veil"
else
    echo "pgo.sh: no python3: the proxy's code is built without a profile" >&2
fi
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE="$type" -DVEIL_PGO=use \
    -DVEIL_PGO_DIR="$profiles" "$@" >/dev/null
cmake --build "$build" -j "$jobs"
