//! The rule of configs/README.md: every number in a shipped scenario (and every date,
//! which is a number of days) carries a trailing comment that cites its source or says
//! "assumption" and why. `example.toml` and `starter.toml` are illustrative (their
//! headers say so) and are left out.

/// Lines of `text` that assign a number or a date without a trailing comment of at
/// least a few words' length, as `(line number, line)`.
fn unsourced(text: &str) -> Vec<(usize, String)> {
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let s = line.trim();
        if s.is_empty() || s.starts_with('#') || s.starts_with('[') || !s.contains('=') {
            continue;
        }
        let (code, comment) = split_comment(s);
        let value = code.split_once('=').map_or("", |(_, v)| v);
        if has_number(value) && comment.trim().len() < 3 {
            bad.push((i + 1, s.to_string()));
        }
    }
    bad
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
    let text = "a = 1   # source\nb = 2\nc = \"shell_155\"\nd = \"2024-01-01\"\ne = { dist = \"pert\", min = 1 }  # assumption: x\n# f = 3\n[t]\n";
    let lines: Vec<usize> = unsourced(text).into_iter().map(|(n, _)| n).collect();
    assert_eq!(lines, vec![2, 4]);
}

#[test]
fn every_number_in_a_shipped_scenario_has_a_source_or_an_assumption() {
    let mut checked = 0;
    for entry in std::fs::read_dir("configs").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let shipped = name.ends_with(".toml")
            && !name.ends_with(".backtest.toml")
            && name != "example.toml"
            && name != "starter.toml";
        if !shipped {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let bad = unsourced(&text);
        assert!(
            bad.is_empty(),
            "{name}: numbers without a source or assumption: {bad:#?}"
        );
        checked += 1;
    }
    assert!(
        checked >= 5,
        "expected default, gmlrs, javelin, patriot and stinger; found {checked}"
    );
}
