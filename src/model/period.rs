//! Reporting periods: every N days, or calendar months, quarters or years.
//!
//! A reporting day closes a period. With a calendar period the reporting days are the
//! last day of every calendar month (quarter, year) that ends within the horizon, plus
//! the horizon's last day, so the first and the last period may be partial (a horizon
//! from 2024-01-15 to 2024-03-10 by month reports on days 16 (2024-01-31), 45
//! (2024-02-29) and 55 (2024-03-10)). Each period is labelled by the calendar period
//! holding its reporting day: `2024-01`, `2024-Q1`, `2024`.

use crate::scenario::Date;
use std::fmt;
use std::str::FromStr;

/// How reporting days are spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Every N days from the first day (N ≥ 1).
    Days(u32),
    /// The last day of each calendar month.
    Month,
    /// The last day of each calendar quarter (March, June, September, December).
    Quarter,
    /// The last day of each calendar year.
    Year,
}

impl Period {
    /// Whether the period follows the calendar (month, quarter, year).
    pub fn is_calendar(self) -> bool {
        !matches!(self, Period::Days(_))
    }

    /// Whether `date` is the last day of a calendar period (never for `Days`).
    pub fn ends_on(self, date: Date) -> bool {
        let (_, m, _) = date.ymd();
        let (_, next_m, _) = date.plus_days(1).ymd();
        let month_ends = next_m != m;
        match self {
            Period::Days(_) => false,
            Period::Month => month_ends,
            Period::Quarter => month_ends && m % 3 == 0,
            Period::Year => month_ends && m == 12,
        }
    }

    /// The label of the calendar period holding `date` (`2024-02`, `2024-Q1`, `2024`);
    /// `None` for `Days`.
    pub fn label(self, date: Date) -> Option<String> {
        let (y, m, _) = date.ymd();
        match self {
            Period::Days(_) => None,
            Period::Month => Some(format!("{y:04}-{m:02}")),
            Period::Quarter => Some(format!("{y:04}-Q{}", (m - 1) / 3 + 1)),
            Period::Year => Some(format!("{y:04}")),
        }
    }

    /// The reporting days of a horizon of `days` days from `start`, before group dates
    /// are added: every N days from day 0, or every period end; always the last day.
    pub fn report_days(self, start: Date, days: u32) -> Vec<u32> {
        let last = days.saturating_sub(1);
        let mut out: Vec<u32> = match self {
            Period::Days(n) => (0..=last).step_by(n.max(1) as usize).collect(),
            _ => (0..=last)
                .filter(|&d| self.ends_on(start.plus_days(i64::from(d))))
                .collect(),
        };
        if out.last() != Some(&last) {
            out.push(last);
        }
        out
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Days(n) => write!(f, "{n}"),
            Period::Month => f.write_str("month"),
            Period::Quarter => f.write_str("quarter"),
            Period::Year => f.write_str("year"),
        }
    }
}

impl FromStr for Period {
    type Err = String;

    /// `month`, `quarter`, `year` or a number of days from 1 to 36525.
    fn from_str(text: &str) -> Result<Period, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "month" | "monthly" => Ok(Period::Month),
            "quarter" | "quarterly" => Ok(Period::Quarter),
            "year" | "yearly" | "annual" => Ok(Period::Year),
            t => match t.parse::<u32>() {
                Ok(n) if (1..=36_525).contains(&n) => Ok(Period::Days(n)),
                _ => Err(format!(
                    "expected month, quarter, year or a number of days from 1 to 36525, got '{text}'"
                )),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn months_across_a_leap_february_with_partial_ends() {
        // 2024-01-15 is day 0; 2024-01-31 day 16; 2024-02-29 day 45; 2024-03-10 day 55.
        let days = Period::Month.report_days(date("2024-01-15"), 56);
        assert_eq!(days, vec![16, 45, 55]);
        assert_eq!(Period::Month.label(date("2024-02-29")).unwrap(), "2024-02");
    }

    #[test]
    fn quarters_and_years_end_where_the_calendar_says() {
        // 2023-11-01 .. 2025-01-02: 2023-12-31 is day 60, 2024-03-31 day 151 (2024 is
        // leap: 31 + 29 + 31 = 91 days after day 60), 2024-06-30 day 242, 2024-09-30
        // day 334, 2024-12-31 day 426, last day 2025-01-02 day 428.
        let start = date("2023-11-01");
        assert_eq!(
            Period::Quarter.report_days(start, 429),
            vec![60, 151, 242, 334, 426, 428]
        );
        assert_eq!(Period::Year.report_days(start, 429), vec![60, 426, 428]);
        assert_eq!(
            Period::Quarter.label(date("2024-06-30")).unwrap(),
            "2024-Q2"
        );
        assert_eq!(Period::Year.label(date("2025-01-02")).unwrap(), "2025");
    }

    #[test]
    fn a_horizon_ending_on_a_period_end_has_no_extra_day() {
        assert_eq!(
            Period::Month.report_days(date("2023-02-01"), 28),
            vec![27],
            "2023-02-28 ends February of a common year"
        );
        assert_eq!(
            Period::Days(7).report_days(date("2024-01-01"), 15),
            [0, 7, 14]
        );
    }

    #[test]
    fn parses_names_and_day_counts() {
        assert_eq!("Month".parse::<Period>(), Ok(Period::Month));
        assert_eq!("30".parse::<Period>(), Ok(Period::Days(30)));
        assert!("0".parse::<Period>().is_err());
        assert!("week".parse::<Period>().unwrap_err().contains("'week'"));
    }
}
