#include "cli/flag_values.h"

#include <cctype>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cli/job_file.h"
#include "common/crypto.h"

namespace resetd::cli {
namespace {

template <typename Enum, size_t N>
absl::StatusOr<Enum> Lookup(std::string_view value,
                            const std::pair<const char*, Enum> (&table)[N],
                            const char* what) {
  std::string choices;
  for (const auto& [name, e] : table) {
    if (value == name) return e;
    absl::StrAppend(&choices, choices.empty() ? "" : "|", name);
  }
  return absl::InvalidArgumentError(absl::StrCat("invalid ", what, " '",
                                                 std::string(value),
                                                 "' (expected ", choices, ")"));
}

}  // namespace

absl::StatusOr<resetd::v1::StopMode> ParseStopMode(std::string_view value) {
  static constexpr std::pair<const char*, resetd::v1::StopMode> kTable[] = {
      {"soft", resetd::v1::STOP_MODE_SOFT},
      {"soft-then-force", resetd::v1::STOP_MODE_SOFT_THEN_FORCE},
      {"force", resetd::v1::STOP_MODE_FORCE}};
  return Lookup(value, kTable, "stop mode");
}

absl::StatusOr<resetd::v1::PowerPolicy> ParsePowerPolicy(
    std::string_view value) {
  static constexpr std::pair<const char*, resetd::v1::PowerPolicy> kTable[] = {
      {"restore-original", resetd::v1::POWER_POLICY_RESTORE_ORIGINAL},
      {"always-start", resetd::v1::POWER_POLICY_ALWAYS_START},
      {"leave-stopped", resetd::v1::POWER_POLICY_LEAVE_STOPPED}};
  return Lookup(value, kTable, "power policy");
}

absl::StatusOr<resetd::v1::PasswordKind> ParsePasswordKind(
    std::string_view value) {
  static constexpr std::pair<const char*, resetd::v1::PasswordKind> kTable[] = {
      {"login", resetd::v1::PASSWORD_KIND_LOGIN},
      {"vnc", resetd::v1::PASSWORD_KIND_VNC}};
  return Lookup(value, kTable, "password kind");
}

absl::StatusOr<resetd::v1::OnConflict> ParseOnConflict(
    std::string_view value) {
  static constexpr std::pair<const char*, resetd::v1::OnConflict> kTable[] = {
      {"reject", resetd::v1::ON_CONFLICT_REJECT},
      {"wait", resetd::v1::ON_CONFLICT_WAIT},
      {"skip", resetd::v1::ON_CONFLICT_SKIP}};
  return Lookup(value, kTable, "on-conflict mode");
}

absl::StatusOr<resetd::v1::OsType> ParseOsType(std::string_view value) {
  static constexpr std::pair<const char*, resetd::v1::OsType> kTable[] = {
      {"linux", resetd::v1::OS_TYPE_LINUX},
      {"windows", resetd::v1::OS_TYPE_WINDOWS}};
  return Lookup(value, kTable, "os");
}

absl::StatusOr<std::vector<resetd::v1::JobState>> ParseJobStates(
    std::string_view list) {
  std::vector<resetd::v1::JobState> states;
  for (const std::string& item : SplitCommaList(list)) {
    std::string name = "JOB_STATE_";
    for (char c : item) {
      name +=
          c == '-'
              ? '_'
              : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    resetd::v1::JobState state;
    if (!resetd::v1::JobState_Parse(name, &state) ||
        state == resetd::v1::JOB_STATE_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid job state '", item,
          "' (expected queued|running|succeeded|partially-failed|failed|"
          "cancelled)"));
    }
    states.push_back(state);
  }
  return states;
}

std::string NewRequestId() {
  std::string b = RandomBytes(16);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string hex = HexEncode(b);
  return absl::StrCat("resetctl-", hex.substr(0, 8), "-", hex.substr(8, 4), "-",
                      hex.substr(12, 4), "-", hex.substr(16, 4), "-",
                      hex.substr(20));
}

}  // namespace resetd::cli
