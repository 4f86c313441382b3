//! General path. Russian-zone shapes (`+7…`, `8…`/`7…` with 11 digits, 10-digit national,
//! 7-digit local) are split into a national number here and validated against the `phonenumber`
//! crate's metadata; everything else (other countries, IDD `810…`, odd punctuation) is parsed by
//! the crate itself.
//!
//! Why not `phonenumber::parse` for the Russian zone: in 0.3.10 it strips a leading `8` of the
//! *national* number as if it were the trunk prefix, so every 8xx area (812 St Petersburg,
//! 813, 800 toll-free…) comes out one digit short and invalid, in any notation, `+7 812…`
//! included. Its validator is right once given the right national number.

use super::{PhoneOptions, PhoneProblem};
use phonenumber::metadata::{Metadata, DATABASE};
use phonenumber::{country, Mode, ParseError, Type};

/// Russian national numbers have 10 digits.
const NATIONAL_LEN: usize = 10;
/// E.164: at most 15 digits, country code included.
const E164_MAX_DIGITS: usize = 15;

/// E.164 form of a prepared body, or why there is none.
pub(super) fn classify(body: &str, opts: &PhoneOptions) -> Result<String, PhoneProblem> {
    if body.chars().any(char::is_alphabetic) {
        return Err(PhoneProblem::Letters);
    }
    let shape = Shape::of(body);
    let digits = shape.digits.as_str();
    if !shape.clean {
        return by_crate(body, &shape);
    }
    if shape.plus {
        return match digits.strip_prefix('7') {
            Some(national) => russian_zone(national),
            None => by_crate(body, &shape),
        };
    }
    match digits.len() {
        7 => match opts.default_area.as_deref().map(ascii_digits) {
            Some(area) if !area.is_empty() => russian_zone(&(area + digits)),
            _ => Err(PhoneProblem::NoAreaCode),
        },
        10 => russian_zone(digits),
        11 if digits.starts_with(['7', '8']) => russian_zone(&digits[1..]),
        _ => by_crate(body, &shape),
    }
}

/// The digits of a body and whether it is a plain number: separators only, a `+` (if any)
/// before the first digit.
struct Shape {
    digits: String,
    plus: bool,
    clean: bool,
}

impl Shape {
    fn of(body: &str) -> Shape {
        let mut shape = Shape {
            digits: String::with_capacity(body.len()),
            plus: false,
            clean: true,
        };
        for c in body.chars() {
            match c {
                '0'..='9' => shape.digits.push(c),
                '+' if shape.digits.is_empty() => shape.plus = true,
                ' ' | '\u{a0}' | '\t' | '(' | ')' | '[' | ']' | '.' | '/' | '-' => {}
                '\u{2010}'..='\u{2015}' | '\u{2212}' => {}
                _ => shape.clean = false,
            }
        }
        shape
    }
}

fn ascii_digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Validates a national number of country code 7 (Russia or Kazakhstan).
fn russian_zone(national: &str) -> Result<String, PhoneProblem> {
    match national.len() {
        n if n < NATIONAL_LEN => Err(PhoneProblem::TooShort),
        n if n > NATIONAL_LEN => Err(PhoneProblem::TooLong),
        _ if is_valid_for_code_7(national) => Ok(format!("+7{national}")),
        _ => Err(PhoneProblem::Invalid),
    }
}

/// `phonenumber::is_valid` for country code 7, through the crate's public metadata: the region
/// is the first whose leading digits match (RU `[3489]`, KZ `33|7`), then the number must
/// match the general pattern and some number type.
fn is_valid_for_code_7(national: &str) -> bool {
    let Some(regions) = DATABASE.region(&7u16) else {
        return false;
    };
    let region = regions
        .into_iter()
        .filter_map(|id| DATABASE.by_id(id))
        .find(|meta| match meta.leading_digits() {
            Some(pattern) => pattern.find(national).is_some_and(|m| m.start() == 0),
            None => has_number_type(meta, national),
        });
    region.is_some_and(|meta| has_number_type(meta, national))
}

/// The crate's `number_type(meta, national) != Type::Unknown`.
fn has_number_type(meta: &Metadata, national: &str) -> bool {
    const TYPES: [Type; 10] = [
        Type::PremiumRate,
        Type::TollFree,
        Type::SharedCost,
        Type::Voip,
        Type::PersonalNumber,
        Type::Pager,
        Type::Uan,
        Type::Voicemail,
        Type::FixedLine,
        Type::Mobile,
    ];
    let descriptors = meta.descriptors();
    descriptors.general().is_match(national)
        && TYPES
            .iter()
            .any(|&kind| descriptors.get(kind).is_some_and(|d| d.is_match(national)))
}

/// Everything outside the Russian-zone shapes: `phonenumber::parse` with default region RU.
///
/// E.164 caps a number at [`E164_MAX_DIGITS`] digits, country code included; the crate's
/// metadata does not (German national numbers may have up to 15 digits of their own, and a
/// leading digit it takes for a trunk prefix is dropped silently), so both the number as
/// written after `+` and the result are held to that cap.
fn by_crate(body: &str, shape: &Shape) -> Result<String, PhoneProblem> {
    if shape.plus && shape.digits.len() > E164_MAX_DIGITS {
        return Err(PhoneProblem::TooLong);
    }
    match phonenumber::parse(Some(country::RU), body) {
        Ok(number) if number.is_valid() => {
            let e164 = number.format().mode(Mode::E164).to_string();
            if e164.bytes().filter(u8::is_ascii_digit).count() > E164_MAX_DIGITS {
                Err(PhoneProblem::TooLong)
            } else {
                Ok(e164)
            }
        }
        Err(ParseError::TooLong) => Err(PhoneProblem::TooLong),
        Err(ParseError::TooShortNsn | ParseError::TooShortAfterIdd) => Err(PhoneProblem::TooShort),
        _ => {
            // E.164 allows 8–15 digits with a country code; a national number has 10 (+ trunk 8).
            let (min, max) = if shape.plus {
                (8, E164_MAX_DIGITS)
            } else {
                (10, 11)
            };
            match shape.digits.len() {
                n if n < min => Err(PhoneProblem::TooShort),
                n if n > max => Err(PhoneProblem::TooLong),
                _ => Err(PhoneProblem::Invalid),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The crate's own parser + validator on a +7 number whose national part does not start
    /// with 8 (where its parser is correct).
    fn crate_says_valid(national: &str) -> bool {
        phonenumber::parse(None, format!("+7{national}")).is_ok_and(|n| n.is_valid())
    }

    #[test]
    fn metadata_validation_matches_crate_where_the_crate_parses_correctly() {
        for national in [
            "9211234567",
            "4951234567",
            "3012345678",
            "7012345678",
            "7172123456",
            "3361234567",
            "5551234567",
            "6001234567",
            "2001234567",
            "0001234567",
            "1234567890",
        ] {
            assert_eq!(
                is_valid_for_code_7(national),
                crate_says_valid(national),
                "{national}"
            );
        }
    }

    #[test]
    fn the_crate_mangles_8xx_numbers() {
        // Documents why the Russian zone is not given to `phonenumber::parse`.
        let parsed = phonenumber::parse(None, "+7 812 555-12-34").unwrap();
        assert_eq!(parsed.national().value(), 125_551_234);
        assert!(!parsed.is_valid());
        assert!(is_valid_for_code_7("8125551234"));
        assert!(is_valid_for_code_7("8005553535"));
        assert!(is_valid_for_code_7("8131234567"));
    }
}
