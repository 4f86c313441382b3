//! [`SharedText`]: a finding's text that many findings repeat (its file, field, manager, and
//! often its message and fix), kept once and shared. A million findings otherwise hold a few
//! hundred megabytes of copies.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use foldhash::HashSet;

/// An immutable text, cheap to clone; reads as a `&str`.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct SharedText(Arc<str>);

impl SharedText {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for SharedText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for SharedText {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<String> for SharedText {
    fn from(s: String) -> Self {
        SharedText(s.into())
    }
}

impl From<&Arc<str>> for SharedText {
    fn from(s: &Arc<str>) -> Self {
        SharedText(s.clone())
    }
}

impl From<&str> for SharedText {
    fn from(s: &str) -> Self {
        SharedText(s.into())
    }
}

impl PartialEq<&str> for SharedText {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl fmt::Display for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// Hands out one copy of each distinct text, of one kind of text (a finding's field, message or
/// fix). A kind whose first [`SAMPLE`] texts hardly repeat (a message naming its record) is
/// left as it is from then on: looking each text up would cost time and keep no memory.
#[derive(Default)]
pub struct Interner {
    seen: HashSet<SharedText>,
    looked_up: usize,
    given_up: bool,
}

/// The texts an [`Interner`] looks at before it judges whether they repeat ...
const SAMPLE: usize = 1024;
/// ... and the share of them that must be new for it to give up.
const MOSTLY_NEW: f64 = 0.9;

impl Interner {
    /// Replaces `text` by the copy already seen, or keeps it as the one to share.
    pub fn share(&mut self, text: &mut SharedText) {
        if self.given_up {
            return;
        }
        match self.seen.get(text.as_str()) {
            Some(seen) => *text = seen.clone(),
            None => {
                self.seen.insert(text.clone());
            }
        }
        self.looked_up += 1;
        if self.looked_up == SAMPLE && self.seen.len() as f64 > MOSTLY_NEW * SAMPLE as f64 {
            self.given_up = true;
            self.seen = HashSet::default();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_share_one_copy() {
        let mut interner = Interner::default();
        let mut a = SharedText::from("Заполните «Бюджет»");
        let mut b = SharedText::from("Заполните «Бюджет»".to_string());
        interner.share(&mut a);
        interner.share(&mut b);
        assert_eq!(a, b);
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"Заполните «Бюджет»\"");
    }

    #[test]
    fn texts_that_do_not_repeat_are_left_alone() {
        let mut unique = Interner::default();
        for i in 0..SAMPLE {
            unique.share(&mut SharedText::from(format!("ID {i}")));
        }
        let (mut a, mut b) = (SharedText::from("x"), SharedText::from("x"));
        unique.share(&mut a);
        unique.share(&mut b);
        assert!(!Arc::ptr_eq(&a.0, &b.0));

        let mut repeated = Interner::default();
        for i in 0..SAMPLE {
            repeated.share(&mut SharedText::from(format!("ID {}", i % 10)));
        }
        repeated.share(&mut a);
        repeated.share(&mut b);
        assert!(Arc::ptr_eq(&a.0, &b.0));
    }
}
