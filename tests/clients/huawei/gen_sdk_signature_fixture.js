// Generates the fixture of huawei_sdk_signature_test.cc: what the official
// Huawei Cloud Node SDK (@huaweicloud/huaweicloud-sdk-ecs on
// @huaweicloud/huaweicloud-sdk-core) puts on the wire for the ECS calls our
// client makes, with a fixed AK/SK, project id and X-Sdk-Date: method, path,
// query, body and the Authorization header. The SDK's whole request path runs
// (EcsClient -> HcClient -> AKSKSigner.sign) against a local capture server on
// the fixed port 43217 (the port is part of the signed host header).
//
// Run once, by hand (needs the npm registry):
//   mkdir /tmp/hwsdk && cd /tmp/hwsdk && npm init -y >/dev/null &&
//   npm install @huaweicloud/huaweicloud-sdk-core@3.1.211 \
//               @huaweicloud/huaweicloud-sdk-ecs@3.1.172 uuid@9
//   NODE_PATH=/tmp/hwsdk/node_modules env -u http_proxy -u HTTP_PROXY \
//     node tests/clients/huawei/gen_sdk_signature_fixture.js
// (core 3.1.211 requires "uuid" without declaring it, hence uuid@9) and paste
// the printed values into huawei_sdk_signature_test.cc.
"use strict";
const http = require("http");

const kTimestamp = 1795376536;  // 2026-11-22T19:42:16Z
const kPort = 43217;
const kAk = "HWEXAMPLEAK0123456789";
const kSk = "HWEXAMPLESKabcdefghijklmnopqrstuvwxyz0123";
const kProjectId = "0a1b2c3d4e5f40718293a4b5c6d7e8f9";
const kId1 = "1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba001";
const kId2 = "1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba002";

// The SDK takes X-Sdk-Date from moment(), i.e. Date.now(). Replace Date
// before the SDK is loaded.
const RealDate = Date;
global.Date = class extends RealDate {
  constructor(...args) { args.length ? super(...args) : super(kTimestamp * 1000); }
  static now() { return kTimestamp * 1000; }
};

const {BasicCredentials} = require("@huaweicloud/huaweicloud-sdk-core");
const ecs = require("@huaweicloud/huaweicloud-sdk-ecs");

const ids = (...list) => list.map((id) => new ecs.ServerId().withId(id));
const kCases = [
  ["ResetServerPassword", (c) => c.resetServerPassword(
      new ecs.ResetServerPasswordRequest().withServerId(kId1).withBody(
          new ecs.ResetServerPasswordRequestBody().withResetPassword(
              new ecs.ResetServerPasswordOption().withNewPassword("Fake-Passw0rd!2024"))))],
  ["ResetServerPasswordEscaped", (c) => c.resetServerPassword(
      new ecs.ResetServerPasswordRequest().withServerId(kId2).withBody(
          new ecs.ResetServerPasswordRequestBody().withResetPassword(
              new ecs.ResetServerPasswordOption().withNewPassword(
                  "Pa\"ss\\w0rd/é<>&\u0001"))))],
  ["BatchResetServersPassword", (c) => c.batchResetServersPassword(
      new ecs.BatchResetServersPasswordRequest().withBody(
          new ecs.BatchResetServersPasswordRequestBody()
              .withNewPassword("Fake-Passw0rd!2024").withServers(ids(kId1, kId2))))],
  ["BatchStopServers", (c) => c.batchStopServers(
      new ecs.BatchStopServersRequest().withBody(
          new ecs.BatchStopServersRequestBody().withOsStop(
              new ecs.BatchStopServersOption().withServers(ids(kId1, kId2)).withType("SOFT"))))],
  ["BatchStartServers", (c) => c.batchStartServers(
      new ecs.BatchStartServersRequest().withBody(
          new ecs.BatchStartServersRequestBody().withOsStart(
              new ecs.BatchStartServersOption().withServers(ids(kId1, kId2)))))],
  ["BatchRebootServers", (c) => c.batchRebootServers(
      new ecs.BatchRebootServersRequest().withBody(
          new ecs.BatchRebootServersRequestBody().withReboot(
              new ecs.BatchRebootSeversOption().withServers(ids(kId1)).withType("HARD"))))],
  ["ListServersDetails", (c) => c.listServersDetails(
      new ecs.ListServersDetailsRequest().withLimit(100).withServerId(`${kId1},${kId2}`))],
];

const captured = [];
const server = http.createServer((req, res) => {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    captured.push({method: req.method, url: req.url, headers: req.headers, body});
    res.setHeader("Content-Type", "application/json");
    res.setHeader("X-Request-Id", "fixture");
    if (req.method === "PUT" && req.url.endsWith("/os-reset-password")) {
      res.statusCode = 204;
      res.end();
    } else {
      res.end(JSON.stringify({job_id: "fixture", count: 0, servers: [], response: []}));
    }
  });
});

server.listen(kPort, "127.0.0.1", async () => {
  const credentials = new BasicCredentials().withAk(kAk).withSk(kSk).withProjectId(kProjectId);
  const client = ecs.EcsClient.newBuilder().withCredential(credentials)
      .withEndpoint(`http://127.0.0.1:${kPort}`).build();
  for (const [name, call] of kCases) {
    await call(client);
    const {method, url, headers, body} = captured[captured.length - 1];
    console.log(JSON.stringify({
      name, method, url, body, content_type: headers["content-type"],
      x_sdk_date: headers["x-sdk-date"], authorization: headers["authorization"],
    }));
  }
  server.close();
});
