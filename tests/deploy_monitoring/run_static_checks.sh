#!/usr/bin/env bash
# The checks of deploy/prometheus and deploy/grafana that need no running
# resetd. Usage: run_static_checks.sh rules|dashboard REPO_ROOT NODE_CACHE_DIR
#
#   rules      promtool check rules on resetd-rules.yaml and on the
#              PrometheusRule's spec; promtool test rules (rules_test.yaml);
#              prometheusrule.yaml byte for byte what generate-prometheusrule.sh
#              makes; js/check_rules.mjs (spec equal to the rule file, operator
#              schema, annotations, runbook sections, a firing and a silent test
#              per alert); then broken copies, each rejected (js/mutations.mjs)
#   dashboard  js/check_dashboard.mjs on resetd.json, then broken copies
#
# The npm packages pinned in node/package-lock.json are installed once into
# NODE_CACHE_DIR (the npm registry is the only network access).
set -euo pipefail

if [[ $# -ne 3 || ! "$1" =~ ^(rules|dashboard)$ ]]; then
  echo "usage: $0 rules|dashboard REPO_ROOT NODE_CACHE_DIR" >&2
  exit 2
fi
MODE=$1
SRC="$(cd "$2" && pwd)"
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
monitoring_require promtool node npm flock
monitoring_node_setup "$3"

RULES="$SRC/deploy/prometheus/resetd-rules.yaml"
OBJECT="$SRC/deploy/prometheus/prometheusrule.yaml"

if [[ $MODE == rules ]]; then
  promtool check rules "$RULES"
  node "$MON_JS/check_rules.mjs" --rules "$RULES" --prometheusrule "$OBJECT" \
    --tests "$SRC/tests/deploy_monitoring/rules_test.yaml" \
    --readme "$SRC/README.md" \
    --spec-out "$MON_WORK/prometheusrule-spec.yaml"
  promtool check rules "$MON_WORK/prometheusrule-spec.yaml"
  promtool test rules "$SRC/tests/deploy_monitoring/rules_test.yaml"
  if ! bash "$SRC/deploy/prometheus/generate-prometheusrule.sh" - | diff -u "$OBJECT" -; then
    echo "FAIL: prometheusrule.yaml is not what generate-prometheusrule.sh makes: run it" >&2
    exit 1
  fi
  echo "ok: prometheusrule.yaml is what generate-prometheusrule.sh makes"
else
  node "$MON_JS/check_dashboard.mjs" "$SRC/deploy/grafana/resetd.json"
fi

node "$MON_JS/mutations.mjs" "$MODE" --src "$SRC" --workdir "$MON_WORK"
