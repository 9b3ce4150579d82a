//! `tornado.svg` (`drawdown tornado`): one horizontal bar per input, from the change at
//! its low end to the change at its high end (both paired differences from the
//! baseline), largest swing on top, the baseline at 0.

use super::draw::{self, AXIS_DESC, LEGEND, PALETTE, SIZE, TICKS, TITLE, fail};
use crate::error::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One bar: its label and the change from the baseline at the low and high ends.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoBar {
    /// The input (path pattern).
    pub name: String,
    /// Its two values (`p10=… → p90=…`).
    pub values: String,
    /// Change from the baseline with the input at its low end.
    pub low: f64,
    /// Change from the baseline with the input at its high end.
    pub high: f64,
}

/// The chart of `bars` (already ranked, largest first): `title`, the x-axis description
/// `x_desc` (the metric and its unit) and a footnote.
///
/// # Errors
/// [`crate::error::Error::Other`] when the drawing fails.
pub fn svg(bars: &[TornadoBar], title: &str, x_desc: &str, note: &str) -> Result<String> {
    let mut text = String::new();
    draw_into(&mut text, bars, title, x_desc, note).map_err(|e| e.on("tornado.svg"))?;
    Ok(text)
}

/// The most characters on one line of a bar's label: the label area (560 pixels)
/// holds about 50 at the largest name size.
const LINE_CHARS: usize = 50;
/// The most lines of one bar's name.
const MAX_LINES: usize = 3;

/// `text` on lines of at most `max` characters, broken after a `.` or a `,` where it
/// can be (a path's parts stay whole), at most `lines` of them; beyond that the first
/// lines are left out behind an ellipsis (a path's end names it).
fn wrap(text: &str, max: usize, lines: usize) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    let mut piece = String::new();
    for c in text.chars() {
        piece.push(c);
        if matches!(c, '.' | ',') || piece.chars().count() == max {
            pieces.push(std::mem::take(&mut piece));
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    let mut out: Vec<String> = Vec::new();
    for piece in pieces {
        match out.last_mut() {
            Some(line) if line.chars().count() + piece.chars().count() <= max => {
                line.push_str(&piece);
            }
            _ => out.push(piece),
        }
    }
    if out.len() > lines {
        out.drain(..out.len() - lines);
        let first = &mut out[0];
        let tail: String = first.chars().skip(1).collect();
        *first = format!("…{tail}");
    }
    out
}

fn draw_into(
    text: &mut String,
    bars: &[TornadoBar],
    title: &str,
    x_desc: &str,
    note: &str,
) -> std::result::Result<(), draw::DrawError> {
    let root = SVGBackend::with_string(text, SIZE).into_drawing_area();
    let area = draw::canvas(&root, note)?;
    let reach = bars
        .iter()
        .flat_map(|b| [b.low.abs(), b.high.abs()])
        .fold(0.0f64, f64::max);
    let reach = if reach > 0.0 { reach * 1.1 } else { 1.0 };
    // The rows below the last bar hold the legend.
    let n = bars.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&area)
        .caption(title, ("sans-serif", TITLE).into_font())
        .margin(16)
        .margin_right(40)
        .x_label_area_size(72)
        .y_label_area_size(560)
        .build_cartesian_2d(-reach..reach, -(n + 2.4)..0.0)
        .map_err(fail)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(7)
        .x_label_formatter(&|x| tick(*x))
        .x_desc(x_desc)
        .label_style(("sans-serif", TICKS).into_font())
        .axis_desc_style(("sans-serif", AXIS_DESC).into_font())
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(TRANSPARENT)
        .axis_style(BLACK.mix(0.6))
        .draw()
        .map_err(fail)?;
    let (low_colour, high_colour) = (PALETTE[0], PALETTE[1]);
    for (i, b) in bars.iter().enumerate() {
        let y = -(i as f64) - 0.5;
        for (end, colour) in [(b.low, low_colour), (b.high, high_colour)] {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y - 0.32), (end, y + 0.32)],
                    colour.filled(),
                )))
                .map_err(fail)?;
        }
        let (px, py) = chart.backend_coord(&(-reach, y));
        let pitch = f64::from(chart.backend_coord(&(-reach, y - 1.0)).1 - py);
        label(&root, (px - 10, py), pitch, b)?;
    }
    chart
        .draw_series(LineSeries::new(
            [(0.0, -n), (0.0, 0.0)],
            BLACK.stroke_width(2),
        ))
        .map_err(fail)?;
    for (name, colour) in [
        ("input at its low value", low_colour),
        ("input at its high value", high_colour),
    ] {
        chart
            .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
            .map_err(fail)?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 8), (x + 24, y + 8)], colour.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", LEGEND).into_font())
        .draw()
        .map_err(fail)?;
    root.present().map_err(fail)?;
    Ok(())
}

/// The label of bar `bar` right-aligned at `(x, y)` (the bar's middle), its lines
/// sized to the bar pitch [pixels]: the name (wrapped, see [`wrap`]) and below it,
/// in grey, its two values.
fn label<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    (x, y): (i32, i32),
    pitch: f64,
    bar: &TornadoBar,
) -> std::result::Result<(), draw::DrawError> {
    let right = |size: f64, colour: RGBColor| {
        ("sans-serif", size)
            .into_font()
            .color(&colour)
            .pos(Pos::new(HPos::Right, VPos::Center))
    };
    let name = wrap(&bar.name, LINE_CHARS, MAX_LINES);
    let lines = name.len() + 1;
    // Lines of text share 90 % of the pitch; a line is about 1.2 font sizes high.
    let step = (pitch * 0.9 / lines as f64).min(26.0);
    let name_size = (step / 1.2 * 1.24).clamp(10.0, 21.0);
    let value_size = (name_size * 0.82).max(9.0);
    let first = f64::from(y) - step * (lines as f64 - 1.0) / 2.0;
    let at = |k: usize| (x, (first + step * k as f64).round() as i32);
    for (k, line) in name.iter().enumerate() {
        root.draw_text(line, &right(name_size, BLACK), at(k))
            .map_err(fail)?;
    }
    let grey = RGBColor(90, 90, 90);
    root.draw_text(&bar.values, &right(value_size, grey), at(lines - 1))
        .map_err(fail)
}

/// A tick of the change axis: at most six decimals, no trailing zeros, and the zero
/// tick as `0` (the tick nearest zero is often a rounding residue such as -1e-17).
fn tick(x: f64) -> String {
    let text = format!("{x:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    match text {
        "" | "-" | "-0" => "0".to_string(),
        t => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{tick, wrap};

    /// The tester's label, cut to `…e,knds_france,eu_other}.capacity.ramp.*.slip_days`
    /// on a chart with room to spare, now whole on two lines broken after a `,`.
    #[test]
    fn a_long_label_wraps_at_its_dots_and_commas_whole() {
        let name =
            "factories.{us_scranton,rheinmetall_de,knds_france,eu_other}.capacity.ramp.*.slip_days";
        let lines = wrap(name, 50, 3);
        assert_eq!(
            lines,
            [
                "factories.{us_scranton,rheinmetall_de,knds_france,",
                "eu_other}.capacity.ramp.*.slip_days"
            ]
        );
        assert_eq!(lines.concat(), name);
        assert_eq!(wrap("nations.us.stock.shell_155.initial", 50, 3).len(), 1);
        // A name of no dots is cut into whole lines; past three lines, its end is kept.
        let long = "x".repeat(160);
        let lines = wrap(&long, 50, 3);
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with('…') && lines.iter().all(|l| l.chars().count() <= 50));
    }

    #[test]
    fn the_zero_tick_reads_0_and_others_lose_trailing_zeros() {
        assert_eq!(tick(-1e-17), "0");
        assert_eq!(tick(0.0), "0");
        assert_eq!(tick(0.020_000_000_000_000_004), "0.02");
        assert_eq!(tick(-0.04), "-0.04");
        assert_eq!(tick(100_000.0), "100000");
    }
}
