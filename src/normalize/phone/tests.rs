use super::*;
use proptest::prelude::*;

fn norm(s: &str) -> NormalizedPhone {
    normalize_phone(s, &PhoneOptions::default())
}

fn spb() -> PhoneOptions {
    PhoneOptions {
        default_area: Some("812".into()),
    }
}

fn e164(s: &str) -> Option<String> {
    norm(s).e164.map(String::from)
}

fn problem(s: &str) -> Option<PhoneProblem> {
    norm(s).problem
}

#[test]
fn accepted_russian_forms() {
    for s in [
        "89211234567",
        "79211234567",
        "+79211234567",
        "9211234567",
        "+7 (921) 123-45-67",
        "8-921-123-45-67",
        "8 (921) 123 45 67",
        "+7\u{a0}921\u{a0}123\u{a0}45\u{a0}67",
        "8–921–123–45–67",
        "79211234567.0",
        "'89211234567",
        "  8 921 1234567  ",
    ] {
        let n = norm(s);
        assert_eq!(n.e164.as_deref(), Some("+79211234567"), "{s:?}");
        assert_eq!(n.problem, None, "{s:?}");
        assert!(n.is_valid());
    }
    for s in [
        "8 (812) 555-12-34",
        "+7 812 555 12 34",
        "78125551234",
        "8125551234",
    ] {
        assert_eq!(e164(s).as_deref(), Some("+78125551234"), "{s:?}");
    }
    assert_eq!(e164("8 (495) 123-45-67").as_deref(), Some("+74951234567"));
    assert_eq!(e164("8 800 555 35 35").as_deref(), Some("+78005553535"));
    assert_eq!(e164("8 (813) 701-23-45").as_deref(), Some("+78137012345"));
}

#[test]
fn raw_is_the_trimmed_piece() {
    assert_eq!(norm("  +7 921 123-45-67 ").raw, "+7 921 123-45-67");
    assert_eq!(norm(" нет ").raw, "нет");
}

#[test]
fn extensions_are_kept_apart() {
    let cases = [
        ("8 (812) 555-12-34 доб. 335", "335"),
        ("8 (812) 555-12-34 доб 335", "335"),
        ("8 (812) 555-12-34 доп. 12", "12"),
        ("+7 812 555-12-34 ext. 12", "12"),
        ("+7 812 555-12-34 ext 12", "12"),
        ("88125551234x12", "12"),
        ("88125551234 #12", "12"),
        ("8 (812) 555-12-34, доб. 12", "12"),
    ];
    for (s, ext) in cases {
        let n = norm(s);
        assert_eq!(n.e164.as_deref(), Some("+78125551234"), "{s:?}");
        assert_eq!(n.extension.as_deref(), Some(ext), "{s:?}");
        assert_eq!(n.problem, None, "{s:?}");
    }
    assert_eq!(norm("89211234567").extension, None);
}

#[test]
fn seven_digit_numbers_need_an_area() {
    assert_eq!(problem("555-12-34"), Some(PhoneProblem::NoAreaCode));
    assert_eq!(e164("555-12-34"), None);
    let n = normalize_phone("555-12-34", &spb());
    assert_eq!(n.e164.as_deref(), Some("+78125551234"));
    assert_eq!(n.problem, None);
    let n = normalize_phone("555-12-34 доб. 7", &spb());
    assert_eq!(
        (n.e164.as_deref(), n.extension.as_deref()),
        (Some("+78125551234"), Some("7"))
    );
}

#[test]
fn kazakh_and_foreign_numbers() {
    for s in [
        "+7 701 234 56 78",
        "+77012345678",
        "87012345678",
        "77012345678",
    ] {
        assert_eq!(e164(s).as_deref(), Some("+77012345678"), "{s:?}");
    }
    assert_eq!(e164("+7 (727) 250-12-34").as_deref(), Some("+77272501234"));
    assert_eq!(e164("+375 29 123 45 67").as_deref(), Some("+375291234567"));
    assert_eq!(e164("+49 30 1234567").as_deref(), Some("+49301234567"));
    assert_eq!(e164("8 10 49 30 1234567").as_deref(), Some("+49301234567"));
    assert_eq!(problem("+375 29 123"), Some(PhoneProblem::Invalid));
}

#[test]
fn junk_becomes_a_problem() {
    let cases = [
        ("нет", PhoneProblem::Placeholder),
        ("НЕТ", PhoneProblem::Placeholder),
        ("-", PhoneProblem::Placeholder),
        ("—", PhoneProblem::Placeholder),
        ("н/д", PhoneProblem::Placeholder),
        ("0", PhoneProblem::Placeholder),
        ("не указан", PhoneProblem::Placeholder),
        ("", PhoneProblem::Placeholder),
        ("123", PhoneProblem::TooShort),
        ("8-921-12", PhoneProblem::TooShort),
        ("+7 921 123", PhoneProblem::TooShort),
        ("892112345678", PhoneProblem::TooLong),
        ("+7 921 123 45 678", PhoneProblem::TooLong),
        ("89211234567 89217654321", PhoneProblem::TooLong),
        ("звонить после 18", PhoneProblem::Letters),
        ("8921123456seven", PhoneProblem::Letters),
        ("доб. 12", PhoneProblem::Letters),
        ("8 (111) 123-45-67", PhoneProblem::Invalid),
        ("8921+1234567", PhoneProblem::Invalid),
        ("+8 921 123 45 67", PhoneProblem::Invalid),
    ];
    for (s, want) in cases {
        let n = norm(s);
        assert_eq!(n.problem, Some(want), "{s:?}");
        assert_eq!(n.e164, None, "{s:?}");
        assert!(!n.is_valid());
    }
}

#[test]
fn more_than_fifteen_digits_is_never_valid() {
    // E.164 allows at most 15 digits, country code included. The crate's metadata accepts
    // German (and some other) numbers with longer national parts, so these used to come out
    // «valid», or were silently cut to 15 digits (+49 87… lost its 8).
    for s in [
        "+4930123456789012",
        "+49 3012 3456 789012",
        "+49 (30) 123456-789012",
        "+49 301234567890123",
        "+4987654321098765",
        "+82 30123456789012",
        "00 49 30123456789012",
        "8 10 49 30123456789012",
        "+49 30123456789012 доб. 5",
    ] {
        let n = norm(s);
        assert_eq!(n.e164, None, "{s:?}");
        assert_eq!(n.problem, Some(PhoneProblem::TooLong), "{s:?}");
        assert!(!n.is_valid(), "{s:?}");
        assert_eq!(
            normalize_phone_reference(s, &PhoneOptions::default()),
            n,
            "{s:?}"
        );
        assert_eq!(digits_key(s), None, "{s:?}");
    }
    // 15 digits: «+49 1234 5678 90123» is not a German number; +49 30 1234567 is.
    assert!(!norm("+49 1234 5678 90123").is_valid());
    assert_eq!(e164("+49 30 1234567").as_deref(), Some("+49301234567"));
    assert_eq!(
        e164("+49 30 1234567890").as_deref(),
        Some("+49301234567890")
    );
}

#[test]
fn problems_serialize_snake_case() {
    let json = serde_json::to_string(&PhoneProblem::NoAreaCode).unwrap();
    assert_eq!(json, "\"no_area_code\"");
}

#[test]
fn digits_key_is_the_e164() {
    assert_eq!(
        digits_key("8 (921) 123-45-67").as_deref(),
        Some("+79211234567")
    );
    assert_eq!(digits_key("нет"), None);
}

#[test]
fn splits_cells() {
    assert_eq!(
        split_phone_cell("89211234567, +7 921 765-43-21;\n8 (812) 555-12-34 доб. 12\r\n\n ; "),
        [
            "89211234567",
            "+7 921 765-43-21",
            "8 (812) 555-12-34 доб. 12"
        ]
    );
    assert_eq!(
        split_phone_cell("8 (812) 555-12-34, доб. 12; 89211234567"),
        ["8 (812) 555-12-34, доб. 12", "89211234567"]
    );
    assert_eq!(
        split_phone_cell("доб. 12, 89211234567"),
        ["доб. 12", "89211234567"]
    );
    assert!(split_phone_cell(" ,;\n").is_empty());
}

// ---- property tests ----

/// A valid national number: mobile, St Petersburg, Moscow, Leningrad oblast, toll-free.
fn valid_national() -> impl Strategy<Value = String> {
    (
        prop_oneof!["9", "812", "495", "813", "800"],
        0u64..10_000_000_000,
    )
        .prop_map(|(prefix, n)| {
            let rest = format!("{n:010}");
            format!("{prefix}{}", &rest[..10 - prefix.len()])
        })
}

/// Any 10 digits.
fn any_national() -> impl Strategy<Value = String> {
    (0u64..10_000_000_000).prop_map(|n| format!("{n:010}"))
}

/// The usual ways of writing one national number.
fn written_forms(n: &str) -> Vec<String> {
    let (a, b, c, d) = (&n[..3], &n[3..6], &n[6..8], &n[8..]);
    vec![
        format!("8{n}"),
        format!("7{n}"),
        format!("+7{n}"),
        n.to_string(),
        format!("+7 ({a}) {b}-{c}-{d}"),
        format!("8-{a}-{b}-{c}-{d}"),
        format!("8 ({a}) {b}-{c}-{d}"),
        format!("'8{n}"),
        format!("7{n}.0"),
        format!("8 ({a}) {b}-{c}-{d} доб. 5"),
    ]
}

/// Strings from the alphabet of real phone cells.
fn phone_like() -> impl Strategy<Value = String> {
    let symbols = vec![
        "(",
        ")",
        "+",
        ".",
        "-",
        "'",
        ".0",
        " доб. ",
        "доб",
        " доп ",
        " ext ",
        "x",
        "#",
        ",",
        "/",
        "*",
        "нет",
        "\u{a0}",
        "—",
        "ё",
    ];
    let fragment = prop_oneof![
        8 => "[0-9]{1,4}",
        2 => Just(" ".to_string()),
        2 => prop::sample::select(symbols).prop_map(String::from),
        1 => "[a-zA-Zа-яА-Я]{1,3}",
    ];
    prop::collection::vec(fragment, 0..12).prop_map(|parts| parts.concat())
}

/// Russian-looking numbers, right or wrong length, valid or not.
fn russian_like() -> impl Strategy<Value = String> {
    prop_oneof![
        valid_national().prop_flat_map(|n| prop::sample::select(written_forms(&n))),
        any_national().prop_flat_map(|n| prop::sample::select(written_forms(&n))),
        "[78]?[0-9]{5,12}",
        "\\+?[0-9 ()\\-]{3,20}",
    ]
}

fn options() -> impl Strategy<Value = PhoneOptions> {
    prop_oneof![
        Just(PhoneOptions::default()),
        Just(spb()),
        Just(PhoneOptions {
            default_area: Some("495".into())
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn fast_path_equals_reference_on_phone_like_text(s in phone_like(), opts in options()) {
        prop_assert_eq!(normalize_phone(&s, &opts), normalize_phone_reference(&s, &opts));
    }

    #[test]
    fn fast_path_equals_reference_on_russian_numbers(s in russian_like(), opts in options()) {
        prop_assert_eq!(normalize_phone(&s, &opts), normalize_phone_reference(&s, &opts));
    }

    #[test]
    fn normalisation_is_idempotent(s in prop_oneof![russian_like(), phone_like()]) {
        if let Some(e) = e164(&s) {
            prop_assert_eq!(e164(&e), Some(e));
        }
    }

    #[test]
    fn all_forms_of_a_valid_number_agree(n in valid_national()) {
        let want = format!("+7{n}");
        for form in written_forms(&n) {
            prop_assert_eq!(e164(&form), Some(want.clone()), "{}", form);
        }
    }

    #[test]
    fn all_forms_of_any_number_agree(n in any_national()) {
        let outcomes: Vec<_> = written_forms(&n)
            .iter()
            .map(|form| (norm(form).e164, norm(form).problem))
            .collect();
        prop_assert!(outcomes.windows(2).all(|w| w[0] == w[1]), "{:?}", outcomes);
    }

    #[test]
    fn never_panics(s in "\\PC{0,30}") {
        let n = norm(&s);
        prop_assert_eq!(n.e164.is_some(), n.problem.is_none());
    }
}
