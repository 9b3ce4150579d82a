//! Statistical checks of `drawdown::stats` against known truths: fixed seeds, exact
//! reference values where they can be computed, and tolerances of 4 standard errors
//! of the simulation (never tuned to the output).

use drawdown::stats::{LogHistogram, Moments, RatioMoments, Z95, quantile_rank_interval, wilson};
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_distr::{Binomial, Distribution, Normal, Poisson};
use rand_xoshiro::Xoshiro256PlusPlus;

fn rng(seed: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

/// The Binomial(n, p) probability mass function, by a log-space recurrence.
fn binomial_pmf(n: u64, p: f64) -> Vec<f64> {
    let mut log_pmf = n as f64 * (-p).ln_1p();
    let log_odds = (p / (1.0 - p)).ln();
    let mut pmf = Vec::with_capacity(n as usize + 1);
    for k in 0..=n {
        pmf.push(log_pmf.exp());
        log_pmf += ((n - k) as f64 / (k + 1) as f64).ln() + log_odds;
    }
    pmf
}

/// Asserts that a simulated coverage matches the exact one within 4 binomial SE.
fn assert_within_4_se(simulated: f64, exact: f64, experiments: usize, what: &str) {
    let se = (exact * (1.0 - exact) / experiments as f64).sqrt();
    assert!(
        (simulated - exact).abs() <= 4.0 * se,
        "{what}: simulated {simulated:.4} vs exact {exact:.4} (4 SE = {:.4})",
        4.0 * se
    );
}

#[test]
fn wilson_matches_the_quadratic_roots_of_the_score_test() {
    // Independent form: the bounds solve (p̂ − p)² = z² p (1 − p) / n.
    for (k, n) in [(1_u64, 10_u64), (5, 20), (37, 100), (81, 263), (999, 1000)] {
        let (p_hat, nf, z2) = (k as f64 / n as f64, n as f64, Z95 * Z95);
        let (a, b, c) = (1.0 + z2 / nf, -(2.0 * p_hat + z2 / nf), p_hat * p_hat);
        let root = (b * b - 4.0 * a * c).sqrt();
        let iv = wilson(k, n);
        assert!((iv.low - (-b - root) / (2.0 * a)).abs() < 1e-12, "{k}/{n}");
        assert!((iv.high - (-b + root) / (2.0 * a)).abs() < 1e-12, "{k}/{n}");
    }
}

#[test]
fn wilson_matches_published_examples() {
    // Newcombe (1998), Table II, method 3 (score interval), plus the 0/10 and 10/10 edges.
    let table = [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
    ];
    for (k, n, low, high) in table {
        let iv = wilson(k, n);
        assert!(
            (iv.low - low).abs() < 5e-5 && (iv.high - high).abs() < 5e-5,
            "{k}/{n}"
        );
    }
    assert_eq!((wilson(0, 10).low, wilson(10, 10).high), (0.0, 1.0));
}

/// The exact coverage of the Wilson interval is summed from the binomial pmf; it must lie
/// in [0.92, 0.98]: Wilson's coverage oscillates around 95 % and dips to about 92 % when
/// n·p is near 1 (Brown, Cai & DasGupta 2001, Fig. 4) — here p = 0.02, n = 50 gives
/// 0.9216. The simulated coverage must then match the exact one within 4 SE.
#[test]
fn wilson_coverage_matches_its_exact_value() {
    const EXPERIMENTS: usize = 4000;
    for (i, p) in [0.02, 0.1, 0.5, 0.9].into_iter().enumerate() {
        for (j, n) in [50_u64, 200, 1000].into_iter().enumerate() {
            let pmf = binomial_pmf(n, p);
            let covers = |k: u64| wilson(k, n).contains(p);
            let exact: f64 = (0..=n)
                .filter(|&k| covers(k))
                .map(|k| pmf[k as usize])
                .sum();
            assert!((0.92..=0.98).contains(&exact), "p={p} n={n}: exact {exact}");
            let mut r = rng(1000 + 10 * i as u64 + j as u64);
            let dist = Binomial::new(n, p).expect("valid binomial");
            let hits = (0..EXPERIMENTS)
                .filter(|_| covers(dist.sample(&mut r)))
                .count();
            let simulated = hits as f64 / EXPERIMENTS as f64;
            assert_within_4_se(simulated, exact, EXPERIMENTS, &format!("p={p} n={n}"));
        }
    }
}

#[test]
fn moments_match_a_two_pass_float_computation() {
    let mut r = rng(7);
    for upper in [10_u64, 1_000_000, 1 << 40] {
        let data: Vec<u64> = (0..10_000).map(|_| r.random_range(0..upper)).collect();
        let m: Moments = data.iter().copied().collect();
        let n = data.len() as f64;
        let mean = data.iter().map(|&x| x as f64).sum::<f64>() / n;
        let var = data.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / (n - 1.0);
        assert!(
            (m.mean() - mean).abs() <= 1e-12 * mean,
            "mean, upper={upper}"
        );
        assert!(
            (m.variance() - var).abs() <= 1e-10 * var,
            "variance, upper={upper}"
        );
        assert!((m.std_error() - (var / n).sqrt()).abs() <= 1e-10 * m.std_error());
        let iv = m.ci95();
        assert!((iv.high - iv.low - 2.0 * Z95 * m.std_error()).abs() <= 1e-9 * iv.high);
    }
}

#[test]
fn moments_merge_equals_sequential_adding() {
    let mut r = rng(8);
    let data: Vec<u64> = (0..5000).map(|_| r.random_range(0..1_000_000)).collect();
    let whole: Moments = data.iter().copied().collect();
    let mut parts: Vec<Moments> = data
        .chunks(337)
        .map(|c| c.iter().copied().collect())
        .collect();
    parts.reverse();
    let mut merged = Moments::default();
    parts.iter().for_each(|p| merged.merge(p));
    assert_eq!(merged, whole);
    let json = serde_json::to_vec(&whole).expect("serialize");
    assert_eq!(
        serde_json::from_slice::<Moments>(&json).expect("deserialize"),
        whole
    );
}

#[test]
fn moments_are_exact_for_huge_values() {
    // Σx² ≈ 3·2^126 still fits u128, but n·Σx² does not: the variance needs 256 bits.
    let a = u64::MAX / 2 - 1;
    let m: Moments = [a - 1, a, a + 1].into_iter().collect();
    assert_eq!(m.variance(), 1.0);
    assert_eq!(m.mean(), a as f64);
    let flat: Moments = [a, a, a].into_iter().collect();
    assert_eq!((flat.variance(), flat.std_error()), (0.0, 0.0));
}

#[test]
fn ratio_moments_match_a_hand_computation() {
    let mut rm = RatioMoments::default();
    [(1, 2), (2, 2), (3, 4)]
        .into_iter()
        .for_each(|(x, y)| rm.add(x, y));
    assert_eq!(rm.ratio(), Some(0.75));
    // Residuals x − R·y: −0.5, 0.5, 0 → s² = 0.25; se = sqrt(s²/n) / ȳ.
    let se = (0.25_f64 / 3.0).sqrt() / (8.0 / 3.0);
    assert!((rm.std_error().expect("defined") - se).abs() < 1e-15);
    assert_eq!(RatioMoments::default().ratio(), None);
}

/// Fill-rate-like ratio: per trial, demand y ~ Poisson(20) and consumption
/// x ~ Binomial(y, 0.8), so the true ratio E[x]/E[y] is 0.8. The delta-method interval
/// from 100 trials must cover 0.8 in 95 % of 2000 experiments, within 4 SE.
#[test]
fn ratio_delta_method_interval_covers_the_true_ratio() {
    const EXPERIMENTS: usize = 2000;
    let mut r = rng(9);
    let demand = Poisson::new(20.0).expect("valid poisson");
    let mut hits = 0;
    for _ in 0..EXPERIMENTS {
        let mut rm = RatioMoments::default();
        for _ in 0..100 {
            let y = demand.sample(&mut r) as u64;
            let x = Binomial::new(y, 0.8)
                .expect("valid binomial")
                .sample(&mut r);
            rm.add(x, y);
        }
        hits += usize::from(rm.ci95_proportion().expect("Σy > 0").contains(0.8));
    }
    assert_within_4_se(hits as f64 / EXPERIMENTS as f64, 0.95, EXPERIMENTS, "ratio");
}

/// Samples of several shapes, 20 001 values each.
fn datasets() -> Vec<(&'static str, Vec<u64>)> {
    let mut r = rng(10);
    let lognormal = Normal::<f64>::new(10.0, 3.0).expect("valid normal");
    let n = 20_001;
    let mut gen_data = |f: &mut dyn FnMut(&mut Xoshiro256PlusPlus) -> u64| {
        (0..n).map(|_| f(&mut r)).collect::<Vec<_>>()
    };
    vec![
        ("uniform", gen_data(&mut |r| r.random_range(0..1_000_000))),
        (
            "lognormal",
            gen_data(&mut |r| lognormal.sample(r).exp() as u64),
        ),
        (
            "zeros",
            gen_data(&mut |r| {
                if r.random_bool(0.7) {
                    0
                } else {
                    r.random_range(1..400_000)
                }
            }),
        ),
        ("constant", gen_data(&mut |_| 123_456_789)),
        ("small", gen_data(&mut |r| r.random_range(0..50))),
        ("full_range", gen_data(&mut |r| r.random())),
    ]
}

fn assert_close(reported: u64, exact: u64, what: &str) {
    // Within 0.1 % of the exact value (so exactly 0 when the exact value is 0).
    let error = u128::from(reported.abs_diff(exact));
    assert!(
        error * 1000 <= u128::from(exact),
        "{what}: {reported} vs exact {exact}"
    );
}

#[test]
fn histogram_quantiles_are_within_a_thousandth_of_the_exact_ones() {
    for (name, data) in datasets() {
        let h: LogHistogram = data.iter().copied().collect();
        let mut sorted = data.clone();
        sorted.sort_unstable();
        let n = sorted.len() as u64;
        assert_eq!(h.count(), n);
        assert_eq!(
            (h.min(), h.max()),
            (sorted.first().copied(), sorted.last().copied())
        );
        assert_eq!(
            (h.quantile(0.0), h.quantile(1.0)),
            (h.min(), h.max()),
            "{name}"
        );
        for percent in [5_u64, 25, 50, 75, 95] {
            let rank = (percent * n).div_ceil(100).max(1); // type 1, in exact integers
            let exact = sorted[rank as usize - 1];
            let reported = h.quantile(percent as f64 / 100.0).expect("non-empty");
            assert_close(reported, exact, &format!("{name} p{percent}"));
        }
        for (i, &exact) in sorted.iter().enumerate().step_by(97) {
            let reported = h.value_at_rank(i as u64 + 1).expect("rank in range");
            assert_close(reported, exact, &format!("{name} rank {}", i + 1));
        }
    }
}

#[test]
fn histogram_merge_of_splits_equals_the_whole_to_the_byte() {
    let mut r = rng(11);
    for (name, data) in datasets() {
        let whole: LogHistogram = data.iter().copied().collect();
        let mut cuts: Vec<usize> = (0..6).map(|_| r.random_range(0..data.len())).collect();
        cuts.extend([0, data.len()]);
        cuts.sort_unstable();
        let parts: Vec<LogHistogram> = cuts
            .windows(2)
            .map(|w| data[w[0]..w[1]].iter().copied().collect())
            .collect();
        let mut forward = LogHistogram::new();
        parts.iter().for_each(|p| forward.merge(p));
        let mut backward = LogHistogram::new();
        parts.iter().rev().for_each(|p| backward.merge(p));
        assert_eq!(forward, whole, "{name}");
        assert_eq!(backward, whole, "{name}");
        let bytes = serde_json::to_vec(&whole).expect("serialize");
        assert_eq!(
            serde_json::to_vec(&backward).expect("serialize"),
            bytes,
            "{name}"
        );
        let back: LogHistogram = serde_json::from_slice(&bytes).expect("deserialize");
        assert_eq!(back, whole, "{name}");
    }
}

#[test]
fn histogram_rejects_inconsistent_serialized_forms() {
    let bad = [
        r#"{"count":3,"min":5,"max":5,"offset":5,"counts":[2]}"#,
        r#"{"count":2,"min":5,"max":6,"offset":5,"counts":[2]}"#,
        r#"{"count":2,"min":5,"max":6,"offset":5,"counts":[0,1,1]}"#,
        r#"{"count":0,"min":0,"max":0,"offset":0,"counts":[0]}"#,
    ];
    for json in bad {
        assert!(
            serde_json::from_str::<LogHistogram>(json).is_err(),
            "{json}"
        );
    }
    let good = r#"{"count":2,"min":5,"max":6,"offset":5,"counts":[1,1]}"#;
    let h: LogHistogram = serde_json::from_str(good).expect("valid");
    assert_eq!(h, [6, 5].into_iter().collect());
    // Runs of empty buckets that do not make the window's length, or a run so long it
    // would exhaust memory if expanded first, are refused.
    for json in [
        r#"{"count":2,"min":5,"max":9,"offset":5,"counts":[1,-2,1]}"#,
        r#"{"count":2,"min":5,"max":9,"offset":5,"counts":[1,-4,1]}"#,
        r#"{"count":2,"min":5,"max":9,"offset":5,"counts":[1,-9000000000000000000,1]}"#,
        r#"{"count":0,"min":0,"max":0,"offset":0,"counts":[-3]}"#,
    ] {
        let err = serde_json::from_str::<LogHistogram>(json).expect_err(json);
        assert!(err.to_string().contains("window has"), "{json}: {err}");
    }
}

/// The window's runs of two or more empty buckets are written as minus their length;
/// a single empty bucket stays 0. Values 5 and 9 fall in the exact buckets 5 and 9 (the
/// first 1 024 buckets hold one value each): the window 5..=9 is [1, 0, 0, 0, 1],
/// written [1, -3, 1]; 5 and 7 give [1, 0, 1]. The plain form (files written before)
/// reads to the same histogram.
#[test]
fn histogram_writes_runs_of_empty_buckets_as_one_number() {
    let cases = [
        (
            vec![5, 9],
            r#"{"count":2,"min":5,"max":9,"offset":5,"counts":[1,-3,1]}"#,
            "[1,0,0,0,1]",
        ),
        (
            vec![5, 7],
            r#"{"count":2,"min":5,"max":7,"offset":5,"counts":[1,0,1]}"#,
            "[1,0,1]",
        ),
        (
            vec![5, 5, 6],
            r#"{"count":3,"min":5,"max":6,"offset":5,"counts":[2,1]}"#,
            "[2,1]",
        ),
    ];
    for (values, want, plain) in cases {
        let h: LogHistogram = values.iter().copied().collect();
        assert_eq!(serde_json::to_string(&h).unwrap(), want);
        assert_eq!(serde_json::from_str::<LogHistogram>(want).unwrap(), h);
        let old = want.replace(&want[want.find('[').unwrap()..], &format!("{plain}}}"));
        assert_eq!(
            serde_json::from_str::<LogHistogram>(&old).unwrap(),
            h,
            "{old}"
        );
    }
}

/// The order-statistic interval for the q-quantile of n uniform(0, 1) values must cover
/// the true quantile q with the exact probability P(lo ≤ B ≤ hi − 1), B ~ Bin(n, q),
/// within 4 SE; that exact probability must be at least 95 % (attainable for these n).
#[test]
fn quantile_rank_interval_covers_the_true_quantile() {
    const EXPERIMENTS: usize = 1000;
    let mut r = rng(12);
    for (n, q) in [
        (30_u64, 0.5),
        (101, 0.5),
        (200, 0.9),
        (1000, 0.05),
        (2000, 0.5),
    ] {
        let (lo, hi) = quantile_rank_interval(n, q);
        let exact: f64 = binomial_pmf(n, q)[lo as usize..hi as usize].iter().sum();
        assert!(exact >= 0.95, "n={n} q={q}: exact coverage {exact}");
        let mut hits = 0;
        for _ in 0..EXPERIMENTS {
            let mut sample: Vec<f64> = (0..n).map(|_| r.random()).collect();
            sample.sort_unstable_by(f64::total_cmp);
            hits += usize::from(sample[lo as usize - 1] <= q && q <= sample[hi as usize - 1]);
        }
        let simulated = hits as f64 / EXPERIMENTS as f64;
        assert_within_4_se(simulated, exact, EXPERIMENTS, &format!("n={n} q={q}"));
    }
}

fn values() -> impl Strategy<Value = Vec<u64>> {
    prop::collection::vec(
        prop_oneof![0..2000_u64, 0..1_000_000_u64, any::<u64>()],
        0..40,
    )
}

fn hist(values: &[u64]) -> LogHistogram {
    values.iter().copied().collect()
}

proptest! {
    #[test]
    fn histogram_merge_is_associative_and_commutative(a in values(), b in values(), c in values()) {
        let (ha, hb, hc) = (hist(&a), hist(&b), hist(&c));
        let mut left = ha.clone();
        left.merge(&hb);
        let mut ba = hb.clone();
        ba.merge(&ha);
        prop_assert_eq!(&left, &ba);
        left.merge(&hc);
        let mut bc = hb.clone();
        bc.merge(&hc);
        let mut right = ha.clone();
        right.merge(&bc);
        prop_assert_eq!(&left, &right);
        let all: Vec<u64> = a.iter().chain(&b).chain(&c).copied().collect();
        prop_assert_eq!(&left, &hist(&all));
    }

    #[test]
    fn moment_merges_equal_the_concatenation(a in values(), b in values()) {
        let small = |v: &[u64]| v.iter().map(|x| x >> 32).collect::<Vec<_>>();
        let (a, b) = (small(&a), small(&b));
        let mut m: Moments = a.iter().copied().collect();
        m.merge(&b.iter().copied().collect());
        prop_assert_eq!(m, a.iter().chain(&b).copied().collect::<Moments>());
        let mut ra = RatioMoments::default();
        let mut rb = RatioMoments::default();
        a.iter().for_each(|&x| ra.add(x / 2, x));
        b.iter().for_each(|&x| rb.add(x / 2, x));
        let mut ab = ra.clone();
        ab.merge(&rb);
        rb.merge(&ra);
        prop_assert_eq!(ab, rb);
    }
}
