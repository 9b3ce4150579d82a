//! Whether shard folders belong together: written by the same run, each shard given
//! once, every trial covered. A refusal names what differs, with both values.

use super::Head;
use crate::error::{Error, Result};
use crate::export::guard::resolve;
use crate::export::{CsvFormat, Manifest};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Values longer than this (both together) are named but not shown.
const SHOWN_CHARS: usize = 80;

/// The shards must come from the same run, each folder once, and tile its trials
/// exactly. `parts` is sorted by first trial.
pub(super) fn check_complete(parts: &[(PathBuf, Head)]) -> Result<()> {
    let Some((first_dir, first)) = parts.first() else {
        return Err(Error::Usage("merge needs at least one shard folder".into()));
    };
    check_given_once(parts)?;
    let m0 = &first.manifest;
    let mut next = 0;
    let mut previous = &parts[0];
    for part in parts {
        let (dir, p) = part;
        let m = &p.manifest;
        let differ = differences(m, m0);
        if !differ.is_empty() {
            return Err(Error::Usage(format!(
                "'{}' belongs to a different run than '{}': {}",
                dir.display(),
                first_dir.display(),
                differ.join("; ")
            )));
        }
        match m.trial_range[0].cmp(&next) {
            std::cmp::Ordering::Greater => return Err(missing(next, m.trial_range[0])),
            std::cmp::Ordering::Less => return Err(overlap(part, previous)),
            std::cmp::Ordering::Equal => next = m.trial_range[1],
        }
        previous = part;
    }
    if next != m0.trials_requested {
        return Err(missing(next, m0.trials_requested));
    }
    Ok(())
}

fn missing(from: u64, to: u64) -> Error {
    Error::Usage(format!(
        "missing shard: trials {from}..{to} are in none of the folders"
    ))
}

/// Refuses a folder named twice (`a a`, `a ./a`, or through a link).
fn check_given_once(parts: &[(PathBuf, Head)]) -> Result<()> {
    let mut seen: BTreeMap<PathBuf, &Path> = BTreeMap::new();
    for (dir, _) in parts {
        if let Some(before) = seen.insert(resolve(dir), dir) {
            let also = if before == dir.as_path() {
                String::new()
            } else {
                format!(" (as '{}' and '{}')", before.display(), dir.display())
            };
            return Err(Error::Usage(format!(
                "shard folder '{}' was given twice{also}: give each shard folder once",
                before.display()
            )));
        }
    }
    Ok(())
}

/// Two folders holding some of the same trials: the same shard written twice.
fn overlap((dir, p): &(PathBuf, Head), (prev_dir, prev): &(PathBuf, Head)) -> Error {
    let range = |m: &Manifest| {
        format!(
            "shard {}, trials {}..{}",
            m.shard, m.trial_range[0], m.trial_range[1]
        )
    };
    Error::Usage(format!(
        "'{}' ({}) overlaps '{}' ({}): give each shard once",
        dir.display(),
        range(&p.manifest),
        prev_dir.display(),
        range(&prev.manifest)
    ))
}

/// What makes `m` a different run than `m0`: each field that differs, with `m`'s
/// value first (e.g. `seed 7 against 5`). Empty when they belong together.
fn differences(m: &Manifest, m0: &Manifest) -> Vec<String> {
    let mut d = Vec::new();
    if m.scenario_sha256 != m0.scenario_sha256 {
        d.push(if m.scenario == m0.scenario {
            "the scenario (its SHA-256 differs)".to_string()
        } else {
            against(
                "the scenario",
                &format!("'{}'", m.scenario),
                &format!("'{}'", m0.scenario),
            )
        });
    }
    if m.overrides != m0.overrides {
        d.push(against(
            "--set",
            &overrides(&m.overrides),
            &overrides(&m0.overrides),
        ));
    }
    let mut differs = |what: &str, a: String, b: String| {
        if a != b {
            d.push(against(what, &a, &b));
        }
    };
    differs("seed", m.seed.to_string(), m0.seed.to_string());
    differs(
        "trials",
        m.trials_requested.to_string(),
        m0.trials_requested.to_string(),
    );
    differs(
        "step",
        format!("{} days", m.step_days),
        format!("{} days", m0.step_days),
    );
    differs("period", period(&m.period), period(&m0.period));
    differs("CSV format", csv(&m.csv), csv(&m0.csv));
    differs("--xlsx", on_off(m.xlsx), on_off(m0.xlsx));
    differs("--plots", on_off(m.plots), on_off(m0.plots));
    differs(
        "--inputs",
        on_off(super::has_inputs(m)),
        on_off(super::has_inputs(m0)),
    );
    differs("shard count", shard_count(&m.shard), shard_count(&m0.shard));
    d
}

/// `what a against b`, or `what differs` when the values are too long to show.
fn against(what: &str, a: &str, b: &str) -> String {
    if a.chars().count() + b.chars().count() <= SHOWN_CHARS {
        format!("{what} {a} against {b}")
    } else {
        format!("{what} differs")
    }
}

fn overrides(list: &[String]) -> String {
    if list.is_empty() {
        "none".into()
    } else {
        list.iter()
            .map(|o| format!("'{o}'"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn period(p: &Option<String>) -> String {
    p.as_deref().map_or("none".into(), |p| format!("'{p}'"))
}

fn csv(format: &Option<CsvFormat>) -> String {
    let f = format.unwrap_or_default();
    format!(
        "(delimiter {:?}, decimal {:?}{})",
        f.delimiter,
        f.decimal,
        if f.bom { ", byte-order mark" } else { "" }
    )
}

fn on_off(flag: bool) -> String {
    if flag { "on" } else { "off" }.into()
}

fn shard_count(shard: &str) -> String {
    shard.split('/').nth(1).unwrap_or("?").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        serde_json::from_value(serde_json::json!({
            "program": "drawdown", "version": "0", "scenario": "s", "scenario_file": "s.toml",
            "scenario_sha256": "ab", "overrides": [], "seed": 5, "trials": 10,
            "trial_range": [0, 10], "trials_requested": 20, "threads": 1, "shard": "1/2",
            "step_days": 7, "until_ci": null, "started": "", "finished": "",
            "wall_seconds": 0.0
        }))
        .unwrap()
    }

    fn record() -> crate::export::manifest::FileRecord {
        crate::export::manifest::FileRecord::of_bytes("inputs.csv", b"trial,input,value\n")
    }

    #[test]
    fn names_each_field_that_differs_with_both_values() {
        let m0 = manifest();
        assert!(differences(&m0, &m0).is_empty());
        let mut m = m0.clone();
        m.seed = 7;
        m.trials_requested = 40;
        m.csv = Some(CsvFormat {
            delimiter: ';',
            decimal: ',',
            bom: false,
        });
        m.shard = "2/3".into();
        m.files.insert("inputs.csv".into(), record());
        assert_eq!(
            differences(&m, &m0),
            [
                "seed 7 against 5",
                "trials 40 against 20",
                "CSV format (delimiter ';', decimal ',') against (delimiter ',', decimal '.')",
                "--inputs on against off",
                "shard count 3 against 2",
            ]
        );
        let mut m = m0.clone();
        m.scenario_sha256 = "cd".into();
        m.overrides = vec!["x".repeat(90)];
        assert_eq!(
            differences(&m, &m0),
            ["the scenario (its SHA-256 differs)", "--set differs"]
        );
    }
}
