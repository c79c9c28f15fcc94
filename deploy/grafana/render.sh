#!/usr/bin/env bash
# Renders the main panels of resetd.json from real data into
# resetd-dashboard.png: starts fakecloud (CVM instances, injected errors),
# resetd and Debian's Prometheus on 127.0.0.1 (scrape every second), runs a few
# reset jobs, then runs each panel's own queries (from resetd.json) through
# Prometheus's /api/v1/query_range and draws them with matplotlib.
# Needs a build (scripts/build.sh), prometheus, node, curl and python3-matplotlib
# (apt-get install python3-matplotlib). Takes about two minutes; everything it
# starts is stopped at the end.
# Usage: deploy/grafana/render.sh [OUT.png]     (BUILD_DIR, default build)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$(realpath -m "${1:-$ROOT/deploy/grafana/resetd-dashboard.png}")"
BUILD="$(realpath -m "${BUILD_DIR:-$ROOT/build}")"
for bin in fakecloud/fakecloud service/resetd cli/resetctl; do
  [[ -x "$BUILD/$bin" ]] || { echo "no $BUILD/$bin: run scripts/build.sh first" >&2; exit 1; }
done
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null ||
  { echo "python3-matplotlib is required (apt-get install python3-matplotlib)" >&2; exit 1; }

source "$ROOT/tests/conformance/lib/stack.sh"
source "$ROOT/tests/deploy_monitoring/lib/common.sh"
source "$ROOT/tests/deploy_monitoring/lib/prometheus.sh"
monitoring_require prometheus node curl

stack_start_fakecloud "$BUILD/fakecloud/fakecloud" --instances 300 --seed 3 --error-rate 0.05 \
  --forbidden 4 --reset-fail 3 --transition-ms 1000:4000 --reset-ms 500:1500 --log-level warn
stack_start_resetd "$BUILD/service/resetd" '{"pollIntervalMs":500,"lingerMs":200}'
cat >"$MON_WORK/prometheus.yml" <<YAML
global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: resetd
    static_configs: [{targets: ["$RESETD_METRICS_ADDR"]}]
YAML
prom_start "$MON_WORK/prometheus.yml"
prom_await "resetd is scraped" 30 'up{job="resetd"} == 1' >/dev/null
start=$(date +%s)
sleep 10  # an idle stretch before the first job, for the picture

# Three jobs of 100 instances each, started 20 s apart.
jobs=()
for i in 0 1 2; do
  jobs+=("$(monitoring_create_job "$BUILD/cli/resetctl" "render-$i" "$((i * 100)):$((i * 100 + 100))")")
  sleep 20
done
for job in "${jobs[@]}"; do monitoring_wait_job "$BUILD/cli/resetctl" "$job" 300 "$MON_WORK/job.json"; done
sleep 15  # the idle end of the picture
end=$(date +%s)

node - "$ROOT/deploy/grafana/resetd.json" "$PROM_ADDR" "$start" "$end" >"$MON_WORK/panels.json" <<'JS'
const [file, addr, start, end] = process.argv.slice(2);
const PANELS = ["Jobs by state", "Instances by result", "Instances held stopped",
  "Calls per second against the configured limit", "Throttled calls", "Provider errors by code",
  "Call latency percentiles", "Store write latency", "RPCs by method and code"];
const VARS = { job: "resetd", instance: ".*", __rate_interval: "10s", __interval: "1s", __range: "1h" };
const dashboard = JSON.parse(require("fs").readFileSync(file, "utf8"));
const sub = (s) => s.replace(/\$\{?(\w+)\}?/g, (_, v) => VARS[v]);
(async () => {
  const out = [];
  for (const title of PANELS) {
    const p = dashboard.panels.find((x) => x.title === title && x.type === "timeseries");
    const series = [];
    for (const t of p.targets) {
      const url = new URL(`http://${addr}/api/v1/query_range`);
      Object.entries({ query: sub(t.expr), start, end, step: "1" }).forEach(([k, v]) => url.searchParams.set(k, v));
      const r = await (await fetch(url)).json();
      if (r.status !== "success") throw new Error(`${title}: ${JSON.stringify(r)}`);
      for (const s of r.data.result) {
        const legend = (t.legendFormat || "").replace(/\{\{\s*(\w+)\s*\}\}/g, (_, l) => s.metric[l] ?? "");
        series.push({ legend, labels: s.metric, dashed: / limit$/.test(legend),
          points: s.values.map(([x, v]) => [x - Number(start), Number(v)]) });
      }
    }
    out.push({ title, unit: p.fieldConfig?.defaults?.unit ?? "", bars: p.fieldConfig?.defaults?.custom?.drawStyle === "bars", series });
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
JS
/usr/bin/python3 "$ROOT/deploy/grafana/render_png.py" "$MON_WORK/panels.json" "$OUT"
echo "wrote $OUT"
