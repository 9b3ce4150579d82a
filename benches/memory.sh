#!/usr/bin/env bash
# Peak memory (maximum resident set size) of `drawdown run` at a small and a large
# number of trials: it must stay flat (DESIGN.md §7), i.e. RSS(large) / RSS(small) <= 1.2.
#
#   benches/memory.sh              # example scenario, 10 000 and 1 000 000 trials (~20 s on 2 idle cores)
#   benches/memory.sh --default    # also the default scenario, 10 000 and 200 000 trials (~45 s more)
#
# Builds the release binary (in $CARGO_TARGET_DIR if set, else ./target), runs each case
# under `/usr/bin/time -v` with its output in a temporary folder (removed at the end;
# trials.csv of 1 000 000 example trials is ~150 MB), and prints one row per run:
# scenario, trials, wall seconds, trials per second, peak RSS in MB; then the ratio
# RSS(large) / RSS(small) of each scenario. Exits 1 if a ratio is above 1.2.
set -euo pipefail

LIMIT=1.2
WITH_DEFAULT=0
for arg in "$@"; do
    case "$arg" in
        --default) WITH_DEFAULT=1 ;;
        -h | --help)
            sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "memory.sh: unknown argument '$arg' (expected --default or --help)" >&2
            exit 2
            ;;
    esac
done

cd "$(dirname "$0")/.."
[[ -x /usr/bin/time ]] || { echo "memory.sh: /usr/bin/time (GNU time) is required" >&2; exit 1; }
target_dir="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet --bin drawdown
bin="$target_dir/release/drawdown"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# measure SCENARIO_LABEL SCENARIO_FILE_OR_EMPTY TRIALS -> prints "wall_seconds rss_kb"
measure() {
    local label="$1" file="$2" trials="$3"
    local out="$tmp/$label-$trials" log="$tmp/$label-$trials.time"
    local args=(run)
    [[ -n "$file" ]] && args+=("$file")
    args+=(-n "$trials" -o "$out" -q --step 7)
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -v -o "$log" "$bin" "${args[@]}" >/dev/null
    end=$(date +%s.%N)
    local rss
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    rm -rf "$out"
    echo "$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}') $rss"
}

printf '%-9s %10s %9s %11s %13s\n' scenario trials wall_s trials_per_s peak_rss_mb
status=0
ratios=()
# case LABEL FILE SMALL LARGE
case_pair() {
    local label="$1" file="$2" small="$3" large="$4" rss_small=0 rss_large=0
    for n in "$small" "$large"; do
        local result wall rss
        result=$(measure "$label" "$file" "$n")
        read -r wall rss <<<"$result"
        printf '%-9s %10d %9.2f %11.0f %13.1f\n' "$label" "$n" "$wall" \
            "$(awk -v n="$n" -v w="$wall" 'BEGIN {print n / w}')" \
            "$(awk -v k="$rss" 'BEGIN {print k / 1024}')"
        if [[ "$n" == "$small" ]]; then rss_small=$rss; else rss_large=$rss; fi
    done
    local ratio
    ratio=$(awk -v a="$rss_large" -v b="$rss_small" 'BEGIN {printf "%.3f", a / b}')
    ratios+=("$label: RSS($large) / RSS($small) = $ratio (limit $LIMIT)")
    if awk -v r="$ratio" -v l="$LIMIT" 'BEGIN {exit !(r > l)}'; then
        status=1
    fi
}

case_pair example configs/example.toml 10000 1000000
if [[ "$WITH_DEFAULT" == 1 ]]; then
    case_pair default "" 10000 200000
fi
echo
printf '%s\n' "${ratios[@]}"
if [[ "$status" != 0 ]]; then
    echo "memory.sh: peak RSS grows with the number of trials (ratio above $LIMIT)" >&2
fi
exit "$status"
