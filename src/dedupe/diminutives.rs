//! Known first names and their diminutives (`rules/diminutives.toml`): «Саша» is a form of
//! «Александр» and of «Александра».

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

use crate::error::{Error, Result};
use crate::normalize::name::fold;

const EMBEDDED: &str = include_str!("../../rules/diminutives.toml");

/// Folded first names and forms, each with the full names (groups) it is a form of.
#[derive(Debug, Clone, Default)]
pub struct Diminutives {
    ids: HashMap<String, u16, BuildHasherDefault<Fnv>>,
    groups: Vec<Vec<u16>>,
}

impl Diminutives {
    /// Parses the `[names]` table: `"full" = ["form", …]`.
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        let config = |message: String| Error::Config {
            path: path.to_path_buf(),
            message,
        };
        let table: toml::Table = toml::from_str(text).map_err(|e| config(e.to_string()))?;
        let names = match table.get("names") {
            Some(toml::Value::Table(t)) => t,
            _ => return Err(config("a [names] table is required".into())),
        };
        let mut out = Diminutives::default();
        for (group, (full, forms)) in names.iter().enumerate() {
            let group = u16::try_from(group).map_err(|_| config("too many names".into()))?;
            let forms = forms
                .as_array()
                .ok_or_else(|| config(format!("«{full}»: a list of forms is expected")))?;
            out.add(full, group);
            for form in forms {
                let form = form
                    .as_str()
                    .ok_or_else(|| config(format!("«{full}»: forms must be strings")))?;
                out.add(form, group);
            }
        }
        Ok(out)
    }

    /// The copy compiled into the binary (empty if it does not parse; a test guards that).
    pub fn embedded() -> Self {
        Self::parse(Path::new("<built-in diminutives.toml>"), EMBEDDED).unwrap_or_default()
    }

    /// `DIR/diminutives.toml` when the rules folder has one, else the built-in copy.
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join("diminutives.toml");
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&path, &text),
            Err(_) => Ok(Self::embedded()),
        }
    }

    /// Adds a name and its Latin spellings (passport and common transliterations: «Наталья» is
    /// also `natalia` and `natalya`), so that Latin-written names are known first names too.
    fn add(&mut self, name: &str, group: u16) {
        let key = fold(name);
        for scheme in [&PASSPORT, &COMMON] {
            self.add_key(transliterate(&key, scheme), group);
        }
        self.add_key(key, group);
    }

    fn add_key(&mut self, key: String, group: u16) {
        if key.is_empty() || self.groups.len() >= usize::from(u16::MAX) {
            return;
        }
        let next = self.groups.len() as u16;
        let id = *self.ids.entry(key).or_insert(next);
        if id == next {
            self.groups.push(Vec::new());
        }
        let groups = &mut self.groups[usize::from(id)];
        if !groups.contains(&group) {
            groups.push(group);
        }
    }

    /// The id of a folded known first name or form.
    pub fn id(&self, folded: &str) -> Option<u16> {
        self.ids.get(folded).copied()
    }

    /// The name groups (full names) a known name (by id) belongs to.
    pub fn groups(&self, id: u16) -> &[u16] {
        self.groups.get(usize::from(id)).map_or(&[], Vec::as_slice)
    }

    /// Whether two known names (by id) are forms of one name (`саша` / `александр`).
    pub fn same_group(&self, a: u16, b: u16) -> bool {
        match (
            self.groups.get(usize::from(a)),
            self.groups.get(usize::from(b)),
        ) {
            (Some(ga), Some(gb)) => ga.iter().any(|g| gb.contains(g)),
            _ => false,
        }
    }

    /// Whether two folded words are forms of one name.
    pub fn same_name(&self, a: &str, b: &str) -> bool {
        matches!((self.id(a), self.id(b)), (Some(x), Some(y)) if self.same_group(x, y))
    }

    /// Number of known names and forms.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// FNV-1a: a fast hasher for the short, trusted keys of the name table.
#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Latin letters for the Cyrillic ones that differ between transliteration schemes: й, ъ, ю, я.
type Scheme = [(char, &'static str); 4];
/// The Russian passport's (ICAO): Наталья → natalia, Юлия → iuliia, Андрей → andrei.
const PASSPORT: Scheme = [('й', "i"), ('ъ', "ie"), ('ю', "iu"), ('я', "ia")];
/// The common one: Наталья → natalya, Юлия → yuliya, Андрей → andrey.
const COMMON: Scheme = [('й', "y"), ('ъ', ""), ('ю', "yu"), ('я', "ya")];

/// A folded Cyrillic name in Latin letters (a Latin name is returned as it is).
fn transliterate(folded: &str, scheme: &Scheme) -> String {
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        let latin = scheme.iter().find(|(k, _)| *k == c).map(|(_, v)| *v);
        out.push_str(latin.unwrap_or(match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ы' => "y",
            'ь' => "",
            _ => {
                out.push(c);
                continue;
            }
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_file_parses_and_links_forms_to_names() {
        let d = Diminutives::embedded();
        assert!(d.len() > 150, "only {} names", d.len());
        assert!(d.same_name("саша", "александр"));
        assert!(d.same_name("саша", "александра"));
        assert!(
            d.same_name("алена", "аленка"),
            "ё folded: «Алёнка» listed as аленка"
        );
        assert!(!d.same_name("александр", "александра"));
        assert!(!d.same_name("анна", "инна"));
        assert!(d.id("инна").is_some() && d.id("женя").is_some());
        assert!(d.id("иванов").is_none());
    }

    #[test]
    fn rejects_malformed_files() {
        let p = Path::new("x.toml");
        assert!(Diminutives::parse(p, "names = 1").is_err());
        assert!(Diminutives::parse(p, "[names]\n\"иван\" = \"ваня\"").is_err());
        assert!(Diminutives::parse(p, "[names]\n\"иван\" = [1]").is_err());
        let ok = Diminutives::parse(p, "[names]\n\"Пётр\" = [\"Петя\"]").unwrap();
        assert!(ok.same_name("петр", "петя"));
    }

    #[test]
    fn a_rules_folder_without_the_file_uses_the_built_in_copy() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Diminutives::load(dir.path())
            .unwrap()
            .same_name("ваня", "иван"));
        std::fs::write(
            dir.path().join("diminutives.toml"),
            "[names]\n\"иван\" = []\n",
        )
        .unwrap();
        assert!(!Diminutives::load(dir.path())
            .unwrap()
            .same_name("ваня", "иван"));
    }
}
