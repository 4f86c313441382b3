//! Reader + normaliser throughput: a classic Windows-1251 contacts CSV and a new-layout deals CSV,
//! generated in memory, read and normalised exactly as the CLI does (`model::load`).

use std::fmt::Write as _;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use crmclean::model::{load, LoadOptions};
use crmclean::params::RuleSet;

const ROWS: usize = 20_000;

fn contacts_csv(rows: usize) -> Vec<u8> {
    let mut s = String::from("ID;Тип;Полное имя контакта;Имя;Фамилия;Ответственный;Мобильный телефон;Рабочий телефон;Личный email;ФИО;День рождения;Теги\r\n");
    for i in 0..rows {
        let phone = match i % 4 {
            0 => format!(
                "+7 (921) {:03}-{:02}-{:02}",
                i % 1000,
                i % 100,
                (i / 7) % 100
            ),
            1 => format!("89{:09}", i),
            2 => format!("8 812 {:03}-{:02}-{:02} доб. 12", i % 1000, i % 100, i % 97),
            _ => format!("79{:09}.0", i),
        };
        let _ = write!(
            s,
            "\"{}\";\"контакт\";\"Иванов Иван {i}\";\"Иван\";\"Иванов\";\"Петрова Анна\";\"{phone}\";\"\";\"ivanov{i}@mail.ru\";\"Иванов Иван Петрович\";\"{:02}.{:02}.19{:02}\";\"\"\r\n",
            100_000 + i,
            i % 28 + 1,
            i % 12 + 1,
            40 + i % 60
        );
    }
    encoding_rs::WINDOWS_1251.encode(&s).0.into_owned()
}

fn deals_csv(rows: usize) -> Vec<u8> {
    let mut s = String::from("\u{feff}ID,Название сделки,Бюджет ₽,Ответственный,Дата создания,Этап сделки,Группа продуктов,Товар,Адрес объекта,ID контакта,Основной контакт,Мобильный телефон (контакт),Примечание 1\n");
    for i in 0..rows {
        let _ = writeln!(
            s,
            "{},Регулировка окон,\"12 500\",Петрова Анна,{:02}.10.2026 10:15,Замер,Ремонт окон,Регулировка фурнитуры,Купчинская {}-3-22,{},Иванов Иван,89{:09},\"{:02}.11.2026 12:40 Петрова А.: согласовали замер на пятницу, 3 окна ПВХ\"",
            500_000 + i,
            i % 28 + 1,
            i % 40,
            100_000 + i,
            i,
            i % 28 + 1
        );
    }
    s.into_bytes()
}

fn bench_load(c: &mut Criterion) {
    let rules = RuleSet::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("contacts.csv"), contacts_csv(ROWS)).unwrap();
    std::fs::write(dir.path().join("deals.csv"), deals_csv(ROWS * 3 / 2)).unwrap();
    let options = LoadOptions {
        read: Default::default(),
        phone: Default::default(),
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
    };
    let mut group = c.benchmark_group("load");
    group.throughput(Throughput::Elements((ROWS + ROWS * 3 / 2) as u64));
    group.sample_size(10);
    group.bench_function("contacts_cp1251+deals_utf8", |b| {
        b.iter(|| load(&[dir.path().to_path_buf()], &rules, &options).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench_load);
criterion_main!(benches);
