#!/usr/bin/env bash
# Builds resetd's container image (deploy/container/Containerfile) on this
# machine and proves that it works. No container registry is needed: the
# Containerfile's Debian base (docker.io/library/debian:12-slim) is made here
# with mmdebstrap from Debian's mirror and imported under that exact name,
# once; later runs reuse it (and podman's layer cache). Then, with podman:
#
#   0. the image itself: user 65532:65532, ENTRYPOINT resetd, the default
#      --config /etc/resetd/config.json, the VOLUME /var/lib/resetd owned by
#      65532, OCI labels; and its files: no shell, nothing but resetd,
#      resetctl, their libraries and the CA bundle;
#   1. resetd runs as UID/GID 65532 with --read-only (and no tmpfs),
#      --cap-drop=ALL, --user 65532:65532, --network=host: checked in the
#      process's /proc status (ids, capabilities) and mounts;
#   2. it answers gRPC health SERVING (grpc.health.v1.Health/Check over
#      HTTP/2, as Kubernetes' gRPC probe asks) and serves /metrics;
#   3. a reset job, created with the image's resetctl, runs against fakecloud
#      on the host (credentials and store key as read-only files, the SQLite
#      store on a named volume) and SUCCEEDS: fakecloud's records show every
#      instance with the new password's digest, in its original power state;
#      the password is in no log; `podman stop` (SIGTERM) ends resetd with
#      exit code 0 before its timeout, the container wrote nothing outside its
#      volumes, and the store on the volume holds the ended job (no password),
#      which a new container on the same volume serves.
#
# Prints the image's size and what fills it. Exit codes: 0 every check
# passed; 1 a check or the build failed; 77 skipped, with the reason printed,
# when podman, runc or mmdebstrap cannot work on this machine (not root,
# packages not installable, no Debian mirror, containers cannot start).
#
# Needs root (rootful podman) and the host build's fakecloud. Environment:
#   IMAGE           tag to build (default localhost/resetd:dev)
#   FAKECLOUD       fakecloud binary (default $BUILD_DIR/fakecloud/fakecloud,
#                   built with cmake if missing)
#   BUILD_DIR       host build tree (default build)
#   IMAGE_CACHE     the base's tarball and containers.conf
#                   (default /var/cache/resetd-image)
#   IMAGE_REFRESH_BASE=1   make the Debian base anew (security updates)
#   BUILD_JOBS      ninja -j inside the build (default: ninja's)
#   IMAGE_KEEP=1    keep the temporary directory (always kept on failure)
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-localhost/resetd:dev}
BUILD_DIR=${BUILD_DIR:-build}
FAKECLOUD=${FAKECLOUD:-$BUILD_DIR/fakecloud/fakecloud}
CACHE=${IMAGE_CACHE:-/var/cache/resetd-image}
CONTAINERFILE=deploy/container/Containerfile
BASE=$(sed -n 's/^ARG BASE_IMAGE=//p' "$CONTAINERFILE")
REGION=ap-guangzhou
INSTANCES=24
PY=/usr/bin/python3
RUNTIME_ID=65532
STOP_TIMEOUT=30
# Marks a base this script made, so that a real, pulled one is left alone.
BASE_LABEL=io.resetd.local-base

say() { printf '%s\n' "image: $*"; }
ok() { printf '   [ok] %s\n' "$*"; }
fail() { printf 'image: FAIL: %s\n' "$*" >&2; exit 1; }
skip() { printf 'image: SKIPPED: %s\n' "$*"; exit 77; }
pm() { podman --runtime runc "$@"; }
[[ -n $BASE ]] || fail "no ARG BASE_IMAGE=... in $CONTAINERFILE"

# ---------------------------------------------------------------------------
# Preflight: anything that fails here is the machine, not the image: skip.

preflight_tools() {
  [[ $(id -u) -eq 0 ]] || skip "needs root (rootful podman): run it as root or with sudo"
  local missing=() p
  for p in podman runc mmdebstrap curl; do command -v "$p" >/dev/null || missing+=("$p"); done
  [[ -x $PY ]] || missing+=(python3)
  if [[ ${#missing[@]} -gt 0 ]]; then
    say "installing ${missing[*]} (apt-get)"
    { apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        podman runc mmdebstrap curl python3 >/dev/null; } ||
      skip "cannot install podman, runc and mmdebstrap with apt-get"
  fi
  mkdir -p "$CACHE"
  # crun (podman's default) fails on some kernels' cgroups, and the default
  # RLIMIT_NOFILE cannot always be set: runc, and no default ulimits.
  printf '[containers]\ndefault_ulimits = []\n' >"$CACHE/containers.conf"
  export CONTAINERS_CONF=$CACHE/containers.conf
  pm info >/dev/null 2>"$CACHE/podman-info.err" ||
    skip "podman does not work here: $(tail -n 3 "$CACHE/podman-info.err")"
}

# The Debian 12 base under the name the Containerfile's FROM uses.
make_base() {
  local tar=$CACHE/base.tar
  if [[ ${IMAGE_REFRESH_BASE:-0} == 1 ]]; then rm -f "$tar"; fi
  if pm image exists "$BASE" && [[ ${IMAGE_REFRESH_BASE:-0} != 1 ]]; then
    if [[ -n $(pm image inspect --format "{{index .Labels \"$BASE_LABEL\"}}" "$BASE") ]]; then
      say "base $BASE: made here earlier (cached)"
    else
      say "base $BASE: the real image, already on this machine"
    fi
    return 0
  fi
  if [[ ! -s $tar ]]; then
    say "making the Debian base with mmdebstrap (about a minute, once)"
    rm -rf "$CACHE/base.tmp.tar"
    nice -n 10 mmdebstrap --variant=minbase --format=tar --include=ca-certificates \
      bookworm "$CACHE/base.tmp.tar" >"$CACHE/mmdebstrap.log" 2>&1 ||
      skip "mmdebstrap cannot make a Debian 12 base (no Debian mirror?): $(tail -n 3 "$CACHE/mmdebstrap.log")"
    mv "$CACHE/base.tmp.tar" "$tar"
  fi
  pm import --change 'CMD ["bash"]' --change "LABEL $BASE_LABEL=mmdebstrap-minbase" \
    "$tar" "$BASE" >"$CACHE/import.log" 2>&1 || fail "podman cannot import $tar: $(tail -n 3 "$CACHE/import.log")"
  say "base $BASE: imported from $tar"
}

# The setup every run below uses must work at all on this kernel.
probe_runtime() {
  pm run --rm --network=host --read-only --cap-drop=ALL --user "$RUNTIME_ID:$RUNTIME_ID" \
    "$BASE" true 2>"$CACHE/probe.err" ||
    skip "podman cannot run a container here (--runtime runc, --read-only, --cap-drop=ALL, --user): $(tail -n 3 "$CACHE/probe.err")"
}

preflight_tools
exec 9>"$CACHE/lock"
flock 9   # one run at a time on this machine (base import, build, checks)
make_base
probe_runtime

# ---------------------------------------------------------------------------
# From here on every failure is a failure.

build_image() {
  local old_id="" revision version created start
  old_id=$(pm image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
  revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
  version=$(git describe --tags --always --dirty 2>/dev/null || echo 0.0.0-dev)
  if [[ -n $(git status --porcelain 2>/dev/null) ]]; then revision+=-dirty; fi
  created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  say "building $IMAGE from $CONTAINERFILE (compiles resetd and resetctl unless cached)"
  start=$(date +%s)
  nice -n 10 podman --runtime runc build --pull=never --network=host \
    -f "$CONTAINERFILE" --ignorefile deploy/container/Containerfile.dockerignore \
    --build-arg "VERSION=$version" --build-arg "REVISION=$revision" \
    ${BUILD_JOBS:+--build-arg "BUILD_JOBS=$BUILD_JOBS"} \
    --label "org.opencontainers.image.created=$created" \
    -t "$IMAGE" . >"$WORK/build.log" 2>&1 || {
    tail -n 40 "$WORK/build.log" >&2
    fail "podman build failed (whole log: $WORK/build.log)"
  }
  BUILD_SECONDS=$(($(date +%s) - start))
  say "built $IMAGE in ${BUILD_SECONDS} s"
  local new_id
  new_id=$(pm image inspect --format '{{.Id}}' "$IMAGE")
  # The image this build replaced, now untagged (not while a container uses it).
  if [[ -n $old_id && $old_id != "$new_id" ]]; then pm rmi "$old_id" >/dev/null 2>&1 || true; fi
}

# 0. What the image declares, and what it holds.
check_image_config() {
  say "0/3 the image's config and files"
  pm image inspect "$IMAGE" >"$WORK/inspect.json"
  "$PY" - "$WORK/inspect.json" "$RUNTIME_ID" <<'PY' || fail "the image's config is not as it must be"
import json, sys
image = json.load(open(sys.argv[1]))[0]
config, uid = image["Config"], sys.argv[2]
bad = []
def want(ok, text):
    print("   [%s] %s" % ("ok" if ok else "FAIL", text))
    if not ok:
        bad.append(text)
want(config.get("User") == "%s:%s" % (uid, uid), "User %s" % config.get("User"))
want(config.get("Entrypoint") == ["resetd"], "Entrypoint %s" % config.get("Entrypoint"))
want(config.get("Cmd") == ["--config", "/etc/resetd/config.json"], "Cmd %s" % config.get("Cmd"))
want("/var/lib/resetd" in (config.get("Volumes") or {}), "Volume /var/lib/resetd")
labels = config.get("Labels") or {}
oci = sorted(k for k in labels if k.startswith("org.opencontainers.image."))
want({"org.opencontainers.image.title", "org.opencontainers.image.version",
      "org.opencontainers.image.revision", "org.opencontainers.image.created"} <= set(oci),
     "OCI labels: " + ", ".join(k.rsplit(".", 1)[1] + "=" + labels[k][:40] for k in oci))
sys.exit(1 if bad else 0)
PY
  local ctr=resetd-image-files-$$
  pm create --name "$ctr" "$IMAGE" >/dev/null
  pm export "$ctr" >"$WORK/rootfs.tar"
  pm rm -v "$ctr" >/dev/null
  tar -tvf "$WORK/rootfs.tar" --numeric-owner >"$WORK/rootfs.list"
  local f
  for f in usr/local/bin/resetd usr/local/bin/resetctl etc/ssl/certs/ca-certificates.crt; do
    grep -qE " $f\$" "$WORK/rootfs.list" || fail "the image has no /$f"
  done
  if grep -E '/(sh|bash|dash|busybox|apt|dpkg)$' "$WORK/rootfs.list" >&2; then
    fail "the image holds a shell or a package manager"
  fi
  grep -qE "^drwx------ $RUNTIME_ID/$RUNTIME_ID .* var/lib/resetd/?\$" "$WORK/rootfs.list" ||
    fail "/var/lib/resetd is not a 0700 directory of $RUNTIME_ID: $(grep 'var/lib/resetd' "$WORK/rootfs.list")"
  ok "files: resetd, resetctl, CA bundle; no shell, no package manager; /var/lib/resetd 0700 $RUNTIME_ID:$RUNTIME_ID"
}

# The host side of the run: fakecloud, the config, credentials and store key
# as files, the fleet's ids.
start_fakecloud() {
  if [[ ! -x $FAKECLOUD ]]; then
    say "building fakecloud on the host ($BUILD_DIR)"
    bash scripts/install-deps.sh
    [[ -f $BUILD_DIR/build.ninja ]] ||
      cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    nice -n 10 cmake --build "$BUILD_DIR" --target fakecloud >/dev/null
  fi
  TENCENTCLOUD_SECRET_ID="AKIDresetdIMAGE$("$PY" -c 'import secrets; print(secrets.token_hex(6))')"
  TENCENTCLOUD_SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(30))')
  export TENCENTCLOUD_SECRET_ID TENCENTCLOUD_SECRET_KEY
  "$FAKECLOUD" --listen 127.0.0.1:0 --instances "$INSTANCES" --regions "$REGION" \
    --running-fraction 0.5 --windows-fraction 0.25 --forbidden 0 --seed 7 \
    --transition-ms 200:600 --reset-ms 100:400 \
    >"$WORK/fakecloud.out" 2>"$WORK/fakecloud.log" &
  FAKE_PID=$!
  local i
  for ((i = 0; i < 300; i++)); do
    FAKE_ADDR=$(sed -n 's/^listening on //p' "$WORK/fakecloud.out")
    [[ -z $FAKE_ADDR ]] || break
    kill -0 "$FAKE_PID" 2>/dev/null || fail "fakecloud exited: $(tail -n 5 "$WORK/fakecloud.log")"
    sleep 0.05
  done
  [[ -n $FAKE_ADDR ]] || fail "fakecloud did not start"
  curl -fsS "http://$FAKE_ADDR/_fake/instances" >"$WORK/before.json"
  "$PY" -c 'import json, sys
print("\n".join(i["instance_id"] for i in json.load(open(sys.argv[1]))))' \
    "$WORK/before.json" >"$WORK/instances.txt"
  say "fakecloud (host, pid $FAKE_PID) on $FAKE_ADDR: $INSTANCES Tencent CVM instances"
}

# Files the container mounts read-only, readable by its group only (as a
# Kubernetes Secret with fsGroup); the config asks for ports 0 and logs them.
write_container_files() {
  mkdir -p "$WORK/etc" "$WORK/cloud" "$WORK/store-keys"
  cat >"$WORK/etc/config.json" <<JSON
{
  "grpcListen": "127.0.0.1:0",
  "insecure": true,
  "metricsListen": "127.0.0.1:0",
  "logLevel": "info",
  "shutdownGraceS": 20,
  "store": {
    "path": "/var/lib/resetd/jobs.db",
    "keys": [{"id": "store-1", "file": "/var/run/secrets/resetd/store/store-1"}]
  },
  "providers": [{
    "name": "tencent",
    "kind": "tencent_cvm",
    "endpoint": "$FAKE_ADDR",
    "scheme": "http",
    "regions": ["$REGION"],
    "credentials": {
      "secretIdFile": "/var/run/secrets/resetd/cloud/tencent-secret-id",
      "secretKeyFile": "/var/run/secrets/resetd/cloud/tencent-secret-key"
    }
  }]
}
JSON
  printf '%s\n' "$TENCENTCLOUD_SECRET_ID" >"$WORK/cloud/tencent-secret-id"
  printf '%s\n' "$TENCENTCLOUD_SECRET_KEY" >"$WORK/cloud/tencent-secret-key"
  head -c 32 /dev/urandom | base64 >"$WORK/store-keys/store-1"
  chmod 0644 "$WORK/etc/config.json" "$WORK/instances.txt"
  chgrp "$RUNTIME_ID" "$WORK"/cloud/* "$WORK"/store-keys/*
  chmod 0440 "$WORK"/cloud/* "$WORK"/store-keys/*
  chmod 0755 "$WORK/etc" "$WORK/cloud" "$WORK/store-keys"
}

# The locked-down way every container of this script runs.
LOCKED=(--network=host --read-only --read-only-tmpfs=false --cap-drop=ALL
        --security-opt no-new-privileges --user "$RUNTIME_ID:$RUNTIME_ID")

# Starts resetd with the image's own entrypoint and default arguments.
start_resetd() {
  local name=$1
  pm run -d --name "$name" "${LOCKED[@]}" \
    -v "$WORK/etc:/etc/resetd:ro" \
    -v "$WORK/cloud:/var/run/secrets/resetd/cloud:ro" \
    -v "$WORK/store-keys:/var/run/secrets/resetd/store:ro" \
    -v "$VOLUME:/var/lib/resetd" \
    "$IMAGE" >/dev/null
  CONTAINERS+=("$name")
  local i
  for ((i = 0; i < 300; i++)); do
    GRPC_ADDR=$(pm logs "$name" 2>&1 | sed -n 's/.*grpc listening on \([0-9.:]*\).*/\1/p' | head -n1)
    METRICS_ADDR=$(pm logs "$name" 2>&1 | sed -n 's/.*metrics listening on \([0-9.:]*\).*/\1/p' | head -n1)
    [[ -z $GRPC_ADDR || -z $METRICS_ADDR ]] || return 0
    if [[ $(pm inspect --format '{{.State.Running}}' "$name") != true ]]; then
      pm logs "$name" >&2 || true
      fail "resetd's container $name exited during start-up"
    fi
    sleep 0.1
  done
  pm logs "$name" >&2 || true
  fail "resetd in $name did not log its addresses within 30 s"
}

# resetctl from the image, as locked down as resetd; stdin passes through.
image_resetctl() {
  pm run --rm -i "${LOCKED[@]}" -v "$WORK/instances.txt:/work/instances.txt:ro" \
    --entrypoint resetctl "$IMAGE" --server "$GRPC_ADDR" "$@"
}

# 1. Who the process is, from the host's /proc (rootful podman: same pid ns).
check_process() {
  say "1/3 resetd's process: user, capabilities, read-only root"
  local pid status
  pid=$(pm inspect --format '{{.State.Pid}}' "$RESETD_CTR")
  status=$(cat "/proc/$pid/status")
  [[ $(readlink "/proc/$pid/exe") == */usr/local/bin/resetd ]] ||
    fail "pid $pid is $(readlink "/proc/$pid/exe"), not resetd"
  local want="$RUNTIME_ID	$RUNTIME_ID	$RUNTIME_ID	$RUNTIME_ID"
  [[ $(awk '/^Uid:/ {print $2"\t"$3"\t"$4"\t"$5}' <<<"$status") == "$want" ]] ||
    fail "resetd's uids (real, effective, saved, fs) are not $RUNTIME_ID: $(grep '^Uid:' <<<"$status")"
  [[ $(awk '/^Gid:/ {print $2"\t"$3"\t"$4"\t"$5}' <<<"$status") == "$want" ]] ||
    fail "resetd's gids are not $RUNTIME_ID: $(grep '^Gid:' <<<"$status")"
  ok "pid $pid (/usr/local/bin/resetd): $(grep '^Uid:' <<<"$status" | tr -s '\t' ' '), $(grep '^Gid:' <<<"$status" | tr -s '\t' ' ')"
  ok "podman top: $(pm top "$RESETD_CTR" user group huser comm | tail -n +2 | tr -s ' ')"
  local cap
  for cap in CapInh CapPrm CapEff CapBnd CapAmb; do
    [[ $(awk -v c="$cap:" '$1 == c {print $2}' <<<"$status") =~ ^0+$ ]] ||
      fail "resetd has capabilities: $(grep "^$cap:" <<<"$status")"
  done
  grep -q '^NoNewPrivs:[[:space:]]*1' <<<"$status" || fail "no_new_privs is not set"
  ok "no capabilities (CapInh/Prm/Eff/Bnd/Amb all 0), no_new_privs"
  local root_opts writable
  root_opts=$(awk '$5 == "/" {print $6}' "/proc/$pid/mountinfo")
  [[ ,$root_opts, == *,ro,* ]] || fail "the root filesystem is mounted $root_opts, not ro"
  # Every writable mount: only the store's volume (podman adds /dev/shm and
  # the like, which are not the image's files).
  writable=$(awk '$6 ~ /(^|,)rw(,|$)/ && $5 !~ /^\/(dev|proc|sys)(\/|$)/ {print $5}' "/proc/$pid/mountinfo" |
    grep -vxE '/etc/(hosts|hostname|resolv\.conf)|/run/\.containerenv' | tr '\n' ' ')
  [[ $writable == "/var/lib/resetd " ]] || fail "writable mounts other than the store's volume: $writable"
  ok "root filesystem read-only ($root_opts), no tmpfs; writable: $writable(the volume)"
}

# grpc.health.v1.Health/Check for service "": an empty request in a gRPC
# frame; SERVING is the answer frame 00 00000002 0801 (status = 1). The
# same request the Kubernetes probes and tests/deploy/boot_pod.sh send.
grpc_health() {
  printf '\0\0\0\0\0' >"$WORK/health.req"
  curl -s --max-time 5 --http2-prior-knowledge -H 'content-type: application/grpc' \
    -H 'te: trailers' --data-binary "@$WORK/health.req" \
    "http://$GRPC_ADDR/grpc.health.v1.Health/Check" | od -An -tx1 | tr -d ' \n'
}

# 2. Health and metrics over the host network.
check_health() {
  say "2/3 gRPC health and /metrics over the host network"
  local answer
  answer=$(grpc_health)
  [[ $answer == 00000000020801 ]] || fail "gRPC health on $GRPC_ADDR is not SERVING: '$answer'"
  ok "grpc.health.v1.Health/Check on $GRPC_ADDR: SERVING"
  curl -fsS --max-time 5 "http://$METRICS_ADDR/metrics" >"$WORK/metrics.txt" ||
    fail "no /metrics on $METRICS_ADDR"
  grep -q '^resetd_' "$WORK/metrics.txt" || fail "no resetd_ series in /metrics"
  ok "/metrics on $METRICS_ADDR: $(grep -c '^resetd_' "$WORK/metrics.txt") resetd_ samples"
}

# A random password that passes Tencent's rules (12-30 characters, 4
# character classes, not starting with "/").
make_password() {
  "$PY" - <<'PY'
import secrets, string
r = secrets.SystemRandom()
special = "-_.!@#%+="
chars = [r.choice(string.ascii_lowercase), r.choice(string.ascii_uppercase),
         r.choice(string.digits), r.choice(special)]
chars += [r.choice(string.ascii_letters + string.digits + special) for _ in range(16)]
r.shuffle(chars)
print("".join(chars))
PY
}

# 3. A reset job from the image's resetctl; fakecloud's records judge it.
check_job() {
  say "3/3 a reset job against fakecloud on the host"
  local password digest request_id rc=0
  password=$(make_password)
  digest=$(printf '%s' "$password" | sha256sum | cut -d' ' -f1)
  request_id="image-check-$$-$(date +%s)"
  # printf is a builtin: the password is in no process's argv.
  printf '%s\n' "$password" | image_resetctl create --provider tencent --region "$REGION" \
    --instances-file /work/instances.txt --request-id "$request_id" --password-stdin \
    >"$WORK/create.out" 2>&1 || rc=$?
  [[ $rc -eq 0 ]] || { cat "$WORK/create.out" >&2; fail "resetctl create exited $rc (0 = SUCCEEDED)"; }
  JOB_ID=$(image_resetctl --output json list --all | "$PY" -c '
import json, sys
for line in sys.stdin:
    for job in json.loads(line).get("jobs", []):
        if job["requestId"] == sys.argv[1]:
            print(job["jobId"])' "$request_id")
  [[ -n $JOB_ID ]] || fail "no job with request id $request_id"
  ok "resetctl (from the image) create: job $JOB_ID $(grep -E '^SUCCEEDED [0-9]' "$WORK/create.out" | tail -n 1)"
  curl -fsS "http://$FAKE_ADDR/_fake/instances" >"$WORK/after.json"
  "$PY" - "$WORK/before.json" "$WORK/after.json" "$digest" <<'PY' || fail "fakecloud's records disagree"
import json, sys
before = {i["instance_id"]: i for i in json.load(open(sys.argv[1]))}
after = {i["instance_id"]: i for i in json.load(open(sys.argv[2]))}
digest = sys.argv[3]
new = sum(after[i]["password_digest"] == digest for i in before)
same = sum(after[i]["state"] == before[i]["state"] for i in before)
print("   [%s] fakecloud: %d/%d instances have the new password's sha256"
      % ("ok" if new == len(before) else "FAIL", new, len(before)))
print("   [%s] fakecloud: %d/%d instances in their original power state"
      % ("ok" if same == len(before) else "FAIL", same, len(before)))
sys.exit(0 if new == same == len(before) else 1)
PY
  if pm logs "$RESETD_CTR" 2>&1 | grep -qF -f <(printf '%s\n' "$password") ||
     grep -qF -f <(printf '%s\n' "$password") "$WORK/create.out"; then
    fail "the password appears in resetd's log or resetctl's output"
  fi
  ok "the password is in neither resetd's log nor resetctl's output"
}

# SIGTERM through `podman stop`: resetd drains and exits 0 before the timeout.
check_stop() {
  say "stop: podman stop --time $STOP_TIMEOUT (SIGTERM)"
  local start elapsed code changes
  start=$(date +%s%N)
  pm stop --time "$STOP_TIMEOUT" "$RESETD_CTR" >/dev/null
  elapsed=$((($(date +%s%N) - start) / 1000000))
  code=$(pm inspect --format '{{.State.ExitCode}}' "$RESETD_CTR")
  pm logs "$RESETD_CTR" >"$WORK/resetd.log" 2>&1
  [[ $code -eq 0 ]] || { tail -n 20 "$WORK/resetd.log" >&2; fail "resetd exited $code on SIGTERM"; }
  ((elapsed < STOP_TIMEOUT * 1000)) || fail "podman stop took ${elapsed} ms: resetd ignored SIGTERM"
  grep -q 'event=stopped' "$WORK/resetd.log" || fail "resetd did not log event=stopped"
  ok "exit code 0 after ${elapsed} ms, event=stopped logged"
  # podman adds the mount points of the volumes (and their parents) to the
  # container's layer before it turns the root read-only; anything else in
  # `podman diff` would be a write.
  pm inspect --format '{{range .Mounts}}{{.Destination}}{{"\n"}}{{end}}' "$RESETD_CTR" >"$WORK/mounts.txt"
  pm diff "$RESETD_CTR" >"$WORK/diff.txt"
  changes=$("$PY" - "$WORK/mounts.txt" "$WORK/diff.txt" <<'PY'
import os, sys
allowed = set()
for line in open(sys.argv[1]):
    path = line.strip()
    while path not in ("", "/"):
        allowed.add(path)
        path = os.path.dirname(path)
for line in open(sys.argv[2]):
    kind, _, path = line.strip().partition(" ")
    if path and path not in allowed:
        print(kind, path)
PY
)
  [[ -z $changes ]] || fail "the container changed its filesystem outside the volumes: $changes"
  ok "podman diff: nothing but the mount points of the volumes ($(wc -l <"$WORK/diff.txt") entries)"
}

# The store on the volume: the job, its instances and steps, no password.
check_store() {
  local dir db
  dir=$(pm volume inspect --format '{{.Mountpoint}}' "$VOLUME")
  db=$dir/jobs.db
  [[ -f $db ]] || fail "no jobs.db on the volume ($dir): $(ls -la "$dir")"
  [[ $(stat -c %u:%g "$db") == "$RUNTIME_ID:$RUNTIME_ID" ]] ||
    fail "jobs.db belongs to $(stat -c %u:%g "$db"), not $RUNTIME_ID"
  "$PY" - "$db" "$JOB_ID" "$INSTANCES" <<'PY' || fail "the store does not hold the job as expected"
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
job, expected = sys.argv[2], int(sys.argv[3])
row = db.execute("SELECT state, password_sealed FROM jobs WHERE job_id = ?", (job,)).fetchone()
instances = db.execute("SELECT COUNT(*) FROM instances WHERE job_id = ?", (job,)).fetchone()[0]
steps, done = db.execute("SELECT COUNT(*), SUM(done) FROM steps WHERE job_id = ?", (job,)).fetchone()
good = row is not None and row[0] == 3 and row[1] is None and instances == expected and steps == done > 0
print("   [%s] volume's jobs.db (owner 65532): job %s state %s, %d instance records, "
      "%d/%d write-ahead steps done, sealed password %s"
      % ("ok" if good else "FAIL", job, "SUCCEEDED" if row and row[0] == 3 else row and row[0],
         instances, done or 0, steps, "dropped" if row and row[1] is None else "STILL STORED"))
sys.exit(0 if good else 1)
PY
}

# A new container on the same volume serves the job: the store outlives it.
check_restart() {
  say "restart: a new container on the same volume"
  start_resetd "resetd-image-check-b-$$"
  RESETD_CTR=resetd-image-check-b-$$
  local state
  state=$(image_resetctl --output json get "$JOB_ID" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["state"])')
  [[ $state == JOB_STATE_SUCCEEDED ]] || fail "the new container reports job $JOB_ID as $state"
  ok "job $JOB_ID read back from the volume: $state"
  pm stop --time "$STOP_TIMEOUT" "$RESETD_CTR" >/dev/null
  [[ $(pm inspect --format '{{.State.ExitCode}}' "$RESETD_CTR") -eq 0 ]] || fail "the second resetd did not exit 0"
}

report_size() {
  local bytes
  bytes=$(pm image inspect --format '{{.Size}}' "$IMAGE")
  say "image $IMAGE: $(pm images --format '{{.Size}}' "$IMAGE" | head -n1) (podman images; $bytes bytes, uncompressed)"
  awk '$1 ~ /^-/ {
         size = $3; path = $6
         if (path ~ /^usr\/local\/bin\//) { bins += size }
         else if (path ~ /\.so(\.|$)/) { libs += size; n++ }
         else { other += size }
         if (size > 1000000) big = big sprintf("      %5.1f MB  /%s\n", size / 1e6, path)
       }
       END {
         printf "   resetd + resetctl %.1f MB; %d shared libraries %.1f MB; the rest (CA bundle, licences, dpkg records) %.1f MB\n",
                bins / 1e6, n, libs / 1e6, other / 1e6
         printf "   files over 1 MB:\n%s", big
       }' "$WORK/rootfs.list"
  say "build: ${BUILD_SECONDS} s"
}

cleanup() {
  local rc=$? c
  trap - EXIT INT TERM
  for c in "${CONTAINERS[@]+"${CONTAINERS[@]}"}"; do
    pm logs "$c" >"$WORK/$c.log" 2>&1 || true
    pm rm -f -v -t 5 "$c" >/dev/null 2>&1 || true
  done
  if [[ -n ${FAKE_PID:-} ]]; then kill "$FAKE_PID" 2>/dev/null || true; wait "$FAKE_PID" 2>/dev/null || true; fi
  if [[ $rc -eq 0 && ${IMAGE_KEEP:-0} != 1 ]]; then
    rm -rf "$WORK"
    if [[ -n ${VOLUME:-} ]]; then pm volume rm -f "$VOLUME" >/dev/null 2>&1 || true; fi
  else
    echo "image: logs and files kept in $WORK${VOLUME:+, the store in volume $VOLUME (podman volume rm $VOLUME)}" >&2
  fi
  exit "$rc"
}

# ---------------------------------------------------------------------------
# The checks talk to 127.0.0.1 only: no proxy may intercept them (the build
# keeps the environment's proxy for apt).
WORK=$(mktemp -d -t resetd-image.XXXXXX)
CONTAINERS=() FAKE_PID="" VOLUME="" BUILD_SECONDS=0
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
build_image
check_image_config
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY grpc_proxy
start_fakecloud
write_container_files
VOLUME=resetd-image-check-$$
pm volume create "$VOLUME" >/dev/null
RESETD_CTR=resetd-image-check-$$
start_resetd "$RESETD_CTR"
say "resetd (container $RESETD_CTR): gRPC $GRPC_ADDR, metrics $METRICS_ADDR, store on volume $VOLUME"
check_process
check_health
check_job
check_stop
check_store
check_restart
report_size
say "all checks passed"
