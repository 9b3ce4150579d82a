#!/usr/bin/env python3
"""A numpy twin of drawdown's benchmark scenario (benches/twin/twin.toml).

This is the yardstick of issue 14: the same model written the way an analyst who cares
about speed writes it in numpy. Trials are processed in chunks of C trials; every
quantity is an array over the chunk (shape (C,), or (series, C) and (days, C)); only the
days are a Python loop, and each day is a handful of array operations. It is NOT used by
the Rust test suite.

    python3 benches/numpy/drawdown_numpy.py benches/twin/twin.toml --trials 20000
    python3 benches/numpy/drawdown_numpy.py benches/twin/twin.toml --trials 8192 \\
        --sweep 256,512,1024,2048,4096,8192      # CPU ms per trial against chunk size

How a chunk is simulated
------------------------
1. Everything that does not depend on stocks is drawn for all days at once, as
   (days, C) arrays: each factory's daily output (capacity curve x breakdown loss x
   output factor, whole rounds with the fraction carried over) and each front's daily
   need (negative binomial around the period mean x regime multiplier). Breakdown and
   regime paths are generated event by event (a few rounds of (C,) draws) and turned
   into (days, C) step paths.
2. Production is written into an inflow ledger of shape (days, series, C); aid
   shipments and procurement deliveries are added to it when they are dispatched or
   ordered, at their arrival day.
3. The day loop, in drawdown's phase order (src/model.rs): arrivals and production
   (one addition of the day's ledger row), consumption (fire = min(need, stock)),
   dispatches on dispatch days, (s, S) reviews on review days, end-of-day minimum.
   A stock is depleted when its lowest end-of-day (or opening) stock is at or below
   its floor, which is drawdown's definition.

It supports the features twin.toml uses and refuses every other key with a message:
stocks with floors; (s, S) procurement with lead-time delivery in one tranche;
factories with capacity ramps, output factor and disruptions; demand with periods,
Poisson or negative-binomial daily need and Markov regimes (lost unmet need, no
rationing); scheduled or stock-share transfers, at most one per donor stock and at
most one (s, S) policy per stock (so no two same-phase events of one stock share a
day, and drawdown's first-in first-out tie-break never matters).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import sys
import time
import tomllib

import numpy as np

# --- constants ---------------------------------------------------------------------

DAYS_PER_MONTH = 365.25 / 12.0  # monthly capacities -> per day, as drawdown
Z90 = 1.2815515655446005  # standard normal 0.90 quantile
Z95_Q = 1.6448536269514722  # standard normal 0.95 quantile
Z95 = 1.959963984540054  # two-sided 95 % multiplier

# drawdown's supported ranges (src/scenario/limits.rs): draws beyond them are clamped.
MAX_QUANTITY, MAX_DAYS, MAX_FACTOR = 1e12, 36525.0, 1000.0
QUANTITY, DAYS, SIGNED_DAYS, FACTOR, SHARE = (
    (0.0, MAX_QUANTITY), (0.0, MAX_DAYS), (-MAX_DAYS, MAX_DAYS), (0.0, MAX_FACTOR), (0.0, 1.0))

BIT_GENERATORS = {
    "sfc64": np.random.SFC64,
    "pcg64": np.random.PCG64,
    "pcg64dxsm": np.random.PCG64DXSM,
    "philox": np.random.Philox,
    "mt19937": np.random.MT19937,
}
DEFAULT_BITGEN = "sfc64"  # level with PCG64 within noise on the benchmark machine (see README)
DEFAULT_CHUNK = 1024  # the best chunk size on the benchmark machine (see README)


class Unsupported(ValueError):
    """A scenario feature this twin does not model."""


# --- distributions -----------------------------------------------------------------


def counts(x: np.ndarray) -> np.ndarray:
    """Draws as counts: rounded half up, 0 if negative (drawdown's `count`)."""
    return np.maximum(np.floor(x + 0.5), 0.0).astype(np.int64)


def round_away(x: np.ndarray) -> np.ndarray:
    """Rust's f64::round (half away from zero), as int64."""
    return (np.copysign(np.floor(np.abs(x) + 0.5), x)).astype(np.int64)


class Dist:
    """A drawdown distribution, drawn as arrays: `sample(rng, shape)`.

    Truncated laws are conditioned on their window by rejection (exact: the same law
    drawdown samples by rejection or inverse CDF); every draw is then clamped to the
    field's supported range, as drawdown's validation does.
    """

    def __init__(self, spec, domain, path: str):
        self.path, self.spec = path, spec  # the spec as written (drawdown_numba.py reads it)
        self.lo_dom, self.hi_dom = domain
        self.fixed = None
        self.window = None  # (lo, hi) of a truncated law
        if isinstance(spec, (int, float)) and not isinstance(spec, bool):
            self.fixed = min(max(float(spec), self.lo_dom), self.hi_dom)
            self.lo, self.hi = self.fixed, self.fixed
            return
        if not isinstance(spec, dict) or "dist" not in spec:
            raise Unsupported(f"{path}: expected a number or a distribution table")
        self.kind = kind = spec["dist"]
        get = spec.get
        keys = {"fixed": {"value"}, "uniform": {"min", "max"}, "triangular": {"min", "mode", "max"},
                "pert": {"min", "mode", "max", "lambda"}, "normal": {"mean", "sd", "min", "max"},
                "lognormal": {"median", "p90", "p95", "mu", "sigma", "min", "max"},
                "gamma": {"shape", "scale", "mean", "sd", "min", "max"}}
        if kind not in keys:
            raise Unsupported(f"{path}: distribution '{kind}' is not supported by the numpy twin "
                              f"(supported: {', '.join(keys)})")
        extra = set(spec) - keys[kind] - {"dist"}
        if extra:
            raise Unsupported(f"{path}: unknown key(s) {sorted(extra)} for a {kind} distribution")
        # Support of the untruncated law, for the clamp test.
        self.lo, self.hi = -math.inf, math.inf
        if kind == "fixed":
            self.fixed = min(max(float(spec["value"]), self.lo_dom), self.hi_dom)
        elif kind in ("uniform", "triangular", "pert"):
            lo, hi = float(spec["min"]), float(spec["max"])
            mode = float(get("mode", lo))
            if lo == hi:
                self.fixed = min(max(lo, self.lo_dom), self.hi_dom)
            elif kind == "uniform":
                self._draw = lambda rng, shape: np.minimum(lo + (hi - lo) * rng.random(shape), hi)
            elif kind == "triangular":
                self._draw = lambda rng, shape: rng.triangular(lo, mode, hi, shape)
            else:
                lam = float(get("lambda", 4.0))
                a, b = 1.0 + lam * (mode - lo) / (hi - lo), 1.0 + lam * (hi - mode) / (hi - lo)
                self._draw = lambda rng, shape: np.clip(lo + (hi - lo) * rng.beta(a, b, shape), lo, hi)
            self.lo, self.hi = lo, hi
        elif kind == "normal":
            mean, sd = float(spec["mean"]), float(spec["sd"])
            if sd == 0:
                self.fixed = min(max(mean, self.lo_dom), self.hi_dom)
            self._draw = lambda rng, shape: rng.normal(mean, sd, shape)
        elif kind == "lognormal":
            if "median" in spec:
                z, upper = (Z90, spec["p90"]) if "p90" in spec else (Z95_Q, spec["p95"])
                mu = math.log(spec["median"])
                sigma = (math.log(upper) - mu) / z
            else:
                mu, sigma = float(spec["mu"]), float(spec["sigma"])
            self._draw = lambda rng, shape: rng.lognormal(mu, sigma, shape)
            self.lo = 0.0
        else:  # gamma
            if "shape" in spec:
                shape_k, scale = float(spec["shape"]), float(spec["scale"])
            else:
                mean, sd = float(spec["mean"]), float(spec["sd"])
                shape_k, scale = (mean / sd) ** 2, sd * sd / mean
            self._draw = lambda rng, shape: rng.gamma(shape_k, scale, shape)
            self.lo = 0.0
        if kind in ("normal", "lognormal", "gamma") and ("min" in spec or "max" in spec):
            self.window = (float(get("min", -math.inf)), float(get("max", math.inf)))
            self.lo, self.hi = max(self.lo, self.window[0]), min(self.hi, self.window[1])

    def sample(self, rng, shape) -> np.ndarray:
        """Draws of the given shape (float64)."""
        if self.fixed is not None:
            return np.full(shape, self.fixed)
        x = self._draw(rng, shape)
        if self.window is not None:
            self._reject(rng, x)
        # Clamp to the supported range only when the law can leave it (one pass saved
        # on the hot output factors when it cannot).
        if self.lo < self.lo_dom or self.hi > self.hi_dom:
            np.clip(x, self.lo_dom, self.hi_dom, out=x)
        return x

    def _reject(self, rng, x: np.ndarray):
        """Redraws, in place, every value outside the window until none is left."""
        lo, hi = self.window
        flat = x.reshape(-1)
        bad = np.flatnonzero((flat < lo) | (flat > hi)) if flat.min() < lo or flat.max() > hi else ()
        while len(bad):
            flat[bad] = self._draw(rng, len(bad))
            bad = bad[(flat[bad] < lo) | (flat[bad] > hi)]

    def count(self, rng, shape) -> np.ndarray:
        """Draws as counts (int64)."""
        return counts(self.sample(rng, shape))


# --- scenario ----------------------------------------------------------------------


def to_date(v) -> dt.date:
    """A TOML date, written bare or as a string."""
    if isinstance(v, dt.datetime):
        return v.date()
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))


def to_day(v, start: dt.date) -> int:
    """Days from the start date to a TOML date."""
    return (to_date(v) - start).days


def only(table: dict, allowed: set, path: str):
    """Refuses keys this twin does not model."""
    extra = sorted(set(table) - allowed)
    if extra:
        raise Unsupported(f"{path}: {', '.join(extra)} not supported by the numpy twin "
                          f"(supported here: {', '.join(sorted(allowed))})")


class Scenario:
    """The parts of a drawdown scenario the twin models, read with tomllib; ids are
    sorted as drawdown sorts them (BTreeMap order)."""

    def __init__(self, path: str):
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
        only(raw, {"scenario", "items", "nations", "factories", "demand", "transfers"}, "top-level tables")
        meta = raw["scenario"]
        only(meta, {"name", "description", "start", "end", "seed"}, "scenario")
        self.name = meta["name"]
        start = to_date(meta["start"])
        self.days = to_day(meta["end"], start) + 1
        self.seed = int(meta.get("seed", 20220224))
        self.series: dict[tuple[str, str], dict] = {}
        for nid, nation in sorted(raw.get("nations", {}).items()):
            only(nation, {"name", "stock", "procurement"}, f"nations.{nid}")
            for iid, st in sorted(nation.get("stock", {}).items()):
                p = f"nations.{nid}.stock.{iid}"
                only(st, {"initial", "floor"}, p)
                s = self._series(nid, iid)
                s["initial"] = Dist(st["initial"], QUANTITY, f"{p}.initial")
                s["floor"] = Dist(st.get("floor", 0), QUANTITY, f"{p}.floor")
        self.policies = [self._policy(nid, iid, pr, start)
                         for nid, nation in sorted(raw.get("nations", {}).items())
                         for iid, pr in sorted(nation.get("procurement", {}).items())]
        self.factories = [self._factory(fid, f, start) for fid, f in sorted(raw.get("factories", {}).items())]
        self.demand = [self._demand(did, d, start) for did, d in sorted(raw.get("demand", {}).items())]
        self.transfers = [self._transfer(tid, t, start) for tid, t in sorted(raw.get("transfers", {}).items())]
        for what, keys in (("transfer", [t["from"] for t in self.transfers]),
                           ("procurement policy", [p["series"] for p in self.policies]),
                           ("demand", [d["series"] for d in self.demand])):
            if len(keys) != len(set(keys)):
                raise Unsupported(f"more than one {what} on one stock: the numpy twin needs at most one, "
                                  "so that same-day events of a stock never depend on drawdown's FIFO order")
        self.keys = sorted(self.series)
        self.index = {k: i for i, k in enumerate(self.keys)}

    def _series(self, nation: str, item: str) -> dict:
        return self.series.setdefault((nation, item), {
            "initial": Dist(0, QUANTITY, ""), "floor": Dist(0, QUANTITY, "")})

    def _policy(self, nid, iid, pr, start):
        p = f"nations.{nid}.procurement.{iid}"
        only(pr, {"reorder_point", "target", "review_days", "first_review", "lead_time_days", "tranches"}, p)
        if pr.get("tranches", 1) != 1:
            raise Unsupported(f"{p}.tranches: only one tranche per order is supported by the numpy twin")
        if "lead_time_days" not in pr:
            raise Unsupported(f"{p}: only lead_time_days delivery is supported (no factory backlogs)")
        self._series(nid, iid)
        return {
            "series": (nid, iid),
            "reorder_point": Dist(pr["reorder_point"], QUANTITY, f"{p}.reorder_point"),
            "target": Dist(pr["target"], QUANTITY, f"{p}.target"),
            "review_days": max(1, int(pr["review_days"])),
            "first_review": max(0, to_day(pr["first_review"], start)) if "first_review" in pr else 0,
            "lead": Dist(pr["lead_time_days"], DAYS, f"{p}.lead_time_days"),
        }

    def _factory(self, fid, f, start):
        p = f"factories.{fid}"
        only(f, {"owner", "item", "capacity", "output_factor", "disruption"}, p)
        self._series(f["owner"], f["item"])
        cap = f["capacity"]
        only(cap, {"initial", "ramp"}, f"{p}.capacity")
        milestones = []
        for mid, m in sorted(cap.get("ramp", {}).items()):
            mp = f"{p}.capacity.ramp.{mid}"
            only(m, {"date", "target", "slip_days", "ramp_days"}, mp)
            milestones.append((to_day(m["date"], start), mid,
                               Dist(m["target"], QUANTITY, f"{mp}.target"),
                               Dist(m.get("slip_days", 0), SIGNED_DAYS, f"{mp}.slip_days"),
                               Dist(m.get("ramp_days", 0), DAYS, f"{mp}.ramp_days")))
        milestones.sort(key=lambda m: (m[0], m[1]))  # by date, then id, as drawdown
        dis = f.get("disruption")
        if dis is not None:
            only(dis, {"every_days", "repair_days", "loss"}, f"{p}.disruption")
        return {
            "id": fid,
            "series": (f["owner"], f["item"]),
            "initial": Dist(cap["initial"], QUANTITY, f"{p}.capacity.initial"),
            "milestones": milestones,
            "factor": Dist(f.get("output_factor", 1.0), FACTOR, f"{p}.output_factor"),
            "disruption": None if dis is None else {
                "every": Dist(dis["every_days"], DAYS, f"{p}.disruption.every_days"),
                "repair": Dist(dis["repair_days"], DAYS, f"{p}.disruption.repair_days"),
                "loss": Dist(dis.get("loss", 1.0), SHARE, f"{p}.disruption.loss"),
            },
        }

    def _demand(self, did, d, start):
        p = f"demand.{did}"
        only(d, {"nation", "item", "dispersion", "schedule", "regimes", "start_regime"}, p)
        self._series(d["nation"], d["item"])
        periods = []
        for pid, per in d["schedule"].items():
            only(per, {"from", "per_day"}, f"{p}.schedule.{pid}")
            periods.append((to_day(per["from"], start), pid, Dist(per["per_day"], QUANTITY, f"{p}.schedule.{pid}.per_day")))
        periods.sort(key=lambda x: (x[0], x[1]))
        ids = sorted(d.get("regimes", {}))
        regimes = []
        for rid in ids:
            r = d["regimes"][rid]
            rp = f"{p}.regimes.{rid}"
            only(r, {"multiplier", "duration_days", "next"}, rp)
            weights = [(ids.index(to), float(w)) for to, w in sorted(r["next"].items()) if w > 0]
            total = sum(w for _, w in weights)
            cum = np.cumsum([w / total for _, w in weights])
            cum[-1] = 1.0
            regimes.append({
                "multiplier": Dist(r["multiplier"], FACTOR, f"{rp}.multiplier"),
                "duration": Dist(r["duration_days"], DAYS, f"{rp}.duration_days"),
                "next": np.array([j for j, _ in weights]),
                "cumulative": cum,
            })
        return {
            "id": did,
            "series": (d["nation"], d["item"]),
            "dispersion": d.get("dispersion"),
            "periods": [(day, dist) for day, _, dist in periods],
            "regimes": regimes,
            "start_regime": ids.index(d["start_regime"]) if regimes else 0,
        }

    def _transfer(self, tid, t, start):
        p = f"transfers.{tid}"
        only(t, {"from", "to", "item", "start", "end", "every_days", "quantity", "share",
                 "transit_days", "below_floor"}, p)
        if ("quantity" in t) == ("share" in t):
            raise Unsupported(f"{p}: give exactly one of quantity or share")
        self._series(t["from"], t["item"])
        self._series(t["to"], t["item"])
        every = max(1, int(t["every_days"]))
        first = to_day(t["start"], start)
        if first < 0:  # first dispatch on the cadence, on or after day 0
            first += (-first + every - 1) // every * every
        end = to_day(t["end"], start) if "end" in t else math.inf
        return {
            "id": tid,
            "from": (t["from"], t["item"]),
            "to": (t["to"], t["item"]),
            "days": list(range(first, int(min(end, self.days - 1)) + 1, every)),
            "quantity": Dist(t["quantity"], QUANTITY, f"{p}.quantity") if "quantity" in t else None,
            "share": Dist(t["share"], SHARE, f"{p}.share") if "share" in t else None,
            "transit": Dist(t.get("transit_days", 1), DAYS, f"{p}.transit_days"),
            "below_floor": bool(t.get("below_floor", False)),
        }


# --- precomputed paths (everything that does not depend on stocks) -----------------


def cumsum_rows(a: np.ndarray) -> np.ndarray:
    """Cumulative sum down the days of a (days, C) array, in place. A loop over rows:
    numpy's cumsum along axis 0 walks each column with a stride of C and is several
    times slower."""
    for d in range(1, a.shape[0]):
        np.add(a[d - 1], a[d], out=a[d])
    return a


def step_path(days: int, first: np.ndarray, changes: list) -> np.ndarray:
    """A (days, C) piecewise-constant path: `first` from day 0, then each (day, value)
    change in `changes` (per trial, days strictly increasing) from its day on: the
    changes are written into a NaN array, then carried forward row by row."""
    cols = np.arange(first.size)
    path = np.full((days, first.size), np.nan)
    path[0] = first
    for day, value in changes:
        ok = day < days
        path[day[ok], cols[ok]] = value[ok]
    gap = np.empty(first.size, dtype=bool)
    for d in range(1, days):
        np.isnan(path[d], out=gap)
        np.copyto(path[d], path[d - 1], where=gap)
    return path


def capacity(f: dict, days: int, rng, c: int) -> np.ndarray:
    """The factory's capacity curve [rounds/day] as a (days, C) array (src/model/curve.rs).

    Milestones, sorted by their slipped start (a stable sort), each climb from the level
    reached at their start to their target; a later start takes over. Written as a sum:
    level(d) = initial + sum_k (t_k - v_k) * clip((d - s_k) / r_k, 0, c_k), with v_k the
    level at s_k and c_k the fraction of ramp k done when ramp k+1 starts.
    """
    level0 = np.minimum(f["initial"].sample(rng, c), MAX_QUANTITY) / DAYS_PER_MONTH
    level = np.empty((days, c))
    level[:] = level0
    ms = f["milestones"]
    if not ms:
        return level
    starts, targets, ramps = (np.empty((len(ms), c)) for _ in range(3))
    for k, (day, _mid, target, slip, ramp) in enumerate(ms):
        starts[k] = day + round_away(slip.sample(rng, c))
        targets[k] = target.sample(rng, c) / DAYS_PER_MONTH
        ramps[k] = round_away(ramp.sample(rng, c))
    order = np.argsort(starts, axis=0, kind="stable")
    starts, targets, ramps = (np.take_along_axis(a, order, axis=0) for a in (starts, targets, ramps))
    # A step (ramp 0) is a one-day ramp ending on its start day.
    step = ramps == 0
    denom = np.where(step, 1.0, ramps)
    begin = np.where(step, starts - 1, starts)
    done = np.ones((len(ms), c))  # c_k
    done[:-1] = np.clip((starts[1:] - begin[:-1]) / denom[:-1], 0.0, 1.0)
    v = level0
    d = np.arange(days, dtype=np.float64)[:, None]
    work = np.empty((days, c))
    for k in range(len(ms)):
        rise = targets[k] - v
        slope = rise / denom[k]
        cap = rise * done[k]
        # Only the days on which some trial's ramp k is climbing need the formula:
        # before them the term is 0, after them it is `cap`.
        lo = int(np.clip(begin[k].min(), 0, days))
        hi = int(np.clip((begin[k] + denom[k] * done[k]).max() + 1, lo, days))
        w = work[lo:hi]
        np.multiply(d[lo:hi], slope, out=w)
        w -= begin[k] * slope
        np.maximum(w, np.minimum(cap, 0.0), out=w)
        np.minimum(w, np.maximum(cap, 0.0), out=w)
        level[lo:hi] += w
        level[hi:] += cap
        v = v + cap
    return level


def breakdowns(dis: dict, rate: np.ndarray, rng):
    """Scales a factory's (days, C) rate by 1 - loss on the days it is down: from each
    breakdown day for the repair time, then up for `every_days` until the next one."""
    days, c = rate.shape
    cols = np.arange(c)
    t = np.maximum(dis["every"].count(rng, c), 1)
    while (t < days).any():
        loss = dis["loss"].sample(rng, c)
        repair = np.maximum(dis["repair"].count(rng, c), 1)
        down = t < days
        length = (np.minimum(t + repair, days) - t)[down]
        # Every (day, trial) of this round's down spells, as flat index arrays.
        first = np.repeat(t[down], length)
        offset = np.arange(first.size) - np.repeat(np.cumsum(length) - length, length)
        rows, which = first + offset, np.repeat(cols[down], length)
        rate[rows, which] *= np.repeat(1.0 - loss[down], length)
        t = t + repair + np.maximum(dis["every"].count(rng, c), 1)


def production(f: dict, days: int, rng, c: int) -> np.ndarray:
    """A factory's cumulative whole rounds made by the end of each day, (days, C) float:
    the day's output is added to a carry, the whole rounds go out and the fraction
    stays, so the rounds made by day d are floor(cumulative output to day d)."""
    rate = capacity(f, days, rng, c)
    if f["disruption"] is not None:
        breakdowns(f["disruption"], rate, rng)
    if f["factor"].fixed is None:
        rate *= f["factor"].sample(rng, (days, c))
    elif f["factor"].fixed != 1.0:
        rate *= f["factor"].fixed
    return np.floor(cumsum_rows(rate), out=rate)


def regime_multiplier(d: dict, days: int, rng, c: int) -> np.ndarray:
    """The (days, C) regime multiplier of a front (1 without regimes)."""
    regimes = d["regimes"]
    if not regimes:
        return np.ones((days, c))
    current = np.full(c, d["start_regime"])
    r0 = regimes[d["start_regime"]]
    first = r0["multiplier"].sample(rng, c)
    t = np.maximum(r0["duration"].count(rng, c), 1)
    changes = []
    while (t < days).any():
        u = rng.random(c)
        nxt = np.empty(c, dtype=np.int64)
        for i, r in enumerate(regimes):  # u picks the first cumulative weight above it
            m = current == i
            nxt[m] = r["next"][np.searchsorted(r["cumulative"], u[m], side="right")]
        mult, stay = np.empty(c), np.empty(c, dtype=np.int64)
        for i, r in enumerate(regimes):
            m = nxt == i
            n = int(m.sum())
            if n:
                mult[m] = r["multiplier"].sample(rng, n)
                stay[m] = np.maximum(r["duration"].count(rng, n), 1)
        changes.append((t, mult))
        current, t = nxt, t + stay
    return step_path(days, first, changes)


def need(d: dict, days: int, rng, c: int) -> np.ndarray:
    """A front's daily need, (days, C) int64: Poisson(mean), or negative binomial as
    Poisson(mean * Gamma(k, 1) / k); the mean is the period's (drawn once per trial,
    0 before the first period) times the regime multiplier."""
    periods = d["periods"]
    means = np.zeros((len(periods) + 1, c))  # row 0: before the first period
    for i, (_day, dist) in enumerate(periods, 1):
        means[i] = dist.sample(rng, c)
    row = np.zeros(days, dtype=np.int64)
    for i, (day, _dist) in enumerate(periods, 1):
        row[max(day, 0):] = i
    mean = means[row]
    mean *= regime_multiplier(d, days, rng, c)
    k = d["dispersion"]
    if k is not None:
        mean *= rng.standard_gamma(k, (days, c))
        mean *= 1.0 / k
    return rng.poisson(mean)


# --- one chunk ---------------------------------------------------------------------


class Buffers:
    """The large arrays of a chunk, allocated once per run and reused by every chunk of
    the same size: a fresh 100 MB array costs a page fault per 4 KB page on first touch,
    which on the benchmark VM took longer than filling it."""

    def __init__(self, sc: Scenario, c: int):
        self.inflow = np.empty((sc.days, len(sc.keys), c), dtype=np.int64)
        self.fired = [np.empty((sc.days, c), dtype=np.int64) for _ in sc.demand]


class Chunk:
    """The state of C trials and the day loop over them."""

    def __init__(self, sc: Scenario, rng, buffers: Buffers):
        c = buffers.inflow.shape[2]
        self.sc, self.rng, self.c = sc, rng, c
        self.cols = np.arange(c)
        ns, days = len(sc.keys), sc.days
        idx = sc.index
        self.initial = np.empty((ns, c), dtype=np.int64)
        self.floor = np.empty((ns, c), dtype=np.int64)
        for k, s in sc.series.items():
            self.initial[idx[k]] = s["initial"].count(rng, c)
            self.floor[idx[k]] = s["floor"].count(rng, c)
        self.stock = self.initial.copy()
        self.low = self.initial.copy()
        self.sent, self.received, self.delivered, self.produced = (np.zeros((ns, c), dtype=np.int64)
                                                                    for _ in range(4))
        # Arrivals and production by day: one row added to the stock each morning.
        # Production first: each series' cumulative whole rounds (summed over its
        # factories, exact in float64 below 2^53), written as daily differences.
        self.inflow = buffers.inflow
        made: dict[int, np.ndarray] = {}
        for f in sc.factories:
            whole = production(f, days, rng, c)
            s = idx[f["series"]]
            if s in made:
                made[s] += whole
            else:
                made[s] = whole
        for s in range(ns):
            if s not in made:
                self.inflow[:, s, :] = 0
                continue
            whole = made[s]
            self.inflow[0, s, :] = whole[0]
            np.subtract(whole[1:], whole[:-1], out=self.inflow[1:, s, :], casting="unsafe")
            self.produced[s] = whole[-1]
        self.flat = self.inflow.reshape(-1)
        self.fronts = [(idx[d["series"]], need(d, days, rng, c)) for d in sc.demand]
        self.fired = buffers.fired
        self.events: dict[int, list] = {}
        self._transfers()
        self._policies()

    def _transfers(self):
        """Groups transfers with the same dispatch days and kind into one array step, and
        draws every package size and transit time of the chunk at once."""
        sc, c, rng, groups = self.sc, self.c, self.rng, {}
        for t in sc.transfers:
            groups.setdefault((tuple(t["days"]), t["quantity"] is None), []).append(t)
        for (days, policy), ts in groups.items():
            n = len(days)
            g = {
                "src": np.array([sc.index[t["from"]] for t in ts]),
                "dst": np.array([sc.index[t["to"]] for t in ts]),
                "keep": np.array([0 if t["below_floor"] else 1 for t in ts])[:, None],
                # Policy transfers: the share of the stock above the floor, drawn once per trial.
                "share": np.stack([t["share"].sample(rng, c) for t in ts]) if policy else None,
                "qty": None if policy else np.stack([t["quantity"].count(rng, (n, c)) for t in ts], axis=1),
                "transit": np.maximum(np.stack([t["transit"].count(rng, (n, c)) for t in ts], axis=1), 1),
            }
            for k, day in enumerate(days):
                self.events.setdefault(day, []).append((self.dispatch, g, k))

    def _policies(self):
        """Groups (s, S) policies with the same review days into one array step, and draws
        every lead time of the chunk at once."""
        sc, c, rng, groups = self.sc, self.c, self.rng, {}
        for p in sc.policies:
            groups.setdefault((p["first_review"], p["review_days"]), []).append(p)
        for (first, every), ps in groups.items():
            reviews = range(first, sc.days, every)
            s = np.stack([p["reorder_point"].count(rng, c) for p in ps])
            g = {
                "series": np.array([sc.index[p["series"]] for p in ps]),
                "s": s,
                "S": np.maximum(np.stack([p["target"].count(rng, c) for p in ps]), s),
                "lead": np.maximum(np.stack([p["lead"].count(rng, (len(reviews), c)) for p in ps], axis=1), 1),
                "on_order": np.zeros((len(ps), c), dtype=np.int64),
                # Rounds arriving after review k and by review k + 1 (the last row: later).
                "due": np.zeros((len(reviews) + 1, len(ps), c), dtype=np.int64),
                "first": first,
                "every": every,
            }
            for k, day in enumerate(reviews):
                self.events.setdefault(day, []).append((self.review, g, k))

    def dispatch(self, day: int, g: dict, k: int):
        """Aid leaves the donors: a package (or share) of the stock above the floor."""
        src, dst = g["src"], g["dst"]
        available = self.stock[src] - g["keep"] * self.floor[src]
        np.maximum(available, 0, out=available)
        if g["share"] is None:
            qty = np.minimum(g["qty"][k], available)
        else:
            qty = np.minimum(np.floor(g["share"] * available).astype(np.int64), available)
        arrival = day + g["transit"][k]
        self.stock[src] -= qty
        self.sent[src] += qty
        # Shipments arriving after the horizon are sent but never received, as in drawdown.
        ok = arrival < self.sc.days
        ns, cols = len(self.sc.keys), np.broadcast_to(self.cols, qty.shape)
        to = np.broadcast_to(dst[:, None], qty.shape)
        np.add.at(self.flat, ((arrival * ns + to) * self.c + cols)[ok], qty[ok])
        np.add.at(self.received.reshape(-1), (to * self.c + cols)[ok], qty[ok])

    def review(self, day: int, g: dict, k: int):
        """(s, S) review: order up to S when stock + on order is at or below s."""
        series, on_order = g["series"], g["on_order"]
        on_order -= g["due"][k]  # delivered since the previous review
        position = self.stock[series] + on_order
        qty = np.where(position <= g["s"], g["S"] - position, 0)
        arrival = day + g["lead"][k]
        on_order += qty
        # The review by which each order will have arrived: it leaves on_order then.
        # Orders arriving after the horizon stay on order (the last row is never read).
        due = g["due"]
        after = np.minimum(-((g["first"] - arrival) // g["every"]), len(due) - 1)
        ps, cols = np.broadcast_to(np.arange(len(series))[:, None], qty.shape), self.cols
        due[after, ps, cols] += qty  # one order per policy and trial: no index repeats
        ok = (arrival < self.sc.days) & (qty > 0)
        ns = len(self.sc.keys)
        at = np.broadcast_to(series[:, None], qty.shape)
        self.flat[((arrival * ns + at) * self.c + np.broadcast_to(cols, qty.shape))[ok]] += qty[ok]
        self.delivered[series] += np.where(ok, qty, 0)

    def run(self):
        """The day loop: arrivals and production, consumption, dispatches, reviews, record."""
        stock, low, inflow, events = self.stock, self.low, self.inflow, self.events
        fronts = list(zip(self.fronts, self.fired))
        for day in range(self.sc.days):
            stock += inflow[day]
            for (s, need_s), fired in fronts:
                fire = np.minimum(need_s[day], stock[s], out=fired[day])
                stock[s] -= fire
            for handler, g, k in events.get(day, ()):
                handler(day, g, k)
            np.minimum(low, stock, out=low)

    def outcome(self) -> dict:
        """Per-trial totals, each (series, C), plus the demand totals per front."""
        out = {"depleted": self.low <= self.floor, "initial": self.initial, "final": self.stock,
               "min_stock": self.low, "produced": self.produced, "delivered": self.delivered,
               "received": self.received, "sent": self.sent}
        fronts = {}
        for (s, need_s), fired in zip(self.fronts, self.fired):
            short = fired < need_s
            demanded, consumed = need_s.sum(axis=0), fired.sum(axis=0)
            # Shortage episodes start on a short day after a day that was not short.
            starts = short[0].astype(np.int64) + (short[1:] & ~short[:-1]).sum(axis=0)
            fronts[s] = {"demanded": demanded, "consumed": consumed, "unmet": demanded - consumed,
                         "shortage_days": short.sum(axis=0), "shortage_episodes": starts,
                         "longest_shortage": longest_run(short)}
        out["fronts"] = fronts
        return out


def longest_run(short: np.ndarray) -> np.ndarray:
    """Longest run of True down each column of a (days, C) array (a loop over rows:
    accumulating along axis 0 is slow, as for cumsum)."""
    run = np.zeros(short.shape[1], dtype=np.int64)
    longest = np.zeros_like(run)
    for row in short:
        run += 1
        run *= row
        np.maximum(longest, run, out=longest)
    return longest


# --- statistics --------------------------------------------------------------------


def wilson(k: int, n: int):
    p = k / n
    z2 = Z95 * Z95
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = Z95 / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    lo = 0.0 if k == 0 else min(max(centre - half, 0.0), p)
    hi = 1.0 if k == n else min(max(centre + half, p), 1.0)
    return lo, hi


def mean_ci(x: np.ndarray):
    """Mean with its normal 95 % interval (lower bound clamped at 0, as drawdown)."""
    x = x.astype(np.float64)
    m = float(x.mean())
    se = float(x.std(ddof=1)) / math.sqrt(x.size)
    return m, max(m - Z95 * se, 0.0), m + Z95 * se


def ratio_ci(x: np.ndarray, y: np.ndarray):
    """Σx/Σy with its delta-method 95 % interval, clamped to [0, 1] (a fill rate)."""
    x, y = x.astype(np.float64), y.astype(np.float64)
    n, r = x.size, float(x.sum() / y.sum())
    se = math.sqrt(float(((x - r * y) ** 2).sum()) / (n - 1) / n) / float(y.mean())
    return min(r, 1.0), min(max(r - Z95 * se, 0.0), 1.0), min(max(r + Z95 * se, 0.0), 1.0)


def summarise(sc: Scenario, out: dict, n: int) -> list:
    """Rows (nation, item, metric, estimate, ci_low, ci_high) like drawdown's summary.csv."""
    rows = []
    for i, key in enumerate(sc.keys):
        k = int(out["depleted"][i].sum())
        rows.append((*key, "p_depleted", k / n, *wilson(k, n)))
        for metric, name in [("initial_stock_mean", "initial"), ("final_stock_mean", "final"),
                             ("min_stock_mean", "min_stock"), ("produced_mean", "produced"),
                             ("delivered_mean", "delivered"), ("received_mean", "received"),
                             ("sent_mean", "sent")]:
            rows.append((*key, metric, *mean_ci(out[name][i])))
        front = out["fronts"].get(i)
        if front is not None:
            for name in ("demanded", "consumed", "unmet", "shortage_days", "shortage_episodes",
                         "longest_shortage"):
                rows.append((*key, f"{name}_mean", *mean_ci(front[name])))
            rows.append((*key, "fill_rate", *ratio_ci(front["consumed"], front["demanded"])))
    return rows


def merge(parts: list) -> dict:
    """Per-trial results of all chunks, concatenated along the trial axis."""
    out = {k: np.concatenate([p[k] for p in parts], axis=-1) for k in parts[0] if k != "fronts"}
    out["fronts"] = {s: {k: np.concatenate([p["fronts"][s][k] for p in parts]) for k in f}
                     for s, f in parts[0]["fronts"].items()}
    return out


# --- driver ------------------------------------------------------------------------


def simulate(path: str, trials: int, seed: int | None = None, chunk: int = DEFAULT_CHUNK,
             bitgen: str = DEFAULT_BITGEN):
    """Runs `trials` trials in chunks of `chunk`; returns (rows, {"wall", "cpu"} seconds
    of the simulation, parsing excluded, scenario). Chunk j draws from its own generator
    seeded with (seed, j), so results depend on the seed and the chunk size only."""
    sc = Scenario(path)
    seed = sc.seed if seed is None else seed
    parts, buffers = [], {}
    t0, c0 = time.perf_counter(), time.process_time()
    for j, first in enumerate(range(0, trials, chunk)):
        rng = np.random.Generator(BIT_GENERATORS[bitgen](np.random.SeedSequence([seed, j])))
        c = min(chunk, trials - first)
        ch = Chunk(sc, rng, buffers.setdefault(c, Buffers(sc, c)))
        ch.run()
        parts.append(ch.outcome())
        del ch
    rows = summarise(sc, merge(parts), trials)
    timing = {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0}
    return rows, timing, sc


def sweep(path: str, trials: int, chunks: list, bitgen: str, seed: int | None):
    """CPU ms per trial against the chunk size (and, with several bit generators, each)."""
    print(f"{'bit generator':<14} {'chunk':>7} {'trials':>7} {'CPU s':>8} {'ms CPU/trial':>13} {'wall s':>8}")
    for bg in bitgen.split(","):
        for c in chunks:
            _, t, _ = simulate(path, trials, seed, c, bg)
            print(f"{bg:<14} {c:>7} {trials:>7} {t['cpu']:>8.3f} {1000 * t['cpu'] / trials:>13.4f} "
                  f"{t['wall']:>8.3f}", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario", help="scenario TOML (benches/twin/twin.toml)")
    ap.add_argument("--trials", "-n", type=int, default=20000)
    ap.add_argument("--seed", "-s", type=int, default=None, help="master seed (default: the scenario's)")
    ap.add_argument("--chunk", "-c", type=int, default=DEFAULT_CHUNK, help=f"trials per chunk (default {DEFAULT_CHUNK})")
    ap.add_argument("--bitgen", default=DEFAULT_BITGEN,
                    help=f"numpy bit generator: {', '.join(BIT_GENERATORS)} (default {DEFAULT_BITGEN}); "
                         "with --sweep, a comma-separated list")
    ap.add_argument("--sweep", help="comma-separated chunk sizes: print CPU ms per trial for each, then exit")
    ap.add_argument("--out", "-o", help="also write the summary as CSV to this file")
    args = ap.parse_args(argv)
    if args.trials < 2 or args.chunk < 1:
        ap.error("--trials must be at least 2 and --chunk at least 1")
    try:
        if args.sweep:
            sweep(args.scenario, args.trials, [int(x) for x in args.sweep.split(",")], args.bitgen, args.seed)
            return
        rows, timing, sc = simulate(args.scenario, args.trials, args.seed, args.chunk, args.bitgen)
    except Unsupported as e:
        sys.exit(f"drawdown_numpy: {args.scenario}: {e}")
    wall, cpu = timing["wall"], timing["cpu"]
    print(f"numpy twin of '{sc.name}': {args.trials} trials, {sc.days} days, chunks of {args.chunk}, "
          f"{args.bitgen}, one core")
    print(f"{'nation.item':<22} {'metric':<24} {'estimate':>14}  95% CI")
    for nation, item, metric, est, lo, hi in rows:
        fmt = "{:.4f}" if metric in ("p_depleted", "fill_rate") else "{:.1f}"
        print(f"{nation + '.' + item:<22} {metric:<24} {fmt.format(est):>14}  "
              f"[{fmt.format(lo)}, {fmt.format(hi)}]")
    print(f"wall time {wall:.2f} s ({args.trials / wall:.1f} trials/s), CPU time {cpu:.2f} s "
          f"({args.trials / cpu:.1f} trials/s, {1000 * cpu / args.trials:.4f} ms per trial) "
          f"(numpy {np.__version__}, Python {sys.version.split()[0]})")
    if args.out:
        with open(args.out, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["nation", "item", "metric", "estimate", "ci_low", "ci_high", "trials"])
            for r in rows:
                w.writerow([*r[:3], *(f"{x:.6g}" if abs(x) < 1 else f"{x:.2f}" for x in r[3:]), args.trials])
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
