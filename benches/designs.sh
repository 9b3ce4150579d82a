#!/usr/bin/env bash
# Throughput of the commands that run designs (sweep, tornado, sobol) against a plain
# `drawdown run` of the same scenario and the same number of trials, as a user runs them
# (every file written). Target (issue 10): each at least 0.9× the trials per second of
# `run` — points and rows must not pay repeated set-up or serial merges.
#
#   benches/designs.sh                      # default scenario, 2 000 trials, 3 rounds
#   benches/designs.sh -n 6000 -r 5
#
# Each round runs the four commands back to back, so all see the same machine load; the
# fastest wall time of each is kept (on a shared machine noise only adds time). Prints
# trials/s and the ratio to `run`; exits 1 if a ratio is below 0.9.
set -euo pipefail

TRIALS=2000
ROUNDS=3
while [[ $# -gt 0 ]]; do
    case "$1" in
        -n) TRIALS="$2"; shift 2 ;;
        -r) ROUNDS="$2"; shift 2 ;;
        -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "designs.sh: unknown option '$1' (expected -n TRIALS, -r ROUNDS or --help)" >&2; exit 2 ;;
    esac
done
cd "$(dirname "$0")/.."
cargo build --release -q
bin="${CARGO_TARGET_DIR:-target}/release/drawdown"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
half=$((TRIALS / 2))
third=$((TRIALS / 3))
# Each command simulates TRIALS trials (sweep: baseline + 1 point; tornado: baseline + 2
# rows; sobol: 2 factors → N × 4 rows × 2 replicates).
spec='nations.us.stock.shell_155.initial'
declare -A best cmd trials
cmd[run]="run -n $TRIALS -q -o $out/run"
trials[run]=$TRIALS
cmd[sweep]="sweep --vary $spec*=1,1.1 -n $half -q -o $out/sweep"
trials[sweep]=$((2 * half))
cmd[tornado]="tornado --vary $spec*=0.9,1.1 -n $third -q -o $out/tornado"
trials[tornado]=$((3 * third))
n_sobol=$((TRIALS / 8))
cmd[sobol]="sobol --vary $spec --vary transfers.eu_industry_share.share -N $n_sobol -r 2 -q -o $out/sobol"
trials[sobol]=$((n_sobol * 8))
for name in run sweep tornado sobol; do best[$name]=1000000000; done
for ((r = 1; r <= ROUNDS; r++)); do
    for name in run sweep tornado sobol; do
        start=$(date +%s.%N)
        # shellcheck disable=SC2086
        "$bin" ${cmd[$name]} --force
        best[$name]=$(awk -v s="$start" -v e="$(date +%s.%N)" -v b="${best[$name]}" 'BEGIN { t = e - s; print (t < b ? t : b) }')
    done
done
status=0
run_rate=$(awk -v n="${trials[run]}" -v t="${best[run]}" 'BEGIN { print n / t }')
printf '%-8s %8s %10s %8s\n' command trials trials/s ratio
for name in run sweep tornado sobol; do
    rate=$(awk -v n="${trials[$name]}" -v t="${best[$name]}" 'BEGIN { print n / t }')
    ratio=$(awk -v r="$rate" -v b="$run_rate" 'BEGIN { print r / b }')
    printf '%-8s %8d %10.1f %8.3f\n' "$name" "${trials[$name]}" "$rate" "$ratio"
    if awk -v r="$ratio" 'BEGIN { exit !(r < 0.9) }'; then status=1; fi
done
exit $status
