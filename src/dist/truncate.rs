//! Truncation: the exact mass check, the choice between rejection and inverse CDF,
//! and empirical tables (truncated exactly by dropping values).

use super::build::{err, ordered};
use super::kind::DistKind;
use super::law::{Inverse, Law};
use super::sample::{Draw, PoissonDraw, Table, Window};
use super::spec::DistTable;
use super::{Dist, DistError, MIN_MASS};
use rand_distr::{Gamma, LogNormal, Normal};

/// Truncated normal and lognormal use rejection when the window holds at least this
/// much mass (a few cheap draws), else the closed-form inverse CDF.
const REJECT_MASS_CLOSED_FORM: f64 = 0.1;
/// Truncated gamma, Poisson and negative binomial use rejection down to this mass
/// (≤ 100 draws on average), else a numerical inverse CDF.
const REJECT_MASS_SEARCH: f64 = 0.01;

/// Applies the optional truncation window to a law and picks the sampling method.
pub(super) fn truncate(t: &DistTable, law: Law) -> Result<Dist, DistError> {
    let draw = law_draw(law)?;
    let (lo, hi) = (
        t.min.unwrap_or(f64::NEG_INFINITY),
        t.max.unwrap_or(f64::INFINITY),
    );
    ordered(lo, hi)?;
    let (lo, hi) = if law.is_discrete() {
        (lo.ceil(), hi.floor())
    } else {
        (lo, hi)
    };
    let (support_lo, support_hi) = law.support();
    let (lo, hi) = (lo.max(support_lo), hi.min(support_hi));
    if t.min.is_none() && t.max.is_none() {
        return Ok(Dist::new(t.kind, draw, Window::Full, law.mean(), (lo, hi)));
    }
    let mass = match draw {
        Draw::Fixed(v) => f64::from(u8::from(lo <= v && v <= hi)),
        _ if lo > hi => 0.0,
        _ => law.mass(lo, hi),
    };
    if mass < MIN_MASS {
        return Err(mass_error(t, law.mean(), mass));
    }
    let mean = match draw {
        Draw::Fixed(v) => v,
        _ => law.truncated_mean(lo, hi, mass),
    };
    let closed_form = matches!(law, Law::Normal { .. } | Law::LogNormal { .. });
    let reject_from = if closed_form {
        REJECT_MASS_CLOSED_FORM
    } else {
        REJECT_MASS_SEARCH
    };
    let window = if mass >= reject_from {
        Window::Reject { lo, hi }
    } else {
        Window::Inverse(Box::new(Inverse::new(law, lo, hi)))
    };
    Ok(Dist::new(t.kind, draw, window, mean, (lo, hi)))
}

/// The error for a window that excludes (nearly) all the mass, naming the bound that
/// cuts the bulk away.
fn mass_error(t: &DistTable, mean: f64, mass: f64) -> DistError {
    let field = match (t.min, t.max) {
        (Some(lo), Some(_)) if lo <= mean => "max",
        (Some(_), _) => "min",
        _ => "max",
    };
    let lo = t.min.map_or("-inf".to_owned(), |v| v.to_string());
    let hi = t.max.map_or("inf".to_owned(), |v| v.to_string());
    let closing = if t.max.is_some() { "]" } else { ")" };
    let opening = if t.min.is_some() { "[" } else { "(" };
    let kept = if mass > 0.0 {
        format!("only {mass:.2e}")
    } else {
        "none".to_owned()
    };
    err(
        field,
        format!(
            "truncating to {opening}{lo}, {hi}{closing} keeps {kept} of the probability, at least {MIN_MASS:e} is needed"
        ),
    )
}

/// The untruncated sampler of a law (degenerate laws become fixed).
fn law_draw(law: Law) -> Result<Draw, DistError> {
    let (support_lo, support_hi) = law.support();
    if support_lo == support_hi {
        return Ok(Draw::Fixed(support_lo));
    }
    let bad =
        |field: &str, e: &dyn std::fmt::Display| err(field, format!("invalid parameters: {e}"));
    Ok(match law {
        Law::Normal { mean, sd } => Draw::Normal(Normal::new(mean, sd).map_err(|e| bad("sd", &e))?),
        Law::LogNormal { mu, sigma } => {
            Draw::LogNormal(LogNormal::new(mu, sigma).map_err(|e| bad("sigma", &e))?)
        }
        Law::Gamma { shape, scale } => {
            Draw::Gamma(Gamma::new(shape, scale).map_err(|e| bad("shape", &e))?)
        }
        Law::Poisson { mean } => Draw::Poisson(PoissonDraw::new(mean)),
        Law::NegBin { mean, k } => {
            Draw::NegBin(Gamma::new(k, mean / k).map_err(|e| bad("dispersion", &e))?)
        }
    })
}

/// An empirical table, with optional weights and truncation (applied exactly by
/// dropping the values outside the window).
pub(super) fn empirical(t: &DistTable) -> Result<Dist, DistError> {
    let values = t.values.as_deref().ok_or_else(|| {
        err(
            "values",
            "missing values: an empirical distribution takes a list of values".to_owned(),
        )
    })?;
    if values.is_empty() {
        return Err(err("values", "values must not be empty".to_owned()));
    }
    let ones = vec![1.0; values.len()];
    let weights = t.weights.as_deref().unwrap_or(&ones);
    if weights.len() != values.len() {
        return Err(err(
            "weights",
            format!(
                "weights has {} entries but values has {}",
                weights.len(),
                values.len()
            ),
        ));
    }
    if let Some((i, w)) = weights.iter().enumerate().find(|(_, w)| **w < 0.0) {
        return Err(err(
            "weights",
            format!("weights[{i}] must be >= 0, got {w}"),
        ));
    }
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return Err(err("weights", "weights must not all be zero".to_owned()));
    }
    if !total.is_finite() {
        // Cumulative weights past f64::MAX would always draw the last value.
        return Err(err(
            "weights",
            format!("weights must have a finite sum, got {total}"),
        ));
    }
    let (lo, hi) = (
        t.min.unwrap_or(f64::NEG_INFINITY),
        t.max.unwrap_or(f64::INFINITY),
    );
    ordered(lo, hi)?;
    let kept: Vec<(f64, f64)> = values
        .iter()
        .zip(weights)
        .map(|(v, w)| (*v, *w))
        .filter(|(v, w)| *w > 0.0 && (lo..=hi).contains(v))
        .collect();
    let kept_weight: f64 = kept.iter().map(|(_, w)| w).sum();
    let unweighted_mean = values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total;
    if kept_weight / total < MIN_MASS {
        return Err(mass_error(t, unweighted_mean, kept_weight / total));
    }
    let mean = kept.iter().map(|(v, w)| v * w).sum::<f64>() / kept_weight;
    let min = kept.iter().map(|(v, _)| *v).fold(f64::INFINITY, f64::min);
    let max = kept
        .iter()
        .map(|(v, _)| *v)
        .fold(f64::NEG_INFINITY, f64::max);
    let (kept_values, kept_weights): (Vec<f64>, Vec<f64>) = kept.into_iter().unzip();
    let draw = if min == max {
        Draw::Fixed(min)
    } else {
        Draw::Empirical(Table::new(kept_values, Some(&kept_weights)))
    };
    Ok(Dist::new(
        DistKind::Empirical,
        draw,
        Window::Full,
        mean,
        (min, max),
    ))
}
