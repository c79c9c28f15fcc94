// Generates the CVM fixture (CvmRun) of api3_sdk_signature_test.cc: what the
// official Tencent Cloud Node SDK (tencentcloud-sdk-nodejs-common) puts on the
// wire for a few CVM calls with a fixed key and timestamp: the body, the Host
// header and the Authorization header. The SDK's whole request path runs
// (CommonClient -> HttpConnection.doRequestWithSign3 -> Sign.sign3), against a
// local capture server; the endpoint keeps the real host name (resolved to
// 127.0.0.1 by the agent) so the SDK signs with service "cvm".
//
// Run once, by hand (needs network access to the npm registry):
//   mkdir /tmp/tcsdk && cd /tmp/tcsdk && npm init -y >/dev/null &&
//   npm install tencentcloud-sdk-nodejs-common@4.1.220
//   NODE_PATH=/tmp/tcsdk/node_modules env -u http_proxy \
//     node tests/clients/tencent/gen_sdk_signature_fixture.js
// and paste the printed values into CvmRun() of api3_sdk_signature_test.cc.
"use strict";
const http = require("http");
const { CommonClient } = require("tencentcloud-sdk-nodejs-common");

const kTimestamp = 1795376535;
const kSecretId = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const kSecretKey = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
const kRegion = "ap-guangzhou";
const kCases = [
  ["ResetInstancesPassword",
   {InstanceIds: ["ins-r8hr2upy", "ins-5d8a23rs"], Password: "Fake-Passw0rd!2024",
    UserName: "root", ForceStop: true}],
  ["ResetInstancesPassword",
   {InstanceIds: ["ins-r8hr2upy"], Password: "Pa\"ss\\w0rd/é<>&\u0001", ForceStop: false}],
  ["StopInstances",
   {InstanceIds: ["ins-r8hr2upy"], StopType: "SOFT_FIRST", StoppedMode: "KEEP_CHARGING"}],
  ["StartInstances", {InstanceIds: ["ins-r8hr2upy", "ins-5d8a23rs"]}],
  ["RebootInstances", {InstanceIds: ["ins-r8hr2upy"], StopType: "HARD"}],
  ["DescribeInstances", {InstanceIds: ["ins-r8hr2upy", "ins-5d8a23rs"], Limit: 100}],
];

// The SDK takes X-TC-Timestamp from `new Date()`.
const RealDate = Date;
global.Date = class extends RealDate {
  constructor(...args) { args.length ? super(...args) : super(kTimestamp * 1000); }
  static now() { return kTimestamp * 1000; }
};

const captured = [];
const server = http.createServer((req, res) => {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    captured.push({headers: req.headers, body});
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({Response: {RequestId: "fixture"}}));
  });
});

server.listen(0, "127.0.0.1", async () => {
  const port = server.address().port;
  const agent = new http.Agent({
    lookup: (host, opts, cb) =>
      opts && opts.all ? cb(null, [{address: "127.0.0.1", family: 4}])
                       : cb(null, "127.0.0.1", 4),
  });
  const client = new CommonClient(`cvm.tencentcloudapi.com:${port}`, "2017-03-12", {
    credential: {secretId: kSecretId, secretKey: kSecretKey},
    region: kRegion,
    profile: {httpProfile: {endpoint: `cvm.tencentcloudapi.com:${port}`,
                            protocol: "http://", agent}},
  });
  for (const [action, params] of kCases) {
    await client.request(action, params);
    const {headers, body} = captured[captured.length - 1];
    console.log(JSON.stringify({
      action, body, timestamp: headers["x-tc-timestamp"],
      content_type: headers["content-type"], authorization: headers["authorization"],
    }));
  }
  server.close();
});
