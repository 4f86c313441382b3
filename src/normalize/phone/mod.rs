//! Phones → E.164 (spec §3), default region RU.
//!
//! Both paths share `prepare` (placeholders, Excel damage, extensions). The fast path then
//! handles the common Russian shapes — mobiles `9XXXXXXXXX` and St Petersburg `812XXXXXXX` — and
//! hands everything else to [`normalize_phone_reference`], so the two always agree.

mod fast;
mod prepare;
mod reference;
#[cfg(test)]
mod tests;

use compact_str::CompactString;
use prepare::{prepare, Prepared};

/// Options of phone normalisation.
#[derive(Debug, Clone, Default)]
pub struct PhoneOptions {
    /// Area code (e.g. `"812"`) prefixed to 7-digit local numbers; `None` flags them instead.
    pub default_area: Option<String>,
}

/// Why a phone piece has no valid E.164 form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneProblem {
    /// «нет», «-», «—», «н/д», «0», «не указан», empty.
    Placeholder,
    /// A 7-digit local number and no default area code.
    NoAreaCode,
    TooShort,
    TooLong,
    /// Letters beyond an extension marker («звонить после 18»).
    Letters,
    /// Plausible length but not a valid number per the libphonenumber metadata.
    Invalid,
}

/// One phone piece, normalised. Its texts are short, so they live inline (no allocation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedPhone {
    /// The piece as written, trimmed.
    pub raw: CompactString,
    /// `+79211234567` when valid.
    pub e164: Option<CompactString>,
    /// `335` for «доб. 335» (rare, so boxed: the field costs 16 bytes instead of 24).
    pub extension: Option<Box<str>>,
    pub problem: Option<PhoneProblem>,
}

impl NormalizedPhone {
    /// True when the piece has an E.164 form.
    pub fn is_valid(&self) -> bool {
        self.e164.is_some()
    }

    fn new(p: &Prepared<'_>, outcome: Result<CompactString, PhoneProblem>) -> Self {
        let (e164, problem) = match outcome {
            Ok(e164) => (Some(e164), None),
            Err(problem) => (None, Some(problem)),
        };
        NormalizedPhone {
            raw: p.raw.into(),
            e164,
            extension: p.extension.map(Box::from),
            problem,
        }
    }

    fn placeholder(raw: &str) -> Self {
        NormalizedPhone {
            raw: raw.trim().into(),
            e164: None,
            extension: None,
            problem: Some(PhoneProblem::Placeholder),
        }
    }
}

/// Splits a cell with several phones on `,`, `;` and newlines; trims; drops empty pieces.
/// A piece that is only an extension (`…-34, доб. 12`) stays with the number before it.
pub fn split_phone_cell(cell: &str) -> Vec<&str> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for (i, c) in cell
        .char_indices()
        .chain(std::iter::once((cell.len(), ',')))
    {
        if !matches!(c, ',' | ';' | '\n' | '\r') {
            continue;
        }
        let piece = &cell[start..i];
        let lead = piece.len() - piece.trim_start().len();
        let (from, to) = (start + lead, start + piece.trim_end().len());
        start = i + c.len_utf8();
        if from >= to {
            continue;
        }
        match ranges.last_mut() {
            Some(last) if prepare::is_bare_extension(&cell[from..to]) => last.1 = to,
            _ => ranges.push((from, to)),
        }
    }
    ranges
        .into_iter()
        .map(|(from, to)| &cell[from..to])
        .collect()
}

/// Normalises one phone piece: fast path for common Russian forms, reference path otherwise.
pub fn normalize_phone(raw: &str, opts: &PhoneOptions) -> NormalizedPhone {
    let Some(p) = prepare(raw) else {
        return NormalizedPhone::placeholder(raw);
    };
    match fast::national(p.body, opts) {
        Some(e164) => NormalizedPhone::new(&p, Ok(e164)),
        None => NormalizedPhone::new(&p, reference::classify(p.body, opts).map(Into::into)),
    }
}

/// Normalises one phone piece through the general path only (validity from the
/// `phonenumber` crate's metadata); [`normalize_phone`] must agree with it on every input.
pub fn normalize_phone_reference(raw: &str, opts: &PhoneOptions) -> NormalizedPhone {
    let Some(p) = prepare(raw) else {
        return NormalizedPhone::placeholder(raw);
    };
    NormalizedPhone::new(&p, reference::classify(p.body, opts).map(Into::into))
}

/// The E.164 form of `raw` with default options, for matching phones across records.
pub fn digits_key(raw: &str) -> Option<String> {
    normalize_phone(raw, &PhoneOptions::default())
        .e164
        .map(String::from)
}
