//! The command line: clap derive for every command, validated into each command's run.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::commands;
use crate::error::ExitCode;

/// Audit and clean amoCRM and Flow CRM exports.
///
/// Reads the CSV/XLSX exports exactly as downloaded (folders too), checks them against the
/// company's CRM rules and writes correction files. Data goes to files and stdout, messages to
/// stderr. Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or config error,
/// 3 unreadable input.
#[derive(Debug, Parser)]
#[command(name = "crmclean", version, propagate_version = true)]
pub struct Cli {
    /// Rules folder (column profiles and rule parameters); default: the bundled `rules/`.
    #[arg(long, global = true, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Print nothing but errors on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Inspect(commands::inspect::Args),
    Audit(commands::audit::Args),
    Dedupe(commands::dedupe::Args),
    Migrate(commands::migrate::Args),
    Report(commands::report::Args),
    Lookup(commands::lookup::Args),
    Decide(commands::decide::Args),
    Apply(commands::apply::Args),
    Rules(commands::rules::Args),
    Explain(commands::rules::ExplainArgs),
}

/// Parses the command line, runs the command and maps the outcome to an exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                ExitCode::Usage
            } else {
                ExitCode::Clean
            };
            let _ = e.print();
            return code;
        }
    };
    let global = commands::Global {
        rules: cli.rules,
        quiet: cli.quiet,
        progress: crate::progress::Progress::on_stderr(cli.quiet),
    };
    let result = match cli.command {
        Command::Inspect(a) => commands::inspect::run(a, &global),
        Command::Audit(a) => commands::audit::run(a, &global),
        Command::Dedupe(a) => commands::dedupe::run(a, &global),
        Command::Migrate(a) => commands::migrate::run(a, &global),
        Command::Report(a) => commands::report::run(a, &global),
        Command::Lookup(a) => commands::lookup::run(a, &global),
        Command::Decide(a) => commands::decide::run(a, &global),
        Command::Apply(a) => commands::apply::run(a, &global),
        Command::Rules(a) => commands::rules::run(a, &global),
        Command::Explain(a) => commands::rules::explain(a, &global),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!(
                "crmclean: error: {}",
                crate::output::safe::terminal_safe(&e.to_string())
            );
            e.exit_code()
        }
    }
}
