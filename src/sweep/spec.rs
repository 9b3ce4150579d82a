//! The grammar of one `--vary` spec.
//!
//! | form | example | meaning |
//! |---|---|---|
//! | list | `PATH=v1,v2,v3` | set the field to each value (numbers, dates, inline tables) |
//! | range | `PATH=lo..hi:steps` | `steps` evenly spaced numbers from `lo` to `hi`, both included |
//! | shift | `PATH+=d1,d2` | add `dᵢ` to what the scenario says (a number, or a distribution's levels) |
//! | scale | `PATH*=f1,f2` | multiply what the scenario says by `fᵢ` |
//!
//! Values are split at top-level commas only: a comma inside `{ … }`, `[ … ]` or quotes
//! belongs to the value (`x={ dist = "pert", min = 1, mode = 2, max = 3 },5`). A range may
//! follow any operator (`PATH+=0..360:5`). A path is dotted ids; `*` stands for any one
//! segment.

use crate::error::{Error, Result};

/// The most values one spec may give.
pub const MAX_VALUES: usize = 10_000;

/// How a spec's values act on the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`: replace the field by the value.
    Set,
    /// `+=`: add the value to the field (shift a distribution).
    Add,
    /// `*=`: multiply the field by the value (scale a distribution).
    Mul,
}

/// One parsed `--vary` (or `--baseline`) spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// The spec as given.
    pub text: String,
    /// The path pattern, e.g. `factories.*.capacity.ramp.*.slip_days`.
    pub path: String,
    /// The pattern's segments (`*` for a wildcard).
    pub segments: Vec<String>,
    /// The operator.
    pub op: Op,
    /// The values, each as TOML text (for `+=`/`*=` a number).
    pub values: Vec<String>,
}

impl Spec {
    /// Parses `PATH=…`, `PATH+=…` or `PATH*=…` (`flag` names the option in messages).
    ///
    /// # Errors
    /// [`Error::Usage`] naming the spec and saying what was expected.
    pub fn parse(text: &str, flag: &str) -> Result<Spec> {
        let bad = |what: &str| {
            Error::Usage(format!(
                "{flag} '{text}': {what} (expected PATH=v1,v2, PATH=lo..hi:steps, PATH+=d1,d2 or PATH*=f1,f2, e.g. factories.us_scranton.capacity.initial=20000,30000)"
            ))
        };
        let Some((left, right)) = text.split_once('=') else {
            return Err(bad("no '='"));
        };
        let (path, op) = split_op(left.trim());
        let segments: Vec<String> = path.split('.').map(|s| s.trim().to_string()).collect();
        if path.is_empty() || segments.iter().any(String::is_empty) {
            return Err(bad("the path is empty or has an empty segment"));
        }
        let right = right.trim();
        if right.is_empty() {
            return Err(bad("no values after '='"));
        }
        let values = match parse_range(right).map_err(|m| bad(&m))? {
            Some(values) => values,
            None => split_top_level(right).map_err(|m| bad(&m))?,
        };
        if values.len() > MAX_VALUES {
            return Err(bad(&format!("more than {MAX_VALUES} values")));
        }
        if op != Op::Set {
            for v in &values {
                if number(v).is_none() {
                    return Err(bad(&format!("a relative change needs numbers, got '{v}'")));
                }
            }
        }
        Ok(Spec {
            text: text.to_string(),
            path: path.to_string(),
            segments,
            op,
            values,
        })
    }

    /// Whether the path has a wildcard.
    pub fn has_wildcard(&self) -> bool {
        self.segments.iter().any(|s| s == "*")
    }

    /// How value `i` is shown in `sweep.csv`: the value itself for `=`, `+d` for `+=`,
    /// `*f` for `*=`.
    pub fn label(&self, i: usize) -> String {
        let v = self.values.get(i).map(String::as_str).unwrap_or("");
        match self.op {
            Op::Set => v.to_string(),
            Op::Add if v.starts_with('-') => v.to_string(),
            Op::Add => format!("+{v}"),
            Op::Mul => format!("*{v}"),
        }
    }
}

/// Splits the operator off the left side: `a.b+` → (`a.b`, Add); `a.*` stays a wildcard.
fn split_op(left: &str) -> (&str, Op) {
    if let Some(path) = left.strip_suffix('+') {
        return (path.trim(), Op::Add);
    }
    if let Some(path) = left.strip_suffix('*')
        && !path.is_empty()
        && !path.ends_with('.')
    {
        return (path.trim(), Op::Mul);
    }
    (left, Op::Set)
}

/// The number in `text`, if it is one (TOML integer or float, `_` separators allowed).
pub fn number(text: &str) -> Option<f64> {
    let t = text.trim().replace('_', "");
    t.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// `lo..hi:steps` as `steps` values; `None` when `text` is not a range.
fn parse_range(text: &str) -> std::result::Result<Option<Vec<String>>, String> {
    let Some((bounds, steps)) = text.rsplit_once(':') else {
        return Ok(None);
    };
    let Some((lo, hi)) = bounds.split_once("..") else {
        return Ok(None);
    };
    let (Some(lo_v), Some(hi_v)) = (number(lo), number(hi)) else {
        return Err(format!("range bounds must be numbers, got '{bounds}'"));
    };
    let steps: usize = steps
        .trim()
        .parse()
        .ok()
        .filter(|&s| (1..=MAX_VALUES).contains(&s))
        .ok_or_else(|| format!("range steps must be 1 to {MAX_VALUES}, got '{steps}'"))?;
    let integers = !lo.contains(['.', 'e', 'E']) && !hi.contains(['.', 'e', 'E']);
    let values = (0..steps)
        .map(|i| {
            let x = if steps == 1 {
                lo_v
            } else {
                let k = (steps - 1) as f64;
                (lo_v * (k - i as f64) + hi_v * i as f64) / k
            };
            format_number(x, integers)
        })
        .collect();
    Ok(Some(values))
}

/// A number as TOML text: an integer when `integer_ok` and it is whole, else a float
/// with at most 10 decimals (always with a decimal point, so TOML reads a float).
pub fn format_number(x: f64, integer_ok: bool) -> String {
    if integer_ok && x.fract() == 0.0 && x.abs() < 9.0e15 {
        return format!("{}", x as i64);
    }
    let mut s = format!("{x:.10}");
    let trimmed = s.trim_end_matches('0').len();
    s.truncate(trimmed);
    if s.ends_with('.') {
        s.push('0');
    }
    s
}

/// Splits at commas outside braces, brackets and quotes.
fn split_top_level(text: &str) -> std::result::Result<Vec<String>, String> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0usize);
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(text[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
        if depth < 0 {
            return Err("unbalanced '}' or ']'".into());
        }
    }
    if depth != 0 || quote.is_some() {
        return Err("unclosed '{', '[' or quote".into());
    }
    parts.push(text[start..].trim().to_string());
    if parts.iter().any(String::is_empty) {
        return Err("an empty value between commas".into());
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lists_at_top_level_commas_only() {
        let s = Spec::parse(
            "a.b={ dist = \"pert\", min = 1, mode = 2, max = 3 },5",
            "--vary",
        )
        .unwrap();
        assert_eq!(s.op, Op::Set);
        assert_eq!(s.values.len(), 2);
        assert!(s.values[0].starts_with('{') && s.values[0].ends_with('}'));
        assert_eq!(s.values[1], "5");
    }

    #[test]
    fn reads_ranges_inclusively() {
        let s = Spec::parse("a=0..100:5", "--vary").unwrap();
        assert_eq!(s.values, ["0", "25", "50", "75", "100"]);
        let s = Spec::parse("a*=0.5..1.5:3", "--vary").unwrap();
        assert_eq!(
            (s.op, s.values.clone()),
            (Op::Mul, vec!["0.5".into(), "1.0".into(), "1.5".into()])
        );
    }

    #[test]
    fn tells_wildcards_from_scaling() {
        let s = Spec::parse("a.*=1", "--vary").unwrap();
        assert_eq!((s.op, s.path.as_str()), (Op::Set, "a.*"));
        let s = Spec::parse("a.*.b*=2", "--vary").unwrap();
        assert_eq!((s.op, s.path.as_str()), (Op::Mul, "a.*.b"));
        let s = Spec::parse("a.b+=0,-365", "--vary").unwrap();
        assert_eq!(s.op, Op::Add);
        assert_eq!(
            (s.label(0), s.label(1)),
            ("+0".to_string(), "-365".to_string())
        );
    }

    #[test]
    fn rejects_malformed_specs_naming_them() {
        for bad in [
            "a", "=1", "a=", "a..b=1", "a+=x", "a={1,2", "a=1,,2", "a=0..1:0",
        ] {
            let e = Spec::parse(bad, "--vary").unwrap_err().to_string();
            assert!(e.contains(&format!("'{bad}'")), "{e}");
        }
    }
}
