#!/usr/bin/env bash
# run-fuzzers.sh BUILD_DIR SECONDS: runs every *_fuzz binary in BUILD_DIR/bin
# for SECONDS each, seeded from tests/fuzz/corpus/<name> when present.
# Fails on the first crash or sanitizer report.
set -euo pipefail
build_dir=$1
seconds=$2
shopt -s nullglob
for fuzzer in "$build_dir"/bin/*_fuzz; do
  name=$(basename "$fuzzer")
  work=$(mktemp -d)
  seeds=()
  [ -d "tests/fuzz/corpus/$name" ] && seeds=("tests/fuzz/corpus/$name")
  echo "fuzzing $name for ${seconds}s"
  "$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 "$work" "${seeds[@]}" 2>&1 | tail -n 5
  status=${PIPESTATUS[0]}
  rm -rf "$work"
  if [ "$status" -ne 0 ]; then echo "$name failed"; exit 1; fi
done
