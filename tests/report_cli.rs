//! `crmclean report` end to end: the real binary on `samples/` and on two weeks of small
//! exports; the workbook read back with calamine and checked against `audit`'s findings of the
//! same input, the history files and the Markdown.

mod common;

use common::crmclean;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use calamine::{open_workbook, Data, Reader, Xlsx};
use serde_json::Value;

const CONTACTS_W47: &str = "ID;Тип;Полное имя контакта;Имя;Фамилия;Ответственный;Мобильный телефон;Рабочий телефон;Личный email;Рабочий email;День рождения;Теги\r\n\
101;контакт;Иванов Иван;Иван;Иванов;Петрова Анна;8 921 123-45-67;;ivanov@mail.ru;;15.03.1985;\r\n\
102;контакт;Смирнова Ольга;Ольга;Смирнова;Сидоров Пётр;нет;;;;01.01.1970;\r\n\
103;контакт;Кузнецов Павел;Павел;Кузнецов;Петрова Анна;+7 (911) 555-44-33;;;a.petrova@okna-spb.ru;20.06.1979;\r\n\
104;контакт;Волкова Мария;Мария;Волкова;;8 921 765-43;;volkova@yandex.ru;;02.02.1990;\r\n\
105;контакт;Иван Иванов;Иван;Иванов;Сидоров Пётр;+7 921 123 45 67;;;;15.03.1985;\r\n\
106;контакт;Кузьмич прораб;Олег;Кузьмин;Петрова Анна;+7 921 111-22-33;+7 921 300-20-10;kuzmin@mail.ru;;12.12.1970;прораб\r\n";

/// A week later: 102 filled in, the duplicate 105 merged away.
const CONTACTS_W48: &str = "ID;Тип;Полное имя контакта;Имя;Фамилия;Ответственный;Мобильный телефон;Рабочий телефон;Личный email;Рабочий email;День рождения;Теги\r\n\
101;контакт;Иванов Иван;Иван;Иванов;Петрова Анна;8 921 123-45-67;;ivanov@mail.ru;;15.03.1985;\r\n\
102;контакт;Смирнова Ольга;Ольга;Смирнова;Сидоров Пётр;+7 921 222-33-44;;smirnova@mail.ru;;12.07.1979;\r\n\
103;контакт;Кузнецов Павел;Павел;Кузнецов;Петрова Анна;+7 (911) 555-44-33;;;a.petrova@okna-spb.ru;20.06.1979;\r\n\
104;контакт;Волкова Мария;Мария;Волкова;;8 921 765-43;;volkova@yandex.ru;;02.02.1990;\r\n\
106;контакт;Кузьмич прораб;Олег;Кузьмин;Петрова Анна;+7 921 111-22-33;;kuzmin@mail.ru;;12.12.1970;прораб\r\n";

const DEALS_HEADER: &str = "\u{feff}ID,Название сделки,Бюджет,Ответственный,Дата создания,Этап сделки,Воронка,Основной контакт,ID контакта,Группа продуктов,Товар,Примечание 1,Дата последнего контакта,Адрес объекта,Телефон клиента\n";

const DEALS_W47: &str = "501,Окна Купчино,45000,Петрова Анна,01.10.2026 10:00,Переговоры,Продажи,Иванов Иван,101,Окна ПВХ,Окно трёхстворчатое,\"Клиент выбрал профиль Rehau, ждёт расчёт монтажа к пятнице\",14.11.2026 15:00,Купчинская 4-3-22,\n\
502,Ремонт окон,0,Сидоров Пётр,01.06.2026 10:00,Переговоры,Продажи,Смирнова Ольга,102,Ремонт окон,,перезвонить,01.07.2026 10:00,,\n\
503,Заявка с сайта,,,16.11.2026 11:00,Неразобранное,Продажи,,,,,,,,\n\
504,Балкон Белградская,80000,Петрова Анна,01.11.2026 10:00,Договор заключён,Продажи,Кузьмич прораб,106,Балконы,Остекление балкона,\"Замер проведён, клиент согласовал смету, монтаж 28.11, номер клиентки +7 921 300-20-10\",14.11.2026 12:00,Белградская 8-1-15,+7 921 300-20-10\n";

/// A week later: 502 called back with a real comment (still without product and budget), the
/// new request 503 is five minutes old.
const DEALS_W48: &str = "501,Окна Купчино,45000,Петрова Анна,01.10.2026 10:00,Переговоры,Продажи,Иванов Иван,101,Окна ПВХ,Окно трёхстворчатое,\"Клиент выбрал профиль Rehau, ждёт расчёт монтажа к пятнице\",20.11.2026 15:00,Купчинская 4-3-22,\n\
502,Ремонт окон,0,Сидоров Пётр,01.06.2026 10:00,Переговоры,Продажи,Смирнова Ольга,102,Ремонт окон,,\"Клиентка просит замер двух окон в субботу утром\",20.11.2026 10:00,,\n\
503,Заявка с сайта,,,23.11.2026 11:55,Неразобранное,Продажи,,,,,,,,\n\
504,Балкон Белградская,80000,Петрова Анна,01.11.2026 10:00,Договор заключён,Продажи,Кузьмич прораб,106,Балконы,Остекление балкона,\"Замер проведён, клиент согласовал смету, монтаж 28.11\",20.11.2026 12:00,Белградская 8-1-15,\n";

const MANAGERS: &str =
    "Имя,Email\nПетрова Анна,a.petrova@okna-spb.ru\nСидоров Пётр,p.sidorov@okna-spb.ru\n";

const APPLICATIONS: &str = "Номер заявки;ФИО;Активная;СНИЛС;Email;Дата рождения;Телефон;Источник;Дата подачи;Ответственный\n\
48101;Лебедева Ксения Павловна;Да;112-233-445 95;lebedeva@mail.ru;01.02.1990;+7 921 000-00-09;Сайт;02.09.2026;Козлова Марина\n\
48102;Орлов Павел;Да;;orlov@mail.ru;02.03.1968;+7 921 000-00-08;Сайт;03.09.2026;Козлова Марина\n";

const W47: &str = "2026-11-16 12:00";
const W48: &str = "2026-11-23 12:00";

// Overview labels (column A).
const CORRECT: &str = "Корректные сделки";
const ACTIVE: &str = "Активные сделки";
const RULE4: &str = "Контакты с нарушением правила 4 (CON001–CON003)";
const DUPLICATES: &str = "Дубли контактов (DUP001)";
const PARTNERS: &str = "Карточки партнёров с номерами клиентов (PRT001)";
const RESPONSE: &str = "Сделки сверх времени реакции (DEAL007)";
const TOTAL: &str = "Всего нарушений";

// Overview columns.
const VALUE: usize = 1;
const BASE: usize = 2;
const PREVIOUS: usize = 4;
const CHANGE: usize = 5;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `crmclean report INPUT --as-of AS_OF EXTRA…`, which must succeed.
fn report(input: &Path, as_of: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "report".to_string(),
        input.display().to_string(),
        "--as-of".into(),
        as_of.into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let o = crmclean(&args);
    assert_eq!(code(&o), 0, "report {extra:?}: {}", stderr(&o));
    o
}

/// What `audit` finds in the same input: the findings and the deal statuses.
struct Audit {
    findings: Vec<Value>,
    /// `(correct, active)` per deal proper.
    deals: Vec<(bool, bool)>,
}

impl Audit {
    fn run(input: &Path, as_of: &str, out: &Path) -> Self {
        let o = crmclean([
            "audit".as_ref(),
            input.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--as-of".as_ref(),
            as_of.as_ref(),
            "--fail-on".as_ref(),
            "never".as_ref(),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let findings = std::fs::read_to_string(out.join("findings.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let mut rdr = csv::Reader::from_path(out.join("deal_status.csv")).unwrap();
        let deals = rdr
            .records()
            .map(|r| {
                let r = r.unwrap();
                (&r[5] == "да", &r[6] == "да")
            })
            .collect();
        Audit { findings, deals }
    }

    /// Distinct records (file, row) with a finding of any of `codes`.
    fn records(&self, codes: &[&str]) -> usize {
        self.findings
            .iter()
            .filter(|f| codes.contains(&f["rule"].as_str().unwrap()))
            .map(|f| (f["file"].to_string(), f["row"].as_u64().unwrap()))
            .collect::<BTreeSet<_>>()
            .len()
    }

    fn correct_rate(&self) -> f64 {
        self.deals.iter().filter(|d| d.0).count() as f64 / self.deals.len() as f64
    }

    fn active_rate(&self) -> f64 {
        self.deals.iter().filter(|d| d.1).count() as f64 / self.deals.len() as f64
    }

    /// Manager → rule → findings, `(не указан)` for none.
    fn by_manager(&self) -> BTreeMap<String, BTreeMap<String, usize>> {
        let mut out: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for f in &self.findings {
            let m = f["manager"].as_str().unwrap().trim();
            let m = if m.is_empty() {
                "(не указан)"
            } else {
                m
            };
            *out.entry(m.to_string())
                .or_default()
                .entry(f["rule"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
        out
    }
}

/// The rows of one sheet.
fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let range = book
        .worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"));
    range.rows().map(|r| r.to_vec()).collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn num(d: &Data) -> Option<f64> {
    match d {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

/// Overview rows by their label.
fn overview(path: &Path) -> BTreeMap<String, Vec<Data>> {
    sheet(path, "Overview")
        .into_iter()
        .filter(|r| !r.is_empty())
        .map(|r| (text(&r[0]), r))
        .collect()
}

fn cell(rows: &BTreeMap<String, Vec<Data>>, label: &str, col: usize) -> Option<f64> {
    let row = rows
        .get(label)
        .unwrap_or_else(|| panic!("no Overview row «{label}»"));
    row.get(col).and_then(num)
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

/// The Overview of `xlsx` against `audit`'s findings of the same input.
fn check_overview(xlsx: &Path, audit: &Audit) {
    let o = overview(xlsx);
    assert!(
        close(cell(&o, CORRECT, VALUE), audit.correct_rate()),
        "{:?}",
        o[CORRECT]
    );
    assert!(
        close(cell(&o, ACTIVE, VALUE), audit.active_rate()),
        "{:?}",
        o[ACTIVE]
    );
    assert_eq!(cell(&o, CORRECT, BASE), Some(audit.deals.len() as f64));
    let counts = [
        (RULE4, audit.records(&["CON001", "CON002", "CON003"])),
        (DUPLICATES, audit.records(&["DUP001"])),
        (PARTNERS, audit.records(&["PRT001"])),
        (RESPONSE, audit.records(&["DEAL007"])),
        (TOTAL, audit.findings.len()),
    ];
    for (label, expected) in counts {
        assert_eq!(cell(&o, label, VALUE), Some(expected as f64), "{label}");
    }
}

/// The Managers sheet against `audit`'s findings: one row per manager, worst first, a count
/// column per rule, rates = distinct flagged records / owned records.
fn check_managers(xlsx: &Path, audit: &Audit) {
    let rows = sheet(xlsx, "Managers");
    let header: Vec<String> = rows[0].iter().map(text).collect();
    assert_eq!(
        header[..3],
        [
            "Ответственный",
            "Всего нарушений",
            "Изменение к прошлой неделе"
        ]
    );
    let col = |title: &str| header.iter().position(|h| h == title);
    let expected = audit.by_manager();
    let data: Vec<&Vec<Data>> = rows[1..]
        .iter()
        .take_while(|r| !r.is_empty() && !text(&r[0]).is_empty())
        .collect();
    let mut seen = BTreeSet::new();
    let mut previous: Option<(f64, String)> = None;
    for r in &data {
        let name = text(&r[0]);
        let total = num(&r[1]).unwrap();
        let rules = expected.get(&name).cloned().unwrap_or_default();
        assert_eq!(total, rules.values().sum::<usize>() as f64, "{name}");
        for (code, n) in &rules {
            let c = col(code).unwrap_or_else(|| panic!("no column {code}"));
            assert_eq!(num(&r[c]), Some(*n as f64), "{name} {code}");
        }
        if let Some((t, n)) = &previous {
            assert!(
                *t > total || (*t == total && *n < name),
                "order: {n} {t}, {name} {total}"
            );
        }
        previous = Some((total, name.clone()));
        seen.insert(name);
    }
    for name in expected.keys() {
        assert!(seen.contains(name), "manager {name} missing from Managers");
    }
    // Rates: the manager's flagged records of the rule over the records he owns.
    for r in &data {
        let name = text(&r[0]);
        for code in ["CON003", "DEAL001", "FLOW001"] {
            let (Some(c), Some(owned_col)) = (
                col(&format!("{code}, доля")),
                col(match &code[..3] {
                    "CON" => "Контактов",
                    "DEA" => "Сделок",
                    _ => "Заявок",
                }),
            ) else {
                continue;
            };
            let owned = num(&r[owned_col]).unwrap();
            let flagged: BTreeSet<(String, u64)> = audit
                .findings
                .iter()
                .filter(|f| f["rule"] == code && manager_of(f) == name)
                .map(|f| (f["file"].to_string(), f["row"].as_u64().unwrap()))
                .collect();
            if owned == 0.0 {
                assert_eq!(num(&r[c]), None, "{name} {code}");
            } else {
                assert!(
                    close(num(&r[c]), flagged.len() as f64 / owned),
                    "{name} {code}"
                );
            }
        }
    }
}

fn manager_of(f: &Value) -> String {
    let m = f["manager"].as_str().unwrap().trim();
    if m.is_empty() {
        "(не указан)".into()
    } else {
        m.into()
    }
}

/// Whether the XLSX (a zip) holds a part of that name.
fn has_part(xlsx: &Path, part: &str) -> bool {
    let bytes = std::fs::read(xlsx).unwrap();
    bytes.windows(part.len()).any(|w| w == part.as_bytes())
}

#[test]
fn samples_report_matches_the_audit() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = root().join("samples");
    let xlsx = tmp.path().join("report.xlsx");
    let o = report(&samples, W48, &["--out", xlsx.to_str().unwrap()]);
    assert!(stdout(&o).is_empty(), "xlsx mode prints nothing on stdout");
    let audit = Audit::run(&samples, W48, &tmp.path().join("audit"));
    check_overview(&xlsx, &audit);
    check_managers(&xlsx, &audit);

    // The planted samples: 8 duplicate contacts, 2 partner cards, 2 stale requests.
    let o = overview(&xlsx);
    assert_eq!(cell(&o, DUPLICATES, VALUE), Some(8.0));
    assert_eq!(cell(&o, PARTNERS, VALUE), Some(2.0));
    assert_eq!(cell(&o, RESPONSE, VALUE), Some(2.0));
    // No history: nothing to compare with.
    assert_eq!(cell(&o, TOTAL, PREVIOUS), None);
    assert_eq!(cell(&o, TOTAL, CHANGE), None);

    let book: Xlsx<_> = open_workbook(&xlsx).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["Overview", "Managers", "Trend", "Top offenders"]
    );
    // A bar chart on Overview, two line charts on Trend.
    for part in [
        "xl/charts/chart1.xml",
        "xl/charts/chart2.xml",
        "xl/charts/chart3.xml",
    ] {
        assert!(has_part(&xlsx, part), "{part}");
    }
    let trend = sheet(&xlsx, "Trend");
    assert_eq!(text(&trend[1][0]), "2026-W48");

    // Top offenders: at most 10 records per rule, each a finding of that rule.
    let pairs: BTreeSet<(String, String)> = audit
        .findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().into(),
                f["id"].as_str().unwrap().into(),
            )
        })
        .collect();
    let top = sheet(&xlsx, "Top offenders");
    let mut per_rule: BTreeMap<String, usize> = BTreeMap::new();
    for r in &top[1..] {
        let pair = (text(&r[0]), text(&r[2]));
        assert!(pairs.contains(&pair), "{pair:?} is not a finding");
        *per_rule.entry(pair.0).or_default() += 1;
    }
    let rules: BTreeSet<String> = pairs.iter().map(|p| p.0.clone()).collect();
    assert_eq!(per_rule.keys().cloned().collect::<BTreeSet<_>>(), rules);
    assert!(
        per_rule.values().all(|&n| (1..=10).contains(&n)),
        "{per_rule:?}"
    );
}

/// Two weeks of exports in a temporary folder.
struct Weeks {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Weeks {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        for (week, contacts, deals) in [
            ("w47", CONTACTS_W47, DEALS_W47),
            ("w48", CONTACTS_W48, DEALS_W48),
        ] {
            let dir = root.join(week);
            std::fs::create_dir(&dir).unwrap();
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(contacts);
            assert!(!unmappable);
            std::fs::write(dir.join("contacts.csv"), bytes).unwrap();
            std::fs::write(dir.join("deals.csv"), format!("{DEALS_HEADER}{deals}")).unwrap();
            std::fs::write(dir.join("managers.csv"), MANAGERS).unwrap();
            std::fs::write(dir.join("applications.csv"), APPLICATIONS).unwrap();
        }
        Weeks { _tmp: tmp, root }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    fn s(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    fn history_files(&self) -> Vec<String> {
        let mut files: Vec<String> = std::fs::read_dir(self.path("history"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        files
    }

    fn snapshot(&self, week: &str) -> Value {
        let text =
            std::fs::read_to_string(self.path("history").join(format!("{week}.json"))).unwrap();
        serde_json::from_str(&text).unwrap()
    }
}

#[test]
fn two_weeks_show_the_change_and_the_trend() {
    let w = Weeks::new();
    let history = w.s("history");
    report(
        &w.path("w47"),
        W47,
        &["--out", &w.s("r47.xlsx"), "--history", &history],
    );
    report(
        &w.path("w48"),
        W48,
        &["--out", &w.s("r48.xlsx"), "--history", &history],
    );
    assert_eq!(w.history_files(), ["2026-W47.json", "2026-W48.json"]);

    let a47 = Audit::run(&w.path("w47"), W47, &w.path("a47"));
    let a48 = Audit::run(&w.path("w48"), W48, &w.path("a48"));
    check_overview(&w.path("r47.xlsx"), &a47);
    check_overview(&w.path("r48.xlsx"), &a48);
    check_managers(&w.path("r48.xlsx"), &a48);

    // Week 47: 102, 103, 104, 105 break rule 4; 101 and 105 are duplicates; the foreman's card
    // holds the client's number of deal 504; request 503 waits an hour; 502 is neither correct
    // nor active.
    let o47 = overview(&w.path("r47.xlsx"));
    for (label, value) in [
        (RULE4, 4.0),
        (DUPLICATES, 2.0),
        (PARTNERS, 1.0),
        (RESPONSE, 1.0),
    ] {
        assert_eq!(cell(&o47, label, VALUE), Some(value), "{label}");
    }
    // Week 48 against week 47.
    let o48 = overview(&w.path("r48.xlsx"));
    let changes = [
        (RULE4, 2.0, -2.0),
        (DUPLICATES, 0.0, -2.0),
        (PARTNERS, 0.0, -1.0),
        (RESPONSE, 0.0, -1.0),
    ];
    for (label, value, change) in changes {
        assert_eq!(cell(&o48, label, VALUE), Some(value), "{label}");
        assert_eq!(
            cell(&o48, label, PREVIOUS),
            cell(&o47, label, VALUE),
            "{label}"
        );
        assert_eq!(cell(&o48, label, CHANGE), Some(change), "{label}");
    }
    let total = (a48.findings.len() as f64) - (a47.findings.len() as f64);
    assert_eq!(cell(&o48, TOTAL, CHANGE), Some(total));
    // Rates change in percentage points: 502 is active again, still incorrect.
    assert!(close(cell(&o48, ACTIVE, PREVIOUS), 2.0 / 3.0));
    assert!(close(cell(&o48, ACTIVE, VALUE), 1.0));
    let pp = cell(&o48, ACTIVE, CHANGE).unwrap();
    assert!((pp - 100.0 / 3.0).abs() < 1e-6, "{pp}");
    assert_eq!(cell(&o48, CORRECT, CHANGE), Some(0.0));
    let title: Vec<String> = sheet(&w.path("r48.xlsx"), "Overview")[..3]
        .iter()
        .map(|r| text(&r[0]))
        .collect();
    assert!(
        title[1].contains("2026-W48") && title[2].contains("2026-W47"),
        "{title:?}"
    );

    // Trend: one row per week, with the snapshot numbers.
    let trend = sheet(&w.path("r48.xlsx"), "Trend");
    let header: Vec<String> = trend[0].iter().map(text).collect();
    let weeks: Vec<String> = trend[1..].iter().map(|r| text(&r[0])).collect();
    assert_eq!(weeks, ["2026-W47", "2026-W48"]);
    let col = |t: &str| {
        header
            .iter()
            .position(|h| h == t)
            .unwrap_or_else(|| panic!("{t}"))
    };
    for (row, week) in trend[1..].iter().zip(["2026-W47", "2026-W48"]) {
        let snap = w.snapshot(week);
        let totals = &snap["totals"];
        assert_eq!(
            num(&row[col(DUPLICATES)]),
            totals["duplicate_contacts"].as_f64()
        );
        assert_eq!(num(&row[col(TOTAL)]), totals["findings"].as_f64());
        assert_eq!(
            num(&row[col("DEAL007")]),
            snap["by_rule"]["DEAL007"].as_f64()
        );
        let active =
            totals["deals_active"].as_f64().unwrap() / totals["deals_proper"].as_f64().unwrap();
        assert!(close(num(&row[col(ACTIVE)]), active));
    }
    // The managers' change: Сидоров Пётр fixed 102 and lost the duplicate 105.
    let managers = sheet(&w.path("r48.xlsx"), "Managers");
    let sidorov = managers
        .iter()
        .find(|r| text(&r[0]) == "Сидоров Пётр")
        .unwrap();
    let before: usize = a47.by_manager()["Сидоров Пётр"].values().sum();
    let now: usize = a48.by_manager()["Сидоров Пётр"].values().sum();
    assert!(now < before);
    assert_eq!(num(&sidorov[2]), Some(now as f64 - before as f64));
}

#[test]
fn snapshots_have_a_fixed_shape_and_the_same_week_is_replaced() {
    let w = Weeks::new();
    let history = w.s("history");
    report(
        &w.path("w47"),
        W47,
        &["--format", "md", "--history", &history],
    );
    let first = std::fs::read(w.path("history/2026-W47.json")).unwrap();
    let snap = w.snapshot("2026-W47");
    // Top-level keys in the order written (pretty JSON: two spaces of indent).
    let json = String::from_utf8(first.clone()).unwrap();
    let keys: Vec<&str> = json
        .lines()
        .filter_map(|l| l.strip_prefix("  \""))
        .filter_map(|l| l.split('"').next())
        .collect();
    assert_eq!(
        keys,
        ["week", "as_of", "totals", "by_rule", "by_manager", "keys"]
    );
    assert!(json.ends_with("}\n"));
    assert_eq!(snap["week"], "2026-W47");
    assert_eq!(snap["as_of"], "2026-11-16T12:00:00");
    assert_eq!(snap["totals"]["duplicate_contacts"], 2);
    assert_eq!(snap["by_rule"]["DUP001"], 2);
    assert_eq!(snap["by_rule"]["FLOW002"], 0);
    assert_eq!(snap["by_manager"]["Сидоров Пётр"]["DUP001"], 1);

    // The same week again (a later hour, other data): one file, replaced.
    report(
        &w.path("w48"),
        "2026-11-22 18:00",
        &["--format", "md", "--history", &history],
    );
    assert_eq!(w.history_files(), ["2026-W47.json"]);
    let replaced = w.snapshot("2026-W47");
    assert_eq!(replaced["as_of"], "2026-11-22T18:00:00");
    assert_eq!(replaced["totals"]["duplicate_contacts"], 0);
    // And back: byte-identical to the first run.
    report(
        &w.path("w47"),
        W47,
        &["--format", "md", "--history", &history],
    );
    assert_eq!(
        std::fs::read(w.path("history/2026-W47.json")).unwrap(),
        first
    );

    // A later week compares with W47 and trends over both; re-running it keeps two rows.
    for _ in 0..2 {
        report(
            &w.path("w48"),
            W48,
            &["--out", &w.s("r48.xlsx"), "--force", "--history", &history],
        );
    }
    assert_eq!(w.history_files(), ["2026-W47.json", "2026-W48.json"]);
    let trend = sheet(&w.path("r48.xlsx"), "Trend");
    assert_eq!(
        trend
            .iter()
            .filter(|r| text(&r[0]).starts_with("2026-W"))
            .count(),
        2
    );
}

#[test]
fn markdown_names_managers_and_rules() {
    let w = Weeks::new();
    let history = w.s("history");
    report(
        &w.path("w47"),
        W47,
        &["--format", "md", "--history", &history],
    );
    let o = report(
        &w.path("w48"),
        W48,
        &["--format", "md", "--history", &history],
    );
    let md = stdout(&o);
    for name in [
        "Петрова Анна",
        "Сидоров Пётр",
        "(не указан)",
        "Козлова Марина",
    ] {
        assert!(md.contains(&format!("| {name} |")), "{name}:\n{md}");
    }
    for code in [
        "CON001", "CON003", "DUP001", "DEAL001", "DEAL007", "FLOW001",
    ] {
        assert!(md.contains(&format!("| {code} |")), "{code}:\n{md}");
    }
    assert!(md.contains("неделя 2026-W48"), "{md}");
    assert!(md.contains("Сравнение с неделей 2026-W47"), "{md}");
    let dup = md
        .lines()
        .find(|l| l.starts_with(&format!("| {DUPLICATES}")))
        .unwrap();
    assert!(dup.ends_with("| 2 | -2 |"), "{dup}");
    assert!(md.contains("|---|"), "{md}");
    // No workbook without --out; the terminal table goes to stderr.
    let files: Vec<String> = std::fs::read_dir(&w.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.iter().all(|f| !f.ends_with(".xlsx")), "{files:?}");
    let err = stderr(&o);
    assert!(
        err.contains(DUPLICATES) && err.contains("2026-W48.json"),
        "{err}"
    );
    assert!(!err.contains("| "), "no Markdown on stderr: {err}");
}

#[test]
fn usage_errors_and_exit_codes() {
    let w = Weeks::new();
    let input = w.s("w47");
    let run = |extra: &[&str]| {
        let mut args = vec!["report", input.as_str(), "--as-of", W47];
        args.extend_from_slice(extra);
        crmclean(&args)
    };
    // Findings do not fail a report.
    let xlsx = w.s("r.xlsx");
    assert_eq!(code(&run(&["--out", &xlsx])), 0);
    // An existing workbook needs --force.
    let o = run(&["--out", &xlsx]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(code(&run(&["--out", &xlsx, "--force"])), 0);
    // xlsx without --out; a file as --history; an unknown rule; a bad --format.
    assert_eq!(code(&run(&[])), 2);
    assert_eq!(code(&run(&["--format", "md", "--history", &xlsx])), 2);
    assert_eq!(code(&run(&["--format", "md", "--select", "CON0O1"])), 2);
    assert_eq!(code(&run(&["--format", "pdf"])), 2);
    // Never over an input.
    let o = run(&["--out", &w.s("w47/deals.csv"), "--force"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    // Unreadable input.
    let junk = w.path("junk");
    std::fs::create_dir(&junk).unwrap();
    std::fs::write(junk.join("contacts.csv"), b"\x00\x01\x02\x03").unwrap();
    let o = crmclean(["report", junk.to_str().unwrap(), "--format", "md"]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
}

#[test]
fn top_offenders_are_masked_and_linked_on_request() {
    let w = Weeks::new();
    let xlsx = w.path("r.xlsx");
    report(
        &w.path("w47"),
        W47,
        &[
            "--out",
            xlsx.to_str().unwrap(),
            "--mask-pii",
            "--amocrm-subdomain",
            "okna-spb",
            "--top",
            "1",
        ],
    );
    let rows = sheet(&xlsx, "Top offenders");
    let header: Vec<String> = rows[0].iter().map(text).collect();
    assert_eq!(header[..3], ["Правило", "Место", "ID"]);
    let all: String = rows
        .iter()
        .flatten()
        .map(text)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!all.contains("765-43"), "a phone left unmasked:\n{all}");
    assert!(
        !all.contains("a.petrova@okna-spb.ru"),
        "an e-mail left unmasked:\n{all}"
    );
    // One record per rule: 102 is the worst contact for rule 4 (CON001, CON002, CON003, CON006,
    // CON008), listed with every rule it breaks.
    let con003: Vec<&Vec<Data>> = rows.iter().filter(|r| text(&r[0]) == "CON003").collect();
    assert_eq!(con003.len(), 1);
    assert_eq!(text(&con003[0][2]), "102");
    assert_eq!(
        text(&con003[0][7]),
        "CON001, CON002, CON003, CON006, CON008"
    );
    assert!(
        has_part(&xlsx, "worksheets/_rels/sheet4.xml.rels"),
        "links to the cards"
    );
}

#[test]
fn the_history_shows_what_was_fixed_and_what_is_new_by_key() {
    let w = Weeks::new();
    let history = w.s("history");
    report(
        &w.path("w47"),
        W47,
        &["--history", &history, "--format", "md"],
    );
    let md = stdout(&report(
        &w.path("w48"),
        W48,
        &[
            "--out",
            &w.s("r48.xlsx"),
            "--history",
            &history,
            "--format",
            "md",
        ],
    ));
    // What audit's keys say: fixed = keys of week 47 not found in week 48, new = the reverse.
    let keys = |a: &Audit, manager: Option<&str>| -> BTreeSet<String> {
        a.findings
            .iter()
            .filter(|f| manager.is_none_or(|m| manager_of(f) == m))
            .map(|f| f["key"].as_str().unwrap().to_string())
            .collect()
    };
    let a47 = Audit::run(&w.path("w47"), W47, &w.path("a47"));
    let a48 = Audit::run(&w.path("w48"), W48, &w.path("a48"));
    let fixed = keys(&a47, None).difference(&keys(&a48, None)).count();
    let new = keys(&a48, None).difference(&keys(&a47, None)).count();
    assert!(fixed > 0, "{fixed} fixed, {new} new");
    let totals = &w.snapshot("2026-W48")["totals"];
    assert_eq!(totals["fixed_since_previous"], fixed);
    assert_eq!(totals["new_since_previous"], new);
    assert!(
        md.contains(&format!("Исправлено: {fixed}, новых: {new}.")),
        "{md}"
    );
    // Per manager on «Managers», and the series on «Trend».
    let managers = sheet(&w.path("r48.xlsx"), "Managers");
    let header: Vec<String> = managers[0].iter().map(text).collect();
    let col = header
        .iter()
        .position(|h| h == "Исправлено с прошлой недели")
        .unwrap();
    let sidorov = managers
        .iter()
        .find(|r| text(&r[0]) == "Сидоров Пётр")
        .unwrap();
    let fixed_by_sidorov = keys(&a47, Some("Сидоров Пётр"))
        .difference(&keys(&a48, None))
        .count();
    assert_eq!(num(&sidorov[col]), Some(fixed_by_sidorov as f64));
    let trend = sheet(&w.path("r48.xlsx"), "Trend");
    let col = trend[0]
        .iter()
        .position(|h| text(h) == "Исправлено с прошлой недели")
        .unwrap();
    assert_eq!(num(&trend[1][col]), None, "week 47 had no week before it");
    assert_eq!(num(&trend[2][col]), Some(fixed as f64));
    // The week's keys are kept compactly: no key text in the history.
    let json = std::fs::read_to_string(w.path("history/2026-W48.json")).unwrap();
    assert!(!json.contains("/contact/"), "{json}");
    assert!(w.snapshot("2026-W48")["keys"]["Сидоров Пётр"].is_string());
}
