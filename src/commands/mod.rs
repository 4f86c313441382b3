//! One module per command; shared plumbing (inputs, `--as-of`, outputs, progress) lives here.

pub mod apply;
pub mod audit;
pub mod decide;
pub mod dedupe;
pub mod inspect;
pub mod lookup;
pub mod migrate;
pub mod report;
pub mod rules;

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::decisions::{Decisions, Resolved};
use crate::error::{Error, Result};
use crate::model::{self, Dataset, LoadOptions, Select};
use crate::normalize::date::parse_datetime;
use crate::normalize::phone::PhoneOptions;
use crate::output::atomic::OutputPolicy;
use crate::output::safe::terminal_safe;
use crate::params::RuleSet;
use crate::progress::Progress;
use crate::read::ReadOptions;

/// Options every command shares.
#[derive(Debug, Clone, Default)]
pub struct Global {
    pub rules: Option<PathBuf>,
    pub quiet: bool,
    /// Progress bars on stderr (hidden unless it is a terminal and `--quiet` is off).
    pub progress: Progress,
}

impl Global {
    pub fn rule_set(&self) -> Result<RuleSet> {
        RuleSet::locate(self.rules.as_deref())
    }

    /// A message for the user on stderr (suppressed by `--quiet`).
    pub fn say(&self, message: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", terminal_safe(message.as_ref()));
        }
    }
}

/// The input files of a command and how to read them.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Export files or folders (every .csv/.xlsx inside is read).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// XLSX sheet to read (default: the sheet that holds a known header row).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Area code put in front of 7-digit local numbers (e.g. 812); without it they are flagged.
    #[arg(long, value_name = "CODE")]
    pub default_area: Option<String>,
}

/// `--as-of`: the moment the data is judged at.
#[derive(Debug, Clone, clap::Args)]
pub struct AsOfArgs {
    /// Judge activity, response time and birthdays as of this date or date-time
    /// (`2026-11-23`, `23.11.2026 12:00`); a date alone means the end of that day. Default: now.
    #[arg(long, value_name = "DATE", value_parser = parse_as_of)]
    pub as_of: Option<NaiveDateTime>,
}

impl AsOfArgs {
    pub fn resolve(&self) -> NaiveDateTime {
        self.as_of
            .unwrap_or_else(|| chrono::Local::now().naive_local())
    }
}

/// Parses `--as-of`: a date alone means 23:59:59 of that day.
pub fn parse_as_of(s: &str) -> std::result::Result<NaiveDateTime, String> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(end_of_day(d));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%d.%m.%Y") {
        return Ok(end_of_day(d));
    }
    parse_datetime(s).ok_or_else(|| {
        format!("«{s}» is not a date: use 2026-11-23, 23.11.2026 or 2026-11-23 12:00")
    })
}

fn end_of_day(d: NaiveDate) -> NaiveDateTime {
    d.and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("valid time"))
}

/// `--decisions FILE`: the people's decisions every reading command applies.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DecisionsArgs {
    /// Decisions made by people (decisions.csv from `crmclean decide`, or written by hand):
    /// pairs that are not duplicates, partner numbers decided as own or a client's, accepted
    /// findings. Decisions about records no longer in the export are reported as stale.
    #[arg(long, value_name = "FILE")]
    pub decisions: Option<PathBuf>,
}

impl DecisionsArgs {
    /// Reads and checks the file (before the exports: a bad file fails fast).
    pub fn load(&self) -> Result<Decisions> {
        match &self.decisions {
            Some(path) => Decisions::load(path),
            None => Ok(Decisions::none()),
        }
    }

    /// The decisions resolved against the dataset; stale ones are warned about on stderr.
    pub fn resolve(decisions: Decisions, ds: &Dataset, global: &Global) -> Resolved {
        let resolved = Resolved::new(decisions, ds);
        for s in &resolved.stale {
            global.say(format!(
                "crmclean: warning: {}: {s} (stale decision, ignored)",
                resolved.decisions.path.display()
            ));
        }
        resolved
    }

    /// Leaves the accepted findings out of `findings` and counts them; says which acceptances
    /// expired or matched nothing.
    pub fn accept(
        resolved: &Resolved,
        findings: &mut Vec<crate::rules::Finding>,
        rules: &[&crate::rules::Rule],
        today: chrono::NaiveDate,
        global: &Global,
    ) -> crate::decisions::Accepted {
        let outcome = resolved.decisions.accept(findings, rules, today);
        for n in &outcome.notes {
            global.say(format!(
                "crmclean: warning: {}: {n}",
                resolved.decisions.path.display()
            ));
        }
        outcome.accepted
    }
}

/// Options for writing a command's outputs.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// Overwrite existing output files.
    #[arg(long)]
    pub force: bool,
    /// Mask personal data in the outputs (phones `+7921***4567`, e-mails `i***@domain`,
    /// birthdays as the year).
    #[arg(long)]
    pub mask_pii: bool,
}

impl OutputArgs {
    /// The policy for outputs of a run that read `inputs`.
    pub fn policy(&self, inputs: &[PathBuf]) -> OutputPolicy {
        OutputPolicy {
            force: self.force,
            inputs: inputs
                .iter()
                .flat_map(|p| {
                    crate::read::collect_inputs(std::slice::from_ref(p)).unwrap_or_default()
                })
                .filter_map(|p| p.canonicalize().ok())
                .collect(),
        }
    }
}

/// Reports the inputs that were skipped, one `crmclean: skipped: FILE: reason` line each on
/// stderr (also with `--quiet`: a skipped file is an error, not chatter).
pub fn report_skipped(errors: &[Error]) {
    for e in errors {
        eprintln!("crmclean: skipped: {}", terminal_safe(&e.to_string()));
    }
}

/// Reads every input; files that fail are reported on stderr and skipped. Exit 3 when nothing
/// could be read at all; when the only input is unreadable its reason is the error, said once
/// (not also as «skipped»). Exports with a header and no rows are valid, empty exports: a
/// warning each, and the command writes its outputs (with their headers) all the same.
///
/// The dataset lives until the process exits: freeing millions of small records one by one at
/// the end of a command would only cost time (a second or more per million rows), while the
/// OS takes the whole heap back at once.
pub fn load_inputs(
    global: &Global,
    rules: &RuleSet,
    inputs: &InputArgs,
    today: NaiveDate,
) -> Result<&'static Dataset> {
    load_selected_inputs(global, rules, inputs, today, None)
}

/// [`load_inputs`], building only the deals and client-base rows that `select` picks.
pub fn load_selected_inputs(
    global: &Global,
    rules: &RuleSet,
    inputs: &InputArgs,
    today: NaiveDate,
    select: Option<&dyn Select>,
) -> Result<&'static Dataset> {
    let spinner = progress(global, "reading exports");
    let options = LoadOptions {
        read: ReadOptions {
            sheet: inputs.sheet.clone(),
            progress: global.progress.clone(),
        },
        phone: PhoneOptions {
            default_area: inputs.default_area.clone(),
        },
        today,
    };
    let mut loaded = model::load_selected(&inputs.paths, rules, &options, select)?;
    spinner.finish_and_clear();
    if loaded.dataset.sources.is_empty() && loaded.errors.len() == 1 {
        return Err(loaded.errors.remove(0));
    }
    report_skipped(&loaded.errors);
    for s in &loaded.dataset.sources {
        for p in &s.table.problems {
            let at = match (p.row, &p.column) {
                (Some(r), Some(c)) => format!(":{r} [{c}]"),
                (Some(r), None) => format!(":{r}"),
                (None, Some(c)) => format!(" [{c}]"),
                (None, None) => String::new(),
            };
            global.say(format!(
                "crmclean: warning: {}{at}: {}",
                s.table.name, p.message
            ));
        }
        if s.table.rows.is_empty() {
            global.say(format!(
                "crmclean: warning: {}: header only, no data rows",
                s.table.name
            ));
        }
    }
    if loaded.dataset.sources.is_empty() {
        return Err(Error::Unreadable {
            path: inputs.paths.first().cloned().unwrap_or_default(),
            message: format!(
                "none of the {} input files could be read",
                loaded.errors.len()
            ),
        });
    }
    let ds: &'static Dataset = Box::leak(Box::new(loaded.dataset));
    ds.watch_pages();
    Ok(ds)
}

/// A spinner on stderr when it is a terminal (hidden otherwise and with `--quiet`).
pub fn progress(global: &Global, message: &str) -> indicatif::ProgressBar {
    global.progress.spinner(message)
}

/// Writes `text` to stdout, control characters escaped ([`terminal_safe`]); see
/// [`stdout_written`].
pub fn print_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout_written(
        stdout
            .write_all(terminal_safe(text).as_bytes())
            .and_then(|_| stdout.flush()),
    )
}

/// The outcome of writing a command's data to stdout: a reader that stopped early (`crmclean …
/// | head`) closed the pipe, which is not an error; any other failure is.
pub fn stdout_written(written: std::io::Result<()>) -> Result<()> {
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Write {
            path: PathBuf::from("<stdout>"),
            message: e.to_string(),
        }),
        _ => Ok(()),
    }
}

/// Creates the output folder of a command.
pub fn ensure_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::Write {
        path: dir.to_path_buf(),
        message: e.to_string(),
    })
}
