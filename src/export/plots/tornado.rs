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

/// `text` cut to its last `max` characters behind an ellipsis (a path's end names it).
fn fit(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        return text.to_string();
    }
    let tail: String = text.chars().skip(n - (max - 1)).collect();
    format!("…{tail}")
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
        let right = |size: f64, colour: RGBColor| {
            ("sans-serif", size)
                .into_font()
                .color(&colour)
                .pos(Pos::new(HPos::Right, VPos::Center))
        };
        // Two lines per bar, sized to the bar pitch.
        let pitch = f64::from(chart.backend_coord(&(-reach, y - 1.0)).1 - py);
        let name_size = (pitch * 0.48).clamp(12.0, 21.0);
        let value_size = (pitch * 0.4).clamp(10.0, 17.0);
        let offset = (pitch * 0.22).clamp(7.0, 12.0) as i32;
        let name = fit(&b.name, 50);
        root.draw_text(&name, &right(name_size, BLACK), (px - 10, py - offset))
            .map_err(fail)?;
        let grey = RGBColor(90, 90, 90);
        root.draw_text(&b.values, &right(value_size, grey), (px - 10, py + offset))
            .map_err(fail)?;
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
    use super::tick;

    #[test]
    fn the_zero_tick_reads_0_and_others_lose_trailing_zeros() {
        assert_eq!(tick(-1e-17), "0");
        assert_eq!(tick(0.0), "0");
        assert_eq!(tick(0.020_000_000_000_000_004), "0.02");
        assert_eq!(tick(-0.04), "-0.04");
        assert_eq!(tick(100_000.0), "100000");
    }
}
