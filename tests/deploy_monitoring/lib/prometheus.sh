# Sourced after tests/conformance/lib/stack.sh: a real Prometheus (Debian's
# `prometheus`) on 127.0.0.1, stopped with the rest of the stack.
#
#   prom_start CONFIG            starts it on a free port with storage in
#                                $STACK_DIR/prometheus-data; sets PROM_ADDR
#   prom_query EXPR              prints /api/v1/query's JSON answer
#   prom_await DESC SECS EXPR    polls EXPR (a PromQL condition) until its
#                                result is not empty, at most SECS; prints the
#                                samples it found; fails naming DESC and the
#                                last answer otherwise
#   prom_await_absent DESC SECS EXPR   the same until the result is empty

# A port free now on 127.0.0.1 (Prometheus cannot report the one it bound to
# port 0; prom_start retries if another process takes it first).
prom_free_port() {
  node -e 'const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

prom_start() {
  local config=$1 attempt port pid deadline
  for attempt in 1 2 3; do
    port="$(prom_free_port)"
    rm -rf "$STACK_DIR/prometheus-data"
    prometheus --config.file="$config" --storage.tsdb.path="$STACK_DIR/prometheus-data" \
      --web.listen-address="127.0.0.1:$port" --log.level=warn \
      >"$STACK_DIR/prometheus.out" 2>"$STACK_DIR/prometheus.log" &
    pid=$!
    STACK_PIDS+=("$pid")
    stack_watchdog "$pid"
    deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)) && kill -0 "$pid" 2>/dev/null; do
      if curl -fs --max-time 2 "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1; then
        PROM_ADDR="127.0.0.1:$port"
        PROM_PID=$pid
        echo "prometheus $(prometheus --version 2>&1 | head -n 1 | awk '{print $3}') on $PROM_ADDR"
        return 0
      fi
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "prometheus did not get ready within 30 s" >&2
      return 1
    fi
    grep -q 'address already in use' "$STACK_DIR/prometheus.log" || break
    echo "port $port was taken; trying another" >&2
  done
  echo "prometheus did not start:" >&2
  tail -n 20 "$STACK_DIR/prometheus.log" >&2
  return 1
}

prom_query() {
  curl -fsS --max-time 5 "http://$PROM_ADDR/api/v1/query" --data-urlencode "query=$1"
}

# Prints the samples of a query answer (labels and value, one a line); exit
# status 0 when there is at least one.
prom_samples() {
  node -e '
    const r = JSON.parse(process.argv[1]);
    if (r.status !== "success") { console.error(JSON.stringify(r)); process.exit(2); }
    const out = r.data.result.map((s) => {
      const { __name__: name = "", ...labels } = s.metric;
      return `${name}${JSON.stringify(labels)} ${s.value[1]}`;
    });
    if (out.length > 0) console.log(out.join("\n"));
    process.exit(out.length > 0 ? 0 : 1);' "$1"
}

prom_await() {
  local desc=$1 secs=$2 expr=$3 answer="" deadline=$((SECONDS + $2)) found
  while ((SECONDS < deadline)); do
    answer="$(prom_query "$expr" || true)"
    if [[ -n "$answer" ]] && found="$(prom_samples "$answer" 2>/dev/null)"; then
      echo "ok: $desc"
      sed 's/^/      /' <<<"$found"
      return 0
    fi
    sleep 0.25
  done
  echo "FAIL: $desc: no result for $expr within ${secs}s; last answer: $answer" >&2
  return 1
}

prom_await_absent() {
  local desc=$1 secs=$2 expr=$3 answer="" deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    answer="$(prom_query "$expr" || true)"
    if [[ -n "$answer" ]] && ! prom_samples "$answer" >/dev/null 2>&1 &&
        [[ "$(node -e 'console.log(JSON.parse(process.argv[1]).status)' "$answer")" == success ]]; then
      echo "ok: $desc"
      return 0
    fi
    sleep 0.25
  done
  echo "FAIL: $desc: $expr still has results after ${secs}s: $answer" >&2
  return 1
}
