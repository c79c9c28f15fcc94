// Where the PromQL expressions live: the rule file and the Grafana dashboard.
// Also a reader of the Prometheus text exposition (sample names and labels).
import fs from "node:fs";
import YAML from "yaml";

export function readYaml(file) {
  const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"), { uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`);
  return doc.toJS();
}

// Every rule of a rule file's groups: { where, expr, record?, alert?, labels }.
export function ruleExpressions(rules) {
  const out = [];
  for (const group of rules.groups ?? []) {
    for (const rule of group.rules ?? []) {
      const what = rule.alert ? `alert ${rule.alert}` : `record ${rule.record}`;
      out.push({ where: `rules: group ${group.name}, ${what}`, expr: String(rule.expr),
        record: rule.record, alert: rule.alert, labels: rule.labels ?? {} });
    }
  }
  return out;
}

// Values that stand in for Grafana's variables, so that an expression can be
// parsed: the dashboard's own variables and the built-in intervals.
export const GRAFANA_VARIABLES = {
  job: "resetd",
  instance: ".*",
  __rate_interval: "1m",
  __interval: "1m",
  __range: "1h",
};

// Replaces $var, ${var} and ${var:format}; a variable not in `values` is
// reported, not left in place.
export function substituteVariables(text, values, problems, where) {
  return text.replace(/\$(?:\{([A-Za-z_]\w*)(?::\w+)?\}|([A-Za-z_]\w*))/g, (whole, braced, bare) => {
    const name = braced ?? bare;
    if (!(name in values)) {
      problems.push(`${where}: unknown Grafana variable $${name}`);
      return whole;
    }
    return values[name];
  });
}

function panelsOf(dashboard) {
  const out = [];
  const walk = (panels) => {
    for (const p of panels ?? []) {
      out.push(p);
      walk(p.panels);
    }
  };
  walk(dashboard.panels);
  return out;
}
export { panelsOf };

// Every PromQL expression of a dashboard, variables substituted:
// { where, expr, raw, labelValuesOf? } (labelValuesOf: the label a
// label_values() variable query lists).
export function dashboardExpressions(dashboard, problems) {
  const out = [];
  for (const panel of panelsOf(dashboard)) {
    for (const t of panel.targets ?? []) {
      const where = `dashboard: panel "${panel.title}" target ${t.refId}`;
      if (typeof t.expr !== "string" || t.expr.trim() === "") {
        problems.push(`${where}: no expr`);
        continue;
      }
      out.push({ where, raw: t.expr, expr: substituteVariables(t.expr, GRAFANA_VARIABLES, problems, where) });
    }
  }
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type !== "query") continue;
    const where = `dashboard: variable $${v.name}`;
    const query = typeof v.query === "string" ? v.query : v.query?.query;
    let m;
    if ((m = /^\s*label_values\((.*),\s*([A-Za-z_]\w*)\s*\)\s*$/s.exec(query ?? ""))) {
      out.push({ where, raw: query, expr: substituteVariables(m[1], GRAFANA_VARIABLES, problems, where),
        labelValuesOf: m[2] });
    } else if ((m = /^\s*query_result\((.*)\)\s*$/s.exec(query ?? ""))) {
      out.push({ where, raw: query, expr: substituteVariables(m[1], GRAFANA_VARIABLES, problems, where) });
    } else {
      problems.push(`${where}: query ${JSON.stringify(query)} is neither label_values(selector, label) nor query_result(expr)`);
    }
  }
  return out;
}

// The samples of a text exposition: Map(name -> Map(label -> Set(values))).
export function readExposition(file) {
  const series = new Map();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+(?: \S+)?$/.exec(line);
    if (!m) throw new Error(`${file}: unparsable line: ${line}`);
    if (!series.has(m[1])) series.set(m[1], new Map());
    const labels = series.get(m[1]);
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      if (!labels.has(l[1])) labels.set(l[1], new Set());
      labels.get(l[1]).add(l[2]);
    }
  }
  return series;
}
