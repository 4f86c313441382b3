//! Shared test fixtures of the deal rules: a correct, active deal in both amoCRM layouts, changed
//! field by field in each test.

use crate::model::Dataset;
use crate::testutil;

/// The new layout's header (deal columns plain, the main contact's with « (контакт)»).
const NEW_HEADER: [&str; 24] = [
    "ID",
    "Название сделки",
    "Бюджет ₽",
    "Ответственный",
    "Дата создания",
    "Дата редактирования",
    "Этап сделки",
    "Воронка",
    "Группа продуктов",
    "Товар",
    "Адрес объекта",
    "Номер договора",
    "Дата последнего контакта",
    "Дата и время замера",
    "Контактное лицо",
    "Объём работ",
    "Источник сделки",
    "Дата следующего контакта",
    "Причина отказа от замера",
    "ID контакта",
    "Основной контакт",
    "Мобильный телефон (контакт)",
    "Примечание 1",
    "Примечание 2",
];

/// The classic layout: (classic header, the new-layout header its value is taken from).
const CLASSIC_HEADER: [(&str, &str); 10] = [
    ("ID", "ID"),
    ("Название сделки", "Название сделки"),
    ("Бюджет", "Бюджет ₽"),
    ("Ответственный", "Ответственный"),
    ("Дата создания сделки", "Дата создания"),
    ("Этап сделки", "Этап сделки"),
    ("Полное имя контакта", "Основной контакт"),
    ("Группа продуктов", "Группа продуктов"),
    ("Товар", "Товар"),
    ("Примечание", "Примечание 1"),
];

/// The contacts export the default deal's `ID контакта` (101) resolves in.
pub const CONTACTS: &str = "ID,Тип,Полное имя контакта,Имя,Фамилия,Мобильный телефон\n\
101,контакт,Смирнов Олег Петрович,Олег,Смирнов,+7 921 123-45-67\n\
102,контакт,Смирнова Мария Ивановна,Мария,Смирнова,+7 911 765-43-21\n";

/// One deal row, keyed by new-layout header.
#[derive(Debug, Clone)]
pub struct DealRow(Vec<(&'static str, String)>);

/// A correct, active deal at the «Замер» stage, created three weeks before the tests' as-of
/// (2026-11-23 12:00), with every field filled.
pub fn deal(id: &str) -> DealRow {
    let cells = [
        ("Название сделки", "Регулировка окон, Купчинская 4-3-22"),
        ("Бюджет ₽", "18 500"),
        ("Ответственный", "Петрова Анна"),
        ("Дата создания", "02.11.2026 10:15"),
        ("Дата редактирования", "20.11.2026 16:40"),
        ("Этап сделки", "Замер"),
        ("Воронка", "Продажи"),
        ("Группа продуктов", "Сервис"),
        ("Товар", "Регулировка створок"),
        ("Адрес объекта", "ул. Купчинская, д. 4, кв. 22"),
        ("Номер договора", ""),
        ("Дата последнего контакта", "20.11.2026 16:30"),
        ("Дата и время замера", "25.11.2026 10:00"),
        ("Контактное лицо", "Смирнов Олег"),
        ("Объём работ", "4 створки, замена уплотнителя"),
        ("Источник сделки", "Сайт"),
        ("Дата следующего контакта", "25.11.2026"),
        ("Причина отказа от замера", ""),
        ("ID контакта", "101"),
        ("Основной контакт", "Смирнов Олег Петрович"),
        ("Мобильный телефон (контакт)", "+7 921 123-45-67"),
        (
            "Примечание 1",
            "20.11.2026 16:30 Петрова А.: Согласовали замер на 25.11 в 10:00, 4 створки, \
             клиент просит заменить уплотнитель",
        ),
        ("Примечание 2", ""),
    ];
    let mut row = DealRow(vec![("ID", id.to_string())]);
    row.0.extend(cells.iter().map(|(h, v)| (*h, v.to_string())));
    row
}

impl DealRow {
    /// Sets a cell by its new-layout header.
    pub fn set(mut self, header: &'static str, value: &str) -> Self {
        match self.0.iter_mut().find(|(h, _)| *h == header) {
            Some(cell) => cell.1 = value.to_string(),
            None => panic!("no fixture column «{header}»"),
        }
        self
    }

    /// Moves the deal to a stage.
    pub fn stage(self, stage: &str) -> Self {
        self.set("Этап сделки", stage)
    }

    /// Clears the cells of these headers.
    pub fn clear(self, headers: &[&'static str]) -> Self {
        headers.iter().fold(self, |row, h| row.set(h, ""))
    }

    fn get(&self, header: &str) -> &str {
        self.0
            .iter()
            .find(|(h, _)| *h == header)
            .map_or("", |(_, v)| v.as_str())
    }
}

fn quote(cell: &str) -> String {
    if cell.contains([',', '"', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

fn csv(header: &[&str], rows: &[DealRow], source: impl Fn(usize) -> &'static str) -> String {
    let mut out = header.join(",");
    out.push('\n');
    for row in rows {
        let cells: Vec<String> = (0..header.len())
            .map(|i| quote(row.get(source(i))))
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// A deals export in the new layout.
pub fn new_layout(rows: &[DealRow]) -> String {
    csv(&NEW_HEADER, rows, |i| NEW_HEADER[i])
}

/// A deals export in the classic layout (fewer columns: no custom deal fields but product).
pub fn classic_layout(rows: &[DealRow]) -> String {
    let header: Vec<&str> = CLASSIC_HEADER.iter().map(|(c, _)| *c).collect();
    csv(&header, rows, |i| CLASSIC_HEADER[i].1)
}

/// A dataset of new-layout deals only.
pub fn deals(rows: &[DealRow]) -> Dataset {
    testutil::dataset(&[("deals.csv", &new_layout(rows))])
}

/// A dataset of new-layout deals and the contacts export [`CONTACTS`].
pub fn deals_with_contacts(rows: &[DealRow]) -> Dataset {
    testutil::dataset(&[("deals.csv", &new_layout(rows)), ("contacts.csv", CONTACTS)])
}

/// A dataset of classic-layout deals only.
pub fn classic(rows: &[DealRow]) -> Dataset {
    testutil::dataset(&[("deals.csv", &classic_layout(rows))])
}
