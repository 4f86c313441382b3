//! Writes the bundled sample exports (`samples/`) and the ground truth the audit tests compare
//! against (`tests/fixtures/samples_planted.csv`, `tests/fixtures/samples_split.csv`).
//!
//! ```text
//! cargo run --release --example samples            # writes into the crate directory
//! cargo run --release --example samples -- --root DIR
//! ```
//!
//! Every record is written by hand below. Records carrying a planted problem say so with
//! `.plant(rule, note)`; before anything is written an independent re-implementation of
//! docs/RULES-SEMANTICS.md (deliberately simple, in this file) recomputes every finding and the
//! partner split plan from the data and aborts if they differ from the annotations, so the
//! fixtures cannot silently drift from the data. Output is byte-for-byte deterministic.

#[allow(dead_code)]
#[path = "common/mod.rs"]
mod common;

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, Timelike};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The reference time every date-relative rule is evaluated at (`--as-of 2026-11-23 12:00`).
const AS_OF: &str = "23.11.2026 12:00";

// ---------------------------------------------------------------------------------------------
// Managers (the CRM's users)
// ---------------------------------------------------------------------------------------------

const IA: &str = "Иванова Анна";
const PS: &str = "Петров Сергей";
const SO: &str = "Смирнова Ольга";
const KD: &str = "Кузнецов Дмитрий";
const PA: &str = "Петрова Алёна";

/// (name, e-mail): work addresses plus one manager's personal address, as the admin listed them.
const MANAGERS: &[(&str, &str)] = &[
    (IA, "a.ivanova@okna-spb.ru"),
    (PS, "s.petrov@okna-spb.ru"),
    (PS, "sergey.petrov.spb@mail.ru"),
    (SO, "o.smirnova@okna-spb.ru"),
    (KD, "d.kuznetsov@okna-spb.ru"),
    (PA, "a.petrova@okna-spb.ru"),
];

/// How a manager signs notes: «Петрова А.».
fn author(resp: &str) -> String {
    let mut it = resp.split_whitespace();
    let last = it.next().unwrap_or("");
    let first = it.next().and_then(|f| f.chars().next());
    match first {
        Some(c) => format!("{last} {c}."),
        None => last.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Small date helpers
// ---------------------------------------------------------------------------------------------

fn dt(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%d.%m.%Y %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%d.%m.%Y %H:%M"))
        .unwrap_or_else(|e| panic!("bad datetime literal {s:?}: {e}"))
}

fn as_of() -> NaiveDateTime {
    dt(AS_OF)
}

/// A moment during office hours (9:00‥19:59) within `days` days after `from`'s date.
fn office_time(rng: &mut common::Rng, from: NaiveDateTime, days: u64) -> NaiveDateTime {
    let day = from.date() + chrono::Duration::days(rng.range(0, days) as i64);
    day.and_hms_opt(
        rng.range(9, 19) as u32,
        rng.range(0, 59) as u32,
        rng.range(0, 59) as u32,
    )
    .expect("valid time")
}

/// A contact card is created with (just before) its first deal, never after it; the last edit
/// is never before the creation.
fn align_contact_dates(cs: &mut [Contact], ds: &[Deal]) {
    for c in cs.iter_mut() {
        let id = c.id.to_string();
        let first_deal = ds
            .iter()
            .filter(|d| check::items(&d.contact_ids).contains(&id))
            .filter_map(|d| d.created)
            .min();
        let mut created = dt(&c.created);
        if let Some(first) = first_deal {
            if created > first {
                created = first - chrono::Duration::seconds((c.id % 900 + 60) as i64);
                c.created = fmt_dt_sec(created);
            }
        }
        if dt(&c.edited) < created {
            c.edited = fmt_dt_sec(created + chrono::Duration::minutes(4));
        }
    }
}

fn fmt_dt_sec(t: NaiveDateTime) -> String {
    t.format("%d.%m.%Y %H:%M:%S").to_string()
}

fn excel_dt(t: NaiveDateTime) -> ExcelDateTime {
    ExcelDateTime::from_ymd(t.year() as u16, t.month() as u8, t.day() as u8)
        .and_then(|d| d.and_hms(t.hour() as u16, t.minute() as u8, t.second()))
        .expect("valid date")
}

fn excel_date(d: NaiveDate) -> ExcelDateTime {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).expect("valid date")
}

// ---------------------------------------------------------------------------------------------
// Contacts
// ---------------------------------------------------------------------------------------------

type Planted = Vec<(&'static str, String)>;

#[derive(Clone, Default)]
struct Contact {
    id: u64,
    company_row: bool,
    title: String,
    first: String,
    last: String,
    company: String,
    resp: &'static str,
    created: String,
    created_by: String,
    edited: String,
    tags: String,
    note: String,
    work: String,
    direct: String,
    mobile: String,
    fax: String,
    home: String,
    other: String,
    email_work: String,
    email_personal: String,
    email_other: String,
    position: String,
    fio: String,
    birthday: String,
    planted: Planted,
}

impl Contact {
    /// A client card filled the way rule 4 wants it. `fio` is «Фамилия Имя Отчество».
    fn person(
        id: u64,
        fio: &str,
        mobile: &str,
        birthday: &str,
        email: &str,
        resp: &'static str,
    ) -> Self {
        let words: Vec<&str> = fio.split_whitespace().collect();
        let last = words.first().unwrap_or(&"").to_string();
        let first = words.get(1).unwrap_or(&"").to_string();
        // creation and edit times derived from the id: 2023‥2026, office hours, edited later;
        // `align_contact_dates` later moves creation before the contact's first deal.
        let mut rng = common::Rng::new(id);
        let created = office_time(&mut rng, dt("10.01.2023 00:00"), 1_380);
        let edited =
            office_time(&mut rng, created, 420).max(created + chrono::Duration::minutes(3));
        let edited =
            edited.min(dt("22.11.2026 18:40") - chrono::Duration::minutes((id % 4_000) as i64));
        Contact {
            id,
            title: format!("{last} {first}"),
            first,
            last,
            resp,
            created: fmt_dt_sec(created),
            created_by: resp.to_string(),
            edited: fmt_dt_sec(edited),
            mobile: mobile.into(),
            email_personal: email.into(),
            fio: fio.into(),
            birthday: birthday.into(),
            ..Default::default()
        }
    }

    fn company(id: u64, name: &str, phone: &str, email: &str, resp: &'static str) -> Self {
        let mut c = Contact::person(id, "x x", "", "", "", resp);
        c.company_row = true;
        c.title = name.into();
        c.first.clear();
        c.last.clear();
        c.fio.clear();
        c.work = phone.into();
        c.email_work = email.into();
        c
    }

    fn with(mut self, f: impl FnOnce(&mut Contact)) -> Self {
        f(&mut self);
        self
    }

    fn plant(mut self, rule: &'static str, note: &str) -> Self {
        self.planted.push((rule, note.to_string()));
        self
    }
}

/// Contact ids used by the deals below.
mod cid {
    pub const SOKOLOVA: u64 = 45102301;
    pub const VASILIEV: u64 = 45102307;
    pub const MOROZOVA: u64 = 45102312;
    pub const KIRILLOV: u64 = 45102318;
    pub const PAVLOVA: u64 = 45102325;
    pub const BELOV: u64 = 45102331;
    pub const ZHUKOVA: u64 = 45102336;
    pub const GOLUBEV: u64 = 45102342;
    pub const VINOGRADOVA: u64 = 45102349;
    pub const FROLOV: u64 = 45102355;
    pub const LEBEDEVA: u64 = 45102361;
    pub const STEPANOV: u64 = 45102368;
    pub const IVANOV_1: u64 = 45102374;
    pub const IVANOV_2: u64 = 45102380;
    pub const ZAKHAROV: u64 = 45102387;
    pub const ZAKHAROVA: u64 = 45102393;
    pub const SERGEEVA: u64 = 45102399;
    pub const NIKOLAEV: u64 = 45102405;
    pub const KUZMINA_1: u64 = 45102412;
    pub const KUZMINA_2: u64 = 45102418;
    pub const BELOUSOV_1: u64 = 45102425;
    pub const BELOUSOV_2: u64 = 45102431;
    pub const ORLOVA_1: u64 = 45102437;
    pub const ORLOVA_2: u64 = 45102444;
    pub const FEDOROV_1: u64 = 45102450;
    pub const FEDOROV_2: u64 = 45102456;
    pub const SIDOROV: u64 = 45102462;
    pub const MIKHAILOV: u64 = 45102468;
    pub const GRIGORIEV: u64 = 45102475;
    pub const ERSHOV: u64 = 45102481;
    pub const TIMOFEEV: u64 = 45102488;
    pub const ANDREEVA: u64 = 45102494;
    pub const MAKAROV: u64 = 45102500;
    pub const POLYAKOVA: u64 = 45102507;
    pub const KOMAROV: u64 = 45102513;
    pub const OSIPOVA: u64 = 45102519;
    pub const NAZAROV: u64 = 45102526;
    pub const KOVALEVA: u64 = 45102532;
    pub const VOLKOV: u64 = 45102538;
    pub const NIKITINA: u64 = 45102545;
    pub const KRYLOV: u64 = 45102551;
    pub const LENSOVETA: u64 = 45102557;
    pub const GUSEVA: u64 = 45102564;
    pub const DMITRIEV: u64 = 45102570;
    pub const SOLOVIEVA: u64 = 45102576;
    pub const EFIMOV: u64 = 45102583;
    pub const BARANOVA: u64 = 45102589;
    pub const SHIRYAEV: u64 = 45102595;
    pub const STROYMASTER: u64 = 45102601;
    pub const TSZH: u64 = 45102607;
    /// Referenced by a deal but absent from the contacts export (deleted card).
    pub const DELETED: u64 = 45109999;
}

fn contacts() -> Vec<Contact> {
    use cid::*;
    let p = Contact::person;
    vec![
        // ---- clean client cards -----------------------------------------------------------
        p(SOKOLOVA, "Соколова Мария Ивановна", "+7 (921) 345-18-72", "14.03.1984", "m.sokolova84@mail.ru", IA)
            .with(|c| { c.tags = "сайт".into(); c.note = "Предпочитает звонки после 18:00".into(); }),
        p(VASILIEV, "Васильев Андрей Петрович", "89117654310", "02.11.1976", "vasiliev.ap@yandex.ru", PS)
            .with(|c| { c.work = "8 (812) 407-33-19".into(); c.tags = "авито".into(); }),
        p(MOROZOVA, "Морозова Наталья Геннадьевна", "+79819023145", "21.07.1969", "n.morozova@gmail.com", SO)
            .with(|c| c.tags = "повторный клиент".into()),
        p(KIRILLOV, "Кириллов Денис Олегович", "8 952 214 67 90", "09.09.1988", "kirillov.denis@mail.ru", KD)
            .with(|c| { c.other = "+7 701 512 34 67".into(); c.note = "Второй номер казахстанский, звонить только по WhatsApp".into(); }),
        p(PAVLOVA, "Павлова Светлана Юрьевна", "+7 (911) 938-40-27, +7 (904) 331-12-85", "30.01.1981", "svetlana.pavlova@bk.ru", PA),
        p(BELOV, "Белов Игорь Анатольевич", "79219874512.0", "17.05.1972", "belov.igor@yandex.ru", IA)
            .with(|c| c.tags = "авито".into()),
        p(ZHUKOVA, "Жукова Ольга Владимировна", "+7 999 204-18-63", "05.12.1990", "o.zhukova@mail.ru", SO)
            .with(|c| {
                c.company = "ООО «СтройМастер»".into();
                c.position = "Офис-менеджер".into();
                c.work = "8-812-555-12-34 доб. 12".into();
                c.email_work = "zhukova@stroymaster-spb.ru".into();
            }),
        p(GOLUBEV, "Голубев Артём Сергеевич", "8(931)245-77-06", "23.04.1995", "artem.golubev95@gmail.com", KD)
            .with(|c| c.tags = "вконтакте".into()),
        p(VINOGRADOVA, "Виноградова Екатерина Андреевна", "+7 965 781-20-44", "11.08.1987", "e.vinogradova@inbox.ru", PS)
            .with(|c| c.email_other = "katya.v@mail.ru, e.vinogradova@yandex.ru".into()),
        p(FROLOV, "Фролов Михаил Борисович", "+7 (981) 155-63-08", "28.02.1963", "frolov.mb@mail.ru", PA)
            .with(|c| c.home = "+7 (812) 296-41-75".into()),
        p(LEBEDEVA, "Лебедева Анастасия Игоревна", "89062273918", "19.10.1992", "a.lebedeva92@yandex.ru", IA),
        p(STEPANOV, "Степанов Роман Викторович", "+7 921 660 91 35", "07.06.1980", "stepanov.roman@mail.ru", SO)
            .with(|c| c.title = "Роман Степанов".into()),
        // ---- decoys: must NOT be duplicates ----------------------------------------------
        // namesakes: same ФИО, different phone and birthday
        p(IVANOV_1, "Иванов Сергей Петрович", "+7 (911) 284-55-17", "12.04.1979", "s.ivanov79@mail.ru", KD),
        p(IVANOV_2, "Иванов Сергей Петрович", "+7 (952) 390-64-21", "26.09.1986", "ivanov.sergey86@yandex.ru", PS)
            .with(|c| c.note = "Не путать с Ивановым С.П. с Савушкиной".into()),
        // spouses sharing the home landline: different names and birthdays
        p(ZAKHAROV, "Захаров Игорь Олегович", "+7 921 502-36-84", "03.03.1975", "zakharov.io@mail.ru", IA)
            .with(|c| c.home = "+7 (812) 371-28-40".into()),
        p(ZAKHAROVA, "Захарова Марина Юрьевна", "+7 911 730-19-52", "22.08.1978", "marina.zakharova@gmail.com", IA)
            .with(|c| c.home = "8 (812) 371-28-40".into()),
        // same birthday only
        p(SERGEEVA, "Сергеева Юлия Дмитриевна", "+7 (999) 517-80-36", "15.06.1985", "yulia.sergeeva@mail.ru", SO),
        p(NIKOLAEV, "Николаев Павел Ильич", "+7 (967) 455-21-09", "15.06.1985", "nikolaev.pavel@yandex.ru", KD),
        // ---- duplicates (DUP001) ----------------------------------------------------------
        p(KUZMINA_1, "Кузьмина Елена Викторовна", "+7 (921) 418-27-53", "08.02.1983", "kuzmina.ev@mail.ru", PA)
            .plant("DUP001", "same mobile and birthday as 45102418 (name written «Елена Кузьмина»)"),
        p(KUZMINA_2, "Елена Кузьмина", "89214182753", "08.02.1983", "elena.kuzmina83@yandex.ru", IA)
            .with(|c| { c.title = "Елена Кузьмина".into(); c.first = "Елена".into(); c.last = "Кузьмина".into(); c.tags = "сайт".into(); })
            .plant("DUP001", "word-order-swapped name without patronymic; same mobile and birthday as 45102412"),
        p(BELOUSOV_1, "Белоусов Андрей Николаевич", "+7 981 322-40-18", "13.11.1970", "belousov.an@mail.ru", SO)
            .plant("DUP001", "same mobile as 45102431 whose ФИО has a typo; a real 1970 birthday, not the placeholder"),
        p(BELOUSOV_2, "Белоусов Андрей Никалаевич", "8 (981) 322-40-18", "", "a.belousov@gmail.com", KD)
            .plant("DUP001", "ФИО typo «Никалаевич» + same mobile as 45102425")
            .plant("CON001", "birthday missing"),
        p(ORLOVA_1, "Орлова Татьяна Сергеевна", "+7 (911) 845-02-61", "15.09.1979", "orlova.ts@mail.ru", PS)
            .plant("DUP001", "same ФИО and birthday as 45102444, different phones"),
        p(ORLOVA_2, "Орлова Татьяна Сергеевна", "+7 (904) 612-77-30", "15.09.1979", "t.orlova79@yandex.ru", PA)
            .plant("DUP001", "same ФИО and birthday as 45102437, different phones"),
        p(FEDOROV_1, "Фёдоров Павел Игоревич", "+7 (931) 207-65-14", "29.12.1991", "fedorov.pi@mail.ru", IA)
            .plant("DUP001", "ФИО with ё + same birthday as 45102456 (written with е, no patronymic)"),
        p(FEDOROV_2, "Федоров Павел", "+7 (952) 844-19-03", "29.12.1991", "pavel.fedorov91@gmail.com", KD)
            .plant("DUP001", "«Федоров Павел» = «Фёдоров Павел Игоревич» (ё/е, patronymic missing) + same birthday as 45102450"),
        // ---- partner cards (PRT001 / migrate) ---------------------------------------------
        p(SIDOROV, "Сидоров Виктор Алексеевич", "+7 (921) 900-11-22", "18.07.1974", "sidorov.remont@mail.ru", PS)
            .with(|c| {
                c.tags = "прораб".into();
                c.position = "Прораб".into();
                c.work = "8 (812) 640-22-15".into();
                // a client's number typed into the mobile cell, next to his own
                c.mobile = "+7 (921) 900-11-22, +7 911 234-56-02".into();
                c.other = "89213456701".into();
                c.note = "Прораб, ведёт объекты в Купчино и Фрунзенском районе".into();
            })
            .plant("PRT001", "client numbers on the card: +79213456701 (contract 112/24 → Лаврентьева Г.П.), +79112345602 (deals at «Купчинская 4-3-22»)"),
        p(MIKHAILOV, "Михайлов Олег Владимирович", "+7 (981) 700-45-12", "04.01.1981", "oleg.mikhailov@yandex.ru", KD)
            .with(|c| {
                c.tags = "партнёр, монтаж".into();
                c.position = "Бригадир монтажников".into();
                c.other = "+7 (921) 611-20-33, 8 (952) 377-81-09".into();
                c.home = "8 (911) 845-30-12".into();
            })
            .plant("PRT001", "client number +79216112033 given in a note of the Белградская deal; +79118453012 listed by the client base at the Пражская deal's address; +79523778109 a client's at two addresses (review)"),
        p(GRIGORIEV, "Григорьев Николай Степанович", "+7 (911) 409-63-28", "27.03.1968", "grigoriev.ns@mail.ru", SO)
            // «Другой телефон»: a client's number that nothing in the files proves (stays)
            .with(|c| { c.tags = "прораб".into(); c.work = "+7 (812) 244-90-17".into(); c.other = "+7 (964) 512-88-03".into(); c.position = "Прораб".into(); }),
        p(ERSHOV, "Ершов Артём Ильич", "+7 (999) 630-72-41", "10.10.1985", "ershov.artem@gmail.com", IA)
            .with(|c| { c.tags = "партнер".into(); c.other = "+7 (965) 118-04-93".into(); c.note = "Новый партнёр, сделок пока нет".into(); }),
        // ---- planted contact problems -----------------------------------------------------
        p(TIMOFEEV, "Тимофеев Глеб Романович", "нет", "25.05.1982", "timofeev.gleb@mail.ru", PS)
            .plant("CON001", "no valid phone: the only phone is «нет»")
            .plant("CON002", "Мобильный телефон = «нет» (a placeholder, i.e. blank)")
            .plant("CON006", "«нет» in Мобильный телефон is junk, not a number"),
        p(ANDREEVA, "Андреева Ксения Олеговна", "нет", "14.02.1990", "k.andreeva@yandex.ru", IA)
            .with(|c| c.work = "+7 (812) 336-71-50".into())
            .plant("CON002", "Мобильный телефон = «нет»; a valid work landline exists, so no CON001")
            .plant("CON006", "«нет» in Мобильный телефон is junk, not a number"),
        p(MAKAROV, "Макаров Евгений Львович", "274-18-93", "30.06.1977", "makarov.el@mail.ru", SO)
            .plant("CON001", "no valid phone: only a 7-digit number without area code")
            .plant("CON002", "Мобильный телефон holds a 7-digit number")
            .plant("CON006", "«274-18-93»: 7 digits, no area code"),
        p(POLYAKOVA, "Полякова Дарья Алексеевна", "+7 (921) 774-30-85", "12.12.1993", "polyakova.da@gmail.com", KD)
            .with(|c| c.other = "+7 921 45".into())
            .plant("CON006", "Другой телефон «+7 921 45» is too short"),
        p(KOMAROV, "Комаров Алексей Витальевич", "+7 911 562-08-47", "01.08.1971", "komarov.av@yandex.ru", PA)
            .with(|c| c.work = "уточнить".into())
            .plant("CON006", "Рабочий телефон «уточнить» is text, not a number"),
        p(OSIPOVA, "Осипова Людмила Николаевна", "+7 (904) 218-66-30", "01.01.1970", "osipova.ln@mail.ru", IA)
            .plant("CON001", "birthday is the 01.01.1970 placeholder")
            .plant("CON008", "birthday 01.01.1970 (amoCRM placeholder)"),
        p(NAZAROV, "Назаров Кирилл Денисович", "+7 (981) 493-27-15", "12.05.2031", "kirill.nazarov@gmail.com", PS)
            .plant("CON001", "birthday in the future")
            .plant("CON008", "birthday 12.05.2031 is in the future"),
        p(KOVALEVA, "Ковалёва Алина Сергеевна", "+7 (952) 671-40-98", "31.02.1988", "alina.kovaleva@mail.ru", SO)
            .plant("CON001", "birthday is not a date")
            .plant("CON008", "birthday 31.02.1988 does not exist"),
        p(VOLKOV, "Волков Станислав Игоревич", "+7 (999) 381-56-72", "", "volkov.si@yandex.ru", KD)
            .plant("CON001", "birthday missing"),
        p(NIKITINA, "", "+7 (921) 289-03-64", "06.04.1986", "irina.nikitina86@mail.ru", PA)
            .with(|c| { c.title = "Никитина Ирина".into(); c.first = "Ирина".into(); c.last = "Никитина".into(); })
            .plant("CON001", "ФИО field blank (Имя/Фамилия are filled, but the export has an ФИО column)")
            .plant("CON005", "name only in the title «Никитина Ирина»"),
        p(KRYLOV, "", "+7 (911) 327-95-40", "18.01.1994", "maxim.krylov@yandex.ru", IA)
            .with(|c| { c.title = "Крылов Максим Андреевич".into(); c.first.clear(); c.last.clear(); })
            .plant("CON001", "ФИО field blank")
            .plant("CON005", "name only in the title «Крылов Максим Андреевич»"),
        p(LENSOVETA, "", "+7 (965) 402-17-38", "", "", SO)
            .with(|c| { c.title = "Ленсовета 88-1-15".into(); c.first.clear(); c.last.clear(); c.note = "Клиент с объекта на Ленсовета, имя не назвал".into(); })
            .plant("CON001", "ФИО and birthday blank (card named by the object address: no CON005)")
            .plant("CON003", "Личный email blank"),
        p(GUSEVA, "Гусева Вера Павловна", "+7 (931) 558-12-07", "09.07.1966", "", SO)
            .with(|c| { c.email_work = "vera.guseva@stroymaster-spb.ru".into(); c.company = "ООО «СтройМастер»".into(); c.position = "Бухгалтер".into(); })
            .plant("CON003", "Личный email blank (only a work e-mail)"),
        p(DMITRIEV, "Дмитриев Олег Аркадьевич", "+7 (981) 640-83-21", "21.03.1973", "", KD)
            .plant("CON003", "Личный email blank"),
        p(SOLOVIEVA, "Соловьёва Инна Борисовна", "+7 (921) 817-64-02", "16.11.1982", "inna.solovieva@mail.ru", IA)
            .with(|c| c.email_work = "a.ivanova@okna-spb.ru".into())
            .plant("CON004", "manager Иванова Анна's work e-mail in Рабочий email"),
        p(EFIMOV, "Ефимов Григорий Павлович", "+7 (911) 903-27-55", "04.05.1977", "efimov.gp@yandex.ru", PS)
            .with(|c| c.email_other = "Sergey.Petrov.SPB@mail.ru".into())
            .plant("CON004", "manager Петров Сергей's personal e-mail (other case) in Другой email"),
        p(BARANOVA, "Баранова Полина Евгеньевна", "+7 (952) 190-48-36", "27.08.1989", "baranova.polina.mail.ru", PA)
            .plant("CON007", "Личный email «baranova.polina.mail.ru» has no @"),
        p(SHIRYAEV, "Ширяев Вадим Олегович", "+7 (999) 742-61-90", "11.11.1984", "shiryaev.vo@yandex.ru", KD)
            .with(|c| c.email_other = "vadim@@mail.ru".into())
            .plant("CON007", "Другой email «vadim@@mail.ru»"),
        // ---- companies: not contacts, no contact rule applies -----------------------------
        Contact::company(STROYMASTER, "ООО «СтройМастер»", "+7 (812) 325-14-80", "info@stroymaster-spb.ru", KD)
            .with(|c| c.tags = "юрлицо".into()),
        Contact::company(TSZH, "ТСЖ «Купчино-5»", "+7 (812) 772-09-31", "", SO),
    ]
}

// ---------------------------------------------------------------------------------------------
// Deals
// ---------------------------------------------------------------------------------------------

const UNSORTED: &str = "Неразобранное";
const FIRST: &str = "Первичный контакт";
const MEASURE: &str = "Замер";
const THINKS: &str = "Думает";
const CONTRACT: &str = "Договор заключён";
const WON: &str = "Успешно реализовано";
const LOST: &str = "Закрыто и не реализовано";
const TRASH: &str = "Корзина";

const G_ADJ: &str = "Регулировка";
const G_REP: &str = "Ремонт окон";
const G_INST: &str = "Установка окон";
const G_BALC: &str = "Балконы";
const G_ACC: &str = "Аксессуары";

#[derive(Clone, Default)]
struct Deal {
    id: u64,
    name: String,
    budget: Option<f64>,
    resp: &'static str,
    created: Option<NaiveDateTime>,
    created_by: String,
    edited: Option<NaiveDateTime>,
    closed: Option<NaiveDateTime>,
    tags: String,
    stage: &'static str,
    pipeline: String,
    group: String,
    product: String,
    address: String,
    contract: String,
    last_contact: Option<NaiveDateTime>,
    measure_at: Option<NaiveDateTime>,
    contact_person: String,
    scope: String,
    source: String,
    next_contact: Option<NaiveDateTime>,
    refusal: String,
    client_phone: String,
    contact_ids: String,
    contact_name: String,
    notes: [String; 3],
    planted: Planted,
}

impl Deal {
    /// A deal proper of `contact` (looked up in `cs`); times are set with the builder methods.
    #[allow(clippy::too_many_arguments)]
    fn new(
        id: u64,
        cs: &[Contact],
        contact: u64,
        stage: &'static str,
        group: &str,
        product: &str,
        budget: f64,
        name: &str,
    ) -> Self {
        let c = cs.iter().find(|c| c.id == contact).expect("known contact");
        Deal {
            id,
            name: name.into(),
            budget: Some(budget),
            resp: c.resp,
            created_by: c.resp.to_string(),
            stage,
            pipeline: pipeline_for(group).into(),
            group: group.into(),
            product: product.into(),
            contact_ids: c.id.to_string(),
            contact_name: c.title.clone(),
            ..Default::default()
        }
    }

    fn with(mut self, f: impl FnOnce(&mut Deal)) -> Self {
        f(&mut self);
        self
    }

    /// created, last edit.
    fn at(mut self, created: &str, edited: &str) -> Self {
        self.created = Some(dt(created));
        self.edited = Some(dt(edited));
        self
    }
    fn closed(mut self, s: &str) -> Self {
        self.closed = Some(dt(s));
        self
    }
    fn last(mut self, s: &str) -> Self {
        self.last_contact = Some(dt(s));
        self
    }
    fn addr(mut self, s: &str) -> Self {
        self.address = s.into();
        self
    }
    fn contract(mut self, s: &str) -> Self {
        self.contract = s.into();
        self
    }
    fn source(mut self, s: &str) -> Self {
        self.source = s.into();
        self
    }
    fn phone(mut self, s: &str) -> Self {
        self.client_phone = s.into();
        self
    }
    /// «Замер» fields: measurement time, contact person, scope.
    fn measure(mut self, at: &str, person: &str, scope: &str) -> Self {
        self.measure_at = if at.is_empty() { None } else { Some(dt(at)) };
        self.contact_person = person.into();
        self.scope = scope.into();
        self
    }
    /// «Думает» fields: next contact, reason for refusing the measurement.
    fn thinks(mut self, next: &str, refusal: &str) -> Self {
        self.next_contact = if next.is_empty() {
            None
        } else {
            Some(dt(next))
        };
        self.refusal = refusal.into();
        self
    }
    /// A note in amoCRM's export form: «dd.mm.yyyy HH:MM Автор: текст». `n` is 1‥3.
    fn note(mut self, n: usize, at: &str, text: &str) -> Self {
        self.notes[n - 1] = format!(
            "{} {}: {text}",
            dt(at).format("%d.%m.%Y %H:%M"),
            author(self.resp)
        );
        self
    }
    /// A note exactly as typed, without the date/author prefix.
    fn note_raw(mut self, n: usize, text: &str) -> Self {
        self.notes[n - 1] = text.into();
        self
    }
    fn plant(mut self, rule: &'static str, note: &str) -> Self {
        self.planted.push((rule, note.to_string()));
        self
    }
}

fn pipeline_for(group: &str) -> &'static str {
    match group {
        G_ADJ | G_REP => "Сервис",
        _ => "Продажи",
    }
}

/// The client's number as the manager copied it into the deal (the card's first mobile).
fn first_mobile(cs: &[Contact], id: u64) -> String {
    let c = cs.iter().find(|c| c.id == id).expect("known contact");
    c.mobile.split(',').next().unwrap_or("").trim().to_string()
}

fn deals(cs: &[Contact]) -> Vec<Deal> {
    use cid::*;
    let d = |id, c, st, g, pr, b, name| Deal::new(id, cs, c, st, g, pr, b, name);
    let mob = |id| first_mobile(cs, id);
    let mut v = vec![
        // ---- clean deals ------------------------------------------------------------------
        d(28451203, SOKOLOVA, WON, G_INST, "Окно ПВХ 2-створчатое", 48500.0, "Окна в спальню и детскую")
            .at("12.05.2025 10:14", "20.06.2025 17:31").closed("20.06.2025 17:30").last("18.06.2025 13:55")
            .addr("пр. Славы 40-1-112").contract("64/25").source("Сайт").phone(&mob(SOKOLOVA))
            .note(1, "18.06.2025 13:55", "Монтаж двух окон выполнен, клиентка приняла работу, подписали акт, оплата полностью")
            .note(2, "21.05.2025 11:02", "Замер проведён, согласовали профиль REHAU Blitz, двухкамерный стеклопакет, доставка 10 июня"),
        d(28451960, SOKOLOVA, FIRST, G_ADJ, "Регулировка фурнитуры", 3500.0, "Регулировка окна в спальне")
            .at("17.11.2026 09:40", "20.11.2026 16:12").last("20.11.2026 16:10")
            .addr("пр. Славы 40-1-112").source("Повторное обращение").phone(&mob(SOKOLOVA))
            .note(1, "20.11.2026 16:10", "Клиентка жалуется, что окно в спальне продувает, договорились о выезде мастера во вторник с 10 до 12"),
        d(28451215, VASILIEV, CONTRACT, G_BALC, "Остекление балкона (тёплое)", 186000.0, "Тёплый балкон, Дундича")
            .at("21.10.2026 12:20", "18.11.2026 11:35").last("18.11.2026 11:30")
            .addr("ул. Олеко Дундича 8-2-56").contract("231/26").source("Авито").phone(&mob(VASILIEV))
            .note(1, "18.11.2026 11:30", "Подписали договор на тёплое остекление балкона, предоплата 50% получена, монтаж 2 декабря")
            .note(2, "02.11.2026 15:45", "Замерщик был на объекте, балкон 3,2 м, клиент выбрал алюминиевый вынос и профиль ПВХ"),
        d(28451222, MOROZOVA, MEASURE, G_INST, "Окно ПВХ 3-створчатое", 62000.0, "Замена деревянных окон")
            .at("16.11.2026 10:05", "19.11.2026 12:20").last("19.11.2026 12:15")
            .addr("Бухарестская 118-3-9").source("Рекомендация знакомых").phone(&mob(MOROZOVA))
            .measure("26.11.2026 11:00", "Наталья Геннадьевна, хозяйка", "Замена двух трёхстворчатых окон в комнатах, демонтаж старых деревянных")
            .note(1, "19.11.2026 12:15", "Согласовали замер на 26.11 в 11:00, клиентка хочет заменить деревянные окна на ПВХ в двух комнатах"),
        d(28451230, KIRILLOV, THINKS, G_REP, "Замена стеклопакета", 14800.0, "Треснул стеклопакет на кухне")
            .at("05.11.2026 14:30", "17.11.2026 15:05").last("17.11.2026 15:00")
            .addr("Гражданский пр. 111-1-233").source("Яндекс Директ").phone(&mob(KIRILLOV))
            .thinks("24.11.2026 11:00", "Хочет сначала прислать фото трещины, сомневается, нужен ли выезд")
            .note(1, "17.11.2026 15:00", "Треснул стеклопакет на кухне, рассчитали замену однокамерного на энергосберегающий, клиент ждёт зарплату"),
        d(28451908, KIRILLOV, FIRST, G_ACC, "Москитная сетка", 2400.0, "Москитные сетки")
            .at("12.11.2026 18:20", "18.11.2026 10:41").last("18.11.2026 10:40")
            .addr("Гражданский пр. 111-1-233").source("Яндекс Директ").phone(&mob(KIRILLOV))
            .note(1, "18.11.2026 10:40", "Нужны две москитные сетки на окна кухни и спальни, размеры пришлёт после выходных"),
        d(28451236, PAVLOVA, WON, G_REP, "Замена уплотнителя", 9600.0, "Уплотнитель, 5 окон")
            .at("02.09.2026 11:10", "25.09.2026 16:02").closed("25.09.2026 16:00").last("24.09.2026 13:20")
            .addr("ул. Типанова 21-4-18").contract("143/26").source("Сайт").phone(&mob(PAVLOVA))
            .note(1, "24.09.2026 13:20", "Заменили уплотнитель на пяти окнах, клиентка довольна, оставила отзыв на Яндекс Картах"),
        d(28451242, BELOV, LOST, G_INST, "Балконный блок ПВХ", 57000.0, "Балконный блок с ламинацией")
            .at("11.08.2026 09:30", "02.09.2026 12:01").closed("02.09.2026 12:00").last("01.09.2026 17:45")
            .addr("ул. Бабушкина 82-1-64").source("Авито").phone("89219874512")
            .note(1, "01.09.2026 17:45", "Клиент отказался, выбрал другую компанию, у них цена ниже на 15 процентов")
            .note(2, "20.08.2026 10:30", "Отправили коммерческое предложение на балконный блок с ламинацией под дуб"),
        d(28451249, ZHUKOVA, CONTRACT, G_INST, "Окно ПВХ 2-створчатое", 214000.0, "Окна в офис СтройМастер")
            .at("14.10.2026 13:00", "21.11.2026 14:27").last("21.11.2026 14:25")
            .addr("Московский пр. 171, офис 5").contract("198/26").source("Повторное обращение").phone(&mob(ZHUKOVA))
            .note(1, "21.11.2026 14:25", "Согласовали график монтажа шести окон в офисе, первый этап 30 ноября, счёт на вторую часть выставлен")
            .note(2, "29.10.2026 10:10", "Договор подписан со стороны СтройМастер, оплата по счёту двумя частями"),
        d(28451255, GOLUBEV, FIRST, G_BALC, "Остекление лоджии (холодное)", 73000.0, "Остекление лоджии")
            .at("15.11.2026 19:05", "18.11.2026 15:22").last("18.11.2026 15:20")
            .addr("пр. Просвещения 87-2-301").source("ВКонтакте").phone(&mob(GOLUBEV))
            // contains «думает» and «перезвонить», but is a detailed comment: not DEAL002
            .note(1, "18.11.2026 15:20", "Клиент думает между холодным и тёплым остеклением лоджии, отправил КП на почту, перезвонить в четверг после 18:00"),
        d(28451261, VINOGRADOVA, WON, G_ADJ, "Регулировка фурнитуры", 4200.0, "Регулировка 4 окон")
            .at("03.10.2025 10:00", "10.10.2025 15:01").closed("10.10.2025 15:00").last("09.10.2025 15:30")
            .addr("ул. Дыбенко 23-1-90").source("Сайт").phone(&mob(VINOGRADOVA))
            .note(1, "09.10.2025 15:30", "Мастер отрегулировал створки на четырёх окнах и смазал фурнитуру, клиентка оплатила на месте"),
        d(28451268, VINOGRADOVA, MEASURE, G_REP, "Замена фурнитуры", 7800.0, "Не закрывается створка")
            .at("18.11.2026 12:45", "20.11.2026 10:06").last("20.11.2026 10:05")
            .addr("ул. Дыбенко 23-1-90").source("Повторное обращение").phone(&mob(VINOGRADOVA))
            .measure("24.11.2026 15:00", "Екатерина, хозяйка", "Замена поворотно-откидной фурнитуры на двух створках")
            .note(1, "20.11.2026 10:05", "Створка на кухне перестала закрываться, назначили замер на 24.11 с 15 до 17, мастер возьмёт комплект фурнитуры Roto"),
        d(28451274, FROLOV, THINKS, G_INST, "Окно ПВХ 2-створчатое", 39000.0, "Окно в детскую")
            .at("28.10.2026 16:40", "16.11.2026 12:31").last("16.11.2026 12:30")
            .addr("Каменноостровский пр. 64-17").source("Рекомендация знакомых").phone(&mob(FROLOV))
            .thinks("26.11.2026 12:00", "Ждёт, когда закончат ремонт в соседней комнате")
            .note(1, "16.11.2026 12:30", "Клиенту понравился расчёт на окно в детскую, на замер пока не готов, вернуться к разговору после 25 ноября"),
        d(28451281, FROLOV, WON, G_INST, "Окно ПВХ 3-створчатое", 58000.0, "Окно в гостиную")
            .at("03.04.2024 11:00", "29.04.2024 18:02").closed("29.04.2024 18:00").last("27.04.2024 12:00")
            .addr("Каменноостровский пр. 64-17").contract("61/24").source("Сайт").phone(&mob(FROLOV))
            .note(1, "27.04.2024 12:00", "Окно в гостиной установлено, откосы сделаны, клиент рассчитался полностью"),
        d(28451287, LEBEDEVA, CONTRACT, G_REP, "Замена стеклопакета", 21500.0, "Замена двух стеклопакетов")
            .at("30.10.2026 10:20", "19.11.2026 17:02").last("19.11.2026 17:00")
            .addr("ул. Звёздная 11-3-145").contract("226/26").source("Сайт").phone(&mob(LEBEDEVA))
            .note(1, "19.11.2026 17:00", "Стеклопакеты заказаны на заводе, готовность 28 ноября, клиентка просит установку в субботу"),
        d(28451293, STEPANOV, WON, G_BALC, "Отделка балкона", 96000.0, "Отделка и утепление балкона")
            .at("15.06.2026 13:30", "22.07.2026 19:01").closed("22.07.2026 19:00").last("21.07.2026 16:00")
            .addr("ул. Коллонтай 5-1-231").contract("132/26").source("Авито").phone(&mob(STEPANOV))
            .note(1, "21.07.2026 16:00", "Отделка балкона вагонкой и утепление завершены, клиент принял работу без замечаний"),
        d(28451610, MOROZOVA, WON, G_ADJ, "Регулировка створок (сезонная)", 3000.0, "Сезонная регулировка")
            .at("10.03.2023 09:15", "28.03.2023 12:01").closed("28.03.2023 12:00").last("27.03.2023 10:40")
            .addr("Бухарестская 118-3-9").contract("17/23").source("Звонок").phone(&mob(MOROZOVA))
            .note(1, "27.03.2023 10:40", "Провели сезонную регулировку шести окон, заменили ручку на балконной двери"),
        d(28451616, ORLOVA_1, CONTRACT, G_REP, "Замена фурнитуры", 12400.0, "Фурнитура Maco")
            .at("09.11.2026 11:30", "20.11.2026 13:12").last("20.11.2026 13:10")
            .addr("ул. Седова 61-2-77").contract("238/26").source("Сайт").phone(&mob(ORLOVA_1))
            .note(1, "20.11.2026 13:10", "Договор подписан, фурнитура Maco приедет на склад 27 ноября, монтаж назначим после поступления"),
        // ---- deals of the decoy contacts --------------------------------------------------
        d(28451300, IVANOV_1, FIRST, G_ADJ, "Регулировка фурнитуры", 2800.0, "Провисла балконная дверь")
            .at("19.11.2026 11:00", "21.11.2026 10:21").last("21.11.2026 10:20")
            .addr("ул. Савушкина 126-1-210").source("Сайт").phone(&mob(IVANOV_1))
            .note(1, "21.11.2026 10:20", "Балконная дверь провисла и цепляет порог, клиент просит приехать на этой неделе, согласовали четверг"),
        d(28451306, IVANOV_2, MEASURE, G_REP, "Замена уплотнителя", 6900.0, "Сквозняк из-под створок")
            .at("14.11.2026 15:15", "19.11.2026 14:01").last("19.11.2026 14:00")
            .addr("Ленинский пр. 95-1-44").source("Авито").phone(&mob(IVANOV_2))
            .measure("25.11.2026 18:00", "Сергей Петрович", "Замена уплотнителя на четырёх окнах и балконной двери")
            .note(1, "19.11.2026 14:00", "Клиент жалуется на сквозняк из-под створок, договорились о замере во вторник вечером после работы"),
        d(28451313, ZAKHAROV, WON, G_INST, "Окно ПВХ 2-створчатое", 44000.0, "Окно на кухню")
            .at("11.02.2025 12:00", "17.03.2025 11:16").closed("17.03.2025 11:15").last("14.03.2025 16:30")
            .addr("пр. Космонавтов 37-2-19").contract("97/25").source("Сайт").phone(&mob(ZAKHAROV))
            .note(1, "14.03.2025 16:30", "Окно на кухне установлено, подоконник и отлив в комплекте, клиент оплатил остаток"),
        d(28451319, ZAKHAROVA, FIRST, G_ACC, "Подоконник ПВХ", 5600.0, "Широкий подоконник на кухню")
            .at("20.11.2026 18:10", "22.11.2026 12:06").last("22.11.2026 12:05")
            .addr("пр. Космонавтов 37-2-19").source("Повторное обращение").phone(&mob(ZAKHAROVA))
            .note(1, "22.11.2026 12:05", "Хочет заменить подоконник на кухне на широкий 40 см, цвет белый матовый, пришлёт размеры"),
        d(28451325, SERGEEVA, CONTRACT, G_ADJ, "Регулировка створок (сезонная)", 6000.0, "Сезонное обслуживание окон")
            .at("01.11.2026 10:00", "17.11.2026 09:52").last("17.11.2026 09:50")
            .addr("ул. Одоевского 27-1-12").contract("229/26").source("Сайт").phone(&mob(SERGEEVA))
            .note(1, "17.11.2026 09:50", "Заключили договор на сезонное обслуживание всех окон в квартире, выезд мастера 1 декабря"),
        d(28451332, NIKOLAEV, THINKS, G_BALC, "Остекление балкона (тёплое)", 138000.0, "Тёплый балкон с выносом")
            .at("06.11.2026 17:45", "15.11.2026 18:22").last("15.11.2026 18:20")
            .addr("ул. Маршала Казакова 52-1-388").source("Яндекс Карты").phone(&mob(NIKOLAEV))
            .thinks("27.11.2026 10:00", "Ждёт согласования с управляющей компанией")
            .note(1, "15.11.2026 18:20", "Клиент хочет тёплый балкон с выносом, ждёт разрешения управляющей компании на изменение фасада"),
        // ---- deals of the duplicate contacts ----------------------------------------------
        d(28451338, KUZMINA_1, WON, G_REP, "Замена стеклопакета", 16200.0, "Замена стеклопакета в гостиной")
            .at("20.08.2025 14:00", "05.09.2025 10:31").closed("05.09.2025 10:30").last("04.09.2025 12:15")
            .addr("ул. Руставели 13-2-58").contract("88/25").source("Сайт").phone(&mob(KUZMINA_1))
            .note(1, "04.09.2025 12:15", "Стеклопакет в гостиной заменён на двухкамерный, клиентка приняла работу, оплата картой"),
        d(28451345, BELOUSOV_1, FIRST, G_INST, "Окно ПВХ 2-створчатое", 42000.0, "Два окна в новую квартиру")
            .at("13.11.2026 09:20", "20.11.2026 11:47").last("20.11.2026 11:45")
            .addr("пр. Ударников 19-3-71").source("Сайт").phone(&mob(BELOUSOV_1))
            .note(1, "20.11.2026 11:45", "Клиент переезжает в новую квартиру, хочет поменять два окна до Нового года, просит расчёт с установкой"),
        d(28451351, ORLOVA_2, MEASURE, G_ADJ, "Регулировка фурнитуры", 3900.0, "Регулировка трёх окон")
            .at("17.11.2026 16:00", "21.11.2026 09:31").last("21.11.2026 09:30")
            .addr("ул. Седова 61-2-77").source("Сайт").phone(&mob(ORLOVA_2))
            .measure("27.11.2026 10:00", "Татьяна Сергеевна", "Регулировка трёх окон, одна створка не закрывается")
            .note(1, "21.11.2026 09:30", "Створка в спальне не закрывается до конца, мастер приедет на диагностику и регулировку 27 ноября"),
        d(28451357, FEDOROV_1, LOST, G_BALC, "Остекление лоджии (холодное)", 61000.0, "Холодное остекление лоджии")
            .at("02.06.2026 12:00", "14.07.2026 15:41").closed("14.07.2026 15:40").last("13.07.2026 11:00")
            .addr("ул. Кораблестроителей 30-1-514").source("Авито").phone(&mob(FEDOROV_1))
            .note(1, "13.07.2026 11:00", "Клиент решил отложить остекление лоджии на следующий год из-за ремонта в квартире"),
        // ---- partner Сидоров: own number on every deal, two client numbers ----------------
        d(28451364, SIDOROV, WON, G_INST, "Окно ПВХ 3-створчатое", 71500.0, "Окна, Ярослава Гашека (от Сидорова)")
            .at("04.03.2024 10:30", "15.04.2024 18:11").closed("15.04.2024 18:10").last("12.04.2024 14:00")
            .addr("Ярослава Гашека 11-2-87").contract("112/24").source("Прораб").with(|d| d.tags = "от прораба".into())
            .note(1, "12.04.2024 14:00", "Установили два трёхстворчатых окна, прораб принял объект, хозяйка квартиры оплатила по договору"),
        d(28451370, SIDOROV, MEASURE, G_ADJ, "Регулировка фурнитуры", 5400.0, "Регулировка, Купчинская")
            .at("18.11.2026 10:00", "21.11.2026 16:31").last("21.11.2026 16:30")
            .addr("Купчинская 4-3-22").source("Прораб").with(|d| d.tags = "от прораба".into())
            .measure("25.11.2026 11:00", "Хозяйка квартиры, Людмила", "Регулировка пяти окон и балконной двери")
            .note(1, "21.11.2026 16:30", "Прораб Сидоров (8 921 900-11-22) передал объект на Купчинской, хозяйка на связи по +7 911 234-56-02, замер 25.11 в 11:00, пять окон и дверь"),
        d(28451377, SIDOROV, WON, G_REP, "Замена уплотнителя", 8700.0, "Уплотнитель, Купчинская")
            .at("05.06.2025 09:00", "16.06.2025 12:01").closed("16.06.2025 12:00").last("14.06.2025 10:15")
            .addr("Купчинская 4-3-22").source("Прораб").with(|d| d.tags = "от прораба".into())
            .note(1, "14.06.2025 10:15", "Клиентка на Купчинской, номер для связи +7 911 234-56-02, заменили уплотнитель на четырёх окнах, претензий нет"),
        d(28451383, SIDOROV, FIRST, G_BALC, "Остекление балкона (тёплое)", 142000.0, "Тёплый балкон, Бухарестская")
            .at("10.11.2026 13:00", "19.11.2026 18:06").last("19.11.2026 18:05")
            .addr("Бухарестская 72-1-340").source("Прораб").with(|d| d.tags = "от прораба".into())
            .note(1, "19.11.2026 18:05", "Прораб готовит объект под остекление, просит расчёт тёплого балкона с выносом по подоконнику"),
        d(28451390, SIDOROV, LOST, G_INST, "Окно ПВХ 2-створчатое", 36000.0, "Окно, Салова")
            .at("14.05.2026 11:20", "03.06.2026 17:01").closed("03.06.2026 17:00").last("02.06.2026 15:30")
            .addr("Салова 27-64").source("Прораб").with(|d| d.tags = "от прораба".into())
            .note(1, "02.06.2026 15:30", "Заказчик прораба решил ставить окна своими силами, сделку закрываем"),
        // ---- partner Михайлов: a client number in a note, a number used at two addresses --
        d(28451396, MIKHAILOV, WON, G_INST, "Балконный блок ПВХ", 64000.0, "Балконный блок, Белградская")
            .at("20.09.2026 12:00", "28.10.2026 14:32").closed("28.10.2026 14:31").last("28.10.2026 14:30")
            .addr("Белградская 26-3-41").contract("204/26").source("Партнёр")
            .note(1, "28.10.2026 14:30", "Монтаж балконного блока выполнен, акт подписан, клиентка довольна")
            .note(2, "03.10.2026 11:20", "По объекту на Белградской звонить клиентке напрямую 8-921-611-20-33, монтаж после 15 октября"),
        d(28451403, MIKHAILOV, THINKS, G_REP, "Замена стеклопакета", 18900.0, "Стеклопакеты, Загребский")
            .at("09.11.2026 15:00", "20.11.2026 12:41").last("20.11.2026 12:40")
            .addr("Загребский бульвар 33-1-104").source("Партнёр")
            .thinks("27.11.2026 15:00", "Хозяйка хочет дождаться, пока съедут арендаторы")
            .note(1, "20.11.2026 12:40", "Хозяйка квартиры (8 952 377-81-09) хочет заменить два стеклопакета, на замер согласится после выезда арендаторов"),
        d(28451409, MIKHAILOV, LOST, G_ADJ, "Регулировка створок (сезонная)", 4800.0, "Регулировка, Будапештская")
            .at("01.09.2026 10:00", "14.09.2026 10:01").closed("14.09.2026 10:00").last("12.09.2026 17:10")
            .addr("Будапештская 97-2-15").source("Партнёр")
            .note(1, "12.09.2026 17:10", "Звонила хозяйка квартиры с номера 89523778109, от регулировки отказалась, квартиру продают"),
        d(28451416, MIKHAILOV, CONTRACT, G_INST, "Окно ПВХ 2-створчатое", 83000.0, "Три окна, Пражская")
            .at("26.10.2026 11:45", "22.11.2026 10:16").last("22.11.2026 10:15")
            .addr("Пражская 15-2-8").contract("236/26").source("Партнёр")
            .note(1, "22.11.2026 10:15", "Договор подписан с хозяйкой квартиры, бригада Михайлова монтирует три окна 3 декабря"),
        // ---- partner Григорьев: only his own numbers --------------------------------------
        d(28451422, GRIGORIEV, WON, G_BALC, "Остекление лоджии (холодное)", 58000.0, "Лоджия, Ленинский")
            .at("12.03.2025 10:00", "21.04.2025 16:01").closed("21.04.2025 16:00").last("18.04.2025 11:20")
            .addr("Ленинский пр. 140-6").contract("121/25").source("Прораб")
            .note(1, "18.04.2025 11:20", "Холодное остекление лоджии смонтировано, прораб принял работу, оплата по договору получена"),
        d(28451429, GRIGORIEV, MEASURE, G_INST, "Окно ПВХ 3-створчатое", 67000.0, "Окна, Ветеранов")
            .at("19.11.2026 12:00", "22.11.2026 15:11").last("22.11.2026 15:10")
            .addr("пр. Ветеранов 110-2-45").source("Прораб")
            .measure("28.11.2026 12:00", "Николай Степанович (прораб)", "Два трёхстворчатых окна в квартире после капремонта")
            .note(1, "22.11.2026 15:10", "Прораб ведёт капремонт квартиры, нужны два окна, замер согласовали на субботу в полдень, тел. прораба 8 911 409-63-28"),
        // ---- ordinary deals of cards that have planted card problems ----------------------
        d(28451435, ANDREEVA, FIRST, G_ADJ, "Регулировка фурнитуры", 3300.0, "Регулировка окон")
            .at("16.11.2026 12:10", "21.11.2026 13:01").last("21.11.2026 13:00")
            .addr("ул. Тамбасова 32-1-77").source("Сайт").phone("+7 (812) 336-71-50")
            .note(1, "21.11.2026 13:00", "Окна плохо прижимаются к раме, клиентка просит перевести фурнитуру в зимний режим"),
        d(28451442, OSIPOVA, WON, G_REP, "Замена уплотнителя", 7200.0, "Уплотнитель, 4 окна")
            .at("14.10.2025 10:00", "30.10.2025 15:01").closed("30.10.2025 15:00").last("29.10.2025 12:30")
            .addr("ул. Шотмана 7-1-90").source("Сайт").phone(&mob(OSIPOVA))
            .note(1, "29.10.2025 12:30", "Заменили уплотнитель на четырёх окнах, клиентка оплатила наличными мастеру"),
        // ---- DEAL001 ----------------------------------------------------------------------
        d(28451454, VOLKOV, WON, G_INST, "", 52000.0, "Два окна на дачу")
            .at("02.08.2026 10:00", "15.09.2026 17:01").closed("15.09.2026 17:00").last("14.09.2026 12:00")
            .addr("Всеволожск, ул. Садовая 12").contract("215/26").source("Сайт").phone(&mob(VOLKOV))
            .note(1, "14.09.2026 12:00", "Окна на даче установлены, клиент доволен, оплату получили полностью")
            .plant("DEAL001", "won deal with «Товар» blank"),
        d(28451461, DMITRIEV, FIRST, G_REP, "Ремонт ручки", 1500.0, "Сломалась ручка")
            .at("18.11.2026 09:00", "20.11.2026 11:01").last("20.11.2026 11:00")
            .addr("ул. Есенина 19-1-33").source("Звонок").phone(&mob(DMITRIEV))
            .plant("DEAL001", "no comment at all (Примечание 1 blank) — DEAL001, not DEAL002"),
        d(28451467, GUSEVA, CONTRACT, G_BALC, "Остекление балкона (тёплое)", 0.0, "Тёплый балкон")
            .at("02.11.2026 14:00", "19.11.2026 16:01").last("19.11.2026 16:00")
            .addr("ул. Турку 9-2-61").contract("241/26").source("Рекомендация знакомых").phone(&mob(GUSEVA))
            .note(1, "19.11.2026 16:00", "Договор подписан, сумму внесём после согласования сметы на отделку и утепление")
            .plant("DEAL001", "budget 0"),
        d(28451474, BARANOVA, LOST, "", "Замена стеклопакета", 12000.0, "Стеклопакет")
            .at("04.09.2026 10:00", "30.09.2026 12:01").closed("30.09.2026 12:00").last("29.09.2026 15:00")
            .addr("ул. Пионерстроя 6-1-14").source("Сайт").phone(&mob(BARANOVA))
            .note(1, "29.09.2026 15:00", "Клиентка нашла стеклопакет дешевле у частного мастера, от замены отказалась")
            .with(|d| d.pipeline = "Сервис".into())
            .plant("DEAL001", "lost deal with «Группа продуктов» blank"),
        d(28451480, SOKOLOVA, FIRST, G_ADJ, "Регулировка фурнитуры", 3800.0, "Заявка на регулировку")
            .with(|d| { d.contact_ids.clear(); d.contact_name.clear(); d.resp = KD; d.created_by = KD.into(); })
            .at("20.11.2026 11:30", "21.11.2026 12:01").last("21.11.2026 12:00")
            .addr("ул. Доблести 22-1-140").source("Сайт").phone("+7 (931) 406-19-85")
            .note(1, "21.11.2026 12:00", "Звонил мужчина по поводу регулировки трёх окон, контакт в карточку не внесли")
            .plant("DEAL001", "no contact (name and ID blank)")
            .plant("DEAL005", "no contact linked"),
        // ---- DEAL005 ----------------------------------------------------------------------
        d(28451487, LEBEDEVA, FIRST, G_ACC, "Подоконник ПВХ", 6400.0, "Подоконники на кухню и в комнату")
            .with(|d| d.contact_ids = format!("{}, {}", LEBEDEVA, STEPANOV))
            .at("15.11.2026 10:00", "20.11.2026 15:31").last("20.11.2026 15:30")
            .addr("ул. Звёздная 11-3-145").source("Повторное обращение").phone(&mob(LEBEDEVA))
            .note(1, "20.11.2026 15:30", "Нужны два подоконника: на кухню 1,8 м и в комнату 1,4 м, цвет белый глянец")
            .plant("DEAL005", "two IDs in «ID контакта»"),
        d(28451493, SOKOLOVA, CONTRACT, G_INST, "Окно ПВХ 2-створчатое", 45000.0, "Окно, Пулковское")
            .with(|d| { d.contact_ids = DELETED.to_string(); d.contact_name = "Тарасов Илья Маркович".into(); d.resp = PS; d.created_by = PS.into(); })
            .at("28.10.2026 12:00", "20.11.2026 10:31").last("20.11.2026 10:30")
            .addr("Пулковское ш. 14-5-220").contract("247/26").source("Авито").phone("+7 (911) 563-90-12")
            .note(1, "20.11.2026 10:30", "Договор подписан, окно изготавливается, монтаж на следующей неделе по согласованию")
            .plant("DEAL005", "ID контакта 45109999 is not in the contacts export"),
        // ---- DEAL002 ----------------------------------------------------------------------
        d(28451500, TIMOFEEV, FIRST, G_ADJ, "Регулировка фурнитуры", 2900.0, "Регулировка")
            .at("19.11.2026 10:00", "21.11.2026 17:01").last("21.11.2026 17:00")
            .addr("ул. Стойкости 26-2-38").source("Сайт")
            .note_raw(1, "НД")
            .plant("DEAL002", "comment «НД»"),
        d(28451506, KOMAROV, FIRST, G_REP, "Замена уплотнителя", 6800.0, "Уплотнитель")
            .at("17.11.2026 09:00", "19.11.2026 11:01").last("19.11.2026 11:00")
            .addr("пр. Стачек 77-1-12").source("Авито").phone(&mob(KOMAROV))
            .note_raw(1, "перезвонить.")
            .plant("DEAL002", "comment «перезвонить.»"),
        d(28451513, NAZAROV, FIRST, G_BALC, "Остекление лоджии (холодное)", 69000.0, "Лоджия")
            .at("12.11.2026 10:00", "16.11.2026 14:01").last("16.11.2026 14:00")
            .addr("ул. Ольги Форш 4-1-203").source("ВКонтакте").phone(&mob(NAZAROV))
            .note_raw(1, "Думает")
            .note(2, "12.11.2026 10:20", "Клиент интересуется холодным остеклением лоджии 6 метров, попросил прислать примеры работ")
            .plant("DEAL002", "latest comment «Думает» (an older detailed note does not count)"),
        d(28451519, KOVALEVA, LOST, G_INST, "Окно ПВХ 2-створчатое", 31000.0, "Окно")
            .at("03.09.2026 12:00", "10.10.2026 12:01").closed("10.10.2026 12:00").last("09.10.2026 18:00")
            .addr("ул. Нахимова 3-2-66").source("Сайт").phone(&mob(KOVALEVA))
            .note_raw(1, "сбросил")
            .plant("DEAL002", "closed deal, comment «сбросил»"),
        d(28451526, EFIMOV, FIRST, G_ACC, "Москитная сетка", 1900.0, "Сетки")
            .at("18.11.2026 16:00", "22.11.2026 11:01").last("22.11.2026 11:00")
            .addr("ул. Белы Куна 30-1-5").source("Звонок").phone(&mob(EFIMOV))
            .note_raw(1, "Пообщались, перезвонить")
            .plant("DEAL002", "comment made only of stop-list phrases «Пообщались, перезвонить»"),
        // ---- DEAL003 ----------------------------------------------------------------------
        d(28451532, OSIPOVA, THINKS, G_REP, "Замена стеклопакета", 16500.0, "Два стеклопакета")
            .at("18.06.2026 09:30", "20.11.2026 09:14").last("02.07.2026 10:25")
            .addr("ул. Шотмана 7-1-90").source("Яндекс Карты").phone(&mob(OSIPOVA))
            .thinks("16.07.2026 11:00", "Хочет сначала сравнить цены")
            .note(1, "02.07.2026 10:25", "Выслала расчёт на замену двух стеклопакетов, клиентка сравнивает с предложением конкурента")
            .plant("DEAL003", "Дата последнего контакта 02.07.2026 (the recent Дата редактирования does not count)"),
        d(28451539, ANDREEVA, FIRST, G_INST, "Окно ПВХ 3-створчатое", 58000.0, "Окна на дачу")
            .at("30.07.2026 09:12", "14.08.2026 16:40")
            .addr("Гатчина, ул. Чкалова 41").source("Сайт").phone("+7 (812) 336-71-50")
            .note_raw(1, "Клиентка строит дачу, окна нужны к весне, просила прислать каталог профилей и цены на ламинацию")
            .plant("DEAL003", "no contact date and no dated note: Дата редактирования 14.08.2026"),
        d(28451545, NIKITINA, CONTRACT, G_BALC, "Отделка балкона", 88000.0, "Отделка балкона")
            .at("15.08.2026 10:00", "19.11.2026 11:02")
            .addr("ул. Подвойского 14-2-91").contract("188/26").source("Сайт").phone(&mob(NIKITINA))
            .note(1, "28.08.2026 16:05", "Договор подписан, ждём поступления вагонки, монтаж согласуем после оплаты")
            .note(2, "20.08.2026 12:30", "Согласовали смету на отделку балкона, клиентка вносит предоплату 50%")
            .plant("DEAL003", "no contact date; latest dated note 28.08.2026 (Дата редактирования 19.11.2026 does not count)"),
        d(28451552, KRYLOV, MEASURE, G_ADJ, "Регулировка створок (сезонная)", 4500.0, "Сезонная регулировка")
            .at("05.09.2026 11:00", "10.09.2026 18:01").last("10.09.2026 18:00")
            .addr("ул. Бутлерова 9-1-48").source("Сайт").phone(&mob(KRYLOV))
            .measure("12.09.2026 10:00", "Максим", "Сезонная регулировка пяти окон")
            .note(1, "10.09.2026 18:00", "Договорились о выезде мастера в субботу, клиент просит перевести все окна в зимний режим")
            .plant("DEAL003", "last contact 10.09.2026, two weeks past the two-month window"),
        // ---- DEAL004 ----------------------------------------------------------------------
        d(28451558, POLYAKOVA, FIRST, G_ADJ, "Регулировка фурнитуры", 3200.0, "Регулировка окон")
            .at("10.11.2026 10:00", "18.11.2026 12:01").last("18.11.2026 12:00")
            .addr("ул. Композиторов 12-1-210").source("Сайт").phone(&mob(POLYAKOVA))
            .note(1, "18.11.2026 12:00", "Клиентка просит отрегулировать окна в спальне, створки плохо закрываются")
            .plant("DEAL004", "second open «Регулировка» deal of 45102507 (with 28451565)"),
        d(28451565, POLYAKOVA, MEASURE, G_ADJ, "Регулировка створок (сезонная)", 5200.0, "Регулировка, замер")
            .at("16.11.2026 13:00", "21.11.2026 15:01").last("21.11.2026 15:00")
            .addr("ул. Композиторов 12-1-210").source("Повторное обращение").phone(&mob(POLYAKOVA))
            .measure("25.11.2026 16:00", "Дарья Алексеевна", "Сезонная регулировка шести окон")
            .note(1, "21.11.2026 15:00", "Клиентка оставила повторную заявку с сайта, назначен выезд мастера на 25 ноября")
            .plant("DEAL004", "second open «Регулировка» deal of 45102507 (with 28451558)"),
        d(28451571, SOLOVIEVA, THINKS, G_BALC, "Остекление балкона (тёплое)", 154000.0, "Тёплый балкон")
            .at("01.11.2026 10:00", "17.11.2026 17:01").last("17.11.2026 17:00")
            .addr("пр. Энгельса 132-1-77").source("Яндекс Директ").phone(&mob(SOLOVIEVA))
            .thinks("30.11.2026 12:00", "Сравнивает с предложением застройщика")
            .note(1, "17.11.2026 17:00", "Клиентка выбирает между тёплым остеклением и панорамным, просит время до конца месяца")
            .plant("DEAL004", "two open «Балконы» deals of 45102576 (with 28451578)"),
        d(28451578, SOLOVIEVA, CONTRACT, G_BALC, "Отделка балкона", 72000.0, "Отделка балкона")
            .at("05.11.2026 12:00", "20.11.2026 10:01").last("20.11.2026 10:00")
            .addr("пр. Энгельса 132-1-77").contract("244/26").source("Яндекс Директ").phone(&mob(SOLOVIEVA))
            .note(1, "20.11.2026 10:00", "Подписали договор на отделку балкона панелями ПВХ, монтаж после остекления")
            .plant("DEAL004", "«Договор заключён» is still open: with 28451571"),
        // ---- DEAL006 ----------------------------------------------------------------------
        d(28451584, LENSOVETA, MEASURE, G_INST, "Окно ПВХ 2-створчатое", 41000.0, "Окно, Ленсовета")
            .at("19.11.2026 14:00", "21.11.2026 11:01").last("21.11.2026 11:00")
            .addr("Ленсовета 88-1-15").source("Сайт").phone(&mob(LENSOVETA))
            .measure("", "Хозяин квартиры", "Замена окна на кухне")
            .note(1, "21.11.2026 11:00", "Клиент готов на замер, но дату пока не назвал, ждёт график смен")
            .plant("DEAL006", "«Замер» without «Дата и время замера»"),
        d(28451590, SHIRYAEV, MEASURE, G_REP, "Замена уплотнителя", 7400.0, "Уплотнитель")
            .at("18.11.2026 10:00", "22.11.2026 14:01").last("22.11.2026 14:00")
            .addr("ул. Бассейная 41-3-12").source("Авито").phone(&mob(SHIRYAEV))
            .measure("26.11.2026 09:00", "", "")
            .note(1, "22.11.2026 14:00", "Замер назначен на четверг утром, клиент жалуется на продувание окон в комнате")
            .plant("DEAL006", "«Замер» without «Контактное лицо» and «Объём работ»"),
        d(28451597, MAKAROV, THINKS, G_INST, "Окно ПВХ 3-створчатое", 59000.0, "Окно в зал")
            .at("10.11.2026 10:00", "19.11.2026 13:01").last("19.11.2026 13:00")
            .addr("ул. Орджоникидзе 42-1-67").source("Звонок")
            .thinks("25.11.2026 12:00", "")
            .note(1, "19.11.2026 13:00", "Клиент получил расчёт на трёхстворчатое окно в зал, обсуждает с женой цвет ламинации")
            .plant("DEAL006", "«Думает» without «Причина отказа от замера»"),
        d(28451603, KUZMINA_2, THINKS, G_ADJ, "Регулировка фурнитуры", 3600.0, "Регулировка")
            .at("12.11.2026 10:00", "18.11.2026 16:01").last("18.11.2026 16:00")
            .addr("ул. Руставели 13-2-58").source("Сайт").phone(&mob(KUZMINA_2))
            .thinks("", "Пока не готова пускать мастера, в квартире ремонт")
            .note(1, "18.11.2026 16:00", "Клиентка хочет регулировку после окончания ремонта, просила не беспокоить до декабря")
            .plant("DEAL006", "«Думает» without «Дата следующего контакта»"),
    ];
    // ---- unsorted requests and trash: not deals proper ------------------------------------
    let raw = |id: u64, stage: &'static str, created: &str| Deal {
        id,
        name: format!("Сделка #{id}"),
        resp: IA,
        created_by: "Робот".into(),
        stage,
        pipeline: "Продажи".into(),
        created: Some(dt(created)),
        edited: Some(dt(created)),
        ..Default::default()
    };
    v.push(
        raw(28452137, UNSORTED, "21.11.2026 18:42")
            .with(|d| { d.name = "Сообщение WhatsApp".into(); d.contact_name = "Ирина (WhatsApp)".into(); d.client_phone = "+7 911 208-44-19".into(); d.source = "WhatsApp".into(); })
            .note(1, "21.11.2026 18:42", "Входящее сообщение: здравствуйте, сколько стоит поменять уплотнитель на трёх окнах?")
            .plant("DEAL007", "unsorted since 21.11.2026 18:42 (≈41 h)"),
    );
    v.push(
        raw(28452141, UNSORTED, "23.11.2026 10:00")
            .with(|d| {
                d.name = "Заявка с сайта".into();
                d.contact_name = "Алексей".into();
                d.client_phone = "+7 (921) 556-03-17".into();
                d.source = "Сайт".into();
            })
            .note(
                1,
                "23.11.2026 10:00",
                "Заявка с сайта: нужно отрегулировать четыре окна, сильно продувает",
            )
            .plant("DEAL007", "unsorted for 2 hours"),
    );
    v.push(raw(28452145, UNSORTED, "23.11.2026 11:55").with(|d| {
        d.name = "Входящий звонок".into();
        d.client_phone = "+7 (999) 145-62-08".into();
    }));
    v.push(
        raw(28451987, TRASH, "02.10.2026 13:20").with(|d| d.edited = Some(dt("02.10.2026 13:25"))),
    );
    v.push(
        raw(28452033, TRASH, "30.10.2026 09:10")
            .with(|d| {
                d.name = "Спам с сайта".into();
                d.edited = Some(dt("30.10.2026 09:40"));
                d.resp = KD;
            })
            .note_raw(1, "НД"),
    );
    v.sort_by_key(|d| d.id);
    v
}

// ---------------------------------------------------------------------------------------------
// Client base
// ---------------------------------------------------------------------------------------------

/// (Номер договора, ФИО клиента, Телефон, Адрес)
fn client_base() -> Vec<[&'static str; 4]> {
    vec![
        [
            "5/23",
            "Ткаченко Валентина Ивановна",
            "+7 (921) 742-19-05",
            "Санкт-Петербург, ул. Софийская, д. 34, к. 1, кв. 71",
        ],
        [
            "17/23",
            "Морозова Наталья Геннадьевна",
            "+79819023145",
            "Санкт-Петербург, Бухарестская ул., д. 118, к. 3, кв. 9",
        ],
        [
            "42/23",
            "Рыбаков Леонид Аркадьевич",
            "8 (911) 160-33-48",
            "Санкт-Петербург, ул. Ивановская, д. 20, кв. 15",
        ],
        [
            "61/24",
            "Фролов Михаил Борисович",
            "+7 (981) 155-63-08",
            "Санкт-Петербург, Каменноостровский пр., д. 64, кв. 17",
        ],
        [
            "76/24",
            "Голованова Лариса Фёдоровна",
            "89052140987",
            "Санкт-Петербург, ул. Бадаева, д. 6, к. 1, кв. 202",
        ],
        [
            "112/24",
            "Лаврентьева Галина Петровна",
            "+7 921 345-67-01",
            "Санкт-Петербург, ул. Ярослава Гашека, д. 11, к. 2, кв. 87",
        ],
        [
            "150/24",
            "Карпов Юрий Семёнович",
            "+7 (921) 908-54-36",
            "Санкт-Петербург, ул. Народная, д. 98, кв. 40",
        ],
        [
            "19/25",
            "Широкова Эльвира Ринатовна",
            "+7 (952) 266-71-30",
            "Санкт-Петербург, пр. Луначарского, д. 11, кв. 305",
        ],
        [
            "64/25",
            "Соколова Мария Ивановна",
            "+7 (921) 345-18-72",
            "Санкт-Петербург, пр. Славы, д. 40, к. 1, кв. 112",
        ],
        [
            "88/25",
            "Кузьмина Елена Викторовна",
            "+7 (921) 418-27-53",
            "Санкт-Петербург, ул. Руставели, д. 13, к. 2, кв. 58",
        ],
        [
            "97/25",
            "Захаров Игорь Олегович",
            "+7 921 502-36-84",
            "Санкт-Петербург, пр. Космонавтов, д. 37, к. 2, кв. 19",
        ],
        [
            "121/25",
            "Алексеева Зоя Михайловна",
            "+7 (911) 772-40-16",
            "Санкт-Петербург, Ленинский пр., д. 140, кв. 6",
        ],
        [
            "132/26",
            "Степанов Роман Викторович",
            "+7 921 660 91 35",
            "Санкт-Петербург, ул. Коллонтай, д. 5, к. 1, кв. 231",
        ],
        [
            "143/26",
            "Павлова Светлана Юрьевна",
            "+7 (911) 938-40-27",
            "Санкт-Петербург, ул. Типанова, д. 21, к. 4, кв. 18",
        ],
        [
            "188/26",
            "Никитина Ирина Сергеевна",
            "+7 (921) 289-03-64",
            "Санкт-Петербург, ул. Подвойского, д. 14, к. 2, кв. 91",
        ],
        [
            "198/26",
            "ООО «СтройМастер» (Жукова О.В.)",
            "+7 999 204-18-63",
            "Санкт-Петербург, Московский пр., д. 171, офис 5",
        ],
        [
            "215/26",
            "Волков Станислав Игоревич",
            "+7 (999) 381-56-72",
            "Ленинградская обл., г. Всеволожск, ул. Садовая, д. 12",
        ],
        [
            "226/26",
            "Лебедева Анастасия Игоревна",
            "89062273918",
            "Санкт-Петербург, ул. Звёздная, д. 11, к. 3, кв. 145",
        ],
        [
            "229/26",
            "Сергеева Юлия Дмитриевна",
            "+7 (999) 517-80-36",
            "Санкт-Петербург, ул. Одоевского, д. 27, к. 1, кв. 12",
        ],
        [
            "231/26",
            "Васильев Андрей Петрович",
            "89117654310",
            "Санкт-Петербург, ул. Олеко Дундича, д. 8, к. 2, кв. 56",
        ],
        [
            "236/26",
            "Рябова Надежда Петровна",
            "+7 921 430-55-86",
            "Санкт-Петербург, Пражская ул., д. 15, к. 2, кв. 8",
        ],
        [
            // a register entry under no deal's contract, at the address of a deal of Михайлов
            "Р-311",
            "Рябова Надежда Петровна",
            "8 (911) 845-30-12",
            "Санкт-Петербург, Пражская ул., д. 15, к. 2, кв. 8",
        ],
        [
            "238/26",
            "Орлова Татьяна Сергеевна",
            "+7 (911) 845-02-61",
            "Санкт-Петербург, ул. Седова, д. 61, к. 2, кв. 77",
        ],
        [
            "241/26",
            "Гусева Вера Павловна",
            "+7 (931) 558-12-07",
            "Санкт-Петербург, ул. Турку, д. 9, к. 2, кв. 61",
        ],
        [
            "244/26",
            "Соловьёва Инна Борисовна",
            "+7 (921) 817-64-02",
            "Санкт-Петербург, пр. Энгельса, д. 132, к. 1, кв. 77",
        ],
        [
            "247/26",
            "Тарасов Илья Маркович",
            "+7 (911) 563-90-12",
            "Санкт-Петербург, Пулковское ш., д. 14, к. 5, кв. 220",
        ],
    ]
}

// ---------------------------------------------------------------------------------------------
// Flow CRM applications
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Default)]
struct App {
    no: u64,
    fio: String,
    active: bool,
    status: String,
    snils: String,
    email: String,
    birthday: Option<NaiveDate>,
    phone: String,
    source: String,
    submitted: Option<NaiveDateTime>,
    resp: String,
    rr_id: String,
    rr_program: String,
    rr_submitted: Option<NaiveDateTime>,
    rr_status: String,
    planted: Planted,
}

/// A valid СНИЛС from nine digits.
fn snils(first9: &str) -> String {
    let d: Vec<u8> = first9.bytes().map(|b| b - b'0').collect();
    let a: [u8; 9] = d.try_into().expect("nine digits");
    common::snils_format(&a, common::snils_check(&a))
}

/// A СНИЛС whose check number is off by `delta`.
fn snils_bad(first9: &str, delta: u8) -> String {
    let d: Vec<u8> = first9.bytes().map(|b| b - b'0').collect();
    let a: [u8; 9] = d.try_into().expect("nine digits");
    common::snils_format(&a, (common::snils_check(&a) + delta) % 100)
}

fn apps() -> Vec<App> {
    const PROGRAMS: [&str; 4] = [
        "Монтажник оконных конструкций ПВХ (144 ч)",
        "Оператор ЭВМ (72 ч)",
        "Бухгалтерский учёт и 1С (256 ч)",
        "Менеджер по продажам (120 ч)",
    ];
    #[allow(clippy::too_many_arguments)]
    fn a(
        no: u64,
        fio: &str,
        active: bool,
        status: &str,
        snils: String,
        email: &str,
        bd: &str,
        phone: &str,
        source: &str,
        submitted: &str,
        resp: &str,
    ) -> App {
        App {
            no,
            fio: fio.into(),
            active,
            status: status.into(),
            snils,
            email: email.into(),
            birthday: if bd.is_empty() {
                None
            } else {
                Some(NaiveDate::parse_from_str(bd, "%d.%m.%Y").expect("date"))
            },
            phone: phone.into(),
            source: source.into(),
            submitted: Some(dt(submitted)),
            resp: resp.into(),
            ..Default::default()
        }
    }
    // portal fields filled the way the integration fills them
    let rr = |mut x: App, rr_no: &str, prog: usize, status: &str| {
        x.rr_id = rr_no.into();
        x.rr_program = PROGRAMS[prog].into();
        x.rr_submitted = x.submitted.map(|t| t - chrono::Duration::minutes(7));
        x.rr_status = status.into();
        x
    };
    let plant = |mut x: App, rule: &'static str, note: &str| {
        x.planted.push((rule, note.into()));
        x
    };
    const KM: &str = "Козлова Марина";
    const SA: &str = "Широков Антон";
    vec![
        rr(
            a(
                10401,
                "Абрамова Светлана Викторовна",
                true,
                "Документы приняты",
                snils("128437905"),
                "s.abramova@mail.ru",
                "11.03.1990",
                "+7 (921) 503-44-12",
                "Работа России",
                "02.10.2026 10:14",
                KM,
            ),
            "RR-2026-0871342",
            0,
            "Обучение",
        ),
        a(
            10402,
            "Борисов Константин Андреевич",
            true,
            "В работе",
            snils("137502846"),
            "k.borisov@yandex.ru",
            "27.06.1985",
            "89119034517",
            "Сайт",
            "15.10.2026 16:40",
            SA,
        ),
        a(
            10403,
            "Власова Дарья Игоревна",
            false,
            "Завершена",
            snils("146093718"),
            "dasha.vlasova@gmail.com",
            "04.12.1996",
            "+7 952 611-08-39",
            "Звонок",
            "20.03.2026 11:05",
            KM,
        ),
        rr(
            a(
                10404,
                "Гаврилов Максим Олегович",
                true,
                "Новая",
                snils("151820634"),
                "m.gavrilov@mail.ru",
                "19.09.1979",
                "+7 (931) 245-60-71",
                "РАБОТА РОССИИ ",
                "18.11.2026 09:30",
                SA,
            ),
            "RR-2026-0912005",
            0,
            "Подана",
        ),
        plant(
            a(
                10405,
                "Денисова Анна Павловна",
                true,
                "Новая",
                snils("163749205"),
                "",
                "08.05.1992",
                "+7 (981) 447-12-90",
                "Сайт",
                "19.11.2026 12:20",
                KM,
            ),
            "FLOW001",
            "Email blank",
        ),
        plant(
            a(
                10406,
                "Егоров Владислав Сергеевич",
                true,
                "В работе",
                snils("170358426"),
                "v.egorov@yandex.ru",
                "23.01.1988",
                "",
                "Звонок",
                "12.11.2026 14:00",
                SA,
            ),
            "FLOW001",
            "Телефон blank",
        ),
        plant(
            a(
                10407,
                "Жданова Полина Романовна",
                true,
                "Новая",
                snils_bad("184620937", 1),
                "p.zhdanova@mail.ru",
                "30.07.1994",
                "+7 (999) 318-25-47",
                "Сайт",
                "16.11.2026 10:45",
                KM,
            ),
            "FLOW002",
            "СНИЛС check number off by one",
        ),
        plant(
            rr(
                a(
                    10408,
                    "Зайцев Илья Дмитриевич",
                    true,
                    "Документы приняты",
                    snils_bad("192735046", 11),
                    "ilya.zaitsev@gmail.com",
                    "14.02.1983",
                    "+7 (911) 675-39-02",
                    "Работа России",
                    "05.11.2026 11:11",
                    SA,
                ),
                "RR-2026-0899417",
                1,
                "Обучение",
            ),
            "FLOW002",
            "СНИЛС check number wrong",
        ),
        plant(
            a(
                10409,
                "Исаева Маргарита Олеговна",
                true,
                "Новая",
                "154-862-371 9".into(),
                "m.isaeva@bk.ru",
                "02.10.1991",
                "+7 (965) 230-14-88",
                "Звонок",
                "20.11.2026 15:30",
                KM,
            ),
            "FLOW002",
            "СНИЛС has 10 digits",
        ),
        // one person, three applications by СНИЛС: the middle active one is redundant
        rr(
            a(
                10410,
                "Калинин Роман Евгеньевич",
                false,
                "Отклонена",
                snils("205614837"),
                "r.kalinin@mail.ru",
                "09.11.1987",
                "+7 (921) 780-26-53",
                "Работа России",
                "14.03.2026 10:00",
                SA,
            ),
            "RR-2026-0210554",
            1,
            "Отклонена",
        ),
        plant(
            rr(
                a(
                    10411,
                    "Калинин Роман Евгеньевич",
                    true,
                    "В работе",
                    snils("205614837"),
                    "r.kalinin@mail.ru",
                    "09.11.1987",
                    "+7 (921) 780-26-53",
                    "Работа России",
                    "20.08.2026 13:25",
                    SA,
                ),
                "RR-2026-0655120",
                2,
                "Обучение",
            ),
            "FLOW003",
            "same СНИЛС as 10412, which is active and newer",
        ),
        rr(
            a(
                10412,
                "Калинин Роман Евгеньевич",
                true,
                "Новая",
                snils("205614837"),
                "kalinin.roman@yandex.ru",
                "09.11.1987",
                "+7 (904) 552-18-90",
                "Работа России",
                "05.11.2026 09:50",
                KM,
            ),
            "RR-2026-0890006",
            0,
            "Подана",
        ),
        // one person by ФИО + birthday + phone (second application without СНИЛС)
        plant(
            a(
                10413,
                "Лаптева Оксана Юрьевна",
                true,
                "Документы приняты",
                snils("214905368"),
                "o.lapteva@mail.ru",
                "19.07.1988",
                "+7 (911) 402-67-35",
                "Сайт",
                "10.09.2026 17:00",
                KM,
            ),
            "FLOW003",
            "same ФИО, birthday and phone as 10414, which is active and newer",
        ),
        plant(
            a(
                10414,
                "Лаптева Оксана Юрьевна",
                true,
                "Новая",
                String::new(),
                "oksana.lapteva@gmail.com",
                "19.07.1988",
                "8 911 402 67 35",
                "Звонок",
                "12.11.2026 11:30",
                SA,
            ),
            "FLOW001",
            "СНИЛС blank",
        ),
        // same person, but only one application is active: fine
        a(
            10415,
            "Медведев Артур Ринатович",
            false,
            "Завершена",
            snils("226381057"),
            "a.medvedev@mail.ru",
            "25.04.1975",
            "+7 (981) 319-40-26",
            "Сайт",
            "20.11.2025 10:00",
            KM,
        ),
        a(
            10416,
            "Медведев Артур Ринатович",
            true,
            "В работе",
            snils("226381057"),
            "a.medvedev@mail.ru",
            "25.04.1975",
            "+7 (981) 319-40-26",
            "Сайт",
            "15.10.2026 12:00",
            KM,
        ),
        // namesakes: two different people, both active: fine
        a(
            10417,
            "Новикова Елена Александровна",
            true,
            "В работе",
            snils("238150946"),
            "novikova.ea@mail.ru",
            "13.01.1990",
            "+7 (921) 657-03-18",
            "Сайт",
            "28.10.2026 14:10",
            SA,
        ),
        a(
            10418,
            "Новикова Елена Александровна",
            true,
            "Новая",
            snils("241069375"),
            "elena.novikova78@yandex.ru",
            "06.06.1978",
            "+7 (952) 874-22-61",
            "Звонок",
            "17.11.2026 16:20",
            KM,
        ),
        plant(
            rr(
                a(
                    10419,
                    "Олейник Дмитрий Васильевич",
                    true,
                    "Новая",
                    snils("253907148"),
                    "d.oleynik@mail.ru",
                    "17.08.1986",
                    "+7 (999) 120-75-34",
                    "Работа России",
                    "21.11.2026 10:05",
                    SA,
                ),
                "RR-2026-0921788",
                3,
                "",
            ),
            "FLOW004",
            "portal application, «РР: Статус» blank",
        ),
        plant(
            rr(
                a(
                    10420,
                    "Пахомова Ирина Степановна",
                    true,
                    "В работе",
                    snils("267418530"),
                    "i.pakhomova@yandex.ru",
                    "03.03.1993",
                    "+7 (931) 508-91-46",
                    "работа  в России",
                    "09.11.2026 13:40",
                    KM,
                ),
                "RR-2026-0902311",
                0,
                "Обучение",
            )
            .with_rr_program(""),
            "FLOW004",
            "source «работа  в России», «РР: Программа» blank",
        ),
        plant(
            rr(
                a(
                    10421,
                    "Родионов Евгений Маратович",
                    true,
                    "Новая",
                    snils("279045613"),
                    "e.rodionov@gmail.com",
                    "29.10.1981",
                    "+7 (965) 733-20-19",
                    "",
                    "22.11.2026 18:15",
                    SA,
                ),
                "RR-2026-0925430",
                2,
                "Подана",
            )
            .with_rr_submitted(None),
            "FLOW004",
            "Источник blank but «РР: ID заявки» filled; «РР: Дата подачи» blank",
        ),
        rr(
            a(
                10422,
                "Савельева Татьяна Николаевна",
                true,
                "Документы приняты",
                snils("280617394"),
                "t.saveleva@mail.ru",
                "21.12.1984",
                "+7 (911) 246-58-03",
                "работа  в России",
                "30.10.2026 09:15",
                KM,
            ),
            "RR-2026-0871990",
            1,
            "Обучение",
        ),
        a(
            10423,
            "Титов Александр Игоревич",
            true,
            "В работе",
            snils("294061827"),
            "a.titov@yandex.ru",
            "15.05.1997",
            "+7 (921) 390-82-47",
            "Сайт",
            "11.11.2026 11:00",
            SA,
        ),
        rr(
            a(
                10424,
                "Устинова Вероника Андреевна",
                true,
                "Новая",
                snils("305829461"),
                "v.ustinova@mail.ru",
                "08.08.1999",
                "+7 (981) 665-09-12",
                "Работа России",
                "20.11.2026 08:55",
                KM,
            ),
            "RR-2026-0919263",
            0,
            "Подана",
        ),
        a(
            10425,
            "Филиппов Григорий Львович",
            false,
            "Отклонена",
            snils("316470259"),
            "g.filippov@gmail.com",
            "12.02.1972",
            "+7 (904) 781-36-20",
            "Звонок",
            "01.07.2026 10:30",
            SA,
        ),
    ]
}

impl App {
    fn with_rr_program(mut self, s: &str) -> Self {
        self.rr_program = s.into();
        self
    }
    fn with_rr_submitted(mut self, t: Option<NaiveDateTime>) -> Self {
        self.rr_submitted = t;
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Expected split plan (hand-written; the checker recomputes it)
// ---------------------------------------------------------------------------------------------

/// (partner id, phone E.164, action, new contact name)
const SPLIT: &[(u64, &str, &str, &str)] = &[
    (cid::SIDOROV, "+78126402215", "keep", ""),
    (cid::SIDOROV, "+79219001122", "keep", ""),
    (cid::SIDOROV, "+79112345602", "move", "Купчинская 4-3-22"),
    (
        cid::SIDOROV,
        "+79213456701",
        "move",
        "Лаврентьева Галина Петровна",
    ),
    (cid::MIKHAILOV, "+79817004512", "keep", ""),
    (
        cid::MIKHAILOV,
        "+79118453012",
        "move",
        "Рябова Надежда Петровна",
    ),
    (
        cid::MIKHAILOV,
        "+79216112033",
        "move",
        "Белградская 26-3-41",
    ),
    (cid::MIKHAILOV, "+79523778109", "review", ""),
    (cid::GRIGORIEV, "+78122449017", "keep", ""),
    (cid::GRIGORIEV, "+79114096328", "keep", ""),
    (cid::GRIGORIEV, "+79645128803", "keep", ""),
    (cid::ERSHOV, "+79996307241", "review", ""),
    (cid::ERSHOV, "+79651180493", "review", ""),
];

// =============================================================================================
// Independent checker: RULES-SEMANTICS.md re-implemented naively over the in-memory records.
// =============================================================================================

mod check {
    use super::*;

    pub fn fold(s: &str) -> String {
        s.to_lowercase().replace('ё', "е")
    }

    /// Blank: empty after trim, or a placeholder.
    pub fn blank(s: &str) -> bool {
        let t = fold(s.trim());
        t.is_empty() || ["-", "—", "нет", "н/д", "не указан"].contains(&t.as_str())
    }

    pub fn items(cell: &str) -> Vec<String> {
        cell.split([',', ';', '\n'])
            .map(|s| s.trim().to_string())
            .filter(|s| !blank(s))
            .collect()
    }

    /// E.164 of a phone item, or None when it is not a valid number.
    pub fn phone(item: &str) -> Option<String> {
        let mut s = item.trim().trim_start_matches('\'').to_string();
        let low = fold(&s);
        for ext in ["доб", "доп", "ext"] {
            if let Some(i) = low.find(ext) {
                s = s[..i].to_string();
                break;
            }
        }
        let s = s.trim().trim_end_matches(".0").to_string();
        if s.chars().any(|c| c.is_alphabetic()) {
            return None;
        }
        let plus = s.starts_with('+');
        let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
        let e = match digits.len() {
            11 if !plus && digits.starts_with('8') => format!("7{}", &digits[1..]),
            11 if digits.starts_with('7') => digits.clone(),
            10 if !plus => format!("7{digits}"),
            _ if plus => digits.clone(),
            _ => return None,
        };
        // The phonenumber crate (0.3.10) drops the leading 8 of RU area codes (812, 8xx):
        // accept those by length, validate everything else with the crate.
        if e.len() == 11 && e.starts_with("78") {
            return Some(format!("+{e}"));
        }
        let n = phonenumber::parse(None, format!("+{e}")).ok()?;
        phonenumber::is_valid(&n).then(|| format!("+{e}"))
    }

    pub fn email_ok(e: &str) -> bool {
        let parts: Vec<&str> = e.split('@').collect();
        if parts.len() != 2 || parts[0].is_empty() {
            return false;
        }
        let ok = |c: char| c.is_ascii_alphanumeric() || "._-+".contains(c);
        let dom: Vec<&str> = parts[1].split('.').collect();
        parts[0].chars().all(ok)
            && dom.len() >= 2
            && dom.iter().all(|l| !l.is_empty() && l.chars().all(ok))
            && dom
                .last()
                .is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()))
    }

    #[derive(PartialEq, Debug)]
    pub enum Bd {
        Missing,
        Valid(NaiveDate),
        Invalid,
    }

    pub fn birthday(s: &str) -> Bd {
        if blank(s) {
            return Bd::Missing;
        }
        match NaiveDate::parse_from_str(s.trim(), "%d.%m.%Y") {
            Ok(d) if d == NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() => Bd::Invalid,
            Ok(d) if d > as_of().date() || d.year() < 1900 => Bd::Invalid,
            Ok(d) => Bd::Valid(d),
            Err(_) => Bd::Invalid,
        }
    }

    fn name_tokens(s: &str) -> Vec<String> {
        let mut t: Vec<String> = fold(s).split_whitespace().map(str::to_string).collect();
        t.sort();
        t
    }

    fn lev(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for i in 1..=a.len() {
            let mut cur = vec![i; b.len() + 1];
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            }
            prev = cur;
        }
        prev[b.len()]
    }

    /// Names match: same tokens in any order, one a ≥2-token subset of the other (patronymic
    /// missing), or the same token count with at most two typos in total.
    pub fn names_match(a: &str, b: &str) -> bool {
        let (ta, tb) = (name_tokens(a), name_tokens(b));
        if ta.is_empty() || tb.is_empty() {
            return false;
        }
        if ta == tb {
            return true;
        }
        let (small, big) = if ta.len() <= tb.len() {
            (&ta, &tb)
        } else {
            (&tb, &ta)
        };
        if small.len() >= 2 && small.iter().all(|t| big.contains(t)) {
            return true;
        }
        if ta.len() == tb.len() && ta.iter().zip(&tb).map(|(x, y)| lev(x, y)).sum::<usize>() <= 2 {
            return true;
        }
        // the project's own configuration compares sorted, folded names with Jaro-Winkler
        // (rules/default.toml: name_similarity = 0.93); a decoy must not pass that either
        strsim::jaro_winkler(&ta.join(" "), &tb.join(" ")) >= 0.93
    }

    pub fn is_partner(c: &Contact) -> bool {
        let t = fold(&c.tags);
        ["прораб", "партнер"].iter().any(|w| t.contains(w))
    }

    pub fn contact_phones(c: &Contact) -> Vec<String> {
        [&c.work, &c.direct, &c.mobile, &c.fax, &c.home, &c.other]
            .iter()
            .flat_map(|cell| items(cell))
            .filter_map(|i| phone(&i))
            .collect()
    }

    fn folded_words(s: &str) -> Vec<String> {
        fold(s)
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect::<String>()
            .split_whitespace()
            .map(str::to_string)
            .collect()
    }

    /// The note text after an amoCRM «dd.mm.yyyy HH:MM Автор И.:» prefix, and the prefix date.
    pub fn split_note(n: &str) -> (Option<NaiveDateTime>, &str) {
        let n = n.trim();
        if n.len() >= 16 {
            if let Ok(t) = NaiveDateTime::parse_from_str(&n[..16], "%d.%m.%Y %H:%M") {
                let rest = &n[16..];
                let body = match rest.find(':') {
                    Some(i) if i < 40 => &rest[i + 1..],
                    _ => rest,
                };
                return (Some(t), body.trim());
            }
        }
        (None, n)
    }

    /// DEAL002's phrases and filler words (a snapshot of `rules/default.toml`).
    const STOP: &[&str] = &[
        "нд",
        "н д",
        "недозвон",
        "не дозвон",
        "не дозвонился",
        "не дозвонилась",
        "недозвонился",
        "не берет",
        "не берет трубку",
        "не отвечает",
        "не ответил",
        "нет ответа",
        "абонент недоступен",
        "недоступен",
        "вне зоны",
        "сбросил",
        "сбросила",
        "сбрасывает",
        "перезвонить",
        "перезвоню",
        "перезвонит",
        "перезвон",
        "позвонить позже",
        "пообщались",
        "поговорили",
        "обсудили",
        "думает",
        "подумает",
        "думают",
        "клиент думает",
        "занят",
        "занята",
        "ок",
        "ok",
        "норм",
        "связаться позже",
        "написал",
        "написала",
        "отправил кп",
        "отправила кп",
        "кп отправлено",
        "ждем",
        "ждет",
        "в работе",
        "тест",
        "звонок",
        "звонил",
        "звонила",
        "разговор",
        "автоответчик",
        "не актуально",
        "-",
        "нет",
    ];
    const FILLER: &[&str] = &[
        "клиент",
        "клиентка",
        "клиенту",
        "клиента",
        "был",
        "была",
        "пока",
        "еще",
        "снова",
        "опять",
        "сегодня",
        "завтра",
        "вчера",
        "потом",
        "позже",
        "тоже",
        "уже",
        "и",
        "с",
        "по",
        "на",
        "в",
        "не",
        "а",
        "но",
        "мы",
        "он",
        "она",
        "они",
        "я",
        "что",
        "как",
        "так",
        "это",
        "да",
        "нет",
        "ок",
        "после",
        "до",
        "через",
        "около",
        "за",
        "от",
        "для",
        "при",
        "об",
    ];

    /// A comment is detailed unless it is a stop phrase, only stop phrases and filler, or has
    /// fewer than three meaningful words. Checked both without and with the «date author:»
    /// prefix, so the verdict does not depend on whether an implementation strips it.
    pub fn detailed(note: &str) -> bool {
        let (_, body) = split_note(note);
        detailed_text(body) && detailed_text(note)
    }

    fn detailed_text(text: &str) -> bool {
        let words = folded_words(text);
        let joined = words.join(" ");
        if STOP.contains(&joined.as_str()) {
            return false;
        }
        // drop stop phrases (longest first) and filler; what is left must be ≥ 3 real words
        let mut rest = format!(" {joined} ");
        let mut phrases: Vec<&&str> = STOP.iter().collect();
        phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
        for p in phrases {
            rest = rest.replace(&format!(" {p} "), "  ");
        }
        let meaningful = rest
            .split_whitespace()
            .filter(|w| !FILLER.contains(w) && w.chars().any(char::is_alphabetic))
            .count();
        meaningful >= 3
    }

    fn stage_class(s: &str) -> &'static str {
        match s {
            UNSORTED => "unsorted",
            TRASH => "trash",
            WON => "won",
            LOST => "lost",
            _ => "open",
        }
    }

    pub type Findings = BTreeSet<(String, String)>;

    pub fn contacts(cs: &[Contact], managers: &[(&str, &str)]) -> Findings {
        let mut f = Findings::new();
        let mut add = |r: &str, id: u64| {
            f.insert((r.to_string(), id.to_string()));
        };
        let mgr: BTreeSet<String> = managers.iter().map(|(_, e)| e.to_lowercase()).collect();
        let people: Vec<&Contact> = cs.iter().filter(|c| !c.company_row).collect();
        for c in &people {
            let phone_items: Vec<String> =
                [&c.work, &c.direct, &c.mobile, &c.fax, &c.home, &c.other]
                    .iter()
                    .flat_map(|cell| items(cell))
                    .collect();
            let valid = phone_items.iter().filter(|i| phone(i).is_some()).count();
            let bd = birthday(&c.birthday);
            if blank(&c.fio) || valid == 0 || !matches!(bd, Bd::Valid(_)) {
                add("CON001", c.id);
            }
            if !items(&c.mobile).iter().any(|i| phone(i).is_some()) {
                add("CON002", c.id);
            }
            if blank(&c.email_personal) {
                add("CON003", c.id);
            }
            let emails: Vec<String> = [&c.email_work, &c.email_personal, &c.email_other]
                .iter()
                .flat_map(|cell| items(cell))
                .collect();
            if emails.iter().any(|e| mgr.contains(&e.to_lowercase())) {
                add("CON004", c.id);
            }
            let title_is_name = {
                let w: Vec<&str> = c.title.split_whitespace().collect();
                (2..=3).contains(&w.len())
                    && w.iter()
                        .all(|x| x.chars().all(|ch| ch.is_alphabetic() || ch == '-'))
            };
            if blank(&c.fio) && title_is_name {
                add("CON005", c.id);
            }
            // CON006 reports every item that is not a valid number, placeholders such as «нет»
            // included (for CON001/CON002 they only count as blank)
            let raw_items = [&c.work, &c.direct, &c.mobile, &c.fax, &c.home, &c.other]
                .iter()
                .flat_map(|cell| cell.split([',', ';', '\n']))
                .filter(|i| !i.trim().is_empty())
                .count();
            if raw_items != valid {
                add("CON006", c.id);
            }
            if emails.iter().any(|e| !email_ok(e)) {
                add("CON007", c.id);
            }
            if bd == Bd::Invalid {
                add("CON008", c.id);
            }
        }
        // DUP001: pairs matching on two or more of ФИО / a phone / birthday
        for (i, a) in people.iter().enumerate() {
            for b in &people[i + 1..] {
                let name = |c: &Contact| {
                    if blank(&c.fio) {
                        c.title.clone()
                    } else {
                        c.fio.clone()
                    }
                };
                let n = names_match(&name(a), &name(b));
                let pa = contact_phones(a);
                let p = contact_phones(b).iter().any(|x| pa.contains(x));
                let d = matches!((birthday(&a.birthday), birthday(&b.birthday)), (Bd::Valid(x), Bd::Valid(y)) if x == y);
                if u8::from(n) + u8::from(p) + u8::from(d) >= 2 {
                    add("DUP001", a.id);
                    add("DUP001", b.id);
                }
            }
        }
        f
    }

    pub fn deals(ds: &[Deal], cs: &[Contact]) -> Findings {
        let mut f = Findings::new();
        let mut add = |r: &str, id: u64| {
            f.insert((r.to_string(), id.to_string()));
        };
        let known: BTreeSet<String> = cs
            .iter()
            .filter(|c| !c.company_row)
            .map(|c| c.id.to_string())
            .collect();
        let window = as_of().checked_sub_months(Months::new(2)).unwrap();
        let mut open_groups: BTreeMap<(String, String), Vec<u64>> = BTreeMap::new();
        for d in ds {
            let class = stage_class(d.stage);
            if class == "unsorted" {
                if let Some(c) = d.created {
                    if as_of() - c > chrono::Duration::minutes(10) {
                        add("DEAL007", d.id);
                    }
                }
                continue;
            }
            if class == "trash" {
                continue;
            }
            let ids: Vec<String> = items(&d.contact_ids);
            let no_contact = ids.is_empty() && blank(&d.contact_name);
            if blank(&d.group)
                || blank(d.stage)
                || no_contact
                || blank(&d.notes[0])
                || blank(&d.product)
                || d.budget.is_none_or(|b| b <= 0.0)
            {
                add("DEAL001", d.id);
            }
            if !blank(&d.notes[0]) && !detailed(&d.notes[0]) {
                add("DEAL002", d.id);
            }
            if class == "open" {
                let note_date = d.notes.iter().filter_map(|n| split_note(n).0).max();
                let t = d
                    .last_contact
                    .or(note_date)
                    .or(d.edited)
                    .or(d.created)
                    .expect("a date");
                if t < window {
                    add("DEAL003", d.id);
                }
                if ids.len() == 1 {
                    open_groups
                        .entry((ids[0].clone(), fold(&d.group)))
                        .or_default()
                        .push(d.id);
                }
            }
            if ids.len() != 1 || !known.contains(&ids[0]) {
                add("DEAL005", d.id);
            }
            let missing = |s: &str| blank(s);
            match d.stage {
                MEASURE
                    if d.measure_at.is_none()
                        || missing(&d.address)
                        || missing(&d.contact_person)
                        || missing(&d.scope)
                        || missing(&d.source) =>
                {
                    add("DEAL006", d.id)
                }
                THINKS
                    if missing(&d.contact_name)
                        || missing(&d.product)
                        || missing(&d.source)
                        || d.next_contact.is_none()
                        || missing(&d.refusal)
                        || missing(&d.notes[0]) =>
                {
                    add("DEAL006", d.id)
                }
                _ => {}
            }
        }
        for ((_, g), v) in open_groups {
            if v.len() > 1 && !g.is_empty() {
                for id in v {
                    add("DEAL004", id);
                }
            }
        }
        f
    }

    /// The numbers of a note with whose each is: `Some(true)` the partner's, `Some(false)` a
    /// client's, `None` unsaid. The last owner word between the previous number and this one
    /// decides («прораб» / «клиент…», «хозя…», «заказчи…»), a partner word followed by «дал» /
    /// «передал» only passing the number on; else the first one after it up to a comma.
    pub fn note_numbers(text: &str) -> Vec<(String, Option<bool>)> {
        let chars: Vec<char> = text.chars().collect();
        let mut runs: Vec<(usize, usize, String)> = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if !(chars[i].is_ascii_digit() || chars[i] == '+') {
                i += 1;
                continue;
            }
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || "+-() ".contains(chars[i])) {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            let digits = run.chars().filter(char::is_ascii_digit).count();
            if (10..=11).contains(&digits) {
                if let Some(p) = phone(run.trim().trim_end_matches(['(', ' '])) {
                    runs.push((start, i, p));
                }
            }
        }
        let owner_of = |w: &str| {
            if ["прораб", "партнер", "бригадир"]
                .iter()
                .any(|p| w.starts_with(p))
            {
                Some(true)
            } else if ["клиент", "хозя", "заказчи", "собственни", "владел"]
                .iter()
                .any(|c| w.starts_with(c))
            {
                Some(false)
            } else {
                None
            }
        };
        let mut out = Vec::new();
        for (k, (start, end, p)) in runs.iter().enumerate() {
            let from = if k == 0 { 0 } else { runs[k - 1].1 };
            let to = runs.get(k + 1).map_or(chars.len(), |r| r.0);
            let before: String = chars[from..*start].iter().collect();
            let words = folded_words(&before);
            let mut owner = None;
            for (j, w) in words.iter().enumerate().rev() {
                let relayed = words[j + 1..]
                    .iter()
                    .take(3)
                    .any(|v| ["дал", "передал"].contains(&v.as_str()))
                    && !words[j + 1..].iter().any(|v| v == "свой");
                match owner_of(w) {
                    Some(true) if relayed => {}
                    Some(o) => {
                        owner = Some(o);
                        break;
                    }
                    None => {}
                }
            }
            if owner.is_none() {
                let after: String = chars[*end..to].iter().take_while(|c| **c != ',').collect();
                owner = folded_words(&after).iter().find_map(|w| owner_of(w));
            }
            out.push((p.clone(), owner));
        }
        out
    }

    /// An address for comparison: words without the city, street-type and unit words.
    fn address_key(s: &str) -> Vec<String> {
        const NOISE: [&str; 9] = [
            "санкт",
            "петербург",
            "ул",
            "д",
            "к",
            "кв",
            "корп",
            "пр",
            "г",
        ];
        folded_words(s)
            .into_iter()
            .filter(|w| !NOISE.contains(&w.as_str()))
            .collect()
    }

    /// (partner id, phone, action, name) for every phone on a partner card.
    pub fn split(
        cs: &[Contact],
        ds: &[Deal],
        base: &[[&str; 4]],
    ) -> Vec<(u64, String, String, String)> {
        let mut out = Vec::new();
        let base_by_contract: BTreeMap<&str, (&str, Option<String>)> =
            base.iter().map(|r| (r[0], (r[1], phone(r[2])))).collect();
        for p in cs.iter().filter(|c| !c.company_row && is_partner(c)) {
            let own = |d: &Deal| d.contact_ids == p.id.to_string();
            let own_deals = ds.iter().filter(|d| own(d)).count();
            let phones = contact_phones(p);
            for ph in &phones {
                let mut ev: Vec<&Deal> = Vec::new();
                let mut base_name: Option<String> = None;
                let mut partner_notes = 0;
                for d in ds {
                    // «Телефон клиента» of the partner's own deal is whoever called
                    let e1 = !own(d)
                        && items(&d.client_phone)
                            .iter()
                            .any(|i| phone(i).as_deref() == Some(ph.as_str()));
                    let owners: Vec<Option<bool>> = d
                        .notes
                        .iter()
                        .flat_map(|n| note_numbers(n))
                        .filter(|(p, _)| p == ph)
                        .map(|(_, o)| o)
                        .collect();
                    partner_notes += owners.iter().filter(|o| **o == Some(true)).count();
                    let e2 = owners.iter().any(|o| *o != Some(true));
                    let e3 = base_by_contract
                        .get(d.contract.as_str())
                        .is_some_and(|(_, bp)| bp.as_deref() == Some(ph.as_str()));
                    let by_address = base.iter().find(|r| {
                        own(d)
                            && phone(r[2]).as_deref() == Some(ph.as_str())
                            && address_key(r[3]) == address_key(&d.address)
                    });
                    let e4 = cs.iter().any(|c| {
                        c.id.to_string() == d.contact_ids
                            && c.id != p.id
                            && !is_partner(c)
                            && contact_phones(c).contains(ph)
                    });
                    if e1 || e2 || e3 || e4 || by_address.is_some() {
                        ev.push(d);
                        base_name = base_name
                            .or_else(|| {
                                base_by_contract
                                    .get(d.contract.as_str())
                                    .map(|b| b.0.to_string())
                            })
                            .or_else(|| by_address.map(|r| r[1].to_string()));
                    }
                }
                let (action, name) = if ev.is_empty() {
                    if partner_notes == 0 && own_deals == 0 && phones.len() > 1 {
                        ("review", String::new())
                    } else {
                        ("keep", String::new())
                    }
                } else if partner_notes > 0 {
                    ("review", String::new())
                } else {
                    let addrs: BTreeSet<&str> = ev
                        .iter()
                        .map(|d| d.address.as_str())
                        .filter(|a| !blank(a))
                        .collect();
                    let contracts: BTreeSet<&str> = ev
                        .iter()
                        .map(|d| d.contract.as_str())
                        .filter(|a| !blank(a))
                        .collect();
                    if addrs.len() > 1 && contracts.len() != 1 {
                        ("review", String::new())
                    } else if let Some(n) = base_name {
                        ("move", n)
                    } else if let Some(a) = addrs.iter().next() {
                        ("move", a.to_string())
                    } else {
                        ("review", String::new())
                    }
                };
                out.push((p.id, ph.clone(), action.to_string(), name));
            }
        }
        out
    }

    pub fn prt(split: &[(u64, String, String, String)]) -> Findings {
        split
            .iter()
            .filter(|s| s.2 == "move")
            .map(|s| ("PRT001".to_string(), s.0.to_string()))
            .collect()
    }

    pub fn snils_ok(s: &str) -> bool {
        let d: Vec<u8> = s
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect();
        if d.len() != 11 {
            return false;
        }
        let first: [u8; 9] = d[..9].try_into().unwrap();
        u32::from(common::snils_check(&first)) == u32::from(d[9]) * 10 + u32::from(d[10])
    }

    pub fn flow(apps: &[App]) -> Findings {
        let mut f = Findings::new();
        let mut add = |r: &str, id: u64| {
            f.insert((r.to_string(), id.to_string()));
        };
        for a in apps {
            if blank(&a.fio) || blank(&a.snils) || blank(&a.email) || blank(&a.phone) {
                add("FLOW001", a.no);
            }
            if !blank(&a.snils) && !snils_ok(&a.snils) {
                add("FLOW002", a.no);
            }
            let src = fold(&a.source)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let portal = src == "работа в россии" || src == "работа россии" || !blank(&a.rr_id);
            if portal
                && (blank(&a.rr_id)
                    || blank(&a.rr_program)
                    || a.rr_submitted.is_none()
                    || blank(&a.rr_status))
            {
                add("FLOW004", a.no);
            }
        }
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        let same = |a: &App, b: &App| {
            if !blank(&a.snils) && digits(&a.snils) == digits(&b.snils) {
                return true;
            }
            let n = names_match(&a.fio, &b.fio);
            let d = a.birthday.is_some() && a.birthday == b.birthday;
            let p = phone(&a.phone).is_some() && phone(&a.phone) == phone(&b.phone);
            u8::from(n) + u8::from(d) + u8::from(p) >= 2
        };
        for a in apps.iter().filter(|a| a.active) {
            let newer = apps
                .iter()
                .any(|b| b.no != a.no && b.active && same(a, b) && b.submitted > a.submitted);
            if newer {
                add("FLOW003", a.no);
            }
        }
        f
    }
}

// =============================================================================================
// Writers
// =============================================================================================

const CONTACT_HEADERS: [&str; 25] = [
    "ID",
    "Тип",
    "Полное имя контакта",
    "Имя",
    "Фамилия",
    "Компания",
    "Ответственный",
    "Дата создания",
    "Кем создан",
    "Дата редактирования",
    "Теги",
    "Примечание",
    "Рабочий телефон",
    "Рабочий прямой телефон",
    "Мобильный телефон",
    "Факс",
    "Домашний телефон",
    "Другой телефон",
    "Рабочий email",
    "Личный email",
    "Другой email",
    "Должность",
    "ФИО",
    "День рождения",
    "Сделки",
];

fn write_contacts(path: &Path, cs: &[Contact], ds: &[Deal]) -> std::io::Result<usize> {
    let mut text = String::new();
    common::push_record_quoted(&mut text, &CONTACT_HEADERS, ';');
    for c in cs {
        let deal_ids: Vec<String> = ds
            .iter()
            .filter(|d| check::items(&d.contact_ids).contains(&c.id.to_string()))
            .map(|d| d.id.to_string())
            .collect();
        let row = [
            c.id.to_string(),
            if c.company_row {
                "компания"
            } else {
                "контакт"
            }
            .to_string(),
            c.title.clone(),
            c.first.clone(),
            c.last.clone(),
            c.company.clone(),
            c.resp.to_string(),
            c.created.clone(),
            c.created_by.clone(),
            c.edited.clone(),
            c.tags.clone(),
            c.note.clone(),
            c.work.clone(),
            c.direct.clone(),
            c.mobile.clone(),
            c.fax.clone(),
            c.home.clone(),
            c.other.clone(),
            c.email_work.clone(),
            c.email_personal.clone(),
            c.email_other.clone(),
            c.position.clone(),
            c.fio.clone(),
            c.birthday.clone(),
            deal_ids.join(", "),
        ];
        common::push_record_quoted(&mut text, &row, ';');
    }
    common::write_file(path, &common::to_cp1251(&text))?;
    Ok(cs.len())
}

const DEAL_HEADERS: [&str; 33] = [
    "ID",
    "Название сделки",
    "Бюджет ₽",
    "Ответственный",
    "Дата создания",
    "Кем создана",
    "Дата редактирования",
    "Дата закрытия",
    "Теги",
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
    "Телефон клиента",
    "ID контакта",
    "Основной контакт",
    "Мобильный телефон (контакт)",
    "Рабочий телефон (контакт)",
    "День рождения (контакт)",
    "Личный email (контакт)",
    "Компания (компания)",
    "Примечание 1",
    "Примечание 2",
    "Примечание 3",
];

fn fixed_props() -> DocProperties {
    DocProperties::new().set_creation_datetime(&excel_dt(as_of()))
}

fn write_text(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    s: &str,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    if !s.is_empty() {
        ws.write_string(row, col, s)?;
    }
    Ok(())
}

fn write_deals(
    path: &Path,
    ds: &[Deal],
    cs: &[Contact],
) -> Result<usize, rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&fixed_props());
    let f_dt = Format::new().set_num_format("dd.mm.yyyy hh:mm");
    let f_d = Format::new().set_num_format("dd.mm.yyyy");
    let f_money = Format::new().set_num_format("#,##0");
    let ws = wb.add_worksheet();
    ws.set_name("Сделки")?;
    for (i, h) in DEAL_HEADERS.iter().enumerate() {
        ws.write_string(0, i as u16, *h)?;
    }
    for (r, d) in ds.iter().enumerate() {
        let row = r as u32 + 1;
        let ids = check::items(&d.contact_ids);
        let contact = if ids.len() == 1 {
            cs.iter().find(|c| c.id.to_string() == ids[0])
        } else {
            None
        };
        let contact = contact.or_else(|| {
            ids.first()
                .and_then(|id| cs.iter().find(|c| c.id.to_string() == *id))
        });
        let dtc = |ws: &mut Worksheet,
                   col: u16,
                   t: Option<NaiveDateTime>|
         -> Result<(), rust_xlsxwriter::XlsxError> {
            if let Some(t) = t {
                ws.write_datetime_with_format(row, col, excel_dt(t), &f_dt)?;
            }
            Ok(())
        };
        ws.write_number(row, 0, d.id as f64)?;
        write_text(ws, row, 1, &d.name)?;
        if let Some(b) = d.budget {
            ws.write_number_with_format(row, 2, b, &f_money)?;
        }
        write_text(ws, row, 3, d.resp)?;
        dtc(ws, 4, d.created)?;
        write_text(ws, row, 5, &d.created_by)?;
        dtc(ws, 6, d.edited)?;
        dtc(ws, 7, d.closed)?;
        write_text(ws, row, 8, &d.tags)?;
        write_text(ws, row, 9, d.stage)?;
        write_text(ws, row, 10, &d.pipeline)?;
        write_text(ws, row, 11, &d.group)?;
        write_text(ws, row, 12, &d.product)?;
        write_text(ws, row, 13, &d.address)?;
        write_text(ws, row, 14, &d.contract)?;
        dtc(ws, 15, d.last_contact)?;
        dtc(ws, 16, d.measure_at)?;
        write_text(ws, row, 17, &d.contact_person)?;
        write_text(ws, row, 18, &d.scope)?;
        write_text(ws, row, 19, &d.source)?;
        dtc(ws, 20, d.next_contact)?;
        write_text(ws, row, 21, &d.refusal)?;
        write_text(ws, row, 22, &d.client_phone)?;
        if ids.len() == 1 {
            ws.write_number(row, 23, ids[0].parse::<f64>().expect("numeric id"))?;
        } else {
            write_text(ws, row, 23, &d.contact_ids)?;
        }
        write_text(ws, row, 24, &d.contact_name)?;
        if let Some(c) = contact {
            // the contact's card as amoCRM mirrors it into the deal export
            if c.id == cid::BELOV {
                // Excel turned this one into a number
                ws.write_number(row, 25, 79219874512.0)?;
            } else {
                write_text(ws, row, 25, &c.mobile)?;
            }
            write_text(ws, row, 26, &c.work)?;
            match NaiveDate::parse_from_str(&c.birthday, "%d.%m.%Y") {
                Ok(b) => {
                    ws.write_datetime_with_format(row, 27, excel_date(b), &f_d)?;
                }
                Err(_) => write_text(ws, row, 27, &c.birthday)?,
            }
            write_text(ws, row, 28, &c.email_personal)?;
            write_text(ws, row, 29, &c.company)?;
        }
        for (k, n) in d.notes.iter().enumerate() {
            write_text(ws, row, 30 + k as u16, n)?;
        }
    }
    ws.set_column_width(1, 30)?;
    ws.set_column_width(13, 26)?;
    ws.set_column_range_width(30, 32, 60)?;
    wb.save(path)?;
    Ok(ds.len())
}

const FLOW_HEADERS: [&str; 15] = [
    "Номер заявки",
    "ФИО",
    "Активная",
    "Статус заявки",
    "СНИЛС",
    "Email",
    "Дата рождения",
    "Телефон",
    "Источник",
    "Дата подачи",
    "Ответственный",
    "РР: ID заявки",
    "РР: Программа",
    "РР: Дата подачи",
    "РР: Статус",
];

fn write_flow(path: &Path, apps: &[App]) -> Result<usize, rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&fixed_props());
    let f_dt = Format::new().set_num_format("dd.mm.yyyy hh:mm");
    let f_d = Format::new().set_num_format("dd.mm.yyyy");
    let ws = wb.add_worksheet();
    ws.set_name("Заявки")?;
    for (i, h) in FLOW_HEADERS.iter().enumerate() {
        ws.write_string(0, i as u16, *h)?;
    }
    for (r, a) in apps.iter().enumerate() {
        let row = r as u32 + 1;
        ws.write_number(row, 0, a.no as f64)?;
        write_text(ws, row, 1, &a.fio)?;
        ws.write_string(row, 2, if a.active { "Да" } else { "Нет" })?;
        write_text(ws, row, 3, &a.status)?;
        write_text(ws, row, 4, &a.snils)?;
        write_text(ws, row, 5, &a.email)?;
        if let Some(b) = a.birthday {
            ws.write_datetime_with_format(row, 6, excel_date(b), &f_d)?;
        }
        write_text(ws, row, 7, &a.phone)?;
        write_text(ws, row, 8, &a.source)?;
        if let Some(t) = a.submitted {
            ws.write_datetime_with_format(row, 9, excel_dt(t), &f_dt)?;
        }
        write_text(ws, row, 10, &a.resp)?;
        write_text(ws, row, 11, &a.rr_id)?;
        write_text(ws, row, 12, &a.rr_program)?;
        if let Some(t) = a.rr_submitted {
            ws.write_datetime_with_format(row, 13, excel_dt(t), &f_dt)?;
        }
        write_text(ws, row, 14, &a.rr_status)?;
    }
    ws.set_column_width(1, 34)?;
    ws.set_column_width(12, 40)?;
    wb.save(path)?;
    Ok(apps.len())
}

fn write_client_base(path: &Path, rows: &[[&str; 4]]) -> std::io::Result<usize> {
    let mut text = String::from("\u{feff}");
    common::push_record_minimal(
        &mut text,
        &["Номер договора", "ФИО клиента", "Телефон", "Адрес"],
        ',',
    );
    for r in rows {
        common::push_record_minimal(&mut text, r, ',');
    }
    common::write_file(path, text.as_bytes())?;
    Ok(rows.len())
}

fn write_managers(path: &Path) -> std::io::Result<usize> {
    let mut text = String::new();
    common::push_record_minimal(&mut text, &["Имя", "Email"], ',');
    for (n, e) in MANAGERS {
        common::push_record_minimal(&mut text, &[*n, *e], ',');
    }
    common::write_file(path, text.as_bytes())?;
    Ok(MANAGERS.len())
}

/// Rule order used in the fixtures and the README table.
const RULES: [&str; 21] = [
    "CON001", "CON002", "CON003", "CON004", "CON005", "CON006", "CON007", "CON008", "DUP001",
    "PRT001", "DEAL001", "DEAL002", "DEAL003", "DEAL004", "DEAL005", "DEAL006", "DEAL007",
    "FLOW001", "FLOW002", "FLOW003", "FLOW004",
];

fn rule_rank(r: &str) -> usize {
    RULES.iter().position(|x| *x == r).unwrap_or(usize::MAX)
}

fn main() {
    let mut root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--root" => root = PathBuf::from(args.next().expect("--root DIR")),
            "-h" | "--help" => {
                eprintln!("usage: cargo run --release --example samples [-- --root DIR]");
                return;
            }
            other => panic!("unknown argument {other:?}"),
        }
    }

    let mut cs = contacts();
    let ds = deals(&cs);
    align_contact_dates(&mut cs, &ds);
    let base = client_base();
    let fl = apps();

    // ---- consistency of the hand-written data ---------------------------------------------
    let mut seen = BTreeSet::new();
    for id in cs
        .iter()
        .map(|c| c.id)
        .chain(ds.iter().map(|d| d.id))
        .chain(fl.iter().map(|a| a.no))
    {
        assert!(seen.insert(id), "duplicate record id {id}");
    }

    // ---- planted (rule, id) pairs from the annotations ------------------------------------
    let mut planted: Vec<(String, String, String)> = Vec::new();
    planted.extend(cs.iter().flat_map(|c| {
        c.planted
            .iter()
            .map(move |(r, n)| (r.to_string(), c.id.to_string(), n.clone()))
    }));
    planted.extend(ds.iter().flat_map(|d| {
        d.planted
            .iter()
            .map(move |(r, n)| (r.to_string(), d.id.to_string(), n.clone()))
    }));
    planted.extend(fl.iter().flat_map(|a| {
        a.planted
            .iter()
            .map(move |(r, n)| (r.to_string(), a.no.to_string(), n.clone()))
    }));
    planted.sort_by(|a, b| (rule_rank(&a.0), &a.1).cmp(&(rule_rank(&b.0), &b.1)));
    let annotated: BTreeSet<(String, String)> = planted
        .iter()
        .map(|(r, i, _)| (r.clone(), i.clone()))
        .collect();
    assert_eq!(
        annotated.len(),
        planted.len(),
        "a (rule, id) pair is annotated twice"
    );

    // ---- recompute from the data -----------------------------------------------------------
    let mut split = check::split(&cs, &ds, &base);
    split.sort();
    let mut computed = check::contacts(&cs, MANAGERS);
    computed.extend(check::deals(&ds, &cs));
    computed.extend(check::prt(&split));
    computed.extend(check::flow(&fl));
    let missing: Vec<_> = annotated.difference(&computed).collect();
    let extra: Vec<_> = computed.difference(&annotated).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "annotations and data disagree\n  annotated but not found: {missing:?}\n  found but not annotated: {extra:?}"
    );
    let expected_split: Vec<(u64, String, String, String)> = SPLIT
        .iter()
        .map(|(p, ph, a, n)| (*p, ph.to_string(), a.to_string(), n.to_string()))
        .collect();
    let mut expected_split = expected_split;
    expected_split.sort();
    assert_eq!(split, expected_split, "split plan differs from SPLIT");
    for r in RULES {
        let n = planted.iter().filter(|p| p.0 == r).count();
        assert!(
            n >= 2,
            "rule {r} is planted on {n} record(s), want at least 2"
        );
    }

    // ---- write ----------------------------------------------------------------------------
    let sd = root.join("samples");
    let fx = root.join("tests").join("fixtures");
    let n_contacts = write_contacts(&sd.join("amocrm_contacts.csv"), &cs, &ds).expect("contacts");
    let n_deals = write_deals(&sd.join("amocrm_deals.xlsx"), &ds, &cs).expect("deals");
    let n_apps = write_flow(&sd.join("flow_applications.xlsx"), &fl).expect("flow");
    let n_base = write_client_base(&sd.join("client_base.csv"), &base).expect("client base");
    let n_mgr = write_managers(&sd.join("managers.csv")).expect("managers");

    let mut csv = String::new();
    common::push_record_minimal(&mut csv, &["rule", "id", "note"], ',');
    for (r, i, n) in &planted {
        common::push_record_minimal(&mut csv, &[r.as_str(), i.as_str(), n.as_str()], ',');
    }
    let csv = csv.replace("\r\n", "\n");
    common::write_file(&fx.join("samples_planted.csv"), csv.as_bytes()).expect("planted");

    let mut sp = String::new();
    common::push_record_minimal(
        &mut sp,
        &["partner_id", "phone_e164", "action", "new_contact_name"],
        ',',
    );
    for (p, ph, a, n) in SPLIT {
        common::push_record_minimal(&mut sp, &[p.to_string().as_str(), ph, a, n], ',');
    }
    let sp = sp.replace("\r\n", "\n");
    common::write_file(&fx.join("samples_split.csv"), sp.as_bytes()).expect("split");

    let readme = readme(&planted, &cs, n_contacts, n_deals, n_apps, n_base, n_mgr);
    common::write_file(&sd.join("README.md"), readme.as_bytes()).expect("readme");

    eprintln!(
        "samples: {n_contacts} contact rows ({} companies), {n_deals} deals, {n_apps} applications, {n_base} client-base rows, {n_mgr} managers; {} planted findings, {} split rows → {}",
        cs.iter().filter(|c| c.company_row).count(),
        planted.len(),
        SPLIT.len(),
        root.display()
    );
}

fn readme(
    planted: &[(String, String, String)],
    cs: &[Contact],
    n_contacts: usize,
    n_deals: usize,
    n_apps: usize,
    n_base: usize,
    n_mgr: usize,
) -> String {
    let n_companies = cs.iter().filter(|c| c.company_row).count();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"# Sample exports

Small, anonymised exports of a St Petersburg window company (amoCRM) and of its education
partner (Flow CRM), shaped exactly like real downloads. Every name, phone, e-mail and СНИЛС is
invented. **Generated** by `cargo run --release --example samples` (deterministic; do not edit by
hand — change `examples/samples.rs` and re-run). The generator re-checks every planted problem
against an independent implementation of `docs/RULES-SEMANTICS.md` before writing.

```sh
crmclean audit samples/ --out out/ --as-of "2026-11-23 12:00"
```

**Reference time: `--as-of 2026-11-23 12:00`.** Everything date-relative is planted against it:
the DEAL003 two-month window (interactions before 23.09.2026 12:00 are stale), the DEAL007
ten-minute limit, future birthdays. Run without `--as-of` and the results drift with the clock;
give the time too: a date-only `--as-of 2026-11-23` means 23:59:59, which makes the 5-minute-old
request 28452145 twelve hours old (an extra DEAL007).

## Files

| file | what | format facts | rows |
|---|---|---|---|
| `amocrm_contacts.csv` | amoCRM contacts, classic layout | Windows-1251, `;`, CRLF, every field quoted; dates `dd.mm.yyyy HH:MM:SS`, birthdays `dd.mm.yyyy`; several phones/e-mails in one cell separated by `, `; phones as typed (`+7 (921) …`, `8921…`, `8-812-555-12-34 доб. 12`, `79219874512.0`) | {n_contacts} ({n_companies} with `Тип` = «компания») |
| `amocrm_deals.xlsx` | amoCRM deals, new layout (` (контакт)` / ` (компания)` suffixes) | sheet «Сделки»; `Бюджет ₽` header; IDs and budgets are number cells; all date columns are real Excel date cells; notes `Примечание 1‥3`, the first the latest, as «dd.mm.yyyy HH:MM Автор: текст» | {n_deals} |
| `flow_applications.xlsx` | Flow CRM applications with the «Работа в России» fields (`РР: …`) | sheet «Заявки»; `Номер заявки` is a number cell; `Дата рождения`, `Дата подачи`, `РР: Дата подачи` are date cells; СНИЛС `123-456-789 01` | {n_apps} |
| `client_base.csv` | the company's client register | UTF-8 with BOM, `,`, CRLF, quoted only where needed; contracts `17/23`, `112/24` | {n_base} |
| `managers.csv` | CRM users and their e-mails (one manager listed twice: work and personal address) | UTF-8, `,`, CRLF | {n_mgr} |

Ground truth for tests: `tests/fixtures/samples_planted.csv` (`rule,id,note`: one row per expected
(rule, record) pair — for DUP001 every member of every cluster, for PRT001 the partner contact, for
FLOW rules the application number) and `tests/fixtures/samples_split.csv`
(`partner_id,phone_e164,action,new_contact_name`: one row per phone on a partner card). Every
record not listed there is clean on every rule.

## Planted problems

| rule | record IDs | what was planted |
|---|---|---|
"#
    );
    for r in RULES {
        let rows: Vec<&(String, String, String)> = planted.iter().filter(|p| p.0 == r).collect();
        let ids: Vec<&str> = rows.iter().map(|p| p.1.as_str()).collect();
        let notes: Vec<String> = rows.iter().map(|p| format!("{}: {}", p.1, p.2)).collect();
        let _ = writeln!(
            s,
            "| {r} | {} | {} |",
            ids.join(", "),
            notes.join("; ").replace('|', "/")
        );
    }
    s.push_str(
        r#"
## Decoys (must produce no finding)

- Namesakes 45102374 / 45102380 «Иванов Сергей Петрович»: different phones and birthdays (one
  field in common is not a duplicate).
- Spouses 45102387 / 45102393 share the home landline `+7 (812) 371-28-40` (written `+7 (…)` and
  `8 (…)`), different names and birthdays.
- 45102399 / 45102405 share only a birthday (15.06.1985).
- 45102425 has a real 1970 birthday (13.11.1970): only 01.01.1970 is the placeholder.
- 45102557 «Ленсовета 88-1-15»: a card named by an address, ФИО blank → CON001 but not CON005.
- Phones that are valid despite their looks: `79219874512.0` (Excel), `8-812-555-12-34 доб. 12`
  (extension), `+7 701 512 34 67` (Kazakhstan), two numbers in one cell, and a mobile stored as a
  number cell in the deals workbook.
- Deal 28451255: the comment contains «думает» and «перезвонить» but is detailed (not DEAL002).
- Closed deals with old dates (won 2023–2025): DEAL003 applies to open deals only.
- Contact 45102318 has two open deals in different product groups; 45102355 an open and a won
  deal in the same group; 45102437 / 45102444 (duplicates of each other) have open deals in
  different groups — none of these is DEAL004.
- Unsorted 28452145 is 5 minutes old at the as-of time (DEAL007 needs more than 10).
- Trash 28451987 (everything empty) and 28452033 (comment «НД»): trash is not a deal proper.
- Partner 45102475 (Григорьев): two phones of his own (a note of 28451429 calls the mobile «тел.
  прораба») and a client's number that nothing in the files proves → keep all three, no PRT001.
  Partner 45102481 (Ершов): no deals and two phones → both review, no PRT001.
- The `… (контакт)` columns of the deals are a snapshot of the main contact's card (only
  `Мобильный телефон` and `Рабочий телефон` are carried): every deal of 45102462 shows his mobile
  cell «+7 (921) 900-11-22, +7 911 234-56-02», client number included. That says nothing about
  whose a number is; notes, the client base and other contacts do.
- Flow 10404 «РАБОТА РОССИИ » and 10422 «работа  в России»: portal applications with every `РР:`
  field filled; 10402, 10423 …: non-portal with `РР:` fields empty.
- Flow 10415/10416 (same person, one active) and 10417/10418 (namesakes, different СНИЛС,
  birthday and phone): not FLOW003. 10410 (inactive) does not count for FLOW003 either.

## Larger data

`cargo run --release --example gen -- --contacts 1000000 --out DIR [--seed N]` writes the same
kinds of exports (contacts cp1251 `;`, deals UTF-8 BOM `,` with text dates, client base,
managers) at any size, with the same kinds of noise at a few per cent, and the ground truth of
every partner-card phone in `DIR/truth/partner_truth.csv`.

## Partner cards (expected `migrate` split plan)

| partner | phone | action | new contact | evidence |
|---|---|---|---|---|
| 45102462 Сидоров (прораб) | +78126402215 | keep | | own office landline, no client evidence |
| | +79219001122 | keep | | own mobile; the note of 28451370 gives it as «Прораб Сидоров (8 921 900-11-22)» |
| | +79112345602 | move | Купчинская 4-3-22 | typed into his mobile cell; notes of 28451370 («хозяйка на связи по …») and 28451377 («Клиентка на Купчинской, номер для связи …»), both at «Купчинская 4-3-22», no contract |
| | +79213456701 | move | Лаврентьева Галина Петровна | deal 28451364's contract 112/24 is in the client base with this phone |
| 45102468 Михайлов (партнёр) | +79817004512 | keep | | own mobile |
| | +79118453012 | move | Рябова Надежда Петровна | the client base lists it (contract Р-311, no deal's) at «Пражская ул., д. 15, к. 2, кв. 8», the address of his deal 28451416 |
| | +79216112033 | move | Белградская 26-3-41 | note of 28451396 («звонить клиентке напрямую …»); its contract 204/26 is not in the client base |
| | +79523778109 | review | | notes call it the landlady's at 28451403 (Загребский бульвар 33-1-104) and 28451409 (Будапештская 97-2-15): two addresses |
| 45102475 Григорьев (прораб) | +78122449017, +79114096328, +79645128803 | keep | | own numbers, and a client's number without any evidence |
| 45102481 Ершов (партнер) | +79996307241, +79651180493 | review | | no deals at all, several phones |
"#,
    );
    s
}
