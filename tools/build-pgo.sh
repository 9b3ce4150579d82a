#!/usr/bin/env bash
# Builds drawdown with profile-guided optimisation (PGO): an instrumented build runs a
# training set of drawdown's own scenarios, and the release build then lays out its
# code by the profile. The simulation is the same code with the same arithmetic, so
# every output file is byte for byte the same as the plain build's; only the speed
# differs (see README, "Installing a faster build for this machine").
#
#   tools/build-pgo.sh                    # builds target/pgo/drawdown
#   tools/build-pgo.sh --out ~/bin/drawdown
#
# Needs llvm-profdata from the toolchain's llvm-tools component; when it is missing the
# script runs `rustup component add llvm-tools` once (network needed) and stops with a
# clear message if that fails. Builds in $CARGO_TARGET_DIR (default ./target) under
# pgo-generate/ and pgo-use/: two full release builds, a few minutes each. The profile
# and the training runs' outputs live in a temporary folder, removed at the end. The
# binary is written to a temporary name beside --out and renamed over it, so a reader
# never sees half a file; the script writes nothing else outside the target folder.
set -euo pipefail

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }

out=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --out)
            [[ $# -ge 2 ]] || { echo "build-pgo.sh: --out needs a path" >&2; exit 2; }
            out="$2"; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *)
            echo "build-pgo.sh: unknown argument '$1' (expected --out PATH or --help)" >&2
            exit 2 ;;
    esac
done

# Paths the caller gave are relative to where they ran the script from.
[[ -z "$out" || "$out" == /* ]] || out="$PWD/$out"
[[ -d "$out" ]] && out="$out/drawdown"
target_dir="${CARGO_TARGET_DIR:-}"
[[ -z "$target_dir" || "$target_dir" == /* ]] || target_dir="$PWD/$target_dir"
cd "$(dirname "$0")/.."
target_dir="${target_dir:-$PWD/target}"
mkdir -p "$target_dir"
out="${out:-$target_dir/pgo/drawdown}"

# llvm-profdata must match rustc's LLVM: take the toolchain's own.
host="$(rustc -vV | sed -n 's/^host: //p')"
profdata="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata"
if [[ ! -x "$profdata" ]]; then
    echo "build-pgo.sh: llvm-profdata not found; running 'rustup component add llvm-tools'" >&2
    rustup component add llvm-tools >&2 || true
fi
if [[ ! -x "$profdata" ]]; then
    echo "build-pgo.sh: no llvm-profdata at $profdata; install the toolchain's llvm-tools" \
        "component ('rustup component add llvm-tools') and run this again" >&2
    exit 2
fi

work="$(mktemp -d)"
tmp=""
trap 'rm -rf "$work"; [[ -z "$tmp" ]] || rm -f "$tmp"' EXIT
flags="${RUSTFLAGS:-}"

echo "build-pgo.sh: 1/4 instrumented build ($target_dir/pgo-generate)" >&2
RUSTFLAGS="$flags -Cprofile-generate=$work/raw" \
    cargo build --release --quiet --bin drawdown --target-dir "$target_dir/pgo-generate"
gen="$target_dir/pgo-generate/release/drawdown"

# The training set: what users run most, on the scenarios shipped with drawdown. A run
# of each kind of command, so that no hot path of one is laid out as cold code.
echo "build-pgo.sh: 2/4 training runs" >&2
train() { "$gen" "$@" -q -o "$work/out" --force > /dev/null; }
train run -n 1000 -j 1
train run -n 300 --step 1 -j 2
train run configs/example.toml -n 5000 -j 1
train run benches/twin/twin.toml -n 2000 -j 1
train run configs/gmlrs.toml -n 500 -j 1
train sweep --vary 'factories.*.capacity.initial*=0.5,1.5' -n 300 -j 1
train sweep benches/twin/twin.toml --vary 'nations.us.stock.shell_155.floor*=0.5' -n 300 -j 1
train tornado --vary 'factories.*.capacity.initial*=0.5,1.5' -n 100 -j 1

echo "build-pgo.sh: 3/4 merging the profile" >&2
"$profdata" merge -o "$work/merged.profdata" "$work/raw"

echo "build-pgo.sh: 4/4 optimised build ($target_dir/pgo-use)" >&2
RUSTFLAGS="$flags -Cprofile-use=$work/merged.profdata" \
    cargo build --release --quiet --bin drawdown --target-dir "$target_dir/pgo-use"

mkdir -p "$(dirname "$out")"
# A new name of our own beside --out (never a file that is already there), renamed over it.
tmp="$(mktemp "$(dirname "$out")/.$(basename "$out").pgo-XXXXXX")"
cp "$target_dir/pgo-use/release/drawdown" "$tmp"
chmod 755 "$tmp"
mv -f "$tmp" "$out"
echo "build-pgo.sh: built $out" >&2
