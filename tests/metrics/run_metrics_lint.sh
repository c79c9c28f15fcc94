#!/usr/bin/env bash
# Starts fakecloud and resetd, runs a small job through resetctl, scrapes
# /metrics and checks the exposition:
#   - `promtool check metrics` finds nothing (idle and after the job);
#   - the families dashboards and alerts use exist with their types, and their
#     values agree with the job and with fakecloud's own call log;
#   - neither the password nor a rejected one appears in it (or in resetd's log).
# Usage: run_metrics_lint.sh <fakecloud> <resetd> <resetctl>
set -euo pipefail

if [[ $# -ne 3 || ! -x "$1" || ! -x "$2" || ! -x "$3" ]]; then
  echo "usage: $0 <path-to-fakecloud> <path-to-resetd> <path-to-resetctl>" >&2
  exit 2
fi
FAKECLOUD_BIN="$1" RESETD_BIN="$2" RESETCTL_BIN="$3"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for tool in promtool node curl; do
  if ! command -v "$tool" >/dev/null; then
    echo "$tool is required (scripts/install-deps.sh installs it)" >&2
    exit 1
  fi
done

# Sets the traps that stop every process started below.
source "$HERE/../conformance/lib/stack.sh"

export METRICS_PASSWORD='Metr1cs!Lint-Pass'
export METRICS_BAD_PASSWORD='Rejected!Canary9-Rejected!Canary9'  # > 30 chars
REGION=ap-guangzhou

# 20 instances: 2 in forbidden states and 1 whose reset fails, so that both
# results show up; injected InternalError answers put provider codes other
# than OK in the call counters (resetd retries them).
stack_start_fakecloud "$FAKECLOUD_BIN" --instances 20 --forbidden 2 --reset-fail 1 \
  --error-rate 0.15 --seed 5 --transition-ms 100:300 --reset-ms 100:200 --log-level warn
stack_start_resetd "$RESETD_BIN" '{"pollIntervalMs":200,"lingerMs":50}'

scrape() { curl -fsS --max-time 10 "http://$RESETD_METRICS_ADDR/metrics" >"$1"; }

lint() {
  local file=$1 out status=0
  out="$(promtool check metrics <"$file" 2>&1)" || status=$?
  if [[ $status -ne 0 || -n "$out" ]]; then
    echo "FAIL: promtool check metrics on $(basename "$file") (exit $status):" >&2
    printf '%s\n' "$out" >&2
    return 1
  fi
  echo "ok: promtool check metrics $(basename "$file")"
}

ctl() { timeout 60 "$RESETCTL_BIN" --server "$RESETD_GRPC_ADDR" --output json "$@"; }

scrape "$STACK_DIR/idle.prom"
lint "$STACK_DIR/idle.prom"

curl -fsS "http://$FAKECLOUD_ADDR/_fake/instances" >"$STACK_DIR/fleet.json"
ids="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1]))
  .filter((i) => i.region === process.argv[2]).map((i) => i.instance_id).join(","))' \
  "$STACK_DIR/fleet.json" "$REGION")"

# A rejected request, so that the gRPC counters see an error code too.
if printf '%s\n' "$METRICS_BAD_PASSWORD" | ctl create --provider tencent --region "$REGION" \
    --instances "$ids" --password-stdin --no-watch --request-id metrics-rejected \
    >"$STACK_DIR/rejected.out" 2>&1; then
  echo "FAIL: a create with an invalid password was accepted" >&2
  exit 1
fi

printf '%s\n' "$METRICS_PASSWORD" | ctl create --provider tencent --region "$REGION" \
  --instances "$ids" --password-stdin --no-watch --request-id metrics-job \
  >"$STACK_DIR/created.json"
job_id="$(node -e 'for (const l of require("fs").readFileSync(process.argv[1], "utf8").split("\n"))
  if (l.startsWith("{")) { console.log(JSON.parse(l).jobId); break; }' "$STACK_DIR/created.json")"
[[ -n "$job_id" ]] || { echo "FAIL: no job id in $(cat "$STACK_DIR/created.json")" >&2; exit 1; }
echo "job $job_id"

# Watch it to the end (this is also a WatchResetJob for the gRPC metrics),
# then poll Get until the state is terminal.
ctl watch "$job_id" >/dev/null 2>&1 || true
for _ in $(seq 120); do
  ctl get "$job_id" >"$STACK_DIR/job.json"
  if grep -Eq '"state":"JOB_STATE_(SUCCEEDED|PARTIALLY_FAILED|FAILED|CANCELLED)"' "$STACK_DIR/job.json"; then
    break
  fi
  sleep 0.5
done

curl -fsS "http://$FAKECLOUD_ADDR/_fake/calls" >"$STACK_DIR/calls.json"
scrape "$STACK_DIR/after-job.prom"
lint "$STACK_DIR/after-job.prom"

stack_run node "$HERE/check_exposition.js" "$STACK_DIR/after-job.prom" "$STACK_DIR/job.json" \
  "$STACK_DIR/calls.json" "$RESETD_LOG"
