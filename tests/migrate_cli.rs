//! `crmclean migrate` and `crmclean lookup` end to end: exports as users download them
//! (Windows-1251 contacts, UTF-8 deals, a client base) in a temporary folder, the binary run on
//! them, its files read back (cp1251 CSV with the csv crate, XLSX with calamine).

mod common;

use common::crmclean;
use std::path::{Path, PathBuf};

const CONTACTS: &str =
    "ID;Полное имя контакта;Теги;Мобильный телефон;Рабочий телефон;Другой телефон\r\n\
100;Сергей Петров;прораб;+7 921 000-00-01;;8 (921) 765-43-21, 8-911-222-33-44\r\n\
101;Олег Мастеров;партнёр;8 921 555 66 77;звонить после 18;\r\n\
200;Смирнов Олег;;8 911 222 33 44;;\r\n";

const DEALS: &str = "\u{feff}ID,Название сделки,Этап сделки,ID контакта,Полное имя контакта,Телефон клиента,Адрес объекта,Номер договора,Примечание 1\n\
555,Окна Купчинская,Замер,100,Сергей Петров,89217654321,Купчинская 4-3-22,17/23,\"замер в субботу, номер хозяйки 8 921 765-43-21\"\n\
556,Балкон,Думает,100,Сергей Петров,,Бухарестская 72-1-15,,\"клиент Смирнов, тел. 8 911 222-33-44\"\n\
557,Откосы,Замер,101,Олег Мастеров,,Ленинский 140-33,,\n";

const CLIENTS: &str = "Номер договора;ФИО клиента;Телефон;Адрес\n\
5/22;Иванова Мария Петровна;+79110000000;Невский 1\n";

fn fixture() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("exports");
    std::fs::create_dir(&input).unwrap();
    let (contacts, _, _) = encoding_rs::WINDOWS_1251.encode(CONTACTS);
    std::fs::write(input.join("contacts.csv"), contacts).unwrap();
    std::fs::write(input.join("deals.csv"), DEALS).unwrap();
    std::fs::write(input.join("client_base.csv"), CLIENTS).unwrap();
    let out = tmp.path().join("migration");
    (tmp, input, out)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A cp1251 `;` CSV as rows of cells.
fn read_cp1251(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let (text, _, had_errors) = encoding_rs::WINDOWS_1251.decode(&bytes);
    assert!(!had_errors);
    assert!(text.contains("\r\n"), "CRLF expected");
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(text.as_bytes());
    rdr.records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// The first sheet of a workbook as rows of text cells.
fn read_xlsx(path: &Path) -> Vec<Vec<String>> {
    common::workbook(path).swap_remove(0).1
}

#[test]
fn migrate_writes_the_plan_and_importable_files() {
    let (_tmp, input, out) = fixture();
    let run = crmclean(["migrate", s(&input), "--out", s(&out)]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("partner cards"), "{stdout}");

    let plan = std::fs::read_to_string(out.join("split_plan.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = plan
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Every phone item of both partner cards, in ID, column, cell order.
    let items: Vec<(&str, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["partner_id"].as_str().unwrap(),
                l["phone"].as_str().unwrap(),
                l["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        items,
        vec![
            ("100", "+79210000001", "keep"),
            ("100", "+79217654321", "move"),
            ("100", "+79112223344", "move"),
            ("101", "+79215556677", "keep"),
            ("101", "звонить после 18", "review"),
        ]
    );
    let first = plan.lines().nth(1).unwrap();
    assert!(first.starts_with(r#"{"partner_id":"100","phone":"+79217654321","source_column":"Другой телефон","action":"move","new_contact_name":"Купчинская 4-3-22","deal_ids":["555"],"reason":"#), "{first}");
    assert_eq!(lines[2]["new_contact_name"], "Смирнов Олег");
    assert!(lines[2]["reason"]
        .as_str()
        .unwrap()
        .contains("link to existing contact ID 200"));
    assert!(lines[0]["new_contact_name"].is_null());

    let new_contacts = read_cp1251(&out.join("import_new_contacts.csv"));
    let expected = vec![
        vec![
            "Название сделки",
            "ID сделки",
            "Полное имя (контакт)",
            "Мобильный телефон (контакт)",
            "ID (контакт)",
        ],
        vec![
            "Окна Купчинская",
            "555",
            "Купчинская 4-3-22",
            "+79217654321",
            "",
        ],
        vec!["Балкон", "556", "Смирнов Олег", "+79112223344", "200"],
    ];
    assert_eq!(new_contacts, expected);
    assert_eq!(read_xlsx(&out.join("import_new_contacts.xlsx")), expected);

    let cards = read_cp1251(&out.join("import_partner_cards.csv"));
    let expected = vec![
        vec![
            "ID",
            "Полное имя контакта",
            "Мобильный телефон",
            "Рабочий телефон",
            "Другой телефон",
        ],
        vec!["100", "Сергей Петров", "+7 921 000-00-01", "", ""],
    ];
    assert_eq!(cards, expected);
    assert_eq!(read_xlsx(&out.join("import_partner_cards.xlsx")), expected);

    let review = read_xlsx(&out.join("review.xlsx"));
    assert_eq!(review.len(), 2, "{review:?}");
    assert_eq!(review[0][0], "ID партнёра");
    assert_eq!(review[1][0], "101");
    assert_eq!(review[1][2], "звонить после 18");

    let normalised = read_cp1251(&out.join("contacts_normalised.csv"));
    assert_eq!(normalised.len(), 4);
    assert_eq!(normalised[0][4], "Другой телефон");
    assert_eq!(normalised[1][4], "+79217654321, +79112223344");
    assert_eq!(normalised[0][6], "Нераспознанные телефоны");
    assert_eq!(normalised[2][6], "Рабочий телефон: звонить после 18");
}

#[test]
fn outputs_are_deterministic_and_not_overwritten_without_force() {
    let (_tmp, input, out) = fixture();
    assert_eq!(
        crmclean(["migrate", s(&input), "--out", s(&out)])
            .status
            .code(),
        Some(0)
    );
    let first = std::fs::read(out.join("split_plan.jsonl")).unwrap();
    let again = crmclean(["migrate", s(&input), "--out", s(&out)]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(
        crmclean(["migrate", s(&input), "--out", s(&out), "--force"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(std::fs::read(out.join("split_plan.jsonl")).unwrap(), first);
}

#[test]
fn dry_run_writes_nothing() {
    let (_tmp, input, out) = fixture();
    let run = crmclean(["migrate", s(&input), "--dry-run"]);
    assert_eq!(run.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&run.stdout).contains("move"));
    let run = crmclean(["migrate", s(&input), "--out", s(&out), "--dry-run"]);
    assert_eq!(run.status.code(), Some(0));
    assert!(!out.exists());
    assert_eq!(crmclean(["migrate", s(&input)]).status.code(), Some(2));
}

#[test]
fn lookup_prints_contacts_deals_and_a_verdict() {
    let (_tmp, input, _) = fixture();
    let run = crmclean(["lookup", "8 (911) 222-33-44", s(&input)]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("+79112223344"), "{stdout}");
    assert!(stdout.contains("Смирнов Олег"), "{stdout}");
    assert!(stdout.contains("Verdict: client's"), "{stdout}");

    let run = crmclean(["lookup", "+79210000001", s(&input), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(json["verdict"], "partner");
    assert_eq!(json["contacts"][0]["id"], "100");
    assert_eq!(json["contacts"][0]["column"], "Мобильный телефон");
    let deals: Vec<&str> = json["deals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(deals, vec!["555", "556"]);

    assert_eq!(
        crmclean(["lookup", "не номер", s(&input)]).status.code(),
        Some(2)
    );
}
