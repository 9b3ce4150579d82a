//! `--xlsx`: the workbook read back with calamine holds the CSV tables' numbers, real
//! date cells, the trials, the charts over the expected ranges, and is reproducible
//! byte for byte.

use calamine::{Data, DataType, Reader, Xlsx, open_workbook};
use drawdown::export::CsvFormat;
use drawdown::model::Period;
use drawdown::pipeline::{self, Loaded, RunRequest};
use drawdown::runner::{Shard, Silent};
use std::io::Read;
use std::path::{Path, PathBuf};

/// A donor and a recipient with need, over a leap February.
pub(crate) const SCENARIO: &str = r#"
[scenario]
name = "book"
description = "Two nations, for the workbook tests."
start = "2024-01-10"
end = "2024-06-30"
[items.x]
[nations.donor.stock.x]
initial = 20000
floor = 5000
[nations.r.stock.x]
initial = 2000
[transfers.aid]
from = "donor"
to = "r"
item = "x"
start = "2024-01-15"
quantity = { dist = "uniform", min = 1500, max = 3000 }
every_days = 30
transit_days = 5
[demand.front]
nation = "r"
item = "x"
[demand.front.schedule.all]
from = "2024-01-10"
per_day = 80
"#;

fn run(out: &Path, threads: usize, csv: CsvFormat) -> PathBuf {
    run_shard(out, threads, csv, Shard::ALL)
}

fn run_shard(out: &Path, threads: usize, csv: CsvFormat, shard: Shard) -> PathBuf {
    let loaded = Loaded::from_text("<test>", SCENARIO, &[]).unwrap_or_else(|e| panic!("{e}"));
    let req = RunRequest {
        trials: 150,
        seed: Some(4),
        threads: Some(threads),
        out: Some(out.to_path_buf()),
        period: Some(Period::Month),
        csv,
        xlsx: true,
        shard,
        ..RunRequest::default()
    };
    pipeline::run(&loaded, &req, &Silent).unwrap().dir
}

/// Days from 1899-12-30 (Excel's day 0) to an ISO date.
fn serial(iso: &str) -> f64 {
    let d = drawdown::scenario::Date::parse(iso).unwrap();
    d.days_since(drawdown::scenario::Date::from_ymd(1899, 12, 30).unwrap()) as f64
}

/// Asserts that sheet `name` holds `name.csv`'s header and cells: numbers as numbers
/// (a relative change such as `+365` as text), dates as date cells, the rest as text;
/// returns the data rows.
pub(crate) fn assert_sheet_equals_csv(
    book: &mut Xlsx<std::io::BufReader<std::fs::File>>,
    dir: &Path,
    name: &str,
) -> usize {
    let range = book.worksheet_range(name).unwrap();
    let mut reader = csv::Reader::from_path(dir.join(format!("{name}.csv"))).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    assert_eq!(
        rows[0].iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        header,
        "{name}"
    );
    let mut dates = 0;
    let mut count = 0;
    for (k, record) in reader.records().enumerate() {
        let record = record.unwrap();
        let row = &rows[k + 1];
        for (c, text) in record.iter().enumerate() {
            let got = row.get(c).cloned().unwrap_or(Data::Empty);
            let column = &header[c];
            if text.is_empty() {
                assert_eq!(got, Data::Empty, "{name} row {k} {column}");
            } else if column == "date" || column.ends_with("_date") {
                let Data::DateTime(d) = got else {
                    panic!("{name} row {k} {column}: {got:?} is not a date cell")
                };
                assert_eq!(d.as_f64(), serial(text), "{name} row {k} {column}");
                dates += 1;
            } else if let Some(v) = text
                .parse::<f64>()
                .ok()
                .filter(|_| !text.starts_with(['+', '*']))
            {
                assert_eq!(got.as_f64(), Some(v), "{name} row {k} {column}: {got:?}");
                assert!(matches!(got, Data::Float(_) | Data::Int(_)), "{got:?}");
            } else {
                assert_eq!(got, Data::String(text.into()), "{name} row {k} {column}");
            }
        }
        count += 1;
    }
    assert_eq!(rows.len(), count + 1, "{name}: no extra rows");
    if header.iter().any(|h| h == "date") {
        assert!(dates > 0, "{name} has date cells");
    }
    count
}

#[test]
fn the_workbook_holds_the_csv_numbers_and_date_cells() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run(&tmp.path().join("a"), 2, CsvFormat::default());
    let path = dir.join("results.xlsx");
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "overview",
            "summary",
            "depletion",
            "stock",
            "shortfall",
            "charts",
            "trials",
            "fan_data",
            "need_data"
        ]
    );
    for name in ["summary", "depletion", "stock", "shortfall", "trials"] {
        assert!(assert_sheet_equals_csv(&mut book, &dir, name) > 0, "{name}");
    }
    let overview = book.worksheet_range("overview").unwrap();
    let text: Vec<String> = overview
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(text.contains(&"drawdown: book".to_string()));
    assert!(text.contains(&"Two nations, for the workbook tests.".to_string()));
    assert!(text.contains(&"4".to_string()), "the seed");
    assert!(
        text.iter()
            .any(|t| t.starts_with("How to read an interval"))
    );
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("\"results.xlsx\""),
        "listed in the manifest"
    );
}

/// The XML of every chart in the workbook.
pub(crate) fn chart_xml(path: &Path) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .filter(|n| n.starts_with("xl/charts/chart"))
        .collect();
    names.sort_by_key(|n| {
        n.trim_start_matches("xl/charts/chart")
            .trim_end_matches(".xml")
            .parse::<u32>()
            .unwrap_or(0)
    });
    names
        .iter()
        .map(|n| {
            let mut s = String::new();
            zip.by_name(n).unwrap().read_to_string(&mut s).unwrap();
            s
        })
        .collect()
}

#[test]
fn the_charts_read_the_stock_depletion_and_shortfall_cells() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run(&tmp.path().join("a"), 2, CsvFormat::default());
    let charts = chart_xml(&dir.join("results.xlsx"));
    // Monthly from 2024-01-10 to 2024-06-30: 6 reporting days per series, so the
    // donor's rows are 2..7 and the recipient's 8..13 of the stock sheet (date in D,
    // period in E, p05..p95 in G..K; depletion's p_depleted in F, shortfall's fill_rate
    // in K); the donor has no need (no fill-rate chart).
    assert_eq!(
        charts.len(),
        6,
        "donor: fan + depletion; recipient: fan + depletion + fill; item x: every nation's depletion"
    );
    // The fan: bands stacked from fan_data's base and widths (C..F), the median from
    // stock's p50 (I), the donor's floor from fan_data's G; dates from stock's D.
    let fan = &charts[0];
    assert!(fan.contains("<c:areaChart>") && fan.contains("<c:grouping val=\"stacked\"/>"));
    assert!(fan.contains("<c:f>stock!$D$2:$D$7</c:f>"), "{fan}");
    assert!(fan.contains("<c:f>stock!$I$2:$I$7</c:f>"), "median");
    for col in ["C", "D", "E", "F", "G"] {
        assert!(
            fan.contains(&format!("<c:f>fan_data!${col}$2:${col}$7</c:f>")),
            "fan_data column {col}"
        );
    }
    assert!(
        !charts[2].contains("fan_data!$G$"),
        "the recipient keeps no floor"
    );
    assert!(
        charts[1].contains("<c:f>depletion!$F$2:$F$7</c:f>"),
        "{}",
        charts[1]
    );
    assert!(charts[2].contains("<c:f>stock!$I$8:$I$13</c:f>"));
    assert!(
        charts[4].contains("<c:f>shortfall!$D$2:$D$7</c:f>"),
        "{}",
        charts[4]
    );
    assert!(
        charts[4].contains("<c:f>shortfall!$K$2:$K$7</c:f>"),
        "{}",
        charts[4]
    );
    for col in ["C", "D"] {
        assert!(
            charts[4].contains(&format!("<c:f>need_data!${col}$2:${col}$7</c:f>")),
            "need and fire per day"
        );
    }
    // Issue 11: the depletion curves of every nation holding item x on one chart, each
    // line named by its nation, with a legend.
    let every = &charts[5];
    for rows in ["$F$2:$F$7", "$F$8:$F$13"] {
        assert!(
            every.contains(&format!("<c:f>depletion!{rows}</c:f>")),
            "{every}"
        );
    }
    assert_eq!(every.matches("<c:ser>").count(), 2, "{every}");
    assert!(
        every.contains("<c:v>donor</c:v>") && every.contains("<c:v>r</c:v>"),
        "{every}"
    );
    assert!(every.contains("<c:legend>"), "{every}");
}

#[test]
fn fan_data_holds_the_band_widths_of_the_stock_sheet_and_the_floor() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run(&tmp.path().join("a"), 1, CsvFormat::default());
    let mut book: Xlsx<_> = open_workbook(dir.join("results.xlsx")).unwrap();
    let stock = book.worksheet_range("stock").unwrap();
    let data = book.worksheet_range("fan_data").unwrap();
    let formulas = book.worksheet_formula("fan_data").unwrap();
    assert_eq!(data.height(), stock.height(), "row for row");
    let num = |r: &calamine::Range<Data>, row: usize, col: usize| {
        r.get((row, col)).and_then(|d| d.as_f64()).unwrap()
    };
    // stock: p05..p95 in G..K (6..10); fan_data: p05, widths in C..F (2..5), floor G.
    for row in 1..stock.height() {
        assert_eq!(num(&data, row, 2), num(&stock, row, 6));
        assert_eq!(
            num(&data, row, 3),
            num(&stock, row, 7) - num(&stock, row, 6)
        );
        assert_eq!(
            num(&data, row, 4),
            num(&stock, row, 9) - num(&stock, row, 7)
        );
        assert_eq!(
            num(&data, row, 5),
            num(&stock, row, 10) - num(&stock, row, 9)
        );
        let donor = stock.get((row, 0)) == Some(&Data::String("donor".into()));
        assert_eq!(num(&data, row, 6), if donor { 5000.0 } else { 0.0 });
    }
    let first = formulas.get_value((1, 3)).cloned().unwrap_or_default();
    assert!(
        first.contains("stock!H2-stock!G2"),
        "a formula over the stock cells: {first}"
    );
    // need_data: shortfall's demanded_mean (H) and consumed_mean (I) per day of the
    // period from_day (F) to day (C).
    let shortfall = book.worksheet_range("shortfall").unwrap();
    let need = book.worksheet_range("need_data").unwrap();
    assert_eq!(need.height(), shortfall.height());
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    for row in 1..shortfall.height() {
        let days = num(&shortfall, row, 2) - num(&shortfall, row, 5) + 1.0;
        assert!(close(num(&need, row, 2), num(&shortfall, row, 7) / days));
        assert!(close(num(&need, row, 3), num(&shortfall, row, 8) / days));
    }
}

#[test]
fn the_workbook_is_reproducible_and_ignores_the_csv_locale() {
    let tmp = tempfile::tempdir().unwrap();
    let a = run(&tmp.path().join("a"), 1, CsvFormat::default());
    let b = run(
        &tmp.path().join("b"),
        2,
        CsvFormat::for_locale("fr").unwrap(),
    );
    assert_eq!(
        std::fs::read(a.join("results.xlsx")).unwrap(),
        std::fs::read(b.join("results.xlsx")).unwrap()
    );
}

#[test]
fn merged_shards_write_the_same_workbook() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = run(&tmp.path().join("whole"), 2, CsvFormat::default());
    let shards: Vec<PathBuf> = (1..=2)
        .map(|k| {
            let shard = Shard::parse(&format!("{k}/2")).unwrap();
            run_shard(
                &tmp.path().join(format!("s{k}")),
                1,
                CsvFormat::default(),
                shard,
            )
        })
        .collect();
    let merged = tmp.path().join("merged");
    pipeline::merge(&shards, &merged, false, None).unwrap();
    assert_eq!(
        std::fs::read(whole.join("results.xlsx")).unwrap(),
        std::fs::read(merged.join("results.xlsx")).unwrap()
    );
}

/// Nine nations each firing about 100 rounds a day from its own stock, over 150 days,
/// listed in the scenario out of the order of their stocks.
const NINE: &str = r#"
[scenario]
name = "nine"
description = "Nine nations depleting one after another, for the item depletion chart."
start = "2024-01-01"
end = "2024-05-29"
[items.x]
"#;

/// The nations of [`nine_nations`], in scenario order.
pub(crate) const NINE_NAMES: [&str; 9] = [
    "alba", "brea", "cova", "dune", "eska", "fara", "gora", "hali", "ivra",
];

/// [`NINE`] with its nations `alba` … `ivra`, nation `i` holding `1 000 · stocks[i]`
/// rounds and needing Poisson(100) a day (shared with the SVG chart's tests).
pub(crate) fn nine_nations(stocks: [u32; 9]) -> String {
    let mut text = NINE.to_string();
    for (name, k) in NINE_NAMES.iter().zip(stocks) {
        text += &format!(
            "[nations.{name}.stock.x]\ninitial = {}\n[demand.{name}_front]\nnation = \"{name}\"\nitem = \"x\"\n[demand.{name}_front.schedule.all]\nfrom = \"2024-01-01\"\nper_day = 100\n",
            1000 * k
        );
    }
    text
}

/// Issue 11 follow-up: on an item's depletion chart, the seven nations most likely to
/// deplete get a colour, most likely first, and the others are thin grey lines with
/// one legend entry. By hand: nation `k` holds `1 000·k` rounds and needs Poisson(100) a
/// day, so it runs out near day `10·k` (±1 day: the need by then has sd √(1 000·k) ≤ 95
/// rounds); all nine are out by day 150, so every P at the horizon is 1 and the order is
/// the order of running out (the larger area under the curve): stocks 1 000 … 7 000 in
/// colour, 8 000 and 9 000 grey (in scenario order, as the SVG chart ranks them).
#[test]
fn an_items_depletion_chart_colours_the_seven_most_likely_and_greys_the_rest() {
    let stocks = [5, 9, 1, 7, 3, 8, 2, 6, 4];
    let names = NINE_NAMES;
    let text = nine_nations(stocks);
    let loaded = Loaded::from_text("<test>", &text, &[]).unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap();
    let req = RunRequest {
        trials: 40,
        seed: Some(4),
        threads: Some(1),
        out: Some(tmp.path().join("a")),
        period: Some(Period::Days(5)),
        xlsx: true,
        ..RunRequest::default()
    };
    let dir = pipeline::run(&loaded, &req, &Silent).unwrap().dir;
    let charts = chart_xml(&dir.join("results.xlsx"));
    let every = charts
        .iter()
        .find(|c| c.contains("every nation"))
        .expect("the item's depletion chart");
    let names_in_order: Vec<&str> = every
        .split("<c:ser>")
        .skip(1)
        .map(|ser| {
            let v = ser.split("<c:v>").nth(1).expect("a series name");
            &v[..v.find("</c:v>").expect("a closed name")]
        })
        .collect();
    let mut by_stock: Vec<(u32, &str)> = stocks.iter().copied().zip(names).collect();
    by_stock.sort();
    let mut want: Vec<&str> = by_stock[..7].iter().map(|&(_, n)| n).collect();
    // The grey lines in scenario order, as on the SVG: brea (9 000), then fara (8 000),
    // the first named for both.
    let grey: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !want.contains(n))
        .collect();
    assert_eq!(grey, ["brea", "fara"]);
    want.extend(["2 other nations", grey[1]]);
    assert_eq!(names_in_order, want, "{every}");
    // The coloured lines in the SVG charts' colours and order (Okabe–Ito), …
    let first = every.split("<c:ser>").nth(1).unwrap();
    assert!(first.contains("0072B2"), "{first}");
    assert!(
        every.contains("D55E00") && every.contains("000000"),
        "{every}"
    );
    // … the two grey lines, and only the first of them in the legend.
    assert_eq!(every.matches("969696").count(), 2, "{every}");
    assert!(
        every.contains("<c:legendEntry><c:idx val=\"8\"/><c:delete val=\"1\"/></c:legendEntry>"),
        "{every}"
    );
    assert_eq!(every.matches("<c:legendEntry>").count(), 1, "{every}");
}

/// The workbook's sheets go through unnamed temporary files: without a writable
/// temporary folder the run fails with a message that says how to give it one, and
/// leaves no result folder behind.
#[test]
fn an_unwritable_temporary_folder_is_named_and_nothing_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("book.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let out = dir.path().join("out");
    let missing = dir.path().join("no-such-folder");
    let result = std::process::Command::new(env!("CARGO_BIN_EXE_drawdown"))
        .args(["run", "-n", "16", "-q", "--xlsx", "-o"])
        .arg(&out)
        .arg(&scenario)
        .env("TMPDIR", &missing)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("set TMPDIR to a writable folder"),
        "{stderr}"
    );
    assert!(stderr.contains("no-such-folder"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        ["book.toml"],
        "no result folder, no staging folder left"
    );
    assert!(!missing.exists());
}

/// What a spreadsheet shows for number `v` in format `code` (the formats drawdown
/// uses), written out by hand: `#,##0.00` shows 185984 as `185,984.00`.
fn shown(v: f64, code: &str) -> String {
    let grouped = |decimals: usize| {
        let text = format!("{:.*}", decimals, v.abs());
        let (whole, rest) = text.split_at(text.find('.').unwrap_or(text.len()));
        let mut out = String::new();
        for (i, ch) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        format!("{}{out}{rest}", if v < 0.0 { "-" } else { "" })
    };
    match code {
        "#,##0" => grouped(0),
        "#,##0.00" => grouped(2),
        "0.0%" => format!("{:.1}%", v * 100.0),
        "0.000" => format!("{v:.3}"),
        "yyyy-mm-dd" => "2024-01-01".into(),
        _ => v.to_string(),
    }
}

/// A sheet's `<col min="a" max="b" width="w" …/>` entries: width in characters of the
/// default font.
pub(crate) fn column_widths(xml: &str) -> Vec<(u32, u32, f64)> {
    xml.split("<col ")
        .skip(1)
        .map(|c| {
            let attr = |key: &str| {
                let rest = &c[c.find(&format!("{key}=\"")).unwrap() + key.len() + 2..];
                rest[..rest.find('"').unwrap()].to_string()
            };
            (
                attr("min").parse().unwrap(),
                attr("max").parse().unwrap(),
                attr("width").parse().unwrap(),
            )
        })
        .collect()
}

/// Checks every number cell of sheet `name`, `<c r="F2" s="4"><v>185984</v></c>` (a
/// formula's cached value too), against its column's width, (7 × characters + 7 − 5) / 7
/// (a column without a width entry has Excel's default, 8.43); returns how many.
pub(crate) fn numbers_fit(
    name: &str,
    xml: &str,
    widths: &[(u32, u32, f64)],
    formats: &[String],
) -> usize {
    let mut checked = 0;
    for c in xml.split("<c r=\"").skip(1) {
        let tag = &c[..c.find('>').unwrap()];
        if tag.contains(" t=\"") || !c.contains("<v>") {
            continue;
        }
        let col = c
            .chars()
            .take_while(char::is_ascii_uppercase)
            .fold(0u32, |n, ch| n * 26 + (ch as u32 - 'A' as u32 + 1));
        let style: usize = tag.find(" s=\"").map_or(0, |at| {
            tag[at + 4..at + 4 + tag[at + 4..].find('"').unwrap()]
                .parse()
                .unwrap()
        });
        let v: f64 = c[c.find("<v>").unwrap() + 3..c.find("</v>").unwrap()]
            .parse()
            .unwrap();
        let text = shown(v, &formats[style]);
        let least = f64::from(7 * text.len() as u32 + 2) / 7.0;
        let width = widths
            .iter()
            .find(|(lo, hi, _)| (*lo..=*hi).contains(&col))
            .map_or(8.43, |w| w.2);
        assert!(
            width + 0.01 >= least,
            "{name}: column {col} is {width} wide, '{text}' ({v} as {}) needs {least}",
            formats[style]
        );
        checked += 1;
    }
    checked
}

/// The number format of each cell style of a workbook (`styles.xml`): `cellXfs` in
/// order, by `numFmtId` (the custom formats of `numFmts`; 0 is General).
pub(crate) fn style_formats(styles: &str) -> Vec<String> {
    let attr = |tag: &str, key: &str| -> Option<String> {
        let at = tag.find(&format!(" {key}=\""))? + key.len() + 3;
        Some(tag[at..at + tag[at..].find('"')?].to_string())
    };
    let custom: Vec<(String, String)> = styles
        .split("<numFmt ")
        .skip(1)
        .map(|t| {
            let t = format!(" {t}");
            (
                attr(&t, "numFmtId").unwrap(),
                attr(&t, "formatCode").unwrap(),
            )
        })
        .collect();
    let xfs = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
    xfs.split("<xf ")
        .skip(1)
        .map(|t| {
            let id = attr(&format!(" {t}"), "numFmtId").unwrap_or_else(|| "0".into());
            custom
                .iter()
                .find(|(i, _)| *i == id)
                .map_or_else(|| "General".to_string(), |(_, c)| c.clone())
        })
        .collect()
}

/// The data sheets are written row by row, where `autofit` sees one row only, so their
/// widths are fitted as the cells are written: every column of every data sheet has a
/// width, at least that of its header text (7 pixels a character, plus the filter's
/// arrow where there is one) and of every number in it as its format shows it (a
/// spreadsheet shows `###` for a number wider than its column).
#[test]
fn every_data_column_is_fitted_to_its_header_and_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run(&tmp.path().join("a"), 1, CsvFormat::default());
    let path = dir.join("results.xlsx");
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let names = book.sheet_names();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut styles = String::new();
    zip.by_name("xl/styles.xml")
        .unwrap()
        .read_to_string(&mut styles)
        .unwrap();
    let formats = style_formats(&styles);
    let mut numbers_checked = 0;
    for (i, name) in names.iter().enumerate() {
        if matches!(name.as_str(), "overview" | "charts") {
            continue;
        }
        let range = book.worksheet_range(name).unwrap();
        let mut xml = String::new();
        zip.by_name(&format!("xl/worksheets/sheet{}.xml", i + 1))
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        let widths = column_widths(&xml);
        let filter = xml.contains("<autoFilter");
        for c in 0..range.width() as u32 {
            let header = range.get((0, c as usize)).unwrap().to_string();
            let (_, _, width) = widths
                .iter()
                .find(|(lo, hi, _)| (*lo..=*hi).contains(&(c + 1)))
                .unwrap_or_else(|| panic!("{name}: column {} has no width", c + 1));
            // Pixels to Excel's character width: (pixels − 5) / 7 for the default font.
            let pixels = 7 * header.chars().count() as u32 + if filter { 16 } else { 0 } + 7;
            let least = f64::from(pixels - 5) / 7.0;
            assert!(
                *width + 0.01 >= least,
                "{name}: column {header} is {width} wide, its header needs {least}"
            );
        }
        numbers_checked += numbers_fit(name, &xml, &widths, &formats);
    }
    assert!(numbers_checked > 1000, "{numbers_checked} numbers checked");
}

/// The `<c:valAx>` of `chart` whose title holds `name`: its `(min, max, major unit,
/// number format)` (`None` for what is not set).
pub(crate) fn value_axis(
    chart: &str,
    name: &str,
) -> (Option<f64>, Option<f64>, Option<f64>, String) {
    let axis = chart
        .split("<c:valAx>")
        .skip(1)
        .map(|a| &a[..a.find("</c:valAx>").unwrap()])
        .find(|a| a.contains(name))
        .unwrap_or_else(|| panic!("no value axis '{name}' in {chart}"));
    let val = |tag: &str| -> Option<f64> {
        let at = axis.find(&format!("<c:{tag} val=\""))? + tag.len() + 9;
        axis[at..at + axis[at..].find('"')?].parse().ok()
    };
    let code = axis
        .find("formatCode=\"")
        .map(|at| {
            let rest = &axis[at + 12..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .unwrap_or_default();
    (val("min"), val("max"), val("majorUnit"), code)
}

/// QA round 6, the most misleading: the need chart's "rounds per day" axis had no
/// minimum, so Excel and LibreOffice zoomed into a flat series' noise (the US's 218 to
/// 221 rounds a day filled the chart) and `#,##0` labelled a small one `5, 4, 4`. Now
/// it starts at 0, as the SVG does, and its labels, as their format shows them, all
/// differ: at 80 rounds a day and at 4 (about 3.5 to 4.5 a month, which `#,##0`
/// showed as repeated labels).
#[test]
fn the_need_charts_axis_starts_at_zero_and_no_two_labels_read_alike() {
    for per_day in ["80", "4", "0.3"] {
        let set = [format!("demand.front.schedule.all.per_day={per_day}")];
        let loaded = Loaded::from_text("<test>", SCENARIO, &set).unwrap_or_else(|e| panic!("{e}"));
        let tmp = tempfile::tempdir().unwrap();
        let req = RunRequest {
            trials: 60,
            seed: Some(4),
            threads: Some(1),
            out: Some(tmp.path().join("a")),
            period: Some(Period::Month),
            xlsx: true,
            ..RunRequest::default()
        };
        let dir = pipeline::run(&loaded, &req, &Silent).unwrap().dir;
        let charts = chart_xml(&dir.join("results.xlsx"));
        let need = charts
            .iter()
            .find(|c| c.contains("need, fire and fill rate"))
            .expect("the need chart");
        let (min, max, unit, code) = value_axis(need, "rounds per day");
        assert_eq!(min, Some(0.0), "{per_day}: {need}");
        let (max, unit) = (max.expect("a top"), unit.expect("a label step"));
        // The largest need or fire per day (need_data's cells) lies under the top.
        let mut book: Xlsx<_> = open_workbook(dir.join("results.xlsx")).unwrap();
        let data = book.worksheet_range("need_data").unwrap();
        let largest = data
            .rows()
            .skip(1)
            .flat_map(|r| [r[2].as_f64(), r[3].as_f64()])
            .flatten()
            .fold(0.0, f64::max);
        assert!(
            largest > 0.0 && largest <= max,
            "{per_day}: {largest} > {max}"
        );
        let labels: Vec<String> = (0..=(max / unit).round() as usize)
            .map(|k| shown(k as f64 * unit, &code))
            .collect();
        let mut distinct = labels.clone();
        distinct.dedup();
        assert_eq!(distinct, labels, "{per_day}: {code}");
        assert!(labels.len() >= 4, "{labels:?}");
    }
}

/// The cell styles of a workbook (`cellXfs` in order): whether each indents its text.
fn style_indents(styles: &str) -> Vec<bool> {
    let xfs = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
    xfs.split("<xf ")
        .skip(1)
        .map(|t| {
            let t = &t[..t.find("</xf>").or_else(|| t.find("/>")).unwrap_or(t.len())];
            t.contains("indent=\"1\"")
        })
        .collect()
}

/// A sheet's cells as `(reference, style index, raw XML)`.
pub(crate) fn cells(xml: &str) -> Vec<(String, usize, String)> {
    xml.split("<c r=\"")
        .skip(1)
        .map(|c| {
            let reference = c[..c.find('"').unwrap()].to_string();
            let tag = &c[..c.find('>').unwrap()];
            let style = tag.find(" s=\"").map_or(0, |at| {
                tag[at + 4..at + 4 + tag[at + 4..].find('"').unwrap()]
                    .parse()
                    .unwrap()
            });
            let end = c.find("</c>").map_or(tag.len(), |e| e + 4);
            (reference, style, c[..end].to_string())
        })
        .collect()
}

/// Reads `name` of the zip at `path`.
pub(crate) fn zipped(path: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// QA round 6: the overview wrote the seed and the trials as text (`'4'`, `'150'`);
/// its table's text ran into the right-aligned number before it (`0.8%not by
/// horizon`); the summary showed the depletion day's quantiles, whole days, as
/// `592.00`. Now the seed and the trials are number cells (the seed without
/// thousands separators), the table's text cells are indented, and the whole-day and
/// whole-round quantiles of the summary are `#,##0` like the trials' days.
#[test]
fn the_overview_writes_numbers_as_numbers_and_sets_its_text_off() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run(&tmp.path().join("a"), 1, CsvFormat::default());
    let path = dir.join("results.xlsx");
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let overview = book.worksheet_range("overview").unwrap();
    let fact = |label: &str| {
        let row = overview
            .rows()
            .find(|r| r[0] == Data::String(label.into()))
            .unwrap_or_else(|| panic!("no {label}"));
        row[1].clone()
    };
    assert_eq!(fact("seed"), Data::Float(4.0));
    assert_eq!(fact("trials"), Data::Float(150.0));
    let styles = zipped(&path, "xl/styles.xml");
    let (formats, indents) = (style_formats(&styles), style_indents(&styles));
    let sheet = zipped(&path, "xl/worksheets/sheet1.xml");
    let front = cells(&sheet);
    let seed = front.iter().find(|c| c.0 == "B5").unwrap();
    assert_eq!(formats[seed.1], "0", "the seed: {seed:?}");
    // The headline table: its text cells (nation, item, 'not by horizon') indented.
    let header = overview
        .rows()
        .position(|r| r[0] == Data::String("nation".into()))
        .unwrap();
    let row_of = |r: &str| -> usize { r.trim_start_matches(char::is_alphabetic).parse().unwrap() };
    let text: Vec<_> = front
        .iter()
        .filter(|(r, _, _)| (header + 2..=header + 3).contains(&row_of(r)))
        .filter(|(_, _, xml)| xml.contains("t=\"s\""))
        .collect();
    assert!(text.len() >= 4, "nation and item of two rows: {sheet}");
    for (r, style, xml) in &text {
        assert!(indents[*style], "{r} is not indented: {xml}");
    }
    // The summary: whole days and whole rounds as #,##0, means with decimals.
    let summary = book.worksheet_range("summary").unwrap();
    let sheet2 = zipped(&path, "xl/worksheets/sheet2.xml");
    let cells2 = cells(&sheet2);
    let mut whole = 0;
    for (k, row) in summary.rows().enumerate().skip(1) {
        let metric = row[2].to_string();
        let Some(estimate) = cells2.iter().find(|c| c.0 == format!("D{}", k + 1)) else {
            continue;
        };
        if !estimate.2.contains("<v>") {
            continue;
        }
        let want = if metric.starts_with("depletion_day_p") || metric.starts_with("final_stock_p") {
            whole += 1;
            "#,##0"
        } else if metric == "p_depleted" || metric == "fill_rate" {
            "0.0%"
        } else {
            "#,##0.00"
        };
        assert_eq!(formats[estimate.1], want, "summary {metric}");
    }
    assert!(whole >= 6, "{whole} whole-number rows checked");
}
