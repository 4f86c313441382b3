//! FLOW003: one person has at most one active application, the latest.
//!
//! What it checks
//!   Applications are grouped by person: the same СНИЛС (its 11 digits, however written), or
//!   two or more of ФИО / birthday / phone matching as for DUP001 (word order, ё/е, optional
//!   patronymic, small typos; the same valid birthday; a phone in common). Among a person's
//!   applications with «Активная» = «Да», the latest by «Дата подачи» (on equal dates, the
//!   larger number) may stay active; every other active one is flagged, with `related` naming
//!   the person's other active applications.
//!
//! Key
//!   `FLOW003/application/NUMBER`: one finding per surplus active application.
//!
//! Why
//!   The «Работа в России» integration (flow-crm-rabota-rossii-integration.md) creates a new
//!   application for every submission on the portal; only the latest reflects what the person
//!   applies for now. Several active applications mean double processing and contradictory
//!   statuses sent back to the portal.
//!
//! Example
//!   Applications 48101 (submitted 02.09.2026) and 48230 (15.10.2026) of «Лебедева Ксения
//!   Павловна», СНИЛС 112-233-445 95, are both active: 48101 is flagged, 48230 stays.
//!
//! How to fix
//!   Make the older application inactive (or close it with a status) and keep working in the
//!   latest one; move anything missing from it out of the older application first.

use super::{Context, Finding, Rule};
use crate::dedupe::{application_clusters, id_cmp};
use crate::model::Application;
use crate::normalize::date::show_date;

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let ds = ctx.ds;
    if ds
        .applications
        .iter()
        .filter(|a| a.active == Some(true))
        .count()
        < 2
    {
        return;
    }
    let apart = &ctx.decisions.apart_applications;
    for cluster in application_clusters(ds, &ctx.params.dedupe, apart).clusters {
        let mut active: Vec<&Application> = cluster
            .members
            .iter()
            .map(|m| &ds.applications[m.index])
            .filter(|a| a.active == Some(true))
            .collect();
        if active.len() < 2 {
            continue;
        }
        active.sort_by(|a, b| {
            a.submitted_at
                .cmp(&b.submitted_at)
                .then_with(|| id_cmp(&a.app_no, &b.app_no))
        });
        let Some((latest, older)) = active.split_last() else {
            continue;
        };
        for app in older {
            let related: Vec<String> = active
                .iter()
                .filter(|o| !std::ptr::eq(**o, *app))
                .map(|o| o.app_no.to_string())
                .collect();
            let when = latest
                .submitted_at
                .map(|d| format!(", подана {}", show_date(d.date())))
                .unwrap_or_default();
            out.push(Finding {
                field: ds.label(app.at, "active").into(),
                value: ds.text(app.at, "active").to_string(),
                message: format!(
                    "У заявителя «{}» несколько активных заявок ({}); активной должна остаться \
                     только последняя — {}{when}",
                    app.fio(ds),
                    active.len(),
                    latest.app_no
                )
                .into(),
                fix: format!(
                    "Сделайте заявку неактивной; работа продолжается в заявке {}",
                    latest.app_no
                )
                .into(),
                related,
                ..ctx.finding(rule, app.at, &app.app_no, &app.responsible)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::{dataset, flagged, run_rule};

    const HEADER: &str =
        "Номер заявки;ФИО;Активная;СНИЛС;Дата рождения;Телефон;Дата подачи;Ответственный";

    #[test]
    fn keeps_only_the_latest_active_application_of_a_person() {
        let ds = dataset(&[(
            "applications.csv",
            &format!(
                "{HEADER}\n\
                 48101;Лебедева Ксения Павловна;Да;112-233-445 95;;;02.09.2026;Орлов И.\n\
                 48230;Лебедева Ксения;Да;11223344595;;;15.10.2026 10:00;\n\
                 48005;Лебедева Ксения Павловна;Нет;112-233-445 95;;;01.01.2026;\n\
                 49001;Ксения Лебедева;да;;03.04.1990;+7 921 555-00-11;15.10.2026 10:00;\n\
                 49002;Лебедева Ксения Павловна;Да;;03.04.1990;;;\n\
                 50001;Петров Пётр;Да;;;+7 921 000-00-01;01.09.2026;\n\
                 50002;Петров Пётр;Да;;;+7 921 000-00-02;02.09.2026;"
            ),
        )]);
        // 48101/48230 share the СНИЛС; 49001/49002 match on name + birthday, but not the
        // others (no birthday or phone in common with them).
        assert_eq!(flagged("FLOW003", &ds), ["48101", "49002"]);
        let findings = run_rule("FLOW003", &ds);
        let f = findings.iter().find(|f| f.id == "48101").unwrap();
        assert_eq!(f.related, ["48230"]);
        assert_eq!(f.field, "Активная");
        assert_eq!(f.value, "Да");
        assert_eq!(f.manager, "Орлов И.");
        assert!(
            f.message.contains("48230, подана 15.10.2026"),
            "{}",
            f.message
        );
    }

    #[test]
    fn equal_dates_keep_the_larger_number() {
        let ds = dataset(&[(
            "applications.csv",
            &format!(
                "{HEADER}\n\
                 9;Зуев Олег;Да;112-233-445 95;;;01.09.2026;\n\
                 10;Зуев Олег;Да;112-233-445 95;;;01.09.2026;\n\
                 8;Зуев Олег;Да;112-233-445 95;;;01.09.2026;"
            ),
        )]);
        assert_eq!(flagged("FLOW003", &ds), ["8", "9"]);
        let findings = run_rule("FLOW003", &ds);
        assert_eq!(
            findings.iter().find(|f| f.id == "8").unwrap().related,
            ["9", "10"]
        );
    }
}
