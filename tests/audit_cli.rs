//! `crmclean audit` end to end: a classic Windows-1251 contacts export, a new-layout deals export
//! and a managers list in a temporary folder, the real binary run on them, every output read back
//! (JSON Lines, JSON, CSV, XLSX with calamine).

mod common;

use common::workbook;
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

const CONTACTS: &str = "ID;Тип;Полное имя контакта;Имя;Фамилия;Ответственный;Мобильный телефон;Рабочий телефон;Личный email;Рабочий email;День рождения;Теги;Должность\r\n\
101;контакт;Иванов Иван;Иван;Иванов;Петрова Анна;8 921 123-45-67;;ivanov@mail.ru;;15.03.1985;;Инженер\r\n\
102;контакт;Смирнова Ольга;Ольга;Смирнова;Сидоров Пётр;нет;;;;01.01.1970;;\r\n\
103;контакт;Кузнецов Павел;Павел;Кузнецов;Петрова Анна;+7 (911) 555-44-33;;;a.petrova@okna-spb.ru;20.06.1979;;Бухгалтер\r\n\
104;контакт;Волкова Мария;Мария;Волкова;;8 921 765-43;;volkova@yandex.ru;;02.02.1990;;\r\n";

const DEALS: &str = "\u{feff}ID,Название сделки,Бюджет,Ответственный,Дата создания,Этап сделки,Воронка,Основной контакт,ID контакта,Мобильный телефон (контакт),Группа продуктов,Товар,Примечание 1,Дата последнего контакта,Адрес объекта,Своё поле\n\
501,Окна Купчино,45000,Петрова Анна,01.10.2026 10:00,Переговоры,Продажи,Иванов Иван,101,+79211234567,Окна ПВХ,Окно трёхстворчатое,\"Клиент выбрал профиль Rehau, ждёт расчёт монтажа к пятнице\",20.11.2026 15:00,Купчинская 4-3-22,зелёный\n\
502,Ремонт окон,0,Сидоров Пётр,01.06.2026 10:00,Переговоры,Продажи,Смирнова Ольга,102,,Ремонт окон,,перезвонить,01.07.2026 10:00,,синий\n\
503,Заявка с сайта,,,23.11.2026 11:00,Неразобранное,Продажи,,,,,,,,,\n";

const MANAGERS: &str =
    "Имя,Email\nПетрова Анна,a.petrova@okna-spb.ru\nСидоров Пётр,p.sidorov@okna-spb.ru\n";

/// The keys of a finding, in contract order (spec §6).
/// The fields of spec §6 in order, then those added since (`key`: issue 15).
const CONTRACT_KEYS: [&str; 13] = [
    "rule", "severity", "entity", "id", "related", "file", "row", "field", "value", "message",
    "fix", "manager", "key",
];

struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    input: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let input = root.join("exports");
        std::fs::create_dir(&input).unwrap();
        let (contacts, _, unmappable) = encoding_rs::WINDOWS_1251.encode(CONTACTS);
        assert!(!unmappable);
        std::fs::write(input.join("contacts.csv"), contacts).unwrap();
        std::fs::write(input.join("deals.csv"), DEALS).unwrap();
        std::fs::write(input.join("managers.csv"), MANAGERS).unwrap();
        Fixture {
            _tmp: tmp,
            root,
            input,
        }
    }

    fn out(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// `crmclean audit exports/ --out OUT --as-of "2026-11-23 12:00" EXTRA…`
    fn audit(&self, out: &Path, extra: &[&str]) -> Output {
        let output = Command::new(env!("CARGO_BIN_EXE_crmclean"))
            .env_remove("CRMCLEAN_RULES")
            .arg("--rules")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"))
            .arg("audit")
            .arg(&self.input)
            .arg("--out")
            .arg(out)
            .args(["--as-of", "2026-11-23 12:00"])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            output.stdout.is_empty(),
            "audit prints nothing on stdout: {}",
            String::from_utf8_lossy(&output.stdout)
        );
        output
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn findings(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("findings.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn summary(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

/// `(rule, id)` of every finding.
fn pairs(out: &Path) -> BTreeSet<(String, String)> {
    findings(out)
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn ids_of(out: &Path, rule: &str) -> BTreeSet<String> {
    pairs(out)
        .into_iter()
        .filter(|(r, _)| r == rule)
        .map(|(_, id)| id)
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The top-level keys of a JSON object in the order they are written.
struct Keys(Vec<String>);

impl<'de> serde::Deserialize<'de> for Keys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Keys;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                let mut keys = Vec::new();
                while let Some((k, IgnoredAny)) = map.next_entry::<String, IgnoredAny>()? {
                    keys.push(k);
                }
                Ok(Keys(keys))
            }
        }
        d.deserialize_map(V)
    }
}

#[test]
fn fail_on_decides_the_exit_code() {
    let fx = Fixture::new();
    // CON003 is a warning: only --fail-on warning fails on it.
    let cases = [
        (&["--select", "CON003"][..], 0),
        (&["--select", "CON003", "--fail-on", "error"][..], 0),
        (&["--select", "CON003", "--fail-on", "warning"][..], 1),
        (&["--select", "CON003", "--fail-on", "never"][..], 0),
        // CON004 is an error (a manager's e-mail on contact 103).
        (&["--select", "CON004"][..], 1),
        (&["--select", "CON004", "--fail-on", "warning"][..], 1),
        (&["--select", "CON004", "--fail-on", "never"][..], 0),
    ];
    for (i, (args, expected)) in cases.iter().enumerate() {
        let out = fx.out(&format!("out{i}"));
        let o = fx.audit(&out, args);
        assert_eq!(code(&o), *expected, "{args:?}: {}", stderr(&o));
        assert!(out.join("findings.jsonl").is_file(), "{args:?}");
    }
    assert_eq!(ids_of(&fx.out("out0"), "CON003"), set(&["102", "103"]));
    assert_eq!(ids_of(&fx.out("out4"), "CON004"), set(&["103"]));
}

#[test]
fn a_clean_selection_exits_zero_even_on_warning() {
    let fx = Fixture::new();
    let out = fx.out("out");
    // No Flow CRM export: the FLOW rules find nothing.
    let o = fx.audit(&out, &["--select", "FLOW", "--fail-on", "warning"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(findings(&out).is_empty());
}

#[test]
fn select_and_ignore_choose_the_rules() {
    let fx = Fixture::new();
    let out = fx.out("selected");
    fx.audit(&out, &["--select", "CON003,deal002", "--fail-on", "never"]);
    let rules: BTreeSet<String> = pairs(&out).into_iter().map(|(r, _)| r).collect();
    assert_eq!(rules, set(&["CON003", "DEAL002"]));
    assert_eq!(ids_of(&out, "DEAL002"), set(&["502"]));
    let by_rule = summary(&out)["counts"]["by_rule"].clone();
    let keys: Vec<&str> = by_rule
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["CON003", "DEAL002"]);

    let out = fx.out("ignored");
    fx.audit(&out, &["--ignore", "CON,DUP", "--fail-on", "never"]);
    let by_rule = summary(&out)["counts"]["by_rule"].clone();
    let keys: Vec<&str> = by_rule
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert!(
        keys.contains(&"DEAL001") && keys.contains(&"PRT001"),
        "{keys:?}"
    );
    assert!(
        keys.iter()
            .all(|k| !k.starts_with("CON") && !k.starts_with("DUP")),
        "{keys:?}"
    );
    assert!(pairs(&out).iter().all(|(r, _)| !r.starts_with("CON")));
    assert!(ids_of(&out, "DEAL001").contains("502"));
}

#[test]
fn an_unknown_code_is_a_usage_error_with_a_suggestion() {
    let fx = Fixture::new();
    for flag in ["--select", "--ignore"] {
        let out = fx.out("never");
        let o = fx.audit(&out, &[flag, "CON003,CON0O1"]);
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("CON0O1") && err.contains("CON001"), "{err}");
        assert!(!out.exists(), "nothing is written on a usage error");
    }
}

#[test]
fn findings_follow_the_contract_and_are_deterministic() {
    let fx = Fixture::new();
    let (a, b) = (fx.out("a"), fx.out("b"));
    let o = fx.audit(&a, &[]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    fx.audit(&b, &[]);

    let text = std::fs::read_to_string(a.join("findings.jsonl")).unwrap();
    assert!(text.ends_with('\n'));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 8, "{text}");
    for line in &lines {
        let Keys(keys) = serde_json::from_str(line).unwrap();
        assert_eq!(keys, CONTRACT_KEYS, "{line}");
        let f: Value = serde_json::from_str(line).unwrap();
        assert!(f["related"].is_array() && f["row"].is_u64(), "{line}");
        assert!(["error", "warning"].contains(&f["severity"].as_str().unwrap()));
        assert!(["contact", "deal", "application"].contains(&f["entity"].as_str().unwrap()));
    }
    // The contacts file is cp1251: names and files come back as UTF-8.
    let con001: Vec<Value> = findings(&a)
        .into_iter()
        .filter(|f| f["rule"] == "CON001")
        .collect();
    assert!(con001.iter().any(|f| f["id"] == "102"
        && f["file"] == "contacts.csv"
        && f["row"] == 2
        && f["manager"] == "Сидоров Пётр"));

    for name in ["findings.jsonl", "deal_status.csv", "summary.json"] {
        assert!(b.join(name).is_file());
    }
    for name in ["findings.jsonl", "deal_status.csv"] {
        assert_eq!(
            std::fs::read(a.join(name)).unwrap(),
            std::fs::read(b.join(name)).unwrap(),
            "{name} differs between two runs"
        );
    }
    let mut sa = summary(&a);
    let mut sb = summary(&b);
    sa.as_object_mut().unwrap().remove("timings_ms");
    sb.as_object_mut().unwrap().remove("timings_ms");
    assert_eq!(sa, sb);
}

#[test]
fn deal_status_lists_deals_proper() {
    let fx = Fixture::new();
    let out = fx.out("out");
    fx.audit(&out, &["--select", "DEAL"]);
    let bytes = std::fs::read(out.join("deal_status.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert_eq!(
        text,
        "id,file,row,stage,manager,correct,active,rules\n\
         501,deals.csv,1,Переговоры,Петрова Анна,да,да,\n\
         502,deals.csv,2,Переговоры,Сидоров Пётр,нет,нет,DEAL001;DEAL002;DEAL003\n"
    );
    let deals = &summary(&out)["deals"];
    assert_eq!(
        *deals,
        serde_json::json!({"total": 3, "proper": 2, "correct": 1, "incorrect": 1,
                           "active": 1, "inactive": 1})
    );
    assert!(ids_of(&out, "DEAL007").contains("503"));
}

#[test]
fn summary_counts_files_rules_and_managers() {
    let fx = Fixture::new();
    let out = fx.out("out");
    let o = fx.audit(&out, &[]);
    let s = summary(&out);
    assert_eq!(s["as_of"], "2026-11-23T12:00:00");
    let files: Vec<(&str, &str, u64)> = s["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap(),
                f["kind"].as_str().unwrap(),
                f["rows"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        files,
        [
            ("contacts.csv", "amocrm-contacts", 4),
            ("deals.csv", "amocrm-deals", 3),
            ("managers.csv", "managers", 2)
        ]
    );
    assert_eq!(s["files"][0]["layout"], "classic");
    assert_eq!(s["files"][1]["layout"], "new");
    assert_eq!(
        s["rows_read"],
        serde_json::json!({"amocrm-contacts": 4, "amocrm-deals": 3, "managers": 2})
    );
    let c = &s["counts"];
    let by_rule = c["by_rule"].as_object().unwrap();
    assert_eq!(by_rule.len(), 21, "every rule, zeros included");
    assert_eq!(by_rule["FLOW001"], 0);
    let total: u64 = by_rule.values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(c["total"].as_u64().unwrap(), total);
    assert_eq!(findings(&out).len() as u64, total);
    let by_sev = c["by_severity"].as_object().unwrap();
    assert_eq!(
        by_sev["error"].as_u64().unwrap() + by_sev["warning"].as_u64().unwrap(),
        total
    );
    // Contact 104 has no responsible user; CON004 is Петрова Анна's.
    let by_manager = c["by_manager"].as_object().unwrap();
    assert!(by_manager["(не указан)"]["CON001"].as_u64().unwrap() >= 1);
    assert_eq!(by_manager["Петрова Анна"]["CON004"], 1);
    assert!(s["links"].is_object() && s["warnings"].is_array());
    for step in ["read", "rules", "write"] {
        assert!(s["timings_ms"][step].is_u64(), "{step}");
    }
    // The stderr table: a line per rule, totals, and where the files went.
    let err = stderr(&o);
    assert!(err.contains("CON004   error"), "{err}");
    assert!(err.contains(&format!("total: {total} findings")), "{err}");
    assert!(err.contains("corrections"), "{err}");
}

#[test]
fn existing_outputs_need_force() {
    let fx = Fixture::new();
    let out = fx.out("out");
    assert_eq!(code(&fx.audit(&out, &["--select", "CON003"])), 0);
    let before = std::fs::read(out.join("findings.jsonl")).unwrap();
    let o = fx.audit(&out, &["--select", "CON004"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(std::fs::read(out.join("findings.jsonl")).unwrap(), before);

    let o = fx.audit(&out, &["--select", "CON004", "--force"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(ids_of(&out, "CON004"), set(&["103"]));

    // --out pointing at an input file is refused.
    let o = fx.audit(&fx.input.join("deals.csv"), &["--force"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(std::fs::read_to_string(fx.input.join("deals.csv"))
        .unwrap()
        .starts_with("\u{feff}ID,"));
}

#[test]
fn nothing_readable_exits_three() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("junk.csv");
    std::fs::write(&input, "это не выгрузка\nсовсем\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_crmclean"))
        .env_remove("CRMCLEAN_RULES")
        .args(["audit", input.to_str().unwrap(), "--out"])
        .arg(tmp.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(code(&o), 3, "{}", stderr(&o));
}

#[test]
fn the_workbook_has_summary_rule_sheets_and_statuses() {
    let fx = Fixture::new();
    let out = fx.out("out");
    fx.audit(
        &out,
        &[
            "--select",
            "CON004,DEAL001",
            "--amocrm-subdomain",
            "okna-spb",
            "--workbook",
            "single",
        ],
    );
    assert!(!out.join("corrections").exists());
    let book = workbook(&out.join("corrections.xlsx"));
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Summary", "CON004", "DEAL001", "Статусы сделок"]);

    let summary = &book[0].1;
    assert_eq!(summary[0][..3], ["Правило", "Серьёзность", "Найдено"]);
    assert_eq!(summary[1][..3], ["CON004", "ошибка", "1"]);
    assert!(summary
        .iter()
        .any(|r| r.first().map(String::as_str) == Some("Петрова Анна")));

    let con004 = &book[1].1;
    let header = &con004[0];
    assert_eq!(header[..3], ["Что исправить", "Проблема", "ID"]);
    let col = |name: &str| header.iter().rposition(|h| h == name).unwrap();
    // Every original column follows, in the file's order.
    assert!(col("Рабочий email") > 7 && col("Должность") > col("Рабочий email"));
    let row = &con004[1];
    assert!(!row[0].is_empty(), "a fix is proposed");
    assert_eq!(row[2], "103", "the link text is the ID");
    assert_eq!(row[col("Должность")], "Бухгалтер");
    assert_eq!(row[col("Рабочий email")], "a.petrova@okna-spb.ru");

    let deal001 = &book[2].1;
    let header = &deal001[0];
    assert!(
        header.iter().any(|h| h == "Своё поле"),
        "unknown columns kept"
    );
    let id = header.iter().position(|h| h == "ID").unwrap();
    assert_eq!(deal001[1][id], "502");

    // Statuses follow the selected rules: DEAL003 did not run, so 502 counts as active.
    let statuses = &book[3].1;
    assert_eq!(statuses.len(), 3);
    assert_eq!(statuses[2][0], "502");
    assert_eq!(statuses[2][5..], ["нет", "да", "DEAL001"]);
}

#[test]
fn mask_pii_hides_phones_and_emails() {
    let fx = Fixture::new();
    let plain = fx.out("plain");
    let masked = fx.out("masked");
    let args = ["--select", "CON004,CON006,CON003", "--fail-on", "never"];
    fx.audit(&plain, &args);
    let mut with_mask = args.to_vec();
    with_mask.push("--mask-pii");
    fx.audit(&masked, &with_mask);

    let secrets = ["765-43", "555-44-33", "a.petrova@okna-spb.ru"];
    let plain_text =
        std::fs::read_to_string(plain.join("findings.jsonl")).unwrap() + &workbook_text(&plain);
    for s in secrets {
        assert!(plain_text.contains(s), "{s} is in the unmasked outputs");
    }
    let masked_text =
        std::fs::read_to_string(masked.join("findings.jsonl")).unwrap() + &workbook_text(&masked);
    for s in secrets {
        assert!(!masked_text.contains(s), "{s} leaked with --mask-pii");
    }
    assert!(masked_text.contains("a***@okna-spb.ru"), "{masked_text}");
    // The same findings, only masked.
    assert_eq!(pairs(&plain), pairs(&masked));
}

/// Every cell of the corrections: each manager's workbook and CSV.
fn workbook_text(out: &Path) -> String {
    let mut text = Vec::new();
    for entry in std::fs::read_dir(out.join("corrections")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "xlsx") {
            text.extend(
                workbook(&path)
                    .into_iter()
                    .flat_map(|(_, rows)| rows.into_iter().flatten()),
            );
        } else {
            text.push(std::fs::read_to_string(&path).unwrap());
        }
    }
    text.join("\n")
}

/// Copies a folder tree (the rules folder) to `to`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn birthday_parameters_come_from_the_rules_folder() {
    let fx = Fixture::new();
    let default_out = fx.out("default");
    fx.audit(&default_out, &["--select", "CON008"]);
    assert_eq!(ids_of(&default_out, "CON008"), set(&["102"]));

    let rules = fx.out("rules");
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"), &rules);
    let toml = std::fs::read_to_string(rules.join("default.toml")).unwrap();
    let toml = toml
        .replace("min_birth_year = 1900", "min_birth_year = 1980")
        .replace(
            "placeholder_birthday = \"01.01.1970\"",
            "placeholder_birthday = \"15.03.1985\"",
        );
    std::fs::write(rules.join("default.toml"), toml).unwrap();
    let out = fx.out("custom");
    let o = common::crmclean_with_rules(
        &rules,
        [
            "audit".as_ref(),
            fx.input.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--as-of".as_ref(),
            "2026-11-23 12:00".as_ref(),
            "--select".as_ref(),
            "CON008".as_ref(),
        ] as [&std::ffi::OsStr; 8],
    );
    assert_eq!(code(&o), 0, "CON008 is a warning: {}", stderr(&o));
    // 101 has the new placeholder, 102 (1970) and 103 (1979) are before 1980; 104 (1990) is fine.
    assert_eq!(ids_of(&out, "CON008"), set(&["101", "102", "103"]));
    let before = findings(&out)
        .into_iter()
        .find(|f| f["id"] == "103")
        .unwrap();
    assert!(
        before["message"]
            .as_str()
            .unwrap()
            .contains("раньше 1980 года"),
        "{before}"
    );
}
