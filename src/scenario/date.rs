//! Calendar dates: ISO `YYYY-MM-DD`, proleptic Gregorian, converted to and from day
//! numbers so that the simulation clock (whole days from the scenario start) and every
//! output's calendar date agree.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::fmt;

/// A calendar date, stored as days since 1970-01-01 (negative before).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i64);

impl Date {
    /// Builds a date from year, month (1–12) and day (1–31); `None` if it does not exist.
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    /// Parses `YYYY-MM-DD`; the error says what was expected.
    pub fn parse(text: &str) -> Result<Date, String> {
        let bad = || format!("expected a date as YYYY-MM-DD, got '{text}'");
        let mut parts = text.trim().splitn(3, '-');
        let (y, m, d) = (parts.next(), parts.next(), parts.next());
        let (Some(y), Some(m), Some(d)) = (y, m, d) else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i64>(), m.parse::<u32>(), d.parse::<u32>()) else {
            return Err(bad());
        };
        Date::from_ymd(y, m, d).ok_or_else(|| format!("'{text}' is not a calendar date"))
    }

    /// The date `days` days later (earlier when negative).
    pub fn plus_days(self, days: i64) -> Date {
        Date(self.0 + days)
    }

    /// Whole days from `earlier` to `self` (negative when `self` is before `earlier`).
    pub fn days_since(self, earlier: Date) -> i64 {
        self.0 - earlier.0
    }

    /// Year, month and day.
    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.0)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Accepts a string `"2022-02-24"` or a TOML date literal `2022-02-24`.
impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date as YYYY-MM-DD")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Date, E> {
                Date::parse(s).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Date, A::Error> {
                // toml hands a date literal over as a one-entry map holding its text.
                let Some((_, value)) = map.next_entry::<String, String>()? else {
                    return Err(de::Error::custom("expected a date as YYYY-MM-DD"));
                };
                if value.len() != 10 {
                    return Err(de::Error::custom(format!(
                        "expected a date as YYYY-MM-DD without a time of day, got {value}"
                    )));
                }
                Date::parse(&value).map_err(de::Error::custom)
            }
        }
        d.deserialize_any(V)
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_day_of_four_centuries() {
        let start = Date::parse("1900-01-01").unwrap();
        let mut prev = start.ymd();
        for k in 1..(146_097 + 400) {
            let d = start.plus_days(k);
            let (y, m, dd) = d.ymd();
            assert_eq!(Date::from_ymd(y, m, dd), Some(d));
            assert!((y, m, dd) > prev);
            prev = (y, m, dd);
        }
    }

    #[test]
    fn knows_the_epoch_and_leap_days() {
        assert_eq!(Date::parse("1970-01-01").unwrap(), Date(0));
        let a = Date::parse("2024-02-28").unwrap();
        assert_eq!(a.plus_days(1).to_string(), "2024-02-29");
        assert_eq!(a.plus_days(2).to_string(), "2024-03-01");
        assert!(Date::parse("2023-02-29").is_err());
        assert_eq!(
            Date::parse("2026-12-31")
                .unwrap()
                .days_since(Date::parse("2022-02-24").unwrap()),
            1771
        );
    }

    #[test]
    fn rejects_malformed_text() {
        for bad in ["2022-2-24", "24/02/2022", "", "2022-13-01", "abcd-ef-gh"] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_strings_and_toml_date_literals() {
        #[derive(serde::Deserialize)]
        struct T {
            a: Date,
            b: Date,
        }
        let t: T = toml::from_str("a = \"2022-02-24\"\nb = 2026-12-31\n").unwrap();
        assert_eq!(t.a.to_string(), "2022-02-24");
        assert_eq!(t.b.to_string(), "2026-12-31");
    }
}
