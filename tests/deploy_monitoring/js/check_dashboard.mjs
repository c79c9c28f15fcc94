// Checks that deploy/grafana/resetd.json imports as is and shows what an
// operator needs:
//   - a `datasource` template variable of type datasource for prometheus, and
//     every panel, target and query variable using exactly that variable (no
//     fixed data source uid, no `__inputs` to map on import);
//   - uid, title, schemaVersion; unique panel ids; panels on the 24-column grid
//     without overlaps; every panel but rows has targets with an expr and a
//     unique refId;
//   - each panel the operator needs (REQUIRED) exists and selects its metrics
//     (read from the PromQL syntax tree).
// Usage: node check_dashboard.mjs DASHBOARD.json
import fs from "node:fs";
import { analyse } from "./promql.mjs";
import { GRAFANA_VARIABLES, panelsOf, substituteVariables } from "./sources.mjs";

// Title pattern → metrics the panel must select (all of them).
const REQUIRED = [
  [/^Jobs by state$/, ["resetd_jobs"]],
  [/^Instances by result$/, ["resetd_instances_total"]],
  [/^Instances held stopped$/, ["resetd_instances_held_stopped"]],
  [/^Calls per second against the configured limit$/, ["resetd_cloud_requests_total", "resetd_rate_limit_requests_per_second"]],
  [/^Throttled calls$/, ["resetd_throttled_total"]],
  [/^Provider errors by code$/, ["resetd_cloud_requests_total"]],
  [/^Call latency percentiles$/, ["resetd_cloud_request_duration_seconds_bucket"]],
  [/^Store write latency$/, ["resetd_store_write_duration_seconds_bucket"]],
  [/^RPCs by method and code$/, ["resetd_grpc_requests_total"]],
];
const OUR_DATASOURCE = { type: "prometheus", uid: "${datasource}" };

const file = process.argv[2];
if (!file) { console.error("usage: node check_dashboard.mjs DASHBOARD.json"); process.exit(2); }
const problems = [];
let d;
try {
  d = JSON.parse(fs.readFileSync(file, "utf8"));
} catch (e) {
  console.error(`FAIL: ${file} is not JSON: ${e.message}`);
  process.exit(1);
}

for (const k of ["uid", "title"]) if (typeof d[k] !== "string" || d[k] === "") problems.push(`no ${k}`);
if (!Number.isInteger(d.schemaVersion)) problems.push("no schemaVersion");
if (d.id !== undefined && d.id !== null) problems.push(`id ${d.id}: an imported dashboard must not carry an id`);
if (d.__inputs !== undefined) problems.push("__inputs: the dashboard must import without mapping data sources");

const variables = d.templating?.list ?? [];
const dsVar = variables.find((v) => v.name === "datasource");
if (!dsVar) problems.push("no template variable named datasource");
else if (dsVar.type !== "datasource" || dsVar.query !== "prometheus") {
  problems.push(`variable datasource: type ${dsVar.type}, query ${dsVar.query}; expected type datasource, query prometheus`);
}
const names = variables.map((v) => v.name);
if (new Set(names).size !== names.length) problems.push(`duplicate variable names: ${names.join(", ")}`);

const sameDatasource = (ds) => ds && ds.type === OUR_DATASOURCE.type && ds.uid === OUR_DATASOURCE.uid;
for (const v of variables.filter((v) => v.type === "query")) {
  if (!sameDatasource(v.datasource)) problems.push(`variable ${v.name}: datasource ${JSON.stringify(v.datasource)}, expected $datasource`);
}
// Any other data source reference anywhere (except Grafana's built-in annotations).
const walk = (node, at) => {
  if (node === null || typeof node !== "object") return;
  if (typeof node.datasource === "string" && node.datasource !== "${datasource}") {
    problems.push(`${at}: datasource ${JSON.stringify(node.datasource)}`);
  }
  if (node.datasource && typeof node.datasource === "object" && !sameDatasource(node.datasource) &&
      !(node.builtIn === 1 && node.datasource.type === "grafana")) {
    problems.push(`${at}: datasource ${JSON.stringify(node.datasource)}, expected $datasource`);
  }
  for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k}`);
};
walk(d, "");
if (/\$\{DS_[A-Z0-9_]+\}/.test(JSON.stringify(d))) problems.push("a ${DS_…} input reference: not importable as is");

const panels = panelsOf(d);
const ids = panels.map((p) => p.id);
if (ids.some((id) => !Number.isInteger(id))) problems.push("a panel without an integer id");
if (new Set(ids).size !== ids.length) problems.push(`duplicate panel ids: ${ids.join(", ")}`);
const boxes = [];
for (const p of panels) {
  const where = `panel ${p.id} "${p.title}"`;
  const g = p.gridPos ?? {};
  if (!["h", "w", "x", "y"].every((k) => Number.isInteger(g[k]) && g[k] >= 0) || g.w < 1 || g.h < 1 || g.x + g.w > 24) {
    problems.push(`${where}: gridPos ${JSON.stringify(p.gridPos)} is not on the 24-column grid`);
  } else {
    for (const [other, o] of boxes) {
      if (g.x < o.x + o.w && o.x < g.x + g.w && g.y < o.y + o.h && o.y < g.y + g.h) {
        problems.push(`${where} overlaps ${other}`);
      }
    }
    boxes.push([where, g]);
  }
  if (p.type === "row") continue;
  if (!p.title) problems.push(`panel ${p.id}: no title`);
  if (!sameDatasource(p.datasource)) problems.push(`${where}: datasource ${JSON.stringify(p.datasource)}`);
  const targets = p.targets ?? [];
  if (targets.length === 0) problems.push(`${where}: no targets`);
  const refIds = targets.map((t) => t.refId);
  if (refIds.some((r) => typeof r !== "string") || new Set(refIds).size !== refIds.length) {
    problems.push(`${where}: refIds ${JSON.stringify(refIds)} are not unique strings`);
  }
  for (const t of targets) {
    if (!sameDatasource(t.datasource)) problems.push(`${where} target ${t.refId}: datasource ${JSON.stringify(t.datasource)}`);
    if (typeof t.expr !== "string" || t.expr.trim() === "") problems.push(`${where} target ${t.refId}: no expr`);
  }
}

for (const [title, metrics] of REQUIRED) {
  const matching = panels.filter((x) => title.test(x.title ?? ""));
  if (matching.length !== 1) { problems.push(`${matching.length} panels titled ${title}, expected one`); continue; }
  const p = matching[0];
  const selected = new Set();
  for (const t of p.targets ?? []) {
    if (typeof t.expr !== "string") continue;
    const expr = substituteVariables(t.expr, GRAFANA_VARIABLES, problems, `panel "${p.title}"`);
    analyse(expr).selectors.forEach((s) => selected.add(s.name));
  }
  for (const m of metrics) if (!selected.has(m)) problems.push(`panel "${p.title}" does not select ${m}`);
}

if (problems.length > 0) {
  console.error(`FAIL: ${problems.length} problem(s) in ${file}:`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log(`ok: ${file}: ${panels.length} panels on the grid, all on the $datasource variable ` +
  `(type prometheus); the ${REQUIRED.length} required panels select their metrics`);
