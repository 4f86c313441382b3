//! Readers: CSV (any of the encodings and delimiters amoCRM and Excel produce) and XLSX, into a
//! raw table of text cells. Nothing is interpreted here beyond making every cell text.

mod csv;
mod rows;
mod xlsx;
mod xlsx_guard;

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use self::csv::sniff_delimiter;
pub use self::rows::{Row, Rows};
pub use self::xlsx::read_sheets;
use crate::error::{Error, Result};
use crate::profile::Profiles;
use crate::progress::Progress;

/// A CSV file's text encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Encoding {
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "utf-8-bom")]
    Utf8Bom,
    #[serde(rename = "windows-1251")]
    Windows1251,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8-bom",
            Encoding::Windows1251 => "windows-1251",
        }
    }
}

/// Where a table came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceFormat {
    Csv { encoding: Encoding, delimiter: u8 },
    Xlsx { sheet: String },
}

/// Something wrong in a file that did not stop it from being read.
#[derive(Debug, Clone, Serialize)]
pub struct ReadProblem {
    /// 1-based data row, when the problem is in one.
    pub row: Option<usize>,
    pub column: Option<String>,
    pub message: String,
}

/// One file as a header row and data rows of text cells. Rows may be ragged: a short row reads
/// as empty cells, a long row keeps its extra cells.
#[derive(Debug, Clone)]
pub struct RawTable {
    pub path: PathBuf,
    /// The file name used in findings.
    pub name: String,
    pub format: SourceFormat,
    pub headers: Vec<String>,
    pub rows: Rows,
    pub problems: Vec<ReadProblem>,
}

impl RawTable {
    /// A cell of a data row (0-based row index), empty when the row is short.
    pub fn cell(&self, row: usize, column: usize) -> &str {
        self.rows.row(row).get(column).unwrap_or("")
    }
}

/// Reader options shared by every file of a run.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// XLSX sheet to read instead of the one holding the header row.
    pub sheet: Option<String>,
    /// Where a bar of the bytes read per file goes (hidden by default).
    pub progress: Progress,
}

/// Lines (CSV) or rows (XLSX) scanned for the header row: exports sometimes carry a title and a
/// blank line above it.
const HEADER_SCAN: usize = 10;

const EXTENSIONS: [&str; 6] = ["csv", "tsv", "txt", "xlsx", "xlsm", "xls"];

/// Expands the command-line paths: files as given, folders into their export files (sorted).
/// A path that does not exist, or a folder without any export file, is an error.
pub fn collect_inputs(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && is_export(p))
                .collect();
            if found.is_empty() {
                return Err(Error::NoExports { dir: path.clone() });
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn is_export(path: &Path) -> bool {
    let hidden = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') || n.starts_with("~$"));
    !hidden
        && path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Reads one file, choosing the reader by content (an XLSX is a ZIP archive).
pub fn read_table(path: &Path, options: &ReadOptions, profiles: &Profiles) -> Result<RawTable> {
    let io_error = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut magic = Vec::with_capacity(4);
    let size = std::fs::File::open(path)
        .and_then(|f| {
            let size = f.metadata()?.len();
            f.take(4).read_to_end(&mut magic)?;
            Ok(size)
        })
        .map_err(io_error)?;
    let unreadable = |message: &str| Error::Unreadable {
        path: path.to_path_buf(),
        message: message.to_string(),
    };
    if magic.is_empty() {
        return Err(unreadable("empty file"));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let workbook = magic.starts_with(b"PK\x03\x04") || magic.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    let bar = options.progress.bytes(&name, size);
    let (format, headers, rows, problems) = if workbook {
        xlsx::read(path, options.sheet.as_deref(), profiles)?
    } else {
        csv::read(path, &bar, profiles)?
    };
    bar.finish_and_clear();
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(unreadable("no header row"));
    }
    Ok(RawTable {
        path: path.to_path_buf(),
        name,
        format,
        headers,
        rows,
        problems,
    })
}

type Parts = (SourceFormat, Vec<String>, Rows, Vec<ReadProblem>);
