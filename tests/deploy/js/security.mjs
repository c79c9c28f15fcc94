// Pod security: the Kubernetes Pod Security Standard "restricted" (every
// control of the baseline and restricted profiles, as published at
// kubernetes.io/docs/concepts/security/pod-security-standards/), and what
// resetd's image asks for on top: UID/GID 65532, a read-only root filesystem,
// seccomp RuntimeDefault. Each check returns a list of problem messages.

const kRestrictedVolumes = new Set([
  "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
  "persistentVolumeClaim", "projected", "secret",
]);
const kSeLinuxTypes = new Set([
  "", "container_t", "container_init_t", "container_kvm_t", "container_engine_t",
]);
export const kImageUid = 65532;

export function allContainers(pod) {
  return [...(pod.initContainers ?? []), ...(pod.containers ?? []),
    ...(pod.ephemeralContainers ?? [])];
}

// The effective value of a securityContext field: the container's, else the
// pod's (for the fields both have).
function effective(pod, container, name) {
  return container.securityContext?.[name] ?? pod.securityContext?.[name];
}

function seLinuxProblems(options, where) {
  if (!options) return [];
  const p = [];
  if (!kSeLinuxTypes.has(options.type ?? "")) p.push(`${where}: seLinuxOptions.type ${options.type}`);
  if (options.user || options.role) p.push(`${where}: seLinuxOptions sets user or role`);
  return p;
}

function podLevelProblems(pod, annotations) {
  const p = [];
  for (const f of ["hostNetwork", "hostPID", "hostIPC"]) {
    if (pod[f]) p.push(`pod sets ${f}`);
  }
  for (const v of pod.volumes ?? []) {
    const kind = Object.keys(v).find((k) => k !== "name");
    if (!kRestrictedVolumes.has(kind)) p.push(`volume ${v.name} is a ${kind} volume`);
  }
  const psc = pod.securityContext ?? {};
  if ((psc.sysctls ?? []).length > 0) p.push("pod sets sysctls");
  if (psc.appArmorProfile?.type === "Unconfined") p.push("pod AppArmor Unconfined");
  for (const [k, v] of Object.entries(annotations ?? {})) {
    if (k.startsWith("container.apparmor.security.beta.kubernetes.io/") && v === "unconfined") {
      p.push(`annotation ${k}: unconfined`);
    }
  }
  return p.concat(seLinuxProblems(psc.seLinuxOptions, "pod"));
}

function containerProblems(pod, c) {
  const p = [];
  const sc = c.securityContext ?? {};
  const where = `container ${c.name}`;
  if (sc.privileged) p.push(`${where}: privileged`);
  if (effective(pod, c, "windowsOptions")?.hostProcess) p.push(`${where}: hostProcess`);
  if (sc.allowPrivilegeEscalation !== false) p.push(`${where}: allowPrivilegeEscalation is not false`);
  if (effective(pod, c, "runAsNonRoot") !== true) p.push(`${where}: runAsNonRoot is not true`);
  if (effective(pod, c, "runAsUser") === 0) p.push(`${where}: runAsUser 0`);
  const seccomp = effective(pod, c, "seccompProfile")?.type;
  if (seccomp !== "RuntimeDefault") p.push(`${where}: seccomp profile ${seccomp ?? "unset"}, not RuntimeDefault`);
  const caps = sc.capabilities ?? {};
  if (!(caps.drop ?? []).includes("ALL")) p.push(`${where}: capabilities do not drop ALL`);
  for (const cap of caps.add ?? []) {
    if (cap !== "NET_BIND_SERVICE") p.push(`${where}: adds capability ${cap}`);
  }
  if ((c.ports ?? []).some((port) => port.hostPort)) p.push(`${where}: hostPort`);
  if (sc.procMount && sc.procMount !== "Default") p.push(`${where}: procMount ${sc.procMount}`);
  if (sc.appArmorProfile?.type === "Unconfined") p.push(`${where}: AppArmor Unconfined`);
  return p.concat(seLinuxProblems(sc.seLinuxOptions, where));
}

export function checkPodSecurity(ctx) {
  const annotations = ctx.sts.spec.template.metadata?.annotations;
  return allContainers(ctx.pod).reduce(
    (p, c) => p.concat(containerProblems(ctx.pod, c)),
    podLevelProblems(ctx.pod, annotations));
}

// The image's user: files on volumes belong to fsGroup, so the group too.
export function checkRunAs(ctx) {
  const p = [];
  for (const c of allContainers(ctx.pod)) {
    for (const f of ["runAsUser", "runAsGroup"]) {
      const v = effective(ctx.pod, c, f);
      if (v !== kImageUid) p.push(`container ${c.name}: ${f} ${v ?? "unset"}, not ${kImageUid}`);
    }
  }
  const fsGroup = ctx.pod.securityContext?.fsGroup;
  if (fsGroup !== kImageUid) p.push(`pod fsGroup ${fsGroup ?? "unset"}, not ${kImageUid}`);
  return p;
}

export function checkReadOnlyRoot(ctx) {
  return allContainers(ctx.pod)
    .filter((c) => c.securityContext?.readOnlyRootFilesystem !== true)
    .map((c) => `container ${c.name}: readOnlyRootFilesystem is not true`);
}
