# Sourced by the process-level test scripts (tests/conformance, tests/metrics):
# starts fakecloud and resetd on 127.0.0.1 port 0 and always stops them.
#
#   source tests/conformance/lib/stack.sh
#   stack_start_fakecloud <fakecloud-binary> [fakecloud flags...]   # sets FAKECLOUD_ADDR
#   stack_start_resetd <resetd-binary> [extra engine JSON]         # sets RESETD_GRPC_ADDR,
#                                                                  #      RESETD_METRICS_ADDR
#   stack_run <command...>   # runs a command in the background so that signals
#                            # reach the traps, and returns its exit status
#
# Everything lives in $STACK_DIR (logs: fakecloud.log, resetd.log), removed at
# exit unless KEEP_STACK_DIR=1. Children are stopped on EXIT, INT, TERM and
# HUP, and by a watchdog if this shell is killed with SIGKILL.
# The caller runs with `set -euo pipefail`.

# The tests talk to loopback only; a proxy from the environment would
# intercept the clients' HTTP and gRPC traffic.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY grpc_proxy all_proxy ALL_PROXY

export TENCENTCLOUD_SECRET_ID="${TENCENTCLOUD_SECRET_ID:-AKIDstackTESTEXAMPLE}"
export TENCENTCLOUD_SECRET_KEY="${TENCENTCLOUD_SECRET_KEY:-stack-test-secret-key}"

STACK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/resetd-stack.XXXXXX")"
STACK_PIDS=()
STACK_CHILD=""

stack_cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP
  if [[ -n "$STACK_CHILD" ]]; then kill -TERM "$STACK_CHILD" 2>/dev/null || true; fi
  local pid
  for pid in "${STACK_PIDS[@]+"${STACK_PIDS[@]}"}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${STACK_PIDS[@]+"${STACK_PIDS[@]}"}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ $status -ne 0 ]]; then
    for log in "$STACK_DIR"/*.log; do
      [[ -f "$log" ]] || continue
      echo "----- last lines of $(basename "$log") -----" >&2
      tail -n 30 "$log" >&2
    done
  fi
  if [[ "${KEEP_STACK_DIR:-0}" == 1 ]]; then
    echo "stack files kept in $STACK_DIR" >&2
  else
    rm -rf "$STACK_DIR"
  fi
  exit "$status"
}
trap stack_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Kills `pid` once this shell is gone, even if it was killed with SIGKILL
# (ctest's timeout), so that no daemon outlives its test.
stack_watchdog() {
  local pid=$1 parent=$$
  (
    trap - EXIT INT TERM HUP
    exec >/dev/null 2>&1 </dev/null
    while kill -0 "$parent" 2>/dev/null && kill -0 "$pid" 2>/dev/null; do sleep 1; done
    kill -TERM "$pid" 2>/dev/null || true
  ) &
}

# Prints the first match of the extended regex `re` in `file`, waiting up to
# `secs` seconds while process `pid` lives.
stack_wait_line() {
  local file=$1 re=$2 pid=$3 secs=$4 line
  for _ in $(seq $((secs * 10))); do
    line="$(grep -m1 -E "$re" "$file" 2>/dev/null || true)"
    if [[ -n "$line" ]]; then printf '%s\n' "$line"; return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "process $pid exited before printing /$re/ to $file" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "timed out waiting for /$re/ in $file" >&2
  return 1
}

stack_start_fakecloud() {
  local bin=$1; shift
  "$bin" --listen 127.0.0.1:0 "$@" >"$STACK_DIR/fakecloud.out" 2>"$STACK_DIR/fakecloud.log" &
  local pid=$!
  STACK_PIDS+=("$pid")
  stack_watchdog "$pid"
  local line
  line="$(stack_wait_line "$STACK_DIR/fakecloud.out" '^listening on ' "$pid" 20)"
  FAKECLOUD_ADDR="${line#listening on }"
  FAKECLOUD_PID=$pid
  export FAKECLOUD_ADDR
}

# stack_start_resetd BIN [ENGINE_JSON] [SECURITY_JSON_FIELDS] [NAME]: the
# security fields default to '"insecure":true'; NAME (default resetd) names
# its config and log files, so that a second resetd can run beside the first.
stack_start_resetd() {
  local bin=$1 engine=${2:-'{"pollIntervalMs":200,"lingerMs":50}'}
  local security=${3:-'"insecure":true'} name=${4:-resetd}
  cat >"$STACK_DIR/$name.json" <<JSON
{"grpcListen":"127.0.0.1:0","metricsListen":"127.0.0.1:0",$security,
 "providers":[{"name":"tencent","kind":"tencent_cvm","endpoint":"$FAKECLOUD_ADDR","scheme":"http"}],
 "engine":$engine}
JSON
  "$bin" --config "$STACK_DIR/$name.json" >"$STACK_DIR/$name.out" 2>"$STACK_DIR/$name.log" &
  local pid=$!
  STACK_PIDS+=("$pid")
  stack_watchdog "$pid"
  local line
  line="$(stack_wait_line "$STACK_DIR/$name.log" 'grpc listening on ' "$pid" 20)"
  RESETD_GRPC_ADDR="$(sed -E 's/.*grpc listening on ([^ ]+).*/\1/' <<<"$line")"
  line="$(stack_wait_line "$STACK_DIR/$name.log" 'metrics listening on ' "$pid" 20)"
  RESETD_METRICS_ADDR="$(sed -E 's/.*metrics listening on ([^ ]+).*/\1/' <<<"$line")"
  RESETD_HEALTH_ADDR=""
  if grep -q 'grpc health listening on ' "$STACK_DIR/$name.log"; then
    line="$(grep -m1 'grpc health listening on ' "$STACK_DIR/$name.log")"
    RESETD_HEALTH_ADDR="$(sed -E 's/.*grpc health listening on ([^ ]+).*/\1/' <<<"$line")"
  fi
  RESETD_PID=$pid
  RESETD_LOG="$STACK_DIR/$name.log"
  FAKECLOUD_LOG="$STACK_DIR/fakecloud.log"
  export RESETD_GRPC_ADDR RESETD_METRICS_ADDR RESETD_HEALTH_ADDR RESETD_LOG FAKECLOUD_LOG
}

# Runs a command in the background and waits for it: a signal to this shell
# then interrupts `wait` and the traps stop everything at once.
stack_run() {
  "$@" &
  STACK_CHILD=$!
  local status=0
  wait "$STACK_CHILD" || status=$?
  STACK_CHILD=""
  return "$status"
}
