//! The stock fan chart of one nation and item: the end-of-day stock across trials on
//! each reporting day, as a p05–p95 band (90 % of trials), a darker p25–p75 band (50 %),
//! the median line, and the reserve floor as a dashed line (depletion is the stock at
//! or below it).

use super::axis;
use super::data::Fan;
use super::draw::{self, Context, DrawError, FAN, SIZE, ValueAxis, fail};
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
        draw::band(
            &mut chart,
            (day, &fan.p05, &fan.p95),
            FAN.mix(0.18),
            Some("90 % of trials (p05–p95)"),
        )?;
        draw::band(
            &mut chart,
            (day, &fan.p25, &fan.p75),
            FAN.mix(0.38),
            Some("50 % of trials (p25–p75)"),
        )?;
        draw::line(
            &mut chart,
            (day, &fan.p50),
            FAN.stroke_width(4),
            Some("median (p50)"),
        )?;
        if let Some(floor) = fan.floor {
            floor_line(&mut chart, floor)?;
        }
        let floor = fan.floor.map_or(f64::NAN, |f| f.rounds);
        let drawn: Vec<(f64, f64, f64)> = (0..fan.day.len())
            .map(|k| (fan.day[k], fan.p05[k].min(floor), fan.p95[k].max(floor)))
            .collect();
        draw::legend(
            &mut chart,
            draw::emptiest_corner(ctx, &drawn, y.top, (0.42, 0.35)),
        )?;
        root.present().map_err(fail)?;
    }
    Ok(out)
}

/// The reserve floor across the horizon, dashed.
fn floor_line<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, draw::Coords>,
    floor: super::data::Floor,
) -> Result<(), DrawError> {
    let style = draw::ALERT.stroke_width(3);
    let x_end = chart.x_range().end;
    let label = format!(
        "reserve floor {}{}",
        axis::thousands(floor.rounds),
        if floor.mean_of_draws { " (mean)" } else { "" }
    );
    chart
        .draw_series(DashedLineSeries::new(
            [(0.0, floor.rounds), (x_end, floor.rounds)],
            14,
            10,
            style,
        ))
        .map_err(fail)?
        .label(label)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 36, y)], style));
    Ok(())
}
