//! Scale generator: realistic, noisy amoCRM exports of any size, for benchmarks and soak tests.
//!
//! ```text
//! cargo run --release --example gen -- --contacts 1000000 --out /tmp/big [--seed 7]
//! ```
//!
//! Writes into DIR:
//! - `contacts.csv`: amoCRM contacts, classic layout, Windows-1251, `;`, every field quoted, CRLF;
//! - `deals.csv`: 1.5 deals per contact, new layout header (` (контакт)` columns), UTF-8 with
//!   BOM, `,`, dates as text `dd.mm.yyyy HH:MM`;
//! - `client_base.csv`: the contracts register (UTF-8 with BOM, `,`);
//! - `managers.csv`: the CRM users (UTF-8, `,`);
//! - `truth/partner_truth.csv`: what the files prove about every valid phone on every partner
//!   card (`own`, `client_note`, `client_base`, `client_none`) and the name a new contact must
//!   get; in a subfolder, so that reading `DIR` reads only the exports.
//!
//! Noise at a few per cent: phone formats of every kind (`+7 (9xx) …`, `8…`, `7….0`, a leading
//! apostrophe, extensions, several numbers in one cell), junk and 7-digit phones, blank fields,
//! the 01.01.1970 placeholder and future birthdays, ФИО only in the title, managers' e-mails on
//! client cards, ≈3 % duplicated contacts (same phone in another format, swapped name order,
//! typos, ё/е, no patronymic), stop-list comments, stale open deals, unsorted requests and trash.
//! Partner cards («прораб»/«партнёр», ≈4 %) are shaped like real exports: client numbers typed
//! into any phone column, the deals' «(контакт)» cells a snapshot of the main contact's card
//! (its mobile and work cells only), client evidence only in notes (phrases that give a
//! client's number, the partner's own beside it now and then) and the client base (by contract,
//! or at the object's address), client numbers that nothing proves, and notes that give numbers
//! without saying whose. Dates are relative to
//! 23.11.2026 12:00 (the same reference time as `samples/`). The output depends only on
//! `--contacts` and `--seed`.
//!
//! `--next-week WEEK1_DIR --out DIR` writes the export of a week later instead: see
//! `gen/next_week.rs` (and `DIR/truth/expected.json`, what `audit --baseline` must find).

#[allow(dead_code)]
#[path = "common/mod.rs"]
mod common;
#[path = "gen/next_week.rs"]
mod next_week;

use chrono::{Datelike, NaiveDate};
use common::Rng;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

/// Male surnames; the female form adds «а».
const SURNAMES: &[&str] = &[
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кузьмин",
    "Фролов",
    "Александров",
    "Дмитриев",
    "Королёв",
    "Гусев",
    "Киселёв",
    "Ильин",
    "Максимов",
    "Поляков",
    "Сорокин",
    "Виноградов",
    "Ковалёв",
    "Белов",
    "Медведев",
    "Антонов",
    "Тарасов",
    "Жуков",
    "Баранов",
    "Филиппов",
    "Комаров",
    "Давыдов",
    "Беляев",
    "Герасимов",
    "Богданов",
    "Осипов",
    "Сидоров",
    "Матвеев",
    "Титов",
    "Марков",
    "Миронов",
    "Крылов",
    "Куликов",
    "Карпов",
    "Власов",
    "Мельников",
    "Денисов",
    "Гаврилов",
    "Тихонов",
    "Казаков",
    "Афанасьев",
    "Данилов",
    "Савельев",
    "Тимофеев",
    "Фомин",
    "Чернов",
    "Абрамов",
    "Мартынов",
    "Ефимов",
    "Федотов",
    "Щербаков",
    "Назаров",
    "Калинин",
    "Исаев",
    "Чернышёв",
    "Быков",
    "Маслов",
    "Родионов",
    "Коновалов",
    "Лазарев",
    "Воронин",
    "Климов",
    "Филатов",
    "Пономарёв",
    "Голубев",
    "Кудрявцев",
    "Прохоров",
    "Наумов",
    "Потапов",
    "Журавлёв",
    "Овчинников",
    "Трофимов",
    "Леонов",
    "Соболев",
    "Ермаков",
    "Колесников",
    "Гончаров",
    "Емельянов",
    "Никифоров",
];
const MALE_NAMES: &[&str] = &[
    "Александр",
    "Алексей",
    "Андрей",
    "Антон",
    "Артём",
    "Борис",
    "Вадим",
    "Валерий",
    "Виктор",
    "Виталий",
    "Владимир",
    "Владислав",
    "Всеволод",
    "Георгий",
    "Глеб",
    "Григорий",
    "Даниил",
    "Денис",
    "Дмитрий",
    "Евгений",
    "Егор",
    "Иван",
    "Игорь",
    "Илья",
    "Кирилл",
    "Константин",
    "Леонид",
    "Максим",
    "Матвей",
    "Михаил",
    "Никита",
    "Николай",
    "Олег",
    "Павел",
    "Пётр",
    "Роман",
    "Руслан",
    "Семён",
    "Сергей",
    "Станислав",
    "Степан",
    "Тимофей",
    "Юрий",
    "Ярослав",
];
const FEMALE_NAMES: &[&str] = &[
    "Александра",
    "Алина",
    "Алёна",
    "Анастасия",
    "Ангелина",
    "Анна",
    "Валентина",
    "Валерия",
    "Вера",
    "Вероника",
    "Галина",
    "Дарья",
    "Диана",
    "Ева",
    "Екатерина",
    "Елена",
    "Елизавета",
    "Жанна",
    "Зоя",
    "Инна",
    "Ирина",
    "Карина",
    "Кира",
    "Ксения",
    "Лариса",
    "Любовь",
    "Людмила",
    "Маргарита",
    "Марина",
    "Мария",
    "Надежда",
    "Наталья",
    "Нина",
    "Оксана",
    "Ольга",
    "Полина",
    "Светлана",
    "Софья",
    "Таисия",
    "Татьяна",
    "Ульяна",
    "Юлия",
    "Яна",
];
/// (masculine, feminine) patronymics.
const PATRONYMICS: &[(&str, &str)] = &[
    ("Александрович", "Александровна"),
    ("Алексеевич", "Алексеевна"),
    ("Андреевич", "Андреевна"),
    ("Анатольевич", "Анатольевна"),
    ("Борисович", "Борисовна"),
    ("Валерьевич", "Валерьевна"),
    ("Викторович", "Викторовна"),
    ("Владимирович", "Владимировна"),
    ("Геннадьевич", "Геннадьевна"),
    ("Григорьевич", "Григорьевна"),
    ("Дмитриевич", "Дмитриевна"),
    ("Евгеньевич", "Евгеньевна"),
    ("Иванович", "Ивановна"),
    ("Игоревич", "Игоревна"),
    ("Ильич", "Ильинична"),
    ("Константинович", "Константиновна"),
    ("Леонидович", "Леонидовна"),
    ("Максимович", "Максимовна"),
    ("Михайлович", "Михайловна"),
    ("Николаевич", "Николаевна"),
    ("Олегович", "Олеговна"),
    ("Павлович", "Павловна"),
    ("Петрович", "Петровна"),
    ("Романович", "Романовна"),
    ("Сергеевич", "Сергеевна"),
    ("Степанович", "Степановна"),
    ("Юрьевич", "Юрьевна"),
    ("Ярославович", "Ярославовна"),
];
const STREETS: &[&str] = &[
    "Купчинская",
    "Будапештская",
    "Белградская",
    "Бухарестская",
    "Пражская",
    "Загребский бульвар",
    "Ярослава Гашека",
    "Славы пр.",
    "Ветеранов пр.",
    "Просвещения пр.",
    "Энгельса пр.",
    "Дыбенко",
    "Коллонтай",
    "Большевиков пр.",
    "Искровский пр.",
    "Ленинский пр.",
    "Московский пр.",
    "Космонавтов пр.",
    "Типанова",
    "Звёздная",
    "Дунайский пр.",
    "Савушкина",
    "Комендантский пр.",
    "Испытателей пр.",
    "Королёва пр.",
    "Богатырский пр.",
    "Гражданский пр.",
    "Науки пр.",
    "Бутлерова",
    "Руставели",
    "Композиторов",
    "Есенина",
    "Luначарского пр.",
    "Кораблестроителей",
    "Наличная",
    "Беринга",
    "Стачек пр.",
    "Маршала Жукова пр.",
    "Бассейная",
    "Варшавская",
    "Орджоникидзе",
    "Пулковское ш.",
    "Доблести",
    "Маршала Казакова",
    "Тамбасова",
    "Пионерстроя",
    "Авангардная",
    "Шотмана",
    "Седова",
    "Ивановская",
    "Народная",
];
const DOMAINS: &[&str] = &[
    "mail.ru",
    "yandex.ru",
    "gmail.com",
    "bk.ru",
    "inbox.ru",
    "list.ru",
    "rambler.ru",
    "ya.ru",
];
const MOBILE_CODES: &[u16] = &[
    901, 904, 905, 911, 915, 916, 921, 931, 950, 951, 952, 953, 958, 960, 961, 962, 963, 964, 965,
    967, 977, 981, 982, 991, 992, 993, 995, 996, 999,
];
const MANAGERS: &[(&str, &str)] = &[
    ("Иванова Анна", "a.ivanova@okna-spb.ru"),
    ("Петров Сергей", "s.petrov@okna-spb.ru"),
    ("Смирнова Ольга", "o.smirnova@okna-spb.ru"),
    ("Кузнецов Дмитрий", "d.kuznetsov@okna-spb.ru"),
    ("Петрова Алёна", "a.petrova@okna-spb.ru"),
    ("Морозов Илья", "i.morozov@okna-spb.ru"),
    ("Белова Ксения", "k.belova@okna-spb.ru"),
    ("Григорьев Павел", "p.grigoriev@okna-spb.ru"),
    ("Лебедева Марина", "m.lebedeva@okna-spb.ru"),
    ("Орлов Константин", "k.orlov@okna-spb.ru"),
    ("Соколова Дарья", "d.sokolova@okna-spb.ru"),
    ("Фомин Артём", "a.fomin@okna-spb.ru"),
    ("Егорова Наталья", "n.egorova@okna-spb.ru"),
    ("Тихонов Глеб", "g.tikhonov@okna-spb.ru"),
    ("Ковалёва Вера", "v.kovaleva@okna-spb.ru"),
    ("Зайцев Роман", "r.zaitsev@okna-spb.ru"),
];
/// (group, products, typical budget in roubles)
const GROUPS: &[(&str, &[&str], u32)] = &[
    (
        "Регулировка",
        &[
            "Регулировка фурнитуры",
            "Регулировка створок (сезонная)",
            "Перевод в зимний режим",
        ],
        3_500,
    ),
    (
        "Ремонт окон",
        &[
            "Замена уплотнителя",
            "Замена стеклопакета",
            "Замена фурнитуры",
            "Ремонт ручки",
        ],
        9_000,
    ),
    (
        "Установка окон",
        &[
            "Окно ПВХ 2-створчатое",
            "Окно ПВХ 3-створчатое",
            "Балконный блок ПВХ",
        ],
        48_000,
    ),
    (
        "Балконы",
        &[
            "Остекление балкона (тёплое)",
            "Остекление лоджии (холодное)",
            "Отделка балкона",
        ],
        110_000,
    ),
    (
        "Аксессуары",
        &["Москитная сетка", "Подоконник ПВХ", "Отлив"],
        4_000,
    ),
];
const SOURCES: &[&str] = &[
    "Сайт",
    "Авито",
    "Яндекс Директ",
    "Яндекс Карты",
    "ВКонтакте",
    "Рекомендация знакомых",
    "Повторное обращение",
    "Звонок",
];
const STOP_COMMENTS: &[&str] = &[
    "НД",
    "перезвонить",
    "перезвонить.",
    "Сбросил",
    "пообщались",
    "Думает",
    "не дозвонился",
    "Пообщались, перезвонить",
    "недозвон",
    "ок",
];
const NOTE_BODIES: &[&str] = &[
    "Клиент согласовал замер на пятницу, {n} окна ПВХ, просит скидку",
    "Отправили расчёт на {n} окна с установкой, клиент сравнивает с конкурентами до конца недели",
    "Клиентка жалуется на продувание створок, договорились о выезде мастера во вторник",
    "Согласовали профиль и стеклопакет, клиент вносит предоплату после зарплаты",
    "Монтаж выполнен, акт подписан, претензий к качеству нет",
    "Замерщик был на объекте, {n} проёма, демонтаж старых деревянных рам",
    "Клиент просит перенести монтаж на следующую неделю из-за ремонта в квартире",
    "Выставили счёт на {n} позиции, ждём оплату до пятницы, доставка со склада",
    "Клиенту важен тёплый профиль, предложили пятикамерный с энергосберегающим стеклопакетом",
    "Обсудили сроки изготовления, окна будут готовы через {n} недели, клиент согласен",
];
const REFUSALS: &[&str] = &[
    "Хочет сравнить цены",
    "Ждёт окончания ремонта",
    "Нет времени принять замерщика",
    "Согласует с супругом",
    "Ждёт зарплату",
];
const STAGES_OPEN: &[&str] = &["Первичный контакт", "Замер", "Думает", "Договор заключён"];

// ---------------------------------------------------------------------------------------------
// Reference time and date formatting
// ---------------------------------------------------------------------------------------------

/// Minutes since 2000-01-01 00:00 (a compact timestamp).
type Min = i64;

fn minutes(d: NaiveDate, h: u32, m: u32) -> Min {
    let base = NaiveDate::from_ymd_opt(2000, 1, 1).expect("date");
    (d - base).num_days() * 1440 + i64::from(h) * 60 + i64::from(m)
}

fn as_of() -> Min {
    minutes(NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"), 12, 0)
}

fn push2(out: &mut String, v: u32) {
    out.push(char::from(b'0' + (v / 10) as u8));
    out.push(char::from(b'0' + (v % 10) as u8));
}

fn push_date(out: &mut String, days_since_2000: i64) {
    let d = NaiveDate::from_ymd_opt(2000, 1, 1).expect("date")
        + chrono::Duration::days(days_since_2000);
    push2(out, d.day());
    out.push('.');
    push2(out, d.month());
    out.push('.');
    let _ = write!(out, "{}", d.year());
}

/// `dd.mm.yyyy HH:MM`, plus `:SS` when `secs` is given.
fn push_dt(out: &mut String, t: Min, secs: Option<u32>) {
    push_date(out, t.div_euclid(1440));
    let m = t.rem_euclid(1440) as u32;
    out.push(' ');
    push2(out, m / 60);
    out.push(':');
    push2(out, m % 60);
    if let Some(s) = secs {
        out.push(':');
        push2(out, s);
    }
}

/// An office-hours moment between `from` and `to` (clamped to them).
fn office_between(rng: &mut Rng, from: Min, to: Min) -> Min {
    if to <= from {
        return from;
    }
    let t = office(rng, from.div_euclid(1440), to.div_euclid(1440));
    if (from..=to).contains(&t) {
        t
    } else {
        from + rng.below((to - from + 1) as u64) as i64
    }
}

/// A moment during office hours on a day in `[from_day, to_day]`.
fn office(rng: &mut Rng, from_day: i64, to_day: i64) -> Min {
    let day = from_day + rng.below((to_day - from_day + 1).max(1) as u64) as i64;
    day * 1440 + rng.range(9 * 60, 20 * 60 - 1) as i64
}

// ---------------------------------------------------------------------------------------------
// Contacts in memory: compact, rendered on demand for both files
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Default)]
struct Person {
    female: bool,
    surname: u16,
    first: u16,
    patronymic: u16,
    /// mobile as 10 national digits (9xxxxxxxxx)
    mobile: u64,
    /// birthday, days since 2000-01-01 (negative before)
    birthday: i32,
    email_no: u16,
    domain: u8,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Client,
    Company,
    Partner,
}

/// How a field of this card is spoilt (at most one kind of name/phone/birthday/e-mail noise).
#[derive(Clone, Copy, Default)]
struct Noise {
    /// 0 ok; 1 «нет»; 2 «-»; 3 text; 4 7-digit; 5 too short; 6 mobile empty, landline present
    mobile: u8,
    /// 0 ok; 1 missing; 2 01.01.1970; 3 future; 4 impossible date
    birthday: u8,
    /// 0 ok; 1 missing; 2 invalid; 3 a manager's e-mail (in Рабочий email)
    email: u8,
    /// ФИО field blank, the name only in the title
    title_only: bool,
    /// name typo (duplicates), swapped order, no patronymic
    name_variant: u8,
    /// phone rendering style
    phone_style: u8,
}

struct Card {
    id: u64,
    kind: Kind,
    p: Person,
    noise: Noise,
    manager: u8,
    created: Min,
    /// landline (7 digits after 812), 0 if none
    landline: u32,
    second_mobile: u64,
    /// index into `partners` for partner cards
    partner: u32,
}

struct Partner {
    card: u32,
    /// the partner's second own number, in «Другой телефон» (no «(контакт)» column); 0 if none
    own_other: u64,
    /// client numbers written on the partner's card
    clients: Vec<PartnerClient>,
}

/// A phone column of a card; the deals export carries only `Work` and `Mobile` as «(контакт)».
#[derive(Clone, Copy, PartialEq)]
enum Column {
    Work,
    Mobile,
    Home,
    Other,
}

/// What the export is meant to hold about a client number on a partner's card.
#[derive(Clone, Copy, PartialEq)]
enum Proof {
    /// notes of the client's deals call it the client's
    Note,
    /// the client base lists it under the contract of one of the client's deals
    Base,
    /// the client base lists it at the object's address, under a contract no deal has
    BaseAddress,
    /// nothing at all: the client base lists the client's own mobile
    Nothing,
}

/// A client's number on a partner's card, and what the export ended up holding about it.
struct PartnerClient {
    phone: u64,
    /// the object (address, and the client's name via `new_person(Rng::new(obj))`)
    obj: u32,
    /// a second object of the same client (evidence at two addresses: review)
    obj2: Option<u32>,
    column: Column,
    proof: Proof,
    /// filled while the deals are written
    truth: Truth,
}

/// What the written export proves about a partner-card client number.
#[derive(Default)]
struct Truth {
    noted: bool,
    base: bool,
    /// the client-base row at the object's address (`Proof::BaseAddress`) is written
    address_row: bool,
    /// a deal that proves it has a contract the client base resolves (named by the ФИО)
    named_by_base: bool,
    /// the addresses of the deals that prove it, as written, distinct
    addresses: Vec<String>,
}

fn surname(p: &Person) -> String {
    let s = SURNAMES[p.surname as usize];
    if p.female {
        format!("{s}а")
    } else {
        s.to_string()
    }
}

fn first_name(p: &Person) -> &'static str {
    if p.female {
        FEMALE_NAMES[p.first as usize % FEMALE_NAMES.len()]
    } else {
        MALE_NAMES[p.first as usize % MALE_NAMES.len()]
    }
}

fn patronymic(p: &Person) -> &'static str {
    let (m, f) = PATRONYMICS[p.patronymic as usize % PATRONYMICS.len()];
    if p.female {
        f
    } else {
        m
    }
}

/// A typo a manager makes: one letter replaced by its neighbour on the ЙЦУКЕН keyboard, or ё→е.
fn typo(s: &str, k: u64) -> String {
    let chars: Vec<char> = s.chars().collect();
    if let Some(i) = chars.iter().position(|c| *c == 'ё') {
        let mut c = chars.clone();
        c[i] = 'е';
        return c.into_iter().collect();
    }
    let pos = 1 + (k as usize % (chars.len().saturating_sub(2)).max(1));
    let swap = |c: char| match c {
        'о' => 'а',
        'а' => 'о',
        'е' => 'и',
        'и' => 'е',
        'в' => 'ф',
        'с' => 'з',
        'л' => 'д',
        'н' => 'м',
        other => other,
    };
    let mut c = chars;
    if pos < c.len() {
        c[pos] = swap(c[pos]);
    }
    c.into_iter().collect()
}

const TRANSLIT: &[(char, &str)] = &[
    ('а', "a"),
    ('б', "b"),
    ('в', "v"),
    ('г', "g"),
    ('д', "d"),
    ('е', "e"),
    ('ё', "e"),
    ('ж', "zh"),
    ('з', "z"),
    ('и', "i"),
    ('й', "y"),
    ('к', "k"),
    ('л', "l"),
    ('м', "m"),
    ('н', "n"),
    ('о', "o"),
    ('п', "p"),
    ('р', "r"),
    ('с', "s"),
    ('т', "t"),
    ('у', "u"),
    ('ф', "f"),
    ('х', "kh"),
    ('ц', "ts"),
    ('ч', "ch"),
    ('ш', "sh"),
    ('щ', "sch"),
    ('ъ', ""),
    ('ы', "y"),
    ('ь', ""),
    ('э', "e"),
    ('ю', "yu"),
    ('я', "ya"),
];

fn push_translit(out: &mut String, s: &str) {
    for c in s.chars().flat_map(char::to_lowercase) {
        match TRANSLIT.iter().find(|(k, _)| *k == c) {
            Some((_, v)) => out.push_str(v),
            None if c.is_ascii_alphanumeric() => out.push(c),
            None => {}
        }
    }
}

fn push_email(out: &mut String, p: &Person) {
    push_translit(out, first_name(p));
    out.push('.');
    push_translit(out, SURNAMES[p.surname as usize]);
    if p.female {
        out.push('a');
    }
    if p.email_no > 0 {
        let _ = write!(out, "{}", p.email_no);
    }
    out.push('@');
    out.push_str(DOMAINS[p.domain as usize % DOMAINS.len()]);
}

/// Renders a Russian mobile (10 national digits) in one of the ways people type it.
fn push_mobile(out: &mut String, n: u64, style: u8) {
    let s = format!("{n:010}");
    let (a, b, c, d) = (&s[0..3], &s[3..6], &s[6..8], &s[8..10]);
    let _ = match style % 10 {
        0..=2 => write!(out, "+7 ({a}) {b}-{c}-{d}"),
        3 | 4 => write!(out, "8{s}"),
        5 => write!(out, "8 {a} {b} {c} {d}"),
        6 => write!(out, "+7{s}"),
        7 => write!(out, "8({a}){b}-{c}-{d}"),
        8 => write!(out, "7{s}.0"),
        _ => write!(out, "'+7 {a} {b}-{c}-{d}"),
    };
}

fn push_landline(out: &mut String, n: u32, style: u8) {
    let s = format!("{n:07}");
    let (b, c, d) = (&s[0..3], &s[3..5], &s[5..7]);
    let _ = match style % 4 {
        0 => write!(out, "+7 (812) {b}-{c}-{d}"),
        1 => write!(out, "8 (812) {b}-{c}-{d}"),
        2 => write!(out, "8-812-{b}-{c}-{d} доб. {}", 10 + n % 90),
        _ => write!(out, "8812{s}"),
    };
}

/// A mobile of anyone but a partner card: it ends in an even digit (see [`PartnerNumbers`]).
fn new_mobile(rng: &mut Rng) -> u64 {
    let code = u64::from(*rng.pick(MOBILE_CODES));
    (code * 10_000_000 + rng.range(1_000_000, 9_999_999)) & !1
}

/// The numbers on partner cards (the partners' own and their clients') end in an odd digit and
/// are all different, so that no number is two people's by chance and the ground truth is what
/// the files say.
#[derive(Default)]
struct PartnerNumbers(std::collections::HashSet<u64>);

impl PartnerNumbers {
    fn mobile(&mut self, rng: &mut Rng) -> u64 {
        loop {
            let n = new_mobile(rng) | 1;
            if self.0.insert(n) {
                return n;
            }
        }
    }

    /// 7 digits after 812.
    fn landline(&mut self, rng: &mut Rng) -> u32 {
        loop {
            let n = rng.range(2_000_000, 7_999_999) | 1;
            if self.0.insert(n) {
                return n as u32;
            }
        }
    }
}

fn new_person(rng: &mut Rng) -> Person {
    let female = rng.chance(520);
    Person {
        female,
        surname: rng.below(SURNAMES.len() as u64) as u16,
        first: rng.below(if female {
            FEMALE_NAMES.len()
        } else {
            MALE_NAMES.len()
        } as u64) as u16,
        patronymic: rng.below(PATRONYMICS.len() as u64) as u16,
        mobile: new_mobile(rng),
        // born 1945‥2004
        birthday: -(55 * 365) + rng.below(60 * 365) as i32,
        email_no: if rng.chance(600) {
            rng.range(1, 2004) as u16
        } else {
            0
        },
        domain: rng.below(DOMAINS.len() as u64) as u8,
    }
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

struct Args {
    contacts: u64,
    out: PathBuf,
    seed: u64,
    /// `--next-week WEEK1_DIR`: write the export a week after WEEK1_DIR's instead.
    next_week: Option<PathBuf>,
}

fn usage() -> ! {
    eprintln!(
        "usage: cargo run --release --example gen -- --contacts N --out DIR [--seed N]\n\
         writes DIR/contacts.csv (N contacts, cp1251), DIR/deals.csv (1.5×N deals),\n\
         DIR/client_base.csv, DIR/managers.csv and DIR/truth/partner_truth.csv (the ground\n\
         truth of every partner-card phone); same N and seed → same bytes\n\
         or: cargo run --release --example gen -- --next-week WEEK1_DIR --out DIR [--seed N]\n\
         writes the export a week after WEEK1_DIR's (some records deleted, some problems\n\
         fixed, some new) and DIR/truth/expected.json, the keys that must be fixed and new"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        contacts: 0,
        out: PathBuf::new(),
        seed: 1,
        next_week: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| usage());
        match k.as_str() {
            "--contacts" => a.contacts = val().replace('_', "").parse().unwrap_or_else(|_| usage()),
            "--out" => a.out = PathBuf::from(val()),
            "--seed" => a.seed = val().parse().unwrap_or_else(|_| usage()),
            "--next-week" => a.next_week = Some(PathBuf::from(val())),
            _ => usage(),
        }
    }
    if (a.contacts == 0 && a.next_week.is_none()) || a.out.as_os_str().is_empty() {
        usage()
    }
    a
}

fn main() -> std::io::Result<()> {
    let args = parse_args();
    if let Some(week1) = &args.next_week {
        return next_week::run(week1, &args.out, args.seed);
    }
    let t0 = Instant::now();
    std::fs::create_dir_all(&args.out)?;
    let mut rng = Rng::new(args.seed);
    let today = as_of().div_euclid(1440);
    let first_day = minutes(NaiveDate::from_ymd_opt(2021, 1, 11).expect("date"), 0, 0) / 1440;

    // ---- contacts -------------------------------------------------------------------------
    let n = args.contacts as usize;
    let mut cards: Vec<Card> = Vec::with_capacity(n);
    let mut partners: Vec<Partner> = Vec::new();
    let mut numbers = PartnerNumbers::default();
    let mut next_id = 30_000_000u64;
    let mut dup_count = 0u64;
    for i in 0..n {
        next_id += rng.range(1, 9);
        // contacts are created in ID order over 2021‥2026
        let span = (today - 2 - first_day) as u64;
        let day = first_day + (i as u64 * span / n as u64) as i64;
        let created = office(&mut rng, day, day);
        let mut noise = Noise {
            phone_style: rng.below(10) as u8,
            ..Noise::default()
        };
        let kind = if rng.chance(10) {
            Kind::Company
        } else if rng.chance(45) {
            Kind::Partner
        } else {
            Kind::Client
        };
        let mut p = new_person(&mut rng);
        let dup_of = if kind == Kind::Client && i > 10 && rng.chance(30) {
            Some(rng.below(i as u64) as usize).filter(|&j| cards[j].kind == Kind::Client)
        } else {
            None
        };
        if let Some(j) = dup_of {
            // a duplicate of an earlier card, entered again by another manager
            dup_count += 1;
            {
                let orig = cards[j].p;
                match rng.below(3) {
                    0 => {
                        // same phone (other format) and birthday, name order swapped / short
                        p = Person {
                            email_no: p.email_no,
                            domain: p.domain,
                            ..orig
                        };
                        noise.name_variant = 2 + rng.below(2) as u8;
                    }
                    1 => {
                        // same phone, a typo in the name, birthday differs or missing
                        p = Person {
                            birthday: p.birthday,
                            email_no: p.email_no,
                            domain: p.domain,
                            ..orig
                        };
                        noise.name_variant = 1;
                        if rng.chance(500) {
                            noise.birthday = 1;
                        }
                    }
                    _ => {
                        // same name and birthday, another phone
                        p = Person {
                            mobile: p.mobile,
                            email_no: p.email_no,
                            domain: p.domain,
                            ..orig
                        };
                    }
                }
            }
        } else if kind != Kind::Company {
            noise.mobile = match rng.below(1000) {
                0..=7 => 1,
                8..=11 => 2,
                12..=15 => 3,
                16..=20 => 4,
                21..=23 => 5,
                24..=35 => 6,
                _ => 0,
            };
            noise.birthday = match rng.below(1000) {
                0..=39 => 1,
                40..=51 => 2,
                52..=53 => 3,
                54..=56 => 4,
                _ => 0,
            };
            noise.email = match rng.below(1000) {
                0..=59 => 1,
                60..=64 => 2,
                65..=67 => 3,
                _ => 0,
            };
            noise.title_only = rng.chance(30);
        }
        let mut landline = if noise.mobile == 6 || rng.chance(80) || kind == Kind::Company {
            (rng.range(2_000_000, 7_999_999) & !1) as u32
        } else {
            0
        };
        let mut second_mobile = if rng.chance(25) {
            new_mobile(&mut rng)
        } else {
            0
        };
        let mut partner = u32::MAX;
        if kind == Kind::Partner {
            partner = partners.len() as u32;
            p.mobile = numbers.mobile(&mut rng);
            if second_mobile != 0 {
                second_mobile = numbers.mobile(&mut rng);
            }
            if landline != 0 {
                landline = numbers.landline(&mut rng);
            }
            let mobile_ok = noise.mobile == 0;
            partners.push(new_partner(&mut rng, &mut numbers, &p, i as u32, mobile_ok));
        }
        cards.push(Card {
            id: next_id,
            kind,
            p,
            noise,
            manager: rng.below(MANAGERS.len() as u64) as u8,
            created,
            landline,
            second_mobile,
            partner,
        });
    }

    // ---- deals (they also decide the contacts' «Сделки» column, so they come first) -------
    let n_deals = n * 3 / 2;
    let mut deal_contact: Vec<u32> = Vec::with_capacity(n_deals);
    let mut deal_ids: Vec<u64> = Vec::with_capacity(n_deals);

    let deals_path = args.out.join("deals.csv");
    let base_path = args.out.join("client_base.csv");
    let mut deals_w = BufWriter::with_capacity(1 << 20, File::create(&deals_path)?);
    let mut base_w = BufWriter::with_capacity(1 << 20, File::create(&base_path)?);
    deals_w.write_all("\u{feff}".as_bytes())?;
    base_w.write_all("\u{feff}".as_bytes())?;
    let mut line = String::with_capacity(4096);
    common::push_record_minimal(&mut line, &DEAL_HEADERS, ',');
    deals_w.write_all(line.as_bytes())?;
    line.clear();
    common::push_record_minimal(
        &mut line,
        &["Номер договора", "ФИО клиента", "Телефон", "Адрес"],
        ',',
    );
    base_w.write_all(line.as_bytes())?;

    let ix = |h: &str| DEAL_HEADERS.iter().position(|x| *x == h).expect("header");
    let (i_budget, i_resp, i_created, i_created_by, i_edited, i_closed) = (
        ix("Бюджет ₽"),
        ix("Ответственный"),
        ix("Дата создания"),
        ix("Кем создана"),
        ix("Дата редактирования"),
        ix("Дата закрытия"),
    );
    let (i_stage, i_pipeline, i_group, i_product, i_address, i_contract) = (
        ix("Этап сделки"),
        ix("Воронка"),
        ix("Группа продуктов"),
        ix("Товар"),
        ix("Адрес объекта"),
        ix("Номер договора"),
    );
    let (i_last, i_measure, i_person, i_scope, i_source, i_next, i_refusal) = (
        ix("Дата последнего контакта"),
        ix("Дата и время замера"),
        ix("Контактное лицо"),
        ix("Объём работ"),
        ix("Источник сделки"),
        ix("Дата следующего контакта"),
        ix("Причина отказа от замера"),
    );
    let (i_client_phone, i_contact_id, i_contact, i_c_mobile, i_c_work, i_c_bd, i_c_email) = (
        ix("Телефон клиента"),
        ix("ID контакта"),
        ix("Основной контакт"),
        ix("Мобильный телефон (контакт)"),
        ix("Рабочий телефон (контакт)"),
        ix("День рождения (контакт)"),
        ix("Личный email (контакт)"),
    );
    let i_note1 = ix("Примечание 1");
    // «Петрова А.» for every manager
    let authors: Vec<String> = MANAGERS
        .iter()
        .map(|(name, _)| {
            let mut w = name.split_whitespace();
            let last = w.next().unwrap_or("");
            let initial = w.next().and_then(|f| f.chars().next()).unwrap_or('А');
            format!("{last} {initial}.")
        })
        .collect();

    let mut deal_id = 20_000_000u64;
    let mut contract_seq = [0u32; 8];
    let mut base_rows = 0u64;
    let mut fields: Vec<String> = (0..DEAL_HEADERS.len())
        .map(|_| String::with_capacity(64))
        .collect();
    let mut address = String::with_capacity(64);
    let mut scratch = String::with_capacity(128);
    let mut stats = [0u64; 6]; // unsorted, trash, stop-list, stale, partner deals, contracts
    for k in 0..n_deals {
        for f in fields.iter_mut() {
            f.clear();
        }
        deal_id += rng.range(1, 5);
        // whose deal: partners get several each; others are picked near the deal's position,
        // so that later contacts have later deals
        let (mut ci, partner_deal) = if !partners.is_empty() && rng.chance(150) {
            let pi = rng.below(partners.len() as u64) as usize;
            (partners[pi].card as usize, Some(pi))
        } else {
            let centre = (k as u64 * n as u64 / n_deals as u64) as i64;
            let spread = (n as i64 / 20).max(1);
            let j = (centre + rng.below(2 * spread as u64) as i64 - spread).rem_euclid(n as i64);
            (j as usize, None)
        };
        while cards[ci].kind == Kind::Company {
            ci = (ci + 1) % n;
        }
        let card = &cards[ci];
        deal_contact.push(ci as u32);
        deal_ids.push(deal_id);

        let stage: &str = match rng.below(1000) {
            0..=4 => "Неразобранное",
            5..=24 => "Корзина",
            25..=419 => "Успешно реализовано",
            420..=579 => "Закрыто и не реализовано",
            _ => STAGES_OPEN[rng.below(STAGES_OPEN.len() as u64) as usize],
        };
        let unsorted_or_trash = matches!(stage, "Неразобранное" | "Корзина");
        let closed_stage = matches!(stage, "Успешно реализовано" | "Закрыто и не реализовано");
        let open = STAGES_OPEN.contains(&stage);
        let created = if stage == "Неразобранное" {
            stats[0] += 1;
            // requests from the last three days, a few of them still fresh
            as_of() - rng.range(1, 3 * 1440) as i64
        } else {
            let from = card.created.div_euclid(1440);
            office(&mut rng, from, (today - 1).max(from))
                .max(card.created + 1)
                .min(as_of() - 180)
        };
        if stage == "Корзина" {
            stats[1] += 1;
        }
        let (group, products, base_budget) = GROUPS[rng.below(GROUPS.len() as u64) as usize];
        let product = products[rng.below(products.len() as u64) as usize];
        let budget = (u64::from(base_budget) * rng.range(50, 220) / 100 / 100) * 100;
        let manager = card.manager as usize;
        let addr_seed = match partner_deal {
            Some(_) => rng.next_u64(),
            None => card.id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 7,
        };
        let street = STREETS[(addr_seed % STREETS.len() as u64) as usize];
        address.clear();
        push_object_address(&mut address, addr_seed);
        // a partner's client: the object and number the partner wrote on his card
        let partner_client: Option<(usize, usize)> = partner_deal.and_then(|pi| {
            stats[4] += 1;
            let p = &partners[pi];
            // a third of a partner's deals are his own; the rest belong to a client on his card
            (!rng.chance(333)).then(|| (pi, rng.below(p.clients.len() as u64) as usize))
        });
        if let Some((pi, k)) = partner_client {
            let pc = &partners[pi].clients[k];
            let obj = match pc.obj2 {
                Some(o) if rng.chance(500) => o,
                _ => pc.obj,
            };
            address.clear();
            push_object_address(&mut address, u64::from(obj));
        }
        let linked = !unsorted_or_trash && rng.below(1000) >= 6;
        let mut resolves = false;
        let mut base_hit = false;
        let mut noted_here = false;
        let _ = write!(fields[0], "{deal_id}");
        if unsorted_or_trash {
            let _ = write!(fields[1], "Сделка #{deal_id}");
        } else {
            let _ = write!(fields[1], "{product}, {street}");
            if !rng.chance(8) {
                let _ = write!(fields[i_budget], "{budget}");
            }
        }
        fields[i_resp].push_str(MANAGERS[manager].0);
        push_dt(&mut fields[i_created], created, None);
        fields[i_created_by].push_str(if unsorted_or_trash {
            "Робот"
        } else {
            MANAGERS[manager].0
        });
        // interaction history
        let stale = open && rng.chance(60);
        let last_contact: Min = if unsorted_or_trash {
            created
        } else if stale {
            stats[3] += 1;
            office_between(
                &mut rng,
                created,
                (created + 20 * 1440).min(as_of() - 70 * 1440),
            )
        } else if open {
            office_between(&mut rng, (as_of() - 50 * 1440).max(created), as_of() - 60)
        } else {
            office_between(
                &mut rng,
                created + 60,
                (created + 40 * 1440).min(as_of() - 60),
            )
        };
        let edited = (last_contact + rng.range(1, 30) as i64)
            .min(as_of() - 1)
            .max(created);
        push_dt(&mut fields[i_edited], edited, None);
        if closed_stage {
            push_dt(
                &mut fields[i_closed],
                office_between(
                    &mut rng,
                    last_contact + 1,
                    (last_contact + 3 * 1440).min(as_of() - 1),
                ),
                None,
            );
        }
        fields[i_stage].push_str(stage);
        fields[i_pipeline].push_str(
            if matches!(group, "Регулировка" | "Ремонт окон") {
                "Сервис"
            } else {
                "Продажи"
            },
        );
        if !unsorted_or_trash {
            if !rng.chance(10) {
                fields[i_group].push_str(group);
            }
            if !rng.chance(12) {
                fields[i_product].push_str(product);
            }
            fields[i_address].push_str(&address);
            if !rng.chance(30) {
                fields[i_source].push_str(SOURCES[rng.below(SOURCES.len() as u64) as usize]);
            }
            if rng.chance(700) {
                push_dt(&mut fields[i_last], last_contact, None);
            }
        }
        if stage == "Замер" {
            if !rng.chance(40) {
                push_dt(
                    &mut fields[i_measure],
                    office(&mut rng, today + 1, today + 10) / 60 * 60,
                    None,
                );
            }
            if !rng.chance(30) {
                fields[i_person].push_str(first_name(&card.p));
            }
            if !rng.chance(30) {
                let _ = write!(fields[i_scope], "{}, {} шт.", product, rng.range(1, 6));
            }
        }
        if stage == "Думает" {
            if !rng.chance(40) {
                push_dt(
                    &mut fields[i_next],
                    office(&mut rng, today + 1, today + 14) / 30 * 30,
                    None,
                );
            }
            if !rng.chance(40) {
                fields[i_refusal].push_str(REFUSALS[rng.below(REFUSALS.len() as u64) as usize]);
            }
        }
        // contract and client base
        if (stage == "Успешно реализовано" || stage == "Договор заключён") && !rng.chance(100)
        {
            let year = (NaiveDate::from_ymd_opt(2000, 1, 1).expect("date")
                + chrono::Duration::days(created.div_euclid(1440)))
            .year()
            .clamp(2021, 2028) as usize;
            let seq = &mut contract_seq[year - 2021];
            *seq += 1;
            let _ = write!(fields[i_contract], "{}/{:02}", *seq, year % 100);
            stats[5] += 1;
            if rng.chance(880) {
                // the register knows this contract (for a partner's client: the client, with
                // the number on the partner's card only when that is what proves it)
                resolves = true;
                let (name_p, phone) = match partner_client {
                    Some((pi, k)) => {
                        let pc = &partners[pi].clients[k];
                        let client = client_person(pc);
                        if pc.proof == Proof::Base {
                            base_hit = true;
                            (client, pc.phone)
                        } else {
                            (client, client.mobile)
                        }
                    }
                    None => (card.p, card.p.mobile),
                };
                scratch.clear();
                push_mobile(&mut scratch, phone, (phone % 7) as u8);
                line.clear();
                let name = full_name(&name_p);
                let full_addr = format!("Санкт-Петербург, {address}");
                common::push_record_minimal(
                    &mut line,
                    &[fields[i_contract].as_str(), &name, &scratch, &full_addr],
                    ',',
                );
                base_w.write_all(line.as_bytes())?;
                base_rows += 1;
            }
        }
        // a client-base row at the object's address proves a number of the partner's card
        // (written once, with the first deal of the client linked to the partner)
        if let Some((pi, k)) = partner_client {
            let pc = &mut partners[pi].clients[k];
            if pc.proof == Proof::BaseAddress && linked && !pc.truth.address_row {
                pc.truth.address_row = true;
                base_rows += 1;
                write_address_row(&mut base_w, &mut line, pc, base_rows)?;
            }
            base_hit |= pc.truth.address_row && linked;
        }
        // the number the client called from (a partner's deal: the partner's card tells, but
        // an unsorted request of a partner's client comes from the client's number)
        if let (Some((pi, k)), "Неразобранное") = (partner_client, stage) {
            let ph = partners[pi].clients[k].phone;
            push_mobile(&mut fields[i_client_phone], ph, rng.below(10) as u8);
        } else if stage == "Неразобранное" {
            push_mobile(
                &mut fields[i_client_phone],
                new_mobile(&mut rng),
                rng.below(10) as u8,
            );
        } else if partner_deal.is_none()
            && !unsorted_or_trash
            && card.noise.mobile == 0
            && rng.chance(600)
        {
            push_mobile(
                &mut fields[i_client_phone],
                card.p.mobile,
                rng.below(10) as u8,
            );
        }
        // linked contact (some deals lose it, a few get two); the «(контакт)» columns are a
        // snapshot of the main contact's card: the same on every deal of that contact, and
        // only the card's mobile and work phones
        if linked {
            let _ = write!(fields[i_contact_id], "{}", card.id);
            if rng.chance(3) {
                let other = &cards[rng.below(n as u64) as usize];
                let _ = write!(fields[i_contact_id], ", {}", other.id);
            }
            push_title(&mut fields[i_contact], card);
            push_phone_cell(&mut fields[i_c_mobile], card, &partners, Column::Mobile);
            push_phone_cell(&mut fields[i_c_work], card, &partners, Column::Work);
            push_birthday(&mut fields[i_c_bd], card);
            if card.noise.email != 1 {
                push_personal_email(&mut fields[i_c_email], card);
            }
        }
        // notes, the latest first
        if !unsorted_or_trash {
            let stop = rng.chance(50);
            if stop {
                stats[2] += 1;
            }
            let n_notes = if rng.chance(30) {
                0
            } else {
                rng.range(1, 3) as usize
            };
            let mut t = last_contact;
            for j in 0..n_notes {
                let f = &mut fields[i_note1 + j];
                if j == 0 && stop {
                    f.push_str(STOP_COMMENTS[rng.below(STOP_COMMENTS.len() as u64) as usize]);
                } else {
                    push_dt(f, t, None);
                    f.push(' ');
                    f.push_str(&authors[manager]);
                    f.push_str(": ");
                    let body = NOTE_BODIES[rng.below(NOTE_BODIES.len() as u64) as usize];
                    let count = char::from(b'0' + rng.range(2, 4) as u8);
                    for (i, part) in body.split("{n}").enumerate() {
                        if i > 0 {
                            f.push(count);
                        }
                        f.push_str(part);
                    }
                    if partner_deal.is_some() && (j == 0 || (j == 1 && stop)) {
                        let client = partner_client.map(|(pi, k)| &partners[pi].clients[k]);
                        noted_here = push_partner_note(f, &mut rng, card, client);
                    }
                }
                let lo = (t - 20 * 1440).max(created);
                t = office_between(&mut rng, lo, (t - 1440).max(lo));
            }
        } else if stage == "Неразобранное" {
            let f = &mut fields[i_note1];
            push_dt(f, created, None);
            f.push_str(" Заявка с сайта: нужна регулировка окон, перезвоните");
        }
        if let Some((pi, k)) = partner_client {
            let truth = &mut partners[pi].clients[k].truth;
            truth.noted |= noted_here;
            truth.base |= base_hit;
            if noted_here || base_hit {
                truth.named_by_base |= resolves;
                if !truth.addresses.contains(&address) {
                    truth.addresses.push(address.clone());
                }
            }
        }
        line.clear();
        common::push_record_minimal(&mut line, &fields, ',');
        deals_w.write_all(line.as_bytes())?;
    }
    deals_w.flush()?;
    base_w.flush()?;

    // deal IDs per contact (CSR) for the contacts' «Сделки» column
    let mut start = vec![0u32; n + 1];
    for &c in &deal_contact {
        start[c as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut by_contact = vec![0u64; deal_contact.len()];
    for (d, &c) in deal_contact.iter().enumerate() {
        by_contact[fill[c as usize] as usize] = deal_ids[d];
        fill[c as usize] += 1;
    }
    drop(deal_contact);
    drop(deal_ids);

    // ---- contacts file ----------------------------------------------------------------------
    let contacts_path = args.out.join("contacts.csv");
    let mut w = common::Cp1251Writer::new(BufWriter::with_capacity(
        1 << 20,
        File::create(&contacts_path)?,
    ));
    let mut chunk = String::with_capacity(1 << 20);
    common::push_record_quoted(&mut chunk, &CONTACT_HEADERS, ';');
    let mut cf: Vec<String> = (0..CONTACT_HEADERS.len())
        .map(|_| String::with_capacity(48))
        .collect();
    for (i, c) in cards.iter().enumerate() {
        for f in cf.iter_mut() {
            f.clear();
        }
        let mut r = Rng::new(c.id ^ args.seed);
        let _ = write!(cf[0], "{}", c.id);
        cf[1].push_str(if c.kind == Kind::Company {
            "компания"
        } else {
            "контакт"
        });
        push_title(&mut cf[2], c);
        if c.kind != Kind::Company {
            cf[3].push_str(first_name(&c.p));
            cf[4].push_str(&surname(&c.p));
        }
        cf[6].push_str(MANAGERS[c.manager as usize].0);
        // a card is created with its first deal at the latest
        push_dt(&mut cf[7], c.created, Some(r.below(60) as u32));
        cf[8].push_str(MANAGERS[c.manager as usize].0);
        let edited = office_between(
            &mut r,
            c.created + 5,
            (c.created + 400 * 1440).min(as_of() - 60),
        );
        push_dt(&mut cf[9], edited, Some(r.below(60) as u32));
        match c.kind {
            Kind::Partner => cf[10].push_str(if r.chance(500) {
                "прораб"
            } else {
                "партнёр, монтаж"
            }),
            Kind::Company => cf[10].push_str("юрлицо"),
            Kind::Client if r.chance(200) => {
                cf[10].push_str(SOURCES[r.below(SOURCES.len() as u64) as usize])
            }
            Kind::Client => {}
        }
        push_phone_cell(&mut cf[12], c, &partners, Column::Work);
        if c.kind != Kind::Company {
            push_phone_cell(&mut cf[14], c, &partners, Column::Mobile);
            push_phone_cell(&mut cf[16], c, &partners, Column::Home);
            push_phone_cell(&mut cf[17], c, &partners, Column::Other);
            if c.noise.email == 3 {
                cf[18].push_str(MANAGERS[c.manager as usize].1);
            }
            if c.noise.email != 1 {
                push_personal_email(&mut cf[19], c);
            }
            if !c.noise.title_only {
                push_fio(&mut cf[22], c);
            }
            push_birthday(&mut cf[23], c);
        }
        for (j, id) in by_contact[start[i] as usize..start[i + 1] as usize]
            .iter()
            .enumerate()
        {
            if j > 0 {
                cf[24].push_str(", ");
            }
            let _ = write!(cf[24], "{id}");
        }
        common::push_record_quoted(&mut chunk, &cf, ';');
        if chunk.len() > (1 << 20) - 4096 {
            w.write_str(&chunk)?;
            chunk.clear();
        }
    }
    w.write_str(&chunk)?;
    w.finish()?.flush()?;

    // ---- ground truth of every partner-card phone -------------------------------------------
    std::fs::create_dir_all(args.out.join("truth"))?;
    let truth_path = args.out.join("truth").join("partner_truth.csv");
    let truth_rows = write_partner_truth(&truth_path, &cards, &partners)?;

    // ---- managers ---------------------------------------------------------------------------
    let mut m = String::new();
    common::push_record_minimal(&mut m, &["Имя", "Email"], ',');
    for (name, email) in MANAGERS {
        common::push_record_minimal(&mut m, &[*name, *email], ',');
    }
    std::fs::write(args.out.join("managers.csv"), m)?;

    let size = |p: &std::path::Path| {
        std::fs::metadata(p)
            .map(|m| m.len() / 1_000_000)
            .unwrap_or(0)
    };
    eprintln!(
        "gen: seed {} → {}\n  contacts.csv     {:>9} rows, {:>5} MB (cp1251; {} companies, {} partner cards, ≈{} duplicates)\n  deals.csv        {:>9} rows, {:>5} MB (UTF-8 BOM; {} unsorted, {} trash, {} stop-list comments, {} stale open, {} partner deals, {} contracts)\n  client_base.csv  {:>9} rows\n  managers.csv     {:>9} rows\n  truth/partner_truth.csv {:>3} rows (own {}, client by note {}, by client base {}, without evidence {})\n  in {:.1} s",
        args.seed,
        args.out.display(),
        n,
        size(&contacts_path),
        cards.iter().filter(|c| c.kind == Kind::Company).count(),
        partners.len(),
        dup_count,
        n_deals,
        size(&deals_path),
        stats[0],
        stats[1],
        stats[2],
        stats[3],
        stats[4],
        stats[5],
        base_rows,
        MANAGERS.len(),
        truth_rows.iter().sum::<usize>(),
        truth_rows[0],
        truth_rows[1],
        truth_rows[2],
        truth_rows[3],
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}

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

fn push_title(out: &mut String, c: &Card) {
    if c.kind == Kind::Company {
        let _ = write!(out, "ООО «{}-Строй»", SURNAMES[c.p.surname as usize]);
        return;
    }
    match c.noise.name_variant {
        2 => {
            let _ = write!(out, "{} {}", first_name(&c.p), surname(&c.p));
        }
        1 => {
            let _ = write!(out, "{} {}", typo(&surname(&c.p), c.id), first_name(&c.p));
        }
        _ if c.noise.title_only => {
            let _ = write!(
                out,
                "{} {} {}",
                surname(&c.p),
                first_name(&c.p),
                patronymic(&c.p)
            );
        }
        _ => {
            let _ = write!(out, "{} {}", surname(&c.p), first_name(&c.p));
        }
    }
}

fn push_fio(out: &mut String, c: &Card) {
    match c.noise.name_variant {
        1 => {
            let _ = write!(
                out,
                "{} {} {}",
                typo(&surname(&c.p), c.id),
                first_name(&c.p),
                patronymic(&c.p)
            );
        }
        2 => {
            let _ = write!(out, "{} {}", first_name(&c.p), surname(&c.p));
        }
        3 => {
            let _ = write!(out, "{} {}", surname(&c.p), first_name(&c.p));
        }
        _ => {
            let _ = write!(
                out,
                "{} {} {}",
                surname(&c.p),
                first_name(&c.p),
                patronymic(&c.p)
            );
        }
    }
}

fn push_card_mobile(out: &mut String, c: &Card) {
    match c.noise.mobile {
        1 => out.push_str("нет"),
        2 => out.push('-'),
        3 => out.push_str("уточнить"),
        4 => {
            let _ = write!(
                out,
                "{}-{:02}-{:02}",
                200 + c.p.mobile % 700,
                (c.p.mobile >> 3) % 100,
                (c.p.mobile >> 9) % 100
            );
        }
        5 => {
            let _ = write!(
                out,
                "+7 {} {}",
                c.p.mobile / 10_000_000,
                (c.p.mobile / 10_000) % 100
            );
        }
        6 => {}
        _ => {
            push_mobile(out, c.p.mobile, c.noise.phone_style);
            if c.second_mobile != 0 {
                out.push_str(", ");
                push_mobile(out, c.second_mobile, c.noise.phone_style / 2);
            }
        }
    }
}

fn push_birthday(out: &mut String, c: &Card) {
    if c.kind == Kind::Company {
        return;
    }
    match c.noise.birthday {
        1 => {}
        2 => out.push_str("01.01.1970"),
        3 => push_date(
            out,
            as_of().div_euclid(1440) + 200 + i64::from(c.p.birthday.rem_euclid(3000)),
        ),
        4 => out.push_str("31.02.1987"),
        _ => push_date(out, i64::from(c.p.birthday)),
    }
}

fn push_personal_email(out: &mut String, c: &Card) {
    if c.noise.email == 2 {
        // forgot the @
        push_translit(out, first_name(&c.p));
        out.push('.');
        push_translit(out, SURNAMES[c.p.surname as usize]);
        out.push('.');
        out.push_str(DOMAINS[c.p.domain as usize % DOMAINS.len()]);
        return;
    }
    push_email(out, &c.p);
}

// ---------------------------------------------------------------------------------------------
// Partner cards: their numbers, what the deals and the client base say about them, the truth
// ---------------------------------------------------------------------------------------------

/// Notes that give a client's number (`{ph}`), whatever partner word stands near it.
const CLIENT_NOTES: &[&str] = &[
    "Прораб дал номер хозяйки квартиры: {ph}",
    "от прораба: клиентка {client} {ph}, просит замер в субботу",
    "прораб {foreman} просил перезвонить клиенту по {ph}",
    "Клиент {initials}, тел. {ph}",
    "Хозяйка квартиры на связи по {ph}, ключи у прораба",
    "номер клиентки {ph}",
    "Звонить заказчику напрямую {ph}, прораб в курсе",
    "со слов прораба заказчица {client}, тел. {ph}",
    "Звонить {ph} (хозяйка), прораб на объекте по вторникам",
    "собственник квартиры {client}: {ph}",
    "Прораб {foreman} скинул номер хозяина: {ph}",
];

/// Notes that give a number without saying whose (`{any}`: the partner's own or a client's):
/// on the partner's deal they prove nothing.
const NEUTRAL_NOTES: &[&str] = &[
    "звонить на {any} после 18",
    "перезвонить по {any}",
    "связь: {any}",
    "на объекте будут после обеда, тел. {any}",
];

/// Notes that give the partner's own number (`{own}`).
const PARTNER_NOTES: &[&str] = &[
    "тел. прораба {own}",
    "прораб {foreman} {own}, ключи у него",
    "номер партнёра: {own}",
    "связь через прораба {own}",
    "прораб дал свой номер {own}",
    "Звонить {own} (прораб {foreman})",
    "Работы принял бригадир {foreman}, тел. {own}",
];

/// Notes that give both.
const BOTH_NOTES: &[&str] = &[
    "Прораб {foreman} ({own}) дал номер хозяйки: {ph}",
    "тел. прораба {own}, хозяйка квартиры {ph}",
    "прораб {foreman} {own}; клиентка {client} {ph}, после 18",
    "Прораб: {own}. Номер клиента {ph}",
];

/// A partner card: one to three client numbers in any phone column (the deals export repeats
/// only the mobile and work columns), each with what is meant to prove it; now and then a
/// second own number in «Другой телефон».
fn new_partner(
    rng: &mut Rng,
    numbers: &mut PartnerNumbers,
    own: &Person,
    card: u32,
    mobile_ok: bool,
) -> Partner {
    // a client with the partner's surname would be his namesake: no file could tell them apart
    let object = |rng: &mut Rng| loop {
        let obj = rng.below(u64::from(u32::MAX)) as u32;
        if new_person(&mut Rng::new(u64::from(obj))).surname != own.surname {
            return obj;
        }
    };
    let own_other = if rng.chance(300) {
        numbers.mobile(rng)
    } else {
        0
    };
    let clients = (0..rng.range(1, 3))
        .map(|_| {
            let proof = match rng.below(100) {
                0..=44 => Proof::Note,
                45..=69 => Proof::Base,
                70..=84 => Proof::BaseAddress,
                _ => Proof::Nothing,
            };
            let column = match rng.below(100) {
                0..=34 if mobile_ok => Column::Mobile,
                35..=49 => Column::Work,
                50..=64 => Column::Home,
                _ => Column::Other,
            };
            PartnerClient {
                phone: numbers.mobile(rng),
                obj: object(rng),
                obj2: (proof == Proof::Note && rng.chance(30)).then(|| object(rng)),
                column,
                proof,
                truth: Truth::default(),
            }
        })
        .collect();
    Partner {
        card,
        own_other,
        clients,
    }
}

/// The client a partner-card number belongs to.
fn client_person(pc: &PartnerClient) -> Person {
    new_person(&mut Rng::new(u64::from(pc.obj)))
}

/// «Фамилия Имя Отчество».
fn full_name(p: &Person) -> String {
    format!("{} {} {}", surname(p), first_name(p), patronymic(p))
}

/// An object address as managers write it in deals: «Купчинская 4-3-22».
fn push_object_address(out: &mut String, seed: u64) {
    let (street, house, block, flat) = object_parts(seed);
    let _ = write!(out, "{street} {house}-{block}-{flat}");
}

fn object_parts(seed: u64) -> (&'static str, u64, u64, u64) {
    (
        STREETS[(seed % STREETS.len() as u64) as usize],
        1 + seed % 140,
        1 + (seed >> 8) % 5,
        1 + (seed >> 16) % 400,
    )
}

/// The client-base row that lists a partner-card number at the object's address, written the
/// register's way, under a register contract that no deal carries («Р-17»).
fn write_address_row(
    w: &mut impl Write,
    line: &mut String,
    pc: &PartnerClient,
    n: u64,
) -> std::io::Result<()> {
    let (street, house, block, flat) = object_parts(u64::from(pc.obj));
    let address = format!("Санкт-Петербург, {street}, д. {house}, корп. {block}, кв. {flat}");
    let mut phone = String::new();
    push_mobile(&mut phone, pc.phone, (pc.phone % 7) as u8);
    line.clear();
    common::push_record_minimal(
        line,
        &[
            format!("Р-{n}").as_str(),
            &full_name(&client_person(pc)),
            &phone,
            &address,
        ],
        ',',
    );
    w.write_all(line.as_bytes())
}

/// A phone cell of a card, as the contacts export writes it and the deals export repeats it:
/// the card's own numbers of that column, then (partner cards) the client numbers written into
/// it, joined by «, ».
fn push_phone_cell(out: &mut String, c: &Card, partners: &[Partner], col: Column) {
    match col {
        Column::Mobile => push_card_mobile(out, c),
        Column::Work if c.landline != 0 => push_landline(out, c.landline, c.noise.phone_style),
        _ => {}
    }
    if c.kind != Kind::Partner {
        return;
    }
    let p = &partners[c.partner as usize];
    let mut add = |n: u64| {
        if !out.is_empty() {
            out.push_str(", ");
        }
        push_mobile(out, n, (n % 8) as u8);
    };
    if col == Column::Other && p.own_other != 0 {
        add(p.own_other);
    }
    for pc in p.clients.iter().filter(|pc| pc.column == col) {
        add(pc.phone);
    }
}

/// A number as written in a note: the card styles and a few that only notes have.
fn push_note_number(out: &mut String, n: u64, style: u64) {
    let s = format!("{n:010}");
    let (a, b, c, d) = (&s[0..3], &s[3..6], &s[6..8], &s[8..10]);
    let _ = match style % 12 {
        8 => write!(out, "8-{a}-{b}-{c}-{d}"),
        9 => write!(out, "8.{a}.{b}.{c}.{d}"),
        10 => write!(out, "+7({a}){b}{c}{d}"),
        11 => write!(out, "8 ({a}) {b} {c} {d}"),
        k => {
            push_mobile(out, n, k as u8);
            Ok(())
        }
    };
}

/// Appends to a note of a partner's deal what the manager wrote about numbers: for a client
/// whose number a note is meant to prove, a phrase giving it (now and then with the partner's
/// own number beside it); otherwise, now and then, the partner's own number as his. Returns
/// whether the client's number was written.
fn push_partner_note(
    f: &mut String,
    rng: &mut Rng,
    card: &Card,
    client: Option<&PartnerClient>,
) -> bool {
    let own = (card.noise.mobile == 0).then_some(card.p.mobile);
    // a number given without saying whose: a client's without a proving note, or his own
    let any = match client {
        Some(pc) if pc.proof != Proof::Note => Some(pc.phone),
        _ => own,
    };
    let (template, ph) = match (client, own) {
        (Some(pc), _) if pc.proof == Proof::Note && rng.chance(800) => {
            let both = own.is_some() && rng.chance(250);
            (
                *rng.pick(if both { BOTH_NOTES } else { CLIENT_NOTES }),
                Some(pc),
            )
        }
        (_, Some(_)) if rng.chance(150) => (*rng.pick(PARTNER_NOTES), None),
        _ if any.is_some() && rng.chance(120) => (*rng.pick(NEUTRAL_NOTES), None),
        _ => return false,
    };
    let who = ph.map(client_person).unwrap_or_default();
    f.push_str(". ");
    let mut rest = template;
    while let Some(at) = rest.find('{') {
        f.push_str(&rest[..at]);
        let end = at + rest[at..].find('}').expect("closed placeholder");
        match &rest[at + 1..end] {
            "ph" => push_note_number(f, ph.map_or(0, |pc| pc.phone), rng.below(12)),
            "own" => push_note_number(f, own.unwrap_or(0), rng.below(12)),
            "any" => push_note_number(f, any.unwrap_or(0), rng.below(12)),
            "client" => f.push_str(first_name(&who)),
            "foreman" => f.push_str(&surname(&card.p)),
            "initials" => {
                let initial = |s: &str| s.chars().next().unwrap_or('А');
                let _ = write!(
                    f,
                    "{} {}. {}.",
                    surname(&who),
                    initial(first_name(&who)),
                    initial(patronymic(&who))
                );
            }
            other => panic!("unknown placeholder {other}"),
        }
        rest = &rest[end + 1..];
    }
    f.push_str(rest);
    ph.is_some()
}

/// Writes `partner_truth.csv`: every valid phone on every partner card with what the export
/// proves about it — `own`, `client_note`, `client_base` (the client base lists it under the
/// client, by a deal's contract or the object's address) or `client_none` — the name a new
/// contact must get (the client-base ФИО, else the deal's address as written; empty for own and
/// unproven numbers) and the number of addresses the proof spans (2: the plan must review it).
/// Returns the counts of the four kinds.
fn write_partner_truth(
    path: &std::path::Path,
    cards: &[Card],
    partners: &[Partner],
) -> std::io::Result<[usize; 4]> {
    let mut out = String::new();
    let mut counts = [0usize; 4];
    common::push_record_minimal(
        &mut out,
        &[
            "partner_id",
            "phone_e164",
            "truth",
            "expected_name",
            "addresses",
        ],
        ',',
    );
    for p in partners {
        let c = &cards[p.card as usize];
        let id = c.id.to_string();
        let mobile_ok = c.noise.mobile == 0;
        let own = [
            (mobile_ok).then(|| format!("+7{:010}", c.p.mobile)),
            (mobile_ok && c.second_mobile != 0).then(|| format!("+7{:010}", c.second_mobile)),
            (c.landline != 0).then(|| format!("+7812{:07}", c.landline)),
            (p.own_other != 0).then(|| format!("+7{:010}", p.own_other)),
        ];
        for phone in own.into_iter().flatten() {
            counts[0] += 1;
            common::push_record_minimal(&mut out, &[id.as_str(), &phone, "own", "", "0"], ',');
        }
        for pc in &p.clients {
            let t = &pc.truth;
            let (kind, k) = match (t.base, t.noted) {
                (true, _) => ("client_base", 2),
                (false, true) => ("client_note", 1),
                _ => ("client_none", 3),
            };
            counts[k] += 1;
            let name = match t.addresses.first() {
                None => String::new(),
                Some(_) if t.base || t.named_by_base => full_name(&client_person(pc)),
                Some(a) => a.clone(),
            };
            common::push_record_minimal(
                &mut out,
                &[
                    id.as_str(),
                    &format!("+7{:010}", pc.phone),
                    kind,
                    &name,
                    &t.addresses.len().to_string(),
                ],
                ',',
            );
        }
    }
    std::fs::write(path, out)?;
    Ok(counts)
}
