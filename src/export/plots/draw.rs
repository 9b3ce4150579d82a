//! What every chart shares: the slide size, fonts and colours, the frame (title,
//! calendar x axis, value axis with its unit), shaded bands and the legend.

use super::axis;
use crate::error::Error;
use crate::export::Report;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Chart size [pixels]: 16:9, a slide.
pub(super) const SIZE: (u32, u32) = (1280, 720);

/// Font sizes as plotters takes them (the SVG gets `size / 1.24` px).
pub(super) const TITLE: f64 = 40.0;
/// A panel's caption.
pub(super) const CAPTION: f64 = 28.0;
/// An axis description.
pub(super) const AXIS_DESC: f64 = 29.0;
/// Tick labels.
pub(super) const TICKS: f64 = 26.0;
/// Legend entries.
pub(super) const LEGEND: f64 = 26.0;
/// The footnote.
pub(super) const NOTE: f64 = 21.0;

/// Okabe–Ito colours: told apart with every common colour-vision deficiency.
pub(crate) const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(86, 180, 233),
    RGBColor(204, 121, 167),
    RGBColor(0, 0, 0),
];
/// The fan's blue.
pub(super) const FAN: RGBColor = RGBColor(31, 78, 121);
/// The floor, the unmet need: a warning red.
pub(super) const ALERT: RGBColor = RGBColor(213, 94, 0);

/// A chart's coordinates: day × value.
pub(super) type Coords = Cartesian2d<axis::DayAxis, RangedCoordf64>;

/// A failure while drawing, before it is given the chart's file name.
#[derive(Debug)]
pub(super) struct DrawError(String);

impl DrawError {
    /// The error naming the chart file.
    pub(super) fn on(self, name: &str) -> Error {
        Error::Other(format!("drawing {name}: {}", self.0))
    }
}

/// Wraps any plotters error.
pub(super) fn fail<E: std::fmt::Display>(e: E) -> DrawError {
    DrawError(e.to_string())
}

/// What the charts of one run share: names, dates and the footnote.
#[derive(Debug, Clone)]
pub(super) struct Context {
    last_day: u32,
    ticks: Vec<(f64, String)>,
    nations: Vec<(String, String)>,
    items: Vec<(String, String)>,
    pub(super) note: String,
}

impl Context {
    /// The context of `report`'s charts.
    pub(super) fn new(report: &Report) -> Context {
        let s = &report.model.scenario;
        let last_day = s.days.saturating_sub(1);
        let names = |v: &[crate::scenario::Named]| -> Vec<(String, String)> {
            v.iter().map(|n| (n.id.clone(), n.name.clone())).collect()
        };
        Context {
            last_day,
            ticks: axis::date_ticks(s.start, last_day),
            nations: names(&s.nations),
            items: names(&s.items),
            note: format!(
                "drawdown · scenario '{}' · {} trials · {} to {}",
                s.name,
                axis::thousands(report.aggregate.trials as f64),
                s.start,
                s.end
            ),
        }
    }

    /// The display name of nation `id`.
    pub(super) fn nation(&self, id: &str) -> String {
        lookup(&self.nations, id)
    }

    /// The display name of item `id`.
    pub(super) fn item(&self, id: &str) -> String {
        lookup(&self.items, id)
    }
}

fn lookup(names: &[(String, String)], id: &str) -> String {
    names
        .iter()
        .find(|(i, _)| i == id)
        .map_or_else(|| id.to_string(), |(_, n)| n.clone())
}

/// The whole picture: white, with the footnote `note` at the bottom right; returns the
/// area left for the title and the plot.
pub(super) fn canvas<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    note: &str,
) -> Result<DrawingArea<DB, Shift>, DrawError> {
    root.fill(&WHITE).map_err(fail)?;
    let (w, h) = root.dim_in_pixel();
    let style = ("sans-serif", NOTE)
        .into_font()
        .color(&RGBColor(90, 90, 90))
        .pos(Pos::new(HPos::Right, VPos::Bottom));
    root.draw_text(note, &style, (w as i32 - 16, h as i32 - 10))
        .map_err(fail)?;
    Ok(root.margin(0, 34, 0, 0))
}

/// The value axis of a chart: from 0 to `top`, described by `desc` (with its unit),
/// about `labels` ticks labelled by `label`.
pub(super) struct ValueAxis<'a> {
    pub(super) top: f64,
    pub(super) desc: &'a str,
    pub(super) labels: usize,
    pub(super) label: &'a dyn Fn(&f64) -> String,
}

/// A framed chart on `area`: `title` in a font of `size` (none when empty), days from
/// 0 to the horizon with date ticks (labelled when `dates`, else only gridded), and the
/// value axis.
pub(super) fn frame<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    ctx: &'a Context,
    (title, size): (&str, f64),
    y: &ValueAxis,
    dates: bool,
) -> Result<ChartContext<'a, DB, Coords>, DrawError> {
    let x_axis = axis::DayAxis {
        last: f64::from(ctx.last_day.max(1)),
        ticks: ctx.ticks.iter().map(|(d, _)| *d).collect(),
    };
    let mut builder = ChartBuilder::on(area);
    if !title.is_empty() {
        builder.caption(title, ("sans-serif", size).into_font());
    }
    let mut chart = builder
        .margin(16)
        .margin_right(40)
        .x_label_area_size(if dates { 72 } else { 8 })
        .y_label_area_size(112)
        .build_cartesian_2d(x_axis, 0f64..y.top)
        .map_err(fail)?;
    let x_label = |x: &f64| axis::label_of(&ctx.ticks, *x);
    let no_label = |_: &f64| String::new();
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(if dates { &x_label } else { &no_label })
        .y_label_formatter(y.label)
        .y_labels(y.labels)
        .y_desc(y.desc)
        .label_style(("sans-serif", TICKS).into_font())
        .axis_desc_style(("sans-serif", AXIS_DESC).into_font())
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(TRANSPARENT)
        .axis_style(BLACK.mix(0.6));
    if dates {
        mesh.x_desc("date");
    }
    mesh.draw().map_err(fail)?;
    Ok(chart)
}

/// The corner of the plot where the legend hides the least: the one crossed by the
/// fewest points, each point `(day, lowest, highest)` of what is drawn at that day,
/// on a value axis from 0 to `top`; `(width, height)` is the share of the plot the
/// legend covers.
pub(super) fn emptiest_corner(
    ctx: &Context,
    points: &[(f64, f64, f64)],
    top: f64,
    (width, height): (f64, f64),
) -> SeriesLabelPosition {
    let last_day = f64::from(ctx.last_day.max(1));
    let (w, h) = (width * last_day, height * top);
    let corners = [
        (SeriesLabelPosition::UpperRight, last_day - w, top - h),
        (SeriesLabelPosition::UpperLeft, 0.0, top - h),
        (SeriesLabelPosition::LowerRight, last_day - w, 0.0),
        (SeriesLabelPosition::LowerLeft, 0.0, 0.0),
    ];
    let crossing = |x0: f64, y0: f64| {
        points
            .iter()
            .filter(|(d, lo, hi)| *d >= x0 && *d <= x0 + w && *hi >= y0 && *lo <= y0 + h)
            .count()
    };
    let mut best = (usize::MAX, SeriesLabelPosition::UpperRight);
    for (pos, x0, y0) in corners {
        let n = crossing(x0, y0);
        if n < best.0 {
            best = (n, pos);
        }
    }
    best.1
}

/// A shaded band between `low` and `high` over `day` (points where either is `NaN`
/// are left out), labelled in the legend by a filled square.
pub(super) fn band<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Coords>,
    (day, low, high): (&[f64], &[f64], &[f64]),
    color: RGBAColor,
    label: Option<&str>,
) -> Result<(), DrawError> {
    let keep: Vec<usize> = (0..day.len())
        .filter(|&k| low[k].is_finite() && high[k].is_finite())
        .collect();
    let upper = keep.iter().map(|&k| (day[k], high[k]));
    let lower = keep.iter().rev().map(|&k| (day[k], low[k]));
    let points: Vec<(f64, f64)> = upper.chain(lower).collect();
    let drawn = chart
        .draw_series(std::iter::once(Polygon::new(points, color.filled())))
        .map_err(fail)?;
    if let Some(label) = label {
        drawn
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 11), (x + 36, y + 11)], color.filled()));
    }
    Ok(())
}

/// A line through `(day, value)` (points where the value is `NaN` are left out), with
/// a legend entry when `label` is given.
pub(super) fn line<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Coords>,
    (day, value): (&[f64], &[f64]),
    style: ShapeStyle,
    label: Option<&str>,
) -> Result<(), DrawError> {
    let points: Vec<(f64, f64)> = day
        .iter()
        .zip(value)
        .filter(|(_, v)| v.is_finite())
        .map(|(d, v)| (*d, *v))
        .collect();
    let drawn = chart
        .draw_series(LineSeries::new(points, style))
        .map_err(fail)?;
    if let Some(label) = label {
        drawn
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 36, y)], style));
    }
    Ok(())
}

/// The legend, in the corner `pos`, on a white card.
pub(super) fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Coords>,
    pos: SeriesLabelPosition,
) -> Result<(), DrawError> {
    chart
        .configure_series_labels()
        .position(pos)
        .margin(16)
        .legend_area_size(48)
        .label_font(("sans-serif", LEGEND).into_font())
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(fail)
}
