//! Checks the sizes an XLSX archive *declares* before calamine sees it. A workbook is a ZIP of
//! XML parts, and several of its numbers are promises that a reader may allocate from: calamine
//! reserves room for as many shared strings as `xl/sharedStrings.xml` says it holds
//! (`uniqueCount="4000000000"` in a 300-byte part asks for ~96 GB and aborts the process).
//!
//! Guarded here, from the central directory and the head of each part (nothing is decompressed
//! beyond the first [`HEAD`] bytes of a part, so a big workbook costs next to nothing):
//! - each part's declared uncompressed size against its real compressed size (a stored part is
//!   as long as it says; deflate cannot expand more than ~1032:1): a lie is an error;
//! - the shared strings' `count` and `uniqueCount` against what the part (and the sheets
//!   referring to it) can hold: an absurd one is dropped from a copy of the archive that is read
//!   instead (both are optional in Office Open XML), with a warning, and nothing is lost;
//! - each worksheet's `<dimension ref>` against Excel's 1,048,576 rows × 16,384 columns: nothing
//!   is allocated from it (sheets are streamed cell by cell), so a warning only.
//!
//! Row and cell references past Excel's limits are refused as the cells stream (see
//! [`beyond_limits`]), since the reader places rows by them.

use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek, Write};
use std::path::Path;

use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::ReadProblem;

/// Excel's largest sheet.
pub(super) const MAX_ROWS: u64 = 1_048_576;
pub(super) const MAX_COLUMNS: u64 = 16_384;

/// Deflate's largest expansion (258 bytes from about 2 bits) with room for headers.
const DEFLATE_MAX_RATIO: u64 = 1032;
const DEFLATE_SLACK: u64 = 4096;

/// Bytes of a part read to find its root element's attributes.
const HEAD: u64 = 64 * 1024;

/// The smallest shared string (`<si/>`) and the smallest cell referring to one
/// (`<c t="s"><v>0</v></c>`).
const MIN_SHARED_STRING: u64 = 5;
const MIN_SHARED_CELL: u64 = 20;

/// What the guard found: warnings for the file, and the archive to read instead of the file
/// when a declaration had to be dropped.
#[derive(Debug, Default)]
pub(super) struct Guarded {
    pub problems: Vec<ReadProblem>,
    pub patched: Option<Vec<u8>>,
}

/// Checks the archive at `path`; an error says which part declares what. A file that is not a
/// readable ZIP passes untouched (calamine then says what is wrong with it).
pub(super) fn check(path: &Path) -> Result<Guarded, String> {
    let Ok(file) = File::open(path) else {
        return Ok(Guarded::default());
    };
    let Ok(mut zip) = ZipArchive::new(BufReader::new(file)) else {
        return Ok(Guarded::default());
    };
    let parts = parts(&mut zip)?;
    let mut guarded = Guarded::default();
    let sheet_bytes: u64 = parts
        .iter()
        .filter(|p| is_worksheet(&p.name))
        .map(|p| p.size)
        .sum();
    for part in &parts {
        if is_worksheet(&part.name) {
            let head = head(&mut zip, part.index);
            if let Some(problem) = dimension(&part.name, &head) {
                guarded.problems.push(problem);
            }
        } else if is_shared_strings(&part.name) {
            let head = head(&mut zip, part.index);
            let absurd = shared_string_counts(&head, part.size, sheet_bytes);
            if !absurd.is_empty() {
                let problem = ReadProblem {
                    row: None,
                    column: None,
                    message: format!(
                        "{} ({} bytes) declares {}: impossible, ignored (a damaged workbook; every string is read)",
                        part.name,
                        part.size,
                        absurd.join(" and ")
                    ),
                };
                guarded.problems.push(problem);
                guarded.patched = Some(
                    without_counts(&mut zip, part.index)
                        .map_err(|e| format!("{}: cannot be read: {e}", part.name))?,
                );
            }
        }
    }
    Ok(guarded)
}

/// A part as the central directory describes it.
struct Part {
    index: usize,
    name: String,
    size: u64,
}

/// Every part, each declared size checked against the bytes it is stored in.
fn parts<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Result<Vec<Part>, String> {
    let mut parts = Vec::with_capacity(zip.len());
    for index in 0..zip.len() {
        let Ok(file) = zip.by_index_raw(index) else {
            continue; // calamine reports a part it cannot open
        };
        let name = file.name().map(|n| n.into_owned()).unwrap_or_default();
        let (size, stored) = (file.size(), file.compressed_size());
        let possible = match file.compression() {
            CompressionMethod::Stored => size == stored,
            _ => size <= stored.saturating_mul(DEFLATE_MAX_RATIO) + DEFLATE_SLACK,
        };
        if !possible {
            return Err(format!(
                "part «{name}» declares {size} bytes uncompressed, stored in {stored} bytes: impossible (a damaged or hostile workbook); open it in Excel and save it again"
            ));
        }
        parts.push(Part { index, name, size });
    }
    Ok(parts)
}

fn is_worksheet(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("worksheets/") && !name.contains("_rels/") && name.ends_with(".xml")
}

fn is_shared_strings(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with("sharedstrings.xml")
}

/// The first [`HEAD`] bytes of a part, decompressed (empty when it cannot be read: calamine
/// then reports it).
fn head<R: Read + Seek>(zip: &mut ZipArchive<R>, index: usize) -> Vec<u8> {
    let mut head = Vec::new();
    if let Ok(file) = zip.by_index(index) {
        let _ = file.take(HEAD).read_to_end(&mut head);
    }
    head
}

/// The attributes of the first start tag named `local` (any namespace prefix) in `xml`.
fn start_tag<'x>(xml: &'x [u8], local: &str) -> Option<&'x [u8]> {
    let mut at = 0;
    while let Some(lt) = xml[at..].iter().position(|&b| b == b'<') {
        let tag = &xml[at + lt + 1..];
        let end = tag.iter().position(|&b| b == b'>')?;
        let tag = &tag[..end];
        let name_end = tag
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .unwrap_or(tag.len());
        let name = &tag[..name_end];
        let bare = name.rsplit(|&b| b == b':').next().unwrap_or(name);
        if bare == local.as_bytes() {
            return Some(&tag[name_end..]);
        }
        at += lt + 1 + end;
    }
    None
}

/// An attribute's value in a start tag's attributes.
fn attribute<'x>(attrs: &'x [u8], name: &str) -> Option<&'x str> {
    let text = std::str::from_utf8(attrs).ok()?;
    let mut rest = text;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + name.len()..].trim_start();
        rest = &rest[at + name.len()..];
        if before.is_some_and(|c| !c.is_ascii_whitespace()) {
            continue;
        }
        let Some(value) = after.strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next()?;
        if quote != '"' && quote != '\'' {
            return None;
        }
        let value = &value[1..];
        return value.find(quote).map(|end| &value[..end]);
    }
    None
}

/// The shared strings' declared counts that cannot be true, as `name=value` texts.
fn shared_string_counts(head: &[u8], size: u64, sheet_bytes: u64) -> Vec<String> {
    let Some(attrs) = start_tag(head, "sst") else {
        return Vec::new();
    };
    let limits = [
        ("uniqueCount", size / MIN_SHARED_STRING),
        ("count", sheet_bytes / MIN_SHARED_CELL),
    ];
    limits
        .into_iter()
        .filter_map(|(name, limit)| {
            let value = attribute(attrs, name)?;
            let absurd = value.trim().parse::<u64>().map_or(true, |n| n > limit);
            absurd.then(|| format!("{name}=\"{value}\""))
        })
        .collect()
}

/// A worksheet's `<dimension ref>` beyond Excel's limits, as a warning.
fn dimension(part: &str, head: &[u8]) -> Option<ReadProblem> {
    let attrs = start_tag(head, "dimension")?;
    let reference = attribute(attrs, "ref")?;
    let beyond = reference
        .split(':')
        .any(|cell| cell_reference(cell).is_none_or(|(r, c)| beyond_limits(r, c)));
    beyond.then(|| ReadProblem {
        row: None,
        column: None,
        message: format!(
            "{part} declares its size as «{reference}», beyond Excel's {MAX_ROWS} rows × {MAX_COLUMNS} columns: ignored (the cells are read as they are)"
        ),
    })
}

/// A cell reference (`XFD1048576`) as its 1-based row and column, saturating.
fn cell_reference(cell: &str) -> Option<(u64, u64)> {
    let cell = cell.trim().replace('$', "");
    let letters = cell.bytes().take_while(u8::is_ascii_alphabetic).count();
    let (column, row) = cell.split_at(letters);
    if column.is_empty() || row.is_empty() || !row.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let column = column.bytes().fold(0u64, |n, b| {
        n.saturating_mul(26)
            .saturating_add(u64::from(b.to_ascii_uppercase() - b'A' + 1))
    });
    let row = row.bytes().fold(0u64, |n, b| {
        n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    });
    Some((row, column))
}

/// A 1-based row and column past Excel's largest sheet.
pub(super) fn beyond_limits(row: u64, column: u64) -> bool {
    row > MAX_ROWS || column > MAX_COLUMNS || row == 0 || column == 0
}

/// The archive again, the shared strings part `index` without its `count` and `uniqueCount`
/// attributes; every other part copied as it is stored.
fn without_counts<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    index: usize,
) -> zip::result::ZipResult<Vec<u8>> {
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        if i != index {
            out.raw_copy_file(zip.by_index_raw(i)?)?;
            continue;
        }
        let mut part = zip.by_index(i)?;
        let name = part.name()?.into_owned();
        let mut xml = Vec::new();
        part.read_to_end(&mut xml)?;
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated);
        out.start_file(name, options)?;
        out.write_all(&drop_counts(&xml))?;
    }
    Ok(out.finish()?.into_inner())
}

/// The XML with the `<sst>` start tag's `count` and `uniqueCount` attributes removed.
fn drop_counts(xml: &[u8]) -> Vec<u8> {
    let Some(attrs) = start_tag(xml, "sst") else {
        return xml.to_vec();
    };
    let from = attrs.as_ptr() as usize - xml.as_ptr() as usize;
    let mut tag = String::from_utf8_lossy(attrs).into_owned();
    for name in ["uniqueCount", "count"] {
        if let Some(value) = attribute(tag.as_bytes(), name) {
            let whole = format!("{name}=\"{value}\"");
            let single = format!("{name}='{value}'");
            tag = tag.replacen(&whole, "", 1).replacen(&single, "", 1);
        }
    }
    let mut out = xml[..from].to_vec();
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&xml[from + attrs.len()..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_attributes_of_a_prefixed_root() {
        let xml = br#"<?xml version="1.0"?><x:sst xmlns:x="urn" count="7" uniqueCount='3'><x:si/>"#;
        let attrs = start_tag(xml, "sst").unwrap();
        assert_eq!(attribute(attrs, "count"), Some("7"));
        assert_eq!(attribute(attrs, "uniqueCount"), Some("3"));
        assert_eq!(attribute(attrs, "Count"), None);
        let dropped = drop_counts(xml);
        let attrs = start_tag(&dropped, "sst").unwrap();
        assert_eq!(attribute(attrs, "count"), None);
        assert_eq!(attribute(attrs, "uniqueCount"), None);
        assert!(dropped.ends_with(b"<x:si/>"));
    }

    #[test]
    fn cell_references_saturate() {
        assert_eq!(cell_reference("XFD1048576"), Some((1_048_576, 16_384)));
        assert_eq!(cell_reference("$A$1"), Some((1, 1)));
        assert!(beyond_limits(
            cell_reference("A99999999999999999999999").unwrap().0,
            1
        ));
        assert_eq!(cell_reference("A"), None);
        assert!(!beyond_limits(1_048_576, 16_384));
        assert!(beyond_limits(1_048_577, 1));
        assert!(beyond_limits(1, 16_385));
    }

    #[test]
    fn counts_are_judged_against_the_part_and_the_sheets() {
        let head = br#"<sst count="12" uniqueCount="3">"#;
        assert!(shared_string_counts(head, 300, 10_000).is_empty());
        let head = br#"<sst count="4000000000" uniqueCount="4000000000">"#;
        assert_eq!(
            shared_string_counts(head, 300, 10_000),
            ["uniqueCount=\"4000000000\"", "count=\"4000000000\""]
        );
        let head = br#"<sst uniqueCount="-1">"#;
        assert_eq!(shared_string_counts(head, 300, 0), ["uniqueCount=\"-1\""]);
    }
}
