//! Finding where a field is in a TOML text, and which field is at a position.
//!
//! Validation works on parsed values and reports dotted paths; the user wants lines
//! and columns. This module maps between the two through `toml_edit`'s spans, so that
//! every error message can name the file, line, column and field.

use super::Issue;
use std::ops::Range;
use toml_edit::{Document, Item, TableLike};

/// 1-based (line, column) of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Position of the field at dotted `path` in `text`: its value when the path exists,
/// else the deepest part of the path that exists. `None` when the text does not parse.
pub fn position_of_path(text: &str, path: &str) -> Option<(usize, usize)> {
    let doc = Document::parse(text).ok()?;
    let span = span_of_path(doc.as_table(), path)?;
    Some(line_column(text, span.start))
}

fn span_of_path(root: &dyn TableLike, path: &str) -> Option<Range<usize>> {
    let mut table: Option<&dyn TableLike> = Some(root);
    let mut best = None;
    for segment in path.split('.').filter(|s| !s.is_empty()) {
        let Some((key, item)) = table.and_then(|t| t.get_key_value(segment)) else {
            break;
        };
        best = item.span().or_else(|| key.span()).or(best);
        table = item.as_table_like();
    }
    best
}

/// The dotted path of the innermost key whose value contains byte `offset`.
pub fn path_at_offset(text: &str, offset: usize) -> Option<String> {
    let doc = Document::parse(text).ok()?;
    let mut path = Vec::new();
    let mut table: &dyn TableLike = doc.as_table();
    'descend: loop {
        for (key, item) in table.iter() {
            if contains(item, offset) {
                path.push(key.to_string());
                match item.as_table_like() {
                    Some(t) => {
                        table = t;
                        continue 'descend;
                    }
                    None => break 'descend,
                }
            }
        }
        break;
    }
    (!path.is_empty()).then(|| path.join("."))
}

fn contains(item: &Item, offset: usize) -> bool {
    match item.span() {
        Some(span) => span.contains(&offset),
        // Headers like `[a.b]` have no span of their own: look inside.
        None => item
            .as_table_like()
            .is_some_and(|t| t.iter().any(|(_, child)| contains(child, offset))),
    }
}

/// An [`Issue`] for a deserialization error, with line, column and field path.
pub fn issue_from_toml_error(text: &str, err: &toml::de::Error) -> Issue {
    let mut issue = Issue::at("", err.message().trim().to_string());
    if let Some(span) = err.span() {
        let (line, column) = line_column(text, span.start);
        issue.line = Some(line);
        issue.column = Some(column);
        issue.path = path_at_offset(text, span.start).unwrap_or_default();
    }
    issue
}

/// An [`Issue`] for a syntax error reported by `toml_edit`.
pub fn issue_from_syntax_error(text: &str, err: &toml_edit::TomlError) -> Issue {
    let mut issue = Issue::at("", err.message().trim().to_string());
    if let Some(span) = err.span() {
        let (line, column) = line_column(text, span.start);
        issue.line = Some(line);
        issue.column = Some(column);
    }
    issue
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[scenario]\nname = \"x\"\n\n[factories.us]\ncapacity = { initial = 5, target = 7 }\n";

    #[test]
    fn finds_values_by_path() {
        assert_eq!(position_of_path(TEXT, "scenario.name"), Some((2, 8)));
        assert_eq!(
            position_of_path(TEXT, "factories.us.capacity.target"),
            Some((5, 36))
        );
    }

    #[test]
    fn falls_back_to_the_deepest_existing_part() {
        let (line, _) = position_of_path(TEXT, "factories.us.capacity.nope").unwrap();
        assert_eq!(line, 5);
    }

    #[test]
    fn finds_the_path_at_an_offset() {
        let offset = TEXT.find("7 }").unwrap();
        assert_eq!(
            path_at_offset(TEXT, offset).as_deref(),
            Some("factories.us.capacity.target")
        );
    }

    #[test]
    fn counts_lines_and_columns_from_one() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
    }
}
