#!/usr/bin/env bash
# Writes prometheusrule.yaml, the prometheus-operator PrometheusRule holding the
# groups of resetd-rules.yaml, indented under `spec:` unchanged (comments too).
# Run it after every change of resetd-rules.yaml; tests/deploy_monitoring fails
# while the two differ.
# Usage: generate-prometheusrule.sh [OUT]   OUT defaults to prometheusrule.yaml
#                                           beside this script; - is stdout
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RULES="$HERE/resetd-rules.yaml"
OUT="${1:-$HERE/prometheusrule.yaml}"

if ! grep -q '^groups:$' "$RULES"; then
  echo "$RULES: no top-level 'groups:' line" >&2
  exit 1
fi

generate() {
  cat <<'YAML'
# GENERATED from resetd-rules.yaml by generate-prometheusrule.sh: edit that
# file and run the script again (tests/deploy_monitoring checks they match).
# A Prometheus whose ruleSelector asks for a label (kube-prometheus-stack:
# release: <its release name>) needs that label added here by an overlay.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: resetd
  labels:
    app.kubernetes.io/name: resetd
    app.kubernetes.io/instance: resetd
    app.kubernetes.io/component: monitoring
spec:
YAML
  # Everything from `groups:` on, two spaces deeper; empty lines stay empty.
  sed -n '/^groups:$/,$p' "$RULES" | sed -E 's/^(.)/  \1/'
}

if [[ "$OUT" == - ]]; then
  generate
else
  generate >"$OUT.tmp.$$"
  mv "$OUT.tmp.$$" "$OUT"
fi
