//! Typed errors and the exit-code contract (0 clean, 1 findings, 2 usage/config, 3 unreadable input).

use std::path::PathBuf;

/// Exit codes of the command-line contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Clean = 0,
    Findings = 1,
    Usage = 2,
    Unreadable = 3,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Unreadable { path: PathBuf, message: String },
    #[error("{path}: row {row}: {message}")]
    BadRow {
        path: PathBuf,
        row: usize,
        message: String,
    },
    #[error("{path}: not a known export: {message}")]
    Undetected { path: PathBuf, message: String },
    #[error("{path}: column «{column}» not found{}", suggestion.as_ref().map(|s| format!(" (did you mean «{s}»?)")).unwrap_or_default())]
    MissingColumn {
        path: PathBuf,
        column: String,
        suggestion: Option<String>,
    },
    #[error("config {path}: {message}")]
    Config { path: PathBuf, message: String },
    #[error("{0}")]
    Usage(String),
    /// `audit --baseline` given something that is not an earlier audit's findings.
    #[error("baseline {path}: {message}")]
    Baseline { path: PathBuf, message: String },
    #[error("{path}: cannot write: {message}")]
    Write { path: PathBuf, message: String },
    /// A line of a decisions file that is invalid or contradicts another line.
    #[error("{path}: line {line}: {message}")]
    Decisions {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// A folder given as an input holds no export file (.csv, .xlsx, .xlsm, .xls, .tsv, .txt).
    #[error("no .csv/.xlsx exports in {}", dir.display())]
    NoExports { dir: PathBuf },
}

impl Error {
    /// The exit code this error maps to: 2 for usage, configuration and output problems, 3 for
    /// inputs that cannot be read (a missing path, a folder without exports, an unreadable file).
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Config { .. }
            | Error::Usage(_)
            | Error::Write { .. }
            | Error::Baseline { .. }
            | Error::Decisions { .. } => ExitCode::Usage,
            _ => ExitCode::Unreadable,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_without_exports_is_unreadable_input() {
        let e = Error::NoExports {
            dir: PathBuf::from("выгрузки/ноябрь"),
        };
        assert_eq!(e.to_string(), "no .csv/.xlsx exports in выгрузки/ноябрь");
        assert_eq!(e.exit_code(), ExitCode::Unreadable);
    }
}
