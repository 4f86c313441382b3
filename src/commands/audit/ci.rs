//! `audit --output-format github|junit`: the findings on stdout for a CI job, as ruff does:
//! GitHub Actions workflow commands (one annotation per finding) or a JUnit XML report (one test
//! case per rule, one failure per finding).

use std::io::{self, Write};

use crate::params::Params;
use crate::rules::{Finding, Rule};

/// What `audit` prints on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Nothing on stdout; the summary table on stderr.
    Text,
    /// GitHub Actions annotations: `::error title=crmclean (CON001),file=…,line=…::…`.
    Github,
    /// A JUnit XML report: a test case per rule, a failure per finding.
    Junit,
}

/// Writes `findings` in `format` (nothing for `text`).
pub fn write(
    w: &mut dyn Write,
    format: OutputFormat,
    findings: &[&Finding],
    rules: &[&Rule],
    params: &Params,
) -> io::Result<()> {
    match format {
        OutputFormat::Text => Ok(()),
        OutputFormat::Github => github(w, findings),
        OutputFormat::Junit => junit(w, findings, rules, params),
    }
}

/// The line of a finding's row in its file: the header is line 1.
fn line(f: &Finding) -> usize {
    f.row + 1
}

/// One workflow command per finding, at the finding's file and line.
fn github(w: &mut dyn Write, findings: &[&Finding]) -> io::Result<()> {
    for f in findings {
        let level = f.severity.as_str();
        writeln!(
            w,
            "::{level} title={},file={},line={}::{}",
            property(&format!("crmclean ({})", f.rule)),
            property(&f.file),
            line(f),
            data(&format!(
                "{}:{}: {} {} {}: {}",
                f.file,
                line(f),
                f.rule,
                f.entity.as_str(),
                f.id,
                f.message
            )),
        )?;
    }
    Ok(())
}

/// A workflow command's message: `%`, CR and LF escaped.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property: also `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One test case per selected rule; each finding of the rule is a failure.
fn junit(
    w: &mut dyn Write,
    findings: &[&Finding],
    rules: &[&Rule],
    params: &Params,
) -> io::Result<()> {
    let n = findings.len();
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<testsuites name="crmclean" tests="{}" failures="{n}" errors="0">"#,
        rules.len()
    )?;
    writeln!(
        w,
        r#"  <testsuite name="crmclean audit" tests="{}" failures="{n}" errors="0" skipped="0">"#,
        rules.len()
    )?;
    for rule in rules {
        let of_rule = findings.iter().filter(|f| f.rule == rule.code);
        writeln!(
            w,
            r#"    <testcase name="{}" classname="crmclean.{}">"#,
            rule.code,
            rule.entity.as_str()
        )?;
        for f in of_rule {
            writeln!(
                w,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                rule.severity_in(params).as_str(),
                xml(&format!(
                    "{}:{}: {} {}: {}",
                    f.file,
                    line(f),
                    f.entity.as_str(),
                    f.id,
                    f.message
                )),
                xml(&format!("key: {}\nfix: {}", f.key, f.fix)),
            )?;
        }
        writeln!(w, "    </testcase>")?;
    }
    writeln!(w, "  </testsuite>")?;
    writeln!(w, "</testsuites>")
}

/// Text for XML content and attributes: markup escaped, characters XML 1.0 cannot hold dropped.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::audit::origin::tests::blank;

    fn finding() -> Finding {
        Finding {
            rule: "CON006",
            id: "45102500".into(),
            file: "contacts, week 2.csv".into(),
            row: 17,
            message: "Номер «274-18-93» <без кода>: 100%\nпроверьте".into(),
            fix: "Допишите код & проверьте".into(),
            key: "CON006/contact/45102500/274-18-93".into(),
            ..blank()
        }
    }

    #[test]
    fn github_annotations_escape_what_workflow_commands_need() {
        let f = finding();
        let mut out = Vec::new();
        github(&mut out, &[&f]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "::error title=crmclean (CON006),file=contacts%2C week 2.csv,line=18::contacts, week \
             2.csv:18: CON006 contact 45102500: Номер «274-18-93» <без кода>: 100%25%0Aпроверьте\n"
        );
    }

    #[test]
    fn junit_has_a_case_per_rule_and_a_failure_per_finding() {
        let f = finding();
        let rules: Vec<&Rule> = ["CON001", "CON006"]
            .iter()
            .filter_map(|c| crate::rules::find(c))
            .collect();
        let params = crate::testutil::rule_set().params;
        let mut out = Vec::new();
        junit(&mut out, &[&f, &f], &rules, &params).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(xml.contains(r#"tests="2" failures="2""#), "{xml}");
        assert!(xml.contains(r#"<testcase name="CON001" classname="crmclean.contact">"#));
        assert_eq!(xml.matches("<failure type=\"error\"").count(), 2, "{xml}");
        assert!(xml.contains("&lt;без кода&gt;: 100%&#10;"), "{xml}");
        assert!(xml.contains("код &amp; проверьте"), "{xml}");
    }
}
