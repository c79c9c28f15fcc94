#!/usr/bin/env bash
# A throw-away PKI for the TLS tests, made with openssl in DIR (EC P-256):
#   ca.crt/.key            the CA resetd trusts for clients and resetctl for the server
#   other-ca.crt/.key      a CA nobody trusts
#   server.crt/.key        DNS localhost, IP 127.0.0.1 (serverAuth), from ca
#   server2.crt/.key       the same names, a new key: the rotated certificate
#   server-other.crt/.key  the same names from other-ca
#   server-expired.crt/.key  from ca, expired yesterday
#   alice.crt/.key         client: URI spiffe://resetd.test/ns/ops/sa/alice, from ca
#   bob.crt/.key           client: DNS bob.ops.resetd.test, CN bob, from ca
#   carol.crt/.key         client: CN carol only (no SAN), from ca
#   mallory.crt/.key       client: URI spiffe://resetd.test/ns/ops/sa/alice, from other-ca
# Usage: make_test_pki.sh DIR
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }

ca() {  # name CN
  key "$1"
  openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 30 -out "$1.crt" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

leaf() {  # name issuer CN extendedKeyUsage subjectAltName(or "") days
  key "$1"
  openssl req -new -key "$1.key" -subj "/CN=$3" -out "$1.csr" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature"
    echo "extendedKeyUsage=$4"
    [[ -n $5 ]] && echo "subjectAltName=$5"
  } >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial \
    -days "$6" -extfile "$1.ext" -out "$1.crt" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

ca ca "resetd test CA"
ca other-ca "some other CA"
server_names="DNS:localhost,IP:127.0.0.1"
leaf server ca localhost serverAuth "$server_names" 30
leaf server2 ca localhost serverAuth "$server_names" 30
leaf server-other other-ca localhost serverAuth "$server_names" 30
leaf server-expired ca localhost serverAuth "$server_names" -1
leaf alice ca alice clientAuth "URI:spiffe://resetd.test/ns/ops/sa/alice" 30
leaf bob ca bob clientAuth "DNS:bob.ops.resetd.test" 30
leaf carol ca carol clientAuth "" 30
leaf mallory other-ca alice clientAuth "URI:spiffe://resetd.test/ns/ops/sa/alice" 30
chmod 600 ./*.key
