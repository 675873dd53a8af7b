#!/usr/bin/env python3
"""Writes Examples/replay-2021.json: a lead trading BTC, ETH and BCH over the real 2021 daily closes (Data/),
with a scripted strategy, and 200 followers from 100 to 100,000 USDT, half smartSync and half fixedAmount.

The strategy only decides *what* to do from the closes (trend and rebalancing rules); the engine sizes every order
from the lead's state at that moment ("cashFraction" buys, "fraction" sells), so the file stays valid whatever the
fees and rounding do. Run: python3 scripts/make-replay-2021.py
"""
import csv, json, os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SYMBOLS = [("BTC-USDT", "btc", "0.00001"), ("ETH-USDT", "eth", "0.0001"), ("BCH-USDT", "bch", "0.001")]


def closes(name):
    with open(os.path.join(ROOT, "Data", f"{name}-usd-daily-2021.csv")) as f:
        return [(row["time"], row["close"]) for row in csv.DictReader(f)]


series = {sym: closes(name) for sym, name, _ in SYMBOLS}
days = [t for t, _ in series["BTC-USDT"]]
price = {sym: [float(c) for _, c in rows] for sym, rows in series.items()}  # decisions only, never amounts

followers = []
for k in range(100):
    size = round(100 * (1000 ** (k / 99)), 2)
    followers.append((f"ss{k:03d}", "smartSync", size))
    followers.append((f"fa{k:03d}", "fixedAmount", size))

scenario = {
    "settings": {"takerFeeRate": "0.001", "minInvestment": "100", "slippageLimit": "0.005"},
    "symbols": [
        {"symbol": sym, "price": series[sym][0][1], "qtyStep": step, "priceTick": "0.01", "minQty": step, "minNotional": "5"}
        for sym, _, step in SYMBOLS
    ],
    "users": [{"id": "trend-lead", "deposit": "100000"}]
    + [{"id": f"user-{cid}", "deposit": f"{size:.2f}"} for cid, _, size in followers],
    "events": [],
}
ev = scenario["events"]
ev.append({"type": "startLeading", "user": "trend-lead", "portfolio": "100000", "profitShareRate": "0.1", "time": days[0]})
for cid, mode, size in followers:
    start = {"type": "startCopy", "user": f"user-{cid}", "lead": "trend-lead", "copy": cid, "mode": mode,
             "investment": f"{size:.2f}", "buyExisting": False}
    if mode == "fixedAmount":
        start["amountPerOrder"] = f"{max(size * 0.1, 5):.2f}"  # a tenth of the investment per lead buy
    ev.append(start)

held = {sym: False for sym in price}
for d, day in enumerate(days):
    for sym, name, _ in SYMBOLS:
        path = f"../Data/{name}-usd-daily-2021.csv"
        ev.append({"type": "priceBars", "symbol": sym, "path": path, "from": day, "to": day})
    if d < 10:
        continue
    for sym in price:
        p = price[sym]
        ma10 = sum(p[d - 10:d]) / 10
        momentum = p[d] / p[d - 5] - 1
        if not held[sym] and p[d] > ma10 * 1.02 and momentum > 0:  # trend up: buy a third of the cash
            ev.append({"type": "order", "user": "trend-lead", "symbol": sym, "side": "buy", "cashFraction": "0.33"})
            held[sym] = True
        elif held[sym] and p[d] < ma10 * 0.97:  # trend broken: sell everything
            ev.append({"type": "order", "user": "trend-lead", "symbol": sym, "side": "sell", "fraction": "1"})
            held[sym] = False
        elif held[sym] and momentum > 0.12:  # a sharp run-up: take 30% off the table
            ev.append({"type": "order", "user": "trend-lead", "symbol": sym, "side": "sell", "fraction": "0.3"})
    if d % 14 == 0:  # fortnightly rebalance: trim the largest winner of the last two weeks by a quarter
        best = max(price, key=lambda s: price[s][d] / price[s][d - 14] if d >= 14 else 0)
        if held[best]:
            ev.append({"type": "order", "user": "trend-lead", "symbol": best, "side": "sell", "fraction": "0.25"})

out = os.path.join(ROOT, "Examples", "replay-2021.json")
with open(out, "w") as f:
    json.dump(scenario, f, indent=1)
    f.write("\n")
print(f"wrote {out}: {len(ev)} events, {len(followers)} followers")
