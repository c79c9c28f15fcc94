// The checker must reject a broken deployment, or the passing checks prove
// nothing. Starting from the rendered example overlay (path in $RENDERED),
// each case breaks one thing (or returns {options} for the checker) and
// expects the check of that id to fire; the last test proves every check id
// is exercised here.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { kChecks, runChecks } from "./invariants.mjs";
import { parseManifests } from "./manifests.mjs";
import { checkSchemas } from "./schema.mjs";

const kOptions = { requireServiceMonitor: true, requirePinnedImage: true };
const good = parseManifests(readFileSync(process.env.RENDERED, "utf8"));

async function problems(objects, options = kOptions) {
  return [...await checkSchemas(objects), ...runChecks(objects, options)];
}

const find = (o, kind, name) => o.find((x) => x.kind === kind && (!name || x.metadata.name === name));
const sts = (o) => find(o, "StatefulSet");
const pod = (o) => sts(o).spec.template.spec;
const ctr = (o) => pod(o).containers.find((c) => c.name === "resetd");
const csc = (o) => ctr(o).securityContext;
const vol = (o, name) => pod(o).volumes.find((v) => v.name === name);
const mnt = (o, name) => ctr(o).volumeMounts.find((m) => m.name === name);
const np = (o) => find(o, "NetworkPolicy");
const monitor = (o) => find(o, "ServiceMonitor");
const cert = (o, name) => find(o, "Certificate", name);
const tlsMount = (o) => mnt(o, "tls");
const port = (svc, name) => svc.spec.ports.find((p) => p.name === name);
const drop = (o, kind) => o.splice(o.findIndex((x) => x.kind === kind), 1);

// Edits the config.json of the rendered ConfigMap in place.
function config(o, edit) {
  const cm = find(o, "ConfigMap");
  const json = JSON.parse(cm.data["config.json"]);
  edit(json);
  cm.data["config.json"] = JSON.stringify(json);
}
const provider = (c) => c.providers[0];

const kMutations = [
  ["replicas", "two replicas", (o) => { sts(o).spec.replicas = 2; }],
  ["replicas", "an autoscaler", (o) => o.push({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "resetd", namespace: sts(o).metadata.namespace }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "StatefulSet", name: "resetd" }, maxReplicas: 3 } })],
  ["pod-security", "privilege escalation", (o) => { csc(o).allowPrivilegeEscalation = true; }],
  ["pod-security", "escalation unset", (o) => { delete csc(o).allowPrivilegeEscalation; }],
  ["pod-security", "ALL not dropped", (o) => { csc(o).capabilities.drop = ["NET_RAW"]; }],
  ["pod-security", "capability added", (o) => { csc(o).capabilities.add = ["NET_ADMIN"]; }],
  ["pod-security", "seccomp Unconfined", (o) => { csc(o).seccompProfile = { type: "Unconfined" }; }],
  ["pod-security", "seccomp unset", (o) => { delete csc(o).seccompProfile; delete pod(o).securityContext.seccompProfile; }],
  ["pod-security", "runAsNonRoot unset", (o) => { delete csc(o).runAsNonRoot; delete pod(o).securityContext.runAsNonRoot; }],
  ["pod-security", "privileged", (o) => { csc(o).privileged = true; }],
  ["pod-security", "hostNetwork", (o) => { pod(o).hostNetwork = true; }],
  ["pod-security", "hostPath volume", (o) => { pod(o).volumes.push({ name: "host", hostPath: { path: "/" } }); }],
  ["pod-security", "hostPort", (o) => { ctr(o).ports[0].hostPort = 50051; }],
  ["run-as", "root user", (o) => { csc(o).runAsUser = 0; }],
  ["run-as", "other group", (o) => { csc(o).runAsGroup = 1000; }],
  ["run-as", "no fsGroup", (o) => { delete pod(o).securityContext.fsGroup; }],
  ["read-only-root", "writable root", (o) => { csc(o).readOnlyRootFilesystem = false; }],
  ["service-account", "pod mounts the token", (o) => { pod(o).automountServiceAccountToken = true; }],
  ["service-account", "account mounts the token", (o) => { find(o, "ServiceAccount").automountServiceAccountToken = true; }],
  ["service-account", "no account object", (o) => { drop(o, "ServiceAccount"); }],
  ["probes", "readiness on the metrics port", (o) => { ctr(o).readinessProbe.grpc.port = 9464; }],
  ["probes", "liveness over HTTP", (o) => { ctr(o).livenessProbe = { httpGet: { path: "/metrics", port: 9464 } }; }],
  ["probes", "no startup probe", (o) => { delete ctr(o).startupProbe; }],
  ["probes", "config moves gRPC", (o) => config(o, (c) => { c.grpcListen = "0.0.0.0:50053"; c.healthListen = "off"; c.insecure = true; delete c.tls; })],
  ["probes", "readiness on the TLS port", (o) => { ctr(o).readinessProbe.grpc.port = 50051; }],
  ["probes", "config moves health", (o) => config(o, (c) => { c.healthListen = "0.0.0.0:50053"; })],
  ["termination-grace", "longer shutdownGraceS", (o) => config(o, (c) => { c.shutdownGraceS = 60; })],
  ["termination-grace", "period = grace + 5", (o) => { pod(o).terminationGracePeriodSeconds = 25; }],
  ["termination-grace", "defaults: 20 s grace, 30 s period, 60 s needed", (o) => { delete pod(o).terminationGracePeriodSeconds; config(o, (c) => { c.shutdownGraceS = 30; }); }],
  ["listen", "metrics on loopback", (o) => config(o, (c) => { c.metricsListen = "127.0.0.1:9464"; })],
  ["listen", "flag picks a random port", (o) => { ctr(o).args.push("--grpc-listen", "0.0.0.0:0"); }],
  ["listen", "health on loopback", (o) => config(o, (c) => { c.healthListen = "127.0.0.1:50052"; })],
  ["listen", "health on the metrics port", (o) => config(o, (c) => { c.healthListen = "0.0.0.0:9464"; })],
  ["container-ports", "wrong gRPC container port", (o) => { ctr(o).ports.find((p) => p.name === "grpc").containerPort = 50052; }],
  ["container-ports", "no health container port", (o) => { ctr(o).ports = ctr(o).ports.filter((p) => p.name !== "grpc-health"); }],
  ["container-ports", "metrics port renamed", (o) => { ctr(o).ports.find((p) => p.name === "http-metrics").name = "metrics"; }],
  ["services", "no appProtocol grpc", (o) => { delete port(find(o, "Service", "resetd"), "grpc").appProtocol; }],
  ["services", "Service selects nothing", (o) => { find(o, "Service", "resetd").spec.selector = { app: "other" }; }],
  ["services", "target port to nowhere", (o) => { port(find(o, "Service", "resetd"), "grpc").targetPort = 8080; }],
  ["services", "governing Service not headless", (o) => { delete find(o, "Service", "resetd-headless").spec.clusterIP; }],
  ["servicemonitor", "scrapes the gRPC port", (o) => { monitor(o).spec.endpoints[0].port = "grpc"; }],
  ["servicemonitor", "selects no Service", (o) => { monitor(o).spec.selector.matchLabels["app.kubernetes.io/component"] = "other"; }],
  ["servicemonitor", "missing", (o) => { drop(o, "ServiceMonitor"); }],
  ["servicemonitor", "wrong path", (o) => { monitor(o).spec.endpoints[0].path = "/"; }],
  ["scrape-annotations", "wrong port annotation", (o) => { sts(o).spec.template.metadata.annotations["prometheus.io/port"] = "9465"; }],
  ["store", "store off the volume", (o) => config(o, (c) => { c.store.path = "/data/jobs.db"; })],
  ["store", "in-memory store", (o) => config(o, (c) => { delete c.store.path; })],
  ["store", "read-only data mount", (o) => { mnt(o, "data").readOnly = true; }],
  ["store", "shared volume", (o) => { sts(o).spec.volumeClaimTemplates[0].spec.accessModes = ["ReadWriteMany"]; }],
  ["secret-files", "credential on the ConfigMap", (o) => config(o, (c) => { provider(c).credentials.secretKeyFile = "/etc/resetd/secret-key"; })],
  ["secret-files", "key file the Secret lacks", (o) => config(o, (c) => { c.store.keys[0].file = "/var/run/secrets/resetd/store/store-2"; })],
  ["secret-files", "world-readable secrets", (o) => { vol(o, "cloud-credentials").secret.defaultMode = 0o444; }],
  ["secret-files", "no fsGroup: root's files", (o) => { delete pod(o).securityContext.fsGroup; }],
  ["secret-files", "writable secret mount", (o) => { delete mnt(o, "store-keys").readOnly; }],
  ["secret-files", "env credentials never set", (o) => config(o, (c) => { delete provider(c).credentials; })],
  ["secret-files", "env credential as a literal", (o) => { config(o, (c) => { delete provider(c).credentials; }); ctr(o).env = [{ name: "TENCENTCLOUD_SECRET_ID", value: "x" }, { name: "TENCENTCLOUD_SECRET_KEY", value: "y" }]; }],
  ["secret-files", "writable TLS mount", (o) => { delete tlsMount(o).readOnly; }],
  ["secret-files", "world-readable TLS key", (o) => { vol(o, "tls").secret.defaultMode = 0o444; }],
  ["secret-files", "client CA the Certificate does not write", (o) => config(o, (c) => { c.tls.clientCaFile = "/var/run/secrets/resetd/tls/client-ca.crt"; })],
  ["secret-files", "store key from an unset variable", (o) => config(o, (c) => { c.store.keys = []; })],
  ["tls", "insecure instead of tls", (o) => config(o, (c) => { delete c.tls; c.insecure = true; c.healthListen = "off"; })],
  ["tls", "insecure beside tls", (o) => config(o, (c) => { c.insecure = true; })],
  ["tls", "client certificate optional", (o) => config(o, (c) => { c.tls.requireClientCert = false; })],
  ["tls", "no client CA", (o) => config(o, (c) => { delete c.tls.clientCaFile; delete c.tls.requireClientCert; })],
  ["tls", "health listener off", (o) => config(o, (c) => { c.healthListen = "off"; })],
  ["tls", "certificate on the ConfigMap", (o) => config(o, (c) => { c.tls.certFile = "/etc/resetd/tls.crt"; })],
  ["tls", "key on another Secret", (o) => config(o, (c) => { c.tls.keyFile = "/var/run/secrets/resetd/store/tls.key"; })],
  ["tls", "TLS Secret mounted read-write", (o) => { tlsMount(o).readOnly = false; }],
  ["tls", "TLS Secret by subPath", (o) => { tlsMount(o).subPath = "tls"; tlsMount(o).mountPath = "/var/run/secrets/resetd"; config(o, (c) => { c.tls = { certFile: "/var/run/secrets/resetd/tls.crt", keyFile: "/var/run/secrets/resetd/tls.key", clientCaFile: "/var/run/secrets/resetd/ca.crt", requireClientCert: true }; }); }],
  ["certificates", "server certificate without the namespaced name", (o) => { cert(o, "resetd-tls").spec.dnsNames = ["resetd", "resetd.resetd.svc", "resetd.resetd.svc.cluster.local"]; }],
  ["certificates", "server certificate without server auth", (o) => { cert(o, "resetd-tls").spec.usages = ["digital signature", "key encipherment"]; }],
  ["certificates", "key kept on renewal", (o) => { cert(o, "resetd-tls").spec.privateKey.rotationPolicy = "Never"; }],
  ["certificates", "issuer not rendered", (o) => { cert(o, "resetd-tls").spec.issuerRef.name = "missing"; }],
  ["certificates", "client certificate from the bootstrap issuer", (o) => { cert(o, "resetd-operator-alice").spec.issuerRef.name = "resetd-selfsigned"; }],
  ["certificates", "client certificate without identity", (o) => { const s = cert(o, "resetd-operator-alice").spec; delete s.uris; delete s.commonName; }],
  ["certificates", "client certificate for servers too", (o) => { cert(o, "resetd-operator-alice").spec.usages.push("server auth"); }],
  ["networkpolicy", "health port open to namespaces", (o) => { np(o).spec.ingress[0].ports.push({ port: 50052, protocol: "TCP" }); }],
  ["networkpolicy", "ingress on every port", (o) => { delete np(o).spec.ingress[0].ports; }],
  ["networkpolicy", "ingress from every namespace", (o) => { np(o).spec.ingress[0].from = [{ namespaceSelector: {} }]; }],
  ["networkpolicy", "ingress from an address block", (o) => { np(o).spec.ingress[1].from.push({ ipBlock: { cidr: "0.0.0.0/0" } }); }],
  ["networkpolicy", "egress to port 80", (o) => { np(o).spec.egress[1].ports.push({ port: 80, protocol: "TCP" }); }],
  ["networkpolicy", "egress anywhere", (o) => { np(o).spec.egress.push({}); }],
  ["networkpolicy", "no DNS over TCP", (o) => { np(o).spec.egress[0].ports.pop(); }],
  ["networkpolicy", "metrics port not allowed in", (o) => { np(o).spec.ingress.pop(); }],
  ["networkpolicy", "egress not restricted", (o) => { np(o).spec.policyTypes = ["Ingress"]; }],
  ["networkpolicy", "no policy", (o) => { drop(o, "NetworkPolicy"); }],
  ["pdb", "no budget", (o) => { drop(o, "PodDisruptionBudget"); }],
  ["pdb", "budget over the whole namespace", (o) => { find(o, "PodDisruptionBudget").spec.selector = {}; }],
  ["resources", "memory limit below the peak", (o) => { ctr(o).resources.limits.memory = "256Mi"; }],
  ["resources", "no requests", (o) => { delete ctr(o).resources.requests; }],
  ["selectors", "selector misses the template", (o) => { sts(o).spec.selector.matchLabels["app.kubernetes.io/name"] = "other"; }],
  ["selectors", "mount without a volume", (o) => { ctr(o).volumeMounts.push({ name: "cache", mountPath: "/cache" }); }],
  ["references", "Secret not rendered", (o) => { vol(o, "store-keys").secret.secretName = "missing"; }],
  ["references", "TLS Secret written by no Certificate", (o) => { cert(o, "resetd-tls").spec.secretName = "other-tls"; }],
  ["references", "optional Secret", (o) => { vol(o, "cloud-credentials").secret.optional = true; }],
  ["image", "latest", (o) => { ctr(o).image = "registry.example.com/resetd:latest"; }],
  ["image", "no tag", (o) => { ctr(o).image = "registry.example.com:5000/resetd"; }],
  ["namespaces", "object elsewhere", (o) => { np(o).metadata.namespace = "default"; }],
  ["namespaces", "namespace without restricted", (o) => { delete find(o, "Namespace").metadata.labels["pod-security.kubernetes.io/enforce"]; }],
  ["config-defaults", "resetd defaults differently", () => ({ options: { defaultedConfig: { grpcListen: "0.0.0.0:50051", metricsListen: "0.0.0.0:9464", shutdownGraceS: 99 } } })],
  ["workload", "no --config", (o) => { ctr(o).args = []; }],
  ["workload", "config not on a ConfigMap", (o) => { ctr(o).args = ["--config", "/tmp/config.json"]; }],
  ["workload", "two StatefulSets", (o) => o.push(structuredClone(sts(o)))],
  ["schema", "replicas as a string", (o) => { sts(o).spec.replicas = "1"; }],
  ["schema", "bad scrape interval (CRD schema)", (o) => { monitor(o).spec.endpoints[0].interval = "30x"; }],
  ["schema", "unknown kind", (o) => o.push({ apiVersion: "v1", kind: "Frobnicator", metadata: { name: "x" } })],
  ["unknown-field", "misspelt readOnlyRootFilesystem", (o) => { csc(o).readOnlyRootFileSystem = csc(o).readOnlyRootFilesystem; }],
  ["schema", "bad key algorithm (cert-manager CRD schema)", (o) => { cert(o, "resetd-tls").spec.privateKey.algorithm = "DSA"; }],
  ["unknown-field", "misspelt dnsNames (cert-manager)", (o) => { cert(o, "resetd-tls").spec.dnsName = ["resetd"]; }],
  ["unknown-field", "misspelt appProtocol", (o) => { port(find(o, "Service", "resetd"), "grpc").appprotocol = "grpc"; }],
];

test("the example overlay passes every check", async () => {
  assert.deepEqual(await problems(good), []);
});

for (const [id, what, mutate] of kMutations) {
  test(`${id}: ${what}`, async () => {
    const objects = structuredClone(good);
    const extra = mutate(objects)?.options;
    const found = await problems(objects, { ...kOptions, ...extra });
    assert.ok(found.some((p) => p.id === id),
      `expected a [${id}] problem, got: ${JSON.stringify(found, null, 1)}`);
  });
}

test("every check is proven to fire", () => {
  const ids = [...kChecks.map(([id]) => id), "workload", "schema", "unknown-field"];
  const exercised = new Set(kMutations.map(([id]) => id));
  assert.deepEqual(ids.filter((id) => !exercised.has(id)), []);
});
