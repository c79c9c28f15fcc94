// Generates the Lighthouse fixture (LighthouseRun) of
// tests/clients/tencent/api3_sdk_signature_test.cc: what the official Tencent
// Cloud Node SDK's Lighthouse client (tencentcloud-sdk-nodejs,
// tencentcloud.lighthouse.v20200324.Client) puts on the wire for each call our
// Lighthouse client makes, with a fixed key and timestamp: the action, the
// body, the Host, X-TC-Version, X-TC-Region and Authorization headers. The
// SDK's whole request path runs (Client.request -> HttpConnection
// .doRequestWithSign3 -> Sign.sign3) against a local capture server; the
// endpoint keeps the real host name (resolved to 127.0.0.1 by the agent) so
// the SDK signs with service "lighthouse" (it takes the first label of the
// endpoint).
//
// Run once, by hand (needs network access to the npm registry):
//   mkdir /tmp/lhsdk && cd /tmp/lhsdk && npm init -y >/dev/null &&
//   npm install tencentcloud-sdk-nodejs@4.1.313
//   NODE_PATH=/tmp/lhsdk/node_modules env -u http_proxy \
//     node tests/clients/lighthouse/gen_sdk_signature_fixture.js
// and paste the printed values into LighthouseRun() of
// tests/clients/tencent/api3_sdk_signature_test.cc.
// (tencentcloud-sdk-nodejs-lighthouse is not published on npm; the full SDK
// carries the same generated client.)
"use strict";
const http = require("http");
const tencentcloud = require("tencentcloud-sdk-nodejs");

const kTimestamp = 1795376535;
const kSecretId = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const kSecretKey = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
const kRegion = "ap-guangzhou";
const kCases = [
  ["ResetInstancesPassword",
   {InstanceIds: ["lhins-ruy9d2tw", "lhins-rusdke45"], Password: "Fake-Passw0rd!2024",
    UserName: "root"}],
  ["ResetInstancesPassword",
   {InstanceIds: ["lhins-ruy9d2tw"], Password: "Pa\"ss\\w0rd/é<>&\u0001\n"}],
  ["StopInstances", {InstanceIds: ["lhins-ruy9d2tw"], StopType: "SOFT_FIRST"}],
  ["StartInstances", {InstanceIds: ["lhins-ruy9d2tw", "lhins-rusdke45"]}],
  ["RebootInstances", {InstanceIds: ["lhins-ruy9d2tw"], StopType: "HARD"}],
  ["DescribeInstances", {InstanceIds: ["lhins-ruy9d2tw", "lhins-rusdke45"], Limit: 100}],
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
    res.end(JSON.stringify({Response: {RequestId: "fixture", InstanceSet: []}}));
  });
});

server.listen(0, "127.0.0.1", async () => {
  const port = server.address().port;
  const agent = new http.Agent({
    lookup: (host, opts, cb) =>
      opts && opts.all ? cb(null, [{address: "127.0.0.1", family: 4}])
                       : cb(null, "127.0.0.1", 4),
  });
  const client = new tencentcloud.lighthouse.v20200324.Client({
    credential: {secretId: kSecretId, secretKey: kSecretKey},
    region: kRegion,
    profile: {httpProfile: {endpoint: `lighthouse.tencentcloudapi.com:${port}`,
                            protocol: "http://", agent}},
  });
  for (const [action, params] of kCases) {
    await client[action](params);
    const {headers, body} = captured[captured.length - 1];
    console.log(JSON.stringify({
      action: headers["x-tc-action"], body, host: headers["host"],
      version: headers["x-tc-version"], region: headers["x-tc-region"],
      timestamp: headers["x-tc-timestamp"], content_type: headers["content-type"],
      authorization: headers["authorization"],
    }));
  }
  server.close();
});
