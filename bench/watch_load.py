#!/usr/bin/env python3
"""Watch fan-out under load, over real processes (fakecloud + resetd + node).

Runs the same 10,000-instance job twice on a fresh fakecloud and resetd: once
with --watchers WatchResetJob streams on it, once without, both times with
--creates-per-s one-instance dry-run CreateResetJob calls per second for
--seconds (bench/watch_load.js, @grpc/grpc-js). Transitions take 20-40 s so
the job lasts about a minute. Prints, per run: resetd's peak RSS (VmHWM),
watchers that saw the job's end, events, errors, CreateResetJob p50/p99; and
the RSS ratio watched / unwatched. Not a test: nothing fails. Loopback only.

  bench/watch_load.py                    # 200 watchers, 50 creates/s, 60 s
  bench/watch_load.py --watchers 50 --seconds 20
"""
import argparse
import base64
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_bench as e2e  # noqa: E402  (its process helpers)

INSTANCES = 10000


def run(watchers, args, build):
    work = tempfile.mkdtemp(prefix="resetd-watch-load-")
    fake = resetd = None
    env = dict(os.environ)
    env["TENCENTCLOUD_SECRET_ID"] = "AKIDbench" + secrets.token_hex(6)
    env["TENCENTCLOUD_SECRET_KEY"] = secrets.token_urlsafe(30)
    env["BENCH_PASSWORD"] = "Bench-" + secrets.token_urlsafe(9) + "9a!"
    env["RESETD_STORE_KEY"] = base64.b64encode(secrets.token_bytes(32)).decode()
    try:
        fake_out = os.path.join(work, "fakecloud.out")
        fake = subprocess.Popen(
            [os.path.join(build, "fakecloud", "fakecloud"), "--listen", "127.0.0.1:0",
             "--instances", str(INSTANCES), "--regions", e2e.REGION,
             "--running-fraction", "0.7", "--windows-fraction", "0", "--seed", "7",
             "--transition-ms", "20000:40000", "--reset-ms", "1000:3000",
             "--log-level", "warn"],
            stdout=open(fake_out, "w"), stderr=open(os.path.join(work, "fakecloud.log"), "w"),
            env=env)
        fake_addr = e2e.await_line(fake_out, r"^listening on (\S+)", fake, 60)
        fleet = [i["instance_id"] for i in e2e.get_json("http://%s/_fake/instances" % fake_addr)
                 if i["state"] in ("RUNNING", "STOPPED")]
        ids_file = os.path.join(work, "ids.txt")
        with open(ids_file, "w") as f:
            f.writelines(i + "\n" for i in fleet)
        config = os.path.join(work, "resetd.json")
        with open(config, "w") as f:
            json.dump({
                "grpcListen": "127.0.0.1:0", "insecure": True,
                "metricsListen": "127.0.0.1:0", "logLevel": "info",
                "limits": {"maxWatchesPerIdentity": max(16, watchers + 1)},
                "store": {"path": os.path.join(work, "jobs.db")},
                "providers": [{"name": "tencent", "kind": "tencent_cvm",
                               "endpoint": fake_addr, "scheme": "http",
                               "regions": [e2e.REGION]}],
            }, f)
        log = os.path.join(work, "resetd.log")
        resetd = subprocess.Popen([os.path.join(build, "service", "resetd"), "--config", config],
                                  stderr=open(log, "w"), env=env)
        grpc_addr = e2e.await_line(log, r"grpc listening on (\S+)", resetd, 30)
        ctl = [os.path.join(build, "cli", "resetctl"), "--server", grpc_addr, "--timeout", "120"]
        created = subprocess.run(
            ctl + ["--output", "json", "create", "--provider", "tencent", "--region", e2e.REGION,
                   "--instances-file", ids_file, "--password-stdin", "--no-watch"],
            input=env["BENCH_PASSWORD"] + "\n", capture_output=True, text=True, env=env)
        if created.returncode != 0:
            sys.exit("create failed: " + created.stderr)
        job_id = json.loads(created.stdout.splitlines()[0])["jobId"]
        load = subprocess.run(
            ["node", os.path.join(e2e.ROOT, "bench", "watch_load.js"), grpc_addr, job_id,
             str(watchers), str(args.creates_per_s), str(args.seconds), ids_file],
            capture_output=True, text=True, env=env, timeout=args.seconds + 900)
        if load.returncode != 0:
            sys.exit("watch_load.js failed: " + load.stderr)
        # The job to its end (without watchers the load may stop first).
        end = subprocess.run(ctl + ["watch", job_id], capture_output=True, text=True,
                             timeout=900)
        result = json.loads(load.stdout)
        result["job"] = end.stdout.splitlines()[0] if end.stdout else end.stderr.strip()
        result["rss_peak_mb"] = e2e.kib(resetd.pid, "VmHWM") / 1024.0
        return result
    finally:
        e2e.stop(resetd)
        e2e.stop(fake)
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--watchers", type=int, default=200)
    ap.add_argument("--creates-per-s", type=float, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    args = ap.parse_args()
    build = os.environ.get("BUILD_DIR", os.path.join(e2e.ROOT, "build"))
    if not os.path.isabs(build):
        build = os.path.join(e2e.ROOT, build)
    node_modules = os.path.join(e2e.ROOT, "tests/conformance/grpc_node/node_modules")
    if not shutil.which("node") or not os.path.isdir(node_modules):
        sys.exit("needs node and %s (run ctest -R conformance_grpc_node once)" % node_modules)
    runs = {}
    for watchers in (args.watchers, 0):
        r = runs[watchers] = run(watchers, args, build)
        print("%d watchers: %s; resetd peak RSS %.0f MB" % (watchers, r["job"], r["rss_peak_mb"]))
        if watchers:
            print("  %d/%d watchers saw the end, %d events, %d watch errors" %
                  (r["saw_end"], watchers, r["events"], r["watch_errors"]))
        print("  %d creates, %d errors, CreateResetJob p50 %.2f ms p99 %.2f ms max %.2f ms" %
              (r["creates"], r["create_errors"], r["create"]["p50_ms"], r["create"]["p99_ms"],
               r["create"]["max_ms"]))
        for e in r["errors"]:
            print("  error: " + e)
        sys.stdout.flush()
    print("RSS watched / unwatched: %.2f" %
          (runs[args.watchers]["rss_peak_mb"] / runs[0]["rss_peak_mb"]))


if __name__ == "__main__":
    main()
