//! `--xlsx` on `sweep`, `tornado` and `sobol`, and `sweep --tables`: the workbook read
//! back holds the CSV numbers, its charts read the expected cells, it is reproducible
//! byte for byte; a point's per-day tables are those of `run` with the same values.

use crate::workbook::{
    SCENARIO, assert_sheet_equals_csv, chart_xml, column_widths, numbers_fit, style_formats,
    value_axis, zipped,
};
use calamine::{Data, DataType, Range, Reader, Xlsx, open_workbook};
use drawdown::model::Period;
use drawdown::pipeline::{self, Loaded, RunRequest, SensitivityRequest, SweepRequest};
use drawdown::runner::Silent;
use std::path::{Path, PathBuf};

fn loaded() -> Loaded {
    Loaded::from_text("<test>", SCENARIO, &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// Three points of the donor's stock (the second equal to the baseline's 20000).
const VARY: &str = "nations.donor.stock.x.initial=10000,20000,30000";

fn sweep_req(out: &Path, threads: usize) -> SweepRequest {
    SweepRequest {
        vary: vec![VARY.to_string()],
        trials: 120,
        seed: Some(5),
        threads: Some(threads),
        out: Some(out.to_path_buf()),
        xlsx: true,
        ..SweepRequest::default()
    }
}

fn sweep(out: &Path, threads: usize) -> PathBuf {
    pipeline::sweep(&loaded(), &sweep_req(out, threads), &Silent)
        .unwrap_or_else(|e| panic!("{e}"))
        .dir
}

fn book(dir: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(dir.join("results.xlsx")).unwrap()
}

fn text_of(range: &Range<Data>) -> Vec<String> {
    range
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect()
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let mut out = vec![reader.headers().unwrap().iter().map(String::from).collect()];
    for r in reader.records() {
        out.push(r.unwrap().iter().map(String::from).collect());
    }
    out
}

fn col(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|h| h == name).unwrap()
}

#[test]
fn a_sweep_workbook_holds_its_tables_a_front_sheet_and_a_chart_per_metric() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = sweep(&tmp.path().join("s"), 2);
    let mut wb = book(&dir);
    assert_eq!(
        wb.sheet_names(),
        ["overview", "sweep", "points", "charts", "sweep_data"]
    );
    assert!(assert_sheet_equals_csv(&mut wb, &dir, "sweep") > 0);
    assert_eq!(assert_sheet_equals_csv(&mut wb, &dir, "points"), 3);
    let front = text_of(&wb.worksheet_range("overview").unwrap());
    assert!(
        front.contains(&"drawdown sweep: book".to_string()),
        "{front:?}"
    );
    assert!(front.contains(&"5".to_string()), "the seed");
    assert!(front.iter().any(|t| t.contains(VARY)), "the command");
    assert!(
        front
            .iter()
            .any(|t| t.starts_with("How to read a paired difference"))
    );
    // The headline quotes r.x's fill rate at each point (three rows).
    assert_eq!(front.iter().filter(|t| *t == "fill_rate").count(), 3);

    // sweep.csv: per point, donor.x (3 metrics) then r.x (7 metrics); point k's r.x
    // fill_rate is the last of them, data row 10k (Excel row 10k + 1).
    let rows = csv_rows(&dir.join("sweep.csv"));
    let (metric, est) = (col(&rows, "metric"), col(&rows, "estimate"));
    let fill: Vec<usize> = (1..rows.len())
        .filter(|&r| rows[r][metric] == "fill_rate")
        .collect();
    assert_eq!(fill, [10, 20, 30], "{rows:?}");

    let charts = chart_xml(&dir.join("results.xlsx"));
    // fill_rate, p_depleted, unmet_mean, final_stock_mean.
    assert_eq!(charts.len(), 4, "one chart per metric");
    let first = &charts[0];
    assert!(first.contains("<c:lineChart>"), "{first}");
    assert!(first.contains("fill_rate by sweep point"), "{first}");
    assert!(first.contains("<c:f>sweep_data!$B$2:$B$4</c:f>"), "points");
    assert!(
        first.contains("<c:f>sweep_data!$C$2:$C$4</c:f>"),
        "estimate"
    );
    assert!(first.contains("<c:errBars>"), "{first}");
    assert!(
        first.contains("<c:plus><c:numRef><c:f>sweep_data!$E$2:$E$4</c:f>"),
        "{first}"
    );
    assert!(
        first.contains("<c:minus><c:numRef><c:f>sweep_data!$D$2:$D$4</c:f>"),
        "{first}"
    );
    assert_eq!(
        first.matches("<c:ser>").count(),
        1,
        "only r.x has a fill rate"
    );
    // final_stock_mean: r.x (the recipient) and the donor, whose stock the sweep moves.
    let last = &charts[3];
    assert_eq!(last.matches("<c:ser>").count(), 2, "{last}");
    assert!(last.contains("<c:v>r.x</c:v>") && last.contains("<c:v>donor.x</c:v>"));

    // sweep_data: r.x's fill rate and the distances to its interval's ends, as
    // formulas over the sweep sheet with their values.
    let data = wb.worksheet_range("sweep_data").unwrap();
    let formulas = wb.worksheet_formula("sweep_data").unwrap();
    let (lo, hi) = (col(&rows, "ci_low"), col(&rows, "ci_high"));
    let num = |r: &str| r.parse::<f64>().unwrap();
    for (p, &r) in fill.iter().enumerate() {
        let at = p + 1;
        let get = |c: usize| data.get((at, c)).and_then(|d| d.as_f64()).unwrap();
        assert_eq!(get(2), num(&rows[r][est]));
        assert!((get(3) - (num(&rows[r][est]) - num(&rows[r][lo]))).abs() < 1e-12);
        assert!((get(4) - (num(&rows[r][hi]) - num(&rows[r][est]))).abs() < 1e-12);
        assert_eq!(data.get((at, 1)), Some(&Data::String(rows[r][1].clone())));
    }
    let f = formulas.get_value((1, 2)).cloned().unwrap_or_default();
    assert_eq!(f, "sweep!F11", "a formula over the sweep's estimate cell");
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"results.xlsx\"") && manifest.contains("\"xlsx\": true"));
}

#[test]
fn analysis_workbooks_are_reproducible_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let a = sweep(&tmp.path().join("a"), 1);
    let b = sweep(&tmp.path().join("b"), 2);
    let bytes = |d: &Path| std::fs::read(d.join("results.xlsx")).unwrap();
    assert_eq!(bytes(&a), bytes(&b));
    let t1 = tornado(&tmp.path().join("t1"), 1);
    let t2 = tornado(&tmp.path().join("t2"), 2);
    assert_eq!(bytes(&t1), bytes(&t2));
    let s1 = sobol(&tmp.path().join("o1"), 1);
    let s2 = sobol(&tmp.path().join("o2"), 2);
    assert_eq!(bytes(&s1), bytes(&s2));
}

fn design_req(out: &Path, vary: &[&str], threads: usize) -> SensitivityRequest {
    SensitivityRequest {
        vary: vary.iter().map(|s| s.to_string()).collect(),
        trials: 60,
        base_rows: 16,
        seed: Some(8),
        threads: Some(threads),
        out: Some(out.to_path_buf()),
        xlsx: true,
        ..SensitivityRequest::default()
    }
}

fn tornado(out: &Path, threads: usize) -> PathBuf {
    let vary = [
        "nations.r.stock.x.initial=1000,3000",
        "nations.donor.stock.x.initial=10000,30000",
        "nations.donor.stock.x.floor=2000,8000",
    ];
    pipeline::sensitivity::tornado(&loaded(), &design_req(out, &vary, threads), &Silent)
        .unwrap_or_else(|e| panic!("{e}"))
        .dir
}

fn sobol(out: &Path, threads: usize) -> PathBuf {
    let vary = [
        "nations.r.stock.x.initial=1000,3000",
        "nations.donor.stock.x.initial=10000,30000",
    ];
    let req = SensitivityRequest {
        trials: 2,
        ..design_req(out, &vary, threads)
    };
    pipeline::sensitivity::sobol(&loaded(), &req, &Silent)
        .unwrap_or_else(|e| panic!("{e}"))
        .dir
}

#[test]
fn the_tornado_workbook_charts_the_low_and_high_changes_ranked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tornado(&tmp.path().join("t"), 2);
    let mut wb = book(&dir);
    assert_eq!(wb.sheet_names(), ["overview", "tornado", "charts"]);
    assert_eq!(assert_sheet_equals_csv(&mut wb, &dir, "tornado"), 3);
    let front = text_of(&wb.worksheet_range("overview").unwrap());
    assert!(front.iter().any(|t| t.starts_with("How to read a bar")));
    assert!(front.contains(&"nations.r.stock.x.initial".to_string()));
    let charts = chart_xml(&dir.join("results.xlsx"));
    assert_eq!(charts.len(), 1);
    let c = &charts[0];
    assert!(
        c.contains("<c:barChart>") && c.contains("<c:barDir val=\"bar\"/>"),
        "{c}"
    );
    // input in B, diff_low in M, diff_high in P; three bars, largest swing on top.
    assert!(c.contains("<c:f>tornado!$B$2:$B$4</c:f>"), "{c}");
    assert!(c.contains("<c:f>tornado!$M$2:$M$4</c:f>"), "{c}");
    assert!(c.contains("<c:f>tornado!$P$2:$P$4</c:f>"), "{c}");
    assert!(c.contains("<c:overlap val=\"100\"/>"), "{c}");
    assert!(
        c.contains("<c:orientation val=\"maxMin\"/>"),
        "rank 1 on top: {c}"
    );
    let rows = csv_rows(&dir.join("tornado.csv"));
    assert_eq!(rows[0][1], "input");
    assert_eq!(rows[0][12], "diff_low");
    assert_eq!(rows[0][15], "diff_high");
}

#[test]
fn the_sobol_workbook_charts_both_indices_with_their_intervals() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = sobol(&tmp.path().join("o"), 2);
    let mut wb = book(&dir);
    assert_eq!(
        wb.sheet_names(),
        ["overview", "sobol", "charts", "sobol_data"]
    );
    assert_eq!(assert_sheet_equals_csv(&mut wb, &dir, "sobol"), 2);
    let charts = chart_xml(&dir.join("results.xlsx"));
    assert_eq!(charts.len(), 1);
    let c = &charts[0];
    assert!(c.contains("<c:f>sobol!$A$2:$A$3</c:f>"), "{c}");
    assert!(c.contains("<c:f>sobol!$I$2:$I$3</c:f>"), "total: {c}");
    assert!(c.contains("<c:f>sobol!$F$2:$F$3</c:f>"), "first order: {c}");
    for (plus, minus) in [("E", "D"), ("C", "B")] {
        assert!(
            c.contains(&format!(
                "<c:plus><c:numRef><c:f>sobol_data!${plus}$2:${plus}$3</c:f>"
            )),
            "{c}"
        );
        assert!(
            c.contains(&format!(
                "<c:minus><c:numRef><c:f>sobol_data!${minus}$2:${minus}$3</c:f>"
            )),
            "{c}"
        );
    }
    let rows = csv_rows(&dir.join("sobol.csv"));
    let data = wb.worksheet_range("sobol_data").unwrap();
    let n = |r: usize, name: &str| rows[r][col(&rows, name)].parse::<f64>().unwrap();
    for r in 1..rows.len() {
        let get = |c: usize| data.get((r, c)).and_then(|d| d.as_f64()).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(get(1), n(r, "first_order") - n(r, "first_ci_low")));
        assert!(close(get(2), n(r, "first_ci_high") - n(r, "first_order")));
        assert!(close(get(3), n(r, "total") - n(r, "total_ci_low")));
        assert!(close(get(4), n(r, "total_ci_high") - n(r, "total")));
    }
}

#[test]
fn sweep_tables_are_those_of_run_with_the_same_values_and_seed() {
    let tmp = tempfile::tempdir().unwrap();
    let req = SweepRequest {
        xlsx: false,
        tables: true,
        period: Period::Month,
        ..sweep_req(&tmp.path().join("s"), 2)
    };
    let dir = pipeline::sweep(&loaded(), &req, &Silent).unwrap().dir;
    let plain = sweep(&tmp.path().join("plain"), 2);
    assert_eq!(
        std::fs::read(dir.join("sweep.csv")).unwrap(),
        std::fs::read(plain.join("sweep.csv")).unwrap(),
        "the per-trial totals do not depend on the reporting period"
    );
    let files = ["summary.csv", "depletion.csv", "stock.csv", "shortfall.csv"];
    for (folder, value) in [
        ("baseline", None),
        ("1", Some(10000)),
        ("2", Some(20000)),
        ("3", Some(30000)),
    ] {
        let set: Vec<String> = value
            .map(|v| vec![format!("nations.donor.stock.x.initial={v}")])
            .unwrap_or_default();
        let run_loaded = Loaded::from_text("<test>", SCENARIO, &set).unwrap();
        let run_req = RunRequest {
            trials: 120,
            seed: Some(5),
            threads: Some(1),
            out: Some(tmp.path().join(format!("run-{folder}"))),
            period: Some(Period::Month),
            ..RunRequest::default()
        };
        let run = pipeline::run(&run_loaded, &run_req, &Silent).unwrap().dir;
        let point = dir.join("points").join(folder);
        let mut names: Vec<String> = std::fs::read_dir(&point)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["depletion.csv", "shortfall.csv", "stock.csv", "summary.csv"]
        );
        for f in files {
            assert_eq!(
                std::fs::read_to_string(point.join(f)).unwrap(),
                std::fs::read_to_string(run.join(f)).unwrap(),
                "points/{folder}/{f}"
            );
        }
    }
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"points/2/stock.csv\""), "{manifest}");
    assert!(!plain.join("points").exists(), "no tables without --tables");
}

/// A relative change keeps its sign on the front sheet: `+=5000` shows its points as
/// `+0` and `+5000` (text, as in sweep.csv), not as the numbers 0.00 and 5000.00.
#[test]
fn a_relative_change_reads_as_written_on_the_front_sheet() {
    let tmp = tempfile::tempdir().unwrap();
    let req = SweepRequest {
        vary: vec!["nations.donor.stock.x.initial+=0,5000".to_string()],
        ..sweep_req(&tmp.path().join("s"), 1)
    };
    let dir = pipeline::sweep(&loaded(), &req, &Silent)
        .unwrap_or_else(|e| panic!("{e}"))
        .dir;
    let front = text_of(&book(&dir).worksheet_range("overview").unwrap());
    assert!(front.contains(&"+5000".to_string()), "{front:?}");
    assert!(!front.contains(&"5000".to_string()), "{front:?}");
}

/// The overview's headline table fits its numbers as their formats show them: a count
/// metric of tens of millions in the `0.000` format (`29214563.074`, 12 characters)
/// was written into a fixed 10.71-character column, which a spreadsheet shows as `###`.
#[test]
fn the_overview_fits_large_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let vary = ["nations.donor.stock.x.initial=10000000,30000000"];
    let req = SensitivityRequest {
        series: Some("donor.x".into()),
        metric: Some("final_stock_mean".into()),
        ..design_req(&tmp.path().join("t"), &vary, 1)
    };
    let dir = pipeline::sensitivity::tornado(&loaded(), &req, &Silent)
        .unwrap_or_else(|e| panic!("{e}"))
        .dir;
    let path = dir.join("results.xlsx");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let read = |zip: &mut zip::ZipArchive<std::fs::File>, name: &str| {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
        text
    };
    let formats = style_formats(&read(&mut zip, "xl/styles.xml"));
    let overview = read(&mut zip, "xl/worksheets/sheet1.xml");
    assert!(
        overview.contains("<v>30000000</v>") || overview.contains("E+"),
        "{overview}"
    );
    let checked = numbers_fit("overview", &overview, &column_widths(&overview), &formats);
    assert!(checked >= 4, "{checked} numbers checked");
}

/// QA round 6: the sobol chart's axis ran from −0.15 to 0.25 while its error bars
/// reached −0.302 and 0.396, cut at the axis. Now the axis holds every charted
/// estimate and interval end, with a margin.
#[test]
fn the_sobol_axis_holds_every_error_bar() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = sobol(&tmp.path().join("o"), 1);
    let chart = &chart_xml(&dir.join("results.xlsx"))[0];
    let (min, max, unit, _) = value_axis(chart, "share of the output's variance");
    let (min, max) = (min.expect("a minimum"), max.expect("a maximum"));
    assert!(unit.is_some(), "{chart}");
    let rows = csv_rows(&dir.join("sobol.csv"));
    let ends: Vec<f64> = rows[1..]
        .iter()
        .flat_map(|r| {
            [
                "first_order",
                "first_ci_low",
                "first_ci_high",
                "total",
                "total_ci_low",
                "total_ci_high",
            ]
            .map(|c| r[col(&rows, c)].parse::<f64>().unwrap())
        })
        .collect();
    let (lo, hi) = ends
        .iter()
        .fold((0.0f64, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
    assert!(min < lo || (min == 0.0 && lo == 0.0), "{min} cuts {lo}");
    assert!(max > hi, "{max} cuts {hi}");
    assert!(
        max - min < 2.0 * (hi - lo) + 0.2,
        "a small margin: {min}..{max} for {lo}..{hi}"
    );
}

/// QA round 6: the overview's headers broke mid-word (`diff_ci_lo|w`, `swing_ci_hi|gh`,
/// `estimate_lo|w`): 11 to 13 bold characters in 10.7-character columns. Each column is
/// now at least as wide as its header's longest word in bold (8 pixels a character,
/// plus padding), so a header wraps at spaces only.
#[test]
fn the_overview_headers_never_break_inside_a_word() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = [
        sweep(&tmp.path().join("s"), 1),
        tornado(&tmp.path().join("t"), 1),
    ];
    for dir in dirs {
        let path = dir.join("results.xlsx");
        let sheet = zipped(&path, "xl/worksheets/sheet1.xml");
        let widths = column_widths(&sheet);
        let front = book(&dir).worksheet_range("overview").unwrap();
        let header = front
            .rows()
            .find(|r| r.len() > 4 && r.iter().skip(2).all(|c| matches!(c, Data::String(_))))
            .expect("the headline header");
        let mut checked = 0;
        for (c, h) in header.iter().enumerate() {
            let longest = h
                .to_string()
                .split(' ')
                .map(|w| w.chars().count())
                .max()
                .unwrap_or(0);
            let pixels = 8 * longest as u32 + 7;
            let width = widths
                .iter()
                .find(|(lo, hi, _)| (*lo..=*hi).contains(&(c as u32 + 1)))
                .map_or(8.43, |w| w.2);
            assert!(
                width + 0.01 >= f64::from(pixels - 5) / 7.0,
                "{}: column {h} is {width} wide",
                dir.display()
            );
            checked += 1;
        }
        assert!(checked >= 6, "{header:?}");
    }
}
