//! The supported range of every number and name in a scenario.
//!
//! Inside these ranges nothing in the model, the runner or the statistics can overflow
//! for up to [`crate::pipeline::MAX_TRIALS`] trials (the bounds are proven beside each
//! accumulator); outside them, `check` and `run` refuse the scenario with the field's
//! location (exit 2). The README's "Supported ranges" table lists the same numbers.
//!
//! For a distribution, its fixed value or its bounds must lie in the range; an
//! unbounded distribution (normal, lognormal, gamma, Poisson, negative binomial without
//! `max`) must have its mean in the range, and its rare draws beyond the range are
//! clamped to it when counted.

/// Largest quantity of rounds: stocks, floors, contract and package sizes, reorder
/// points and targets, capacities and input limits [rounds per month], need [rounds
/// per day].
pub const MAX_QUANTITY: f64 = 1e12;
/// Largest budget of a contract [currency units, e.g. euros]: 10 trillion.
pub const MAX_BUDGET: f64 = 1e13;
/// Largest price of one round [currency units per round]; prices must be above 0.
pub const MAX_UNIT_PRICE: f64 = 1e9;
/// Longest horizon (100 years) and longest duration: lead times, transit, repair,
/// intervals, ramps, regime durations [days].
pub const MAX_DAYS: f64 = 36_525.0;
/// Largest number of tranches of one order.
pub const MAX_TRANCHES: u32 = 100_000;
/// Largest multiplier: regime multipliers and factory output factors.
pub const MAX_FACTOR: f64 = 1_000.0;
/// Largest negative-binomial dispersion (beyond it the demand is Poisson in all but
/// name).
pub const MAX_DISPERSION: f64 = 1e9;
/// Most rounds (interceptors) one raid of a compound demand may need: with at most
/// [`crate::model::limits::MAX_DAY_RAIDS`] raids a day, a day's need stays below 10^12.
pub const MAX_PER_RAID: f64 = 1e6;
/// Longest id (items, nations, factories, contracts, demand, transfers, milestones,
/// periods, regimes) and scenario name [characters].
pub const MAX_ID_CHARS: usize = 64;
/// Longest display name [characters]; longer ones are refused.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest description [characters].
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;
/// Most entries of one table (nations, items, factories, contracts, demand, transfers,
/// and the milestones, periods and regimes of one entity).
pub const MAX_ENTRIES: usize = 10_000;
/// Dates must lie within this many days of the start date (about 300 years).
pub const MAX_DATE_OFFSET: i64 = 3 * 36_525;

/// Why `id` is not a valid id, or `None` if it is: it starts with a letter and holds
/// only ASCII letters, digits, `_` and `-` (at most [`MAX_ID_CHARS`]). Ids become
/// parameter paths, CSV cells and folder names, so nothing else is safe: no `.` or `=`
/// (paths), no leading `=`, `+`, `-`, `@` (spreadsheet formulas), no control characters.
pub fn id_problem(id: &str) -> Option<String> {
    let shown: String = id.chars().take(MAX_ID_CHARS).collect::<String>();
    let shown = shown.escape_debug();
    if id.is_empty() {
        return Some("ids must not be empty".into());
    }
    if id.chars().count() > MAX_ID_CHARS {
        return Some(format!(
            "ids have at most {MAX_ID_CHARS} characters, got {} ('{shown}…')",
            id.chars().count()
        ));
    }
    let first_ok = id.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if first_ok && rest_ok {
        None
    } else {
        Some(format!(
            "ids start with a letter and hold only letters, digits, '_' and '-' (they form parameter paths, CSV cells and folder names), got '{shown}'"
        ))
    }
}

/// Why a scenario name is not valid, or `None`: like an id, but it may start with a
/// digit and contain `.` (it names the output folder; never `.` or `..`).
pub fn name_problem(name: &str) -> Option<String> {
    let shown = name.escape_debug();
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_ID_CHARS
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    (!ok).then(|| {
        format!(
            "expected a name of 1 to {MAX_ID_CHARS} letters, digits, '_', '-' or '.', starting with a letter or digit (it names the output folder), got '{shown}'"
        )
    })
}

/// Why a free-text name or description is too long, or `None`.
pub fn length_problem(text: &str, max: usize) -> Option<String> {
    let n = text.chars().count();
    (n > max).then(|| format!("at most {max} characters, got {n}"))
}

/// `text` without control characters (ESC, CR, NUL …), which would otherwise reach the
/// terminal and the output files raw; newlines and tabs are kept only if `multiline`.
pub fn clean_text(text: &str, multiline: bool) -> String {
    text.chars()
        .filter(|c| !c.is_control() || (multiline && matches!(c, '\n' | '\t')))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_ids_and_refuses_formulas_paths_and_controls() {
        for ok in ["us", "shell_155", "czech-initiative", "a1"] {
            assert_eq!(id_problem(ok), None, "{ok}");
        }
        for bad in [
            "",
            "+HYPERLINK(\"http://evil/x\",\"click\")",
            "@SUM(A1)",
            "-2+3",
            "=1",
            "a.b",
            "a=b",
            "a b",
            "a\u{1b}[31m",
            "a\r\n",
            "1st",
            "é",
            &"x".repeat(65),
        ] {
            assert!(id_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn scenario_names_name_a_folder() {
        assert_eq!(name_problem("default"), None);
        assert_eq!(name_problem("nato-2030.v2"), None);
        for bad in [".", "..", "", "a/b", "a\0b", ".hidden", "a b"] {
            assert!(name_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn free_text_loses_its_control_characters() {
        assert_eq!(
            clean_text("155 mm shell, NATO", false),
            "155 mm shell, NATO"
        );
        assert_eq!(clean_text("a\u{1b}[2Jb\r\n", false), "a[2Jb");
        assert_eq!(clean_text("line\r\nnext\t.", true), "line\nnext\t.");
        assert!(length_problem(&"x".repeat(201), 200).is_some());
        assert!(length_problem(&"é".repeat(200), 200).is_none());
    }
}
