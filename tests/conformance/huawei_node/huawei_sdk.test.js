// Conformance: the official Huawei Cloud ECS Node SDK
// (@huaweicloud/huaweicloud-sdk-ecs on huaweicloud-sdk-core) against
// fakecloud: its SDK-HMAC-SHA256 signature is accepted, every response
// parses, and errors reach the SDK with their codes and the X-Request-Id.
// Run by ../run_huawei_sdk.sh with FAKECLOUD_BIN set. Loopback only.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core');
const ecs = require('@huaweicloud/huaweicloud-sdk-ecs');

const AK = 'HWCONFORMANCEAK012345';
const SK = 'conformance-huawei-secret-key';
const REGION = 'ap-southeast-1';
const PROJECT = '0a1b2c3d4e5f40718293a4b5c6d7e8f9';
const RUN = '1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba001';
const RUN2 = '1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba002';
const STOP = '1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba003';
const MISSING = '1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba099';
const FLEET = [
  { instance_id: RUN, provider: 'huawei_ecs', region: REGION, state: 'RUNNING' },
  { instance_id: RUN2, provider: 'huawei_ecs', region: REGION, state: 'RUNNING' },
  { instance_id: STOP, provider: 'huawei_ecs', region: REGION, state: 'STOPPED' },
  { instance_id: 'ins-cvm00001', region: REGION, state: 'RUNNING' },
];

let fake;  // the fakecloud child process
let port;

// Notes §4.1: a full endpoint URL, and always a project id (else the SDK
// asks IAM for one).
function client({ ak = AK, sk = SK, project = PROJECT } = {}) {
  const cred = new BasicCredentials().withAk(ak).withSk(sk).withProjectId(project);
  return ecs.EcsClient.newBuilder().withCredential(cred)
      .withEndpoint(`http://127.0.0.1:${port}`).build();
}

function admin(urlPath) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: urlPath }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}

async function rejectsWith(promise, status, code) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.httpStatusCode, status, JSON.stringify(err));
    assert.equal(err.errorCode, code);
    assert.ok(err.errorMsg, 'errorMsg is set');
    assert.match(err.requestId, /^[0-9a-f]{32}$/);
    return true;
  });
}

const ids = (...list) => list.map((id) => new ecs.ServerId().withId(id));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitJob(c, jobId) {
  for (let i = 0; i < 100; ++i) {
    const job = await c.showJob(new ecs.ShowJobRequest().withJobId(jobId));
    if (job.status !== 'RUNNING' && job.status !== 'INIT') return job;
    await sleep(50);
  }
  throw new Error(`job ${jobId} did not finish`);
}

before(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fakecloud-hw-'));
  const fleetFile = path.join(dir, 'fleet.json');
  fs.writeFileSync(fleetFile, JSON.stringify(FLEET));
  const env = { ...process.env, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK };
  delete env.http_proxy;
  delete env.HTTP_PROXY;
  fake = spawn(process.env.FAKECLOUD_BIN, [
    '--listen', '127.0.0.1:0', '--fleet-file', fleetFile,
    '--huawei-project', `${REGION}=${PROJECT}`,
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
  if (fake) fake.kill('SIGTERM');
});

test('ListServersDetails is signed, accepted and parsed', async () => {
  const res = await client().listServersDetails(
      new ecs.ListServersDetailsRequest().withLimit(100)
          .withServerId(`${RUN},${STOP},ins-cvm00001,${MISSING}`));
  assert.equal(res.httpStatusCode, 200);
  assert.equal(res.count, 2);
  const byId = Object.fromEntries(res.servers.map((s) => [s.id, s]));
  assert.equal(byId[RUN].status, 'ACTIVE');
  assert.equal(byId[STOP].status, 'SHUTOFF');
  assert.equal(byId[STOP]['OS-EXT-STS:vm_state'], 'stopped');
  assert.equal(byId[RUN].locked, false);
  assert.equal(byId[RUN].metadata.os_type, 'Linux');
});

test('ShowServer parses; an unknown server is Ecs.0614 with the request id', async () => {
  const res = await client().showServer(new ecs.ShowServerRequest().withServerId(STOP));
  assert.equal(res.server.id, STOP);
  assert.equal(res.server.status, 'SHUTOFF');
  await rejectsWith(client().showServer(new ecs.ShowServerRequest().withServerId(MISSING)),
      404, 'Ecs.0614');
});

test('reset (204), reboot job, password applied at the next boot', async () => {
  const c = client();
  const reset = await c.resetServerPassword(
      new ecs.ResetServerPasswordRequest().withServerId(RUN).withBody(
          new ecs.ResetServerPasswordRequestBody().withResetPassword(
              new ecs.ResetServerPasswordOption().withNewPassword('x')
                  .withIsCheckPassword(true))));
  assert.equal(reset.httpStatusCode, 204);
  let mine = (await admin('/_fake/instances')).find((i) => i.instance_id === RUN);
  assert.equal(mine.password_digest, '');
  assert.notEqual(mine.staged_password_digest, '');
  const reboot = await c.batchRebootServers(new ecs.BatchRebootServersRequest().withBody(
      new ecs.BatchRebootServersRequestBody().withReboot(
          new ecs.BatchRebootSeversOption().withServers(ids(RUN)).withType('SOFT'))));
  assert.match(reboot.job_id ?? reboot.jobId, /^[0-9a-f]{32}$/);
  const job = await waitJob(c, reboot.job_id ?? reboot.jobId);
  assert.equal(job.status, 'SUCCESS');
  assert.equal(job.entities.sub_jobs_total ?? job.entities.subJobsTotal, 1);
  mine = (await admin('/_fake/instances')).find((i) => i.instance_id === RUN);
  assert.equal(mine.staged_password_digest, '');
  assert.notEqual(mine.password_digest, '');
});

test('batch stop/start jobs and the batch reset', async () => {
  const c = client();
  const stop = await c.batchStopServers(new ecs.BatchStopServersRequest().withBody(
      new ecs.BatchStopServersRequestBody().withOsStop(
          new ecs.BatchStopServersOption().withServers(ids(RUN2)).withType('HARD'))));
  assert.equal((await waitJob(c, stop.job_id ?? stop.jobId)).status, 'SUCCESS');
  const batch = await c.batchResetServersPassword(
      new ecs.BatchResetServersPasswordRequest().withBody(
          new ecs.BatchResetServersPasswordRequestBody()
              .withNewPassword('Conf0rmance!Pass').withServers(ids(RUN2, STOP))));
  assert.equal(batch.httpStatusCode, 200);
  assert.deepEqual(batch.response.map((r) => r.id), [RUN2, STOP]);
  const start = await c.batchStartServers(new ecs.BatchStartServersRequest().withBody(
      new ecs.BatchStartServersRequestBody().withOsStart(
          new ecs.BatchStartServersOption().withServers(ids(RUN2)))));
  assert.equal((await waitJob(c, start.job_id ?? start.jobId)).status, 'SUCCESS');
  const res = await c.showServer(new ecs.ShowServerRequest().withServerId(RUN2));
  assert.equal(res.server.status, 'ACTIVE');
});

test('errors reach the SDK with their codes and X-Request-Id', async () => {
  // A state the action does not accept.
  await rejectsWith(client().batchStartServers(new ecs.BatchStartServersRequest().withBody(
      new ecs.BatchStartServersRequestBody().withOsStart(
          new ecs.BatchStartServersOption().withServers(ids(RUN))))), 409, 'Ecs.0100');
  // A wrong SK: the gateway's {"error_code","error_msg"} shape.
  await rejectsWith(client({ sk: 'wrong-secret' }).showServer(
      new ecs.ShowServerRequest().withServerId(RUN)), 401, 'APIGW.0301');
  // An unknown AK.
  await rejectsWith(client({ ak: 'HWUNKNOWNAK0000000000' }).showServer(
      new ecs.ShowServerRequest().withServerId(RUN)), 401, 'APIGW.0301');
  // A project that is not the account's.
  await rejectsWith(client({ project: 'ffffffffffffffffffffffffffffffff' }).showServer(
      new ecs.ShowServerRequest().withServerId(RUN)), 403, 'Ecs.0023');
});
