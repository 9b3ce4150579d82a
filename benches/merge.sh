#!/usr/bin/env bash
# Merge at scale (issue 12 item 6): peak RSS of `drawdown merge` over S shards of an
# N-trial run of the example scenario, against the peak RSS of one shard's run.
#
#   benches/merge.sh                 # 256 shards of 1 000 000 trials (~3 min on 2 cores, ~400 MB of disk)
#   benches/merge.sh 16 100000       # SHARDS TRIALS
#
# Prints the peak RSS of the merge, of one shard's run, and the size of the merged
# trials.csv; with two shard counts you can see that the merge's memory does not grow
# with the number of shards.
set -euo pipefail
cd "$(dirname "$0")/.."
shards=${1:-256}
trials=${2:-1000000}
target_dir="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet --bin drawdown
bin="$target_dir/release/drawdown"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for k in $(seq 1 "$shards"); do
    args=(run configs/example.toml -n "$trials" --shard "$k/$shards" --threads 1 -q -o "$tmp/s$k")
    if [[ $k == 1 ]]; then
        /usr/bin/time -v -o "$tmp/shard.time" "$bin" "${args[@]}" >/dev/null
    else
        "$bin" "${args[@]}" >/dev/null &
        (( k % 2 == 0 )) && wait
    fi
done
wait
/usr/bin/time -v -o "$tmp/merge.time" "$bin" merge "$tmp"/s[0-9]* -o "$tmp/merged" -q >/dev/null
rss() { awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$1"; }
wall() { awk -F': ' '/Elapsed/ {print $2}' "$1"; }
echo "$shards shards of $trials example trials"
echo "  one shard's run: peak RSS $(rss "$tmp/shard.time") MB"
echo "  merge:           peak RSS $(rss "$tmp/merge.time") MB, wall $(wall "$tmp/merge.time"), trials.csv $(( $(stat -c %s "$tmp/merged/trials.csv") / 1048576 )) MB, $(( $(wc -l < "$tmp/merged/trials.csv") - 1 )) rows"
