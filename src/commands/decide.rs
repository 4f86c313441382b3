//! `crmclean decide`: reads the decisions people picked in `review.xlsx`, `duplicates.xlsx`
//! and the managers' to-do workbooks back into one decisions file (see [`crate::decisions`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;

use super::Global;
use crate::decisions::readback::{self, Stamp};
use crate::decisions::{self, Decisions};
use crate::error::{ExitCode, Result};
use crate::output::OutputPolicy;

/// Read filled workbooks back into a decisions file.
///
/// Reads the «Решение» (and «Имя нового контакта», «Комментарий») columns of review.xlsx
/// (migrate) and duplicates.xlsx (dedupe), and «Исключение» of the managers' to-do workbooks
/// (audit: a reason accepts the row's findings), and appends the new decisions to FILE (created when
/// missing; UTF-8 with BOM, `;`). Reading the same workbook again adds nothing. A value outside
/// a drop-down's list, a row whose IDs were edited or a workbook crmclean did not write is an
/// error naming the file, sheet and cell, and nothing is written. Every reading command takes
/// the file with --decisions FILE.
///
/// Examples:
///   crmclean decide migration/review.xlsx --into decisions.csv --by "Смирнова Ольга"
///   crmclean decide migration/review.xlsx migration/duplicates.xlsx --into decisions.csv
///   crmclean decide audit/corrections/*.xlsx --into decisions.csv
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Workbooks filled in by people.
    #[arg(required = true, value_name = "WORKBOOK")]
    pub workbooks: Vec<PathBuf>,
    /// The decisions file to append to.
    #[arg(long, value_name = "FILE")]
    pub into: PathBuf,
    /// Who decided (default: the user name of the session).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// When it was decided: `2026-11-23` (default: today).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub date: Option<NaiveDate>,
}

fn parse_date(s: &str) -> std::result::Result<NaiveDate, String> {
    decisions::parse_date(s).ok_or_else(|| format!("«{s}» is not a date: use 2026-11-23"))
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let mut file = Decisions::load_or_new(&args.into)?;
    let stamp = Stamp {
        by: args
            .by
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_default(),
        date: args
            .date
            .unwrap_or_else(|| chrono::Local::now().date_naive())
            .format("%Y-%m-%d")
            .to_string(),
    };
    let mut read = Vec::new();
    for path in &args.workbooks {
        read.extend(readback::read(path, &stamp)?);
    }
    let total = read.len();
    let added = file.merge(read)?;
    if !added.is_empty() {
        let policy = OutputPolicy::new(true, &args.workbooks);
        decisions::write(&args.into, &policy, &file.list)?;
    }
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, d) in &added {
        *kinds.entry(d.kind.as_str()).or_default() += 1;
    }
    let per_kind: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
    super::print_stdout(&format!(
        "{}: {} decisions added{}, {} already there\n",
        args.into.display(),
        added.len(),
        if per_kind.is_empty() {
            String::new()
        } else {
            format!(" ({})", per_kind.join(", "))
        },
        total - added.len()
    ))?;
    for (source, d) in &added {
        global.say(format!("  {source}: {d}"));
    }
    Ok(ExitCode::Clean)
}
