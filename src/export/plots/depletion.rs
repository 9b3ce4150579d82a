//! The depletion curves of one item: for every nation holding it, the probability that
//! its stock has reached its floor (or run out) by each date, with the 95 % interval as
//! a light band, one colour per nation.

use super::axis;
use super::data::ItemCurves;
use super::draw::{self, Context, DrawError, PALETTE, SIZE, ValueAxis, fail};
use plotters::prelude::*;

/// The depletion chart of `item` as an SVG document.
pub(super) fn svg(item: &ItemCurves, ctx: &Context) -> Result<String, DrawError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        let area = draw::canvas(&root, ctx)?;
        let title = format!("{}: probability of depletion by date", ctx.item(&item.item));
        let y_label = |v: &f64| axis::percent(*v);
        let y = ValueAxis {
            top: 1.0,
            desc: "P(stock at floor or empty)",
            labels: 6,
            label: &y_label,
        };
        let mut chart = draw::frame(&area, ctx, &title, &y, true)?;
        for (k, curve) in item.curves.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            let day = curve.day.as_slice();
            draw::band(
                &mut chart,
                (day, &curve.low, &curve.high),
                color.mix(0.15),
                None,
            )?;
            draw::line(
                &mut chart,
                (day, &curve.p),
                color.stroke_width(4),
                &ctx.nation(&curve.nation),
            )?;
        }
        let drawn: Vec<(f64, f64, f64)> = item
            .curves
            .iter()
            .flat_map(|c| (0..c.day.len()).map(|k| (c.day[k], c.low[k], c.high[k])))
            .collect();
        draw::legend(&mut chart, draw::emptiest_corner(ctx, &drawn, y.top))?;
        root.present().map_err(fail)?;
    }
    Ok(out)
}
