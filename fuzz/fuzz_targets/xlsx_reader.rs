//! The XLSX reader: the guard of declared sizes, calamine and the sheet streaming behind it.
//! Random bytes are rarely a ZIP, so most inputs are assembled into one: the first byte picks
//! what the fuzzer writes — the raw file, or the XML of the sheet, the shared strings, the
//! workbook or the styles of an otherwise valid workbook (parts separated by 0xFF) — and the
//! archive may declare a wrong uncompressed size for a part.
#![no_main]

mod load;

use std::io::{Cursor, Write};

use libfuzzer_sys::fuzz_target;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Контакты" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;
const SHEET: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C2"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row><row r="2"><c r="A2"><v>201</v></c><c r="B2" t="inlineStr"><is><t>Соколова Мария</t></is></c><c r="C2"><v>79213451872</v></c></row></sheetData></worksheet>"#;
const STRINGS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>ID</t></si><si><t>Полное имя контакта</t></si><si><t>Мобильный телефон</t></si></sst>"#;
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd.mm.yyyy"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>"#;

/// The parts of the workbook, by name, in archive order.
const PARTS: [&str; 6] = [
    "[Content_Types].xml",
    "_rels/.rels",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
];

fn workbook(mode: u8, data: &[u8]) -> Vec<u8> {
    let mut pieces = data.split(|&b| b == 0xFF);
    let mut fuzzed = |default: &str, on: bool| -> Vec<u8> {
        match (on, pieces.next()) {
            (true, Some(piece)) => piece.to_vec(),
            _ => default.as_bytes().to_vec(),
        }
    };
    let parts: [(&str, Vec<u8>); 7] = [
        (PARTS[0], CONTENT_TYPES.as_bytes().to_vec()),
        (PARTS[1], RELS.as_bytes().to_vec()),
        (PARTS[2], fuzzed(WORKBOOK, mode & 4 != 0)),
        (PARTS[3], WORKBOOK_RELS.as_bytes().to_vec()),
        (PARTS[4], fuzzed(SHEET, mode & 1 != 0)),
        (PARTS[5], fuzzed(STRINGS, mode & 2 != 0)),
        ("xl/styles.xml", fuzzed(STYLES, mode & 8 != 0)),
    ];
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let method = if mode & 16 != 0 {
        CompressionMethod::Deflated
    } else {
        CompressionMethod::Stored
    };
    for (name, bytes) in parts {
        let options = SimpleFileOptions::default().compression_method(method);
        zip.start_file(name, options).expect("start part");
        zip.write_all(&bytes).expect("write part");
    }
    let mut bytes = zip.finish().expect("finish").into_inner();
    if mode & 32 != 0 {
        lie_about_size(&mut bytes, data.first().copied().unwrap_or(0));
    }
    bytes
}

/// Overwrites the declared uncompressed size of one part in the central directory.
fn lie_about_size(bytes: &mut [u8], seed: u8) {
    let target = PARTS[usize::from(seed) % PARTS.len()].as_bytes();
    let mut at = 0;
    while let Some(found) = bytes[at..].windows(4).position(|w| w == b"PK\x01\x02") {
        let h = at + found;
        let len = usize::from(u16::from_le_bytes([bytes[h + 28], bytes[h + 29]]));
        if bytes.get(h + 46..h + 46 + len) == Some(target) {
            let size = u32::from(seed).wrapping_mul(0x0101_0101) | 0x8000_0000;
            bytes[h + 24..h + 28].copy_from_slice(&size.to_le_bytes());
        }
        at = h + 4;
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let file = if mode & 0xC0 == 0xC0 {
        rest.to_vec() // the raw bytes as the file
    } else {
        workbook(mode, rest)
    };
    load::load_checked(&file, "xlsx");
});
