//! Allocation-free recogniser for the common Russian forms. It only answers when the result is
//! certainly valid (RU metadata: mobile `9\d{9}`, St Petersburg fixed line `812\d{7}`); anything
//! else returns `None` and goes to the reference path.

use compact_str::CompactString;

use super::PhoneOptions;

/// The E.164 form of `body` if it is a valid mobile or 812 number in a common shape: digits
/// separated by spaces, `()`, `-` or `.`, optionally one leading `+`.
pub(super) fn national(body: &str, opts: &PhoneOptions) -> Option<CompactString> {
    let mut digits = [0u8; 11];
    let mut count = 0;
    let mut plus = false;
    for b in body.bytes() {
        match b {
            b'0'..=b'9' => {
                *digits.get_mut(count)? = b;
                count += 1;
            }
            b'+' if !plus && count == 0 => plus = true,
            b' ' | b'(' | b')' | b'-' | b'.' => {}
            _ => return None,
        }
    }
    let mut national = [0u8; 10];
    match (plus, count, digits[0]) {
        (true, 11, b'7') | (false, 11, b'7' | b'8') => national.copy_from_slice(&digits[1..]),
        (false, 10, _) => national.copy_from_slice(&digits[..10]),
        (false, 7, _) => {
            let area = opts.default_area.as_deref()?.as_bytes();
            if area.len() != 3 || !area.iter().all(u8::is_ascii_digit) {
                return None;
            }
            national[..3].copy_from_slice(area);
            national[3..].copy_from_slice(&digits[..7]);
        }
        _ => return None,
    }
    if national[0] != b'9' && !national.starts_with(b"812") {
        return None;
    }
    let mut e164 = CompactString::const_new("+7");
    e164.extend(national.iter().map(|&b| char::from(b)));
    Some(e164)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast(s: &str) -> Option<String> {
        national(s, &PhoneOptions::default()).map(String::from)
    }

    #[test]
    fn common_shapes() {
        for s in [
            "89211234567",
            "79211234567",
            "+79211234567",
            "9211234567",
            "+7 (921) 123-45-67",
            "8-921-123-45-67",
            "8.921.123.45.67",
            "(+7) 921 1234567",
        ] {
            assert_eq!(fast(s).as_deref(), Some("+79211234567"), "{s:?}");
        }
        assert_eq!(fast("8 (812) 555-12-34").as_deref(), Some("+78125551234"));
        let spb = PhoneOptions {
            default_area: Some("812".into()),
        };
        assert_eq!(national("555-12-34", &spb).as_deref(), Some("+78125551234"));
    }

    #[test]
    fn declines_everything_else() {
        for s in [
            "84951234567",
            "+77012345678",
            "+375291234567",
            "555-12-34",
            "+89211234567",
            "8921+1234567",
            "++79211234567",
            "892112345678",
            "8921123456",
            "89211234567 x",
            "",
        ] {
            assert_eq!(fast(s), None, "{s:?}");
        }
    }
}
