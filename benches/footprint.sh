#!/usr/bin/env bash
# Memory per series and reporting day, and its growth with threads (issue 12).
#
#   benches/footprint.sh [SCENARIO] [TRIALS] [BASELINE_BINARY]
#
# Runs SCENARIO (default: the embedded default scenario) for TRIALS trials (default
# 10 000) with daily reporting (--step 1) and four-weekly reporting (--step 28), at
# --threads 1 and 2, under /usr/bin/time -v, and prints the peak RSS of each run, the
# bytes per series and reporting day (the RSS difference between daily and four-weekly
# reporting over the difference in series-days), and RSS(-j 2) / RSS(-j 1). With a
# BASELINE_BINARY (e.g. an older build) the same runs are made with it too, in the same
# session, so the two can be compared as ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-}
trials=${2:-10000}
baseline=${3:-}
target_dir="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet --bin drawdown
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rss() { # BIN STEP THREADS -> peak RSS in kB
    local args=(run)
    [[ -n "$scenario" ]] && args+=("$scenario")
    args+=(-n "$trials" --step "$2" --threads "$3" -q -o "$tmp/out")
    /usr/bin/time -v -o "$tmp/time" "$1" "${args[@]}" >/dev/null
    rm -rf "$tmp/out"
    awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time"
}

bins=("$target_dir/release/drawdown")
[[ -n "$baseline" ]] && bins+=("$baseline")
# Series and horizon, from `drawdown check`.
args=(check); [[ -n "$scenario" ]] && args+=("$scenario")
info=$("${bins[0]}" "${args[@]}")
days=$(sed -n 's/^horizon: .*(\([0-9]*\) days)$/\1/p' <<< "$info")
series=$(sed -n 's/^stocks (\([0-9]*\) nation .*/\1/p' <<< "$info")
echo "scenario ${scenario:-<default>}, $trials trials, $series series, horizon $days days"
printf '%-40s %12s %12s %12s %12s %14s %10s\n' binary 'j1 step1 MB' 'j1 step28 MB' 'j2 step1 MB' 'j2 step28 MB' 'B/series-day' 'j2/j1'
for bin in "${bins[@]}"; do
    a=$(rss "$bin" 1 1); b=$(rss "$bin" 28 1); c=$(rss "$bin" 1 2); d=$(rss "$bin" 28 2)
    awk -v n="$bin" -v a="$a" -v b="$b" -v c="$c" -v d="$d" -v s="$series" -v days="$days" 'BEGIN {
        per = sprintf("%.0f", (a - b) * 1024 / (s * (days - days / 28)));
        printf "%-40s %12.1f %12.1f %12.1f %12.1f %14s %10.2f\n", n, a/1024, b/1024, c/1024, d/1024, per, c / a }'
done
