//! Validation: from a [`DistSpec`] as written to a [`Dist`] ready to sample.

use super::kind::DistKind;
use super::law::Law;
use super::sample::{Draw, Window};
use super::spec::{DistSpec, DistTable};
use super::truncate::{empirical, truncate};
use super::{Dist, DistError};
use rand_distr::Beta;

/// z-scores of the 90th and 95th percentiles of the standard normal.
const Z90: f64 = 1.281_551_565_544_600_5;
const Z95: f64 = 1.644_853_626_951_472_2;
/// The default PERT shape λ.
const DEFAULT_LAMBDA: f64 = 4.0;

/// A shorthand for the error of `field`.
pub(super) fn err(field: &str, message: String) -> DistError {
    DistError {
        field: field.to_owned(),
        message,
    }
}

impl DistSpec {
    /// Validates every parameter and builds the sampler.
    ///
    /// # Errors
    ///
    /// A [`DistError`] naming the offending key when a parameter is missing, does not
    /// apply to the kind, is not finite or is out of range, or when a truncation window
    /// holds less than 10⁻⁶ of the probability mass.
    pub fn build(&self) -> Result<Dist, DistError> {
        match self {
            DistSpec::Number(v) if v.is_finite() => Ok(Dist::fixed(*v)),
            DistSpec::Number(v) => Err(err("", format!("expected a finite number, got {v}"))),
            DistSpec::Table(t) => build_table(t),
        }
    }
}

/// Checks keys and finiteness, then builds by kind.
fn build_table(t: &DistTable) -> Result<Dist, DistError> {
    let kind = t.kind;
    if let Some(key) = t
        .present_keys()
        .into_iter()
        .find(|k| !kind.keys().contains(k))
    {
        let usage = kind.usage();
        return Err(err(
            key,
            format!("{key} does not apply to a {kind} distribution (it takes {usage})"),
        ));
    }
    check_finite(t)?;
    let need = |key: &str| {
        t.get(key).ok_or_else(|| {
            err(
                key,
                format!(
                    "missing {key}: a {kind} distribution takes {}",
                    kind.usage()
                ),
            )
        })
    };
    match kind {
        DistKind::Fixed => Ok(Dist::with_kind(kind, need("value")?)),
        DistKind::Uniform => uniform(need("min")?, need("max")?),
        DistKind::Triangular => triangular(need("min")?, need("mode")?, need("max")?),
        DistKind::Pert => pert(need("min")?, need("mode")?, need("max")?, t.lambda),
        DistKind::Normal => {
            let (mean, sd) = (need("mean")?, need("sd")?);
            at_least("sd", sd, 0.0)?;
            truncate(t, Law::Normal { mean, sd })
        }
        DistKind::Lognormal => truncate(t, lognormal(t, need)?),
        DistKind::Gamma => truncate(t, gamma(t, need)?),
        DistKind::Poisson => {
            let mean = need("mean")?;
            at_least("mean", mean, 0.0)?;
            truncate(t, Law::Poisson { mean })
        }
        DistKind::Negbin => {
            let (mean, k) = (need("mean")?, need("dispersion")?);
            at_least("mean", mean, 0.0)?;
            positive("dispersion", k)?;
            truncate(t, Law::NegBin { mean, k })
        }
        DistKind::Empirical => empirical(t),
    }
}

/// Every number given must be finite.
fn check_finite(t: &DistTable) -> Result<(), DistError> {
    for key in t.present_keys() {
        if let Some(v) = t.get(key).filter(|v| !v.is_finite()) {
            return Err(err(key, format!("{key} must be a finite number, got {v}")));
        }
    }
    for (key, list) in [("values", &t.values), ("weights", &t.weights)] {
        let list = list.as_deref().unwrap_or_default();
        if let Some((i, v)) = list.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(err(
                key,
                format!("{key}[{i}] must be a finite number, got {v}"),
            ));
        }
    }
    Ok(())
}

/// `key` must be ≥ `floor`.
fn at_least(key: &str, v: f64, floor: f64) -> Result<(), DistError> {
    if v < floor {
        Err(err(key, format!("{key} must be >= {floor}, got {v}")))
    } else {
        Ok(())
    }
}

/// `key` must be > 0.
fn positive(key: &str, v: f64) -> Result<(), DistError> {
    if v > 0.0 {
        Ok(())
    } else {
        Err(err(key, format!("{key} must be > 0, got {v}")))
    }
}

/// `min <= max` for the parameters (or truncation bounds) of a distribution.
pub(super) fn ordered(min: f64, max: f64) -> Result<(), DistError> {
    if min > max {
        return Err(err(
            "max",
            format!("max ({max}) must not be below min ({min})"),
        ));
    }
    Ok(())
}

/// `min <= mode <= max`.
fn ordered_mode(min: f64, mode: f64, max: f64) -> Result<(), DistError> {
    ordered(min, max)?;
    if !(min..=max).contains(&mode) {
        return Err(err(
            "mode",
            format!("mode ({mode}) must lie within min and max [{min}, {max}]"),
        ));
    }
    Ok(())
}

fn uniform(lo: f64, hi: f64) -> Result<Dist, DistError> {
    ordered(lo, hi)?;
    let draw = Draw::Uniform {
        lo,
        span: hi - lo,
        hi,
    };
    Ok(Dist::new(
        DistKind::Uniform,
        draw,
        Window::Full,
        0.5 * (lo + hi),
        (lo, hi),
    ))
}

fn triangular(lo: f64, mode: f64, hi: f64) -> Result<Dist, DistError> {
    ordered_mode(lo, mode, hi)?;
    let split = if hi > lo {
        (mode - lo) / (hi - lo)
    } else {
        0.0
    };
    let draw = Draw::Triangular {
        lo,
        mode,
        hi,
        split,
    };
    Ok(Dist::new(
        DistKind::Triangular,
        draw,
        Window::Full,
        (lo + mode + hi) / 3.0,
        (lo, hi),
    ))
}

fn pert(lo: f64, mode: f64, hi: f64, lambda: Option<f64>) -> Result<Dist, DistError> {
    ordered_mode(lo, mode, hi)?;
    let lambda = lambda.unwrap_or(DEFAULT_LAMBDA);
    at_least("lambda", lambda, 0.0)?;
    let mean = (lo + lambda * mode + hi) / (lambda + 2.0);
    if hi == lo {
        return Ok(Dist::new(
            DistKind::Pert,
            Draw::Fixed(lo),
            Window::Full,
            lo,
            (lo, lo),
        ));
    }
    let span = hi - lo;
    let (alpha, beta) = (
        1.0 + lambda * (mode - lo) / span,
        1.0 + lambda * (hi - mode) / span,
    );
    let beta = Beta::new(alpha, beta).map_err(|e| {
        err(
            "lambda",
            format!("lambda ({lambda}) gives no valid beta distribution: {e}"),
        )
    })?;
    Ok(Dist::new(
        DistKind::Pert,
        Draw::Pert { lo, span, hi, beta },
        Window::Full,
        mean,
        (lo, hi),
    ))
}

/// Lognormal by median and p90/p95, or by mu and sigma (never both).
fn lognormal(
    t: &DistTable,
    need: impl Fn(&str) -> Result<f64, DistError>,
) -> Result<Law, DistError> {
    if let Some(median) = t.median {
        for key in ["mu", "sigma"] {
            if t.get(key).is_some() {
                return Err(err(
                    key,
                    format!(
                        "{key} cannot be combined with median (give median with p90 or p95, or mu and sigma)"
                    ),
                ));
            }
        }
        positive("median", median)?;
        let (key, upper, z) = match (t.p90, t.p95) {
            (Some(_), Some(_)) => {
                return Err(err("p95", "give either p90 or p95, not both".to_owned()));
            }
            (Some(p), None) => ("p90", p, Z90),
            (None, Some(p)) => ("p95", p, Z95),
            (None, None) => {
                return Err(err(
                    "p90",
                    "missing p90: a lognormal by median also needs p90 or p95".to_owned(),
                ));
            }
        };
        if upper <= median {
            return Err(err(
                key,
                format!("{key} ({upper}) must be above the median ({median})"),
            ));
        }
        return Ok(Law::LogNormal {
            mu: median.ln(),
            sigma: (upper.ln() - median.ln()) / z,
        });
    }
    if let Some(key) = ["p90", "p95"].into_iter().find(|k| t.get(k).is_some()) {
        return Err(err(
            "median",
            format!("missing median: {key} needs a median"),
        ));
    }
    let (mu, sigma) = (need("mu")?, need("sigma")?);
    at_least("sigma", sigma, 0.0)?;
    Ok(Law::LogNormal { mu, sigma })
}

/// Gamma by shape and scale, or by mean and sd (never both).
fn gamma(t: &DistTable, need: impl Fn(&str) -> Result<f64, DistError>) -> Result<Law, DistError> {
    if t.shape.is_some() || t.scale.is_some() {
        if let Some(key) = ["mean", "sd"].into_iter().find(|k| t.get(k).is_some()) {
            return Err(err(
                key,
                format!(
                    "{key} cannot be combined with shape or scale (give shape and scale, or mean and sd)"
                ),
            ));
        }
        let (shape, scale) = (need("shape")?, need("scale")?);
        positive("shape", shape)?;
        positive("scale", scale)?;
        return Ok(Law::Gamma { shape, scale });
    }
    let (mean, sd) = (need("mean")?, need("sd")?);
    positive("mean", mean)?;
    positive("sd", sd)?;
    Ok(Law::Gamma {
        shape: (mean / sd).powi(2),
        scale: sd * sd / mean,
    })
}
