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

/// Hands out one copy of each distinct text.
#[derive(Default)]
pub struct Interner(HashSet<SharedText>);

impl Interner {
    /// Replaces `text` by the copy already seen, or keeps it as the one to share.
    pub fn share(&mut self, text: &mut SharedText) {
        match self.0.get(text.as_str()) {
            Some(seen) => *text = seen.clone(),
            None => {
                self.0.insert(text.clone());
            }
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
}
