//! Decisions that flow back: `migrate` / `dedupe` write workbooks with decision columns, a
//! person fills them in (and saves them with LibreOffice, as a spreadsheet program rewrites
//! them), `decide` reads them into decisions.csv, and `migrate` / `audit --decisions` apply
//! them.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use calamine::{open_workbook_auto, Data, Reader, SheetVisible};
use common::{crmclean, sheet};

const AS_OF: &str = "2026-11-23 12:00";

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn ok(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn soffice() -> bool {
    common::soffice("the LibreOffice round trip")
}

/// `crmclean decide WORKBOOK --into DECISIONS --by BY --date 2026-11-23`, its stdout.
fn decide(workbook: &Path, decisions: &Path, by: &str) -> String {
    ok(&crmclean([
        "decide",
        s(workbook),
        "--into",
        s(decisions),
        "--by",
        by,
        "--date",
        "2026-11-23",
    ]))
}

/// The workbook as LibreOffice saves it (`soffice --headless --convert-to xlsx`).
fn through_libreoffice(path: &Path, tmp: &Path) -> PathBuf {
    let outdir = tmp.join(format!(
        "lo-{}",
        path.file_stem().unwrap().to_string_lossy()
    ));
    let o = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            tmp.join("lo-profile").display()
        ))
        .args(["--headless", "--convert-to", "xlsx", "--outdir"])
        .arg(&outdir)
        .arg(path)
        .output()
        .unwrap();
    let copy = outdir.join(path.file_name().unwrap());
    assert!(
        o.status.success() && copy.is_file(),
        "LibreOffice could not convert {}: {}",
        path.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    copy
}

/// The lists of a workbook's drop-downs (data validations of type list), and its hidden
/// sheets, read from the file's XML.
fn drop_downs_and_hidden(path: &Path) -> (Vec<String>, Vec<String>) {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut xml = |name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    let book = xml("xl/workbook.xml");
    let hidden = book
        .split("<sheet ")
        .skip(1)
        .filter(|s| s.contains("state=\"hidden\""))
        .filter_map(|s| s.split("name=\"").nth(1)?.split('"').next())
        .map(str::to_string)
        .collect();
    let sheet = xml("xl/worksheets/sheet1.xml").replace("&quot;", "\"");
    let lists = sheet
        .split("<formula1>")
        .skip(1)
        .filter_map(|s| s.split("</formula1>").next())
        .map(str::to_string)
        .collect();
    (lists, hidden)
}

/// A person fills cells in: every sheet is written again with `edits` (sheet, row, header,
/// value) applied, hidden sheets stay hidden.
fn fill(path: &Path, to: &Path, edits: &[(&str, usize, &str, &str)]) {
    let mut book = open_workbook_auto(path).unwrap();
    let meta = book.sheets_metadata().to_vec();
    let mut wb = rust_xlsxwriter::Workbook::new();
    for m in meta {
        let range = book.worksheet_range(&m.name).unwrap();
        let mut rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Empty => String::new(),
                        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect();
        for (sheet, row, header, value) in edits {
            if *sheet == m.name {
                let col = rows[0].iter().position(|h| h == header).unwrap();
                rows[*row][col] = value.to_string();
            }
        }
        let ws = wb.add_worksheet();
        ws.set_name(&m.name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, v).unwrap();
                }
            }
        }
        if m.visible != SheetVisible::Visible {
            ws.set_hidden(true);
        }
    }
    wb.save(to).unwrap();
}

/// The file a person's spreadsheet program saves: filled, then rewritten by LibreOffice when it
/// is here.
fn filled(original: &Path, tmp: &Path, lo: bool, edits: &[(&str, usize, &str, &str)]) -> PathBuf {
    let source = if lo {
        through_libreoffice(original, tmp)
    } else {
        original.to_path_buf()
    };
    let dir = tmp.join("filled");
    std::fs::create_dir_all(&dir).unwrap();
    let to = dir.join(original.file_name().unwrap());
    fill(&source, &to, edits);
    if lo {
        through_libreoffice(&to, tmp)
    } else {
        to
    }
}

fn plan(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("split_plan.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn line<'a>(plan: &'a [serde_json::Value], partner: &str, phone: &str) -> &'a serde_json::Value {
    plan.iter()
        .find(|l| l["partner_id"] == partner && l["phone"] == phone)
        .unwrap_or_else(|| panic!("no plan line {partner} {phone}"))
}

#[test]
fn review_decisions_flow_into_the_plan_and_the_import_files() {
    let lo = soffice();
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("m1");
    ok(&crmclean(["migrate", s(&samples()), "--out", s(&first)]));
    let review = sheet(&first.join("review.xlsx"), "На проверку");
    assert_eq!(
        &review[0][..6],
        [
            "ID партнёра",
            "Партнёр",
            "Телефон",
            "Решение",
            "Имя нового контакта",
            "Комментарий"
        ]
    );
    assert!(review.len() >= 3, "{review:?}");
    let row = |r: usize| (review[r][0].clone(), review[r][2].clone());
    let (moved, kept) = (row(1), row(2));
    let before = plan(&first);
    assert_eq!(line(&before, &moved.0, &moved.1)["action"], "review");
    assert_eq!(line(&before, &kept.0, &kept.1)["action"], "review");

    // The drop-down and the hidden marker sheet, as written and as LibreOffice saves them.
    let mut copies = vec![first.join("review.xlsx")];
    if lo {
        copies.push(through_libreoffice(&first.join("review.xlsx"), tmp.path()));
    }
    for copy in copies {
        assert_eq!(
            drop_downs_and_hidden(&copy),
            (
                vec!["\"переместить,оставить у партнёра\"".to_string()],
                vec!["crmclean".to_string()]
            ),
            "{}",
            copy.display()
        );
    }
    let sheet_name = "На проверку";
    let path = filled(
        &first.join("review.xlsx"),
        tmp.path(),
        lo,
        &[
            (sheet_name, 1, "Решение", "переместить"),
            (sheet_name, 1, "Имя нового контакта", "Клиентка Алина"),
            (sheet_name, 1, "Комментарий", "позвонила, подтвердила"),
            (sheet_name, 2, "Решение", "оставить у партнёра"),
        ],
    );
    let decisions = tmp.path().join("decisions.csv");
    let said = decide(&path, &decisions, "Смирнова Ольга");
    assert!(
        said.contains("2 decisions added (client-number 1, partner-own 1), 0 already there"),
        "{said}"
    );
    let text = std::fs::read_to_string(&decisions).unwrap();
    assert!(
        text.starts_with("\u{feff}kind;ids;subject;value;reason;by;date;expires\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "client-number;{};{};Клиентка Алина;позвонила, подтвердила;Смирнова Ольга;2026-11-23;\n",
            moved.0, moved.1
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "partner-own;{};{};;;Смирнова Ольга;2026-11-23;\n",
            kept.0, kept.1
        )),
        "{text}"
    );

    // Idempotent: the same workbook again adds nothing.
    let again = decide(&path, &decisions, "x");
    assert!(
        again.contains("0 decisions added, 2 already there"),
        "{again}"
    );
    assert_eq!(std::fs::read_to_string(&decisions).unwrap(), text);

    let second = tmp.path().join("m2");
    let o = crmclean([
        "migrate",
        s(&samples()),
        "--out",
        s(&second),
        "--decisions",
        s(&decisions),
    ]);
    ok(&o);
    let after = plan(&second);
    assert_eq!(
        after.len(),
        before.len(),
        "every phone stays in the plan once"
    );
    let m = line(&after, &moved.0, &moved.1);
    assert_eq!(m["action"], "move");
    assert_eq!(m["new_contact_name"], "Клиентка Алина");
    let reason = m["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("decided: a client's number → «Клиентка Алина»"),
        "{reason}"
    );
    assert!(reason.contains("Смирнова Ольга"), "{reason}");
    let k = line(&after, &kept.0, &kept.1);
    assert_eq!(k["action"], "keep");
    assert!(k["reason"]
        .as_str()
        .unwrap()
        .starts_with("decided: the partner's own number"));
    let imported = common::sheet(&second.join("import_new_contacts.xlsx"), "Новые контакты");
    let names: Vec<&str> = imported.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(
        names.contains(&"Клиентка Алина"),
        !m["deal_ids"].as_array().unwrap().is_empty(),
        "{imported:?}"
    );
    // `apply` reads the decided move from the plan like any other.
    let moves = crmclean::apply::input::moves(&second.join("split_plan.jsonl")).unwrap();
    assert!(
        moves
            .iter()
            .any(|mv| mv.name == "Клиентка Алина" && mv.phone == moved.1),
        "{moves:?}"
    );
    let review = sheet(&second.join("review.xlsx"), "На проверку");
    assert_eq!(
        review.len(),
        sheet(&first.join("review.xlsx"), "На проверку").len() - 2
    );
}

#[test]
fn duplicates_marked_not_duplicate_are_no_longer_reported() {
    let lo = soffice();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("d");
    ok(&crmclean([
        "dedupe",
        s(&samples()),
        "--out",
        s(&out),
        "--as-of",
        AS_OF,
    ]));
    let rows = sheet(&out.join("duplicates.xlsx"), "Контакты");
    assert_eq!(
        &rows[0][..6],
        [
            "Кластер",
            "Запись",
            "Совпало",
            "Оценка",
            "Решение",
            "Комментарий"
        ]
    );
    let id = rows[0].iter().position(|h| h == "ID").unwrap();
    // Cluster C000001: 45102418 (survivor) and 45102412.
    assert_eq!(
        (rows[1][0].as_str(), rows[1][id].as_str()),
        ("C000001", "45102418")
    );
    assert_eq!(
        (rows[2][0].as_str(), rows[2][id].as_str()),
        ("C000001", "45102412")
    );
    let path = filled(
        &out.join("duplicates.xlsx"),
        tmp.path(),
        lo,
        &[
            ("Контакты", 1, "Решение", "объединить"),
            ("Контакты", 2, "Решение", "не дубль"),
            ("Контакты", 2, "Комментарий", "отец и сын"),
        ],
    );
    let decisions = tmp.path().join("decisions.csv");
    let said = decide(&path, &decisions, "Смирнова");
    assert!(
        said.contains("1 decisions added (not-duplicate 1)"),
        "{said}"
    );
    let text = std::fs::read_to_string(&decisions).unwrap();
    assert!(
        text.contains("not-duplicate;45102412 45102418;contact;;отец и сын;Смирнова;"),
        "{text}"
    );

    let samples = samples();
    let dup001 = |extra: &[&str]| -> Vec<String> {
        let dir = tmp.path().join(format!("a{}", extra.len()));
        let mut args = vec![
            "audit",
            s(&samples),
            "--out",
            s(&dir),
            "--as-of",
            AS_OF,
            "--fail-on",
            "never",
        ];
        args.extend(extra);
        ok(&crmclean(&args));
        std::fs::read_to_string(dir.join("findings.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|f| f["rule"] == "DUP001")
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    let before = dup001(&[]);
    assert!(before.contains(&"45102412".to_string()), "{before:?}");
    let after = dup001(&["--decisions", s(&decisions)]);
    assert!(
        !after.contains(&"45102412".to_string()) && !after.contains(&"45102418".to_string()),
        "{after:?}"
    );
    assert_eq!(
        after.len(),
        before.len() - 2,
        "the other clusters are still reported"
    );

    // dedupe with the decisions: the cluster is gone from clusters.csv too.
    let again = tmp.path().join("d2");
    ok(&crmclean([
        "dedupe",
        s(&samples),
        "--out",
        s(&again),
        "--as-of",
        AS_OF,
        "--decisions",
        s(&decisions),
    ]));
    let csv = std::fs::read_to_string(again.join("clusters.csv")).unwrap();
    assert!(
        !csv.contains("45102412") && csv.contains("45102425"),
        "{csv}"
    );
}

#[test]
fn decide_names_the_file_sheet_and_cell_of_a_bad_value() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("m");
    ok(&crmclean(["migrate", s(&samples()), "--out", s(&out)]));
    let review = out.join("review.xlsx");
    let decisions = tmp.path().join("decisions.csv");
    let decide = |path: &Path| crmclean(["decide", s(path), "--into", s(&decisions)]);

    let bad = tmp.path().join("bad.xlsx");
    fill(
        &review,
        &bad,
        &[("На проверку", 2, "Решение", "может быть")],
    );
    let o = decide(&bad);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.xlsx, sheet «На проверку», cell D3: «может быть» is not one of «переместить», «оставить у партнёра»"), "{err}");

    let edited = tmp.path().join("edited.xlsx");
    fill(
        &review,
        &edited,
        &[
            ("На проверку", 1, "Решение", "оставить у партнёра"),
            ("На проверку", 1, "ID партнёра", "1"),
        ],
    );
    let err = String::from_utf8_lossy(&decide(&edited).stderr).into_owned();
    assert!(
        err.contains("edited.xlsx, sheet «На проверку», cell A2: the IDs of this row were edited"),
        "{err}"
    );

    let o = decide(&out.join("import_new_contacts.xlsx"));
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("import_new_contacts.xlsx: not a workbook crmclean wrote for decisions"),
        "{err}"
    );
    assert!(!decisions.exists(), "nothing written on an error");
}

#[test]
fn contradicting_and_stale_decisions() {
    let tmp = tempfile::tempdir().unwrap();
    let decisions = tmp.path().join("decisions.csv");
    std::fs::write(
        &decisions,
        "kind;ids;subject;value;reason;by;date\n\
         partner-own;45102462;+79213456701;;;;\n\
         client-number;45102462;8 921 345-67-01;Иванов;;;\n",
    )
    .unwrap();
    let out = tmp.path().join("m");
    let o = crmclean([
        "migrate",
        s(&samples()),
        "--out",
        s(&out),
        "--decisions",
        s(&decisions),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("decisions.csv: line 3: contradicts line 2"),
        "{err}"
    );

    std::fs::write(
        &decisions,
        "kind;ids;subject;value;reason;by;date\n\
         partner-own;99999999;+79213456701;;;;\n\
         not-duplicate;45102412 99999998;contact;;;;\n",
    )
    .unwrap();
    let o = crmclean([
        "migrate",
        s(&samples()),
        "--dry-run",
        "--decisions",
        s(&decisions),
    ]);
    ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("line 2: partner card 99999999 is no longer in the export"),
        "{err}"
    );
    assert!(
        err.contains("line 3: contact 99999998 no longer in the export"),
        "{err}"
    );
}

fn findings(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("findings.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn exceptions_in_a_managers_workbook_accept_findings() {
    let lo = soffice();
    let tmp = tempfile::tempdir().unwrap();
    let audit = |dir: &Path, extra: &[&str]| {
        let mut args = vec![
            "audit".to_string(),
            s(&samples()).to_string(),
            "--out".to_string(),
            s(dir).to_string(),
            "--as-of".to_string(),
            AS_OF.to_string(),
        ];
        args.extend(extra.iter().map(|e| e.to_string()));
        let o = crmclean(&args);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        o
    };
    let first = tmp.path().join("a1");
    audit(&first, &[]);
    let workbook = first.join("corrections/Иванова Анна.xlsx");
    let rows = sheet(&workbook, "К исправлению");
    let col = |h: &str| rows[0].iter().position(|x| x == h).unwrap();
    assert_eq!(col("Исключение"), 12);
    let (kind, id, codes) = (
        &rows[1][col("Тип")],
        &rows[1][col("ID")],
        &rows[1][col("Правила")],
    );
    let entity = match kind.as_str() {
        "контакт" => "contact",
        "сделка" => "deal",
        _ => "application",
    };
    let before: Vec<serde_json::Value> = findings(&first)
        .into_iter()
        .filter(|f| f["id"] == id.as_str() && f["entity"] == entity)
        .collect();
    let first_code = codes.split(", ").next().unwrap();
    let path = filled(
        &workbook,
        tmp.path(),
        lo,
        &[
            (
                "К исправлению",
                1,
                "Исключение",
                &format!("{first_code}: клиент против"),
            ),
            ("К исправлению", 2, "Исключение", "сезонная сделка"),
        ],
    );
    let decisions = tmp.path().join("decisions.csv");
    let index = decide(&first.join("corrections/index.xlsx"), &decisions, "x");
    assert!(
        index.contains("0 decisions added, 0 already there"),
        "{index}"
    );
    let said = decide(&path, &decisions, "Иванова Анна");
    assert!(said.contains("decisions added (accept "), "{said}");
    let text = std::fs::read_to_string(&decisions).unwrap();
    let accepted_first = before.iter().filter(|f| f["rule"] == first_code).count();
    assert!(accepted_first >= 1);
    assert!(
        text.contains(&format!("accept;{id};{first_code}/{entity}/{id}")),
        "{text}"
    );

    let second = tmp.path().join("a2");
    audit(
        &second,
        &["--decisions", s(&decisions), "--baseline", s(&first)],
    );
    // Accepted since last week is neither fixed nor gone.
    let resolved = std::fs::read_to_string(second.join("resolved.jsonl")).unwrap();
    assert_eq!(resolved, "", "{resolved}");
    let keys: Vec<String> = findings(&second)
        .iter()
        .map(|f| f["key"].as_str().unwrap().to_string())
        .collect();
    for f in &before {
        let key = f["key"].as_str().unwrap();
        assert_eq!(
            keys.contains(&key.to_string()),
            f["rule"] != first_code,
            "{key}"
        );
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(second.join("summary.json")).unwrap())
            .unwrap();
    let added = text.lines().filter(|l| l.starts_with("accept;")).count();
    assert_eq!(summary["accepted"]["total"], added);
    assert_eq!(
        summary["counts"]["total"].as_u64().unwrap() as usize + added,
        findings(&first).len()
    );

    // An expired acceptance: the finding is reported again, and said so.
    let expired = tmp.path().join("expired.csv");
    let key = before.iter().find(|f| f["rule"] == first_code).unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::write(
        &expired,
        format!("kind;ids;subject;value;reason;by;date;expires\naccept;{id};{key};;до конца месяца;;;2026-10-31\n"),
    )
    .unwrap();
    let third = tmp.path().join("a3");
    let o = audit(&third, &["--decisions", s(&expired)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!(
            "line 2: the acceptance of {key} expired on 2026-10-31"
        )),
        "{err}"
    );
    assert!(findings(&third).iter().any(|f| f["key"] == key.as_str()));
}

/// A decision written by hand with a local number («345-67-01») is about the number the run
/// reads with `--default-area`: the plan line of that number gets the decided action.
#[test]
fn a_local_number_in_a_decision_means_the_number_of_the_area() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("exports");
    std::fs::create_dir(&exports).unwrap();
    std::fs::write(
        exports.join("contacts.csv"),
        "ID;Полное имя контакта;Теги;Мобильный телефон;Рабочий телефон\n\
         501;Прорабов Пётр;прораб;+7 921 000-00-01;345-67-01\n",
    )
    .unwrap();
    let decisions = tmp.path().join("decisions.csv");
    std::fs::write(
        &decisions,
        "kind;ids;subject;value;reason;by;date\n\
         partner-own;501;345-67-01;;его рабочий;Смирнова Ольга;2026-11-23\n",
    )
    .unwrap();
    let out = tmp.path().join("m");
    ok(&crmclean([
        "migrate",
        s(&exports),
        "--out",
        s(&out),
        "--default-area",
        "812",
        "--decisions",
        s(&decisions),
    ]));
    let plan = plan(&out);
    let decided = line(&plan, "501", "+78123456701");
    assert_eq!(decided["action"], "keep", "{decided}");
}
