// deploy_config_check: validates a resetd config file exactly as resetd does
// at start-up (service::LoadConfigFile: parse, defaults, validation) without
// opening the store or reading a credential, and prints the config with
// resetd's defaults applied, as JSON on stdout. The Kubernetes tests
// (run_kubernetes_checks.sh) run it on the config.json rendered into the
// ConfigMap, and check the manifests against the defaulted values.
//
//   deploy_config_check FILE   exit 0: valid; 1: invalid (reason on stderr);
//                              2: usage
#include <iostream>
#include <string>

#include "google/protobuf/util/json_util.h"
#include "service/config.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: deploy_config_check FILE\n";
    return 2;
  }
  auto config = resetd::service::LoadConfigFile(argv[1]);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return 1;
  }
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.add_whitespace = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(*config, &json, options)
           .ok()) {
    std::cerr << "cannot print the config as JSON\n";
    return 1;
  }
  std::cout << json;
  return 0;
}
