#!/usr/bin/env bash
# Installs every Debian package resetd needs to build, test and demo. Idempotent:
# when everything is present it returns without touching apt.
set -euo pipefail
PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  libabsl-dev prometheus-cpp-dev libssl-dev libgtest-dev libgmock-dev
  libcurl4-openssl-dev libsqlite3-dev nlohmann-json3-dev
  libcpp-httplib-dev libcli11-dev libspdlog-dev libfmt-dev libyaml-cpp-dev
  libbenchmark-dev prometheus nodejs npm curl
  kubernetes-client  # kubectl kustomize: the tests of deploy/kubernetes (tests/deploy)
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs/npm may come from elsewhere on the machine: a working node+npm is enough.
if command -v node >/dev/null && command -v npm >/dev/null; then
  tmp=(); for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || tmp+=("$p"); done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi
# Any kubectl with `kustomize` renders the manifests; another vendor's kubectl
# package (e.g. the Google Cloud SDK's) would conflict with kubernetes-client.
if kubectl kustomize --help >/dev/null 2>&1; then
  tmp=(); for p in "${missing[@]+"${missing[@]}"}"; do [[ $p == kubernetes-client ]] || tmp+=("$p"); done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
