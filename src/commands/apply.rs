//! `crmclean apply`: carries out a migration / merge plan through the amoCRM API v4 (see
//! [`crate::apply`]); dry run by default.

use std::path::PathBuf;

use super::Global;
use crate::apply::client::{api_base, Api, ApiError, Token};
use crate::apply::{self, Options, Report};
use crate::error::{Error, ExitCode, Result};

/// Carry out a migration plan (and duplicate merges) in amoCRM through its REST API v4.
///
/// Reads what `migrate` wrote in PLAN_DIR (split_plan.jsonl) and, with --merges, what `dedupe`
/// wrote there (clusters.csv); reads the current cards, then creates the client contacts,
/// links them to their deals as main contact, removes exactly the moved numbers from the
/// partner cards, and merges duplicates. Without --execute it only reads (GET) and writes
/// PLAN_DIR/apply_plan.jsonl, every request it would send. With --execute it journals every
/// change in PLAN_DIR/journal.jsonl; running the same command again resumes a stopped run, and
/// --rollback PLAN_DIR undoes it (also dry without --execute).
///
/// The token: the environment variable AMOCRM_TOKEN, or --token-file. At most 7 requests per
/// second and 250 cards per request ([apply] in rules/default.toml). Exit codes: 0 all done,
/// 1 something was skipped, or the run stopped (network, server errors, a change amoCRM
/// refused: run again to resume), 2 usage or a refused token, 3 an unreadable plan.
///
/// Examples:
///   crmclean apply migration/ --account okna                  # dry run: what would be sent
///   crmclean apply migration/ --account okna --limit 1 --execute
///   crmclean apply migration/ --account okna --merges --execute --token-file ~/.amocrm-token
///   crmclean apply --rollback migration/ --account okna --execute
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The folder migrate (and dedupe) wrote; the journal is kept there.
    #[arg(
        value_name = "PLAN_DIR",
        required_unless_present = "rollback",
        conflicts_with = "rollback"
    )]
    pub dir: Option<PathBuf>,
    /// The account's subdomain (okna for okna.amocrm.ru).
    #[arg(long, value_name = "SUBDOMAIN", required_unless_present = "api_base")]
    pub account: Option<String>,
    /// The API's address instead of https://SUBDOMAIN.amocrm.ru (a Kommo domain; plain http
    /// only for this machine).
    #[arg(long, value_name = "URL")]
    pub api_base: Option<String>,
    /// Read the API token from this file instead of $AMOCRM_TOKEN.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Send the changes (without it: a dry run that only reads).
    #[arg(long)]
    pub execute: bool,
    /// Also merge the duplicate clusters of clusters.csv.
    #[arg(long)]
    pub merges: bool,
    /// Only the first N changes (numbers to move, then clusters): to try a few first.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Undo the run journaled in DIR.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["merges", "limit"])]
    pub rollback: Option<PathBuf>,
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let rules = global.rule_set()?;
    let base = api_base(
        args.account.as_deref().unwrap_or_default(),
        args.api_base.as_deref(),
    )
    .map_err(Error::Usage)?;
    let token = Token::load(args.token_file.as_deref()).map_err(Error::Usage)?;
    let mut api = Api::new(base, token, &rules.params.apply);
    let result = match (&args.rollback, &args.dir) {
        (Some(dir), _) => apply::roll_back(dir, args.execute, &rules, &mut api),
        (None, Some(dir)) => apply::apply(
            &Options {
                dir: dir.clone(),
                merges: args.merges,
                execute: args.execute,
                limit: args.limit,
            },
            &rules,
            &mut api,
        ),
        (None, None) => unreachable!("clap requires PLAN_DIR or --rollback"),
    };
    let sent = api.requests;
    let report = match result {
        Ok(r) => r,
        Err(apply::Error::Crm(e)) => return Err(e),
        Err(apply::Error::Api(e @ ApiError::Auth { .. })) => {
            eprintln!("crmclean: error: {e}");
            return Ok(ExitCode::Usage);
        }
        Err(apply::Error::Api(e @ ApiError::Stopped(_))) => {
            eprintln!("crmclean: error: stopped after {sent} requests: {e}");
            if args.execute {
                eprintln!("crmclean: the journal keeps what was done: run the same command again to resume");
            }
            return Ok(ExitCode::Findings);
        }
    };
    print!("{}", summary(&report));
    for s in &report.skipped {
        eprintln!("crmclean: skipped: {}: {}", s.change, s.reason);
    }
    let file = if args.rollback.is_some() {
        apply::ROLLBACK_PLAN
    } else {
        apply::PLAN
    };
    if report.pending {
        global.say("crmclean: a stopped run is in the journal: --execute finishes it first");
    }
    if report.already_done {
        global.say(
            "crmclean: nothing left to send: the journal shows every change of this plan done",
        );
    } else if let Some(done) = report.resumed_after {
        global.say(format!(
            "crmclean: resumed the journaled run after {done} finished step(s); {sent} requests"
        ));
    } else if args.execute {
        global.say(format!("crmclean: done, {sent} requests; see the journal"));
    } else {
        global.say(format!(
            "crmclean: dry run: nothing changed ({sent} reads); the requests are in {file}; add --execute to send them"
        ));
    }
    Ok(if args.execute && !report.skipped.is_empty() {
        ExitCode::Findings
    } else {
        ExitCode::Clean
    })
}

/// The summary table on stdout.
fn summary(r: &Report) -> String {
    // Endpoints in the order they are first sent: (method, path, requests, entities).
    let mut by_endpoint: Vec<(&str, &str, usize, usize)> = Vec::new();
    for &(kind, n) in &r.requests {
        let (method, path) = (kind.method(), kind.path());
        match by_endpoint
            .iter_mut()
            .find(|e| e.0 == method && e.1 == path)
        {
            Some(e) => {
                e.2 += 1;
                e.3 += n;
            }
            None => by_endpoint.push((method, path, 1, n)),
        }
    }
    let mut out = format!("requests {:>18}\n", r.requests.len());
    for (method, path, requests, entities) in by_endpoint {
        out += &format!("  {method:<5} {path:<22} {requests:>4}  ({entities} entities)\n");
    }
    if let Some(c) = &r.counts {
        out += &format!(
            "numbers moved {:>13}  (new contacts {}, deal links {}, partner cards {})\n\
             clusters merged {:>11}  (survivors filled {}, deals moved {}, duplicates tagged {})\n\
             skipped {:>19}\n",
            c.numbers_moved,
            c.new_contacts,
            c.deal_links,
            c.partner_cards,
            c.clusters_merged,
            c.survivors_filled,
            c.deals_moved,
            c.duplicates_tagged,
            r.skipped.len()
        );
    }
    out
}
