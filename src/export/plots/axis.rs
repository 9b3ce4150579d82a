//! Axis ticks and labels: calendar dates on the day axis, rounds and percentages on
//! the value axis.
//!
//! The x axis counts simulation days; its ticks sit on the first day of a month, a
//! quarter or a year, whichever spacing gives at most [`MAX_DATE_TICKS`] ticks over the
//! horizon, and are labelled `Mar 2024` (or `2024` when a year apart).

use crate::scenario::Date;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use std::ops::Range;

/// The most date ticks on one axis (more would overlap on a slide).
const MAX_DATE_TICKS: usize = 10;

/// Tick spacings tried, in months.
const STEPS: [u32; 8] = [1, 2, 3, 6, 12, 24, 60, 120];

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The x axis: simulation days from 0 to `last`, with ticks (and grid lines) only at
/// `ticks`, labelled by the chart's formatter.
#[derive(Debug, Clone)]
pub(super) struct DayAxis {
    pub(super) last: f64,
    pub(super) ticks: Vec<f64>,
}

impl Ranged for DayAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let share = value / self.last.max(1.0);
        limit.0 + (f64::from(limit.1 - limit.0) * share).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        0.0..self.last
    }
}

/// The date ticks of a horizon: `(day, label)` for each first of a month (every
/// `step` months, aligned to the calendar) from day 0 to `last_day`.
pub(super) fn date_ticks(start: Date, last_day: u32) -> Vec<(f64, String)> {
    for step in STEPS {
        let ticks = ticks_every(start, last_day, step);
        if ticks.len() <= MAX_DATE_TICKS {
            return ticks;
        }
    }
    ticks_every(start, last_day, 12 * 1000)
}

fn ticks_every(start: Date, last_day: u32, step: u32) -> Vec<(f64, String)> {
    let (mut y, mut m, d) = start.ymd();
    if d != 1 {
        (y, m) = next_month(y, m);
    }
    // Align to the calendar: quarters on Jan/Apr/Jul/Oct, years on January.
    while (m - 1) % step.min(12) != 0 || (step > 12 && y.rem_euclid(i64::from(step / 12)) != 0) {
        (y, m) = next_month(y, m);
    }
    let mut out = Vec::new();
    while let Some(date) = Date::from_ymd(y, m, 1) {
        let day = date.days_since(start);
        if day > i64::from(last_day) {
            break;
        }
        let label = if step >= 12 {
            format!("{y}")
        } else {
            format!("{} {y}", MONTHS[(m - 1) as usize])
        };
        out.push((day as f64, label));
        for _ in 0..step {
            (y, m) = next_month(y, m);
        }
    }
    out
}

fn next_month(y: i64, m: u32) -> (i64, u32) {
    if m == 12 { (y + 1, 1) } else { (y, m + 1) }
}

/// The label of tick `x` among `ticks` (empty for any other value).
pub(super) fn label_of(ticks: &[(f64, String)], x: f64) -> String {
    ticks
        .iter()
        .find(|(t, _)| (t - x).abs() < 1e-6)
        .map(|(_, l)| l.clone())
        .unwrap_or_default()
}

/// A round count for an axis: `250k`, `1.2M`, `900`.
pub(super) fn rounds(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        trim(format!("{:.1}", v / 1e6)) + "M"
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 1e3 {
        trim(format!("{:.1}", v / 1e3)) + "k"
    } else {
        format!("{v:.0}")
    }
}

/// A whole number with thousands separators: `60,000`.
pub(super) fn thousands(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 { format!("-{out}") } else { out }
}

fn trim(s: String) -> String {
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// A probability as a percentage: `25%`.
pub(super) fn percent(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

/// A value axis' upper end: `max` plus a margin, rounded up to a round number.
pub(super) fn nice_top(max: f64) -> f64 {
    if !(max.is_finite() && max > 0.0) {
        return 1.0;
    }
    let target = max * 1.08;
    let unit = 10f64.powf(target.log10().floor());
    for m in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if m * unit >= target {
            return m * unit;
        }
    }
    10.0 * unit
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn a_year_gets_ticks_every_two_months_from_the_first_whole_month() {
        // 2024-01-10 to 2024-12-31: months Feb..Dec are 11 ticks, too many.
        let t = date_ticks(date("2024-01-10"), 356);
        let labels: Vec<&str> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            labels,
            ["Mar 2024", "May 2024", "Jul 2024", "Sep 2024", "Nov 2024"]
        );
        // 2024-03-01 is day 51 from 2024-01-10 (a leap February).
        assert_eq!(t[0].0, 51.0);
    }

    #[test]
    fn long_horizons_get_half_yearly_or_yearly_ticks() {
        // 2022-02-24 to 2026-12-31: every six months gives nine ticks.
        let t = date_ticks(date("2022-02-24"), 1771);
        let labels: Vec<&str> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels.len(), 9);
        assert_eq!((labels[0], labels[8]), ("Jul 2022", "Jul 2026"));
        // Ten years: yearly.
        let t = date_ticks(date("2020-01-01"), 3652);
        let labels: Vec<&str> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            labels,
            [
                "2020", "2021", "2022", "2023", "2024", "2025", "2026", "2027", "2028", "2029",
                "2030"
            ][..10]
        );
    }

    #[test]
    fn numbers_read_on_a_slide() {
        assert_eq!(rounds(250_000.0), "250k");
        assert_eq!(rounds(1_200_000.0), "1.2M");
        assert_eq!(rounds(2_000.0), "2k");
        assert_eq!(rounds(1_500.0), "1.5k");
        assert_eq!(thousands(60_000.0), "60,000");
        assert_eq!(thousands(600.0), "600");
        assert_eq!(nice_top(341_248.0), 400_000.0);
    }
}
