# Sourced by the tests/deploy_monitoring scripts (which run with
# `set -euo pipefail`): tool checks, the pinned npm packages, a work directory.
#
#   monitoring_require TOOL...        fails naming the Debian package of each missing tool
#   monitoring_node_setup CACHE_DIR   npm ci of node/package-lock.json into CACHE_DIR
#                                     (once per change of the lock file, one test at a
#                                     time), then js/ copied into $MON_WORK beside a
#                                     node_modules link; sets MON_JS=$MON_WORK/js
#
# MON_WORK is a fresh work directory: $STACK_DIR/monitoring when
# tests/conformance/lib/stack.sh was sourced first (its traps remove it with the
# rest, unless KEEP_STACK_DIR=1), else a temporary directory removed at exit
# unless KEEP_MONITORING_WORK=1.

MON_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -n "${STACK_DIR:-}" ]]; then
  MON_WORK="$STACK_DIR/monitoring"
  mkdir -p "$MON_WORK"
else
  MON_WORK="$(mktemp -d "${TMPDIR:-/tmp}/resetd-monitoring.XXXXXX")"
  monitoring_cleanup() {
    if [[ "${KEEP_MONITORING_WORK:-0}" == 1 ]]; then
      echo "monitoring work files kept in $MON_WORK" >&2
    else
      rm -rf "$MON_WORK"
    fi
  }
  trap monitoring_cleanup EXIT
fi

monitoring_require() {
  local tool missing=0
  declare -A package=([promtool]=prometheus [prometheus]=prometheus [node]=nodejs [npm]=npm
    [curl]=curl [flock]=util-linux)
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null; then
      echo "$tool is required: apt-get install ${package[$tool]:-$tool} (scripts/install-deps.sh installs it)" >&2
      missing=1
    fi
  done
  return "$missing"
}

monitoring_node_setup() {
  local cache=$1 stamp
  mkdir -p "$cache"
  stamp="$(cat "$MON_HERE/node/package.json" "$MON_HERE/node/package-lock.json" | sha256sum)"
  (
    flock 9
    if [[ ! -d "$cache/node_modules" || "$(cat "$cache/.stamp" 2>/dev/null)" != "$stamp" ]]; then
      rm -rf "$cache/node_modules" "$cache/.stamp"
      cp "$MON_HERE/node/package.json" "$MON_HERE/node/package-lock.json" "$cache/"
      (cd "$cache" && timeout 240 npm ci --no-audit --no-fund --loglevel=error \
        --cache "$cache/.npm-cache")
      printf '%s' "$stamp" >"$cache/.stamp"
    fi
  ) 9>"$cache/.lock"
  cp -r "$MON_HERE/js" "$MON_WORK/js"
  ln -s "$(cd "$cache" && pwd)/node_modules" "$MON_WORK/node_modules"
  MON_JS="$MON_WORK/js"
}

# ---- jobs through resetctl (needs RESETD_GRPC_ADDR from stack.sh) -----------

# monitoring_create_job RESETCTL REQUEST_ID [FROM:TO]: creates a reset job of
# the instances of fakecloud's region ap-guangzhou (sorted by id, the slice
# FROM:TO of them if given) and prints its id.
monitoring_create_job() {
  local ctl=$1 request_id=$2 slice=${3:-0:} ids out
  ids="$(curl -fsS --max-time 10 "http://$FAKECLOUD_ADDR/_fake/instances" | node -e '
    const [from, to] = process.argv[1].split(":").map((n) => (n === "" ? undefined : Number(n)));
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s)
      .filter((i) => i.region === "ap-guangzhou").map((i) => i.instance_id).sort()
      .slice(from, to).join(",")));' "$slice")"
  [[ -n "$ids" ]] || { echo "no instances in slice $slice" >&2; return 1; }
  out="$(printf '%s\n' 'Mon1tor!ng-Pass' | timeout 60 "$ctl" --server "$RESETD_GRPC_ADDR" --output json \
    create --provider tencent --region ap-guangzhou --instances "$ids" --password-stdin \
    --no-watch --request-id "$request_id")"
  node -e 'for (const l of process.argv[1].split("\n"))
    if (l.startsWith("{")) { console.log(JSON.parse(l).jobId); process.exit(0); }
    process.exit(1);' "$out" || { echo "no job id in: $out" >&2; return 1; }
}

# monitoring_wait_job RESETCTL JOB_ID SECONDS OUT: polls the job until it has
# ended, at most SECONDS; writes its last `get` (JSON) to OUT.
monitoring_wait_job() {
  local ctl=$1 job=$2 secs=$3 out=$4 deadline=$((SECONDS + $3))
  while ((SECONDS < deadline)); do
    timeout 30 "$ctl" --server "$RESETD_GRPC_ADDR" --output json get "$job" >"$out"
    if grep -Eq '"state":"JOB_STATE_(SUCCEEDED|PARTIALLY_FAILED|FAILED|CANCELLED)"' "$out"; then
      return 0
    fi
    sleep 0.2
  done
  echo "job $job did not end within ${secs}s: $(cat "$out")" >&2
  return 1
}
