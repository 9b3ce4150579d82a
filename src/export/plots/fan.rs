//! The stock fan chart of one nation and item: the end-of-day stock across trials on
//! each reporting day, as a p05–p95 band (90 % of trials), a darker p25–p75 band (50 %),
//! the median line, and the reserve floor as a dashed line (depletion is the stock at
//! or below it).

use super::axis;
use super::data::Fan;
use super::draw::{self, Context, DrawError, FAN, Ink, SIZE, ValueAxis, fail};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

/// The fan chart of `fan` as an SVG document.
pub(super) fn svg(fan: &Fan, ctx: &Context) -> Result<String, DrawError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        let area = draw::canvas(&root, &ctx.note)?;
        let highest = fan
            .p95
            .iter()
            .chain(fan.floor.as_ref().map(|f| &f.rounds))
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let title = format!(
            "{}: {} in stock (end of day)",
            ctx.nation(&fan.id.0),
            ctx.item(&fan.id.1)
        );
        let y_label = |v: &f64| axis::rounds(*v);
        let y = ValueAxis {
            top: axis::nice_top(highest),
            desc: "stock [rounds]",
            labels: 6,
            label: &y_label,
        };
        let mut chart = draw::frame(&area, ctx, (&title, draw::TITLE), &y, true)?;
        let day = fan.day.as_slice();
        let floor_label = fan.floor.map(floor_label);
        let mut labels = vec![
            "90 % of trials (p05–p95)",
            "50 % of trials (p25–p75)",
            "median (p50)",
        ];
        labels.extend(floor_label.as_deref());
        draw::band(
            &mut chart,
            (day, &fan.p05, &fan.p95),
            FAN.mix(0.18),
            Some(labels[0]),
        )?;
        draw::band(
            &mut chart,
            (day, &fan.p25, &fan.p75),
            FAN.mix(0.38),
            Some(labels[1]),
        )?;
        draw::line(
            &mut chart,
            (day, &fan.p50),
            FAN.stroke_width(4),
            Some(labels[2]),
        )?;
        // The outer band (the inner one and the median lie inside it) and the floor.
        let floor_at = fan.floor.map(|f| vec![f.rounds; fan.day.len()]);
        let mut drawn = vec![Ink::Band(day, &fan.p05, &fan.p95)];
        if let (Some(floor), Some(label), Some(at)) = (fan.floor, &floor_label, &floor_at) {
            floor_line(&mut chart, floor, label)?;
            drawn.push(Ink::Line(day, at));
        }
        let corner = draw::emptiest_corner(&chart, &drawn, &labels);
        draw::legend(&mut chart, corner)?;
        root.present().map_err(fail)?;
    }
    Ok(out)
}

/// The legend entry of a reserve floor: `reserve floor 5,000`, `(mean)` when drawn per
/// trial.
fn floor_label(floor: super::data::Floor) -> String {
    format!(
        "reserve floor {}{}",
        axis::thousands(floor.rounds),
        if floor.mean_of_draws { " (mean)" } else { "" }
    )
}

/// The dashes of the floor line and of its legend swatch [pixels]: 36 pixels of swatch
/// show two dashes, as the line does.
const DASH: u32 = 14;
const DASH_GAP: u32 = 10;
const SWATCH_GAP: u32 = 8;

/// The reserve floor across the horizon, dashed, with a dashed legend swatch.
fn floor_line<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, draw::Coords>,
    floor: super::data::Floor,
    label: &str,
) -> Result<(), DrawError> {
    let style = draw::ALERT.stroke_width(3);
    let x_end = chart.x_range().end;
    chart
        .draw_series(DashedLineSeries::new(
            [(0.0, floor.rounds), (x_end, floor.rounds)],
            DASH,
            DASH_GAP,
            style,
        ))
        .map_err(fail)?
        .label(label)
        .legend(move |(x, y)| {
            DashedPathElement::new(vec![(x, y), (x + 36, y)], DASH, SWATCH_GAP, style)
        });
    Ok(())
}
