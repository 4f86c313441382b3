//! The rule engine. Each rule lives in its own file with a stable code; the file's `//!` doc
//! comment (what / why / example / fix) is what `crmclean explain CODE` prints.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::decisions::Resolved;
use crate::error::{Error, Result};
use crate::model::{At, Dataset};
use crate::params::Params;
use crate::profile::Kind;

mod con001_mandatory_fields;
mod con002_mobile_phone;
mod con003_personal_email;
mod con004_manager_email;
mod con005_name_only_in_title;
mod con006_invalid_phone;
mod con007_invalid_email;
mod con008_implausible_birthday;
mod deal001_mandatory_fields;
mod deal002_detailed_comment;
mod deal003_inactive;
mod deal004_duplicate_open_deals;
mod deal005_one_contact;
mod deal006_stage_requirements;
mod deal007_response_time;
#[cfg(test)]
mod deal_fixtures;
pub mod deal_status;
mod dup001_duplicate_contacts;
#[cfg(test)]
mod fixtures;
mod flow001_mandatory_fields;
mod flow002_snils_checksum;
mod flow003_several_active;
mod flow004_external_fields;
pub mod key;
mod prt001_client_phone_on_partner;
mod registry;
mod shared_text;
pub use registry::RULES;
use shared_text::Interner;
pub use shared_text::SharedText;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Entity {
    Contact,
    Deal,
    Application,
}

/// One finding: the stable contract of `findings.jsonl` (spec §6), fields in contract order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub entity: Entity,
    pub id: String,
    pub related: Vec<String>,
    pub file: SharedText,
    pub row: usize,
    pub field: SharedText,
    pub value: String,
    pub message: SharedText,
    pub fix: SharedText,
    pub manager: SharedText,
    /// The finding's identity from run to run: `RULE/entity/id[/item][#n]` ([`key`]).
    pub key: String,
    /// `new` or `persisting` with `audit --baseline`; absent without.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<crate::commands::audit::baseline::Status>,
}

impl Finding {
    /// The finding with an item in its key (the part of the record the problem is about).
    pub fn with_item(mut self, item: &str) -> Self {
        key::push_item(&mut self.key, item);
        self
    }

    /// The deterministic order of every findings output.
    pub fn sort_key(&self) -> (&str, &str, usize, &str, &str, &str) {
        (
            self.rule,
            &self.file,
            self.row,
            &self.id,
            &self.field,
            &self.value,
        )
    }
}

/// One copy of each text the findings of a pass repeat: a pass of a big export repeats its
/// fields and most of its messages and fixes hundreds of thousands of times.
fn share_texts(findings: &mut [Finding]) {
    let [mut fields, mut messages, mut fixes] = [(); 3].map(|_| Interner::default());
    for f in findings {
        // (`file` and `manager` are shared from the start: [`Context::finding`])
        fields.share(&mut f.field);
        messages.share(&mut f.message);
        fixes.share(&mut f.fix);
    }
}

/// A rule's identity and its check.
pub struct Rule {
    pub code: &'static str,
    /// The pass's CPU time on the generator's 1M-contact export, in tenths of a second: the
    /// heaviest passes start first, so no long one is left running alone at the end.
    pub cost: u16,
    pub entity: Entity,
    pub severity: Severity,
    /// One line for `crmclean rules`.
    pub summary: &'static str,
    /// The parameters (sections of `default.toml`) the rule reads.
    pub params: &'static [&'static str],
    /// The rule's source file; its `//!` lines are the explanation.
    pub source: &'static str,
    pub check: fn(&Context, &Rule, &mut Vec<Finding>),
}

impl Rule {
    /// The rule's severity after the `[severity]` overrides of the parameters.
    pub fn severity_in(&self, params: &Params) -> Severity {
        params
            .severity
            .get(self.code)
            .and_then(|s| Severity::parse(s))
            .unwrap_or(self.severity)
    }

    /// The `//!` doc comment of the rule's file.
    pub fn explanation(&self) -> String {
        self.source
            .lines()
            .filter_map(|l| l.strip_prefix("//!"))
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Finds a rule by code, case-insensitively.
pub fn find(code: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(code.trim()))
}

/// Resolves `--select` / `--ignore` into the rules to run; unknown codes are a usage error
/// that suggests the nearest code.
pub fn selection(select: &[String], ignore: &[String]) -> Result<Vec<&'static Rule>> {
    let check = |codes: &[String]| -> Result<()> {
        for c in codes {
            if find(c).is_none() && !is_prefix(c) {
                let nearest = RULES
                    .iter()
                    .map(|r| {
                        (
                            strsim::levenshtein(&r.code.to_lowercase(), &c.to_lowercase()),
                            r.code,
                        )
                    })
                    .min()
                    .map(|(_, code)| code)
                    .unwrap_or("");
                return Err(Error::Usage(format!(
                    "unknown rule code «{c}» (did you mean {nearest}?); `crmclean rules` lists them"
                )));
            }
        }
        Ok(())
    };
    check(select)?;
    check(ignore)?;
    let matches = |codes: &[String], r: &Rule| {
        codes
            .iter()
            .any(|c| r.code.to_lowercase().starts_with(&c.trim().to_lowercase()))
    };
    Ok(RULES
        .iter()
        .filter(|r| select.is_empty() || matches(select, r))
        .filter(|r| !matches(ignore, r))
        .collect())
}

/// `CON`, `DEAL`, `FLOW`: a family prefix selects every rule of the family.
fn is_prefix(code: &str) -> bool {
    let c = code.trim().to_lowercase();
    !c.is_empty() && RULES.iter().any(|r| r.code.to_lowercase().starts_with(&c))
}

/// What a rule sees.
pub struct Context<'a> {
    pub ds: &'a Dataset,
    pub params: &'a Params,
    /// The moment activity and response time are judged at.
    pub as_of: NaiveDateTime,
    warnings: Mutex<BTreeSet<String>>,
    /// Duplicate clusters of the contacts: computed once, shared by DUP001 and DEAL004.
    contact_clusters: OnceLock<crate::dedupe::Clusters>,
    /// The people's decisions (`--decisions`): none unless [`Context::with_decisions`].
    pub decisions: Cow<'a, Resolved>,
    /// Each source's file name, shared by its findings.
    files: Vec<SharedText>,
}

impl<'a> Context<'a> {
    pub fn new(ds: &'a Dataset, params: &'a Params, as_of: NaiveDateTime) -> Self {
        Context {
            ds,
            params,
            as_of,
            warnings: Mutex::new(BTreeSet::new()),
            contact_clusters: OnceLock::new(),
            decisions: Cow::Owned(Resolved::none()),
            files: ds
                .sources
                .iter()
                .map(|s| s.table.name.as_str().into())
                .collect(),
        }
    }

    /// The context of a run that applies these decisions.
    pub fn with_decisions(mut self, decisions: &'a Resolved) -> Self {
        self.decisions = Cow::Borrowed(decisions);
        self
    }

    /// The duplicate clusters of the contacts (computed on first use), keeping apart the
    /// contacts decided `not-duplicate`.
    pub fn contact_clusters(&self) -> &crate::dedupe::Clusters {
        self.contact_clusters.get_or_init(|| {
            crate::dedupe::contact_clusters(
                self.ds,
                &self.params.dedupe,
                &self.decisions.apart_contacts,
            )
        })
    }

    /// The plan of the partner cards, with the decided numbers as decided.
    pub fn partner_plan(&self) -> Vec<crate::migrate::PlanLine> {
        let mut lines = crate::migrate::plan(self.ds, self.params);
        self.decisions.apply_to_plan(self.ds, &mut lines);
        lines
    }

    pub fn severity(&self, rule: &Rule) -> Severity {
        rule.severity_in(self.params)
    }

    /// A finding about the record at `at`, with file and row filled in; the rule fills the rest
    /// with struct-update syntax. The record's manager (`responsible`) is shared, not copied.
    pub fn finding(
        &self,
        rule: &Rule,
        at: At,
        id: &str,
        manager: impl Into<SharedText>,
    ) -> Finding {
        Finding {
            rule: rule.code,
            severity: self.severity(rule),
            entity: rule.entity,
            id: id.to_string(),
            related: Vec::new(),
            file: self.files[at.source as usize].clone(),
            row: at.row_number(),
            field: Default::default(),
            value: String::new(),
            message: Default::default(),
            fix: Default::default(),
            manager: manager.into(),
            key: key::compose(rule.code, rule.entity, id),
            status: None,
        }
    }

    /// Whether the file of `at` has a column for `field`; when it has not, records once a
    /// warning naming the column and the closest header present.
    pub fn require(&self, rule: &Rule, at: At, field: &str) -> bool {
        let source = self.ds.source(at);
        if source.mapping.has(field) {
            return true;
        }
        let wanted = source.mapping.label(field);
        let closest = source
            .table
            .headers
            .iter()
            .map(|h| {
                (
                    strsim::normalized_levenshtein(&h.to_lowercase(), &wanted.to_lowercase()),
                    h,
                )
            })
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, h)| format!(" (closest header: «{h}»)"))
            .unwrap_or_default();
        self.warn(format!(
            "{}: {} partly skipped: column «{wanted}» is missing{closest}",
            source.table.name, rule.code
        ));
        false
    }

    /// Which sources have a column for any of `fields`, indexed like `ds.sources`: for loops
    /// over many records. Each source of `kind` with rows but none of the columns gets the one
    /// [`Context::require`] warning, naming the first field.
    pub fn sources_with(&self, rule: &Rule, kind: Kind, fields: &[&str]) -> Vec<bool> {
        let first = fields.first().copied().unwrap_or_default();
        self.ds
            .sources
            .iter()
            .enumerate()
            .map(|(i, source)| {
                let present = fields.iter().any(|f| source.mapping.has(f));
                if present || source.mapping.kind != kind || source.table.rows.is_empty() {
                    return present;
                }
                let at = At {
                    source: i as u32,
                    row: 0,
                };
                self.require(rule, at, first)
            })
            .collect()
    }

    /// Records a run warning (deduplicated, reported once on stderr and in summary.json).
    pub fn warn(&self, message: String) {
        self.warnings.lock().expect("warnings lock").insert(message);
    }

    pub fn into_warnings(self) -> Vec<String> {
        self.warnings
            .into_inner()
            .expect("warnings lock")
            .into_iter()
            .collect()
    }
}

/// Runs the selected rules and returns their findings in the deterministic output order.
pub fn run(ctx: &Context, rules: &[&'static Rule]) -> Vec<Finding> {
    run_with_progress(ctx, rules, &indicatif::ProgressBar::hidden())
}

/// [`run`], counting on `bar` the records each rule pass has checked (as each pass ends).
pub fn run_with_progress(
    ctx: &Context,
    rules: &[&'static Rule],
    bar: &indicatif::ProgressBar,
) -> Vec<Finding> {
    let records = |rule: &Rule| match rule.entity {
        Entity::Contact => ctx.ds.contacts.len(),
        Entity::Deal => ctx.ds.deals.len(),
        Entity::Application => ctx.ds.applications.len(),
    } as u64;
    bar.set_length(rules.iter().map(|r| records(r)).sum());
    // The passes are queued heaviest first (first in, first out): a long pass started last
    // would run alone at the end while the other cores wait.
    let mut queue: Vec<usize> = (0..rules.len()).collect();
    queue.sort_by_key(|&i| std::cmp::Reverse(rules[i].cost));
    let passes: Vec<OnceLock<Vec<Finding>>> = rules.iter().map(|_| OnceLock::new()).collect();
    rayon::scope_fifo(|s| {
        for i in queue {
            let (rule, pass) = (rules[i], &passes[i]);
            s.spawn_fifo(move |_| {
                let mut out = Vec::new();
                (rule.check)(ctx, rule, &mut out);
                // The output order starts with the rule code, so each pass sorts its own
                // findings and the passes are joined in code order: the same order as one
                // stable sort of all findings, without a sort buffer the size of all of them.
                out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
                key::number_repeats(&mut out);
                share_texts(&mut out);
                bar.inc(records(rule));
                bar.set_message(rule.code);
                pass.set(out).expect("each pass runs once");
            });
        }
    });
    let mut passes: Vec<(&str, Vec<Finding>)> = rules
        .iter()
        .zip(passes)
        .map(|(rule, pass)| (rule.code, pass.into_inner().unwrap_or_default()))
        .collect();
    passes.sort_by_key(|(code, _)| *code);
    let mut findings = Vec::with_capacity(passes.iter().map(|(_, f)| f.len()).sum());
    for (_, pass) in passes {
        findings.extend(pass);
    }
    findings
}
