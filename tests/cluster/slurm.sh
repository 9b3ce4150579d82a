#!/usr/bin/env bash
# A real Slurm run of deploy/slurm.sbatch on a one-node cluster on loopback, merged with
# `drawdown merge` and compared byte for byte with a single-machine run (issue 12 item 5).
#
#   tests/cluster/slurm.sh                 # default scenario, 4 000 trials, 4 array tasks
#   TRIALS=2000 TASKS=3 tests/cluster/slurm.sh
#
# Steps: installs Slurm and MUNGE from Debian's packages if absent (apt-get; run as
# root), starts munged and a one-node cluster (slurmctld + slurmd on 127.0.0.1) whose
# state, spool, pid and log files all live in a scratch folder (SLURM_CONF points at its
# slurm.conf; recipe: ../shared/reference/cluster-test-notes.md), builds drawdown
# (release, in $CARGO_TARGET_DIR if set), submits the job array of deploy/slurm.sbatch
# from a scratch working directory with the binary on PATH, waits for the queue to empty
# (timeout $TIMEOUT s), merges the shard folders, runs the same scenario, seed and trial
# count on this machine, and compares every file of the two folders with `cmp`. Only
# manifest.json's clock fields (started, finished, wall_seconds) may differ; every other
# manifest field is compared too. The daemons this script started are stopped on exit,
# whatever happens (by their pid files). Exits non-zero on any failure.
set -euo pipefail

TRIALS=${TRIALS:-4000}
TASKS=${TASKS:-4}
SEED=${SEED:-20220224}
SCENARIO=${SCENARIO:-default}   # a shipped scenario's name or a file (relative to the repo)
TIMEOUT=${TIMEOUT:-240}         # seconds for the whole job array
SBATCH_SCRIPT=${SBATCH_SCRIPT:-deploy/slurm.sbatch}  # the job script under test (relative to the repo, or absolute)

cd "$(dirname "$0")/../.."
repo=$PWD
log() { printf '[slurm-test %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
fail() { printf '[slurm-test] FAIL: %s\n' "$*" >&2; exit 1; }
t_start=$(date +%s)

[[ $(id -u) == 0 ]] || fail "run as root (installs packages, runs slurmd as root)"

# ---------------------------------------------------------------- install
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
    || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    log "installing slurm-wlm and munge from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

# ---------------------------------------------------------------- scratch + cleanup
scratch=$(mktemp -d /tmp/drawdown-slurm.XXXXXX)
started_munged=0
stop_pidfile() { # NAME PIDFILE: SIGTERM the pid in PIDFILE, wait up to 10 s, then SIGKILL
    local name=$1 file=$2 pid
    [[ -s $file ]] || return 0
    pid=$(cat "$file")
    kill -0 "$pid" 2>/dev/null || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    log "stopped $name (pid $pid)"
}
cleanup() {
    local rc=$?
    trap - EXIT
    set +e
    if [[ -n ${SLURM_CONF:-} && -s $scratch/slurmctld.pid ]]; then
        scancel --quiet --user=root 2>/dev/null
    fi
    stop_pidfile slurmd "$scratch/slurmd.pid"
    stop_pidfile slurmctld "$scratch/slurmctld.pid"
    [[ $started_munged == 1 ]] && stop_pidfile munged /run/munge/munged.pid
    if [[ $rc != 0 ]]; then
        for f in "$scratch"/slurmctld.log "$scratch"/slurmd.log "$scratch"/work/slurm-*.out; do
            [[ -f $f ]] || continue
            echo "---- last lines of $f" >&2
            tail -n 15 "$f" >&2
        done
        echo "[slurm-test] FAILED (exit $rc); scratch folder kept: $scratch" >&2
    else
        rm -rf "$scratch"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- munge
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    log "munged already running: using it (and leaving it running)"
else
    [[ -f /etc/munge/munge.key ]] || fail "/etc/munge/munge.key missing (the munge package creates it)"
    mkdir -p /run/munge
    chown munge:munge /run/munge
    chmod 0755 /run/munge
    rm -f /run/munge/munged.pid
    runuser -u munge -- /usr/sbin/munged
    started_munged=1
    for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.2; done
    munge -n | unmunge >/dev/null || fail "munged does not answer"
    log "munged started (pid $(cat /run/munge/munged.pid))"
fi

# ---------------------------------------------------------------- slurm.conf
host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
mkdir -p "$scratch"/{state,spool,work}
cat >"$scratch/slurm.conf" <<EOF
# one-node cluster on loopback for tests/cluster/slurm.sh (written by it)
ClusterName=drawdown-ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$scratch/state
SlurmdSpoolDir=$scratch/spool
SlurmctldPidFile=$scratch/slurmctld.pid
SlurmdPidFile=$scratch/slurmd.pid
SlurmctldLogFile=$scratch/slurmctld.log
SlurmdLogFile=$scratch/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$scratch/slurm.conf

# ---------------------------------------------------------------- daemons
slurmctld -i # -i: ignore any state from an earlier run (there is none in a new scratch)
slurmd
log "slurmctld (pid $(cat "$scratch/slurmctld.pid" 2>/dev/null || echo '?')) and slurmd started; SLURM_CONF=$SLURM_CONF"
state=""
for _ in $(seq 60); do
    state=$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1 || true)
    [[ $state == idle ]] && break
    sleep 1
done
[[ $state == idle ]] || fail "node not idle after 60 s (sinfo state: '${state:-none}')"
log "sinfo: node $host idle ($cpus CPUs, ${mem_mb} MB), $(sbatch --version)"

# ---------------------------------------------------------------- build
log "building drawdown (release)"
cargo build --release --quiet --bin drawdown
target_dir=${CARGO_TARGET_DIR:-$repo/target}
[[ $target_dir == /* ]] || target_dir=$repo/$target_dir
bin_dir=$target_dir/release
[[ -x $bin_dir/drawdown ]] || fail "no binary at $bin_dir/drawdown"
export PATH=$bin_dir:$PATH

sbatch_script=$SBATCH_SCRIPT
[[ $sbatch_script == /* ]] || sbatch_script=$repo/$sbatch_script
[[ -f $sbatch_script ]] || fail "no job script $sbatch_script"
scenario_arg=$SCENARIO
[[ -f $repo/$SCENARIO ]] && scenario_arg=$repo/$SCENARIO
name=$(basename "$scenario_arg" .toml)

# ---------------------------------------------------------------- the job array
work=$scratch/work
cd "$work"
# --cpus-per-task=1 overrides the script's 8 (a 2-core CI node has fewer); everything else
# is deploy/slurm.sbatch as shipped, with the binary found on PATH (exported to the tasks).
t_submit=$(date +%s)
job=$(sbatch --parsable --array=1-"$TASKS" --cpus-per-task=1 \
    "$sbatch_script" "$scenario_arg" "$TRIALS" "$SEED")
job=${job%%;*}
log "submitted job array $job: $TASKS tasks of '$name', $TRIALS trials, seed $SEED"
while [[ -n $(squeue -h -j "$job" 2>/dev/null) ]]; do
    (($(date +%s) - t_submit < TIMEOUT)) || fail "job $job still queued or running after $TIMEOUT s: $(squeue -h -j "$job")"
    sleep 2
done
t_done=$(date +%s)
log "job array $job left the queue after $((t_done - t_submit)) s"

shards=()
for k in $(seq "$TASKS"); do
    d=results/shards/$name-$k-of-$TASKS
    [[ -f $d/manifest.json && -f $d/partial.json ]] || fail "task $k wrote no complete shard folder $d (found: $(cd results/shards 2>/dev/null && printf '%s ' *))"
    grep -q "\"shard\": \"$k/$TASKS\"" "$d/manifest.json" || fail "$d/manifest.json is not shard $k/$TASKS"
    shards+=("$d")
done
log "all $TASKS shard folders complete: ${shards[*]}"

drawdown merge "${shards[@]}" -o merged -q
log "merged into $work/merged"

# ---------------------------------------------------------------- one machine
drawdown run "$scenario_arg" -n "$TRIALS" --seed "$SEED" --threads 1 -q -o single
log "single-machine run written to $work/single"

# ---------------------------------------------------------------- compare
files_single=$(cd single && find . -type f | sort)
files_merged=$(cd merged && find . -type f | sort)
[[ $files_single == "$files_merged" ]] || fail "the folders hold different files: $(diff <(echo "$files_single") <(echo "$files_merged") | tr '\n' ' ')"
compared=0
for f in $files_single; do
    [[ $f == ./manifest.json ]] && continue
    cmp "single/$f" "merged/$f" || fail "$f differs between the merged and the single-machine run"
    compared=$((compared + 1))
done
# manifest.json: every field but the clock of the run must be equal (the file hashes,
# sizes and row counts it lists included).
python3 - single/manifest.json merged/manifest.json <<'EOF'
import json, sys
clock = {"started", "finished", "wall_seconds"}
a, b = (json.load(open(p)) for p in sys.argv[1:3])
if a.keys() != b.keys():
    sys.exit(f"manifest keys differ: {sorted(a.keys() ^ b.keys())}")
diff = [k for k in a if k not in clock and a[k] != b[k]]
if diff:
    sys.exit("manifest fields differ: " + ", ".join(f"{k}: {a[k]!r} vs {b[k]!r}" for k in diff))
EOF
bytes=$(cat single/*.csv | wc -c)

echo
echo "Slurm cluster test: PASSED"
echo "  cluster        one node '$host' on 127.0.0.1, $cpus CPUs, $(sbatch --version)"
echo "  job array      $job, sbatch --array=1-$TASKS --cpus-per-task=1 $SBATCH_SCRIPT $SCENARIO $TRIALS $SEED"
echo "  tasks          $TASKS shards, all in the queue for $((t_done - t_submit)) s"
echo "  merged         drawdown merge of $TASKS shard folders"
echo "  compared       $compared files byte for byte (cmp) + manifest.json (all but started/finished/wall_seconds): identical"
echo "  data           $bytes bytes of CSV, $(($(wc -l <single/trials.csv) - 1)) rows in trials.csv"
echo "  total time     $(($(date +%s) - t_start)) s"
