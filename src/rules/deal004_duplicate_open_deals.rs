//! DEAL004: no duplicate open deals of one client in one product group (rule 2).
//!
//! What it checks
//!   Open deals (not «Неразобранное», «Корзина», «Успешно реализовано» or «Закрыто и не
//!   реализовано») are grouped by client and by «Группа продуктов» (compared after folding case,
//!   ё/е and punctuation). The client is the deal's contact found in the contacts export — and
//!   all duplicate cards of one person (DUP001) count as one client — else the «ID контакта»,
//!   else the contact's name (any word order). Every deal of a group of two or more is flagged;
//!   `related` lists the other deals. Deals with a blank product group or no contact at all are
//!   left to DEAL001.
//!
//! Key
//!   `DEAL004/deal/ID`: one finding per deal of a duplicate group.
//!
//! Why
//!   Rule 2 of the CRM training slides: «По одному клиенту в одной группе продуктов не должно
//!   быть дублей открытых сделок». Two open deals for one order split the history, double the
//!   funnel and let two managers call the same client.
//!
//! Example
//!   Deals 5101 and 5107 «Окна ПВХ» are both at «Замер» for contact 1234 «Иванов Иван»: both get
//!   DEAL004, each naming the other.
//!
//! How to fix
//!   Keep one open deal per client and product group: move the notes of the others into it and
//!   close them as «Закрыто и не реализовано» with the reason «дубль».

use std::collections::{BTreeMap, HashMap};

use super::{Context, Finding, Rule};
use crate::dedupe::id_cmp;
use crate::model::{Dataset, Deal};
use crate::normalize::name::name_key;
use crate::normalize::text::fold_phrase;
use crate::params::StageClass;
use crate::profile::Kind;

/// Who a deal is for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Client {
    /// A DUP001 cluster of contacts.
    Cluster(usize),
    /// A contact of the contacts export.
    Contact(usize),
    /// An `ID контакта` not found among the contacts read.
    Id(String),
    /// The contact's name only.
    Name(String),
}

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let ds = ctx.ds;
    let has_group = ctx.sources_with(rule, Kind::AmocrmDeals, &["product_group"]);
    let open: Vec<&Deal> = ds
        .deals
        .iter()
        .filter(|d| d.stage_class == StageClass::Open)
        .filter(|d| {
            has_group
                .get(d.at.source as usize)
                .copied()
                .unwrap_or(false)
        })
        .collect();
    if open.len() < 2 {
        return;
    }
    let cluster_of = clusters_of_linked(ctx, &open);
    let mut groups: BTreeMap<(Client, String), Vec<&Deal>> = BTreeMap::new();
    for d in open {
        let group = fold_phrase(&d.product_group);
        if let (Some(client), false) = (client(ds, d, &cluster_of), group.is_empty()) {
            groups.entry((client, group)).or_default().push(d);
        }
    }
    for mut deals in groups.into_values().filter(|g| g.len() >= 2) {
        deals.sort_by(|a, b| id_cmp(&a.id, &b.id));
        let client = client_name(ds, deals[0]);
        for d in &deals {
            let related: Vec<String> = deals
                .iter()
                .filter(|o| !std::ptr::eq(**o, *d))
                .map(|o| o.id.to_string())
                .collect();
            out.push(Finding {
                field: ds.label(d.at, "product_group").into(),
                value: d.product_group.to_string(),
                message: format!(
                    "Несколько открытых сделок клиента «{client}» в группе продуктов «{}»: \
                     кроме этой — {}",
                    d.product_group,
                    related.join(", ")
                )
                .into(),
                fix: "Оставьте одну открытую сделку клиента в этой группе продуктов: перенесите \
                      в неё примечания остальных и закройте их как «Закрыто и не реализовано» \
                      (причина — дубль)"
                    .into(),
                related,
                ..ctx.finding(rule, d.at, &d.id, &d.responsible)
            });
        }
    }
}

/// Contact index → its DUP001 cluster, computed only when some open deal is linked to a contact.
fn clusters_of_linked(ctx: &Context, open: &[&Deal]) -> HashMap<usize, usize> {
    if open.iter().all(|d| d.contacts.is_empty()) {
        return HashMap::new();
    }
    ctx.contact_clusters()
        .clusters
        .iter()
        .enumerate()
        .flat_map(|(k, c)| c.members.iter().map(move |m| (m.index, k)))
        .collect()
}

fn client(ds: &Dataset, d: &Deal, cluster_of: &HashMap<usize, usize>) -> Option<Client> {
    if let Some(&c) = d.contacts.first() {
        return Some(match cluster_of.get(&c) {
            Some(&k) => Client::Cluster(k),
            None => Client::Contact(c),
        });
    }
    let ids: Vec<&str> = d.contact_ids(ds).collect();
    if !ids.is_empty() {
        return Some(Client::Id(ids.join(",")));
    }
    let key = name_key(d.contact_name(ds));
    (!key.is_empty()).then_some(Client::Name(key))
}

fn client_name(ds: &Dataset, d: &Deal) -> String {
    match d.contacts.first() {
        Some(&c) => ds.contacts[c].person_name(ds),
        None if !d.contact_name(ds).is_empty() => d.contact_name(ds).to_string(),
        None => d.contact_ids(ds).collect::<Vec<_>>().join(", "),
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::{dataset, flagged, run_rule};

    const DEALS: &str = "ID;Название сделки;Этап сделки;Группа продуктов;Полное имя контакта;ID контакта;Ответственный";

    #[test]
    fn flags_open_deals_of_one_client_in_one_group() {
        let ds = dataset(&[(
            "deals.csv",
            &format!(
                "{DEALS}\n\
                 5107;Окна;Замер;Окна ПВХ;Иванов Иван;;Петрова Анна\n\
                 5101;Окна кухня;Думает;окна  пвх;Иван Иванов;;Петрова Анна\n\
                 5102;Ремонт;Замер;Ремонт окон;Иванов Иван;;\n\
                 5103;Окна;Успешно реализовано;Окна ПВХ;Иванов Иван;;\n\
                 5104;Окна;Неразобранное;Окна ПВХ;Иванов Иван;;\n\
                 5105;Окна;Замер;;Иванов Иван;;\n\
                 5106;Окна;Замер;;Иванов Иван;;\n\
                 6001;Окна;Замер;Окна ПВХ;Петров Пётр;77;\n\
                 6002;Окна;Замер;Окна ПВХ;Пётр;77;\n\
                 6003;Окна;Замер;Окна ПВХ;Петров Пётр;78;"
            ),
        )]);
        assert_eq!(flagged("DEAL004", &ds), ["5101", "5107", "6001", "6002"]);
        let findings = run_rule("DEAL004", &ds);
        let f = findings.iter().find(|f| f.id == "5107").unwrap();
        assert_eq!(f.related, ["5101"]);
        assert_eq!(f.field, "Группа продуктов");
        assert_eq!(f.value, "Окна ПВХ");
        assert_eq!(f.manager, "Петрова Анна");
    }

    #[test]
    fn duplicate_contact_cards_are_one_client() {
        let ds = dataset(&[
            (
                "contacts.csv",
                "ID;Полное имя контакта;Мобильный телефон;День рождения\n\
                 1;Иванов Иван;+7 921 123-45-67;15.03.1985\n\
                 2;Иван Иванов;8 921 123 45 67;\n\
                 3;Иванов Иван;+7 921 999-99-99;01.01.1990",
            ),
            (
                "deals.csv",
                &format!(
                    "{DEALS}\n\
                     10;Окна;Замер;Окна ПВХ;Иванов Иван;1;\n\
                     11;Окна;Замер;Окна ПВХ;Иван Иванов;2;\n\
                     12;Окна;Замер;Окна ПВХ;Иванов Иван;3;"
                ),
            ),
        ]);
        assert_eq!(flagged("DEAL004", &ds), ["10", "11"]);
    }

    #[test]
    fn skipped_without_a_product_group_column() {
        let ds = dataset(&[(
            "deals.csv",
            "ID;Этап сделки;Полное имя контакта\n1;Замер;Иванов Иван\n2;Замер;Иванов Иван",
        )]);
        assert!(flagged("DEAL004", &ds).is_empty());
    }
}
