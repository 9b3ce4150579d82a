#!/usr/bin/env python3
"""Runs drawdown (Rust, one thread) and the SimPy model of the same scenario in one go
and prints their summary statistics side by side, whether they agree, and the speed.

    CARGO_TARGET_DIR=/work/target-simpy cargo build --release      # or plain cargo build --release
    python3 benches/simpy/compare.py --rust-bin /work/target-simpy/release/drawdown

Agreement of a metric: |a - b| <= 1.96 * sqrt(se_a^2 + se_b^2), each standard error taken
from its 95 % interval as half-width / 1.96. At 95 % an honest pair of implementations
still "disagrees" on about 1 metric in 20 by chance, so the script prints the count of
disagreements rather than failing; it always exits 0 once both runs succeed.

Speed: Rust trials/s is N over the wall time of the whole `drawdown run` process
(start-up, parsing and writing the result folder included, `--threads 1`); SimPy
trials/s is N over the trial loop only (interpreter start, imports and parsing
excluded). Both choices favour SimPy.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

import drawdown_simpy  # noqa: E402

Z95 = 1.959963984540054
PRIMARY = ["p_depleted", "final_stock_mean", "unmet_mean", "fill_rate"]
SECONDARY = ["initial_stock_mean", "min_stock_mean", "produced_mean", "sent_mean",
             "received_mean", "demanded_mean", "consumed_mean"]


def default_bin() -> str:
    env = os.environ.get("DRAWDOWN_BIN")
    if env:
        return env
    for d in (os.environ.get("CARGO_TARGET_DIR"), REPO / "target"):
        if d and (Path(d) / "release" / "drawdown").exists():
            return str(Path(d) / "release" / "drawdown")
    return str(REPO / "target" / "release" / "drawdown")


def run_rust(binary: str, scenario: str, trials: int, seed: int | None):
    with tempfile.TemporaryDirectory(prefix="drawdown-compare-") as tmp:
        out = Path(tmp) / "run"
        cmd = [binary, "run", scenario, "-n", str(trials), "-o", str(out), "-q", "--threads", "1"]
        if seed is not None:
            cmd += ["--seed", str(seed)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if proc.returncode != 0:
            sys.exit(f"compare: {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
        rows = {}
        with open(out / "summary.csv", newline="") as fh:
            for r in csv.DictReader(fh):
                if r["estimate"] == "":
                    continue
                rows[(r["nation"], r["item"], r["metric"])] = (
                    float(r["estimate"]), float(r["ci_low"]), float(r["ci_high"]))
        manifest = json.loads((out / "manifest.json").read_text())
    return rows, {"wall": wall, "cpu": cpu}, manifest, cmd


def se_of(lo: float, hi: float) -> float:
    return (hi - lo) / 2.0 / Z95


def agree(a, b) -> tuple[bool, float]:
    """Whether two (estimate, lo, hi) agree; also the difference in combined se units."""
    se = math.sqrt(se_of(a[1], a[2]) ** 2 + se_of(b[1], b[2]) ** 2)
    diff = abs(a[0] - b[0])
    if se == 0.0:
        return diff == 0.0, 0.0 if diff == 0.0 else math.inf
    return diff <= Z95 * se, diff / se


def fmt(metric: str, x: float) -> str:
    return f"{x:.4f}" if metric in ("p_depleted", "fill_rate") else f"{x:,.0f}"


def table(title, metrics, rust, simpy, series):
    lines, bad, total = [], 0, 0
    head = f"{'series':<20} {'metric':<19} {'Rust estimate [95% CI]':>34} {'SimPy estimate [95% CI]':>34}  {'|d|/se':>6}  agree"
    lines += [title, head, "-" * len(head)]
    for key in series:
        for m in metrics:
            a, b = rust.get((*key, m)), simpy.get((*key, m))
            if a is None or b is None:
                continue
            ok, z = agree(a, b)
            total += 1
            bad += not ok
            ra = f"{fmt(m, a[0])} [{fmt(m, a[1])}, {fmt(m, a[2])}]"
            sb = f"{fmt(m, b[0])} [{fmt(m, b[1])}, {fmt(m, b[2])}]"
            zs = f"{z:6.2f}" if math.isfinite(z) else "   inf"
            lines.append(f"{key[0] + '.' + key[1]:<20} {m:<19} {ra:>34} {sb:>34}  {zs}  {'yes' if ok else 'NO  <--'}")
    return lines, bad, total


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario", nargs="?", default=str(REPO / "configs" / "example.toml"))
    ap.add_argument("--rust-bin", default=default_bin(),
                    help="drawdown binary (default: $DRAWDOWN_BIN, $CARGO_TARGET_DIR/release or target/release)")
    ap.add_argument("--trials-rust", type=int, default=20000)
    ap.add_argument("--trials-simpy", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=None, help="master seed for both (default: the scenario's)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="time each side this many times and keep the fastest (the same seed gives "
                         "the same results every time; default 1)")
    args = ap.parse_args(argv)
    if not Path(args.rust_bin).exists():
        sys.exit(f"compare: no drawdown binary at {args.rust_bin}; build it with `cargo build --release` "
                 "or pass --rust-bin")

    repeat = max(1, args.repeat)
    rust_t, simpy_t = [], []
    for k in range(repeat):
        tag = f" (repeat {k + 1}/{repeat})" if repeat > 1 else ""
        print(f"Rust:  {args.trials_rust} trials of {args.scenario} on 1 thread{tag} ...", flush=True)
        rust, timing, manifest, cmd = run_rust(args.rust_bin, args.scenario, args.trials_rust, args.seed)
        rust_t.append(timing)
        print(f"SimPy: {args.trials_simpy} trials on 1 core{tag} ...", flush=True)
        rows, timing, sc = drawdown_simpy.simulate(args.scenario, args.trials_simpy, args.seed)
        simpy_t.append(timing)
    best = lambda ts, key: min(t[key] for t in ts)  # noqa: E731
    simpy = {(n, i, m): (e, lo, hi) for n, i, m, e, lo, hi in rows}
    series = list(sc.series)

    print()
    print(f"scenario '{sc.name}' ({sc.days} days), seed {manifest.get('seed')}; "
          f"Rust n = {args.trials_rust}, SimPy n = {args.trials_simpy}")
    print(f"rust command: {' '.join(cmd)}")
    print()
    lines, bad, total = table("Summary statistics (the benchmark's metrics)", PRIMARY, rust, simpy, series)
    print("\n".join(lines))
    print()
    lines2, bad2, total2 = table("Diagnostics (other per-trial totals, same test)", SECONDARY, rust, simpy, series)
    print("\n".join(lines2))
    print()
    print(f"AGREEMENT: {total - bad}/{total} benchmark metrics agree within their combined 95% interval"
          + ("" if bad == 0 else f"; {bad} DISAGREE"))
    print(f"           {total2 - bad2}/{total2} diagnostic metrics agree"
          + ("" if bad2 == 0 else f"; {bad2} DISAGREE"))
    n_all = total + total2
    print(f"           (each test fails by chance 5% of the time: about {0.05 * n_all:.1f} of {n_all} "
          "expected to disagree with two correct implementations)")
    print()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else math.nan
    nr, ns = args.trials_rust, args.trials_simpy
    rw, rc, sw, scpu = best(rust_t, "wall"), best(rust_t, "cpu"), best(simpy_t, "wall"), best(simpy_t, "cpu")
    print(f"SPEED (one core each; fastest of {repeat}; {os.cpu_count()} CPUs, "
          f"load average {load:.2f} at the end)")
    print(f"  {'':<16} {'trials':>8} {'wall s':>9} {'trials/s':>10} {'CPU s':>9} {'trials/s':>10}")
    print(f"  {'Rust drawdown':<16} {nr:>8} {rw:>9.3f} {nr / rw:>10,.0f} {rc:>9.3f} {nr / rc:>10,.0f}"
          "   (whole process, --threads 1)")
    print(f"  {'SimPy model':<16} {ns:>8} {sw:>9.3f} {ns / sw:>10,.1f} {scpu:>9.3f} {ns / scpu:>10,.1f}"
          "   (trial loop only)")
    ratio_cpu, ratio_wall = (nr / rc) / (ns / scpu), (nr / rw) / (ns / sw)
    print(f"  RATIO per core: {ratio_cpu:,.0f}x by CPU time, {ratio_wall:,.0f}x by wall time "
          f"(target >= 100x: {'met' if ratio_cpu >= 100 else 'NOT met'} by CPU time)")
    if load > (os.cpu_count() or 1) * 0.75:
        print("  note: the machine was busy; wall times are inflated, CPU times are the fairer measure")


if __name__ == "__main__":
    main()
