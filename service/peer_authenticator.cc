#include "service/peer_authenticator.h"

#include <grpc/grpc_security_constants.h>

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace resetd::service {
namespace {

std::string First(const grpc::AuthContext& auth, const char* property) {
  std::vector<grpc::string_ref> values = auth.FindPropertyValues(property);
  if (values.empty()) return "";
  return std::string(values.front().data(), values.front().size());
}

// The token of an "authorization: Bearer <token>" header; kUnauthenticated
// for any other form. The token is never put in a message.
absl::StatusOr<std::string_view> BearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(
          absl::string_view(header.data(), kScheme.size()),
          absl::string_view(kScheme.data(), kScheme.size()))) {
    return absl::UnauthenticatedError(
        "the authorization header must be \"Bearer <token>\"");
  }
  absl::string_view token = absl::StripAsciiWhitespace(absl::string_view(
      header.data() + kScheme.size(), header.size() - kScheme.size()));
  if (token.empty()) {
    return absl::UnauthenticatedError("the bearer token is empty");
  }
  return std::string_view(token.data(), token.size());
}

}  // namespace

std::string CertificateIdentity(const grpc::AuthContext& auth) {
  if (!auth.IsPeerAuthenticated()) return "";
  for (const char* property :
       {GRPC_PEER_URI_PROPERTY_NAME, GRPC_PEER_DNS_PROPERTY_NAME,
        GRPC_X509_CN_PROPERTY_NAME}) {
    std::string value = First(auth, property);
    if (!value.empty()) return value;
  }
  return "";
}

absl::StatusOr<std::unique_ptr<PeerAuthenticator>>
PeerAuthenticator::FromConfig(const resetd::v1::Config& config,
                              spdlog::logger& log) {
  std::unique_ptr<TokenFile> tokens;
  if (!config.auth().tokens_file().empty()) {
    auto opened = TokenFile::Open(config.auth().tokens_file(), log);
    if (!opened.ok()) return opened.status();
    tokens = *std::move(opened);
  }
  const bool anonymous = config.insecure() && config.auth().bindings().empty();
  return std::make_unique<PeerAuthenticator>(std::move(tokens), anonymous);
}

absl::StatusOr<Caller> PeerAuthenticator::AuthenticateAny(
    const grpc::ServerContextBase& context) const {
  Caller caller;
  caller.peer = context.peer();
  const auto& metadata = context.client_metadata();
  auto header = metadata.find("authorization");
  if (header != metadata.end()) {
    auto token = BearerToken(
        std::string_view(header->second.data(), header->second.size()));
    if (!token.ok()) return token.status();
    if (tokens_ == nullptr) {
      return absl::UnauthenticatedError(
          "this server accepts no bearer tokens (auth.tokens_file is not "
          "set)");
    }
    std::optional<std::string> identity = tokens_->Find(*token);
    if (!identity) {
      return absl::UnauthenticatedError("the bearer token is not recognised");
    }
    caller.identity = *std::move(identity);
    caller.source = Caller::Source::kToken;
    return caller;
  }
  if (auto auth = context.auth_context(); auth != nullptr) {
    caller.identity = CertificateIdentity(*auth);
    if (!caller.identity.empty()) {
      caller.source = Caller::Source::kCertificate;
      return caller;
    }
  }
  if (anonymous_allowed_) {
    caller.identity = kAnonymous;
    caller.source = Caller::Source::kInsecure;
  }
  return caller;
}

}  // namespace resetd::service
