// Checks the kustomize sources under deploy/kubernetes (not their render):
//
// - every kustomization uses only fields that both Debian 12's kubectl 1.20
//   (kustomize v2.0.3, what the tests render with on a fresh machine) and
//   current kustomize v5 (what `kubectl apply -k` uses on a newer kubectl)
//   understand, with directories only under `bases` (v2.0.3 reads only files
//   from `resources`), so that a render test passing with one kubectl says
//   something about the other;
// - every file a secretGenerator reads holds a placeholder, never a key.
//
//   node check_sources.mjs DEPLOY_KUBERNETES_DIR
// Exit status: 0 all good, 1 problems (printed), 2 usage or input errors.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";

// `commonLabels` is left out on purpose: it rewrites selectors, which are
// immutable on a StatefulSet.
const kFields = new Set([
  "apiVersion", "kind", "resources", "bases", "namespace", "namePrefix",
  "nameSuffix", "commonAnnotations", "images", "configMapGenerator",
  "secretGenerator", "generatorOptions", "patchesStrategicMerge",
  "patchesJson6902",
]);
const kGeneratorFields = new Set(["name", "behavior", "files", "literals", "type"]);

function kustomizations(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) kustomizations(path, out);
    else if (entry.name === "kustomization.yaml") out.push(path);
  }
  return out;
}

const isDir = (path) => { try { return statSync(path).isDirectory(); } catch { return null; } };

function fieldProblems(k, dir, where) {
  const p = Object.keys(k).filter((f) => !kFields.has(f)).map((f) => `${where}: field ${f} is not in kustomize v2.0.3 and v5 alike`);
  for (const r of k.resources ?? []) if (isDir(join(dir, r)) !== false) p.push(`${where}: resources entry ${r} is not a file (directories go under bases)`);
  for (const b of k.bases ?? []) if (isDir(join(dir, b)) !== true) p.push(`${where}: bases entry ${b} is not a directory`);
  for (const g of [...(k.configMapGenerator ?? []), ...(k.secretGenerator ?? [])]) {
    for (const f of Object.keys(g)) if (!kGeneratorFields.has(f)) p.push(`${where}: generator ${g.name} field ${f}`);
  }
  return p;
}

function placeholderProblems(k, dir, where) {
  const p = [];
  for (const g of k.secretGenerator ?? []) {
    if ((g.literals ?? []).length > 0) p.push(`${where}: secretGenerator ${g.name} has literals`);
    for (const spec of g.files ?? []) {
      const file = spec.includes("=") ? spec.slice(spec.indexOf("=") + 1) : spec;
      if (!readFileSync(join(dir, file), "utf8").startsWith("PLACEHOLDER")) p.push(`${where}: ${file} is not a PLACEHOLDER`);
    }
  }
  return p;
}

function main(root) {
  if (!root) throw new Error("usage: check_sources.mjs DEPLOY_KUBERNETES_DIR");
  const files = kustomizations(root);
  if (files.length === 0) throw new Error(`no kustomization.yaml under ${root}`);
  const problems = files.flatMap((path) => {
    const dir = join(path, "..");
    const where = relative(root, path);
    const k = parse(readFileSync(path, "utf8")) ?? {};
    return [...fieldProblems(k, dir, where), ...placeholderProblems(k, dir, where)];
  });
  console.log(`${files.length} kustomizations: ${files.map((f) => relative(root, f)).join(", ")}`);
  for (const message of problems) console.log(`[sources] ${message}`);
  console.log(problems.length === 0 ? "sources checks passed" : `${problems.length} problem(s)`);
  return problems.length === 0 ? 0 : 1;
}

try {
  process.exitCode = main(process.argv[2]);
} catch (e) {
  console.error(e.message);
  process.exitCode = 2;
}
