//! Phone normalisation throughput on 100k realistic cells.
//! Run: `cargo bench --bench normalize -- --warm-up-time 1 --measurement-time 3`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use crmclean::normalize::phone::{normalize_phone, PhoneOptions};
use std::hint::black_box;

const N: usize = 100_000;

/// Deterministic xorshift so the mix is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + (self.next() % 10) as u8))
            .collect()
    }
}

/// A mobile or St Petersburg number written one of the common ways.
fn common(rng: &mut Rng) -> String {
    let national = if rng.next().is_multiple_of(4) {
        format!("812{}", rng.digits(7))
    } else {
        format!("9{}", rng.digits(9))
    };
    let (a, b, c, d) = (
        &national[..3],
        &national[3..6],
        &national[6..8],
        &national[8..],
    );
    match rng.next() % 8 {
        0 => format!("8{national}"),
        1 => format!("+7{national}"),
        2 => format!("7{national}"),
        3 => format!("+7 ({a}) {b}-{c}-{d}"),
        4 => format!("8 ({a}) {b}-{c}-{d}"),
        5 => format!("8-{a}-{b}-{c}-{d}"),
        6 => format!("7{national}.0"),
        _ => national,
    }
}

/// What a real export holds: mostly common forms, plus other regions, extensions, junk.
fn mixed(rng: &mut Rng) -> String {
    match rng.next() % 20 {
        0 => format!(
            "8 (495) {}-{}-{}",
            rng.digits(3),
            rng.digits(2),
            rng.digits(2)
        ),
        1 => format!(
            "8 (812) {}-{}-{} доб. {}",
            rng.digits(3),
            rng.digits(2),
            rng.digits(2),
            rng.digits(3)
        ),
        2 => format!("{}-{}-{}", rng.digits(3), rng.digits(2), rng.digits(2)),
        3 => {
            ["нет", "-", "звонить после 18", "8-921-12", "0"][(rng.next() % 5) as usize].to_string()
        }
        4 => format!("+7 701 {}", rng.digits(7)),
        _ => common(rng),
    }
}

fn bench(c: &mut Criterion) {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let common_cells: Vec<String> = (0..N).map(|_| common(&mut rng)).collect();
    let mixed_cells: Vec<String> = (0..N).map(|_| mixed(&mut rng)).collect();
    let opts = PhoneOptions::default();

    let mut group = c.benchmark_group("phones");
    group.throughput(Throughput::Elements(N as u64));
    group.sample_size(10);
    for (name, cells) in [("common_100k", &common_cells), ("mixed_100k", &mixed_cells)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                cells
                    .iter()
                    .filter(|s| normalize_phone(black_box(s), &opts).is_valid())
                    .count()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
