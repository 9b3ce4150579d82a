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
    deepest(root, path.split('.').filter(|s| !s.is_empty())).1
}

/// How many leading segments of a path exist under `root`, and the span of the deepest.
fn deepest<'s>(
    root: &dyn TableLike,
    segments: impl IntoIterator<Item = &'s str>,
) -> (usize, Option<Range<usize>>) {
    let mut table: Option<&dyn TableLike> = Some(root);
    let (mut depth, mut best) = (0, None);
    for segment in segments {
        let Some((key, item)) = table.and_then(|t| t.get_key_value(segment)) else {
            break;
        };
        depth += 1;
        best = item.span().or_else(|| key.span()).or(best);
        table = item.as_table_like();
    }
    (depth, best)
}

/// Like [`position_of_path`], for a `path` inside an entity (`nations.estonia.…`) that
/// may take fields from a template (see [`super::inherit`]): when the template holds
/// more of the path than the entity's own text, the position is the template's, and
/// the template's id is returned with it.
pub fn field_position(text: &str, path: &str) -> Option<((usize, usize), Option<String>)> {
    let doc = Document::parse(text).ok()?;
    let root = doc.as_table();
    let segments: Vec<&str> = path.split('.').filter(|s| !s.is_empty()).collect();
    let (own_depth, own_span) = deepest(root, segments.iter().copied());
    let from_template = match segments.as_slice() {
        [kind, id, rest @ ..] if own_depth < segments.len() && !rest.is_empty() => {
            template_of(root, kind, id).and_then(|name| {
                let head = [super::inherit::TEMPLATES, kind, name.as_str()];
                let (depth, span) = deepest(root, head.iter().copied().chain(rest.iter().copied()));
                // Only when the template holds a field of the entity that its own text lacks.
                (depth > 3 && depth - 1 > own_depth).then_some((span?, name))
            })
        }
        _ => None,
    };
    match from_template {
        Some((span, name)) => Some((line_column(text, span.start), Some(name))),
        None => own_span.map(|span| (line_column(text, span.start), None)),
    }
}

/// The template `kind.id` names, if any.
fn template_of(root: &dyn TableLike, kind: &str, id: &str) -> Option<String> {
    let entity = root.get(kind)?.as_table_like()?.get(id)?;
    let name = entity.as_table_like()?.get(super::inherit::TEMPLATE_KEY)?;
    name.as_str().map(str::to_string)
}

/// The dotted path of the innermost key whose key or value contains byte `offset`.
pub fn path_at_offset(text: &str, offset: usize) -> Option<String> {
    let doc = Document::parse(text).ok()?;
    let mut path = Vec::new();
    let mut table: &dyn TableLike = doc.as_table();
    'descend: loop {
        for (key, _) in table.iter() {
            let Some((k, item)) = table.get_key_value(key) else {
                continue;
            };
            if hit(k, item, offset) {
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

/// Whether `offset` falls on `key`, on its value, or anywhere inside it.
fn hit(key: &toml_edit::Key, item: &Item, offset: usize) -> bool {
    let on = |span: Option<Range<usize>>| span.is_some_and(|s| s.contains(&offset));
    // A `[a.b]` table's own span is only its header line: its keys are elsewhere.
    on(key.span())
        || on(item.span())
        || item.as_table_like().is_some_and(|t| {
            t.iter()
                .filter_map(|(k, _)| t.get_key_value(k))
                .any(|(k, child)| hit(k, child, offset))
        })
}

/// Whether the whole dotted `path` exists in `text`.
pub fn path_exists(text: &str, path: &str) -> bool {
    let Ok(doc) = Document::parse(text) else {
        return false;
    };
    let mut table: Option<&dyn TableLike> = Some(doc.as_table());
    for segment in path.split('.') {
        match table.and_then(|t| t.get(segment)) {
            Some(item) => table = item.as_table_like(),
            None => return false,
        }
    }
    true
}

/// Rust type names in serde messages, in words an analyst reads.
fn plain_words(message: &str) -> String {
    message
        .replace(
            "expected u32",
            "expected a whole number (no fraction, not negative)",
        )
        .replace(
            "expected u64",
            "expected a whole number (no fraction, not negative)",
        )
        .replace("expected f64", "expected a number")
        .replace("expected a boolean", "expected true or false")
}

/// An [`Issue`] for a deserialization error, with line, column and field path.
pub fn issue_from_toml_error(text: &str, err: &toml::de::Error) -> Issue {
    issue_at(text, &plain_words(err.message().trim()), err.span(), true)
}

/// An [`Issue`] for a syntax error reported by `toml_edit` (the text does not parse, so
/// there is no field path to find).
pub fn issue_from_syntax_error(text: &str, err: &toml_edit::TomlError) -> Issue {
    issue_at(text, err.message().trim(), err.span(), false)
}

/// An [`Issue`] saying `message` at `span` of `text`, with the field path when `with_path`.
fn issue_at(text: &str, message: &str, span: Option<Range<usize>>, with_path: bool) -> Issue {
    let mut issue = Issue::at("", message);
    if let Some(span) = span {
        append_snippet(&mut issue.message, text, span.clone());
        let (line, column) = line_column(text, span.start);
        issue.line = Some(line);
        issue.column = Some(column);
        if with_path {
            issue.path = path_at_offset(text, span.start).unwrap_or_default();
        }
    }
    issue
}

/// Names the offending text for messages that do not (e.g. "duplicate key").
fn append_snippet(message: &mut String, text: &str, span: Range<usize>) {
    if !message.starts_with("duplicate key") {
        return;
    }
    let line_end = text[span.start.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| span.start + i);
    let snippet: String = text[span.start.min(text.len())..line_end]
        .chars()
        .take(60)
        .collect();
    let key = snippet.split('=').next().unwrap_or("").trim();
    if !key.is_empty() {
        message.push_str(&format!(" '{key}': it is already defined above"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "[scenario]\nname = \"x\"\n\n[factories.us]\ncapacity = { initial = 5, target = 7 }\n";

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
    fn finds_paths_inside_header_tables() {
        let text = "[scenario]\nname = \"x\"\n\n[factories.us]\nitem = 5\n";
        let offset = text.find('5').unwrap();
        assert_eq!(
            path_at_offset(text, offset).as_deref(),
            Some("factories.us.item")
        );
        assert!(path_exists(text, "factories.us.item"));
        assert!(!path_exists(text, "factories.us.owner"));
    }

    #[test]
    fn locates_a_field_taken_from_a_template_at_the_template() {
        let text = "[templates.nations.t]\nstock.x.floor = -1\n[nations.a]\ntemplate = \"t\"\nstock.x.initial = 5\n";
        assert_eq!(
            field_position(text, "nations.a.stock.x.floor"),
            Some(((2, 17), Some("t".into())))
        );
        assert_eq!(
            field_position(text, "nations.a.stock.x.initial"),
            Some(((5, 19), None))
        );
        assert_eq!(
            field_position(text, "nations.a.stock.x"),
            Some(((5, 7), None))
        );
    }

    #[test]
    fn counts_lines_and_columns_from_one() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
    }
}
