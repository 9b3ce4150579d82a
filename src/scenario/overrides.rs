//! `--set path=value` overrides, applied to the TOML text before it is read.
//!
//! Overrides edit the document itself (with `toml_edit`, which keeps the layout), so an
//! overridden value is validated exactly like one written in the file, and error
//! positions still point into the user's file. A path must name an existing table; the
//! last key may be new (to set an optional field). The value is read as TOML
//! (`60000`, `0.5`, `true`, `2024-06-01`, `{ dist = "pert", min = 1, mode = 2, max = 3 }`);
//! anything that is not valid TOML is taken as a string.

use super::Issue;
use super::locate::issue_from_syntax_error;
use std::borrow::Cow;
use std::str::FromStr;
use toml_edit::{DocumentMut, Item, TableLike, Value};

/// Applies `overrides` to `text`; returns the text unchanged when there are none.
///
/// # Errors
/// One [`Issue`] per override that is malformed or names a missing table.
pub fn apply<'a>(text: &'a str, overrides: &[String]) -> Result<Cow<'a, str>, Vec<Issue>> {
    if overrides.is_empty() {
        return Ok(Cow::Borrowed(text));
    }
    let mut doc =
        DocumentMut::from_str(text).map_err(|e| vec![issue_from_syntax_error(text, &e)])?;
    let issues: Vec<Issue> = overrides
        .iter()
        .filter_map(|o| apply_one(&mut doc, o).err())
        .collect();
    if issues.is_empty() {
        Ok(Cow::Owned(doc.to_string()))
    } else {
        Err(issues)
    }
}

/// Splits `path=value`, checking both parts are present.
pub fn split(assignment: &str) -> Result<(&str, &str), Issue> {
    match assignment.split_once('=') {
        Some((path, value)) if !path.trim().is_empty() && !value.trim().is_empty() => {
            Ok((path.trim(), value.trim()))
        }
        _ => Err(Issue::at(
            format!("--set {assignment}"),
            "expected path=value, for example factories.us_scranton.capacity.initial=20000",
        )),
    }
}

/// Parses an override's value as TOML, falling back to a string.
pub fn parse_value(value: &str) -> Value {
    Value::from_str(value).unwrap_or_else(|_| Value::from(value))
}

fn apply_one(doc: &mut DocumentMut, assignment: &str) -> Result<(), Issue> {
    let (path, value) = split(assignment)?;
    let err = |msg: String| Issue::at(format!("--set {path}"), msg);
    let segments: Vec<&str> = path.split('.').collect();
    let Some((last, parents)) = segments.split_last() else {
        return Err(err("empty path".into()));
    };
    let mut table: &mut dyn TableLike = doc.as_table_mut();
    let mut walked = String::new();
    for segment in parents {
        let known = known_keys(table);
        let Some(item) = table.get_mut(segment) else {
            return Err(err(format!(
                "no '{segment}' in {}; found: {known}",
                where_(&walked)
            )));
        };
        walked = if walked.is_empty() {
            segment.to_string()
        } else {
            format!("{walked}.{segment}")
        };
        table = item.as_table_like_mut().ok_or_else(|| {
            err(format!(
                "'{walked}' is a single value, not a table: set '{walked}=…' instead"
            ))
        })?;
    }
    let new = parse_value(value);
    match table.get_mut(last) {
        Some(Item::Value(old)) => {
            let decor = old.decor().clone();
            *old = new;
            *old.decor_mut() = decor;
        }
        Some(item) => *item = Item::Value(new),
        None => {
            table.insert(last, Item::Value(new));
        }
    }
    Ok(())
}

fn where_(walked: &str) -> String {
    if walked.is_empty() {
        "the scenario".into()
    } else {
        format!("'{walked}'")
    }
}

fn known_keys(table: &dyn TableLike) -> String {
    let keys: Vec<&str> = table.iter().map(|(k, _)| k).collect();
    if keys.is_empty() {
        "nothing".into()
    } else {
        keys.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "[a]\nx = 1 # note\n[a.b]\ny = { dist = \"pert\", min = 1, mode = 2, max = 3 }\n";

    #[test]
    fn replaces_values_and_keeps_comments() {
        let out = apply(TEXT, &["a.x=5".into()]).unwrap();
        assert!(out.contains("x = 5 # note"), "{out}");
    }

    #[test]
    fn reaches_into_inline_tables() {
        let out = apply(TEXT, &["a.b.y.mode=2.5".into()]).unwrap();
        assert!(out.contains("mode = 2.5"), "{out}");
    }

    #[test]
    fn inserts_a_new_last_key_and_reads_strings() {
        let out = apply(TEXT, &["a.z=hello".into()]).unwrap();
        assert!(out.contains("z = \"hello\""), "{out}");
    }

    #[test]
    fn names_the_missing_table_and_what_exists() {
        let issues = apply(TEXT, &["a.c.y=1".into()]).unwrap_err();
        assert_eq!(issues[0].path, "--set a.c.y");
        assert!(issues[0].message.contains("no 'c' in 'a'"), "{issues:?}");
        assert!(issues[0].message.contains("x, b"), "{issues:?}");
    }

    #[test]
    fn rejects_assignments_without_a_value() {
        assert!(apply(TEXT, &["a.x".into()]).is_err());
        assert!(apply(TEXT, &["=3".into()]).is_err());
    }

    #[test]
    fn refuses_to_descend_into_a_number() {
        let issues = apply(TEXT, &["a.x.mode=1".into()]).unwrap_err();
        assert!(issues[0].message.contains("single value"), "{issues:?}");
    }
}
