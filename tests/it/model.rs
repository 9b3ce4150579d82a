//! The munitions model: conservation on every trial, semantics of backlogs, floors and
//! procurement, and a depletion curve with a closed-form answer.

use drawdown::model::{
    DrawTape, Model, NoTrace, Tape, TraceKind, TraceLog, TrialOutcome, Workspace,
};
use drawdown::pipeline::{self, RunRequest};
use drawdown::scenario::Scenario;
use std::path::Path;

fn scenario(path: &str) -> Scenario {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    Scenario::from_toml(path, &text, &[]).unwrap()
}

fn inline(text: &str) -> Scenario {
    Scenario::from_toml("<test>", text, &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `trials` trials and checks conservation and basic invariants on every one.
fn assert_conserves(s: Scenario, trials: u64) {
    let model = Model::new(s, 7);
    let mut ws = Workspace::new(&model);
    for t in 0..trials {
        let out = ws.run(&model, 99, t, &mut NoTrace);
        if let Some(breach) = out.conservation_breach() {
            panic!("trial {t}: {breach}");
        }
        for (i, s) in out.series.iter().enumerate() {
            assert!(
                s.min_stock <= s.final_stock && s.min_stock <= s.initial,
                "trial {t} series {i}: {s:?}"
            );
            // Fire = need met on the day + backlog fired late; unmet need is either
            // served late, still waiting at the end, or (without backordering) lost.
            assert_eq!(
                s.met_on_time() + s.late_filled,
                s.consumed,
                "trial {t} series {i}: {s:?}"
            );
            if model.scenario.backorder {
                assert_eq!(
                    s.late_filled + s.final_backlog,
                    s.unmet,
                    "trial {t} series {i}: {s:?}"
                );
            } else {
                assert_eq!(
                    (s.late_filled, s.final_backlog),
                    (0, 0),
                    "trial {t} series {i}: lost demand carried over"
                );
            }
            if model.scenario.series[i].channel {
                assert_eq!(s.depletion_day, None, "trial {t}: a channel depleted");
            } else if let Some(day) = s.depletion_day {
                assert!(
                    s.min_stock <= s.floor,
                    "trial {t} series {i}: depleted but min above floor"
                );
                assert!(day < model.scenario.days);
            } else {
                assert!(
                    s.min_stock > s.floor,
                    "trial {t} series {i}: at floor but not depleted"
                );
            }
        }
    }
}

#[test]
fn conserves_stock_on_every_trial_of_the_example() {
    assert_conserves(scenario("configs/example.toml"), 300);
}

#[test]
fn conserves_stock_on_every_trial_of_the_kitchen_sink() {
    assert_conserves(scenario("tests/fixtures/kitchen_sink.toml"), 300);
}

#[test]
fn conserves_stock_on_every_trial_of_the_default_scenario() {
    assert_conserves(Scenario::default_with(&[]).unwrap(), 30);
}

#[test]
fn conserves_stock_with_lost_demand_too() {
    let s = Scenario::from_toml(
        "kitchen_sink",
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kitchen_sink.toml"),
        )
        .unwrap(),
        &["scenario.backorder=false".into()],
    )
    .unwrap();
    assert!(!s.backorder);
    assert_conserves(s, 200);
}

/// Replays a trace: every stock-moving event changes the stock by its quantity, and
/// transfers never take a donor below its floor unless the transfer allows it.
#[test]
fn trace_replays_to_the_recorded_stock_and_respects_floors() {
    let s = scenario("tests/fixtures/kitchen_sink.toml");
    let model = Model::new(s, 1);
    let mut ws = Workspace::new(&model);
    for trial in 0..20 {
        let mut log = TraceLog::default();
        let out = ws.run(&model, 5, trial, &mut log).clone();
        let mut stock = vec![0i64; model.series_count()];
        for r in &log.records {
            let q = r.quantity as i64;
            let delta = match r.kind {
                TraceKind::InitialStock
                | TraceKind::Produced
                | TraceKind::Delivered
                | TraceKind::Received => q,
                TraceKind::Sent | TraceKind::Consumed => -q,
                _ => 0,
            };
            stock[r.series] += delta;
            assert_eq!(
                stock[r.series], r.stock_after as i64,
                "trial {trial}: {r:?}"
            );
            if r.kind == TraceKind::Sent && r.entity != "a_rockets_emergency" {
                assert!(
                    r.stock_after >= out.series[r.series].floor,
                    "trial {trial}: {r:?} below floor"
                );
            }
        }
        for (i, s) in out.series.iter().enumerate() {
            assert_eq!(stock[i], s.final_stock as i64, "trial {trial} series {i}");
        }
    }
}

const BACKLOG: &str = r#"
[scenario]
name = "backlog"
start = "2024-01-01"
end = "2024-03-31"
[items.x]
[factories.f]
owner = "maker"
item = "x"
capacity = { initial = 3043.75 }   # exactly 100 rounds/day
[contracts.first]
buyer = "buyer1"
item = "x"
quantity = 1050
award = "2024-01-01"
factory = "f"
[contracts.second]
buyer = "buyer2"
item = "x"
quantity = 500
award = "2024-01-05"
factory = "f"
[nations.maker]
[nations.buyer1]
[nations.buyer2]
"#;

#[test]
fn factory_backlog_is_filled_first_come_first_served() {
    let model = Model::new(inline(BACKLOG), 1);
    let mut ws = Workspace::new(&model);
    let mut log = TraceLog::default();
    let out = ws.run(&model, 1, 0, &mut log).clone();
    let label = |i: usize| model.scenario.series_label(i);
    let by = |name: &str| {
        (0..model.series_count())
            .find(|&i| label(i) == name)
            .unwrap()
    };
    let (maker, b1, b2) = (by("maker.x"), by("buyer1.x"), by("buyer2.x"));
    // 91 days at exactly 100 rounds/day.
    assert_eq!(out.series[b1].delivered, 1050);
    assert_eq!(out.series[b2].delivered, 500);
    assert_eq!(out.series[maker].produced, 9100 - 1550);
    // buyer1 is served alone until filled (days 0..10, 50 on day 10), then buyer2.
    let last_b1 = log
        .records
        .iter()
        .filter(|r| r.series == b1 && r.kind == TraceKind::Delivered)
        .map(|r| r.day)
        .max();
    let first_b2 = log
        .records
        .iter()
        .filter(|r| r.series == b2 && r.kind == TraceKind::Delivered)
        .map(|r| r.day)
        .min();
    assert_eq!((last_b1, first_b2), (Some(10), Some(10)));
    let first_owner = log
        .records
        .iter()
        .filter(|r| r.series == maker && r.kind == TraceKind::Produced)
        .map(|r| r.day)
        .min();
    assert_eq!(
        first_owner,
        Some(15),
        "owner gets output only after both orders (1550 rounds = 15.5 days)"
    );
}

const POLICY: &str = r#"
[scenario]
name = "policy"
start = "2024-01-01"
end = "2024-12-31"
[items.x]
[nations.donor.stock.x]
initial = 100000
floor = 40000
[nations.donor.procurement.x]
reorder_point = 50000
target = 90000
review_days = 10
lead_time_days = 25
[nations.recipient]
[transfers.share]
from = "donor"
to = "recipient"
item = "x"
start = "2024-01-01"
every_days = 7
share = 0.5
transit_days = 3
"#;

#[test]
fn policy_aid_keeps_the_floor_and_procurement_orders_up_to_target() {
    let model = Model::new(inline(POLICY), 1);
    let mut ws = Workspace::new(&model);
    let mut log = TraceLog::default();
    let out = ws.run(&model, 3, 0, &mut log).clone();
    let donor = 0;
    assert_eq!(model.scenario.series_label(donor), "donor.x");
    assert!(
        out.series[donor].min_stock >= 40000,
        "{:?}",
        out.series[donor]
    );
    // First dispatch: half of the 60,000 above the floor.
    let first = log
        .records
        .iter()
        .find(|r| r.kind == TraceKind::Sent)
        .unwrap();
    assert_eq!((first.day, first.quantity), (0, 30000));
    // Each order brings stock + on order back to exactly the target.
    let orders: Vec<_> = log
        .records
        .iter()
        .filter(|r| r.kind == TraceKind::OrderPlaced)
        .collect();
    assert!(!orders.is_empty());
    for o in orders {
        assert!(o.stock_after + o.quantity <= 90000, "{o:?}");
    }
    assert!(out.series[donor].delivered > 0);
}

/// A recipient with a fixed stock S = 100 and Poisson(λ = 2) daily demand, and nothing else, is
/// depleted by day d exactly when the demand of days 0..=d reaches S:
/// P(depleted by d) = P(Poisson(λ(d+1)) ≥ S).
#[test]
fn depletion_curve_matches_the_poisson_closed_form() {
    let text = r#"
[scenario]
name = "poisson"
start = "2024-01-01"
end = "2024-03-31"
[items.x]
[nations.r.stock.x]
initial = 100
[demand.front]
nation = "r"
item = "x"
[demand.front.schedule.all]
from = "2024-01-01"
per_day = 2
"#;
    let loaded = pipeline::Loaded {
        scenario: inline(text),
        origin: "poisson".into(),
        text: text.into(),
        overrides: vec![],
        path: None,
    };
    let tmp = tempfile::tempdir().unwrap();
    let trials = 4000;
    let req = RunRequest {
        trials,
        seed: Some(2024),
        threads: None,
        out: Some(tmp.path().join("out")),
        step_days: 1,
        ..RunRequest::default()
    };
    let summary = pipeline::run(&loaded, &req, &drawdown::runner::Silent).unwrap();
    let csv = std::fs::read_to_string(summary.dir.join("depletion.csv")).unwrap();
    let mut checked = 0;
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (day, p): (u64, f64) = (f[2].parse().unwrap(), f[4].parse().unwrap());
        let exact = poisson_tail(2.0 * (day + 1) as f64, 100);
        let se = (exact * (1.0 - exact) / trials as f64).sqrt();
        assert!(
            (p - exact).abs() <= 4.0 * se + 1e-9,
            "day {day}: simulated {p}, exact {exact}, se {se}"
        );
        if exact > 0.01 && exact < 0.99 {
            checked += 1;
        }
    }
    assert!(
        checked >= 20,
        "the curve's informative part was checked on {checked} days"
    );
}

/// P(X ≥ s) for X ~ Poisson(mu), by summing the pmf in log space.
fn poisson_tail(mu: f64, s: u64) -> f64 {
    let mut log_p = -mu;
    let mut below = 0.0;
    for k in 0..s {
        if k > 0 {
            log_p += mu.ln() - (k as f64).ln();
        }
        below += log_p.exp();
    }
    (1.0 - below).max(0.0)
}

/// A pass-through channel (`channel = true`) has no meaningful depletion: its depletion
/// rows and metrics are left out, while its stock and flows are still reported.
#[test]
fn channels_report_flows_but_no_depletion() {
    let loaded = pipeline::load(None, &[]).unwrap();
    let label = "czech_initiative";
    assert!(loaded.scenario.series.iter().any(|s| s.channel));
    let tmp = tempfile::tempdir().unwrap();
    let req = RunRequest {
        trials: 64,
        seed: Some(1),
        threads: Some(1),
        out: Some(tmp.path().join("out")),
        step_days: 30,
        ..RunRequest::default()
    };
    let summary = pipeline::run(&loaded, &req, &drawdown::runner::Silent).unwrap();
    let read = |f: &str| std::fs::read_to_string(summary.dir.join(f)).unwrap();
    assert!(!read("depletion.csv").contains(label));
    let rows = read("summary.csv");
    assert!(
        rows.lines()
            .any(|l| l.starts_with(&format!("{label},shell_155,sent_mean,")))
    );
    assert!(
        !rows
            .lines()
            .any(|l| l.starts_with(&format!("{label},shell_155,p_depleted,")))
    );
    assert!(
        rows.lines()
            .any(|l| l.starts_with("ukraine,shell_155,p_depleted,"))
    );
    assert!(read("stock.csv").contains(label));
    assert!(!summary.table.lines().any(|l| l.starts_with(label)));
}

/// Every shipped scenario, the example, the test fixtures and the numpy twin: (name, text).
fn every_test_scenario() -> Vec<(String, String)> {
    let files = [
        "configs/example.toml",
        "tests/fixtures/kitchen_sink.toml",
        "tests/fixtures/groups.toml",
        "benches/twin/twin.toml",
    ]
    .map(|f| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(f);
        (f.to_string(), std::fs::read_to_string(path).unwrap())
    });
    drawdown::scenario::library::SHIPPED
        .iter()
        .map(|s| (s.name.to_string(), s.text.to_string()))
        .chain(files)
        .collect()
}

/// A trial's outcome depends on its index alone, not on the trials its workspace ran
/// before: every shipped scenario (the stinger one has a front served from
/// substitutes that have no front of their own), the example, the test fixtures
/// (backordering, contracts, input limits, groups) and the numpy twin, trial 3 run fresh
/// and after trials 0 to 2 in the same workspace. Every field of the outcome is
/// compared, the per-period sums included.
#[test]
fn a_trial_does_not_depend_on_the_trials_its_workspace_ran_before() {
    for (name, text) in every_test_scenario() {
        let name = name.as_str();
        let model = Model::new(Scenario::from_toml(name, &text, &[]).unwrap(), 7);
        let fresh = Workspace::new(&model)
            .run(&model, 5, 3, &mut NoTrace)
            .clone();
        let mut used = Workspace::new(&model);
        for t in 0..3 {
            used.run(&model, 5, t, &mut NoTrace);
        }
        let again = used.run(&model, 5, 3, &mut NoTrace);
        assert_same_outcome(again, &fresh, name);
    }
}

/// Every field of two trial outcomes is equal: totals, stock path, per-period sums.
fn assert_same_outcome(a: &TrialOutcome, b: &TrialOutcome, label: &str) {
    assert_eq!(a.series, b.series, "{label}: totals");
    assert_eq!(a.stock, b.stock, "{label}: stock");
    assert!(
        a.demanded == b.demanded,
        "{label}: demanded per period differ"
    );
    assert!(
        a.consumed == b.consumed,
        "{label}: consumed per period differ"
    );
    assert!(a.met == b.met, "{label}: met per period differ");
    assert!(
        a.short_days == b.short_days,
        "{label}: shortage days per period differ"
    );
}

/// Tracing changes nothing: the end-of-day record visits every stock when tracing (to
/// trace depletions in series order) but only the fronts' stocks and the donors aid
/// left that day otherwise, so the two must give the same outcome. Trials 0 to 29 of
/// every scenario of [`every_test_scenario`], every field compared.
#[test]
fn a_traced_trial_has_the_outcome_of_an_untraced_one() {
    for (name, text) in every_test_scenario() {
        let name = name.as_str();
        let model = Model::new(Scenario::from_toml(name, &text, &[]).unwrap(), 7);
        let (mut plain, mut traced) = (Workspace::new(&model), Workspace::new(&model));
        for t in 0..30 {
            let a = plain.run(&model, 11, t, &mut NoTrace).clone();
            let mut log = TraceLog::default();
            let b = traced.run(&model, 11, t, &mut log);
            assert_same_outcome(&a, b, &format!("{name} trial {t}"));
        }
    }
}

/// A model's own draws of the default scenario with its factories, stocks and aid
/// changed (what a sweep over supply varies) but its fronts as written.
fn supply_changed(text: &str) -> Model {
    let sets = [
        "factories.us_scranton.capacity.initial=40000",
        "factories.rheinmetall_de.capacity.initial=1000",
        "nations.germany.stock.shell_155.initial=5000",
    ]
    .map(String::from);
    Model::new(Scenario::from_toml("default", text, &sets).unwrap(), 30)
}

/// The draw tape (`model::tape`: daily needs and output factors) changes no outcome. For every scenario of
/// [`every_test_scenario`], trials 0 to 19: a trial that records its draws, and the same
/// trial replaying them, have the outcome of a trial that draws them. On the default
/// scenario, a model with other factories, stocks and aid (so other stocks and
/// shortages every day) replays the tape of the scenario as written and gets the
/// outcome of its own draws; a model with other demand or another factory's output
/// factor is not offered the tape.
#[test]
fn a_replayed_need_tape_gives_the_outcome_of_drawn_needs() {
    for (name, text) in every_test_scenario() {
        let model = Model::new(Scenario::from_toml(&name, &text, &[]).unwrap(), 7);
        let mut ws = Workspace::new(&model);
        let mut tape = DrawTape::new();
        for t in 0..20 {
            let label = format!("{name} trial {t}");
            let drawn = ws.run(&model, 5, t, &mut NoTrace).clone();
            let recorded = ws
                .run_taped(&model, 5, t, &mut NoTrace, Tape::Record(&mut tape))
                .clone();
            assert_same_outcome(&drawn, &recorded, &format!("{label}, recording"));
            let fronts = model.scenario.demand.len();
            let days = model.scenario.days as usize;
            assert_eq!(tape.needs(), fronts * days, "{label}");
            assert_eq!(
                tape.factors_held(),
                model.scenario.factories.len() * days,
                "{label}"
            );
            let replayed = ws.run_taped(&model, 5, t, &mut NoTrace, Tape::Replay(&tape));
            assert_same_outcome(&drawn, replayed, &format!("{label}, replaying"));
        }
    }
    let text = drawdown::scenario::DEFAULT_SCENARIO.to_string();
    let base = Model::new(Scenario::from_toml("default", &text, &[]).unwrap(), 30);
    let other = supply_changed(&text);
    assert!(base.same_draws(&other) && other.same_draws(&base));
    let (mut a, mut b) = (Workspace::new(&base), Workspace::new(&other));
    let mut tape = DrawTape::new();
    let mut differ = 0;
    for t in 0..20 {
        let written = a
            .run_taped(&base, 9, t, &mut NoTrace, Tape::Record(&mut tape))
            .clone();
        let drawn = b.run(&other, 9, t, &mut NoTrace).clone();
        let replayed = b.run_taped(&other, 9, t, &mut NoTrace, Tape::Replay(&tape));
        assert_same_outcome(
            &drawn,
            replayed,
            &format!("default, other supply, trial {t}"),
        );
        differ += usize::from(written.series != drawn.series);
    }
    // The change reaches the outcomes: the test compares different trials.
    assert_eq!(differ, 20);
    for set in [
        "demand.belgium_training.schedule.all.per_day=5",
        "factories.eu_other.output_factor=1",
    ] {
        let sets = [set.to_string()];
        let other = Model::new(Scenario::from_toml("default", &text, &sets).unwrap(), 30);
        assert!(
            !base.same_draws(&other) && !other.same_draws(&base),
            "{set}"
        );
    }
}
