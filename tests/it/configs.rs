//! The rule of configs/README.md: every number in a shipped scenario (and every date,
//! which is a number of days) carries a trailing comment that cites its source — a
//! report or publication and a date (`Reuters, May-22`, `LM Q4 call, Jan-26`,
//! `Kirby (AFP) 20 Jun 24`), or a row of the dated calibration notes (`missiles §3`,
//! `Suggested`) — or says `assumption: <reason>`. A bare `assumption`, `as above` or a comment
//! without a date is not enough. Every shipped scenario (the library's list, which a
//! test in `library.rs` matches with `configs/`) is checked.

use drawdown::scenario::library::SHIPPED;

/// Lines of `text` that assign a number or a date without a sourcing comment (see
/// [`sourced`]), as `(line number, line)`.
fn unsourced(text: &str) -> Vec<(usize, String)> {
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let s = line.trim();
        if s.is_empty() || s.starts_with('#') || s.starts_with('[') || !s.contains('=') {
            continue;
        }
        let (code, comment) = split_comment(s);
        let value = code.split_once('=').map_or("", |(_, v)| v);
        if has_number(value) && !sourced(comment) {
            bad.push((i + 1, s.to_string()));
        }
    }
    bad
}

/// Whether a comment cites a source or states an assumption with its reason:
/// `assumption: <reason>` (a reason of at least one word, not `as above`), or a
/// date (a year such as `2024`, `Mon-YY`, `Mon YY`, `D Mon YY`, `mid-YY`) or a
/// calibration-notes reference ([`notes`]) beside at least one word naming the source.
fn sourced(comment: &str) -> bool {
    let lower = comment.to_lowercase();
    if let Some((_, reason)) = lower.split_once("assumption:") {
        let reason = reason.trim().trim_end_matches(['.', ')']);
        let weak = ["", "as above", "same", "ditto", "see above"];
        if !weak.contains(&reason) && reason.chars().any(|c| c.is_alphabetic()) {
            return true;
        }
    }
    let words: Vec<&str> = comment
        .split(|c: char| c.is_whitespace() || ",;()".contains(c))
        .filter(|w| !w.is_empty())
        .collect();
    let dated = words
        .iter()
        .enumerate()
        .any(|(i, w)| is_dated(w, words.get(i + 1).copied()) || notes(w));
    let named = words
        .iter()
        .any(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !is_dated(w, None));
    dated && named
}

/// A reference to a row of the dated calibration notes: a section (`§3`), or their
/// "Suggested parameters" (`Suggested`, as the scenario headers define it).
fn notes(w: &str) -> bool {
    w.starts_with('§') || w.trim_end_matches(['.', ':']) == "Suggested"
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// `w` (with the word after it, `next`) is a date: a year 1950-2039, `Mon-YY`,
/// `mid-YY`, or a month name followed by a two-digit year.
fn is_dated(w: &str, next: Option<&str>) -> bool {
    let w = w.trim_end_matches(['.', ':']).to_lowercase();
    let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    let month = |s: &str| s.len() >= 3 && MONTHS.contains(&&s[..3]);
    if w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) {
        return ("1950".."2040").contains(&w.as_str());
    }
    if let Some((a, b)) = w.split_once('-')
        && (month(a) || a == "mid" || a == "end")
        && two_digits(b)
    {
        return true;
    }
    month(&w) && next.is_some_and(|n| two_digits(n.trim_end_matches(['.', ':'])))
}

/// The line before and after its first `#` outside a quoted string.
fn split_comment(s: &str) -> (&str, &str) {
    let mut quoted = false;
    for (j, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted => return (&s[..j], &s[j + 1..]),
            _ => {}
        }
    }
    (s, "")
}

/// Whether a TOML value holds a number or a date: a digit outside quoted strings, or a
/// quoted `YYYY-MM-DD`. Identifiers such as `"shell_155"` are not numbers.
fn has_number(value: &str) -> bool {
    let mut quoted = false;
    let mut string = String::new();
    for c in value.chars() {
        if c == '"' {
            if quoted && is_date(&string) {
                return true;
            }
            quoted = !quoted;
            string.clear();
        } else if quoted {
            string.push(c);
        } else if c.is_ascii_digit() {
            return true;
        }
    }
    false
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[test]
fn the_rule_catches_what_it_should() {
    let good = [
        "a = 1   # 24k/mo Aug-23, §1 DoD briefing (Ryder)",
        "a = 1   # Reuters, 9 Jul 24",
        "a = 1   # LM Q4 call via Defense World, Jan-26",
        "a = 1   # 1,400 by Apr-22 over 3 packages, DoD",
        "a = 1   # 500-900/yr 2025, missiles §3 Suggested",
        "a = 1   # assumption: monthly acceptance",
        "a = 1   # a producer holds nothing (assumption: it delivers what it makes)",
        "c = \"shell_155\"",
        "# f = 3",
        "[t]",
    ];
    let bad = [
        "b = 2",
        "b = 2   # assumption",
        "b = 2   # as above",
        "b = 2   # assumption: as above",
        "b = 2   # one package (assumption)",
        "b = 2   # a recipient fires everything it has",
        "b = 2   # DoD",
        "b = 2   # 2024",
        "d = \"2024-01-01\"",
        "e = { dist = \"pert\", min = 1 }  # x",
    ];
    for line in good {
        assert!(unsourced(line).is_empty(), "should pass: {line}");
    }
    for line in bad {
        assert_eq!(unsourced(line).len(), 1, "should fail: {line}");
    }
}

#[test]
fn every_number_in_a_shipped_scenario_has_a_source_or_an_assumption() {
    let mut failures = Vec::new();
    for s in SHIPPED {
        for (line, text) in unsourced(s.text) {
            failures.push(format!("configs/{}.toml:{line}: {text}", s.name));
        }
    }
    assert!(
        failures.is_empty(),
        "numbers without a source (publication and date) or `assumption: <reason>`:\n{}",
        failures.join("\n")
    );
    assert!(
        SHIPPED.len() >= 5,
        "default, gmlrs, javelin, patriot, stinger"
    );
}
