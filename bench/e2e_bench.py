#!/usr/bin/env python3
"""End-to-end benchmark over real processes: fakecloud + resetd + resetctl.

For each fleet size it starts a fresh fakecloud (Tencent CVM, the published
API limits: ResetInstancesPassword/StopInstances/StartInstances 10/s,
DescribeInstances 40/s; mixed states: 70% of ordinary instances running, the
rest stopped, 0.1% in states that forbid a reset) and a fresh resetd with the
default config (no rateLimits: the published rates), creates one job over the
whole fleet with resetctl and follows it with `resetctl watch` to its end.
It prints, per size:

  makespan   create sent -> watch returned (the job ended)
  floor      ceil(resettable / 100) reset calls at 10/s, plus the minimal
             transition chain of a running instance (stop + reset + start at
             fakecloud's shortest delays)
  fleet floor  the floor, or the busiest instance's own operations end to
             end (fakecloud's busy_ms: the delays it drew for that instance),
             if longer: no client can be done with that instance sooner
  ratio      floor / makespan and fleet floor / makespan (1.0 would be the
             provider's limit itself)
  calls      per action; max calls of one action in any 1 s window; throttled
             answers (RequestLimitExceeded: must be 0)
  rss        resetd's peak RSS (VmHWM), and (peak - RSS before the job) per
             instance; the same for its steady RSS (the median of VmRSS sampled
             every 0.2 s over the middle half of the job)
  latency    CreateResetJob p50/p99 next to an empty unary call (the gRPC
             health check) from an independent client (bench/grpc_latency.js,
             @grpc/grpc-js): --probes one-instance dry runs 25 ms apart, with
             resetd idle and again while the job runs

Not a test: nothing fails when a figure gets worse. Bounded in time (each job
must end within --timeout seconds). Traffic stays on 127.0.0.1.

  bench/e2e_bench.py                       # 1,000 and 10,000 instances
  bench/e2e_bench.py --sizes 1000,10000,100000
  BUILD_DIR=build-extra bench/e2e_bench.py
  BENCH_DUMP=calls.json bench/e2e_bench.py --sizes 10000   # keep the call log
  BENCH_WRAP="heaptrack -o /tmp/resetd" bench/e2e_bench.py --sizes 20000 --probes 0
  BENCH_ENGINE='{"pollIntervalMs": 500}' bench/e2e_bench.py   # engine config to try
"""
import argparse
import base64
import collections
import json
import math
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REGION = "ap-guangzhou"
TRANSITION_MS = (1000, 2000)  # fakecloud: each power transition
RESET_MS = (300, 900)         # fakecloud: a password write
RESET_RATE = 10               # ResetInstancesPassword calls/s (published)
BATCH = 100                   # ids per ResetInstancesPassword call


def await_line(path, pattern, proc, timeout_s):
    deadline = time.time() + timeout_s
    rx = re.compile(pattern)
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit("%s exited early; see %s" % (proc.args[0], path))
        with open(path, errors="replace") as f:
            for line in f:
                m = rx.search(line)
                if m:
                    return m.group(1)
        time.sleep(0.05)
    sys.exit("timed out waiting for %r in %s" % (pattern, path))


def get_json(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.load(r)


def kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class RssSampler(threading.Thread):
    """Samples a process's VmRSS every 0.2 s until stopped."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.samples, self.done = pid, [], threading.Event()

    def run(self):
        while not self.done.wait(0.2):
            self.samples.append(kib(self.pid, "VmRSS"))

    def steady(self):
        """The median RSS over the middle half of the samples (KiB)."""
        self.done.set()
        self.join()
        mid = self.samples[len(self.samples) // 4:max(1, 3 * len(self.samples) // 4)]
        return statistics.median(mid) if mid else 0


def max_per_second(times_ms):
    ts = sorted(times_ms)
    best, j = 0, 0
    for i, t in enumerate(ts):
        while j < len(ts) and ts[j] < t + 1000:
            j += 1
        best = max(best, j - i)
    return best


def stop(proc):
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def probe_latency(grpc_addr, ids, work, prefix, env):
    """CreateResetJob and health-check latency (bench/grpc_latency.js)."""
    node_modules = os.path.join(ROOT, "tests/conformance/grpc_node/node_modules")
    if not ids or not shutil.which("node") or not os.path.isdir(node_modules):
        return None
    ids_file = os.path.join(work, prefix + ".ids")
    with open(ids_file, "w") as f:
        f.writelines(i + "\n" for i in ids)
    return subprocess.Popen(
        ["node", os.path.join(ROOT, "bench", "grpc_latency.js"), grpc_addr, ids_file, prefix],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def latency_of(proc):
    if proc is None:
        return None
    out, err = proc.communicate(timeout=600)
    if proc.returncode != 0:
        sys.exit("grpc_latency.js failed: " + err)
    return json.loads(out)


def run_size(n, build, work, timeout_s, probes):
    fake = resetd = None
    env = dict(os.environ)
    env["TENCENTCLOUD_SECRET_ID"] = "AKIDbench" + secrets.token_hex(6)
    env["TENCENTCLOUD_SECRET_KEY"] = secrets.token_urlsafe(30)
    env["RESETD_STORE_KEY"] = base64.b64encode(secrets.token_bytes(32)).decode()
    try:
        fake_out = os.path.join(work, "fakecloud.out")
        fake = subprocess.Popen(
            [os.path.join(build, "fakecloud", "fakecloud"), "--listen", "127.0.0.1:0",
             "--instances", str(n), "--regions", REGION, "--running-fraction", "0.7",
             "--windows-fraction", "0", "--forbidden", str(max(1, n // 1000)),
             "--seed", "7", "--transition-ms", "%d:%d" % TRANSITION_MS,
             "--reset-ms", "%d:%d" % RESET_MS, "--log-level", "warn"],
            stdout=open(fake_out, "w"), stderr=open(os.path.join(work, "fakecloud.log"), "w"),
            env=env)  # fakecloud takes the same credentials as the account's
        fake_addr = await_line(fake_out, r"^listening on (\S+)", fake, 60)
        fleet = [i for i in get_json("http://%s/_fake/instances" % fake_addr)
                 if i.get("provider", "tencent_cvm") == "tencent_cvm"]
        ids_file = os.path.join(work, "ids.txt")
        with open(ids_file, "w") as f:
            f.writelines(i["instance_id"] + "\n" for i in fleet)
        resettable = sum(1 for i in fleet if i["state"] in ("RUNNING", "STOPPED"))

        config = os.path.join(work, "resetd.json")
        with open(config, "w") as f:
            json.dump({
                "grpcListen": "127.0.0.1:0", "insecure": True,
                "metricsListen": "127.0.0.1:0", "logLevel": "info",
                "store": {"path": os.path.join(work, "jobs.db")},
                "providers": [{"name": "tencent", "kind": "tencent_cvm",
                               "endpoint": fake_addr, "scheme": "http",
                               "regions": [REGION]}],
                # Not the default config: for experiments only.
                "engine": json.loads(os.environ.get("BENCH_ENGINE", "{}")),
            }, f)
        log = os.path.join(work, "resetd.log")
        wrap = os.environ.get("BENCH_WRAP", "").split()  # e.g. "heaptrack -o F"
        resetd = subprocess.Popen(wrap + [os.path.join(build, "service", "resetd"),
                                          "--config", config],
                                  stderr=open(log, "w"), env=env)
        grpc_addr = await_line(log, r"grpc listening on (\S+)", resetd, 30)
        rss_before = kib(resetd.pid, "VmRSS")

        ctl = [os.path.join(build, "cli", "resetctl"), "--server", grpc_addr,
               "--timeout", "120"]
        password = "Bench-" + secrets.token_urlsafe(9) + "9a!"
        env["BENCH_PASSWORD"] = password
        probe_ids = [i["instance_id"] for i in fleet
                     if i["state"] in ("RUNNING", "STOPPED")][:probes]
        idle = latency_of(probe_latency(grpc_addr, probe_ids, work, "idle", env))
        t0 = time.time()
        created = subprocess.run(
            ctl + ["--output", "json", "create", "--provider", "tencent", "--region", REGION,
                   "--instances-file", ids_file, "--password-stdin", "--no-watch"],
            input=password + "\n", capture_output=True, text=True, env=env)
        if created.returncode != 0:
            sys.exit("create failed: " + created.stderr)
        job_id = json.loads(created.stdout.splitlines()[0])["jobId"]
        sampler = RssSampler(resetd.pid)
        sampler.start()
        busy_probe = probe_latency(grpc_addr, probe_ids, work, "busy", env)
        watched = subprocess.run(ctl + ["watch", job_id], capture_output=True, text=True,
                                 timeout=timeout_s)
        makespan = time.time() - t0
        busy = latency_of(busy_probe)
        peak = kib(resetd.pid, "VmHWM")
        steady = sampler.steady()
        summary = watched.stdout.splitlines()[0] if watched.stdout else watched.stderr
        if os.environ.get("BENCH_DEBUG"):
            print(watched.stdout, watched.stderr, file=sys.stderr)

        calls = get_json("http://%s/_fake/calls" % fake_addr)
        if os.environ.get("BENCH_DUMP"):
            with open(os.environ["BENCH_DUMP"], "w") as f:
                json.dump({"t0": t0, "calls": calls}, f)
        by_action = collections.defaultdict(list)
        throttled = 0
        for c in calls:
            by_action[c["action"]].append(c["time"])
            throttled += c["result"] == "RequestLimitExceeded"
        chain = (2 * TRANSITION_MS[0] + RESET_MS[0]) / 1000.0
        floor = math.ceil(resettable / BATCH) / RESET_RATE + chain
        busiest = max(i.get("busy_ms", 0) for i in
                      get_json("http://%s/_fake/instances" % fake_addr)) / 1000.0
        fleet_floor = max(floor, busiest)
        return {
            "instances": n, "resettable": resettable, "job": summary,
            "makespan_s": makespan, "floor_s": floor, "ratio": floor / makespan,
            "busiest_s": busiest, "fleet_floor_s": fleet_floor,
            "fleet_ratio": fleet_floor / makespan,
            "calls": {a: len(t) for a, t in sorted(by_action.items())},
            # Seconds after the create of each action's first and last call.
            "timeline": {a: (min(t) / 1000.0 - t0, max(t) / 1000.0 - t0)
                         for a, t in sorted(by_action.items())},
            "max_per_s": {a: max_per_second(t) for a, t in sorted(by_action.items())},
            "throttled": throttled,
            "rss_before_mb": rss_before / 1024.0, "rss_peak_mb": peak / 1024.0,
            "rss_per_instance_b": (peak - rss_before) * 1024.0 / n,
            "rss_steady_mb": steady / 1024.0,
            "rss_steady_per_instance_b": (steady - rss_before) * 1024.0 / n,
            "latency_idle": idle, "latency_busy": busy,
        }
    finally:
        stop(resetd)
        stop(fake)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000",
                    help="comma-separated fleet sizes (default 1000,10000)")
    ap.add_argument("--timeout", type=float, default=900,
                    help="seconds a job may take before the run fails")
    ap.add_argument("--json", action="store_true", help="print JSON lines")
    ap.add_argument("--probes", type=int, default=100,
                    help="CreateResetJob latency probes, idle and busy (0: none)")
    args = ap.parse_args()
    build = os.environ.get("BUILD_DIR", os.path.join(ROOT, "build"))
    if not os.path.isabs(build):
        build = os.path.join(ROOT, build)
    for b in ("fakecloud/fakecloud", "service/resetd", "cli/resetctl"):
        if not os.path.exists(os.path.join(build, b)):
            sys.exit("%s/%s is missing: build first (cmake --build %s)" % (build, b, build))
    for n in (int(s) for s in args.sizes.split(",")):
        work = tempfile.mkdtemp(prefix="resetd-e2e-bench-")
        try:
            r = run_size(n, build, work, args.timeout, args.probes)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if args.json:
            print(json.dumps(r), flush=True)
            continue
        print("%d instances (%d resettable): %s" % (n, r["resettable"], r["job"]))
        print("  makespan %.1f s; floor %.1f s: floor/makespan %.2f; fleet floor %.1f s"
              " (busiest instance %.1f s): fleet floor/makespan %.2f" %
              (r["makespan_s"], r["floor_s"], r["ratio"], r["fleet_floor_s"],
               r["busiest_s"], r["fleet_ratio"]))
        print("  calls " + ", ".join("%s %d (max %d/s)" % (a, c, r["max_per_s"][a])
                                     for a, c in r["calls"].items()))
        print("  calls from/to (s after create) " + ", ".join(
            "%s %.1f-%.1f" % (a, lo, hi) for a, (lo, hi) in r["timeline"].items()))
        print("  throttled %d; resetd RSS %.0f MB before, %.0f MB peak, %.0f B per instance;"
              " %.0f MB steady (median of the job's middle half), %.0f B per instance"
              % (r["throttled"], r["rss_before_mb"], r["rss_peak_mb"], r["rss_per_instance_b"],
                 r["rss_steady_mb"], r["rss_steady_per_instance_b"]),
              flush=True)
        for name in ("idle", "busy") if args.probes > 0 else ():
            lat = r["latency_" + name]
            if lat is None:
                print("  latency: skipped (needs node and tests/conformance/grpc_node/node_modules:"
                      " run ctest -R conformance_grpc_node once)")
                break
            print("  %s: CreateResetJob p50 %.2f ms p99 %.2f ms; health check p50 %.2f ms"
                  " p99 %.2f ms; p99 ratio %.1f" %
                  ("resetd idle" if name == "idle" else "during the job",
                   lat["create"]["p50_ms"], lat["create"]["p99_ms"],
                   lat["health"]["p50_ms"], lat["health"]["p99_ms"],
                   lat["create"]["p99_ms"] / max(lat["health"]["p99_ms"], 1e-6)), flush=True)


if __name__ == "__main__":
    main()
