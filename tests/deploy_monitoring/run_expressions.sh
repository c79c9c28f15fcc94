#!/usr/bin/env bash
# Every PromQL expression of deploy/prometheus/resetd-rules.yaml and
# deploy/grafana/resetd.json parses (promtool, lezer-promql) and uses only
# metrics, labels and values that a real resetd exports: fakecloud and resetd
# are started on 127.0.0.1 port 0, a small job runs (with injected provider
# errors and failing instances, so that error codes and both results appear),
# /metrics is scraped and linted, and js/check_expressions.mjs compares. Then
# broken copies, each rejected (js/mutations.mjs expressions).
# Usage: run_expressions.sh REPO_ROOT NODE_CACHE_DIR <fakecloud> <resetd> <resetctl>
set -euo pipefail

if [[ $# -ne 5 || ! -x "$3" || ! -x "$4" || ! -x "$5" ]]; then
  echo "usage: $0 REPO_ROOT NODE_CACHE_DIR <fakecloud> <resetd> <resetctl>" >&2
  exit 2
fi
SRC="$(cd "$1" && pwd)"
CACHE=$2 FAKECLOUD_BIN=$3 RESETD_BIN=$4 RESETCTL_BIN=$5
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Sets the traps that stop every process started below; then MON_WORK inside it.
source "$SRC/tests/conformance/lib/stack.sh"
source "$HERE/lib/common.sh"
monitoring_require promtool node npm curl flock
monitoring_node_setup "$CACHE"

stack_start_fakecloud "$FAKECLOUD_BIN" --instances 20 --forbidden 2 --reset-fail 1 \
  --error-rate 0.15 --seed 5 --transition-ms 100:300 --reset-ms 100:200 --log-level warn
stack_start_resetd "$RESETD_BIN" '{"pollIntervalMs":200,"lingerMs":50}'

job="$(monitoring_create_job "$RESETCTL_BIN" monitoring-expressions)"
monitoring_wait_job "$RESETCTL_BIN" "$job" 120 "$MON_WORK/job.json"
echo "job $job ended: $(grep -o '"state":"[A-Z_]*"' "$MON_WORK/job.json" | head -n 1)"

curl -fsS --max-time 10 "http://$RESETD_METRICS_ADDR/metrics" >"$MON_WORK/metrics.prom"
lint="$(promtool check metrics <"$MON_WORK/metrics.prom" 2>&1)" || {
  echo "FAIL: the scrape does not lint: $lint" >&2
  exit 1
}

stack_run node "$MON_JS/check_expressions.mjs" \
  --rules "$SRC/deploy/prometheus/resetd-rules.yaml" --dashboard "$SRC/deploy/grafana/resetd.json" \
  --exposition "$MON_WORK/metrics.prom" --workdir "$MON_WORK"
stack_run node "$MON_JS/mutations.mjs" expressions --src "$SRC" --workdir "$MON_WORK" \
  --exposition "$MON_WORK/metrics.prom"
