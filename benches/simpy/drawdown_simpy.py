#!/usr/bin/env python3
"""A SimPy implementation of drawdown's benchmark scenario (configs/example.toml).

This is the reference point for the speed and agreement comparison in
benches/simpy/compare.py: the same model written the way an analyst would write it in
SimPy (one generator process per factory, disruption, demand front, regime switcher,
aid transfer and shipment, sampling with numpy's Generator), run sequentially on one
core. It is NOT used by the Rust test suite.

    python3 benches/simpy/drawdown_simpy.py configs/example.toml --trials 300 --seed 7
    python3 benches/simpy/drawdown_simpy.py configs/example.toml --trials 300 --out simpy.csv

It supports the scenario features configs/example.toml uses (nation stocks with
initial/floor, factories with capacity ramps, output factor, disruptions and an optional
input limit, demand with a schedule, negative-binomial or Poisson daily counts and Markov
regimes, scheduled and policy transfers, lost unmet demand) and refuses the others
(contracts, procurement policies, backordering).

Within-day order
----------------
drawdown fixes the order of work within a day (src/model.rs): arrivals -> state changes
(breakdowns, repairs, regime switches) -> production -> consumption -> dispatches ->
reviews -> end-of-day recording. Here simulated time is counted in integer *ticks*,
TICKS_PER_DAY per day, and each phase owns one tick of the day: an event of phase p on
day d happens at tick d*TICKS_PER_DAY + p. Every process first waits until its phase
tick and afterwards only ever waits whole days (multiples of TICKS_PER_DAY), so it
stays in its phase; a shipment dispatched on day d with transit t waits
t*TICKS_PER_DAY - (DISPATCH - ARRIVAL) ticks, i.e. it arrives in the ARRIVAL phase of
day d + t. Ticks are integers, so there is no floating-point tie-breaking: the phase
order is exact, and events of the same phase on the same day run in the order they
were scheduled (SimPy's FIFO tie-break), as in drawdown.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import math
import statistics
import sys
import time
import tomllib
import zlib

import numpy as np
import simpy

# --- constants -----------------------------------------------------------------------

DAYS_PER_MONTH = 365.25 / 12.0  # monthly capacities -> per day, as drawdown
Z90 = 1.2815515655446005  # standard normal 0.90 quantile
Z95_Q = 1.6448536269514722  # standard normal 0.95 quantile
Z95 = 1.959963984540054  # two-sided 95 % multiplier

TICKS_PER_DAY = 10
ARRIVAL, STATE, PRODUCTION, CONSUMPTION, DISPATCH, REVIEW, RECORD = range(7)

# --- distributions -------------------------------------------------------------------


def rust_round(x: float) -> int:
    """Round half away from zero (Rust's f64::round), not Python's banker's rounding."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


class Dist:
    """A distribution as drawdown parameterises it: `sample(rng)` draws a float."""

    __slots__ = ("sample", "fixed", "text")

    def __init__(self, sample, fixed=None, text=""):
        self.sample = sample
        self.fixed = fixed
        self.text = text

    def count(self, rng) -> int:
        """A draw as a count: rounded half up, 0 if negative (drawdown's sample_count)."""
        x = self.sample(rng)
        return max(0, math.floor(x + 0.5))


def fixed_dist(v: float) -> Dist:
    v = float(v)
    return Dist(lambda rng: v, fixed=v, text=str(v))


def make_dist(spec) -> Dist:
    """Builds a sampler from a TOML value: a number, or a table with a `dist` key."""
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        return fixed_dist(spec)
    if not isinstance(spec, dict) or "dist" not in spec:
        raise ValueError(f"expected a number or a distribution table, got {spec!r}")
    kind = spec["dist"]
    g = spec.get
    if kind == "fixed":
        return fixed_dist(spec["value"])
    if kind == "uniform":
        lo, hi = float(spec["min"]), float(spec["max"])
        if lo == hi:
            return fixed_dist(lo)
        return Dist(lambda rng: min(rng.uniform(lo, hi), hi), text=f"uniform({lo}, {hi})")
    if kind == "triangular":
        lo, mode, hi = float(spec["min"]), float(spec["mode"]), float(spec["max"])
        if lo == hi:
            return fixed_dist(lo)
        return Dist(lambda rng: rng.triangular(lo, mode, hi), text=f"triangular({lo}, {mode}, {hi})")
    if kind == "pert":
        lo, mode, hi = float(spec["min"]), float(spec["mode"]), float(spec["max"])
        lam = float(g("lambda", 4.0))
        if lo == hi:
            return fixed_dist(lo)
        span = hi - lo
        a, b = 1.0 + lam * (mode - lo) / span, 1.0 + lam * (hi - mode) / span
        return Dist(lambda rng: min(max(lo + span * rng.beta(a, b), lo), hi), text=f"pert({lo}, {mode}, {hi})")
    # Truncatable kinds: an untruncated draw, then the optional [min, max] window.
    log_space = False
    if kind == "normal":
        mean, sd = float(spec["mean"]), float(spec["sd"])
        if sd == 0:
            base = fixed_dist(mean)
        else:
            base = Dist(lambda rng: rng.normal(mean, sd), text=f"normal({mean}, {sd})")
        law = statistics.NormalDist(mean, sd) if sd > 0 else None
    elif kind == "lognormal":
        if "median" in spec:
            z, upper = (Z90, spec["p90"]) if "p90" in spec else (Z95_Q, spec["p95"])
            mu = math.log(spec["median"])
            sigma = (math.log(upper) - mu) / z
        else:
            mu, sigma = float(spec["mu"]), float(spec["sigma"])
        base = Dist(lambda rng: rng.lognormal(mu, sigma), text=f"lognormal(mu={mu:.4g}, sigma={sigma:.4g})")
        law = statistics.NormalDist(mu, sigma) if sigma > 0 else None
        log_space = True
    elif kind == "gamma":
        if "shape" in spec:
            shape, scale = float(spec["shape"]), float(spec["scale"])
        else:
            mean, sd = float(spec["mean"]), float(spec["sd"])
            shape, scale = (mean / sd) ** 2, sd * sd / mean
        base = Dist(lambda rng: rng.gamma(shape, scale), text=f"gamma(shape={shape:.4g}, scale={scale:.4g})")
        law = None
    elif kind == "poisson":
        mean = float(spec["mean"])
        base = Dist(lambda rng: float(rng.poisson(mean)), text=f"poisson({mean})")
        law = None
    elif kind == "negbin":
        mean, k = float(spec["mean"]), float(spec["dispersion"])
        base = Dist(lambda rng: float(rng.poisson(rng.gamma(k, mean / k))), text=f"negbin({mean}, {k})")
        law = None
    elif kind == "empirical":
        values = np.asarray(spec["values"], dtype=float)
        w = np.asarray(g("weights", [1.0] * len(values)), dtype=float)
        lo, hi = g("min", -math.inf), g("max", math.inf)
        keep = (w > 0) & (values >= lo) & (values <= hi)
        values, w = values[keep], w[keep] / w[keep].sum()
        return Dist(lambda rng: float(rng.choice(values, p=w)), text="empirical")
    else:
        raise ValueError(f"unsupported distribution '{kind}'")
    if "min" not in spec and "max" not in spec:
        return base
    lo, hi = float(g("min", -math.inf)), float(g("max", math.inf))
    if kind in ("poisson", "negbin"):
        lo, hi = math.ceil(lo), math.floor(hi)
    if base.fixed is not None:
        return base
    if law is not None:
        # Normal and lognormal: exact inverse CDF when the window keeps < 10 % of the mass.
        to_law = (lambda x: math.log(x) if x > 0 else -math.inf) if log_space else (lambda x: x)
        c_lo = law.cdf(to_law(lo)) if lo > -math.inf else 0.0
        c_hi = law.cdf(to_law(hi)) if hi < math.inf else 1.0
        if c_hi - c_lo < 0.1:
            back = math.exp if log_space else (lambda x: x)

            def inverse(rng, c_lo=c_lo, c_hi=c_hi):
                return min(max(back(law.inv_cdf(c_lo + (c_hi - c_lo) * rng.random())), lo), hi)

            return Dist(inverse, text=base.text + f" in [{lo}, {hi}]")
    draw = base.sample

    def rejection(rng):  # condition on the window (drawdown: rejection, capped, then clamp)
        for _ in range(10_000):
            x = draw(rng)
            if lo <= x <= hi:
                return x
        return min(max(x, lo), hi)

    return Dist(rejection, text=base.text + f" in [{lo}, {hi}]")


# --- scenario ------------------------------------------------------------------------


def to_date(v) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v))


class Ramp:
    """A capacity (or input-limit) ramp: initial level and milestones, per month."""

    def __init__(self, raw, start: dt.date):
        self.initial = make_dist(raw["initial"])
        ms = []
        for mid, m in raw.get("ramp", {}).items():
            day = (to_date(m["date"]) - start).days
            ms.append((day, mid, make_dist(m["target"]), make_dist(m.get("slip_days", 0)),
                       make_dist(m.get("ramp_days", 0))))
        ms.sort(key=lambda m: (m[0], m[1]))
        self.milestones = ms


class Curve:
    """Piecewise-linear level [rounds/day] drawn once per trial (src/model/curve.rs)."""

    def __init__(self, ramp: Ramp, rng):
        initial = max(ramp.initial.sample(rng), 0.0) / DAYS_PER_MONTH
        knots = [(-math.inf, initial)]
        starts = []
        for day, _mid, target, slip, ramp_days in ramp.milestones:
            s = rust_round(slip.sample(rng))
            t = max(target.sample(rng), 0.0) / DAYS_PER_MONTH
            r = rust_round(max(ramp_days.sample(rng), 0.0))
            starts.append((day + s, t, r))
        starts.sort(key=lambda x: x[0])  # slips may reorder milestones; stable like Rust
        for s, t, r in starts:
            level = self._level(knots, s)
            knots = [k for k in knots if k[0] <= s]
            knots.append((s, level))
            knots.append((s + r, t))
        self.days = [k[0] for k in knots]
        self.levels = [k[1] for k in knots]
        self.knots = knots

    @staticmethod
    def _level(knots, day):
        days = [k[0] for k in knots]
        return Curve._interp(knots, max(bisect.bisect_right(days, day) - 1, 0), day)

    @staticmethod
    def _interp(knots, i, day):
        d0, l0 = knots[i]
        if i + 1 < len(knots):
            d1, l1 = knots[i + 1]
            if d1 > d0 and d0 != -math.inf:
                return l0 + (l1 - l0) * ((day - d0) / (d1 - d0))
        return l0

    def level(self, day: int) -> float:
        return self._interp(self.knots, max(bisect.bisect_right(self.days, day) - 1, 0), day)


class Scenario:
    """The parts of a drawdown scenario this model supports, parsed with tomllib."""

    def __init__(self, path: str):
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
        meta = raw["scenario"]
        for unsupported in ("contracts",):
            if raw.get(unsupported):
                sys.exit(f"drawdown_simpy: '{unsupported}' is not supported by this benchmark model")
        if meta.get("backorder"):
            sys.exit("drawdown_simpy: backorder = true is not supported by this benchmark model")
        self.name = meta["name"]
        self.start = to_date(meta["start"])
        self.days = (to_date(meta["end"]) - self.start).days + 1
        self.seed = int(meta.get("seed", 20220224))
        self.series = {}  # (nation, item) -> {"initial": Dist, "floor": Dist}

        def series(nation, item):
            return self.series.setdefault((nation, item), {"initial": fixed_dist(0), "floor": fixed_dist(0)})

        for nid, nation in raw.get("nations", {}).items():
            if nation.get("procurement"):
                sys.exit("drawdown_simpy: procurement policies are not supported by this benchmark model")
            for iid, st in nation.get("stock", {}).items():
                s = series(nid, iid)
                s["initial"] = make_dist(st["initial"])
                s["floor"] = make_dist(st.get("floor", 0))
        self.factories = []
        for fid, f in raw.get("factories", {}).items():
            series(f["owner"], f["item"])
            dis = f.get("disruption")
            self.factories.append({
                "id": fid,
                "series": (f["owner"], f["item"]),
                "capacity": Ramp(f["capacity"], self.start),
                "limit": Ramp(f["input_limit"], self.start) if "input_limit" in f else None,
                "output_factor": make_dist(f.get("output_factor", 1.0)),
                "disruption": None if dis is None else {
                    "every": make_dist(dis["every_days"]),
                    "repair": make_dist(dis["repair_days"]),
                    "loss": make_dist(dis.get("loss", 1.0)),
                },
            })
        self.demand = []
        for did, d in raw.get("demand", {}).items():
            series(d["nation"], d["item"])
            periods = sorted(
                ((to_date(p["from"]) - self.start).days, pid, make_dist(p["per_day"]))
                for pid, p in d["schedule"].items()
            )
            regimes = {}
            for rid, r in d.get("regimes", {}).items():
                total = sum(w for w in r["next"].values() if w > 0)
                cum, nxt = 0.0, []
                for to, w in r["next"].items():
                    if w > 0:
                        cum += w / total
                        nxt.append((to, cum))
                nxt[-1] = (nxt[-1][0], 1.0)
                regimes[rid] = {
                    "multiplier": make_dist(r["multiplier"]),
                    "duration": make_dist(r["duration_days"]),
                    "next": nxt,
                }
            self.demand.append({
                "id": did,
                "series": (d["nation"], d["item"]),
                "dispersion": d.get("dispersion"),
                "periods": [(day, dist) for day, _pid, dist in periods],
                "regimes": regimes,
                "start_regime": d.get("start_regime"),
            })
        self.transfers = []
        for tid, t in raw.get("transfers", {}).items():
            series(t["from"], t["item"])
            series(t["to"], t["item"])
            self.transfers.append({
                "id": tid,
                "from": (t["from"], t["item"]),
                "to": (t["to"], t["item"]),
                "start_day": (to_date(t["start"]) - self.start).days,
                "end_day": (to_date(t["end"]) - self.start).days if "end" in t else math.inf,
                "every": max(1, int(t["every_days"])),
                "quantity": make_dist(t["quantity"]) if "quantity" in t else None,
                "share": make_dist(t["share"]) if "share" in t else None,
                "transit": make_dist(t.get("transit_days", 1)),
                "below_floor": bool(t.get("below_floor", False)),
            })


# --- the SimPy model -----------------------------------------------------------------


class Stock:
    """One nation's stock of one item, with the trial's totals."""

    __slots__ = ("stock", "floor", "initial", "min_stock", "depletion_day", "produced",
                 "received", "sent", "demanded", "consumed", "unmet")

    def __init__(self, initial: int, floor: int):
        self.stock = self.initial = self.min_stock = initial
        self.floor = floor
        self.depletion_day = None
        self.produced = self.received = self.sent = 0
        self.demanded = self.consumed = self.unmet = 0


def at(day: int, phase: int) -> int:
    """The tick of `phase` on `day`."""
    return day * TICKS_PER_DAY + phase


def factory(env, f, plant, stock, rng):
    """Daily production: capacity x output factor, whole rounds, fraction carried over."""
    capacity, limit, factor = plant["capacity_curve"], plant["limit_curve"], f["output_factor"]
    yield env.timeout(at(0, PRODUCTION))
    day, carry = 0, 0.0
    while True:
        rate = capacity.level(day)
        if limit is not None:
            rate = min(rate, limit.level(day))
        if plant["down"]:
            rate *= 1.0 - plant["loss"]
        x = factor.fixed if factor.fixed is not None else factor.sample(rng)
        carry += max(rate * x, 0.0)
        out = math.floor(carry)
        carry -= out
        if out > 0:
            stock.stock += out
            stock.produced += out
        day += 1
        yield env.timeout(TICKS_PER_DAY)


def disruption(env, dis, plant, rng):
    """Breakdowns and repairs: up for every_days, down (losing `loss`) for repair_days."""
    first = max(1, dis["every"].count(rng))
    yield env.timeout(at(first, STATE))
    while True:
        plant["down"] = True
        plant["loss"] = min(max(dis["loss"].sample(rng), 0.0), 1.0)
        repair = max(1, dis["repair"].count(rng))
        yield env.timeout(repair * TICKS_PER_DAY)
        plant["down"] = False
        up = max(1, dis["every"].count(rng))
        yield env.timeout(up * TICKS_PER_DAY)


def regimes(env, d, front, rng):
    """Markov regimes: multiplier and duration drawn per visit, next regime by weights."""
    regime = d["regimes"][front["regime"]]
    front["multiplier"] = max(regime["multiplier"].sample(rng), 0.0)
    stay = max(1, regime["duration"].count(rng))
    yield env.timeout(at(stay, STATE))
    while True:
        u = rng.random()
        front["regime"] = next((to for to, c in regime["next"] if u < c), front["regime"])
        regime = d["regimes"][front["regime"]]
        front["multiplier"] = max(regime["multiplier"].sample(rng), 0.0)
        stay = max(1, regime["duration"].count(rng))
        yield env.timeout(stay * TICKS_PER_DAY)


def demand(env, d, front, stock, rng):
    """Daily consumption: negative-binomial (gamma-Poisson) demand, unmet demand is lost."""
    periods, means, k = d["periods"], front["means"], d["dispersion"]
    yield env.timeout(at(0, CONSUMPTION))
    day, period = 0, 0
    while True:
        while period + 1 < len(periods) and periods[period + 1][0] <= day:
            period += 1
        mean = 0.0 if periods[0][0] > day else means[period] * front["multiplier"]
        if mean <= 0.0:
            new = 0
        else:
            lam = mean * rng.gamma(k) / k if k is not None else mean
            new = int(rng.poisson(lam))
        fired = min(new, stock.stock)
        stock.stock -= fired
        stock.consumed += fired
        stock.demanded += new
        stock.unmet += new - fired
        day += 1
        yield env.timeout(TICKS_PER_DAY)


def shipment(env, delay, stock, qty):
    """An aid package in transit."""
    yield env.timeout(delay)
    stock.stock += qty
    stock.received += qty


def transfer(env, t, share, donor, recipient, rng, horizon):
    """Aid packages every `every` days from the start day: a pledged quantity or a share
    of the stock above the donor's floor, never taking the donor below its floor."""
    every = t["every"]
    first = t["start_day"]
    if first < 0:
        first += (-first + every - 1) // every * every
    if first > t["end_day"] or first >= horizon:
        return
    yield env.timeout(at(first, DISPATCH))
    day = first
    while True:
        available = donor.stock if t["below_floor"] else max(donor.stock - donor.floor, 0)
        if t["quantity"] is not None:
            qty = min(t["quantity"].count(rng), available)
        else:
            qty = math.floor(share * available)
        transit = max(1, t["transit"].count(rng))
        if qty > 0:
            donor.stock -= qty
            donor.sent += qty
            env.process(shipment(env, transit * TICKS_PER_DAY - (DISPATCH - ARRIVAL), recipient, qty))
        if day + every > t["end_day"]:
            return
        day += every
        yield env.timeout(every * TICKS_PER_DAY)


def recorder(env, stocks):
    """End of day: lowest stock and depletion (first end-of-day stock at or below the floor)."""
    yield env.timeout(at(0, RECORD))
    day = 0
    while True:
        for s in stocks:
            if s.stock < s.min_stock:
                s.min_stock = s.stock
            if s.depletion_day is None and s.stock <= s.floor:
                s.depletion_day = day
        day += 1
        yield env.timeout(TICKS_PER_DAY)


def stream(seed: int, trial: int, name: str):
    """An independent numpy Generator per process, keyed by seed, trial and name."""
    return np.random.default_rng([seed, trial, zlib.crc32(name.encode())])


def run_trial(sc: Scenario, seed: int, trial: int) -> dict:
    """One trial: draws the per-trial quantities, starts every process, runs the horizon."""
    env = simpy.Environment()
    stocks = {}
    for key, s in sc.series.items():
        rng = stream(seed, trial, f"stock/{key[0]}.{key[1]}/setup")
        initial = s["initial"].count(rng)
        floor = s["floor"].count(rng)
        stocks[key] = Stock(initial, floor)
    for f in sc.factories:
        setup = stream(seed, trial, f"factory/{f['id']}/setup")
        plant = {
            "capacity_curve": Curve(f["capacity"], setup),
            "limit_curve": Curve(f["limit"], setup) if f["limit"] is not None else None,
            "down": False,
            "loss": 0.0,
        }
        env.process(factory(env, f, plant, stocks[f["series"]], stream(seed, trial, f"factory/{f['id']}/output")))
        if f["disruption"] is not None:
            env.process(disruption(env, f["disruption"], plant, stream(seed, trial, f"factory/{f['id']}/failure")))
    for d in sc.demand:
        setup = stream(seed, trial, f"demand/{d['id']}/setup")
        front = {
            "means": [max(dist.sample(setup), 0.0) for _day, dist in d["periods"]],
            "regime": d["start_regime"],
            "multiplier": 1.0,
        }
        if d["regimes"]:
            env.process(regimes(env, d, front, stream(seed, trial, f"demand/{d['id']}/regime")))
        env.process(demand(env, d, front, stocks[d["series"]], stream(seed, trial, f"demand/{d['id']}/daily")))
    for t in sc.transfers:
        rng = stream(seed, trial, f"transfer/{t['id']}/all")
        share = min(max(t["share"].sample(rng), 0.0), 1.0) if t["share"] is not None else 0.0
        env.process(transfer(env, t, share, stocks[t["from"]], stocks[t["to"]], rng, sc.days))
    env.process(recorder(env, list(stocks.values())))
    env.run(until=sc.days * TICKS_PER_DAY)
    return stocks


# --- statistics ----------------------------------------------------------------------


def wilson(k: int, n: int):
    if n == 0:
        return 0.0, 1.0
    p = k / n
    z2 = Z95 * Z95
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = Z95 / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    lo = 0.0 if k == 0 else min(max(centre - half, 0.0), p)
    hi = 1.0 if k == n else min(max(centre + half, p), 1.0)
    return lo, hi


def mean_ci(xs):
    n = len(xs)
    m = sum(xs) / n
    se = statistics.stdev(xs) / math.sqrt(n) if n > 1 else 0.0
    return m, max(m - Z95 * se, 0.0), m + Z95 * se


def ratio_ci(xs, ys):
    """Σx/Σy with its delta-method interval, clamped to [0, 1] (a fill rate)."""
    n, sx, sy = len(xs), sum(xs), sum(ys)
    r = sx / sy
    ss = sum((x - r * y) ** 2 for x, y in zip(xs, ys))
    se = math.sqrt(ss / (n - 1) / n) / (sy / n) if n > 1 else 0.0
    return min(r, 1.0), min(max(r - Z95 * se, 0.0), 1.0), min(max(r + Z95 * se, 0.0), 1.0)


METRICS_ALL = ["p_depleted", "initial_stock_mean", "final_stock_mean", "min_stock_mean",
               "produced_mean", "received_mean", "sent_mean"]
METRICS_DEMAND = ["demanded_mean", "consumed_mean", "unmet_mean", "fill_rate"]


def summarise(outcomes, keys):
    """Rows (nation, item, metric, estimate, ci_low, ci_high) like drawdown's summary.csv."""
    rows = []
    n = len(outcomes)
    for key in keys:
        per = [o[key] for o in outcomes]
        k = sum(1 for s in per if s.depletion_day is not None)
        lo, hi = wilson(k, n)
        rows.append((*key, "p_depleted", k / n, lo, hi))
        for metric, attr in [("initial_stock_mean", "initial"), ("final_stock_mean", "stock"),
                             ("min_stock_mean", "min_stock"), ("produced_mean", "produced"),
                             ("received_mean", "received"), ("sent_mean", "sent")]:
            rows.append((*key, metric, *mean_ci([getattr(s, attr) for s in per])))
        if sum(s.demanded for s in per) > 0:
            for metric, attr in [("demanded_mean", "demanded"), ("consumed_mean", "consumed"),
                                 ("unmet_mean", "unmet")]:
                rows.append((*key, metric, *mean_ci([getattr(s, attr) for s in per])))
            rows.append((*key, "fill_rate", *ratio_ci([s.consumed for s in per], [s.demanded for s in per])))
    return rows


def simulate(path: str, trials: int, seed: int | None = None, progress: bool = False):
    """Runs `trials` trials sequentially; returns (rows, {"wall", "cpu"} seconds of the
    trial loop, scenario)."""
    sc = Scenario(path)
    seed = sc.seed if seed is None else seed
    outcomes = []
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(trials):
        outcomes.append(run_trial(sc, seed, i))
        if progress and (i + 1) % max(1, trials // 10) == 0:
            print(f"  simpy: {i + 1}/{trials} trials", file=sys.stderr)
    timing = {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0}
    return summarise(outcomes, list(sc.series)), timing, sc


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario", help="scenario TOML (configs/example.toml)")
    ap.add_argument("--trials", "-n", type=int, default=300)
    ap.add_argument("--seed", "-s", type=int, default=None, help="master seed (default: the scenario's)")
    ap.add_argument("--out", "-o", help="also write the summary as CSV to this file")
    ap.add_argument("--progress", action="store_true", help="progress on stderr")
    args = ap.parse_args(argv)
    if args.trials < 2:
        ap.error("--trials must be at least 2")
    rows, timing, sc = simulate(args.scenario, args.trials, args.seed, args.progress)
    wall, cpu = timing["wall"], timing["cpu"]
    print(f"SimPy model of '{sc.name}': {args.trials} trials, {sc.days} days, one core")
    print(f"{'nation.item':<22} {'metric':<20} {'estimate':>14}  95% CI")
    for nation, item, metric, est, lo, hi in rows:
        fmt = "{:.4f}" if metric in ("p_depleted", "fill_rate") else "{:.1f}"
        print(f"{nation + '.' + item:<22} {metric:<20} {fmt.format(est):>14}  "
              f"[{fmt.format(lo)}, {fmt.format(hi)}]")
    print(f"wall time {wall:.2f} s ({args.trials / wall:.1f} trials/s), CPU time {cpu:.2f} s "
          f"({args.trials / cpu:.1f} trials/s) "
          f"(simpy {simpy.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]})")
    if args.out:
        with open(args.out, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["nation", "item", "metric", "estimate", "ci_low", "ci_high", "trials"])
            for r in rows:
                w.writerow([*r[:3], *(f"{x:.6g}" if abs(x) < 1 else f"{x:.2f}" for x in r[3:]), args.trials])
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
