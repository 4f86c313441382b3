//! Classification paths on small realistic exports, conservation and idempotency (proptest),
//! the import tables and lookup.

use super::*;
use crate::model::Dataset;
use crate::testutil::{dataset, rule_set, run_rule};

const CONTACTS_HEADER: &str =
    "ID;Полное имя контакта;Теги;Мобильный телефон;Рабочий телефон;Другой телефон";
const DEALS_HEADER: &str = "ID;Название сделки;Этап сделки;ID контакта;Полное имя контакта;Телефон клиента;Адрес объекта;Номер договора;Примечание 1";
const CLIENTS_HEADER: &str = "Номер договора;ФИО клиента;Телефон;Адрес";

fn world(contacts: &[&str], deals: &[&str], clients: &[&str]) -> Dataset {
    let file = |header: &str, rows: &[&str]| format!("{header}\n{}\n", rows.join("\n"));
    let mut files = vec![("contacts.csv", file(CONTACTS_HEADER, contacts))];
    if !deals.is_empty() {
        files.push(("deals.csv", file(DEALS_HEADER, deals)));
    }
    if !clients.is_empty() {
        files.push(("clients.csv", file(CLIENTS_HEADER, clients)));
    }
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    dataset(&refs)
}

fn plan_of(ds: &Dataset) -> Vec<PlanLine> {
    let lines = plan(ds, &rule_set().params);
    verify_conservation(ds, &lines).expect("conservation");
    lines
}

fn line<'a>(lines: &'a [PlanLine], phone: &str) -> &'a PlanLine {
    lines
        .iter()
        .find(|l| l.phone == phone)
        .unwrap_or_else(|| panic!("no line for {phone}: {lines:#?}"))
}

const PARTNER: &str = "100;Сергей Петров;прораб;+7 921 000-00-01;;8 (921) 765-43-21";

#[test]
fn own_number_on_several_deals_is_kept() {
    let ds = world(
        &[PARTNER],
        &[
            "555;Окна Купчинская;Замер;100;Сергей Петров;;Купчинская 4-3-22;;замер в субботу",
            "556;Балкон Бухарестская;Думает;100;Сергей Петров;;Бухарестская 72-1-15;;думает",
            "557;Откосы;Замер;100;Сергей Петров;;Ленинский 140-33;;",
        ],
        &[],
    );
    let lines = plan_of(&ds);
    let own = line(&lines, "+79210000001");
    assert_eq!(own.action, Action::Keep, "{own:#?}");
    assert_eq!(own.new_contact_name, None);
    assert!(own.reason.contains("own number"), "{}", own.reason);
}

#[test]
fn client_phone_of_a_deal_not_his_moves_named_by_the_address_as_written() {
    let ds = world(
        &[PARTNER],
        &["555;Окна Купчинская;Замер;;;8 921 765-43-21;Купчинская 4-3-22;17/23;"],
        &["5/22;Сидоров Пётр;+79110000000;Бухарестская 1"],
    );
    let lines = plan_of(&ds);
    let l = line(&lines, "+79217654321");
    assert_eq!(l.action, Action::Move, "{l:#?}");
    assert_eq!(l.new_contact_name.as_deref(), Some("Купчинская 4-3-22"));
    assert_eq!(l.deal_ids, vec!["555"]);
    assert_eq!(l.source_column, "Другой телефон");
    assert!(
        l.reason
            .starts_with("used as the client number of deal 555 only"),
        "{}",
        l.reason
    );
    assert!(
        l.reason.contains("contract 17/23 not in client base"),
        "{}",
        l.reason
    );
    assert_eq!(line(&lines, "+79210000001").action, Action::Keep);
}

#[test]
fn resolving_contract_names_the_contact_by_the_client_base() {
    let ds = world(
        &[PARTNER],
        &["555;Окна Купчинская;Замер;100;Сергей Петров;;Купчинская 4-3-22;№ 17/23;"],
        &["17/23;Иванова Мария Петровна;8 921 765 43 21;Купчинская 4-3-22"],
    );
    let lines = plan_of(&ds);
    let l = line(&lines, "+79217654321");
    assert_eq!(l.action, Action::Move, "{l:#?}");
    assert_eq!(
        l.new_contact_name.as_deref(),
        Some("Иванова Мария Петровна")
    );
    assert!(l.reason.contains("client base"), "{}", l.reason);
}

#[test]
fn contract_name_wins_over_the_address_when_evidence_is_a_note() {
    let ds = world(
        &[PARTNER],
        &["555;Окна;Замер;100;Сергей Петров;;Купчинская 4-3-22;17/23;номер хозяйки 89217654321"],
        &["17/23;Иванова Мария Петровна;+79110000000;Купчинская 4-3-22"],
    );
    let l = plan_of(&ds)
        .into_iter()
        .find(|l| l.phone == "+79217654321")
        .unwrap();
    assert_eq!(l.action, Action::Move);
    assert_eq!(
        l.new_contact_name.as_deref(),
        Some("Иванова Мария Петровна")
    );
}

#[test]
fn same_number_in_deals_at_different_addresses_goes_to_review() {
    let ds = world(
        &[PARTNER],
        &[
            "555;Окна;Замер;100;Сергей Петров;;Купчинская 4-3-22;;клиентка Анна 89217654321",
            "556;Балкон;Замер;100;Сергей Петров;;Бухарестская 72-1-15;;хозяйка, тел. 8 921 765-43-21",
        ],
        &[],
    );
    let lines = plan_of(&ds);
    let l = line(&lines, "+79217654321");
    assert_eq!(l.action, Action::Review, "{l:#?}");
    assert_eq!(l.new_contact_name, None);
    assert_eq!(l.deal_ids, vec!["555", "556"]);
    assert!(l.reason.contains("different addresses"), "{}", l.reason);
}

#[test]
fn his_own_deals_mentioning_a_number_without_an_owner_prove_nothing() {
    let ds = world(
        &[PARTNER],
        &[
            "555;Окна;Замер;100;Сергей Петров;89217654321;Купчинская 4-3-22;;звонить на 8 921 765-43-21",
            "556;Заявка;Замер;;;;;;перезвонить 8 921 765 43 21",
        ],
        &[],
    );
    let l = line(&plan_of(&ds), "+79217654321").clone();
    assert_eq!(l.action, Action::Review, "{l:#?}");
    assert_eq!(
        l.deal_ids,
        vec!["556"],
        "only the deal that is not his counts"
    );
    let only_his = world(&[PARTNER], &["555;Окна;Замер;100;Сергей Петров;89217654321;Купчинская 4-3-22;;звонить на 8 921 765-43-21"], &[]);
    let l = line(&plan_of(&only_his), "+79217654321").clone();
    assert_eq!(l.action, Action::Keep, "{l:#?}");
    assert!(l.reason.starts_with("no client evidence"), "{}", l.reason);
}

#[test]
fn one_object_written_two_ways_is_still_one_address() {
    let ds = world(
        &[PARTNER],
        &[
            "555;Окна;Замер;100;Сергей Петров;;Купчинская 4-3-22;;хозяйка 89217654321",
            "556;Откосы;Замер;100;Сергей Петров;;ул. Купчинская, 4-3-22;;клиентка: 89217654321",
        ],
        &[],
    );
    let l = plan_of(&ds)
        .into_iter()
        .find(|l| l.phone == "+79217654321")
        .unwrap();
    assert_eq!(l.action, Action::Move, "{l:#?}");
    assert_eq!(l.new_contact_name.as_deref(), Some("Купчинская 4-3-22"));
    assert_eq!(l.deal_ids, vec!["555", "556"]);
}

#[test]
fn partner_without_deals_and_several_phones_goes_to_review() {
    let ds = world(&[PARTNER], &["900;Чужая сделка;Замер;;;;Невский 1;;"], &[]);
    let lines = plan_of(&ds);
    assert_eq!(lines.len(), 2);
    for l in &lines {
        assert_eq!(l.action, Action::Review, "{l:#?}");
        assert!(l.reason.contains("no deals"), "{}", l.reason);
    }
}

#[test]
fn the_cards_only_phone_without_evidence_is_kept() {
    let ds = world(&["100;Сергей Петров;прораб;+7 921 000-00-01;;"], &[], &[]);
    let lines = plan_of(&ds);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].action, Action::Keep, "{:#?}", lines[0]);
    assert!(lines[0].deal_ids.is_empty());
}

#[test]
fn number_already_on_a_client_contact_moves_by_linking_to_it() {
    let ds = world(
        &[PARTNER, "200;Смирнов Олег;;8-921-765-43-21;;"],
        &["555;Окна;Замер;100;Сергей Петров;;Купчинская 4-3-22;;клиентка 89217654321"],
        &[],
    );
    let lines = plan_of(&ds);
    let l = line(&lines, "+79217654321");
    assert_eq!(l.action, Action::Move, "{l:#?}");
    assert_eq!(l.new_contact_name.as_deref(), Some("Смирнов Олег"));
    assert_eq!(
        l.link_contact.map(|c| ds.contacts[c].id.as_str()),
        Some("200")
    );
    assert!(
        l.reason.contains("link to existing contact ID 200"),
        "{}",
        l.reason
    );
}

#[test]
fn client_contact_as_the_deals_main_contact_is_evidence() {
    let ds = world(
        &[PARTNER, "200;Смирнов Олег;;8-921-765-43-21;;"],
        &["555;Окна;Замер;200;Смирнов Олег;;Купчинская 4-3-22;;"],
        &[],
    );
    let l = plan_of(&ds)
        .into_iter()
        .find(|l| l.phone == "+79217654321")
        .unwrap();
    assert_eq!(l.action, Action::Move, "{l:#?}");
    assert!(l.reason.contains("main contact ID 200"), "{}", l.reason);
    assert_eq!(
        l.link_contact.map(|c| ds.contacts[c].id.clone()),
        Some("200".into())
    );
}

#[test]
fn the_partners_own_second_card_is_no_client() {
    let ds = world(
        &[PARTNER, "101;Петров Сергей;;8 921 765-43-21;;"],
        &[
            "555;Окна;Замер;101;Петров Сергей;;Купчинская 4-3-22;;",
            "556;Балкон;Замер;100;Сергей Петров;;Бухарестская 72-1-15;;",
        ],
        &[],
    );
    let l = plan_of(&ds)
        .into_iter()
        .find(|l| l.phone == "+79217654321")
        .unwrap();
    assert_eq!(l.action, Action::Keep, "{l:#?}");
}

#[test]
fn a_contract_in_the_partners_own_name_is_no_client_evidence() {
    let ds = world(
        &[PARTNER],
        &[
            "555;Окна себе;Замер;100;Сергей Петров;;Купчинская 4-3-22;17/23;",
            "556;Балкон;Замер;100;Сергей Петров;;Бухарестская 72-1-15;5/22;клиентка 89217654321",
        ],
        &[
            "17/23;Петров Сергей Иванович;+7 921 000-00-01;Купчинская 4-3-22",
            "5/22;Петров Сергей Иванович;+79210000001;Бухарестская 72-1-15",
        ],
    );
    let lines = plan_of(&ds);
    let own = line(&lines, "+79210000001");
    assert_eq!(own.action, Action::Keep, "{own:#?}");
    let client = line(&lines, "+79217654321");
    assert_eq!(client.action, Action::Move, "{client:#?}");
    assert_eq!(
        client.new_contact_name.as_deref(),
        Some("Бухарестская 72-1-15")
    );
}

/// The old reading of the «(контакт)» columns: a partner's deal that shows a number among its
/// main contact's phones, but not every number of the card, made that number the partner's own.
/// Those columns are a snapshot of the card (the same on every deal, only some phone types), so
/// every number of a carried column looked «own» and client numbers with evidence went to review.
#[test]
fn regression_kontakt_snapshot_columns_no_longer_make_a_number_the_partners_own() {
    let contacts = format!(
        "{CONTACTS_HEADER}\n100;Сергей Петров;прораб;+7 921 000-00-01, 8 911 234-56-02;;8 (921) 765-43-21\n"
    );
    let snapshot = "+7 921 000-00-01, 8 911 234-56-02";
    let deals = format!(
        "ID;Название сделки;Этап сделки;ID контакта;Полное имя контакта;Мобильный телефон (контакт);Адрес объекта;Номер договора;Примечание 1\n\
         555;Окна;Замер;100;Сергей Петров;{snapshot};Купчинская 4-3-22;;Клиент Морозов М. А., тел. 8911 234 56 02\n\
         556;Балкон;Замер;100;Сергей Петров;{snapshot};Купчинская 4-3-22;17/23;монтаж в субботу\n\
         557;Откосы;Замер;100;Сергей Петров;{snapshot};Бухарестская 72-1-15;;\n"
    );
    let clients = format!(
        "{CLIENTS_HEADER}\n17/23;Морозов Максим Андреевич;+7 911 234-56-02;Купчинская 4-3-22\n"
    );
    let ds = dataset(&[
        ("contacts.csv", contacts.as_str()),
        ("deals.csv", deals.as_str()),
        ("clients.csv", clients.as_str()),
    ]);
    let lines = plan_of(&ds);
    let client = line(&lines, "+79112345602");
    assert_eq!(client.action, Action::Move, "{client:#?}");
    assert_eq!(
        client.new_contact_name.as_deref(),
        Some("Морозов Максим Андреевич")
    );
    assert_eq!(client.deal_ids, vec!["555", "556"]);
    assert!(!client.reason.contains("own phones"), "{}", client.reason);
    assert_eq!(line(&lines, "+79210000001").action, Action::Keep);
    assert_eq!(line(&lines, "+79217654321").action, Action::Keep);
}

#[test]
fn the_client_phone_of_his_own_deal_is_no_evidence_either_way() {
    let deals = "ID;Название сделки;Этап сделки;ID контакта;Полное имя контакта;Мобильный телефон (контакт);Телефон клиента;Адрес объекта\n\
                 554;Окна себе на дачу;Замер;100;Сергей Петров;+7 921 000-00-01;89210000001;Садовая 5\n\
                 556;Окна Купчинская;Замер;100;Сергей Петров;+7 921 000-00-01;89217654321;Купчинская 4-3-22\n";
    let contacts = format!("{CONTACTS_HEADER}\n{PARTNER}\n");
    let ds = dataset(&[("contacts.csv", contacts.as_str()), ("deals.csv", deals)]);
    let lines = plan_of(&ds);
    for l in &lines {
        assert_eq!(l.action, Action::Keep, "{l:#?}");
        assert!(l.reason.starts_with("no client evidence"), "{}", l.reason);
    }
}

#[test]
fn a_note_calling_it_his_against_client_use_elsewhere_is_a_conflict() {
    let deals = "ID;Название сделки;Этап сделки;ID контакта;Полное имя контакта;Телефон клиента;Адрес объекта;Примечание 1\n\
                 555;Окна;Замер;100;Сергей Петров;;Садовая 5;тел. прораба 8 921 000-00-01\n\
                 556;Заявка;Замер;;;8 921 000 00 01;Купчинская 4-3-22;\n";
    let contacts = format!("{CONTACTS_HEADER}\n{PARTNER}\n");
    let ds = dataset(&[("contacts.csv", contacts.as_str()), ("deals.csv", deals)]);
    let lines = plan_of(&ds);
    let own = line(&lines, "+79210000001");
    assert_eq!(own.action, Action::Review, "{own:#?}");
    assert!(
        own.reason
            .starts_with("conflicting evidence: notes of deal(s) 555 call it the partner's number"),
        "{}",
        own.reason
    );
    assert_eq!(own.deal_ids, vec!["556"]);
}

#[test]
fn a_note_calling_it_his_outweighs_a_namesake_contact_without_deals() {
    let deals = "ID;Название сделки;Этап сделки;ID контакта;Полное имя контакта;Адрес объекта;Примечание 1\n\
                 555;Окна;Замер;100;Сергей Петров;Садовая 5;прораб Сергей 8 921 000-00-01\n";
    let contacts = format!("{CONTACTS_HEADER}\n{PARTNER}\n300;Анна Клиентова;;89210000001;;\n");
    let ds = dataset(&[("contacts.csv", contacts.as_str()), ("deals.csv", deals)]);
    let own = line(&plan_of(&ds), "+79210000001").clone();
    assert_eq!(own.action, Action::Keep, "{own:#?}");
    assert_eq!(own.deal_ids, vec!["555"]);
}

#[test]
fn a_client_base_row_at_his_deals_address_names_the_client() {
    let ds = world(
        &[PARTNER],
        &[
            "555;Окна;Замер;100;Сергей Петров;;Купчинская 4-3-22;;замер в субботу",
            "556;Балкон;Замер;100;Сергей Петров;;Бухарестская 72-1-15;;",
        ],
        &[
            "31/24;Морозова Алина Сергеевна;8 (921) 765-43-21;Санкт-Петербург, ул. Купчинская, д. 4, корп. 3, кв. 22",
            "30/24;Сидоров Виктор;8 (921) 000-00-01;Садовая 5",
        ],
    );
    let l = line(&plan_of(&ds), "+79217654321").clone();
    assert_eq!(l.action, Action::Move, "{l:#?}");
    assert_eq!(
        l.new_contact_name.as_deref(),
        Some("Морозова Алина Сергеевна")
    );
    assert_eq!(l.deal_ids, vec!["555"]);
    assert!(
        l.reason.contains("client base, same address"),
        "{}",
        l.reason
    );
}

#[test]
fn a_client_base_listing_it_under_two_clients_goes_to_review() {
    let ds = world(
        &[PARTNER],
        &["555;Окна;Замер;100;Сергей Петров;;Купчинская 4-3-22;;"],
        &[
            "31/24;Морозова Алина Сергеевна;8 (921) 765-43-21;Купчинская 4-3-22",
            "32/24;Лебедев Олег;+7 921 765-43-21;Ленинский 140-33",
        ],
    );
    let l = line(&plan_of(&ds), "+79217654321").clone();
    assert_eq!(l.action, Action::Review, "{l:#?}");
    assert!(
        l.reason
            .contains("the client base lists it under different clients"),
        "{}",
        l.reason
    );
}

#[test]
fn a_client_base_row_at_another_address_is_no_evidence_for_his_deals() {
    let ds = world(
        &[PARTNER],
        &["555;Окна;Замер;100;Сергей Петров;;Купчинская 4-3-22;;"],
        &["31/24;Морозова Алина Сергеевна;8 (921) 765-43-21;Ленинский 140-33"],
    );
    let l = line(&plan_of(&ds), "+79217654321").clone();
    assert_eq!(l.action, Action::Review, "{l:#?}");
    assert!(l.reason.contains("in the client base"), "{}", l.reason);
}

#[test]
fn junk_on_a_partner_card_gets_a_review_line() {
    let ds = world(
        &["100;Сергей Петров;прораб;+7 921 000-00-01, звонить после 18;;"],
        &["555;Окна;Замер;100;Сергей Петров;;Купчинская 4-3-22;;"],
        &[],
    );
    let lines = plan_of(&ds);
    assert_eq!(lines.len(), 2);
    let junk = line(&lines, "звонить после 18");
    assert_eq!(junk.action, Action::Review);
    assert_eq!(junk.source_column, "Мобильный телефон");
    assert!(
        junk.reason.contains("not a valid phone number"),
        "{}",
        junk.reason
    );
    assert_eq!(line(&lines, "+79210000001").action, Action::Keep);
}

#[test]
fn a_note_mentioning_the_number_is_client_evidence() {
    let ds = world(
        &[PARTNER],
        &["555;Окна;Замер;100;Сергей Петров;;Купчинская 4-3-22;;Клиентка Анна просила звонить на 8 (921) 765-43-21 после 18"],
        &[],
    );
    let l = plan_of(&ds)
        .into_iter()
        .find(|l| l.phone == "+79217654321")
        .unwrap();
    assert_eq!(l.action, Action::Move, "{l:#?}");
    assert!(l.reason.contains("a note"), "{}", l.reason);
}

#[test]
fn a_note_calling_it_the_foremans_number_keeps_it() {
    let ds = world(
        &[PARTNER],
        &["555;Окна;Замер;100;Сергей Петров;;Купчинская 4-3-22;;Прораб Сергей, тел. 89217654321, ключи у него"],
        &[],
    );
    let l = plan_of(&ds)
        .into_iter()
        .find(|l| l.phone == "+79217654321")
        .unwrap();
    assert_eq!(l.action, Action::Keep, "{l:#?}");
}

#[test]
fn notes_on_several_own_deals_at_different_addresses_keep_it() {
    let ds = world(
        &[PARTNER],
        &[
            "555;Окна;Замер;100;Сергей Петров;;Купчинская 4-3-22;;связь через 89217654321",
            "556;Балкон;Замер;100;Сергей Петров;;Бухарестская 72-1-15;;связь через 89217654321",
        ],
        &[],
    );
    let l = plan_of(&ds)
        .into_iter()
        .find(|l| l.phone == "+79217654321")
        .unwrap();
    assert_eq!(l.action, Action::Keep, "{l:#?}");
}

#[test]
fn a_number_written_twice_on_one_card_gets_two_lines_with_one_decision() {
    let ds = world(
        &["100;Сергей Петров;прораб;+7 921 000-00-01;89217654321;8 (921) 765-43-21"],
        &["555;Окна;Замер;100;Сергей Петров;;Купчинская 4-3-22;;клиентка 89217654321"],
        &[],
    );
    let lines = plan_of(&ds);
    let twins: Vec<&PlanLine> = lines.iter().filter(|l| l.phone == "+79217654321").collect();
    assert_eq!(twins.len(), 2);
    assert_eq!(twins[0].source_column, "Рабочий телефон");
    assert_eq!(twins[1].source_column, "Другой телефон");
    assert!(twins.iter().all(|l| l.action == Action::Move));
    assert!(
        twins[1]
            .reason
            .starts_with("duplicate of «89217654321» in «Рабочий телефон»"),
        "{}",
        twins[1].reason
    );
    assert_eq!(import::new_contacts(&ds, &lines).len(), 1);
}

#[test]
fn plan_lines_serialise_in_contract_order() {
    let ds = world(
        &[PARTNER],
        &["555;Окна;Замер;100;Сергей Петров;;Купчинская 4-3-22;17/23;клиентка 89217654321"],
        &[],
    );
    let lines = plan_of(&ds);
    let json: Vec<String> = lines
        .iter()
        .map(|l| serde_json::to_string(l).unwrap())
        .collect();
    assert_eq!(
        json[0],
        r#"{"partner_id":"100","phone":"+79210000001","source_column":"Мобильный телефон","action":"keep","new_contact_name":null,"deal_ids":[],"reason":"no client evidence in any deal; the partner's own number (the partner has 1 deal(s))","link_contact_id":null}"#
    );
    assert!(json[1].starts_with(
        r#"{"partner_id":"100","phone":"+79217654321","source_column":"Другой телефон","action":"move","new_contact_name":"Купчинская 4-3-22","deal_ids":["555"],"reason":"used as the client number of deal 555 only"#
    ), "{}", json[1]);
}

#[test]
fn partners_are_ordered_by_numeric_id() {
    let ds = world(
        &[
            "1000;Иван Бригадиров;прораб;+79210000010;;",
            "99;Олег Мастеров;партнёр;+79210000099;;",
            "100;Сергей Петров;Партнер, VIP;+79210000100;;",
            "5;Анна Клиентова;;+79210000005;;",
        ],
        &[],
        &[],
    );
    let ids: Vec<String> = plan_of(&ds).into_iter().map(|l| l.partner_id).collect();
    assert_eq!(ids, vec!["99", "100", "1000"]);
}

#[test]
fn conservation_check_catches_a_lost_phone() {
    let ds = world(&[PARTNER], &[], &[]);
    let mut lines = plan(&ds, &rule_set().params);
    assert!(verify_conservation(&ds, &lines).is_ok());
    lines.pop();
    let err = verify_conservation(&ds, &lines).unwrap_err();
    assert!(err.contains("partner card 100"), "{err}");
}

#[test]
fn prt001_reports_each_move_on_the_partner_card() {
    let ds = world(
        &[PARTNER],
        &["555;Окна;Замер;100;Сергей Петров;;Купчинская 4-3-22;;клиентка 89217654321"],
        &[],
    );
    let findings = run_rule("PRT001", &ds);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f.id, "100");
    assert_eq!(f.related, vec!["555"]);
    assert_eq!(f.field, "Другой телефон");
    assert_eq!(f.value, "8 (921) 765-43-21");
    assert_eq!(f.row, 1);
    assert!(f.message.contains("номер клиента"), "{}", f.message);
    assert!(f.fix.contains("«Купчинская 4-3-22»"), "{}", f.fix);
}

#[test]
fn import_tables_create_the_contact_and_strip_the_partner_card() {
    let ds = world(
        &["100;Сергей Петров;прораб;+7 921 000-00-01, 8 (921) 765-43-21;;нет"],
        &["555;Окна Купчинская;Замер;100;Сергей Петров;;Купчинская 4-3-22;;клиентка 89217654321"],
        &[],
    );
    let lines = plan_of(&ds);
    let contacts = import::new_contacts(&ds, &lines);
    let t = import::new_contacts_table(&ds, &contacts);
    assert_eq!(
        t.header,
        vec![
            "Название сделки",
            "ID сделки",
            "Полное имя (контакт)",
            "Мобильный телефон (контакт)"
        ]
    );
    assert_eq!(
        t.rows,
        vec![vec![
            "Окна Купчинская",
            "555",
            "Купчинская 4-3-22",
            "+79217654321"
        ]]
    );
    let cards = import::partner_cards_table(&ds, &lines);
    assert_eq!(
        cards.header,
        vec![
            "ID",
            "Полное имя контакта",
            "Мобильный телефон",
            "Рабочий телефон",
            "Другой телефон"
        ]
    );
    assert_eq!(
        cards.rows,
        vec![vec!["100", "Сергей Петров", "+7 921 000-00-01", "", "нет"]]
    );
}

#[test]
fn linking_rows_carry_the_existing_contact_id() {
    let ds = world(
        &[PARTNER, "200;Смирнов Олег;;8-921-765-43-21;;"],
        &["555;Окна;Замер;100;Сергей Петров;;Купчинская 4-3-22;;клиентка 89217654321"],
        &[],
    );
    let lines = plan_of(&ds);
    let t = import::new_contacts_table(&ds, &import::new_contacts(&ds, &lines));
    assert_eq!(t.header.last().map(String::as_str), Some("ID (контакт)"));
    assert_eq!(
        t.rows,
        vec![vec!["Окна", "555", "Смирнов Олег", "+79217654321", "200"]]
    );
}

#[test]
fn lookup_finds_contacts_deals_and_gives_a_verdict() {
    let ds = world(
        &[PARTNER],
        &[
            "555;Окна;Замер;100;Сергей Петров;89217654321;Купчинская 4-3-22;;клиент просил звонить на 8-921-765-43-21",
            "556;Балкон;Замер;100;Сергей Петров;;Бухарестская 72-1-15;;",
        ],
        &[],
    );
    let params = rule_set().params;
    let found = lookup::lookup(
        &ds,
        &params,
        &crate::decisions::Resolved::none(),
        "8 921 765 43 21",
        "+79217654321",
    );
    assert_eq!(found.verdict, lookup::Verdict::Client, "{found:#?}");
    assert_eq!(found.contacts.len(), 1);
    assert_eq!(found.contacts[0].column, "Другой телефон");
    assert!(found.contacts[0].partner);
    let ids: Vec<&str> = found.deals.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, vec!["555", "556"]);
    assert_eq!(
        found.deals[0].places,
        vec![
            "card of its contact 100",
            "client phone «Телефон клиента»",
            "note 1 (a client's number)"
        ]
    );
    assert_eq!(found.deals[1].places, vec!["card of its contact 100"]);
    let own = lookup::lookup(
        &ds,
        &params,
        &crate::decisions::Resolved::none(),
        "+79210000001",
        "+79210000001",
    );
    assert_eq!(own.verdict, lookup::Verdict::Partner, "{own:#?}");
    let none = lookup::lookup(
        &ds,
        &params,
        &crate::decisions::Resolved::none(),
        "+79990000000",
        "+79990000000",
    );
    assert_eq!(none.verdict, lookup::Verdict::Unknown);
    assert!(none.contacts.is_empty() && none.deals.is_empty());
}

#[test]
fn lookups_verdict_reads_notes_as_the_plan_does() {
    let ds = world(
        &["100;Сергей Петров;прораб;+7 921 000-00-01, 8 911 234-56-02;;"],
        &[
            "555;Окна;Замер;100;Сергей Петров;;Купчинская 4-3-22;;Клиентка Анна, тел. 8 911 234 56 02",
            "556;Балкон;Замер;;;;Бухарестская 72-1-15;;тел. прораба 8 (952) 377-81-09",
            "557;Откосы;Замер;;;;Ленинский 140-33;;Прораб дал номер хозяйки квартиры: 8 905 211-40-77",
        ],
        &[],
    );
    let params = rule_set().params;
    let ask = |phone: &str| {
        lookup::lookup(
            &ds,
            &params,
            &crate::decisions::Resolved::none(),
            phone,
            phone,
        )
    };
    let moved = ask("+79112345602");
    assert_eq!(moved.verdict, lookup::Verdict::Client, "{moved:#?}");
    assert_eq!(
        moved.deals[0].places,
        vec!["card of its contact 100", "note 1 (a client's number)"]
    );
    let foreman = ask("+79523778109");
    assert_eq!(foreman.verdict, lookup::Verdict::Partner, "{foreman:#?}");
    assert_eq!(foreman.deals[0].places, vec!["note 1 (a partner's number)"]);
    let client = ask("+79052114077");
    assert_eq!(client.verdict, lookup::Verdict::Client, "{client:#?}");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Numbers the worlds share, so that cards, deals and the base collide.
    const POOL: [&str; 8] = [
        "+79210000001",
        "+79210000002",
        "+79217654321",
        "+79111234567",
        "+78125551234",
        "+79500000000",
        "+79031112233",
        "+79990000009",
    ];
    const JUNK: [&str; 3] = ["звонить после 18", "12-34", "нет"];
    const ADDRESSES: [&str; 4] = [
        "Купчинская 4-3-22",
        "Бухарестская 72-1-15",
        "Ленинский 140-33",
        "",
    ];
    const CONTRACTS: [&str; 3] = ["17/23", "5/22", ""];
    const PHONE_COLUMNS: [&str; 3] = ["Мобильный телефон", "Рабочий телефон", "Другой телефон"];

    /// The same number written the way people write it.
    fn written(e164: &str, style: usize) -> String {
        let n = &e164[2..];
        match style % 4 {
            0 => e164.to_string(),
            1 => format!("8{n}"),
            2 => format!("8 ({}) {}-{}-{}", &n[..3], &n[3..6], &n[6..8], &n[8..]),
            _ => format!("7 {} {} {} {}", &n[..3], &n[3..6], &n[6..8], &n[8..]),
        }
    }

    #[derive(Debug, Clone)]
    struct Card {
        id: String,
        name: String,
        partner: bool,
        /// Items per phone column.
        columns: [Vec<String>; 3],
    }

    #[derive(Debug, Clone)]
    struct DealRow {
        id: String,
        contact: String,
        contact_name: String,
        client_phone: String,
        address: String,
        contract: String,
        note: String,
    }

    fn item() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => (0..POOL.len(), 0..4usize).prop_map(|(i, s)| written(POOL[i], s)),
            1 => (0..JUNK.len()).prop_map(|i| JUNK[i].to_string()),
        ]
    }

    fn card(id: usize, partner: bool) -> impl Strategy<Value = Card> {
        let names = [
            "Сергей Петров",
            "Иван Бригадиров",
            "Анна Клиентова",
            "Петров Сергей",
        ];
        (
            0..names.len(),
            prop::collection::vec(item(), 0..3),
            prop::collection::vec(item(), 0..2),
            prop::collection::vec(item(), 0..2),
        )
            .prop_map(move |(n, a, b, c)| Card {
                id: id.to_string(),
                name: names[n].to_string(),
                partner,
                columns: [a, b, c],
            })
    }

    fn deal(id: usize) -> impl Strategy<Value = DealRow> {
        (
            0..6usize,
            prop::option::of((0..POOL.len(), 0..4usize)),
            0..ADDRESSES.len(),
            0..CONTRACTS.len(),
            prop::option::of((0..POOL.len(), 0..4usize, any::<bool>())),
        )
            .prop_map(move |(c, phone, a, k, note)| {
                // Contacts 1..=3 are partners, 11..=13 clients.
                let contact = if c < 3 { c + 1 } else { c + 8 };
                DealRow {
                    id: (500 + id).to_string(),
                    contact: contact.to_string(),
                    contact_name: String::new(),
                    client_phone: phone.map(|(i, s)| written(POOL[i], s)).unwrap_or_default(),
                    address: ADDRESSES[a].to_string(),
                    contract: CONTRACTS[k].to_string(),
                    note: note
                        .map(|(i, s, foreman)| {
                            let who = if foreman {
                                "прораб"
                            } else {
                                "клиент"
                            };
                            format!("{who} просил звонить на {}", written(POOL[i], s))
                        })
                        .unwrap_or_default(),
                }
            })
    }

    fn world_strategy() -> impl Strategy<Value = (Vec<Card>, Vec<DealRow>, Vec<(usize, usize)>)> {
        let cards = (
            card(1, true),
            card(2, true),
            card(3, true),
            card(11, false),
            card(12, false),
            card(13, false),
        )
            .prop_map(|(a, b, c, d, e, f)| vec![a, b, c, d, e, f]);
        let deals = (0..7usize).prop_flat_map(|n| (0..n).map(deal).collect::<Vec<_>>());
        let base = prop::collection::vec((0..2usize, 0..POOL.len()), 0..3);
        (cards, deals, base)
    }

    fn contacts_csv(cards: &[Card]) -> String {
        let mut out = format!("{CONTACTS_HEADER}\n");
        for c in cards {
            let tag = if c.partner { "прораб" } else { "" };
            let cols: Vec<String> = c.columns.iter().map(|items| items.join(", ")).collect();
            out.push_str(&format!("{};{};{tag};{}\n", c.id, c.name, cols.join(";")));
        }
        out
    }

    fn deals_csv(deals: &[DealRow]) -> String {
        let mut out = format!("{DEALS_HEADER}\n");
        for d in deals {
            out.push_str(&format!(
                "{};Сделка {};Замер;{};{};{};{};{};{}\n",
                d.id,
                d.id,
                d.contact,
                d.contact_name,
                d.client_phone,
                d.address,
                d.contract,
                d.note
            ));
        }
        out
    }

    fn clients_csv(base: &[(usize, usize)]) -> String {
        let mut out = format!("{CLIENTS_HEADER}\n");
        for &(k, p) in base {
            out.push_str(&format!(
                "{};Клиент {k};{};Адрес {k}\n",
                ["17/23", "5/22"][k],
                POOL[p]
            ));
        }
        out
    }

    fn load(cards: &[Card], deals: &[DealRow], base: &[(usize, usize)]) -> Dataset {
        load_selected(cards, deals, base, None)
    }

    fn load_selected(
        cards: &[Card],
        deals: &[DealRow],
        base: &[(usize, usize)],
        select: Option<&dyn crate::model::Select>,
    ) -> Dataset {
        let (c, d, b) = (contacts_csv(cards), deals_csv(deals), clients_csv(base));
        let mut files = vec![("contacts.csv", c.as_str())];
        if !deals.is_empty() {
            files.push(("deals.csv", d.as_str()));
        }
        if !base.is_empty() {
            files.push(("clients.csv", b.as_str()));
        }
        crate::testutil::selected_dataset(&files, select)
    }

    /// The export of the migrated CRM: moved numbers gone from partner cards, new contacts
    /// holding them (linked to their deals through the `Сделки` column is not needed: the
    /// deals keep their main contact).
    fn apply(cards: &[Card], lines: &[PlanLine]) -> Vec<Card> {
        let mut out: Vec<Card> = cards.to_vec();
        for c in out.iter_mut().filter(|c| c.partner) {
            for (col, items) in c.columns.iter_mut().enumerate() {
                let moved: Vec<&str> = lines
                    .iter()
                    .filter(|l| {
                        l.partner_id == c.id
                            && l.action == Action::Move
                            && l.source_column == PHONE_COLUMNS[col]
                    })
                    .map(|l| l.raw.as_str())
                    .collect();
                items.retain(|i| !moved.contains(&i.trim()));
            }
        }
        for (n, l) in lines
            .iter()
            .filter(|l| l.action == Action::Move && l.link_contact.is_none())
            .enumerate()
        {
            out.push(Card {
                id: (9000 + n).to_string(),
                name: l.new_contact_name.clone().unwrap_or_default(),
                partner: false,
                columns: [vec![l.phone.clone()], Vec::new(), Vec::new()],
            });
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn every_phone_of_every_partner_card_is_planned_once((cards, deals, base) in world_strategy()) {
            let ds = load(&cards, &deals, &base);
            let lines = plan(&ds, &rule_set().params);
            prop_assert!(verify_conservation(&ds, &lines).is_ok());
            for c in cards.iter().filter(|c| c.partner) {
                let mut expected: Vec<(String, String)> = Vec::new();
                for (col, items) in c.columns.iter().enumerate() {
                    for i in items {
                        expected.push((PHONE_COLUMNS[col].to_string(), i.trim().to_string()));
                    }
                }
                let got: Vec<(String, String)> = lines
                    .iter()
                    .filter(|l| l.partner_id == c.id)
                    .map(|l| (l.source_column.clone(), l.raw.clone()))
                    .collect();
                prop_assert_eq!(got, expected);
            }
            prop_assert!(lines.iter().all(|l| cards.iter().any(|c| c.partner && c.id == l.partner_id)));
            for l in &lines {
                prop_assert_eq!(l.new_contact_name.is_some(), l.action == Action::Move);
            }
        }

        #[test]
        fn any_decisions_keep_every_partner_phone_in_the_plan_once(
            (cards, deals, base) in world_strategy(),
            picks in proptest::collection::vec((0usize..64, 0u8..3, proptest::bool::ANY), 0..12),
        ) {
            use crate::decisions::{Decision, Decisions, Kind, Resolved};
            let ds = load(&cards, &deals, &base);
            let mut lines = plan(&ds, &rule_set().params);
            let mut list: Vec<Decision> = Vec::new();
            for (n, (pick, kind, bogus)) in picks.into_iter().enumerate() {
                let (partner, phone) = match lines.get(pick % lines.len().max(1)) {
                    Some(l) if !bogus => (l.partner_id.clone(), l.phone.clone()),
                    _ => (format!("{}", 77000 + pick), format!("+7921{:07}", pick)),
                };
                let (kind, value) = match kind {
                    0 => (Kind::PartnerOwn, String::new()),
                    1 => (Kind::ClientNumber, format!("Клиент {n}")),
                    _ => (Kind::ClientNumber, format!("ID {}", cards[pick % cards.len()].id)),
                };
                let d = Decision {
                    line: n + 2, kind, ids: vec![partner], subject: phone, value,
                    reason: String::new(), by: "test".into(), date: "2026-11-23".into(), expires: None,
                };
                // One decision per number: a second would contradict the first.
                if !list.iter().any(|o| o.topic() == d.topic()) {
                    list.push(d);
                }
            }
            let decisions = Decisions { path: "decisions.csv".into(), list };
            let resolved = Resolved::new(decisions.clone(), &ds);
            let decided = resolved.apply_to_plan(&ds, &mut lines);
            prop_assert!(verify_conservation(&ds, &lines).is_ok(), "{:?}", verify_conservation(&ds, &lines));
            let mut count = 0;
            for l in &lines {
                prop_assert_eq!(l.new_contact_name.is_some(), l.action == Action::Move);
                if let Some(d) = resolved.phone(&l.partner_id, &l.phone) {
                    count += 1;
                    let want = if d.kind == Kind::PartnerOwn { Action::Keep } else { Action::Move };
                    prop_assert_eq!(l.action, want);
                    prop_assert!(l.reason.starts_with("decided: "));
                }
            }
            prop_assert_eq!(count, decided);
        }

        #[test]
        fn migrating_the_migrated_export_moves_nothing((cards, deals, base) in world_strategy()) {
            let ds = load(&cards, &deals, &base);
            let lines = plan(&ds, &rule_set().params);
            let after = apply(&cards, &lines);
            let again = load(&after, &deals, &base);
            let second = plan(&again, &rule_set().params);
            let moves: Vec<&PlanLine> = second.iter().filter(|l| l.action == Action::Move).collect();
            prop_assert!(moves.is_empty(), "moves on the second run: {:#?}", moves);
        }

        #[test]
        fn lookup_over_the_rows_it_picks_equals_lookup_over_all((cards, deals, base) in world_strategy()) {
            let params = rule_set().params;
            let full = load(&cards, &deals, &base);
            for phone in POOL {
                let select = crate::migrate::lookup_rows::LookupRows { phone };
                let picked = load_selected(&cards, &deals, &base, Some(&select));
                prop_assert_eq!(
                    lookup::lookup(&picked, &params, &crate::decisions::Resolved::none(), phone, phone),
                    lookup::lookup(&full, &params, &crate::decisions::Resolved::none(), phone, phone)
                );
            }
        }
    }
}
