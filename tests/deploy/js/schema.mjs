// Validates rendered objects against the Kubernetes API's OpenAPI schemas as
// compiled by kubernetes-models (core and built-in groups) and
// @kubernetes-models/prometheus-operator (monitoring.coreos.com CRDs) and
// @kubernetes-models/cert-manager (cert-manager.io CRDs).
//
// Those validators accept fields the schema does not know (a typo such as
// `readOnlyRootFileSystem` would pass), so unknownFields() also probes every
// field: it replaces the field's value with a Symbol, which no typed schema
// accepts, and expects the validator to complain at that field. A field it
// stays silent about is not in the schema.
import { describe } from "./manifests.mjs";

const kModelPackages = {
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
  "cert-manager.io": "@kubernetes-models/cert-manager",
};

// The model class of apiVersion/kind, or null when no package has one.
export async function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return null;
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  const pkg = kModelPackages[group] ?? "kubernetes-models";
  try {
    const module = await import(`${pkg}/${apiVersion}/${kind}`);
    return module[kind] ?? null;
  } catch (e) {
    if (e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED" ||
        e.code === "ERR_MODULE_NOT_FOUND") {
      return null;
    }
    throw e;
  }
}

function validationErrors(Model, obj) {
  try {
    new Model(obj).validate();
    return [];
  } catch (e) {
    if (!Array.isArray(e.errors)) throw e;
    return e.errors;
  }
}

// A JSON pointer token, as the validator's instancePath spells it.
function pointerToken(key) {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

function formatError(e) {
  return `${e.instancePath || "/"} ${e.message}`;
}

// Every field below `node` (at JSON pointer `path` in `root`) that the
// schema does not constrain. Mutates and restores `node` in place.
function probeFields(Model, root, node, path, out) {
  if (node === null || typeof node !== "object") return;
  for (const key of Object.keys(node)) {
    const here = `${path}/${pointerToken(key)}`;
    const saved = node[key];
    node[key] = Symbol("probe");
    const errors = validationErrors(Model, root);
    node[key] = saved;
    const noticed = errors.some((e) =>
      e.instancePath === here || e.instancePath.startsWith(here + "/"));
    if (!noticed) out.push(here);
    else probeFields(Model, root, saved, here, out);
  }
}

// The object as the API server decodes it: Secret data is base64 whose line
// breaks Go's decoder skips (kustomize v5 folds long values over lines).
function apiServerView(obj) {
  const copy = structuredClone(obj);
  if (copy.kind === "Secret" && copy.data) {
    for (const k of Object.keys(copy.data)) {
      if (typeof copy.data[k] === "string") copy.data[k] = copy.data[k].replace(/[\r\n]/g, "");
    }
  }
  return copy;
}

// Problems of one object: unknown apiVersion/kind, schema violations and
// fields the schema does not know. Each is {id, message}.
export async function checkSchema(obj) {
  const what = describe(obj);
  const Model = await modelFor(obj.apiVersion, obj.kind);
  if (!Model) {
    return [{ id: "schema", message: `${what}: no schema for ${obj.apiVersion} ${obj.kind}` }];
  }
  const errors = validationErrors(Model, apiServerView(obj));
  if (errors.length > 0) {
    return errors.map((e) => ({ id: "schema", message: `${what}: ${formatError(e)}` }));
  }
  const copy = apiServerView(obj);
  const unknown = [];
  probeFields(Model, copy, copy, "", unknown);
  return unknown.map((p) => ({ id: "unknown-field", message: `${what}: ${p} is not a field of ${obj.apiVersion} ${obj.kind}` }));
}

export async function checkSchemas(objects) {
  const problems = [];
  for (const obj of objects) problems.push(...await checkSchema(obj));
  return problems;
}
