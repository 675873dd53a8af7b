#!/usr/bin/env python3
"""Time from a lead market order (HTTP POST) to the last copy fill of its fan-out pushed on the WebSocket.

Usage: bench-stream.py BASE_URL OPERATOR_KEY LEAD_KEY [ROUNDS]
The operator's stream sees every copy's fills. Each round posts a lead order, then counts the copyFill events of
that lead fill until the stream is quiet for a second; prints the time to the first and last of them.
Needs the `websockets` package (pip install websockets).
"""
import asyncio, json, sys, time, urllib.request

base, operator_key, lead_key = sys.argv[1], sys.argv[2], sys.argv[3]
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
orders = [{"symbol": "BTC-USDT", "side": "buy", "quoteAmount": "100000"},
          {"symbol": "BTC-USDT", "side": "sell", "quantity": "0.5"}]


def post(path, body, key):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return r.read()


async def main():
    import websockets
    ws_url = base.replace("http", "ws") + f"/v1/stream?key={operator_key}"
    results = []
    async with websockets.connect(ws_url, max_size=None, max_queue=None) as ws:
        await ws.recv()  # hello
        for k in range(rounds):
            start = time.perf_counter()
            await asyncio.get_running_loop().run_in_executor(None, post, "/v1/orders", orders[k % 2], lead_key)
            posted = time.perf_counter()
            count, first, last, event = 0, None, None, None
            while True:
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 1.0))
                except asyncio.TimeoutError:
                    break
                if message["type"] == "leadFill":
                    event = message["event"]
                elif message["type"] == "copyFill" and message["event"] == event:
                    count += 1
                    now = time.perf_counter()
                    first = first or now
                    last = now
            results.append((count, (posted - start) * 1000, ((first or start) - start) * 1000, ((last or start) - start) * 1000))
            print(f"round {k}: {count} copy fills; POST answered {results[-1][1]:.1f} ms, first fill pushed {results[-1][2]:.1f} ms, last {results[-1][3]:.1f} ms")
    lasts = sorted(r[3] for r in results)
    posts = sorted(r[1] for r in results)
    print(f"median: POST {posts[len(posts)//2]:.1f} ms, last copy fill pushed {lasts[len(lasts)//2]:.1f} ms after the order was sent")

asyncio.run(main())
