//! Every validation and parse error of the catalogue, through `toml::from_str` as the
//! scenario layer uses it. (The statistical tests are in `tests/it/dist.rs`.)

use super::{DistError, DistKind, DistSpec, count};

#[derive(Debug, serde::Deserialize, serde::Serialize)]
struct Holder {
    q: DistSpec,
}

fn parse(text: &str) -> Result<DistSpec, toml::de::Error> {
    toml::from_str::<Holder>(&format!("q = {text}\n")).map(|h| h.q)
}

fn build_error(text: &str) -> DistError {
    let spec = parse(text).expect("test spec parses");
    spec.build().expect_err("test spec is invalid")
}

/// Checks a table of `spec | field | message` lines (an empty field is the whole value).
fn check_errors(table: &str) {
    for line in table.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parts: Vec<&str> = line.splitn(3, '|').map(str::trim).collect();
        let [text, field, message] = parts[..] else {
            panic!("bad case line: {line}")
        };
        let e = build_error(text);
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            (field, message),
            "{text}"
        );
        assert_eq!(e.to_string(), message);
    }
}

#[test]
fn every_invalid_parameter_names_its_field() {
    check_errors(
        r#"
        inf | | expected a finite number, got inf
        { dist = "normal", mean = nan, sd = 2 } | mean | mean must be a finite number, got NaN
        { dist = "empirical", values = [1, inf] } | values | values[1] must be a finite number, got inf
        { dist = "fixed" } | value | missing value: a fixed distribution takes value
        { dist = "fixed", value = 3, min = 1 } | min | min does not apply to a fixed distribution (it takes value)
        { dist = "uniform", min = 2, max = 1 } | max | max (1) must not be below min (2)
        { dist = "uniform", min = 2 } | max | missing max: a uniform distribution takes min and max
        { dist = "triangular", min = 1, mode = 5, max = 4 } | mode | mode (5) must lie within min and max [1, 4]
        { dist = "triangular", min = 1, mode = 0, max = 4 } | mode | mode (0) must lie within min and max [1, 4]
        { dist = "pert", min = 1, max = 4 } | mode | missing mode: a pert distribution takes min, mode and max, optional lambda
        { dist = "pert", min = 1, mode = 2, max = 4, sd = 1 } | sd | sd does not apply to a pert distribution (it takes min, mode and max, optional lambda)
        { dist = "pert", min = 1, mode = 2, max = 4, lambda = -1 } | lambda | lambda must be >= 0, got -1
        { dist = "pert", min = 5, mode = 5, max = 4 } | max | max (4) must not be below min (5)
        { dist = "normal", mean = 10, sd = -2 } | sd | sd must be >= 0, got -2
        { dist = "normal", mean = 10 } | sd | missing sd: a normal distribution takes mean and sd, optional min and max
        { dist = "normal", mean = 10, sd = 2, median = 3 } | median | median does not apply to a normal distribution (it takes mean and sd, optional min and max)
        { dist = "normal", mean = 10, sd = 2, min = 5, max = 0 } | max | max (0) must not be below min (5)
        { dist = "lognormal", median = 0, p90 = 10 } | median | median must be > 0, got 0
        { dist = "lognormal", median = 100, p90 = 80 } | p90 | p90 (80) must be above the median (100)
        { dist = "lognormal", median = 100, p95 = 100 } | p95 | p95 (100) must be above the median (100)
        { dist = "lognormal", median = 100, p90 = 150, p95 = 200 } | p95 | give either p90 or p95, not both
        { dist = "lognormal", median = 100 } | p90 | missing p90: a lognormal by median also needs p90 or p95
        { dist = "lognormal", p90 = 100 } | median | missing median: p90 needs a median
        { dist = "lognormal", median = 100, p90 = 150, mu = 4 } | mu | mu cannot be combined with median (give median with p90 or p95, or mu and sigma)
        { dist = "lognormal", mu = 4.6, sigma = -1 } | sigma | sigma must be >= 0, got -1
        { dist = "lognormal", mu = 4.6 } | sigma | missing sigma: a lognormal distribution takes median with p90 or p95, or mu and sigma; optional min and max
        { dist = "gamma", shape = 0, scale = 3 } | shape | shape must be > 0, got 0
        { dist = "gamma", shape = 2, scale = -3 } | scale | scale must be > 0, got -3
        { dist = "gamma", mean = 0, sd = 3 } | mean | mean must be > 0, got 0
        { dist = "gamma", mean = 6, sd = 0 } | sd | sd must be > 0, got 0
        { dist = "gamma", shape = 2, mean = 6 } | mean | mean cannot be combined with shape or scale (give shape and scale, or mean and sd)
        { dist = "poisson", mean = -1 } | mean | mean must be >= 0, got -1
        { dist = "poisson", mean = 3, dispersion = 2 } | dispersion | dispersion does not apply to a poisson distribution (it takes mean, optional min and max)
        { dist = "negbin", mean = -1, dispersion = 8 } | mean | mean must be >= 0, got -1
        { dist = "negbin", mean = 100, dispersion = 0 } | dispersion | dispersion must be > 0, got 0
        { dist = "negbin", mean = 100 } | dispersion | missing dispersion: a negbin distribution takes mean and dispersion, optional min and max
        { dist = "empirical" } | values | missing values: an empirical distribution takes a list of values
        { dist = "empirical", values = [] } | values | values must not be empty
        { dist = "empirical", values = [1, 2], weights = [1] } | weights | weights has 1 entries but values has 2
        { dist = "empirical", values = [1, 2], weights = [1, -1] } | weights | weights[1] must be >= 0, got -1
        { dist = "empirical", values = [1, 2], weights = [0, 0] } | weights | weights must not all be zero
        { dist = "empirical", values = [1, 2], min = 3, max = 2 } | max | max (2) must not be below min (3)
        "#,
    );
}

#[test]
fn truncation_must_keep_a_millionth_of_the_mass() {
    // Normal(10, 2): P(X ≥ 19) = 3.4e-6 is kept, P(X ≥ 20) = 2.9e-7 is not; for
    // Poisson(5000), P(X ≥ 5300) = 1.35e-5 is kept and P(X ≥ 5400) = 1.21e-8 is not.
    // Every mass below was checked against mpmath.
    for ok in [
        r#"{ dist = "normal", mean = 10, sd = 2, min = 19 }"#,
        r#"{ dist = "poisson", mean = 5000, min = 5300 }"#,
        r#"{ dist = "normal", mean = 4, sd = 0, min = 4, max = 4 }"#,
    ] {
        assert!(parse(ok).unwrap().build().is_ok(), "{ok}");
    }
    check_errors(
        r#"
        { dist = "normal", mean = 10, sd = 2, min = 20 } | min | truncating to [20, inf) keeps only 2.87e-7 of the probability, at least 1e-6 is needed
        { dist = "normal", mean = 10, sd = 2, min = -40, max = -30 } | max | truncating to [-40, -30] keeps only 2.75e-89 of the probability, at least 1e-6 is needed
        { dist = "lognormal", median = 100, p90 = 180, max = 0 } | max | truncating to (-inf, 0] keeps none of the probability, at least 1e-6 is needed
        { dist = "gamma", shape = 2, scale = 3, min = 200 } | min | truncating to [200, inf) keeps only 7.54e-28 of the probability, at least 1e-6 is needed
        { dist = "poisson", mean = 5000, min = 5400 } | min | truncating to [5400, inf) keeps only 1.21e-8 of the probability, at least 1e-6 is needed
        { dist = "poisson", mean = 5, min = 2.2, max = 2.8 } | max | truncating to [2.2, 2.8] keeps none of the probability, at least 1e-6 is needed
        { dist = "negbin", mean = 5000, dispersion = 8, min = 100000 } | min | truncating to [100000, inf) keeps only 2.04e-58 of the probability, at least 1e-6 is needed
        { dist = "empirical", values = [1, 2, 3], min = 4 } | min | truncating to [4, inf) keeps none of the probability, at least 1e-6 is needed
        { dist = "empirical", values = [1, 2], weights = [1, 0], min = 2 } | min | truncating to [2, inf) keeps none of the probability, at least 1e-6 is needed
        { dist = "normal", mean = 4, sd = 0, max = 3 } | max | truncating to (-inf, 3] keeps none of the probability, at least 1e-6 is needed
        "#,
    );
}

#[test]
fn parses_every_toml_form() {
    let table = |t: &str| match parse(t).unwrap() {
        DistSpec::Table(t) => t,
        other => panic!("{other:?}"),
    };
    assert_eq!(parse("5000").unwrap(), DistSpec::Number(5000.0));
    assert_eq!(parse("0.25").unwrap(), DistSpec::fixed(0.25));
    assert_eq!(parse("-1e3").unwrap(), DistSpec::fixed(-1000.0));
    let cases = [
        (
            r#"{ dist = "uniform", min = 1, max = 2 }"#,
            DistSpec::uniform(1.0, 2.0),
        ),
        (
            r#"{ dist = "triangular", min = 1, mode = 2, max = 4 }"#,
            DistSpec::triangular(1.0, 2.0, 4.0),
        ),
        (
            r#"{ dist = "pert", min = 1, mode = 2, max = 4 }"#,
            DistSpec::pert(1.0, 2.0, 4.0),
        ),
        (
            r#"{ dist = "normal", mean = 10, sd = 2.5 }"#,
            DistSpec::normal(10.0, 2.5),
        ),
        (
            r#"{ dist = "lognormal", median = 100, p90 = 180 }"#,
            DistSpec::lognormal_p90(100.0, 180.0),
        ),
        (
            r#"{ dist = "gamma", shape = 2, scale = 3 }"#,
            DistSpec::gamma(2.0, 3.0),
        ),
        (r#"{ dist = "poisson", mean = 7 }"#, DistSpec::poisson(7.0)),
        (
            r#"{ dist = "negbin", mean = 2400, dispersion = 8 }"#,
            DistSpec::negbin(2400.0, 8.0),
        ),
        (
            r#"{ dist = "empirical", values = [3, 5, 8] }"#,
            DistSpec::empirical(vec![3.0, 5.0, 8.0]),
        ),
    ];
    for (text, want) in cases {
        assert_eq!(parse(text).unwrap(), want, "{text}");
    }
    let t = table(r#"{ dist = "fixed", value = 5000 }"#);
    assert_eq!((t.kind, t.value), (DistKind::Fixed, Some(5000.0)));
    let t = table(r#"{ dist = "lognormal", median = 100, p95 = 200, min = 0 }"#);
    assert_eq!(
        (t.median, t.p95, t.min, t.p90),
        (Some(100.0), Some(200.0), Some(0.0), None)
    );
    let t = table(r#"{ dist = "lognormal", mu = 4.6, sigma = 0.5 }"#);
    assert_eq!((t.mu, t.sigma), (Some(4.6), Some(0.5)));
    let t = table(r#"{ dist = "gamma", mean = 6, sd = 4 }"#);
    assert_eq!((t.mean, t.sd), (Some(6.0), Some(4.0)));
    let t = table(r#"{ dist = "pert", min = 1, mode = 2, max = 4, lambda = 3 }"#);
    assert_eq!(t.lambda, Some(3.0));
    let t = table(r#"{ dist = "empirical", values = [3, 5.5], weights = [1, 2], max = 9 }"#);
    assert_eq!(
        (t.values, t.weights, t.max),
        (Some(vec![3.0, 5.5]), Some(vec![1.0, 2.0]), Some(9.0))
    );
    let header = toml::from_str::<Holder>("[q]\ndist = \"poisson\"\nmean = 3\n").unwrap();
    assert_eq!(header.q, DistSpec::poisson(3.0));
}

/// The parse error's message (without toml's location header and excerpt).
fn parse_error(text: &str) -> String {
    parse(text)
        .expect_err("test text is invalid")
        .message()
        .to_owned()
}

#[test]
fn parse_errors_name_the_key_and_list_the_valid_ones() {
    let kinds =
        "fixed, uniform, triangular, pert, normal, lognormal, gamma, poisson, negbin, empirical";
    assert_eq!(
        parse_error(r#"{ dist = "pret", min = 1, mode = 2, max = 4 }"#),
        format!("unknown distribution 'pret', expected one of {kinds}")
    );
    assert_eq!(
        parse_error(r#"{ dist = "normal", mean = 1, sdev = 2 }"#),
        "unknown field `sdev`, expected one of `dist`, `value`, `min`, `mode`, `max`, `lambda`, \
         `mean`, `sd`, `median`, `p90`, `p95`, `mu`, `sigma`, `shape`, `scale`, `dispersion`, \
         `values`, `weights`"
    );
    let cases = [
        (
            r#"{ dist = "normal", mean = "ten", sd = 2 }"#,
            "invalid type: string \"ten\", expected a number for `mean`",
        ),
        (
            r#"{ dist = "normal", mean = true, sd = 2 }"#,
            "invalid type: boolean `true`, expected a number for `mean`",
        ),
        (
            r#"{ dist = "empirical", values = 3 }"#,
            "invalid type: integer `3`, expected an array of numbers for `values`",
        ),
        (
            r#"{ dist = "empirical", values = [1, "x"] }"#,
            "invalid type: string \"x\", expected a number for `values`",
        ),
        (
            "{ dist = 3 }",
            &format!("invalid type: integer `3`, expected a distribution name, one of {kinds}"),
        ),
        (
            "{ mean = 3 }",
            &format!("a distribution table needs a `dist` key naming one of {kinds}"),
        ),
    ];
    for (text, want) in cases {
        assert_eq!(parse_error(text), want, "{text}");
    }
    for text in ["\"lots\"", "true", "[1, 2]"] {
        let message = parse_error(text);
        assert!(
            message.contains(", expected a number or a distribution table such as"),
            "{message}"
        );
    }
}

#[test]
fn parse_errors_point_at_the_offending_value() {
    let text = "[q]\ndist = \"normal\"\nmean = 10\nsd = \"two\"\n";
    let e = toml::from_str::<Holder>(text).unwrap_err();
    assert_eq!(&text[e.span().unwrap()], "\"two\"");
    let text = "q = { dist = \"pret\", mean = 1 }";
    let e = toml::from_str::<Holder>(text).unwrap_err();
    assert_eq!(&text[e.span().unwrap()], "\"pret\"");
    let text = "[q]\ndist = \"normal\"\nmean = 10\nsdev = 2\n";
    let e = toml::from_str::<Holder>(text).unwrap_err();
    assert_eq!(&text[e.span().unwrap()], "sdev");
    assert!(
        e.to_string()
            .starts_with("TOML parse error at line 4, column 1"),
        "{e}"
    );
}

#[test]
fn serializes_back_to_the_same_spec() {
    for text in [
        "5000",
        "2.5",
        r#"{ dist = "lognormal", median = 6000, p90 = 8000, min = 0, max = 20000 }"#,
        r#"{ dist = "empirical", values = [1, 2.5], weights = [3, 1] }"#,
    ] {
        let spec = parse(text).unwrap();
        let back = toml::to_string(&Holder { q: spec.clone() }).unwrap();
        assert_eq!(toml::from_str::<Holder>(&back).unwrap().q, spec, "{back}");
    }
    let whole = toml::to_string(&Holder {
        q: DistSpec::fixed(5000.0),
    })
    .unwrap();
    assert_eq!(whole.trim(), "q = 5000");
}

#[test]
fn truncation_picks_rejection_or_the_inverse_cdf_by_mass() {
    use super::Window;
    let method = |text: &str| match parse(text).unwrap().build().unwrap().window {
        Window::Full => "full",
        Window::Reject { .. } => "reject",
        Window::Inverse(_) => "inverse",
    };
    let cases = [
        (r#"{ dist = "normal", mean = 10, sd = 2 }"#, "full"),
        (
            r#"{ dist = "normal", mean = 10, sd = 2, min = 9, max = 15 }"#,
            "reject",
        ),
        (
            r#"{ dist = "normal", mean = 10, sd = 2, min = 15 }"#,
            "inverse",
        ),
        (
            r#"{ dist = "lognormal", median = 100, p90 = 180, min = 600 }"#,
            "inverse",
        ),
        (
            r#"{ dist = "gamma", shape = 2, scale = 3, min = 25, max = 60 }"#,
            "inverse",
        ),
        (
            r#"{ dist = "poisson", mean = 5000, min = 4900, max = 5100 }"#,
            "reject",
        ),
        (
            r#"{ dist = "poisson", mean = 5000, min = 5300 }"#,
            "inverse",
        ),
        (
            r#"{ dist = "negbin", mean = 5000, dispersion = 8, max = 600 }"#,
            "inverse",
        ),
        (
            r#"{ dist = "empirical", values = [1, 2, 3], max = 2 }"#,
            "full",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(method(text), want, "{text}");
    }
}

/// `Dist::fill` gives exactly the values of as many `Dist::sample` calls, and leaves the
/// stream where they leave it: for normal laws whole, truncated on one or both sides
/// (rejection rates from nearly 0 to about 70 %, so runs broken at every position)
/// and clamped, in blocks of several lengths, over enough draws to meet many wedge and
/// tail draws (every draw that leaves the common case takes the slow path).
#[test]
fn fill_equals_sample_draw_for_draw() {
    use crate::engine::{StreamId, stream_rng};
    let laws = [
        r#"{ dist = "normal", mean = 1.0, sd = 0.15, min = 0 }"#,
        r#"{ dist = "normal", mean = 1.0, sd = 0.2 }"#,
        r#"{ dist = "normal", mean = 0.0, sd = 1.0, min = 0 }"#,
        r#"{ dist = "normal", mean = 0.0, sd = 1.0, min = -0.3, max = 0.5 }"#,
        r#"{ dist = "normal", mean = 5.0, sd = 2.0, max = 4 }"#,
    ];
    for text in laws {
        let plain = parse(text).unwrap().build().unwrap();
        for dist in [plain.clone(), plain.clamped(0.2, 1.1)] {
            for len in [1usize, 7, 63, 64, 65, 200] {
                let mut a = stream_rng(3, len as u64, StreamId(5));
                let mut b = a.clone();
                let mut block = vec![0.0; len];
                for _ in 0..(40_000 / len).max(50) {
                    dist.fill(&mut a, &mut block);
                    for (k, x) in block.iter().enumerate() {
                        let y = dist.sample(&mut b);
                        assert_eq!(x.to_bits(), y.to_bits(), "{text} len {len} at {k}");
                    }
                    assert_eq!(a, b, "{text} len {len}: stream state");
                }
            }
        }
    }
}

/// `count` is the rounded value, clamped at 0 and cast, on the edges of every branch
/// and on 100 000 random values of every magnitude and sign.
#[test]
fn count_is_the_cast_of_the_rounded_value() {
    let edges = [
        -1e30,
        -2.5,
        -0.5,
        -0.0,
        0.0,
        f64::MIN_POSITIVE,
        0.5 - f64::EPSILON / 4.0,
        0.5,
        1.0,
        1.5 - f64::EPSILON,
        1.5,
        2.5,
        4_503_599_627_370_495.5,
        4_503_599_627_370_496.0,
        9_007_199_254_740_993.0,
        18_446_744_073_709_551_616.0,
        1e30,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];
    let random = super::test_magnitudes(11, 100_000, -3..20, true);
    // Halves, where the rounding direction matters.
    let halves = (0..1000).map(|k| f64::from(k) + 0.5);
    for v in edges.into_iter().chain(random).chain(halves) {
        assert_eq!(count(v), v.round().max(0.0) as u64, "{v:e}");
    }
}
