#!/usr/bin/env bash
# End-to-end speed of `drawdown run` on one thread and on all cores, as a user runs it
# (parsing, trials, aggregation, every output file): trials per second and the parallel
# speed-up. Target (DESIGN.md §7, issue 4): efficiency >= 0.9 on 2 cores.
#
#   benches/speedup.sh                       # default scenario, 10 000 trials, 3 rounds
#   benches/speedup.sh -n 20000 -r 5         # more trials, more rounds
#   benches/speedup.sh configs/example.toml -n 100000
#
# Builds the release binary (in $CARGO_TARGET_DIR if set, else ./target). Each round runs
# `-j 1` then `-j N` (N = all cores) back to back, so both see the same machine load;
# the fastest wall time of each is kept, because on a shared machine noise only ever adds
# time. Prints both, the trials per second, the speed-up and the efficiency (speed-up / N).
# Exits 1 if the efficiency is below 0.9.
set -euo pipefail

TRIALS=10000
ROUNDS=3
SCENARIO=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        -n) TRIALS="$2"; shift 2 ;;
        -r) ROUNDS="$2"; shift 2 ;;
        -h | --help)
            sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        -*)
            echo "speedup.sh: unknown option '$1' (expected -n TRIALS, -r ROUNDS, a scenario file or --help)" >&2
            exit 2
            ;;
        *) SCENARIO=("$1"); shift ;;
    esac
done

cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet --bin drawdown
bin="$target_dir/release/drawdown"
cores="$(nproc)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# calc EXPRESSION -> prints its value (awk: no bc needed)
calc() { awk "BEGIN { print ($1) }"; }

# wall THREADS -> prints the wall seconds of one run
wall() {
    local start end
    start="$(date +%s.%N)"
    "$bin" run ${SCENARIO[@]+"${SCENARIO[@]}"} -n "$TRIALS" -o "$tmp/out" -q --threads "$1"
    end="$(date +%s.%N)"
    calc "$end - $start"
}

best1="" bestn=""
for ((round = 1; round <= ROUNDS; round++)); do
    t1="$(wall 1)"
    tn="$(wall "$cores")"
    printf 'round %d: -j 1 %.2f s, -j %d %.2f s\n' "$round" "$t1" "$cores" "$tn"
    if [[ -z "$best1" || "$(calc "$t1 < $best1")" == 1 ]]; then best1="$t1"; fi
    if [[ -z "$bestn" || "$(calc "$tn < $bestn")" == 1 ]]; then bestn="$tn"; fi
done

speedup="$(calc "$best1 / $bestn")"
efficiency="$(calc "$speedup / $cores")"
printf '\nscenario %s, %d trials, fastest of %d rounds\n' "${SCENARIO[0]:-(default)}" "$TRIALS" "$ROUNDS"
printf '  1 thread:   %.2f s  (%.0f trials/s)\n' "$best1" "$(calc "$TRIALS / $best1")"
printf '  %d threads:  %.2f s  (%.0f trials/s)\n' "$cores" "$bestn" "$(calc "$TRIALS / $bestn")"
printf '  speed-up %.2f, efficiency %.2f (target >= 0.9)\n' "$speedup" "$efficiency"
[[ "$(calc "$efficiency >= 0.9")" == 1 ]]
