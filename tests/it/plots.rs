//! `--plots`: the SVG charts parse as XML, hold the expected series and titles, are
//! listed in the manifest with their fingerprints, are reproducible byte for byte, and
//! a re-run replaces them only while they are as drawdown wrote them.

use drawdown::model::Period;
use drawdown::pipeline::{self, Loaded, RunRequest};
use drawdown::runner::{Shard, Silent};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A donor with a floor and a recipient with need, over a leap February.
const SCENARIO: &str = r#"
[scenario]
name = "charts"
start = "2024-01-10"
end = "2024-06-30"
[items.x]
name = "155 mm shell"
[nations.donor]
name = "Donor"
[nations.donor.stock.x]
initial = 20000
floor = 5000
[nations.r]
name = "Recipient"
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

const CHARTS: [&str; 4] = [
    "plots/depletion-x.svg",
    "plots/fan-donor.x.svg",
    "plots/fan-r.x.svg",
    "plots/need-r.x.svg",
];

fn run_shard(out: &Path, threads: usize, shard: Shard) -> PathBuf {
    let loaded = Loaded::from_text("<test>", SCENARIO, &[]).unwrap_or_else(|e| panic!("{e}"));
    let req = RunRequest {
        trials: 150,
        seed: Some(4),
        threads: Some(threads),
        out: Some(out.to_path_buf()),
        period: Some(Period::Month),
        plots: true,
        shard,
        ..RunRequest::default()
    };
    pipeline::run(&loaded, &req, &Silent).unwrap().dir
}

fn run(out: &Path, threads: usize) -> PathBuf {
    run_shard(out, threads, Shard::ALL)
}

/// Every chart of a result folder, by name (`plots/…`).
fn charts(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir.join("plots"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                format!("plots/{}", p.file_name().unwrap().to_string_lossy()),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

/// Elements named `tag`.
fn count(doc: &roxmltree::Document, tag: &str) -> usize {
    doc.descendants().filter(|n| n.has_tag_name(tag)).count()
}

/// Series lines drawn `width` pixels wide: polylines of three points or more (axes,
/// grid lines and legend samples have two, and are thinner or short).
fn lines_of_width(doc: &roxmltree::Document, width: &str) -> usize {
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke-width") == Some(width))
        .filter(|n| {
            n.attribute("points")
                .unwrap_or("")
                .split_whitespace()
                .count()
                >= 3
        })
        .count()
}

fn texts(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(str::to_string))
        .collect()
}

fn has_text(all: &[String], needle: &str) -> bool {
    all.iter().any(|t| t.contains(needle))
}

#[test]
fn the_charts_parse_and_hold_their_series() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run(&tmp.path().join("out"), 2);
    let all = charts(&dir);
    assert_eq!(
        all.keys().collect::<Vec<_>>(),
        CHARTS.iter().collect::<Vec<_>>()
    );
    let parse = |name: &str| roxmltree::Document::parse(&all[name]).unwrap();

    // Fan: two bands (p05–p95, p25–p75), the median, the floor for the donor only.
    let fan = parse("plots/fan-donor.x.svg");
    let words = texts(&fan);
    assert_eq!(count(&fan, "polygon"), 2, "two shaded bands");
    assert_eq!(lines_of_width(&fan, "4"), 1, "one median line");
    assert!(
        has_text(&words, "Donor: 155 mm shell in stock"),
        "{words:?}"
    );
    assert!(has_text(&words, "reserve floor 5,000"), "{words:?}");
    assert!(has_text(&words, "stock [rounds]") && has_text(&words, "date"));
    assert!(has_text(&words, "Mar 2024"), "calendar ticks: {words:?}");
    let recipient = texts(&parse("plots/fan-r.x.svg"));
    assert!(!has_text(&recipient, "reserve floor"), "no floor, no line");

    // Depletion: one band and one line per nation, named in the legend.
    let depletion = parse("plots/depletion-x.svg");
    let words = texts(&depletion);
    assert_eq!(count(&depletion, "polygon"), 2);
    assert_eq!(lines_of_width(&depletion, "4"), 2);
    assert!(has_text(&words, "Donor") && has_text(&words, "Recipient"));
    assert!(has_text(&words, "probability of depletion by date"));
    assert!(has_text(&words, "100%"));

    // Need: unmet need and the fill rate's interval shaded; need, fire, fill rate.
    let need = parse("plots/need-r.x.svg");
    let words = texts(&need);
    assert_eq!(count(&need, "polygon"), 2);
    assert_eq!(lines_of_width(&need, "4"), 2, "fire and fill rate");
    assert_eq!(lines_of_width(&need, "3"), 1, "need");
    for label in [
        "needed and fired",
        "rounds per day",
        "fill rate",
        "unmet need",
    ] {
        assert!(has_text(&words, label), "{label}: {words:?}");
    }
}

#[test]
fn the_charts_are_in_the_manifest_with_their_fingerprints() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run(&tmp.path().join("out"), 1);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let files = manifest["files"].as_object().unwrap();
    for (name, svg) in charts(&dir) {
        let record = &files[&name];
        assert_eq!(record["bytes"], svg.len() as u64, "{name}");
        let print = drawdown::export::manifest::FileRecord::of(&dir.join(&name)).unwrap();
        assert_eq!(record["sha256"], print.sha256, "{name}");
    }
    let listed = files.keys().filter(|k| k.starts_with("plots/")).count();
    assert_eq!(listed, CHARTS.len());
    assert_eq!(manifest["plots"], true, "the manifest records --plots");
}

#[test]
fn the_charts_are_reproducible_and_merge_like_a_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    let one = charts(&run(&tmp.path().join("one"), 1));
    let two = charts(&run(&tmp.path().join("two"), 2));
    assert_eq!(one, two);
    let shards: Vec<PathBuf> = (1..=2)
        .map(|k| {
            let shard = Shard::parse(&format!("{k}/2")).unwrap();
            run_shard(&tmp.path().join(format!("s{k}")), 1, shard)
        })
        .collect();
    let merged = tmp.path().join("merged");
    pipeline::merge(&shards, &merged, false, None).unwrap();
    assert_eq!(charts(&merged), one);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(merged.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["plots"], true);
}

/// The charts are asked for by `--plots`, recorded in the manifest: shards that differ
/// in it are not one run, and a merge of shards run without it draws none.
#[test]
fn merge_refuses_shards_that_differ_in_plots_and_draws_none_without() {
    let tmp = tempfile::tempdir().unwrap();
    let loaded = Loaded::from_text("<test>", SCENARIO, &[]).unwrap();
    let shard = |k: u32, plots: bool| {
        let req = RunRequest {
            trials: 150,
            seed: Some(4),
            threads: Some(1),
            out: Some(tmp.path().join(format!("s{k}-{plots}"))),
            period: Some(Period::Month),
            plots,
            shard: Shard::parse(&format!("{k}/2")).unwrap(),
            ..RunRequest::default()
        };
        pipeline::run(&loaded, &req, &Silent).unwrap().dir
    };
    let (a, b) = (shard(1, true), shard(2, false));
    let err = pipeline::merge(&[a, b.clone()], &tmp.path().join("m"), false, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("--plots"), "{err}");
    let plain =
        pipeline::merge(&[shard(1, false), b], &tmp.path().join("m2"), false, None).unwrap();
    assert!(!plain.dir.join("plots").exists());
    let manifest = std::fs::read_to_string(plain.dir.join("manifest.json")).unwrap();
    assert!(
        !manifest.contains("\"plots\""),
        "old manifests stay as they were"
    );
}

#[test]
fn a_rerun_replaces_the_charts_but_not_an_edited_one() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run(&out, 1);
    // drawdown recognises its own plots/ folder and replaces it.
    run(&out, 1);
    let edited = out.join("plots/fan-r.x.svg");
    let mut svg = std::fs::read_to_string(&edited).unwrap();
    svg.push_str("<!-- my note -->");
    std::fs::write(&edited, &svg).unwrap();
    let loaded = Loaded::from_text("<test>", SCENARIO, &[]).unwrap();
    let req = RunRequest {
        trials: 20,
        out: Some(out.clone()),
        plots: true,
        ..RunRequest::default()
    };
    let err = pipeline::run(&loaded, &req, &Silent)
        .unwrap_err()
        .to_string();
    assert!(err.contains("plots/fan-r.x.svg (edited"), "{err}");
    assert_eq!(std::fs::read_to_string(&edited).unwrap(), svg, "kept");
    // A file of the user's own in plots/ is kept too.
    let other = tmp.path().join("other");
    run(&other, 1);
    std::fs::write(other.join("plots/mine.txt"), "x").unwrap();
    let req = RunRequest {
        out: Some(other.clone()),
        ..req
    };
    let err = pipeline::run(&loaded, &req, &Silent)
        .unwrap_err()
        .to_string();
    assert!(err.contains("plots/mine.txt"), "{err}");
    assert!(other.join("plots/mine.txt").exists());
}

/// `drawdown ARGS` run in `dir`, asserted to succeed (its stderr shown if not).
fn drawdown_ok(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_drawdown"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn run_plots_on_the_command_line_writes_and_lists_the_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/example.toml");
    let example = example.to_string_lossy();
    let out = drawdown_ok(
        tmp.path(),
        &["run", "-n", "50", "--plots", "-o", "res", &example],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("plots/ (4 files)"), "{stdout}");
    assert!(
        tmp.path()
            .join("res/plots/fan-donor.shell_155.svg")
            .is_file()
    );
    assert!(
        !tmp.path().join("res/results.xlsx").exists(),
        "--plots alone"
    );
}

/// A polyline's points as pixel pairs.
fn points(n: &roxmltree::Node) -> Vec<(f64, f64)> {
    n.attribute("points")
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|p| {
            let (x, y) = p.split_once(',')?;
            Some((x.parse().ok()?, y.parse().ok()?))
        })
        .collect()
}

/// QA round 6: the floor's legend swatch was a solid line while the floor is drawn
/// dashed. Every floor-coloured stroke, the swatch's included, is now a dash of at
/// most 14 pixels (the swatch was one 36-pixel line).
#[test]
fn the_floor_and_its_legend_swatch_are_dashed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run(&tmp.path().join("out"), 1);
    let svg = charts(&dir)["plots/fan-donor.x.svg"].clone();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let dashes: Vec<f64> = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke") == Some("#D55E00"))
        .map(|n| {
            let p = points(&n);
            p.windows(2)
                .map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1))
                .sum()
        })
        .collect();
    assert!(dashes.len() > 10, "{dashes:?}");
    assert!(dashes.iter().all(|&l| l <= 14.5), "{dashes:?}");
}

/// QA round 6: the depletion chart listed "2 other nations" (the grey lines) first in
/// its legend; the README says most likely first, and the workbook lists the others
/// last. The legend's entries now read in that order, the grey one last.
#[test]
fn the_other_nations_come_last_in_the_depletion_legend() {
    let names = crate::workbook::NINE_NAMES;
    let text = crate::workbook::nine_nations([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    let loaded = Loaded::from_text("<test>", &text, &[]).unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap();
    let req = RunRequest {
        trials: 40,
        seed: Some(4),
        threads: Some(1),
        out: Some(tmp.path().join("a")),
        period: Some(Period::Days(5)),
        plots: true,
        ..RunRequest::default()
    };
    let dir = pipeline::run(&loaded, &req, &Silent).unwrap().dir;
    let svg = charts(&dir)["plots/depletion-x.svg"].clone();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let words = texts(&doc);
    let legend: Vec<&str> = words
        .iter()
        .map(|t| t.trim())
        .filter(|t| names.contains(t) || t.contains("other nations"))
        .collect();
    // Nation k holds 1 000·k rounds and runs out near day 10·k: alba first.
    assert_eq!(
        legend,
        [
            "alba",
            "brea",
            "cova",
            "dune",
            "eska",
            "fara",
            "gora",
            "2 other nations"
        ],
        "{words:?}"
    );
}

/// QA round 6: on the default scenario's need chart of Ukraine's 155 mm (500 trials),
/// the legend sat top left over the need line and the unmet need while the top right
/// was empty: the corner was chosen for a legend larger than the one drawn. Now it is
/// chosen for the legend as drawn, by the lines and shading it would hide, and no
/// point of a drawn line or band lies under it.
#[test]
fn the_need_legend_hides_nothing_on_the_default_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    drawdown_ok(
        tmp.path(),
        &["run", "-n", "500", "-q", "--plots", "-o", "res"],
    );
    let svg =
        std::fs::read_to_string(tmp.path().join("res/plots/need-ukraine.shell_155.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let card = doc
        .descendants()
        .find(|n| n.has_tag_name("rect") && n.attribute("opacity") == Some("0.9"))
        .expect("the legend card");
    let num = |k: &str| card.attribute(k).unwrap().parse::<f64>().unwrap();
    let (x, y, w, h) = (num("x"), num("y"), num("width"), num("height"));
    let inside = |&(px, py): &(f64, f64)| px >= x && px <= x + w && py >= y && py <= y + h;
    let hidden: Vec<(f64, f64)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline") || n.has_tag_name("polygon"))
        .filter(|n| points(n).len() >= 3)
        .flat_map(|n| points(&n))
        .filter(inside)
        .collect();
    assert!(hidden.is_empty(), "legend at {x},{y} hides {hidden:?}");
}
