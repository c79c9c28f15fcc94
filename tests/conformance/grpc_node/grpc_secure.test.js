// Conformance over mTLS and with a bearer token: resetd's API driven by
// @grpc/grpc-js against a resetd that requires client certificates (made
// with openssl by tests/pki/make_test_pki.sh), reads bearer tokens from its
// tokens file and decides by role bindings. Run by ../run_grpc_node.sh, which
// sets RESETD_TLS_GRPC_ADDR, RESETD_TLS_HEALTH_ADDR, PKI_DIR, VIEWER_TOKEN
// and FAKECLOUD_ADDR. Tests run in order.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const PROTO_ROOT = path.resolve(__dirname, '../../../proto');
const GRPC_PROTO_ROOT = process.env.GRPC_PROTO_DIR || '/usr/share/grpc-proto';
const ADDR = process.env.RESETD_TLS_GRPC_ADDR;
const HEALTH_ADDR = process.env.RESETD_TLS_HEALTH_ADDR;
const PKI = process.env.PKI_DIR;
const VIEWER_TOKEN = process.env.VIEWER_TOKEN;
const FAKECLOUD_ADDR = process.env.FAKECLOUD_ADDR;
const ALICE = 'spiffe://resetd.test/ns/ops/sa/alice';
const PASSWORD = 'Conf0rmance!Mtls7';

const api = grpc.loadPackageDefinition(protoLoader.loadSync([
  'resetd/v1/reset_service.proto',
  'grpc/health/v1/health.proto',
], {
  keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
  includeDirs: [PROTO_ROOT, GRPC_PROTO_ROOT],
}));
const rpcRoot = new protobuf.Root();
rpcRoot.resolvePath = (origin, target) =>
  (target.startsWith('google/protobuf/') ? target : path.join(PROTO_ROOT, target));
rpcRoot.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: true });
const RpcStatus = rpcRoot.lookupType('google.rpc.Status');
const RpcErrorInfo = rpcRoot.lookupType('google.rpc.ErrorInfo');

const read = (name) => fs.readFileSync(path.join(PKI, name));
const clients = [];

// A client of the reset service; `who` names a certificate of the test PKI
// ('' = none); `creds` overrides the credentials entirely.
function client(who, creds) {
  const c = creds || grpc.credentials.createSsl(
    read('ca.crt'), who ? read(`${who}.key`) : null, who ? read(`${who}.crt`) : null);
  const s = new api.resetd.v1.PasswordResetService(ADDR, c);
  clients.push(s);
  return s;
}

function call(stub, method, request, token) {
  const md = new grpc.Metadata();
  if (token) md.add('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) => {
    stub[method](request, md, { deadline: Date.now() + 15000 },
      (err, res) => (err ? reject(err) : resolve(res)));
  });
}

async function failsWith(promise, code) {
  try {
    await promise;
  } catch (err) {
    assert.equal(grpc.status[err.code], code, `expected ${code}, got ${grpc.status[err.code]}: ${err.details}`);
    return err;
  }
  assert.fail(`expected ${code}, got a response`);
  return undefined;
}

function errorInfoOf(err) {
  const raw = err.metadata.get('grpc-status-details-bin');
  assert.equal(raw.length, 1, 'grpc-status-details-bin is present');
  const any = RpcStatus.decode(raw[0]).details
    .find((d) => d.type_url === 'type.googleapis.com/google.rpc.ErrorInfo');
  assert.ok(any, 'an ErrorInfo among the details');
  return RpcErrorInfo.decode(any.value);
}

function fakeInstances() {
  const [host, port] = FAKECLOUD_ADDR.split(':');
  return new Promise((resolve, reject) => {
    http.get({ host, port: Number(port), path: '/_fake/instances' }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve(JSON.parse(text)));
    }).on('error', reject);
  });
}

function watchToEnd(stub, jobId) {
  return new Promise((resolve, reject) => {
    let last;
    const w = stub.WatchResetJob({ job_id: jobId }, { deadline: Date.now() + 60000 });
    w.on('data', (e) => { last = e; });
    w.on('error', reject);
    w.on('status', (st) => { if (st.code === grpc.status.OK) resolve(last); });
  });
}

let ids;
before(async () => {
  assert.ok(ADDR && HEALTH_ADDR && PKI && VIEWER_TOKEN, 'run by run_grpc_node.sh');
  ids = (await fakeInstances()).slice(0, 4).map((i) => i.instance_id);
});
after(() => { for (const c of clients) c.close(); });

test('health answers in plaintext on the health port', async () => {
  const health = new api.grpc.health.v1.Health(HEALTH_ADDR, grpc.credentials.createInsecure());
  clients.push(health);
  const res = await new Promise((ok, fail) => health.Check({ service: '' }, (e, r) => (e ? fail(e) : ok(r))));
  assert.equal(res.status, 'SERVING');
});

test('plaintext and certificate-less clients cannot talk to the API', async () => {
  await failsWith(call(client('', grpc.credentials.createInsecure()), 'ListResetJobs', {}), 'UNAVAILABLE');
  await failsWith(call(client(''), 'ListResetJobs', {}), 'UNAVAILABLE');
  await failsWith(call(client('mallory'), 'ListResetJobs', {}), 'UNAVAILABLE');
});

test('an operator creates a job over mTLS and is its creator', async () => {
  const alice = client('alice');
  const job = await call(alice, 'CreateResetJob', {
    request_id: 'node-mtls-1', password: PASSWORD,
    targets: [{ provider: 'tencent', region: 'ap-guangzhou', instance_ids: ids.slice(0, 2) }],
  });
  assert.equal(job.creator, ALICE);
  const last = await watchToEnd(alice, job.job_id);
  assert.equal(last.job.state, 'JOB_STATE_SUCCEEDED');
  const listed = await call(alice, 'ListResetJobs', { creator: ALICE });
  assert.ok(listed.jobs.some((j) => j.job_id === job.job_id), 'List by creator finds it');
});

test('a viewer is denied Create with an ErrorInfo naming the permission', async () => {
  const err = await failsWith(call(client('bob'), 'CreateResetJob', {
    request_id: 'node-mtls-bob', password: PASSWORD,
    targets: [{ provider: 'tencent', region: 'ap-guangzhou', instance_ids: ids.slice(2, 4) }],
  }), 'PERMISSION_DENIED');
  const info = errorInfoOf(err);
  assert.equal(info.domain, 'resetd');
  assert.match(info.metadata.permission, /create/);
});

test('a bearer token is the caller: listed token reads, unknown token is refused', async () => {
  const alice = client('alice');
  await call(alice, 'ListResetJobs', {}, VIEWER_TOKEN);
  const err = await failsWith(call(alice, 'CreateResetJob', {
    request_id: 'node-token-1', password: PASSWORD,
    targets: [{ provider: 'tencent', region: 'ap-guangzhou', instance_ids: ids.slice(2, 4) }],
  }, VIEWER_TOKEN), 'PERMISSION_DENIED');
  assert.ok(!err.details.includes(VIEWER_TOKEN), 'the token is not echoed');
  const wrong = await failsWith(call(alice, 'ListResetJobs', {}, 'tok-unknown'), 'UNAUTHENTICATED');
  assert.ok(!wrong.details.includes('tok-unknown'), 'the token is not echoed');
});
