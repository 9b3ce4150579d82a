//! The workbook's data sheets: the overview, one sheet per table, the trials.

use super::{EXCEL_MAX_ROWS, TrialsSource, xlsx_err};
use crate::error::{Error, Result};
use crate::export::Report;
use crate::export::manifest::Manifest;
use crate::export::tables::{Table, depletion_quantile};
use crate::scenario::{Date, Scenario};
use crate::stats::wilson;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Worksheet};

/// How a column's cells are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Text,
    Date,
    Percent,
    Integer,
    /// A whole number that names rather than counts (a seed): no thousands separators.
    Id,
    Decimal,
    /// A sensitivity index (a share of variance, three decimals).
    Index,
    /// What a sweep sets: a number, or as text a relative change (`+365`, `*1.2`), a
    /// date or a distribution.
    Value,
}

impl Kind {
    /// The Excel number format of this kind's cells: the one definition that both the
    /// cell's [`Format`] and [`number_width`] read (`None`: the General format).
    pub(super) fn code(self) -> Option<&'static str> {
        match self {
            Kind::Text | Kind::Value => None,
            Kind::Date => Some("yyyy-mm-dd"),
            Kind::Percent => Some("0.0%"),
            Kind::Integer => Some("#,##0"),
            Kind::Id => Some("0"),
            Kind::Decimal => Some("#,##0.00"),
            Kind::Index => Some("0.000"),
        }
    }

    /// A cell format showing numbers as this kind does.
    pub(super) fn format(self) -> Format {
        self.code()
            .map_or_else(Format::new, |code| Format::new().set_num_format(code))
    }
}

/// The cell format of each [`Kind`], made once per sheet: building a `Format` per cell
/// tripled the time `--xlsx` adds to a run.
struct Formats {
    kinds: [Format; 7],
    /// Text cells' format: none on a data sheet; on the overview's tables, an indent,
    /// so that left-aligned text does not touch a right-aligned number before it
    /// (`0.8%not by horizon`).
    text: Option<Format>,
}

/// The width an indent adds to a text cell [pixels] (Excel's indent of 1).
const INDENT_WIDTH: u32 = 10;

impl Formats {
    fn new() -> Formats {
        Formats {
            kinds: [
                Kind::Text.format(),
                Kind::Date.format(),
                Kind::Percent.format(),
                Kind::Integer.format(),
                Kind::Decimal.format(),
                Kind::Index.format(),
                Kind::Id.format(),
            ],
            text: None,
        }
    }

    /// The formats of an overview table: text indented by one.
    fn indented() -> Formats {
        Formats {
            text: Some(Format::new().set_indent(1)),
            ..Formats::new()
        }
    }

    fn of(&self, kind: Kind) -> &Format {
        let index = match kind {
            Kind::Text | Kind::Value => 0,
            Kind::Date => 1,
            Kind::Percent => 2,
            Kind::Integer => 3,
            Kind::Decimal => 4,
            Kind::Index => 5,
            Kind::Id => 6,
        };
        &self.kinds[index]
    }
}

/// Whether a summary or sweep metric is a probability or share (shown as %).
fn is_share(metric: Option<&str>) -> bool {
    matches!(metric, Some("p_depleted" | "fill_rate"))
}

/// Whether a summary metric is a whole number with a whole interval: a day (the
/// quantiles of the depletion day and their order-statistic intervals) or a count of
/// rounds (the quantiles of the final stock), shown as `#,##0` like the trials' days.
fn is_whole(metric: Option<&str>) -> bool {
    metric.is_some_and(|m| m.starts_with("depletion_day_p") || m.starts_with("final_stock_p"))
}

/// The kind of column `name` in table `sheet` (`row_metric`: the row's metric, in
/// `summary`, `sweep` and `tornado`).
fn kind(sheet: &str, name: &str, row_metric: Option<&str>) -> Kind {
    let probability_table = matches!(sheet, "depletion" | "groups");
    match name {
        "nation" | "item" | "metric" | "group" | "ratio" | "period" | "input" | "series"
        | "range" | "path" => Kind::Text,
        n if n == "date" || n.ends_with("_date") => Kind::Date,
        "estimate" | "ci_low" | "ci_high" | "diff" | "diff_ci_low" | "diff_ci_high"
        | "baseline" | "baseline_ci_low" | "baseline_ci_high" | "estimate_low"
        | "estimate_high" | "diff_low" | "diff_low_ci_low" | "diff_low_ci_high" | "diff_high"
        | "diff_high_ci_low" | "diff_high_ci_high" | "swing" | "swing_ci_low" | "swing_ci_high"
            if is_share(row_metric) =>
        {
            Kind::Percent
        }
        "ci_low" | "ci_high" if probability_table => Kind::Percent,
        "estimate" | "ci_low" | "ci_high" if sheet == "summary" && is_whole(row_metric) => {
            Kind::Integer
        }
        "first_order" | "first_ci_low" | "first_ci_high" | "total" | "total_ci_low"
        | "total_ci_high" | "prcc" | "prcc_ci_low" | "prcc_ci_high" | "src" | "src_ci_low"
        | "src_ci_high" | "spearman" | "spearman_ci_low" | "spearman_ci_high" => Kind::Index,
        n if n.starts_with("p_") || n.starts_with("fill_") => Kind::Percent,
        "day" | "from_day" | "trials" | "trials_defined" | "depleted" | "at_least" | "k"
        | "members" | "trial" | "depletion_day" | "point" | "rank" | "inputs_moved"
        | "base_rows" | "replicates" => Kind::Integer,
        // A sweep's spec columns (path patterns; on the front sheet `change`), the values
        // points.csv sets, and a tornado bar's ends (`10000`, `+365`, `p10=5196`).
        n if matches!(n, "value" | "low" | "high" | "change") || n.contains('.') => Kind::Value,
        _ => Kind::Decimal,
    }
}

/// Writes one cell: a date cell, a number, or text; an empty cell stays empty. Returns
/// the width of what a spreadsheet shows [pixels, without padding]: 7 a character of
/// text or of the number as its format shows it ([`number_width`]), [`DATE_WIDTH`] for a
/// date
/// (`None` for an empty cell).
fn cell(
    sheet: &mut Worksheet,
    (row, col): (u32, u16),
    kind: Kind,
    text: &str,
    formats: &Formats,
) -> Result<Option<u32>> {
    if text.is_empty() {
        return Ok(None);
    }
    let format = formats.of(kind);
    let as_text = |sheet: &mut Worksheet| match &formats.text {
        Some(f) => sheet
            .write_string_with_format(row, col, text, f)
            .map(|_| text_width(text) + INDENT_WIDTH),
        None => sheet.write_string(row, col, text).map(|_| text_width(text)),
    };
    match kind {
        Kind::Text => as_text(sheet),
        Kind::Date => match excel_date(text) {
            Some(d) => sheet
                .write_datetime_with_format(row, col, d, format)
                .map(|_| DATE_WIDTH),
            None => as_text(sheet),
        },
        Kind::Value if text.starts_with(['+', '*']) => as_text(sheet),
        _ => match text.parse::<f64>() {
            Ok(v) => sheet
                .write_number_with_format(row, col, v, format)
                .map(|_| number_width(v, kind)),
            Err(_) => as_text(sheet),
        },
    }
    .map(Some)
    .map_err(xlsx_err)
}

/// An ISO date as an Excel date (`None` if it is not one Excel can hold).
fn excel_date(text: &str) -> Option<ExcelDateTime> {
    let (y, m, d) = Date::parse(text).ok()?.ymd();
    ExcelDateTime::from_ymd(u16::try_from(y).ok()?, m as u8, d as u8).ok()
}

/// A data sheet written row by row: the bold header first, then the rows in order, so
/// that it can be a "low memory" worksheet (rust_xlsxwriter keeps one row in memory
/// and the rest in an unnamed temporary file). Column widths are fitted as the cells
/// are written, with `autofit`'s padding and its width for dates, about 7 pixels a
/// character of text (its per-character widths are private) and numbers measured as
/// their format shows them ([`number_width`]), since `autofit` sees only the current
/// row of such a sheet.
pub(super) struct Streamed {
    /// Per column, the widest cell so far [pixels, padding included].
    widths: Vec<u32>,
    /// Whether the header row carries an autofilter.
    filter: bool,
}

/// Excel's widest column [pixels] (255 characters).
const MAX_WIDTH: u32 = 1790;

impl Streamed {
    /// Writes the header row in bold; with `filter`, the sheet gets an autofilter over
    /// its data (see [`Streamed::finish`]).
    pub(super) fn start<S: AsRef<str>>(
        sheet: &mut Worksheet,
        header: &[S],
        filter: bool,
    ) -> Result<Streamed> {
        let bold = Format::new().set_bold();
        let mut widths = Vec::with_capacity(header.len());
        for (c, name) in header.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, name.as_ref(), &bold)
                .map_err(xlsx_err)?;
            // An autofilter's drop-down arrow takes 16 pixels of the header.
            widths.push(text_width(name.as_ref()) + if filter { 16 } else { 0 } + 7);
        }
        Ok(Streamed { widths, filter })
    }

    /// Widens column `col` to fit a cell of `width` pixels (without padding).
    pub(super) fn widen(&mut self, col: u16, width: u32) {
        if let Some(max) = self.widths.get_mut(usize::from(col)) {
            *max = (*max).max(width + 7);
        }
    }

    /// Writes one data cell (see [`cell`]) and widens its column to fit it.
    fn cell(
        &mut self,
        sheet: &mut Worksheet,
        at: (u32, u16),
        kind: Kind,
        text: &str,
        formats: &Formats,
    ) -> Result<()> {
        if let Some(w) = cell(sheet, at, kind, text, formats)? {
            self.widen(at.1, w);
        }
        Ok(())
    }

    /// Freezes the header, puts the autofilter (if any) over the `rows` data rows, and
    /// sets the fitted widths.
    pub(super) fn finish(self, sheet: &mut Worksheet, rows: u32) -> Result<()> {
        sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
        let last_col = self.widths.len().saturating_sub(1) as u16;
        if self.filter {
            sheet.autofilter(0, 0, rows, last_col).map_err(xlsx_err)?;
        }
        for (c, w) in self.widths.into_iter().enumerate() {
            sheet
                .set_column_width_pixels(c as u16, w.min(MAX_WIDTH))
                .map_err(xlsx_err)?;
        }
        Ok(())
    }
}

/// The width [pixels, without padding] of number `v` as a cell of `kind` shows it: 7
/// a character of the formatted text (`#,##0.00` shows 185984 as `185,984.00`, ten
/// characters), where `autofit` measures the number's shortest form (`185984`, six) and
/// leaves a column that Excel fills with `###`. The text is [`shown`] by the kind's
/// [`Kind::code`]; a date is [`DATE_WIDTH`] wide.
pub(super) fn number_width(v: f64, kind: Kind) -> u32 {
    if kind == Kind::Date {
        return DATE_WIDTH;
    }
    7 * shown(v, kind.code()).chars().count() as u32
}

/// The width [pixels, without padding] `autofit` gives a date cell.
const DATE_WIDTH: u32 = 68;

/// Number `v` as Excel shows it in number format `code`, for the codes [`Kind::code`]
/// gives: `0`s after the point are the decimals, a `,` groups thousands, a trailing `%`
/// multiplies by 100; `None` (General) is the number's shortest form.
pub(super) fn shown(v: f64, code: Option<&str>) -> String {
    let Some(code) = code else {
        return v.to_string();
    };
    let percent = code.ends_with('%');
    let decimals = code
        .split_once('.')
        .map_or(0, |(_, frac)| frac.chars().filter(|&c| c == '0').count());
    let text = format!("{:.*}", decimals, if percent { v * 100.0 } else { v });
    let mut out = if code.contains(',') {
        group(&text)
    } else {
        text
    };
    if percent {
        out.push('%');
    }
    out
}

/// `text` (a number formatted by Rust, `-` first if negative) with a `,` between each
/// group of three digits of its whole part.
fn group(text: &str) -> String {
    let (sign, digits) = text.split_at(usize::from(text.starts_with('-')));
    let whole = digits.find('.').unwrap_or(digits.len());
    let mut out = String::from(sign);
    for (i, c) in digits[..whole].chars().enumerate() {
        if i > 0 && (whole - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(&digits[whole..]);
    out
}

/// The width of `text` [pixels] as `autofit` estimates it for Excel's default font:
/// about 7 pixels a character.
pub(super) fn text_width(text: &str) -> u32 {
    7 * text.chars().count() as u32
}

/// A table's sheet: the same rows and columns as its CSV file, as numbers and dates.
pub(super) fn table(sheet: &mut Worksheet, name: &str, table: &Table) -> Result<()> {
    sheet.set_name(name).map_err(xlsx_err)?;
    let metric = table.column("metric").ok();
    let formats = Formats::new();
    let mut out = Streamed::start(sheet, &table.header, true)?;
    for (r, row) in table.rows.iter().enumerate() {
        let row_metric = metric.map(|m| &row[m]);
        for (c, text) in row.iter().enumerate() {
            let k = kind(name, &table.header[c], row_metric);
            out.cell(sheet, (r as u32 + 1, c as u16), k, text, &formats)?;
        }
    }
    out.finish(sheet, table.rows.len() as u32)
}

/// The `trials` sheet, read back from `trials.csv`.
pub(super) fn trials(sheet: &mut Worksheet, source: TrialsSource) -> Result<()> {
    sheet.set_name("trials").map_err(xlsx_err)?;
    let bytes = std::fs::read(source.path).map_err(|e| Error::io("reading", source.path, e))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(source.delimiter)
        .from_reader(bytes);
    let bad = |e: csv::Error| Error::Other(format!("reading {}: {e}", source.path.display()));
    let header: Vec<String> = reader
        .headers()
        .map_err(bad)?
        .iter()
        .map(String::from)
        .collect();
    let kinds: Vec<Kind> = header.iter().map(|h| trials_kind(h)).collect();
    let formats = Formats::new();
    let mut out = Streamed::start(sheet, &header, true)?;
    let mut rows = 0u32;
    for record in reader.records() {
        let record = record.map_err(bad)?;
        rows += 1;
        for (c, text) in record.iter().enumerate() {
            let k = kinds.get(c).copied().unwrap_or(Kind::Text);
            out.cell(sheet, (rows, c as u16), k, text, &formats)?;
        }
    }
    out.finish(sheet, rows)
}

fn trials_kind(name: &str) -> Kind {
    match name {
        "nation" | "item" => Kind::Text,
        "depletion_date" => Kind::Date,
        _ => Kind::Integer,
    }
}

/// The front sheet: what was run, the headline table, how to read it.
pub(super) fn overview(
    sheet: &mut Worksheet,
    report: &Report,
    manifest: &Manifest,
    trial_rows: u64,
    trials_fit: bool,
) -> Result<()> {
    let s = &report.model.scenario;
    let period = manifest
        .period
        .clone()
        .unwrap_or_else(|| format!("every {} days", manifest.step_days));
    let facts = facts(s, manifest, manifest.trials.to_string(), Some(period));
    let row = front(sheet, &format!("drawdown: {}", s.name), &facts)?;
    let (row, fitted) = headline(sheet, report, row)?;
    closing(sheet, row, &notes(trial_rows, trials_fit), &fitted)
}

/// The front sheet's facts about a command's scenario and run: `trials` in words, and
/// the reporting period when there is one.
pub(super) fn facts(
    s: &Scenario,
    m: &Manifest,
    trials: String,
    reporting: Option<String>,
) -> Vec<(&'static str, String)> {
    let mut facts = vec![
        ("description", s.description.trim().to_string()),
        ("scenario file", m.scenario_file.clone()),
        ("seed", m.seed.to_string()),
        ("trials", trials),
        ("drawdown version", m.version.clone()),
        ("horizon", format!("{} to {}", s.start, s.end)),
    ];
    facts.extend(reporting.map(|r| ("reporting", r)));
    facts.push((
        "run times",
        "in manifest.json (this workbook is reproducible: its own date is fixed)".into(),
    ));
    facts
}

/// Names the sheet `overview` and writes its title and `(label, value)` facts; returns
/// the row where the headline table starts.
pub(super) fn front(sheet: &mut Worksheet, title: &str, facts: &[(&str, String)]) -> Result<u32> {
    sheet.set_name("overview").map_err(xlsx_err)?;
    let big = Format::new().set_bold().set_font_size(16);
    sheet
        .write_string_with_format(0, 0, title, &big)
        .map_err(xlsx_err)?;
    sheet.set_row_height(0, 24).map_err(xlsx_err)?;
    let label_format = Format::new().set_bold().set_align(FormatAlign::Top);
    let mut row = 2;
    for (label, value) in facts {
        sheet
            .write_string_with_format(row, 0, *label, &label_format)
            .map_err(xlsx_err)?;
        match fact_kind(label, value) {
            Some(kind) => number_fact(sheet, row, kind, value)?,
            None => wrapped(sheet, row, 1, value)?,
        }
        row += 1;
    }
    Ok(row + 1)
}

/// How a fact is written: a whole number (a seed, a count of trials) as a number
/// cell of its kind ([`Kind::Id`] for the seed), anything else as text (`None`).
fn fact_kind(label: &str, value: &str) -> Option<Kind> {
    let whole = !value.is_empty() && value.len() <= 15 && value.bytes().all(|b| b.is_ascii_digit());
    match label {
        _ if !whole => None,
        "seed" => Some(Kind::Id),
        _ => Some(Kind::Integer),
    }
}

/// A fact that is a number, across the table's columns like [`wrapped`] text and
/// left-aligned like it, as a number cell of `kind`.
fn number_fact(sheet: &mut Worksheet, row: u32, kind: Kind, value: &str) -> Result<()> {
    let last = OVERVIEW_WIDTHS.len() as u16 - 1;
    let format = kind
        .format()
        .set_align(FormatAlign::Left)
        .set_align(FormatAlign::Top);
    let number: f64 = value
        .parse()
        .map_err(|_| Error::Other(format!("writing the overview: '{value}' is not a number")))?;
    sheet
        .merge_range(row, 1, row, last, "", &format)
        .map_err(xlsx_err)?;
    sheet
        .write_number_with_format(row, 1, number, &format)
        .map_err(xlsx_err)?;
    Ok(())
}

/// Writes `notes` from `row` down, one wrapped line each, and sets the columns: each
/// at its [`OVERVIEW_WIDTHS`] width, wider where a cell of the headline table needs it
/// (`fitted`: per column, the widest cell as shown [pixels, without padding]).
pub(super) fn closing(
    sheet: &mut Worksheet,
    mut row: u32,
    notes: &[String],
    fitted: &[u32],
) -> Result<()> {
    for note in notes {
        wrapped(sheet, row, 0, note)?;
        row += 1;
    }
    for (col, width) in OVERVIEW_WIDTHS.iter().enumerate() {
        sheet
            .set_column_width(col as u16, *width)
            .map_err(xlsx_err)?;
    }
    for (col, &w) in fitted.iter().enumerate() {
        // A column is 7 pixels a character and 5 of margin.
        let set = OVERVIEW_WIDTHS
            .get(col)
            .map_or(64, |c| (c * 7.0 + 5.0) as u32);
        if w + 7 > set {
            sheet
                .set_column_width_pixels(col as u16, (w + 7).min(MAX_WIDTH))
                .map_err(xlsx_err)?;
        }
    }
    Ok(())
}

/// The headline header row at `row`: bold, wrapped (at spaces only), centred; returns
/// per column the width of the header's longest word [pixels, without padding], which
/// its column needs so that no word breaks (`diff_ci_lo|w` in a 10.7-character column).
fn headline_header<S: AsRef<str>>(
    sheet: &mut Worksheet,
    row: u32,
    header: &[S],
) -> Result<Vec<u32>> {
    let bold = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center);
    sheet.set_row_height(row, 30).map_err(xlsx_err)?;
    let mut widths = Vec::with_capacity(header.len());
    for (c, h) in header.iter().enumerate() {
        sheet
            .write_string_with_format(row, c as u16, h.as_ref(), &bold)
            .map_err(xlsx_err)?;
        widths.push(bold_word_width(h.as_ref()));
    }
    Ok(widths)
}

/// The width [pixels] of the longest word of `text` in bold: about 8 pixels a
/// character (7 in the regular face).
pub(super) fn bold_word_width(text: &str) -> u32 {
    text.split(' ')
        .map(|w| 8 * w.chars().count() as u32)
        .max()
        .unwrap_or(0)
}

/// A headline table at `first`: `table` (rows of sheet `name`) with its header, its
/// cells formatted as on that sheet (`metric`: the rows' metric when the table has no
/// `metric` column); returns the next free row after a blank one, and per column the
/// widest cell as shown [pixels] (for [`closing`]).
pub(super) fn quoted(
    sheet: &mut Worksheet,
    first: u32,
    (name, table): (&str, &Table),
    metric: Option<&str>,
) -> Result<(u32, Vec<u32>)> {
    let mut widths = headline_header(sheet, first, &table.header)?;
    let column = table.column("metric").ok();
    let formats = Formats::indented();
    let mut row = first + 1;
    for cells in &table.rows {
        let row_metric = column.map(|m| &cells[m]).or(metric);
        for (c, text) in cells.iter().enumerate() {
            let k = kind(name, &table.header[c], row_metric);
            if let Some(w) = cell(sheet, (row, c as u16), k, text, &formats)? {
                widths[c] = widths[c].max(w);
            }
        }
        row += 1;
    }
    Ok((row + 1, widths))
}

/// Column widths of the overview sheet [characters]: the headline table's columns, wide
/// enough for their headers (wrapped on two lines) and for a date.
const OVERVIEW_WIDTHS: [f64; 7] = [18.0, 14.0, 14.0, 10.0, 10.0, 14.0, 10.0];

/// Text from column `col` to the headline table's last column, wrapped, its row as high
/// as the lines it needs (about 115 characters to a line across the table).
fn wrapped(sheet: &mut Worksheet, row: u32, col: u16, text: &str) -> Result<()> {
    let last = OVERVIEW_WIDTHS.len() as u16 - 1;
    let chars: f64 = OVERVIEW_WIDTHS[col as usize..].iter().sum();
    let lines = (text.chars().count() as f64 / (chars * 1.1))
        .ceil()
        .max(1.0);
    let format = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    sheet
        .merge_range(row, col, row, last, text, &format)
        .map_err(xlsx_err)?;
    if lines > 1.0 {
        sheet.set_row_height(row, 15.0 * lines).map_err(xlsx_err)?;
    }
    Ok(())
}

fn notes(trial_rows: u64, trials_fit: bool) -> Vec<String> {
    let mut notes = vec![
        String::new(),
        "How to read an interval: P(depleted) is the share of simulated futures in which the stock reached its floor by the horizon;".into(),
        "the 95% interval (Wilson) is where the true probability lies given the number of trials, not a range of outcomes.".into(),
        "The stock fan on the charts sheet shows the spread of outcomes: half of the futures lie between p25 and p75, 90% between p05 and p95.".into(),
    ];
    if !trials_fit {
        notes.push(format!(
            "trials.csv has {trial_rows} rows, more than an Excel sheet holds ({}): it is not in this workbook; open trials.csv instead.",
            EXCEL_MAX_ROWS - 1
        ));
    }
    notes
}

/// The terminal's headline table, with numbers and dates; returns the next free row and
/// per column the widest cell (for [`closing`]).
fn headline(sheet: &mut Worksheet, report: &Report, first: u32) -> Result<(u32, Vec<u32>)> {
    let header = [
        "nation",
        "item",
        "P(depleted by horizon)",
        "ci_low",
        "ci_high",
        "median depletion",
        "fill rate",
    ];
    let mut widths = headline_header(sheet, first, &header)?;
    let n = report.aggregate.trials;
    let formats = Formats::indented();
    let mut row = first + 1;
    for (i, s) in report.aggregate.series.iter().enumerate() {
        if report.is_channel(i) {
            continue;
        }
        let (nation, item) = report.labels(i);
        let ci = wilson(s.depleted, n);
        let p = s.depleted as f64 / n.max(1) as f64;
        let mut put = |col: u16, kind: Kind, text: &str| {
            let w = cell(sheet, (row, col), kind, text, &formats)?;
            let c = usize::from(col);
            widths[c] = widths[c].max(w.unwrap_or(0));
            Ok::<(), Error>(())
        };
        put(0, Kind::Text, nation)?;
        put(1, Kind::Text, item)?;
        for (c, v) in [(2, p), (3, ci.low), (4, ci.high)] {
            put(c, Kind::Percent, &v.to_string())?;
        }
        match depletion_quantile(s, n, 0.5)[0] {
            Some(day) => put(5, Kind::Date, &report.date(day))?,
            None => put(5, Kind::Text, "not by horizon")?,
        }
        if let (true, Some(r)) = (s.has_demand(), s.totals.fill.ratio()) {
            put(6, Kind::Percent, &r.min(1.0).to_string())?;
        }
        row += 1;
    }
    Ok((row + 1, widths))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each kind's number as a spreadsheet shows it in that kind's format, written out
    /// by hand.
    #[test]
    fn numbers_are_shown_as_their_format_shows_them() {
        let cases = [
            (185_984.0, Kind::Decimal, "185,984.00"),
            (-1_234_567.891, Kind::Decimal, "-1,234,567.89"),
            (999.995, Kind::Decimal, "1,000.00"),
            (12.0, Kind::Decimal, "12.00"),
            (1_000.0, Kind::Integer, "1,000"),
            (-999.0, Kind::Integer, "-999"),
            (123_456_789.4, Kind::Integer, "123,456,789"),
            (0.125, Kind::Percent, "12.5%"),
            (1.0, Kind::Percent, "100.0%"),
            (-0.5, Kind::Percent, "-50.0%"),
            (0.25, Kind::Index, "0.250"),
            (12_345.5, Kind::Index, "12345.500"),
            (2.5, Kind::Value, "2.5"),
            (20_220_224.0, Kind::Id, "20220224"),
        ];
        for (v, kind, text) in cases {
            assert_eq!(shown(v, kind.code()), text, "{v} as {kind:?}");
            assert_eq!(number_width(v, kind), 7 * text.len() as u32);
        }
    }
}
