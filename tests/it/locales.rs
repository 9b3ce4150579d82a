//! CSV for `;`/`,` locales (`--csv-locale`, `--delimiter`, `--decimal`, `--excel-bom`):
//! the same numbers as the default run, read back by a parser configured for `;`;
//! names holding the delimiter quoted; the manifest records the format; shards merge
//! in their own format; the terminal names the files written.

use assert_cmd::Command;
use drawdown::export::CsvFormat;
use drawdown::pipeline::{self, Loaded, RunRequest};
use drawdown::runner::{Shard, Silent};
use std::path::{Path, PathBuf};

/// A donor with a display name holding `;` and `,`, a recipient with need.
const SCENARIO: &str = r#"
[scenario]
name = "locale"
start = "2024-01-01"
end = "2024-03-31"
[items.x]
name = "155 mm; HE, M795"
[nations.donor]
name = "Donor; with, separators"
[nations.donor.stock.x]
initial = 5000
[nations.r.stock.x]
initial = 1000
[transfers.aid]
from = "donor"
to = "r"
item = "x"
start = "2024-01-05"
quantity = { dist = "uniform", min = 500, max = 900 }
every_days = 10
transit_days = 3
[demand.front]
nation = "r"
item = "x"
[demand.front.schedule.all]
from = "2024-01-01"
per_day = 90
"#;

fn run(out: &Path, csv: CsvFormat, shard: Shard) -> PathBuf {
    let loaded = Loaded::from_text("<test>", SCENARIO, &[]).unwrap_or_else(|e| panic!("{e}"));
    let req = RunRequest {
        trials: 200,
        seed: Some(11),
        threads: Some(2),
        out: Some(out.to_path_buf()),
        csv,
        shard,
        ..RunRequest::default()
    };
    pipeline::run(&loaded, &req, &Silent).unwrap().dir
}

fn fr() -> CsvFormat {
    CsvFormat {
        bom: true,
        ..CsvFormat::for_locale("fr").unwrap()
    }
}

/// Every record of `path` read with `delimiter`, the byte-order mark dropped.
fn records(path: &Path, delimiter: u8) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

#[test]
fn a_french_result_holds_the_same_numbers_as_the_default_one() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = run(&tmp.path().join("plain"), CsvFormat::default(), Shard::ALL);
    let french = run(&tmp.path().join("fr"), fr(), Shard::ALL);
    let mut decimals = 0;
    for name in [
        "summary.csv",
        "depletion.csv",
        "stock.csv",
        "shortfall.csv",
        "trials.csv",
    ] {
        let raw = std::fs::read(french.join(name)).unwrap();
        assert!(
            raw.starts_with(b"\xEF\xBB\xBF"),
            "{name} starts with the BOM"
        );
        let (a, b) = (
            records(&plain.join(name), b','),
            records(&french.join(name), b';'),
        );
        assert_eq!(a.len(), b.len(), "{name}");
        for (ra, rb) in a.iter().zip(&b) {
            assert_eq!(ra.len(), rb.len(), "{name}: {rb:?}");
            for (x, y) in ra.iter().zip(rb) {
                match x.parse::<f64>() {
                    Ok(v) if x.contains('.') => {
                        decimals += 1;
                        assert!(!y.contains('.'), "{name}: {y}");
                        assert_eq!(y.replace(',', ".").parse::<f64>().unwrap(), v, "{name}");
                    }
                    _ => assert_eq!(x, y, "{name}"),
                }
            }
        }
    }
    assert!(decimals > 100, "decimals are exercised ({decimals})");
    let manifest = std::fs::read_to_string(french.join("manifest.json")).unwrap();
    assert!(manifest.contains(r#""delimiter": ";""#), "{manifest}");
    let plain_manifest = std::fs::read_to_string(plain.join("manifest.json")).unwrap();
    assert!(
        !plain_manifest.contains("delimiter"),
        "the default is not recorded"
    );
}

#[test]
fn a_value_holding_the_delimiter_is_quoted() {
    let table = drawdown::export::tables::Table {
        header: vec!["name".to_string(), "value".to_string()],
        rows: [["a;b, c", "0.5"]].into_iter().collect(),
    };
    let bytes = table
        .to_csv_as(&CsvFormat::for_locale("de").unwrap())
        .unwrap();
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        "name;value\n\"a;b, c\";0,5\n"
    );
    let bytes = table.to_csv().unwrap();
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        "name,value\n\"a;b, c\",0.5\n"
    );
}

#[test]
fn french_shards_merge_in_their_own_format() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = run(&tmp.path().join("whole"), fr(), Shard::ALL);
    let shards: Vec<PathBuf> = (1..=2)
        .map(|k| {
            let shard = Shard::parse(&format!("{k}/2")).unwrap();
            run(&tmp.path().join(format!("s{k}")), fr(), shard)
        })
        .collect();
    let merged = tmp.path().join("merged");
    pipeline::merge(&shards, &merged, false, None).unwrap();
    for name in ["stock.csv", "summary.csv", "trials.csv"] {
        assert_eq!(
            std::fs::read(whole.join(name)).unwrap(),
            std::fs::read(merged.join(name)).unwrap(),
            "{name}"
        );
    }
    // A shard in another format does not belong to the same run.
    let other = run(
        &tmp.path().join("other"),
        CsvFormat::default(),
        Shard::parse("2/2").unwrap(),
    );
    let err = pipeline::merge(
        &[shards[0].clone(), other],
        &tmp.path().join("bad"),
        false,
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("CSV format"), "{err}");
}

#[test]
fn the_command_line_takes_a_locale_and_names_the_files() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("s.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let go = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_drawdown"))
            .current_dir(tmp.path())
            .arg("run")
            .arg(&scenario)
            .args(["-n", "40", "-o", "out"])
            .args(extra)
            .output()
            .unwrap()
    };
    let ok = go(&["--csv-locale", "de_DE", "--excel-bom"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(
        stdout.contains("files in out: depletion.csv, manifest.json, shortfall.csv, stock.csv, summary.csv, trials.csv"),
        "{stdout}"
    );
    let stock = std::fs::read_to_string(tmp.path().join("out/stock.csv")).unwrap();
    assert!(
        stock.starts_with("\u{feff}nation;item;day;date;mean;"),
        "{stock}"
    );
    let explicit = go(&["--delimiter", "tab", "--decimal", ","]);
    assert!(explicit.status.success());
    let stock = std::fs::read_to_string(tmp.path().join("out/stock.csv")).unwrap();
    assert!(stock.starts_with("nation\titem\tday"), "{stock}");
    let clash = go(&["--csv-locale", "fr", "--delimiter", ","]);
    assert_eq!(clash.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&clash.stderr).contains("both ','"));
    let unknown = go(&["--csv-locale", "klingon"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown locale 'klingon'"));
}
