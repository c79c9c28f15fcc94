// Checks rendered Kubernetes manifests (the output of `kubectl kustomize`):
// every object against its API schema, then resetd's invariants.
//
//   node check_manifests.mjs RENDERED.yaml [--require-servicemonitor]
//       [--require-pinned-image] [--allow-external-secrets]
//       [--write-config FILE] [--defaulted-config FILE]
//
// --write-config writes the config.json the container reads (from the
// rendered ConfigMap) to FILE, for resetd's own validation
// (deploy_config_check); --defaulted-config reads what that printed: the
// config with resetd's defaults, which the checks then use.
// Exit status: 0 all good, 1 problems (each printed as "[id] message"),
// 2 usage or input errors.
import { readFileSync, writeFileSync } from "node:fs";
import { buildContext } from "./context.mjs";
import { runChecks } from "./invariants.mjs";
import { describe, parseManifests } from "./manifests.mjs";
import { checkSchemas } from "./schema.mjs";

const kFlags = {
  "--require-servicemonitor": "requireServiceMonitor",
  "--require-pinned-image": "requirePinnedImage",
  "--allow-external-secrets": "allowExternalSecrets",
};

function parseArgs(argv) {
  const options = {};
  let file = null;
  let writeConfig = null;
  for (let i = 0; i < argv.length; ++i) {
    if (kFlags[argv[i]]) options[kFlags[argv[i]]] = true;
    else if (argv[i] === "--write-config") writeConfig = argv[++i];
    else if (argv[i] === "--defaulted-config") options.defaultedConfig = JSON.parse(readFileSync(argv[++i], "utf8"));
    else if (!argv[i].startsWith("--") && file === null) file = argv[i];
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!file) throw new Error("usage: check_manifests.mjs RENDERED.yaml [flags]");
  return { file, options, writeConfig };
}

async function main() {
  const { file, options, writeConfig } = parseArgs(process.argv.slice(2));
  const objects = parseManifests(readFileSync(file, "utf8"));
  console.log(`${objects.length} objects: ${objects.map(describe).join(", ")}`);
  const problems = [...await checkSchemas(objects), ...runChecks(objects, options)];
  if (writeConfig) {
    const { ctx } = buildContext(objects, options);
    if (ctx) writeFileSync(writeConfig, ctx.configText);
  }
  for (const { id, message } of problems) console.log(`[${id}] ${message}`);
  console.log(problems.length === 0 ? "all checks passed" : `${problems.length} problem(s)`);
  return problems.length === 0 ? 0 : 1;
}

main().then((status) => { process.exitCode = status; }, (e) => {
  console.error(e.message);
  process.exitCode = 2;
});
