//! Quantiles of a sorted sample held in memory (the back-test's per-trial values, an
//! input's sampled quantile function, bootstrap replicates).

/// The `q` quantile of sorted `values` (Hyndman–Fan type 7: linear between the nearest
/// ranks); NaN when empty.
pub fn sorted_quantile(values: &[f64], q: f64) -> f64 {
    match values.len() {
        0 => f64::NAN,
        n => {
            let h = (n - 1) as f64 * q;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            values[lo] + (h - lo as f64) * (values[hi] - values[lo])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sorted_quantile as quantile;

    #[test]
    fn type7_quantiles() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 0.05), 1.2);
        assert_eq!(quantile(&v, 0.95), 4.8);
        assert_eq!(quantile(&[7.0], 0.05), 7.0);
        assert!(quantile(&[], 0.5).is_nan());
    }
}
