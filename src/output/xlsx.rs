//! Worksheets for our workbooks (`corrections.xlsx`, `duplicates.xlsx`, `review.xlsx`, the
//! weekly report), written row by row in rust_xlsxwriter's *constant memory* mode so that a
//! sheet with hundreds of thousands of rows costs one row of memory.
//!
//! Layout of every sheet: a bold header row, frozen, with an autofilter over the whole data
//! range; column widths fitted to the longest header/cell text.
//!
//! Constant-memory mode only allows writing rows in increasing order, which [`SheetWriter`]
//! enforces by construction (it only appends). Column widths, freeze panes and the autofilter
//! are worksheet metadata that rust_xlsxwriter keeps in memory and serialises when the workbook
//! is saved, so they may be set after the rows: [`SheetWriter::finish`] sets them from what was
//! actually written, no width hints needed.
//!
//! **Formula safety.** [`Cell::Text`] and [`Cell::Highlight`] are always written with
//! `write_string`, never as formulas: a string cell whose text starts with `=` is inert in
//! Excel and LibreOffice (it is shown as text and never evaluated, even after editing other
//! cells), so XLSX text is written verbatim, without the `'` prefix that CSV output needs
//! ([`crate::output::safe`]). A reader of our workbook sees exactly the CRM value.
//!
//! **Long tables.** A sheet holds at most 1 048 576 rows; [`write_spilling`] writes a table of
//! any length, continuing it on «name (2)», «name (3)»… with the same header.
//!
//! Save the workbook with [`crate::output::save_workbook_atomic`].

use std::borrow::Cow;
use std::path::PathBuf;

use rust_xlsxwriter::{
    ColNum, Color, DataValidation, DocProperties, ExcelDateTime, Format, FormatPattern, RowNum,
    Url, Workbook, Worksheet,
};

use crate::error::{Error, Result};

/// A new workbook whose metadata does not depend on the clock, so that the same input gives
/// the same bytes: its «created» date is fixed (1980-01-01) instead of the moment of writing.
pub fn workbook() -> Workbook {
    let mut wb = Workbook::new();
    if let Ok(day) = ExcelDateTime::from_ymd(1980, 1, 1) {
        wb.set_properties(&DocProperties::new().set_creation_datetime(&day));
    }
    wb
}

/// Excel's limit on the characters (UTF-16 units) of one cell.
const MAX_CELL_LEN: usize = 32_767;
/// Excel's limit on rows per sheet.
const MAX_ROWS: usize = 1_048_576;
/// Excel's limit on columns per sheet.
const MAX_COLS: usize = 16_384;
/// Excel's limit on hyperlinks per sheet; later links are written as plain text.
const MAX_LINKS: usize = 65_530;
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 60;

/// Data rows per sheet before [`write_spilling`] continues a table on another sheet: a round
/// number under Excel's limit of 1 048 576 rows (header included).
pub const SHEET_ROWS: usize = 1_000_000;

/// One cell of a data row. Its text is borrowed where it can be (an input's cell, a rule's
/// code), so a row of a big table costs no allocation per cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// Plain text, written verbatim as a string cell.
    Text(Cow<'a, str>),
    /// Text with a yellow fill: the offending value a human must look at.
    Highlight(Cow<'a, str>),
    /// A number cell.
    Number(f64),
    /// A hyperlink (`http://`, `https://`, `mailto:`, or `file:///NAME` for a file beside the
    /// workbook) showing `text` (the URL when `text` is empty). Other schemes, over-long URLs and links past Excel's per-sheet limit are written
    /// as plain text.
    Link { url: String, text: String },
    /// Nothing.
    Empty,
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(s: &'a str) -> Self {
        Cell::Text(Cow::Borrowed(s))
    }
}

impl From<String> for Cell<'_> {
    fn from(s: String) -> Self {
        Cell::Text(Cow::Owned(s))
    }
}

impl From<f64> for Cell<'_> {
    fn from(n: f64) -> Self {
        Cell::Number(n)
    }
}

impl<'a> Cell<'a> {
    /// What the cell shows, as plain text (a CSV cell): a link's text (its URL when it has
    /// none), a whole number without decimals.
    pub fn into_shown(self) -> Cow<'a, str> {
        match self {
            Cell::Text(s) | Cell::Highlight(s) => s,
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => {
                Cow::Owned(format!("{}", n as i64))
            }
            Cell::Number(n) => Cow::Owned(n.to_string()),
            Cell::Link { url, text } if text.is_empty() => Cow::Owned(url),
            Cell::Link { text, .. } => Cow::Owned(text),
            Cell::Empty => Cow::Borrowed(""),
        }
    }
}

/// A drop-down on a column of a sheet's data rows (Excel data validation: a person picks one
/// of `values` or leaves the cell blank).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub column: usize,
    pub values: &'static [&'static str],
}

impl Choice {
    /// A drop-down on the column of `header` named `name` (which the header must have).
    pub fn on(header: &[&str], name: &str, values: &'static [&'static str]) -> Choice {
        let column = header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("the header has no column «{name}»"));
        Choice { column, values }
    }
}

/// Appends rows to one constant-memory worksheet. Call [`SheetWriter::finish`] when done; a
/// writer dropped without it leaves the sheet without autofilter and column widths.
pub struct SheetWriter<'a> {
    ws: &'a mut Worksheet,
    name: String,
    header_len: usize,
    /// Next row to write (0 is the header).
    next_row: usize,
    /// Display width in characters of the widest value per column.
    widths: Vec<usize>,
    links: usize,
    highlight: Format,
    choices: Vec<Choice>,
}

impl<'a> SheetWriter<'a> {
    /// Add a constant-memory worksheet named `name` (made valid by [`sanitize_sheet_name`] and
    /// unique in `wb`, case-insensitively, by appending ` (2)`, ` (3)`…), write `header` in bold
    /// and freeze it. With an empty header there is no header row, freeze or autofilter.
    pub fn new(wb: &'a mut Workbook, name: &str, header: &[&str]) -> Result<Self> {
        let name = unique_sheet_name(wb, &sanitize_sheet_name(name));
        if header.len() > MAX_COLS {
            return Err(sheet_err(
                &name,
                format!("{} columns, Excel allows {MAX_COLS}", header.len()),
            ));
        }
        let ws = wb
            .add_worksheet_with_constant_memory()
            .map_err(|e| sheet_err(&name, e))?;
        ws.set_name(name.as_str())
            .map_err(|e| sheet_err(&name, e))?;

        let mut writer = SheetWriter {
            ws,
            name,
            header_len: header.len(),
            next_row: 0,
            widths: Vec::with_capacity(header.len()),
            links: 0,
            highlight: Format::new()
                .set_background_color(Color::Yellow)
                .set_pattern(FormatPattern::Solid),
            choices: Vec::new(),
        };
        if !header.is_empty() {
            let bold = Format::new().set_bold();
            for (col, title) in header.iter().enumerate() {
                let title = fit_cell(title);
                writer
                    .ws
                    .write_string_with_format(0, col as ColNum, title.as_ref(), &bold)
                    .map_err(|e| sheet_err(&writer.name, e))?;
                // Room for the autofilter drop-down arrow.
                writer.note_width(col, text_width(&title) + 2);
            }
            writer
                .ws
                .set_freeze_panes(1, 0)
                .map_err(|e| sheet_err(&writer.name, e))?;
            writer.next_row = 1;
        }
        Ok(writer)
    }

    /// Drop-downs on these columns of the data rows (set when the sheet is finished).
    pub fn with_choices(mut self, choices: &[Choice]) -> Self {
        self.choices = choices.to_vec();
        self
    }

    /// Hides the sheet (it must not be the workbook's only or first sheet).
    pub fn hide(&mut self) {
        self.ws.set_hidden(true);
    }

    /// The sheet's final (sanitised, unique) name, e.g. for `internal:` links.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Data rows written so far.
    pub fn data_rows(&self) -> usize {
        self.next_row - usize::from(self.header_len > 0)
    }

    /// Append one row. Errors when Excel's row or column limit would be exceeded. Text longer
    /// than Excel's 32 767-character cell limit is cut and ends with `…`.
    pub fn row(&mut self, cells: &[Cell]) -> Result<()> {
        if self.next_row >= MAX_ROWS {
            return Err(sheet_err(
                &self.name,
                format!("more than {MAX_ROWS} rows, Excel's limit for one sheet"),
            ));
        }
        if cells.len() > MAX_COLS {
            return Err(sheet_err(
                &self.name,
                format!("{} cells in a row, Excel allows {MAX_COLS}", cells.len()),
            ));
        }
        let row = self.next_row as RowNum;
        for (i, cell) in cells.iter().enumerate() {
            let col = i as ColNum;
            let width = match cell {
                Cell::Empty => 0,
                Cell::Text(s) => {
                    if !s.is_empty() {
                        let s = fit_cell(s);
                        self.ws
                            .write_string(row, col, s.as_ref())
                            .map_err(|e| sheet_err(&self.name, e))?;
                    }
                    self.wider(i, s)
                }
                Cell::Highlight(s) => {
                    if s.is_empty() {
                        self.ws.write_blank(row, col, &self.highlight)
                    } else {
                        let s = fit_cell(s);
                        self.ws
                            .write_string_with_format(row, col, s.as_ref(), &self.highlight)
                    }
                    .map_err(|e| sheet_err(&self.name, e))?;
                    self.wider(i, s)
                }
                Cell::Number(n) => {
                    if n.is_finite() {
                        self.ws
                            .write_number(row, col, *n)
                            .map_err(|e| sheet_err(&self.name, e))?;
                    } else {
                        self.ws
                            .write_string(row, col, n.to_string())
                            .map_err(|e| sheet_err(&self.name, e))?;
                    }
                    n.to_string().chars().count().min(12)
                }
                Cell::Link { url, text } => {
                    let shown = if text.is_empty() { url } else { text };
                    let shown = fit_cell(shown);
                    if self.links < MAX_LINKS && linkable(url) {
                        let link = Url::new(url.as_str());
                        match self.ws.write_url_with_text(row, col, link, shown.as_ref()) {
                            Ok(_) => self.links += 1,
                            // e.g. a URL over Excel's 2079-character limit: keep the text.
                            Err(_) => {
                                self.ws
                                    .write_string(row, col, shown.as_ref())
                                    .map_err(|e| sheet_err(&self.name, e))?;
                            }
                        }
                    } else {
                        self.ws
                            .write_string(row, col, shown.as_ref())
                            .map_err(|e| sheet_err(&self.name, e))?;
                    }
                    self.wider(i, &shown)
                }
            };
            self.note_width(i, width);
        }
        self.next_row += 1;
        Ok(())
    }

    /// Set the autofilter over header + data and the column widths (longest header/cell text
    /// per column in characters, header +2 for the filter arrow, clamped to 8..=60).
    pub fn finish(self) -> Result<()> {
        let SheetWriter {
            ws,
            name,
            header_len,
            next_row,
            widths,
            choices,
            ..
        } = self;
        let first = usize::from(header_len > 0);
        for choice in choices.iter().filter(|_| next_row > first) {
            let validation = DataValidation::new()
                .allow_list_strings(choice.values)
                .map_err(|e| sheet_err(&name, e))?
                .ignore_blank(true);
            let col = choice.column as ColNum;
            ws.add_data_validation(
                first as RowNum,
                col,
                (next_row - 1) as RowNum,
                col,
                &validation,
            )
            .map_err(|e| sheet_err(&name, e))?;
        }
        if header_len > 0 {
            let last_col = widths.len().max(header_len) - 1;
            ws.autofilter(0, 0, (next_row - 1) as RowNum, last_col as ColNum)
                .map_err(|e| sheet_err(&name, e))?;
        }
        for (col, w) in widths.iter().enumerate() {
            let w = (*w).clamp(MIN_WIDTH, MAX_WIDTH);
            ws.set_column_width(col as ColNum, w as f64)
                .map_err(|e| sheet_err(&name, e))?;
        }
        Ok(())
    }

    /// `s`'s width when it may widen column `col`: a text of no more bytes than the column's
    /// width so far, or a column already at the widest, need not be measured.
    fn wider(&self, col: usize, s: &str) -> usize {
        let width = self.widths.get(col).copied().unwrap_or(0);
        if s.len() <= width || width >= MAX_WIDTH {
            0
        } else {
            text_width(s)
        }
    }

    fn note_width(&mut self, col: usize, width: usize) {
        if self.widths.len() <= col {
            self.widths.resize(col + 1, 0);
        }
        self.widths[col] = self.widths[col].max(width);
    }
}

/// Writes a table that may not fit one sheet: a sheet named `name` with `header`, continued on
/// «name (2)», «name (3)»… (same header; names made unique as by [`SheetWriter::new`]) whenever
/// the next block of rows would take it past `max_rows` data rows. A block (e.g. the rows of one
/// duplicate cluster) stays on one sheet unless it alone is longer than `max_rows`. `max_rows`
/// is clamped to 1..=1 048 575 (Excel's limit less the header row); commands pass
/// [`SHEET_ROWS`], tests a small number. Returns the names of the sheets written, at least one
/// (an empty table still gets its header row).
pub fn write_spilling<'c, B, R>(
    wb: &mut Workbook,
    name: &str,
    header: &[&str],
    max_rows: usize,
    blocks: impl IntoIterator<Item = B>,
) -> Result<Vec<String>>
where
    B: AsRef<[R]>,
    R: AsRef<[Cell<'c>]>,
{
    write_spilling_with(wb, (name, header, &[]), max_rows, blocks)
}

/// [`write_spilling`] of a table `(name, header, drop-downs)`: every sheet gets the drop-downs.
pub fn write_spilling_with<'c, B, R>(
    wb: &mut Workbook,
    (name, header, choices): (&str, &[&str], &[Choice]),
    max_rows: usize,
    blocks: impl IntoIterator<Item = B>,
) -> Result<Vec<String>>
where
    B: AsRef<[R]>,
    R: AsRef<[Cell<'c>]>,
{
    let max_rows = max_rows.clamp(1, MAX_ROWS - 1);
    let mut sheet = SheetWriter::new(wb, name, header)?.with_choices(choices);
    let mut names = vec![sheet.name().to_string()];
    for block in blocks {
        let block = block.as_ref();
        for (i, row) in block.iter().enumerate() {
            let used = sheet.data_rows();
            let block_overflows = i == 0 && used > 0 && used + block.len() > max_rows;
            if used >= max_rows || block_overflows {
                sheet.finish()?;
                sheet = SheetWriter::new(wb, name, header)?.with_choices(choices);
                names.push(sheet.name().to_string());
            }
            sheet.row(row.as_ref())?;
        }
    }
    sheet.finish()?;
    Ok(names)
}

/// [`write_spilling`] of single rows.
pub fn write_spilling_rows<'c, R: AsRef<[Cell<'c>]>>(
    wb: &mut Workbook,
    name: &str,
    header: &[&str],
    max_rows: usize,
    rows: impl IntoIterator<Item = R>,
) -> Result<Vec<String>> {
    write_spilling(wb, name, header, max_rows, rows.into_iter().map(|r| [r]))
}

fn sheet_err(sheet: &str, e: impl std::fmt::Display) -> Error {
    Error::Write {
        path: PathBuf::from(format!("sheet «{sheet}»")),
        message: e.to_string(),
    }
}

/// Web and mail links, and `file:///NAME`: a file beside the workbook (a bare file name, no
/// folder, so that a link cannot point anywhere else).
fn linkable(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    if let Some(name) = url.strip_prefix("file:///") {
        return !name.is_empty() && !name.contains(['/', '\\', ':', '#']) && name != "..";
    }
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
}

/// Display width of a cell text in characters: its longest line.
fn text_width(s: &str) -> usize {
    s.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// `s` cut to Excel's cell limit (in UTF-16 units), ending with `…` when cut.
fn fit_cell(s: &str) -> Cow<'_, str> {
    // A char takes at least as many UTF-8 bytes as UTF-16 units, so short strings fit.
    if s.len() <= MAX_CELL_LEN || s.encode_utf16().count() <= MAX_CELL_LEN {
        return Cow::Borrowed(s);
    }
    let mut units = 0;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        if units + c.len_utf16() > MAX_CELL_LEN - 1 {
            end = i;
            break;
        }
        units += c.len_utf16();
    }
    Cow::Owned(format!("{}…", &s[..end]))
}

/// A valid Excel sheet name: `[ ] : * ? / \` and control characters become `_`, leading and
/// trailing apostrophes are dropped, the result is cut to 31 UTF-16 units; empty becomes
/// `Sheet`, and Excel's reserved `History` becomes `History_`.
pub fn sanitize_sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim_matches('\'');
    let mut out = truncate_units(trimmed, 31);
    // Cutting may expose an apostrophe at the end.
    while out.ends_with('\'') {
        out.pop();
    }
    if out.trim().is_empty() {
        return "Sheet".to_string();
    }
    if out.eq_ignore_ascii_case("history") {
        out.push('_');
    }
    out
}

fn truncate_units(s: &str, max: usize) -> String {
    let mut units = 0;
    s.chars()
        .take_while(|c| {
            units += c.len_utf16();
            units <= max
        })
        .collect()
}

fn unique_sheet_name(wb: &mut Workbook, base: &str) -> String {
    let taken: Vec<String> = wb
        .worksheets()
        .iter()
        .map(|ws| ws.name().to_lowercase())
        .collect();
    if !taken.contains(&base.to_lowercase()) {
        return base.to_string();
    }
    for n in 2.. {
        let suffix = format!(" ({n})");
        let stem = truncate_units(base, 31 - suffix.len());
        let candidate = format!("{stem}{suffix}");
        if !taken.contains(&candidate.to_lowercase()) {
            return candidate;
        }
    }
    unreachable!("an unbounded range always yields a free name")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::atomic::{save_workbook_atomic, OutputPolicy};
    use calamine::{open_workbook, Data, Reader, Xlsx};

    #[test]
    fn roundtrip_through_calamine() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("corrections.xlsx");
        let mut wb = Workbook::new();
        {
            let mut sheet = SheetWriter::new(
                &mut wb,
                "Контакты: CON001",
                &["ID", "ФИО", "Значение", "Ссылка"],
            )
            .unwrap();
            assert_eq!(sheet.name(), "Контакты_ CON001");
            sheet
                .row(&[
                    Cell::Number(1234.0),
                    Cell::Text("Иванов Иван".into()),
                    Cell::Highlight("=1+1".into()),
                    Cell::Link {
                        url: "https://example.amocrm.ru/contacts/detail/1234".into(),
                        text: "открыть".into(),
                    },
                ])
                .unwrap();
            sheet
                .row(&[
                    Cell::Text("5678".into()),
                    Cell::Empty,
                    Cell::Text("@SUM(A1)".into()),
                    Cell::Link {
                        url: "javascript:alert(1)".into(),
                        text: "not a link".into(),
                    },
                ])
                .unwrap();
            assert_eq!(sheet.data_rows(), 2);
            sheet.finish().unwrap();
        }
        {
            let mut other = SheetWriter::new(&mut wb, "контакты: con001", &["A"]).unwrap();
            assert_eq!(other.name(), "контакты_ con001 (2)");
            other.row(&[Cell::Text("x".into())]).unwrap();
            other.finish().unwrap();
        }
        save_workbook_atomic(&path, &OutputPolicy::default(), &mut wb).unwrap();

        let mut book: Xlsx<_> = open_workbook(&path).unwrap();
        assert_eq!(
            book.sheet_names(),
            vec![
                "Контакты_ CON001".to_string(),
                "контакты_ con001 (2)".to_string()
            ]
        );
        let range = book.worksheet_range("Контакты_ CON001").unwrap();
        let s = |v: &str| Data::String(v.to_string());
        assert_eq!(range.get((0, 0)), Some(&s("ID")));
        assert_eq!(range.get((0, 1)), Some(&s("ФИО")));
        assert_eq!(range.get((0, 3)), Some(&s("Ссылка")));
        assert_eq!(range.get((1, 0)), Some(&Data::Float(1234.0)));
        assert_eq!(range.get((1, 1)), Some(&s("Иванов Иван")));
        // A string cell, not a formula: comes back as the text, not as 2.
        assert_eq!(range.get((1, 2)), Some(&s("=1+1")));
        assert_eq!(range.get((1, 3)), Some(&s("открыть")));
        assert_eq!(range.get((2, 0)), Some(&s("5678")));
        assert_eq!(range.get((2, 1)), Some(&Data::Empty));
        assert_eq!(range.get((2, 2)), Some(&s("@SUM(A1)")));
        assert_eq!(range.get((2, 3)), Some(&s("not a link")));

        let formulas = book.worksheet_formula("Контакты_ CON001").unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "no formulas expected"
        );
    }

    #[test]
    fn header_only_sheet_and_empty_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.xlsx");
        let mut wb = Workbook::new();
        SheetWriter::new(&mut wb, "Пусто", &["ID", "Правило"])
            .unwrap()
            .finish()
            .unwrap();
        let mut raw = SheetWriter::new(&mut wb, "", &[]).unwrap();
        assert_eq!(raw.name(), "Sheet");
        raw.row(&[Cell::Text("a".into()), Cell::Number(f64::NAN)])
            .unwrap();
        assert_eq!(raw.data_rows(), 1);
        raw.finish().unwrap();
        save_workbook_atomic(&path, &OutputPolicy::default(), &mut wb).unwrap();

        let mut book: Xlsx<_> = open_workbook(&path).unwrap();
        let range = book.worksheet_range("Пусто").unwrap();
        assert_eq!(range.get((0, 1)), Some(&Data::String("Правило".into())));
        assert_eq!(range.height(), 1);
        let range = book.worksheet_range("Sheet").unwrap();
        assert_eq!(range.get((0, 0)), Some(&Data::String("a".into())));
        assert_eq!(range.get((0, 1)), Some(&Data::String("NaN".into())));
    }

    #[test]
    fn long_text_is_cut_to_excel_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("long.xlsx");
        let mut wb = Workbook::new();
        let mut sheet = SheetWriter::new(&mut wb, "Long", &["Примечание"]).unwrap();
        let long = "ж".repeat(40_000);
        sheet.row(&[Cell::Highlight(long.into())]).unwrap();
        sheet.finish().unwrap();
        save_workbook_atomic(&path, &OutputPolicy::default(), &mut wb).unwrap();
        let mut book: Xlsx<_> = open_workbook(&path).unwrap();
        let range = book.worksheet_range("Long").unwrap();
        let Some(Data::String(back)) = range.get((1, 0)) else {
            panic!("expected a string");
        };
        assert_eq!(back.encode_utf16().count(), MAX_CELL_LEN);
        assert!(back.ends_with('…'));
    }

    #[test]
    fn sheet_names() {
        assert_eq!(sanitize_sheet_name("a[b]c:d*e?f/g\\h"), "a_b_c_d_e_f_g_h");
        assert_eq!(sanitize_sheet_name("'quoted'"), "quoted");
        assert_eq!(sanitize_sheet_name("''"), "Sheet");
        assert_eq!(sanitize_sheet_name("history"), "history_");
        let long = "Дубликаты контактов по телефону и дате рождения";
        let cut = sanitize_sheet_name(long);
        assert_eq!(cut.chars().count(), 31);
        assert!(long.starts_with(&cut));
        // Astral characters count as two UTF-16 units.
        assert_eq!(sanitize_sheet_name(&"😀".repeat(20)).chars().count(), 15);
    }

    #[test]
    fn unique_names_fit_31_units() {
        let mut wb = Workbook::new();
        let base = "x".repeat(40);
        let a = SheetWriter::new(&mut wb, &base, &["A"])
            .unwrap()
            .name()
            .to_string();
        let b = SheetWriter::new(&mut wb, &base, &["A"])
            .unwrap()
            .name()
            .to_string();
        assert_eq!(a.len(), 31);
        assert_eq!(b.len(), 31);
        assert!(b.ends_with(" (2)"));
    }

    #[test]
    fn long_tables_continue_on_numbered_sheets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spill.xlsx");
        let mut wb = Workbook::new();
        let row = |s: &str| vec![Cell::from(s.to_string()), Cell::Number(1.0)];
        let rows: Vec<Vec<Cell>> = ["a", "b", "c", "d", "e", "f", "g"].map(row).to_vec();
        let names = write_spilling_rows(&mut wb, "Статусы сделок", &["ID", "N"], 3, &rows).unwrap();
        assert_eq!(
            names,
            ["Статусы сделок", "Статусы сделок (2)", "Статусы сделок (3)"]
        );
        // Blocks stay together: [x1 x2] [y1 y2 y3] [z1] with 4 rows a sheet → x, then y z.
        let blocks = vec![
            vec![row("x1"), row("x2")],
            vec![row("y1"), row("y2"), row("y3")],
            vec![row("z1")],
            // longer than a sheet: split
            (1..=6).map(|i| row(&format!("w{i}"))).collect(),
        ];
        let names = write_spilling(&mut wb, "Контакты", &["ID", "N"], 4, &blocks).unwrap();
        assert_eq!(
            names,
            ["Контакты", "Контакты (2)", "Контакты (3)", "Контакты (4)"]
        );
        // An empty table still gets its header.
        let none: Vec<Vec<Cell>> = Vec::new();
        assert_eq!(
            write_spilling_rows(&mut wb, "Пусто", &["ID"], 3, &none).unwrap(),
            ["Пусто"]
        );
        save_workbook_atomic(&path, &OutputPolicy::default(), &mut wb).unwrap();

        let ids = |rows: &[Vec<String>]| -> Vec<String> {
            assert_eq!(
                rows[0],
                ["ID", "N"].map(String::from),
                "header on every sheet"
            );
            rows[1..].iter().map(|r| r[0].clone()).collect()
        };
        let sheets = crate::testutil::read_workbook(&path);
        let got: Vec<(&str, Vec<String>)> = sheets
            .iter()
            .filter(|(name, _)| name != "Пусто")
            .map(|(name, rows)| (name.as_str(), ids(rows)))
            .collect();
        let want: Vec<(&str, Vec<&str>)> = vec![
            ("Статусы сделок", vec!["a", "b", "c"]),
            ("Статусы сделок (2)", vec!["d", "e", "f"]),
            ("Статусы сделок (3)", vec!["g"]),
            ("Контакты", vec!["x1", "x2"]),
            ("Контакты (2)", vec!["y1", "y2", "y3", "z1"]),
            ("Контакты (3)", vec!["w1", "w2", "w3", "w4"]),
            ("Контакты (4)", vec!["w5", "w6"]),
        ];
        let want: Vec<(&str, Vec<String>)> = want
            .into_iter()
            .map(|(n, ids)| (n, ids.into_iter().map(String::from).collect()))
            .collect();
        assert_eq!(got, want);
        let empty = &sheets.iter().find(|(n, _)| n == "Пусто").unwrap().1;
        assert_eq!(empty.len(), 1);
    }

    #[test]
    fn the_row_limit_is_clamped_to_excel() {
        let mut wb = Workbook::new();
        let rows = vec![vec![Cell::from("a")], vec![Cell::from("b")]];
        // 0 means 1 row a sheet, not an endless loop or an error.
        let names = write_spilling_rows(&mut wb, "S", &["ID"], 0, &rows).unwrap();
        assert_eq!(names, ["S", "S (2)"]);
        let names = write_spilling_rows(&mut wb, "T", &["ID"], usize::MAX, &rows).unwrap();
        assert_eq!(names, ["T"]);
    }

    #[test]
    fn widths_are_clamped() {
        assert_eq!(text_width("abc\nabcdef"), 6);
        assert_eq!(text_width(""), 0);
        assert!(linkable("HTTPS://x"));
        assert!(linkable("mailto:a@b.ru"));
        assert!(!linkable("file:///etc/passwd"));
        assert!(linkable("file:///Иванова Анна.xlsx"));
        assert!(!linkable("file:///C:\\Temp\\book.xlsx"));
        assert!(!linkable("file:///.."));
        assert_eq!(Cell::Number(17.0).into_shown(), "17");
        assert_eq!(Cell::Number(1.5).into_shown(), "1.5");
        let link = |text: &str| Cell::Link {
            url: "https://x.amocrm.ru/leads/detail/1".into(),
            text: text.into(),
        };
        assert_eq!(link("").into_shown(), "https://x.amocrm.ru/leads/detail/1");
        assert_eq!(link("1").into_shown(), "1");
        assert_eq!(Cell::Highlight("нет".into()).into_shown(), "нет");
    }
}
