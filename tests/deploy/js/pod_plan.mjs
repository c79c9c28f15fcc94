// Lays out resetd's pod from the rendered manifests the way the kubelet would,
// for boot_pod.sh to start the real resetd in it: each volume the container
// mounts becomes a directory under OUT/volumes (ConfigMap and Secret keys as
// files with their modes, owned by root and the fsGroup, group-readable as
// the kubelet makes them; the claim and emptyDirs as writable directories),
// and OUT/plan.json says how to mount them and whom to run as. Must run as
// root (chown). Secret values that are PLACEHOLDERs are replaced: store keys
// by a random 32-byte key, credentials by a dummy (no cloud call is made).
// A Secret that a cert-manager Certificate of the render writes (not in the
// render itself) gets the files of CERT_DIR as cert-manager would write them:
// tls.crt, tls.key and ca.crt.
//
//   node pod_plan.mjs RENDERED.yaml OUT [CERT_DIR]
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildContext, field } from "./context.mjs";
import { fileMode, named, parseManifests, volumeNamed } from "./manifests.mjs";
import { certificateSecretKeys, writtenByCertificate } from "./tls.mjs";

function storeKeyFiles(config) {
  const keys = field(field(config, "store"), "keys") ?? [];
  return new Set(keys.map((k) => field(k, "file")).filter((f) => f));
}

// The Secret a Certificate writes, with CERT_DIR's files as its data.
function issuedSecret(ctx, name, certDir) {
  const cert = writtenByCertificate(ctx.objects, name);
  if (!cert || !certDir) return null;
  const data = {};
  for (const key of certificateSecretKeys) {
    if (existsSync(join(certDir, key))) data[key] = readFileSync(join(certDir, key)).toString("base64");
  }
  return { data };
}

// The files of a ConfigMap or Secret volume: [{name, bytes, mode}].
function volumeFiles(ctx, source, kind, certDir) {
  const object = kind === "secret"
    ? named(ctx.objects, "Secret", source.secretName) ?? issuedSecret(ctx, source.secretName, certDir)
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

function writeVolume(ctx, dir, volume, mountPath, fsGroup, certDir) {
  mkdirSync(dir, { recursive: true });
  const storeKeys = storeKeyFiles(ctx.config);
  const kind = volume.kind;
  if (kind === "configMap" || kind === "secret") {
    for (const f of volumeFiles(ctx, volume.source, kind, certDir)) {
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

function main(rendered, out, certDir) {
  const { ctx, problems } = buildContext(parseManifests(readFileSync(rendered, "utf8")));
  if (!ctx) throw new Error(problems.join("; "));
  const psc = ctx.pod.securityContext ?? {};
  const csc = ctx.container.securityContext ?? {};
  const fsGroup = psc.fsGroup;
  const mounts = (ctx.container.volumeMounts ?? []).map((m) => {
    if (m.subPath) throw new Error(`subPath mounts are not supported here (${m.name})`);
    const volume = volumeNamed(ctx.sts, m.name);
    const dir = join(out, "volumes", m.name);
    writeVolume(ctx, dir, volume, m.mountPath, fsGroup, certDir);
    return { source: dir, target: m.mountPath, readOnly: m.readOnly === true };
  });
  const plan = {
    uid: csc.runAsUser ?? psc.runAsUser, gid: csc.runAsGroup ?? psc.runAsGroup, fsGroup,
    readOnlyRoot: csc.readOnlyRootFilesystem === true,
    args: ctx.container.args ?? [], mounts,
    grpcPort: ctx.grpcPort, metricsPort: ctx.metricsPort, healthPort: ctx.healthPort,
    probePort: ctx.container.readinessProbe?.grpc?.port ?? null,
    tls: Boolean(field(ctx.config, "tls")),
    requireClientCert: field(field(ctx.config, "tls"), "requireClientCert") === true,
    terminationGracePeriodSeconds: ctx.pod.terminationGracePeriodSeconds ?? 30,
    storePath: field(field(ctx.config, "store"), "path"),
  };
  writeFileSync(join(out, "plan.json"), JSON.stringify(plan, null, 2));
}

try {
  main(process.argv[2], process.argv[3], process.argv[4]);
} catch (e) {
  console.error(e.message);
  process.exitCode = 2;
}
