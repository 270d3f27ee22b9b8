#!/bin/sh
# total.sh FILE - sum the per-suite totals that run.sh and fuzz/run.sh wrote
# (lines "SUITE PASSED FAILED SKIPPED") and print the closing line of make test.
awk '{ printf "  %-14s %d passed, %d failed, %d skipped\n", $1, $2, $3, $4; p += $2; f += $3; s += $4 }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s; exit (f > 0) }' "$1"
