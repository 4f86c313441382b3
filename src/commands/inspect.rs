//! `crmclean inspect`: what each file was detected as, and how its columns were mapped.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use super::{report_skipped, Global, InputArgs};
use crate::error::{Error, ExitCode, Result};
use crate::model::{self, LoadOptions, Source};
use crate::normalize::phone::PhoneOptions;
use crate::read::{ReadOptions, SourceFormat};

/// Show what each export was detected as: format, layout, encoding, delimiter, rows, the column
/// mapping and the columns left unmapped.
///
/// The report goes to stdout. Files that cannot be read or recognised are reported on stderr as
/// `crmclean: skipped: FILE: reason` (and, with --format json, as an entry with an "error"), and
/// the exit code is then 3. A folder without any .csv/.xlsx export is an error (exit 3).
///
/// Examples:
///   crmclean inspect samples/
///   crmclean inspect contacts.csv deals.xlsx --format json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// One file in `inspect --format json` (the stable contract).
#[derive(Debug, Serialize)]
pub struct FileReport {
    pub file: String,
    pub kind: Option<&'static str>,
    pub layout: Option<crate::profile::Layout>,
    pub encoding: Option<&'static str>,
    pub delimiter: Option<String>,
    pub rows: usize,
    pub mapped: BTreeMap<String, String>,
    pub unmapped: Vec<String>,
    pub problems: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl FileReport {
    fn of(source: &Source) -> Self {
        let (encoding, delimiter) = match &source.table.format {
            SourceFormat::Csv {
                encoding,
                delimiter,
            } => (
                Some(encoding.as_str()),
                Some((*delimiter as char).to_string()),
            ),
            SourceFormat::Xlsx { .. } => (None, None),
        };
        let m = &source.mapping;
        FileReport {
            file: source.table.name.clone(),
            kind: Some(m.kind.as_str()),
            layout: m.layout,
            encoding,
            delimiter,
            rows: source.table.rows.len(),
            mapped: m.mapped_headers(),
            unmapped: m
                .unmapped()
                .into_iter()
                .map(|i| m.headers[i].clone())
                .collect(),
            problems: source.table.problems.len(),
            error: None,
        }
    }

    fn failed(error: &Error) -> Self {
        let file = match error {
            Error::Io { path, .. }
            | Error::Unreadable { path, .. }
            | Error::Undetected { path, .. }
            | Error::BadRow { path, .. }
            | Error::MissingColumn { path, .. }
            | Error::NoExports { dir: path } => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            _ => String::new(),
        };
        FileReport {
            file,
            kind: None,
            layout: None,
            encoding: None,
            delimiter: None,
            rows: 0,
            mapped: BTreeMap::new(),
            unmapped: Vec::new(),
            problems: 1,
            error: Some(error.to_string()),
        }
    }
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let rules = global.rule_set()?;
    let options = LoadOptions {
        read: ReadOptions {
            sheet: args.input.sheet.clone(),
            progress: global.progress.clone(),
        },
        phone: PhoneOptions {
            default_area: args.input.default_area.clone(),
        },
        today: chrono::Local::now().date_naive(),
    };
    // Kept until the process exits, as `load_inputs` does.
    let loaded: &'static _ = Box::leak(Box::new(model::load(&args.input.paths, &rules, &options)?));
    let mut reports: Vec<FileReport> = loaded.dataset.sources.iter().map(FileReport::of).collect();
    reports.extend(loaded.errors.iter().map(FileReport::failed));
    reports.sort_by(|a, b| a.file.cmp(&b.file));
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        Format::Json => serde_json::to_writer_pretty(&mut out, &reports)
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(out)),
        Format::Text => {
            // Headers come from the files: their control characters are shown escaped.
            let mut text = Vec::new();
            write_text(&mut text, &loaded.dataset, &reports).and_then(|_| {
                let text = String::from_utf8_lossy(&text);
                out.write_all(crate::output::safe::terminal_safe(&text).as_bytes())
            })
        }
    };
    super::stdout_written(written)?;
    report_skipped(&loaded.errors);
    for s in &loaded.dataset.sources {
        for p in &s.table.problems {
            global.say(format!(
                "{}{}: {}",
                s.table.name,
                p.row.map(|r| format!(":{r}")).unwrap_or_default(),
                p.message
            ));
        }
    }
    Ok(if loaded.errors.is_empty() {
        ExitCode::Clean
    } else {
        ExitCode::Unreadable
    })
}

/// The text report of the files read (skipped files are reported on stderr, not here).
fn write_text(
    out: &mut impl Write,
    ds: &model::Dataset,
    reports: &[FileReport],
) -> std::io::Result<()> {
    for r in reports.iter().filter(|r| r.error.is_none()) {
        writeln!(out, "{}", r.file)?;
        let layout = r
            .layout
            .map(|l| {
                format!(
                    " ({})",
                    serde_json::to_value(l)
                        .unwrap_or_default()
                        .as_str()
                        .unwrap_or("")
                )
            })
            .unwrap_or_default();
        writeln!(out, "  kind:      {}{layout}", r.kind.unwrap_or("?"))?;
        match (r.encoding, &r.delimiter) {
            (Some(e), Some(d)) => writeln!(out, "  format:    CSV, {e}, delimiter {d:?}")?,
            _ => writeln!(out, "  format:    XLSX")?,
        }
        writeln!(out, "  rows:      {}", r.rows)?;
        writeln!(out, "  problems:  {}", r.problems)?;
        writeln!(out, "  mapped:")?;
        for (field, header) in &r.mapped {
            writeln!(out, "    {field:<18} ← {header}")?;
        }
        if !r.unmapped.is_empty() {
            writeln!(out, "  unmapped (kept as is): {}", r.unmapped.join(", "))?;
        }
        writeln!(out)?;
    }
    let l = &ds.links;
    if !ds.deals.is_empty() {
        writeln!(
            out,
            "deal → contact links: {} by ID, {} via «Сделки», {} by name+phone, {} unresolved, {} without contact",
            l.by_contact_id, l.by_deals_column, l.by_name_and_phone, l.unresolved, l.without_contact
        )?;
    }
    if ds.companies_skipped > 0 {
        writeln!(
            out,
            "company rows in contacts exports (not contacts): {}",
            ds.companies_skipped
        )?;
    }
    Ok(())
}
