#!/usr/bin/env python3
"""Latency of a lead order sent to the instance holding the lead's lease vs to another instance (hand-over through
the database's inbox). Two `smartsync serve` instances on one PostgreSQL database.

Usage: python3 scripts/bench-handover.py --admin-url postgres://postgres:postgres@127.0.0.1:5432/postgres
                                         [--binary .build/release/smartsync] [--orders 300]
"""
import argparse, json, os, re, signal, statistics, subprocess, tempfile, time, urllib.request

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--admin-url", required=True)
    p.add_argument("--binary", default=".build/release/smartsync")
    p.add_argument("--orders", type=int, default=300)
    a = p.parse_args()
    db = "smartsync_bench_handover"
    subprocess.run(["psql", a.admin_url, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], check=True)
    subprocess.run(["psql", a.admin_url, "-qc", f"CREATE DATABASE {db}"], check=True)
    url = re.sub(r"/[^/]*$", f"/{db}", a.admin_url)
    work = tempfile.mkdtemp()
    procs, logs = [], []
    for k, port in enumerate([18501, 18502]):
        log = open(os.path.join(work, f"{port}.log"), "w+")
        extra = ["--demo", "--demo-interval", "36000"] if k == 0 else []
        procs.append(subprocess.Popen([a.binary, "serve", "--db", url, "--port", str(port), *extra], stdout=log, stderr=subprocess.STDOUT))
        logs.append(log)
        while "listening" not in open(log.name).read():
            time.sleep(0.2)
    key = re.search(r"^\s+trend\s+(ssk_\w+)$", open(logs[0].name).read(), re.M).group(1)

    def order(port):
        req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/orders", method="POST",
                                     data=json.dumps({"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "20"}).encode())
        req.add_header("Authorization", f"Bearer {key}")
        req.add_header("Content-Type", "application/json")
        t = time.perf_counter()
        urllib.request.urlopen(req).read()
        return (time.perf_counter() - t) * 1000

    try:
        order(18501)  # instance 18501 takes trend's lease
        for name, port in [("holder", 18501), ("hand-over", 18502)]:
            for _ in range(20):
                order(port)
            ms = sorted(order(port) for _ in range(a.orders))
            print(f"{name:9} {a.orders} orders: median {statistics.median(ms):.2f} ms, p90 {ms[int(len(ms) * 0.9)]:.2f} ms, p99 {ms[int(len(ms) * 0.99)]:.2f} ms")
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
            proc.wait()

if __name__ == "__main__":
    main()
