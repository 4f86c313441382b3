//! The report workbook: «Overview» (metrics with the change since the previous week and a bar
//! chart of findings per manager), «Managers» (findings and rates per rule, colour-scaled),
//! «Trend» (one row per stored week, line charts) and «Top offenders» (the worst records per
//! rule, linked to their amoCRM cards).

use std::path::Path;

use rust_xlsxwriter::{
    Chart, ChartType, Color, ConditionalFormat3ColorScale, Format, Workbook, Worksheet, XlsxError,
};

use super::super::audit::pii::Masker;
use super::super::audit::summary::manager_name;
use super::super::audit::workbook::id_cell;
use super::managers::ManagerRow;
use super::offenders::Offender;
use super::overview::{metrics, Metric, Unit, TRACKED};
use super::Report;
use crate::error::{Error, Result};
use crate::output::atomic::{save_workbook_atomic, OutputPolicy};
use crate::output::xlsx::{workbook, Cell, SheetWriter};
use crate::rules::{Entity, Rule};

pub const OVERVIEW: &str = "Overview";
pub const MANAGERS: &str = "Managers";
pub const TREND: &str = "Trend";
pub const OFFENDERS: &str = "Top offenders";

/// Managers shown on the Overview bar chart (the worst ones).
const CHART_MANAGERS: usize = 20;
/// Overview: the row of the metrics table header.
const OVERVIEW_HEADER_ROW: u32 = 4;

/// The columns of the Overview metrics table.
pub const OVERVIEW_COLUMNS: [&str; 7] = [
    "Показатель",
    "Значение",
    "Из",
    "Доля",
    "Прошлая неделя",
    "Изменение",
    "Как считается",
];

/// The Managers columns before the per-rule ones.
/// The last columns of «Managers» and «Trend» when the history kept the previous week's keys.
pub const CHANGE_COLUMNS: [&str; 2] = ["Исправлено с прошлой недели", "Новые с прошлой недели"];

pub const MANAGER_COLUMNS: [&str; 6] = [
    "Ответственный",
    "Всего нарушений",
    "Изменение к прошлой неделе",
    "Контактов",
    "Сделок",
    "Заявок",
];

/// The Top offenders columns.
pub const OFFENDER_COLUMNS: [&str; 12] = [
    "Правило",
    "Место",
    "ID",
    "Запись",
    "Ответственный",
    "Нарушений у записи",
    "Нарушений по правилу",
    "Правила записи",
    "Проблема",
    "Что исправить",
    "Файл",
    "Строка",
];

/// How the Managers rates are defined (written under the table).
pub const RATE_NOTE: &str = "Доля по правилу = записи ответственного с нарушением этого правила / \
    все записи ответственного того же типа (контакты для CON*, DUP001, PRT001; сделки, включая \
    «Неразобранное» и «Корзину», для DEAL*; заявки для FLOW*). Запись считается один раз, сколько \
    бы находок у неё ни было; столбец с кодом правила — число находок, как в findings.jsonl.";
/// How the Managers rows are ordered (written under the table).
pub const ORDER_NOTE: &str =
    "Порядок: больше всего нарушений сверху, при равенстве — по имени. «(не указан)» — записи без ответственного.";

/// What the Top offenders sheet shows and how.
pub struct Offenders<'a> {
    pub by_rule: &'a [Vec<Offender<'a>>],
    pub subdomain: Option<&'a str>,
    pub masker: Option<&'a Masker<'a>>,
}

/// Writes the report workbook atomically.
pub fn write(
    path: &Path,
    policy: &OutputPolicy,
    report: &Report,
    offenders: &Offenders,
) -> Result<()> {
    let mut wb = workbook();
    let styles = Styles::new();
    let err = |e: XlsxError| Error::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    overview_sheet(wb.add_worksheet(), &styles, report).map_err(err)?;
    managers_sheet(wb.add_worksheet(), &styles, report).map_err(err)?;
    trend_sheet(wb.add_worksheet(), &styles, report).map_err(err)?;
    offenders_sheet(&mut wb, offenders)?;
    save_workbook_atomic(path, policy, &mut wb)
}

/// Cell formats of the report.
struct Styles {
    title: Format,
    bold: Format,
    header: Format,
    wrap: Format,
    percent: Format,
    count: Format,
    points: Format,
    change: Format,
}

impl Styles {
    fn new() -> Self {
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            bold: Format::new().set_bold(),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_background_color(Color::RGB(0xDDEBF7)),
            wrap: Format::new().set_text_wrap(),
            percent: Format::new().set_num_format("0.0%"),
            count: Format::new().set_num_format("#,##0"),
            points: Format::new().set_num_format(r#"+0.0" п.п.";-0.0" п.п.";0.0" п.п.""#),
            change: Format::new().set_num_format("+#,##0;-#,##0;0"),
        }
    }

    /// The format of a metric's value.
    fn value(&self, unit: Unit) -> &Format {
        match unit {
            Unit::Rate => &self.percent,
            Unit::Count => &self.count,
        }
    }
}

fn header(ws: &mut Worksheet, row: u32, titles: &[&str], styles: &Styles) -> Result<(), XlsxError> {
    for (col, t) in titles.iter().enumerate() {
        ws.write_string_with_format(row, col as u16, *t, &styles.header)?;
    }
    Ok(())
}

/// A number, or nothing for an unknown value.
fn number(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    value: Option<f64>,
    format: &Format,
) -> Result<(), XlsxError> {
    if let Some(v) = value.filter(|v| v.is_finite()) {
        ws.write_number_with_format(row, col, v, format)?;
    }
    Ok(())
}

/// «23.11.2026 12:00» from a snapshot's `as_of`.
pub fn as_of_label(as_of: &str) -> String {
    chrono::NaiveDateTime::parse_from_str(as_of, "%Y-%m-%dT%H:%M:%S")
        .map(crate::normalize::date::show_minute)
        .unwrap_or_else(|_| as_of.to_string())
}

/// The line under the title that says what the report compares with.
pub fn comparison_label(report: &Report) -> String {
    match report.previous {
        Some(p) => format!(
            "Сравнение с неделей {} (данные на {})",
            p.week,
            as_of_label(&p.as_of)
        ),
        None => "Прошлой недели в истории нет (--history DIR): изменения не показаны".into(),
    }
}

fn overview_sheet(ws: &mut Worksheet, styles: &Styles, report: &Report) -> Result<(), XlsxError> {
    ws.set_name(OVERVIEW)?;
    let s = report.snapshot;
    ws.write_string_with_format(0, 0, "Соблюдение правил CRM", &styles.title)?;
    ws.write_string(
        1,
        0,
        format!("Неделя {}, данные на {}", s.week, as_of_label(&s.as_of)),
    )?;
    ws.write_string(2, 0, comparison_label(report))?;
    header(ws, OVERVIEW_HEADER_ROW, &OVERVIEW_COLUMNS, styles)?;
    let mut row = OVERVIEW_HEADER_ROW + 1;
    for m in &report.metrics {
        metric_row(ws, row, styles, m)?;
        row += 1;
    }
    for (col, width) in [48.0, 12.0, 10.0, 10.0, 14.0, 14.0, 70.0]
        .into_iter()
        .enumerate()
    {
        ws.set_column_width(col as u16, width)?;
    }
    let shown = report.managers.len().min(CHART_MANAGERS) as u32;
    if shown > 0 {
        ws.insert_chart(row + 2, 0, &managers_chart(shown))?;
    }
    Ok(())
}

fn metric_row(ws: &mut Worksheet, row: u32, styles: &Styles, m: &Metric) -> Result<(), XlsxError> {
    ws.write_string(row, 0, m.label)?;
    match m.value {
        Some(v) => ws.write_number_with_format(row, 1, v, styles.value(m.unit))?,
        None => ws.write_string(row, 1, "не проверялось")?,
    };
    if m.base.is_some() && m.value.is_some() {
        number(ws, row, 2, m.base.map(|b| b as f64), &styles.count)?;
    }
    number(ws, row, 3, m.share(), &styles.percent)?;
    number(ws, row, 4, m.previous, styles.value(m.unit))?;
    match m.unit {
        Unit::Rate => number(ws, row, 5, m.delta().map(|d| d * 100.0), &styles.points)?,
        Unit::Count => number(ws, row, 5, m.delta(), &styles.change)?,
    }
    ws.write_string_with_format(row, 6, m.how, &styles.wrap)?;
    Ok(())
}

/// Findings per manager (the worst `shown`, from the Managers sheet), worst on top.
fn managers_chart(shown: u32) -> Chart {
    let mut chart = Chart::new(ChartType::Bar);
    chart
        .add_series()
        .set_name("Нарушений")
        .set_categories((MANAGERS, 1, 0, shown, 0))
        .set_values((MANAGERS, 1, 1, shown, 1));
    chart.title().set_name("Нарушения по ответственным");
    chart.x_axis().set_reverse();
    chart.legend().set_hidden();
    chart.set_width(720).set_height(120 + 24 * shown);
    chart
}

fn managers_sheet(ws: &mut Worksheet, styles: &Styles, report: &Report) -> Result<(), XlsxError> {
    ws.set_name(MANAGERS)?;
    let mut titles: Vec<String> = MANAGER_COLUMNS.iter().map(|s| s.to_string()).collect();
    for r in report.rules {
        titles.push(r.code.to_string());
        titles.push(format!("{}, доля", r.code));
    }
    let changes = report.snapshot.totals.fixed_since_previous.is_some();
    if changes {
        titles.extend(CHANGE_COLUMNS.map(String::from));
    }
    let titles: Vec<&str> = titles.iter().map(String::as_str).collect();
    header(ws, 0, &titles, styles)?;
    for (i, m) in report.managers.iter().enumerate() {
        let row = i as u32 + 1;
        manager_row(ws, row, styles, report.rules, m)?;
        if changes {
            let col = (MANAGER_COLUMNS.len() + 2 * report.rules.len()) as u16;
            number(ws, row, col, m.fixed.map(|n| n as f64), &styles.count)?;
            number(ws, row, col + 1, m.new.map(|n| n as f64), &styles.count)?;
        }
    }
    let last = report.managers.len() as u32;
    ws.set_freeze_panes(1, 1)?;
    ws.autofilter(0, 0, last, titles.len() as u16 - 1)?;
    ws.set_column_width(0, 28)?;
    for col in 1..titles.len() as u16 {
        ws.set_column_width(col, 11)?;
    }
    if last > 0 {
        let scale = ConditionalFormat3ColorScale::new()
            .set_minimum_color(Color::RGB(0x63BE7B))
            .set_midpoint_color(Color::RGB(0xFFEB84))
            .set_maximum_color(Color::RGB(0xF8696B));
        for i in 0..report.rules.len() as u16 {
            let col = MANAGER_COLUMNS.len() as u16 + 2 * i + 1;
            ws.add_conditional_format(1, col, last, col, &scale)?;
        }
        ws.add_conditional_format(1, 1, last, 1, &scale)?;
    }
    ws.write_string_with_format(last + 2, 0, RATE_NOTE, &styles.bold)?;
    ws.write_string(last + 3, 0, ORDER_NOTE)?;
    Ok(())
}

fn manager_row(
    ws: &mut Worksheet,
    row: u32,
    styles: &Styles,
    rules: &[&Rule],
    m: &ManagerRow,
) -> Result<(), XlsxError> {
    ws.write_string(row, 0, &m.name)?;
    ws.write_number(row, 1, m.total as f64)?;
    number(ws, row, 2, m.delta().map(|d| d as f64), &styles.change)?;
    for (col, entity) in [Entity::Contact, Entity::Deal, Entity::Application]
        .into_iter()
        .enumerate()
    {
        ws.write_number(row, col as u16 + 3, m.owned.of(entity) as f64)?;
    }
    for (i, r) in rules.iter().enumerate() {
        let col = MANAGER_COLUMNS.len() as u16 + 2 * i as u16;
        ws.write_number(row, col, m.count(r.code) as f64)?;
        number(ws, row, col + 1, m.rate(r), &styles.percent)?;
    }
    Ok(())
}

/// Rule codes shown on the Trend sheet: every code of any week, in code order.
fn trend_codes(report: &Report) -> Vec<String> {
    let mut codes: Vec<String> = report
        .trend
        .iter()
        .flat_map(|s| s.by_rule.keys().cloned())
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

fn trend_sheet(ws: &mut Worksheet, styles: &Styles, report: &Report) -> Result<(), XlsxError> {
    ws.set_name(TREND)?;
    let codes = trend_codes(report);
    let tracked: Vec<Metric> = metrics(&report.snapshot.totals, None)
        .into_iter()
        .take(TRACKED)
        .collect();
    let mut titles: Vec<&str> = vec!["Неделя", "Данные на"];
    titles.extend(tracked.iter().map(|m| m.label));
    titles.extend(codes.iter().map(String::as_str));
    // «Fixed per week»: once any week knows what the one before it had.
    let changes = report
        .trend
        .iter()
        .any(|s| s.totals.fixed_since_previous.is_some());
    let change_col = titles.len() as u16;
    if changes {
        titles.extend(CHANGE_COLUMNS);
    }
    header(ws, 0, &titles, styles)?;
    for (i, s) in report.trend.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, &s.week)?;
        ws.write_string(row, 1, as_of_label(&s.as_of))?;
        for (j, m) in metrics(&s.totals, None).iter().take(TRACKED).enumerate() {
            number(ws, row, j as u16 + 2, m.value, styles.value(m.unit))?;
        }
        for (j, code) in codes.iter().enumerate() {
            let n = s.by_rule.get(code).map(|&n| n as f64);
            number(ws, row, (2 + TRACKED + j) as u16, n, &styles.count)?;
        }
        if changes {
            let t = &s.totals;
            for (j, n) in [t.fixed_since_previous, t.new_since_previous]
                .into_iter()
                .enumerate()
            {
                number(
                    ws,
                    row,
                    change_col + j as u16,
                    n.map(|n| n as f64),
                    &styles.count,
                )?;
            }
        }
    }
    let last = report.trend.len() as u32;
    ws.set_freeze_panes(1, 1)?;
    ws.set_column_width(0, 10)?;
    ws.set_column_width(1, 16)?;
    for col in 2..titles.len() as u16 {
        ws.set_column_width(col, if (col as usize) < 2 + TRACKED { 18 } else { 9 })?;
    }
    let rates: Vec<u16> = (0..TRACKED)
        .filter(|&j| tracked[j].unit == Unit::Rate)
        .map(|j| j as u16 + 2)
        .collect();
    let counts: Vec<u16> = (0..TRACKED)
        .filter(|&j| tracked[j].unit == Unit::Count)
        .map(|j| j as u16 + 2)
        .collect();
    let mut rate_chart = line_chart("Корректные и активные сделки", last, &rates);
    rate_chart
        .y_axis()
        .set_num_format("0%")
        .set_min(0)
        .set_max(1);
    ws.insert_chart(last + 2, 0, &rate_chart)?;
    ws.insert_chart(
        last + 2,
        5,
        &line_chart("Нарушения по неделям", last, &counts),
    )?;
    if changes {
        ws.insert_chart(
            last + 2,
            10,
            &line_chart(
                "Исправлено и новые по неделям",
                last,
                &[change_col, change_col + 1],
            ),
        )?;
    }
    Ok(())
}

/// A line chart of Trend columns `cols` over the weeks in rows 1..=last.
fn line_chart(title: &str, last: u32, cols: &[u16]) -> Chart {
    let mut chart = Chart::new(ChartType::Line);
    for &col in cols {
        chart
            .add_series()
            .set_name((TREND, 0, col))
            .set_categories((TREND, 1, 0, last, 0))
            .set_values((TREND, 1, col, last, col));
    }
    chart.title().set_name(title);
    chart.set_width(640).set_height(360);
    chart
}

fn entity_label(e: Entity) -> &'static str {
    match e {
        Entity::Contact => "контакт",
        Entity::Deal => "сделка",
        Entity::Application => "заявка",
    }
}

fn offenders_sheet(wb: &mut Workbook, o: &Offenders) -> Result<()> {
    let mut sheet = SheetWriter::new(wb, OFFENDERS, &OFFENDER_COLUMNS)?;
    for group in o.by_rule {
        for (place, off) in group.iter().enumerate() {
            let masked = o.masker.map(|m| m.finding(off.finding));
            let f = masked.as_ref().unwrap_or(off.finding);
            sheet.row(&[
                f.rule.into(),
                Cell::Number(place as f64 + 1.0),
                id_cell(o.subdomain, f.entity, &f.id),
                entity_label(f.entity).into(),
                manager_name(&f.manager).into(),
                Cell::Number(off.record_findings as f64),
                Cell::Number(off.rule_findings as f64),
                off.rules.join(", ").into(),
                f.message.as_str().into(),
                f.fix.as_str().into(),
                f.file.as_str().into(),
                Cell::Number(f.row as f64),
            ])?;
        }
    }
    sheet.finish()
}
