//! Resolving a path pattern against the scenario document, and suggesting the nearest
//! valid paths when it matches nothing.
//!
//! Patterns are matched against the scenario as the simulator reads it: after `--set`
//! overrides and after templates are expanded, so a field an entity takes from its
//! template is matched (and changed) at the entity's own path. `*` matches any one
//! segment; `{a,b,c}` matches any of the keys listed. A pattern whose last key is absent in a matched table still matches there
//! ("absent"): `=` then adds the field, `+=` on `slip_days` treats it as 0, and any other
//! relative change of an absent field is an error. A pattern with a wildcard whose last
//! key exists in none of the matched tables matches nothing (a misspelt key), unless
//! that key is one of the optional fields a table may lack ([`OPTIONAL`]: `slip_days`,
//! `floor`, …): then it matches in every table, absent.

use toml_edit::{Item, TableLike, Value};

/// Optional fields a table may lack, offered as suggestions beside the keys it has.
const OPTIONAL: &[&str] = &[
    "slip_days",
    "ramp_days",
    "floor",
    "output_factor",
    "dispersion",
    "award_delay_days",
    "transit_days",
];

/// One concrete field a pattern matched.
#[derive(Debug, Clone)]
pub struct Found {
    /// The field's segments.
    pub segments: Vec<String>,
    /// Its current value (a distribution table as an inline table); `None` when the
    /// table exists but lacks the key.
    pub value: Option<Value>,
}

impl Found {
    /// The dotted path.
    pub fn path(&self) -> String {
        self.segments.join(".")
    }
}

/// Why a pattern matched nothing: the deepest level reached and the keys found there.
#[derive(Debug, Default)]
struct Miss {
    depth: usize,
    keys: std::collections::BTreeSet<String>,
}

impl Miss {
    fn note(&mut self, depth: usize, table: &dyn TableLike) {
        if depth > self.depth {
            self.depth = depth;
            self.keys.clear();
        }
        if depth == self.depth {
            self.keys.extend(table.iter().map(|(k, _)| k.to_string()));
        }
    }
}

/// Every field `pattern` matches in `root`, in document order.
///
/// # Errors
/// A message saying what matched nothing (with the nearest valid paths) or that a path
/// names a table rather than a value.
pub fn resolve(root: &dyn TableLike, pattern: &[String]) -> Result<Vec<Found>, String> {
    let mut found = Vec::new();
    let mut miss = Miss::default();
    let mut prefix = Vec::new();
    walk(root, pattern, &mut prefix, &mut found, &mut miss)?;
    let wildcard = is_pattern(pattern);
    let present = found.iter().any(|f| f.value.is_some());
    let optional = pattern
        .last()
        .is_some_and(|k| OPTIONAL.contains(&k.as_str()));
    if found.is_empty() || (wildcard && !present && !optional) {
        if !found.is_empty() {
            return Err(absent_message(root, pattern, &found));
        }
        return Err(no_match(pattern, &miss));
    }
    Ok(found)
}

fn walk(
    table: &dyn TableLike,
    pattern: &[String],
    prefix: &mut Vec<String>,
    found: &mut Vec<Found>,
    miss: &mut Miss,
) -> Result<(), String> {
    let Some((head, rest)) = pattern.split_first() else {
        return Ok(());
    };
    if let Some(alternatives) = alternation(head) {
        for alt in alternatives {
            if !rest.is_empty() && table.get(alt).is_none() {
                let mut full = prefix.clone();
                full.push(alt.to_string());
                full.extend_from_slice(rest);
                let mut here = Miss::default();
                here.note(prefix.len(), table);
                return Err(no_match(&full, &here));
            }
            let mut p = vec![alt.to_string()];
            p.extend_from_slice(rest);
            walk(table, &p, prefix, found, miss)?;
        }
        return Ok(());
    }
    let depth = prefix.len();
    let children: Vec<(&str, &Item)> = if head == "*" {
        table.iter().collect()
    } else {
        match table.get_key_value(head) {
            Some((k, item)) => vec![(k.get(), item)],
            None if rest.is_empty() => {
                let mut segments = prefix.clone();
                segments.push(head.clone());
                found.push(Found {
                    segments,
                    value: None,
                });
                return Ok(());
            }
            None => {
                miss.note(depth, table);
                return Ok(());
            }
        }
    };
    if children.is_empty() {
        miss.note(depth, table);
    }
    for (key, item) in children {
        prefix.push(key.to_string());
        if rest.is_empty() {
            match leaf(item) {
                Some(value) => found.push(Found {
                    segments: prefix.clone(),
                    value: Some(value),
                }),
                None if head == "*" => {}
                None => {
                    return Err(format!(
                        "'{}' is a table, not a value: name one of its fields ({})",
                        prefix.join("."),
                        keys_of(item)
                    ));
                }
            }
        } else if let Some(t) = item.as_table_like() {
            walk(t, rest, prefix, found, miss)?;
        } else if head != "*" {
            miss.note(depth, table);
        }
        prefix.pop();
    }
    Ok(())
}

/// The keys of an alternation segment `{a,b,c}`.
fn alternation(segment: &str) -> Option<Vec<&str>> {
    let inner = segment.strip_prefix('{')?.strip_suffix('}')?;
    Some(
        inner
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect(),
    )
}

/// Whether one segment of a pattern (`*`, `{a,b}` or a key) matches `key`: the rule
/// [`resolve`] applies to a scenario's tables, for matching other named paths (the
/// model's inputs).
pub fn segment_matches(pattern: &str, key: &str) -> bool {
    match alternation(pattern) {
        Some(keys) => keys.contains(&key),
        None => pattern == "*" || pattern == key,
    }
}

/// Whether a pattern matches more than one path by construction (`*` or `{a,b}`).
pub fn is_pattern(pattern: &[String]) -> bool {
    pattern.iter().any(|s| s == "*" || alternation(s).is_some())
}

/// The value of a leaf: a plain value, or a distribution table (with a `dist` key).
fn leaf(item: &Item) -> Option<Value> {
    match item {
        Item::Value(Value::InlineTable(t)) if !t.contains_key("dist") => None,
        Item::Value(v) => Some(v.clone()),
        Item::Table(t) if t.contains_key("dist") => {
            Some(Value::InlineTable(t.clone().into_inline_table()))
        }
        _ => None,
    }
}

fn keys_of(item: &Item) -> String {
    item.as_table_like()
        .map(|t| t.iter().map(|(k, _)| k).collect::<Vec<_>>().join(", "))
        .unwrap_or_default()
}

/// "matches nothing" for a pattern whose matches all lack their last key, with the
/// nearest keys those tables do have.
pub fn absent_message(root: &dyn TableLike, pattern: &[String], found: &[Found]) -> String {
    let mut keys = sibling_keys(root, found);
    keys.extend(OPTIONAL.iter().map(|k| k.to_string()));
    let miss = Miss {
        depth: pattern.len().saturating_sub(1),
        keys,
    };
    no_match(pattern, &miss)
}

/// The keys of the tables holding absent matches.
fn sibling_keys(root: &dyn TableLike, found: &[Found]) -> std::collections::BTreeSet<String> {
    let mut keys = std::collections::BTreeSet::new();
    for f in found {
        let mut table = Some(root);
        for s in &f.segments[..f.segments.len() - 1] {
            table = table.and_then(|t| t.get(s)).and_then(Item::as_table_like);
        }
        if let Some(t) = table {
            keys.extend(t.iter().map(|(k, _)| k.to_string()));
        }
    }
    keys
}

/// "matches nothing" with the nearest keys at the level where matching stopped.
fn no_match(pattern: &[String], miss: &Miss) -> String {
    let depth = miss.depth.min(pattern.len().saturating_sub(1));
    let wanted = &pattern[depth];
    let mut ranked: Vec<(usize, &String)> = miss
        .keys
        .iter()
        .map(|k| (distance(&wanted.to_lowercase(), &k.to_lowercase()), k))
        .collect();
    ranked.sort();
    let limit = (wanted.chars().count() / 3).max(2);
    let near: Vec<String> = ranked
        .iter()
        // The key itself is no suggestion (an optional key no table has).
        .filter(|(d, _)| *d <= limit && *d > 0)
        .take(3)
        .map(|(_, k)| {
            let mut p = pattern.to_vec();
            p[depth] = (*k).clone();
            p.join(".")
        })
        .collect();
    let at = if depth == 0 {
        "the scenario".to_string()
    } else {
        format!("'{}'", pattern[..depth].join("."))
    };
    let mut msg = format!("matches nothing: no '{wanted}' in {at}");
    if !near.is_empty() {
        msg.push_str(&format!("; did you mean {}?", near.join(", ")));
    } else if !miss.keys.is_empty() {
        let some: Vec<&str> = miss.keys.iter().take(12).map(String::as_str).collect();
        msg.push_str(&format!("; found there: {}", some.join(", ")));
    }
    msg
}

/// Levenshtein edit distance.
/// Levenshtein distance between two strings (for suggestions).
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use toml_edit::DocumentMut;

    const DOC: &str = "[f.a]\ncap.ramp.m1 = { target = 5, slip_days = 3 }\ncap.ramp.m2 = { target = 6 }\n[f.b]\ncap.ramp.m1 = { target = 7 }\nx = { dist = \"pert\", min = 1, mode = 2, max = 3 }\n";

    fn seg(p: &str) -> Vec<String> {
        p.split('.').map(String::from).collect()
    }

    #[test]
    fn wildcards_match_every_entity_and_absent_keys() {
        let doc = DocumentMut::from_str(DOC).unwrap();
        let found = resolve(doc.as_table(), &seg("f.*.cap.ramp.*.slip_days")).unwrap();
        let paths: Vec<(String, bool)> = found
            .iter()
            .map(|f| (f.path(), f.value.is_some()))
            .collect();
        assert_eq!(
            paths,
            [
                ("f.a.cap.ramp.m1.slip_days".into(), true),
                ("f.a.cap.ramp.m2.slip_days".into(), false),
                ("f.b.cap.ramp.m1.slip_days".into(), false)
            ]
        );
    }

    #[test]
    fn alternations_match_the_keys_listed() {
        let doc = DocumentMut::from_str(DOC).unwrap();
        let found = resolve(doc.as_table(), &seg("f.{a,b}.cap.ramp.m1.target")).unwrap();
        let paths: Vec<String> = found.iter().map(Found::path).collect();
        assert_eq!(paths, ["f.a.cap.ramp.m1.target", "f.b.cap.ramp.m1.target"]);
        let e = resolve(doc.as_table(), &seg("f.{a,c}.cap.ramp.m1.target")).unwrap_err();
        assert!(e.contains("no 'c' in 'f'"), "{e}");
    }

    #[test]
    fn distribution_tables_are_values_and_other_tables_are_not() {
        let doc = DocumentMut::from_str(DOC).unwrap();
        assert_eq!(resolve(doc.as_table(), &seg("f.b.x")).unwrap().len(), 1);
        let e = resolve(doc.as_table(), &seg("f.a.cap")).unwrap_err();
        assert!(e.contains("is a table"), "{e}");
    }

    #[test]
    fn suggests_the_nearest_keys() {
        let doc = DocumentMut::from_str(DOC).unwrap();
        let e = resolve(doc.as_table(), &seg("f.*.cap.ramp.*.slipdays")).unwrap_err();
        assert!(e.contains("f.*.cap.ramp.*.slip_days"), "{e}");
        let e = resolve(doc.as_table(), &seg("f.*.capp.ramp")).unwrap_err();
        assert!(e.contains("did you mean f.*.cap.ramp"), "{e}");
    }

    #[test]
    fn segments_match_wildcards_alternations_and_keys() {
        assert!(segment_matches("*", "x"));
        assert!(segment_matches("{a, b}", "b"));
        assert!(!segment_matches("{a,b}", "c"));
        assert!(segment_matches("a", "a"));
        assert!(!segment_matches("a", "b"));
    }

    #[test]
    fn measures_edit_distance() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "ab"), 2);
    }
}
