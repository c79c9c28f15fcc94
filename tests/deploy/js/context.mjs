// What the checks look at, gathered once from the rendered objects: the one
// StatefulSet, its pod and resetd's container, the command line, and the
// resetd config that is really mounted where --config points (read from the
// rendered ConfigMap), with resetd's defaults applied as service/config.cc
// applies them.
import { keyAt, mountFor, named, ofKind, volumeNamed } from "./manifests.mjs";

export const kDefaults = {
  grpcListen: "0.0.0.0:50051",   // service/config.h kDefaultGrpcListen
  metricsListen: "0.0.0.0:9464", // kDefaultMetricsListen
  healthListen: "0.0.0.0:50052", // service/server_config.h kDefaultHealthListen (with tls)
  healthListenOff: "off",        // kHealthListenOff (the default when insecure)
  shutdownGraceS: 20,            // kDefaultShutdownGraceS
  serverGraceS: 5,               // service/main.cc kServerGrace (open RPCs)
  terminationGracePeriodSeconds: 30,  // Kubernetes' default
};

// Credential variables of each provider kind (service/provider_kinds.cc).
export const kCredentialEnv = {
  tencent_cvm: ["TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"],
  tencent_lighthouse: ["TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"],
  aliyun_ecs: ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
  huawei_ecs: ["HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"],
};

// A field of a config message by its JSON name, or by its proto name (the
// JSON mapping accepts both).
export function field(message, jsonName) {
  if (!message || typeof message !== "object") return undefined;
  if (jsonName in message) return message[jsonName];
  return message[jsonName.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase())];
}

// resetd's flags from a container's args: --flag VALUE or --flag=VALUE.
export function parseFlags(args = []) {
  const flags = {};
  for (let i = 0; i < args.length; ++i) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]);
    if (!m) continue;
    flags[m[1]] = m[2] !== undefined ? m[2] : args[++i];
  }
  return flags;
}

// "host:port" or "[v6]:port" → {host, port}; port is NaN when malformed.
export function parseListen(address) {
  const m = /^(\[[^\]]*\]|[^:]*):(\d+)$/.exec(address ?? "");
  if (!m) return { host: address, port: NaN };
  return { host: m[1], port: Number(m[2]) };
}

function findContainer(pod) {
  const containers = pod?.containers ?? [];
  return containers.find((c) => c.name === "resetd") ??
      (containers.length === 1 ? containers[0] : null);
}

// The config file the container reads: mounted ConfigMap key → parsed JSON.
function loadConfig(objects, sts, container, path) {
  const found = mountFor(container, path);
  if (!found) return { error: `--config ${path} is on no volume mount` };
  const volume = volumeNamed(sts, found.mount.name);
  if (volume?.kind !== "configMap") {
    return { error: `--config ${path} is on volume "${found.mount.name}", not a ConfigMap` };
  }
  const key = keyAt(volume.source, found.rest);
  const cm = named(objects, "ConfigMap", volume.source.name);
  const text = cm?.data?.[key];
  if (key === null || typeof text !== "string") {
    return { error: `--config ${path}: ConfigMap "${volume.source.name}" has no key for it in the render` };
  }
  try {
    return { config: JSON.parse(text), configMap: cm, key };
  } catch (e) {
    return { error: `ConfigMap "${cm.metadata.name}" key ${key}: not JSON: ${e.message}` };
  }
}

// The settings the manifests depend on, with resetd's defaults as this
// checker knows them (kDefaults).
export function withDefaults(config) {
  return {
    grpcListen: field(config, "grpcListen") || kDefaults.grpcListen,
    metricsListen: field(config, "metricsListen") || kDefaults.metricsListen,
    healthListen: field(config, "healthListen") ||
        (field(config, "insecure") ? kDefaults.healthListenOff : kDefaults.healthListen),
    shutdownGraceS: Number(field(config, "shutdownGraceS")) || kDefaults.shutdownGraceS,
  };
}

// What resetd runs with: flags over the config; the config defaulted by
// resetd itself (options.defaultedConfig, from deploy_config_check) when
// given, else by withDefaults().
function effectiveSettings(config, flags, defaulted) {
  const settings = defaulted ? {
    grpcListen: field(defaulted, "grpcListen"),
    metricsListen: field(defaulted, "metricsListen"),
    healthListen: field(defaulted, "healthListen"),
    shutdownGraceS: Number(field(defaulted, "shutdownGraceS")),
  } : withDefaults(config);
  if (flags["grpc-listen"]) settings.grpcListen = flags["grpc-listen"];
  if (flags["metrics-listen"]) settings.metricsListen = flags["metrics-listen"];
  return settings;
}

function healthPort(healthListen) {
  return healthListen === kDefaults.healthListenOff ? null : parseListen(healthListen).port;
}

// {ctx} with everything the checks need, or {problems} saying why the
// rendered objects have no resetd workload to check.
export function buildContext(objects, options = {}) {
  const sets = ofKind(objects, "StatefulSet");
  if (sets.length !== 1) {
    return { problems: [`expected exactly one StatefulSet, found ${sets.length}`] };
  }
  const sts = sets[0];
  const pod = sts.spec?.template?.spec;
  const container = findContainer(pod);
  if (!container) return { problems: ["no container named resetd in the StatefulSet"] };
  const flags = parseFlags(container.args);
  if (!flags.config) return { problems: ["resetd's args have no --config PATH"] };
  const loaded = loadConfig(objects, sts, container, flags.config);
  if (loaded.error) return { problems: [loaded.error] };
  const settings = effectiveSettings(loaded.config, flags, options.defaultedConfig);
  return {
    ctx: {
      objects, options, sts, pod, container, flags,
      namespace: sts.metadata?.namespace,
      podLabels: sts.spec.template.metadata?.labels ?? {},
      config: loaded.config, configText: loaded.configMap.data[loaded.key],
      ...settings,
      grpcPort: parseListen(settings.grpcListen).port,
      metricsPort: parseListen(settings.metricsListen).port,
      // The plaintext health-only listener (null when "off"), and the port
      // that answers the kubelet's gRPC probes: that one, else gRPC's own.
      healthPort: healthPort(settings.healthListen),
      probePort: healthPort(settings.healthListen) ?? parseListen(settings.grpcListen).port,
    },
  };
}
