//! The kinds of distribution in the catalogue and the keys each one takes.

use std::fmt;
use std::str::FromStr;

/// The kinds of distribution in the catalogue, named as in the `dist` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DistKind {
    /// A fixed value: `value`.
    Fixed,
    /// Uniform on `[min, max]`.
    Uniform,
    /// Triangular by `min`, `mode`, `max`.
    Triangular,
    /// (Modified) PERT by `min`, `mode`, `max` and optional `lambda` (default 4).
    Pert,
    /// Normal by `mean` and `sd`.
    Normal,
    /// Lognormal by `median` and `p90` or `p95`, or by `mu` and `sigma` (of the log).
    Lognormal,
    /// Gamma by `shape` and `scale`, or by `mean` and `sd`.
    Gamma,
    /// Poisson by `mean`.
    Poisson,
    /// Negative binomial by `mean` and `dispersion` k: variance = mean + mean²/k.
    Negbin,
    /// A list of equally likely `values`, or weighted by `weights`.
    Empirical,
}

impl DistKind {
    /// Every kind, in the catalogue's order.
    pub const ALL: [DistKind; 10] = [
        DistKind::Fixed,
        DistKind::Uniform,
        DistKind::Triangular,
        DistKind::Pert,
        DistKind::Normal,
        DistKind::Lognormal,
        DistKind::Gamma,
        DistKind::Poisson,
        DistKind::Negbin,
        DistKind::Empirical,
    ];

    /// The name used in the `dist` key.
    pub fn as_str(self) -> &'static str {
        match self {
            DistKind::Fixed => "fixed",
            DistKind::Uniform => "uniform",
            DistKind::Triangular => "triangular",
            DistKind::Pert => "pert",
            DistKind::Normal => "normal",
            DistKind::Lognormal => "lognormal",
            DistKind::Gamma => "gamma",
            DistKind::Poisson => "poisson",
            DistKind::Negbin => "negbin",
            DistKind::Empirical => "empirical",
        }
    }

    /// The keys this kind accepts, besides `dist`.
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            DistKind::Fixed => &["value"],
            DistKind::Uniform => &["min", "max"],
            DistKind::Triangular => &["min", "mode", "max"],
            DistKind::Pert => &["min", "mode", "max", "lambda"],
            DistKind::Normal => &["mean", "sd", "min", "max"],
            DistKind::Lognormal => &["median", "p90", "p95", "mu", "sigma", "min", "max"],
            DistKind::Gamma => &["shape", "scale", "mean", "sd", "min", "max"],
            DistKind::Poisson => &["mean", "min", "max"],
            DistKind::Negbin => &["mean", "dispersion", "min", "max"],
            DistKind::Empirical => &["values", "weights", "min", "max"],
        }
    }

    /// How this kind is parameterised, for error messages.
    pub fn usage(self) -> &'static str {
        match self {
            DistKind::Fixed => "value",
            DistKind::Uniform => "min and max",
            DistKind::Triangular => "min, mode and max",
            DistKind::Pert => "min, mode and max, optional lambda",
            DistKind::Normal => "mean and sd, optional min and max",
            DistKind::Lognormal => "median with p90 or p95, or mu and sigma; optional min and max",
            DistKind::Gamma => "shape and scale, or mean and sd; optional min and max",
            DistKind::Poisson => "mean, optional min and max",
            DistKind::Negbin => "mean and dispersion, optional min and max",
            DistKind::Empirical => "values, optional weights, min and max",
        }
    }

    /// Whether `min`/`max` truncate this kind (rather than being its parameters).
    pub fn truncatable(self) -> bool {
        !matches!(
            self,
            DistKind::Fixed | DistKind::Uniform | DistKind::Triangular | DistKind::Pert
        )
    }

    /// The kind names joined by ", ", for error messages.
    pub(crate) fn names() -> String {
        DistKind::ALL.map(DistKind::as_str).join(", ")
    }
}

impl fmt::Display for DistKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DistKind {
    type Err = String;

    fn from_str(s: &str) -> Result<DistKind, String> {
        DistKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown distribution '{s}', expected one of {}",
                    DistKind::names()
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kind_names_and_lists_them_on_error() {
        assert_eq!("negbin".parse::<DistKind>(), Ok(DistKind::Negbin));
        let err = "pret".parse::<DistKind>().unwrap_err();
        assert!(err.starts_with("unknown distribution 'pret', expected one of fixed, uniform,"));
    }
}
