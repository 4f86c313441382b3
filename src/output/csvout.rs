//! CSV files that amoCRM's importer and Excel open correctly.
//!
//! - [`CsvEncoding::Utf8Bom`]: UTF-8 with a byte-order mark (without it Excel assumes the ANSI
//!   code page and shows mojibake), `\n` line endings.
//! - [`CsvEncoding::Windows1251`]: the Russian ANSI code page that older Excel and amoCRM imports
//!   expect, `\r\n` line endings. Characters the code page cannot hold are replaced by their
//!   closest representable form (`é` → `e`, narrow no-break space → space, `−` → `-`, `₽` →
//!   `руб.`, zero-width characters dropped) or by `?` (emoji, CJK…); the number of such
//!   characters is reported in [`CsvReport::replaced`]. Writing never fails because of them.
//!
//! Every cell, header included, goes through [`csv_safe`] (formula injection), after the
//! Windows-1251 replacement so that a dropped invisible character cannot uncover a leading `=`.
//! Quoting is minimal (only cells with the delimiter, quotes or line breaks are quoted); output
//! is deterministic. Files are written with [`write_atomic`].

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;
use std::sync::OnceLock;

use crate::error::Result;
use crate::output::atomic::{write_atomic, OutputPolicy};
use crate::output::safe::csv_safe;

/// Text encoding (and, with it, line ending) of a CSV output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvEncoding {
    /// UTF-8 with BOM, `\n` line endings.
    Utf8Bom,
    /// Windows-1251, `\r\n` line endings.
    Windows1251,
}

/// What [`CsvOut::write_report`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CsvReport {
    /// Data rows written (the header not counted).
    pub rows: usize,
    /// Characters that Windows-1251 cannot represent and that were replaced or dropped.
    pub replaced: usize,
}

/// A CSV writer configuration.
#[derive(Debug, Clone)]
pub struct CsvOut {
    delimiter: u8,
    encoding: CsvEncoding,
}

impl CsvOut {
    /// `delimiter` is usually `b';'` (what Russian-locale Excel expects) or `b','`.
    pub fn new(delimiter: u8, encoding: CsvEncoding) -> Self {
        CsvOut {
            delimiter,
            encoding,
        }
    }

    /// Write `header` and `rows` to `path` atomically (see the module docs). Rows shorter than
    /// the header are padded with empty cells; a row longer than a non-empty header is an
    /// [`Error::Write`](crate::error::Error::Write) naming the row. An empty header writes no
    /// header line.
    pub fn write<R: AsRef<[S]>, S: AsRef<str>>(
        &self,
        path: &Path,
        policy: &OutputPolicy,
        header: &[&str],
        rows: impl IntoIterator<Item = R>,
    ) -> Result<()> {
        self.write_report(path, policy, header, rows).map(|_| ())
    }

    /// Like [`CsvOut::write`], also returning how many rows were written and how many characters
    /// had to be replaced for Windows-1251.
    pub fn write_report<R: AsRef<[S]>, S: AsRef<str>>(
        &self,
        path: &Path,
        policy: &OutputPolicy,
        header: &[&str],
        rows: impl IntoIterator<Item = R>,
    ) -> Result<CsvReport> {
        let mut report = CsvReport::default();
        write_atomic(path, policy, |out| {
            self.write_to(out, header, rows, &mut report)
        })?;
        Ok(report)
    }

    fn write_to<R: AsRef<[S]>, S: AsRef<str>>(
        &self,
        out: &mut dyn Write,
        header: &[&str],
        rows: impl IntoIterator<Item = R>,
        report: &mut CsvReport,
    ) -> io::Result<()> {
        let terminator = match self.encoding {
            CsvEncoding::Utf8Bom => csv::Terminator::Any(b'\n'),
            CsvEncoding::Windows1251 => csv::Terminator::CRLF,
        };
        if self.encoding == CsvEncoding::Utf8Bom {
            out.write_all(b"\xEF\xBB\xBF")?;
        }
        let mut wtr = csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .terminator(terminator)
            .quote_style(csv::QuoteStyle::Necessary)
            .flexible(true)
            .from_writer(EncodingSink {
                out,
                encoding: self.encoding,
                pending: Vec::new(),
            });

        let width = header.len();
        if width > 0 {
            for c in header {
                let cell = self.cell(c, &mut report.replaced);
                wtr.write_field(cell.as_bytes()).map_err(io::Error::other)?;
            }
            wtr.write_record(None::<&[u8]>).map_err(io::Error::other)?;
        }
        for (i, row) in rows.into_iter().enumerate() {
            let row = row.as_ref();
            if width > 0 && row.len() > width {
                return Err(io::Error::other(format!(
                    "data row {}: {} cells but the header has {width}",
                    i + 1,
                    row.len()
                )));
            }
            for c in row {
                let cell = self.cell(c.as_ref(), &mut report.replaced);
                wtr.write_field(cell.as_bytes()).map_err(io::Error::other)?;
            }
            for _ in row.len()..width {
                wtr.write_field(b"").map_err(io::Error::other)?;
            }
            wtr.write_record(None::<&[u8]>).map_err(io::Error::other)?;
            report.rows += 1;
        }
        wtr.flush()?;
        let sink = wtr
            .into_inner()
            .map_err(|e| io::Error::other(e.error().to_string()))?;
        if sink.pending.is_empty() {
            Ok(())
        } else {
            Err(io::Error::other(
                "internal error: incomplete UTF-8 at end of CSV",
            ))
        }
    }

    fn cell<'a>(&self, raw: &'a str, replaced: &mut usize) -> Cow<'a, str> {
        match self.encoding {
            CsvEncoding::Utf8Bom => csv_safe(raw),
            CsvEncoding::Windows1251 => {
                let text = to_1251_repertoire(raw, replaced);
                Cow::Owned(csv_safe(&text).into_owned())
            }
        }
    }
}

/// Receives the csv writer's UTF-8 output and writes it to `out` in the target encoding. The
/// csv buffer may be cut in the middle of a character, so an incomplete tail waits in `pending`.
struct EncodingSink<'a> {
    out: &'a mut dyn Write,
    encoding: CsvEncoding,
    pending: Vec<u8>,
}

impl Write for EncodingSink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.encoding {
            CsvEncoding::Utf8Bom => self.out.write_all(buf)?,
            CsvEncoding::Windows1251 => {
                self.pending.extend_from_slice(buf);
                let valid = match std::str::from_utf8(&self.pending) {
                    Ok(text) => text.len(),
                    Err(e) if e.error_len().is_none() => e.valid_up_to(),
                    Err(e) => return Err(io::Error::other(e)),
                };
                let text = std::str::from_utf8(&self.pending[..valid]).map_err(io::Error::other)?;
                // Every character is representable at this point, so nothing is replaced.
                let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
                self.out.write_all(&bytes)?;
                self.pending.drain(..valid);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        // `out` is flushed once, by write_atomic, at the end.
        Ok(())
    }
}

/// The non-ASCII characters Windows-1251 can encode.
fn cp1251_high() -> &'static [char] {
    static TABLE: OnceLock<Vec<char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut v: Vec<char> = (0x80u8..=0xFF)
            .filter_map(|b| {
                let bytes = [b];
                let (text, had_errors) = encoding_rs::WINDOWS_1251
                    .decode_without_bom_handling_and_without_replacement(&bytes)
                    .map(|t| (t, false))
                    .unwrap_or((Cow::Borrowed(""), true));
                let c = text.chars().next()?;
                (!had_errors && c != '\u{FFFD}').then_some(c)
            })
            .collect();
        v.sort_unstable();
        v
    })
}

fn representable(c: char) -> bool {
    c.is_ascii() || cp1251_high().binary_search(&c).is_ok()
}

/// `s` with every character Windows-1251 cannot encode replaced by its closest representable
/// form (or `?`); `replaced` counts them.
fn to_1251_repertoire<'a>(s: &'a str, replaced: &mut usize) -> Cow<'a, str> {
    if s.chars().all(representable) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if representable(c) {
            out.push(c);
        } else {
            *replaced += 1;
            out.push_str(closest(c));
        }
    }
    Cow::Owned(out)
}

/// The closest Windows-1251 form of a character outside the code page.
fn closest(c: char) -> &'static str {
    match c {
        // Invisible: zero-width spaces/joiners, word joiner, BOM, variation selectors,
        // emoji skin-tone modifiers.
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{FE00}'..='\u{FE0F}' => "",
        '\u{1F3FB}'..='\u{1F3FF}' => "",
        // Spaces.
        '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => " ",
        // Dashes and minus.
        '\u{2010}'..='\u{2012}' | '\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => "-",
        '\u{2032}' => "'",
        '\u{2033}' => "\"",
        '\u{2264}' => "<=",
        '\u{2265}' => ">=",
        '\u{2260}' => "!=",
        '\u{20BD}' => "руб.",
        // Kazakh / Tatar letters: the nearest Russian letter.
        'ә' => "а",
        'Ә' => "А",
        'ғ' => "г",
        'Ғ' => "Г",
        'қ' => "к",
        'Қ' => "К",
        'ң' => "н",
        'Ң' => "Н",
        'ө' => "о",
        'Ө' => "О",
        'ұ' | 'ү' => "у",
        'Ұ' | 'Ү' => "У",
        'һ' => "х",
        'Һ' => "Х",
        // Latin-1 letters: strip the diacritic.
        'À'..='Å' => "A",
        'Æ' => "AE",
        'Ç' => "C",
        'È'..='Ë' => "E",
        'Ì'..='Ï' => "I",
        'Ð' => "D",
        'Ñ' => "N",
        'Ò'..='Ö' | 'Ø' => "O",
        '×' => "x",
        'Ù'..='Ü' => "U",
        'Ý' => "Y",
        'Þ' => "Th",
        'ß' => "ss",
        'à'..='å' => "a",
        'æ' => "ae",
        'ç' => "c",
        'è'..='ë' => "e",
        'ì'..='ï' => "i",
        'ð' => "d",
        'ñ' => "n",
        'ò'..='ö' | 'ø' => "o",
        '÷' => "/",
        'ù'..='ü' => "u",
        'ý' | 'ÿ' => "y",
        'þ' => "th",
        _ => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn rows(data: &[&[&str]]) -> Vec<Vec<String>> {
        data.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn windows1251_roundtrip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("import.csv");
        let out = CsvOut::new(b';', CsvEncoding::Windows1251);
        let report = out
            .write_report(
                &path,
                &OutputPolicy::default(),
                &[
                    "ID",
                    "Полное имя контакта",
                    "Мобильный телефон",
                    "Примечание",
                ],
                rows(&[
                    &["1", "Иванов Иван Ёжикович", "+79211234567", "дом №5; кв. 3"],
                    &["2", "=HYPERLINK(\"x\")", "-200", "строка 1\nстрока 2"],
                    &["3", "Smile 😀 Café", "+7 921 123-45-67", "«кавычки» — тире"],
                ]),
            )
            .unwrap();
        assert_eq!(
            report,
            CsvReport {
                rows: 3,
                replaced: 2
            }
        );

        let bytes = std::fs::read(&path).unwrap();
        let (text, had_errors) = encoding_rs::WINDOWS_1251
            .decode_without_bom_handling_and_without_replacement(&bytes)
            .map(|t| (t, false))
            .unwrap_or((Cow::Borrowed(""), true));
        assert!(!had_errors);
        let expected = "ID;Полное имя контакта;Мобильный телефон;Примечание\r\n\
                        1;Иванов Иван Ёжикович;+79211234567;\"дом №5; кв. 3\"\r\n\
                        2;\"'=HYPERLINK(\"\"x\"\")\";-200;\"строка 1\nстрока 2\"\r\n\
                        3;Smile ? Cafe;+7 921 123-45-67;«кавычки» — тире\r\n";
        assert_eq!(text, expected);

        // And the csv crate reads it back to the same cells.
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(text.as_bytes());
        let back: Vec<Vec<String>> = rdr
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        assert_eq!(back[0][1], "Иванов Иван Ёжикович");
        assert_eq!(back[1][1], "'=HYPERLINK(\"x\")");
        assert_eq!(back[1][3], "строка 1\nстрока 2");
    }

    #[test]
    fn windows1251_long_file_crosses_buffer_boundaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        let data: Vec<Vec<String>> = (0..3000)
            .map(|i| {
                vec![
                    i.to_string(),
                    format!("Щукин Ёж {i} «ж»"),
                    "-1 500,50".into(),
                ]
            })
            .collect();
        CsvOut::new(b';', CsvEncoding::Windows1251)
            .write(
                &path,
                &OutputPolicy::default(),
                &["ID", "ФИО", "Сумма"],
                data.clone(),
            )
            .unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let (text, _, had_errors) = encoding_rs::WINDOWS_1251.decode(&bytes);
        assert!(!had_errors);
        let mut expected = String::from("ID;ФИО;Сумма\r\n");
        for r in &data {
            expected.push_str(&r.join(";"));
            expected.push_str("\r\n");
        }
        assert_eq!(text, expected);
    }

    #[test]
    fn utf8_bom_lf() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clusters.csv");
        CsvOut::new(b',', CsvEncoding::Utf8Bom)
            .write(
                &path,
                &OutputPolicy::default(),
                &["cluster", "name"],
                rows(&[&["1", "Smile 😀"], &["2", "@evil"]]),
            )
            .unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        assert_eq!(text, "cluster,name\n1,Smile 😀\n2,'@evil\n");
    }

    #[test]
    fn pads_short_rows_and_rejects_long_ones() {
        let dir = tempfile::tempdir().unwrap();
        let out = CsvOut::new(b';', CsvEncoding::Utf8Bom);
        let path = dir.path().join("a.csv");
        out.write(
            &path,
            &OutputPolicy::default(),
            &["a", "b", "c"],
            rows(&[&["1"]]),
        )
        .unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"\xEF\xBB\xBFa;b;c\n1;;\n");

        let path = dir.path().join("b.csv");
        let err = out
            .write(
                &path,
                &OutputPolicy::default(),
                &["a"],
                rows(&[&["1"], &["1", "2"]]),
            )
            .unwrap_err();
        assert!(
            matches!(err, Error::Write { ref message, .. } if message.contains("data row 2")),
            "{err}"
        );
        assert!(!path.exists());
    }

    #[test]
    fn header_is_escaped_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.csv");
        CsvOut::new(b';', CsvEncoding::Utf8Bom)
            .write(
                &path,
                &OutputPolicy::default(),
                &["=cmd"],
                Vec::<Vec<String>>::new(),
            )
            .unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"\xEF\xBB\xBF'=cmd\n");
    }

    #[test]
    fn repertoire_mapping() {
        let mut n = 0;
        // A zero-width space must not hide a formula from csv_safe.
        let s = to_1251_repertoire("\u{200B}=1+1", &mut n);
        assert_eq!(csv_safe(&s), "'=1+1");
        assert_eq!(n, 1);

        let mut n = 0;
        assert_eq!(
            to_1251_repertoire("1\u{202F}500 ₽ − Қазақ ✓", &mut n),
            "1 500 руб. - Казак ?"
        );
        assert_eq!(n, 6);

        let mut n = 0;
        let s = "Ёё №«»—–…€ Ўў Її Іі";
        assert!(matches!(to_1251_repertoire(s, &mut n), Cow::Borrowed(_)));
        assert_eq!(n, 0);
    }
}
