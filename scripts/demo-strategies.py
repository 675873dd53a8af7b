#!/usr/bin/env python3
"""Prototype of the three `smartsync serve --demo` lead strategies on the real 2021 daily bars.

Reads ../Data/{btc,eth,bch}-usd-daily-2021.csv (relative to this script), replays each day as four price ticks
(open, then the two extremes -- low before high when close >= open, else high before low -- then close), and lets
three leads trade on the close tick of each day from 100,000 USDT:

  trend     7/14-day moving-average crossover on BTC, ETH and BCH (long or flat, 30% of cash per entry).
  balanced  half in USDT, half split over the two coins with the best 7-day return, rebalanced every 7 days.
  swing     buys a coin closing 5% or more below its previous-20-day mean (30% of cash), exits at +5% / -5%.

Engine rules copied from the brief: market fills at the tick price, 0.1% taker fee in USDT on every fill,
quantities rounded down to BTC 0.00001 / ETH 0.0001 / BCH 0.001, orders under 5 USDT notional are not placed,
"buy fraction f" spends cash*f/(1+fee), win rate counts per-symbol round trips (zero holding back to zero).
Floats are used; the Swift engine works in fixed point, so cents may differ.

    python3 scripts/demo-strategies.py                 # summary + per-day ROI table
    python3 scripts/demo-strategies.py --alternatives  # also the variants that were tried
"""
import csv
import math
import os
import sys

SYMBOLS = ["BTC", "ETH", "BCH"]
STEP = {"BTC": 0.00001, "ETH": 0.0001, "BCH": 0.001}
FEE = 0.001
MIN_NOTIONAL = 5.0
START_CASH = 100_000.0
BACKFILL_DAYS = 30  # days 0..29 are replayed instantly when the demo starts

# ---- strategy parameters -------------------------------------------------------------------------------------
TREND = dict(fast=7, slow=14, buy_fraction=0.3)
BALANCED = dict(every=7, lookback=7, keep=2, weight=0.25, day0=("BTC", "ETH"))
SWING = dict(window=20, dip=0.05, buy_fraction=0.3, take_profit=0.05, stop_loss=0.05)


def load(directory):
    bars = {}
    for s in SYMBOLS:
        with open(os.path.join(directory, s.lower() + "-usd-daily-2021.csv")) as f:
            bars[s] = [dict(time=r["time"], **{k: float(r[k]) for k in ("open", "high", "low", "close")})
                       for r in csv.DictReader(f)]
    return bars


def ticks(bar):
    o, h, l, c = bar["open"], bar["high"], bar["low"], bar["close"]
    return [o, l, h, c] if c >= o else [o, h, l, c]


def floor_step(q, step):
    return math.floor(q / step + 1e-9) * step


class Lead:
    """A lead portfolio with the engine's order forms, fees, steps and round-trip bookkeeping."""

    def __init__(self, name):
        self.name, self.cash = name, START_CASH
        self.qty = {s: 0.0 for s in SYMBOLS}
        self.cost = {s: 0.0 for s in SYMBOLS}      # open cost basis incl. buy fees
        self.trip_pnl = {s: 0.0 for s in SYMBOLS}  # realized PnL of the open round trip
        self.closed = self.won = self.trades = 0
        self.price = {}
        self.peak, self.max_drawdown = 1.0, 0.0

    def equity(self):
        return self.cash + sum(self.qty[s] * self.price[s] for s in SYMBOLS)

    def nav(self):
        return self.equity() / START_CASH

    def mark(self):
        nav = self.nav()
        self.peak = max(self.peak, nav)
        self.max_drawdown = max(self.max_drawdown, 1 - nav / self.peak)

    def avg_cost(self, s):
        return self.cost[s] / self.qty[s]

    def buy_notional(self, s, notional):
        """Buy with an explicit USDT notional (fee on top)."""
        p = self.price[s]
        q = floor_step(notional / p, STEP[s])
        n = q * p
        if q <= 0 or n < MIN_NOTIONAL or n * (1 + FEE) > self.cash + 1e-9:
            return False
        self.cash -= n * (1 + FEE)
        self.qty[s] += q
        self.cost[s] += n * (1 + FEE)
        self.trades += 1
        return True

    def buy_fraction(self, s, f):
        """Buy spending fraction f of the current cash (fee included)."""
        return self.buy_notional(s, self.cash * f / (1 + FEE))

    def sell_quantity(self, s, q):
        p, held = self.price[s], self.qty[s]
        q = min(floor_step(q, STEP[s]), held)
        n = q * p
        if q <= 0 or n < MIN_NOTIONAL:
            return False
        basis = self.cost[s] * q / held
        self.trip_pnl[s] += n * (1 - FEE) - basis
        self.cash += n * (1 - FEE)
        self.cost[s] -= basis
        self.qty[s] = held - q
        self.trades += 1
        if self.qty[s] < STEP[s] / 2:  # back to zero: the round trip closes
            self.qty[s] = self.cost[s] = 0.0
            self.closed += 1
            self.won += self.trip_pnl[s] > 0
            self.trip_pnl[s] = 0.0
        return True

    def sell_fraction(self, s, f):
        return self.sell_quantity(s, self.qty[s] * f)


def mean_close(bars, s, first, last):
    """Mean close of days first..last inclusive."""
    return sum(bars[s][j]["close"] for j in range(first, last + 1)) / (last - first + 1)


# ---- the three leads (called on the close tick of day d) --------------------------------------------------------

def trend(lead, d, bars, p=TREND):
    if d < p["slow"] - 1:  # needs `slow` closes including today
        return
    for s in SYMBOLS:
        up = mean_close(bars, s, d - p["fast"] + 1, d) > mean_close(bars, s, d - p["slow"] + 1, d)
        if up and lead.qty[s] == 0:
            lead.buy_fraction(s, p["buy_fraction"])
        elif not up and lead.qty[s] > 0:
            lead.sell_fraction(s, 1.0)


def balanced(lead, d, bars, p=BALANCED):
    if d % p["every"]:
        return
    if d < p["lookback"]:
        keep = list(p["day0"])
    else:
        ret = {s: bars[s][d]["close"] / bars[s][d - p["lookback"]]["close"] for s in SYMBOLS}
        keep = sorted(SYMBOLS, key=lambda s: -ret[s])[:p["keep"]]  # stable: ties keep BTC, ETH, BCH order
    for s in SYMBOLS:
        if s not in keep and lead.qty[s] > 0:
            lead.sell_fraction(s, 1.0)
    target = p["weight"] * lead.equity()
    for s in keep:  # trim first so the cash is there for the buys
        value = lead.qty[s] * lead.price[s]
        if value > target:
            lead.sell_quantity(s, (value - target) / lead.price[s])
    for s in keep:
        value = lead.qty[s] * lead.price[s]
        if value < target:
            lead.buy_notional(s, min(target - value, lead.cash / (1 + FEE)))


def swing(lead, d, bars, p=SWING):
    if d < p["window"]:  # needs `window` previous closes
        return
    for s in SYMBOLS:
        close = bars[s][d]["close"]
        if lead.qty[s] > 0:
            entry = lead.avg_cost(s)
            if close >= entry * (1 + p["take_profit"]) or close <= entry * (1 - p["stop_loss"]):
                lead.sell_fraction(s, 1.0)
        elif close < mean_close(bars, s, d - p["window"], d - 1) * (1 - p["dip"]):
            lead.buy_fraction(s, p["buy_fraction"])


# ---- replay ------------------------------------------------------------------------------------------------------

def run(bars, strategies):
    days = min(len(v) for v in bars.values())
    leads = {name: Lead(name) for name in strategies}
    roi = {name: [] for name in strategies}
    at_backfill_end = {}
    for d in range(days):
        path = {s: ticks(bars[s][d]) for s in SYMBOLS}
        for i in range(4):
            for name, lead in leads.items():
                lead.price = {s: path[s][i] for s in SYMBOLS}
                if i == 3:
                    strategies[name](lead, d, bars)
                    roi[name].append(lead.nav() - 1)
                lead.mark()
        if d == BACKFILL_DAYS - 1:
            at_backfill_end = {n: (l.closed, l.won, l.trades, roi[n][-1]) for n, l in leads.items()}
    return leads, roi, at_backfill_end


def pct(x):
    return f"{x * 100:+6.1f}%"


def both_signs_days(roi, first=BACKFILL_DAYS):
    names, n = list(roi), len(next(iter(roi.values())))
    return sum(1 for d in range(first, n)
               if any(roi[k][d] > 0 for k in names) and any(roi[k][d] < 0 for k in names)), n - first


def report(bars, strategies):
    leads, roi, bf = run(bars, strategies)
    n = len(next(iter(roi.values())))
    last = n - 1
    print(f"{n} days {bars['BTC'][0]['time'][:10]} .. {bars['BTC'][-1]['time'][:10]}, 4 ticks a day; "
          f"backfill = days 0..{BACKFILL_DAYS - 1}\n")
    print("lead      final ROI  min ROI  max DD  closed won  win%  trades | ROI 7d  30d     90d   "
          "| at backfill end: closed won trades ROI")
    for name, lead in leads.items():
        r = roi[name]
        nav = [1 + x for x in r]
        back = lambda k: nav[last] / nav[last - k] - 1
        wr = lead.won / lead.closed if lead.closed else 0.0
        c, w, t, rb = bf[name]
        print(f"{name:9s} {pct(r[-1])}  {pct(min(r))} {lead.max_drawdown * 100:5.1f}%  {lead.closed:4d} {lead.won:4d}"
              f" {wr * 100:4.0f}%  {lead.trades:5d}  | {pct(back(7))} {pct(back(30))} {pct(back(90))}"
              f" | {c:3d} {w:3d} ({(w / c if c else 0) * 100:3.0f}%) {t:3d} {pct(rb)}")
    ok, total = both_signs_days(roi)
    print(f"\ndays {BACKFILL_DAYS}..{last} with at least one lead above and one below 0% ROI: {ok} of {total}")
    print("\n day  date        " + "  ".join(f"{k:>9s}" for k in roi))
    for d in list(range(BACKFILL_DAYS, n, 5)) + ([last] if (last - BACKFILL_DAYS) % 5 else []):
        print(f"{d:4d}  {bars['BTC'][d]['time'][:10]}  " + "  ".join(f"{pct(roi[k][d]):>9s}" for k in roi))
    return leads, roi


def alternatives(bars):
    """Variants that were tried, one line each, each run alone with the rest of its rule as chosen."""
    from functools import partial

    def line(label, fn):
        leads, roi, bf = run(bars, {"x": fn})
        r, l = roi["x"], leads["x"]
        pos = sum(1 for d in range(BACKFILL_DAYS, len(r)) if r[d] > 0)
        print(f"  {label:44s} end {pct(r[-1])} min {pct(min(r))} closed {l.closed:2d} won {l.won:2d} "
              f"(by day 29: {bf['x'][1]}/{bf['x'][0]} won) trades {l.trades:3d} positive days {pos:2d}/94")

    print("\n-- trend variants (fast/slow MA, all three coins, 30% of cash per entry)")
    for f, s in [(5, 10), (5, 20), (7, 20), (10, 20), (10, 30)]:
        line(f"trend {f}/{s}", partial(trend, p=dict(TREND, fast=f, slow=s)))
    print("-- balanced variants")
    line("fixed 20/20/20 + 40% USDT, weekly, no rotation",
         lambda l, d, b: balanced(l, d, b, p=dict(BALANCED, keep=3, weight=0.2, day0=SYMBOLS)))
    for lb in (14, 28):
        line(f"rotation, {lb}-day return", partial(balanced, p=dict(BALANCED, lookback=lb)))
    line("rotation, 30% each (40% USDT)", partial(balanced, p=dict(BALANCED, weight=0.3)))
    line("rotation into the best 1 coin at 25%", partial(balanced, p=dict(BALANCED, keep=1)))
    print("-- swing variants (window, dip, take-profit/stop)")
    for w, dip, tp, sl in [(5, .05, .05, .05), (10, .05, .05, .05), (14, .05, .05, .05), (20, 0, .05, .05),
                           (20, .05, .05, .10), (20, .05, .08, .08), (20, .05, .10, .10)]:
        line(f"swing {w}-day mean, dip {dip:.0%}, +{tp:.0%}/-{sl:.0%}",
             partial(swing, p=dict(SWING, window=w, dip=dip, take_profit=tp, stop_loss=sl)))

    def from_day(start):
        return lambda l, d, b: swing(l, d, b) if d >= start else None
    for start in (25, 30):
        line(f"swing as chosen, but first active day {start}", from_day(start))

    def swing14_incl(l, d, b):  # 14-day mean including today: acts one day earlier (day 13 = 2021-05-18)
        if d < 13:
            return
        for s in SYMBOLS:
            close = b[s][d]["close"]
            if l.qty[s] > 0:
                if abs(close / l.avg_cost(s) - 1) >= 0.05:
                    l.sell_fraction(s, 1.0)
            elif close < mean_close(b, s, d - 13, d) * 0.95:
                l.buy_fraction(s, 0.3)
    line("swing 14-day mean incl. today (from day 13)", swing14_incl)
    line("old rule: BCH vs 5-day mean, buy 20% / sell 40%", old_swing)


def old_swing(lead, d, bars):
    # the rule in Demo.swift today (adapted to the 4-tick feed): every day buy or sell BCH against its 5-day mean
    if d < 1:
        return
    m = mean_close(bars, "BCH", max(0, d - 5), d - 1)
    if bars["BCH"][d]["close"] < m:
        lead.buy_fraction("BCH", 0.2)
    else:
        lead.sell_fraction("BCH", 0.4)


def main():
    bars = load(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Data"))
    report(bars, {"trend": trend, "balanced": balanced, "swing": swing})
    if "--alternatives" in sys.argv:
        alternatives(bars)


if __name__ == "__main__":
    main()
