// Checks deploy/prometheus beyond what promtool checks:
//   - prometheusrule.yaml is a PrometheusRule whose spec equals the plain rule
//     file (parsed, compared value by value), valid against the
//     prometheus-operator schema (@kubernetes-models/prometheus-operator) with
//     no field the schema does not know;
//   - every alert has a severity, a summary, a description and a runbook_url
//     README.md#<anchor> whose section exists in one of the README files given;
//   - every alert has unit tests (the promtool test file) in which it fires and
//     in which it stays silent; every recorded series has an expression test;
//   - recorded series are named level:metric:operations.
// With --spec-out FILE it also writes the PrometheusRule's spec as a plain rule
// file, for `promtool check rules`.
// Usage: node check_rules.mjs --rules F --prometheusrule F --tests F --readme F [--readme F…] [--spec-out F]
import fs from "node:fs";
import { isDeepStrictEqual, parseArgs } from "node:util";
import YAML from "yaml";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { readYaml } from "./sources.mjs";

const { values: args } = parseArgs({ options: {
  rules: { type: "string" }, prometheusrule: { type: "string" }, tests: { type: "string" },
  readme: { type: "string", multiple: true }, "spec-out": { type: "string" },
} });
for (const k of ["rules", "prometheusrule", "tests", "readme"]) {
  if (!args[k]) { console.error(`--${k} is required`); process.exit(2); }
}
const problems = [];
const rules = readYaml(args.rules);
const object = readYaml(args.prometheusrule);
const tests = readYaml(args.tests);

// ---- the PrometheusRule ----------------------------------------------------
function firstDifference(a, b, at = "spec") {
  if (isDeepStrictEqual(a, b)) return null;
  if (a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference(a[k], b[k], `${at}.${k}`);
      if (d) return d;
    }
  }
  return `${at}: ${JSON.stringify(a)} in the PrometheusRule, ${JSON.stringify(b)} in the rule file`;
}
if (object.apiVersion !== "monitoring.coreos.com/v1" || object.kind !== "PrometheusRule") {
  problems.push(`prometheusrule: ${object.apiVersion}/${object.kind}, expected monitoring.coreos.com/v1/PrometheusRule`);
}
if (!object.metadata?.name) problems.push("prometheusrule: no metadata.name");
const diff = firstDifference(object.spec, rules);
if (diff) problems.push(`prometheusrule differs from the rule file (run deploy/prometheus/generate-prometheusrule.sh): ${diff}`);

function schemaErrors(obj) {
  try {
    new PrometheusRule(obj).validate();
    return [];
  } catch (e) {
    if (!Array.isArray(e.errors)) throw e;
    return e.errors;
  }
}
for (const e of schemaErrors(object)) problems.push(`prometheusrule schema: ${e.instancePath || "/"} ${e.message}`);
// The validator ignores fields it does not know: replace each field in turn by
// a value no schema accepts and expect a complaint at that field.
function probe(node, at) {
  if (node === null || typeof node !== "object") return;
  for (const key of Object.keys(node)) {
    const here = `${at}/${key}`;
    const saved = node[key];
    node[key] = Symbol("probe");
    const noticed = schemaErrors(object).some((e) => e.instancePath === here || e.instancePath.startsWith(`${here}/`));
    node[key] = saved;
    if (!noticed) problems.push(`prometheusrule: field ${here} is not in the PrometheusRule schema`);
    else if (!(here.startsWith("/metadata/labels") || here.startsWith("/metadata/annotations") ||
               /\/(labels|annotations)$/.test(here))) probe(saved, here);
  }
}
probe(object, "");

// ---- alerts: labels, annotations, runbooks ---------------------------------
// GitHub's heading anchors: lower case, punctuation dropped, spaces to '-'.
const slug = (heading) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
const anchors = new Set();
for (const file of args.readme.filter((f) => fs.existsSync(f))) {
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (m) anchors.add(slug(m[1]));
  }
}
const all = (rules.groups ?? []).flatMap((g) => g.rules ?? []);
const alerts = all.filter((r) => r.alert);
for (const a of alerts) {
  const where = `alert ${a.alert}`;
  if (!["critical", "warning", "info"].includes(a.labels?.severity)) problems.push(`${where}: severity label ${a.labels?.severity}`);
  for (const k of ["summary", "description", "runbook_url"]) {
    if (typeof a.annotations?.[k] !== "string" || a.annotations[k].trim() === "") problems.push(`${where}: no ${k} annotation`);
  }
  const m = /(?:^|\/)README\.md#([a-z0-9_-]+)$/.exec(a.annotations?.runbook_url ?? "");
  if (!m) problems.push(`${where}: runbook_url ${a.annotations?.runbook_url} is not README.md#<anchor>`);
  else if (!anchors.has(m[1])) problems.push(`${where}: runbook_url anchor #${m[1]} has no heading in ${args.readme.join(", ")}`);
}

// ---- unit tests -------------------------------------------------------------
const groups = tests.tests ?? [];
const alertTests = groups.flatMap((t) => t.alert_rule_test ?? []);
const exprTests = groups.flatMap((t) => t.promql_expr_test ?? []);
for (const a of alerts) {
  const mine = alertTests.filter((t) => t.alertname === a.alert);
  if (!mine.some((t) => (t.exp_alerts ?? []).length > 0)) problems.push(`alert ${a.alert}: no unit test in which it fires`);
  // A scenario of its own in which it must never fire (not only its pending
  // minutes before it fires).
  const silent = groups.some((g) => {
    const tests = (g.alert_rule_test ?? []).filter((t) => t.alertname === a.alert);
    return tests.length > 0 && tests.every((t) => (t.exp_alerts ?? []).length === 0);
  });
  if (!silent) problems.push(`alert ${a.alert}: no unit test in which it stays silent`);
  if (!mine.some((t) => (t.exp_alerts ?? []).some((e) => e.exp_annotations))) {
    problems.push(`alert ${a.alert}: no unit test compares its annotations`);
  }
}
for (const name of new Set(all.filter((r) => r.record).map((r) => r.record))) {
  if (!/^[a-z_]+:[a-z_]+:[a-z0-9_]+$/.test(name)) problems.push(`record ${name}: not named level:metric:operations`);
  if (!exprTests.some((t) => new RegExp(`(^|[^a-z_:])${name}([^a-z0-9_:]|$)`).test(t.expr))) {
    problems.push(`record ${name}: no promql_expr_test`);
  }
}
for (const t of alertTests) {
  if (!alerts.some((a) => a.alert === t.alertname)) problems.push(`unit test of unknown alert ${t.alertname}`);
}

if (args["spec-out"]) fs.writeFileSync(args["spec-out"], YAML.stringify(object.spec ?? {}));

if (problems.length > 0) {
  console.error(`FAIL: ${problems.length} problem(s) in deploy/prometheus:`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log(`ok: the PrometheusRule matches the rule file and its schema; ${alerts.length} alerts with ` +
  `severity, summary, description and a runbook section, each with firing and silent unit tests; ` +
  `${all.length - alerts.length} recording rules with expression tests`);
