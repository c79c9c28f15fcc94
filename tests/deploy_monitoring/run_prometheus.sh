#!/usr/bin/env bash
# A real Prometheus against a real resetd: Debian's `prometheus` on 127.0.0.1
# (a free port, storage in a temporary directory) scrapes resetd every second
# and evaluates deploy/prometheus/resetd-rules.yaml every second while a job
# runs against fakecloud (with injected InternalError answers). Through its
# HTTP API the test then awaits, each by polling with a deadline:
#   - the scrape (up, resetd_ready, the configured limits) before the job;
#   - during and after the (second) job: the recorded call rates, the share of the
#     limit, the error ratio by code, the latency quantiles, store write
#     quantiles; the job seen running and instances seen held stopped;
#   - at the end: resetd_instances_held_stopped 0, no job queued or running, the
#     job and its instances counted; every rule evaluated without error;
#     ResetdProviderErrorRatioHigh pending (the injected errors) and no other
#     alert;
#   - after SIGTERM to resetd: up 0 and ResetdDown pending.
# The poller is also shown to fail on a condition that never holds.
# Usage: run_prometheus.sh REPO_ROOT <fakecloud> <resetd> <resetctl>
set -euo pipefail

if [[ $# -ne 4 || ! -x "$2" || ! -x "$3" || ! -x "$4" ]]; then
  echo "usage: $0 REPO_ROOT <fakecloud> <resetd> <resetctl>" >&2
  exit 2
fi
SRC="$(cd "$1" && pwd)"
FAKECLOUD_BIN=$2 RESETD_BIN=$3 RESETCTL_BIN=$4
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Sets the traps that stop every process started below (Prometheus included).
source "$SRC/tests/conformance/lib/stack.sh"
source "$HERE/lib/common.sh"
source "$HERE/lib/prometheus.sh"
monitoring_require prometheus node curl

# 60 CVM instances, 60 % running: stop, reset and start take seconds, so the
# job spans several scrapes; one call in five answers InternalError.
stack_start_fakecloud "$FAKECLOUD_BIN" --instances 60 --seed 7 --error-rate 0.2 \
  --transition-ms 500:1500 --reset-ms 300:900 --log-level warn
stack_start_resetd "$RESETD_BIN" '{"pollIntervalMs":200,"lingerMs":50}'

cp "$SRC/deploy/prometheus/resetd-rules.yaml" "$MON_WORK/resetd-rules.yaml"
cat >"$MON_WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $MON_WORK/resetd-rules.yaml
scrape_configs:
  - job_name: resetd
    static_configs:
      - targets: ["$RESETD_METRICS_ADDR"]
YAML
promtool check config "$MON_WORK/prometheus.yml" >/dev/null
prom_start "$MON_WORK/prometheus.yml"

R='job="resetd"'
T="$R,provider=\"tencent\""

echo "--- before the job"
prom_await "resetd is scraped" 30 "up{$R} == 1"
prom_await "resetd_ready is 1" 15 "resetd_ready{$R} == 1"
prom_await "the default limit of every engine action (CVM's published 40 req/s for Describe, else 10 req/s)" 15 \
  "count(resetd_rate_limit_requests_per_second{$T} == 10) == 5 and count(resetd_rate_limit_requests_per_second{$T,action=\"Describe\"} == 40) == 1"
prom_await "throttles exported at 0" 15 "count(resetd_throttled_total{$T} == 0) == 6"

# A first job makes resetd create the series of each action and answer code;
# once Prometheus has scraped them, the increments of the second job show in
# rate(). (A counter series that first appears with a value above 0 loses that
# first increment to rate() and increase().)
echo "--- a first job: 20 instances"
job="$(monitoring_create_job "$RESETCTL_BIN" monitoring-prometheus-1 0:20)"
monitoring_wait_job "$RESETCTL_BIN" "$job" 180 "$MON_WORK/job1.json"
for action in Describe Stop ResetPassword Start; do
  prom_await "$action calls scraped" 30 "resetd_cloud_requests_total{$T,action=\"$action\",code=\"OK\"} > 0"
done
prom_await "InternalError answers scraped" 30 "sum(resetd_cloud_requests_total{$T,code=\"InternalError\"}) > 0"

echo "--- the job: 40 instances"
job="$(monitoring_create_job "$RESETCTL_BIN" monitoring-prometheus-2 20:)"
echo "job $job"
for action in Describe Stop ResetPassword Start; do
  prom_await "recorded $action calls per second > 0" 60 \
    "provider_action:resetd_cloud_requests:rate5m{$T,action=\"$action\"} > 0"
done
prom_await "recorded share of the Describe limit in (0, 1)" 30 \
  "provider_action:resetd_rate_limit_utilisation:ratio_rate5m{$T,action=\"Describe\"} > 0 < 1"
prom_await "recorded share of InternalError answers in (0, 1)" 60 \
  "provider_code:resetd_cloud_request_errors:ratio_rate5m{$T,code=\"InternalError\"} > 0 < 1"
prom_await "recorded p99 latency of Stop calls > 0" 30 \
  "provider_action_quantile:resetd_cloud_request_duration_seconds:histogram_quantile{$T,action=\"Stop\",quantile=\"0.99\"} > 0"
prom_await "recorded p50 latency of store writes" 30 \
  "operation_quantile:resetd_store_write_duration_seconds:histogram_quantile{$R,operation=\"write\",quantile=\"0.5\"} >= 0"
monitoring_wait_job "$RESETCTL_BIN" "$job" 180 "$MON_WORK/job.json"
echo "job ended: $(grep -o '"state":"[A-Z_]*"' "$MON_WORK/job.json" | head -n 1)"

echo "--- after the job"
prom_await "the job was seen running" 15 "max_over_time(resetd_jobs{$R,state=\"running\"}[5m]) == 1"
prom_await "instances were seen held stopped (CVM resets stopped instances)" 15 \
  "max_over_time(resetd_instances_held_stopped{$R}[5m]) > 0"
prom_await "resetd_instances_held_stopped is 0" 30 "resetd_instances_held_stopped{$R} == 0"
prom_await "no job queued or running" 30 "sum(resetd_jobs{$R}) == 0"
prom_await "two jobs ended" 30 "sum(resetd_jobs_total{$R}) == 2"
prom_await "60 instances finished" 30 "sum(resetd_instances_total{$R}) == 60"
prom_await "recent progress" 15 "time() - resetd_last_progress_timestamp_seconds{$R} < 300"

# Every rule evaluated, without error (e.g. a many-to-many match on real labels).
rules="$(curl -fsS --max-time 5 "http://$PROM_ADDR/api/v1/rules")"
node -e '
  const groups = JSON.parse(process.argv[1]).data.groups;
  const rules = groups.flatMap((g) => g.rules);
  const bad = rules.filter((r) => r.health !== "ok" || r.lastError);
  if (rules.length === 0 || bad.length > 0) {
    console.error(`FAIL: rules not evaluated cleanly: ${JSON.stringify(bad.length ? bad : groups)}`);
    process.exit(1);
  }
  console.log(`ok: ${rules.length} rules in ${groups.length} groups evaluated, health ok`);' "$rules"

prom_await "ResetdProviderErrorRatioHigh pending on the injected InternalError answers" 30 \
  "ALERTS{alertname=\"ResetdProviderErrorRatioHigh\",alertstate=\"pending\",provider=\"tencent\",code=\"InternalError\"}"
prom_await_absent "no other alert pending or firing" 30 "ALERTS{alertname!=\"ResetdProviderErrorRatioHigh\"}"

# The poller fails when a condition never holds.
if (prom_await "held-stopped above 0 now (must time out)" 3 "resetd_instances_held_stopped{$R} > 0") 2>/dev/null; then
  echo "FAIL: prom_await passed a condition that does not hold" >&2
  exit 1
fi
if (prom_await "an unknown recorded series (must time out)" 2 "provider_action:resetd_no_such:rate5m") 2>/dev/null; then
  echo "FAIL: prom_await passed on a series that does not exist" >&2
  exit 1
fi
echo "ok: the poller fails on conditions that do not hold"

echo "--- resetd stopped"
kill -TERM "$RESETD_PID"
for _ in $(seq 300); do kill -0 "$RESETD_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$RESETD_PID" 2>/dev/null; then
  echo "FAIL: resetd did not exit within 30 s of SIGTERM" >&2
  exit 1
fi
prom_await "up is 0" 30 "up{$R} == 0"
prom_await "ResetdDown pending" 30 "ALERTS{alertname=\"ResetdDown\",alertstate=\"pending\",$R}"
