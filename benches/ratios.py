#!/usr/bin/env python3
"""Print the benchmark ratios of issue 4 from criterion's last results, each against its
target: engine vs BinaryHeap on the hold model, the share of a trial spent outside
drawing random numbers ((one trial - its random-number floor) / one trial), and the
in-process parallel speed-up.

    cargo bench --bench hold_model && cargo bench --bench trial
    python3 benches/ratios.py

Reads the median of each benchmark from `$CARGO_TARGET_DIR/criterion` (default
`target/criterion`). Ratios are only meaningful between results of the same session on
the same machine. Benchmarks that have not been run are reported as missing. Exits 1
if a measured ratio misses its target.
"""

import json
import os
import sys

BASE = os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "criterion")


def median(path):
    """Median time in ns of one benchmark, or None when it has not been run."""
    try:
        with open(os.path.join(BASE, path, "new", "estimates.json")) as f:
            return json.load(f)["median"]["point_estimate"]
    except FileNotFoundError:
        return None


def main():
    rows = []  # (what, ratio or None, target text, met or None)

    for k in ("10", "1000", "100000"):
        engine, heap = median(f"hold/engine/{k}"), median(f"hold/binary_heap/{k}")
        ratio = engine / heap if engine and heap else None
        rows.append((f"hold model K={k}: engine / BinaryHeap", ratio, "<= 1.3",
                     None if ratio is None else ratio <= 1.3))

    for scenario in ("default", "example", "twin"):
        one, floor = median(f"trial/one_trial/{scenario}"), median(f"trial/rng_floor/{scenario}")
        # The work outside sampling, as a share of a trial: (one trial - floor) / one trial
        # (issue 14 item 3; it replaced "one trial <= 1.5x its floor", which a faster
        # floor makes worse).
        share = (one - floor) / one if one and floor else None
        target = scenario == "default"
        rows.append((f"work outside sampling / trial ({scenario})", share,
                     "<= 0.40" if target else "",
                     None if share is None or not target else share <= 0.40))
        if one and floor:
            rows.append((f"  (one trial / RNG floor, {scenario})", one / floor, "", None))

    threads_dir = os.path.join(BASE, "monte_carlo", "threads")
    counts = sorted(int(d) for d in os.listdir(threads_dir) if d.isdigit()) if os.path.isdir(threads_dir) else []
    if len(counts) >= 2:
        one, many = median("monte_carlo/threads/1"), median(f"monte_carlo/threads/{counts[-1]}")
        speedup = one / many if one and many else None
        efficiency = None if speedup is None else speedup / counts[-1]
        rows.append((f"speed-up {counts[-1]} threads / 1 (efficiency)", speedup,
                     ">= 0.9 efficiency", None if efficiency is None else efficiency >= 0.9))
        bare = median("monte_carlo/trials_only/1")
        if one and bare:
            rows.append(("runner / bare trials, 1 thread", one / bare, "", None))
    else:
        rows.append(("speed-up all threads / 1", None, ">= 0.9 efficiency", None))

    missed = False
    for what, ratio, target, met in rows:
        value = "missing (not run)" if ratio is None else f"{ratio:.2f}"
        verdict = "" if met is None else ("met" if met else "NOT MET")
        print(f"{what:48s} {value:>18s}  {target:18s} {verdict}")
        missed |= met is False
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
