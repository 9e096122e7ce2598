#!/bin/sh
# Every C file the repository tracks is as clang-format 14 writes it under
# the repository's .clang-format (issue 11: applied once, checked in CI).
# A file that differs is named with the first lines of its difference;
# `tools/format.sh` rewrites them.
# Usage: check_format.sh <source dir> [clang-format binary]
set -u

src=$1
cf=${2:-clang-format-14}
command -v "$cf" >/dev/null 2>&1 || { echo "check_format: $cf not found" >&2; exit 1; }
cd "$src" || exit 1
[ -f .clang-format ] || { echo "check_format: no .clang-format in $src" >&2; exit 1; }

bad=0
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*')
for f in $files; do
    if ! "$cf" --style=file "$f" | cmp -s - "$f"; then
        echo "check_format: $f is not formatted:" >&2
        "$cf" --style=file "$f" | diff -u "$f" - | sed -n '3,14p' >&2
        bad=$((bad + 1))
    fi
done
n=$(echo "$files" | wc -w)
if [ "$bad" -ne 0 ]; then
    echo "check_format: $bad of $n files differ (tools/format.sh fixes them)" >&2
    exit 1
fi
echo "check_format: $n files formatted"
