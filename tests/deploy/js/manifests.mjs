// Reading rendered manifests (the output of `kubectl kustomize`) and the
// Kubernetes semantics the checks need: label selectors, which volume backs a
// path in a container, what a ConfigMap or Secret volume holds.
import { parseAllDocuments } from "yaml";

// Parses a multi-document YAML stream into plain objects, skipping empty
// documents. YAML 1.1, as the API server's decoder (sigs.k8s.io/yaml) reads
// it: `0440` is octal there. Throws on any syntax error.
export function parseManifests(text) {
  const objects = [];
  for (const doc of parseAllDocuments(text, { version: "1.1" })) {
    if (doc.errors.length > 0) {
      throw new Error(`YAML error: ${doc.errors[0].message}`);
    }
    const value = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value);
  }
  return objects;
}

export function describe(obj) {
  const ns = obj?.metadata?.namespace ? `${obj.metadata.namespace}/` : "";
  return `${obj?.kind ?? "?"} ${ns}${obj?.metadata?.name ?? "?"}`;
}

export function ofKind(objects, kind) {
  return objects.filter((o) => o.kind === kind);
}

export function named(objects, kind, name) {
  return objects.find((o) => o.kind === kind && o.metadata?.name === name);
}

// Whether a LabelSelector selects `labels`. An empty selector selects
// everything (PodDisruptionBudget policy/v1, NetworkPolicy podSelector); a
// missing one nothing.
export function selects(selector, labels = {}) {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  return (selector.matchExpressions ?? []).every((e) => {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case "In": return has && e.values.includes(labels[e.key]);
      case "NotIn": return !has || !e.values.includes(labels[e.key]);
      case "Exists": return has;
      case "DoesNotExist": return !has;
      default: return false;
    }
  });
}

// Whether a Service's selector (a plain map) selects `labels`.
export function serviceSelects(service, labels = {}) {
  const selector = service.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

// The volume mount of `container` that holds `path`: the one with the longest
// mountPath that is `path` or a parent of it. Returns {mount, rest}, `rest`
// being the path inside the volume (subPath applied), or null.
export function mountFor(container, path) {
  let best = null;
  for (const m of container.volumeMounts ?? []) {
    const base = m.mountPath.replace(/\/+$/, "");
    if (path !== base && !path.startsWith(base + "/")) continue;
    if (best && best.mount.mountPath.length >= m.mountPath.length) continue;
    const inside = path === base ? "" : path.slice(base.length + 1);
    const rest = [m.subPath, inside].filter((s) => s).join("/");
    best = { mount: m, rest };
  }
  return best;
}

// The pod volume or volumeClaimTemplate named `name`, as
// {kind: "configMap" | "secret" | "pvc" | ..., source, name}.
export function volumeNamed(statefulSet, name) {
  const spec = statefulSet.spec.template.spec;
  const volume = (spec.volumes ?? []).find((v) => v.name === name);
  if (volume) {
    const kind = Object.keys(volume).find((k) => k !== "name");
    return { kind, source: volume[kind], name };
  }
  const claim = (statefulSet.spec.volumeClaimTemplates ?? [])
    .find((t) => t.metadata?.name === name);
  return claim ? { kind: "volumeClaimTemplate", source: claim, name } : null;
}

// The key of a ConfigMap or Secret volume that appears at `rest` inside it:
// through `items` when listed, else the key of that name. Null when the
// volume shows no such file.
export function keyAt(source, rest) {
  if (source.items) {
    const item = source.items.find((i) => i.path === rest);
    return item ? item.key : null;
  }
  return rest !== "" && !rest.includes("/") ? rest : null;
}

// The file mode a Secret or ConfigMap volume gives the file of `key`.
export function fileMode(source, key) {
  const item = (source.items ?? []).find((i) => i.key === key);
  if (item && item.mode !== undefined) return item.mode;
  return source.defaultMode ?? 0o644;
}
