//! `corrections/`: a to-do workbook per responsible manager (`Иванова Анна.xlsx`), the same
//! rows as CSV beside it, and `index.xlsx` with the counts and links.
//!
//! A to-do row is one record (a contact, a deal, an application) with all its findings, most
//! urgent first ([`super::todo`]). Its first columns are fixed ([`TODO_COLUMNS`]): `Тип` and
//! `ID` identify the record and `Правила` lists its rule codes, so a later reader can find the
//! record and finding a person annotated. The record's original columns follow, the offending
//! cells highlighted. A workbook holds at most `max_rows` records; the CSV has them all.
//!
//! The managers' files are written in parallel, one manager per task, each sheet in constant
//! memory.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::origin::Origins;
use super::pii::{mask_text, Masker};
use super::todo::{todos, Model, Record, Todo};
use super::workbook::{card_url, count_cell, severity_label, Originals};
use crate::decisions::marker::{self, Form};
use crate::error::{Error, Result};
use crate::model::Dataset;
use crate::output::atomic::{save_workbook_atomic, OutputPolicy};
use crate::output::csvout::{CsvEncoding, CsvOut};
use crate::output::xlsx::{workbook, Cell, SheetWriter, SHEET_ROWS};
use crate::params::Params;
use crate::progress::Progress;
use crate::rules::{Entity, Finding, Rule, Severity};

/// The folder inside `--out`.
pub const DIR: &str = "corrections";
/// The overview of every manager's file.
pub const INDEX: &str = "index.xlsx";
/// The file name (without extension) of the records without a responsible user.
pub const NO_MANAGER: &str = "Без ответственного";
/// The first sheet of a manager's workbook: counts per rule.
pub const OVERVIEW_SHEET: &str = "Сводка";
/// The to-do sheet of a manager's workbook.
pub const TODO_SHEET: &str = "К исправлению";
/// The sheet of `index.xlsx`.
pub const INDEX_SHEET: &str = "Ответственные";

/// The fixed columns of a to-do row (workbook and CSV), before the record's original columns.
/// `Тип` is [`entity_label`], `ID` the record's CRM ID (Flow: the application number).
/// `Исключение` is for the manager: a reason there accepts the row's findings (`crmclean
/// decide`; `CODE: reason` lines accept only those rules' findings).
pub const TODO_COLUMNS: [&str; 13] = [
    marker::RECORD_TYPE,
    marker::RECORD_ID,
    "Карточка",
    "Серьёзность",
    "Правила",
    "Что не так",
    "Что сделать",
    "Название",
    "Этап",
    "Последняя активность",
    "Файл",
    "Строка",
    marker::EXCEPTION,
];

/// Everything the folder shows.
pub struct Input<'a> {
    pub ds: &'a Dataset,
    /// In output order, already masked for `--mask-pii`.
    pub findings: &'a [Finding],
    pub rules: &'a [&'static Rule],
    pub params: &'a Params,
    /// amoCRM subdomain: the `Карточка` column links to the cards.
    pub subdomain: Option<&'a str>,
    /// Masks the original columns for `--mask-pii`.
    pub masker: Option<&'a Masker<'a>>,
    /// Records per workbook (clamped to what a sheet holds).
    pub max_rows: usize,
}

/// `--workbook`: how the corrections are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// `corrections/`: a to-do workbook and CSV per responsible manager, and `index.xlsx`.
    PerManager,
    /// One `corrections.xlsx` with a sheet per rule (small exports).
    Single,
}

/// `Тип` of a to-do row.
pub fn entity_label(entity: Entity) -> &'static str {
    match entity {
        Entity::Contact => "контакт",
        Entity::Deal => "сделка",
        Entity::Application => "заявка",
    }
}

/// Refuses a `corrections/` folder that already holds files unless `--force` is given (checked
/// before reading, as the other outputs are).
pub fn check(dir: &Path, policy: &OutputPolicy) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{}: exists and is not a folder",
            dir.display()
        )));
    }
    let occupied = std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some());
    if occupied && !policy.force {
        return Err(Error::Usage(format!(
            "{}: already exists; use --force to overwrite",
            dir.display()
        )));
    }
    Ok(())
}

/// Writes the folder: each manager's workbook and CSV in parallel, then `index.xlsx`. With
/// `--force`, workbooks and CSVs of an earlier run that this run did not write are removed, so
/// that the folder holds only current to-do lists.
pub fn write(dir: &Path, policy: &OutputPolicy, input: &Input, progress: &Progress) -> Result<()> {
    let todos = todos(input.ds, input.findings);
    let stems = file_stems(todos.iter().map(|t| t.manager));
    let bar = progress.files("corrections", 2 * todos.len() as u64 + 1);
    let origins = Origins::new(input.ds);
    let max_rows = input.max_rows.clamp(1, SHEET_ROWS);
    let sheets: Vec<Sheet> = todos
        .par_iter()
        .zip(&stems)
        .map(|(todo, stem)| {
            let sheet = Sheet::of(input, &origins, todo, stem);
            let [book, csv] = ["xlsx", "csv"].map(|ext| dir.join(format!("{stem}.{ext}")));
            sheet.write_files(&book, &csv, policy, input, &origins, max_rows)?;
            bar.inc(2);
            bar.set_message(stem.clone());
            Ok(sheet)
        })
        .collect::<Result<_>>()?;
    write_index(&dir.join(INDEX), policy, input, &sheets, max_rows)?;
    bar.finish_and_clear();
    if policy.force {
        let mut written: HashSet<PathBuf> = HashSet::from([dir.join(INDEX)]);
        for stem in &stems {
            written.extend(["xlsx", "csv"].map(|ext| dir.join(format!("{stem}.{ext}"))));
        }
        remove_stale(dir, policy, &written)?;
    }
    Ok(())
}

/// Removes the `.xlsx` and `.csv` files of `dir` that are not in `written` (never an input).
fn remove_stale(dir: &Path, policy: &OutputPolicy, written: &HashSet<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| write_err(dir, e))?;
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        let ours = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("csv"));
        let input = path
            .canonicalize()
            .is_ok_and(|p| policy.inputs.contains(&p));
        if ours && !input && path.is_file() && !written.contains(&path) {
            std::fs::remove_file(&path).map_err(|e| write_err(&path, e))?;
        }
    }
    Ok(())
}

fn write_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// One manager's to-do list, ready to write.
struct Sheet<'a> {
    todo: &'a Todo<'a>,
    stem: &'a str,
    originals: Originals,
    /// Rule → (records, findings).
    by_rule: BTreeMap<&'static str, (usize, usize)>,
    by_severity: BTreeMap<Severity, usize>,
    findings: usize,
}

impl<'a> Sheet<'a> {
    fn of(input: &Input, origins: &Origins, todo: &'a Todo<'a>, stem: &'a str) -> Self {
        let mut by_rule: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
        let mut by_severity = BTreeMap::new();
        let mut sources = BTreeSet::new();
        for r in &todo.records {
            let mut seen = BTreeSet::new();
            for f in &r.findings {
                let counts = by_rule.entry(f.rule).or_default();
                counts.1 += 1;
                if seen.insert(f.rule) {
                    counts.0 += 1;
                }
                *by_severity.entry(f.severity).or_default() += 1;
            }
            sources.extend(r.findings.first().and_then(|f| origins.source(f)));
        }
        Sheet {
            todo,
            stem,
            originals: Originals::of(input.ds, sources),
            findings: by_severity.values().sum(),
            by_rule,
            by_severity,
        }
    }

    fn header(&self) -> Vec<&str> {
        let mut header = TODO_COLUMNS.to_vec();
        header.extend(self.originals.headers.iter().map(String::as_str));
        header
    }

    fn rows<'s>(
        &'s self,
        input: &'s Input,
        origins: &'s Origins,
    ) -> impl Iterator<Item = Vec<Cell<'s>>> + 's {
        self.todo
            .records
            .iter()
            .map(move |r| todo_row(input, origins, &self.originals, r))
    }

    /// The workbook (the first `max_rows` records) and the CSV (every record) from one pass
    /// over the records: each row is built once.
    fn write_files(
        &self,
        book: &Path,
        csv: &Path,
        policy: &OutputPolicy,
        input: &Input,
        origins: &Origins,
        max_rows: usize,
    ) -> Result<()> {
        let mut wb = workbook();
        // Zip level 1: on the 1M-contact export half the compression time of level 2 (0.6 s of
        // CPU over 16 workbooks), for workbooks of 5.6 MB instead of 4.3 MB.
        wb.set_zip_compression_level(1);
        self.overview(&mut wb, input, max_rows)?;
        let header = self.header();
        let mut sheet = SheetWriter::new(&mut wb, TODO_SHEET, &header)?;
        let mut sheet_error = None;
        let rows = self.rows(input, origins).enumerate().map(|(i, cells)| {
            if i < max_rows && sheet_error.is_none() {
                sheet_error = sheet.row(&cells).err();
            }
            cells.into_iter().map(Cell::into_shown).collect::<Vec<_>>()
        });
        CsvOut::new(b';', CsvEncoding::Utf8Bom).write(csv, policy, &header, rows)?;
        if let Some(e) = sheet_error {
            return Err(e);
        }
        sheet.finish()?;
        let records = self.todo.records.iter().take(max_rows).map(|r| {
            let mut row = vec![
                "record".to_string(),
                entity_label(r.entity).to_string(),
                r.id.to_string(),
            ];
            row.extend(r.findings.iter().map(|f| f.key.clone()));
            row
        });
        marker::write(&mut wb, Form::Todo, records)?;
        save_workbook_atomic(book, policy, &mut wb)
    }

    /// «Сводка»: whose list it is, how many records and findings, whether the workbook holds
    /// them all, then records and findings per rule.
    fn overview(
        &self,
        wb: &mut rust_xlsxwriter::Workbook,
        input: &Input,
        max_rows: usize,
    ) -> Result<()> {
        let records = self.todo.records.len();
        let mut sheet = SheetWriter::new(wb, OVERVIEW_SHEET, &[])?;
        sheet.row(&[
            "Ответственный".into(),
            manager_label(self.todo.manager).into(),
        ])?;
        sheet.row(&["Записей".into(), count_cell(records)])?;
        sheet.row(&["Нарушений".into(), count_cell(self.findings)])?;
        let held = if records > max_rows {
            format!(
                "первые {max_rows} записей, самые срочные; все {records} записей — в файле «{}.csv»",
                self.stem
            )
        } else {
            "все записи".to_string()
        };
        sheet.row(&["В этой книге".into(), held.into()])?;
        sheet.row(&[])?;
        sheet.row(&[
            "Правило".into(),
            "Серьёзность".into(),
            "Записей".into(),
            "Нарушений".into(),
            "Описание".into(),
        ])?;
        for rule in input.rules {
            if let Some(&(records, findings)) = self.by_rule.get(rule.code) {
                sheet.row(&[
                    rule.code.into(),
                    severity_label(rule.severity_in(input.params)).into(),
                    count_cell(records),
                    count_cell(findings),
                    rule.summary.into(),
                ])?;
            }
        }
        sheet.finish()
    }
}

/// A manager's name as the folder shows it.
fn manager_label(manager: &str) -> &str {
    if manager.is_empty() {
        NO_MANAGER
    } else {
        manager
    }
}

/// One record's to-do row: the fixed columns, then its original cells.
fn todo_row<'a>(
    input: &'a Input,
    origins: &Origins<'a>,
    originals: &Originals,
    r: &'a Record,
) -> Vec<Cell<'a>> {
    let join = |text: fn(&Finding) -> &str| {
        r.findings
            .iter()
            .map(|f| format!("{}: {}", f.rule, text(f)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut codes: Vec<&str> = r.findings.iter().map(|f| f.rule).collect();
    codes.dedup();
    let (name, stage) = describe(input, r);
    let mut cells = vec![
        entity_label(r.entity).into(),
        r.id.into(),
        card_url(input.subdomain, r.entity, r.id).map_or(Cell::Empty, |url| Cell::Link {
            url,
            text: String::new(),
        }),
        severity_label(r.severity()).into(),
        codes.join(", ").into(),
        join(|f| &f.message).into(),
        join(|f| &f.fix).into(),
        name.into(),
        stage.into(),
        r.active_at().map_or(Cell::Empty, |t| {
            crate::normalize::date::show_minute(t).into()
        }),
        r.file.into(),
        count_cell(r.row),
        Cell::Empty,
    ];
    let n = cells.len();
    cells.resize(n + originals.headers.len(), Cell::Empty);
    if let Some((source, record)) = r.findings.first().and_then(|f| origins.row(f)) {
        let mut highlight: Vec<usize> = r
            .findings
            .iter()
            .flat_map(|f| origins.columns(source, &f.field))
            .collect();
        highlight.sort_unstable();
        highlight.dedup();
        originals.fill(input.masker, source, &record, &highlight, &mut cells[n..]);
    }
    cells
}

/// A record's name (card title, deal name, applicant) and its stage or status.
fn describe(input: &Input, r: &Record) -> (String, String) {
    let ds = input.ds;
    let (name, stage) = match r.model {
        Some(Model::Contact(c)) => (c.title(ds).into_owned(), String::new()),
        Some(Model::Deal(d)) => (d.name(ds).to_string(), d.stage.to_string()),
        Some(Model::Application(a)) => (a.fio(ds).to_string(), a.status.to_string()),
        None => (String::new(), String::new()),
    };
    match input.masker {
        Some(_) => (mask_text(&name), stage),
        None => (name, stage),
    }
}

/// `index.xlsx`: a row per manager with links to their files and counts per severity and
/// rule, then the totals.
fn write_index(
    path: &Path,
    policy: &OutputPolicy,
    input: &Input,
    sheets: &[Sheet],
    max_rows: usize,
) -> Result<()> {
    let codes: Vec<&str> = input
        .rules
        .iter()
        .map(|r| r.code)
        .filter(|code| sheets.iter().any(|s| s.by_rule.contains_key(code)))
        .collect();
    let mut header = vec![
        "Ответственный",
        "Книга",
        "CSV",
        "Записей",
        "В книге",
        "Нарушений",
        "Ошибок",
        "Предупреждений",
    ];
    header.extend(&codes);
    let mut wb = workbook();
    let mut sheet = SheetWriter::new(&mut wb, INDEX_SHEET, &header)?;
    let link = |stem: &str, ext: &str| Cell::Link {
        url: format!("file:///{stem}.{ext}"),
        text: format!("{stem}.{ext}"),
    };
    let counts = |s: &Sheet| {
        let severity = |v| s.by_severity.get(&v).copied().unwrap_or(0);
        let mut cells = vec![
            count_cell(s.todo.records.len()),
            count_cell(s.todo.records.len().min(max_rows)),
            count_cell(s.findings),
            count_cell(severity(Severity::Error)),
            count_cell(severity(Severity::Warning)),
        ];
        cells.extend(
            codes
                .iter()
                .map(|c| count_cell(s.by_rule.get(c).map_or(0, |n| n.1))),
        );
        cells
    };
    let mut total = vec![0.0; 5 + codes.len()];
    for s in sheets {
        let mut row = vec![
            manager_label(s.todo.manager).into(),
            link(s.stem, "xlsx"),
            link(s.stem, "csv"),
        ];
        let numbers = counts(s);
        for (t, c) in total.iter_mut().zip(&numbers) {
            if let Cell::Number(n) = c {
                *t += n;
            }
        }
        row.extend(numbers);
        sheet.row(&row)?;
    }
    let mut row = vec!["Всего".into(), Cell::Empty, Cell::Empty];
    row.extend(total.into_iter().map(Cell::Number));
    sheet.row(&row)?;
    sheet.finish()?;
    // A to-do form with no records: `crmclean decide corrections/*.xlsx` passes over it.
    marker::write(&mut wb, Form::Todo, std::iter::empty())?;
    save_workbook_atomic(path, policy, &mut wb)
}

/// The file stem of each manager's files: the name with characters a file name cannot hold
/// replaced by `_`, [`NO_MANAGER`] for none, made unique (case-insensitively, and apart from
/// `index`) by ` (2)`, ` (3)`…
pub fn file_stems<'a>(managers: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::from(["index".to_string()]);
    managers
        .into_iter()
        .map(|m| {
            let base = file_stem(manager_label(m));
            let mut stem = base.clone();
            let mut n = 1;
            while !taken.insert(stem.to_lowercase()) {
                n += 1;
                stem = format!("{base} ({n})");
            }
            stem
        })
        .collect()
}

/// Longest stem in characters: room for ` (2).xlsx` within the 255 bytes most file systems
/// allow, with Cyrillic taking two bytes a character.
const MAX_STEM_CHARS: usize = 100;

/// `name` as a file name on Windows, macOS and Linux: `< > : " / \ | ? *` and control
/// characters become `_`, trailing dots and spaces go, reserved device names (`CON`, `NUL`,
/// `COM1`…) get a `_`; cut to [`MAX_STEM_CHARS`].
fn file_stem(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if matches!(c, '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .take(MAX_STEM_CHARS)
        .collect();
    let mut stem = cleaned
        .trim()
        .trim_end_matches(['.', ' '])
        .trim_start_matches('.')
        .to_string();
    if stem.is_empty() {
        return "_".to_string();
    }
    let device = stem.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(device.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (device.len() == 4
            && (device.starts_with("COM") || device.starts_with("LPT"))
            && device.as_bytes()[3].is_ascii_digit());
    if reserved {
        stem.push('_');
    }
    stem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_of_managers() {
        assert_eq!(file_stem("Иванова Анна"), "Иванова Анна");
        assert_eq!(
            file_stem("Отдел продаж / СПб: \"север\""),
            "Отдел продаж _ СПб_ _север_"
        );
        assert_eq!(file_stem("Петров С.И."), "Петров С.И");
        assert_eq!(file_stem("..скрытый"), "скрытый");
        assert_eq!(file_stem("con"), "con_");
        assert_eq!(file_stem("COM1.txt"), "COM1.txt_");
        assert_eq!(file_stem("Com"), "Com");
        assert_eq!(file_stem("a\tb\nc"), "a_b_c");
        assert_eq!(file_stem("???"), "___");
        assert_eq!(file_stem(" "), "_");
        assert_eq!(file_stem(&"Я".repeat(300)).chars().count(), MAX_STEM_CHARS);
        assert_eq!(
            file_stems(["Иванова Анна", "", "ИВАНОВА АННА", "index", "a/b", "a:b"]),
            [
                "Иванова Анна",
                NO_MANAGER,
                "ИВАНОВА АННА (2)",
                "index (2)",
                "a_b",
                "a_b (2)"
            ]
        );
    }
}
