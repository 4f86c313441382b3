//! DEAL003: an open deal has a recorded interaction at least every 2 months (rule 2).
//!
//! What it checks
//!   Every open deal (not «Неразобранное», «Корзина», «Успешно реализовано» or «Закрыто и не
//!   реализовано») had an interaction with the client within the last 2 calendar months before
//!   the as-of date (`--as-of`, default today). The interaction date is taken, in this order,
//!   from «Дата последнего контакта»; else the latest date a note starts with («14.11.2026 12:40
//!   Петрова А.: …» in «Примечание 1…5»); else «Дата редактирования»; else «Дата создания».
//!   Days are compared: as of 23.11.2026 an interaction on 23.09.2026 still counts, one on
//!   22.09.2026 does not. A deal with none of these dates is not judged. The period is
//!   `deal.activity_months` in rules/default.toml.
//!
//! Key
//!   `DEAL003/deal/ID`: one finding per deal (whatever --as-of).
//!
//! Why
//!   Rule 2 of the CRM training slides (crm-rules-training-slides.txt): «Активная сделка — это
//!   корректная сделка, в которой менеджер минимум 1 раз в 2 месяца отражает взаимодействие с
//!   клиентом в виде звонка/переписки и развёрнутого комментария». «Неактивная = некорректная»:
//!   a forgotten deal blocks the client for other managers and distorts the sales funnel.
//!
//! Example
//!   Deal 47310 «Остекление лоджии, ул. Ленская 12» is at «Думает»; «Дата последнего контакта»
//!   = 02.08.2026. As of 23.11.2026 nobody has spoken to the client for almost four months.
//!
//! How to fix
//!   Call or write to the client, record the conversation in a detailed note and update «Дата
//!   последнего контакта». If the client is no longer interested, close the deal as «Закрыто и
//!   не реализовано» with the reason.

use chrono::{Months, NaiveDateTime};

use super::{Context, Finding, Rule};
use crate::model::{Dataset, Deal};
use crate::normalize::date::{leading_datetime, show_date};
use crate::params::StageClass;

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let months = ctx.params.deal.activity_months;
    let Some(threshold) = ctx.as_of.date().checked_sub_months(Months::new(months)) else {
        return;
    };
    for deal in ctx
        .ds
        .deals
        .iter()
        .filter(|d| d.stage_class == StageClass::Open)
    {
        let Some(last) = interaction(ctx.ds, deal) else {
            continue;
        };
        if last.at.date() < threshold {
            let label = ctx.ds.label(deal.at, last.field);
            out.push(Finding {
                value: ctx.ds.text(deal.at, last.field).to_string(),
                message: format!(
                    "Сделка неактивна: последнее взаимодействие {} ({label}) — более {months} мес. назад",
                    show_date(last.at.date()),
                ).into(),
                field: label.into(),
                fix: format!(
                    "Свяжитесь с клиентом, запишите развёрнутый комментарий и обновите «{}»; \
                     если клиент не заинтересован — закройте сделку как «Закрыто и не реализовано» \
                     с причиной",
                    ctx.ds.label(deal.at, "last_contact_at")
                ).into(),
                ..ctx.finding(rule, deal.at, &deal.id, &deal.responsible)
            });
        }
    }
}

/// The date a deal's activity is judged by and the field it came from.
struct Interaction {
    at: NaiveDateTime,
    field: &'static str,
}

const NOTE_FIELDS: [&str; 5] = ["note_1", "note_2", "note_3", "note_4", "note_5"];

/// `Дата последнего контакта`, else the latest dated note, else `Дата редактирования`, else
/// `Дата создания`.
fn interaction(ds: &Dataset, deal: &Deal) -> Option<Interaction> {
    // (the notes are read only for a deal without `Дата последнего контакта`)
    let latest_note = || {
        NOTE_FIELDS
            .iter()
            .filter_map(|&f| leading_datetime(ds.text(deal.at, f)).map(|at| (at, f)))
            .max_by_key(|&(at, _)| at)
    };
    let (at, field) = deal
        .last_contact_at
        .map(|at| (at, "last_contact_at"))
        .or_else(latest_note)
        .or(deal.updated_at.map(|at| (at, "updated_at")))
        .or(deal.created_at.map(|at| (at, "created_at")))?;
    Some(Interaction { at, field })
}

#[cfg(test)]
mod tests {
    use super::super::deal_fixtures::{classic, deal, deals, DealRow};
    use crate::testutil::{flagged, run_rule};

    /// A deal with no contact date and no dated note: only edit and creation dates remain.
    fn undated(id: &str) -> DealRow {
        deal(id).set("Дата последнего контакта", "").set(
            "Примечание 1",
            "Согласовали замер, 4 створки, клиент просит уплотнитель",
        )
    }

    #[test]
    fn an_old_last_contact_date_makes_the_deal_inactive() {
        let ds = deals(&[deal("47310")
            .stage("Думает")
            .set("Дата последнего контакта", "02.08.2026")]);
        let f = run_rule("DEAL003", &ds);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].field, "Дата последнего контакта");
        assert_eq!(f[0].value, "02.08.2026");
        assert!(
            f[0].message.contains("последнее взаимодействие 02.08.2026 (Дата последнего контакта) — более 2 мес. назад"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].manager, "Петрова Анна");
    }

    #[test]
    fn inactive_by_the_edit_date_only() {
        let ds = deals(&[
            undated("530").set("Дата редактирования", "15.09.2026 11:00"),
            undated("531").set("Дата редактирования", "15.10.2026 11:00"),
        ]);
        let f = run_rule("DEAL003", &ds);
        assert_eq!(flagged("DEAL003", &ds), ["530"]);
        assert_eq!(f[0].field, "Дата редактирования");
        assert!(f[0].message.contains("15.09.2026 (Дата редактирования)"));
    }

    #[test]
    fn a_recent_note_date_keeps_the_deal_active() {
        let ds = deals(&[
            undated("532")
                .set("Дата редактирования", "01.08.2026 09:00")
                .set(
                    "Примечание 1",
                    "Перенесли замер на декабрь, клиент в отъезде",
                )
                .set(
                    "Примечание 2",
                    "10.11.2026 14:20 Петрова А.: клиент в отъезде до 5 декабря",
                ),
            undated("533")
                .set("Дата редактирования", "20.11.2026 09:00")
                .set(
                    "Примечание 1",
                    "03.08.2026 10:00 Петрова А.: прислали фото проёмов",
                ),
        ]);
        let f = run_rule("DEAL003", &ds);
        assert_eq!(flagged("DEAL003", &ds), ["533"]);
        assert_eq!(f[0].field, "Примечание 1");
        assert!(
            f[0].message.contains("03.08.2026 (Примечание 1)"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn exactly_two_months_is_still_active() {
        let ds = deals(&[
            deal("534").set("Дата последнего контакта", "23.09.2026"),
            deal("535").set("Дата последнего контакта", "22.09.2026 23:59"),
        ]);
        assert_eq!(flagged("DEAL003", &ds), ["535"]);
    }

    #[test]
    fn the_creation_date_is_the_last_resort() {
        let ds = classic(&[
            deal("536")
                .set("Дата создания", "01.06.2026 10:00")
                .set("Примечание 1", "Сбросил"),
            deal("537").set("Примечание 1", "Сбросил"),
        ]);
        let f = run_rule("DEAL003", &ds);
        assert_eq!(flagged("DEAL003", &ds), ["536"]);
        assert_eq!(f[0].field, "Дата создания сделки");
    }

    #[test]
    fn only_open_deals_and_dated_ones_are_judged() {
        let old = "01.03.2026";
        let ds = classic(&[
            deal("538")
                .stage("Успешно реализовано")
                .set("Дата создания", old),
            deal("539")
                .stage("Закрыто и не реализовано")
                .set("Дата создания", old),
            deal("540").stage("Неразобранное").set("Дата создания", old),
            deal("541").stage("Корзина").set("Дата создания", old),
            deal("542")
                .set("Дата создания", "")
                .set("Примечание 1", "Сбросил"),
        ]);
        assert!(flagged("DEAL003", &ds).is_empty());
    }
}
