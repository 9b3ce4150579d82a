//! The per-trial rows of a run: what the runner hands over unit by unit, in trial order,
//! and the [`RowSink`] interface through which exporters (`trials.csv`, `inputs.csv`)
//! take them.

use crate::error::Result;
use crate::model::SeriesOutcome;

/// The per-trial outcomes of one unit of consecutive trials, for `trials.csv`.
#[derive(Debug, Clone, Default)]
pub struct UnitRows {
    /// Index of the unit's first trial.
    pub first: u64,
    /// Series per trial.
    pub width: usize,
    /// The outcomes, trial after trial, `width` per trial in scenario series order.
    pub outcomes: Vec<SeriesOutcome>,
    /// The inputs' values, trial after trial, when the model records them (see
    /// [`crate::model::inputs`]); empty otherwise.
    pub inputs: Vec<f64>,
}

impl UnitRows {
    /// Each trial's index and its outcomes, in trial order.
    pub fn trials(&self) -> impl Iterator<Item = (u64, &[SeriesOutcome])> {
        (self.first..).zip(self.outcomes.chunks(self.width.max(1)))
    }
}

/// Two sinks fed the same rows (e.g. `trials.csv` and `inputs.csv`).
impl<A: RowSink, B: RowSink> RowSink for (A, B) {
    type Rendered = (A::Rendered, B::Rendered);
    fn render(&self, rows: &UnitRows) -> Self::Rendered {
        (self.0.render(rows), self.1.render(rows))
    }
    fn write(&mut self, rendered: Self::Rendered) -> Result<()> {
        self.0.write(rendered.0)?;
        self.1.write(rendered.1)
    }
}

/// Where the per-trial rows go. A unit of trials is rendered on the worker thread that
/// ran it ([`RowSink::render`], in parallel), then the rendered units are written in
/// trial order on the calling thread ([`RowSink::write`]).
pub trait RowSink: Sync {
    /// A rendered unit (for example CSV text).
    type Rendered: Send;
    /// Renders the rows of one unit; called on worker threads.
    fn render(&self, rows: &UnitRows) -> Self::Rendered;
    /// Takes one rendered unit; called on the calling thread, in trial order.
    ///
    /// # Errors
    /// Whatever writing fails with; the run stops with that error.
    fn write(&mut self, rendered: Self::Rendered) -> Result<()>;
}

/// A sink that drops the rows (benchmarks, runs that need only the aggregate).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRows;

impl RowSink for NoRows {
    type Rendered = ();
    fn render(&self, _rows: &UnitRows) {}
    fn write(&mut self, _rendered: ()) -> Result<()> {
        Ok(())
    }
}
