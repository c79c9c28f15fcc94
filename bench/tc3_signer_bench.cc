// TC3-HMAC-SHA256 signing per request: canonical request, string to sign,
// the four-step HMAC key derivation and the header. Items are requests.
#include <string>

#include "benchmark/benchmark.h"
#include "clients/tencent/tc3_signer.h"

namespace resetd::clients::tencent {
namespace {

// A JSON body with `n` instance ids, like the client's batch calls.
std::string Body(int n) {
  std::string body = R"({"InstanceIds":[)";
  for (int i = 0; i < n; ++i) {
    char id[16];
    snprintf(id, sizeof(id), "ins-%08d", i);
    body += (i ? ",\"" : "\"") + std::string(id) + "\"";
  }
  return body + R"(],"Password":"Xy7!newPassw0rd","ForceStop":false})";
}

void BM_Tc3Authorization(benchmark::State& state) {
  const std::string body = Body(static_cast<int>(state.range(0)));
  Tc3Request request;
  request.content_type = "application/json; charset=utf-8";
  request.host = "cvm.tencentcloudapi.com";
  request.payload = body;
  request.service = "cvm";
  request.timestamp = 1795376535;
  for (auto _ : state) {
    benchmark::DoNotOptimize(Tc3Authorization(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", request));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
  state.counters["body_bytes"] = static_cast<double>(body.size());
}
// 1 id (a single reset), 100 ids (a full batch).
BENCHMARK(BM_Tc3Authorization)->ArgName("ids")->Arg(1)->Arg(100);

void BM_Tc3CanonicalRequest(benchmark::State& state) {
  const std::string body = Body(100);
  Tc3Request request;
  request.content_type = "application/json; charset=utf-8";
  request.host = "cvm.tencentcloudapi.com";
  request.payload = body;
  request.service = "cvm";
  request.timestamp = 1795376535;
  for (auto _ : state) {
    benchmark::DoNotOptimize(Tc3CanonicalRequest(request));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Tc3CanonicalRequest);

}  // namespace
}  // namespace resetd::clients::tencent
