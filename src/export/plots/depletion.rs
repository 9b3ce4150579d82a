//! The depletion curves of one item: for every nation holding it, the probability that
//! its stock has reached its floor (or run out) by each date.
//!
//! A slide tells apart about seven colours, so the [`MAX_COLOURED`] nations most
//! likely to deplete by the horizon (the earlier first among equals) get a colour, a 95 % band and a legend entry (in
//! that order, most likely first); any others are drawn as thin grey lines under them,
//! with one legend entry for all of them.

use super::axis;
use super::data::{Curve, ItemCurves};
use super::draw::{self, Context, DrawError, Ink, PALETTE, SIZE, ValueAxis, fail};
use plotters::prelude::*;

/// The most nations drawn in colour on one chart.
pub(super) const MAX_COLOURED: usize = PALETTE.len();

/// The depletion chart of `item` as an SVG document.
pub(super) fn svg(item: &ItemCurves, ctx: &Context) -> Result<String, DrawError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        let area = draw::canvas(&root, &ctx.note)?;
        let title = format!("{}: probability of depletion by date", ctx.item(&item.item));
        let y_label = |v: &f64| axis::percent(*v);
        let y = ValueAxis {
            top: 1.0,
            desc: "P(stock at floor or empty)",
            labels: 6,
            label: &y_label,
        };
        let mut chart = draw::frame(&area, ctx, (&title, draw::TITLE), &y, true)?;
        let (coloured, grey) = split(&item.curves);
        let grey_colour = RGBColor(150, 150, 150);
        // The grey lines first, under the others; their one legend entry comes last.
        for &c in &grey {
            let curve = &item.curves[c];
            draw::line(
                &mut chart,
                (&curve.day, &curve.p),
                grey_colour.stroke_width(2),
                None,
            )?;
        }
        let mut labels: Vec<String> = Vec::new();
        for (k, &c) in coloured.iter().enumerate() {
            let curve = &item.curves[c];
            let color = PALETTE[k];
            let day = curve.day.as_slice();
            draw::band(
                &mut chart,
                (day, &curve.low, &curve.high),
                color.mix(0.15),
                None,
            )?;
            labels.push(ctx.nation(&curve.nation));
            draw::line(
                &mut chart,
                (day, &curve.p),
                color.stroke_width(4),
                labels.last().map(String::as_str),
            )?;
        }
        if !grey.is_empty() {
            labels.push(format!("{} other nations", grey.len()));
            draw::line(
                &mut chart,
                (&[], &[]),
                grey_colour.stroke_width(2),
                labels.last().map(String::as_str),
            )?;
        }
        // Every curve, and the coloured ones' bands.
        let bands = coloured
            .iter()
            .map(|&c| &item.curves[c])
            .map(|c| Ink::Band(&c.day, &c.low, &c.high));
        let lines = item.curves.iter().enumerate().map(|(k, c)| {
            if grey.contains(&k) {
                Ink::Faint(&c.day, &c.p)
            } else {
                Ink::Line(&c.day, &c.p)
            }
        });
        let drawn: Vec<Ink> = bands.chain(lines).collect();
        let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
        let corner = draw::emptiest_corner(&chart, &drawn, &labels);
        draw::legend(&mut chart, corner)?;
        root.present().map_err(fail)?;
    }
    Ok(out)
}

/// The curves drawn in colour and the others, as indices into `curves`: see
/// [`split_by_risk`].
fn split(curves: &[Curve]) -> (Vec<usize>, Vec<usize>) {
    let p: Vec<&[f64]> = curves.iter().map(|c| c.p.as_slice()).collect();
    split_by_risk(&p)
}

/// Which of an item's depletion curves get a colour, given each one's P(depleted by
/// date) (values that are not finite are skipped): at most [`MAX_COLOURED`], the most
/// likely to deplete by the horizon first; among equals the one that depletes earlier,
/// i.e. with the larger area under its curve; then table order. The others follow in
/// table order. Both as indices into `p`. The SVG and the workbook charts rank alike.
pub(crate) fn split_by_risk(p: &[&[f64]]) -> (Vec<usize>, Vec<usize>) {
    let last = |c: &[f64]| {
        c.iter()
            .rev()
            .copied()
            .find(|p| p.is_finite())
            .unwrap_or(0.0)
    };
    let area = |c: &[f64]| c.iter().filter(|p| p.is_finite()).sum::<f64>();
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (p[a], p[b]);
        last(b)
            .total_cmp(&last(a))
            .then(area(b).total_cmp(&area(a)))
    });
    let grey = order.split_off(order.len().min(MAX_COLOURED));
    let mut grey_in_table_order = grey;
    grey_in_table_order.sort_unstable();
    (order, grey_in_table_order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(nation: &str, last: f64) -> Curve {
        Curve {
            nation: nation.into(),
            day: vec![0.0, 1.0],
            p: vec![0.0, last],
            low: vec![0.0, last],
            high: vec![0.0, last],
        }
    }

    #[test]
    fn the_nations_most_likely_to_deplete_get_the_colours() {
        let curves: Vec<Curve> = (0..10)
            .map(|k| curve(&format!("n{k}"), k as f64 / 10.0))
            .collect();
        let (coloured, grey) = split(&curves);
        assert_eq!(coloured, vec![9, 8, 7, 6, 5, 4, 3]);
        assert_eq!(grey, vec![0, 1, 2]);
        let (coloured, grey) = split(&curves[..2]);
        assert_eq!((coloured, grey), (vec![1, 0], vec![]));
        // Equally likely by the horizon: the one that depletes earlier comes first.
        let mut late = curve("late", 1.0);
        late.p = vec![0.0, 0.0, 1.0];
        late.day = vec![0.0, 1.0, 2.0];
        let mut early = curve("early", 1.0);
        early.p = vec![0.0, 1.0, 1.0];
        early.day = vec![0.0, 1.0, 2.0];
        assert_eq!(split(&[late, early]).0, vec![1, 0]);
    }
}
