#!/bin/sh
# Scores veil on the held-out seed B of the independent accuracy corpus.
# Seed B is generated here, into a temporary directory, and never
# committed. Its figures are for BENCHMARKS.md only: nothing in veil is
# tuned on them (tests/data/accuracy2/README.md).
#
#   tests/accuracy2/seed_b.sh build/veil [--examples 5 ...]
set -eu
veil=${1:?usage: seed_b.sh PATH-TO-VEIL [score.py options]}
shift
here=$(cd "$(dirname "$0")" && pwd)
gen=$here/../data/accuracy2/gen
out=$(mktemp -d "${TMPDIR:-/tmp}/veil-seed-b.XXXXXX")
trap 'rm -rf "$out"' EXIT INT TERM
if [ ! -d "$gen/node_modules/@faker-js/faker" ]; then
  (cd "$gen" && npm ci --no-audit --no-fund >/dev/null)
fi
node "$gen/generate.mjs" --seed B --out "$out"
node "$gen/verify.mjs" "$out"
python3 "$here/score.py" --veil "$veil" --data "$out" --label "seed B" "$@"
