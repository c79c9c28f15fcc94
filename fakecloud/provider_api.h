// The seam between fakecloud's one HTTP port and the cloud APIs it imitates:
// each provider's API is a ProviderApi that says which requests are its own
// (the way the real APIs can be told apart on the wire) and answers them.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fakecloud/provider.h"

namespace resetd::fakecloud {

// One HTTP request as fakecloud sees it. Header names are lower case.
struct ApiRequest {
  std::string method = "POST";
  std::string query;  // the raw URL query, without '?'
  std::string body;
  std::map<std::string, std::string> headers;
  std::string path = "/";  // the URL path, without the query
};

// An API's answer.
struct ApiReply {
  std::string body;
  std::string trace_id;  // Tencent: the X-TC-TraceId to echo ("" = none)
  int status = 200;
  std::string content_type = "application/json";
  std::map<std::string, std::string> headers = {};  // extra response headers
};

// One provider's API. Implementations are thread-safe: Handle() runs on many
// HTTP worker threads at once.
class ProviderApi {
 public:
  virtual ~ProviderApi() = default;

  // The provider whose instances this API serves.
  virtual Provider provider() const = 0;

  // Whether `request` is addressed to this API, judged only by what the real
  // endpoints can tell apart (headers, credential scope, path, parameters),
  // never by its validity: a badly signed request to this API is still its
  // own, and Handle() answers it with this API's error.
  virtual bool Accepts(const ApiRequest& request) const = 0;

  // Answers `request` (which Accepts()), records it in the call log.
  virtual ApiReply Handle(const ApiRequest& request) = 0;
};

// Chooses the API of each request. Thread-safe once built: Add() only while
// no request is routed.
class ApiRouter {
 public:
  // Adds `api`; the first API added that accepts a request handles it.
  void Add(std::unique_ptr<ProviderApi> api);

  // The API that handles requests no API accepts but that arrive at "/"
  // (fakecloud's first API, the Tencent CVM one, answers them with its own
  // error, as it always did). nullptr = none.
  void SetFallback(ProviderApi* api) { fallback_ = api; }

  // The API for `request`, or nullptr (the server then answers 404).
  ProviderApi* Route(const ApiRequest& request) const;

  // The registered APIs, in order.
  std::vector<ProviderApi*> apis() const;

 private:
  std::vector<std::unique_ptr<ProviderApi>> apis_;
  ProviderApi* fallback_ = nullptr;
};

}  // namespace resetd::fakecloud
