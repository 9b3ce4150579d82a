//! The rows of a table, stored compactly: every cell's text in one string.
//!
//! A table holds one row per series and reporting day (the default scenario at daily
//! reporting: 62 000 rows of `stock.csv`, 105 000 of `groups.csv`). A `String` per cell
//! costs 24 bytes and an allocation of at least 32 on top of its text, which made the
//! tables, not the Monte Carlo result, the peak of a run's memory. [`Rows`] keeps all the
//! text in one `String` and four bytes per cell for where it ends: about a quarter of the
//! memory. A row is read through [`Row`], whose cells index as `&str`.

use std::ops::Index;

/// The rows of a table (see the module docs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rows {
    /// Every cell's text, row after row.
    text: String,
    /// Where each row's text starts in `text`; one more entry than rows, the last
    /// `text.len()`.
    starts: Vec<usize>,
    /// The end of each cell, from its row's start.
    ends: Vec<u32>,
    /// Where each row's cells start in `ends`; one more entry than rows.
    cells: Vec<usize>,
}

impl Rows {
    /// No rows.
    pub fn new() -> Rows {
        Rows {
            starts: vec![0],
            cells: vec![0],
            ..Rows::default()
        }
    }

    /// Appends a row of `cells`.
    ///
    /// # Panics
    /// If one row's text passes 4 GiB.
    pub fn push<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        if self.starts.is_empty() {
            *self = Rows::new();
        }
        let start = self.text.len();
        for cell in cells {
            self.text.push_str(cell.as_ref());
            let end = u32::try_from(self.text.len() - start).expect("a row under 4 GiB");
            self.ends.push(end);
        }
        self.starts.push(self.text.len());
        self.cells.push(self.ends.len());
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `r`, if there is one.
    pub fn get(&self, r: usize) -> Option<Row<'_>> {
        (r < self.len()).then(|| Row {
            text: &self.text[self.starts[r]..self.starts[r + 1]],
            ends: &self.ends[self.cells[r]..self.cells[r + 1]],
        })
    }

    /// The first row, if there is one.
    pub fn first(&self) -> Option<Row<'_>> {
        self.get(0)
    }

    /// Every row, in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            rows: self,
            next: 0,
        }
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.ends.capacity() * 4
            + (self.starts.capacity() + self.cells.capacity()) * 8
    }
}

impl<R: IntoIterator<Item = S>, S: AsRef<str>> FromIterator<R> for Rows {
    fn from_iter<I: IntoIterator<Item = R>>(rows: I) -> Rows {
        let mut out = Rows::new();
        rows.into_iter().for_each(|r| out.push(r));
        out
    }
}

impl<R: IntoIterator<Item = S>, S: AsRef<str>> Extend<R> for Rows {
    fn extend<I: IntoIterator<Item = R>>(&mut self, rows: I) {
        rows.into_iter().for_each(|r| self.push(r));
    }
}

impl<'a> IntoIterator for &'a Rows {
    type Item = Row<'a>;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// The rows of [`Rows`], in order.
#[derive(Clone, Debug)]
pub struct Iter<'a> {
    rows: &'a Rows,
    next: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Row<'a>;

    fn next(&mut self) -> Option<Row<'a>> {
        let row = self.rows.get(self.next)?;
        self.next += 1;
        Some(row)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.rows.len() - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// One row of [`Rows`]: its cells index as `&str`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row<'a> {
    /// The row's text.
    text: &'a str,
    /// Where each cell ends in `text`.
    ends: &'a [u32],
}

impl<'a> Row<'a> {
    /// Number of cells.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the row has no cell.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Cell `c`, if there is one.
    pub fn get(&self, c: usize) -> Option<&'a str> {
        let end = *self.ends.get(c)? as usize;
        let start = if c == 0 { 0 } else { self.ends[c - 1] as usize };
        Some(&self.text[start..end])
    }

    /// Every cell, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &'a str> + Clone + 'a {
        let (text, ends) = (self.text, self.ends);
        (0..ends.len()).map(move |c| {
            let start = if c == 0 { 0 } else { ends[c - 1] as usize };
            &text[start..ends[c] as usize]
        })
    }

    /// The cells as owned strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }
}

impl Index<usize> for Row<'_> {
    type Output = str;

    /// Cell `c`.
    ///
    /// # Panics
    /// If the row has no cell `c`.
    fn index(&self, c: usize) -> &str {
        match self.get(c) {
            Some(cell) => cell,
            None => panic!("row of {} cells has no cell {c}", self.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_give_back_their_cells_including_empty_ones() {
        let mut rows = Rows::new();
        rows.push(["us", "shell_155", "", "1.5"]);
        rows.push(vec![String::from("é"), String::new()]);
        rows.push(Vec::<String>::new());
        assert_eq!(rows.len(), 3);
        let r0 = rows.get(0).unwrap();
        assert_eq!(
            (&r0[0], &r0[1], &r0[2], &r0[3]),
            ("us", "shell_155", "", "1.5")
        );
        assert_eq!(r0.get(4), None);
        assert_eq!(rows.get(1).unwrap().to_vec(), ["é", ""]);
        assert!(rows.get(2).unwrap().is_empty());
        assert_eq!(rows.get(3), None);
        let lens: Vec<usize> = rows.iter().map(|r| r.len()).collect();
        assert_eq!(lens, [4, 2, 0]);
        assert_eq!(Rows::default().len(), 0);
        let mut d = Rows::default();
        d.push(["a"]);
        assert_eq!(d.get(0).unwrap().to_vec(), ["a"]);
    }
}
