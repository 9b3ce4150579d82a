#!/usr/bin/env python3
"""Checks drawdown's memory estimate against the peak RSS of real runs.

Before a run starts, drawdown estimates its peak memory and refuses the run when the
estimate is above the limit (--max-memory, half the physical memory by default). The
estimate is meant as an upper bound, not far above the truth: too low and a run that
cannot fit starts anyway; far too high and a run that fits is refused.

The same holds for `rank`, `tornado` and `sobol`, which keep per-trial values and a
design besides the run's own memory, and for `merge` (its shards are written first). For each case this script asks drawdown for its
estimate (the command with --max-memory 1K, which is refused with the estimate in its
message), then runs the case
for real and reads its peak RSS (getrusage of the child, one child per Python
process). It prints both and their ratio, and exits 1 if a peak is above its estimate,
or an estimate more than --max-ratio (default 4) times its peak.

    python3 benches/memory_estimate.py --bin target/release/drawdown           # CI's cases
    python3 benches/memory_estimate.py --bin target/release/drawdown --full    # more, larger
"""

import argparse
import os
import re
import resource
import shlex
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "configs", "example.toml")
NATO = os.path.join(ROOT, "benches", "nato.toml")
TWIN = os.path.join(ROOT, "benches", "twin", "twin.toml")

# (label, arguments of `drawdown run`, or of another command when they start with one):
# the default scenario unless a file is given.
QUICK = [
    ("example, 10 000 trials", f"{EXAMPLE} -n 10000"),
    ("default, weekly, 2 000 trials, -j 2", "-n 2000 -j 2"),
    ("default, daily, 1 000 trials, -j 1", "-n 1000 --step 1 -j 1"),
    ("default, weekly, 2 000 trials, -j 8", "-n 2000 -j 8"),
    ("default, weekly, 4 000 trials, --xlsx", "-n 4000 --xlsx"),
    ("default, daily, 500 trials, --xlsx --plots", "-n 500 --step 1 --xlsx --plots"),
    ("NATO-wide, 1 000 trials, -j 2", f"{NATO} -n 1000 -j 2"),
    ("default, daily, 1 000 trials, a shard (partial.json)", "-n 1000 --step 1 --shard 1/1"),
    ("rank, default, 4 000 trials (151 inputs)", "rank -n 4000"),
    ("tornado, default, 20 trials a bar end (6 060)", "tornado -n 20"),
    ("sobol, default, 8 base rows, 2 replicates", "sobol -N 8 -r 2"),
    ("merge of 4 shards, default, daily, 1 000 trials", "merge 4 -n 1000 --step 1"),
]
FULL = QUICK + [
    ("example, 1 000 000 trials", f"{EXAMPLE} -n 1000000"),
    ("default, weekly, 10 000 trials", "-n 10000"),
    ("default, weekly, 100 000 trials, -j 2", "-n 100000 -j 2"),
    ("default, daily, 10 000 trials, -j 2", "-n 10000 --step 1 -j 2"),
    ("default, weekly, 10 000 trials, --xlsx", "-n 10000 --xlsx"),
    ("default, daily, 2 000 trials, --xlsx", "-n 2000 --step 1 --xlsx"),
    ("NATO-wide, 10 000 trials, -j 2", f"{NATO} -n 10000 -j 2"),
    ("NATO-wide, 2 000 trials, --xlsx", f"{NATO} -n 2000 --xlsx"),
    ("twin, 20 000 trials", f"{TWIN} -n 20000"),
    ("rank, default, 40 000 trials", "rank -n 40000"),
    ("tornado, default, 400 trials a bar end (121 200)", "tornado -n 400"),
    ("sobol, default, 128 base rows, 2 replicates", "sobol -N 128 -r 2"),
    ("merge of 4 shards, default, daily, 4 000 trials", "merge 4 -n 4000 --step 1"),
    ("merge of 8 shards, default, 8 000 trials, --xlsx", "merge 8 -n 8000 --xlsx"),
]

COMMANDS = ("run", "rank", "tornado", "sobol")


def command(args):
    """The command and its arguments: `run` unless the case names another. A merge case,
    `merge K RUN-ARGS`, merges the K shards that `prepare` wrote."""
    if args and args[0] == "merge":
        return ["merge"], [os.path.join(SHARDS, f"s{k}") for k in range(1, int(args[1]) + 1)]
    if args and args[0] in COMMANDS:
        return args[:1], args[1:]
    return ["run"], args


# Where a merge case's shards are written: a folder of main()'s temporary folder.
SHARDS = ""


def prepare(binary, args):
    """For a merge case, `merge K RUN-ARGS`: writes the run's K shards."""
    if not args or args[0] != "merge":
        return
    shards = int(args[1])
    for k in range(1, shards + 1):
        r = subprocess.run(
            [binary, "run", *args[2:], "--shard", f"{k}/{shards}", "-q", "--force",
             "-o", os.path.join(SHARDS, f"s{k}")],
            capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"memory_estimate.py: a shard failed: {r.stderr.strip()}")

UNITS = {"bytes": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30}


def estimate(binary, args, out):
    """drawdown's estimate [bytes], read from the message of a refused run."""
    cmd, args = command(args)
    r = subprocess.run(
        [binary, *cmd, *args, "-q", "-o", out, "--max-memory", "1K"],
        capture_output=True,
        text=True,
    )
    m = re.search(r"would need about ([0-9.]+) (bytes|KiB|MiB|GiB)", r.stderr)
    if r.returncode != 2 or not m:
        sys.exit(f"memory_estimate.py: expected a refusal with an estimate, got exit "
                 f"{r.returncode}: {r.stderr.strip()}")
    return float(m.group(1)) * UNITS[m.group(2)]


def peak_rss(binary, args, out):
    """Peak RSS [bytes] of one real run, measured in a Python child of its own."""
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    cmd, args = command(args)
    r = subprocess.run(
        [sys.executable, "-c", probe, binary, *cmd, *args, "-q", "-o", out, "--force"],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        sys.exit(f"memory_estimate.py: the run failed: {r.stderr.strip()}")
    return int(r.stdout.strip()) * 1024  # Linux reports kilobytes


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bin", required=True, help="the drawdown binary")
    p.add_argument("--full", action="store_true", help="more and larger cases (minutes)")
    p.add_argument("--max-ratio", type=float, default=4.0,
                   help="largest estimate / peak accepted (default 4)")
    a = p.parse_args()
    failed = []
    print(f"{'case':52s} {'peak RSS':>10s} {'estimate':>10s} {'ratio':>6s}")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        global SHARDS
        SHARDS = os.path.join(tmp, "shards")
        for label, spec in FULL if a.full else QUICK:
            args = shlex.split(spec)
            prepare(a.bin, args)
            est = estimate(a.bin, args, out)
            rss = peak_rss(a.bin, args, out)
            ratio = est / rss
            verdict = ""
            if rss > est:
                verdict = "  BELOW THE PEAK"
                failed.append(label)
            elif ratio > a.max_ratio:
                verdict = f"  ABOVE {a.max_ratio:g}x THE PEAK"
                failed.append(label)
            print(f"{label:52s} {rss / 1e6:8.1f} MB {est / 1e6:8.1f} MB {ratio:6.2f}{verdict}",
                  flush=True)
    if failed:
        print(f"memory estimate off for: {', '.join(failed)}", file=sys.stderr)
        return 1
    print("every estimate is above its peak and within the ratio")
    return 0


if __name__ == "__main__":
    sys.exit(main())
