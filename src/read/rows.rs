//! A table's data rows stored back to back in one text buffer: no allocation per row or cell,
//! which is what keeps a million-row export within a few hundred bytes of overhead per row.

/// Data rows of text cells. Rows may be ragged: each keeps the cells it had.
#[derive(Debug, Clone)]
pub struct Rows {
    text: String,
    /// Per row, where it starts: its first byte in `text` and its first cell in `ends`; one more
    /// entry closes the last row.
    starts: Vec<(usize, usize)>,
    /// Cell ends, relative to the row's first byte.
    ends: Vec<u32>,
}

impl Default for Rows {
    fn default() -> Self {
        Rows {
            text: String::new(),
            starts: vec![(0, 0)],
            ends: Vec::new(),
        }
    }
}

impl Rows {
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a row.
    pub fn push<'c>(&mut self, cells: impl IntoIterator<Item = &'c str>) {
        let base = self.text.len();
        for cell in cells {
            self.text.push_str(cell);
            self.end_cell(self.text.len() - base);
        }
        self.end_row();
    }

    /// Room for about this much text, rows and cells, so that a big file is not copied over
    /// and over while its rows are appended.
    pub fn reserve(&mut self, text: usize, rows: usize, cells: usize) {
        self.text.reserve(text);
        self.starts.reserve(rows);
        self.ends.reserve(cells);
    }

    /// Appends a CSV record; cells that are not UTF-8 are read with replacement characters.
    /// Returns the first such cell.
    pub fn push_record(&mut self, record: &csv::ByteRecord) -> Option<usize> {
        let cell_ends = (0..record.len()).map(|i| record.range(i).map_or(0, |r| r.end));
        // A valid row can still hide an invalid cell: bytes split by a delimiter.
        let whole = std::str::from_utf8(record.as_slice())
            .ok()
            .filter(|s| cell_ends.clone().all(|end| s.is_char_boundary(end)));
        let Some(text) = whole else {
            return self.push_lossy(record);
        };
        self.text.push_str(text);
        cell_ends.for_each(|end| self.end_cell(end));
        self.end_row();
        None
    }

    /// [`Rows::push_record`] for a record with bytes that are not UTF-8.
    fn push_lossy(&mut self, record: &csv::ByteRecord) -> Option<usize> {
        let base = self.text.len();
        let mut invalid = None;
        for (i, cell) in record.iter().enumerate() {
            let text = String::from_utf8_lossy(cell);
            if matches!(text, std::borrow::Cow::Owned(_)) {
                invalid.get_or_insert(i);
            }
            self.text.push_str(&text);
            self.end_cell(self.text.len() - base);
        }
        self.end_row();
        invalid
    }

    /// Ends a cell of the row being appended at `end` bytes from the row's start.
    fn end_cell(&mut self, end: usize) {
        // A row of more than 4 GB cannot come out of a reader (the CSV reader refuses far
        // less), so the clamp never bites.
        self.ends.push(u32::try_from(end).unwrap_or(u32::MAX));
    }

    fn end_row(&mut self) {
        self.starts.push((self.text.len(), self.ends.len()));
    }

    /// A row by 0-based index.
    ///
    /// # Panics
    /// When `i` is out of range, like slice indexing.
    pub fn row(&self, i: usize) -> Row<'_> {
        let (start, first) = self.starts[i];
        let (end, last) = self.starts[i + 1];
        Row {
            text: &self.text[start..end],
            ends: &self.ends[first..last],
        }
    }

    pub fn get(&self, i: usize) -> Option<Row<'_>> {
        (i < self.len()).then(|| self.row(i))
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = Row<'_>> + '_ {
        (0..self.len()).map(|i| self.row(i))
    }

    /// Frees the spare capacity of the indexes (the text's spare room was never touched, so
    /// it costs no memory, and shrinking it would copy it).
    pub fn shrink_to_fit(&mut self) {
        self.starts.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

/// One data row: its cells as text.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    text: &'a str,
    ends: &'a [u32],
}

impl<'a> Row<'a> {
    /// The number of cells the row has.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// A cell, `None` past the row's end.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        let end = *self.ends.get(i)? as usize;
        let start = i.checked_sub(1).map_or(0, |p| self.ends[p] as usize);
        self.text.get(start..end)
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        let row = *self;
        (0..row.len()).map(move |i| row.get(i).unwrap_or(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_ragged_rows_and_empty_cells() {
        let mut rows = Rows::default();
        rows.push(["1", "Анна", ""]);
        rows.push([]);
        rows.push(["2", "", "x", "лишнее"]);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows.row(0).iter().collect::<Vec<_>>(), ["1", "Анна", ""]);
        assert!(rows.row(1).is_empty());
        assert_eq!(rows.row(1).get(0), None);
        assert_eq!(rows.row(2).get(3), Some("лишнее"));
        assert_eq!(rows.row(2).get(1), Some(""));
        assert_eq!(rows.row(2).get(4), None);
        assert!(rows.get(3).is_none());
    }

    #[test]
    fn csv_records_keep_their_cells_and_bad_bytes_are_named() {
        let mut rows = Rows::default();
        let good = csv::ByteRecord::from(vec!["1", "Анна", "", "x"]);
        assert_eq!(rows.push_record(&good), None);
        // «\xd0» «\x90» is «А» when glued together, but each cell alone is not UTF-8.
        let split = csv::ByteRecord::from(vec![&b"2"[..], b"\xd0", b"\x90"]);
        assert_eq!(rows.push_record(&split), Some(1));
        assert_eq!(
            rows.row(0).iter().collect::<Vec<_>>(),
            ["1", "Анна", "", "x"]
        );
        assert_eq!(
            rows.row(1).iter().collect::<Vec<_>>(),
            ["2", "\u{fffd}", "\u{fffd}"]
        );
    }
}
