// Proves that each checker can fail: breaks a copy of the rules, the
// PrometheusRule, the unit tests, the dashboard or the exposition in one way at
// a time, runs the checker that must notice, and expects it to fail for that
// reason (its output must match the mutation's pattern).
// Usage:
//   node mutations.mjs rules       --src REPO_ROOT --workdir DIR
//   node mutations.mjs dashboard   --src REPO_ROOT --workdir DIR
//   node mutations.mjs expressions --src REPO_ROOT --workdir DIR --exposition FILE
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { values: args, positionals } = parseArgs({ allowPositionals: true, options: {
  src: { type: "string" }, workdir: { type: "string" }, exposition: { type: "string" },
} });
const mode = positionals[0];
const RULES = "deploy/prometheus/resetd-rules.yaml";
const OBJECT = "deploy/prometheus/prometheusrule.yaml";
const GENERATOR = "deploy/prometheus/generate-prometheusrule.sh";
const TESTS = "tests/deploy_monitoring/rules_test.yaml";
const DASHBOARD = "deploy/grafana/resetd.json";

// Replaces `from` (which must occur exactly once) by `to`.
const replaceOnce = (from, to) => (text) => {
  const n = text.split(from).length - 1;
  if (n !== 1) throw new Error(`mutation precondition: ${JSON.stringify(from)} occurs ${n} times`);
  return text.replace(from, () => to);
};
// Edits the dashboard as an object.
const editJson = (fn) => (text) => {
  const d = JSON.parse(text);
  fn(d);
  return JSON.stringify(d, null, 2);
};
const panel = (d, title) => {
  const p = d.panels.find((x) => x.title === title);
  if (!p) throw new Error(`mutation precondition: no panel "${title}"`);
  return p;
};

function run(cmd, argv, cwd) {
  const r = spawnSync(cmd, argv, { cwd, encoding: "utf8", timeout: 120000 });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

// The checks a mutation can be caught by; each runs in `root`, a copy of the
// files the checks read (same relative layout as the repository).
const CHECKS = {
  "promtool check rules": (root) => run("promtool", ["check", "rules", RULES], root),
  "promtool test rules": (root) => run("promtool", ["test", "rules", TESTS], root),
  "generator diff": (root) => {
    const g = run("bash", [GENERATOR, "-"], root);
    if (g.status !== 0) return g;
    const current = fs.readFileSync(path.join(root, OBJECT), "utf8");
    return g.output === current ? { status: 0, output: "" } : { status: 1, output: "prometheusrule.yaml is not what the generator makes" };
  },
  "check_rules.mjs": (root) => run("node", [path.join(HERE, "check_rules.mjs"), "--rules", RULES,
    "--prometheusrule", OBJECT, "--tests", TESTS, "--readme", "README.md"], root),
  "check_dashboard.mjs": (root) => run("node", [path.join(HERE, "check_dashboard.mjs"), DASHBOARD], root),
  "check_expressions.mjs": (root) => run("node", [path.join(HERE, "check_expressions.mjs"), "--rules", RULES,
    "--dashboard", DASHBOARD, "--exposition", "metrics.prom", "--workdir", "work"], root),
};

// [name, file, transform, check, pattern the check's output must match]
const MUTATIONS = {
  rules: [
    ["held-stopped threshold raised", RULES, replaceOnce("resetd_instances_held_stopped > 0", "resetd_instances_held_stopped > 5"),
      "promtool test rules", /ResetdInstancesHeldStopped/],
    ["held-stopped for: shortened", RULES, replaceOnce("for: 15m", "for: 5m"), "promtool test rules", /ResetdInstancesHeldStopped/],
    ["ResetdDown without its job selector", RULES, replaceOnce("expr: up{job=\"resetd\"} == 0", "expr: up == 0"),
      "promtool test rules", /ResetdDown/],
    ["ResetdAbsent without its job selector", RULES, replaceOnce("absent(up{job=\"resetd\"})", "absent(up)"),
      "promtool test rules", /ResetdAbsent/],
    ["ResetdNotReady without for:", RULES, replaceOnce("expr: resetd_ready == 0\n        for: 2m", "expr: resetd_ready == 0\n        for: 0m"),
      "promtool test rules", /ResetdNotReady/],
    ["ResetdThrottled on the counter's value", RULES, replaceOnce("increase(resetd_throttled_total[5m]) > 0", "resetd_throttled_total > 0"),
      "promtool test rules", /ResetdThrottled/],
    ["error ratio threshold raised", RULES, replaceOnce("ratio_rate5m > 0.05", "ratio_rate5m > 0.5"),
      "promtool test rules", /ResetdProviderErrorRatioHigh/],
    ["job stuck after 90 s", RULES, replaceOnce("resetd_last_progress_timestamp_seconds > 900", "resetd_last_progress_timestamp_seconds > 90"),
      "promtool test rules", /ResetdJobStuck/],
    ["job stuck without jobs", RULES, replaceOnce("\n            and\n          (sum without (state) (resetd_jobs) > 0)", ""),
      "promtool test rules", /ResetdJobStuck/],
    ["store failures on the counter's value", RULES,
      replaceOnce("increase(resetd_store_write_failures_total[5m]) > 0", "resetd_store_write_failures_total > 0"),
      "promtool test rules", /ResetdStoreWriteFailures/],
    ["a description reworded", RULES, replaceOnce("{{ $labels.operation }} write(s)", "{{ $labels.operation }} writes"),
      "promtool test rules", /ResetdStoreWriteFailures/],
    ["a recorded rate that drops the action", RULES, replaceOnce("sum without (code) (rate(resetd_cloud_requests_total[5m]))",
      "sum without (code, action) (rate(resetd_cloud_requests_total[5m]))"), "promtool test rules", /provider_action:resetd_cloud_requests:rate5m/],
    ["a syntax error", RULES, replaceOnce("rate(resetd_throttled_total[5m])", "rate(resetd_throttled_total[5m]"),
      "promtool check rules", /FAILED|error/i],
    ["the rule file changed, the PrometheusRule not regenerated", RULES, replaceOnce("ratio_rate5m > 0.05", "ratio_rate5m > 0.06"),
      "generator diff", /not what the generator makes/],
    ["the PrometheusRule edited by hand", OBJECT, replaceOnce("ratio_rate5m > 0.05", "ratio_rate5m > 0.06"),
      "check_rules.mjs", /differs from the rule file/],
    ["the PrometheusRule with a misspelt field", OBJECT, replaceOnce("\nspec:\n", "\nspec:\n  groupz: []\n"),
      "check_rules.mjs", /\/spec\/groupz is not in the PrometheusRule schema/],
    ["a runbook_url without its section", RULES, replaceOnce("README.md#runbook-resetdthrottled", "README.md#runbook-resetdthrotled"),
      "check_rules.mjs", /anchor #runbook-resetdthrotled has no heading/],
    ["an alert without a runbook_url", RULES, replaceOnce("          runbook_url: README.md#runbook-resetdabsent\n", ""),
      "check_rules.mjs", /ResetdAbsent: no runbook_url/],
    ["an alert without a severity", RULES, replaceOnce("for: 10m\n        labels:\n          severity: warning", "for: 10m\n        labels:\n          team: ops"),
      "check_rules.mjs", /ResetdProviderErrorRatioHigh: severity/],
    ["an alert without a silent test", TESTS, (t) => t.replace(/\n  - name: ResetdThrottled stays silent[\s\S]*?(?=\n  # ----)/, () => ""),
      "check_rules.mjs", /ResetdThrottled: no unit test in which it stays silent/],
  ],
  dashboard: [
    ["no datasource variable", DASHBOARD, editJson((d) => { d.templating.list = d.templating.list.filter((v) => v.name !== "datasource"); }),
      "check_dashboard.mjs", /no template variable named datasource/],
    ["datasource variable of another type", DASHBOARD, editJson((d) => { d.templating.list[0].query = "loki"; }),
      "check_dashboard.mjs", /expected type datasource, query prometheus/],
    ["a fixed data source uid", DASHBOARD, editJson((d) => { panel(d, "Throttled calls").datasource = { type: "prometheus", uid: "P1809F7CD0C75ACF3" }; }),
      "check_dashboard.mjs", /P1809F7CD0C75ACF3/],
    ["a target on a fixed data source", DASHBOARD, editJson((d) => { panel(d, "Jobs by state").targets[0].datasource = "Prometheus"; }),
      "check_dashboard.mjs", /datasource "Prometheus"/],
    ["an __inputs section", DASHBOARD, editJson((d) => { d.__inputs = [{ name: "DS_PROMETHEUS", type: "datasource", pluginId: "prometheus" }]; }),
      "check_dashboard.mjs", /__inputs/],
    ["a dashboard id", DASHBOARD, editJson((d) => { d.id = 42; }), "check_dashboard.mjs", /must not carry an id/],
    ["duplicate panel ids", DASHBOARD, editJson((d) => { d.panels[3].id = d.panels[2].id; }), "check_dashboard.mjs", /duplicate panel ids/],
    ["overlapping panels", DASHBOARD, editJson((d) => { panel(d, "Throttled calls").gridPos.x = 4; }), "check_dashboard.mjs", /overlaps/],
    ["a panel off the grid", DASHBOARD, editJson((d) => { panel(d, "RPCs by method and code").gridPos.w = 30; }),
      "check_dashboard.mjs", /not on the 24-column grid/],
    ["the throttles panel missing", DASHBOARD, editJson((d) => { d.panels = d.panels.filter((p) => p.title !== "Throttled calls"); }),
      "check_dashboard.mjs", /0 panels titled \/\^Throttled calls\$\//],
    ["calls without their limit", DASHBOARD, editJson((d) => { panel(d, "Calls per second against the configured limit").targets.pop(); }),
      "check_dashboard.mjs", /does not select resetd_rate_limit_requests_per_second/],
    ["a target without expr", DASHBOARD, editJson((d) => { delete panel(d, "Instances by result").targets[0].expr; }),
      "check_dashboard.mjs", /target A: no expr/],
  ],
  expressions: [
    ["an unknown metric in the dashboard", DASHBOARD, editJson((d) => {
      panel(d, "Throttled calls").targets[0].expr = "sum(rate(resetd_throttles_total[$__rate_interval]))"; }),
      "check_expressions.mjs", /metric resetd_throttles_total is not exported/],
    ["an unknown metric in an alert", RULES, replaceOnce("expr: resetd_instances_held_stopped > 0", "expr: resetd_instances_stopped > 0"),
      "check_expressions.mjs", /alert ResetdInstancesHeldStopped: metric resetd_instances_stopped is not exported/],
    ["a misspelt grouping label", DASHBOARD, editJson((d) => {
      const t = panel(d, "Provider errors by code").targets[0]; t.expr = t.expr.replace("by (provider, code)", "by (provider, reason)"); }),
      "check_expressions.mjs", /groups or matches on label reason/],
    ["a misspelt matcher label", RULES, replaceOnce("resetd_cloud_requests_total{code!=\"OK\"}", "resetd_cloud_requests_total{status!=\"OK\"}"),
      "check_expressions.mjs", /resetd_cloud_requests_total has no label status/],
    ["a label value resetd never exports", DASHBOARD, editJson((d) => {
      const t = panel(d, "Jobs running").targets[0]; t.expr = t.expr.replace('state="running"', 'state="active"'); }),
      "check_expressions.mjs", /resetd_jobs\{state="active"\}: resetd exported no such value/],
    ["a syntax error", DASHBOARD, editJson((d) => {
      const t = panel(d, "Instances by result").targets[0]; t.expr = t.expr.replace("sum by (result) (", "sum by (result ("); }),
      "check_expressions.mjs", /promtool rejects/],
    ["an unknown Grafana variable", DASHBOARD, editJson((d) => {
      const t = panel(d, "Jobs by state").targets[0]; t.expr = t.expr.replace('job="$job"', 'job="$job", cluster="$cluster"'); }),
      "check_expressions.mjs", /unknown Grafana variable \$cluster/],
    ["a recorded series in the dashboard", DASHBOARD, editJson((d) => {
      panel(d, "Throttled calls").targets[0].expr = "sum(provider_action:resetd_throttled:rate5m)"; }),
      "check_expressions.mjs", /a recorded series: the dashboard must work without the rules/],
    ["a selector without a literal name", RULES, replaceOnce("expr: resetd_ready == 0", "expr: '{__name__=~\"resetd_r.*\"} == 0'"),
      "check_expressions.mjs", /without a literal metric name/],
    ["a resetd that does not export resetd_ready", "metrics.prom", (t) => t.split("\n").filter((l) => !l.includes("resetd_ready")).join("\n"),
      "check_expressions.mjs", /metric resetd_ready is not exported/],
  ],
};

if (!MUTATIONS[mode] || !args.src || !args.workdir || (mode === "expressions" && !args.exposition)) {
  console.error("usage: node mutations.mjs rules|dashboard|expressions --src REPO_ROOT --workdir DIR [--exposition FILE]");
  process.exit(2);
}

function copyTree(root) {
  for (const f of [RULES, OBJECT, GENERATOR, TESTS, DASHBOARD, "README.md"]) {
    const from = path.join(args.src, f);
    if (!fs.existsSync(from)) continue;
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.copyFileSync(from, path.join(root, f));
  }
  if (args.exposition) fs.copyFileSync(args.exposition, path.join(root, "metrics.prom"));
  fs.mkdirSync(path.join(root, "work"), { recursive: true });
}

// The unbroken copy must pass every check the mutations use, or a failure
// would prove nothing.
const baseline = path.join(args.workdir, "mutation-baseline");
copyTree(baseline);
let failures = 0;
for (const check of new Set(MUTATIONS[mode].map((m) => m[3]))) {
  const r = CHECKS[check](baseline);
  if (r.status !== 0) {
    console.error(`FAIL: the unbroken files already fail ${check}:\n${r.output}`);
    failures++;
  }
}
MUTATIONS[mode].forEach(([name, file, transform, check, pattern], i) => {
  const root = path.join(args.workdir, `mutation-${mode}-${i}`);
  copyTree(root);
  const target = path.join(root, file);
  const before = fs.readFileSync(target, "utf8");
  const after = transform(before);
  if (after === before) throw new Error(`mutation "${name}" changes nothing in ${file}`);
  fs.writeFileSync(target, after);
  const r = CHECKS[check](root);
  if (r.status === 0) {
    console.error(`FAIL: ${check} accepted a broken copy: ${name}`);
    failures++;
  } else if (!pattern.test(r.output)) {
    console.error(`FAIL: ${check} rejected "${name}", but not for that reason (expected ${pattern}):\n${r.output}`);
    failures++;
  } else {
    console.log(`ok: ${check} rejects: ${name}`);
  }
});
if (failures > 0) process.exit(1);
console.log(`ok: all ${MUTATIONS[mode].length} broken copies rejected for the right reason`);
