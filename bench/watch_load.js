// Load on resetd's API for bench/watch_load.py: WATCHERS WatchResetJob streams
// on one job (spread over channels of 50 streams) plus CREATES_PER_S
// one-instance dry-run CreateResetJob calls per second for SECONDS (or until
// every watcher has seen the job end). Prints one JSON line:
//   {"watchers", "saw_end", "events", "watch_errors", "creates",
//    "create_errors", "create": {"p50_ms", "p99_ms", "max_ms"}, "errors": [...]}
// Usage: BENCH_PASSWORD=… node watch_load.js ADDR JOB_ID WATCHERS CREATES_PER_S SECONDS IDS_FILE
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const MODULES = path.join(ROOT, 'tests/conformance/grpc_node/node_modules');
const grpc = require(path.join(MODULES, '@grpc/grpc-js'));
const protoLoader = require(path.join(MODULES, '@grpc/proto-loader'));

const [addr, jobId, watchersArg, rateArg, secondsArg, idsFile] = process.argv.slice(2);
if (!idsFile || !process.env.BENCH_PASSWORD) {
  console.error('usage: BENCH_PASSWORD=… node watch_load.js ADDR JOB_ID WATCHERS CREATES_PER_S SECONDS IDS_FILE');
  process.exit(2);
}
const watchers = Number(watchersArg);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const TERMINAL = new Set(['JOB_STATE_SUCCEEDED', 'JOB_STATE_PARTIALLY_FAILED',
  'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED']);

const api = grpc.loadPackageDefinition(protoLoader.loadSync(['resetd/v1/reset_service.proto'],
  { keepCase: true, longs: String, enums: String, defaults: true,
    includeDirs: [path.join(ROOT, 'proto')] }));
const Service = api.resetd.v1.PasswordResetService;
const clients = [];
for (let i = 0; i < Math.ceil(watchers / 50) + 1; i++) {
  // A channel of its own per client (different options keep them apart).
  clients.push(new Service(addr, grpc.credentials.createInsecure(), { 'grpc.bench_channel': i }));
}

const errors = [];
const note = (what, err) => { if (errors.length < 10) errors.push(`${what}: ${err.details || err.message}`); };

function watchOne(client) {
  return new Promise((resolve) => {
    let events = 0;
    let ended = false;
    const call = client.WatchResetJob({ job_id: jobId }, { deadline: Date.now() + (seconds + 600) * 1000 });
    call.on('data', (e) => { events++; if (TERMINAL.has(e.job.state)) ended = true; });
    call.on('error', (err) => { note('watch', err); resolve({ events, ended, error: true }); });
    call.on('end', () => resolve({ events, ended, error: false }));
  });
}

function stats(ms) {
  if (ms.length === 0) return { p50_ms: 0, p99_ms: 0, max_ms: 0 };
  const s = [...ms].sort((a, b) => a - b);
  const at = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const r = (x) => Math.round(x * 1000) / 1000;
  return { p50_ms: r(at(0.5)), p99_ms: r(at(0.99)), max_ms: r(s[s.length - 1]) };
}

async function main() {
  const ids = fs.readFileSync(idsFile, 'utf8').split('\n').filter(Boolean);
  const watches = [];
  for (let i = 0; i < watchers; i++) watches.push(watchOne(clients[1 + Math.floor(i / 50)]));
  // Without watchers the load runs for SECONDS; with them, until they all
  // saw the end (or SECONDS).
  let done = false;
  const all = watchers === 0 ? Promise.resolve([])
    : Promise.all(watches).then((r) => { done = true; return r; });

  const createMs = [];
  let creates = 0;
  let createErrors = 0;
  const pending = [];
  const start = Date.now();
  for (let tick = 0; !done && Date.now() - start < seconds * 1000; tick++) {
    const due = start + (tick * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const i = creates++;
    const t0 = process.hrtime.bigint();
    pending.push(new Promise((resolve) => clients[0].CreateResetJob({
      request_id: `load-${process.pid}-${i}`,
      targets: [{ provider: 'tencent', region: 'ap-guangzhou', instance_ids: [ids[i % ids.length]] }],
      password: process.env.BENCH_PASSWORD,
      dry_run: true,
      on_conflict: 'ON_CONFLICT_SKIP',
    }, { deadline: Date.now() + 30000 }, (err) => {
      if (err) { createErrors++; note('create', err); } else {
        createMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      resolve();
    })));
  }
  await Promise.all(pending);
  const results = await all;
  console.log(JSON.stringify({
    watchers,
    saw_end: results.filter((r) => r.ended).length,
    events: results.reduce((n, r) => n + r.events, 0),
    watch_errors: results.filter((r) => r.error).length,
    creates, create_errors: createErrors, create: stats(createMs), errors,
  }));
  for (const c of clients) c.close();
}

main().catch((err) => { console.error(String(err.details || err.message)); process.exit(1); });
