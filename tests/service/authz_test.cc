// Authorization as a table: every role x method x own/other job x target in
// or out of the binding's providers and regions; development mode, "*",
// the union of several bindings, List scopes and the denial's status.
#include "service/authz.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "service/status_mapping.h"

namespace resetd::service {
namespace {

using resetd::v1::AuthConfig;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using workflow::ProviderRegion;
using workflow::ScopeGrant;

AuthConfig Auth(const std::string& json) {
  AuthConfig auth;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &auth).ok())
      << json;
  return auth;
}

Caller Cert(const std::string& identity) {
  return Caller{identity, Caller::Source::kCertificate, "ipv4:127.0.0.1:1"};
}

Caller Anonymous() {
  return Caller{kAnonymous, Caller::Source::kInsecure, "ipv4:127.0.0.1:1"};
}

AuthzRequest On(Permission p, const std::string& creator,
                std::vector<ProviderRegion> targets) {
  return AuthzRequest{p, creator, std::move(targets)};
}

const ProviderRegion kInScope{"tencent", "gz"};
const ProviderRegion kOtherProvider{"aliyun", "gz"};
const ProviderRegion kOtherRegion{"tencent", "sh"};

// alice holds `role` for tencent in gz only.
AuthConfig Scoped(const std::string& role) {
  return Auth(R"({"bindings": [{"identities": ["alice"], "role": ")" + role +
              R"(", "providers": ["tencent"], "regions": ["gz"]}]})");
}

struct Row {
  std::string role;
  Permission permission;
  bool own_allowed;    // on a job alice created (Create: the request)
  bool other_allowed;  // on a job bob created
};

const Row kTable[] = {
    {"viewer", Permission::kGet, true, true},
    {"viewer", Permission::kList, true, true},
    {"viewer", Permission::kWatch, true, true},
    {"viewer", Permission::kCreate, false, false},
    {"viewer", Permission::kCancel, false, false},
    {"operator", Permission::kGet, true, true},
    {"operator", Permission::kList, true, true},
    {"operator", Permission::kWatch, true, true},
    {"operator", Permission::kCreate, true, true},
    {"operator", Permission::kCancel, true, false},
    {"admin", Permission::kGet, true, true},
    {"admin", Permission::kList, true, true},
    {"admin", Permission::kWatch, true, true},
    {"admin", Permission::kCreate, true, true},
    {"admin", Permission::kCancel, true, true},
};

TEST(AuthorizeTest, EveryRoleMethodOwnerAndScope) {
  for (const Row& row : kTable) {
    const AuthConfig auth = Scoped(row.role);
    for (const std::string creator : {"alice", "bob"}) {
      const bool want =
          creator == "alice" ? row.own_allowed : row.other_allowed;
      const std::string at = row.role + " " + PermissionName(row.permission) +
                             " job of " + creator;
      // List concerns no job's targets: its scope applies to the listing.
      const bool targeted = row.permission != Permission::kList;
      auto in = Authorize(
          auth, Cert("alice"),
          On(row.permission, creator,
             targeted ? std::vector{kInScope} : std::vector<ProviderRegion>{}));
      EXPECT_EQ(in.allowed, want) << at << ": " << in.reason;
      if (!targeted) continue;
      for (const ProviderRegion& out : {kOtherProvider, kOtherRegion}) {
        auto d = Authorize(auth, Cert("alice"),
                           On(row.permission, creator, {kInScope, out}));
        EXPECT_FALSE(d.allowed)
            << at << " " << out.provider << "/" << out.region;
        if (want) {  // the permission is there, the scope is not
          EXPECT_EQ(d.provider, out.provider) << at;
          EXPECT_EQ(d.region, out.region) << at;
        }
      }
    }
  }
}

TEST(AuthorizeTest, DeniedNamesTheMissingPermission) {
  auto viewer = Authorize(Scoped("viewer"), Cert("alice"),
                          On(Permission::kCreate, "", {kInScope}));
  EXPECT_EQ(viewer.missing_permission, "resetd.jobs.create");
  EXPECT_TRUE(viewer.provider.empty());
  auto others = Authorize(Scoped("operator"), Cert("alice"),
                          On(Permission::kCancel, "bob", {kInScope}));
  EXPECT_EQ(others.missing_permission, "resetd.jobs.cancelOthers");
  auto own = Authorize(Scoped("viewer"), Cert("alice"),
                       On(Permission::kCancel, "alice", {kInScope}));
  EXPECT_EQ(own.missing_permission, "resetd.jobs.cancel");
  // A job without a recorded creator (older versions) is nobody's own.
  auto legacy = Authorize(Scoped("operator"), Cert("alice"),
                          On(Permission::kCancel, "", {kInScope}));
  EXPECT_FALSE(legacy.allowed);
  EXPECT_EQ(legacy.missing_permission, "resetd.jobs.cancelOthers");
}

TEST(AuthorizeTest, AllowedSaysWhichBinding) {
  auto d = Authorize(Scoped("operator"), Cert("alice"),
                     On(Permission::kCreate, "", {kInScope}));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.reason, "operator (bindings[0])");
}

TEST(AuthorizeTest, UnboundAndUnauthenticatedCallersMayDoNothing) {
  const AuthConfig auth = Scoped("admin");
  EXPECT_FALSE(
      Authorize(auth, Cert("mallory"), On(Permission::kGet, "", {})).allowed);
  EXPECT_FALSE(Authorize(auth, Caller{}, On(Permission::kGet, "", {})).allowed);
  // No bindings and a certificate: not development mode.
  EXPECT_FALSE(
      Authorize(AuthConfig(), Cert("alice"), On(Permission::kGet, "", {}))
          .allowed);
}

TEST(AuthorizeTest, DevelopmentModeIsAdminOnlyWithoutBindings) {
  for (Permission p : {Permission::kGet, Permission::kList, Permission::kWatch,
                       Permission::kCreate, Permission::kCancel}) {
    auto d = Authorize(AuthConfig(), Anonymous(),
                       On(p, "someone-else", {kOtherProvider}));
    EXPECT_TRUE(d.allowed) << PermissionName(p);
    EXPECT_THAT(d.reason, HasSubstr("development mode"));
  }
  // With bindings, anonymous has only what they grant it.
  const AuthConfig bound = Scoped("admin");
  EXPECT_FALSE(
      Authorize(bound, Anonymous(), On(Permission::kGet, "", {})).allowed);
  const AuthConfig anon = Auth(
      R"({"bindings": [{"identities": ["anonymous"], "role": "viewer"}]})");
  EXPECT_TRUE(
      Authorize(anon, Anonymous(), On(Permission::kGet, "x", {kInScope}))
          .allowed);
  EXPECT_FALSE(
      Authorize(anon, Anonymous(), On(Permission::kCreate, "", {kInScope}))
          .allowed);
}

TEST(AuthorizeTest, StarIsAnyAuthenticatedCaller) {
  const AuthConfig auth =
      Auth(R"({"bindings": [{"identities": ["*"], "role": "viewer"}]})");
  EXPECT_TRUE(
      Authorize(auth, Cert("anyone"), On(Permission::kGet, "x", {kInScope}))
          .allowed);
  EXPECT_TRUE(
      Authorize(auth, Anonymous(), On(Permission::kGet, "x", {kInScope}))
          .allowed);
  EXPECT_FALSE(
      Authorize(auth, Caller{}, On(Permission::kGet, "x", {kInScope})).allowed);
  EXPECT_FALSE(
      Authorize(auth, Cert("anyone"), On(Permission::kCreate, "", {kInScope}))
          .allowed);
}

TEST(AuthorizeTest, SeveralBindingsAreTheirUnion) {
  const AuthConfig auth = Auth(R"({"bindings": [
      {"identities": ["alice"], "role": "viewer"},
      {"identities": ["alice"], "role": "operator", "providers": ["tencent"]},
      {"identities": ["ops", "alice"], "role": "operator",
       "providers": ["aliyun"], "regions": ["gz"]}]})");
  EXPECT_TRUE(Authorize(auth, Cert("alice"),
                        On(Permission::kGet, "bob", {{"huawei", "x"}}))
                  .allowed);
  auto both =
      Authorize(auth, Cert("alice"),
                On(Permission::kCreate, "", {kInScope, kOtherProvider}));
  EXPECT_TRUE(both.allowed);
  EXPECT_EQ(both.reason, "operator (bindings[1]), operator (bindings[2])");
  auto outside = Authorize(auth, Cert("alice"),
                           On(Permission::kCreate, "", {{"aliyun", "sh"}}));
  EXPECT_FALSE(outside.allowed);
  EXPECT_EQ(outside.provider, "aliyun");
  EXPECT_EQ(outside.missing_permission, "resetd.jobs.create");
}

TEST(ListScopeTest, ScopesFollowTheBindings) {
  EXPECT_EQ(ListScope(AuthConfig(), Anonymous()), std::nullopt);
  EXPECT_EQ(ListScope(Scoped("viewer"), Cert("mallory")),
            std::vector<ScopeGrant>{});
  EXPECT_EQ(ListScope(Scoped("viewer"), Caller{}), std::vector<ScopeGrant>{});
  auto scoped = ListScope(Scoped("viewer"), Cert("alice"));
  ASSERT_TRUE(scoped.has_value());
  ASSERT_EQ(scoped->size(), 1u);
  EXPECT_THAT((*scoped)[0].providers, ElementsAre("tencent"));
  EXPECT_THAT((*scoped)[0].regions, ElementsAre("gz"));
  const AuthConfig wide = Auth(R"({"bindings": [
      {"identities": ["alice"], "role": "viewer", "providers": ["tencent"]},
      {"identities": ["*"], "role": "viewer"}]})");
  EXPECT_EQ(ListScope(wide, Cert("alice")), std::nullopt);
}

TEST(DeniedStatusTest, PermissionDeniedCarriesErrorInfo) {
  AuthzDecision d = Authorize(Scoped("operator"), Cert("alice"),
                              On(Permission::kCreate, "", {kOtherProvider}));
  absl::Status s = DeniedStatus(Cert("alice"), d);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  auto payload = s.GetPayload(kErrorInfoPayloadUrl);
  ASSERT_TRUE(payload.has_value());
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(info.ParseFromString(std::string(*payload)));
  EXPECT_EQ(info.reason(), "OUT_OF_SCOPE");
  EXPECT_EQ(info.domain(), "resetd");
  EXPECT_EQ(info.metadata().at("permission"), "resetd.jobs.create");
  EXPECT_EQ(info.metadata().at("provider"), "aliyun");
  EXPECT_EQ(info.metadata().at("region"), "gz");
  EXPECT_EQ(info.metadata().at("identity"), "alice");

  d = Authorize(Scoped("viewer"), Cert("alice"),
                On(Permission::kCancel, "alice", {kInScope}));
  s = DeniedStatus(Cert("alice"), d);
  ASSERT_TRUE(
      info.ParseFromString(std::string(*s.GetPayload(kErrorInfoPayloadUrl))));
  EXPECT_EQ(info.reason(), "PERMISSION_DENIED");
  EXPECT_EQ(info.metadata().count("provider"), 0u);
}

TEST(DeniedStatusTest, NoIdentityIsUnauthenticated) {
  AuthzDecision d =
      Authorize(Scoped("viewer"), Caller{}, On(Permission::kGet, "", {}));
  EXPECT_EQ(DeniedStatus(Caller{}, d).code(),
            absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace resetd::service
