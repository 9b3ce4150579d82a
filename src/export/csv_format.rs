//! How the CSV files are written: the field delimiter, the decimal separator and an
//! optional UTF-8 byte-order mark, for spreadsheets set to a locale that expects `;`
//! and `,` (French, German, Italian, Spanish …).
//!
//! The default is the output contract's tidy CSV: `,` between fields, `.` as decimal
//! point, no byte-order mark. Values are formatted once with `.` and converted when the
//! file is written, so every locale holds the same numbers. A field holding the
//! delimiter (or a quote, or a line break) is quoted by the csv crate.

use serde::{Deserialize, Serialize};

/// Delimiter, decimal separator and byte-order mark of the CSV files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvFormat {
    /// Field delimiter: `,`, `;`, `\t` or `|`.
    pub delimiter: char,
    /// Decimal separator: `.` or `,` (never the delimiter).
    pub decimal: char,
    /// Whether each CSV file starts with the UTF-8 byte-order mark (for Excel).
    pub bom: bool,
}

impl Default for CsvFormat {
    /// `,` and `.`, no byte-order mark: the output contract.
    fn default() -> Self {
        CsvFormat {
            delimiter: ',',
            decimal: '.',
            bom: false,
        }
    }
}

/// Languages whose spreadsheets use `,` as the decimal separator (and so `;` between
/// CSV fields).
const DECIMAL_COMMA: &[&str] = &[
    "bg", "ca", "cs", "da", "de", "el", "es", "et", "eu", "fi", "fr", "gl", "hr", "hu", "id", "is",
    "it", "lt", "lv", "nb", "nl", "nn", "no", "pl", "pt", "ro", "ru", "sk", "sl", "sr", "sv", "tr",
    "uk", "vi",
];

/// Languages whose spreadsheets use `.` as the decimal separator.
const DECIMAL_POINT: &[&str] = &["en", "ga", "he", "ja", "ko", "ms", "mt", "th", "zh"];

impl CsvFormat {
    /// Whether this is the output contract's default format.
    pub fn is_default(&self) -> bool {
        *self == CsvFormat::default()
    }

    /// The format a locale's spreadsheets expect: `fr`, `de_DE`, `pt-BR` … give `;` and
    /// `,`; `en`, `en_US`, `ja` … give `,` and `.`.
    ///
    /// # Errors
    /// A message naming the locale and the known languages when it is not known.
    pub fn for_locale(locale: &str) -> Result<CsvFormat, String> {
        let language = locale
            .split(['_', '-', '.'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if DECIMAL_COMMA.contains(&language.as_str()) {
            Ok(CsvFormat {
                delimiter: ';',
                decimal: ',',
                bom: false,
            })
        } else if DECIMAL_POINT.contains(&language.as_str()) {
            Ok(CsvFormat::default())
        } else {
            Err(format!(
                "unknown locale '{locale}': give a language code such as fr, de, it, es, en (known: {}), or --delimiter and --decimal",
                [DECIMAL_COMMA, DECIMAL_POINT].concat().join(", ")
            ))
        }
    }

    /// Checks that the delimiter and decimal separator are usable and differ.
    ///
    /// # Errors
    /// A message naming the flag at fault.
    pub fn validate(&self) -> Result<(), String> {
        if ![',', ';', '\t', '|'].contains(&self.delimiter) {
            return Err(format!(
                "--delimiter: expected ',', ';', '|' or tab, got {:?}",
                self.delimiter
            ));
        }
        if ![',', '.'].contains(&self.decimal) {
            return Err(format!(
                "--decimal: expected '.' or ',', got {:?}",
                self.decimal
            ));
        }
        if self.delimiter == self.decimal {
            return Err(format!(
                "--delimiter and --decimal are both '{}': a number would be split in two (use --delimiter ';' with --decimal ',')",
                self.delimiter
            ));
        }
        Ok(())
    }

    /// The delimiter as the byte the csv crate takes.
    pub fn delimiter_byte(&self) -> u8 {
        u8::try_from(self.delimiter).unwrap_or(b',')
    }

    /// `cell` as written in this format: a decimal number gets the decimal separator,
    /// anything else (text, dates, integers) is unchanged.
    pub fn cell<'a>(&self, cell: &'a str) -> std::borrow::Cow<'a, str> {
        if self.decimal != '.' && cell.contains('.') && cell.parse::<f64>().is_ok() {
            cell.replace('.', &self.decimal.to_string()).into()
        } else {
            cell.into()
        }
    }

    /// The bytes a file starts with: the UTF-8 byte-order mark, or nothing.
    pub fn preamble(&self) -> &'static [u8] {
        if self.bom { b"\xEF\xBB\xBF" } else { b"" }
    }
}

/// Parses a one-character separator flag; `tab` and `\t` name the tab.
///
/// # Errors
/// When `text` is not a single character.
pub fn parse_separator(text: &str) -> Result<char, String> {
    match text {
        "tab" | "\\t" | "\t" => Ok('\t'),
        _ => {
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(c),
                _ => Err(format!(
                    "expected one character such as ';' or ',', got '{text}'"
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_and_german_use_semicolons_and_decimal_commas() {
        for locale in ["fr", "de_DE", "it-IT", "es", "pt_BR.UTF-8"] {
            let f = CsvFormat::for_locale(locale).unwrap();
            assert_eq!((f.delimiter, f.decimal), (';', ','), "{locale}");
        }
        assert!(CsvFormat::for_locale("en_GB").unwrap().is_default());
        assert!(CsvFormat::for_locale("xx").unwrap_err().contains("'xx'"));
    }

    #[test]
    fn converts_decimals_only() {
        let f = CsvFormat::for_locale("fr").unwrap();
        assert_eq!(f.cell("0.25"), "0,25");
        assert_eq!(f.cell("-1200.5"), "-1200,5");
        assert_eq!(f.cell("1200"), "1200");
        assert_eq!(f.cell("2024-03-01"), "2024-03-01");
        assert_eq!(f.cell("a.b"), "a.b");
        assert_eq!(CsvFormat::default().cell("0.25"), "0.25");
    }

    #[test]
    fn refuses_a_delimiter_equal_to_the_decimal_separator() {
        let f = CsvFormat {
            delimiter: ',',
            decimal: ',',
            bom: false,
        };
        assert!(f.validate().unwrap_err().contains("both ','"));
        assert_eq!(parse_separator("tab"), Ok('\t'));
        assert!(parse_separator(";;").is_err());
    }
}
