// The invariants of resetd's Kubernetes deployment. Each check has an id (what
// the mutation tests expect to fire) and returns problem messages; run()
// gathers them as {id, message}.
import {
  buildContext, field, kCredentialEnv, kDefaults, parseListen, withDefaults,
} from "./context.mjs";
import {
  describe, fileMode, keyAt, mountFor, named, ofKind, selects, serviceSelects,
  volumeNamed,
} from "./manifests.mjs";
import { checkPodSecurity, checkReadOnlyRoot, checkRunAs } from "./security.mjs";
import { certificateSecretKeys, checkCertificates, checkTls, writtenByCertificate } from "./tls.mjs";

const kWildcardHosts = new Set(["0.0.0.0", "[::]", "[0:0:0:0:0:0:0:0]", ""]);
const kMinMemoryLimit = 384 * 2 ** 20;  // a 100,000-instance job peaks near 160 MB: room for two, and slack

function checkReplicas(ctx) {
  const p = [];
  if (ctx.sts.spec.replicas !== 1) p.push(`StatefulSet replicas ${JSON.stringify(ctx.sts.spec.replicas)}, not 1 (one process per SQLite store)`);
  for (const hpa of ofKind(ctx.objects, "HorizontalPodAutoscaler")) {
    if (hpa.spec?.scaleTargetRef?.name === ctx.sts.metadata.name) p.push(`${describe(hpa)} scales the StatefulSet`);
  }
  return p;
}

function checkServiceAccount(ctx) {
  const p = [];
  if (ctx.pod.automountServiceAccountToken !== false) p.push("pod automountServiceAccountToken is not false");
  const name = ctx.pod.serviceAccountName ?? "default";
  const sa = named(ctx.objects, "ServiceAccount", name);
  if (!sa) p.push(`ServiceAccount "${name}" is not in the render`);
  else if (sa.automountServiceAccountToken !== false) p.push(`${describe(sa)}: automountServiceAccountToken is not false`);
  const token = (ctx.pod.volumes ?? []).some((v) => (v.projected?.sources ?? []).some((s) => s.serviceAccountToken));
  if (token) p.push("a projected volume mounts a service account token");
  return p;
}

function checkProbes(ctx) {
  const p = [];
  for (const kind of ["startupProbe", "readinessProbe", "livenessProbe"]) {
    const probe = ctx.container[kind];
    if (!probe) { p.push(`no ${kind}`); continue; }
    if (!probe.grpc) { p.push(`${kind} is not a grpc probe`); continue; }
    if (probe.grpc.port !== ctx.probePort) {
      p.push(`${kind} grpc port ${probe.grpc.port}, resetd serves plaintext health on ${ctx.probePort}` +
        (ctx.healthPort !== null ? " (healthListen; the kubelet's gRPC probes cannot speak TLS)" : ""));
    }
    if (probe.grpc.service) p.push(`${kind} asks for service "${probe.grpc.service}"; resetd's health has ""`);
    for (const other of ["httpGet", "tcpSocket", "exec"]) if (probe[other]) p.push(`${kind} also has ${other}`);
  }
  return p;
}

function checkTerminationGrace(ctx) {
  const period = ctx.pod.terminationGracePeriodSeconds ?? kDefaults.terminationGracePeriodSeconds;
  const needed = ctx.shutdownGraceS + kDefaults.serverGraceS;
  if (period > needed) return [];
  return [`terminationGracePeriodSeconds ${period} must exceed shutdownGraceS ${ctx.shutdownGraceS} + ${kDefaults.serverGraceS} s for open RPCs`];
}

function checkListen(ctx) {
  const p = [];
  const listeners = [["grpcListen", ctx.grpcListen], ["metricsListen", ctx.metricsListen]];
  if (ctx.healthPort !== null) listeners.push(["healthListen", ctx.healthListen]);
  for (const [name, address] of listeners) {
    const { host, port } = parseListen(address);
    if (!(port >= 1 && port <= 65535)) p.push(`${name} "${address}": needs a fixed port`);
    if (!kWildcardHosts.has(host)) p.push(`${name} "${address}": must listen on all addresses for probes and Services`);
  }
  if (ctx.grpcPort === ctx.metricsPort) p.push("gRPC and metrics on the same port");
  if (ctx.healthPort !== null && [ctx.grpcPort, ctx.metricsPort].includes(ctx.healthPort)) p.push("healthListen shares a port with gRPC or metrics");
  return p;
}

function containerPort(ctx, name) {
  return (ctx.container.ports ?? []).find((port) => port.name === name);
}

function checkContainerPorts(ctx) {
  const p = [];
  const wanted = [["grpc", ctx.grpcPort], ["http-metrics", ctx.metricsPort]];
  if (ctx.healthPort !== null) wanted.push(["grpc-health", ctx.healthPort]);
  for (const [name, want] of wanted) {
    const port = containerPort(ctx, name);
    if (!port) p.push(`no container port named ${name}`);
    else if (port.containerPort !== want) p.push(`container port ${name} is ${port.containerPort}, config says ${want}`);
    else if ((port.protocol ?? "TCP") !== "TCP") p.push(`container port ${name} is not TCP`);
  }
  return p;
}

// The container port a Service port or NetworkPolicy port reaches.
function targetPort(ctx, target) {
  if (typeof target === "string") return containerPort(ctx, target)?.containerPort ?? null;
  return target ?? null;
}

function selectingServices(ctx) {
  return ofKind(ctx.objects, "Service").filter((s) => serviceSelects(s, ctx.podLabels));
}

function servicePortProblems(ctx, service) {
  const p = [];
  const declared = new Set((ctx.container.ports ?? []).map((port) => port.containerPort));
  for (const port of service.spec.ports ?? []) {
    const target = targetPort(ctx, port.targetPort ?? port.port);
    if (target === null || !declared.has(target)) p.push(`${describe(service)} port ${port.name ?? port.port} reaches no container port`);
  }
  return p;
}

function checkServices(ctx) {
  const services = selectingServices(ctx);
  const p = services.flatMap((s) => servicePortProblems(ctx, s));
  const want = [["grpc", ctx.grpcPort, "grpc"], ["http-metrics", ctx.metricsPort, undefined]];
  for (const [name, number, appProtocol] of want) {
    const ok = services.some((s) => (s.spec.ports ?? []).some((port) =>
      port.name === name && targetPort(ctx, port.targetPort ?? port.port) === number &&
      (appProtocol === undefined || port.appProtocol === appProtocol)));
    if (!ok) p.push(`no Service port named ${name}${appProtocol ? ` (appProtocol ${appProtocol})` : ""} reaches port ${number}`);
  }
  const governing = named(ctx.objects, "Service", ctx.sts.spec.serviceName);
  if (!governing || governing.spec.clusterIP !== "None" || !serviceSelects(governing, ctx.podLabels)) {
    p.push(`serviceName "${ctx.sts.spec.serviceName}" is not a headless Service selecting the pod`);
  }
  return p;
}

function monitorProblems(ctx, monitor) {
  const p = [];
  const ns = monitor.metadata?.namespace;
  if (ns !== ctx.namespace) p.push(`${describe(monitor)} is not in the workload's namespace`);
  const nsSel = monitor.spec.namespaceSelector;
  if (nsSel && !nsSel.any && !(nsSel.matchNames ?? []).includes(ns)) p.push(`${describe(monitor)} namespaceSelector excludes its own namespace`);
  const services = selectingServices(ctx).filter((s) => s.metadata?.namespace === ns &&
      selects(monitor.spec.selector, s.metadata?.labels));
  for (const ep of monitor.spec.endpoints ?? []) {
    const targets = services.flatMap((s) => (s.spec.ports ?? []).filter((port) => port.name === ep.port))
      .map((port) => targetPort(ctx, port.targetPort ?? port.port));
    if (targets.length === 0 || targets.some((t) => t !== ctx.metricsPort)) {
      p.push(`${describe(monitor)} endpoint port ${ep.port} does not reach the metrics port ${ctx.metricsPort}`);
    }
    if ((ep.path ?? "/metrics") !== "/metrics") p.push(`${describe(monitor)} path ${ep.path}`);
    if ((ep.scheme ?? "http") !== "http") p.push(`${describe(monitor)} scheme ${ep.scheme}; resetd serves plain HTTP`);
  }
  if ((monitor.spec.endpoints ?? []).length === 0) p.push(`${describe(monitor)} has no endpoints`);
  return p;
}

function checkServiceMonitor(ctx) {
  const monitors = ofKind(ctx.objects, "ServiceMonitor");
  const p = monitors.flatMap((m) => monitorProblems(ctx, m));
  if (ctx.options.requireServiceMonitor && monitors.length === 0) p.push("no ServiceMonitor");
  return p;
}

function checkScrapeAnnotations(ctx) {
  const a = ctx.sts.spec.template.metadata?.annotations ?? {};
  const want = { "prometheus.io/scrape": "true", "prometheus.io/port": String(ctx.metricsPort), "prometheus.io/path": "/metrics" };
  return Object.entries(want).filter(([k, v]) => a[k] !== v)
    .map(([k, v]) => `pod annotation ${k} is ${a[k] === undefined ? "unset" : `"${a[k]}"`}, want "${v}"`);
}

function checkStore(ctx) {
  const path = field(field(ctx.config, "store"), "path");
  if (!path) return ["store.path is unset: jobs would be lost on restart"];
  const found = mountFor(ctx.container, path);
  const volume = found && volumeNamed(ctx.sts, found.mount.name);
  if (volume?.kind !== "volumeClaimTemplate") return [`store.path ${path} is not on a volumeClaimTemplate's mount`];
  const p = [];
  if (found.mount.readOnly) p.push(`store.path ${path}: its mount is read-only`);
  if (found.rest === "" || found.mount.subPath) p.push(`store.path ${path}: SQLite needs the whole directory (WAL files beside it)`);
  const modes = volume.source.spec?.accessModes ?? [];
  if (modes.length === 0 || modes.some((m) => m !== "ReadWriteOnce" && m !== "ReadWriteOncePod")) p.push(`volumeClaimTemplate ${volume.name} access modes ${modes}`);
  if (!volume.source.spec?.resources?.requests?.storage) p.push(`volumeClaimTemplate ${volume.name} requests no storage`);
  return p;
}

// The files and environment variables the config reads secrets from.
function secretSources(config) {
  const files = [];
  const envs = [];
  (field(config, "providers") ?? []).forEach((provider, i) => {
    const c = field(provider, "credentials") ?? {};
    const defaults = kCredentialEnv[field(provider, "kind")] ?? [];
    [["secretIdFile", "secretIdEnv", 0], ["secretKeyFile", "secretKeyEnv", 1]].forEach(([f, e, d]) => {
      const what = `providers[${i}].credentials`;
      if (field(c, f)) files.push({ what: `${what}.${f}`, path: field(c, f) });
      else envs.push({ what: `${what} (${e})`, name: field(c, e) || defaults[d] });
    });
  });
  const store = field(config, "store") ?? {};
  const keys = field(store, "keys") ?? [];
  if (field(store, "path") && keys.length === 0) envs.push({ what: "store (no keys)", name: "RESETD_STORE_KEY" });
  keys.forEach((key, i) => {
    if (field(key, "file")) files.push({ what: `store.keys[${i}].file`, path: field(key, "file") });
    else envs.push({ what: `store.keys[${i}].env`, name: field(key, "env") });
  });
  const tls = field(config, "tls") ?? {};
  for (const f of ["certFile", "keyFile", "clientCaFile"]) {
    if (field(tls, f)) files.push({ what: `tls.${f}`, path: field(tls, f) });
  }
  const tokens = field(field(config, "auth"), "tokensFile");
  if (tokens) files.push({ what: "auth.tokensFile", path: tokens });
  return { files, envs };
}

function secretFileProblems(ctx, { what, path }) {
  const found = mountFor(ctx.container, path);
  const volume = found && volumeNamed(ctx.sts, found.mount.name);
  if (volume?.kind !== "secret") return [`${what} ${path} is not on a Secret volume`];
  const p = [];
  if (!found.mount.readOnly) p.push(`${what} ${path}: mount ${found.mount.name} is not readOnly`);
  const key = keyAt(volume.source, found.rest);
  const secret = named(ctx.objects, "Secret", volume.source.secretName);
  const issued = writtenByCertificate(ctx.objects, volume.source.secretName);
  if (key === null) p.push(`${what} ${path}: no key of the Secret volume appears there`);
  else if (secret && !(key in (secret.data ?? {})) && !(key in (secret.stringData ?? {}))) p.push(`${what} ${path}: Secret ${volume.source.secretName} has no key ${key}`);
  else if (!secret && issued && !certificateSecretKeys.includes(key)) p.push(`${what} ${path}: ${describe(issued)} writes no key ${key} (only ${certificateSecretKeys.join(", ")})`);
  // The files belong to root; with an fsGroup, the kubelet gives them to that
  // group and adds group read to the mode (pkg/volume SetVolumeOwnership).
  const fsGroup = ctx.pod.securityContext?.fsGroup;
  const mode = fileMode(volume.source, key) | (fsGroup !== undefined ? 0o440 : 0);
  if ((mode & 0o007) !== 0) p.push(`${what} ${path}: mode 0${mode.toString(8)} lets every user read it`);
  if (fsGroup === undefined) p.push(`${what} ${path}: without an fsGroup the file (root's, mode 0${mode.toString(8)}) is unreadable to resetd`);
  return p;
}

function secretEnvProblems(ctx, { what, name }) {
  const env = (ctx.container.env ?? []).find((e) => e.name === name);
  if (env?.valueFrom?.secretKeyRef) return [];
  if (env) return [`${what}: ${name} is not taken from a Secret (secretKeyRef)`];
  const fromSecret = (ctx.container.envFrom ?? []).some((e) => e.secretRef);
  return fromSecret ? [] : [`${what}: ${name} is not set in the container`];
}

function checkSecretFiles(ctx) {
  const { files, envs } = secretSources(ctx.config);
  return files.flatMap((f) => secretFileProblems(ctx, f))
    .concat(envs.flatMap((e) => secretEnvProblems(ctx, e)));
}

function ruleProblems(ctx, rule, direction, allowed) {
  const p = [];
  if ((rule.ports ?? []).length === 0) p.push(`an ${direction} rule allows every port`);
  for (const port of rule.ports ?? []) {
    const number = direction === "ingress" ? targetPort(ctx, port.port) : port.port;
    const key = `${port.protocol ?? "TCP"}/${number}`;
    if (!allowed.has(key) || port.endPort) p.push(`${direction} allows ${key}${port.endPort ? `-${port.endPort}` : ""}`);
  }
  if (direction === "ingress") {
    const peers = rule.from ?? [];
    if (peers.length === 0) p.push("an ingress rule allows every source");
    for (const peer of peers) {
      const ns = peer.namespaceSelector;
      const labelled = ns && (Object.keys(ns.matchLabels ?? {}).length > 0 || (ns.matchExpressions ?? []).length > 0);
      if (!labelled || peer.ipBlock) p.push("an ingress peer is not a labelled namespaceSelector");
    }
  }
  return p;
}

function coverage(ctx, rules, direction, required) {
  const seen = new Set(rules.flatMap((r) => (r.ports ?? []).map((port) =>
    `${port.protocol ?? "TCP"}/${direction === "ingress" ? targetPort(ctx, port.port) : port.port}`)));
  return [...required].filter((k) => !seen.has(k)).map((k) => `${direction} does not allow ${k}`);
}

function checkNetworkPolicy(ctx) {
  const policies = ofKind(ctx.objects, "NetworkPolicy")
    .filter((np) => np.metadata?.namespace === ctx.namespace && selects(np.spec.podSelector, ctx.podLabels));
  if (policies.length === 0) return ["no NetworkPolicy selects the pod"];
  const ingressPorts = new Set([`TCP/${ctx.grpcPort}`, `TCP/${ctx.metricsPort}`]);
  const egressPorts = new Set(["UDP/53", "TCP/53", "TCP/443"]);
  const p = [];
  for (const np of policies) {
    const types = np.spec.policyTypes ?? [];
    if (!types.includes("Ingress") || !types.includes("Egress")) p.push(`${describe(np)} policyTypes ${types}`);
  }
  const ingress = policies.flatMap((np) => np.spec.ingress ?? []);
  const egress = policies.flatMap((np) => np.spec.egress ?? []);
  return p.concat(
    ingress.flatMap((r) => ruleProblems(ctx, r, "ingress", ingressPorts)),
    egress.flatMap((r) => ruleProblems(ctx, r, "egress", egressPorts)),
    coverage(ctx, ingress, "ingress", ingressPorts), coverage(ctx, egress, "egress", egressPorts));
}

function checkDisruptionBudget(ctx) {
  const budgets = ofKind(ctx.objects, "PodDisruptionBudget")
    .filter((b) => b.metadata?.namespace === ctx.namespace && selects(b.spec.selector, ctx.podLabels));
  if (budgets.length === 0) return ["no PodDisruptionBudget selects the pod"];
  return budgets.filter((b) => Object.keys(b.spec.selector?.matchLabels ?? {}).length === 0 &&
      (b.spec.selector?.matchExpressions ?? []).length === 0)
    .map((b) => `${describe(b)} selects every pod of the namespace`);
}

// Bytes of a memory quantity ("64Mi", "512M", "1e9"); NaN when malformed.
export function bytes(quantity) {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T|e\d+)?$/.exec(String(quantity ?? ""));
  if (!m) return NaN;
  const scale = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  const unit = m[2] ?? "";
  return Number(m[1]) * (unit.startsWith("e") ? 10 ** Number(unit.slice(1)) : scale[unit] ?? 1);
}

function checkResources(ctx) {
  const { requests = {}, limits = {} } = ctx.container.resources ?? {};
  const p = [];
  if (!requests.cpu || !requests.memory) p.push("container requests no cpu or no memory");
  const limit = bytes(limits.memory);
  if (!(limit >= kMinMemoryLimit)) p.push(`memory limit ${limits.memory ?? "unset"} is below 384Mi (a 100,000-instance job peaks near 160 MB; room for two and allocator slack)`);
  if (bytes(requests.memory) > limit) p.push("memory request above the limit");
  return p;
}

function checkSelectors(ctx) {
  const p = [];
  if (!selects(ctx.sts.spec.selector, ctx.podLabels)) p.push("StatefulSet selector does not select its pod template");
  const claimNames = new Set((ctx.sts.spec.volumeClaimTemplates ?? []).map((t) => t.metadata?.name));
  for (const m of ctx.container.volumeMounts ?? []) {
    if (!volumeNamed(ctx.sts, m.name) && !claimNames.has(m.name)) p.push(`volumeMount ${m.name} has no volume`);
  }
  return p;
}

function checkReferences(ctx) {
  const p = [];
  for (const v of ctx.pod.volumes ?? []) {
    if (v.configMap && !named(ctx.objects, "ConfigMap", v.configMap.name)) p.push(`ConfigMap ${v.configMap.name} is not in the render`);
    if (v.secret && !ctx.options.allowExternalSecrets && !named(ctx.objects, "Secret", v.secret.secretName) &&
        !writtenByCertificate(ctx.objects, v.secret.secretName)) p.push(`Secret ${v.secret.secretName} is not in the render, nor written by a Certificate in it`);
    if (v.configMap?.optional || v.secret?.optional) p.push(`volume ${v.name} is optional: resetd would start without it`);
  }
  return p;
}

function checkImage(ctx) {
  const image = ctx.container.image ?? "";
  if (!ctx.options.requirePinnedImage) return image ? [] : ["container has no image"];
  const name = image.split("/").pop();
  const pinned = image.includes("@sha256:") || (name.includes(":") && !name.endsWith(":latest"));
  return pinned ? [] : [`image "${image}" has no tag or digest (or is :latest)`];
}

function checkNamespaces(ctx) {
  const p = [];
  for (const obj of ctx.objects) {
    if (obj.kind !== "Namespace" && obj.metadata?.namespace !== ctx.namespace) p.push(`${describe(obj)} is not in the workload's namespace`);
  }
  for (const ns of ofKind(ctx.objects, "Namespace")) {
    if (ns.metadata.labels?.["pod-security.kubernetes.io/enforce"] !== "restricted") p.push(`${describe(ns)} does not enforce the restricted Pod Security Standard`);
  }
  return p;
}

// This checker's idea of resetd's defaults against resetd's own, when the
// config defaulted by resetd is given: a drift means context.mjs kDefaults
// needs updating.
function checkConfigDefaults(ctx) {
  const resetd = ctx.options.defaultedConfig;
  if (!resetd) return [];
  return Object.entries(withDefaults(ctx.config))
    .filter(([name, value]) => String(field(resetd, name)) !== String(value))
    .map(([name, value]) => `checker's ${name} ${value} differs from resetd's ${field(resetd, name)} (update tests/deploy/js/context.mjs)`);
}

export const kChecks = [
  ["replicas", checkReplicas], ["pod-security", checkPodSecurity], ["run-as", checkRunAs],
  ["read-only-root", checkReadOnlyRoot], ["service-account", checkServiceAccount],
  ["probes", checkProbes], ["termination-grace", checkTerminationGrace], ["listen", checkListen],
  ["container-ports", checkContainerPorts], ["services", checkServices],
  ["servicemonitor", checkServiceMonitor], ["scrape-annotations", checkScrapeAnnotations],
  ["store", checkStore], ["secret-files", checkSecretFiles], ["tls", checkTls],
  ["certificates", checkCertificates], ["networkpolicy", checkNetworkPolicy],
  ["pdb", checkDisruptionBudget], ["resources", checkResources], ["selectors", checkSelectors],
  ["references", checkReferences], ["image", checkImage], ["namespaces", checkNamespaces],
  ["config-defaults", checkConfigDefaults],
];

// Every problem of the rendered objects as {id, message}; `options`:
// requireServiceMonitor, requirePinnedImage, allowExternalSecrets,
// defaultedConfig (the config as resetd defaults it).
export function runChecks(objects, options = {}) {
  const { ctx, problems } = buildContext(objects, options);
  if (!ctx) return problems.map((message) => ({ id: "workload", message }));
  return kChecks.flatMap(([id, check]) => check(ctx).map((message) => ({ id, message })));
}
