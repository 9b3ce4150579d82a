#!/usr/bin/env python3
"""The numpy twin's model (drawdown_numpy.py) compiled with numba: one trial at a time,
a day loop over scalars, as a skilled analyst would write it once numpy's array passes
are the bottleneck. Optional: needs `python3 -m pip install numba`.

    python3 benches/numpy/drawdown_numba.py benches/twin/twin.toml --trials 20000
    python3 benches/numpy/compare.py --numba --rust-bin /work/target-numpy/release/drawdown

It reads the scenario with drawdown_numpy.Scenario (same features, same refusals),
encodes every distribution as a row of numbers, and runs the whole Monte Carlo in one
compiled function, in drawdown's phase order (arrivals, state changes, production,
consumption, dispatches, reviews, recording). Random numbers come from a
numpy.random.Generator (SFC64) passed into the compiled code, whose samplers numba
implements with numpy's algorithms (ziggurat normals). Compilation is done before the
timed run and is not counted.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
from numba import njit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import drawdown_numpy as dn  # noqa: E402

# A distribution row: kind, four parameters, truncation window, supported range.
FIXED, UNIFORM, TRIANGULAR, PERT, NORMAL, LOGNORMAL, GAMMA = range(7)


def encode(d: dn.Dist) -> np.ndarray:
    """A drawdown_numpy.Dist as a row [kind, a, b, c, d, win_lo, win_hi, dom_lo, dom_hi]."""
    row = np.array([FIXED, 0, 0, 0, 0, -math.inf, math.inf, d.lo_dom, d.hi_dom], dtype=np.float64)
    if d.fixed is not None:
        row[1] = d.fixed
        return row
    spec, get = d.spec, d.spec.get
    kind = spec["dist"]
    if kind == "uniform":
        row[:3] = UNIFORM, spec["min"], spec["max"]
    elif kind == "triangular":
        row[:4] = TRIANGULAR, spec["min"], spec["mode"], spec["max"]
    elif kind == "pert":
        lo, mode, hi, lam = spec["min"], spec["mode"], spec["max"], get("lambda", 4.0)
        row[:5] = PERT, lo, hi - lo, 1 + lam * (mode - lo) / (hi - lo), 1 + lam * (hi - mode) / (hi - lo)
    elif kind == "normal":
        row[:3] = NORMAL, spec["mean"], spec["sd"]
    elif kind == "lognormal":
        if "median" in spec:
            z, upper = (dn.Z90, spec["p90"]) if "p90" in spec else (dn.Z95_Q, spec["p95"])
            mu = math.log(spec["median"])
            row[:3] = LOGNORMAL, mu, (math.log(upper) - mu) / z
        else:
            row[:3] = LOGNORMAL, spec["mu"], spec["sigma"]
    else:
        if "shape" in spec:
            row[:3] = GAMMA, spec["shape"], spec["scale"]
        else:
            row[:3] = GAMMA, (spec["mean"] / spec["sd"]) ** 2, spec["sd"] ** 2 / spec["mean"]
    if d.window is not None:
        row[5:7] = d.window
    return row


@njit(cache=False)
def draw(rng, table, j):
    """One draw of distribution row j of `table`: conditioned on its window, clamped."""
    k = int(table[j, 0])
    if k == FIXED:
        return table[j, 1]
    while True:
        if k == UNIFORM:
            x = min(table[j, 1] + (table[j, 2] - table[j, 1]) * rng.random(), table[j, 2])
        elif k == TRIANGULAR:
            x = rng.triangular(table[j, 1], table[j, 2], table[j, 3])
        elif k == PERT:
            x = min(max(table[j, 1] + table[j, 2] * rng.beta(table[j, 3], table[j, 4]), table[j, 1]), table[j, 1] + table[j, 2])
        elif k == NORMAL:
            x = rng.normal(table[j, 1], table[j, 2])
        elif k == LOGNORMAL:
            x = rng.lognormal(table[j, 1], table[j, 2])
        else:
            x = rng.gamma(table[j, 1], table[j, 2])
        if x >= table[j, 5] and x <= table[j, 6]:
            return min(max(x, table[j, 7]), table[j, 8])


@njit(cache=False)
def count(rng, table, j):
    return max(np.int64(math.floor(draw(rng, table, j) + 0.5)), 0)


@njit(cache=False)
def round_away(x):
    return np.int64(math.copysign(math.floor(abs(x) + 0.5), x))


@njit(cache=False)
def curve(rng, T, initial, m_day, m_target, m_slip, m_ramp, nm, starts, rise, begin, denom, done):
    """Draws one capacity curve: fills the sorted milestone arrays; returns the level
    before the first milestone [rounds/day]."""
    level0 = min(draw(rng, T, initial), 1e12) / dn_days_per_month
    targets = np.empty(nm)
    ramps = np.empty(nm)
    for k in range(nm):
        starts[k] = m_day[k] + round_away(draw(rng, T, m_slip[k]))
        targets[k] = draw(rng, T, m_target[k]) / dn_days_per_month
        ramps[k] = round_away(draw(rng, T, m_ramp[k]))
    order = np.argsort(starts[:nm], kind="mergesort")  # stable, as drawdown's sort
    s_sorted, t_sorted, r_sorted = starts[:nm][order], targets[order], ramps[order]
    v = level0
    for k in range(nm):
        step = r_sorted[k] == 0
        denom[k] = 1.0 if step else r_sorted[k]
        begin[k] = s_sorted[k] - 1 if step else s_sorted[k]
        starts[k] = s_sorted[k]
    for k in range(nm):
        done[k] = 1.0 if k == nm - 1 else min(max((starts[k + 1] - begin[k]) / denom[k], 0.0), 1.0)
        rise[k] = t_sorted[k] - v
        v += rise[k] * done[k]
    return level0


dn_days_per_month = dn.DAYS_PER_MONTH


@njit(cache=False)
def level(level0, nm, rise, begin, denom, done, f, day):
    """Factory f's capacity on `day`: the sum of its clipped ramps."""
    x = level0
    for k in range(nm):
        x += rise[f, k] * min(max((day - begin[f, k]) / denom[f, k], 0.0), done[f, k])
    return x


@njit(cache=False)
def run(rng, T, n, days, ser_init, ser_floor,
        f_series, f_initial, f_factor, f_nm, m_day, m_target, m_slip, m_ramp,
        f_dis, d_every, d_repair, d_loss,
        e_series, e_k, e_nper, e_from, e_perday, e_nreg, e_start, r_mult, r_dur, r_nnext, r_next, r_cum,
        t_src, t_dst, t_keep, t_share_kind, t_qty, t_share, t_transit, t_first, t_every, t_last,
        p_series, p_s, p_S, p_first, p_every, p_lead):
    """Every trial, one after the other; returns the per-trial totals."""
    ns, nf, ne, nt, npol = ser_init.shape[0], f_series.shape[0], e_series.shape[0], t_src.shape[0], p_series.shape[0]
    tot = np.zeros((8, ns, n), dtype=np.int64)  # initial final low produced delivered received sent floor
    fr = np.zeros((5, ne, n), dtype=np.int64)  # demanded consumed shortage_days episodes longest
    stock, floor = np.empty(ns, np.int64), np.empty(ns, np.int64)
    ledger = np.zeros((days, ns), np.int64)
    deliv = np.zeros((days, max(npol, 1)), np.int64)
    mmax = m_day.shape[1]
    starts, rise, begin = np.empty((nf, mmax)), np.empty((nf, mmax)), np.empty((nf, mmax))
    denom, done = np.empty((nf, mmax)), np.empty((nf, mmax))
    level0, carry, loss = np.empty(nf), np.empty(nf), np.empty(nf)
    down = np.zeros(nf, np.bool_)
    next_down, up_day = np.empty(nf, np.int64), np.empty(nf, np.int64)
    means = np.empty((ne, e_from.shape[1]))
    period, regime, next_switch = np.empty(ne, np.int64), np.empty(ne, np.int64), np.empty(ne, np.int64)
    mult, run_len = np.empty(ne), np.empty(ne, np.int64)
    share, next_dispatch = np.empty(nt), np.empty(nt, np.int64)
    s_pt, S_pt = np.empty(npol, np.int64), np.empty(npol, np.int64)
    on_order, next_review = np.empty(npol, np.int64), np.empty(npol, np.int64)
    for i in range(n):
        ledger[:] = 0
        deliv[:] = 0
        for s in range(ns):
            stock[s] = min(count(rng, T, ser_init[s]), 10 ** 12)
            floor[s] = min(count(rng, T, ser_floor[s]), 10 ** 12)
            tot[0, s, i] = stock[s]
            tot[2, s, i] = stock[s]
            tot[7, s, i] = floor[s]
        for f in range(nf):
            level0[f] = curve(rng, T, f_initial[f], m_day[f], m_target[f], m_slip[f], m_ramp[f], f_nm[f],
                              starts[f], rise[f], begin[f], denom[f], done[f])
            carry[f] = 0.0
            down[f] = False
            if f_dis[f]:
                next_down[f] = max(count(rng, T, d_every[f]), 1)
        for e in range(ne):
            for k in range(e_nper[e]):
                means[e, k] = draw(rng, T, e_perday[e, k])
            period[e] = -1
            run_len[e] = 0
            mult[e] = 1.0
            next_switch[e] = -1
            if e_nreg[e] > 0:
                regime[e] = e_start[e]
                mult[e] = draw(rng, T, r_mult[e, regime[e]])
                next_switch[e] = max(count(rng, T, r_dur[e, regime[e]]), 1)
        for t in range(nt):
            share[t] = draw(rng, T, t_share[t]) if t_share_kind[t] else 0.0
            next_dispatch[t] = t_first[t] if t_first[t] <= t_last[t] else -1
        for p in range(npol):
            s_pt[p] = count(rng, T, p_s[p])
            S_pt[p] = max(count(rng, T, p_S[p]), s_pt[p])
            on_order[p] = 0
            next_review[p] = p_first[p]
        for day in range(days):
            # arrivals
            for s in range(ns):
                stock[s] += ledger[day, s]
            for p in range(npol):
                on_order[p] -= deliv[day, p]
            # state changes: repairs, breakdowns, regime switches
            for f in range(nf):
                if f_dis[f]:
                    if down[f] and day == up_day[f]:
                        down[f] = False
                        next_down[f] = day + max(count(rng, T, d_every[f]), 1)
                    elif not down[f] and day == next_down[f]:
                        down[f] = True
                        loss[f] = min(max(draw(rng, T, d_loss[f]), 0.0), 1.0)
                        up_day[f] = day + max(count(rng, T, d_repair[f]), 1)
            for e in range(ne):
                if day == next_switch[e]:
                    u = rng.random()
                    r = regime[e]
                    j = 0
                    while j < r_nnext[e, r] - 1 and u >= r_cum[e, r, j]:
                        j += 1
                    regime[e] = r_next[e, r, j]
                    mult[e] = draw(rng, T, r_mult[e, regime[e]])
                    next_switch[e] = day + max(count(rng, T, r_dur[e, regime[e]]), 1)
            # production
            for f in range(nf):
                rate = level(level0[f], f_nm[f], rise, begin, denom, done, f, day)
                if down[f]:
                    rate *= 1.0 - loss[f]
                carry[f] += max(rate * draw(rng, T, f_factor[f]), 0.0)
                out = math.floor(carry[f])
                carry[f] -= out
                s = f_series[f]
                stock[s] += np.int64(out)
                tot[3, s, i] += np.int64(out)
            # consumption
            for e in range(ne):
                while period[e] + 1 < e_nper[e] and e_from[e, period[e] + 1] <= day:
                    period[e] += 1
                need = 0
                if period[e] >= 0:
                    mean = max(means[e, period[e]], 0.0) * mult[e]
                    if mean > 0.0:
                        if e_k[e] > 0.0:
                            mean = mean * rng.gamma(e_k[e], 1.0) / e_k[e]
                        need = rng.poisson(mean)
                s = e_series[e]
                fire = min(need, stock[s])
                stock[s] -= fire
                fr[0, e, i] += need
                fr[1, e, i] += fire
                if fire < need:
                    fr[2, e, i] += 1
                    if run_len[e] == 0:
                        fr[3, e, i] += 1
                    run_len[e] += 1
                    fr[4, e, i] = max(fr[4, e, i], run_len[e])
                else:
                    run_len[e] = 0
            # dispatches
            for t in range(nt):
                if day == next_dispatch[t]:
                    a = t_src[t]
                    available = max(stock[a] - t_keep[t] * floor[a], 0)
                    if t_share_kind[t]:
                        qty = min(np.int64(math.floor(share[t] * available)), available)
                    else:
                        qty = min(count(rng, T, t_qty[t]), available)
                    arrival = day + max(count(rng, T, t_transit[t]), 1)
                    stock[a] -= qty
                    tot[6, a, i] += qty
                    if arrival < days:
                        ledger[arrival, t_dst[t]] += qty
                        tot[5, t_dst[t], i] += qty
                    next_dispatch[t] = day + t_every[t] if day + t_every[t] <= t_last[t] else -1
            # reviews
            for p in range(npol):
                if day == next_review[p]:
                    s = p_series[p]
                    position = stock[s] + on_order[p]
                    lead = max(count(rng, T, p_lead[p]), 1)
                    if position <= s_pt[p]:
                        qty = S_pt[p] - position
                        on_order[p] += qty
                        if day + lead < days:
                            ledger[day + lead, s] += qty
                            deliv[day + lead, p] += qty
                            tot[4, s, i] += qty
                    next_review[p] = day + p_every[p]
            # recording
            for s in range(ns):
                tot[2, s, i] = min(tot[2, s, i], stock[s])
        for s in range(ns):
            tot[1, s, i] = stock[s]
    return tot, fr


def arrays(sc: dn.Scenario):
    """The scenario as the flat arrays `run` takes."""
    idx, ns = sc.index, len(sc.keys)
    table = []  # every distribution's row; the arrays below hold row indices

    def enc(ds, shape):
        table.extend(encode(d) for d in ds)
        return np.arange(len(table) - len(ds), len(table), dtype=np.int64).reshape(shape)

    ser = [sc.series[k] for k in sc.keys]
    fs = sc.factories
    nf, mmax = len(fs), max([len(f["milestones"]) for f in fs] + [1])
    fixed0 = dn.Dist(0, dn.DAYS, "")
    pad = lambda ms, i: [m[i] for m in ms] + [fixed0] * (mmax - len(ms))  # noqa: E731
    dis = [f["disruption"] or {"every": fixed0, "repair": fixed0, "loss": fixed0} for f in fs]
    es = sc.demand
    ne = len(es)
    pmax = max([len(e["periods"]) for e in es] + [1])
    rmax = max([len(e["regimes"]) for e in es] + [1])
    e_from = np.full((ne, pmax), 1 << 40, dtype=np.int64)
    e_perday = np.zeros((ne, pmax), dtype=np.int64)
    r_mult, r_dur = np.zeros((ne, rmax), dtype=np.int64), np.zeros((ne, rmax), dtype=np.int64)
    r_nnext = np.zeros((ne, rmax), dtype=np.int64)
    r_next = np.zeros((ne, rmax, rmax), dtype=np.int64)
    r_cum = np.ones((ne, rmax, rmax))
    for e, d in enumerate(es):
        for k, (day, dist) in enumerate(d["periods"]):
            e_from[e, k], e_perday[e, k] = day, enc([dist], (1,))[0]
        for r, reg in enumerate(d["regimes"]):
            r_mult[e, r], r_dur[e, r] = enc([reg["multiplier"], reg["duration"]], (2,))
            r_nnext[e, r] = len(reg["next"])
            r_next[e, r, :len(reg["next"])] = reg["next"]
            r_cum[e, r, :len(reg["next"])] = reg["cumulative"]
    ts = sc.transfers
    zero = dn.Dist(0, dn.QUANTITY, "")
    ps = sc.policies
    rest = (
        enc([s["initial"] for s in ser], (ns,)), enc([s["floor"] for s in ser], (ns,)),
        np.array([idx[f["series"]] for f in fs], dtype=np.int64), enc([f["initial"] for f in fs], (nf,)),
        enc([f["factor"] for f in fs], (nf,)), np.array([len(f["milestones"]) for f in fs], dtype=np.int64),
        np.array([[m[0] for m in f["milestones"]] + [0] * (mmax - len(f["milestones"])) for f in fs],
                 dtype=np.float64).reshape(nf, mmax),
        enc([x for f in fs for x in pad(f["milestones"], 2)], (nf, mmax)),
        enc([x for f in fs for x in pad(f["milestones"], 3)], (nf, mmax)),
        enc([x for f in fs for x in pad(f["milestones"], 4)], (nf, mmax)),
        np.array([f["disruption"] is not None for f in fs], dtype=np.bool_),
        enc([d["every"] for d in dis], (nf,)), enc([d["repair"] for d in dis], (nf,)),
        enc([d["loss"] for d in dis], (nf,)),
        np.array([idx[d["series"]] for d in es], dtype=np.int64),
        np.array([d["dispersion"] or 0.0 for d in es], dtype=np.float64),
        np.array([len(d["periods"]) for d in es], dtype=np.int64), e_from, e_perday,
        np.array([len(d["regimes"]) for d in es], dtype=np.int64),
        np.array([d["start_regime"] for d in es], dtype=np.int64), r_mult, r_dur, r_nnext, r_next, r_cum,
        np.array([idx[t["from"]] for t in ts], dtype=np.int64), np.array([idx[t["to"]] for t in ts], dtype=np.int64),
        np.array([0 if t["below_floor"] else 1 for t in ts], dtype=np.int64),
        np.array([t["share"] is not None for t in ts], dtype=np.bool_),
        enc([t["quantity"] or zero for t in ts], (len(ts),)), enc([t["share"] or zero for t in ts], (len(ts),)),
        enc([t["transit"] for t in ts], (len(ts),)),
        np.array([t["days"][0] if t["days"] else 1 for t in ts], dtype=np.int64),
        np.array([t["days"][1] - t["days"][0] if len(t["days"]) > 1 else 1 for t in ts], dtype=np.int64),
        np.array([t["days"][-1] if t["days"] else 0 for t in ts], dtype=np.int64),
        np.array([idx[p["series"]] for p in ps], dtype=np.int64), enc([p["reorder_point"] for p in ps], (len(ps),)),
        enc([p["target"] for p in ps], (len(ps),)), np.array([p["first_review"] for p in ps], dtype=np.int64),
        np.array([p["review_days"] for p in ps], dtype=np.int64), enc([p["lead"] for p in ps], (len(ps),)),
    )
    return (np.array(table),) + rest


def simulate(path: str, trials: int, seed: int | None = None):
    """Like drawdown_numpy.simulate: (rows, {"wall", "cpu"}, scenario); compilation
    (a two-trial warm-up run) is excluded from the timing."""
    sc = dn.Scenario(path)
    seed = sc.seed if seed is None else seed
    args = arrays(sc)
    table, args = args[0], args[1:]
    run(np.random.default_rng(0), table, 2, sc.days, *args)  # compile
    rng = np.random.Generator(np.random.SFC64(seed))
    t0, c0 = time.perf_counter(), time.process_time()
    tot, fr = run(rng, table, trials, sc.days, *args)
    out = {"depleted": tot[2] <= tot[7], "initial": tot[0], "final": tot[1], "min_stock": tot[2],
           "produced": tot[3], "delivered": tot[4], "received": tot[5], "sent": tot[6], "fronts": {}}
    for e, d in enumerate(sc.demand):
        out["fronts"][sc.index[d["series"]]] = {
            "demanded": fr[0, e], "consumed": fr[1, e], "unmet": fr[0, e] - fr[1, e],
            "shortage_days": fr[2, e], "shortage_episodes": fr[3, e], "longest_shortage": fr[4, e]}
    rows = dn.summarise(sc, out, trials)
    return rows, {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0}, sc


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario", help="scenario TOML (benches/twin/twin.toml)")
    ap.add_argument("--trials", "-n", type=int, default=20000)
    ap.add_argument("--seed", "-s", type=int, default=None, help="master seed (default: the scenario's)")
    args = ap.parse_args(argv)
    try:
        rows, timing, sc = simulate(args.scenario, args.trials, args.seed)
    except dn.Unsupported as e:
        sys.exit(f"drawdown_numba: {args.scenario}: {e}")
    print(f"numba model of '{sc.name}': {args.trials} trials, {sc.days} days, one core")
    for nation, item, metric, est, lo, hi in rows:
        fmt = "{:.4f}" if metric in ("p_depleted", "fill_rate") else "{:.1f}"
        print(f"{nation + '.' + item:<22} {metric:<24} {fmt.format(est):>14}  [{fmt.format(lo)}, {fmt.format(hi)}]")
    cpu, wall = timing["cpu"], timing["wall"]
    print(f"wall time {wall:.2f} s, CPU time {cpu:.2f} s ({args.trials / cpu:.1f} trials/s, "
          f"{1000 * cpu / args.trials:.4f} ms per trial; compilation excluded)")


if __name__ == "__main__":
    main()
