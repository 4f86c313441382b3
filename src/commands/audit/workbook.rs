//! `corrections.xlsx`: a «Summary» sheet, one sheet per rule with findings (what to fix, the
//! finding, then every column of the record's source row with the offending cell highlighted),
//! and «Статусы сделок». Written row by row in constant-memory mode. A rule sheet or the status
//! sheet longer than a sheet can hold continues on «CON006 (2)», «Статусы сделок (2)»…

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use rust_xlsxwriter::Workbook;

use super::origin::Origins;
use super::pii::Masker;
use super::statuses::{yes_no, DealRow};
use super::summary::Counts;
use crate::error::Result;
use crate::model::Dataset;
use crate::output::atomic::{save_workbook_atomic, OutputPolicy};
use crate::output::xlsx::{workbook, write_spilling_rows, Cell, SheetWriter, SHEET_ROWS};
use crate::params::Params;
use crate::rules::{Entity, Finding, Rule, Severity};

/// The columns of a rule sheet before the original ones.
pub const RULE_COLUMNS: [&str; 8] = [
    "Что исправить",
    "Проблема",
    "ID",
    "Ответственный",
    "Файл",
    "Строка",
    "Поле",
    "Значение",
];

/// The columns of the «Статусы сделок» sheet (`deal_status.csv` in Russian).
pub const STATUS_COLUMNS: [&str; 8] = [
    "ID",
    "Файл",
    "Строка",
    "Этап",
    "Ответственный",
    "Корректна",
    "Активна",
    "Нарушения",
];

pub const SUMMARY_SHEET: &str = "Summary";
pub const STATUS_SHEET: &str = "Статусы сделок";

/// Everything the workbook shows.
pub struct Input<'a> {
    pub ds: &'a Dataset,
    /// In output order (grouped by rule), already masked for `--mask-pii`.
    pub findings: &'a [Finding],
    pub rules: &'a [&'static Rule],
    pub params: &'a Params,
    pub counts: &'a Counts,
    pub deals: &'a [DealRow<'a>],
    /// amoCRM subdomain: IDs become links to the cards.
    pub subdomain: Option<&'a str>,
    /// Masks the original columns for `--mask-pii`.
    pub masker: Option<&'a Masker<'a>>,
}

/// Writes `corrections.xlsx` atomically.
pub fn write(path: &Path, policy: &OutputPolicy, input: &Input) -> Result<()> {
    write_with_row_limit(path, policy, input, SHEET_ROWS)
}

/// [`write`] with at most `max_rows` data rows a sheet: a longer rule or status sheet continues
/// on «… (2)», «… (3)»… (tests pass a small limit).
pub fn write_with_row_limit(
    path: &Path,
    policy: &OutputPolicy,
    input: &Input,
    max_rows: usize,
) -> Result<()> {
    let mut wb = workbook();
    // Compressing the sheet XML is most of the save time; level 2 saves ~40% of it for a
    // ~10% bigger file (rust_xlsxwriter's performance notes), keeping 100k findings well
    // under 10 s.
    wb.set_zip_compression_level(2);
    summary_sheet(&mut wb, input)?;
    let origins = Origins::new(input.ds);
    for group in input.findings.chunk_by(|a, b| a.rule == b.rule) {
        rule_sheet(&mut wb, input, &origins, group, max_rows)?;
    }
    status_sheet(&mut wb, input, max_rows)?;
    save_workbook_atomic(path, policy, &mut wb)
}

pub(super) fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Error => "ошибка",
        Severity::Warning => "предупреждение",
    }
}

pub(super) fn count_cell(n: usize) -> Cell<'static> {
    Cell::Number(n as f64)
}

/// Per rule: code, severity, count, summary; then a manager × rule table.
fn summary_sheet(wb: &mut Workbook, input: &Input) -> Result<()> {
    let c = input.counts;
    let mut sheet = SheetWriter::new(
        wb,
        SUMMARY_SHEET,
        &["Правило", "Серьёзность", "Найдено", "Описание"],
    )?;
    for r in input.rules {
        sheet.row(&[
            r.code.into(),
            severity_label(r.severity_in(input.params)).into(),
            count_cell(c.by_rule.get(r.code).copied().unwrap_or(0)),
            r.summary.into(),
        ])?;
    }
    sheet.row(&["Всего".into(), Cell::Empty, count_cell(c.total)])?;
    if !c.by_manager.is_empty() {
        let codes: Vec<&str> = c
            .by_rule
            .iter()
            .filter(|(_, &n)| n > 0)
            .map(|(&code, _)| code)
            .collect();
        sheet.row(&[])?;
        let mut head: Vec<Cell> = vec!["Ответственный".into(), "Всего".into()];
        head.extend(codes.iter().map(|&code| Cell::from(code)));
        sheet.row(&head)?;
        for (manager, by_rule) in &c.by_manager {
            let mut row = vec![
                Cell::from(manager.as_str()),
                count_cell(by_rule.values().sum()),
            ];
            row.extend(
                codes
                    .iter()
                    .map(|code| count_cell(by_rule.get(code).copied().unwrap_or(0))),
            );
            sheet.row(&row)?;
        }
    }
    sheet.finish()
}

/// The original columns shown on a rule sheet: the union of the headers of the sources its
/// findings come from (a header repeated in one file stays repeated).
pub(super) struct Originals {
    pub headers: Vec<String>,
    /// Source → its column index → position among `headers`.
    positions: HashMap<usize, Vec<usize>>,
}

impl Originals {
    pub(super) fn of(ds: &Dataset, sources: BTreeSet<usize>) -> Self {
        let mut headers = Vec::new();
        let mut slot: HashMap<(String, usize), usize> = HashMap::new();
        let mut positions = HashMap::new();
        for s in sources {
            let mut seen: HashMap<&str, usize> = HashMap::new();
            let cols = ds.sources[s]
                .table
                .headers
                .iter()
                .map(|h| {
                    let nth = seen.entry(h.as_str()).or_default();
                    *nth += 1;
                    *slot.entry((h.clone(), *nth)).or_insert_with(|| {
                        headers.push(h.clone());
                        headers.len() - 1
                    })
                })
                .collect();
            positions.insert(s, cols);
        }
        Originals { headers, positions }
    }

    /// Puts a row of `source` into `cells` (one per header, in place), the `highlight` columns
    /// highlighted, masked for `--mask-pii`.
    pub(super) fn fill<'r>(
        &self,
        masker: Option<&Masker>,
        source: usize,
        record: &crate::read::Row<'r>,
        highlight: &[usize],
        cells: &mut [Cell<'r>],
    ) {
        let Some(positions) = self.positions.get(&source) else {
            return;
        };
        for (col, &pos) in positions.iter().enumerate() {
            let raw = record.get(col).unwrap_or("");
            let text = match masker {
                Some(m) => Cow::Owned(m.cell(source, col, raw)),
                None => Cow::Borrowed(raw),
            };
            cells[pos] = if highlight.contains(&col) {
                Cell::Highlight(text)
            } else if text.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(text)
            };
        }
    }
}

fn rule_sheet(
    wb: &mut Workbook,
    input: &Input,
    origins: &Origins,
    group: &[Finding],
    max_rows: usize,
) -> Result<()> {
    let Some(first) = group.first() else {
        return Ok(());
    };
    let originals = Originals::of(
        input.ds,
        group.iter().filter_map(|f| origins.source(f)).collect(),
    );
    let mut header: Vec<&str> = RULE_COLUMNS.to_vec();
    header.extend(originals.headers.iter().map(String::as_str));
    let rows = group
        .iter()
        .map(|f| finding_row(input, origins, &originals, f));
    write_spilling_rows(wb, first.rule, &header, max_rows, rows)?;
    Ok(())
}

fn finding_row<'a>(
    input: &'a Input,
    origins: &Origins<'a>,
    originals: &Originals,
    f: &'a Finding,
) -> Vec<Cell<'a>> {
    let n = RULE_COLUMNS.len();
    let mut cells = vec![
        f.fix.as_str().into(),
        f.message.as_str().into(),
        id_cell(input.subdomain, f.entity, &f.id),
        f.manager.as_str().into(),
        f.file.as_str().into(),
        count_cell(f.row),
        f.field.as_str().into(),
        f.value.as_str().into(),
    ];
    cells.resize(n + originals.headers.len(), Cell::Empty);
    if let Some((source, record)) = origins.row(f) {
        let highlight = origins.columns(source, &f.field);
        originals.fill(input.masker, source, &record, &highlight, &mut cells[n..]);
    }
    cells
}

/// The record's ID, as a link to its amoCRM card when the subdomain is known.
pub fn id_cell<'a>(subdomain: Option<&str>, entity: Entity, id: &'a str) -> Cell<'a> {
    match card_url(subdomain, entity, id) {
        Some(url) => Cell::Link {
            url,
            text: id.to_string(),
        },
        None => id.into(),
    }
}

/// The address of a record's amoCRM card (`None` without a subdomain, for Flow applications
/// and for IDs that are not numbers).
pub fn card_url(subdomain: Option<&str>, entity: Entity, id: &str) -> Option<String> {
    let path = match entity {
        Entity::Deal => "leads",
        Entity::Contact => "contacts",
        Entity::Application => return None,
    };
    let sub = subdomain.filter(|_| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))?;
    Some(format!("https://{sub}.amocrm.ru/{path}/detail/{id}"))
}

fn status_sheet(wb: &mut Workbook, input: &Input, max_rows: usize) -> Result<()> {
    let rows = input.deals.iter().map(|r| {
        [
            id_cell(input.subdomain, Entity::Deal, &r.deal.id),
            input.ds.file(r.deal.at).into(),
            count_cell(r.deal.at.row_number()),
            (*r.deal.stage).into(),
            (*r.deal.responsible).into(),
            yes_no(r.status.correct).into(),
            yes_no(r.status.active).into(),
            r.rules.join(";").into(),
        ]
    });
    write_spilling_rows(wb, STATUS_SHEET, &STATUS_COLUMNS, max_rows, rows)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_link_to_cards() {
        let link = |entity, id| id_cell(Some("okna-spb"), entity, id);
        assert_eq!(
            link(Entity::Deal, "501"),
            Cell::Link {
                url: "https://okna-spb.amocrm.ru/leads/detail/501".into(),
                text: "501".into()
            }
        );
        assert_eq!(
            link(Entity::Contact, "101"),
            Cell::Link {
                url: "https://okna-spb.amocrm.ru/contacts/detail/101".into(),
                text: "101".into()
            }
        );
        assert_eq!(link(Entity::Application, "З-17"), Cell::from("З-17"));
        assert_eq!(link(Entity::Deal, ""), Cell::from(""));
        assert_eq!(link(Entity::Deal, "12a"), Cell::from("12a"));
        assert_eq!(id_cell(None, Entity::Deal, "501"), Cell::from("501"));
    }

    #[test]
    fn long_status_and_rule_sheets_continue_on_numbered_sheets() {
        use crate::rules::{self, Context};
        use crate::testutil::{as_of, dataset, rule_set};
        let mut csv = String::from(
            "ID,Название сделки,Бюджет,Ответственный,Дата создания,Этап сделки,Основной контакт,\
             ID контакта,Группа продуктов,Товар,Примечание 1,Дата последнего контакта\n",
        );
        for id in 601..=607 {
            // budget 0 and no product: DEAL001 on every deal
            csv.push_str(&format!(
                "{id},Ремонт,0,Сидоров Пётр,01.06.2026 10:00,Переговоры,Смирнова Ольга,102,\
                 Ремонт окон,,перезвонить,01.07.2026 10:00\n"
            ));
        }
        let ds = dataset(&[("deals.csv", &csv)]);
        let set = rule_set();
        let ctx = Context::new(&ds, &set.params, as_of());
        let selected: Vec<&'static Rule> =
            ["DEAL001"].iter().filter_map(|c| rules::find(c)).collect();
        let findings = rules::run(&ctx, &selected);
        assert_eq!(findings.len(), 7);
        let counts = super::super::summary::counts(&findings, &selected);
        let deals = super::super::statuses::deal_rows(&ds, &findings);
        assert_eq!(deals.len(), 7);
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("corrections.xlsx");
        let input = Input {
            ds: &ds,
            findings: &findings,
            rules: &selected,
            params: &set.params,
            counts: &counts,
            deals: &deals,
            subdomain: None,
            masker: None,
        };
        write_with_row_limit(&path, &OutputPolicy::default(), &input, 3).expect("workbook");

        let sheets = crate::testutil::read_workbook(&path);
        let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                SUMMARY_SHEET,
                "DEAL001",
                "DEAL001 (2)",
                "DEAL001 (3)",
                STATUS_SHEET,
                "Статусы сделок (2)",
                "Статусы сделок (3)",
            ]
        );
        let ids = |prefix: &str, id_col: usize, header: &[&str]| -> Vec<Vec<String>> {
            sheets
                .iter()
                .filter(|(n, _)| n.starts_with(prefix))
                .map(|(n, rows)| {
                    assert_eq!(&rows[0][..header.len()], header, "header of «{n}»");
                    rows[1..].iter().map(|r| r[id_col].clone()).collect()
                })
                .collect()
        };
        let want: Vec<Vec<String>> = [&[601, 602, 603][..], &[604, 605, 606], &[607]]
            .iter()
            .map(|ids| ids.iter().map(|i| i.to_string()).collect())
            .collect();
        assert_eq!(ids("Статусы", 0, &STATUS_COLUMNS), want);
        assert_eq!(ids("DEAL001", 2, &RULE_COLUMNS), want);
        // The default limit keeps everything on one sheet each.
        let path = dir.path().join("one.xlsx");
        write(&path, &OutputPolicy::default(), &input).expect("workbook");
        let names: Vec<String> = crate::testutil::read_workbook(&path)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, [SUMMARY_SHEET, "DEAL001", STATUS_SHEET]);
    }

    /// 100 000 findings on 100 000 contacts of 30 columns, with links. Run with
    /// `cargo test --release --lib bench_100k -- --ignored --nocapture`.
    #[test]
    #[ignore = "benchmark: prints the time to write 100k findings"]
    fn bench_100k_findings_workbook() {
        use crate::rules::{self, Severity};
        use crate::testutil::{dataset, rule_set};
        let n = 100_000;
        let extra: Vec<String> = (1..=20).map(|i| format!("Поле {i}")).collect();
        let mut csv = format!(
            "ID;Полное имя контакта;Ответственный;Мобильный телефон;Личный email;День рождения;Должность;Адрес;Примечание;Теги;{}\n",
            extra.join(";")
        );
        for i in 0..n {
            csv.push_str(&format!(
                "{i};Иванов Иван Петрович {i};Петрова Анна;8 921 {:03}-{:02}-{:02};ivanov{i}@mail.ru;15.03.1985;Инженер;Санкт-Петербург, Купчинская ул. 4-3-22;звонил, просил перезвонить в пятницу после 18;клиент;{}\n",
                i % 1000, i % 100, (i / 100) % 100,
                extra.iter().map(|_| "значение поля").collect::<Vec<_>>().join(";")
            ));
        }
        let ds = dataset(&[("contacts.csv", &csv)]);
        let set = rule_set();
        let codes = ["CON001", "CON002", "CON003", "CON006", "DUP001"];
        let selected: Vec<&'static Rule> = codes.iter().filter_map(|c| rules::find(c)).collect();
        let mut findings: Vec<Finding> = (0..n)
            .map(|i| Finding {
                rule: selected[i % selected.len()].code,
                severity: Severity::Error,
                entity: Entity::Contact,
                id: i.to_string(),
                related: vec![(i + 1).to_string()],
                file: "contacts.csv".into(),
                row: i + 1,
                field: "Мобильный телефон".into(),
                value: format!("8 921 {:03}-{:02}", i % 1000, i % 100),
                message:
                    "Слишком короткий номер «8 921 765-43» (9 цифр) в поле «Мобильный телефон»"
                        .into(),
                fix: "Исправьте номер в поле «Мобильный телефон» на полный: +7 XXX XXX-XX-XX"
                    .into(),
                manager: "Петрова Анна".into(),
                key: format!("CON001/contact/{i}"),
                status: None,
            })
            .collect();
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let counts = super::super::summary::counts(&findings, &selected);
        let rows = super::super::statuses::deal_rows(&ds, &findings);
        let dir = tempfile::tempdir().expect("temp dir");
        let policy = OutputPolicy::default();
        for mask in [false, true] {
            let masker = Masker::new(&ds);
            let started = std::time::Instant::now();
            let path = dir.path().join(format!("corrections-{mask}.xlsx"));
            write(
                &path,
                &policy,
                &Input {
                    ds: &ds,
                    findings: &findings,
                    rules: &selected,
                    params: &set.params,
                    counts: &counts,
                    deals: &rows,
                    subdomain: Some("okna-spb"),
                    masker: mask.then_some(&masker),
                },
            )
            .expect("workbook");
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            eprintln!(
                "corrections.xlsx, {n} findings x {} columns, mask {mask}: {:.2} s, {} KiB",
                RULE_COLUMNS.len() + 30,
                started.elapsed().as_secs_f64(),
                size / 1024
            );
        }
    }
}
