#!/bin/sh
# promtool check metrics over a sample of every metric family.
# Exit 77 (ctest: skipped) when promtool is not installed (Debian: prometheus).
set -eu
SAMPLE=$1
if ! command -v promtool >/dev/null 2>&1; then
    echo "SKIP: promtool not found (apt-get install prometheus)"
    exit 77
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$SAMPLE" metrics > "$tmp"
# promtool prints lint problems and exits non-zero on any.
promtool check metrics < "$tmp"
echo "promtool: $(grep -c '^veil_' "$tmp") series OK"
