#!/usr/bin/env bash
# Runs the official Tencent Cloud Node SDKs (pinned in node/package.json) against
# a fakecloud binary: tencentcloud-sdk-nodejs-cvm (tencent_sdk.test.js) and the
# Lighthouse client of the tencentcloud-sdk-nodejs bundle
# (lighthouse_sdk.test.js). Usage: run_tencent_sdk.sh <path-to-fakecloud>
# node_modules is cached in node/ (gitignored); only loopback traffic.
set -euo pipefail

if [[ $# -ne 1 || ! -x "$1" ]]; then
  echo "usage: $0 <path-to-fakecloud-binary>" >&2
  exit 2
fi
FAKECLOUD_BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
export FAKECLOUD_BIN
cd "$(dirname "${BASH_SOURCE[0]}")/node"

# The SDK sends every request through $http_proxy if set (http/fetch.js).
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "node and npm are required (apt-get install nodejs npm)" >&2
  exit 1
fi

# Install when node_modules is missing or older than the lock file.
if [[ ! -d node_modules || package-lock.json -nt node_modules ]]; then
  npm ci --no-audit --no-fund --loglevel=error ||
    npm install --no-audit --no-fund --loglevel=error
  touch node_modules
fi

exec timeout 300 node --test --test-reporter=spec tencent_sdk.test.js \
  lighthouse_sdk.test.js
