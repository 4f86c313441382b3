//! Phone normaliser: `split_phone_cell` then `normalize_phone` on any text, with and without a
//! default area code. Never panics; the fast path agrees with the reference path; a valid result
//! is E.164.
#![no_main]

use crmclean::normalize::phone::{
    normalize_phone, normalize_phone_reference, split_phone_cell, PhoneOptions,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let cell = String::from_utf8_lossy(data);
    let options = [
        PhoneOptions::default(),
        PhoneOptions {
            default_area: Some("812".into()),
        },
    ];
    for piece in split_phone_cell(&cell) {
        assert!(!piece.is_empty() && piece.trim() == piece, "{piece:?}");
        assert!(cell.contains(piece));
        for opts in &options {
            let fast = normalize_phone(piece, opts);
            assert_eq!(fast, normalize_phone_reference(piece, opts), "{piece:?}");
            assert_eq!(fast.e164.is_some(), fast.problem.is_none(), "{piece:?}");
            if let Some(e) = &fast.e164 {
                let digits = &e[1..];
                assert!(
                    e.starts_with('+') && digits.bytes().all(|b| b.is_ascii_digit()),
                    "{e}"
                );
                // libphonenumber's metadata accepts up to 17 digits (long German numbers),
                // past E.164's 15; Niue's +683 XXXX is 7.
                assert!((7..=17).contains(&digits.len()), "{e}");
            }
        }
    }
    // A whole cell given as one piece must not panic either.
    let _ = normalize_phone(&cell, &options[0]);
});
