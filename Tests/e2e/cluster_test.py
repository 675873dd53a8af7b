#!/usr/bin/env python3
"""Three `smartsync serve` instances on one PostgreSQL database; one is SIGKILLed mid-stream.

Clients place lead orders and copy changes concurrently on random instances, each request with its own
Idempotency-Key, retried (same key, another instance) when an instance fails to answer, as a real client does. About
a third of the way in, the instance holding the most leads is killed with SIGKILL. Afterwards:
  - every request acknowledged with 2xx is in the command log exactly once, and every refused one (4xx) is absent;
  - every applied lead order has exactly one lead fill, and no lead fill id appears twice;
  - `smartsync audit` replays the log and finds the stored ledger (every copy fill row) equal to it, and balanced;
  - the surviving instances show the same state, and the killed instance's leads were taken over (time printed).

Usage: python3 Tests/e2e/cluster_test.py --admin-url postgres://postgres:postgres@127.0.0.1:5432/postgres
                                         [--binary .build/debug/smartsync] [--seconds 12]
"""
import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

PORTS = [18401, 18402, 18403]


class Client:
    """HTTP with retries on other instances when one does not answer (same Idempotency-Key)."""

    def __init__(self, alive):
        self.alive = alive

    def call(self, method, path, key, body=None, idempotency=None, deadline=30):
        started = time.time()
        attempts = 0
        while True:
            port = random.choice([p for p in PORTS if self.alive[p]] or PORTS)
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                             data=None if body is None else json.dumps(body).encode())
            request.add_header("Authorization", f"Bearer {key}")
            request.add_header("Content-Type", "application/json")
            if idempotency:
                request.add_header("Idempotency-Key", idempotency)
            attempts += 1
            try:
                with urllib.request.urlopen(request, timeout=25) as response:
                    return response.status, json.loads(response.read() or b"null"), time.time() - started, attempts
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    return error.code, json.loads(error.read() or b"null"), time.time() - started, attempts
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.time() - started > deadline:
                raise AssertionError(f"{method} {path} got no answer from any instance in {deadline} s")
            time.sleep(0.05)


def psql(admin_url, database, sql):
    url = re.sub(r"/[^/]*$", f"/{database}", admin_url)
    out = subprocess.run(["psql", url, "-At", "-F", "\t", "-c", sql], check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--admin-url", required=True, help="a PostgreSQL URL allowed to create databases")
    parser.add_argument("--binary", default=".build/debug/smartsync")
    parser.add_argument("--seconds", type=float, default=12)
    args = parser.parse_args()
    database = "smartsync_cluster_test"
    admin_db = args.admin_url.rsplit("/", 1)[1]
    psql(args.admin_url, admin_db, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    psql(args.admin_url, admin_db, f"CREATE DATABASE {database}")
    url = re.sub(r"/[^/]*$", f"/{database}", args.admin_url)

    workdir = tempfile.mkdtemp(prefix="smartsync-cluster-")
    servers, logs = {}, {}

    def start(port, extra=()):
        logs[port] = open(os.path.join(workdir, f"serve-{port}.log"), "w+")
        servers[port] = subprocess.Popen([args.binary, "serve", "--db", url, "--port", str(port), "--instance", f"i{port}", *extra],
                                         stdout=logs[port], stderr=subprocess.STDOUT)

    def wait_for(port, text):
        for _ in range(240):
            logs[port].seek(0)
            content = logs[port].read()
            if text in content:
                return content
            if servers[port].poll() is not None:
                sys.exit(f"instance {port} exited:\n{content}")
            time.sleep(0.25)
        sys.exit(f"instance {port} did not start")

    alive = {p: True for p in PORTS}
    try:
        # The first instance loads the demo market, leads and followers; the others join the same database.
        start(PORTS[0], ["--demo", "--demo-interval", "36000"])
        log = wait_for(PORTS[0], "listening")
        keys = dict(re.findall(r"^\s+(\w+)\s+(ssk_\w+)$", log, re.M))
        keys["operator"] = re.search(r"operator API key \(shown once\): (ssk_\w+)", log).group(1)
        for port in PORTS[1:]:
            start(port)
        for port in PORTS[1:]:
            wait_for(port, "listening")
        client = Client(alive)
        followers = []
        for k in range(12):
            name = f"c{k}"
            status, body, _, _ = client.call("POST", "/v1/users", keys["operator"], {"id": name})
            assert status == 201, body
            keys[name] = body["apiKey"]
            status, body, _, _ = client.call("POST", "/v1/deposits", keys["operator"], {"user": name, "amount": "20000"}, idempotency=str(uuid.uuid4()))
            assert status == 201, body
            followers.append(name)
        leads = ["trend", "balanced", "swing"]
        symbols = ["BTC-USDT", "ETH-USDT", "BCH-USDT"]

        results = []  # (user, idempotency key, kind, status, body, seconds, attempts, started after the kill)
        lock = threading.Lock()
        stop = threading.Event()
        killed_at = [None]

        def record(user, key, kind, outcome):
            status, body, seconds, attempts = outcome
            with lock:
                results.append((user, key, kind, status, body, seconds, attempts, killed_at[0] is not None))

        def trader(lead):
            rng = random.Random(lead)
            while not stop.is_set():
                key = str(uuid.uuid4())
                roll = rng.random()
                if roll < 0.08:
                    # Refused (more than the portfolio holds): the refusal must come back and leave nothing behind.
                    body = {"symbol": rng.choice(symbols), "side": "buy", "quoteAmount": "100000000"}
                elif roll < 0.7:
                    body = {"symbol": rng.choice(symbols), "side": "buy", "quoteAmount": str(rng.randint(200, 2000))}
                else:
                    body = {"symbol": rng.choice(symbols), "side": "sell", "fraction": "0.3"}
                record(lead, key, "order", client.call("POST", "/v1/orders", keys[lead], body, idempotency=key))
                time.sleep(rng.uniform(0.01, 0.05))

        def follower(names, seed):
            rng = random.Random(seed)
            copies = {}
            while not stop.is_set():
                name = rng.choice(names)
                key = str(uuid.uuid4())
                if name not in copies:
                    copy_id = f"{name}-{key[:8]}"
                    outcome = client.call("POST", "/v1/copies", keys[name],
                                          {"id": copy_id, "lead": rng.choice(leads), "investment": str(rng.randint(100, 3000)), "buyExisting": rng.random() < 0.5},
                                          idempotency=key)
                    record(name, key, "startCopy", outcome)
                    if outcome[0] in (200, 201):
                        copies[name] = copy_id
                else:
                    copy_id = copies[name]
                    action = rng.random()
                    if action < 0.45:
                        delta = str(rng.randint(50, 400)) if rng.random() < 0.6 else f"-{rng.randint(10, 100)}"
                        record(name, key, "adjust", client.call("POST", f"/v1/copies/{copy_id}/investment", keys[name], {"delta": delta}, idempotency=key))
                    elif action < 0.7:
                        record(name, key, "stopLoss", client.call("PUT", f"/v1/copies/{copy_id}/stop-loss", keys[name], {"stopLoss": {"ratio": "0.5"}}, idempotency=key))
                    else:
                        record(name, key, "stopCopy", client.call("DELETE", f"/v1/copies/{copy_id}", keys[name], idempotency=key))
                        del copies[name]
                time.sleep(rng.uniform(0.01, 0.05))

        threads = [threading.Thread(target=trader, args=(lead,)) for lead in leads]
        threads += [threading.Thread(target=follower, args=(followers[k::3], k)) for k in range(3)]
        for t in threads:
            t.start()
        time.sleep(args.seconds / 3)

        # SIGKILL the instance holding the most leases, mid-stream.
        holders = {}
        for lead, owner in psql(args.admin_url, database, "SELECT lead, owner FROM leases WHERE expires >= now()"):
            holders.setdefault(owner, []).append(lead)
        victim_name = max(holders, key=lambda o: len(holders[o])) if holders else f"i{PORTS[1]}"
        victim = int(victim_name[1:])
        print(f"leases before the kill: {holders}")
        print(f"SIGKILL instance {victim_name} (pid {servers[victim].pid}) holding {holders.get(victim_name, [])}", flush=True)
        alive[victim] = False
        killed_at[0] = time.time()
        servers[victim].send_signal(signal.SIGKILL)
        servers[victim].wait()
        time.sleep(args.seconds * 2 / 3)
        stop.set()
        for t in threads:
            t.join()

        # Takeover: the killed instance's leads now have live holders among the survivors.
        after = dict(psql(args.admin_url, database, "SELECT lead, owner FROM leases WHERE expires >= now()"))
        taken = {lead: after.get(lead) for lead in holders.get(victim_name, [])}
        print(f"leases after: {after}")
        for lead, owner in taken.items():
            assert owner and owner != victim_name, f"lead {lead} was not taken over: {owner}"
        after_kill = [r for r in results if r[7] and r[3] < 500]
        slowest = max((r[5] for r in after_kill), default=0)
        print(f"requests: {len(results)} ({sum(1 for r in results if r[3] in (200, 201))} acknowledged, "
              f"{sum(1 for r in results if 400 <= r[3] < 500)} refused, {sum(1 for r in results if r[6] > 1)} retried on another instance); "
              f"slowest answer after the kill {slowest:.2f} s")

        refused = [r for r in results if 400 <= r[3] < 500]
        assert refused, "no request was refused: the refusal path was not exercised"
        # Orders are refused for funds (more than the portfolio holds, a coin it does not hold) or for a share too small
        # to trade (a sell of 30% of a holding that has shrunk below the minimums).
        assert all(r[4]["error"]["code"] in ("insufficientFunds", "invalidInput") for r in refused if r[2] == "order"), [r[4] for r in refused][:5]
        # Every acknowledged request is in the log exactly once; every refused one is absent.
        counts = {rid: int(n) for rid, n in psql(args.admin_url, database, "SELECT request_id, count(*) FROM commands WHERE request_id IS NOT NULL GROUP BY request_id")}
        problems = []
        for user, key, kind, status, body, seconds, attempts, _ in results:
            rid = f"{user}:{key}"
            if status in (200, 201) and counts.get(rid) != 1:
                problems.append(f"{kind} {rid} acknowledged ({status}) but in the log {counts.get(rid, 0)} times")
            if 400 <= status < 500 and counts.get(rid, 0) != 0:
                problems.append(f"{kind} {rid} refused ({status} {body}) but in the log")
        assert all(n == 1 for n in counts.values()), "a request id appears twice in the log"

        # Lead fills: each applied order command has at most one fill (market orders: exactly one for a buy), none twice.
        fills = psql(args.admin_url, database, "SELECT c.request_id, count(f.id) FROM commands c LEFT JOIN lead_fills f ON f.command = c.seq "
                                               "WHERE c.body LIKE '{\"order\":%' GROUP BY c.seq, c.request_id")
        for rid, n in fills:
            if int(n) != 1:
                problems.append(f"lead order {rid} has {n} lead fills")
        duplicate_fill_ids = psql(args.admin_url, database, "SELECT id FROM lead_fills GROUP BY id HAVING count(*) > 1")
        assert not duplicate_fill_ids, duplicate_fill_ids
        assert not problems, "\n".join(problems[:20])
        applied_orders = sum(1 for r in results if r[2] == "order" and r[3] in (200, 201) and r[4].get("applied"))
        lead_fill_rows = int(psql(args.admin_url, database, "SELECT count(*) FROM lead_fills")[0][0])
        copy_fill_rows = int(psql(args.admin_url, database, "SELECT count(*) FROM copy_fills")[0][0])
        print(f"lead orders applied {applied_orders}; lead fills stored {lead_fill_rows}; copy fill rows {copy_fill_rows}")

        # The survivors agree with each other.
        time.sleep(0.5)
        boards = []
        for port in PORTS:
            if alive[port]:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/leads?sort=aum", timeout=10) as response:
                    boards.append(json.loads(response.read()))
        assert all(b == boards[0] for b in boards), "the surviving instances disagree"
    finally:
        for port, server in servers.items():
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
        for server in servers.values():
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()

    # The whole log replayed: the stored ledger (every copy fill row) equals the replay and the books balance.
    audit = subprocess.run([args.binary, "audit", "--db", url], capture_output=True, text=True)
    print(audit.stdout.strip())
    assert audit.returncode == 0, f"audit failed:\n{audit.stdout}\n{audit.stderr}"
    print("cluster test passed")


if __name__ == "__main__":
    main()
