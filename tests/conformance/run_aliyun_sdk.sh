#!/usr/bin/env bash
# Runs the official Alibaba Cloud ECS Node SDK (@alicloud/ecs20140526 on
# openapi-core, and @alicloud/openapi-client; pinned in aliyun_node/package.json
# and its lock file) against a fakecloud binary (aliyun_sdk.test.js starts it
# with a fleet of Alibaba instances and one CVM instance).
# Usage: run_aliyun_sdk.sh <path-to-fakecloud>
# node_modules is cached in aliyun_node/ (gitignored); only loopback traffic.
set -euo pipefail

if [[ $# -ne 1 || ! -x "$1" ]]; then
  echo "usage: $0 <path-to-fakecloud-binary>" >&2
  exit 2
fi
FAKECLOUD_BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
export FAKECLOUD_BIN
cd "$(dirname "${BASH_SOURCE[0]}")/aliyun_node"

# Keep the SDK's loopback requests off any proxy.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

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

exec timeout 300 node --test --test-reporter=spec aliyun_sdk.test.js
