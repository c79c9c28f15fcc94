#!/usr/bin/env bash
# Starts the real resetd in a stand-in for its pod and checks that it comes up
# and stops as the manifests expect. Runs inside `unshare --mount --net`
# (run_kubernetes_checks.sh boot), as root; nothing outside POD_DIR changes.
#
# POD_DIR holds plan.json and the volumes pod_plan.mjs laid out. The root
# filesystem is a tmpfs with the host's /usr (read-only) and copies of the few
# /etc files the loader and libc read, read-only as readOnlyRootFilesystem
# asks; the volumes are bind-mounted where the container mounts them; resetd
# runs as the pod's UID/GID with the fsGroup, no capabilities and
# no_new_privs, with the container's own args (--config ...), on a private
# network with only loopback. Checked: gRPC health answers SERVING in
# plaintext on the port the probes use (grpc.health.v1.Health/Check over
# HTTP/2, as the kubelet asks); with tls, the gRPC port speaks only TLS with
# the mounted certificate (PKI_DIR's ca.crt verifies it; health answers there
# to PKI_DIR's client certificate alice, and without a client certificate the
# handshake fails when requireClientCert); /metrics answers on the metrics
# port, the SQLite store is created on the claim's volume and owned by the
# pod's user, and SIGTERM ends resetd with status 0 well within
# terminationGracePeriodSeconds.
# Usage: boot_pod.sh POD_DIR RESETD_BIN [PKI_DIR]  (PKI_DIR: make_test_pki.sh's)
set -euo pipefail
POD=$1
RESETD=$2
PKI=${3:-}
ROOT="$POD/root"
LOG="$POD/resetd.log"

# plan FIELD: a value of plan.json; plan_mounts: "SOURCE TARGET ro|rw" lines.
plan() { node -e 'console.log(require(process.argv[1])[process.argv[2]])' "$POD/plan.json" "$1"; }
plan_mounts() {
  node -e 'for (const m of require(process.argv[1]).mounts.sort((a, b) => a.target.length - b.target.length))
    console.log(m.source, m.target, m.readOnly ? "ro" : "rw")' "$POD/plan.json"
}

fail() {
  echo "FAIL: $*" >&2
  [[ -f "$LOG" ]] && { echo "----- resetd's log -----" >&2; cat "$LOG" >&2; }
  exit 1
}

bind() {  # bind SOURCE TARGET ro|rw
  mount --bind "$1" "$2"
  if [[ $3 == ro ]]; then mount -o remount,bind,ro "$2"; fi
}

build_root() {
  mkdir -p "$ROOT"
  mount -t tmpfs -o mode=0755 tmpfs "$ROOT"
  mkdir -p "$ROOT/usr" "$ROOT/etc" "$ROOT/dev" "$ROOT/proc" "$ROOT/opt/resetd"
  bind /usr "$ROOT/usr" ro
  local d
  for d in bin sbin lib lib64; do
    if [[ -L /$d ]]; then ln -s "$(readlink "/$d")" "$ROOT/$d"
    elif [[ -d /$d ]]; then mkdir "$ROOT/$d"; bind "/$d" "$ROOT/$d" ro; fi
  done
  for f in ld.so.cache nsswitch.conf hosts; do
    if [[ -f /etc/$f ]]; then cp "/etc/$f" "$ROOT/etc/"; fi
  done
  mount --rbind /dev "$ROOT/dev"
  mount -t proc proc "$ROOT/proc"
  touch "$ROOT/opt/resetd/resetd"
  bind "$RESETD" "$ROOT/opt/resetd/resetd" ro
  local source target mode
  while read -r source target mode; do
    mkdir -p "$ROOT$target"
    bind "$source" "$ROOT$target" "$mode"
  done < <(plan_mounts)
  if [[ "$(plan readOnlyRoot)" == true ]]; then mount -o remount,ro "$ROOT"; fi
}

wait_for_line() {  # wait_for_line REGEX
  for _ in $(seq 200); do
    if grep -qsE "$1" "$LOG"; then return 0; fi
    kill -0 "$PID" 2>/dev/null || fail "resetd exited before logging /$1/"
    sleep 0.1
  done
  fail "resetd did not log /$1/ within 20 s"
}

# health PORT [tls [CLIENT]]: grpc.health.v1.Health/Check for service "":
# an empty request in a gRPC frame; SERVING is the frame 00 00000002 0801
# (status = 1). Plaintext HTTP/2 (as the kubelet's probes), or TLS with ALPN
# h2, verifying resetd's certificate against PKI_DIR's CA, with CLIENT's
# certificate from PKI_DIR if named.
health() {
  printf '\0\0\0\0\0' >"$POD/health.req"
  local how=(--http2-prior-knowledge) url="http://127.0.0.1:$1"
  if [[ ${2:-} == tls ]]; then
    how=(--http2 --cacert "$PKI/ca.crt")
    [[ -n ${3:-} ]] && how+=(--cert "$PKI/$3.crt" --key "$PKI/$3.key")
    url="https://127.0.0.1:$1"
  fi
  curl -s --max-time 5 "${how[@]}" -H 'content-type: application/grpc' \
    -H 'te: trailers' --data-binary "@$POD/health.req" \
    "$url/grpc.health.v1.Health/Check" | od -An -tx1 | tr -d ' \n'
}

ip link set lo up
build_root
uid=$(plan uid) gid=$(plan gid) fs_group=$(plan fsGroup)
groups=(--clear-groups)
if [[ $fs_group != undefined ]]; then groups=(--groups "$fs_group"); fi
mapfile -t args < <(node -e 'for (const a of require(process.argv[1]).args) console.log(a)' "$POD/plan.json")
echo "starting resetd as $uid:$gid (${groups[*]}), read-only root $(plan readOnlyRoot), args: ${args[*]}"
chroot "$ROOT" /usr/bin/setpriv --reuid "$uid" --regid "$gid" "${groups[@]}" \
  --no-new-privs --inh-caps=-all --bounding-set=-all \
  /opt/resetd/resetd "${args[@]}" >"$POD/resetd.out" 2>"$LOG" &
PID=$!
trap 'kill -KILL "$PID" 2>/dev/null || true' EXIT

wait_for_line 'grpc listening on '
wait_for_line 'metrics listening on '
probe_port=$(plan probePort) grpc_port=$(plan grpcPort)
if [[ "$(plan healthPort)" != null ]]; then wait_for_line 'grpc health listening on '; fi
[[ "$(health "$probe_port")" == 00000000020801 ]] ||
  fail "plaintext gRPC health on the probes' port $probe_port is not SERVING: $(health "$probe_port")"
echo "ok   plaintext gRPC health SERVING on the probes' port $probe_port"
if [[ "$(plan tls)" == true ]]; then
  [[ -n $PKI ]] || fail "resetd uses tls: boot_pod.sh needs PKI_DIR"
  [[ -z "$(health "$grpc_port")" ]] || fail "the gRPC port $grpc_port answers plaintext"
  [[ "$(health "$grpc_port" tls alice)" == 00000000020801 ]] ||
    fail "no gRPC health over TLS with a client certificate on port $grpc_port: $(health "$grpc_port" tls alice)"
  echo "ok   gRPC port $grpc_port: TLS (the mounted certificate, verified against the CA), no plaintext"
  if [[ "$(plan requireClientCert)" == true ]]; then
    [[ -z "$(health "$grpc_port" tls)" ]] || fail "the gRPC port $grpc_port answers without a client certificate"
    echo "ok   gRPC port $grpc_port refuses a client without a certificate (mTLS)"
  fi
fi
curl -sf --max-time 5 -o "$POD/metrics.txt" "http://127.0.0.1:$(plan metricsPort)/metrics" ||
  fail "no answer from /metrics on port $(plan metricsPort)"
grep -q '^resetd_' "$POD/metrics.txt" || fail "no resetd_ series in /metrics on port $(plan metricsPort)"
echo "ok   /metrics on port $(plan metricsPort)"

store="$(plan storePath)"
db=""
while read -r source target _; do
  if [[ $store == "$target"/* ]]; then db="$source/${store#"$target"/}"; fi
done < <(plan_mounts)
[[ -n $db && -f $db ]] || fail "the store $store was not created on its volume"
[[ "$(stat -c %u "$db")" == "$uid" ]] || fail "the store $store is not owned by $uid"
echo "ok   store $store created on the claim's volume, owner $uid, mode $(stat -c %a "$db")"

start=$(date +%s%N)
kill -TERM "$PID"
status=0
wait "$PID" || status=$?
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
grace_ms=$(( $(plan terminationGracePeriodSeconds) * 1000 ))
[[ $status -eq 0 ]] || fail "resetd exited with status $status on SIGTERM"
(( elapsed_ms < grace_ms )) || fail "resetd took ${elapsed_ms} ms to stop, the pod has ${grace_ms} ms"
echo "ok   SIGTERM: exit 0 after ${elapsed_ms} ms (terminationGracePeriodSeconds $(plan terminationGracePeriodSeconds))"
if grep -E 'level=(error|critical)' "$LOG" >&2; then fail "resetd logged errors"; fi
echo "boot checks passed"
