//! The raw form of a distribution: what the user wrote, before validation.

use super::kind::DistKind;
use std::fmt;

/// Every scalar key a distribution table may hold, in display order.
pub const SCALAR_KEYS: [&str; 15] = [
    "value",
    "min",
    "mode",
    "max",
    "lambda",
    "mean",
    "sd",
    "median",
    "p90",
    "p95",
    "mu",
    "sigma",
    "shape",
    "scale",
    "dispersion",
];

/// Every key a distribution table may hold.
pub const ALL_KEYS: [&str; 18] = [
    "dist",
    "value",
    "min",
    "mode",
    "max",
    "lambda",
    "mean",
    "sd",
    "median",
    "p90",
    "p95",
    "mu",
    "sigma",
    "shape",
    "scale",
    "dispersion",
    "values",
    "weights",
];

/// A distribution table as written: the kind and whichever keys were given.
///
/// Nothing is checked here beyond types; [`DistSpec::build`] validates.
#[derive(Debug, Clone, PartialEq)]
pub struct DistTable {
    /// The `dist` key.
    pub kind: DistKind,
    /// `value` (fixed).
    pub value: Option<f64>,
    /// `min`: a parameter (uniform, triangular, PERT) or a truncation bound.
    pub min: Option<f64>,
    /// `mode` (triangular, PERT).
    pub mode: Option<f64>,
    /// `max`: a parameter (uniform, triangular, PERT) or a truncation bound.
    pub max: Option<f64>,
    /// `lambda`, the PERT shape (default 4).
    pub lambda: Option<f64>,
    /// `mean` (normal, gamma, Poisson, negative binomial).
    pub mean: Option<f64>,
    /// `sd`, standard deviation (normal, gamma).
    pub sd: Option<f64>,
    /// `median` (lognormal).
    pub median: Option<f64>,
    /// `p90`, the 90th percentile (lognormal).
    pub p90: Option<f64>,
    /// `p95`, the 95th percentile (lognormal).
    pub p95: Option<f64>,
    /// `mu`, mean of the log (lognormal).
    pub mu: Option<f64>,
    /// `sigma`, standard deviation of the log (lognormal).
    pub sigma: Option<f64>,
    /// `shape` (gamma).
    pub shape: Option<f64>,
    /// `scale` (gamma).
    pub scale: Option<f64>,
    /// `dispersion` k, the size of a negative binomial.
    pub dispersion: Option<f64>,
    /// `values` (empirical).
    pub values: Option<Vec<f64>>,
    /// `weights` (empirical).
    pub weights: Option<Vec<f64>>,
}

impl DistTable {
    /// An empty table of the given kind.
    pub fn new(kind: DistKind) -> DistTable {
        DistTable {
            kind,
            value: None,
            min: None,
            mode: None,
            max: None,
            lambda: None,
            mean: None,
            sd: None,
            median: None,
            p90: None,
            p95: None,
            mu: None,
            sigma: None,
            shape: None,
            scale: None,
            dispersion: None,
            values: None,
            weights: None,
        }
    }

    /// Sets a scalar key, returning the table (for chaining).
    ///
    /// # Panics
    ///
    /// If `key` is not one of [`SCALAR_KEYS`] (a programming error).
    #[must_use]
    pub fn with(mut self, key: &str, value: f64) -> DistTable {
        let slot = self.slot_mut(key);
        assert!(slot.is_some(), "'{key}' is not a scalar distribution key");
        if let Some(slot) = slot {
            *slot = Some(value);
        }
        self
    }

    /// The value of a scalar key, if given.
    pub fn get(&self, key: &str) -> Option<f64> {
        match key {
            "value" => self.value,
            "min" => self.min,
            "mode" => self.mode,
            "max" => self.max,
            "lambda" => self.lambda,
            "mean" => self.mean,
            "sd" => self.sd,
            "median" => self.median,
            "p90" => self.p90,
            "p95" => self.p95,
            "mu" => self.mu,
            "sigma" => self.sigma,
            "shape" => self.shape,
            "scale" => self.scale,
            "dispersion" => self.dispersion,
            _ => None,
        }
    }

    /// The slot of a scalar key; `None` if `key` is not one of [`SCALAR_KEYS`].
    pub fn slot_mut(&mut self, key: &str) -> Option<&mut Option<f64>> {
        Some(match key {
            "value" => &mut self.value,
            "min" => &mut self.min,
            "mode" => &mut self.mode,
            "max" => &mut self.max,
            "lambda" => &mut self.lambda,
            "mean" => &mut self.mean,
            "sd" => &mut self.sd,
            "median" => &mut self.median,
            "p90" => &mut self.p90,
            "p95" => &mut self.p95,
            "mu" => &mut self.mu,
            "sigma" => &mut self.sigma,
            "shape" => &mut self.shape,
            "scale" => &mut self.scale,
            "dispersion" => &mut self.dispersion,
            _ => return None,
        })
    }

    /// The keys present, in display order (`values` and `weights` last).
    pub fn present_keys(&self) -> Vec<&'static str> {
        let mut keys: Vec<&'static str> = SCALAR_KEYS
            .into_iter()
            .filter(|k| self.get(k).is_some())
            .collect();
        keys.extend(self.values.as_ref().map(|_| "values"));
        keys.extend(self.weights.as_ref().map(|_| "weights"));
        keys
    }
}

/// A quantity as the user wrote it: a plain number or a distribution table.
///
/// In TOML, `5000`, `{ dist = "fixed", value = 5000 }` and
/// `{ dist = "pert", min = 1, mode = 2, max = 4 }` are all quantities. Deserialize it
/// with serde; call [`DistSpec::build`] to validate it into a [`super::Dist`].
#[derive(Debug, Clone, PartialEq)]
pub enum DistSpec {
    /// A plain number: a fixed value.
    Number(f64),
    /// A table with a `dist` key (boxed: a table is much larger than a number).
    Table(Box<DistTable>),
}

impl DistSpec {
    /// A fixed value, written as a plain number.
    pub fn fixed(v: f64) -> DistSpec {
        DistSpec::Number(v)
    }

    /// `{ dist = "uniform", min, max }`.
    pub fn uniform(min: f64, max: f64) -> DistSpec {
        table(DistKind::Uniform, &[("min", min), ("max", max)])
    }

    /// `{ dist = "triangular", min, mode, max }`.
    pub fn triangular(min: f64, mode: f64, max: f64) -> DistSpec {
        table(
            DistKind::Triangular,
            &[("min", min), ("mode", mode), ("max", max)],
        )
    }

    /// `{ dist = "pert", min, mode, max }` (λ = 4).
    pub fn pert(min: f64, mode: f64, max: f64) -> DistSpec {
        table(
            DistKind::Pert,
            &[("min", min), ("mode", mode), ("max", max)],
        )
    }

    /// `{ dist = "normal", mean, sd }`.
    pub fn normal(mean: f64, sd: f64) -> DistSpec {
        table(DistKind::Normal, &[("mean", mean), ("sd", sd)])
    }

    /// `{ dist = "lognormal", median, p90 }`.
    pub fn lognormal_p90(median: f64, p90: f64) -> DistSpec {
        table(DistKind::Lognormal, &[("median", median), ("p90", p90)])
    }

    /// `{ dist = "gamma", shape, scale }`.
    pub fn gamma(shape: f64, scale: f64) -> DistSpec {
        table(DistKind::Gamma, &[("shape", shape), ("scale", scale)])
    }

    /// `{ dist = "poisson", mean }`.
    pub fn poisson(mean: f64) -> DistSpec {
        table(DistKind::Poisson, &[("mean", mean)])
    }

    /// `{ dist = "negbin", mean, dispersion }`.
    pub fn negbin(mean: f64, dispersion: f64) -> DistSpec {
        table(
            DistKind::Negbin,
            &[("mean", mean), ("dispersion", dispersion)],
        )
    }

    /// `{ dist = "empirical", values }`.
    pub fn empirical(values: Vec<f64>) -> DistSpec {
        let mut t = DistTable::new(DistKind::Empirical);
        t.values = Some(values);
        DistSpec::Table(Box::new(t))
    }

    /// The same distribution with `min` and/or `max` set (truncation bounds for the
    /// kinds that take them).
    #[must_use]
    pub fn truncated(self, min: Option<f64>, max: Option<f64>) -> DistSpec {
        let mut t = match self {
            DistSpec::Number(v) => Box::new(DistTable::new(DistKind::Fixed).with("value", v)),
            DistSpec::Table(t) => t,
        };
        t.min = min.or(t.min);
        t.max = max.or(t.max);
        DistSpec::Table(t)
    }

    /// The kind written (a plain number is [`DistKind::Fixed`]).
    pub fn kind(&self) -> DistKind {
        match self {
            DistSpec::Number(_) => DistKind::Fixed,
            DistSpec::Table(t) => t.kind,
        }
    }
}

/// A table of the given kind with the given scalar keys.
fn table(kind: DistKind, entries: &[(&str, f64)]) -> DistSpec {
    let t = entries
        .iter()
        .fold(DistTable::new(kind), |t, &(k, v)| t.with(k, v));
    DistSpec::Table(Box::new(t))
}

/// At most this many values of an empirical list are shown.
const SHOWN_VALUES: usize = 6;

impl fmt::Display for DistSpec {
    /// A short human form: `2200`, `pert(1500000, 2200000, 3500000)`,
    /// `lognormal(median 6000, p90 8000) truncated to [0, 20000]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = match self {
            DistSpec::Number(v) => return write!(f, "{v}"),
            DistSpec::Table(t) => t,
        };
        if let (DistKind::Fixed, Some(v)) = (t.kind, t.get("value")) {
            return write!(f, "{v}");
        }
        let mut parts = Vec::new();
        let positional = !t.kind.truncatable();
        for key in t.present_keys() {
            match key {
                "min" | "max" if !positional => {}
                "mode" | "min" | "max" => parts.push(show(t.get(key))),
                "lambda" if t.get(key) == Some(4.0) => {}
                "values" | "weights" => {
                    let list = if key == "values" {
                        &t.values
                    } else {
                        &t.weights
                    };
                    parts.push(show_list(key, list.as_deref().unwrap_or_default()));
                }
                _ => parts.push(format!("{key} {}", show(t.get(key)))),
            }
        }
        write!(f, "{}({})", t.kind, parts.join(", "))?;
        match (t.kind.truncatable(), t.get("min"), t.get("max")) {
            (false, ..) | (true, None, None) => Ok(()),
            (true, Some(lo), Some(hi)) => write!(f, " truncated to [{lo}, {hi}]"),
            (true, Some(lo), None) => write!(f, " truncated below at {lo}"),
            (true, None, Some(hi)) => write!(f, " truncated above at {hi}"),
        }
    }
}

/// A number, or `?` where missing.
fn show(v: Option<f64>) -> String {
    v.map_or_else(|| "?".to_owned(), |v| v.to_string())
}

/// `3, 5, 8` for values; `weights 1, 2, 1` for weights; elided past a few entries.
fn show_list(key: &str, list: &[f64]) -> String {
    let mut shown: Vec<String> = list.iter().take(SHOWN_VALUES).map(f64::to_string).collect();
    if list.len() > SHOWN_VALUES {
        shown.push(format!("… {} in all", list.len()));
    }
    let body = shown.join(", ");
    if key == "values" {
        body
    } else {
        format!("{key} {body}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_the_short_human_form() {
        let lognormal = DistSpec::lognormal_p90(6000.0, 8000.0).truncated(Some(0.0), Some(2e4));
        let cases = [
            (DistSpec::fixed(2200.0), "2200"),
            (
                DistSpec::pert(1.5e6, 2.2e6, 3.5e6),
                "pert(1500000, 2200000, 3500000)",
            ),
            (
                lognormal,
                "lognormal(median 6000, p90 8000) truncated to [0, 20000]",
            ),
            (
                DistSpec::normal(10.0, 2.5).truncated(Some(0.0), None),
                "normal(mean 10, sd 2.5) truncated below at 0",
            ),
            (DistSpec::uniform(1.0, 2.0), "uniform(1, 2)"),
            (
                DistSpec::negbin(2400.0, 8.0),
                "negbin(mean 2400, dispersion 8)",
            ),
            (
                DistSpec::empirical(vec![3.0, 5.0, 8.0]),
                "empirical(3, 5, 8)",
            ),
            (
                DistSpec::empirical((1..=8).map(f64::from).collect()),
                "empirical(1, 2, 3, 4, 5, 6, … 8 in all)",
            ),
        ];
        for (spec, want) in cases {
            assert_eq!(spec.to_string(), want);
        }
        let DistSpec::Table(t) = DistSpec::pert(1.0, 2.0, 4.0) else {
            unreachable!()
        };
        assert_eq!(
            DistSpec::Table(Box::new(t.with("lambda", 3.0))).to_string(),
            "pert(1, 2, 4, lambda 3)"
        );
    }
}
