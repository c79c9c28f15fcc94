// Conformance: the official Tencent Cloud CVM Node SDK against fakecloud.
// Run by ../run_tencent_sdk.sh with FAKECLOUD_BIN set. Loopback only.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const tencentcloud = require('tencentcloud-sdk-nodejs-cvm');

const CvmClient = tencentcloud.cvm.v20170312.Client;
const SECRET_ID = 'AKIDconformanceEXAMPLE';
const SECRET_KEY = 'conformance-secret-key';
const REGION = 'ap-guangzhou';
const PASSWORD = 'Conf0rmance!Pass';
const FLEET = [
  { instance_id: 'ins-run00001', state: 'RUNNING' },
  { instance_id: 'ins-run00002', state: 'RUNNING' },
  { instance_id: 'ins-stp00001', state: 'STOPPED' },
  { instance_id: 'ins-stp00002', state: 'STOPPED' },
  { instance_id: 'ins-win00001', state: 'STOPPED', os_type: 'WINDOWS' },
  { instance_id: 'ins-trm00001', state: 'TERMINATING' },
  { instance_id: 'ins-sha00001', state: 'RUNNING', region: 'ap-shanghai' },
];

let fake;   // the fakecloud child process
let port;

// Every host name resolves to 127.0.0.1, so the SDK keeps the real endpoint
// name (and signs for service "cvm") while talking to the local fake.
const loopbackAgent = new http.Agent({
  lookup: (hostname, options, callback) => {
    if (options && options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
  },
});

function client({ secretId = SECRET_ID, secretKey = SECRET_KEY, reqMethod = 'POST', region = REGION } = {}) {
  return new CvmClient({
    credential: { secretId, secretKey },
    region,
    profile: {
      httpProfile: {
        endpoint: `cvm.tencentcloudapi.com:${port}`,
        protocol: 'http://',
        agent: loopbackAgent,
        reqMethod,
        reqTimeout: 10,
      },
    },
  });
}

function admin(method, urlPath) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('error', reject);
    req.end();
  });
}

async function rejectsWith(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    assert.match(err.requestId, /^[0-9a-f-]{36}$/);
    assert.ok(err.traceId, 'traceId is echoed');
    return true;
  });
}

// Polls DescribeInstances until `predicate(instance)` holds (bounded).
async function waitFor(id, predicate, what) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const r = await client().DescribeInstances({ InstanceIds: [id] });
    if (predicate(r.InstanceSet[0])) return r.InstanceSet[0];
    if (Date.now() > deadline) assert.fail(`${id} never reached ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

before(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fakecloud-conf-'));
  const fleetFile = path.join(dir, 'fleet.json');
  fs.writeFileSync(fleetFile, JSON.stringify(FLEET));
  const env = { ...process.env, TENCENTCLOUD_SECRET_ID: SECRET_ID, TENCENTCLOUD_SECRET_KEY: SECRET_KEY };
  delete env.http_proxy;
  delete env.HTTP_PROXY;
  fake = spawn(process.env.FAKECLOUD_BIN, [
    '--listen', '127.0.0.1:0', '--fleet-file', fleetFile,
    '--transition-ms', '50:150', '--reset-ms', '50:100', '--log-level', 'warn',
  ], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('fakecloud did not start')), 10000);
    fake.on('exit', (code) => reject(new Error(`fakecloud exited ${code}`)));
    readline.createInterface({ input: fake.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
  });
  const m = /^listening on 127\.0\.0\.1:(\d+)$/.exec(first);
  assert.ok(m, `unexpected first line: ${first}`);
  port = Number(m[1]);
});

after(() => {
  loopbackAgent.destroy();
  if (fake) fake.kill('SIGTERM');
});

test('DescribeInstances is signed, accepted and parsed', async () => {
  const r = await client().DescribeInstances({ InstanceIds: ['ins-run00001', 'ins-stp00001'], Limit: 100 });
  assert.equal(r.TotalCount, 2);
  assert.match(r.RequestId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const byId = Object.fromEntries(r.InstanceSet.map((i) => [i.InstanceId, i]));
  assert.equal(byId['ins-run00001'].InstanceState, 'RUNNING');
  assert.equal(byId['ins-stp00001'].InstanceState, 'STOPPED');
  assert.equal(byId['ins-run00001'].Placement.Zone, 'ap-guangzhou-1');
  assert.ok('LatestOperationState' in byId['ins-run00001']);
});

test('DescribeInstances skips unknown ids and other regions', async () => {
  const r = await client().DescribeInstances({ InstanceIds: ['ins-zzzzzzzz', 'ins-sha00001'] });
  assert.equal(r.TotalCount, 0);
  assert.deepEqual(r.InstanceSet, []);
});

test('DescribeInstancesStatus works with GET and the query signed', async () => {
  const r = await client({ reqMethod: 'GET' }).DescribeInstancesStatus({ InstanceIds: ['ins-run00002', 'ins-trm00001'] });
  assert.equal(r.TotalCount, 2);
  const states = Object.fromEntries(r.InstanceStatusSet.map((s) => [s.InstanceId, s.InstanceState]));
  assert.deepEqual(states, { 'ins-run00002': 'RUNNING', 'ins-trm00001': 'TERMINATING' });
});

test('Stop, reset and start: the whole recipe', async () => {
  const stop = await client().StopInstances({ InstanceIds: ['ins-run00001'], StopType: 'SOFT_FIRST', StoppedMode: 'KEEP_CHARGING' });
  assert.match(stop.RequestId, /^[0-9a-f-]{36}$/);
  const stopped = await waitFor('ins-run00001', (i) => i.InstanceState === 'STOPPED', 'STOPPED');
  assert.equal(stopped.LatestOperation, 'StopInstances');
  assert.equal(stopped.LatestOperationState, 'SUCCESS');
  assert.equal(stopped.LatestOperationRequestId, stop.RequestId);

  const reset = await client().ResetInstancesPassword({ InstanceIds: ['ins-run00001'], Password: PASSWORD, UserName: 'root', ForceStop: false });
  const done = await waitFor('ins-run00001', (i) => i.LatestOperationState !== 'OPERATING', 'a finished reset');
  assert.equal(done.LatestOperation, 'ResetInstancesPassword');
  assert.equal(done.LatestOperationState, 'SUCCESS');
  assert.equal(done.LatestOperationRequestId, reset.RequestId);
  const digest = crypto.createHash('sha256').update(PASSWORD).digest('hex');
  const inst = (await admin('GET', '/_fake/instances')).find((i) => i.instance_id === 'ins-run00001');
  assert.equal(inst.password_digest, digest);

  await client().StartInstances({ InstanceIds: ['ins-run00001'] });
  await waitFor('ins-run00001', (i) => i.InstanceState === 'RUNNING' && i.LatestOperationState === 'SUCCESS', 'RUNNING');
});

test('ForceStop reset of a running instance returns it to RUNNING', async () => {
  await client().ResetInstancesPassword({ InstanceIds: ['ins-run00002'], Password: PASSWORD, ForceStop: true });
  const done = await waitFor('ins-run00002', (i) => i.LatestOperationState !== 'OPERATING', 'a finished reset');
  assert.equal(done.LatestOperationState, 'SUCCESS');
  assert.equal(done.InstanceState, 'RUNNING');
});

test('RebootInstances is accepted', async () => {
  await client().RebootInstances({ InstanceIds: ['ins-run00002'], StopType: 'SOFT' });
  await waitFor('ins-run00002', (i) => i.InstanceState === 'RUNNING' && i.LatestOperation === 'RebootInstances' && i.LatestOperationState === 'SUCCESS', 'rebooted');
});

test('errors surface with their codes, request ids and trace ids', async () => {
  await rejectsWith(client().StopInstances({ InstanceIds: ['ins-aaaaaaaa'] }), 'InvalidInstanceId.NotFound');
  await rejectsWith(client().StopInstances({ InstanceIds: ['ins-BAD'] }), 'InvalidInstanceId.Malformed');
  await rejectsWith(client().StartInstances({ InstanceIds: ['ins-run00002'] }), 'UnsupportedOperation.InstanceStateRunning');
  await rejectsWith(client().StopInstances({ InstanceIds: ['ins-trm00001'] }), 'UnsupportedOperation.InstanceStateTerminating');
  await rejectsWith(client().ResetInstancesPassword({ InstanceIds: ['ins-run00002'], Password: PASSWORD }), 'UnsupportedOperation.InstanceStateRunning');
  await rejectsWith(client().ResetInstancesPassword({ InstanceIds: ['ins-stp00002'], Password: 'short1!' }), 'InvalidParameterValue.InvalidPassword');
  // 12 characters are needed once a Windows instance is in the batch.
  await rejectsWith(client().ResetInstancesPassword({ InstanceIds: ['ins-stp00002', 'ins-win00001'], Password: 'Abcdef1!x' }), 'InvalidParameterValue.InvalidPassword');
  const ids = Array.from({ length: 101 }, (_, i) => `ins-${String(i).padStart(8, '0')}`);
  await rejectsWith(client().DescribeInstances({ InstanceIds: ids }), 'InvalidParameterValue.LimitExceeded');
  await rejectsWith(client().ResetInstancesPassword({ InstanceIds: ids, Password: PASSWORD }), 'InvalidParameterValue.LimitExceeded');
});

test('authentication failures', async () => {
  await rejectsWith(client({ secretKey: 'wrong-key' }).DescribeInstances({}), 'AuthFailure.SignatureFailure');
  await rejectsWith(client({ secretId: 'AKIDunknownEXAMPLE' }).DescribeInstances({}), 'AuthFailure.SecretIdNotFound');
  await rejectsWith(client({ region: 'xx-nowhere' }).DescribeInstances({}), 'InvalidParameterValue');
});

test('the call log records calls without the password', async () => {
  const calls = await admin('GET', '/_fake/calls');
  const resets = calls.filter((c) => c.action === 'ResetInstancesPassword');
  assert.ok(resets.length >= 2);
  assert.ok(resets.some((c) => c.result === 'OK' && c.secret_id === SECRET_ID));
  assert.ok(!JSON.stringify(calls).includes(PASSWORD), 'password leaked into the call log');
  assert.ok(resets.every((c) => !('Password' in c.params)));
});
