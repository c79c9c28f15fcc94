// Checks a resetd /metrics exposition scraped after one job (see
// run_metrics_lint.sh). Plain Node, no dependencies.
//   node check_exposition.js <exposition> <job.json> <fakecloud-calls.json> [resetd.log]
// Exits 1 listing every problem found.
'use strict';

const fs = require('node:fs');

const [expositionFile, jobFile, callsFile, logFile] = process.argv.slice(2);
const passwords = [process.env.METRICS_PASSWORD, process.env.METRICS_BAD_PASSWORD].filter(Boolean);
const problems = [];
const check = (ok, message) => { if (!ok) problems.push(message); };

// ---- parse the text format ------------------------------------------------
const text = fs.readFileSync(expositionFile, 'utf8');
const types = new Map();
const help = new Map();
const samples = [];  // { name, labels: {..}, value }
for (const line of text.split('\n')) {
  if (line === '') continue;
  let m;
  if ((m = /^# TYPE (\S+) (\S+)$/.exec(line))) { types.set(m[1], m[2]); continue; }
  if ((m = /^# HELP (\S+) ?(.*)$/.exec(line))) { help.set(m[1], m[2]); continue; }
  if (line.startsWith('#')) continue;
  m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \S+)?$/.exec(line);
  if (!m) { problems.push(`unparsable line: ${line}`); continue; }
  const labels = {};
  for (const l of (m[2] || '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
  samples.push({ name: m[1], labels, value: Number(m[3]) });
}

const series = (name, match = {}) => samples.filter((s) => s.name === name &&
  Object.entries(match).every(([k, v]) => s.labels[k] === v));
const sum = (name, match) => series(name, match).reduce((a, s) => a + s.value, 0);
const value = (name, match) => {
  const found = series(name, match);
  return found.length === 1 ? found[0].value : undefined;
};

// ---- the families dashboards and alerts use -------------------------------
const FAMILIES = {
  resetd_cloud_requests_total: 'counter',
  resetd_cloud_request_duration_seconds: 'histogram',
  resetd_rate_limiter_wait_seconds: 'histogram',
  resetd_batch_size: 'histogram',
  resetd_instances_total: 'counter',
  resetd_jobs_total: 'counter',
  resetd_steps_total: 'counter',
  resetd_jobs: 'gauge',
  resetd_instances_held_stopped: 'gauge',
  resetd_grpc_requests_total: 'counter',
  resetd_grpc_request_duration_seconds: 'histogram',
  resetd_throttled_total: 'counter',
  resetd_rate_limit_requests_per_second: 'gauge',
  resetd_last_progress_timestamp_seconds: 'gauge',
  resetd_store_write_duration_seconds: 'histogram',
  resetd_store_write_failures_total: 'counter',
  resetd_instance_conflicts_total: 'counter',
  resetd_ready: 'gauge',
  resetd_provider_http_attempts_total: 'counter',
};
for (const [name, type] of Object.entries(FAMILIES)) {
  check(types.get(name) === type, `${name}: TYPE ${types.get(name)}, expected ${type}`);
  check((help.get(name) || '').trim() !== '', `${name}: no HELP text`);
  const sampleName = type === 'histogram' ? `${name}_count` : name;
  check(series(sampleName).length > 0, `${name}: no samples`);
}

// ---- histograms are consistent ---------------------------------------------
for (const [name, type] of types) {
  if (type !== 'histogram') continue;
  const groups = new Map();
  for (const s of series(`${name}_bucket`)) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    if (!groups.has(key)) groups.set(key, { labels: rest, buckets: [] });
    groups.get(key).buckets.push([le === '+Inf' ? Infinity : Number(le), s.value]);
  }
  for (const { labels, buckets } of groups.values()) {
    buckets.sort((a, b) => a[0] - b[0]);
    const where = `${name}${JSON.stringify(labels)}`;
    buckets.slice(1).forEach(([le, v], i) => check(v >= buckets[i][1], `${where}: bucket le=${le} < previous`));
    check(buckets.length > 0 && buckets[buckets.length - 1][0] === Infinity, `${where}: no +Inf bucket`);
    check(buckets[buckets.length - 1][1] === value(`${name}_count`, labels), `${where}: +Inf bucket != _count`);
  }
}

// ---- the job ---------------------------------------------------------------
const job = JSON.parse(fs.readFileSync(jobFile, 'utf8').split('\n').find((l) => l.startsWith('{')));
const counts = job.counts;
check(/^JOB_STATE_(SUCCEEDED|PARTIALLY_FAILED|FAILED)$/.test(job.state), `job ended ${job.state}`);
check(counts.failed > 0 && counts.succeeded > 0, `the job has both results: ${JSON.stringify(counts)}`);
check(sum('resetd_instances_total') === counts.total,
  `resetd_instances_total sums to ${sum('resetd_instances_total')}, the job has ${counts.total}`);
check(value('resetd_instances_total', { result: 'succeeded' }) === counts.succeeded,
  `resetd_instances_total{result="succeeded"} = ${value('resetd_instances_total', { result: 'succeeded' })}, job says ${counts.succeeded}`);
check(value('resetd_instances_total', { result: 'failed' }) === counts.failed,
  `resetd_instances_total{result="failed"} = ${value('resetd_instances_total', { result: 'failed' })}, job says ${counts.failed}`);
check(sum('resetd_jobs_total') === 1, `resetd_jobs_total sums to ${sum('resetd_jobs_total')}, one job ended`);
check(sum('resetd_jobs') === 0, 'resetd_jobs: nothing queued or running after the job');
check(value('resetd_instances_held_stopped') === 0, 'resetd_instances_held_stopped is 0 after the job');

// ---- series that exist before their first event -----------------------------
const ENGINE_ACTIONS = ['Describe', 'Stop', 'Start', 'Reboot', 'ResetPassword', 'ResetVncPassword'];
for (const action of ENGINE_ACTIONS) {
  const m = { provider: 'tencent', action };
  check(value('resetd_throttled_total', m) === 0, `resetd_throttled_total{action="${action}"} is not exported at 0`);
  check(value('resetd_provider_http_attempts_total', m) !== undefined,
    `resetd_provider_http_attempts_total{action="${action}"} is not exported`);
  // The config sets no rate limits: Tencent CVM's published DescribeInstances
  // rate (40 req/s), and resetd's default of 10 req/s for the rest.
  const expected = action === 'Describe' ? 40 : 10;
  check(value('resetd_rate_limit_requests_per_second', m) === expected,
    `resetd_rate_limit_requests_per_second{action="${action}"} = ${value('resetd_rate_limit_requests_per_second', m)}, default ${expected}`);
}
for (const outcome of ['rejected', 'waited', 'skipped']) {
  check(value('resetd_instance_conflicts_total', { outcome }) === 0, `resetd_instance_conflicts_total{outcome="${outcome}"} not 0`);
}
for (const operation of ['insert_job', 'write', 'update_job', 'take_claims']) {
  check(value('resetd_store_write_failures_total', { operation }) === 0,
    `resetd_store_write_failures_total{operation="${operation}"} not exported at 0`);
}
check(value('resetd_store_write_duration_seconds_count', { operation: 'insert_job' }) === 1,
  'one accepted job, one timed insert_job');
check(value('resetd_store_write_duration_seconds_count', { operation: 'write' }) >= 1, 'store writes timed');
const progress = value('resetd_last_progress_timestamp_seconds');
check(progress > Date.now() / 1000 - 3600 && progress <= Date.now() / 1000 + 5,
  `resetd_last_progress_timestamp_seconds = ${progress}, not a recent unix time`);
check(value('resetd_ready') === 1, 'resetd_ready is 1 while resetd serves');

// ---- gRPC ------------------------------------------------------------------
const grpcCount = (method, code) => value('resetd_grpc_requests_total', { method, code });
check(grpcCount('CreateResetJob', 'OK') === 1, `CreateResetJob OK = ${grpcCount('CreateResetJob', 'OK')}, expected 1`);
check(grpcCount('CreateResetJob', 'INVALID_ARGUMENT') === 1,
  `CreateResetJob INVALID_ARGUMENT = ${grpcCount('CreateResetJob', 'INVALID_ARGUMENT')}, expected 1`);
check(grpcCount('WatchResetJob', 'OK') >= 1, 'WatchResetJob OK counted');
check(grpcCount('GetResetJob', 'OK') >= 1, 'GetResetJob OK counted');
check(value('resetd_grpc_request_duration_seconds_count', { method: 'CreateResetJob' }) === 2,
  'every CreateResetJob (accepted or not) is timed');

// ---- agreement with what fakecloud received --------------------------------
const ENGINE_ACTION = {
  DescribeInstances: 'Describe', DescribeInstancesStatus: 'Describe', StopInstances: 'Stop',
  StartInstances: 'Start', RebootInstances: 'Reboot', ResetInstancesPassword: 'ResetPassword',
};
const calls = JSON.parse(fs.readFileSync(callsFile, 'utf8'));
const received = new Map();  // action -> { calls, ids, codes: Map(code -> n) }
for (const c of calls) {
  const action = ENGINE_ACTION[c.action] || c.action;
  const r = received.get(action) || { calls: 0, ids: 0, codes: new Map() };
  r.calls += 1;
  r.ids += (c.instance_ids || []).length;
  r.codes.set(c.result, (r.codes.get(c.result) || 0) + 1);
  received.set(action, r);
}
const actions = new Set([...received.keys(),
  ...series('resetd_cloud_requests_total').map((s) => s.labels.action)]);
for (const action of actions) {
  const r = received.get(action) || { calls: 0, ids: 0, codes: new Map() };
  const m = { provider: 'tencent', action };
  const counted = sum('resetd_cloud_requests_total', m);
  check(counted === r.calls, `${action}: resetd counted ${counted} calls, fakecloud received ${r.calls}`);
  // Every HTTP request that reached the provider passed the rate limiter.
  const attempts = sum('resetd_provider_http_attempts_total', m);
  check(attempts === r.calls, `${action}: ${attempts} HTTP attempts passed the limiter, fakecloud received ${r.calls}`);
  // The code label is the provider's own code, as fakecloud answered it.
  const codes = new Set([...r.codes.keys(),
    ...series('resetd_cloud_requests_total', m).map((s) => s.labels.code)]);
  for (const code of codes) {
    const n = sum('resetd_cloud_requests_total', { ...m, code });
    const answered = r.codes.get(code) || 0;
    check(n === answered, `${action}: resetd counted ${n} with code="${code}", fakecloud answered ${answered}`);
  }
  for (const h of ['resetd_cloud_request_duration_seconds', 'resetd_batch_size', 'resetd_rate_limiter_wait_seconds']) {
    const n = value(`${h}_count`, m) || 0;
    check(n === r.calls, `${h}_count{action="${action}"} = ${n}, fakecloud received ${r.calls} calls`);
  }
  check((value('resetd_batch_size_sum', m) || 0) === r.ids,
    `resetd_batch_size_sum{action="${action}"} = ${value('resetd_batch_size_sum', m)}, fakecloud got ${r.ids} ids`);
  check(value('resetd_batch_size_bucket', { ...m, le: '100' }) === value('resetd_batch_size_count', m),
    `${action}: a batch above 100 ids`);
}
check(sum('resetd_cloud_requests_total', { action: 'ResetPassword', code: 'OK' }) >= 1, 'at least one reset call');
check(!calls.some((c) => c.result === 'RequestLimitExceeded'), 'resetd was throttled');
check(sum('resetd_steps_total', { action: 'ResetPassword' }) >= counts.succeeded, 'reset steps counted');

// ---- cardinality and secrets -----------------------------------------------
for (const s of samples) {
  for (const [k, v] of Object.entries(s.labels)) {
    check(!/\bins-[a-z0-9]{8}\b|\brj-[0-9a-f]+/.test(v), `${s.name}: label ${k}="${v}" holds an instance or job id`);
  }
}
for (const p of passwords) {
  check(!text.includes(p), 'a password appears in the exposition');
  if (logFile) check(!fs.readFileSync(logFile, 'utf8').includes(p), 'a password appears in resetd\'s log');
}

if (problems.length > 0) {
  console.error(`FAIL: ${problems.length} problem(s) in the exposition:`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
const errors = calls.filter((c) => c.result !== 'OK').length;
console.log(`ok: ${types.size} families, ${samples.length} samples; values agree with the job ` +
  `(${JSON.stringify(counts)}) and fakecloud's ${calls.length} calls (${errors} answered with an ` +
  'error); no password');
