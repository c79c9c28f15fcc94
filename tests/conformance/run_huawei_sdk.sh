#!/usr/bin/env bash
# Runs the official Huawei Cloud ECS Node SDK (pinned in huawei_node/package.json
# with its lock file) against a fakecloud binary: huawei_sdk.test.js.
# Usage: run_huawei_sdk.sh <path-to-fakecloud>
# node_modules is cached in huawei_node/ (gitignored); only loopback traffic.
set -euo pipefail

if [[ $# -ne 1 || ! -x "$1" ]]; then
  echo "usage: $0 <path-to-fakecloud-binary>" >&2
  exit 2
fi
FAKECLOUD_BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
export FAKECLOUD_BIN
cd "$(dirname "${BASH_SOURCE[0]}")/huawei_node"

# Keep the SDK's traffic on loopback.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "node and npm are required (apt-get install nodejs npm)" >&2
  exit 1
fi

# Install when node_modules is missing or older than the lock file.
# (core 3.1.211 requires "uuid" without declaring it: uuid@9 is pinned too.)
if [[ ! -d node_modules || package-lock.json -nt node_modules ]]; then
  npm ci --no-audit --no-fund --loglevel=error ||
    npm install --no-audit --no-fund --loglevel=error
  touch node_modules
fi

exec timeout 300 node --test --test-reporter=spec huawei_sdk.test.js
