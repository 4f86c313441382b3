//! `crmclean rules` and `crmclean explain CODE`.

use std::io::Write;

use serde::Serialize;

use super::Global;
use crate::error::{Error, ExitCode, Result};
use crate::rules::{self, RULES};

/// List every rule with its code, entity, severity and parameters.
///
/// Examples:
///   crmclean rules
///   crmclean rules --format json
///   crmclean rules --rules my-rules/      # severities after your overrides
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: super::inspect::Format,
}

/// Explain a rule: what it checks, why, an example and how to fix it.
///
/// Examples:
///   crmclean explain DEAL002
///   crmclean explain prt001
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ExplainArgs {
    /// Rule code, e.g. CON001.
    pub code: String,
}

#[derive(Serialize)]
struct RuleRow<'a> {
    code: &'a str,
    entity: rules::Entity,
    severity: rules::Severity,
    summary: &'a str,
    params: serde_json::Value,
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let set = global.rule_set()?;
    let params = serde_json::to_value(&set.params).unwrap_or_default();
    let rows: Vec<RuleRow> = RULES
        .iter()
        .map(|r| RuleRow {
            code: r.code,
            entity: r.entity,
            severity: r.severity_in(&set.params),
            summary: r.summary,
            params: r
                .params
                .iter()
                .filter_map(|path| pointer(&params, path).map(|v| (path.to_string(), v)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        })
        .collect();
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        super::inspect::Format::Json => serde_json::to_writer_pretty(&mut out, &rows)
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(out)),
        super::inspect::Format::Text => rows.iter().try_for_each(|r| {
            writeln!(
                out,
                "{:<8} {:<11} {:<8} {}",
                r.code,
                format!("{:?}", r.entity).to_lowercase(),
                r.severity.as_str(),
                r.summary
            )?;
            if let Some(map) = r.params.as_object() {
                for (k, v) in map {
                    writeln!(out, "{:>30} = {}", k, compact(v))?;
                }
            }
            Ok(())
        }),
    };
    super::stdout_written(written)?;
    Ok(ExitCode::Clean)
}

pub fn explain(args: ExplainArgs, _global: &Global) -> Result<ExitCode> {
    let rule = rules::find(&args.code).ok_or_else(|| {
        let nearest = RULES
            .iter()
            .map(|r| {
                (
                    strsim::levenshtein(r.code, &args.code.to_uppercase()),
                    r.code,
                )
            })
            .min()
            .map(|(_, c)| c)
            .unwrap_or("");
        Error::Usage(format!(
            "unknown rule code «{}» (did you mean {nearest}?)",
            args.code
        ))
    })?;
    super::print_stdout(&format!(
        "{} ({}, {})\n\n{}\n",
        rule.code,
        format!("{:?}", rule.entity).to_lowercase(),
        rule.severity.as_str(),
        rule.explanation()
    ))?;
    Ok(ExitCode::Clean)
}

/// `deal.stop_list` → the value at that dotted path.
fn pointer(v: &serde_json::Value, path: &str) -> Option<serde_json::Value> {
    v.pointer(&format!("/{}", path.replace('.', "/"))).cloned()
}

/// A parameter value on one line, long lists shortened.
fn compact(v: &serde_json::Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 100 {
        format!("{}…", s.chars().take(100).collect::<String>())
    } else {
        s
    }
}
