// Conformance: resetd's public gRPC API driven by an independent client
// (@grpc/grpc-js + @grpc/proto-loader, loading proto/resetd/v1 as published).
// Run by ../run_grpc_node.sh, which starts fakecloud and resetd on loopback and
// sets RESETD_GRPC_ADDR, FAKECLOUD_ADDR, RESETD_LOG and FAKECLOUD_LOG.
// Tests run in order: later ones use the jobs earlier ones created.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');
const descriptor = require('protobufjs/ext/descriptor');

const PROTO_ROOT = path.resolve(__dirname, '../../../proto');
const GRPC_PROTO_ROOT = process.env.GRPC_PROTO_DIR || '/usr/share/grpc-proto';
const GRPC_ADDR = process.env.RESETD_GRPC_ADDR;
const FAKECLOUD_ADDR = process.env.FAKECLOUD_ADDR;
const REGION = 'ap-guangzhou';
const PASSWORD = 'Conf0rmance!Grpc9';
// Invalid (longer than 30 characters) but distinctive: it must not come back.
const BAD_PASSWORD = 'Leak!Canary7-Leak!Canary7-Leak!Canary7';
const TERMINAL = new Set([
  'JOB_STATE_SUCCEEDED', 'JOB_STATE_PARTIALLY_FAILED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED',
]);
const SECRETS = [PASSWORD, BAD_PASSWORD];

const LOAD_OPTIONS = {
  keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
  includeDirs: [PROTO_ROOT, GRPC_PROTO_ROOT],
};
const api = grpc.loadPackageDefinition(protoLoader.loadSync([
  'resetd/v1/reset_service.proto',
  'grpc/health/v1/health.proto',
  'grpc/reflection/v1alpha/reflection.proto',
], LOAD_OPTIONS));

// google.rpc.Status and its details, to decode grpc-status-details-bin.
const rpcRoot = new protobuf.Root();
rpcRoot.resolvePath = (origin, target) =>
  (target.startsWith('google/protobuf/') ? target : path.join(PROTO_ROOT, target));
rpcRoot.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: true });
const RpcStatus = rpcRoot.lookupType('google.rpc.Status');
const RpcBadRequest = rpcRoot.lookupType('google.rpc.BadRequest');

// Every response message as it came off the wire, and every header/trailer
// block, so that the password can be looked for in the serialized bytes.
const wire = { responses: [], metadata: [] };
let service;     // PasswordResetService client (recording)
let health;
let reflection;
let fleet;       // fakecloud's instances at the start, by id
const created = new Map();  // job_id -> request_id of every job we created
let mainJob;     // { jobId, request, ids } of the job that ran for real

function recordingClient(serviceDefinition, name) {
  const wrapped = {};
  for (const [method, def] of Object.entries(serviceDefinition)) {
    wrapped[method] = {
      ...def,
      responseDeserialize: (bytes) => {
        wire.responses.push({ method, bytes: Buffer.from(bytes) });
        return def.responseDeserialize(bytes);
      },
    };
  }
  return grpc.makeGenericClientConstructor(wrapped, name);
}

function deadline(ms = 15000) {
  return { deadline: Date.now() + ms };
}

function unary(client, method, request, ms) {
  return new Promise((resolve, reject) => {
    const call = client[method](request, deadline(ms), (err, res) => (err ? reject(err) : resolve(res)));
    call.on('metadata', (md) => wire.metadata.push(md));
    call.on('status', (st) => wire.metadata.push(st.metadata));
  });
}
const rpc = (method, request, ms) => unary(service, method, request, ms);

// Resolves with the error of a call that must fail with `code`.
async function failsWith(promise, code) {
  try {
    const res = await promise;
    assert.fail(`expected ${code}, got a response: ${JSON.stringify(res).slice(0, 300)}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    assert.equal(grpc.status[err.code], code, `expected ${code}, got ${grpc.status[err.code]}: ${err.details}`);
    return err;
  }
  return undefined;
}

// The google.rpc.Status carried in grpc-status-details-bin, checked against the call's status.
function statusDetails(err) {
  const raw = err.metadata.get('grpc-status-details-bin');
  assert.equal(raw.length, 1, 'grpc-status-details-bin is present once');
  const status = RpcStatus.decode(raw[0]);
  assert.equal(status.code, err.code, 'details code equals the call status');
  assert.equal(status.message, err.details, 'details message equals grpc-message');
  return status;
}

function badRequestOf(err) {
  const status = statusDetails(err);
  const any = status.details.find((d) => d.type_url === 'type.googleapis.com/google.rpc.BadRequest');
  assert.ok(any, `BadRequest among details: ${status.details.map((d) => d.type_url)}`);
  return RpcBadRequest.decode(any.value);
}

function contains(bytes, secret) {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(String(bytes));
  return [
    Buffer.from(secret),
    Buffer.from(Buffer.from(secret).toString('base64').replace(/=+$/, '')),
    Buffer.from(Buffer.from(secret).toString('hex')),
  ].some((needle) => b.includes(needle));
}

function assertNoSecret(bytes, where) {
  for (const secret of SECRETS) {
    assert.ok(!contains(bytes, secret), `a password appears in ${where}`);
  }
}

function assertErrorHasNoSecret(err) {
  assertNoSecret(err.message, 'the error message');
  assertNoSecret(err.details, 'grpc-message');
  for (const [key, values] of Object.entries(err.metadata.toJSON())) {
    for (const v of values) assertNoSecret(v, `trailer ${key}`);
  }
}

function fake(method, urlPath, body) {
  const [host, port] = FAKECLOUD_ADDR.split(':');
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port: Number(port), path: urlPath, method }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve(text ? JSON.parse(text) : null));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

async function fakeInstances() {
  const list = await fake('GET', '/_fake/instances');
  return new Map(list.map((i) => [i.instance_id, i]));
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

// All events of WatchResetJob until the server closes the stream.
function watch(jobId, onEvent = () => {}) {
  return new Promise((resolve, reject) => {
    const events = [];
    const call = service.WatchResetJob({ job_id: jobId }, deadline(60000));
    call.on('data', (e) => { events.push(e); onEvent(e); });
    call.on('metadata', (md) => wire.metadata.push(md));
    call.on('error', reject);
    call.on('status', (st) => {
      wire.metadata.push(st.metadata);
      if (st.code === grpc.status.OK) resolve(events);
    });
  });
}

// Every instance result of a job, paged through ListResetJobInstances
// `pageSize` at a time, following next_page_token.
async function allInstances(jobId, filters = {}, pageSize = 2) {
  const out = [];
  let pageToken = '';
  do {
    const page = await rpc('ListResetJobInstances',
      { job_id: jobId, page_size: pageSize, page_token: pageToken, ...filters });
    assert.ok(page.instances.length <= pageSize, 'a page holds at most page_size');
    out.push(...page.instances);
    pageToken = page.next_page_token;
  } while (pageToken);
  return out;
}

function timeNanos(ts) {
  return BigInt(ts.seconds) * 1000000000n + BigInt(ts.nanos);
}

function request(requestId, targets, extra = {}) {
  return { request_id: requestId, targets, password: PASSWORD, ...extra };
}

async function createJob(req) {
  const job = await rpc('CreateResetJob', req);
  assert.match(job.job_id, /\S/, 'a job id');
  assert.equal(job.request_id, req.request_id);
  created.set(job.job_id, req.request_id);
  return job;
}

before(async () => {
  assert.ok(GRPC_ADDR && FAKECLOUD_ADDR, 'RESETD_GRPC_ADDR and FAKECLOUD_ADDR are set (run via run_grpc_node.sh)');
  const creds = grpc.credentials.createInsecure();
  const Service = recordingClient(api.resetd.v1.PasswordResetService.service, 'PasswordResetService');
  service = new Service(GRPC_ADDR, creds);
  health = new api.grpc.health.v1.Health(GRPC_ADDR, creds);
  reflection = new api.grpc.reflection.v1alpha.ServerReflection(GRPC_ADDR, creds);
  await new Promise((ok, fail) => service.waitForReady(Date.now() + 10000, (e) => (e ? fail(e) : ok())));
  fleet = await fakeInstances();
});

after(() => {
  for (const c of [service, health, reflection]) if (c) c.close();
});

test('health: the server reports SERVING', async () => {
  const res = await unary(health, 'Check', { service: '' });
  assert.equal(res.status, 'SERVING');
  const err = await failsWith(unary(health, 'Check', { service: 'no.such.Service' }), 'NOT_FOUND');
  assert.ok(err);
});

test('reflection v1alpha lists and describes resetd.v1.PasswordResetService', async () => {
  const ask = (requests) => new Promise((resolve, reject) => {
    const answers = [];
    const call = reflection.ServerReflectionInfo(deadline());
    call.on('data', (r) => answers.push(r));
    call.on('error', reject);
    call.on('end', () => resolve(answers));
    for (const r of requests) call.write(r);
    call.end();
  });
  const [listed, described] = await ask([
    { host: '', list_services: '' },
    { host: '', file_containing_symbol: 'resetd.v1.PasswordResetService' },
  ]);
  assert.equal(listed.message_response, 'list_services_response');
  const names = listed.list_services_response.service.map((s) => s.name);
  assert.ok(names.includes('resetd.v1.PasswordResetService'), `listed: ${names}`);
  assert.ok(names.includes('grpc.health.v1.Health'), `listed: ${names}`);

  assert.equal(described.message_response, 'file_descriptor_response',
    JSON.stringify(described.error_response));
  const files = described.file_descriptor_response.file_descriptor_proto
    .map((b) => descriptor.FileDescriptorProto.decode(b));
  const file = files.find((f) => f.package === 'resetd.v1' &&
    f.service.some((s) => s.name === 'PasswordResetService'));
  assert.ok(file, `files: ${files.map((f) => f.name)}`);
  const methods = new Map(file.service.find((s) => s.name === 'PasswordResetService')
    .method.map((m) => [m.name, m]));
  assert.deepEqual([...methods.keys()].sort(), [
    'CancelResetJob', 'CreateResetJob', 'GetResetJob', 'ListResetJobInstances', 'ListResetJobs',
    'WatchResetJob']);
  assert.equal(methods.get('WatchResetJob').serverStreaming, true);
  assert.equal(methods.get('WatchResetJob').outputType, '.resetd.v1.ResetJobEvent');
});

test('CreateResetJob: invalid input is INVALID_ARGUMENT with BadRequest field violations', async () => {
  const [someId] = fleet.keys();
  const err = await failsWith(rpc('CreateResetJob', {
    request_id: 'bad id!',
    targets: [{ provider: 'tencent', region: REGION, instance_ids: ['not-an-id', someId, someId] }],
    username: 'u'.repeat(65),
    password: BAD_PASSWORD,
    max_unavailable: -1,
  }), 'INVALID_ARGUMENT');
  assertErrorHasNoSecret(err);
  const bad = badRequestOf(err);
  const fields = new Set(bad.field_violations.map((v) => v.field));
  for (const f of ['request_id', 'targets[0].instance_ids[0]', 'targets[0].instance_ids[2]',
    'username', 'password', 'max_unavailable']) {
    assert.ok(fields.has(f), `violation on ${f}; got ${[...fields]}`);
  }
  for (const v of bad.field_violations) {
    assert.match(v.description, /\S/, `${v.field} has a description`);
  }
  assert.match(bad.field_violations.find((v) => v.field === 'targets[0].instance_ids[2]').description,
    /duplicate/i);
});

test('CreateResetJob: empty request, unknown provider, weak password', async () => {
  const empty = badRequestOf(await failsWith(rpc('CreateResetJob', {}), 'INVALID_ARGUMENT'));
  const emptyFields = empty.field_violations.map((v) => v.field);
  for (const f of ['request_id', 'targets', 'password']) {
    assert.ok(emptyFields.includes(f), `violation on ${f}; got ${emptyFields}`);
  }

  const [someId] = fleet.keys();
  const unknown = await failsWith(rpc('CreateResetJob', request('conf-unknown-provider',
    [{ provider: 'nosuchcloud', region: REGION, instance_ids: [someId] }])), 'INVALID_ARGUMENT');
  assertErrorHasNoSecret(unknown);
  assert.deepEqual(badRequestOf(unknown).field_violations.map((v) => v.field), ['targets[0].provider']);

  const weak = 'alllowercaseletters';
  const weakErr = await failsWith(rpc('CreateResetJob', {
    request_id: 'conf-weak', targets: [{ provider: 'tencent', region: REGION, instance_ids: [someId] }],
    password: weak,
  }), 'INVALID_ARGUMENT');
  assert.ok(!contains(weakErr.details, weak) && !contains(weakErr.metadata.get('grpc-status-details-bin')[0], weak),
    'the weak password is not echoed');
  assert.ok(badRequestOf(weakErr).field_violations.every((v) => v.field === 'password'));

  // Nothing was created by the rejected requests.
  const listed = await rpc('ListResetJobs', { page_size: 500 });
  assert.equal(listed.jobs.length, 0, `jobs: ${listed.jobs.map((j) => j.request_id)}`);
});

test('a job runs: WatchResetJob streams to a terminal state, ListResetJobInstances pages every result', async () => {
  const byState = (s) => [...fleet.values()].filter((i) => i.region === REGION && i.state === s &&
    i.restrict_state === 'NORMAL');
  const linux = (s) => byState(s).filter((i) => i.os_type === 'LINUX').map((i) => i.instance_id);
  const windows = (s) => byState(s).filter((i) => i.os_type === 'WINDOWS').map((i) => i.instance_id);
  const linuxIds = [...linux('RUNNING').slice(0, 6), ...linux('STOPPED').slice(0, 3)];
  const windowsIds = [...windows('RUNNING').slice(0, 2), ...windows('STOPPED').slice(0, 1)];
  assert.ok(linuxIds.length >= 6 && windowsIds.length >= 1, 'the fleet has enough instances');
  const req = request('conf-main-job', [
    { provider: 'tencent', region: REGION, instance_ids: linuxIds, os_type: 'OS_TYPE_LINUX' },
    { provider: 'tencent', region: REGION, instance_ids: windowsIds, os_type: 'OS_TYPE_WINDOWS' },
  ], { stop_mode: 'STOP_MODE_SOFT', power_policy: 'POWER_POLICY_RESTORE_ORIGINAL' });
  const ids = [...linuxIds, ...windowsIds];
  const job = await createJob(req);
  assert.ok(['JOB_STATE_QUEUED', 'JOB_STATE_RUNNING'].includes(job.state), job.state);
  assert.equal(job.counts.total, ids.length);
  mainJob = { jobId: job.job_id, request: req, ids };

  const events = await watch(job.job_id);
  assert.ok(events.length >= 1, 'at least one event');
  const last = events[events.length - 1];
  assert.equal(last.job.state, 'JOB_STATE_SUCCEEDED', JSON.stringify(last.job.counts));
  events.slice(0, -1).forEach((e) => assert.ok(!TERMINAL.has(e.job.state), 'only the last event is terminal'));
  assert.equal(events[0].changed.length, 0, 'the first event carries counts only');
  for (const e of events) {
    assert.equal(e.job.job_id, job.job_id);
    assert.equal(e.job.targets.length, 0, 'events carry the BASIC view');
    for (const c of e.changed) assert.ok(ids.includes(c.instance_id), `changed ${c.instance_id} is in the job`);
  }
  const done = events.map((e) => e.job.counts.succeeded + e.job.counts.failed + e.job.counts.cancelled);
  done.slice(1).forEach((n, i) => assert.ok(n >= done[i], `finished counts never go down: ${done}`));

  const full = await rpc('GetResetJob', { job_id: job.job_id, view: 'JOB_VIEW_FULL' });
  assert.equal(full.state, 'JOB_STATE_SUCCEEDED');
  assert.deepEqual({ ...full.counts }, {
    total: ids.length, pending: 0, in_progress: 0, succeeded: ids.length, failed: 0, cancelled: 0,
  });
  assert.equal(full.targets.length, 2);
  assert.equal(full.targets.reduce((n, t) => n + t.instance_count, 0), ids.length);
  full.targets.forEach((t) => assert.equal(t.instance_ids.length, 0, 'ids are paged, not in Get'));
  assert.equal(full.failures.length, 0);
  const results = await allInstances(job.job_id);
  assert.deepEqual(results.map((r) => r.instance_id).sort(), [...ids].sort());
  const after = await fakeInstances();
  const digest = crypto.createHash('sha256').update(PASSWORD).digest('hex');
  for (const r of results) {
    const before = fleet.get(r.instance_id);
    const where = `${r.instance_id} (${before.state})`;
    assert.equal(r.state, 'INSTANCE_STATE_SUCCEEDED', where);
    assert.equal(r.provider, 'tencent');
    assert.equal(r.region, REGION);
    assert.equal(r.original_power_state, `POWER_STATE_${before.state}`, where);
    assert.equal(r.final_power_state, `POWER_STATE_${before.state}`, where);
    assert.equal(r.held_stopped, false, where);
    assert.equal(r.error, null, where);
    const actions = r.steps.map((s) => s.action);
    assert.deepEqual(actions.filter((a) => a !== 'Observe'),
      before.state === 'RUNNING' ? ['Stop', 'ResetPassword', 'Start'] : ['ResetPassword'], where);
    for (const s of r.steps.filter((x) => x.action !== 'Observe')) {
      assert.equal(s.outcome, 'OK', `${where} ${s.action}`);
      assert.match(s.request_id, /^[0-9a-f-]{36}$/, `${where} ${s.action} keeps the provider's RequestId`);
      assert.ok(timeNanos(s.end_time) >= timeNanos(s.start_time), `${where} ${s.action} times`);
    }
    assert.equal(after.get(r.instance_id).state, before.state, `${where} is back in its power state`);
    assert.equal(after.get(r.instance_id).password_digest, digest, `${where} has the new password`);
  }
  // Untouched instances kept their password.
  for (const [id, i] of after) if (!ids.includes(id)) assert.equal(i.password_digest, fleet.get(id).password_digest);
});

test('CreateResetJob is idempotent on request_id', async () => {
  const calls = (await fake('GET', '/_fake/calls')).length;
  const again = await rpc('CreateResetJob', mainJob.request);
  assert.equal(again.job_id, mainJob.jobId, 'same request_id, same content: same job');
  assert.equal(again.state, 'JOB_STATE_SUCCEEDED', 'the job is not run again');

  const fewer = { ...mainJob.request, targets: [mainJob.request.targets[0]] };
  const err = await failsWith(rpc('CreateResetJob', fewer), 'ALREADY_EXISTS');
  assertErrorHasNoSecret(err);
  const otherPassword = { ...mainJob.request, password: BAD_PASSWORD.slice(0, 20) };
  assertErrorHasNoSecret(await failsWith(rpc('CreateResetJob', otherPassword), 'ALREADY_EXISTS'));
  const otherPolicy = { ...mainJob.request, power_policy: 'POWER_POLICY_ALWAYS_START' };
  await failsWith(rpc('CreateResetJob', otherPolicy), 'ALREADY_EXISTS');

  await sleep(300);
  const sent = (await fake('GET', '/_fake/calls')).slice(calls).filter((c) => c.action !== 'DescribeInstances');
  assert.deepEqual(sent, [], 'replays sent nothing to the cloud');
});

test('ListResetJobs pages through every job, newest first', async () => {
  const [someId] = fleet.keys();
  for (let i = 0; i < 6; i++) {
    const job = await createJob(request(`conf-list-${i}`,
      [{ provider: 'tencent', region: REGION, instance_ids: [someId] }], { dry_run: true }));
    assert.equal(job.dry_run, true);
  }
  const seen = [];
  let token = '';
  let pages = 0;
  do {
    const page = await rpc('ListResetJobs', { page_size: 2, page_token: token });
    assert.ok(page.jobs.length <= 2, 'page_size is honoured');
    assert.ok(page.jobs.length > 0 || page.next_page_token === '', 'no empty page before the end');
    for (const j of page.jobs) {
      assert.equal(j.targets.length, 0, 'BASIC view in lists');
      seen.push(j);
    }
    token = page.next_page_token;
    assert.ok(++pages <= 10, 'pagination ends');
  } while (token);
  assert.equal(pages, Math.ceil(created.size / 2));
  const ids = seen.map((j) => j.job_id);
  assert.equal(new Set(ids).size, ids.length, 'no job twice');
  assert.deepEqual([...ids].sort(), [...created.keys()].sort(), 'every job once');
  for (let i = 1; i < seen.length; i++) {
    assert.ok(timeNanos(seen[i - 1].create_time) >= timeNanos(seen[i].create_time), 'newest first');
  }
  assert.equal(seen[0].request_id, 'conf-list-5');

  const all = await rpc('ListResetJobs', {});
  assert.equal(all.jobs.length, created.size, 'default page size holds them all');
  assert.equal(all.next_page_token, '');

  // Wait for the dry runs to end, then filter by state.
  for (const j of seen) await watch(j.job_id);
  const ok = await rpc('ListResetJobs', { states: ['JOB_STATE_SUCCEEDED'], page_size: 100 });
  assert.equal(ok.jobs.length, created.size, ok.jobs.map((j) => `${j.request_id}:${j.state}`).join());
  const none = await rpc('ListResetJobs', { states: ['JOB_STATE_CANCELLED'] });
  assert.equal(none.jobs.length, 0);

  await failsWith(rpc('ListResetJobs', { page_token: 'not-a-token' }), 'INVALID_ARGUMENT');
  const big = await failsWith(rpc('ListResetJobs', { page_size: 501 }), 'INVALID_ARGUMENT');
  assert.deepEqual(badRequestOf(big).field_violations.map((v) => v.field), ['page_size']);
});

test('ListResetJobInstances filters, and refuses bad page sizes and foreign page tokens', async () => {
  const succeeded = await allInstances(mainJob.jobId, { states: ['INSTANCE_STATE_SUCCEEDED'] }, 3);
  assert.equal(succeeded.length, mainJob.ids.length);
  assert.deepEqual(await allInstances(mainJob.jobId, { states: ['INSTANCE_STATE_FAILED'] }), []);
  assert.deepEqual(await allInstances(mainJob.jobId, { providers: ['nosuch'] }), []);
  const big = await failsWith(rpc('ListResetJobInstances', { job_id: mainJob.jobId, page_size: 1001 }),
    'INVALID_ARGUMENT');
  assert.deepEqual(badRequestOf(big).field_violations.map((v) => v.field), ['page_size']);
  const first = await rpc('ListResetJobInstances', { job_id: mainJob.jobId, page_size: 1 });
  assert.ok(first.next_page_token, 'more than one page');
  const foreign = await failsWith(rpc('ListResetJobInstances', {
    job_id: mainJob.jobId, page_size: 1, page_token: first.next_page_token,
    states: ['INSTANCE_STATE_FAILED'],
  }), 'INVALID_ARGUMENT');
  assert.deepEqual(badRequestOf(foreign).field_violations.map((v) => v.field), ['page_token']);
  await failsWith(rpc('ListResetJobInstances', { job_id: 'no-such-job' }), 'NOT_FOUND');
});

test('GetResetJob and CancelResetJob of unknown or missing ids', async () => {
  await failsWith(rpc('GetResetJob', { job_id: 'no-such-job' }), 'NOT_FOUND');
  await failsWith(rpc('CancelResetJob', { job_id: 'no-such-job' }), 'NOT_FOUND');
  const missing = await failsWith(rpc('CancelResetJob', {}), 'INVALID_ARGUMENT');
  assert.deepEqual(badRequestOf(missing).field_violations.map((v) => v.field), ['job_id']);
  await failsWith(rpc('GetResetJob', { job_id: '' }), 'INVALID_ARGUMENT');
  await failsWith(watch('no-such-job'), 'NOT_FOUND');
});

test('CancelResetJob on an ended job changes nothing', async () => {
  const calls = (await fake('GET', '/_fake/calls')).length;
  const before = await rpc('GetResetJob', { job_id: mainJob.jobId, view: 'JOB_VIEW_FULL' });
  const resultsBefore = await allInstances(mainJob.jobId);
  const cancelled = await rpc('CancelResetJob', { job_id: mainJob.jobId });
  assert.equal(cancelled.job_id, mainJob.jobId);
  assert.equal(cancelled.state, 'JOB_STATE_SUCCEEDED');
  assert.deepEqual({ ...cancelled.counts }, { ...before.counts });
  const again = await rpc('CancelResetJob', { job_id: mainJob.jobId });
  assert.equal(again.state, 'JOB_STATE_SUCCEEDED', 'cancel is idempotent');
  await sleep(300);
  const afterCancel = await rpc('GetResetJob', { job_id: mainJob.jobId });
  assert.equal(afterCancel.state, 'JOB_STATE_SUCCEEDED');
  assert.deepEqual(await allInstances(mainJob.jobId), resultsBefore, 'results unchanged');
  const sent = (await fake('GET', '/_fake/calls')).slice(calls).filter((c) => c.action !== 'DescribeInstances');
  assert.deepEqual(sent, [], 'nothing sent to the cloud');
});

test('CancelResetJob on a running job returns every instance to its power state', async () => {
  await fake('POST', '/_fake/delays', { transition_ms: [1500, 2000], reset_ms: [800, 1000] });
  try {
    const used = new Set(mainJob.ids);
    const running = [...fleet.values()].filter((i) => i.region === REGION && i.state === 'RUNNING' &&
      i.restrict_state === 'NORMAL' && !used.has(i.instance_id)).map((i) => i.instance_id).slice(0, 6);
    assert.ok(running.length >= 3, 'enough running instances');
    const job = await createJob(request('conf-cancel', [{ provider: 'tencent', region: REGION,
      instance_ids: running }]));
    let cancelSent = false;
    const events = await watch(job.job_id, (e) => {
      // Cancel once the stops went out (instances held down), before any reset.
      if (!cancelSent && e.changed.some((c) => c.steps.some((s) => s.action === 'Stop'))) {
        cancelSent = true;
        rpc('CancelResetJob', { job_id: job.job_id }).catch(() => {});
      }
    });
    assert.ok(cancelSent, 'saw the stop before the end');
    assert.equal(events[events.length - 1].job.state, 'JOB_STATE_CANCELLED');
    const now = await fakeInstances();
    for (const r of await allInstances(job.job_id)) {
      // The cancel came while the stops were under way (transitions take
      // 1.5 s here): no reset went out, every stop was undone.
      assert.equal(r.state, 'INSTANCE_STATE_CANCELLED', r.instance_id);
      assert.deepEqual(r.steps.map((s) => s.action).filter((a) => a !== 'Observe'), ['Stop', 'Start'],
        r.instance_id);
      assert.equal(r.held_stopped, false, r.instance_id);
      assert.equal(r.final_power_state, 'POWER_STATE_RUNNING', r.instance_id);
      assert.equal(now.get(r.instance_id).state, 'RUNNING', `${r.instance_id} runs again`);
      assert.equal(now.get(r.instance_id).password_digest, fleet.get(r.instance_id).password_digest,
        `${r.instance_id} was cancelled, so its password is unchanged`);
    }
  } finally {
    await fake('POST', '/_fake/delays', { transition_ms: [100, 300], reset_ms: [100, 200] });
  }
});

test('no password in any serialized response, header, trailer or log', () => {
  assert.ok(wire.responses.length > 20, `recorded ${wire.responses.length} responses`);
  for (const { method, bytes } of wire.responses) assertNoSecret(bytes, `a ${method} response`);
  for (const md of wire.metadata) {
    for (const [key, values] of Object.entries(md.toJSON())) {
      for (const v of values) assertNoSecret(v, `metadata ${key}`);
    }
  }
  for (const log of [process.env.RESETD_LOG, process.env.FAKECLOUD_LOG]) {
    if (!log) continue;
    assertNoSecret(fs.readFileSync(log), path.basename(log));
  }
});
