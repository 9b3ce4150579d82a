//! Templates: shared fields written once, so thirty similar donors are not thirty copied
//! blocks.
//!
//! A top-level `[templates.<kind>.<id>]` table holds a partial entity of one kind
//! (`nations`, `factories`, `contracts`, `demand` or `transfers`). It is not simulated.
//! An entity of that kind that says `template = "<id>"` gets the template's fields,
//! deep-merged under its own:
//!
//! - the entity's own keys win;
//! - tables present in both are merged key by key, recursively;
//! - a distribution table (one with a `dist` key, on either side) is a single value: it
//!   replaces, and is never merged key by key; so do numbers, strings and lists.
//!
//! Templates are one level deep: a template may not name a template. A template no
//! entity uses is not checked beyond its kind.
//!
//! Expansion runs on the parsed text after `--set` overrides and before deserializing,
//! so an override of an entity's field wins over its template, and an override of a
//! template's field (`templates.nations.small_donor.stock.shell_155.floor=…`) moves
//! every entity using it. The expanded scenario has no `templates` table and no
//! `template` keys: `drawdown check` shows the entities in full. Issues about a field an
//! entity took from its template are located at the template's line
//! ([`super::locate::field_position`]).

use super::Issue;
use std::borrow::Cow;
use toml::{Table, Value};

/// The entity kinds a template may be written for (top-level tables keyed by id).
pub const KINDS: &[&str] = &["nations", "factories", "contracts", "demand", "transfers"];

/// The key by which an entity names its template.
pub const TEMPLATE_KEY: &str = "template";

/// The top-level table holding templates.
pub const TEMPLATES: &str = "templates";

/// `text` with every template applied and the `templates` table removed; the text
/// itself, untouched, when it uses no templates or does not parse (the parse error is
/// then reported by the next step, with its position).
///
/// # Errors
/// One [`Issue`] (path only, unlocated) per unknown template, template of the wrong
/// kind, unknown kind under `[templates]`, template naming a template, or `template`
/// that is not a template id.
pub fn expand(text: &str) -> Result<Cow<'_, str>, Vec<Issue>> {
    let Ok(mut doc) = text.parse::<Table>() else {
        return Ok(Cow::Borrowed(text));
    };
    if !uses_templates(&doc) {
        return Ok(Cow::Borrowed(text));
    }
    let templates = match doc.remove(TEMPLATES) {
        None => Table::new(),
        Some(Value::Table(t)) => t,
        Some(_) => {
            return Err(vec![Issue::at(
                TEMPLATES,
                "expected a table of templates by kind, such as [templates.nations.small_donor]",
            )]);
        }
    };
    let mut issues = check_templates(&templates);
    for kind in KINDS {
        if let Some(Value::Table(entities)) = doc.get_mut(*kind) {
            for (id, entity) in entities.iter_mut() {
                if let Value::Table(fields) = entity
                    && let Err(issue) = apply(kind, id, fields, &templates)
                {
                    issues.push(issue);
                }
            }
        }
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    toml::to_string(&doc).map(Cow::Owned).map_err(|e| {
        vec![Issue::at(
            TEMPLATES,
            format!("cannot expand templates: {e}"),
        )]
    })
}

/// Whether `doc` has a `templates` table or any entity naming a template.
fn uses_templates(doc: &Table) -> bool {
    doc.contains_key(TEMPLATES)
        || KINDS.iter().any(|kind| {
            doc.get(*kind)
                .and_then(Value::as_table)
                .is_some_and(|entities| {
                    entities
                        .values()
                        .any(|e| e.as_table().is_some_and(|t| t.contains_key(TEMPLATE_KEY)))
                })
        })
}

/// Issues with the `[templates]` table itself: unknown kinds, non-tables, chains.
fn check_templates(templates: &Table) -> Vec<Issue> {
    let mut issues = Vec::new();
    for (kind, by_id) in templates {
        let path = format!("{TEMPLATES}.{kind}");
        if !KINDS.contains(&kind.as_str()) {
            issues.push(Issue::at(
                path,
                format!(
                    "unknown kind of template '{kind}': expected one of {}",
                    KINDS.join(", ")
                ),
            ));
            continue;
        }
        let Some(by_id) = by_id.as_table() else {
            issues.push(Issue::at(
                path,
                format!("expected templates keyed by id, such as [templates.{kind}.<id>]"),
            ));
            continue;
        };
        for (id, template) in by_id {
            let path = format!("{TEMPLATES}.{kind}.{id}");
            match template.as_table() {
                None => issues.push(Issue::at(path, "expected a table: a partial entity")),
                Some(t) if t.contains_key(TEMPLATE_KEY) => issues.push(Issue::at(
                    format!("{path}.{TEMPLATE_KEY}"),
                    "a template may not name another template (templates are one level deep)",
                )),
                Some(_) => {}
            }
        }
    }
    issues
}

/// Merges the template `fields` names (if any) under them, removing the `template` key.
fn apply(kind: &str, id: &str, fields: &mut Table, templates: &Table) -> Result<(), Issue> {
    let Some(named) = fields.remove(TEMPLATE_KEY) else {
        return Ok(());
    };
    let path = format!("{kind}.{id}.{TEMPLATE_KEY}");
    let Some(name) = named.as_str() else {
        return Err(Issue::at(
            path,
            format!("expected the id of a {kind} template, as a string, got {named}"),
        ));
    };
    let known = |k: &str| -> Vec<&str> {
        templates
            .get(k)
            .and_then(Value::as_table)
            .map(|t| t.keys().map(String::as_str).collect())
            .unwrap_or_default()
    };
    let template = templates
        .get(kind)
        .and_then(Value::as_table)
        .and_then(|t| t.get(name))
        .and_then(Value::as_table);
    let Some(template) = template else {
        let listed = match known(kind) {
            ids if ids.is_empty() => format!("there are no {kind} templates"),
            ids => format!("{kind} templates: {}", ids.join(", ")),
        };
        let other = KINDS.iter().find(|k| known(k).contains(&name));
        let message = match other {
            Some(other) => {
                format!("'{name}' is a {other} template, not a {kind} template; {listed}")
            }
            None => format!("unknown template '{name}'; {listed}"),
        };
        return Err(Issue::at(path, message));
    };
    let own = std::mem::take(fields);
    *fields = merged(template, own);
    Ok(())
}

/// `own` deep-merged over `base`: own keys win, tables merge key by key, distribution
/// tables (with a `dist` key) and every other value replace as a whole.
pub fn merged(base: &Table, own: Table) -> Table {
    let mut out = base.clone();
    for (key, value) in own {
        match (out.get_mut(&key), value) {
            (Some(Value::Table(under)), Value::Table(over))
                if !is_distribution(under) && !is_distribution(&over) =>
            {
                let inner = merged(under, over);
                *under = inner;
            }
            (_, value) => {
                out.insert(key, value);
            }
        }
    }
    out
}

/// Whether a table is a distribution (`{ dist = "pert", … }`): a single value.
fn is_distribution(t: &Table) -> bool {
    t.contains_key("dist")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Table {
        text.parse().expect("valid TOML")
    }

    fn expanded(text: &str) -> Table {
        table(&expand(text).expect("expands"))
    }

    const DONORS: &str = r#"
[templates.nations.small]
name = "small donor"
stock.x.initial = 5
stock.x.floor = { dist = "uniform", min = 1, max = 3 }
stock.y.initial = 7
[nations.a]
template = "small"
stock.x.floor = { dist = "fixed", value = 2 }
stock.x.initial = 9
[nations.b]
template = "small"
[nations.c]
name = "C"
"#;

    #[test]
    fn own_keys_win_and_tables_merge_key_by_key() {
        let doc = expanded(DONORS);
        let a = table(
            "name = \"small donor\"\nstock.x.initial = 9\nstock.x.floor = { dist = \"fixed\", value = 2 }\nstock.y.initial = 7\n",
        );
        assert_eq!(doc["nations"]["a"].as_table(), Some(&a));
        assert_eq!(
            doc["nations"]["b"]["stock"]["x"]["initial"].as_integer(),
            Some(5)
        );
        assert_eq!(doc["nations"]["c"].as_table(), Some(&table("name = \"C\"")));
        assert!(!doc.contains_key(TEMPLATES));
    }

    #[test]
    fn a_distribution_replaces_as_a_whole() {
        let base = table("q = { dist = \"pert\", min = 1, mode = 2, max = 3 }");
        let own = table("q = { dist = \"uniform\", min = 0, max = 4 }");
        let out = merged(&base, own.clone());
        assert_eq!(out, own, "no 'mode' leaks from the template's PERT");
        let number = table("q = 8");
        assert_eq!(merged(&base, number.clone()), number);
        assert_eq!(merged(&number, own.clone()), own);
    }

    #[test]
    fn text_without_templates_is_returned_untouched() {
        let text = "[nations.a]\nname = \"A\" # kept\n";
        assert!(matches!(expand(text), Ok(Cow::Borrowed(t)) if t == text));
        assert!(matches!(expand("not = = toml"), Ok(Cow::Borrowed(_))));
    }

    #[test]
    fn names_unknown_templates_and_lists_the_known_ones() {
        let text = DONORS.replace(
            "template = \"small\"\nstock.x.floor",
            "template = \"big\"\nstock.x.floor",
        );
        let issues = expand(&text).expect_err("unknown template");
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].path, "nations.a.template");
        assert_eq!(
            issues[0].message,
            "unknown template 'big'; nations templates: small"
        );
    }

    #[test]
    fn refuses_a_template_of_another_kind() {
        let text =
            "[templates.demand.training]\nitem = \"x\"\n[nations.a]\ntemplate = \"training\"\n";
        let issues = expand(text).expect_err("wrong kind");
        assert_eq!(issues[0].path, "nations.a.template");
        assert_eq!(
            issues[0].message,
            "'training' is a demand template, not a nations template; there are no nations templates"
        );
    }

    #[test]
    fn refuses_unknown_kinds_chains_and_non_string_names() {
        let text = "[templates.items.i]\nname = \"x\"\n[templates.nations.t]\ntemplate = \"u\"\n[nations.a]\ntemplate = 3\n";
        let mut issues = expand(text).expect_err("three problems");
        issues.sort_by(|a, b| a.path.cmp(&b.path));
        let paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "nations.a.template",
                "templates.items",
                "templates.nations.t.template"
            ]
        );
        assert!(
            issues[1]
                .message
                .contains("expected one of nations, factories, contracts, demand, transfers")
        );
        assert!(issues[2].message.contains("one level deep"));
    }
}
