#!/bin/sh
# veil with --max-body-size 0 appended (flags may come in any order), for
# the test_proxy.py cases that stream bodies larger than the 10m default.
# VEIL_REAL is the veil executable.
exec "$VEIL_REAL" "$@" --max-body-size 0
