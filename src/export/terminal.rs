//! The short table shown after a run: for each nation and item, P(depleted by the
//! horizon) with its interval, the median depletion date, and the fill rate where there
//! is demand; then the line naming the files written ([`files_line`]).

use super::Report;
use super::tables::depletion_quantile;
use crate::results::aggregate::unscaled;
use crate::stats::{trials_for_quantile_interval, wilson};
use std::fmt::Write;

/// The table as text (ends with a newline).
pub fn table(report: &Report) -> String {
    let n = report.aggregate.trials;
    let end = report.model.scenario.end;
    let mut rows = vec![[
        "nation".to_string(),
        "item".into(),
        format!("P(depleted by {end})"),
        "95% CI".into(),
        "median depletion".into(),
        "fill rate".into(),
    ]];
    let mut channels = Vec::new();
    let mut at_start = Vec::new();
    for (i, s) in report.aggregate.series.iter().enumerate() {
        let (nation, item) = report.labels(i);
        if report.is_channel(i) {
            channels.push(format!("{nation}.{item}"));
            continue;
        }
        if let Some(&first) = s.depleted_on_day.first().filter(|&&k| k > 0) {
            let share = 100.0 * first as f64 / n.max(1) as f64;
            at_start.push(format!("{nation}.{item} {share:.1}%"));
        }
        let p = s.depleted as f64 / n.max(1) as f64;
        let ci = wilson(s.depleted, n);
        let median = match depletion_quantile(s, n, 0.5)[0] {
            Some(day) => report.date(day),
            None => "not by horizon".into(),
        };
        let fill = match (s.has_demand(), s.totals.fill.ratio()) {
            (true, Some(r)) => format!("{:.1}%", 100.0 * r.min(1.0)),
            _ => "-".into(),
        };
        rows.push([
            nation.into(),
            item.into(),
            format!("{:.1}%", 100.0 * p),
            format!("[{:.1}%, {:.1}%]", 100.0 * ci.low, 100.0 * ci.high),
            median,
            fill,
        ]);
    }
    // Nation and item left-aligned, the figures right-aligned.
    let mut out = aligned(&rows, |c| c >= 2);
    if !channels.is_empty() {
        let _ = writeln!(
            out,
            "channels (pass-through, no depletion reported): {}",
            channels.join(", ")
        );
    }
    if !at_start.is_empty() {
        let _ = writeln!(
            out,
            "note: at or below the floor by the end of the first day, so depleted from the \
             start in that share of trials (an opening stock drawn at or below its floor \
             drawn apart, or a first day's use): {}",
            at_start.join(", ")
        );
    }
    group_lines(report, &mut out);
    ratio_lines(report, &mut out);
    let _ = writeln!(
        out,
        "{n} trials; depletion = stock at or below the reserve floor (0 for recipients)"
    );
    let needed = trials_for_quantile_interval(0.05);
    if n < needed {
        let _ = writeln!(
            out,
            "note: the 95% intervals of the 5th and 95th percentiles (stock.csv, summary.csv) \
             need {needed} trials, the 10th and 90th {}, the median {}: with {n}, those \
             below their count hold with less than 95%",
            trials_for_quantile_interval(0.1),
            trials_for_quantile_interval(0.5),
        );
    }
    out
}

/// `rows` (the header first) as text, one line each: every column as wide as its widest
/// cell, two spaces apart, right-aligned where `right(column)`, left otherwise;
/// trailing spaces trimmed.
pub fn aligned<R: AsRef<[String]>>(rows: &[R], right: impl Fn(usize) -> bool) -> String {
    let columns = rows.iter().map(|r| r.as_ref().len()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.as_ref().get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .as_ref()
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, w))| {
                if right(c) {
                    format!("{cell:>w$}")
                } else {
                    format!("{cell:<w$}")
                }
            })
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    out
}

/// The line naming the files of result folder `dir`, sorted (`wrote results/x/:
/// depletion.csv, manifest.json, …`); empty if the folder cannot be read.
pub fn files_line(dir: &std::path::Path) -> String {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return String::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            // A subfolder (plots/) is shown with its number of files.
            match std::fs::read_dir(e.path()) {
                Ok(inner) if e.file_type().is_ok_and(|t| t.is_dir()) => {
                    format!("{name}/ ({} files)", inner.count())
                }
                _ => name,
            }
        })
        .collect();
    names.sort();
    format!("files in {}: {}\n", dir.display(), names.join(", "))
}

/// One line per nation group, item and date (the group's `dates`, then the horizon):
/// P(at least half of the members at their floor by then), with its interval.
fn group_lines(report: &Report, out: &mut String) {
    let n = report.aggregate.trials;
    let s = &report.model.scenario;
    let days = &report.model.report_days;
    for g in &report.aggregate.groups {
        let members = g.members();
        let half = members.div_ceil(2);
        let group = &s.groups[g.group];
        let last = s.days.saturating_sub(1);
        for day in group.days.iter().copied().chain(std::iter::once(last)) {
            let Ok(k) = days.binary_search(&day) else {
                continue;
            };
            let hits = g.at_least(k, half);
            let ci = wilson(hits, n);
            let _ = writeln!(
                out,
                "P(at least half of {} members ({half} of {members}) at their {} floor by {}): {:.1}% [{:.1}%, {:.1}%]",
                group.named.id,
                s.items[g.item].id,
                s.date_of(day),
                100.0 * hits as f64 / n.max(1) as f64,
                100.0 * ci.low,
                100.0 * ci.high
            );
        }
    }
}

/// One line per fire ratio: the ratio of mean fire over the horizon with its interval,
/// and the spread of the per-trial ratio.
fn ratio_lines(report: &Report, out: &mut String) {
    let s = &report.model.scenario;
    let ids = |nations: &[usize]| -> String {
        let ids: Vec<&str> = nations.iter().map(|&n| s.nations[n].id.as_str()).collect();
        ids.join(" + ")
    };
    for r in &report.aggregate.ratios {
        let def = &s.fire_ratios[r.ratio];
        let sides = format!("{} : {}", ids(&def.numerator), ids(&def.denominator));
        let estimate = match (r.horizon.ratio(), r.horizon.ci95()) {
            (Some(v), Some(ci)) => format!("{v:.2} (95 % CI {:.2}–{:.2})", ci.low, ci.high),
            _ => "undefined (the denominator never fired)".into(),
        };
        let h = &r.horizon_per_trial;
        let spread = match (h.quantile(0.05), h.quantile(0.95)) {
            (Some(lo), Some(hi)) => format!(
                "; per trial p05–p95 {:.2}–{:.2}",
                unscaled(lo),
                unscaled(hi)
            ),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "Fire ratio {sides} over the horizon: {estimate}{spread}"
        );
    }
}
