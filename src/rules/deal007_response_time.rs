//! DEAL007: a request does not sit in «Неразобранное» longer than 10 minutes.
//!
//! What it checks
//!   A deal still at the «Неразобранное» stage was created («Дата создания») no more than 10
//!   minutes before the as-of moment (`--as-of`, default now). Older ones are reported with how
//!   long they have been waiting. A request without a creation date is not judged. The limit is
//!   `deal.response_minutes` and the stage names are `stages.unsorted` in rules/default.toml.
//!
//! Key
//!   `DEAL007/deal/ID`: one finding per unsorted request (whatever --as-of).
//!
//! Why
//!   The regulation on incoming messages (amocrm-incoming-messages.md, section 2 and 4): every
//!   request from a messenger, a social network or the website lands in «Неразобранное», and
//!   «10 минут — максимальное время ответа на сообщение». A client who waits longer calls the
//!   next window company.
//!
//! Example
//!   Deal 52004 «Заявка с сайта: расчёт балкона» was created at 09:45 and is still in
//!   «Неразобранное» at 12:00: it has waited 2 h 15 min.
//!
//! How to fix
//!   Answer the client now, then move the request on: to «Замер» or «Думает» with the fields
//!   those stages need, or to «Корзина» if the question is not about the company's products.

use chrono::TimeDelta;

use super::{Context, Finding, Rule};
use crate::normalize::date::show_minute;
use crate::params::StageClass;

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let limit = TimeDelta::minutes(ctx.params.deal.response_minutes);
    for deal in ctx
        .ds
        .deals
        .iter()
        .filter(|d| d.stage_class == StageClass::Unsorted)
    {
        let Some(created) = deal.created_at else {
            continue;
        };
        let waited = ctx.as_of - created;
        if waited <= limit {
            continue;
        }
        out.push(Finding {
            field: ctx.ds.label(deal.at, "created_at").into(),
            value: ctx.ds.text(deal.at, "created_at").to_string(),
            message: format!(
                "Заявка висит в «{}» {} (создана {}), норма ответа — {} мин",
                deal.stage,
                human_duration(waited),
                show_minute(created),
                ctx.params.deal.response_minutes
            )
            .into(),
            fix: "Ответьте клиенту и разберите заявку: переведите её на «Замер» или «Думает» с \
                  нужными полями, а вопрос не по продукту — в «Корзина»"
                .into(),
            ..ctx.finding(rule, deal.at, &deal.id, &deal.responsible)
        });
    }
}

/// `2 ч 15 мин`, `3 дн. 4 ч`, `45 мин`: the two largest non-zero units.
fn human_duration(d: TimeDelta) -> String {
    let minutes = d.num_minutes().max(0);
    let parts = [
        (minutes / (24 * 60), "дн."),
        (minutes / 60 % 24, "ч"),
        (minutes % 60, "мин"),
    ];
    let shown: Vec<String> = parts
        .iter()
        .skip_while(|(n, _)| *n == 0)
        .take(2)
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect();
    if shown.is_empty() {
        "0 мин".to_string()
    } else {
        shown.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::super::deal_fixtures::{classic, deal, deals};
    use super::*;
    use crate::testutil::{flagged, run_rule};

    #[test]
    fn a_request_waiting_two_hours() {
        // as-of is 23.11.2026 12:00
        let ds = deals(&[
            deal("52004")
                .stage("Неразобранное")
                .set("Дата создания", "23.11.2026 09:45"),
            deal("52005")
                .stage("Неразобранное")
                .set("Дата создания", "23.11.2026 11:55"),
        ]);
        let f = run_rule("DEAL007", &ds);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].id, "52004");
        assert_eq!(f[0].field, "Дата создания");
        assert_eq!(f[0].value, "23.11.2026 09:45");
        assert!(
            f[0].message.contains("висит в «Неразобранное» 2 ч 15 мин"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn ten_minutes_is_the_limit() {
        let ds = classic(&[
            deal("52006")
                .stage("неразобранное")
                .set("Дата создания", "23.11.2026 11:50"),
            deal("52007")
                .stage("НЕРАЗОБРАННОЕ")
                .set("Дата создания", "23.11.2026 11:49"),
        ]);
        assert_eq!(flagged("DEAL007", &ds), ["52007"]);
    }

    #[test]
    fn other_stages_and_undated_requests_are_skipped() {
        let ds = deals(&[
            deal("52008").set("Дата создания", "01.11.2026 10:00"),
            deal("52009")
                .stage("Корзина")
                .set("Дата создания", "01.11.2026 10:00"),
            deal("52010")
                .stage("Неразобранное")
                .set("Дата создания", ""),
            deal("52011")
                .stage("Неразобранное")
                .set("Дата создания", "вчера"),
        ]);
        assert!(flagged("DEAL007", &ds).is_empty());
    }

    #[test]
    fn durations_read_like_a_person_wrote_them() {
        assert_eq!(human_duration(TimeDelta::minutes(135)), "2 ч 15 мин");
        assert_eq!(human_duration(TimeDelta::minutes(45)), "45 мин");
        assert_eq!(
            human_duration(TimeDelta::minutes(3 * 1440 + 4 * 60 + 7)),
            "3 дн. 4 ч"
        );
        assert_eq!(human_duration(TimeDelta::minutes(1440 + 30)), "1 дн.");
        assert_eq!(human_duration(TimeDelta::minutes(120)), "2 ч");
    }
}
