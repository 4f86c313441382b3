//! Writing results safely.
//!
//! Every file `crmclean` produces goes through [`atomic`]: it is written to a temporary file in
//! the destination directory, flushed, fsynced and renamed into place, so a crash or an error never
//! leaves a half-written output, and an input file is never overwritten
//! ([`atomic::OutputPolicy`]).
//!
//! On top of that:
//! - [`safe`] neutralises spreadsheet formula injection in CSV cells (spec §7);
//! - [`csvout`] writes amoCRM-importable CSV (UTF-8 with BOM, or Windows-1251 with CRLF);
//! - [`xlsx`] builds our workbooks row by row in rust_xlsxwriter's constant-memory mode;
//! - [`mask`] hides personal data for `--mask-pii`;
//! - [`jsonl`] writes JSON Lines (`findings.jsonl`, `split_plan.jsonl`).

pub mod atomic;
pub mod csvout;
pub mod jsonl;
pub mod mask;
pub mod safe;
pub mod xlsx;

pub use atomic::{save_workbook_atomic, write_atomic, OutputPolicy};
pub use csvout::{CsvEncoding, CsvOut, CsvReport};
pub use jsonl::write_jsonl;
pub use safe::{csv_safe, needs_escape};
pub use xlsx::{Cell, SheetWriter};
