//! The shipped scenarios: every sourced scenario of `configs/`, embedded in the binary
//! so that `drawdown scenarios` lists them, `drawdown run NAME` runs one and
//! `drawdown init --from NAME` copies one, with no clone of the repository.
//!
//! Each file states the question it answers in its header comment, on a line starting
//! `# Question:`; the question runs to the last `?` of that comment paragraph.

use super::{DEFAULT_SCENARIO, Scenario};

/// A scenario shipped with drawdown.
#[derive(Debug, Clone, Copy)]
pub struct Shipped {
    /// Its name: `drawdown run NAME`, and the file `configs/NAME.toml`.
    pub name: &'static str,
    /// The file's text.
    pub text: &'static str,
}

/// Every shipped scenario, by name.
pub const SHIPPED: &[Shipped] = &[
    Shipped {
        name: "default",
        text: DEFAULT_SCENARIO,
    },
    Shipped {
        name: "gmlrs",
        text: include_str!("../../configs/gmlrs.toml"),
    },
    Shipped {
        name: "javelin",
        text: include_str!("../../configs/javelin.toml"),
    },
    Shipped {
        name: "patriot",
        text: include_str!("../../configs/patriot.toml"),
    },
    Shipped {
        name: "stinger",
        text: include_str!("../../configs/stinger.toml"),
    },
];

/// The shipped scenario called `name`, if any.
pub fn find(name: &str) -> Option<&'static Shipped> {
    SHIPPED.iter().find(|s| s.name == name)
}

/// The names of the shipped scenarios, comma-separated (for messages).
pub fn names() -> String {
    SHIPPED
        .iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The question a scenario's header states (see the module docs); empty when none.
pub fn question(text: &str) -> String {
    let mut words = String::new();
    let mut inside = false;
    for line in text.lines() {
        let Some(comment) = line.trim().strip_prefix('#') else {
            break;
        };
        let comment = comment.trim();
        if let Some(rest) = comment.strip_prefix("Question:") {
            inside = true;
            words.push_str(rest.trim());
        } else if inside && comment.is_empty() {
            break;
        } else if inside {
            words.push(' ');
            words.push_str(comment);
        }
    }
    match words.rfind('?') {
        Some(end) => capitalise(&words[..=end]),
        None => capitalise(&words),
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl Shipped {
    /// The scenario, validated.
    ///
    /// # Errors
    /// Only if a shipped file were invalid (a test checks that none is).
    pub fn scenario(&self) -> Result<Scenario, super::ScenarioError> {
        Scenario::from_toml(&self.origin(), self.text, &[])
    }

    /// How messages name it: `<shipped scenario NAME>`.
    pub fn origin(&self) -> String {
        format!("<shipped scenario {}>", self.name)
    }
}

/// The listing `drawdown scenarios` prints: for each shipped scenario its name, horizon
/// and question, then how to use one.
pub fn listing() -> String {
    let mut out = String::new();
    for s in SHIPPED {
        let horizon = match s.scenario() {
            Ok(sc) => format!("{} to {}", sc.start, sc.end),
            Err(e) => format!("invalid: {e}"),
        };
        out.push_str(&format!("{:<8} {horizon}\n", s.name));
        out.push_str(&wrap(&question(s.text), 86, "         "));
    }
    out.push_str(
        "\nrun one: drawdown run NAME; start your own from one: drawdown init my.toml --from NAME\n",
    );
    out
}

/// `text` wrapped at `width` columns, each line indented by `indent`.
fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            out.push_str(&format!("{indent}{line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&format!("{indent}{line}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_scenario_is_valid_and_states_a_question() {
        for s in SHIPPED {
            let sc = s.scenario().unwrap_or_else(|e| panic!("{}: {e}", s.name));
            assert_eq!(sc.name, s.name, "the file's name field matches");
            let q = question(s.text);
            assert!(
                q.ends_with('?') && q.len() > 20,
                "{}: question {q:?}",
                s.name
            );
        }
    }

    #[test]
    fn the_question_runs_to_the_last_question_mark_of_its_paragraph() {
        let text =
            "# title\n#\n# Question: does it? and\n# this? Not this.\n#\n# other?\n[scenario]\n";
        assert_eq!(question(text), "Does it? and this?");
        assert_eq!(question("[scenario]\n"), "");
    }

    #[test]
    fn names_are_found_and_listed() {
        assert!(find("patriot").is_some());
        assert!(find("nope").is_none());
        assert!(names().starts_with("default, gmlrs"));
    }
}
