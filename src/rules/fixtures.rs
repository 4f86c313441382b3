//! Shared test fixtures of the contact and Flow rules: realistic exports as inline CSV, one row
//! per case the rules must tell apart.

use crate::model::Dataset;
use crate::rules::{self, Context, Finding};
use crate::testutil;

/// amoCRM contacts export, classic layout.
pub const CONTACTS_HEADER: &str = "ID;Тип;Полное имя контакта;Имя;Фамилия;Ответственный;\
Мобильный телефон;Рабочий телефон;Личный email;Рабочий email;ФИО;День рождения;Теги";

/// Contacts, one case each (the expected findings are in each rule's tests).
pub const CONTACT_ROWS: &[&str] = &[
    // a clean card
    "101;Контакт;Иванов Иван Петрович;Иван;Иванов;Петрова Анна;+7 921 123-45-67;;ivanov.ip@mail.ru;;Иванов Иван Петрович;15.03.1985;",
    // junk «нет» in Мобильный, a valid office number
    "102;Контакт;Смирнова Ольга;Ольга;Смирнова;Петрова Анна;нет;8 (812) 380-25-17;smirnova.o@yandex.ru;;Смирнова Ольга Викторовна;02.07.1979;",
    // the name only in the title, no birthday, no personal e-mail
    "103;Контакт;Кузнецов Алексей;;;Сидоров Павел;+7 (921) 987-65-43;;;;;;",
    // a card named by the object's address
    "104;Контакт;Купчинская 4-3-22;;;Сидоров Павел;8 921 555-44-33;;;;;;",
    // a company: never a contact finding
    "105;Компания;ООО «Окна Невы»;;;Петрова Анна;нет;abc;;P.Sidorov@okna-spb.ru;;01.01.1970;",
    // amoCRM's 1970 placeholder birthday
    "106;Контакт;Васильева Мария;Мария;Васильева;Петрова Анна;+7 911 222-33-44;;vasilieva.m@gmail.com;;Васильева Мария Сергеевна;01.01.1970;",
    // the manager's own work e-mail on a client card
    "107;Контакт;Орлов Дмитрий;Дмитрий;Орлов;Сидоров Павел;+7 921 765-43-21;;orlov.d@mail.ru;p.sidorov@OKNA-SPB.ru;Орлов Дмитрий Андреевич;23.05.1975;",
    // 7-digit number without area code, e-mail without @, 30 February
    "108;Контакт;Фёдоров Николай;Николай;Фёдоров;Петрова Анна;555-12-34;;fedorov.mail.ru;;Фёдоров Николай Ильич;30.02.1988;",
    // a foreman with a birthday in the future
    "109;Контакт;Прораб Гусев;Сергей;Гусев;Сидоров Павел;+7 931 200-10-20;;gusev.s@mail.ru;;Гусев Сергей Петрович;12.05.2031;прораб",
    // letters instead of a number in Рабочий телефон
    "110;Контакт;Белова Ирина;Ирина;Белова;Петрова Анна;+7 921 444-55-66;тел. офиса;belova.i@mail.ru;;Белова Ирина Олеговна;07.09.1991;",
    // «-» in ФИО although Имя and Фамилия are filled
    "111;Контакт;Никитин Олег;Олег;Никитин;Сидоров Павел;+7 921 600-70-80;;nikitin.o@mail.ru;;-;19.11.1983;",
    // two numbers in one cell, the second one too short
    "112;Контакт;Морозова Елена;Елена;Морозова;Петрова Анна;\"+7 921 111-22-33, 12-34\";;morozova.e@mail.ru;;Морозова Елена Андреевна;28.04.1969;",
];

/// The CRM's users.
pub const MANAGERS: &str =
    "Имя,Email\nПетрова Анна,a.petrova@okna-spb.ru\nСидоров Павел,P.Sidorov@okna-spb.ru\n";

/// Flow CRM applications export with the default «Внешние источники» fields.
pub const FLOW_HEADER: &str = "Номер заявки,ФИО,Активная,Статус заявки,СНИЛС,Email,Дата рождения,\
Телефон,Источник,Дата подачи,РР: ID заявки,РР: Программа,РР: Дата подачи,РР: Статус";

/// Applications, one case each.
pub const FLOW_ROWS: &[&str] = &[
    // a complete portal application
    "48101,Иванова Светлана Игоревна,Да,Новая,112-233-445 95,svetlana.iv@mail.ru,14.02.1992,+7 921 300-40-50,Работа в России,10.11.2026 10:15,RR-558120,Швея,09.11.2026,Одобрена",
    // from the portal by its source (odd case and spacing), portal ID and programme blank
    "48102,Петров Олег Викторович,Да,В работе,001-326-679 00,petrov.ov@yandex.ru,03.06.1988,89213004051,  работа  в РОССИИ ,11.11.2026 09:00,,,11.11.2026,На рассмотрении",
    // from the site: external fields are not expected
    "48103,Козлова Анна Сергеевна,Да,Новая,001-508-816 00,kozlova.as@mail.ru,21.08.1995,+7 (911) 300-40-52,Сайт,12.11.2026 14:30,,,,",
    // from the portal by its portal ID only, portal status blank
    "48104,Соколов Илья Андреевич,Нет,Закрыта,017 996 174 00,sokolov.ia@gmail.com,30.01.1990,+7 921 300-40-53,,01.10.2026 12:00,RR-551002,Оператор ЧПУ,30.09.2026,",
    // no СНИЛС, «нет» as e-mail
    "48105,Лебедева Ксения Павловна,Да,Новая,,нет,11.12.1999,+7 921 300-40-54,Сайт,13.11.2026 16:45,,,,",
    // wrong СНИЛС check number
    "48106,Григорьев Максим Юрьевич,Да,Новая,112-233-445 96,grigoriev.m@mail.ru,05.05.1987,+7 921 300-40-55,Сайт,14.11.2026 11:20,,,,",
    // СНИЛС too short
    "48107,Зайцева Дарья Олеговна,Да,Новая,123-456-78,zaitseva.d@mail.ru,17.07.1993,+7 921 300-40-56,Сайт,15.11.2026 10:05,,,,",
    // no ФИО and no phone; СНИЛС without separators
    "48108,,Да,Новая,12345678964,anon48108@mail.ru,,,Сайт,16.11.2026 09:40,,,,",
];

/// A contacts export of the given rows, with the managers list.
pub fn contacts(rows: &[&str]) -> Dataset {
    let text = with_header(CONTACTS_HEADER, rows);
    testutil::dataset(&[("contacts.csv", &text), ("managers.csv", MANAGERS)])
}

/// Every row of [`CONTACT_ROWS`], with the managers list.
pub fn all_contacts() -> Dataset {
    contacts(CONTACT_ROWS)
}

/// A Flow applications export of the given rows.
pub fn flow(rows: &[&str]) -> Dataset {
    testutil::dataset(&[("applications.csv", &with_header(FLOW_HEADER, rows))])
}

/// Every row of [`FLOW_ROWS`].
pub fn all_flow() -> Dataset {
    flow(FLOW_ROWS)
}

/// A file of any header and rows.
pub fn with_header(header: &str, rows: &[&str]) -> String {
    let mut text = String::from(header);
    for row in rows {
        text.push('\n');
        text.push_str(row);
    }
    text.push('\n');
    text
}

/// The findings of one rule about one record.
pub fn about(code: &str, ds: &Dataset, id: &str) -> Vec<Finding> {
    testutil::run_rule(code, ds)
        .into_iter()
        .filter(|f| f.id == id)
        .collect()
}

/// The single finding of one rule about one record.
pub fn one(code: &str, ds: &Dataset, id: &str) -> Finding {
    let mut found = about(code, ds, id);
    assert_eq!(found.len(), 1, "{code} on {id}: {found:#?}");
    found.remove(0)
}

/// The run warnings one rule leaves (missing columns and the like).
pub fn warnings(code: &str, ds: &Dataset) -> Vec<String> {
    let set = testutil::rule_set();
    let ctx = Context::new(ds, &set.params, testutil::as_of());
    let rule = rules::find(code).expect("rule code");
    let mut out = Vec::new();
    (rule.check)(&ctx, rule, &mut out);
    ctx.into_warnings()
}

mod tests {
    use super::*;

    #[test]
    fn the_company_row_is_never_a_contact_finding() {
        let ds = all_contacts();
        assert_eq!(ds.companies_skipped, 1);
        for rule in crate::rules::RULES
            .iter()
            .filter(|r| r.code.starts_with("CON"))
        {
            assert!(about(rule.code, &ds, "105").is_empty(), "{}", rule.code);
        }
    }
}
