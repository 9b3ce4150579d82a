//! The back-test report: a Markdown file, regenerated from a run, never typed by hand.

use crate::backtest::spec::{Measure, Per, Reported};
use crate::backtest::{Backtest, Verdict};
use std::fmt::Write;

/// The first line of every report: how drawdown recognises a file it wrote.
pub const HEADER: &str =
    "<!-- Written by `drawdown backtest`: regenerate it, do not edit it by hand. -->";

/// Renders `result` as Markdown. `command` is the command line that regenerates it.
pub fn to_markdown(result: &Backtest, scenario: &str, command: &str) -> String {
    let mut md = String::new();
    let consistent = result
        .rows
        .iter()
        .filter(|r| r.verdict == Verdict::Consistent)
        .count();
    let _ = writeln!(md, "{HEADER}");
    let _ = writeln!(md, "# Back-test of the `{scenario}` scenario\n");
    let _ = writeln!(
        md,
        "Regenerate with `{command}` ({} trials, seed {}).\n",
        group_digits(result.trials),
        result.seed
    );
    let _ = writeln!(
        md,
        "Each row sets a figure reported at a known date beside what the scenario says: the \
median and the 90 % interval (5th to 95th percentile) of the same quantity across trials. \
**consistent**: the reported figure (or its bracket) meets the 90 % interval; **model \
low** / **model high**: the whole interval lies below / above it, with the reason under \
the table. {consistent} of {} milestones are consistent.\n",
        result.rows.len()
    );
    let _ = writeln!(
        md,
        "| milestone | window | reported | model median | model 90 % interval | verdict | source |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|");
    for r in &result.rows {
        let m = &r.milestone;
        let unit = unit(m.ratio_to.is_some(), m.selector.measure, m.per);
        let window = if m.selector.measure == Measure::Stock && m.ratio_to.is_none() {
            format!("on {}", m.to)
        } else {
            format!("{} to {}", m.from, m.to)
        };
        let verdict = match r.verdict {
            Verdict::Consistent => "consistent".to_string(),
            v => format!("**{}**", v.name()),
        };
        let ratio = m.ratio_to.is_some();
        let _ = writeln!(
            md,
            "| {} (`{}`) | {window} | {}{unit} | {}{unit} | {} – {}{unit} | {verdict} | {} |",
            m.label,
            m.id,
            reported(&m.reported, ratio),
            number(r.p50, ratio),
            number(r.p05, ratio),
            number(r.p95, ratio),
            m.source,
        );
    }
    let misses: Vec<_> = result
        .rows
        .iter()
        .filter(|r| r.verdict != Verdict::Consistent)
        .collect();
    if !misses.is_empty() {
        let _ = writeln!(md, "\n## Misses\n");
        for r in misses {
            let why = r
                .milestone
                .miss
                .as_deref()
                .unwrap_or("no reason given in the milestones file");
            let _ = writeln!(md, "- **{}** ({}): {why}", r.milestone.id, r.verdict.name());
        }
    }
    md
}

fn unit(ratio: bool, measure: Measure, per: Per) -> &'static str {
    if ratio || measure == Measure::Stock {
        return "";
    }
    match per {
        Per::Total => "",
        Per::Day => "/day",
        Per::Month => "/month",
        Per::Year => "/year",
    }
}

fn reported(r: &Reported, ratio: bool) -> String {
    match *r {
        Reported::Value(v) => number(v, ratio),
        Reported::Range(x) => match (x.min, x.max) {
            (Some(a), Some(b)) => format!("{} – {}", number(a, ratio), number(b, ratio)),
            (Some(a), None) => format!("≥ {}", number(a, ratio)),
            (None, Some(b)) => format!("≤ {}", number(b, ratio)),
            (None, None) => "?".into(),
        },
    }
}

/// A figure as people write it in briefings: 3 significant digits with k/M, or a
/// ratio with 2 decimals.
fn number(v: f64, ratio: bool) -> String {
    if v.is_nan() {
        return "–".into();
    }
    if ratio {
        return format!("{v:.2}");
    }
    let a = v.abs();
    let sig = |x: f64| -> String {
        let digits = if x >= 100.0 {
            0
        } else if x >= 10.0 {
            1
        } else {
            2
        };
        format!("{x:.digits$}")
    };
    if a >= 1e6 {
        format!("{}M", sig(v / 1e6))
    } else if a >= 1e3 {
        format!("{}k", sig(v / 1e3))
    } else {
        format!("{v:.0}")
    }
}

fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn figures_read_like_a_briefing() {
        assert_eq!(number(224_000.0, false), "224k");
        assert_eq!(number(1_070_000.0, false), "1.07M");
        assert_eq!(number(24_450.0, false), "24.4k");
        assert_eq!(number(950.0, false), "950");
        assert_eq!(number(3.456, true), "3.46");
    }
}
