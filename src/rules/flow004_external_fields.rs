//! FLOW004: portal applications have every «Внешние источники» field filled.
//!
//! What it checks
//!   Applications that came from the «Работа в России» portal: «Источник», folded (any case,
//!   spacing, punctuation, ё/е), contains one of `flow.portal_sources` in rules/default.toml
//!   («Работа в России», «Работа России», «РР», «trudvsem»…) as whole words, so «Работа в
//!   России (trudvsem.ru)» and «портал Работа в России» count but «Терраса» does not contain
//!   «РР»; or the portal's application ID (`flow.portal_id_field`, by default «РР: ID
//!   заявки») is filled. Each «Внешние источники» column present in the
//!   export («РР: ID заявки», «РР: Программа», «РР: Дата подачи», «РР: Статус» by default; an
//!   organisation's own names go into rules/profiles/flow-applications.toml with
//!   `external = true`) must be filled. One finding per application lists the empty ones.
//!   An export without any «Внешние источники» column is skipped with a warning.
//!
//! Key
//!   `FLOW004/application/NUMBER`: one finding per application, whichever fields are empty.
//!
//! Why
//!   Flow CRM seed «Интеграция с порталом Работа России»: data from the portal is written «в
//!   дополнительные поля заявки, называемые «Внешние источники»», and the portal's statuses are
//!   synchronised through them. An empty external field means the integration lost data or the
//!   application was re-keyed by hand.
//!
//! Example
//!   Application 48102, «Источник» = «работа в РОССИИ», «РР: ID заявки» and «РР: Программа»
//!   empty → «Заявка с портала «Работа в России», но не заполнены внешние поля: РР: ID заявки,
//!   РР: Программа».
//!
//! How to fix
//!   Open the application on the portal and copy the missing values; if many applications lack
//!   them, ask Flow CRM support to check the integration.

use super::{Context, Finding, Rule};
use crate::model::Application;
use crate::normalize::text::{fold_phrase, is_blank};
use crate::profile::Kind;

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let has_external = sources_with_external(ctx, rule);
    for app in &ctx.ds.applications {
        if !has_external[app.at.source as usize] || !from_portal(ctx, app) {
            continue;
        }
        let mapping = &ctx.ds.source(app.at).mapping;
        let mut empty: Vec<(Option<usize>, String)> = mapping
            .external_fields()
            .filter(|f| is_blank(ctx.ds.text(app.at, f)))
            .map(|f| (mapping.column(f), ctx.ds.label(app.at, f)))
            .collect();
        empty.sort();
        let empty: Vec<String> = empty.into_iter().map(|(_, label)| label).collect();
        let Some(first) = empty.first() else {
            continue;
        };
        out.push(Finding {
            field: first.as_str().into(),
            value: String::new(),
            message: format!(
                "Заявка с портала «Работа в России», но не заполнены внешние поля: {}",
                empty.join(", ")
            )
            .into(),
            fix: format!(
                "Перенесите с портала «Работа в России» значения полей «{}»; если таких заявок \
                 много, попросите поддержку Flow CRM проверить интеграцию",
                empty.join("», «")
            )
            .into(),
            ..ctx.finding(rule, app.at, &app.app_no, &app.responsible)
        });
    }
}

/// Which sources have any «Внешние источники» column; a Flow export without one gets a
/// warning naming the portal ID field.
fn sources_with_external(ctx: &Context, rule: &Rule) -> Vec<bool> {
    let mut present = Vec::with_capacity(ctx.ds.sources.len());
    for (i, source) in ctx.ds.sources.iter().enumerate() {
        let any = source.mapping.external_fields().next().is_some();
        let flow = source.mapping.kind == Kind::FlowApplications;
        if flow && !any && !source.table.rows.is_empty() {
            let at = crate::model::At {
                source: i as u32,
                row: 0,
            };
            ctx.require(rule, at, &ctx.params.flow.portal_id_field);
        }
        present.push(any);
    }
    present
}

/// Whether the application came from the «Работа в России» portal.
fn from_portal(ctx: &Context, app: &Application) -> bool {
    let flow = &ctx.params.flow;
    names_portal(&flow.portal_sources, &app.source)
        || !is_blank(ctx.ds.text(app.at, &flow.portal_id_field))
}

/// Whether `source`, folded, contains one of the (already folded) `portal_sources` as whole
/// words: «Работа в России (trudvsem.ru)» → «работа в россии trudvsem ru» contains «работа в
/// россии» and «trudvsem».
fn names_portal(portal_sources: &[String], source: &str) -> bool {
    let folded = fold_phrase(source);
    if folded.is_empty() {
        return false;
    }
    let padded = format!(" {folded} ");
    portal_sources
        .iter()
        .filter(|p| !p.is_empty())
        .any(|p| padded.contains(&format!(" {p} ")))
}

#[cfg(test)]
mod tests {
    use super::names_portal;
    use crate::rules::fixtures::{all_flow, flow, one, warnings};
    use crate::testutil::{dataset, flagged};

    #[test]
    fn flags_portal_applications_with_empty_external_fields() {
        // 48102 by its source, 48104 by its portal ID; 48103 and the others came from the site
        assert_eq!(flagged("FLOW004", &all_flow()), ["48102", "48104"]);
    }

    #[test]
    fn one_finding_lists_every_empty_field() {
        let ds = all_flow();
        let f = one("FLOW004", &ds, "48102");
        assert_eq!(f.field, "РР: ID заявки");
        assert_eq!(f.value, "");
        assert_eq!(
            f.message,
            "Заявка с портала «Работа в России», но не заполнены внешние поля: РР: ID заявки, РР: Программа"
        );
        assert_eq!(one("FLOW004", &ds, "48104").field, "РР: Статус");
    }

    #[test]
    fn short_source_names_count_as_the_portal() {
        let ds = flow(&[
            "48201,Носов Пётр Ильич,Да,Новая,112-233-445 95,nosov.p@mail.ru,01.01.1991,+7 921 300-40-60,Работа России,17.11.2026 10:00,,Сварщик,17.11.2026,Новая",
            "48202,Носова Ия Петровна,Да,Новая,112-233-445 95,nosova.i@mail.ru,02.02.1992,+7 921 300-40-61,Авито,17.11.2026 11:00,,,,",
        ]);
        assert_eq!(flagged("FLOW004", &ds), ["48201"]);
    }

    #[test]
    fn a_source_containing_a_portal_name_counts() {
        let ds = flow(&[
            "48301,Носов Пётр Ильич,Да,Новая,112-233-445 95,nosov.p@mail.ru,01.01.1991,+7 921 300-40-60,Работа в России (trudvsem.ru),17.11.2026 10:00,,Сварщик,17.11.2026,Новая",
            "48302,Носова Ия Петровна,Да,Новая,112-233-445 95,nosova.i@mail.ru,02.02.1992,+7 921 300-40-61,портал Работа в России,17.11.2026 11:00,,,,",
            "48303,Носов Илья Петрович,Да,Новая,112-233-445 95,nosov.i@mail.ru,03.03.1993,+7 921 300-40-62,trudvsem.ru,17.11.2026 12:00,,,,",
            "48304,Носова Ада Петровна,Да,Новая,112-233-445 95,nosova.a@mail.ru,04.04.1994,+7 921 300-40-63,Терраса (реклама),17.11.2026 13:00,,,,",
            "48305,Носов Лев Петрович,Да,Новая,112-233-445 95,nosov.l@mail.ru,05.05.1995,+7 921 300-40-64,Сайт,17.11.2026 14:00,,,,",
        ]);
        assert_eq!(flagged("FLOW004", &ds), ["48301", "48302", "48303"]);
    }

    #[test]
    fn portal_names_match_whole_words_after_folding() {
        let portal: Vec<String> = ["работа россии", "работа в россии", "рр", "trudvsem"]
            .map(String::from)
            .to_vec();
        for yes in [
            "Работа в России",
            "  РАБОТА  в  россии!! ",
            "Работа в России (trudvsem.ru)",
            "портал Работа в России",
            "«Работа России»",
            "www.TRUDVSEM.ru",
            "РР",
            "РР, повторно",
        ] {
            assert!(names_portal(&portal, yes), "{yes:?}");
        }
        for no in [
            "",
            "Сайт",
            "Терраса",
            "работа",
            "Работа в Москве",
            "trudvsemru",
            "Ферро",
        ] {
            assert!(!names_portal(&portal, no), "{no:?}");
        }
        assert!(!names_portal(&[String::new()], "Сайт"));
    }

    #[test]
    fn export_without_external_columns_is_skipped_with_a_warning() {
        let ds = dataset(&[(
            "applications.csv",
            "Номер заявки,ФИО,СНИЛС,Источник\n49201,Киселёва Анна Олеговна,112-233-445 95,Работа в России\n",
        )]);
        assert!(flagged("FLOW004", &ds).is_empty());
        let w = warnings("FLOW004", &ds);
        assert!(w.len() == 1 && w[0].contains("«РР: ID заявки»"), "{w:?}");
    }
}
