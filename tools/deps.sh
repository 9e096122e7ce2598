#!/bin/sh
# Installs the Debian packages veil needs that this machine lacks.
# Usage: tools/deps.sh [build|test|bench|fuzz|soak]...  (default: build)
# Only what is missing is installed, so a machine that has everything
# (or has no network) goes straight on.
set -eu

want="cmake make gcc pkg-config libuv1-dev libpcre2-dev node-llhttp libssl-dev libyaml-dev zlib1g-dev"
for set in "${@:-build}"; do
    case "$set" in
    build) ;;
    test)  want="$want python3 python3-yaml curl prometheus chromium wrk openssl groff-base man-db systemd
                clang-format-14" ;;
    bench) want="$want libhyperscan-dev libsimdjson-dev g++ wrk nginx curl python3" ;;
    fuzz)  want="$want clang libclang-rt-14-dev" ;;
    soak)  want="$want nginx python3" ;;
    *) echo "deps.sh: unknown set '$set'" >&2; exit 2 ;;
    esac
done

missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
        || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps.sh: installing:$missing" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq || true
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
