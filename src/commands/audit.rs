//! `crmclean audit`: runs the rules over the exports and writes `findings.jsonl`,
//! `summary.json`, `deal_status.csv` and the corrections: `corrections/` (a to-do workbook per
//! manager) or `corrections.xlsx`.

pub mod baseline;
pub mod ci;
pub mod corrections;
pub mod origin;
pub mod pii;
pub mod statuses;
pub mod summary;
pub mod todo;
pub mod workbook;

use std::borrow::Cow;
use std::path::PathBuf;
use std::time::Instant;

use super::{
    ensure_dir, load_inputs, stdout_written, AsOfArgs, DecisionsArgs, Global, InputArgs, OutputArgs,
};
use crate::error::{Error, ExitCode, Result};
use crate::output::jsonl::write_jsonl;
use crate::rules::{self, Context, Finding, Severity};

/// Output file names inside `--out DIR`.
pub const FINDINGS: &str = "findings.jsonl";
pub const SUMMARY: &str = "summary.json";
pub const DEAL_STATUS: &str = "deal_status.csv";
pub const CORRECTIONS: &str = "corrections.xlsx";

/// Check exports against every rule and write the findings, a summary, the deal statuses and
/// the corrections into DIR (created if missing; existing files need --force).
///
/// Writes:
///   DIR/findings.jsonl    one finding per line (the stable contract)
///   DIR/summary.json      counts per rule, severity and manager; rows read; timings
///   DIR/deal_status.csv   correct/active status of every deal
///   DIR/corrections/      a to-do workbook per responsible manager («Иванова Анна.xlsx»: one
///                         row per record with all its findings, most urgent first, at most
///                         --max-rows), the same rows as CSV beside it, and index.xlsx
///   DIR/corrections.xlsx  instead of corrections/ with --workbook single: a sheet per rule
///   DIR/resolved.jsonl    with --baseline: the baseline's findings now fixed or gone
///
/// Exit code: 0 nothing at or above --fail-on, 1 findings at or above it (with --fail-on-new:
/// new findings), 2 usage error or a bad --baseline, 3 no input readable.
///
/// Examples:
///   crmclean audit samples/ --out audit/
///   crmclean audit contacts.csv deals.xlsx managers.csv --out audit/ --as-of 2026-11-23
///   crmclean audit exports/ --out audit/ --select DEAL --ignore DEAL004 --fail-on warning
///   crmclean audit exports/ --out ci/ --mask-pii --force --amocrm-subdomain okna-spb
///   crmclean audit exports/ --out audit/ --max-rows 2000
///   crmclean audit samples/ --out audit/ --workbook single
///   crmclean audit week48/ --out audit48/ --baseline audit47/
///   crmclean audit exports/ --out ci/ --baseline baseline/findings.jsonl --fail-on-new \
///       --output-format github
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Folder for the outputs.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub as_of: AsOfArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub decisions: DecisionsArgs,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value = "error", value_name = "LEVEL")]
    pub fail_on: FailOn,
    /// Run only these rules: codes or families (`CON001,DEAL`).
    #[arg(long, value_delimiter = ',', value_name = "CODE,…")]
    pub select: Vec<String>,
    /// Skip these rules: codes or families.
    #[arg(long, value_delimiter = ',', value_name = "CODE,…")]
    pub ignore: Vec<String>,
    /// amoCRM account subdomain (`okna-spb` for okna-spb.amocrm.ru): IDs in the workbook become
    /// links to the cards.
    #[arg(long, value_name = "SUB", value_parser = parse_subdomain)]
    pub amocrm_subdomain: Option<String>,
    /// The corrections: a to-do workbook per responsible manager in DIR/corrections/, or one
    /// DIR/corrections.xlsx with a sheet per rule (for small exports).
    #[arg(long, value_enum, default_value = "per-manager", value_name = "LAYOUT")]
    pub workbook: corrections::Layout,
    /// Records in one manager's workbook, most urgent first; the CSV beside it has them all.
    /// Default: `max_rows` of `[output]` in rules/default.toml (10000).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_rows: Option<u32>,
    /// An earlier audit's --out folder or its findings.jsonl: each finding gets `status` new or
    /// persisting, and DIR/resolved.jsonl lists the baseline's findings that were fixed or whose
    /// record is gone.
    #[arg(long, value_name = "PATH")]
    pub baseline: Option<PathBuf>,
    /// The exit code counts only the findings new since --baseline (at or above --fail-on), so
    /// a CI job on an old base fails on new problems only.
    #[arg(long, requires = "baseline")]
    pub fail_on_new: bool,
    /// What stdout gets: nothing (`text`: the summary table is on stderr), GitHub Actions
    /// annotations (`github`) or a JUnit XML report (`junit`). With --fail-on-new, only the new
    /// findings.
    #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
    pub output_format: ci::OutputFormat,
}

/// `--fail-on`: which findings fail the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Exit 1 when any error-severity finding exists.
    Error,
    /// Exit 1 on any finding.
    Warning,
    /// Always exit 0 once the outputs are written.
    Never,
}

impl FailOn {
    /// Whether a finding counts towards the exit code.
    pub fn counts(self, f: &Finding) -> bool {
        match self {
            FailOn::Error => f.severity == Severity::Error,
            FailOn::Warning => true,
            FailOn::Never => false,
        }
    }

    /// The exit code for a run with these findings.
    pub fn exit_code<'f>(self, mut findings: impl Iterator<Item = &'f Finding>) -> ExitCode {
        let fails = findings.any(|f| self.counts(f));
        if fails {
            ExitCode::Findings
        } else {
            ExitCode::Clean
        }
    }
}

/// Accepts `okna-spb`, `okna-spb.amocrm.ru` or `https://okna-spb.amocrm.ru/`.
pub fn parse_subdomain(s: &str) -> std::result::Result<String, String> {
    let t = s.trim().trim_end_matches('/');
    let t = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .unwrap_or(t);
    let t = t.strip_suffix(".amocrm.ru").unwrap_or(t);
    let ok = !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(t.to_ascii_lowercase())
    } else {
        Err(format!(
            "«{s}» is not an amoCRM subdomain: give the part before .amocrm.ru, e.g. okna-spb"
        ))
    }
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let selected = rules::selection(&args.select, &args.ignore)?;
    let rule_set = global.rule_set()?;
    let policy = args.output.policy(&args.input.paths);
    check_out_dir(&args.out)?;
    for name in [FINDINGS, SUMMARY, DEAL_STATUS] {
        policy.check(&args.out.join(name))?;
    }
    if args.baseline.is_some() {
        policy.check(&args.out.join(baseline::RESOLVED))?;
    }
    let corrections_path = match args.workbook {
        corrections::Layout::PerManager => args.out.join(corrections::DIR),
        corrections::Layout::Single => args.out.join(CORRECTIONS),
    };
    match args.workbook {
        corrections::Layout::PerManager => corrections::check(&corrections_path, &policy)?,
        corrections::Layout::Single => policy.check(&corrections_path)?,
    }
    let as_of = args.as_of.resolve();
    let decisions = args.decisions.load()?;
    let old = args.baseline.as_deref().map(baseline::load).transpose()?;

    let started = Instant::now();
    let ds = load_inputs(global, &rule_set, &args.input, as_of.date())?;
    let read_ms = started.elapsed().as_millis();

    let started = Instant::now();
    let decisions = DecisionsArgs::resolve(decisions, ds, global);
    let ctx = Context::new(ds, &rule_set.params, as_of).with_decisions(&decisions);
    let bar = global.progress.rows("rules", 0);
    let mut findings = rules::run_with_progress(&ctx, &selected, &bar);
    bar.finish_and_clear();
    let mut warnings = ctx.into_warnings();
    let masker = args.output.mask_pii.then(|| pii::Masker::new(ds));
    // The join sees the accepted findings too: a baseline finding accepted since is neither
    // fixed nor new, only left out.
    let matched = old.as_ref().map(|b| {
        let (statuses, matched) = b.statuses(findings.iter().map(|f| match &masker {
            Some(m) => m.key(f),
            None => Cow::Borrowed(f.key.as_str()),
        }));
        for (f, s) in findings.iter_mut().zip(statuses) {
            f.status = Some(s);
        }
        matched
    });
    let accepted =
        DecisionsArgs::accept(&decisions, &mut findings, &selected, as_of.date(), global);
    let rules_ms = started.elapsed().as_millis();

    let started = Instant::now();
    ensure_dir(&args.out)?;
    let masked: Option<Vec<Finding>> = masker
        .as_ref()
        .map(|m| findings.iter().map(|f| m.finding(f)).collect());
    // Before findings.jsonl is written: the baseline may be this --out's own.
    let comparison = match (&old, matched) {
        (Some(b), Some(matched)) => {
            let resolved = args.out.join(baseline::RESOLVED);
            let codes: Vec<&str> = selected.iter().map(|r| r.code).collect();
            let cmp = b.resolve(
                ds,
                &codes,
                &findings,
                &matched,
                &resolved,
                &policy,
                masker.is_some(),
            )?;
            warnings.extend(baseline::warnings(&cmp, b, as_of));
            Some(cmp)
        }
        _ => None,
    };
    for w in &warnings {
        global.say(format!("crmclean: warning: {w}"));
    }
    let shown: Cow<[Finding]> = match masked {
        Some(m) => Cow::Owned(m),
        None => Cow::Borrowed(&findings),
    };
    let counts = summary::counts(&findings, &selected);
    // The per-manager corrections take longest: the deal statuses are worked out and the text
    // files written beside them. The single workbook (small exports) shows the statuses: it is
    // written once they are known.
    let per_manager = matches!(args.workbook, corrections::Layout::PerManager);
    let (texts, book) = rayon::join(
        || -> Result<Vec<statuses::DealRow>> {
            write_jsonl(&args.out.join(FINDINGS), &policy, shown.iter())?;
            let deal_rows = statuses::deal_rows(ds, &findings);
            statuses::write_csv(&args.out.join(DEAL_STATUS), &policy, ds, &deal_rows)?;
            Ok(deal_rows)
        },
        || -> Result<()> {
            if !per_manager {
                return Ok(());
            }
            corrections::write(
                &corrections_path,
                &policy,
                &corrections::Input {
                    ds,
                    findings: &shown,
                    rules: &selected,
                    params: &rule_set.params,
                    subdomain: args.amocrm_subdomain.as_deref(),
                    masker: masker.as_ref(),
                    max_rows: args
                        .max_rows
                        .map_or(rule_set.params.output.max_rows, |n| n as usize),
                },
                &global.progress,
            )
        },
    );
    let deal_rows = texts?;
    book?;
    if !per_manager {
        workbook::write(
            &corrections_path,
            &policy,
            &workbook::Input {
                ds,
                findings: &shown,
                rules: &selected,
                params: &rule_set.params,
                counts: &counts,
                deals: &deal_rows,
                subdomain: args.amocrm_subdomain.as_deref(),
                masker: masker.as_ref(),
            },
        )?;
    }
    let timings = summary::Timings {
        read: read_ms,
        rules: rules_ms,
        write: started.elapsed().as_millis(),
    };
    let mut report = summary::Summary::new(ds, as_of, &counts, &deal_rows, &warnings, timings);
    report.baseline = comparison.as_ref();
    report.accepted = accepted;
    summary::write_json(&args.out.join(SUMMARY), &policy, &report)?;

    if !global.quiet {
        let mut files = [FINDINGS, SUMMARY, DEAL_STATUS]
            .map(|n| args.out.join(n))
            .to_vec();
        files.push(corrections_path);
        if old.is_some() {
            files.push(args.out.join(baseline::RESOLVED));
        }
        let table = summary::table(&report, &selected, &rule_set.params, &files);
        eprint!("{}", crate::output::safe::terminal_safe(&table));
    }
    let gated: Vec<&Finding> = shown
        .iter()
        .filter(|f| !args.fail_on_new || f.status == Some(baseline::Status::New))
        .collect();
    // Without --fail-on-new the gate passes every finding: stdout shows what the gate counts.
    if args.output_format != ci::OutputFormat::Text {
        let mut w = std::io::BufWriter::new(std::io::stdout().lock());
        stdout_written(
            ci::write(
                &mut w,
                args.output_format,
                &gated,
                &selected,
                &rule_set.params,
            )
            .and_then(|()| std::io::Write::flush(&mut w)),
        )?;
    }
    let code = args.fail_on.exit_code(gated.into_iter());
    // The process ends with this command: the OS takes the memory back at once, while freeing
    // the findings one by one takes half a second on a big export.
    std::mem::forget(shown);
    std::mem::forget(deal_rows);
    std::mem::forget(findings);
    Ok(code)
}

/// `--out` must be a folder (or not exist yet).
fn check_out_dir(out: &std::path::Path) -> Result<()> {
    if out.exists() && !out.is_dir() {
        return Err(Error::Usage(format!(
            "{}: --out must be a folder, not a file",
            out.display()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomain_forms() {
        assert_eq!(parse_subdomain("okna-spb").as_deref(), Ok("okna-spb"));
        assert_eq!(
            parse_subdomain("https://Okna-SPB.amocrm.ru/").as_deref(),
            Ok("okna-spb")
        );
        assert_eq!(parse_subdomain("okna.amocrm.ru").as_deref(), Ok("okna"));
        assert!(parse_subdomain("").is_err());
        assert!(parse_subdomain("okna/leads").is_err());
        assert!(parse_subdomain("окна").is_err());
    }
}
