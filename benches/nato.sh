#!/usr/bin/env bash
# The NATO-wide benchmark (issue 12 item 3): benches/nato.toml (32 allies, Ukraine,
# Russia, 4 items, 2022-2030) against the default scenario, in one run:
#   1. peak RSS of `drawdown run benches/nato.toml -n N --step 7` (weekly reporting) at
#      -j 1 and -j 2; targets: <= 300 MB, and RSS(-j 2) <= 1.1 x RSS(-j 1);
#   2. trials per second of nato and of the default scenario at the same trial count and
#      thread count, and the ratio nato / (default x series(default) / series(nato));
#      target: >= 0.8 (nato's cost per series no more than 1.25 x the default's).
#
#   benches/nato.sh               # 10 000 trials (~5 min on 2 idle cores)
#   benches/nato.sh -n 2000       # quicker, less precise
#
# Builds the release binary (in $CARGO_TARGET_DIR if set, else ./target), counts each
# scenario's series (nation x item stocks) from `drawdown check`, runs each case once
# under `/usr/bin/time -v` (installed with apt-get if missing) with its output in a
# temporary folder, and prints one row per run in the layout of benches/memory.sh
# (scenario, threads, trials, wall seconds, trials per second, CPU seconds (user + system),
# trials per CPU second, peak RSS in MB), then the figures against their targets. The
# speed ratio is given by wall time and by CPU time: on a shared, loaded machine the
# CPU-time ratio is the steadier one (other processes stretch wall time, not CPU time). It reports and never asserts: it exits 0 whether the
# targets are met or not (non-zero only if a run fails). One run per case gives both the
# time and the RSS (benches/speedup.sh's best-of-R rounds would double a 5-minute
# benchmark); on a shared machine compare figures from the same run only.
set -euo pipefail

TRIALS=10000
while [[ $# -gt 0 ]]; do
    case "$1" in
        -n) TRIALS="$2"; shift 2 ;;
        -h | --help)
            sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "nato.sh: unknown argument '$1' (expected -n TRIALS or --help)" >&2
            exit 2
            ;;
    esac
done

cd "$(dirname "$0")/.."
if [[ ! -x /usr/bin/time ]]; then
    echo "nato.sh: installing GNU time (apt-get)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
target_dir="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet --bin drawdown
bin="$target_dir/release/drawdown"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

calc() { awk "BEGIN { print ($1) }"; }

# series FILE_OR_EMPTY -> the number of nation x item stock series `drawdown check` lists
series() {
    local file="${1:-configs/default.toml}"
    "$bin" check "$file" | sed -n 's/^stocks (\([0-9]*\) nation × item series).*/\1/p'
}

# measure LABEL FILE_OR_EMPTY THREADS -> prints "wall_seconds rss_kb cpu_seconds" (as benches/memory.sh)
measure() {
    local label="$1" file="$2" threads="$3"
    local out="$tmp/$label-$threads" log="$tmp/$label-$threads.time"
    local args=(run)
    [[ -n "$file" ]] && args+=("$file")
    args+=(-n "$TRIALS" -o "$out" -q --step 7 --threads "$threads")
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -v -o "$log" "$bin" "${args[@]}" >/dev/null
    end=$(date +%s.%N)
    rm -rf "$out"
    echo "$(calc "$end - $start") $(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")" \
        "$(awk -F': ' '/User time|System time/ {t += $2} END {print t}' "$log")"
}

s_nato=$(series benches/nato.toml)
s_default=$(series "")
echo "series: nato $s_nato, default $s_default; $TRIALS trials, reporting every 7 days; $(nproc) cores"
echo
printf '%-9s %7s %8s %9s %12s %8s %14s %12s\n' scenario threads trials wall_s trials_per_s cpu_s trials_per_cpu_s peak_rss_mb
declare -A wall rss cpu
for threads in 1 2; do
    for label in nato default; do
        file=""
        [[ $label == nato ]] && file=benches/nato.toml
        read -r w r c <<<"$(measure "$label" "$file" "$threads")"
        wall[$label$threads]=$w
        rss[$label$threads]=$r
        cpu[$label$threads]=$c
        printf '%-9s %7d %8d %9.2f %12.1f %8.2f %14.1f %12.1f\n' "$label" "$threads" "$TRIALS" "$w" \
            "$(calc "$TRIALS / $w")" "$c" "$(calc "$TRIALS / $c")" "$(calc "$r / 1024")"
    done
done

verdict() { [[ "$(calc "$1")" == 1 ]] && echo met || echo "NOT met"; }
echo
r1=$(calc "${rss[nato1]} / 1024")
r2=$(calc "${rss[nato2]} / 1024")
printf 'peak RSS nato -j 1: %.1f MB   (target <= 300 MB: %s)\n' "$r1" "$(verdict "$r1 <= 300")"
printf 'peak RSS nato -j 2: %.1f MB   (target <= 300 MB: %s)\n' "$r2" "$(verdict "$r2 <= 300")"
ratio=$(calc "${rss[nato2]} / ${rss[nato1]}")
printf 'RSS(-j 2) / RSS(-j 1): %.2f   (target <= 1.1: %s)\n' "$ratio" "$(verdict "$ratio <= 1.1")"
# speed BASIS THREADS NATO_SECONDS DEFAULT_SECONDS: nato's speed against the target
speed() {
    local tn td need r
    tn=$(calc "$TRIALS / $3")
    td=$(calc "$TRIALS / $4")
    need=$(calc "$td * $s_default / $s_nato * 0.8")
    r=$(calc "$tn / ($td * $s_default / $s_nato)")
    printf -- '-j %d, %-4s: nato %6.1f, default %6.1f trials/s; target >= %6.1f (default x %d/%d x 0.8): ratio %.2f (target >= 0.8: %s)\n' \
        "$2" "$1" "$tn" "$td" "$need" "$s_default" "$s_nato" "$r" "$(verdict "$r >= 0.8")"
}
for threads in 1 2; do
    speed wall "$threads" "${wall[nato$threads]}" "${wall[default$threads]}"
    speed cpu "$threads" "${cpu[nato$threads]}" "${cpu[default$threads]}"
done
