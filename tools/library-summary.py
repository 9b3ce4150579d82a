"""Regenerates the "What the missile scenarios say" table of configs/README.md: runs each
missile scenario with `drawdown run NAME -n 10000 -j 2` (its own seed), times it, and writes
each stockholder's probability of reaching its floor (or running out) by the horizon, the
median date, and the fill rate where it has a need, between the two markers.

Usage: python3 tools/library-summary.py [path/to/drawdown]   (default: target/release/drawdown)
A test (tests/it/library.rs) checks the table against a short run of each scenario."""
import csv, os, subprocess, sys, tempfile, time

NAMES = ["gmlrs", "javelin", "stinger", "patriot"]
TRIALS = 10_000
BEGIN = "<!-- begin library summary: tools/library-summary.py writes this table, do not edit it by hand -->"
END = "<!-- end library summary -->"

def summary(exe, name, out):
    start = time.monotonic()
    # The file, which is what `drawdown run NAME` embeds (a test checks they are the same).
    path = os.path.join("configs", name + ".toml")
    subprocess.run([exe, "run", path, "-n", str(TRIALS), "-j", "2", "-o", out, "-q"], check=True)
    seconds = time.monotonic() - start
    rows = {}
    with open(os.path.join(out, "summary.csv"), newline="") as fh:
        for r in csv.DictReader(fh):
            rows.setdefault((r["nation"], r["item"]), {})[r["metric"]] = r
    return rows, seconds

def pct(r):
    return f"{100 * float(r['estimate']):.1f} %"

def lines(name, rows):
    for (nation, item), m in rows.items():
        if "p_depleted" not in m:
            continue  # a pass-through channel: no depletion
        p = pct(m["p_depleted"])
        day = m.get("depletion_day_p50", {}).get("estimate_date") or "never"
        demanded = float(m.get("demanded_mean", {}).get("estimate") or 0)
        fill = pct(m["fill_rate"]) if demanded > 0 and "fill_rate" in m else ""
        yield f"| `{name}` | {nation} | {item} | {p} | {day} | {fill} |"

def main():
    exe = sys.argv[1] if len(sys.argv) > 1 else "target/release/drawdown"
    table = ["| scenario | nation | item | P(at floor or out) by 2026-12-31 | median date | fill rate |",
             "|---|---|---|---|---|---|"]
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in NAMES:
            rows, seconds = summary(exe, name, os.path.join(tmp, name))
            table.extend(lines(name, rows))
            times.append(f"`{name}` {seconds:.1f} s")
    block = "\n".join([BEGIN, "", *table, "",
        f"Run time of `drawdown run NAME -n {TRIALS} -j 2` on the machine that wrote this table "
        f"(2 shared cores): {', '.join(times)}.", "", END])
    path = "configs/README.md"
    text = open(path, encoding="utf-8").read()
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    open(path, "w", encoding="utf-8").write(head + block + tail)

main()
