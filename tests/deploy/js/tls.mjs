// Transport security of the deployment: resetd's `tls` config against the
// Secret volume that holds its files, and the cert-manager Certificates
// (cert-manager.io/v1) that write that Secret. Each check returns a list of
// problem messages.
import { field } from "./context.mjs";
import { describe, mountFor, named, ofKind, serviceSelects, volumeNamed } from "./manifests.mjs";

// The keys cert-manager writes into a Certificate's Secret (ca.crt when the
// issuer knows its CA: CA and self-signed issuers, Vault, not ACME).
export const certificateSecretKeys = ["tls.crt", "tls.key", "ca.crt"];

function certificates(objects) {
  return ofKind(objects, "Certificate").filter((c) => /^cert-manager\.io\//.test(c.apiVersion ?? ""));
}

// The Certificate of the render that writes Secret `name`, or undefined.
export function writtenByCertificate(objects, name) {
  return certificates(objects).find((c) => c.spec?.secretName === name);
}

// Where tls.certFile is mounted: {mount, volume} or null.
function tlsVolume(ctx) {
  const path = field(field(ctx.config, "tls"), "certFile");
  const found = path && mountFor(ctx.container, path);
  const volume = found && volumeNamed(ctx.sts, found.mount.name);
  return volume?.kind === "secret" ? { mount: found.mount, volume } : null;
}

function tlsFileProblems(ctx, tls) {
  const p = [];
  const at = tlsVolume(ctx);
  if (!at) return [`tls.certFile ${field(tls, "certFile")} is not on a Secret volume`];
  for (const f of ["keyFile", "clientCaFile"]) {
    const path = field(tls, f);
    if (path && mountFor(ctx.container, path)?.mount.name !== at.mount.name) {
      p.push(`tls.${f} ${path} is not under ${at.mount.mountPath} (the Secret ${at.volume.source.secretName} with tls.certFile): a rotation would renew them apart`);
    }
  }
  if (at.mount.readOnly !== true) p.push(`the TLS Secret's mount ${at.mount.mountPath} is not readOnly`);
  if (at.mount.subPath) p.push(`the TLS Secret is mounted with subPath: the kubelet never updates such a mount, so a renewed certificate would not reach resetd`);
  return p;
}

// tls set (mTLS), never `insecure`, a plaintext health port for the probes,
// and the three PEM files on one read-only Secret mount that the kubelet
// updates in place.
export function checkTls(ctx) {
  const p = [];
  if (field(ctx.config, "insecure")) p.push("config sets insecure: gRPC in plaintext");
  const tls = field(ctx.config, "tls");
  if (!tls) return p.concat("config has no tls");
  if (field(tls, "requireClientCert") !== true) p.push("tls.requireClientCert is not true: mTLS is the default of these manifests");
  if (!field(tls, "clientCaFile")) p.push("tls.clientCaFile is unset: client certificates cannot be verified");
  if (ctx.healthPort === null) p.push("healthListen is off with tls: the kubelet's gRPC probes cannot speak TLS");
  return p.concat(tlsFileProblems(ctx, tls));
}

// The names a client may connect by: each Service that reaches gRPC, short,
// namespaced and fully qualified.
function serviceNames(ctx) {
  const names = [];
  for (const s of ofKind(ctx.objects, "Service")) {
    if (s.spec?.clusterIP === "None" || !serviceSelects(s, ctx.podLabels)) continue;
    if (!(s.spec.ports ?? []).some((port) => port.name === "grpc")) continue;
    const n = s.metadata.name;
    names.push(n);
    if (ctx.namespace) names.push(`${n}.${ctx.namespace}.svc`, `${n}.${ctx.namespace}.svc.cluster.local`);
  }
  return names;
}

function issuerProblems(ctx, cert) {
  const ref = cert.spec?.issuerRef ?? {};
  if ((ref.group ?? "cert-manager.io") !== "cert-manager.io") return [];  // an external issuer
  if ((ref.kind ?? "Issuer") !== "Issuer") return [];  // a ClusterIssuer is the cluster's
  return named(ctx.objects, "Issuer", ref.name) ? [] : [`${describe(cert)}: issuerRef Issuer ${ref.name} is not in the render`];
}

function serverCertificateProblems(ctx, cert) {
  const p = issuerProblems(ctx, cert);
  const dns = cert.spec?.dnsNames ?? [];
  const missing = serviceNames(ctx).filter((n) => !dns.includes(n));
  if (missing.length > 0) p.push(`${describe(cert)}: dnsNames lack ${missing.join(", ")} (the Service's names in namespace ${ctx.namespace})`);
  if (!(cert.spec?.usages ?? []).includes("server auth")) p.push(`${describe(cert)}: usages lack "server auth"`);
  if (cert.spec?.privateKey?.rotationPolicy !== "Always") p.push(`${describe(cert)}: privateKey.rotationPolicy is not Always (a renewal would keep the old key)`);
  if (cert.spec?.isCA) p.push(`${describe(cert)}: isCA`);
  return p;
}

// A client certificate resetd accepts: from the issuer whose ca.crt resetd
// trusts (the server certificate's, when clientCaFile is that Secret's
// ca.crt), with an identity, never a CA.
function clientCertificateProblems(ctx, cert, server, sharedCa) {
  const p = issuerProblems(ctx, cert);
  const spec = cert.spec ?? {};
  if ((spec.usages ?? []).includes("server auth")) p.push(`${describe(cert)}: a client certificate with "server auth"`);
  if (!(spec.uris ?? []).length && !(spec.dnsNames ?? []).length && !spec.commonName) p.push(`${describe(cert)}: no URI SAN, DNS SAN or commonName: resetd finds no identity`);
  if (spec.isCA) p.push(`${describe(cert)}: isCA`);
  const ref = (c) => JSON.stringify([c.spec?.issuerRef?.kind ?? "Issuer", c.spec?.issuerRef?.name]);
  if (server && sharedCa && ref(cert) !== ref(server)) p.push(`${describe(cert)}: issued by ${ref(cert)}, resetd trusts the CA of ${ref(server)} (tls.clientCaFile is ${describe(server)}'s ca.crt)`);
  return p;
}

export function checkCertificates(ctx) {
  const at = tlsVolume(ctx);
  const server = at && writtenByCertificate(ctx.objects, at.volume.source.secretName);
  const caPath = field(field(ctx.config, "tls"), "clientCaFile");
  const sharedCa = Boolean(at && caPath && mountFor(ctx.container, caPath)?.mount.name === at.mount.name);
  const p = server ? serverCertificateProblems(ctx, server) : [];
  for (const cert of certificates(ctx.objects)) {
    if (cert === server) continue;
    if ((cert.spec?.usages ?? []).includes("client auth")) p.push(...clientCertificateProblems(ctx, cert, server, sharedCa));
    else p.push(...issuerProblems(ctx, cert));
  }
  return p;
}
