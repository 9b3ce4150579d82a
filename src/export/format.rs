//! Deterministic number formatting for the CSV files.

/// `x` with at most `decimals` decimals, trailing zeros removed (`0.25`, `1200`, `0`).
/// Non-finite values (which the statistics never produce) are written empty.
pub fn decimal(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let mut s = format!("{x:.decimals$}");
    if s.contains('.') {
        let trimmed = s.trim_end_matches('0').trim_end_matches('.').len();
        s.truncate(trimmed);
    }
    if s == "-0" { "0".to_string() } else { s }
}

/// A probability or share: 6 decimals.
pub fn prob(x: f64) -> String {
    decimal(x, 6)
}

/// A mean of counts: 2 decimals.
pub fn mean(x: f64) -> String {
    decimal(x, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_zeros_and_keeps_integers() {
        assert_eq!(decimal(0.25, 6), "0.25");
        assert_eq!(decimal(1200.0, 2), "1200");
        assert_eq!(decimal(-0.0000001, 2), "0");
        assert_eq!(decimal(1.0 / 3.0, 6), "0.333333");
        assert_eq!(decimal(f64::NAN, 2), "");
    }
}
