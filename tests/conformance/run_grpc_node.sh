#!/usr/bin/env bash
# Drives resetd's gRPC API with an independent client (@grpc/grpc-js, pinned in
# grpc_node/package.json) against a real resetd talking to a real fakecloud.
# Usage: run_grpc_node.sh <path-to-fakecloud> <path-to-resetd>
# node_modules and the npm cache live in grpc_node/ (gitignored); apart from
# `npm ci` (the npm registry, only when node_modules is missing or stale),
# all traffic is loopback.
set -euo pipefail

if [[ $# -ne 2 || ! -x "$1" || ! -x "$2" ]]; then
  echo "usage: $0 <path-to-fakecloud-binary> <path-to-resetd-binary>" >&2
  exit 2
fi
FAKECLOUD_BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
RESETD_BIN="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Sets the traps that stop every process started below.
source "$HERE/lib/stack.sh"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "node and npm are required (apt-get install nodejs npm)" >&2
  exit 1
fi
for proto in grpc/health/v1/health.proto grpc/reflection/v1alpha/reflection.proto; do
  if [[ ! -f "${GRPC_PROTO_DIR:-/usr/share/grpc-proto}/$proto" ]]; then
    echo "missing ${GRPC_PROTO_DIR:-/usr/share/grpc-proto}/$proto (apt-get install grpc-proto)" >&2
    exit 1
  fi
done

# Install when node_modules is missing or older than the lock file.
cd "$HERE/grpc_node"
if [[ ! -d node_modules || package-lock.json -nt node_modules ]]; then
  npm ci --no-audit --no-fund --loglevel=error --cache "$PWD/.npm-cache"
  touch node_modules
fi

stack_start_fakecloud "$FAKECLOUD_BIN" --instances 40 --seed 11 \
  --transition-ms 100:300 --reset-ms 100:200 --log-level info
stack_start_resetd "$RESETD_BIN" '{"pollIntervalMs":200,"lingerMs":50}'
echo "fakecloud on $FAKECLOUD_ADDR, resetd gRPC on $RESETD_GRPC_ADDR" >&2

stack_run timeout 300 node --test --test-reporter=spec grpc_api.test.js

# The same API over mTLS, with a bearer token and role bindings: a second
# resetd on the same fakecloud, with a throw-away PKI made by openssl.
PKI_DIR="$STACK_DIR/pki"
bash "$HERE/../pki/make_test_pki.sh" "$PKI_DIR"
VIEWER_TOKEN="tok-node-viewer-$RANDOM$RANDOM"
printf '%s ci-viewer\n' "$(printf '%s' "$VIEWER_TOKEN" | sha256sum | cut -d' ' -f1)" >"$STACK_DIR/tokens"
stack_start_resetd "$RESETD_BIN" '{"pollIntervalMs":200,"lingerMs":50}' \
  "\"healthListen\":\"127.0.0.1:0\",
   \"tls\":{\"certFile\":\"$PKI_DIR/server.crt\",\"keyFile\":\"$PKI_DIR/server.key\",
          \"clientCaFile\":\"$PKI_DIR/ca.crt\",\"requireClientCert\":true},
   \"auth\":{\"tokensFile\":\"$STACK_DIR/tokens\",\"bindings\":[
     {\"identities\":[\"spiffe://resetd.test/ns/ops/sa/alice\"],\"role\":\"operator\"},
     {\"identities\":[\"bob.ops.resetd.test\",\"ci-viewer\"],\"role\":\"viewer\"}]}" \
  resetd-tls
RESETD_TLS_GRPC_ADDR=$RESETD_GRPC_ADDR RESETD_TLS_HEALTH_ADDR=$RESETD_HEALTH_ADDR \
  PKI_DIR=$PKI_DIR VIEWER_TOKEN=$VIEWER_TOKEN \
  stack_run timeout 300 node --test --test-reporter=spec grpc_secure.test.js
