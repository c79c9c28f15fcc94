#include "workflow/fingerprint.h"

#include <utility>

#include "common/crypto.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace resetd::workflow {

namespace {

std::string DeterministicBytes(const google::protobuf::Message& m) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&coded);
  }
  return bytes;
}

class MacFingerprinter final : public Fingerprinter {
 public:
  MacFingerprinter(std::string key_id, MacFunction mac)
      : key_id_(std::move(key_id)), mac_(std::move(mac)) {}

  absl::StatusOr<std::string> Fingerprint(
      const resetd::v1::CreateResetJobRequest& spec,
      const Secret& password) const override {
    return Under(key_id_, spec, password);
  }

  absl::StatusOr<bool> Matches(const std::string& fingerprint,
                               const resetd::v1::CreateResetJobRequest& spec,
                               const Secret& password) const override {
    auto colon = fingerprint.find(':');
    if (colon == std::string::npos) return false;
    auto expected = Under(fingerprint.substr(0, colon), spec, password);
    if (!expected.ok()) return expected.status();
    return ConstantTimeEquals(*expected, fingerprint);
  }

 private:
  absl::StatusOr<std::string> Under(
      const std::string& key_id, const resetd::v1::CreateResetJobRequest& spec,
      const Secret& password) const {
    std::string data = DeterministicBytes(spec);
    data.push_back('\0');
    data.append(password.Reveal());
    auto mac = mac_(key_id, data);
    WipeString(data);
    if (!mac.ok()) return mac.status();
    return key_id + ":" + HexEncode(*mac);
  }

  const std::string key_id_;
  const MacFunction mac_;
};

}  // namespace

std::shared_ptr<const Fingerprinter> NewMacFingerprinter(
    std::string current_key_id, MacFunction mac) {
  return std::make_shared<MacFingerprinter>(std::move(current_key_id),
                                            std::move(mac));
}

std::shared_ptr<const Fingerprinter> NewEphemeralFingerprinter() {
  auto key = std::make_shared<Secret>(RandomBytes(32));
  return NewMacFingerprinter(
      "ephemeral",
      [key](const std::string& id,
            const std::string& data) -> absl::StatusOr<std::string> {
        if (id != "ephemeral") {
          return absl::DataLossError("fingerprint key '" + id +
                                     "' is not known to this process");
        }
        return HmacSha256(key->Reveal(), data);
      });
}

}  // namespace resetd::workflow
