//! A table's data rows stored back to back in one text buffer: no allocation per row or cell,
//! which is what keeps a million-row export within a few hundred bytes of overhead per row.

/// Data rows of text cells. Rows may be ragged: each keeps the cells it had.
#[derive(Debug, Clone)]
pub struct Rows {
    text: String,
    /// Per row, where it starts: its first byte in `text` and its first cell end in `ends` and
    /// in `wide_ends`; one more entry closes the last row.
    starts: Vec<Start>,
    /// Cell ends relative to the row's first byte, for rows of at most 64 KiB (nearly all).
    ends: Vec<u16>,
    /// Cell ends of longer rows.
    wide_ends: Vec<u32>,
    /// The cell ends of the row being appended.
    pending: Vec<u32>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Start {
    text: usize,
    ends: u32,
    wide_ends: u32,
}

impl Default for Rows {
    fn default() -> Self {
        Rows {
            text: String::new(),
            starts: vec![Start::default()],
            ends: Vec::new(),
            wide_ends: Vec::new(),
            pending: Vec::new(),
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
        for cell in cells {
            self.text.push_str(cell);
            self.end_cell();
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
        let whole = simdutf8::basic::from_utf8(record.as_slice())
            .ok()
            .filter(|s| cell_ends.clone().all(|end| s.is_char_boundary(end)));
        let Some(text) = whole else {
            return self.push_lossy(record);
        };
        self.text.push_str(text);
        self.pending.extend(cell_ends.map(offset));
        self.end_row();
        None
    }

    /// [`Rows::push_record`] for a record with bytes that are not UTF-8.
    fn push_lossy(&mut self, record: &csv::ByteRecord) -> Option<usize> {
        let mut invalid = None;
        for (i, cell) in record.iter().enumerate() {
            let text = String::from_utf8_lossy(cell);
            if matches!(text, std::borrow::Cow::Owned(_)) {
                invalid.get_or_insert(i);
            }
            self.text.push_str(&text);
            self.end_cell();
        }
        self.end_row();
        invalid
    }

    /// Ends a cell of the row being appended where the text ends now.
    fn end_cell(&mut self) {
        let start = self.starts.last().map_or(0, |s| s.text);
        self.pending.push(offset(self.text.len() - start));
    }

    /// Closes the row being appended, its cell ends kept narrow when they fit.
    fn end_row(&mut self) {
        match self.pending.last() {
            Some(&last) if last > u32::from(u16::MAX) => self.wide_ends.append(&mut self.pending),
            _ => self.ends.extend(self.pending.drain(..).map(|e| e as u16)),
        }
        self.starts.push(Start {
            text: self.text.len(),
            ends: offset(self.ends.len()),
            wide_ends: offset(self.wide_ends.len()),
        });
    }

    /// A row by 0-based index.
    ///
    /// # Panics
    /// When `i` is out of range, like slice indexing.
    pub fn row(&self, i: usize) -> Row<'_> {
        let (from, to) = (self.starts[i], self.starts[i + 1]);
        let ends = if to.wide_ends > from.wide_ends {
            Ends::Wide(&self.wide_ends[from.wide_ends as usize..to.wide_ends as usize])
        } else {
            Ends::Narrow(&self.ends[from.ends as usize..to.ends as usize])
        };
        Row {
            text: &self.text[from.text..to.text],
            ends,
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
        self.wide_ends.shrink_to_fit();
    }
}

/// A byte offset or count as stored. No reader yields 4 GB of cells (the CSV reader refuses far
/// less), so the clamp never bites.
fn offset(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A row's cell ends.
#[derive(Debug, Clone, Copy)]
enum Ends<'a> {
    Narrow(&'a [u16]),
    Wide(&'a [u32]),
}

impl Ends<'_> {
    fn len(&self) -> usize {
        match self {
            Ends::Narrow(e) => e.len(),
            Ends::Wide(e) => e.len(),
        }
    }

    fn get(&self, i: usize) -> Option<usize> {
        match self {
            Ends::Narrow(e) => e.get(i).map(|&e| usize::from(e)),
            Ends::Wide(e) => e.get(i).map(|&e| e as usize),
        }
    }
}

/// One data row: its cells as text.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    text: &'a str,
    ends: Ends<'a>,
}

impl<'a> Row<'a> {
    /// The number of cells the row has.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A cell, `None` past the row's end.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        let end = self.ends.get(i)?;
        let start = i.checked_sub(1).and_then(|p| self.ends.get(p)).unwrap_or(0);
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
    fn rows_longer_than_64_kib_keep_their_cells() {
        let big = "ж".repeat(40_000);
        let mut rows = Rows::default();
        rows.push(["1", "a"]);
        rows.push(["2", &big, "после"]);
        rows.push_record(&csv::ByteRecord::from(vec!["3", big.as_str(), "x"]));
        rows.push(["4", ""]);
        assert_eq!(rows.row(0).iter().collect::<Vec<_>>(), ["1", "a"]);
        assert_eq!(rows.row(1).iter().collect::<Vec<_>>(), ["2", &big, "после"]);
        assert_eq!(rows.row(2).iter().collect::<Vec<_>>(), ["3", &big, "x"]);
        assert_eq!(rows.row(3).iter().collect::<Vec<_>>(), ["4", ""]);
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
