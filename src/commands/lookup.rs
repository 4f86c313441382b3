//! `crmclean lookup`: every contact and deal that holds a phone number, and whose number it
//! looks like (partner-cards seed, step 5).

use super::{load_selected_inputs, DecisionsArgs, Global, InputArgs};
use crate::error::{Error, ExitCode, Result};
use crate::migrate::lookup::{lookup, Lookup};
use crate::migrate::lookup_rows::LookupRows;
use crate::normalize::phone::{normalize_phone, PhoneOptions};

/// Find every contact and deal that holds a phone number, in any format.
///
/// Prints the contacts (and the column the number is in), the deals (and where: the contact's
/// phone, the client phone field, a note, the client base) and a verdict: the partner's own
/// number, a client's, or unknown, with the number of records behind it.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  crmclean lookup '8 921 765-43-21' exports/
  crmclean lookup +79217654321 contacts.csv deals.xlsx client_base.xlsx
  crmclean lookup 9217654321 exports/ --format json")]
pub struct Args {
    /// The number in any format: `8 921 765-43-21`, `+7(921)7654321`, `9217654321`.
    #[arg(value_name = "PHONE")]
    pub phone: String,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub decisions: DecisionsArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let opts = PhoneOptions {
        default_area: args.input.default_area.clone(),
    };
    let phone = normalize_phone(&args.phone, &opts).e164.ok_or_else(|| {
        Error::Usage(format!(
            "«{}» is not a phone number (try 8 921 765-43-21 or +79217654321)",
            args.phone
        ))
    })?;
    let rules = global.rule_set()?;
    let decisions = args.decisions.load()?;
    // Only the deals and client-base rows that can bear on the number become records.
    let ds = load_selected_inputs(
        global,
        &rules,
        &args.input,
        chrono::Local::now().date_naive(),
        Some(&LookupRows { phone: &phone }),
    )?;
    let decisions = DecisionsArgs::resolve(decisions, ds, global);
    let found = lookup(ds, &rules.params, &decisions, &args.phone, &phone);
    match args.format {
        Format::Json => {
            let text =
                serde_json::to_string_pretty(&found).map_err(|e| Error::Usage(e.to_string()))?;
            super::print_stdout(&format!("{text}\n"))?;
        }
        Format::Table => super::print_stdout(&render(&found))?,
    }
    Ok(ExitCode::Clean)
}

/// The readable answer: contacts, deals, verdict.
pub fn render(l: &Lookup) -> String {
    let mut out = format!("Number {} (asked as «{}»)\n\n", l.phone, l.query);
    out.push_str(&format!("Contacts ({}):\n", l.contacts.len()));
    let contacts: Vec<Vec<String>> = l
        .contacts
        .iter()
        .map(|c| {
            vec![
                c.id.clone(),
                c.name.clone(),
                c.column.clone(),
                if c.partner { "yes" } else { "no" }.to_string(),
            ]
        })
        .collect();
    out.push_str(&table(&["ID", "Name", "Column", "Partner"], &contacts));
    out.push_str(&format!("\nDeals ({}):\n", l.deals.len()));
    let deals: Vec<Vec<String>> = l
        .deals
        .iter()
        .map(|d| {
            vec![
                d.id.clone(),
                d.name.clone(),
                d.stage.clone(),
                d.address.clone(),
                d.places.join("; "),
            ]
        })
        .collect();
    out.push_str(&table(&["ID", "Name", "Stage", "Address", "Where"], &deals));
    out.push_str(&format!(
        "\nVerdict: {} (evidence: {}) — {}\n",
        l.verdict.label(),
        l.evidence,
        l.reason
    ));
    out
}

/// Left-aligned columns padded to the widest cell; `(none)` for no rows.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    if rows.is_empty() {
        return "  (none)\n".to_string();
    }
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| c.replace(['\n', '\r'], " ")).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        format!("  {}\n", padded.join("  ").trim_end())
    };
    let mut out = line(header.to_vec());
    for r in &rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}
