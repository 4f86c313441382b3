//! `crmclean dedupe` end to end: a classic Windows-1251 contacts export and a Flow applications
//! export in a temporary folder, the real binary run on them, clusters.csv and duplicates.xlsx
//! read back.

mod common;

use common::{crmclean, sheet};
use std::path::PathBuf;
use std::process::Output;

const CONTACTS: &str = "ID;Тип;Полное имя контакта;Имя;Фамилия;ФИО;Ответственный;Мобильный телефон;Домашний телефон;Личный email;День рождения;Должность\r\n\
1010;контакт;Иванов Иван;Иван;Иванов;Иванов Иван Петрович;Петрова Анна;+7 (921) 123-45-67;;ivanov@mail.ru;15.03.1985;Инженер\r\n\
987;контакт;Иван Иванов;;;;Сидоров Пётр;8 921 123 45 67;;i.ivanov@ya.ru;;Прораб\r\n\
1200;контакт;Ивaнов Иван;;;;;;;;15.03.1985;\r\n\
2001;контакт;Орлов Павел;Павел;Орлов;Орлов Павел;;;+7 (812) 371-28-40;;02.03.1968;\r\n\
2002;контакт;Орлова Галина;Галина;Орлова;Орлова Галина;;;8 (812) 371-28-40;;05.06.1970;\r\n\
3001;контакт;Кузнецов Алексей;;;Кузнецов Алексей;;+7 921 000-00-01;;;01.02.1980;\r\n\
3002;контакт;Кузнецов Алексей;;;Кузнецов Алексей;;+7 921 000-00-02;;;03.04.1975;\r\n\
4001;контакт;Купчинская 4-3-22;;;;;+7 921 444-55-66;;;;\r\n\
4002;контакт;Купчинская 4-3-22;;;;;8 921 444 55 66;;;;\r\n\
5001;компания;ООО Окна;;;;;+7 921 123-45-67;;;15.03.1985;\r\n";

const APPLICATIONS: &str = "Номер заявки;ФИО;Активная;СНИЛС;Дата рождения;Телефон;Дата подачи\n\
48101;Лебедева Ксения Павловна;Да;112-233-445 95;;;02.09.2026\n\
48230;Лебедева Ксения;Да;11223344595;;;15.10.2026\n\
48300;Петров Пётр;Да;;;+7 921 000-00-09;01.09.2026\n";

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
        std::fs::write(input.join("applications.csv"), APPLICATIONS).unwrap();
        Fixture {
            _tmp: tmp,
            root,
            input,
        }
    }

    fn run(&self, out: &str, extra: &[&str]) -> Output {
        let mut args: Vec<String> = vec!["dedupe".into(), self.input.display().to_string()];
        args.extend(["--out".into(), self.root.join(out).display().to_string()]);
        args.extend(["--as-of".into(), "2026-11-23 12:00".into()]);
        args.extend(extra.iter().map(|s| s.to_string()));
        crmclean(&args)
    }
}

#[test]
fn writes_clusters_csv_and_duplicates_xlsx() {
    let fx = Fixture::new();
    let out = fx.run("out", &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 duplicate clusters holding 3 contacts"),
        "{stderr}"
    );

    let csv = std::fs::read_to_string(fx.root.join("out/clusters.csv")).unwrap();
    assert_eq!(
        csv,
        "cluster_id,entity,id,matched_on,score,survivor\n\
         C000001,contact,987,name+phone,0.667,false\n\
         C000001,contact,1010,name+phone+birthday,0.667,true\n\
         C000001,contact,1200,name+birthday,0.667,false\n\
         C000002,application,48101,snils,1.000,true\n\
         C000002,application,48230,snils,1.000,false\n"
    );

    let rows = sheet(&fx.root.join("out/duplicates.xlsx"), "Контакты");
    let col = |h: &str| rows[0].iter().position(|x| x == h).unwrap();
    assert_eq!(&rows[0][..4], ["Кластер", "Запись", "Совпало", "Оценка"]);
    let roles: Vec<(&str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[1].as_str(), r[col("ID")].as_str()))
        .collect();
    assert_eq!(
        roles,
        [
            ("оставить", "1010"),
            ("дубль → объединить", "987"),
            ("дубль → объединить", "1200"),
            ("итог слияния", "1010"),
            ("будет потеряно", ""),
        ]
    );
    assert_eq!(rows[1][2], "ФИО + телефон + дата рождения");
    assert_eq!(rows[2][2], "ФИО + телефон");
    let merged = &rows[4];
    assert_eq!(merged[col("ФИО")], "Иванов Иван Петрович");
    assert_eq!(merged[col("День рождения")], "15.03.1985");
    assert_eq!(
        merged[col("Личный email")],
        "ivanov@mail.ru, i.ivanov@ya.ru"
    );
    let lost = &rows[5];
    assert_eq!(lost[col("Должность")], "Прораб");
    assert_eq!(lost[col("Ответственный")], "Сидоров Пётр");

    let apps = sheet(&fx.root.join("out/duplicates.xlsx"), "Заявители");
    assert_eq!(apps[1][0], "C000002");
}

#[test]
fn outputs_are_deterministic_and_not_overwritten_without_force() {
    let fx = Fixture::new();
    assert_eq!(fx.run("a", &[]).status.code(), Some(0));
    assert_eq!(fx.run("b", &[]).status.code(), Some(0));
    let read = |d: &str| std::fs::read(fx.root.join(d).join("clusters.csv")).unwrap();
    assert_eq!(read("a"), read("b"));

    let again = fx.run("a", &[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("clusters.csv"));
    assert_eq!(fx.run("a", &["--force"]).status.code(), Some(0));
}

#[test]
fn mask_pii_hides_phones_emails_and_birthdays() {
    let fx = Fixture::new();
    assert_eq!(fx.run("m", &["--mask-pii"]).status.code(), Some(0));
    let rows = sheet(&fx.root.join("m/duplicates.xlsx"), "Контакты");
    let text = rows.concat().join("|");
    assert!(
        !text.contains("123-45-67") && !text.contains("+79211234567"),
        "{text}"
    );
    assert!(text.contains("+7921***4567"), "{text}");
    assert!(
        !text.contains("ivanov@mail.ru") && text.contains("i***@mail.ru"),
        "{text}"
    );
    assert!(
        !text.contains("15.03.1985") && text.contains("1985"),
        "{text}"
    );
}

#[test]
fn inputs_without_contacts_or_applications_are_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let managers = tmp.path().join("managers.csv");
    std::fs::write(&managers, "Имя,Email\nПетрова Анна,a.petrova@okna-spb.ru\n").unwrap();
    let out = crmclean([
        "dedupe".into(),
        managers.display().to_string(),
        "--out".into(),
        tmp.path().join("out").display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to deduplicate"));
}

#[test]
fn help_shows_examples() {
    let out = crmclean(["dedupe", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("crmclean dedupe samples/ --out out/"),
        "{help}"
    );
    assert!(help.contains("clusters.csv"));
}
