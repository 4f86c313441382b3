//! The header mapper: any header row (cells split on newlines) is detected against the bundled
//! profiles. Never panics; a mapping claims each column at most once and only existing columns.
#![no_main]

use std::sync::OnceLock;

use crmclean::params::RuleSet;
use libfuzzer_sys::fuzz_target;

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::embedded().expect("built-in rules"))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let headers: Vec<String> = text.split('\n').map(str::to_string).collect();
    let Ok(mapping) = rules().profiles.detect(&headers) else {
        return;
    };
    let mut claimed = vec![false; headers.len()];
    for columns in mapping.fields.values() {
        assert!(!columns.is_empty());
        for &c in columns {
            assert!(c < headers.len());
            assert!(!claimed[c], "column {c} claimed twice");
            claimed[c] = true;
        }
    }
    let unmapped = mapping.unmapped();
    assert_eq!(
        unmapped.len() + claimed.iter().filter(|&&c| c).count(),
        headers.len()
    );
    let _ = mapping.mapped_headers();
});
