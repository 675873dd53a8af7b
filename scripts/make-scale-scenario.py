#!/usr/bin/env python3
"""Writes a scenario of one lead, N Smart Sync copies and K lead fills, for timing `smartsync simulate` at scale.

    python3 scripts/make-scale-scenario.py --copies 100000 --fills 60 > /tmp/scale.json
    time .build/release/smartsync simulate /tmp/scale.json > /dev/null

Followers invest 100 to 100,000 USDT (a log-uniform spread, so small copies fail minimums as in life); the lead
alternates buys and partial sells of BTC and ETH while prices move, so the report has fills, failed copy orders,
profit share and tracking for every copy. Deterministic: the same arguments write the same file.
"""
import argparse
import json
import random

parser = argparse.ArgumentParser()
parser.add_argument("--copies", type=int, default=10_000)
parser.add_argument("--fills", type=int, default=10)
parser.add_argument("--seed", type=int, default=1)
args = parser.parse_args()
rng = random.Random(args.seed)

users = [{"id": "lead", "deposit": "2000000"}]
events = [{"type": "startLeading", "user": "lead", "portfolio": "1000000", "profitShareRate": "0.1", "followerLimit": 10_000_000,
           "time": "2021-01-01T00:00:00Z"}]
for k in range(args.copies):
    investment = int(100 * 10 ** (3 * rng.random()))
    users.append({"id": f"f{k}", "deposit": str(investment)})
    events.append({"type": "startCopy", "user": f"f{k}", "lead": "lead", "copy": f"c{k}", "mode": "smartSync",
                   "investment": str(investment)})
prices = {"BTC-USDT": 30000.0, "ETH-USDT": 1000.0}
day = 1
for n in range(args.fills):
    symbol = "BTC-USDT" if n % 2 == 0 else "ETH-USDT"
    prices[symbol] = round(prices[symbol] * (1 + rng.uniform(-0.04, 0.05)), 2)
    day += 1
    events.append({"type": "price", "symbol": symbol, "price": f"{prices[symbol]:.2f}",
                   "time": f"2021-{1 + (day // 28) % 12:02d}-{1 + day % 28:02d}T00:00:00Z"})
    if n % 4 == 3:
        events.append({"type": "order", "user": "lead", "symbol": symbol, "side": "sell", "fraction": "0.5"})
    else:
        events.append({"type": "order", "user": "lead", "symbol": symbol, "side": "buy",
                       "cashFraction": f"0.{rng.randint(10, 40)}"})
scenario = {
    "settings": {"takerFeeRate": "0.001", "minInvestment": "100", "slippageLimit": "0.005"},
    "symbols": [
        {"symbol": "BTC-USDT", "price": "30000", "qtyStep": "0.00001", "priceTick": "0.01", "minQty": "0.00001",
         "minNotional": "5"},
        {"symbol": "ETH-USDT", "price": "1000", "qtyStep": "0.0001", "priceTick": "0.01", "minQty": "0.0001",
         "minNotional": "5"},
    ],
    "users": users,
    "events": events,
}
json.dump(scenario, __import__("sys").stdout, separators=(",", ":"))
