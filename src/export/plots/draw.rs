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

/// Something drawn on a chart, for [`emptiest_corner`]: a line through `(day, value)`
/// or a band between `low` and `high` over `day` (points that are not finite are left
/// out, as [`line`] and [`band`] leave them).
#[derive(Debug, Clone, Copy)]
pub(super) enum Ink<'a> {
    /// `(day, value)`.
    Line(&'a [f64], &'a [f64]),
    /// `(day, low, high)`.
    Band(&'a [f64], &'a [f64], &'a [f64]),
    /// A thin grey line in the background, `(day, value)`.
    Faint(&'a [f64], &'a [f64]),
}

/// What hiding a cell costs: of a line, which hidden is lost (a floor hidden over
/// its last months); of a band, whose hidden edge still reads from the rest; of a
/// faint line.
const LINE: u8 = 6;
const BAND: u8 = 1;
const FAINT: u8 = 1;

/// Side of a cell of the grid on which [`emptiest_corner`] marks what is drawn [pixels].
const CELL: f64 = 4.0;

/// The corner of the plot where the legend of `labels` hides the least of `drawn`:
/// every line and band is marked on a grid of 4-pixel cells over the plot (a line
/// along its whole path, steep parts included, and a cell either side for its width;
/// a band over its whole area), and the corner whose legend card (the box [`legend`]
/// draws) covers the fewest marked cells, weighed by what they hold (a line 6, a
/// band or a faint line 1), wins; among equals the first of upper right,
/// upper left, lower right, lower left.
pub(super) fn emptiest_corner<DB: DrawingBackend>(
    chart: &ChartContext<'_, DB, Coords>,
    drawn: &[Ink],
    labels: &[&str],
) -> SeriesLabelPosition {
    let (last_day, top) = (chart.x_range().end.max(1.0), chart.y_range().end);
    let (area_w, area_h) = chart.plotting_area().dim_in_pixel();
    let grid = Grid::of(
        drawn,
        (f64::from(area_w), f64::from(area_h)),
        (last_day, top),
    );
    let (w, h) = legend_size(labels);
    let (w, h) = (f64::from(w), f64::from(h));
    let (right, bottom) = (f64::from(area_w) - w, f64::from(area_h) - h);
    let corners = [
        (SeriesLabelPosition::UpperRight, right, 0.0),
        (SeriesLabelPosition::UpperLeft, 0.0, 0.0),
        (SeriesLabelPosition::LowerRight, right, bottom),
        (SeriesLabelPosition::LowerLeft, 0.0, bottom),
    ];
    let mut best = (usize::MAX, SeriesLabelPosition::UpperRight);
    for (pos, x, y) in corners {
        let covered = grid.marked_in((x, y), (w, h));
        if covered < best.0 {
            best = (covered, pos);
        }
    }
    best.1
}

/// The plot as cells of [`CELL`] pixels, marked where something is drawn.
struct Grid {
    cols: usize,
    rows: usize,
    /// Per cell, what hiding it costs (0: nothing drawn).
    marked: Vec<u8>,
}

impl Grid {
    /// The grid of a plot of `(width, height)` pixels showing days 0..`last_day` and
    /// values 0..`top`, with `drawn` marked.
    fn of(drawn: &[Ink], (width, height): (f64, f64), (last_day, top): (f64, f64)) -> Grid {
        let cols = (width / CELL).ceil().max(1.0) as usize;
        let rows = (height / CELL).ceil().max(1.0) as usize;
        let mut grid = Grid {
            cols,
            rows,
            marked: vec![0; cols * rows],
        };
        // A point as (column, row) in cells, row 0 at the top.
        let at = |day: f64, v: f64| {
            (
                day / last_day * width / CELL,
                (1.0 - v / top) * height / CELL,
            )
        };
        for ink in drawn {
            match *ink {
                Ink::Line(day, value) | Ink::Faint(day, value) => {
                    let weight = if let Ink::Faint(..) = ink {
                        FAINT
                    } else {
                        LINE
                    };
                    let points: Vec<Option<(f64, f64)>> = (0..day.len().min(value.len()))
                        .map(|k| value[k].is_finite().then(|| at(day[k], value[k])))
                        .collect();
                    for pair in points.windows(2) {
                        if let [Some(a), Some(b)] = pair {
                            grid.segment(*a, *b, weight);
                        }
                    }
                }
                Ink::Band(day, low, high) => {
                    let n = day.len().min(low.len()).min(high.len());
                    for k in 1..n {
                        let ends = [k - 1, k].map(|j| {
                            (low[j].is_finite() && high[j].is_finite())
                                .then(|| (at(day[j], low[j]), at(day[j], high[j]).1))
                        });
                        if let [Some(a), Some(b)] = ends {
                            grid.area(a, b);
                        }
                    }
                }
            }
        }
        grid
    }

    fn mark(&mut self, col: f64, row: f64, weight: u8) {
        if col >= 0.0 && row >= 0.0 && (col as usize) < self.cols && (row as usize) < self.rows {
            let cell = &mut self.marked[row as usize * self.cols + col as usize];
            *cell = (*cell).max(weight);
        }
    }

    /// A line from `a` to `b` [cells], a cell either side of it.
    fn segment(&mut self, a: (f64, f64), b: (f64, f64), weight: u8) {
        let steps = ((b.0 - a.0).abs().max((b.1 - a.1).abs()) * 2.0)
            .ceil()
            .max(1.0) as usize;
        for s in 0..=steps {
            let t = s as f64 / steps as f64;
            let (c, r) = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
            for dr in [-0.5, 0.0, 0.5] {
                self.mark(c, r + dr, weight);
            }
        }
    }

    /// A band between two points, each `((column, low row), high row)` [cells].
    fn area(&mut self, a: ((f64, f64), f64), b: ((f64, f64), f64)) {
        let ((c0, lo0), hi0) = a;
        let ((c1, lo1), hi1) = b;
        let steps = ((c1 - c0).abs() * 2.0).ceil().max(1.0) as usize;
        for s in 0..=steps {
            let t = s as f64 / steps as f64;
            let c = c0 + t * (c1 - c0);
            let (lo, hi) = (lo0 + t * (lo1 - lo0), hi0 + t * (hi1 - hi0));
            let (from, to) = (lo.max(hi).ceil(), lo.min(hi).floor());
            let mut r = to;
            while r <= from {
                self.mark(c, r, BAND);
                r += 1.0;
            }
        }
    }

    /// What hiding the box at `(x, y)` of `(w, h)` [pixels, from the plot's top left]
    /// costs: its marked cells, by weight.
    fn marked_in(&self, (x, y): (f64, f64), (w, h): (f64, f64)) -> usize {
        let span = |from: f64, len: f64, max: usize| {
            let a = (from / CELL).floor().max(0.0) as usize;
            let b = (((from + len) / CELL).ceil().max(0.0) as usize).min(max);
            a..b
        };
        let (cols, rows) = (span(x, w, self.cols), span(y, h, self.rows));
        rows.flat_map(|r| cols.clone().map(move |c| (r, c)))
            .map(|(r, c)| usize::from(self.marked[r * self.cols + c]))
            .sum()
    }
}

/// The legend's margin inside its card and the swatches' width [pixels], as
/// [`legend`] sets them.
const LEGEND_MARGIN: u32 = 16;
const LEGEND_SWATCH: u32 = 48;
/// plotters' distance from a legend card to the plot's edge [pixels].
const LEGEND_OFFSET: u32 = 5;

/// The pixels from the plot's corner to the far edges of the legend card of `labels`,
/// as plotters lays it out (its own estimate of the text's size).
pub(super) fn legend_size(labels: &[&str]) -> (u32, u32) {
    let font: TextStyle = ("sans-serif", LEGEND).into_font().into();
    let mut text = MultiLineText::<_, &str>::new((0, 0), font);
    for label in labels {
        text.push_line(*label);
    }
    // Without an estimate, about 0.6 of the font size a character and 1.25 a line.
    let fallback = || {
        let chars = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let em = LEGEND / 1.24;
        (
            (0.6 * em * chars as f64) as i32,
            (1.25 * em * labels.len() as f64) as i32,
        )
    };
    let (w, h) = text.estimate_dimension().unwrap_or_else(|_| fallback());
    let (w, h) = (w.max(0) as u32, h.max(0) as u32);
    (
        LEGEND_OFFSET + w + LEGEND_SWATCH + 2 * LEGEND_MARGIN,
        LEGEND_OFFSET + h + 2 * LEGEND_MARGIN,
    )
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
        .margin(LEGEND_MARGIN)
        .legend_area_size(LEGEND_SWATCH)
        .label_font(("sans-serif", LEGEND).into_font())
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(fail)
}
