#!/usr/bin/env bash
# run-fuzzers.sh BUILD_DIR TOTAL_SECONDS: runs every *_fuzz binary in
# BUILD_DIR/bin, sharing TOTAL_SECONDS evenly between them (at least 10 s
# each, so the whole run may take longer when there are many targets),
# seeded from tests/fuzz/corpus/<name> when present.
# Fails on the first crash or sanitizer report.
set -euo pipefail
build_dir=$1
total_seconds=$2
min_seconds=10
shopt -s nullglob
fuzzers=("$build_dir"/bin/*_fuzz)
if [ ${#fuzzers[@]} -eq 0 ]; then
  echo "no *_fuzz binaries in $build_dir/bin"
  exit 1
fi
seconds=$((total_seconds / ${#fuzzers[@]}))
[ "$seconds" -lt "$min_seconds" ] && seconds=$min_seconds
echo "fuzzing ${#fuzzers[@]} targets for ${seconds}s each (${total_seconds}s in all)"
for fuzzer in "${fuzzers[@]}"; do
  name=$(basename "$fuzzer")
  work=$(mktemp -d)
  seeds=()
  [ -d "tests/fuzz/corpus/$name" ] && seeds=("tests/fuzz/corpus/$name")
  echo "fuzzing $name for ${seconds}s"
  status=0
  "$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 "$work" "${seeds[@]}" > "$work.log" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$work.log"
    rm -rf "$work" "$work.log"
    echo "$name failed"
    exit 1
  fi
  tail -n 5 "$work.log"
  rm -rf "$work" "$work.log"
done
