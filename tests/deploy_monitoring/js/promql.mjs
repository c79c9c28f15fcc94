// PromQL syntax trees from @prometheus-io/lezer-promql, the grammar of
// Prometheus's own web UI, pinned at the version of Debian 12's Prometheus
// (2.42). promtool stays the judge of validity (check_expressions.mjs runs
// both); this module only reads the tree: which metrics an expression
// selects, with which label matchers, and which labels it groups or matches on.
import { parser } from "@prometheus-io/lezer-promql";

// Strips the quotes of a PromQL string literal ("…", '…' or `…`).
function unquote(literal) {
  const quote = literal[0];
  const body = literal.slice(1, -1);
  if (quote === "`") return body;
  return body.replace(/\\(.)/g, (_, c) => ({ n: "\n", t: "\t", "\\": "\\" })[c] ?? c);
}

function childrenOf(node) {
  const out = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

function matcherOf(node, text) {
  const parts = childrenOf(node);
  const name = parts.find((p) => p.name === "LabelName");
  const op = parts.find((p) => p.name === "MatchOp");
  const value = parts.find((p) => p.name === "StringLiteral");
  return {
    label: name ? text.slice(name.from, name.to) : null,
    op: op ? text.slice(op.from, op.to) : null,
    value: value ? unquote(text.slice(value.from, value.to)) : null,
  };
}

// Analyses one expression. Returns
//   { errors: [string], selectors: [{ name, matchers: [{label, op, value}] }],
//     groupingLabels: [string] }
// `name` is the metric name (from the identifier or an exact __name__
// matcher), or null when the selector names none (an error for our checks).
export function analyse(text) {
  const tree = parser.parse(text);
  const errors = [];
  const selectors = [];
  const groupingLabels = [];
  tree.iterate({
    enter(ref) {
      if (ref.type.isError) {
        errors.push(`syntax error at offset ${ref.from}: "${text.slice(Math.max(0, ref.from - 10), ref.to + 10)}"`);
        return;
      }
      if (ref.name === "VectorSelector") {
        const node = ref.node;
        let name = null;
        const matchers = [];
        for (const c of childrenOf(node)) {
          if (c.name === "Identifier") name = text.slice(c.from, c.to);
          if (c.name === "LabelMatchers") {
            for (const m of childrenOf(c)) if (m.name === "LabelMatcher") matchers.push(matcherOf(m, text));
          }
        }
        const byName = matchers.find((m) => m.label === "__name__");
        if (name === null && byName && byName.op === "=") name = byName.value;
        selectors.push({ name, matchers: matchers.filter((m) => m.label !== "__name__") });
        return false;
      }
      if (ref.name === "GroupingLabels") {
        for (const c of childrenOf(ref.node)) {
          if (c.name === "LabelName") groupingLabels.push(text.slice(c.from, c.to));
        }
        return false;
      }
      return undefined;
    },
  });
  return { errors, selectors, groupingLabels };
}
