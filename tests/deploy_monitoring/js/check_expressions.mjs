// Checks every PromQL expression of resetd's rules and dashboard:
//   - promtool (Prometheus's own Go parser) accepts it: each expression is
//     wrapped into a one-rule file and given to `promtool check rules`;
//   - lezer-promql parses it too, and from its syntax tree every metric it
//     selects is one that resetd exports (a sample name of the exposition
//     given, scraped from a real resetd after a real job), or a standard
//     series allowed by name (STANDARD_SERIES), or, in rules only, a series
//     recorded by the rule file itself;
//   - every label it matches on, groups by or lists names a label those
//     metrics carry (or a target label Prometheus adds); every value it
//     compares with = or != appears in the exposition.
// Usage:
//   node check_expressions.mjs --rules FILE --dashboard FILE --exposition FILE --workdir DIR
// Exits 1 listing every problem.
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { analyse } from "./promql.mjs";
import { dashboardExpressions, readExposition, readYaml, ruleExpressions } from "./sources.mjs";

// Series that are not resetd's but that Prometheus itself makes for every
// target; allowed by name.
const STANDARD_SERIES = new Set(["up"]);
// Labels that Prometheus adds to every scraped series (the scrape job and
// target; on Kubernetes also these from the ServiceMonitor).
const TARGET_LABELS = new Set(["job", "instance", "namespace", "pod", "service", "endpoint", "container"]);

const { values: args } = parseArgs({ options: {
  rules: { type: "string" }, dashboard: { type: "string" },
  exposition: { type: "string" }, workdir: { type: "string" },
} });
for (const k of ["rules", "dashboard", "exposition", "workdir"]) {
  if (!args[k]) { console.error(`--${k} is required`); process.exit(2); }
}

const problems = [];
const exposition = readExposition(args.exposition);
const rules = ruleExpressions(readYaml(args.rules));
const dashboard = JSON.parse(fs.readFileSync(args.dashboard, "utf8"));
const fromDashboard = dashboardExpressions(dashboard, problems);

// The labels a recorded series can carry: those of the series its rules
// select, and the rules' own labels.
const recorded = new Map();
for (const r of rules.filter((r) => r.record)) {
  if (!recorded.has(r.record)) recorded.set(r.record, []);
  recorded.get(r.record).push(r);
}
function labelsOf(name, seen = new Set()) {
  if (exposition.has(name)) return new Set(exposition.get(name).keys());
  const out = new Set();
  if (!recorded.has(name) || seen.has(name)) return out;
  seen.add(name);
  for (const r of recorded.get(name)) {
    Object.keys(r.labels).forEach((l) => out.add(l));
    for (const s of analyse(r.expr).selectors) {
      if (s.name) labelsOf(s.name, seen).forEach((l) => out.add(l));
    }
  }
  return out;
}

// promtool: one rule file per expression, so that each error names its source.
const dir = path.join(args.workdir, "expressions");
fs.mkdirSync(dir, { recursive: true });
const all = [...rules.map((r) => ({ ...r, inRules: true })), ...fromDashboard];
all.forEach((e, i) => {
  const file = path.join(dir, `expr-${String(i).padStart(3, "0")}.yaml`);
  fs.writeFileSync(file, `groups:\n  - name: check\n    rules:\n      - record: check_expression\n        expr: ${JSON.stringify(e.expr)}\n`);
  const run = spawnSync("promtool", ["check", "rules", file], { encoding: "utf8" });
  if (run.error) throw run.error;
  if (run.status !== 0) {
    problems.push(`${e.where}: promtool rejects ${JSON.stringify(e.expr)}:\n      ` +
      `${(run.stdout + run.stderr).trim().split("\n").filter((l) => !/^Checking /.test(l)).join("\n      ")}`);
    e.rejected = true;
  }
});

const used = new Set();
for (const e of all) {
  if (e.rejected) continue;
  const { errors, selectors, groupingLabels } = analyse(e.expr);
  if (errors.length > 0) {
    problems.push(`${e.where}: promtool accepts ${JSON.stringify(e.expr)} but lezer-promql does not: ${errors.join("; ")}`);
    continue;
  }
  if (selectors.length === 0) problems.push(`${e.where}: selects no metric: ${JSON.stringify(e.expr)}`);
  const known = new Set(TARGET_LABELS);
  for (const s of selectors) {
    if (s.name === null) {
      problems.push(`${e.where}: a selector without a literal metric name in ${JSON.stringify(e.expr)}`);
      continue;
    }
    used.add(s.name);
    const exported = exposition.has(s.name);
    const isRecorded = e.inRules && recorded.has(s.name);
    if (!exported && !STANDARD_SERIES.has(s.name) && !isRecorded) {
      problems.push(`${e.where}: metric ${s.name} is not exported by resetd` +
        (recorded.has(s.name) ? " (a recorded series: the dashboard must work without the rules)" : ""));
      continue;
    }
    const labels = labelsOf(s.name);
    labels.forEach((l) => known.add(l));
    for (const m of s.matchers) {
      if (TARGET_LABELS.has(m.label)) continue;
      if (!labels.has(m.label)) {
        problems.push(`${e.where}: ${s.name} has no label ${m.label} (it has: ${[...labels].join(", ") || "none"})`);
      } else if ((m.op === "=" || m.op === "!=") && exported && !exposition.get(s.name).get(m.label).has(m.value)) {
        problems.push(`${e.where}: ${s.name}{${m.label}${m.op}"${m.value}"}: resetd exported no such value ` +
          `(it has: ${[...exposition.get(s.name).get(m.label)].join(", ")})`);
      }
    }
  }
  for (const l of groupingLabels) {
    if (!known.has(l)) problems.push(`${e.where}: groups or matches on label ${l}, which none of its metrics has`);
  }
  if (e.labelValuesOf && !known.has(e.labelValuesOf)) {
    problems.push(`${e.where}: lists label ${e.labelValuesOf}, which its metric does not have`);
  }
}

if (problems.length > 0) {
  console.error(`FAIL: ${problems.length} problem(s) in the PromQL of the rules and the dashboard:`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log(`ok: ${all.length} expressions (${rules.length} rules, ${fromDashboard.length} from the dashboard) ` +
  `parse (promtool and lezer-promql) and use only exported metrics, labels and values: ${[...used].sort().join(", ")}`);
