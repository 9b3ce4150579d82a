//! The distribution catalogue against theory: sample moments within 4 standard errors
//! of the exact values (fixed seeds), quantiles within binomial tolerance, truncation
//! against independent numerical integration or pmf sums. (Every validation and parse
//! error is tested in `src/dist/tests.rs`.)

use drawdown::dist::{Dist, DistSpec};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

#[derive(Debug, serde::Deserialize)]
struct Holder {
    q: DistSpec,
}

fn parse(text: &str) -> Result<DistSpec, toml::de::Error> {
    toml::from_str::<Holder>(&format!("q = {text}\n")).map(|h| h.q)
}

fn dist(text: &str) -> Dist {
    let spec = parse(text).expect("test spec parses");
    spec.build().expect("test spec is valid")
}

fn draws(d: &Dist, n: usize, seed: u64) -> Vec<f64> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..n).map(|_| d.sample(&mut rng)).collect()
}

fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var)
}

/// The sample mean of `n` draws lies within 4 SE (= sd/√n) of `mean`, every draw
/// within the stated bounds, and `Dist::mean` is the exact mean.
fn check_mean(text: &str, n: usize, mean: f64, sd: f64) -> Vec<f64> {
    let d = dist(text);
    let xs = draws(&d, n, 20_240_224);
    let (m, _) = mean_var(&xs);
    let se = sd / (n as f64).sqrt();
    assert!(
        (m - mean).abs() < 4.0 * se,
        "{text}: sample mean {m}, theory {mean} ± {se}"
    );
    let exact = d.mean().expect("mean is known");
    assert!(
        (exact - mean).abs() <= 1e-9 * mean.abs().max(1.0),
        "{text}: mean() {exact}, theory {mean}"
    );
    assert!(
        xs.iter()
            .all(|x| x.is_finite() && (d.min_value()..=d.max_value()).contains(x))
    );
    xs
}

#[test]
fn fixed_values_come_back_unchanged() {
    for (text, v) in [
        ("5000", 5000.0),
        ("2.5", 2.5),
        ("-3", -3.0),
        ("{ dist = \"fixed\", value = 7 }", 7.0),
    ] {
        let d = dist(text);
        assert_eq!(d.fixed_value(), Some(v));
        assert_eq!(
            (d.kind(), d.mean(), d.min_value(), d.max_value()),
            ("fixed", Some(v), v, v)
        );
        assert!(draws(&d, 10, 1).iter().all(|x| *x == v));
    }
    let degenerate = dist("{ dist = \"pert\", min = 3, mode = 3, max = 3 }");
    assert_eq!(
        (degenerate.fixed_value(), degenerate.kind()),
        (Some(3.0), "pert")
    );
    assert_eq!(
        dist("{ dist = \"normal\", mean = 4, sd = 0 }").fixed_value(),
        Some(4.0)
    );
    assert_eq!(
        dist("{ dist = \"normal\", mean = 4, sd = 1 }").fixed_value(),
        None
    );
}

#[test]
fn uniform_triangular_and_pert_means_match_theory() {
    check_mean(
        "{ dist = \"uniform\", min = 1, max = 2 }",
        50_000,
        1.5,
        (1.0f64 / 12.0).sqrt(),
    );
    // Triangular: mean (a+b+c)/3, variance (a²+b²+c²−ab−ac−bc)/18.
    check_mean(
        "{ dist = \"triangular\", min = 1, mode = 2, max = 4 }",
        50_000,
        7.0 / 3.0,
        (7.0f64 / 18.0).sqrt(),
    );
    // PERT: mean (min + λ·mode + max)/(λ+2), variance (μ−min)(max−μ)/(λ+3).
    for (lambda, text) in [
        (4.0f64, "{ dist = \"pert\", min = 1, mode = 2, max = 4 }"),
        (
            2.0,
            "{ dist = \"pert\", min = 1, mode = 2, max = 4, lambda = 2 }",
        ),
    ] {
        let mean = (1.0 + lambda * 2.0 + 4.0) / (lambda + 2.0);
        let sd = ((mean - 1.0) * (4.0 - mean) / (lambda + 3.0)).sqrt();
        check_mean(text, 50_000, mean, sd);
    }
}

#[test]
fn normal_lognormal_and_gamma_means_match_theory() {
    check_mean(
        "{ dist = \"normal\", mean = 10, sd = 2 }",
        50_000,
        10.0,
        2.0,
    );
    let (mu, sigma) = (4.6f64, 0.5f64);
    let mean = (mu + sigma * sigma / 2.0).exp();
    let sd = mean * ((sigma * sigma).exp() - 1.0).sqrt();
    check_mean(
        "{ dist = \"lognormal\", mu = 4.6, sigma = 0.5 }",
        50_000,
        mean,
        sd,
    );
    check_mean(
        "{ dist = \"gamma\", shape = 2, scale = 3 }",
        50_000,
        6.0,
        2f64.sqrt() * 3.0,
    );
    check_mean(
        "{ dist = \"gamma\", shape = 0.4, scale = 3 }",
        50_000,
        1.2,
        0.4f64.sqrt() * 3.0,
    );
    check_mean("{ dist = \"gamma\", mean = 6, sd = 4 }", 50_000, 6.0, 4.0);
}

#[test]
fn lognormal_by_percentiles_hits_the_stated_percentiles() {
    // The fraction of draws at or below a stated percentile is binomial: its SE is
    // √(p(1−p)/n), and a 4 SE band is the order-statistic tolerance on the rank.
    let n = 40_000;
    for (text, p_hi, upper) in [
        (
            "{ dist = \"lognormal\", median = 100, p90 = 180 }",
            0.9,
            180.0,
        ),
        (
            "{ dist = \"lognormal\", median = 100, p95 = 200 }",
            0.95,
            200.0,
        ),
    ] {
        let xs = draws(&dist(text), n, 7);
        for (p, q) in [(0.5, 100.0), (p_hi, upper)] {
            let below = xs.iter().filter(|x| **x <= q).count() as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!(
                (below - p).abs() < 4.0 * se,
                "{text}: {below} of draws <= {q}, expected {p}"
            );
        }
    }
}

#[test]
fn poisson_means_match_theory_and_draws_are_whole() {
    for mean in [0.3f64, 7.0, 5000.0] {
        let xs = check_mean(
            &format!("{{ dist = \"poisson\", mean = {mean} }}"),
            50_000,
            mean,
            mean.sqrt(),
        );
        assert!(xs.iter().all(|x| x.fract() == 0.0 && *x >= 0.0));
    }
    let zero = dist("{ dist = \"poisson\", mean = 0 }");
    assert_eq!(
        (
            zero.fixed_value(),
            zero.sample_count(&mut Xoshiro256PlusPlus::seed_from_u64(1))
        ),
        (Some(0.0), 0)
    );
    assert_eq!(
        dist("{ dist = \"negbin\", mean = 0, dispersion = 2 }").fixed_value(),
        Some(0.0)
    );
}

/// Unnormalised pmf weights of a Poisson or negative binomial on `lo..=hi`, by the
/// ratio recursion from the mode (no special functions), normalised to sum to 1.
fn pmf_weights(mean: f64, k: Option<f64>, lo: u64, hi: u64) -> Vec<(f64, f64)> {
    let ratio = |x: f64| match k {
        None => mean / (x + 1.0),
        Some(k) => (x + k) / (x + 1.0) * (mean / (k + mean)),
    };
    let mode = (mean.floor() as u64).clamp(lo, hi);
    let mut w = vec![0.0; (hi - lo + 1) as usize];
    w[(mode - lo) as usize] = 1.0;
    for x in mode..hi {
        w[(x + 1 - lo) as usize] = w[(x - lo) as usize] * ratio(x as f64);
    }
    for x in (lo..mode).rev() {
        w[(x - lo) as usize] = w[(x + 1 - lo) as usize] / ratio(x as f64);
    }
    let total: f64 = w.iter().sum();
    (lo..=hi)
        .zip(w)
        .map(|(x, w)| (x as f64, w / total))
        .collect()
}

/// Mean and central moments 2 and 4 of a pmf table.
fn moments(pmf: &[(f64, f64)]) -> (f64, f64, f64) {
    let mean: f64 = pmf.iter().map(|(x, p)| x * p).sum();
    let m2 = pmf.iter().map(|(x, p)| p * (x - mean).powi(2)).sum();
    let m4 = pmf.iter().map(|(x, p)| p * (x - mean).powi(4)).sum();
    (mean, m2, m4)
}

#[test]
fn negbin_mean_and_variance_match_theory() {
    let (mean, k, n) = (5000.0, 8.0, 50_000);
    let var = mean + mean * mean / k;
    let xs = check_mean(
        "{ dist = \"negbin\", mean = 5000, dispersion = 8 }",
        n,
        mean,
        var.sqrt(),
    );
    // Var(s²) ≈ (μ₄ − σ⁴)/n, with μ₄ summed from the exact pmf.
    let (pmf_mean, pmf_var, m4) = moments(&pmf_weights(mean, Some(k), 0, 100_000));
    assert!((pmf_mean / mean - 1.0).abs() < 1e-9 && (pmf_var / var - 1.0).abs() < 1e-9);
    let se_var = ((m4 - var * var) / n as f64).sqrt();
    let (_, s2) = mean_var(&xs);
    assert!(
        (s2 - var).abs() < 4.0 * se_var,
        "sample variance {s2}, theory {var} ± {se_var}"
    );
    check_mean(
        "{ dist = \"negbin\", mean = 2.5, dispersion = 0.5 }",
        50_000,
        2.5,
        (2.5f64 + 12.5).sqrt(),
    );
}

/// ∫ f over [a, b] by Simpson's rule on `n` (even) intervals.
fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
    let h = (b - a) / n as f64;
    let inner: f64 = (1..n)
        .map(|i| f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 })
        .sum();
    (f(a) + f(b) + inner) * h / 3.0
}

/// Truncated mean and sd of a density on [a, b], by integration.
fn truncated_moments(pdf: impl Fn(f64) -> f64, a: f64, b: f64) -> (f64, f64) {
    let mass = simpson(&pdf, a, b, 20_000);
    let mean = simpson(|x| x * pdf(x), a, b, 20_000) / mass;
    let var = simpson(|x| (x - mean).powi(2) * pdf(x), a, b, 20_000) / mass;
    (mean, var.sqrt())
}

#[test]
fn truncated_normal_stays_inside_and_matches_the_truncated_mean() {
    let pdf = |x: f64| (-0.5 * ((x - 10.0) / 2.0f64).powi(2)).exp();
    // [9, 15] keeps 69 % (rejection); [15, ∞) keeps 0.6 % (inverse CDF); [-∞, 4] 0.13 %.
    for (bounds, a, b) in [
        ("min = 9, max = 15", 9.0, 15.0),
        ("min = 15", 15.0, 60.0),
        ("max = 4", -40.0, 4.0),
    ] {
        let text = format!("{{ dist = \"normal\", mean = 10, sd = 2, {bounds} }}");
        let (mean, sd) = truncated_moments(pdf, a, b);
        let xs = check_mean(&text, 20_000, mean, sd);
        assert!(
            xs.iter().all(|x| (a..=b).contains(x)),
            "{text} left its window"
        );
    }
}

#[test]
fn truncated_lognormal_and_gamma_match_integrated_means() {
    let (mu, sigma) = (
        100f64.ln(),
        (180f64.ln() - 100f64.ln()) / 1.281_551_565_544_600_5,
    );
    let lognormal = |x: f64| (-0.5 * ((x.ln() - mu) / sigma).powi(2)).exp() / x;
    let (mean, sd) = truncated_moments(lognormal, 1e-9, 150.0);
    check_mean(
        "{ dist = \"lognormal\", median = 100, p90 = 180, max = 150 }",
        20_000,
        mean,
        sd,
    );
    let (mean, sd) = truncated_moments(lognormal, 600.0, 20_000.0);
    check_mean(
        "{ dist = \"lognormal\", median = 100, p90 = 180, min = 600 }",
        20_000,
        mean,
        sd,
    );
    // Gamma(2, 3) has density x·e^(−x/3)/9: [1, 10] keeps 72 %, [25, 60] keeps 0.2 %.
    let gamma = |x: f64| x * (-x / 3.0).exp();
    for (bounds, a, b) in [
        ("min = 1, max = 10", 1.0, 10.0),
        ("min = 25, max = 60", 25.0, 60.0),
    ] {
        let (mean, sd) = truncated_moments(gamma, a, b);
        let text = format!("{{ dist = \"gamma\", shape = 2, scale = 3, {bounds} }}");
        check_mean(&text, 10_000, mean, sd);
    }
}

#[test]
fn truncated_counts_match_summed_pmfs() {
    // (spec, mean, k, lo, hi for the exact pmf table)
    let cases = [
        (
            "{ dist = \"poisson\", mean = 5000, min = 4900, max = 5100 }",
            5000.0,
            None,
            4900,
            5100,
        ),
        (
            "{ dist = \"poisson\", mean = 5000, min = 5300 }",
            5000.0,
            None,
            5300,
            7000,
        ),
        (
            "{ dist = \"negbin\", mean = 5000, dispersion = 8, min = 12000 }",
            5000.0,
            Some(8.0),
            12_000,
            60_000,
        ),
        (
            "{ dist = \"negbin\", mean = 5000, dispersion = 8, max = 600 }",
            5000.0,
            Some(8.0),
            0,
            600,
        ),
    ];
    for (text, mean, k, lo, hi) in cases {
        let (tmean, tvar, _) = moments(&pmf_weights(mean, k, lo, hi));
        let xs = check_mean(text, 5_000, tmean, tvar.sqrt());
        assert!(
            xs.iter()
                .all(|x| (lo as f64..=hi as f64).contains(x) && x.fract() == 0.0)
        );
    }
    let d = dist("{ dist = \"poisson\", mean = 5, min = 2.5, max = 7.5 }");
    assert_eq!((d.min_value(), d.max_value()), (3.0, 7.0));
}

#[test]
fn empirical_frequencies_match_the_weights() {
    let n = 60_000;
    for (text, values, weights) in [
        (
            "{ dist = \"empirical\", values = [3, 5, 8] }",
            vec![3.0, 5.0, 8.0],
            vec![1.0, 1.0, 1.0],
        ),
        (
            "{ dist = \"empirical\", values = [3, 5, 8, 9], weights = [1, 2, 7, 0] }",
            vec![3.0, 5.0, 8.0, 9.0],
            vec![1.0, 2.0, 7.0, 0.0],
        ),
    ] {
        let xs = draws(&dist(text), n, 3);
        let total: f64 = weights.iter().sum();
        for (v, w) in values.iter().zip(&weights) {
            let p = w / total;
            let freq = xs.iter().filter(|x| *x == v).count() as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!(
                (freq - p).abs() <= 4.0 * se,
                "{text}: value {v} drawn {freq}, expected {p}"
            );
        }
    }
    let d = dist("{ dist = \"empirical\", values = [1, 2, 3, 4], max = 2.5 }");
    assert_eq!(
        (d.mean(), d.min_value(), d.max_value()),
        (Some(1.5), 1.0, 2.0)
    );
}

#[test]
fn counts_round_half_up_and_clamp_at_zero() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(0);
    for (v, count) in [(2.5, 3), (2.49, 2), (-3.0, 0), (0.0, 0), (1e30, u64::MAX)] {
        assert_eq!(Dist::fixed(v).sample_count(&mut rng), count, "{v}");
    }
}

#[test]
fn same_seed_gives_the_same_draws() {
    let d = dist("{ dist = \"negbin\", mean = 2400, dispersion = 8 }");
    assert_eq!(draws(&d, 100, 42), draws(&d, 100, 42));
    assert_ne!(draws(&d, 100, 42), draws(&d, 100, 43));
}

/// Pearson's χ² of integer draws against an exact pmf on `lo..=hi`, with neighbouring
/// values pooled until every cell expects at least 20 draws (the tails beyond `lo` and
/// `hi` pooled into the end cells). Returns (statistic, degrees of freedom).
fn chi_square(xs: &[u64], pmf: &[(f64, f64)]) -> (f64, usize) {
    let n = xs.len() as f64;
    let lo = pmf[0].0 as u64;
    let hi = pmf[pmf.len() - 1].0 as u64;
    let mut observed = vec![0.0; pmf.len()];
    for &x in xs {
        observed[(x.clamp(lo, hi) - lo) as usize] += 1.0;
    }
    let (mut cells, mut o, mut e) = (Vec::new(), 0.0, 0.0);
    for (obs, (_, p)) in observed.iter().zip(pmf) {
        o += obs;
        e += p * n;
        if e >= 20.0 {
            cells.push((o, e));
            (o, e) = (0.0, 0.0);
        }
    }
    if let Some(last) = cells.last_mut() {
        last.0 += o;
        last.1 += e;
    }
    let stat = cells.iter().map(|(o, e)| (o - e) * (o - e) / e).sum();
    (stat, cells.len() - 1)
}

/// The χ² quantile at 1 − 10⁻⁴ (z = 3.719), by Wilson and Hilferty's approximation.
fn chi_square_limit(df: usize) -> f64 {
    let k = df as f64;
    let a = 2.0 / (9.0 * k);
    k * (1.0 - a + 3.719 * a.sqrt()).powi(3)
}

/// The model's daily demand sampler (Poisson by Ahrens–Dieter with a step-S uniform on
/// every draw, and the gamma–Poisson negative binomial) against the exact pmfs, by χ²
/// over 200 000 draws per case. At this size a sampler off by 0.3 % of probability
/// mass in a region of the distribution fails.
#[test]
fn daily_demand_draws_follow_the_exact_pmf() {
    use drawdown::engine::{StreamId, stream_rng};
    use drawdown::model::{demand_gamma, draw_demand};
    let n = 200_000;
    for (case, (mean, k)) in [
        (0.7, None),
        (3.7, None),
        (15.0, None),
        (40.0, None),
        (300.0, None),
        (1_200.0, None),
        (50_000.0, None),
        (30.0, Some(0.5)),
        (1_200.0, Some(8.0)),
        (2_400.0, Some(3.0)),
    ]
    .into_iter()
    .enumerate()
    {
        let gamma = demand_gamma(k);
        let mut rng = stream_rng(7, case as u64, StreamId::from_name("test/demand"));
        let xs: Vec<u64> = (0..n)
            .map(|_| draw_demand(mean, gamma.as_ref(), &mut rng))
            .collect();
        let sd = (mean + k.map_or(0.0, |k| mean * mean / k)).sqrt();
        let hi = (mean + 12.0 * sd + 30.0) as u64;
        let lo = (mean - 12.0 * sd).max(0.0) as u64;
        let (stat, df) = chi_square(&xs, &pmf_weights(mean, k, lo, hi));
        assert!(df >= 1, "mean {mean}: too few cells");
        let limit = chi_square_limit(df);
        assert!(
            stat < limit,
            "mean {mean}, dispersion {k:?}: χ² = {stat:.1} on {df} df, limit {limit:.1}"
        );
    }
}

/// χ² of `xs` against the exact Poisson(`mean`) pmf over mean ± 12 sd, with the limit
/// at 1 − 10⁻⁴ (see [`daily_demand_draws_follow_the_exact_pmf`]).
fn assert_poisson_fit(xs: &[u64], mean: f64, what: &str) {
    let sd = mean.sqrt();
    let hi = (mean + 12.0 * sd + 30.0) as u64;
    let lo = (mean - 12.0 * sd).max(0.0) as u64;
    let (stat, df) = chi_square(xs, &pmf_weights(mean, None, lo, hi));
    assert!(df >= 1, "{what}, mean {mean}: too few cells");
    let limit = chi_square_limit(df);
    assert!(
        stat < limit,
        "{what}, mean {mean}: χ² = {stat:.1} on {df} df, limit {limit:.1}"
    );
}

/// Poisson by inversion of the tabulated CDF (issue 14) against the exact pmf, by χ²
/// over 200 000 draws per mean: small, medium and large means, on both sides of the
/// per-draw sampler's switch from inversion by search to PD at 12, and up to and at the
/// largest mean tabulated.
#[test]
fn tabulated_poisson_draws_follow_the_exact_pmf() {
    use drawdown::dist::{PoissonTable, TABLE_MAX_MEAN};
    use drawdown::engine::{StreamId, stream_rng};
    let n = 200_000;
    for (case, mean) in [
        1e-3,
        0.7,
        3.7,
        11.99,
        12.0,
        26.0,
        220.0,
        699.5,
        TABLE_MAX_MEAN,
    ]
    .into_iter()
    .enumerate()
    {
        let table = PoissonTable::new(mean);
        let mut rng = stream_rng(11, case as u64, StreamId::from_name("test/table"));
        let xs: Vec<u64> = (0..n).map(|_| table.sample(&mut rng) as u64).collect();
        assert_poisson_fit(&xs, mean, "table");
    }
}

/// The model's daily demand draw with its cached sampler, as the model uses it: a
/// plain Poisson demand with one mean for a whole "trial" of 2 000 days (the per-draw
/// sampler first, then the table), means around the switch points (12 for the per-draw
/// sampler, [`TABLE_MAX_MEAN`] for the table), and a mean that changes every few days
/// (runs too short for the table, and runs that reach it). χ² over 200 000 draws each;
/// a regime-switching mean is tested against the mixture of its pmfs.
#[test]
fn cached_daily_demand_draws_follow_the_exact_pmf() {
    use drawdown::dist::{CachedPoisson, TABLE_MAX_MEAN};
    use drawdown::engine::{StreamId, stream_rng};
    use drawdown::model::{demand_gamma, draw_demand_cached};
    let n = 200_000;
    let trial = 2_000;
    for (case, mean) in [
        0.7,
        4.0,
        11.99,
        12.0,
        26.0,
        220.0,
        TABLE_MAX_MEAN,
        TABLE_MAX_MEAN + 1.0,
    ]
    .into_iter()
    .enumerate()
    {
        let mut poisson = CachedPoisson::new();
        let mut rng = stream_rng(7, case as u64, StreamId::from_name("test/cached"));
        let xs: Vec<u64> = (0..n)
            .map(|i| {
                if i % trial == 0 {
                    poisson.restart();
                    rng = stream_rng(7, (case * 1000 + i / trial) as u64, StreamId(5));
                }
                draw_demand_cached(mean, None, &mut poisson, &mut rng)
            })
            .collect();
        assert_poisson_fit(&xs, mean, "cached");
    }
    // Two means alternating in runs of `run` days: each mean's draws fit its own pmf,
    // whether the runs are shorter than the switch to the table (3 days) or longer (90).
    for run in [3, 90] {
        let (a, b) = (9.0, 40.0);
        let mut poisson = CachedPoisson::new();
        let mut rng = stream_rng(3, run, StreamId::from_name("test/runs"));
        let (mut xa, mut xb) = (Vec::new(), Vec::new());
        for i in 0..2 * n as u64 {
            let first = (i / run).is_multiple_of(2);
            let x = draw_demand_cached(if first { a } else { b }, None, &mut poisson, &mut rng);
            if first { xa.push(x) } else { xb.push(x) }
        }
        assert_poisson_fit(&xa, a, &format!("runs of {run}"));
        assert_poisson_fit(&xb, b, &format!("runs of {run}"));
    }
    // A negative-binomial demand (a new mean every day) through the cached sampler.
    let gamma = demand_gamma(Some(3.0));
    let mut poisson = CachedPoisson::new();
    let mut rng = stream_rng(5, 0, StreamId::from_name("test/negbin"));
    let xs: Vec<u64> = (0..n)
        .map(|_| draw_demand_cached(8.0, gamma.as_ref(), &mut poisson, &mut rng))
        .collect();
    let sd = (8.0f64 + 64.0 / 3.0).sqrt();
    let (stat, df) = chi_square(
        &xs,
        &pmf_weights(8.0, Some(3.0), 0, (8.0 + 14.0 * sd) as u64),
    );
    assert!(
        stat < chi_square_limit(df),
        "negbin: χ² = {stat:.1} on {df} df"
    );
}
