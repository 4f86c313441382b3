//! Dates as they appear in exports: `dd.mm.yyyy[ HH:MM[:SS]]`, `dd-mm-yyyy`, `dd/mm/yyyy`,
//! `dd.mm.yy`, ISO `yyyy-mm-dd[ HH:MM[:SS]]` / `…T…`, Excel serials; birthday plausibility.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};

/// A day as amoCRM shows it: `12.03.2026` (chrono's `format` reads its pattern on every call,
/// and a big export shows millions of dates).
pub fn show_date(d: NaiveDate) -> String {
    if !(0..=9999).contains(&d.year()) {
        return d.format("%d.%m.%Y").to_string();
    }
    format!("{:02}.{:02}.{:04}", d.day(), d.month(), d.year())
}

/// A moment to the minute: `12.03.2026 14:05`.
pub fn show_minute(t: NaiveDateTime) -> String {
    format!("{} {:02}:{:02}", show_date(t.date()), t.hour(), t.minute())
}

/// A moment to the second: `12.03.2026 14:05:09`.
pub fn show_second(t: NaiveDateTime) -> String {
    format!(
        "{} {:02}:{:02}:{:02}",
        show_date(t.date()),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses a date with an optional time; a date alone gives 00:00:00. Impossible dates
/// (`31.02.2026`) give `None`.
pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    match parse_usual(s.as_bytes()) {
        Some(read) => read,
        None => parse_any(s),
    }
}

/// `DD.MM.YYYY`, `DD.MM.YYYY HH:MM` or `DD.MM.YYYY HH:MM:SS`, the way exports write nearly
/// every date, read by position (a big export has millions). `None` for any other shape:
/// [`parse_any`] decides those.
fn parse_usual(s: &[u8]) -> Option<Option<NaiveDateTime>> {
    let digits = |from: usize, to: usize| -> Option<u32> {
        s[from..to].iter().try_fold(0, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    if !matches!(s.len(), 10 | 16 | 19) || s[2] != b'.' || s[5] != b'.' {
        return None;
    }
    let (day, month, year) = (digits(0, 2)?, digits(3, 5)?, digits(6, 10)?);
    let (hour, minute, second) = match s.len() {
        10 => (0, 0, 0),
        _ if s[10] != b' ' || s[13] != b':' => return None,
        16 => (digits(11, 13)?, digits(14, 16)?, 0),
        _ if s[16] != b':' => return None,
        _ => (digits(11, 13)?, digits(14, 16)?, digits(17, 19)?),
    };
    Some(
        NaiveDate::from_ymd_opt(year as i32, month, day)
            .and_then(|d| d.and_hms_opt(hour, minute, second)),
    )
}

/// [`parse_datetime`] of any shape it accepts.
fn parse_any(s: &str) -> Option<NaiveDateTime> {
    let split = s.find([' ', 'T', ',']).unwrap_or(s.len());
    let date = parse_date_part(&s[..split])?;
    let rest = s[split..].trim_start_matches([' ', 'T', ',']);
    if rest.is_empty() {
        return date.and_hms_opt(0, 0, 0);
    }
    Some(date.and_time(parse_time(rest)?))
}

/// [`parse_datetime`] without the time of day.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    parse_datetime(s).map(|dt| dt.date())
}

/// Excel 1900 date system (serial 1 = 1900-01-01, with Excel's fictitious 1900-02-29 = 60,
/// which gives `None`). The fraction is the time of day, rounded to the second.
pub fn excel_serial_to_datetime(serial: f64) -> Option<NaiveDateTime> {
    if !serial.is_finite()
        || !(1.0..2_958_466.0).contains(&serial)
        || (60.0..61.0).contains(&serial)
    {
        return None;
    }
    let days = serial.floor();
    let base = if days < 60.0 {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    let seconds = ((serial - days) * 86_400.0).round() as i64;
    let midnight = base
        .checked_add_signed(TimeDelta::days(days as i64))?
        .and_hms_opt(0, 0, 0)?;
    midnight.checked_add_signed(TimeDelta::seconds(seconds))
}

/// A date (with an optional time) opening a note: `"12.03.2026 14:05 Иванова: …"`.
pub fn leading_datetime(s: &str) -> Option<NaiveDateTime> {
    let mut words = s.split_whitespace().map(trim_trailing_punct);
    let first = words.next()?;
    let dt = parse_datetime(first)?;
    if first.contains('T') {
        return Some(dt);
    }
    Some(match words.next().and_then(parse_time) {
        Some(time) => dt.date().and_time(time),
        None => dt,
    })
}

/// Outcome of checking a birthday cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Birthday {
    Missing,
    /// The placeholder date (`01.01.1970`, amoCRM's stand-in for a bad birthday); counts as
    /// missing.
    Placeholder,
    Unparseable,
    Future,
    /// Before the earliest plausible year (1900).
    BeforeMinYear,
    Valid(NaiveDate),
}

/// What makes a birthday implausible (`contact.placeholder_birthday`, `contact.min_birth_year`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BirthdayRules {
    pub placeholder: Option<NaiveDate>,
    pub min_year: i32,
}

impl Default for BirthdayRules {
    fn default() -> Self {
        BirthdayRules {
            placeholder: NaiveDate::from_ymd_opt(1970, 1, 1),
            min_year: 1900,
        }
    }
}

/// Classifies a birthday cell relative to `today`.
pub fn check_birthday(raw: &str, today: NaiveDate, rules: &BirthdayRules) -> Birthday {
    if raw.trim().is_empty() {
        return Birthday::Missing;
    }
    match parse_date(raw) {
        None => Birthday::Unparseable,
        Some(d) if Some(d) == rules.placeholder => Birthday::Placeholder,
        Some(d) if d > today => Birthday::Future,
        Some(d) if d.year() < rules.min_year => Birthday::BeforeMinYear,
        Some(d) => Birthday::Valid(d),
    }
}

fn trim_trailing_punct(s: &str) -> &str {
    s.trim_end_matches([',', ';', ':', '-', '—'])
}

/// `dd.mm.yyyy`, `dd-mm-yyyy`, `dd/mm/yyyy`, `dd.mm.yy`, `yyyy-mm-dd` (same separator twice).
fn parse_date_part(s: &str) -> Option<NaiveDate> {
    let sep = s.chars().find(|c| matches!(c, '.' | '-' | '/'))?;
    let mut parts = s.split(sep);
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (year, month, day) = if a.len() == 4 {
        (number(a, 4, 4)?, number(b, 1, 2)?, number(c, 1, 2)?)
    } else {
        let year = match c.len() {
            2 => expand_two_digit_year(number(c, 2, 2)?),
            _ => number(c, 4, 4)?,
        };
        (year, number(b, 1, 2)?, number(a, 1, 2)?)
    };
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

/// `00–69` → 2000s, `70–99` → 1900s.
fn expand_two_digit_year(yy: u32) -> u32 {
    if yy < 70 {
        2000 + yy
    } else {
        1900 + yy
    }
}

/// `HH:MM[:SS[.fff]][Z]`.
fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.strip_suffix('Z').unwrap_or(s);
    let mut parts = s.split(':');
    let hour = number(parts.next()?, 1, 2)?;
    let minute = number(parts.next()?, 2, 2)?;
    let second = match parts.next() {
        Some(sec) => {
            let (whole, fraction) = sec.split_once('.').unwrap_or((sec, "0"));
            if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            number(whole, 2, 2)?
        }
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    NaiveTime::from_hms_opt(hour, minute, second)
}

/// An ASCII-digit number with `min..=max` digits.
fn number(s: &str, min: usize, max: usize) -> Option<u32> {
    if !(min..=max).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, s)
            .unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn parses_every_export_format() {
        let cases = [
            ("12.03.2026", dt(2026, 3, 12, 0, 0, 0)),
            ("12.03.2026 14:05", dt(2026, 3, 12, 14, 5, 0)),
            ("12.03.2026 14:05:09", dt(2026, 3, 12, 14, 5, 9)),
            ("1.3.2026 9:05", dt(2026, 3, 1, 9, 5, 0)),
            ("12-03-2026 14:05", dt(2026, 3, 12, 14, 5, 0)),
            ("12/03/2026", dt(2026, 3, 12, 0, 0, 0)),
            ("2026-03-12", dt(2026, 3, 12, 0, 0, 0)),
            ("2026-03-12 14:05:09", dt(2026, 3, 12, 14, 5, 9)),
            ("2026-03-12T14:05", dt(2026, 3, 12, 14, 5, 0)),
            ("2026-03-12T14:05:09.123Z", dt(2026, 3, 12, 14, 5, 9)),
            ("12.03.26", dt(2026, 3, 12, 0, 0, 0)),
            ("01.05.85", dt(1985, 5, 1, 0, 0, 0)),
            ("  12.03.2026,  14:05 ", dt(2026, 3, 12, 14, 5, 0)),
        ];
        for (s, want) in cases {
            assert_eq!(parse_datetime(s), Some(want), "{s:?}");
        }
        assert_eq!(parse_date("12.03.2026 14:05"), Some(day(2026, 3, 12)));
    }

    #[test]
    fn rejects_impossible_and_junk() {
        for s in [
            "31.02.2026",
            "29.02.2025",
            "12.13.2026",
            "12.03.2026 25:00",
            "12.03.2026 14:60",
            "12.03-2026",
            "12.03.202",
            "2026-03",
            "вчера",
            "",
            "12.03.2026 14:05 extra",
            "12.03.2026.1",
        ] {
            assert_eq!(parse_datetime(s), None, "{s:?}");
        }
        assert_eq!(parse_date("29.02.2024"), Some(day(2024, 2, 29)));
    }

    #[test]
    fn excel_serials() {
        assert_eq!(
            excel_serial_to_datetime(45000.5),
            Some(dt(2023, 3, 15, 12, 0, 0))
        );
        assert_eq!(excel_serial_to_datetime(1.0), Some(dt(1900, 1, 1, 0, 0, 0)));
        assert_eq!(
            excel_serial_to_datetime(59.0),
            Some(dt(1900, 2, 28, 0, 0, 0))
        );
        assert_eq!(
            excel_serial_to_datetime(61.0),
            Some(dt(1900, 3, 1, 0, 0, 0))
        );
        assert_eq!(
            excel_serial_to_datetime(25569.0),
            Some(dt(1970, 1, 1, 0, 0, 0))
        );
        assert_eq!(
            excel_serial_to_datetime(45_000.999_999_9),
            Some(dt(2023, 3, 16, 0, 0, 0))
        );
        for bad in [60.0, 0.0, -1.0, f64::NAN, f64::INFINITY, 1e12] {
            assert_eq!(excel_serial_to_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn leading_datetime_of_notes() {
        assert_eq!(
            leading_datetime("12.03.2026 14:05 Иванова: клиент думает"),
            Some(dt(2026, 3, 12, 14, 5, 0))
        );
        assert_eq!(
            leading_datetime("12.03.2026, 14:05: перезвонить"),
            Some(dt(2026, 3, 12, 14, 5, 0))
        );
        assert_eq!(
            leading_datetime("12.03.2026 15 минут ждали"),
            Some(dt(2026, 3, 12, 0, 0, 0))
        );
        assert_eq!(
            leading_datetime("2026-03-12T14:05 замер"),
            Some(dt(2026, 3, 12, 14, 5, 0))
        );
        assert_eq!(leading_datetime("Иванова 12.03.2026"), None);
        assert_eq!(leading_datetime(""), None);
    }

    #[test]
    fn birthdays() {
        let today = day(2026, 3, 12);
        let rules = BirthdayRules::default();
        assert_eq!(check_birthday("", today, &rules), Birthday::Missing);
        assert_eq!(check_birthday("   ", today, &rules), Birthday::Missing);
        assert_eq!(
            check_birthday("01.01.1970", today, &rules),
            Birthday::Placeholder
        );
        assert_eq!(
            check_birthday("1970-01-01 00:00:00", today, &rules),
            Birthday::Placeholder
        );
        assert_eq!(
            check_birthday("31.02.1980", today, &rules),
            Birthday::Unparseable
        );
        assert_eq!(
            check_birthday("не помню", today, &rules),
            Birthday::Unparseable
        );
        assert_eq!(
            check_birthday("13.03.2026", today, &rules),
            Birthday::Future
        );
        assert_eq!(
            check_birthday("31.12.1899", today, &rules),
            Birthday::BeforeMinYear
        );
        assert_eq!(
            check_birthday("12.03.2026", today, &rules),
            Birthday::Valid(today)
        );
        assert_eq!(
            check_birthday("05.06.1985", today, &rules),
            Birthday::Valid(day(1985, 6, 5))
        );
        let custom = BirthdayRules {
            placeholder: Some(day(1900, 1, 1)),
            min_year: 1920,
        };
        assert_eq!(
            check_birthday("01.01.1900", today, &custom),
            Birthday::Placeholder
        );
        assert_eq!(
            check_birthday("01.01.1970", today, &custom),
            Birthday::Valid(day(1970, 1, 1))
        );
        assert_eq!(
            check_birthday("31.12.1919", today, &custom),
            Birthday::BeforeMinYear
        );
    }

    proptest::proptest! {
        /// The positional reading agrees with the general one on every date of its shapes,
        /// impossible ones (`31.02.2026`, `24:00`) and digits anywhere included.
        #[test]
        fn usual_shapes_read_as_the_general_reading_does(
            s in "[0-9]{2}[.][0-9]{2}[.][0-9]{4}( [0-9]{2}:[0-9]{2}(:[0-9]{2})?)?"
        ) {
            proptest::prop_assert_eq!(parse_usual(s.as_bytes()), Some(parse_any(&s)));
        }

        /// Any other text is left to the general reading.
        #[test]
        fn other_shapes_are_left_to_the_general_reading(s in "\\PC{0,24}") {
            if let Some(read) = parse_usual(s.as_bytes()) {
                proptest::prop_assert_eq!(read, parse_any(&s));
            }
        }
    }

    proptest::proptest! {
        /// Shown as chrono's patterns show them, to the byte.
        #[test]
        fn shown_as_chrono_formats(secs in -70_000_000_000i64..300_000_000_000i64) {
            let t = chrono::DateTime::from_timestamp(secs, 0).unwrap().naive_utc();
            proptest::prop_assert_eq!(show_date(t.date()), t.format("%d.%m.%Y").to_string());
            proptest::prop_assert_eq!(show_minute(t), t.format("%d.%m.%Y %H:%M").to_string());
            proptest::prop_assert_eq!(show_second(t), t.format("%d.%m.%Y %H:%M:%S").to_string());
        }
    }
}
