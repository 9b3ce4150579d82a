//! The need chart of one consuming nation and item: above, its mean need and fire per
//! day in each reporting period, the gap between them (unmet need) shaded red; below,
//! the fill rate (fire / need) with its 95 % interval. Each period's value is drawn as
//! a step over the days it covers, so calendar months of unequal length read right.

use super::axis;
use super::data::Need;
use super::draw::{self, ALERT, Context, DrawError, Ink, PALETTE, SIZE, ValueAxis, fail};
use plotters::prelude::*;

/// Share of the height given to the need/fire panel; the fill rate gets the rest.
const TOP_SHARE: f64 = 0.56;

/// The need chart of `need` as an SVG document.
pub(super) fn svg(need: &Need, ctx: &Context) -> Result<String, DrawError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        let area = draw::canvas(&root, &ctx.note)?;
        let split = (f64::from(area.dim_in_pixel().1) * TOP_SHARE) as u32;
        let (upper, lower) = area.split_vertically(split);
        need_panel(&upper, need, ctx)?;
        fill_panel(&lower, need, ctx)?;
        root.present().map_err(fail)?;
    }
    Ok(out)
}

/// The period values as steps: each value held from its period's first day to its
/// last.
fn steps(need: &Need, values: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut x = Vec::with_capacity(2 * values.len());
    let mut y = Vec::with_capacity(2 * values.len());
    for (k, v) in values.iter().enumerate() {
        x.extend([need.from_day[k], need.day[k]]);
        y.extend([*v, *v]);
    }
    (x, y)
}

fn need_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    need: &Need,
    ctx: &Context,
) -> Result<(), DrawError> {
    let highest = need
        .need
        .iter()
        .chain(&need.fire)
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let title = format!(
        "{}: {} needed and fired",
        ctx.nation(&need.id.0),
        ctx.item(&need.id.1)
    );
    let y_label = |v: &f64| axis::rounds(*v);
    let y = ValueAxis {
        top: axis::nice_top(highest),
        desc: "rounds per day",
        labels: 5,
        label: &y_label,
    };
    let mut chart = draw::frame(area, ctx, (&title, draw::TITLE), &y, false)?;
    let (x, need_y) = steps(need, &need.need);
    let (_, fire_y) = steps(need, &need.fire);
    let labels = ["unmet need", "need (mean)", "fire (mean)"];
    draw::band(
        &mut chart,
        (&x, &fire_y, &need_y),
        ALERT.mix(0.3),
        Some(labels[0]),
    )?;
    draw::line(
        &mut chart,
        (&x, &need_y),
        BLACK.stroke_width(3),
        Some(labels[1]),
    )?;
    draw::line(
        &mut chart,
        (&x, &fire_y),
        PALETTE[0].stroke_width(4),
        Some(labels[2]),
    )?;
    // The unmet need shaded between the two lines, and the lines.
    let drawn = [
        Ink::Band(&x, &fire_y, &need_y),
        Ink::Line(&x, &need_y),
        Ink::Line(&x, &fire_y),
    ];
    let corner = draw::emptiest_corner(&chart, &drawn, &labels);
    draw::legend(&mut chart, corner)
}

fn fill_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    need: &Need,
    ctx: &Context,
) -> Result<(), DrawError> {
    let y_label = |v: &f64| axis::percent(*v);
    let y = ValueAxis {
        top: 1.0,
        desc: "fill rate",
        labels: 3,
        label: &y_label,
    };
    // A caption rather than a legend: the panel is too low for a legend to miss the line.
    let caption = "fill rate (fired / needed), its 95 % interval shaded";
    let mut chart = draw::frame(area, ctx, (caption, draw::CAPTION), &y, true)?;
    let (x, fill) = steps(need, &need.fill);
    let (_, low) = steps(need, &need.fill_low);
    let (_, high) = steps(need, &need.fill_high);
    draw::band(&mut chart, (&x, &low, &high), PALETTE[2].mix(0.25), None)?;
    draw::line(&mut chart, (&x, &fill), PALETTE[2].stroke_width(4), None)?;
    Ok(())
}
