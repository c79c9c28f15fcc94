// Lays out resetd's pod from the rendered manifests the way the kubelet would,
// for boot_pod.sh to start the real resetd in it: each volume the container
// mounts becomes a directory under OUT/volumes (ConfigMap and Secret keys as
// files with their modes, owned by root and the fsGroup, group-readable as
// the kubelet makes them; the claim and emptyDirs as writable directories),
// and OUT/plan.json says how to mount them and whom to run as. Must run as
// root (chown). Secret values that are PLACEHOLDERs are replaced: store keys
// by a random 32-byte key, credentials by a dummy (no cloud call is made).
//
//   node pod_plan.mjs RENDERED.yaml OUT
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildContext, field } from "./context.mjs";
import { fileMode, named, parseManifests, volumeNamed } from "./manifests.mjs";

function storeKeyFiles(config) {
  const keys = field(field(config, "store"), "keys") ?? [];
  return new Set(keys.map((k) => field(k, "file")).filter((f) => f));
}

// The files of a ConfigMap or Secret volume: [{name, bytes, mode}].
function volumeFiles(ctx, source, kind) {
  const object = kind === "secret" ? named(ctx.objects, "Secret", source.secretName)
    : named(ctx.objects, "ConfigMap", source.name);
  if (!object) throw new Error(`${kind} volume ${source.secretName ?? source.name} is not in the render`);
  const data = object.data ?? {};
  const keys = source.items ? source.items.map((i) => i.key) : Object.keys(data);
  return keys.map((key) => {
    const name = source.items ? source.items.find((i) => i.key === key).path : key;
    const bytes = kind === "secret" ? Buffer.from(data[key].replace(/\s/g, ""), "base64") : Buffer.from(data[key]);
    return { key, name, bytes, mode: fileMode(source, key) };
  });
}

function placeholderValue(path, storeKeys) {
  return storeKeys.has(path) ? randomBytes(32).toString("base64") + "\n" : `boot-test-${randomBytes(8).toString("hex")}\n`;
}

function writeVolume(ctx, dir, volume, mountPath, fsGroup) {
  mkdirSync(dir, { recursive: true });
  const storeKeys = storeKeyFiles(ctx.config);
  const kind = volume.kind;
  if (kind === "configMap" || kind === "secret") {
    for (const f of volumeFiles(ctx, volume.source, kind)) {
      let bytes = f.bytes;
      if (kind === "secret" && bytes.toString().startsWith("PLACEHOLDER")) bytes = placeholderValue(`${mountPath}/${f.name}`, storeKeys);
      const file = join(dir, f.name);
      writeFileSync(file, bytes);
      chownSync(file, 0, fsGroup ?? 0);
      chmodSync(file, f.mode | (fsGroup !== undefined ? 0o440 : 0));
    }
    chownSync(dir, 0, fsGroup ?? 0);
    chmodSync(dir, 0o755 | (fsGroup !== undefined ? 0o2050 : 0));
  } else if (kind === "volumeClaimTemplate" || kind === "emptyDir") {
    chownSync(dir, 0, fsGroup ?? 0);
    chmodSync(dir, kind === "emptyDir" ? 0o777 : 0o755 | (fsGroup !== undefined ? 0o2770 : 0));
  } else {
    throw new Error(`volume kind ${kind} is not supported here`);
  }
}

function main(rendered, out) {
  const { ctx, problems } = buildContext(parseManifests(readFileSync(rendered, "utf8")));
  if (!ctx) throw new Error(problems.join("; "));
  const psc = ctx.pod.securityContext ?? {};
  const csc = ctx.container.securityContext ?? {};
  const fsGroup = psc.fsGroup;
  const mounts = (ctx.container.volumeMounts ?? []).map((m) => {
    if (m.subPath) throw new Error(`subPath mounts are not supported here (${m.name})`);
    const volume = volumeNamed(ctx.sts, m.name);
    const dir = join(out, "volumes", m.name);
    writeVolume(ctx, dir, volume, m.mountPath, fsGroup);
    return { source: dir, target: m.mountPath, readOnly: m.readOnly === true };
  });
  const plan = {
    uid: csc.runAsUser ?? psc.runAsUser, gid: csc.runAsGroup ?? psc.runAsGroup, fsGroup,
    readOnlyRoot: csc.readOnlyRootFilesystem === true,
    args: ctx.container.args ?? [], mounts,
    grpcPort: ctx.grpcPort, metricsPort: ctx.metricsPort,
    terminationGracePeriodSeconds: ctx.pod.terminationGracePeriodSeconds ?? 30,
    storePath: field(field(ctx.config, "store"), "path"),
  };
  writeFileSync(join(out, "plan.json"), JSON.stringify(plan, null, 2));
}

try {
  main(process.argv[2], process.argv[3]);
} catch (e) {
  console.error(e.message);
  process.exitCode = 2;
}
