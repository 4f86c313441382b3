//! DUP001: no duplicate contacts: two or more of ФИО / phone / birthday match (rule 5).
//!
//! What it checks
//!   Two contacts are one person when at least two of these match:
//!   - the name (the «ФИО» field, else «Фамилия» + «Имя», else the card title): compared after
//!     folding case, ё/е, punctuation and Latin look-alike letters, in any word order, with the
//!     patronymic optional and a one-letter typo tolerated; a diminutive («Саша» = «Александр»,
//!     rules/diminutives.toml) or initials («Иванов И. П.») count as a weaker match. Names that
//!     are addresses («Купчинская 4-3-22») never match;
//!   - a phone: any number in common across all phone columns, after normalisation;
//!   - the birthday: the same date (the 01.01.1970 placeholder never matches).
//!
//!   A name alone (namesakes) or a phone alone (a family's landline) is not a duplicate.
//!   Matching pairs are chained into clusters; every member of a cluster gets a finding whose
//!   `related` lists the other members. Thresholds: [dedupe] in rules/default.toml.
//!
//! Key
//!   `DUP001/contact/ID` (`DUP001/contact/45102412`): one finding per member of a cluster,
//!   whatever the other members.
//!
//! Why
//!   Правило 5: «Контакт дублировать нельзя. Контакт считается дублем в случае совпадения двух
//!   и более обязательных полей» (ФИО, телефон, дата рождения). A duplicated client splits the
//!   history of calls and deals between cards and lets two managers work one client.
//!
//! Example
//!   Contact 1234 «Иванов Иван Петрович», +7 921 123-45-67, 15.03.1985 and contact 5678 «Иван
//!   Иванов», 8 (921) 123-45-67 match on name and phone: both get DUP001, 1234 (the fuller card)
//!   is the suggested survivor.
//!
//! How to fix
//!   Merge the cards in amoCRM into the suggested survivor (`crmclean dedupe` writes the
//!   field-by-field merge proposal to duplicates.xlsx); check the values listed as lost first.

use super::{Context, Finding, Rule};
use crate::dedupe::{phone_key, Cluster, Fields, Member};
use crate::model::Contact;

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let ds = ctx.ds;
    if ds.contacts.is_empty() {
        return;
    }
    for cluster in &ctx.contact_clusters().clusters {
        let survivor_id = cluster.id(ds, cluster.survivor()).to_string();
        for m in &cluster.members {
            let c = &ds.contacts[m.index];
            let (field, value) = matched_value(ctx, cluster, m);
            let others = cluster.other_ids(ds, m);
            let fix = if c.id == survivor_id {
                format!(
                    "Объедините дубли {} в эту карточку (она полнее); предложение слияния — в \
                     duplicates.xlsx (crmclean dedupe)",
                    others.join(", ")
                )
            } else {
                format!(
                    "Объедините карточку с контактом {survivor_id} (предлагается оставить его); \
                     предложение слияния — в duplicates.xlsx (crmclean dedupe)"
                )
            };
            out.push(Finding {
                related: others.clone(),
                field: field.into(),
                value,
                message: format!(
                    "Дубль контакта: совпадает с {} по полям {} (оценка {:.2})",
                    others.join(", "),
                    m.matched_on.ru(),
                    m.score
                )
                .into(),
                fix: fix.into(),
                ..ctx.finding(rule, c.at, &c.id, &c.responsible)
            });
        }
    }
}

/// The field shown in the finding: a phone shared with another member, else the birthday,
/// else the name.
fn matched_value(ctx: &Context, cluster: &Cluster, m: &Member) -> (String, String) {
    let ds = ctx.ds;
    let c = &ds.contacts[m.index];
    if m.matched_on.contains(Fields::PHONE) {
        let others: Vec<&Contact> = cluster
            .members
            .iter()
            .filter(|o| o.index != m.index)
            .map(|o| &ds.contacts[o.index])
            .collect();
        let shared = c.phones.iter().find(|p| {
            let key = phone_key(p);
            key.is_some()
                && others
                    .iter()
                    .any(|o| o.phones.iter().any(|q| phone_key(q) == key))
        });
        if let Some(p) = shared {
            return (
                ds.header(c.at, p.column).to_string(),
                p.norm.raw.to_string(),
            );
        }
    }
    if m.matched_on.contains(Fields::BIRTHDAY) {
        return (ds.label(c.at, "birthday"), c.birthday_raw(ds).to_string());
    }
    let field = if c.fio(ds).is_some_and(|f| !f.trim().is_empty()) {
        "fio"
    } else if !c.last_name(ds).is_empty() {
        "last_name"
    } else {
        "title"
    };
    (ds.label(c.at, field), c.person_name(ds))
}

#[cfg(test)]
mod tests {
    use crate::testutil::{dataset, flagged, run_rule};

    const HEADER: &str =
        "ID;Полное имя контакта;ФИО;Мобильный телефон;Домашний телефон;День рождения;Ответственный";

    #[test]
    fn flags_every_member_with_the_others_related() {
        let ds = dataset(&[(
            "contacts.csv",
            &format!(
                "{HEADER}\n\
                 1234;Иванов Иван;Иванов Иван Петрович;+7 921 123-45-67;;15.03.1985;Петрова Анна\n\
                 5678;Иван Иванов;;8 (921) 123-45-67;;;Смирнов Олег\n\
                 77;Иванoв Иван;;;;15.03.1985;\n\
                 90;Орлова Мария;Орлова Мария;;+7 812 555-66-77;01.02.1970;\n\
                 91;Орлов Павел;Орлов Павел;;+7 812 555-66-77;02.03.1968;\n\
                 92;Кузнецов Алексей;Кузнецов Алексей;+7 921 000-00-01;;01.02.1980;\n\
                 93;Кузнецов Алексей;Кузнецов Алексей;+7 921 000-00-02;;03.04.1975;"
            ),
        )]);
        assert_eq!(flagged("DUP001", &ds), ["1234", "5678", "77"]);
        let findings = run_rule("DUP001", &ds);
        let f = findings.iter().find(|f| f.id == "5678").unwrap();
        assert_eq!(f.related, ["77", "1234"]);
        assert_eq!(f.field, "Мобильный телефон");
        assert_eq!(f.value, "8 (921) 123-45-67");
        assert_eq!(f.manager, "Смирнов Олег");
        assert_eq!(f.row, 2);
        assert!(f.message.contains("ФИО + телефон"), "{}", f.message);
        assert!(f.fix.contains("1234"), "{}", f.fix);
        let latin = findings.iter().find(|f| f.id == "77").unwrap();
        assert_eq!(latin.field, "День рождения");
        let survivor = findings.iter().find(|f| f.id == "1234").unwrap();
        assert!(survivor.fix.contains("в эту карточку"), "{}", survivor.fix);
    }

    #[test]
    fn nothing_without_contacts_or_duplicates() {
        let ds = dataset(&[(
            "contacts.csv",
            &format!("{HEADER}\n1;Купчинская 4-3-22;;+7 921 444-55-66;;;\n2;Купчинская 4-3-22;;+7 921 444-55-66;;;"),
        )]);
        assert!(flagged("DUP001", &ds).is_empty());
    }
}
