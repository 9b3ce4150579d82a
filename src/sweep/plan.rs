//! A sweep's grid: the specs resolved against the scenario, the points, and the
//! scenario text of each point.
//!
//! The scenario document the plan edits is the one the simulator reads (after `--set`
//! and templates, see [`super::paths`]); a point is that document with the point's
//! assignments written at the entities' own paths. Relative changes are computed from
//! what the document says:
//!
//! - a number: `+=d` adds, `*=f` multiplies (an integer stays an integer when the
//!   result is whole);
//! - a distribution table: `+=d` shifts its location and level parameters
//!   ([`SHIFTED`]: `value`, `min`, `mode`, `max`, `mean`, `median`, `p90`, `p95`,
//!   every entry of `values`); `*=f` scales its level and scale parameters
//!   ([`SCALED`]: those and `sd`, `scale`; a lognormal's `mu` moves by `ln f`), never
//!   shape (`sigma`, `shape`, PERT's `lambda`), dispersion or weights. A lognormal
//!   given by `mu`/`sigma` cannot be shifted;
//! - an absent `slip_days` counts as 0 for `+=` (the milestone gets the slip); any other
//!   absent field cannot be changed relatively;
//! - anything else (a string, a date, a boolean, a list) is an error.

use super::paths::{self, Found};
use super::spec::{Op, Spec, format_number, number};
use crate::error::{Error, Result};
use crate::scenario::overrides::parse_value;
use std::str::FromStr;
use toml_edit::{DocumentMut, InlineTable, Item, TableLike, Value};

/// Parameters a `+=` shifts.
pub const SHIFTED: &[&str] = &[
    "value", "min", "mode", "max", "mean", "median", "p90", "p95", "values",
];
/// Parameters a `*=` multiplies.
pub const SCALED: &[&str] = &[
    "value", "min", "mode", "max", "mean", "sd", "median", "p90", "p95", "scale", "values",
];
/// Fields that count as 0 when absent, for `+=`.
pub const ZERO_WHEN_ABSENT: &[&str] = &["slip_days"];
/// The most points a sweep may have.
pub const MAX_POINTS: usize = 10_000;

/// A spec with the fields it matched.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The spec.
    pub spec: Spec,
    /// The fields, in document order.
    pub found: Vec<Found>,
    /// Per value of the spec, the value written at each found field.
    pub values: Vec<Vec<Value>>,
}

/// One field set to one value.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// The field's segments.
    pub segments: Vec<String>,
    /// The value written.
    pub value: Value,
}

impl Assignment {
    /// `path = value` as TOML text.
    pub fn to_text(&self) -> String {
        format!(
            "{} = {}",
            self.segments.join("."),
            self.value.to_string().trim()
        )
    }
}

/// One grid point.
#[derive(Debug, Clone)]
pub struct Point {
    /// 1-based index.
    pub index: usize,
    /// Per spec, the value or change (`365`, `+365`, `*1.2`).
    pub labels: Vec<String>,
    /// What the point writes.
    pub assignments: Vec<Assignment>,
}

/// A resolved sweep.
#[derive(Debug, Clone)]
pub struct Plan {
    doc: DocumentMut,
    /// The `--vary` specs.
    pub specs: Vec<Resolved>,
    /// The `--baseline` specs.
    pub baseline_specs: Vec<Resolved>,
    /// The grid.
    pub points: Vec<Point>,
    /// What the baseline writes (nothing: the scenario as written).
    pub baseline: Vec<Assignment>,
}

impl Plan {
    /// Resolves `vary` (and `baseline`, one value each) against `text`, the scenario as
    /// the simulator reads it, into a full grid (or, with `zip`, the specs' values
    /// paired in order).
    ///
    /// # Errors
    /// [`Error::Usage`] naming the spec: malformed, matching nothing (with the nearest
    /// valid paths), a relative change of a non-number, zipped specs of unequal
    /// lengths, two specs changing one field, or too many points.
    pub fn new(text: &str, vary: &[String], zip: bool, baseline: &[String]) -> Result<Plan> {
        let doc = DocumentMut::from_str(text)
            .map_err(|e| Error::Other(format!("internal error: re-reading the scenario: {e}")))?;
        if vary.is_empty() {
            return Err(Error::Usage(
                "--vary: give at least one spec, e.g. --vary factories.us_scranton.capacity.initial*=0.5,1,1.5".into(),
            ));
        }
        let specs = resolve_all(&doc, vary, "--vary")?;
        let baseline_specs = resolve_all(&doc, baseline, "--baseline")?;
        let mut base = Vec::new();
        for r in &baseline_specs {
            if r.values.len() != 1 {
                return Err(Error::Usage(format!(
                    "--baseline '{}': give one value, got {}",
                    r.spec.text,
                    r.values.len()
                )));
            }
            base.extend(assignments(r, 0));
        }
        check_disjoint(&specs)?;
        let points = grid(&specs, zip)?;
        Ok(Plan {
            doc,
            specs,
            baseline_specs,
            points,
            baseline: base,
        })
    }

    /// The scenario text with `assignments` written.
    ///
    /// # Errors
    /// Only on an internal inconsistency (a resolved path that is not there).
    pub fn text(&self, assignments: &[Assignment]) -> Result<String> {
        let mut doc = self.doc.clone();
        for a in assignments {
            write(doc.as_table_mut(), a)?;
        }
        Ok(doc.to_string())
    }
}

fn resolve_all(doc: &DocumentMut, specs: &[String], flag: &str) -> Result<Vec<Resolved>> {
    specs
        .iter()
        .map(|text| {
            let spec = Spec::parse(text, flag)?;
            resolve(doc.as_table(), spec, flag)
        })
        .collect()
}

/// Matches one spec and computes its values at every match.
fn resolve(root: &dyn TableLike, spec: Spec, flag: &str) -> Result<Resolved> {
    let fail = |m: String| Error::Usage(format!("{flag} '{}': {m}", spec.text));
    let found = paths::resolve(root, &spec.segments).map_err(fail)?;
    // Every point runs with the run's one seed (common random numbers): a seed written
    // into a point would be ignored, so it is refused.
    if found.iter().any(|f| f.path() == "scenario.seed") {
        return Err(fail(
            "the seed cannot be varied: every point runs with the same seed (common random \
             numbers); set it with --seed, or run `drawdown run --seed K` once per seed"
                .into(),
        ));
    }
    let key = spec.segments.last().map(String::as_str).unwrap_or("");
    let absent_ok = match spec.op {
        Op::Set => true,
        Op::Add => ZERO_WHEN_ABSENT.contains(&key),
        Op::Mul => false,
    };
    if !absent_ok && found.iter().any(|f| f.value.is_none()) {
        let absent: Vec<Found> = found
            .iter()
            .filter(|f| f.value.is_none())
            .cloned()
            .collect();
        let first = absent[0].path();
        let why = paths::absent_message(root, &spec.segments, &absent);
        return Err(fail(format!(
            "'{first}' has no value to change relatively ({why})"
        )));
    }
    let mut values = Vec::with_capacity(spec.values.len());
    for v in &spec.values {
        let row = found
            .iter()
            .map(|f| {
                change(spec.op, f.value.as_ref(), v).map_err(|m| fail(format!("{}: {m}", f.path())))
            })
            .collect::<Result<Vec<Value>>>()?;
        values.push(row);
    }
    Ok(Resolved {
        spec,
        found,
        values,
    })
}

/// The value a spec's value `v` gives a field that holds `old`.
fn change(op: Op, old: Option<&Value>, v: &str) -> std::result::Result<Value, String> {
    if op == Op::Set {
        return Ok(parse_value(v));
    }
    let x = number(v).ok_or_else(|| format!("'{v}' is not a number"))?;
    let whole_change = !v.contains(['.', 'e', 'E']);
    let zero = Value::from(0i64);
    match old.unwrap_or(&zero) {
        Value::Integer(i) => Ok(arith(op, *i.value() as f64, x, whole_change)),
        Value::Float(f) => Ok(arith(op, *f.value(), x, false)),
        Value::InlineTable(t) => distribution(op, t, x),
        other => Err(format!(
            "a relative change needs a number or a distribution, but this is {} ({})",
            kind(other),
            other.to_string().trim()
        )),
    }
}

fn arith(op: Op, old: f64, x: f64, integer: bool) -> Value {
    let (r, integer) = match op {
        Op::Add => (old + x, integer && old.fract() == 0.0),
        _ => (old * x, old.fract() == 0.0),
    };
    let text = format_number(r, integer);
    parse_value(&text)
}

/// Shifts (`Add`) or scales (`Mul`) a distribution table.
fn distribution(op: Op, t: &InlineTable, x: f64) -> std::result::Result<Value, String> {
    let dist = t.get("dist").and_then(Value::as_str).unwrap_or("");
    let mut out = t.clone();
    for (key, value) in out.iter_mut() {
        let key = key.get();
        let keys = if op == Op::Add { SHIFTED } else { SCALED };
        if key == "mu" && dist == "lognormal" {
            if op == Op::Add {
                return Err("cannot shift a lognormal given by mu and sigma; give it by median and p90 or p95".into());
            }
            if x <= 0.0 {
                return Err(format!(
                    "cannot scale a lognormal by {x} (needs a factor above 0)"
                ));
            }
            let mu = value.as_float().or(value.as_integer().map(|i| i as f64));
            if let Some(mu) = mu {
                *value = parse_value(&format_number(mu + x.ln(), false));
            }
            continue;
        }
        if !keys.contains(&key) {
            continue;
        }
        let changed = match &*value {
            Value::Array(items) => {
                let mut arr = items.clone();
                for item in arr.iter_mut() {
                    *item = number_change(op, item, x);
                }
                Value::Array(arr)
            }
            other => number_change(op, other, x),
        };
        let decor = value.decor().clone();
        *value = changed;
        *value.decor_mut() = decor;
    }
    Ok(Value::InlineTable(out))
}

fn number_change(op: Op, v: &Value, x: f64) -> Value {
    match v {
        Value::Integer(i) => arith(op, *i.value() as f64, x, x.fract() == 0.0),
        Value::Float(f) => arith(op, *f.value(), x, false),
        other => other.clone(),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::String(s) if looks_like_date(s.value()) => "a date",
        Value::String(_) => "a string",
        Value::Datetime(_) => "a date",
        Value::Boolean(_) => "a boolean",
        Value::Array(_) => "a list",
        Value::InlineTable(_) => "a table",
        _ => "a number",
    }
}

/// What value `j` of a resolved spec writes; `+=0` on an absent field writes nothing,
/// so that such a point is the scenario as written.
/// `YYYY-MM-DD`.
fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

fn assignments(r: &Resolved, j: usize) -> Vec<Assignment> {
    let no_op = r.spec.op == Op::Add && r.spec.values.get(j).and_then(|v| number(v)) == Some(0.0);
    r.found
        .iter()
        .zip(&r.values[j])
        .filter(|(f, _)| !(no_op && f.value.is_none()))
        .map(|(f, v)| Assignment {
            segments: f.segments.clone(),
            value: v.clone(),
        })
        .collect()
}

fn check_disjoint(specs: &[Resolved]) -> Result<()> {
    let mut seen = std::collections::BTreeMap::new();
    for r in specs {
        for f in &r.found {
            if let Some(other) = seen.insert(f.path(), &r.spec.text)
                && *other != r.spec.text
            {
                return Err(Error::Usage(format!(
                    "--vary '{}' and '{other}' both change '{}': vary each field in one spec",
                    r.spec.text,
                    f.path()
                )));
            }
        }
    }
    Ok(())
}

/// The points: the product of the specs' values (the last spec varying fastest), or
/// with `zip` the i-th values together.
fn grid(specs: &[Resolved], zip: bool) -> Result<Vec<Point>> {
    let lens: Vec<usize> = specs.iter().map(|r| r.values.len()).collect();
    let combos: Vec<Vec<usize>> = if zip {
        if lens.iter().any(|&l| l != lens[0]) {
            let shown: Vec<String> = specs
                .iter()
                .map(|r| format!("'{}' has {}", r.spec.text, r.values.len()))
                .collect();
            return Err(Error::Usage(format!(
                "--zip pairs the specs' values in order, so they need as many values each: {}",
                shown.join(", ")
            )));
        }
        (0..lens[0]).map(|j| vec![j; specs.len()]).collect()
    } else {
        let total = lens.iter().try_fold(1usize, |a, &l| a.checked_mul(l));
        if total.is_none_or(|t| t > MAX_POINTS) {
            return Err(Error::Usage(format!(
                "--vary: the grid would have more than {MAX_POINTS} points ({}); use fewer values or --zip",
                lens.iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(" × ")
            )));
        }
        let mut combos = vec![Vec::new()];
        for &l in &lens {
            combos = combos
                .into_iter()
                .flat_map(|c| {
                    (0..l).map(move |j| {
                        let mut c = c.clone();
                        c.push(j);
                        c
                    })
                })
                .collect();
        }
        combos
    };
    Ok(combos
        .into_iter()
        .enumerate()
        .map(|(k, combo)| Point {
            index: k + 1,
            labels: specs
                .iter()
                .zip(&combo)
                .map(|(r, &j)| r.spec.label(j))
                .collect(),
            assignments: specs
                .iter()
                .zip(&combo)
                .flat_map(|(r, &j)| assignments(r, j))
                .collect(),
        })
        .collect())
}

/// Writes one assignment into the document.
fn write(root: &mut dyn TableLike, a: &Assignment) -> Result<()> {
    let lost = || {
        Error::Other(format!(
            "internal error: '{}' vanished",
            a.segments.join(".")
        ))
    };
    let (last, parents) = a.segments.split_last().ok_or_else(lost)?;
    let mut table = root;
    for s in parents {
        table = table
            .get_mut(s)
            .and_then(Item::as_table_like_mut)
            .ok_or_else(lost)?;
    }
    match table.get_mut(last) {
        Some(Item::Value(old)) => {
            let decor = old.decor().clone();
            *old = a.value.clone();
            *old.decor_mut() = decor;
        }
        Some(item) => *item = Item::Value(a.value.clone()),
        None => {
            table.insert(last, Item::Value(a.value.clone()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "[f.a]\nstart = 2024-01-01\nname = \"A\"\ncap.initial = 100\ncap.ramp.m1 = { target = 5, slip_days = 3 }\ncap.ramp.m2 = { target = { dist = \"pert\", min = 1, mode = 2, max = 4 } }\n[f.b]\ncap.initial = 2.5\ncap.ramp.m1 = { target = 7 }\n";

    fn plan(vary: &[&str], zip: bool) -> Result<Plan> {
        let vary: Vec<String> = vary.iter().map(|s| s.to_string()).collect();
        Plan::new(DOC, &vary, zip, &[])
    }

    #[test]
    fn shifts_present_and_absent_slips() {
        let p = plan(&["f.*.cap.ramp.*.slip_days+=0,365"], false).unwrap();
        assert_eq!(p.points.len(), 2);
        let texts: Vec<String> = p.points[1]
            .assignments
            .iter()
            .map(Assignment::to_text)
            .collect();
        assert_eq!(
            texts,
            [
                "f.a.cap.ramp.m1.slip_days = 368",
                "f.a.cap.ramp.m2.slip_days = 365",
                "f.b.cap.ramp.m1.slip_days = 365"
            ]
        );
        let text = p.text(&p.points[1].assignments).unwrap();
        assert!(text.contains("slip_days = 368"), "{text}");
    }

    /// A point's seed would be ignored (one seed for all, common random numbers).
    #[test]
    fn refuses_to_vary_the_seed() {
        let doc = format!("[scenario]\nseed = 5\n{DOC}");
        let vary = ["scenario.seed=1,2".to_string()];
        let err = Plan::new(&doc, &vary, false, &[]).unwrap_err().to_string();
        assert!(err.contains("the seed cannot be varied"), "{err}");
        let cap = ["f.a.cap.initial=1".to_string()];
        let err = Plan::new(&doc, &cap, false, &vary[..1])
            .unwrap_err()
            .to_string();
        assert!(err.contains("--baseline"), "{err}");
    }

    /// No milestone of `f.b` has a slip: a wildcard on `slip_days`, an optional field,
    /// still matches each of them (absent), where a misspelt key matches nothing.
    #[test]
    fn a_wildcard_on_an_optional_key_no_table_has_matches_every_table() {
        let p = plan(&["f.b.cap.ramp.*.slip_days+=0,30"], false).unwrap();
        let texts: Vec<String> = p.points[1]
            .assignments
            .iter()
            .map(Assignment::to_text)
            .collect();
        assert_eq!(texts, ["f.b.cap.ramp.m1.slip_days = 30"]);
        let err = plan(&["f.b.cap.ramp.*.slip_dayz+=0,30"], false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("matches nothing"), "{err}");
        assert!(
            err.contains("did you mean f.b.cap.ramp.*.slip_days?"),
            "{err}"
        );
        // Scaling a slip no milestone has: refused, without suggesting the key typed.
        let err = plan(&["f.b.cap.ramp.*.slip_days*=2"], false)
            .unwrap_err()
            .to_string();
        assert!(
            !err.contains("did you mean f.b.cap.ramp.*.slip_days"),
            "{err}"
        );
    }

    #[test]
    fn scales_numbers_and_distributions() {
        let p = plan(&["f.a.cap.ramp.m2.target*=2", "f.*.cap.initial*=2"], false).unwrap();
        let text = p.text(&p.points[0].assignments).unwrap();
        assert!(text.contains("min = 2, mode = 4, max = 8"), "{text}");
        assert!(
            text.contains("initial = 200") && text.contains("initial = 5.0"),
            "{text}"
        );
    }

    #[test]
    fn builds_grids_and_zips() {
        assert_eq!(
            plan(&["f.a.cap.initial=1,2,3", "f.b.cap.initial=4,5"], false)
                .unwrap()
                .points
                .len(),
            6
        );
        assert_eq!(
            plan(&["f.a.cap.initial=1,2", "f.b.cap.initial=4,5"], true)
                .unwrap()
                .points
                .len(),
            2
        );
        assert!(plan(&["f.a.cap.initial=1,2,3", "f.b.cap.initial=4,5"], true).is_err());
    }

    #[test]
    fn refuses_relative_changes_of_non_numbers_and_absent_fields() {
        for (spec, want) in [
            ("f.a.start+=1", "a date"),
            ("f.a.name*=2", "a string"),
            ("f.*.cap.ramp.*.target_days+=1", "matches nothing"),
            ("f.a.cap.ramp.m2.slip_days*=2", "no value to change"),
        ] {
            let e = plan(&[spec], false).unwrap_err().to_string();
            assert!(e.contains(spec) && e.contains(want), "{e}");
        }
    }

    #[test]
    fn refuses_two_specs_on_one_field() {
        let e = plan(&["f.a.cap.initial=1", "f.*.cap.initial*=2"], false).unwrap_err();
        assert!(
            e.to_string().contains("both change 'f.a.cap.initial'"),
            "{e}"
        );
    }
}
