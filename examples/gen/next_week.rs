//! `gen --next-week WEEK1_DIR --out DIR`: the export a week later. From the files `gen` wrote
//! into WEEK1_DIR it writes the same files into DIR with:
//!
//! - contacts deleted (gone): client cards with no deals whose phones, title and birthday no
//!   other card shares, so no duplicate, partner or deal finding of another record changes;
//! - junk mobile numbers cleared (fixed: their CON006 finding; CON001 and CON002 keep theirs);
//! - stop-list comments of deals proper replaced by a detailed one (fixed: DEAL002);
//! - closed deals of client cards whose numbers no other card has deleted (gone): no open-deal,
//!   partner or response-time rule looks at them;
//! - valid personal e-mails spoilt (new: CON007);
//! - «Товар» cleared on complete deals proper outside «Замер» / «Думает» (new: DEAL001/…/product);
//! - new client cards without a birthday, with a number nobody has (new: CON001/…/birthday).
//!
//! `DIR/truth/expected.json` lists the keys that must be `fixed` and `new`, and the records
//! deleted (every finding of theirs must be `gone`); everything else must be `persisting`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use crate::common::{self, Rng};
use crate::{CONTACT_HEADERS, DEAL_HEADERS, NOTE_BODIES, STOP_COMMENTS};

type Table = Vec<Vec<String>>;

/// Per mille of the eligible records that each change touches.
const RATE: u64 = 40;

fn read(path: &Path, cp1251: bool, delim: u8) -> std::io::Result<(Vec<String>, Table)> {
    let bytes = std::fs::read(path)?;
    let text = if cp1251 {
        encoding_rs::WINDOWS_1251.decode(&bytes).0.into_owned()
    } else {
        String::from_utf8_lossy(&bytes)
            .trim_start_matches('\u{feff}')
            .to_string()
    };
    let mut rows: Table = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.map(|r| r.iter().map(str::to_string).collect()))
        .collect::<Result<_, _>>()
        .map_err(std::io::Error::other)?;
    let header = rows.remove(0);
    Ok((header, rows))
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("column {name} missing"))
}

/// The national 10 digits of every number in a cell (`9211234567`), for «who shares a phone».
fn numbers(cell: &str) -> Vec<String> {
    cell.split([',', ';', '\n'])
        .map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>())
        .filter(|d| d.len() >= 10)
        .map(|d| {
            let d = d.split('.').next().unwrap_or(&d).to_string();
            d[d.len().saturating_sub(10)..].to_string()
        })
        .collect()
}

fn text_item(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

pub fn run(week1: &Path, out: &Path, seed: u64) -> std::io::Result<()> {
    let mut rng = Rng::new(seed ^ 0x4E45_5854_5745_454B);
    let (ch, mut contacts) = read(&week1.join("contacts.csv"), true, b';')?;
    let (dh, mut deals) = read(&week1.join("deals.csv"), false, b',')?;
    assert_eq!(ch, CONTACT_HEADERS, "contacts.csv is not gen's");
    assert_eq!(dh, DEAL_HEADERS, "deals.csv is not gen's");
    let c = |n: &str| col(&ch, n);
    let d = |n: &str| col(&dh, n);
    // «Рабочий телефон» … «Другой телефон».
    let phone_cols: Vec<usize> = (c("Рабочий телефон")..=c("Другой телефон")).collect();
    let (c_id, c_type, c_title, c_tags, c_mobile) = (
        c("ID"),
        c("Тип"),
        c("Полное имя контакта"),
        c("Теги"),
        c("Мобильный телефон"),
    );
    let (c_email, c_work_email, c_other_email, c_birthday, c_deals, c_fio) = (
        c("Личный email"),
        c("Рабочий email"),
        c("Другой email"),
        c("День рождения"),
        c("Сделки"),
        c("ФИО"),
    );
    let (d_id, d_stage, d_note, d_product, d_contact_id, d_client_phone) = (
        d("ID"),
        d("Этап сделки"),
        d("Примечание 1"),
        d("Товар"),
        d("ID контакта"),
        d("Телефон клиента"),
    );
    let (d_mobile, d_email) = (
        d("Мобильный телефон (контакт)"),
        d("Личный email (контакт)"),
    );
    let (d_group, d_budget, d_contact) =
        (d("Группа продуктов"), d("Бюджет ₽"), d("Основной контакт"));

    // Who shares what: phones anywhere (cards and the deals' client phones), titles, birthdays.
    let mut phone_count: HashMap<String, usize> = HashMap::new();
    for row in &contacts {
        for &pc in &phone_cols {
            for n in numbers(&row[pc]) {
                *phone_count.entry(n).or_default() += 1;
            }
        }
    }
    for row in &deals {
        for n in numbers(&row[d_client_phone]) {
            *phone_count.entry(n).or_default() += 1;
        }
    }
    let mut title_count: HashMap<String, usize> = HashMap::new();
    let mut birthday_count: HashMap<String, usize> = HashMap::new();
    for row in &contacts {
        *title_count.entry(text_item(&row[c_title])).or_default() += 1;
        *title_count.entry(text_item(&row[c_fio])).or_default() += 1;
        *birthday_count.entry(row[c_birthday].clone()).or_default() += 1;
    }
    let is_client = |row: &Vec<String>| row[c_type] == "контакт" && !is_partner(&row[c_tags]);
    // Cards whose every number is theirs alone.
    let alone_phones: BTreeSet<String> = contacts
        .iter()
        .filter(|row| {
            phone_cols
                .iter()
                .flat_map(|&pc| numbers(&row[pc]))
                .all(|n| phone_count.get(&n) == Some(&1))
        })
        .map(|row| row[c_id].clone())
        .collect();

    let mut deleted: BTreeSet<String> = BTreeSet::new();
    let mut fixed: BTreeSet<String> = BTreeSet::new();
    let mut new: BTreeSet<String> = BTreeSet::new();
    let mut mobile_of: HashMap<String, String> = HashMap::new();
    let mut email_of: HashMap<String, String> = HashMap::new();

    // ---- contacts ---------------------------------------------------------------------------
    contacts.retain(|row| {
        let alone = is_client(row)
            && row[c_deals].trim().is_empty()
            && alone_phones.contains(&row[c_id])
            && title_count.get(&text_item(&row[c_title])) == Some(&1)
            && birthday_count.get(&row[c_birthday]).copied().unwrap_or(0) <= 1;
        if alone && rng.chance(RATE) {
            deleted.insert(format!("contact/{}", row[c_id]));
            return false;
        }
        true
    });
    for row in contacts.iter_mut().filter(|r| is_client(r)) {
        let id = row[c_id].clone();
        let mobile = row[c_mobile].trim().to_string();
        let digits = mobile.chars().filter(char::is_ascii_digit).count();
        let junk = !mobile.is_empty() && digits > 0 && digits < 10 && !mobile.contains([',', ';']);
        let same_elsewhere = phone_cols
            .iter()
            .filter(|&&pc| pc != c_mobile)
            .any(|&pc| text_item(&row[pc]) == text_item(&mobile));
        if junk && !same_elsewhere && rng.chance(RATE * 5) {
            fixed.insert(format!("CON006/contact/{id}/{}", text_item(&mobile)));
            row[c_mobile].clear();
            mobile_of.insert(id.clone(), String::new());
            continue;
        }
        let email = row[c_email].trim().to_string();
        let simple = email.matches('@').count() == 1
            && !email.contains([',', ';', ' '])
            && email.split('@').nth(1).is_some_and(|d| d.contains('.'))
            && row[c_work_email].trim().is_empty()
            && row[c_other_email].trim().is_empty();
        if simple && rng.chance(RATE) {
            let spoilt = email.replace('@', ".");
            new.insert(format!("CON007/contact/{id}/{}", text_item(&spoilt)));
            row[c_email] = spoilt.clone();
            email_of.insert(id, spoilt);
        }
    }
    // New cards: a clean client card as the pattern, a new person, no birthday.
    let pattern = contacts
        .iter()
        .find(|r| is_client(r) && r[c_deals].trim().is_empty())
        .cloned()
        .expect("a client card without deals");
    let first_id = contacts
        .iter()
        .filter_map(|r| r[c_id].parse::<u64>().ok())
        .max()
        .unwrap_or(0)
        + 1;
    let added = (contacts.len() as u64 * RATE / 1000).max(3);
    for (k, id) in (0..added).zip(first_id..) {
        let id = id.to_string();
        let mobile = loop {
            let n = crate::new_mobile(&mut rng);
            if let std::collections::hash_map::Entry::Vacant(e) = phone_count.entry(n.to_string()) {
                e.insert(1);
                break n;
            }
        };
        let surname = format!("Новикова-{}", letters(k));
        let first = "Ирина";
        let mut row = pattern.clone();
        for &pc in &phone_cols {
            row[pc].clear();
        }
        row[c_id] = id.clone();
        row[c_title] = format!("{surname} {first}");
        row[col(&ch, "Имя")] = first.to_string();
        row[col(&ch, "Фамилия")] = surname.clone();
        row[c_fio] = format!("{surname} {first} Павловна");
        row[c_mobile] = format!(
            "+7 {:03} {:03}-{:02}-{:02}",
            mobile / 10_000_000,
            mobile / 10_000 % 1000,
            mobile / 100 % 100,
            mobile % 100
        );
        row[c_email] = format!("novikova.{}@mail.ru", letters(k).to_lowercase());
        row[c_work_email].clear();
        row[c_other_email].clear();
        row[c_birthday].clear();
        row[c_deals].clear();
        new.insert(format!("CON001/contact/{id}/birthday"));
        contacts.push(row);
    }

    // ---- deals ------------------------------------------------------------------------------
    // Deals of client cards (a partner's deals are evidence about the numbers on his card).
    let clients: BTreeSet<String> = contacts
        .iter()
        .filter(|r| is_client(r))
        .map(|r| r[c_id].clone())
        .collect();
    let proper = |stage: &str| stage != "Неразобранное" && stage != "Корзина";
    let closed =
        |stage: &str| stage == "Успешно реализовано" || stage == "Закрыто и не реализовано";
    let mut deals_gone: BTreeMap<String, String> = BTreeMap::new();
    deals.retain(|row| {
        let client = alone_phones.contains(row[d_contact_id].trim())
            && clients.contains(row[d_contact_id].trim())
            && row[d_client_phone].trim().is_empty();
        if closed(&row[d_stage]) && client && rng.chance(RATE) {
            deleted.insert(format!("deal/{}", row[d_id]));
            deals_gone.insert(row[d_id].clone(), row[d_contact_id].trim().to_string());
            return false;
        }
        true
    });
    for row in deals.iter_mut() {
        let id = row[d_id].clone();
        if let Some(m) = mobile_of.get(row[d_contact_id].trim()) {
            row[d_mobile] = m.clone();
        }
        if let Some(e) = email_of.get(row[d_contact_id].trim()) {
            row[d_email] = e.clone();
        }
        if !proper(&row[d_stage]) {
            continue;
        }
        if STOP_COMMENTS.contains(&row[d_note].as_str()) && rng.chance(RATE * 5) {
            fixed.insert(format!("DEAL002/deal/{id}"));
            row[d_note] = rng.pick(NOTE_BODIES).replace("{n}", "3");
            continue;
        }
        let budget: String = row[d_budget].chars().filter(char::is_ascii_digit).collect();
        let complete = [d_group, d_stage, d_product, d_note]
            .iter()
            .all(|&i| !row[i].trim().is_empty())
            && !(row[d_contact_id].trim().is_empty() && row[d_contact].trim().is_empty())
            && budget.trim_start_matches('0').len() > 2
            && !["Замер", "Думает"].contains(&row[d_stage].as_str());
        if complete && rng.chance(RATE) {
            row[d_product].clear();
            new.insert(format!("DEAL001/deal/{id}/product"));
        }
    }
    // The contacts' «Сделки» cells no longer list the deleted deals.
    for row in contacts.iter_mut() {
        let cell = &row[c_deals];
        if cell.is_empty() {
            continue;
        }
        let kept: Vec<&str> = cell
            .split(", ")
            .filter(|d| !deals_gone.contains_key(d.trim()))
            .collect();
        row[c_deals] = kept.join(", ");
    }

    // ---- write ------------------------------------------------------------------------------
    std::fs::create_dir_all(out.join("truth"))?;
    let mut text = String::new();
    common::push_record_quoted(&mut text, &ch, ';');
    for row in &contacts {
        common::push_record_quoted(&mut text, row, ';');
    }
    common::write_file(&out.join("contacts.csv"), &common::to_cp1251(&text))?;
    let mut text = String::from("\u{feff}");
    common::push_record_minimal(&mut text, &dh, ',');
    for row in &deals {
        common::push_record_minimal(&mut text, row, ',');
    }
    common::write_file(&out.join("deals.csv"), text.as_bytes())?;
    for name in ["client_base.csv", "managers.csv"] {
        std::fs::copy(week1.join(name), out.join(name))?;
    }
    let expected = serde_json::json!({
        "deleted": deleted,
        "fixed": fixed,
        "new": new,
    });
    common::write_file(
        &out.join("truth/expected.json"),
        serde_json::to_string_pretty(&expected)
            .map_err(std::io::Error::other)?
            .as_bytes(),
    )?;
    eprintln!(
        "next week: {} records deleted, {} findings fixed, {} new ({} new cards)",
        deleted.len(),
        fixed.len(),
        new.len(),
        added
    );
    Ok(())
}

/// A partner card's tags (the bundled `partner_tags`).
fn is_partner(tags: &str) -> bool {
    let t = tags.to_lowercase();
    ["прораб", "партнёр", "партнер", "бригадир"]
        .iter()
        .any(|w| t.contains(w))
}

/// `A`, `B`, … `Z`, `AA`, `AB` …: distinct name parts for the new cards.
fn letters(mut k: u64) -> String {
    const ABC: [char; 20] = [
        'А', 'Б', 'В', 'Г', 'Д', 'Е', 'Ж', 'З', 'И', 'К', 'Л', 'М', 'Н', 'О', 'П', 'Р', 'С', 'Т',
        'У', 'Ф',
    ];
    let mut s = String::new();
    loop {
        s.insert(0, ABC[(k % 20) as usize]);
        k /= 20;
        if k == 0 {
            return s;
        }
        k -= 1;
    }
}
