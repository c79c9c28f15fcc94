#!/usr/bin/env bash
# The README's first command. On a fresh Debian 12 machine it installs what is
# needed, builds, and then runs one real reset job end to end on this machine:
#
#   fakecloud (a local Tencent Cloud CVM API, 500 instances in mixed states)
#     <- resetd (the service, configured for that endpoint)
#       <- resetctl create (the operator's CLI, live progress bar and summary)
#
# and proves from the fake cloud's own records that it went right: every
# instance has the new password, every instance is back in the power state it
# had, the ones in forbidden states were never touched, no call carried more
# than 100 ids, no API went over 10 calls in any second, nothing was throttled,
# the password shows up in no log, metric, output or database, and the job is
# in resetd's SQLite store without its password once it has ended. Exits
# non-zero if any check fails. Takes about 10 seconds after the build.
#
# Environment: BUILD_DIR (default build), DEMO_INSTANCES (default 500),
# DEMO_KEEP=1 keeps the temporary directory with the logs.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
INSTANCES=${DEMO_INSTANCES:-500}
REGION=ap-guangzhou
RATE=10   # requests per second per API (resetd's default, written in the config)
PY=/usr/bin/python3

if [ -t 1 ]; then BOLD=$'\033[1m' RED=$'\033[31m' GREEN=$'\033[32m' OFF=$'\033[0m'
else BOLD="" RED="" GREEN="" OFF=""; fi
section() { printf '\n%s== %s ==%s\n' "$BOLD" "$*" "$OFF"; }
note() { printf '   %s\n' "$*"; }
die() { printf '%sdemo: %s%s\n' "$RED" "$*" "$OFF" >&2; exit 1; }

# ---------------------------------------------------------------------------
section "1/7 Install packages and build (scripts/install-deps.sh, scripts/build.sh)"
bash scripts/install-deps.sh
# The checks below are a few lines of Python; Debian 12 ships python3 in a
# standard install, minimal images may not.
if [ ! -x "$PY" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3 >/dev/null
fi
bash scripts/build.sh
FAKECLOUD=$BUILD_DIR/fakecloud/fakecloud
RESETD=$BUILD_DIR/service/resetd
RESETCTL=$BUILD_DIR/cli/resetctl
for b in "$FAKECLOUD" "$RESETD" "$RESETCTL"; do [ -x "$b" ] || die "$b was not built"; done

# Everything from here on talks to 127.0.0.1 only: no proxy may intercept it.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY grpc_proxy
T0=$(date +%s.%N)
WORK=$(mktemp -d -t resetd-demo.XXXXXX)
FAKE_PID="" RESETD_PID="" OK=0

# Stops a process politely (SIGTERM), then firmly after `$2` seconds.
stop_process() {
  local pid=$1 grace=$2 i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 20; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "demo: pid $pid ignored SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_process "$RESETD_PID" 25   # resetd drains in-flight calls on SIGTERM
  stop_process "$FAKE_PID" 5
  if [ "$OK" = 1 ] && [ "${DEMO_KEEP:-0}" != 1 ]; then
    rm -rf "$WORK"
  else
    echo "demo: logs and files kept in $WORK" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Polls `file` until it has a line matching `regex` and prints the rest of
# that line (the address); fails, showing $WORK/<what>.log, if process `pid`
# exits or `timeout` seconds pass first.
await_line() {
  local file=$1 regex=$2 pid=$3 timeout=$4 what=$5 line i
  for ((i = 0; i < timeout * 20; i++)); do
    line=$(grep -m1 -E "$regex" "$file" 2>/dev/null || true)
    if [ -n "$line" ]; then
      printf '%s\n' "$line" | sed -E "s/.*${regex#^}//"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$WORK/$what.log" >&2
      die "$what exited during start-up"
    fi
    sleep 0.05
  done
  tail -n 20 "$WORK/$what.log" >&2
  die "$what did not report its address within ${timeout}s"
}

# One credential pair for both: fakecloud accepts exactly what resetd sends.
TENCENTCLOUD_SECRET_ID="AKIDresetdDEMO$("$PY" -c 'import secrets; print(secrets.token_hex(6))')"
TENCENTCLOUD_SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(30))')
export TENCENTCLOUD_SECRET_ID TENCENTCLOUD_SECRET_KEY
# The key that seals passwords in resetd's job database (AES-256-GCM).
RESETD_STORE_KEY=$("$PY" -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())')
export RESETD_STORE_KEY

# ---------------------------------------------------------------------------
section "2/7 Start fakecloud: a local Tencent Cloud CVM API with $INSTANCES instances"
"$FAKECLOUD" --listen 127.0.0.1:0 --instances "$INSTANCES" --regions "$REGION" \
  --running-fraction 0.6 --windows-fraction 0.2 --forbidden 6 --seed 42 \
  --transition-ms 500:1500 --reset-ms 300:900 \
  >"$WORK/fakecloud.out" 2>"$WORK/fakecloud.log" &
FAKE_PID=$!
FAKE_ADDR=$(await_line "$WORK/fakecloud.out" '^listening on ' "$FAKE_PID" 15 fakecloud)
note "fakecloud listening on $FAKE_ADDR (pid $FAKE_PID), log: fakecloud.log"
note "power transitions take 0.5-1.5 s, a password write 0.3-0.9 s; API limits as Tencent's"

curl -fsS "http://$FAKE_ADDR/_fake/instances" >"$WORK/before.json"
"$PY" - "$WORK/before.json" "$WORK/instances.txt" <<'PY'
import collections, json, sys
# (Newer fakeclouds serve several providers and say which; this demo is CVM.)
fleet = [i for i in json.load(open(sys.argv[1]))
         if i.get("provider", "tencent_cvm") == "tencent_cvm"]
with open(sys.argv[2], "w") as out:
    out.writelines(i["instance_id"] + "\n" for i in fleet)
by = collections.Counter((i["state"], i["os_type"]) for i in fleet)
states = sorted({s for s, _ in by}, key=lambda s: (s not in ("RUNNING", "STOPPED"), s))
print("   %-16s %7s %8s %7s" % ("state", "linux", "windows", "total"))
for s in states:
    lin, win = by[(s, "LINUX")], by[(s, "WINDOWS")]
    print("   %-16s %7d %8d %7d" % (s, lin, win, lin + win))
print("   %-16s %7s %8s %7d" % ("", "", "", len(fleet)))
PY
note "SHUTDOWN, TERMINATING, LAUNCH_FAILED and RESCUE_MODE forbid a reset: resetd must not touch them"

# ---------------------------------------------------------------------------
section "3/7 Start resetd against it"
cat >"$WORK/resetd.json" <<EOF
{
  "grpcListen": "127.0.0.1:0",
  "insecure": true,
  "metricsListen": "127.0.0.1:0",
  "logLevel": "info",
  "store": {"path": "$WORK/jobs.db"},
  "providers": [{
    "name": "tencent",
    "kind": "tencent_cvm",
    "endpoint": "$FAKE_ADDR",
    "scheme": "http",
    "regions": ["$REGION"],
    "rateLimits": [{"action": "*", "requestsPerSecond": $RATE}]
  }]
}
EOF
"$RESETD" --config "$WORK/resetd.json" 2>"$WORK/resetd.log" &
RESETD_PID=$!
GRPC_ADDR=$(await_line "$WORK/resetd.log" 'grpc listening on ' "$RESETD_PID" 15 resetd)
METRICS_ADDR=$(await_line "$WORK/resetd.log" 'metrics listening on ' "$RESETD_PID" 15 resetd)
note "resetd (pid $RESETD_PID): gRPC on $GRPC_ADDR, Prometheus metrics on http://$METRICS_ADDR/metrics"
note "config $WORK/resetd.json: provider \"tencent\" (kind tencent_cvm) -> http://$FAKE_ADDR"
note "credentials from TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY (SecretId $TENCENTCLOUD_SECRET_ID)"
note "jobs in SQLite $WORK/jobs.db, passwords sealed under RESETD_STORE_KEY"
note "gRPC is plaintext here (\"insecure\": true, loopback only, warned in resetd's log);"
note "  production configs set tls (mTLS) and role bindings: README, Transport security"

# ---------------------------------------------------------------------------
section "4/7 Reset the password of all $INSTANCES instances (resetctl create)"
# A fresh random password that passes Tencent's rules for Linux and Windows
# (12-30 characters, 4 character classes, not starting with "/"). It lives in
# this shell variable only: printf is a builtin, so it never appears in any
# process's argv, and nothing prints it.
PASSWORD=$("$PY" - <<'PY'
import secrets, string
r = secrets.SystemRandom()
special = "-_.!@#%+="
every = string.ascii_letters + string.digits + special
while True:
    chars = [r.choice(string.ascii_lowercase), r.choice(string.ascii_uppercase),
             r.choice(string.digits), r.choice(special)]
    chars += [r.choice(every) for _ in range(16)]
    r.shuffle(chars)
    pw = "".join(chars)
    if "administrator" not in pw.lower():
        print(pw)
        break
PY
)
PASSWORD_SHA256=$(printf '%s' "$PASSWORD" | sha256sum | cut -d' ' -f1)
REQUEST_ID="demo-$(date +%Y%m%d-%H%M%S)-$$"
note "password: 20 random characters, piped to --password-stdin (never printed)"
note "\$ resetctl --server $GRPC_ADDR create --provider tencent --region $REGION \\"
note "      --instances-file instances.txt --request-id $REQUEST_ID --password-stdin"
echo
set +e
printf '%s\n' "$PASSWORD" | "$RESETCTL" --server "$GRPC_ADDR" create \
  --provider tencent --region "$REGION" --instances-file "$WORK/instances.txt" \
  --request-id "$REQUEST_ID" --password-stdin
CTL_RC=$?
set -e
echo
case $CTL_RC in
  0) note "resetctl exit code 0: the job SUCCEEDED" ;;
  2) note "resetctl exit code 2: the job ended PARTIALLY_FAILED, as it must: the" \
       && note "instances in forbidden states fail with the reason and are left alone" ;;
  *) die "resetctl failed (exit code $CTL_RC)" ;;
esac

JOB_ID=$("$RESETCTL" --server "$GRPC_ADDR" --output json list --all | "$PY" -c '
import json, sys
for line in sys.stdin:
    for job in json.loads(line).get("jobs", []):
        if job["requestId"] == sys.argv[1]:
            print(job["jobId"])
' "$REQUEST_ID")
[ -n "$JOB_ID" ] || die "no job with request id $REQUEST_ID"
"$RESETCTL" --server "$GRPC_ADDR" --output json get "$JOB_ID" --full >"$WORK/job.jsonl"
# One line for the job, then one per page of instance results: one object.
"$PY" - "$WORK/job.jsonl" "$WORK/job.json" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
job = lines[0]
job["instances"] = [i for page in lines[1:] for i in page.get("instances", [])]
json.dump(job, open(sys.argv[2], "w"))
PY
note "one instance as resetd reports it (resetctl --output json get $JOB_ID --full):"
"$PY" - "$WORK/job.json" <<'PY'
import json, sys
job = json.load(open(sys.argv[1]))
pick = next((i for i in job["instances"]
             if i["originalPowerState"] == "POWER_STATE_RUNNING" and len(i["steps"]) >= 3),
            job["instances"][0])
for line in json.dumps(pick, indent=2).splitlines()[:40]:
    print("     " + line)
PY

# ---------------------------------------------------------------------------
section "5/7 Verify from the fake cloud's own records (GET /_fake/instances, /_fake/calls)"
curl -fsS "http://$FAKE_ADDR/_fake/instances" >"$WORK/after.json"
curl -fsS "http://$FAKE_ADDR/_fake/calls" >"$WORK/calls.json"
FAILED_CHECKS=0
"$PY" - "$WORK/before.json" "$WORK/after.json" "$WORK/calls.json" "$WORK/job.json" \
  "$PASSWORD_SHA256" "$RATE" <<'PY' || FAILED_CHECKS=1
import collections, json, sys
cvm = lambda r: r.get("provider", "tencent_cvm") == "tencent_cvm"
before = {i["instance_id"]: i for i in json.load(open(sys.argv[1])) if cvm(i)}
after = {i["instance_id"]: i for i in json.load(open(sys.argv[2])) if cvm(i)}
calls = [c for c in json.load(open(sys.argv[3])) if cvm(c)]
job = json.load(open(sys.argv[4]))
digest, rate = sys.argv[5], float(sys.argv[6])
failures = []

def check(ok, text):
    print("   [%s] %s" % ("ok" if ok else "FAIL", text))
    if not ok:
        failures.append(text)

# Per original state: new password? same power state as before?
rows = collections.defaultdict(lambda: [0, 0, collections.Counter()])
for iid, b in before.items():
    a = after[iid]
    row = rows[b["state"]]
    row[0] += 1
    row[1] += a["password_digest"] == digest
    row[2][a["state"]] += 1
print("   %-14s %9s %14s   %s" % ("state before", "instances", "new password", "state after"))
for state in sorted(rows, key=lambda s: (s not in ("RUNNING", "STOPPED"), s)):
    n, pw, final = rows[state]
    print("   %-14s %9d %14s   %s%s" % (state, n, "%d/%d" % (pw, n),
          ", ".join("%s %d" % kv for kv in sorted(final.items())),
          "" if state in ("RUNNING", "STOPPED") else "   (forbidden: left alone)"))
print()
ordinary = [i for i, b in before.items() if b["state"] in ("RUNNING", "STOPPED")]
forbidden = [i for i in before if i not in set(ordinary)]
check(all(after[i]["password_digest"] == digest for i in ordinary),
      "all %d RUNNING/STOPPED instances have the new password (sha256 matches)" % len(ordinary))
running = [i for i in ordinary if before[i]["state"] == "RUNNING"]
stopped = [i for i in ordinary if before[i]["state"] == "STOPPED"]
check(all(after[i]["state"] == "RUNNING" for i in running),
      "all %d originally RUNNING instances are RUNNING again" % len(running))
check(all(after[i]["state"] == "STOPPED" for i in stopped),
      "all %d originally STOPPED instances are still STOPPED" % len(stopped))
touched = {i for c in calls if not c["action"].startswith("Describe") for i in c["instance_ids"]}
check(all(after[i] == before[i] for i in forbidden) and not touched & set(forbidden),
      "the %d instances in forbidden states were never touched (only described)" % len(forbidden))
failed = {i["instanceId"]: i["error"]["code"] for i in job["instances"]
          if i["state"] == "INSTANCE_STATE_FAILED"}
check(set(failed) == set(forbidden) and
      all(c.startswith("InstanceState.") for c in failed.values()),
      "resetd reports exactly those %d as FAILED (InstanceState.*), the rest SUCCEEDED"
      % len(failed))

# The call log: batch sizes, rate per 1-second window, throttling.
print()
print("   %-24s %6s %8s %10s %14s" % ("API action", "calls", "ids", "max batch", "max calls/1s"))
by_action = collections.defaultdict(list)
for c in calls:
    by_action[c["action"]].append(c)
worst_batch, worst_rate = 0, 0
for action in sorted(by_action):
    cs = by_action[action]
    times = sorted(c["time"] for c in cs)  # unix ms
    window, j = 0, 0
    for i, t in enumerate(times):       # sliding window [t, t + 1000 ms)
        while times[j] <= t - 1000:
            j += 1
        window = max(window, i - j + 1)
    batch = max(len(c["instance_ids"]) for c in cs)
    worst_batch, worst_rate = max(worst_batch, batch), max(worst_rate, window)
    print("   %-24s %6d %8d %10d %14d" % (action, len(cs),
          sum(len(c["instance_ids"]) for c in cs), batch, window))
print()
results = collections.Counter(c["result"] for c in calls)
check(worst_batch <= 100, "largest batch: %d instance ids (limit 100)" % worst_batch)
check(worst_rate <= rate, "most calls of one action in any 1-second window: %d (limit %g)"
      % (worst_rate, rate))
check(results["RequestLimitExceeded"] == 0,
      "RequestLimitExceeded answers: %d" % results["RequestLimitExceeded"])
errors = {k: v for k, v in results.items() if k != "OK"}
check(not errors, "calls the fake cloud rejected: %s" % (errors or "none"))
sys.exit(1 if failures else 0)
PY

# ---------------------------------------------------------------------------
section "6/7 A few of resetd's Prometheus metrics (curl http://$METRICS_ADDR/metrics)"
curl -fsS "http://$METRICS_ADDR/metrics" >"$WORK/metrics.txt"
grep -E '^(resetd_cloud_requests_total|resetd_batch_size_(count|sum)|resetd_instances_total|resetd_instances_held_stopped|resetd_throttled_total|resetd_jobs_total|resetd_steps_total)[{ ]' \
  "$WORK/metrics.txt" | sed 's/^/   /' || true
HELD=$(sed -n 's/^resetd_instances_held_stopped \(.*\)$/\1/p' "$WORK/metrics.txt")
if [ "${HELD%.*}" = 0 ]; then
  note "[ok] resetd_instances_held_stopped is 0: resetd holds no instance stopped"
else
  note "[FAIL] resetd_instances_held_stopped is ${HELD:-missing}"; FAILED_CHECKS=1
fi
# The password must be in no log, metric or answer. grep reads the pattern
# from a pipe, so the password is not on its command line either.
if grep -rqF -f <(printf '%s\n' "$PASSWORD") "$WORK"; then
  note "[FAIL] the password appears in $WORK"; FAILED_CHECKS=1
else
  note "[ok] the password appears in no log, metric, call record, resetctl answer or job database"
fi
PASSWORD="" && unset PASSWORD

# ---------------------------------------------------------------------------
section "7/7 Shut down (SIGTERM), then look into resetd's job database"
stop_process "$RESETD_PID" 25; RESETD_PID=""
stop_process "$FAKE_PID" 5; FAKE_PID=""
if grep -q 'event=stopped' "$WORK/resetd.log"; then
  note "resetd stopped cleanly on SIGTERM; fakecloud stopped"
else
  note "[FAIL] resetd did not log a clean stop"; FAILED_CHECKS=1
fi
# What survives a restart: the job, its instances and its write-ahead step
# records; the sealed password is dropped once the job has ended.
if "$PY" - "$WORK/jobs.db" "$JOB_ID" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
job = sys.argv[2]
state, sealed = db.execute(
    "SELECT state, password_sealed FROM jobs WHERE job_id = ?", (job,)).fetchone()
instances = db.execute("SELECT COUNT(*) FROM instances WHERE job_id = ?", (job,)).fetchone()[0]
steps, done = db.execute(
    "SELECT COUNT(*), SUM(done) FROM steps WHERE job_id = ?", (job,)).fetchone()
names = {1: "QUEUED", 2: "RUNNING", 3: "SUCCEEDED", 4: "PARTIALLY_FAILED",
         5: "FAILED", 6: "CANCELLED"}
print("   jobs.db: job %s %s, %d instance records, %d write-ahead step records (%d completed)"
      % (job, names.get(state, state), instances, steps, done or 0))
print("   sealed password: %s" % ("dropped (the job has ended)" if sealed is None else "STILL STORED"))
sys.exit(0 if sealed is None and instances > 0 and steps > 0 and steps == done else 1)
PY
then
  note "[ok] the job is durable and keeps no password after it ended"
else
  note "[FAIL] the job database is not as expected"; FAILED_CHECKS=1
fi
ELAPSED=$("$PY" -c "import sys,time; print('%.1f' % (time.time() - float(sys.argv[1])))" "$T0")

echo
if [ "$FAILED_CHECKS" = 0 ]; then
  OK=1
  printf '%sDemo passed%s: %d instances, job %s, %s s after the build.\n' \
    "$GREEN" "$OFF" "$INSTANCES" "$JOB_ID" "$ELAPSED"
  echo "Next: README.md (user guide), bash scripts/test.sh (the whole test suite)."
else
  printf '%sDemo FAILED%s: see the checks above; files in %s\n' "$RED" "$OFF" "$WORK"
  exit 1
fi
