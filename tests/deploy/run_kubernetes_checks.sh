#!/usr/bin/env bash
# Renders deploy/kubernetes with `kubectl kustomize` and checks the result.
# Usage: run_kubernetes_checks.sh MODE DEPLOY_KUBERNETES_DIR NODE_CACHE_DIR CONFIG_CHECK_BIN [RESETD_BIN]
#
#   example    overlays/example: every object against its API schema (npm
#              kubernetes-models), the invariants (js/invariants.mjs), and the
#              rendered config.json through resetd's own config validation
#   base       base/ alone: the same (its Secrets come from an overlay)
#   sources    the kustomizations use only fields kustomize v2.0.3 and v5 share;
#              the example's Secret files hold placeholders
#   mutations  the checker rejects each of 110 single breakages of the example
#   broken     deliberately broken copies of the sources, rendered for real,
#              are rejected for the right reason
#   boot       the real resetd (RESETD_BIN) started in a stand-in for the pod
#              the example describes (boot_pod.sh), serving TLS with a
#              throw-away PKI (tests/pki/make_test_pki.sh) in place of the
#              Secret cert-manager writes; needs root, unshare, ip, openssl
#
# Works in a temporary directory. The pinned npm packages (node/package-lock.json)
# are installed once into NODE_CACHE_DIR (in the build tree; the npm registry is
# the only network access). Exit 77 (ctest: skipped) without node, npm, or a
# kubectl with `kustomize` (Debian: apt-get install kubernetes-client); KUBECTL
# names another kubectl binary.
set -euo pipefail

if [[ $# -lt 4 || $# -gt 5 ]]; then
  echo "usage: $0 example|base|sources|mutations|broken|boot DEPLOY_KUBERNETES_DIR NODE_CACHE_DIR CONFIG_CHECK_BIN [RESETD_BIN]" >&2
  exit 2
fi
MODE=$1
SOURCES="$(cd "$2" && pwd)"
CACHE=$3
CONFIG_CHECK=$4
RESETD=${5:-}
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KUBECTL=${KUBECTL:-kubectl}

skip() {
  echo "SKIPPED: $*" >&2
  exit 77
}
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  skip "node and npm are required (apt-get install nodejs npm)"
fi
command -v "$KUBECTL" >/dev/null ||
  skip "no kubectl to render the kustomizations (apt-get install kubernetes-client)"
"$KUBECTL" kustomize --help >/dev/null 2>&1 ||
  skip "$KUBECTL has no 'kustomize' subcommand (kubectl 1.14 or later needed)"
if [[ $MODE == boot ]]; then
  [[ -x $RESETD ]] || { echo "boot needs RESETD_BIN" >&2; exit 2; }
  [[ $(id -u) -eq 0 ]] || skip "boot needs root (mount and network namespaces, chown)"
  for tool in unshare chroot setpriv ip curl openssl; do
    command -v "$tool" >/dev/null || skip "boot needs $tool"
  done
  unshare --mount --net true 2>/dev/null ||
    skip "boot needs mount and network namespaces (unshare --mount --net failed)"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/resetd-deploy.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# npm ci into the cache when the pinned packages changed; one test at a time.
install_packages() {
  mkdir -p "$CACHE"
  local stamp
  stamp="$(cat "$HERE/node/package.json" "$HERE/node/package-lock.json" | sha256sum)"
  (
    flock 9
    if [[ ! -d "$CACHE/node_modules" || "$(cat "$CACHE/.stamp" 2>/dev/null)" != "$stamp" ]]; then
      rm -rf "$CACHE/node_modules" "$CACHE/.stamp"
      cp "$HERE/node/package.json" "$HERE/node/package-lock.json" "$CACHE/"
      (cd "$CACHE" && timeout 240 npm ci --no-audit --no-fund --loglevel=error \
        --cache "$CACHE/.npm-cache")
      printf '%s' "$stamp" >"$CACHE/.stamp"
    fi
  ) 9>"$CACHE/.lock"
}

install_packages
cp -r "$HERE/js" "$WORK/js"
ln -s "$(cd "$CACHE" && pwd)/node_modules" "$WORK/node_modules"
echo "rendering with $KUBECTL $("$KUBECTL" version --client 2>/dev/null |
  grep -oE 'v[0-9]+\.[0-9]+\.[0-9]+' | head -n 1)"

# render DIR OUT: kubectl kustomize, its known deprecation warnings for
# `bases` and `patchesStrategicMerge` (kustomize v5) filtered out.
render() {
  if ! "$KUBECTL" kustomize "$1" >"$2" 2>"$WORK/kustomize.err"; then
    cat "$WORK/kustomize.err" >&2
    echo "kubectl kustomize $1 failed" >&2
    return 1
  fi
  grep -v -e "'bases' is deprecated" -e "'patchesStrategicMerge' is deprecated" \
    "$WORK/kustomize.err" >&2 || true
}

# check RENDERED [checker flags...]: resetd's validation of the rendered
# config.json, then schemas and invariants with resetd's defaults.
check_rendered() {
  local rendered=$1; shift
  node "$WORK/js/check_manifests.mjs" "$rendered" --write-config "$WORK/config.json" "$@" >/dev/null || true
  [[ -s "$WORK/config.json" ]] || { node "$WORK/js/check_manifests.mjs" "$rendered" "$@"; return 1; }
  if ! "$CONFIG_CHECK" "$WORK/config.json" >"$WORK/defaulted.json"; then
    echo "resetd rejects the rendered config.json (above)" >&2
    return 1
  fi
  echo "resetd's config validation accepts the rendered config.json"
  node "$WORK/js/check_manifests.mjs" "$rendered" --defaulted-config "$WORK/defaulted.json" "$@"
}

# expect_rejected NAME ID FILE SED_SCRIPT: breaks FILE (relative to a fresh
# copy of the sources) with sed, renders the example overlay, and expects the
# checker to fail with a problem of ID.
expect_rejected() {
  local name=$1 id=$2 file=$3 script=$4 src="$WORK/broken-$1"
  cp -r "$SOURCES" "$src"
  sed -i -e "$script" "$src/$file"
  if cmp -s "$SOURCES/$file" "$src/$file"; then
    echo "FAIL $name: the breakage did not apply to $file (update this test)" >&2
    return 1
  fi
  local out="$WORK/broken-$name.out" status=0
  if [[ $id == sources ]]; then
    node "$WORK/js/check_sources.mjs" "$src" >"$out" 2>&1 || status=$?
  else
    render "$src/overlays/example" "$WORK/broken-$name.yaml"
    node "$WORK/js/check_manifests.mjs" "$WORK/broken-$name.yaml" \
      --require-servicemonitor --require-pinned-image >"$out" 2>&1 || status=$?
  fi
  if [[ $status -eq 1 ]] && grep -q "^\[$id\]" "$out"; then
    echo "ok   $name: rejected with $(grep -m1 "^\[$id\]" "$out")"
    return 0
  fi
  echo "FAIL $name: expected exit 1 with an [$id] problem, got exit $status:" >&2
  cat "$out" >&2
  return 1
}

run_broken() {
  local failed=0 overlay=overlays/example
  expect_rejected longer-shutdown termination-grace "$overlay/config.json" \
    's/"shutdownGraceS": 20/"shutdownGraceS": 60/' || failed=1
  expect_rejected root-user pod-security base/statefulset.yaml \
    's/runAsUser: 65532/runAsUser: 0/' || failed=1
  expect_rejected writable-root read-only-root base/statefulset.yaml \
    's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/' || failed=1
  expect_rejected health-moved probes "$overlay/config.json" \
    's/"healthListen": "0.0.0.0:50052"/"healthListen": "0.0.0.0:50053"/' || failed=1
  expect_rejected optional-client-cert tls "$overlay/config.json" \
    's/"requireClientCert": true/"requireClientCert": false/' || failed=1
  expect_rejected writable-tls-mount tls base/statefulset.yaml \
    '\#mountPath: /var/run/secrets/resetd/tls#{n;s/readOnly: true/readOnly: false/}' || failed=1
  expect_rejected probes-on-tls-port probes base/statefulset.yaml \
    's/port: 50052/port: 50051/' || failed=1
  expect_rejected key-kept certificates cert-manager/certificates.yaml \
    's/rotationPolicy: Always/rotationPolicy: Never/' || failed=1
  expect_rejected dns-patch-dropped certificates "$overlay/kustomization.yaml" \
    's/^  - certificate-dns.yaml$/  []/' || failed=1
  expect_rejected egress-8443 networkpolicy base/networkpolicy.yaml \
    's/port: 443/port: 8443/' || failed=1
  expect_rejected token-mounted service-account base/statefulset.yaml \
    's/automountServiceAccountToken: false/automountServiceAccountToken: true/' || failed=1
  expect_rejected key-on-configmap secret-files "$overlay/config.json" \
    's#/var/run/secrets/resetd/store/store-1#/etc/resetd/store-1#' || failed=1
  expect_rejected two-replicas replicas base/statefulset.yaml \
    's/replicas: 1/replicas: 2/' || failed=1
  expect_rejected typo unknown-field base/statefulset.yaml \
    's/allowPrivilegeEscalation: false/allowPrivilegeEscalation: false\n            readOnlyRootFileSystem: true/' || failed=1
  # shellcheck disable=SC2016  # sed's $ (last line), not the shell's
  expect_rejected kustomize-v5-only sources "$overlay/kustomization.yaml" \
    '$a labels:\n  - pairs:\n      team: example' || failed=1
  expect_rejected real-looking-key sources "$overlay/secrets/store-1" \
    's/.*/c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXk=/' || failed=1
  return "$failed"
}

# boot RENDERED NAME: lays out the pod RENDERED describes and starts resetd
# in it (boot_pod.sh); output in $WORK/NAME.out. The Secret a Certificate
# writes holds the test PKI's server certificate (localhost, 127.0.0.1), its
# key and CA, under cert-manager's key names.
boot() {
  mkdir -m 0755 "$WORK/$2"
  node "$WORK/js/pod_plan.mjs" "$1" "$WORK/$2" "$WORK/issued"
  timeout 120 unshare --mount --net --fork --kill-child bash "$HERE/boot_pod.sh" "$WORK/$2" "$RESETD" \
    "$WORK/pki" >"$WORK/$2.out" 2>&1
}

make_pki() {
  bash "$HERE/../pki/make_test_pki.sh" "$WORK/pki"
  mkdir "$WORK/issued"
  cp "$WORK/pki/server.crt" "$WORK/issued/tls.crt"
  cp "$WORK/pki/server.key" "$WORK/issued/tls.key"
  cp "$WORK/pki/ca.crt" "$WORK/issued/ca.crt"
}

# The example's pod boots; the same pod without its fsGroup must not (its
# Secret files are root's then), or the boot check proves nothing.
run_boot() {
  chmod 0755 "$WORK"
  make_pki
  render "$SOURCES/overlays/example" "$WORK/example.yaml"
  local status=0
  boot "$WORK/example.yaml" pod || status=$?
  cat "$WORK/pod.out"
  [[ $status -eq 0 ]] || return 1
  sed '/fsGroup: /d' "$WORK/example.yaml" >"$WORK/no-fsgroup.yaml"
  if boot "$WORK/no-fsgroup.yaml" no-fsgroup; then
    cat "$WORK/no-fsgroup.out"
    echo "FAIL: resetd started without the fsGroup; the boot check cannot see permissions" >&2
    return 1
  fi
  grep -q 'Permission denied' "$WORK/no-fsgroup.out" || {
    cat "$WORK/no-fsgroup.out" >&2
    echo "FAIL: without the fsGroup resetd failed, but not for want of permission" >&2
    return 1
  }
  echo "ok   without the fsGroup resetd refuses to start: $(grep -m1 -o 'cannot read[^"]*' "$WORK/no-fsgroup.out")"
}

case "$MODE" in
  example)
    render "$SOURCES/overlays/example" "$WORK/example.yaml"
    check_rendered "$WORK/example.yaml" --require-servicemonitor --require-pinned-image
    ;;
  base)
    render "$SOURCES/base" "$WORK/base.yaml"
    check_rendered "$WORK/base.yaml" --allow-external-secrets
    ;;
  sources)
    node "$WORK/js/check_sources.mjs" "$SOURCES"
    ;;
  mutations)
    render "$SOURCES/overlays/example" "$WORK/example.yaml"
    RENDERED="$WORK/example.yaml" timeout 120 node --test --test-reporter=spec \
      "$WORK/js/mutations.test.mjs"
    ;;
  broken)
    run_broken
    ;;
  boot)
    run_boot
    ;;
  *)
    echo "unknown mode $MODE" >&2
    exit 2
    ;;
esac
