#!/usr/bin/env python3
"""CPU time of the profile-guided build (tools/build-pgo.sh) against the plain release
build, on the numpy twin's scenario and the default, in alternating rounds, after
checking that both write the same bytes.

    python3 benches/pgo.py                      # builds both, 10 rounds
    python3 benches/pgo.py --rounds 16 --plain target/release/drawdown --pgo target/pgo/drawdown

Without --plain / --pgo it builds them (`cargo build --release`, then
tools/build-pgo.sh: two more release builds, a few minutes). Each round runs every
scenario once with each binary, `drawdown run -j 1`, every output file written; the
order of the two binaries alternates from round to round, so both see the same machine
load. CPU time (user + system) comes from getrusage of the child. Prints, per scenario,
the fastest and the median round of each binary and their ratios (PGO / plain; below 1
is faster): on a shared machine noise only ever adds time, so the fastest is the
steadier figure. Exits 1 if the two builds' output files differ.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = [  # (label, scenario argument or None for the embedded default, trials)
    ("twin", str(REPO / "benches" / "twin" / "twin.toml"), 3000),
    ("default", None, 1000),
]


def build() -> tuple[str, str]:
    """Builds the plain and the PGO binary; returns their paths."""
    # Both builds run from the repository's root, so a relative target folder is there.
    target = REPO / os.environ.get("CARGO_TARGET_DIR", "target")
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "drawdown"], cwd=REPO, check=True)
    subprocess.run([str(REPO / "tools" / "build-pgo.sh")], cwd=REPO, check=True)
    return str(target / "release" / "drawdown"), str(target / "pgo" / "drawdown")


def run(binary: str, scenario: str | None, trials: int, out: Path) -> float:
    """One `drawdown run -j 1` into `out`; returns its CPU seconds."""
    cmd = [binary, "run"] + ([scenario] if scenario else []) + [
        "-n", str(trials), "-j", "1", "-q", "-o", str(out), "--force"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def same_outputs(a: Path, b: Path) -> list[str]:
    """The CSV files that differ between two result folders (or are in only one)."""
    names = sorted({p.name for p in a.glob("*.csv")} | {p.name for p in b.glob("*.csv")})
    return [n for n in names
            if not ((a / n).is_file() and (b / n).is_file() and filecmp.cmp(a / n, b / n, shallow=False))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plain", help="the plain release binary (default: build it)")
    ap.add_argument("--pgo", help="the PGO binary (default: build it with tools/build-pgo.sh)")
    ap.add_argument("--rounds", type=int, default=10, help="alternating rounds (default 10)")
    args = ap.parse_args(argv)
    if (args.plain is None) != (args.pgo is None):
        ap.error("give both --plain and --pgo, or neither")
    plain, pgo = (args.plain, args.pgo) if args.plain else build()
    for b in (plain, pgo):
        if not Path(b).is_file():
            ap.error(f"no binary at {b}")

    with tempfile.TemporaryDirectory(prefix="drawdown-pgo-") as tmp:
        tmp = Path(tmp)
        differ = False
        for label, scenario, trials in SCENARIOS:
            run(plain, scenario, trials, tmp / "plain")
            run(pgo, scenario, trials, tmp / "pgo")
            bad = same_outputs(tmp / "plain", tmp / "pgo")
            print(f"{label}: output files {'DIFFER: ' + ', '.join(bad) if bad else 'identical'}")
            differ |= bool(bad)
        if differ:
            return 1

        times = {(label, b): [] for label, _, _ in SCENARIOS for b in ("plain", "pgo")}
        for r in range(max(1, args.rounds)):
            order = [("plain", plain), ("pgo", pgo)]
            if r % 2:
                order.reverse()
            for label, scenario, trials in SCENARIOS:
                for name, binary in order:
                    times[(label, name)].append(run(binary, scenario, trials, tmp / name))

    print(f"\nCPU seconds of `drawdown run -j 1`, {max(1, args.rounds)} alternating rounds")
    print(f"{'scenario':<10} {'trials':>7} {'plain min':>10} {'pgo min':>10} {'ratio':>6}"
          f" {'plain med':>10} {'pgo med':>10} {'ratio':>6}")
    for label, _, trials in SCENARIOS:
        p, g = times[(label, "plain")], times[(label, "pgo")]
        print(f"{label:<10} {trials:>7} {min(p):>10.3f} {min(g):>10.3f} {min(g) / min(p):>6.3f}"
              f" {statistics.median(p):>10.3f} {statistics.median(g):>10.3f}"
              f" {statistics.median(g) / statistics.median(p):>6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
