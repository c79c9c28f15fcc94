#include "service/tls.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace resetd::service {
namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

absl::StatusOr<std::string> ReadFile(const std::string& field,
                                     const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(field + ": cannot read " + path);
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

BioPtr Bio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                &BIO_free);
}

// The certificates of a PEM bundle, in order.
std::vector<X509Ptr> Certificates(const std::string& pem) {
  std::vector<X509Ptr> out;
  BioPtr bio = Bio(pem);
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    out.emplace_back(cert, &X509_free);
  }
  return out;
}

absl::Status NotUsable(const std::string& field, const std::string& path,
                       const std::string& why) {
  return absl::FailedPreconditionError(field + ": " + path + " " + why);
}

}  // namespace

absl::Status CheckTlsFiles(const resetd::v1::TlsConfig& tls) {
  auto cert_pem = ReadFile("tls.cert_file", tls.cert_file());
  if (!cert_pem.ok()) return cert_pem.status();
  std::vector<X509Ptr> chain = Certificates(*cert_pem);
  if (chain.empty()) {
    return NotUsable("tls.cert_file", tls.cert_file(),
                     "holds no PEM certificate");
  }
  auto key_pem = ReadFile("tls.key_file", tls.key_file());
  if (!key_pem.ok()) return key_pem.status();
  BioPtr key_bio = Bio(*key_pem);
  KeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr),
             &EVP_PKEY_free);
  if (key == nullptr) {
    return NotUsable("tls.key_file", tls.key_file(),
                     "holds no (unencrypted) PEM private key");
  }
  if (X509_check_private_key(chain.front().get(), key.get()) != 1) {
    return NotUsable("tls.key_file", tls.key_file(),
                     "does not match the certificate in " + tls.cert_file());
  }
  if (tls.client_ca_file().empty()) return absl::OkStatus();
  auto ca_pem = ReadFile("tls.client_ca_file", tls.client_ca_file());
  if (!ca_pem.ok()) return ca_pem.status();
  if (Certificates(*ca_pem).empty()) {
    return NotUsable("tls.client_ca_file", tls.client_ca_file(),
                     "holds no PEM certificate");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const resetd::v1::Config& config) {
  if (config.insecure()) return grpc::InsecureServerCredentials();
  const resetd::v1::TlsConfig& tls = config.tls();
  if (absl::Status s = CheckTlsFiles(tls); !s.ok()) return s;
  auto provider =
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          tls.key_file(), tls.cert_file(), tls.client_ca_file(),
          static_cast<unsigned int>(tls.reload_interval_s()));
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (tls.client_ca_file().empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(
        tls.require_client_cert()
            ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
            : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

}  // namespace resetd::service
