//! DEAL005: the deal is linked to exactly one existing contact (rule 2).
//!
//! What it checks
//!   Every deal proper (past «Неразобранное» and not in «Корзина») is linked to exactly one
//!   contact that exists:
//!   - it names a contact at all («Основной контакт» / «Полное имя контакта» or «ID контакта»,
//!     or a contact card lists the deal in «Сделки»);
//!   - «ID контакта» holds one ID, not several («101, 102»);
//!   - when a contacts export is given too: the ID is among its contacts, a deal known only by
//!     the contact's name resolves to a contact (same name and phone), and the deal is not listed
//!     on several contact cards.
//!
//! Key
//!   `DEAL005/deal/ID`: one finding per deal, whichever way the link is wrong.
//!
//! Why
//!   Rule 2 of the CRM training slides (crm-rules-training-slides.txt): «Сделка должна быть
//!   создана только на основании лида и привязана только к одному контакту». A deal without a
//!   contact cannot be called back; a deal on two contacts is counted twice and its history is
//!   split.
//!
//! Example
//!   Deal 49102 «Замена стеклопакетов, пр. Просвещения 87» has «ID контакта» = «101, 102»: the
//!   husband's and the wife's cards, so both managers who own them see the deal.
//!
//! How to fix
//!   Keep one main contact on the deal (the person who signs the contract) and move the others
//!   to the contact's own card (another phone or a note). A deal without a contact gets one from
//!   the client's card; a deleted contact is restored or replaced.

use super::{Context, Finding, Rule};
use crate::model::{Deal, LinkMethod};
use crate::normalize::text::is_blank;
use crate::profile::Kind;

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let with_contacts = ctx.ds.has_kind(Kind::AmocrmContacts);
    for deal in ctx
        .ds
        .deals
        .iter()
        .filter(|d| d.stage_class.is_deal_proper())
    {
        if let Some(problem) = problem(ctx, deal, with_contacts) {
            out.push(finding(ctx, rule, deal, problem));
        }
    }
}

/// What is wrong with a deal's contact link.
enum Problem {
    NoContact,
    SeveralIds,
    UnknownId,
    UnknownName,
    SeveralCards(Vec<String>),
}

fn problem(ctx: &Context, deal: &Deal, with_contacts: bool) -> Option<Problem> {
    let ids: Vec<&str> = deal
        .contact_ids(ctx.ds)
        .filter(|id| !is_blank(id))
        .collect();
    let linked = !deal.contacts.is_empty();
    match ids.len() {
        2.. => return Some(Problem::SeveralIds),
        1 => return (with_contacts && !linked).then_some(Problem::UnknownId),
        _ => {}
    }
    if deal.link == LinkMethod::DealsColumn && deal.contacts.len() > 1 {
        let cards = deal
            .contacts
            .iter()
            .filter_map(|&i| ctx.ds.contacts.get(i))
            .map(|c| c.id.to_string())
            .collect();
        return Some(Problem::SeveralCards(cards));
    }
    // (the name is read only for the few deals without contact IDs)
    match (!is_blank(deal.contact_name(ctx.ds)), linked) {
        (_, true) => None,
        (false, false) => Some(Problem::NoContact),
        (true, false) => with_contacts.then_some(Problem::UnknownName),
    }
}

fn finding(ctx: &Context, rule: &Rule, deal: &Deal, problem: Problem) -> Finding {
    let ds = ctx.ds;
    let id_field = if ds.has(deal.at, "contact_id") {
        "contact_id"
    } else {
        "contact_name"
    };
    let id_label = ds.label(deal.at, id_field);
    let name_label = ds.label(deal.at, "contact_name");
    let ids_raw = ds.text(deal.at, "contact_id").to_string();
    let base = ctx.finding(rule, deal.at, &deal.id, &deal.responsible);
    match problem {
        Problem::NoContact => Finding {
            field: id_label.as_str().into(),
            message: "Сделка не привязана ни к одному контакту".into(),
            fix: format!(
                "Привяжите к сделке контакт клиента (заполните «{name_label}»); если контакта нет — создайте его с ФИО, телефоном и датой рождения"
            ).into(),
            ..base
        },
        Problem::SeveralIds => Finding {
            field: id_label.into(),
            related: deal.contact_ids(ds).map(String::from).collect(),
            message: format!(
                "Сделка привязана к нескольким контактам: {}",
                deal.contact_ids(ds).collect::<Vec<_>>().join(", ")
            ).into(),
            fix: "Оставьте в сделке один основной контакт (того, кто подписывает договор); \
                  телефоны остальных перенесите в его карточку или в примечание"
                .into(),
            value: ids_raw,
            ..base
        },
        Problem::UnknownId => Finding {
            message: format!("Контакт с ID {ids_raw} не найден в выгрузке контактов").into(),
            fix: "Проверьте, не удалён ли контакт: восстановите его или привяжите к сделке \
                  существующий контакт клиента"
                .into(),
            field: id_label.into(),
            value: ids_raw,
            ..base
        },
        Problem::UnknownName => Finding {
            message: format!(
                "Контакт «{}» не найден в выгрузке контактов (ни по ID, ни по имени и телефону)",
                deal.contact_name(ds)
            ).into(),
            fix: "Привяжите к сделке существующий контакт клиента или создайте его; проверьте \
                  написание ФИО и телефон"
                .into(),
            field: name_label.into(),
            value: deal.contact_name(ds).to_string(),
            ..base
        },
        Problem::SeveralCards(cards) => Finding {
            message: format!(
                "Сделка указана в карточках нескольких контактов: {}",
                cards.join(", ")
            ).into(),
            fix: "Оставьте сделку в карточке одного контакта — основного клиента".into(),
            related: cards,
            field: name_label.into(),
            value: deal.contact_name(ds).to_string(),
            ..base
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::deal_fixtures::{deal, deals, deals_with_contacts, new_layout, CONTACTS};
    use crate::testutil::{dataset, flagged, run_rule};

    #[test]
    fn several_ids_in_one_cell() {
        let ds = deals(&[deal("49102").set("ID контакта", "101, 102"), deal("49103")]);
        let f = run_rule("DEAL005", &ds);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].id, "49102");
        assert_eq!(f[0].field, "ID контакта");
        assert_eq!(f[0].value, "101, 102");
        assert_eq!(f[0].related, ["101", "102"]);
        assert!(f[0].message.contains("101, 102"));
    }

    #[test]
    fn no_contact_at_all() {
        let ds = deals(&[
            deal("550").clear(&["ID контакта", "Основной контакт"]),
            deal("551")
                .set("ID контакта", "")
                .set("Основной контакт", "-"),
            deal("552").set("ID контакта", ""),
        ]);
        assert_eq!(flagged("DEAL005", &ds), ["550", "551"]);
    }

    #[test]
    fn an_id_missing_from_the_contacts_export() {
        let ds = deals_with_contacts(&[deal("553").set("ID контакта", "977"), deal("554")]);
        let f = run_rule("DEAL005", &ds);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].id, "553");
        assert!(f[0].message.contains("ID 977"));
        // without a contacts export an unknown ID cannot be judged
        let ds = deals(&[deal("553").set("ID контакта", "977")]);
        assert!(flagged("DEAL005", &ds).is_empty());
    }

    #[test]
    fn a_name_only_deal_must_resolve_when_contacts_are_given() {
        let rows = [
            // same name and phone as contact 101
            deal("555").set("ID контакта", ""),
            deal("556")
                .set("ID контакта", "")
                .set("Основной контакт", "Кузнецова Ирина"),
        ];
        let ds = deals_with_contacts(&rows);
        let f = run_rule("DEAL005", &ds);
        assert_eq!(flagged("DEAL005", &ds), ["556"]);
        assert_eq!(f[0].field, "Основной контакт");
        assert_eq!(f[0].value, "Кузнецова Ирина");
        assert!(flagged("DEAL005", &deals(&rows)).is_empty());
    }

    #[test]
    fn a_deal_listed_on_two_contact_cards() {
        let contacts = "ID,Полное имя контакта,Мобильный телефон,Сделки\n\
            101,Смирнов Олег Петрович,+79211234567,557\n\
            102,Смирнова Мария Ивановна,+79117654321,557\n";
        let row = deal("557").clear(&["ID контакта", "Основной контакт"]);
        let ds = dataset(&[
            ("deals.csv", &new_layout(&[row])),
            ("contacts.csv", contacts),
        ]);
        let f = run_rule("DEAL005", &ds);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].related, ["101", "102"]);
    }

    #[test]
    fn unsorted_and_trash_are_not_judged() {
        let ds = dataset(&[
            (
                "deals.csv",
                &new_layout(&[
                    deal("558")
                        .stage("Неразобранное")
                        .clear(&["ID контакта", "Основной контакт"]),
                    deal("559").stage("Корзина").set("ID контакта", "101, 102"),
                ]),
            ),
            ("contacts.csv", CONTACTS),
        ]);
        assert!(flagged("DEAL005", &ds).is_empty());
    }
}
