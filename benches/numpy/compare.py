#!/usr/bin/env python3
"""Runs drawdown (one thread) and the numpy twin on benches/twin/twin.toml and prints
their summary statistics side by side, whether they agree, and the speed per core.

    CARGO_TARGET_DIR=/work/target-numpy cargo build --release
    python3 benches/numpy/compare.py --rust-bin /work/target-numpy/release/drawdown --repeat 3

Agreement of a metric: |a - b| <= 1.96 * sqrt(se_a^2 + se_b^2), each standard error
taken from its 95 % interval (the Wilson interval's half-width for a probability, the
upper half-width for a mean or fill rate, whose lower bound drawdown clamps at 0).
Metrics that are the same constant on both sides (a donor without a factory produces
0, a floor that is always reached gives a min_stock of exactly the floor) are listed
but not counted. Two correct implementations still disagree on about 1 metric in 20,
and the metrics of one stock move together (one high draw of the front's need lifts
its demanded, consumed, unmet and final stock at once), so the share that agrees
varies more than a binomial count would. The verdict therefore uses a Bonferroni bound,
valid whatever the correlation: every counted metric must lie within z* combined
standard errors, z* = the normal quantile 1 - 0.01 / (2 m) for m counted metrics (a
1 % chance that two correct implementations fail; z* = 3.78 for m = 64). The share
within 1.96 standard errors is printed beside it. The script exits 1 when the verdict
fails.

Speed is per core, by CPU time: drawdown's is the whole `drawdown run -j 1` process
(start-up, parsing, aggregation and every output file, trials.csv included), from
getrusage(RUSAGE_CHILDREN); numpy's is the simulation and summary only (interpreter
start, imports and parsing excluded), from time.process_time(). Both choices favour
numpy. With --repeat R each side runs R times, interleaved, and the fastest is kept.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import resource
import subprocess
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

import drawdown_numpy  # noqa: E402

Z95 = 1.959963984540054
PRIMARY = ["p_depleted", "final_stock_mean", "unmet_mean", "fill_rate"]
SECONDARY = ["initial_stock_mean", "min_stock_mean", "produced_mean", "delivered_mean", "sent_mean",
             "received_mean", "demanded_mean", "consumed_mean", "shortage_days_mean",
             "shortage_episodes_mean", "longest_shortage_mean"]
FAMILY_ALPHA = 0.01  # chance that two correct implementations fail the verdict


def default_bin() -> str:
    env = os.environ.get("DRAWDOWN_BIN")
    if env:
        return env
    for d in (os.environ.get("CARGO_TARGET_DIR"), REPO / "target"):
        if d and (Path(d) / "release" / "drawdown").exists():
            return str(Path(d) / "release" / "drawdown")
    return str(REPO / "target" / "release" / "drawdown")


def run_drawdown(binary: str, scenario: str, trials: int, seed: int | None):
    """One `drawdown run -j 1`; returns (summary rows, timing, command)."""
    with tempfile.TemporaryDirectory(prefix="drawdown-numpy-") as tmp:
        out = Path(tmp) / "run"
        cmd = [binary, "run", scenario, "-n", str(trials), "-j", "1", "-q", "-o", str(out)]
        if seed is not None:
            cmd += ["--seed", str(seed)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            sys.exit(f"compare: {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        rows = {}
        with open(out / "summary.csv", newline="") as fh:
            for r in csv.DictReader(fh):
                # Depletion-day quantiles may have an open bound ("after the horizon").
                if "" not in (r["estimate"], r["ci_low"], r["ci_high"]):
                    rows[(r["nation"], r["item"], r["metric"])] = (
                        float(r["estimate"]), float(r["ci_low"]), float(r["ci_high"]))
    return rows, {"wall": wall, "cpu": cpu}, cmd


def se_of(metric: str, v) -> float:
    est, lo, hi = v
    if metric == "p_depleted":
        return (hi - lo) / 2.0 / Z95
    return max(hi - est, est - lo) / Z95


def compare(metric: str, a, b):
    """(|d|/se, agrees, constant): the difference in combined standard errors."""
    se = math.hypot(se_of(metric, a), se_of(metric, b))
    diff = abs(a[0] - b[0])
    if se == 0.0:
        return (0.0 if diff == 0.0 else math.inf), diff == 0.0, diff == 0.0
    return diff / se, diff <= Z95 * se, False


def fmt(metric: str, x: float) -> str:
    return f"{x:.4f}" if metric in ("p_depleted", "fill_rate") else f"{x:,.1f}" if x < 100 else f"{x:,.0f}"


def table(title, metrics, ours, theirs, series):
    """Prints one table; returns (counted, agreeing, worst |d|/se, constant)."""
    head = (f"{'series':<22} {'metric':<23} {'drawdown estimate [95% CI]':>38} "
            f"{'numpy estimate [95% CI]':>38}  {'|d|/se':>6}  agree")
    print(title)
    print(head)
    print("-" * len(head))
    counted = agreeing = constant = 0
    worst = 0.0
    for key in series:
        for m in metrics:
            a, b = ours.get((*key, m)), theirs.get((*key, m))
            if a is None or b is None:
                continue
            z, ok, const = compare(m, a, b)
            if const:
                constant += 1
                verdict = "constant"
            else:
                counted += 1
                agreeing += ok
                worst = max(worst, z)
                verdict = "yes" if ok else "NO  <--"
            sa = f"{fmt(m, a[0])} [{fmt(m, a[1])}, {fmt(m, a[2])}]"
            sb = f"{fmt(m, b[0])} [{fmt(m, b[1])}, {fmt(m, b[2])}]"
            zs = f"{z:6.2f}" if math.isfinite(z) else "   inf"
            print(f"{key[0] + '.' + key[1]:<22} {m:<23} {sa:>38} {sb:>38}  {zs}  {verdict}")
    print()
    return counted, agreeing, worst, constant


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario", nargs="?", default=str(REPO / "benches" / "twin" / "twin.toml"))
    ap.add_argument("--rust-bin", default=default_bin(),
                    help="drawdown binary (default: $DRAWDOWN_BIN, $CARGO_TARGET_DIR/release or target/release)")
    ap.add_argument("--trials-rust", type=int, default=20000, help="drawdown trials (default 20000)")
    ap.add_argument("--trials-numpy", type=int, default=20000, help="numpy trials (default 20000)")
    ap.add_argument("--chunk", type=int, default=drawdown_numpy.DEFAULT_CHUNK,
                    help=f"numpy trials per chunk (default {drawdown_numpy.DEFAULT_CHUNK})")
    ap.add_argument("--bitgen", default=drawdown_numpy.DEFAULT_BITGEN,
                    help=f"numpy bit generator (default {drawdown_numpy.DEFAULT_BITGEN})")
    ap.add_argument("--numba", action="store_true",
                    help="compare with drawdown_numba.py (the same model compiled with numba) instead")
    ap.add_argument("--seed", type=int, default=None, help="master seed for both (default: the scenario's)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run each side this many times, interleaved, and keep the fastest (default 1)")
    args = ap.parse_args(argv)
    if not Path(args.rust_bin).exists():
        sys.exit(f"compare: no drawdown binary at {args.rust_bin}; build it with `cargo build --release` "
                 "or pass --rust-bin")

    repeat = max(1, args.repeat)
    rust_t, numpy_t = [], []
    for k in range(repeat):
        tag = f" (repeat {k + 1}/{repeat})" if repeat > 1 else ""
        print(f"drawdown: {args.trials_rust} trials on 1 thread{tag} ...", flush=True)
        rust, timing, cmd = run_drawdown(args.rust_bin, args.scenario, args.trials_rust, args.seed)
        rust_t.append(timing)
        if args.numba:
            import drawdown_numba  # optional: needs numba

            print(f"numba:    {args.trials_numpy} trials{tag} ...", flush=True)
            rows, timing, sc = drawdown_numba.simulate(args.scenario, args.trials_numpy, args.seed)
        else:
            print(f"numpy:    {args.trials_numpy} trials in chunks of {args.chunk}{tag} ...", flush=True)
            rows, timing, sc = drawdown_numpy.simulate(args.scenario, args.trials_numpy, args.seed,
                                                       args.chunk, args.bitgen)
        numpy_t.append(timing)
    ours = {(n, i, m): (e, lo, hi) for n, i, m, e, lo, hi in rows}
    series = sc.keys

    print()
    other = "numba (one trial at a time)" if args.numba else f"numpy (chunks of {args.chunk}, {args.bitgen})"
    print(f"scenario '{sc.name}' ({sc.days} days, {len(series)} stocks), seed "
          f"{args.seed if args.seed is not None else sc.seed}; drawdown n = {args.trials_rust}, "
          f"{other} n = {args.trials_numpy}")
    print(f"drawdown command: {' '.join(cmd)}")
    print()
    c1, a1, w1, k1 = table("Summary statistics (the benchmark's metrics)", PRIMARY, rust, ours, series)
    c2, a2, w2, k2 = table("Diagnostics (other per-trial totals, same test)", SECONDARY, rust, ours, series)
    counted, agreeing, worst = c1 + c2, a1 + a2, max(w1, w2)
    bound = statistics.NormalDist().inv_cdf(1 - FAMILY_ALPHA / (2 * max(counted, 1)))
    passed = worst <= bound
    print(f"AGREEMENT: {a1}/{c1} benchmark metrics and {a2}/{c2} diagnostics agree within their combined "
          f"95% interval ({k1 + k2} constant on both sides, not counted):")
    print(f"           {agreeing}/{counted} = {100 * agreeing / max(counted, 1):.1f} % (about "
          f"{0.05 * counted:.1f} disagreements expected by chance, more when metrics move together)")
    print(f"           largest |d|/se {worst:.2f}; Bonferroni bound for {counted} metrics at a family-wise "
          f"{100 * FAMILY_ALPHA:.0f} %: {bound:.2f}")
    print(f"           verdict: {'AGREE' if passed else 'DISAGREE'}")
    print()

    best = lambda ts, key: min(t[key] for t in ts)  # noqa: E731
    nr, nn = args.trials_rust, args.trials_numpy
    rw, rc, nw, ncpu = best(rust_t, "wall"), best(rust_t, "cpu"), best(numpy_t, "wall"), best(numpy_t, "cpu")
    load = os.getloadavg()[0]
    print(f"SPEED (one core each; fastest of {repeat}; {os.cpu_count()} CPUs, load average {load:.2f} at the end)")
    print(f"  {'':<16} {'trials':>8} {'wall s':>9} {'CPU s':>9} {'trials/CPU-s':>13} {'ms CPU/trial':>13}")
    print(f"  {'drawdown -j 1':<16} {nr:>8} {rw:>9.3f} {rc:>9.3f} {nr / rc:>13,.0f} {1000 * rc / nr:>13.4f}"
          "   (whole process, every output file)")
    print(f"  {'numba model' if args.numba else 'numpy twin':<16} {nn:>8} {nw:>9.3f} {ncpu:>9.3f} {nn / ncpu:>13,.0f} {1000 * ncpu / nn:>13.4f}"
          "   (simulation and summary only" + ("; compilation excluded)" if args.numba else ")"))
    ratio_cpu, ratio_wall = (nr / rc) / (nn / ncpu), (nr / rw) / (nn / nw)
    print(f"  RATIO per core: drawdown is {ratio_cpu:.2f}x {'numba' if args.numba else 'numpy'} by CPU time ({ratio_wall:.2f}x by wall time; "
          f"issue 14 target >= 3x: {'met' if ratio_cpu >= 3 else 'NOT met'})")
    if load > (os.cpu_count() or 1) * 0.75:
        print("  note: the machine was busy; wall times are inflated, CPU times are the fairer measure")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
