//! Duplicate detection: blocking + scoring + clustering (`dedupe::contact_clusters`) on generated
//! amoCRM contacts exports of 50k, 100k and 200k contacts (≈3 % duplicates, shared landlines),
//! to show the near-linear growth. Loading the export is outside the measurement.
//!
//! ```text
//! cargo bench --bench dedupe
//! ```

use std::fmt::Write as _;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use crmclean::dedupe::contact_clusters;
use crmclean::model::{self, Dataset, LoadOptions};
use crmclean::params::RuleSet;

const SURNAMES: [&str; 24] = [
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
];
const FIRST: [&str; 16] = [
    "Александр",
    "Алексей",
    "Дмитрий",
    "Сергей",
    "Андрей",
    "Михаил",
    "Николай",
    "Владимир",
    "Пётр",
    "Фёдор",
    "Иван",
    "Павел",
    "Евгений",
    "Константин",
    "Олег",
    "Артём",
];
const PATRONYMIC: [&str; 8] = [
    "Петрович",
    "Иванович",
    "Сергеевич",
    "Алексеевич",
    "Николаевич",
    "Андреевич",
    "Михайлович",
    "Владимирович",
];

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Person {
    surname: usize,
    first: usize,
    patronymic: usize,
    mobile: u64,
    birthday: (u64, u64, u64),
}

fn person(rng: &mut Rng) -> Person {
    Person {
        surname: rng.below(SURNAMES.len() as u64) as usize,
        first: rng.below(FIRST.len() as u64) as usize,
        patronymic: rng.below(PATRONYMIC.len() as u64) as usize,
        mobile: 9_000_000_000 + rng.below(999_999_999),
        birthday: (1 + rng.below(28), 1 + rng.below(12), 1945 + rng.below(60)),
    }
}

/// A contacts export of `n` contacts: ≈3 % duplicates (name order swapped, patronymic dropped,
/// phone in another format, same name and birthday with another phone), ≈8 % with a landline
/// shared by a family.
fn export(n: usize) -> String {
    let mut rng = Rng(n as u64);
    let mut out = String::from(
        "ID;Полное имя контакта;ФИО;Мобильный телефон;Домашний телефон;День рождения\n",
    );
    let mut people: Vec<Person> = Vec::with_capacity(n);
    for i in 0..n {
        let dup = i > 10 && rng.below(100) < 3;
        let p = if dup {
            let j = rng.below(i as u64) as usize;
            let o = &people[j];
            Person {
                mobile: if rng.below(3) == 0 {
                    9_000_000_000 + rng.below(999_999_999)
                } else {
                    o.mobile
                },
                ..*o
            }
        } else {
            person(&mut rng)
        };
        let (s, f, pa) = (
            SURNAMES[p.surname],
            FIRST[p.first],
            PATRONYMIC[p.patronymic],
        );
        let name = match (dup, rng.below(3)) {
            (true, 0) => format!("{f} {s}"),
            (true, 1) => format!("{s} {f}"),
            _ => format!("{s} {f} {pa}"),
        };
        let landline = if rng.below(100) < 8 {
            format!(
                "8 (812) {:03}-{:02}-{:02}",
                200 + rng.below(700),
                rng.below(100),
                rng.below(100)
            )
        } else {
            String::new()
        };
        let (d, m, y) = p.birthday;
        let _ = writeln!(
            out,
            "{};{name};{name};8 {} {};{landline};{d:02}.{m:02}.{y}",
            30_000_000 + i,
            p.mobile / 10_000_000,
            p.mobile % 10_000_000
        );
        people.push(p);
    }
    out
}

fn load(n: usize, rules: &RuleSet) -> Dataset {
    let dir = tempfile::tempdir().expect("temp dir");
    let path: PathBuf = dir.path().join("contacts.csv");
    std::fs::write(&path, export(n)).expect("write export");
    let options = LoadOptions {
        read: Default::default(),
        phone: Default::default(),
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"),
    };
    model::load(&[path], rules, &options).expect("load").dataset
}

fn bench(c: &mut Criterion) {
    let rules = RuleSet::locate(None).expect("rules");
    let mut group = c.benchmark_group("dedupe_contact_clusters");
    group.sample_size(10);
    for n in [50_000, 100_000, 200_000] {
        let ds = load(n, &rules);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &ds, |b, ds| {
            b.iter(|| {
                contact_clusters(ds, &rules.params.dedupe, &[])
                    .clusters
                    .len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
