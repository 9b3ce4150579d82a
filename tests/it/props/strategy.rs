//! Random *valid* scenario files for the property tests.
//!
//! A [`Spec`] is a small tree of choices (counts, indices, distributions) that proptest
//! can shrink; [`Spec::toml`] renders it as a scenario file. Cross references are drawn
//! as free indices and resolved modulo the number of entities at render time, so every
//! combination renders to a scenario that validates: every id exists, a backlog order
//! names a factory of its item (else it falls back to a lead time), a transfer never
//! goes to its donor, and every distribution lies in its field's domain.

use drawdown::scenario::Date;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write;

/// A distribution as written, valid for the domain it was drawn for.
#[derive(Debug, Clone)]
pub(crate) enum D {
    /// A plain number.
    Num(f64),
    /// `{ dist = "fixed", value }`.
    Fixed(f64),
    Uniform(f64, f64),
    Triangular(f64, f64, f64),
    Pert(f64, f64, f64, Option<f64>),
    Normal {
        mean: f64,
        sd: f64,
        min: Option<f64>,
        max: Option<f64>,
    },
    LogMedian {
        median: f64,
        upper: f64,
        p95: bool,
        max: Option<f64>,
    },
    LogMu(f64, f64),
    GammaShape(f64, f64),
    GammaMean(f64, f64),
    Poisson(f64, Option<f64>),
    Negbin(f64, f64),
    Empirical(Vec<f64>, Option<Vec<f64>>),
}

/// A TOML float (Rust's shortest round-trip form is valid TOML: `3.0`, `1e-7`).
fn num(v: f64) -> String {
    format!("{v:?}")
}

fn list(v: &[f64]) -> String {
    let items: Vec<String> = v.iter().map(|x| num(*x)).collect();
    format!("[{}]", items.join(", "))
}

impl D {
    /// The value as TOML: a number or an inline table.
    pub(crate) fn toml(&self) -> String {
        let opt = |key: &str, v: Option<f64>| {
            v.map_or(String::new(), |v| format!(", {key} = {}", num(v)))
        };
        match self {
            D::Num(v) => num(*v),
            D::Fixed(v) => format!("{{ dist = \"fixed\", value = {} }}", num(*v)),
            D::Uniform(a, b) => format!(
                "{{ dist = \"uniform\", min = {}, max = {} }}",
                num(*a),
                num(*b)
            ),
            D::Triangular(a, m, b) => format!(
                "{{ dist = \"triangular\", min = {}, mode = {}, max = {} }}",
                num(*a),
                num(*m),
                num(*b)
            ),
            D::Pert(a, m, b, l) => format!(
                "{{ dist = \"pert\", min = {}, mode = {}, max = {}{} }}",
                num(*a),
                num(*m),
                num(*b),
                opt("lambda", *l)
            ),
            D::Normal { mean, sd, min, max } => format!(
                "{{ dist = \"normal\", mean = {}, sd = {}{}{} }}",
                num(*mean),
                num(*sd),
                opt("min", *min),
                opt("max", *max)
            ),
            D::LogMedian {
                median,
                upper,
                p95,
                max,
            } => format!(
                "{{ dist = \"lognormal\", median = {}, {} = {}{} }}",
                num(*median),
                if *p95 { "p95" } else { "p90" },
                num(*upper),
                opt("max", *max)
            ),
            D::LogMu(mu, sigma) => format!(
                "{{ dist = \"lognormal\", mu = {}, sigma = {} }}",
                num(*mu),
                num(*sigma)
            ),
            D::GammaShape(k, s) => format!(
                "{{ dist = \"gamma\", shape = {}, scale = {} }}",
                num(*k),
                num(*s)
            ),
            D::GammaMean(m, sd) => format!(
                "{{ dist = \"gamma\", mean = {}, sd = {} }}",
                num(*m),
                num(*sd)
            ),
            D::Poisson(m, max) => format!(
                "{{ dist = \"poisson\", mean = {}{} }}",
                num(*m),
                opt("max", *max)
            ),
            D::Negbin(m, k) => format!(
                "{{ dist = \"negbin\", mean = {}, dispersion = {} }}",
                num(*m),
                num(*k)
            ),
            D::Empirical(v, w) => format!(
                "{{ dist = \"empirical\", values = {}{} }}",
                list(v),
                w.as_ref()
                    .map_or(String::new(), |w| format!(", weights = {}", list(w)))
            ),
        }
    }
}

/// A moment as a share of the horizon, from a little before the start to a little
/// after the end.
fn at() -> std::ops::Range<f64> {
    -0.25..1.15
}

fn unit() -> std::ops::RangeInclusive<f64> {
    0.0..=1.0
}

fn sorted3(a: f64, b: f64, c: f64) -> [f64; 3] {
    let mut v = [a, b, c];
    v.sort_by(f64::total_cmp);
    v
}

/// A distribution of values in `[0, ∞)`, typically up to `scale`.
pub(crate) fn nonneg(scale: f64) -> BoxedStrategy<D> {
    let s = scale;
    prop_oneof![
        3 => (0.0..=s).prop_map(|v| D::Num(v.round())),
        1 => (0.0..=s).prop_map(D::Num),
        1 => (0.0..=s).prop_map(D::Fixed),
        2 => (0.0..=s, 0.0..=s).prop_map(|(a, b)| D::Uniform(a.min(b), a.max(b))),
        1 => (unit(), unit(), unit()).prop_map(move |(a, b, c)| {
            let [a, b, c] = sorted3(a, b, c);
            D::Triangular(a * s, b * s, c * s)
        }),
        1 => (unit(), unit(), unit(), option::of(0.0..8.0)).prop_map(move |(a, b, c, l)| {
            let [a, b, c] = sorted3(a, b, c);
            D::Pert(a * s, b * s, c * s, l)
        }),
        1 => (0.0..=s, 0.01..0.5, option::of(0.5..3.0)).prop_map(move |(mean, f, k)| {
            let sd = f * s;
            D::Normal { mean, sd, min: Some(0.0), max: k.map(|k| mean + k * sd) }
        }),
        1 => (0.01..=1.0, 1.05..4.0, any::<bool>(), option::of(1.5..5.0)).prop_map(move |(m, r, p95, k)| {
            let median = m * s;
            D::LogMedian { median, upper: median * r, p95, max: k.map(|k| median * k) }
        }),
        1 => (0.01..=1.0_f64, 0.0..1.2).prop_map(move |(m, sigma)| D::LogMu((m * s).ln(), sigma)),
        1 => (0.3..6.0, 0.01..=1.0).prop_map(move |(k, m)| D::GammaShape(k, m * s / k)),
        1 => (0.01..=1.0, 0.05..2.0).prop_map(move |(m, r)| D::GammaMean(m * s, m * s * r)),
        1 => (0.0..=s, option::of(1.0..3.0)).prop_map(|(m, k)| D::Poisson(m, k.map(|k| m * k + 1.0))),
        1 => (0.0..=s, 0.3..30.0).prop_map(|(m, k)| D::Negbin(m, k)),
        1 => (vec((0.0..=s, 0.1..5.0), 1..5), any::<bool>()).prop_map(|(pairs, weighted)| {
            let (v, w): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
            D::Empirical(v, weighted.then_some(w))
        }),
    ]
    .boxed()
}

/// A lead or transit time: like [`nonneg`], but a fixed value is at least 1 day
/// (validation refuses a fixed time that rounds to 0).
fn at_least_a_day(scale: f64) -> BoxedStrategy<D> {
    nonneg(scale)
        .prop_map(|d| match d {
            D::Num(v) => D::Num(v.max(1.0)),
            D::Fixed(v) => D::Fixed(v.max(1.0)),
            D::Uniform(a, b) if b < 1.0 => D::Uniform(a, 1.0),
            D::Empirical(v, w) => D::Empirical(v.into_iter().map(|x| x.max(1.0)).collect(), w),
            other => other,
        })
        .boxed()
}

/// A distribution of shares in `[0, 1]`.
pub(crate) fn share() -> BoxedStrategy<D> {
    prop_oneof![
        (unit()).prop_map(D::Num),
        (unit()).prop_map(D::Fixed),
        (unit(), unit()).prop_map(|(a, b)| D::Uniform(a.min(b), a.max(b))),
        (unit(), unit(), unit()).prop_map(|(a, b, c)| {
            let [a, b, c] = sorted3(a, b, c);
            D::Triangular(a, b, c)
        }),
        (unit(), unit(), unit()).prop_map(|(a, b, c)| {
            let [a, b, c] = sorted3(a, b, c);
            D::Pert(a, b, c, None)
        }),
        (0.1..0.9, 0.05..0.5).prop_map(|(mean, sd)| D::Normal {
            mean,
            sd,
            min: Some(0.0),
            max: Some(1.0)
        }),
        vec(unit(), 1..4).prop_map(|v| D::Empirical(v, None)),
    ]
    .boxed()
}

/// A slip of a planned date [days]: may be negative (early).
fn slip() -> BoxedStrategy<D> {
    prop_oneof![
        nonneg(120.0),
        (-30.0..60.0, 0.0..60.0).prop_map(|(mean, sd)| D::Normal {
            mean,
            sd,
            min: None,
            max: None
        }),
        (-30.0..0.0, 0.0..90.0).prop_map(|(a, b)| D::Uniform(a, b)),
    ]
    .boxed()
}

/// A ramp milestone: planned day offset from the start, target, optional slip and ramp.
#[derive(Debug, Clone)]
pub(crate) struct Milestone {
    at: f64,
    target: D,
    slip: Option<D>,
    ramp_days: Option<D>,
}

#[derive(Debug, Clone)]
pub(crate) struct Ramp {
    initial: D,
    milestones: Vec<Milestone>,
}

fn ramp(scale: f64) -> impl Strategy<Value = Ramp> {
    let milestone = (
        at(),
        nonneg(scale),
        option::of(slip()),
        option::of(nonneg(90.0)),
    )
        .prop_map(|(at, target, slip, ramp_days)| Milestone {
            at,
            target,
            slip,
            ramp_days,
        });
    (nonneg(scale), vec(milestone, 0..3)).prop_map(|(initial, milestones)| Ramp {
        initial,
        milestones,
    })
}

#[derive(Debug, Clone)]
pub(crate) struct Factory {
    owner: usize,
    item: usize,
    capacity: Ramp,
    output_factor: Option<D>,
    disruption: Option<(D, D, Option<D>)>,
    input_limit: Option<Ramp>,
}

fn factory() -> impl Strategy<Value = Factory> {
    let disruption = (nonneg(150.0), nonneg(30.0), option::of(share()));
    (
        any::<usize>(),
        any::<usize>(),
        ramp(40_000.0),
        option::of(nonneg(1.5)),
        option::of(disruption),
        option::of(ramp(40_000.0)),
    )
        .prop_map(
            |(owner, item, capacity, output_factor, disruption, input_limit)| Factory {
                owner,
                item,
                capacity,
                output_factor,
                disruption,
                input_limit,
            },
        )
}

/// How an order is filled: a backlog at the n-th factory of its item, or a lead time.
#[derive(Debug, Clone)]
pub(crate) enum Supply {
    Backlog(usize),
    LeadTime {
        lead: D,
        tranches: Option<u32>,
        every: Option<D>,
    },
}

fn supply() -> impl Strategy<Value = Supply> {
    prop_oneof![
        any::<usize>().prop_map(Supply::Backlog),
        (
            at_least_a_day(120.0),
            option::of(1_u32..6),
            option::of(nonneg(40.0))
        )
            .prop_map(|(lead, tranches, every)| Supply::LeadTime {
                lead,
                tranches,
                every
            }),
    ]
}

#[derive(Debug, Clone)]
pub(crate) struct Contract {
    buyer: usize,
    item: usize,
    quantity: D,
    award: f64,
    delay: Option<D>,
    supply: Supply,
}

fn contract() -> impl Strategy<Value = Contract> {
    (
        any::<usize>(),
        any::<usize>(),
        nonneg(50_000.0),
        at(),
        option::of(nonneg(60.0)),
        supply(),
    )
        .prop_map(|(buyer, item, quantity, award, delay, supply)| Contract {
            buyer,
            item,
            quantity,
            award,
            delay,
            supply,
        })
}

#[derive(Debug, Clone)]
pub(crate) struct Procurement {
    nation: usize,
    item: usize,
    /// Reorder point, drawn within `[0, level]` or unbounded above from 0.
    reorder: D,
    level: f64,
    /// Order-up-to level above `level`: fixed, or uniform over `[level, level + extra]`.
    extra: f64,
    target_uniform: bool,
    review_days: u32,
    first_review: Option<f64>,
    supply: Supply,
}

fn procurement() -> impl Strategy<Value = Procurement> {
    (
        (any::<usize>(), any::<usize>()),
        (1_000.0..100_000.0).prop_flat_map(|level| (Just(level), nonneg(level))),
        (0.0..100_000.0, any::<bool>()),
        1_u32..60,
        option::of(at()),
        supply(),
    )
        .prop_map(
            |(
                (nation, item),
                (level, reorder),
                (extra, target_uniform),
                review_days,
                first_review,
                supply,
            )| {
                Procurement {
                    nation,
                    item,
                    reorder,
                    level: level.round(),
                    extra,
                    target_uniform,
                    review_days,
                    first_review,
                    supply,
                }
            },
        )
}

#[derive(Debug, Clone)]
pub(crate) struct Regime {
    multiplier: D,
    duration: D,
    /// Weights of the next regime, by index modulo the regime count; the first is > 0.
    next: Vec<(usize, f64)>,
}

#[derive(Debug, Clone)]
pub(crate) struct Demand {
    nation: usize,
    item: usize,
    dispersion: Option<f64>,
    schedule: Vec<(f64, D)>,
    regimes: Vec<Regime>,
    start_regime: usize,
    /// Other items of the nation drawn down after its own (none with backordering).
    substitutes: Vec<usize>,
    /// Rationing: `cover_days` with `fraction`, and `keep_days`, each optional.
    rationing: Option<Rationing>,
    /// Days of mean need that aid must leave (own use).
    reserve_days: Option<D>,
    /// Rounds per raid (a compound demand): a whole number, or a Poisson mean.
    per_raid: Option<Result<u32, f64>>,
}

/// A rationing rule: (`cover_days`, `fraction`) and `keep_days`, each optional.
type Rationing = (Option<(D, D)>, Option<D>);

fn demand() -> impl Strategy<Value = Demand> {
    let regime = (
        nonneg(3.0),
        nonneg(40.0),
        (any::<usize>(), 0.1..5.0),
        vec((any::<usize>(), 0.0..5.0), 0..3),
    )
        .prop_map(|(multiplier, duration, first, mut next)| {
            next.insert(0, first);
            Regime {
                multiplier,
                duration,
                next,
            }
        });
    (
        any::<usize>(),
        any::<usize>(),
        option::of(0.3..50.0),
        vec((at(), nonneg(2_000.0)), 1..4),
        vec(regime, 0..4),
        any::<usize>(),
        option::weighted(0.3, vec(any::<usize>(), 1..3)),
        (
            option::weighted(
                0.3,
                (
                    option::of((nonneg(60.0), share())),
                    option::of(nonneg(20.0)),
                ),
            ),
            option::weighted(0.2, nonneg(60.0)),
            option::weighted(
                0.2,
                prop_oneof![(0_u32..20).prop_map(Ok), (0.5..8.0).prop_map(Err)],
            ),
        ),
    )
        .prop_map(
            |(
                nation,
                item,
                dispersion,
                schedule,
                regimes,
                start_regime,
                substitutes,
                (rationing, reserve_days, per_raid),
            )| Demand {
                nation,
                item,
                dispersion,
                schedule,
                regimes,
                start_regime,
                substitutes: substitutes.unwrap_or_default(),
                rationing,
                reserve_days,
                per_raid,
            },
        )
}

#[derive(Debug, Clone)]
pub(crate) struct Transfer {
    from: usize,
    /// The recipient is `from + 1 + to` modulo the nation count: never the donor.
    to: usize,
    item: usize,
    start: f64,
    /// The last dispatch day after the start, as a share of the horizon.
    end: Option<f64>,
    every_days: u32,
    /// A scheduled quantity, or a policy share.
    size: Result<D, D>,
    transit: Option<D>,
    below_floor: Option<bool>,
}

fn transfer() -> impl Strategy<Value = Transfer> {
    let size = prop_oneof![nonneg(30_000.0).prop_map(Ok), share().prop_map(Err)];
    (
        (any::<usize>(), any::<usize>(), any::<usize>()),
        (at(), option::of(0.0..1.2)),
        1_u32..90,
        size,
        option::of(at_least_a_day(30.0)),
        option::of(any::<bool>()),
    )
        .prop_map(
            |((from, to, item), (start, end), every_days, size, transit, below_floor)| Transfer {
                from,
                to,
                item,
                start,
                end,
                every_days,
                size,
                transit,
                below_floor,
            },
        )
}

/// A nation's stock of one item.
#[derive(Debug, Clone)]
pub(crate) struct Stock {
    initial: D,
    floor: Option<D>,
}

fn stock() -> impl Strategy<Value = Stock> {
    (nonneg(200_000.0), option::of(nonneg(50_000.0)))
        .prop_map(|(initial, floor)| Stock { initial, floor })
}

/// A nation: an optional channel flag and a stock per item (`None`: not declared).
#[derive(Debug, Clone)]
pub(crate) struct Nation {
    channel: Option<bool>,
    stock: Vec<Option<Stock>>,
}

/// A whole scenario, before rendering.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    /// Offset of the start date from 2023-01-01 [days].
    start: i64,
    /// Number of simulated days.
    pub(crate) days: i64,
    pub(crate) seed: u64,
    backorder: Option<bool>,
    items: usize,
    nations: Vec<Nation>,
    factories: Vec<Factory>,
    contracts: Vec<Contract>,
    procurement: Vec<Procurement>,
    demand: Vec<Demand>,
    transfers: Vec<Transfer>,
}

/// Random valid scenarios of 30 to 400 days.
pub(crate) fn spec() -> impl Strategy<Value = Spec> {
    let nations = (1_usize..4).prop_flat_map(|items| {
        let nation = (
            option::weighted(0.15, any::<bool>()),
            vec(option::weighted(0.6, stock()), items),
        )
            .prop_map(|(channel, stock)| Nation { channel, stock });
        (Just(items), vec(nation, 2..5))
    });
    (
        (
            0_i64..1500,
            30_i64..=400,
            0..=i64::MAX as u64,
            option::of(any::<bool>()),
        ),
        nations,
        vec(factory(), 0..4),
        vec(contract(), 0..3),
        vec(procurement(), 0..3),
        vec(demand(), 0..4),
        vec(transfer(), 0..4),
    )
        .prop_map(
            |(
                (start, days, seed, backorder),
                (items, nations),
                factories,
                contracts,
                procurement,
                demand,
                transfers,
            )| Spec {
                start,
                days,
                seed,
                backorder,
                items,
                nations,
                factories,
                contracts,
                procurement,
                demand,
                transfers,
            },
        )
}

impl Spec {
    /// The date at `at` (a share of the horizon: 0 is the start, 1 the end).
    fn date_at(&self, at: f64) -> String {
        self.date((at * self.days as f64).round() as i64)
    }

    fn date(&self, offset: i64) -> String {
        let start = Date::from_ymd(2023, 1, 1)
            .expect("a calendar date")
            .plus_days(self.start);
        format!("\"{}\"", start.plus_days(offset))
    }

    /// The scenario file.
    pub(crate) fn toml(&self) -> String {
        let mut t = String::new();
        let w = &mut t;
        let _ = writeln!(w, "[scenario]\nname = \"prop\"");
        let _ = writeln!(
            w,
            "start = {}\nend = {}",
            self.date(0),
            self.date(self.days - 1)
        );
        let _ = writeln!(w, "seed = {}", self.seed);
        if let Some(b) = self.backorder {
            let _ = writeln!(w, "backorder = {b}");
        }
        for i in 0..self.items {
            let _ = writeln!(w, "[items.i{i}]");
        }
        self.render_nations(w);
        self.render_factories(w);
        self.render_contracts(w);
        self.render_demand(w);
        self.render_transfers(w);
        t
    }

    fn render_nations(&self, w: &mut String) {
        let mut policies: BTreeMap<(usize, usize), &Procurement> = BTreeMap::new();
        for p in &self.procurement {
            let key = (p.nation % self.nations.len(), p.item % self.items);
            policies.entry(key).or_insert(p);
        }
        for (n, nation) in self.nations.iter().enumerate() {
            let _ = writeln!(w, "[nations.n{n}]");
            if let Some(c) = nation.channel {
                let _ = writeln!(w, "channel = {c}");
            }
            for (i, stock) in nation.stock.iter().enumerate() {
                // The first nation always holds the first item: the scenario tracks a stock.
                let forced = Stock {
                    initial: D::Num(1000.0),
                    floor: None,
                };
                let stock = match stock {
                    Some(s) => s,
                    None if n == 0 && i == 0 => &forced,
                    None => continue,
                };
                let _ = writeln!(
                    w,
                    "[nations.n{n}.stock.i{i}]\ninitial = {}",
                    stock.initial.toml()
                );
                if let Some(f) = &stock.floor {
                    let _ = writeln!(w, "floor = {}", f.toml());
                }
            }
            for ((_, i), p) in policies.range((n, 0)..(n + 1, 0)) {
                self.render_procurement(w, n, *i, p);
            }
        }
    }

    fn render_procurement(&self, w: &mut String, n: usize, i: usize, p: &Procurement) {
        let _ = writeln!(w, "[nations.n{n}.procurement.i{i}]");
        let _ = writeln!(w, "reorder_point = {}", p.reorder.toml());
        let target = if p.target_uniform {
            D::Uniform(p.level, p.level + p.extra)
        } else {
            D::Num((p.level + p.extra).round())
        };
        let _ = writeln!(
            w,
            "target = {}\nreview_days = {}",
            target.toml(),
            p.review_days
        );
        if let Some(f) = p.first_review {
            let _ = writeln!(w, "first_review = {}", self.date_at(f));
        }
        self.render_supply(w, i, &p.supply);
    }

    /// `factory = …` when some factory makes item `i`, else the lead-time keys.
    fn render_supply(&self, w: &mut String, i: usize, supply: &Supply) {
        let makers: Vec<usize> = (0..self.factories.len())
            .filter(|&f| self.factories[f].item % self.items == i)
            .collect();
        match supply {
            Supply::Backlog(k) if !makers.is_empty() => {
                let _ = writeln!(w, "factory = \"f{}\"", makers[k % makers.len()]);
            }
            Supply::Backlog(_) => {
                let _ = writeln!(w, "lead_time_days = 90");
            }
            Supply::LeadTime {
                lead,
                tranches,
                every,
            } => {
                let _ = writeln!(w, "lead_time_days = {}", lead.toml());
                if let Some(n) = tranches {
                    let _ = writeln!(w, "tranches = {n}");
                }
                if let Some(e) = every {
                    let _ = writeln!(w, "tranche_every_days = {}", e.toml());
                }
            }
        }
    }

    fn render_ramp(&self, w: &mut String, path: &str, r: &Ramp) {
        let _ = writeln!(w, "[{path}]\ninitial = {}", r.initial.toml());
        for (m, ms) in r.milestones.iter().enumerate() {
            let _ = writeln!(w, "[{path}.ramp.m{m}]");
            let _ = writeln!(
                w,
                "date = {}\ntarget = {}",
                self.date_at(ms.at),
                ms.target.toml()
            );
            if let Some(s) = &ms.slip {
                let _ = writeln!(w, "slip_days = {}", s.toml());
            }
            if let Some(r) = &ms.ramp_days {
                let _ = writeln!(w, "ramp_days = {}", r.toml());
            }
        }
    }

    fn render_factories(&self, w: &mut String) {
        for (k, f) in self.factories.iter().enumerate() {
            let _ = writeln!(w, "[factories.f{k}]");
            let owner = f.owner % self.nations.len();
            let _ = writeln!(
                w,
                "owner = \"n{owner}\"\nitem = \"i{}\"",
                f.item % self.items
            );
            if let Some(o) = &f.output_factor {
                let _ = writeln!(w, "output_factor = {}", o.toml());
            }
            if let Some((every, repair, loss)) = &f.disruption {
                let _ = writeln!(w, "[factories.f{k}.disruption]");
                let _ = writeln!(
                    w,
                    "every_days = {}\nrepair_days = {}",
                    every.toml(),
                    repair.toml()
                );
                if let Some(l) = loss {
                    let _ = writeln!(w, "loss = {}", l.toml());
                }
            }
            self.render_ramp(w, &format!("factories.f{k}.capacity"), &f.capacity);
            if let Some(limit) = &f.input_limit {
                self.render_ramp(w, &format!("factories.f{k}.input_limit"), limit);
            }
        }
    }

    fn render_contracts(&self, w: &mut String) {
        for (k, c) in self.contracts.iter().enumerate() {
            let item = c.item % self.items;
            let _ = writeln!(w, "[contracts.c{k}]");
            let _ = writeln!(
                w,
                "buyer = \"n{}\"\nitem = \"i{item}\"",
                c.buyer % self.nations.len()
            );
            let _ = writeln!(
                w,
                "quantity = {}\naward = {}",
                c.quantity.toml(),
                self.date_at(c.award)
            );
            if let Some(d) = &c.delay {
                let _ = writeln!(w, "award_delay_days = {}", d.toml());
            }
            self.render_supply(w, item, &c.supply);
        }
    }

    fn render_demand(&self, w: &mut String) {
        for (k, d) in self.demand.iter().enumerate() {
            let _ = writeln!(w, "[demand.d{k}]");
            let _ = writeln!(
                w,
                "nation = \"n{}\"\nitem = \"i{}\"",
                d.nation % self.nations.len(),
                d.item % self.items
            );
            if let Some(disp) = d.dispersion {
                let _ = writeln!(w, "dispersion = {}", num(disp));
            }
            // Other items, each once, without backordering (which validation refuses).
            let mut subs: Vec<usize> = Vec::new();
            for &x in &d.substitutes {
                let i = x % self.items;
                if i != d.item % self.items && !subs.contains(&i) {
                    subs.push(i);
                }
            }
            if self.backorder != Some(true) && !subs.is_empty() {
                let list: Vec<String> = subs.iter().map(|i| format!("\"i{i}\"")).collect();
                let _ = writeln!(w, "substitutes = [{}]", list.join(", "));
            }
            if let Some(days) = &d.reserve_days {
                let _ = writeln!(w, "reserve_days = {}", days.toml());
            }
            match d.per_raid {
                Some(Ok(n)) => {
                    let _ = writeln!(w, "per_raid = {n}");
                }
                Some(Err(mean)) => {
                    let _ = writeln!(
                        w,
                        "per_raid = {{ dist = \"poisson\", mean = {} }}",
                        num(mean)
                    );
                }
                None => {}
            }
            if let Some((cover, keep)) = &d.rationing {
                let mut keys = Vec::new();
                if let Some((days, fraction)) = cover {
                    keys.push(format!("cover_days = {}", days.toml()));
                    keys.push(format!("fraction = {}", fraction.toml()));
                }
                if let Some(days) = keep {
                    keys.push(format!("keep_days = {}", days.toml()));
                }
                if !keys.is_empty() {
                    let _ = writeln!(w, "rationing = {{ {} }}", keys.join(", "));
                }
            }
            if !d.regimes.is_empty() {
                let _ = writeln!(
                    w,
                    "start_regime = \"r{}\"",
                    d.start_regime % d.regimes.len()
                );
            }
            for (p, (from, per_day)) in d.schedule.iter().enumerate() {
                let _ = writeln!(w, "[demand.d{k}.schedule.p{p}]");
                let _ = writeln!(
                    w,
                    "from = {}\nper_day = {}",
                    self.date_at(*from),
                    per_day.toml()
                );
            }
            for (r, regime) in d.regimes.iter().enumerate() {
                let mut next: BTreeMap<usize, f64> = BTreeMap::new();
                for (to, weight) in &regime.next {
                    next.entry(to % d.regimes.len()).or_insert(*weight);
                }
                let next: Vec<String> = next
                    .iter()
                    .map(|(to, wt)| format!("r{to} = {}", num(*wt)))
                    .collect();
                let _ = writeln!(w, "[demand.d{k}.regimes.r{r}]");
                let _ = writeln!(
                    w,
                    "multiplier = {}\nduration_days = {}",
                    regime.multiplier.toml(),
                    regime.duration.toml()
                );
                let _ = writeln!(w, "next = {{ {} }}", next.join(", "));
            }
        }
    }

    fn render_transfers(&self, w: &mut String) {
        let n = self.nations.len();
        for (k, t) in self.transfers.iter().enumerate() {
            let from = t.from % n;
            let to = (from + 1 + t.to % (n - 1)) % n;
            let _ = writeln!(w, "[transfers.t{k}]");
            let _ = writeln!(
                w,
                "from = \"n{from}\"\nto = \"n{to}\"\nitem = \"i{}\"",
                t.item % self.items
            );
            let _ = writeln!(
                w,
                "start = {}\nevery_days = {}",
                self.date_at(t.start),
                t.every_days
            );
            if let Some(e) = t.end {
                let _ = writeln!(w, "end = {}", self.date_at(t.start + e));
            }
            match &t.size {
                Ok(q) => {
                    let _ = writeln!(w, "quantity = {}", q.toml());
                }
                Err(s) => {
                    let _ = writeln!(w, "share = {}", s.toml());
                }
            }
            if let Some(tr) = &t.transit {
                let _ = writeln!(w, "transit_days = {}", tr.toml());
            }
            if let Some(b) = t.below_floor {
                let _ = writeln!(w, "below_floor = {b}");
            }
        }
    }
}
