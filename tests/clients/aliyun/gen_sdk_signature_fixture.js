// Generates the fixture of aliyun_sdk_signature_test.cc: what the official
// Alibaba Cloud Node SDK (@alicloud/ecs20140526 7.11.6 on
// @alicloud/openapi-core 1.0.8, default ACS3-HMAC-SHA256 signatures) puts on
// the wire for the ECS calls resetd makes, with a fixed key, x-acs-date and
// x-acs-signature-nonce. The SDK's whole request path runs (Ecs client ->
// openapi-core doRequest -> Utils.getAuthorization) against a local capture
// server; the endpoint keeps a fixed host:port (what the SDK signs), while
// every connection is redirected to the capture server's real port.
//
// Three set-ups are captured:
//   "form":   what resetd sends. The generic openapi-core callApi (the base
//             of the Ecs client) with the same query and an empty form body,
//             so the SDK sends and signs content-type:
//             application/x-www-form-urlencoded with the hash of "" (libcurl
//             would add that header to a body-less POST anyway, unsigned).
//   "plain":  the typed Ecs methods with a minimal Config.credential: the SDK
//             signs host + x-acs-{action,content-sha256,date,signature-nonce,
//             version} (checked at signer level).
//   "static_ak": Config{accessKeyId, accessKeySecret}, where
//             @alicloud/credentials adds and signs
//             x-acs-credentials-provider: static_ak (signer level).
//
// Run once, by hand (needs the npm registry):
//   mkdir /tmp/alisdk && cd /tmp/alisdk && npm init -y >/dev/null &&
//   npm install @alicloud/ecs20140526@7.11.6 @alicloud/openapi-client@0.4.15
//   NODE_PATH=/tmp/alisdk/node_modules env -u http_proxy \
//     node tests/clients/aliyun/gen_sdk_signature_fixture.js
// and paste the printed values into aliyun_sdk_signature_test.cc.
"use strict";
const http = require("http");
const net = require("net");
const Ecs = require("@alicloud/ecs20140526");
const Core = require("@alicloud/openapi-core");
const OpenApiUtil = Core.$OpenApiUtil;
const Utils = require("@alicloud/openapi-core/dist/utils").default;
const { RuntimeOptions } = require("@darabonba/typescript");

const kDate = "2026-11-22T19:42:15Z";
const kNonce = "3156853299f313e23d1673dc12e1703d";
const kAccessKeyId = "LTAI5tEXAMPLEaccessKeyId";
const kAccessKeySecret = "EXAMPLEaccessKeySecret0123456789";
const kEndpoint = "ecs.aliyuncs.com:43217";  // signed verbatim, port included
const kRegion = "cn-hangzhou";
const kIds = ["i-bp67acfmxazb4p0001", "i-bp67acfmxazb4p0002"];

Utils.getNonce = () => kNonce;
const RealDate = Date;
global.Date = class extends RealDate {
  constructor(...args) { args.length ? super(...args) : super(kDate); }
  static now() { return new RealDate(kDate).getTime(); }
};

const kCases = [
  ["ModifyInstanceAttribute", "modifyInstanceAttributeWithOptions",
   "ModifyInstanceAttributeRequest",
   {instanceId: kIds[0], password: "Fake-Passw0rd!2024"}],
  ["ModifyInstanceAttribute", "modifyInstanceAttributeWithOptions",
   "ModifyInstanceAttributeRequest",
   {instanceId: kIds[0], password: "()`~!@#$%^&*-_+=|{}[]:;'<>,.?/ \u00e9A1"}],
  ["ModifyInstanceVncPasswd", "modifyInstanceVncPasswdWithOptions",
   "ModifyInstanceVncPasswdRequest",
   {instanceId: kIds[0], regionId: kRegion, vncPassword: "Ab12cD"}],
  ["StopInstances", "stopInstancesWithOptions", "StopInstancesRequest",
   {batchOptimization: "SuccessFirst", forceStop: false, instanceId: kIds,
    regionId: kRegion, stoppedMode: "KeepCharging"}],
  ["StopInstances", "stopInstancesWithOptions", "StopInstancesRequest",
   {batchOptimization: "SuccessFirst", forceStop: true, instanceId: [kIds[0]],
    regionId: kRegion, stoppedMode: "KeepCharging"}],
  ["StartInstances", "startInstancesWithOptions", "StartInstancesRequest",
   {batchOptimization: "SuccessFirst", instanceId: kIds, regionId: kRegion}],
  ["RebootInstances", "rebootInstancesWithOptions", "RebootInstancesRequest",
   {batchOptimization: "SuccessFirst", forceReboot: true, instanceId: kIds,
    regionId: kRegion}],
  ["DescribeInstances", "describeInstancesWithOptions",
   "DescribeInstancesRequest",
   {instanceIds: JSON.stringify(kIds), maxResults: 100, regionId: kRegion}],
];

const captured = [];
const server = http.createServer((req, res) => {
  captured.push({url: req.url, headers: req.headers});
  req.resume();
  req.on("end", () => {
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({RequestId: "fixture"}));
  });
});

// The API's parameter names: the models' camelCase with a capital first.
function Query(params) {
  const query = {};
  for (const [k, v] of Object.entries(params)) {
    query[k[0].toUpperCase() + k.slice(1)] = v;
  }
  return Core.OpenApiUtil.query(query);
}

async function CallForm(client, action, params, runtime) {
  return client.callApi(
      new OpenApiUtil.Params({action, version: "2014-05-26", protocol: "HTTP",
                              pathname: "/", method: "POST", authType: "AK",
                              style: "RPC", reqBodyType: "formData",
                              bodyType: "json"}),
      new OpenApiUtil.OpenApiRequest({query: Query(params), body: {}}),
      runtime);
}

function Client(plain) {
  const config = {endpoint: kEndpoint, protocol: "HTTP", regionId: kRegion};
  if (plain) {
    config.credential = {
      getCredential: async () => ({accessKeyId: kAccessKeyId,
                                   accessKeySecret: kAccessKeySecret,
                                   securityToken: "", type: "access_key"}),
    };
  } else {
    config.accessKeyId = kAccessKeyId;
    config.accessKeySecret = kAccessKeySecret;
  }
  return new Ecs.default(new OpenApiUtil.Config(config));
}

server.listen(0, "127.0.0.1", async () => {
  const port = server.address().port;
  const connect = http.Agent.prototype.createConnection;
  http.Agent.prototype.createConnection = function (options, cb) {
    return connect.call(this, {...options, host: "127.0.0.1", port}, cb);
  };
  const runtime = new RuntimeOptions({});
  for (const setup of ["form", "plain", "static_ak"]) {
    const client = Client(setup !== "static_ak");
    for (const [action, method, model, params] of kCases) {
      if (setup === "form") {
        await CallForm(client, action, params, runtime);
      } else {
        await client[method](new Ecs[model](params), runtime);
      }
      const {url, headers} = captured[captured.length - 1];
      const signed = {};
      for (const [k, v] of Object.entries(headers)) {
        if (k === "host" || k === "content-type" || k.startsWith("x-acs-")) {
          signed[k] = v;
        }
      }
      console.log(JSON.stringify({setup, action, url, signed,
                                  authorization: headers["authorization"]}));
    }
  }
  server.close();
});
