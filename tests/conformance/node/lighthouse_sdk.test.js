// Conformance: the official Tencent Cloud Node SDK bundle's Lighthouse client
// (tencentcloud-sdk-nodejs, lighthouse v20200324) against fakecloud, with a
// CVM instance on the same port to prove the routing. Run by
// ../run_tencent_sdk.sh with FAKECLOUD_BIN set. Loopback only.
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
// Only the Lighthouse service of the bundle is loaded.
const { lighthouse } = require('tencentcloud-sdk-nodejs/tencentcloud/services/lighthouse');
const tencentcvm = require('tencentcloud-sdk-nodejs-cvm');

const LighthouseClient = lighthouse.v20200324.Client;
const CvmClient = tencentcvm.cvm.v20170312.Client;
const SECRET_ID = 'AKIDconformanceEXAMPLE';
const SECRET_KEY = 'conformance-secret-key';
const REGION = 'ap-guangzhou';
const PASSWORD = 'Conf0rmance!Pass';
const LH = 'tencent_lighthouse';
const FLEET = [
  { provider: LH, instance_id: 'lhins-run00001', state: 'RUNNING' },
  { provider: LH, instance_id: 'lhins-run00002', state: 'RUNNING' },
  { provider: LH, instance_id: 'lhins-stp00001', state: 'STOPPED' },
  { provider: LH, instance_id: 'lhins-stp00002', state: 'STOPPED' },
  { provider: LH, instance_id: 'lhins-win00001', state: 'STOPPED', os_type: 'WINDOWS' },
  { provider: LH, instance_id: 'lhins-frz00001', state: 'FREEZING' },
  { provider: LH, instance_id: 'lhins-sha00001', state: 'RUNNING', region: 'ap-shanghai' },
  { instance_id: 'ins-cvm00001', state: 'RUNNING' },
];

let fake;   // the fakecloud child process
let port;

// Every host name resolves to 127.0.0.1, so the SDK keeps the real endpoint
// name (and signs for service "lighthouse") while talking to the local fake.
const loopbackAgent = new http.Agent({
  lookup: (hostname, options, callback) => {
    if (options && options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
  },
});

function profile(host, reqMethod) {
  return {
    httpProfile: {
      endpoint: `${host}:${port}`,
      protocol: 'http://',
      agent: loopbackAgent,
      reqMethod,
      reqTimeout: 10,
    },
  };
}

function client({ secretId = SECRET_ID, secretKey = SECRET_KEY, reqMethod = 'POST', region = REGION } = {}) {
  return new LighthouseClient({
    credential: { secretId, secretKey },
    region,
    profile: profile('lighthouse.tencentcloudapi.com', reqMethod),
  });
}

function cvmClient() {
  return new CvmClient({
    credential: { secretId: SECRET_ID, secretKey: SECRET_KEY },
    region: REGION,
    profile: profile('cvm.tencentcloudapi.com', 'POST'),
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

function digestOf(password) {
  return crypto.createHash('sha256').update(password).digest('hex');
}

before(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fakecloud-lh-conf-'));
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
  const r = await client().DescribeInstances({ InstanceIds: ['lhins-run00001', 'lhins-stp00001', 'lhins-frz00001'], Limit: 100 });
  assert.equal(r.TotalCount, 3);
  assert.match(r.RequestId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const byId = Object.fromEntries(r.InstanceSet.map((i) => [i.InstanceId, i]));
  assert.equal(byId['lhins-run00001'].InstanceState, 'RUNNING');
  assert.equal(byId['lhins-stp00001'].InstanceState, 'STOPPED');
  assert.equal(byId['lhins-frz00001'].InstanceState, 'FREEZING');
  assert.equal(byId['lhins-run00001'].PlatformType, 'LINUX_UNIX');
  assert.ok('LatestOperation' in byId['lhins-run00001']);
  assert.ok('LatestOperationState' in byId['lhins-run00001']);
  assert.ok('LatestOperationRequestId' in byId['lhins-run00001']);
});

test('DescribeInstances with GET and the query signed; only Lighthouse instances', async () => {
  const r = await client({ reqMethod: 'GET' }).DescribeInstances({ Limit: 100 });
  const ids = r.InstanceSet.map((i) => i.InstanceId).sort();
  assert.deepEqual(ids, ['lhins-frz00001', 'lhins-run00001', 'lhins-run00002', 'lhins-stp00001', 'lhins-stp00002', 'lhins-win00001']);
});

test('the same port serves CVM, which sees only its own instances', async () => {
  const r = await cvmClient().DescribeInstances({});
  assert.deepEqual(r.InstanceSet.map((i) => i.InstanceId), ['ins-cvm00001']);
});

test('reset of a running instance shuts it down itself; the recipe starts it', async () => {
  const reset = await client().ResetInstancesPassword({ InstanceIds: ['lhins-run00001'], Password: PASSWORD, UserName: 'root' });
  assert.match(reset.RequestId, /^[0-9a-f-]{36}$/);
  const done = await waitFor('lhins-run00001', (i) => i.LatestOperationState !== 'OPERATING', 'a finished reset');
  assert.equal(done.LatestOperation, 'ResetInstancesPassword');
  assert.equal(done.LatestOperationState, 'SUCCESS');
  assert.equal(done.LatestOperationRequestId, reset.RequestId);
  assert.equal(done.InstanceState, 'STOPPED');
  const inst = (await admin('GET', '/_fake/instances')).find((i) => i.instance_id === 'lhins-run00001');
  assert.equal(inst.provider, LH);
  assert.equal(inst.password_digest, digestOf(PASSWORD));

  const start = await client().StartInstances({ InstanceIds: ['lhins-run00001'] });
  const running = await waitFor('lhins-run00001', (i) => i.InstanceState === 'RUNNING' && i.LatestOperationState === 'SUCCESS', 'RUNNING');
  assert.equal(running.LatestOperation, 'StartInstances');
  assert.equal(running.LatestOperationRequestId, start.RequestId);
});

test('reset of a stopped instance leaves it stopped', async () => {
  await client().ResetInstancesPassword({ InstanceIds: ['lhins-stp00001'], Password: PASSWORD });
  const done = await waitFor('lhins-stp00001', (i) => i.LatestOperationState !== 'OPERATING', 'a finished reset');
  assert.equal(done.LatestOperationState, 'SUCCESS');
  assert.equal(done.InstanceState, 'STOPPED');
});

test('StopInstances and RebootInstances are accepted', async () => {
  await client().RebootInstances({ InstanceIds: ['lhins-run00002'] });
  await waitFor('lhins-run00002', (i) => i.InstanceState === 'RUNNING' && i.LatestOperation === 'RebootInstances' && i.LatestOperationState === 'SUCCESS', 'rebooted');
  await client().StopInstances({ InstanceIds: ['lhins-run00002'] });
  await waitFor('lhins-run00002', (i) => i.InstanceState === 'STOPPED' && i.LatestOperationState === 'SUCCESS', 'STOPPED');
});

test('errors surface with their Lighthouse codes, request ids and trace ids', async () => {
  await rejectsWith(client().StopInstances({ InstanceIds: ['lhins-aaaaaaaa'] }), 'ResourceNotFound.InstanceIdNotFound');
  await rejectsWith(client().DescribeInstances({ InstanceIds: ['lhins-aaaaaaaa'] }), 'ResourceNotFound.InstanceIdNotFound');
  await rejectsWith(client().StopInstances({ InstanceIds: ['ins-cvm00001'] }), 'InvalidParameterValue.InstanceIdMalformed');
  await rejectsWith(client().StopInstances({ InstanceIds: ['lhins-stp00002', 'lhins-stp00002'] }), 'InvalidParameterValue.Duplicated');
  await rejectsWith(client().StartInstances({ InstanceIds: ['lhins-frz00001'] }), 'UnsupportedOperation.InvalidInstanceState');
  await rejectsWith(client().StopInstances({ InstanceIds: ['lhins-stp00002'] }), 'UnsupportedOperation.InvalidInstanceState');
  await rejectsWith(client().ResetInstancesPassword({ InstanceIds: ['lhins-stp00002'], Password: 'short1!' }), 'InvalidParameterValue.InvalidPassword');
  // 12 characters are needed once a Windows instance is in the batch.
  await rejectsWith(client().ResetInstancesPassword({ InstanceIds: ['lhins-stp00002', 'lhins-win00001'], Password: 'Abcdef1!x' }), 'InvalidParameterValue.InvalidPassword');
  // Lighthouse has no ForceStop.
  await rejectsWith(client().ResetInstancesPassword({ InstanceIds: ['lhins-stp00002'], Password: PASSWORD, ForceStop: true }), 'UnknownParameter');
  const ids = Array.from({ length: 101 }, (_, i) => `lhins-${String(i).padStart(8, '0')}`);
  await rejectsWith(client().DescribeInstances({ InstanceIds: ids }), 'InvalidParameterValue.LimitExceeded');
  await rejectsWith(client().ResetInstancesPassword({ InstanceIds: ids, Password: PASSWORD }), 'InvalidParameterValue.LimitExceeded');
  await client().ResetInstancesPassword({ InstanceIds: ['lhins-stp00002'], Password: PASSWORD });
  await rejectsWith(client().StartInstances({ InstanceIds: ['lhins-stp00002'] }), 'UnsupportedOperation.LatestOperationUnfinished');
});

test('authentication and gateway failures', async () => {
  await rejectsWith(client({ secretKey: 'wrong-key' }).DescribeInstances({}), 'AuthFailure.SignatureFailure');
  await rejectsWith(client({ secretId: 'AKIDunknownEXAMPLE' }).DescribeInstances({}), 'AuthFailure.SecretIdNotFound');
  await rejectsWith(client({ region: 'xx-nowhere' }).DescribeInstances({}), 'InvalidParameterValue');
});

test('the call log records the provider and never the password', async () => {
  const calls = await admin('GET', '/_fake/calls');
  const resets = calls.filter((c) => c.provider === LH && c.action === 'ResetInstancesPassword');
  assert.ok(resets.length >= 3);
  assert.ok(calls.some((c) => c.provider === 'tencent_cvm'));
  const text = JSON.stringify(calls);
  assert.ok(!text.includes(PASSWORD));
  assert.ok(!text.includes('Abcdef1!x'));
});
