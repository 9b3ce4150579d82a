#!/usr/bin/env bash
# Offline checks of the Kubernetes Indexed Job deploy/k8s-indexed-job.yaml (issue 12 item 5).
#
#   tests/cluster/k8s.sh
#
# 1. Schema: `kubernetes-validate --strict -k $K8S_VERSION` (PyPI package, installed
#    into a virtual environment in a temporary folder; --strict rejects misspelt fields).
# 2. What the schema does not check, asserted here: kind Job (batch/v1),
#    `completionMode: Indexed`, restartPolicy Never or OnFailure, parallelism <= completions,
#    and that the completion index reaches `drawdown run --shard K/N` the way drawdown
#    counts shards (1-based, K = 1..N, N = completions): the container's command is run
#    by a shell once for every index 0..completions-1, with JOB_COMPLETION_INDEX set as
#    Kubernetes sets it (and any env var taken from the completion-index annotation by
#    the downward API), against a stand-in `drawdown` that records its arguments. Every
#    shard 1/N..N/N must appear exactly once, with its own output folder, and the same
#    trials and seed in every pod.
# Needs python3 (with venv; installs Debian's python3-venv if it is missing) and network
# access to PyPI. Exits non-zero on any failure.
set -euo pipefail

K8S_VERSION=${K8S_VERSION:-1.30.0}
cd "$(dirname "$0")/../.."
manifest=${MANIFEST:-deploy/k8s-indexed-job.yaml}  # MANIFEST=... checks another file
log() { printf '[k8s-test] %s\n' "$*"; }

tmp=$(mktemp -d /tmp/drawdown-k8s.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if ! python3 -m venv "$tmp/venv" >/dev/null 2>&1; then
    log "python3 -m venv failed: installing python3-venv"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    rm -rf "$tmp/venv"
    python3 -m venv "$tmp/venv"
fi
"$tmp/venv/bin/pip" install -q --disable-pip-version-check kubernetes-validate pyyaml
log "$("$tmp/venv/bin/pip" show kubernetes-validate | awk '/^Version/ {print "kubernetes-validate " $2}')"

"$tmp/venv/bin/kubernetes-validate" --strict -k "$K8S_VERSION" "$manifest"
log "schema: $manifest is a valid Kubernetes $K8S_VERSION object (--strict)"

# A stand-in drawdown that records its arguments, one per line, then an empty line.
mkdir -p "$tmp/bin"
cat >"$tmp/bin/drawdown" <<'EOF'
#!/bin/sh
for a in "$@"; do printf '%s\n' "$a"; done >>"$DRAWDOWN_ARGS_LOG"
echo >>"$DRAWDOWN_ARGS_LOG"
EOF
chmod +x "$tmp/bin/drawdown"

"$tmp/venv/bin/python" - "$manifest" "$tmp" <<'EOF'
import os, re, subprocess, sys, yaml

manifest, tmp = sys.argv[1], sys.argv[2]
docs = [d for d in yaml.safe_load_all(open(manifest)) if d]
fails = []
def check(ok, what):
    if not ok:
        fails.append(what)
    return ok

check(len(docs) == 1, f"expected one object, found {len(docs)}")
job = docs[0]
check(job.get("apiVersion") == "batch/v1" and job.get("kind") == "Job", "not a batch/v1 Job")
spec = job.get("spec", {})
check(spec.get("completionMode") == "Indexed",
      f"spec.completionMode is {spec.get('completionMode')!r}, not 'Indexed' (without it pods get no completion index)")
n = spec.get("completions")
check(isinstance(n, int) and n >= 1, f"spec.completions {n!r} is not a positive integer")
par = spec.get("parallelism", 1)
check(isinstance(par, int) and 1 <= par <= (n or 0), f"spec.parallelism {par!r} not in 1..completions")
pod = spec.get("template", {}).get("spec", {})
check(pod.get("restartPolicy") in ("Never", "OnFailure"),
      f"restartPolicy {pod.get('restartPolicy')!r}: a Job needs Never or OnFailure")
containers = pod.get("containers", [])
check(len(containers) == 1, f"expected one container, found {len(containers)}")
if fails:
    sys.exit("FAIL: " + "; ".join(fails))

c = containers[0]
argv = list(c.get("command", [])) + list(c.get("args", []))
check(bool(argv), "the container has no command")
annotation = "metadata.annotations['batch.kubernetes.io/job-completion-index']"
log = os.path.join(tmp, "args.log")
shards, outs, rest = {}, set(), set()
for index in range(n):
    env = {"PATH": os.path.join(tmp, "bin") + ":/usr/bin:/bin", "DRAWDOWN_ARGS_LOG": log,
           "JOB_COMPLETION_INDEX": str(index)}  # set by Kubernetes in every pod of an Indexed Job
    for e in c.get("env", []):
        if "value" in e:
            env[e["name"]] = str(e["value"])
        elif e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath", "").replace('"', "'") == annotation:
            env[e["name"]] = str(index)
    open(log, "w").close()
    r = subprocess.run(argv, env=env, capture_output=True, text=True)
    if not check(r.returncode == 0, f"index {index}: the command failed ({r.returncode}): {r.stderr.strip()}"):
        continue
    calls = [call.split("\n") for call in open(log).read().split("\n\n") if call.strip()]
    if not check(len(calls) == 1, f"index {index}: drawdown called {len(calls)} times, expected once"):
        continue
    a = calls[0]
    check(a[:1] == ["run"], f"index {index}: not `drawdown run`: {a}")
    def opt(*names):
        for i, x in enumerate(a):
            for name in names:
                if x == name and i + 1 < len(a):
                    return a[i + 1]
                if x.startswith(name + "="):
                    return x.split("=", 1)[1]
        return None
    shard, out = opt("--shard"), opt("-o", "--out")
    m = re.fullmatch(r"(\d+)/(\d+)", shard or "")
    if not check(m is not None, f"index {index}: no --shard K/N in {a}"):
        continue
    k, total = int(m.group(1)), int(m.group(2))
    check(total == n, f"index {index}: --shard {shard}: N = {total}, but completions = {n}")
    check(1 <= k <= total, f"index {index}: --shard {shard}: K out of 1..N (drawdown's shards are 1-based)")
    check(k not in shards, f"index {index}: shard {k} already run by index {shards.get(k)}")
    shards[k] = index
    check(out is not None and out not in outs, f"index {index}: output folder {out!r} missing or shared")
    outs.add(out)
    rest.add(tuple(x for x in a if x not in (shard, out)))
check(sorted(shards) == list(range(1, n + 1)), f"shards run: {sorted(shards)}, expected 1..{n}")
check(len(rest) == 1, "the pods differ in more than the shard and the output folder (trials, seed, scenario must be equal)")
if fails:
    sys.exit("FAIL: " + "; ".join(fails))
first, last = min(shards), max(shards)
print(f"[k8s-test] fields: completionMode Indexed, {n} completions, parallelism {par}, "
      f"restartPolicy {pod['restartPolicy']}")
print(f"[k8s-test] index -> shard: 0 -> {first}/{n} ... {n - 1} -> {last}/{n}: each shard once, "
      f"{len(outs)} output folders, same arguments otherwise ({' '.join(next(iter(rest)))})")
EOF
echo "Kubernetes manifest test: PASSED"
