// CreateResetJob latency next to an empty unary call (grpc.health.v1 Check),
// measured by an independent client (@grpc/grpc-js over one channel), for
// bench/e2e_bench.py. Prints one JSON line:
//   {"health": {"p50_ms", "p99_ms", "max_ms"}, "create": {...}, "calls": N}
// Usage: node grpc_latency.js ADDR IDS_FILE REQUEST_PREFIX [INTERVAL_MS]
//   IDS_FILE: one instance id per line; each becomes a one-instance dry run.
// The password comes from the environment (BENCH_PASSWORD), never argv.
// Loads @grpc/grpc-js from tests/conformance/grpc_node/node_modules.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const MODULES = path.join(ROOT, 'tests/conformance/grpc_node/node_modules');
const grpc = require(path.join(MODULES, '@grpc/grpc-js'));
const protoLoader = require(path.join(MODULES, '@grpc/proto-loader'));

const [addr, idsFile, prefix, intervalArg] = process.argv.slice(2);
if (!addr || !idsFile || !prefix || !process.env.BENCH_PASSWORD) {
  console.error('usage: BENCH_PASSWORD=… node grpc_latency.js ADDR IDS_FILE REQUEST_PREFIX [INTERVAL_MS]');
  process.exit(2);
}
const intervalMs = Number(intervalArg || 25);

const api = grpc.loadPackageDefinition(protoLoader.loadSync(
  ['resetd/v1/reset_service.proto', 'grpc/health/v1/health.proto'],
  { keepCase: true, longs: String, enums: String, defaults: true,
    includeDirs: [path.join(ROOT, 'proto'), process.env.GRPC_PROTO_DIR || '/usr/share/grpc-proto'] }));
const channel = new grpc.Channel(addr, grpc.credentials.createInsecure(), {});
const opts = { channelOverride: channel };
const service = new api.resetd.v1.PasswordResetService(addr, grpc.credentials.createInsecure(), opts);
const health = new api.grpc.health.v1.Health(addr, grpc.credentials.createInsecure(), opts);

function timed(fn) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    fn((err) => (err ? reject(err)
      : resolve(Number(process.hrtime.bigint() - start) / 1e6)));
  });
}

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const r = (x) => Math.round(x * 1000) / 1000;
  return { p50_ms: r(at(0.5)), p99_ms: r(at(0.99)), max_ms: r(s[s.length - 1]) };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const ids = fs.readFileSync(idsFile, 'utf8').split('\n').filter(Boolean);
  const deadline = () => ({ deadline: Date.now() + 30000 });
  // Warm the channel: the first call pays for the connection.
  await timed((cb) => health.Check({ service: '' }, deadline(), cb));
  const healthMs = [];
  const createMs = [];
  for (let i = 0; i < ids.length; i++) {
    healthMs.push(await timed((cb) => health.Check({ service: '' }, deadline(), cb)));
    createMs.push(await timed((cb) => service.CreateResetJob({
      request_id: `${prefix}-${i}`,
      targets: [{ provider: 'tencent', region: 'ap-guangzhou', instance_ids: [ids[i]] }],
      password: process.env.BENCH_PASSWORD,
      dry_run: true,  // the whole create path (validate, store, fsync), no side effect
      on_conflict: 'ON_CONFLICT_SKIP',  // the instance may be in the job under way
    }, deadline(), cb)));
    await sleep(intervalMs);
  }
  console.log(JSON.stringify({ health: stats(healthMs), create: stats(createMs), calls: ids.length }));
  channel.close();
}

main().catch((err) => { console.error(String(err.details || err.message)); process.exit(1); });
