// Conformance: the official Alibaba Cloud ECS Node SDK (@alicloud/ecs20140526
// on @alicloud/openapi-core, ACS3-HMAC-SHA256 by default; RPC HMAC-SHA1 with
// signatureAlgorithm 'v2') and @alicloud/openapi-client's generic callApi,
// against a fakecloud process. Proves that the SDK's signatures are
// accepted, that answers parse into its models and that errors reach it with
// their codes and HTTP statuses. Run by ../run_aliyun_sdk.sh with
// FAKECLOUD_BIN set. Loopback only.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const Ecs = require('@alicloud/ecs20140526');
const { $OpenApiUtil } = require('@alicloud/openapi-core');
const OpenApiClient = require('@alicloud/openapi-client');
const Util = require('@alicloud/tea-util');

const AK = 'LTAI5tCONFORMANCEaccessKey';
const SK = 'conformance-aliyun-secret';
const REGION = 'cn-hangzhou';
const PASSWORD = 'Conf0rmance!Pass';
const A = 'aliyun_ecs';
const RUN1 = 'i-bp67acfmxazb4p000001';
const RUN2 = 'i-bp67acfmxazb4p000002';
const STOP1 = 'i-bp67acfmxazb4p000003';
const STOP2 = 'i-bp67acfmxazb4p000004';
const WIN = 'i-bp67acfmxazb4p000005';
const VNC = 'i-bp67acfmxazb4p000006';
const UNKNOWN = 'i-bp67acfmxazb4p009999';
const FLEET = [
  { provider: A, instance_id: RUN1, region: REGION, state: 'RUNNING' },
  { provider: A, instance_id: RUN2, region: REGION, state: 'RUNNING' },
  { provider: A, instance_id: STOP1, region: REGION, state: 'STOPPED' },
  { provider: A, instance_id: STOP2, region: REGION, state: 'STOPPED' },
  { provider: A, instance_id: WIN, region: REGION, state: 'STOPPED', os_type: 'WINDOWS' },
  { provider: A, instance_id: VNC, region: REGION, state: 'RUNNING' },
  { instance_id: 'ins-cvm00001', region: REGION, state: 'RUNNING' },
];

let fake;
let port;

function client(options = {}) {
  return new Ecs.default(new $OpenApiUtil.Config({
    accessKeyId: AK,
    accessKeySecret: options.secret || SK,
    regionId: REGION,
    endpoint: `127.0.0.1:${port}`,
    protocol: 'HTTP',
    signatureAlgorithm: options.signatureAlgorithm,
  }));
}

async function admin(pathname) {
  const res = await fetch(`http://127.0.0.1:${port}${pathname}`);
  return res.json();
}

async function instance(id) {
  return (await admin('/_fake/instances')).find((i) => i.instance_id === id);
}

const sha256 = (s) => crypto.createHash('sha256').update(s).digest('hex');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitStatus(ecs, id, status) {
  for (let i = 0; i < 100; i++) {
    const r = await ecs.describeInstanceStatus(new Ecs.DescribeInstanceStatusRequest({
      regionId: REGION, instanceId: [id] }));
    if (r.body.instanceStatuses.instanceStatus[0].status === status) return;
    await sleep(20);
  }
  assert.fail(`${id} never reached ${status}`);
}

async function rejects(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected the SDK to throw');
}

before(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aliyun-sdk-'));
  const fleetFile = path.join(dir, 'fleet.json');
  fs.writeFileSync(fleetFile, JSON.stringify(FLEET));
  fake = spawn(process.env.FAKECLOUD_BIN, [
    '--listen', '127.0.0.1:0', '--fleet-file', fleetFile,
    '--transition-ms', '100:100', '--reset-ms', '50:50',
    '--aliyun-rate', 'ModifyInstanceVncPasswd=1', '--log-level', 'warn',
  ], {
    env: { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: AK, ALIBABA_CLOUD_ACCESS_KEY_SECRET: SK },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: fake.stdout });
  port = await new Promise((resolve, reject) => {
    fake.once('exit', (code) => reject(new Error(`fakecloud exited ${code}`)));
    lines.once('line', (line) => resolve(Number(line.split(':').pop())));
  });
});

after(() => {
  if (fake) fake.kill('SIGTERM');
});

test('DescribeInstances (ACS3, JSON InstanceIds) parses into the model; unknown and other providers left out', async () => {
  const r = await client().describeInstances(new Ecs.DescribeInstancesRequest({
    regionId: REGION, maxResults: 100,
    instanceIds: JSON.stringify([RUN1, STOP1, WIN, UNKNOWN, 'ins-cvm00001']) }));
  assert.equal(r.statusCode, 200);
  const list = r.body.instances.instance;
  assert.deepEqual(list.map((i) => i.instanceId), [RUN1, STOP1, WIN]);
  assert.deepEqual(list.map((i) => i.status), ['Running', 'Stopped', 'Stopped']);
  assert.deepEqual(list.map((i) => i.OSType), ['linux', 'linux', 'windows']);
  assert.equal(list[0].regionId, REGION);
  assert.match(r.body.requestId, /^[0-9A-F-]{36}$/);
});

test('DescribeInstanceStatus (InstanceId.N) parses into the model', async () => {
  const r = await client().describeInstanceStatus(new Ecs.DescribeInstanceStatusRequest({
    regionId: REGION, instanceId: [RUN1, STOP1], pageSize: 50 }));
  assert.equal(r.body.totalCount, 2);
  assert.deepEqual(r.body.instanceStatuses.instanceStatus.map((s) => [s.instanceId, s.status]),
    [[RUN1, 'Running'], [STOP1, 'Stopped']]);
});

test('StopInstances SuccessFirst: per-instance results in the model', async () => {
  const ecs = client();
  const r = await ecs.stopInstances(new Ecs.StopInstancesRequest({
    regionId: REGION, instanceId: [RUN2, STOP2, UNKNOWN], batchOptimization: 'SuccessFirst',
    forceStop: false, stoppedMode: 'KeepCharging' }));
  const byId = Object.fromEntries(r.body.instanceResponses.instanceResponse.map((x) => [x.instanceId, x]));
  assert.equal(byId[RUN2].code, '200');
  assert.equal(byId[RUN2].previousStatus, 'Running');
  assert.equal(byId[RUN2].currentStatus, 'Stopping');
  assert.equal(byId[STOP2].code, 'IncorrectInstanceStatus');
  assert.equal(byId[UNKNOWN].code, 'InvalidInstanceId.NotFound');
  await waitStatus(ecs, RUN2, 'Stopped');
  const start = await ecs.startInstances(new Ecs.StartInstancesRequest({
    regionId: REGION, instanceId: [RUN2] }));
  assert.equal(start.body.instanceResponses.instanceResponse[0].currentStatus, 'Starting');
  await waitStatus(ecs, RUN2, 'Running');
});

test('StopInstances AllTogether with an unknown id: ClientError InvalidInstanceId.NotFound, 404', async () => {
  const e = await rejects(client().stopInstances(new Ecs.StopInstancesRequest({
    regionId: REGION, instanceId: [RUN1, UNKNOWN] })));
  assert.equal(e.code, 'InvalidInstanceId.NotFound');
  assert.equal(e.statusCode, 404);
  assert.match(e.requestId, /^[0-9A-F-]{36}$/);
  assert.equal(e.data.Code, 'InvalidInstanceId.NotFound');
  for (const k of ['RequestId', 'HostId', 'Message', 'Recommend']) assert.ok(k in e.data, k);
  assert.equal((await instance(RUN1)).state, 'RUNNING');
});

test('ModifyInstanceAttribute: password staged, applied by RebootInstances', async () => {
  const ecs = client();
  const r = await ecs.modifyInstanceAttribute(new Ecs.ModifyInstanceAttributeRequest({
    instanceId: RUN1, password: PASSWORD }));
  assert.equal(r.statusCode, 200);
  assert.match(r.body.requestId, /^[0-9A-F-]{36}$/);
  let v = await instance(RUN1);
  assert.equal(v.staged_password_digest, sha256(PASSWORD));
  assert.equal(v.password_digest, '');
  await ecs.rebootInstances(new Ecs.RebootInstancesRequest({
    regionId: REGION, instanceId: [RUN1], forceReboot: false }));
  await waitStatus(ecs, RUN1, 'Running');
  v = await instance(RUN1);
  assert.equal(v.password_digest, sha256(PASSWORD));
  const calls = JSON.stringify(await admin('/_fake/calls'));
  assert.ok(!calls.includes(PASSWORD) && !calls.includes(encodeURIComponent(PASSWORD)));
});

test('ModifyInstanceAttribute while Starting: ClientError IncorrectInstanceStatus, 403', async () => {
  const ecs = client();
  await ecs.startInstances(new Ecs.StartInstancesRequest({ regionId: REGION, instanceId: [STOP1] }));
  const e = await rejects(ecs.modifyInstanceAttribute(new Ecs.ModifyInstanceAttributeRequest({
    instanceId: STOP1, password: PASSWORD })));
  assert.equal(e.name, 'ClientError');
  assert.equal(e.code, 'IncorrectInstanceStatus');
  assert.equal(e.statusCode, 403);
  assert.match(e.message, /^IncorrectInstanceStatus: code: 403, /);
});

test('A password the rule refuses: InvalidPassword.Malformed, never echoed', async () => {
  const bad = "Abc'12345";
  const e = await rejects(client().modifyInstanceAttribute(new Ecs.ModifyInstanceAttributeRequest({
    instanceId: WIN, password: bad })));
  assert.equal(e.code, 'InvalidPassword.Malformed');
  assert.equal(e.statusCode, 400);
  assert.ok(!JSON.stringify(e.data).includes(bad));
});

test('ModifyInstanceVncPasswd: stored as its own digest; flow control answers Throttling.User', async () => {
  const ecs = client();
  await ecs.modifyInstanceVncPasswd(new Ecs.ModifyInstanceVncPasswdRequest({
    regionId: REGION, instanceId: VNC, vncPassword: 'Ab1cD2' }));
  const v = await instance(VNC);
  assert.equal(v.vnc_password_digest, sha256('Ab1cD2'));
  assert.equal(v.password_digest, '');
  const e = await rejects(ecs.modifyInstanceVncPasswd(new Ecs.ModifyInstanceVncPasswdRequest({
    regionId: REGION, instanceId: VNC, vncPassword: 'Zz9yY8' })));
  assert.equal(e.name, 'ThrottlingError');
  assert.equal(e.code, 'Throttling.User');
  assert.equal(e.statusCode, 400);
});

test('A wrong AccessKeySecret: SignatureDoesNotMatch, 400', async () => {
  const e = await rejects(client({ secret: 'not-the-secret' }).describeInstances(
    new Ecs.DescribeInstancesRequest({ regionId: REGION })));
  assert.equal(e.code, 'SignatureDoesNotMatch');
  assert.equal(e.statusCode, 400);
});

test('RPC signature (signatureAlgorithm v2, HMAC-SHA1) is accepted too', async () => {
  const r = await client({ signatureAlgorithm: 'v2' }).describeInstanceStatus(
    new Ecs.DescribeInstanceStatusRequest({ regionId: REGION, instanceId: [WIN] }));
  assert.equal(r.body.instanceStatuses.instanceStatus[0].status, 'Stopped');
  const e = await rejects(client({ signatureAlgorithm: 'v2', secret: 'nope' }).describeInstanceStatus(
    new Ecs.DescribeInstanceStatusRequest({ regionId: REGION, instanceId: [WIN] })));
  assert.equal(e.code, 'SignatureDoesNotMatch');
});

test('@alicloud/openapi-client callApi (RPC, ACS3) against the same API', async () => {
  const c = new OpenApiClient.default(new OpenApiClient.Config({
    accessKeyId: AK, accessKeySecret: SK, regionId: REGION,
    endpoint: `127.0.0.1:${port}`, protocol: 'HTTP' }));
  const params = new OpenApiClient.Params({
    action: 'DescribeInstances', version: '2014-05-26', protocol: 'HTTP', pathname: '/',
    method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' });
  const request = new OpenApiClient.OpenApiRequest({
    query: { RegionId: REGION, InstanceIds: JSON.stringify([WIN]) } });
  const r = await c.callApi(params, request, new Util.RuntimeOptions({}));
  assert.equal(r.statusCode, 200);
  assert.equal(r.body.Instances.Instance[0].InstanceId, WIN);
  assert.equal(r.body.Instances.Instance[0].OSType, 'windows');
});
