//! Column profiles: the data files under `rules/profiles/` that map source headers onto canonical
//! fields, and the format detection built on them.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use foldhash::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The five kinds of input crmclean understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    AmocrmContacts,
    AmocrmDeals,
    FlowApplications,
    ClientBase,
    Managers,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::AmocrmContacts => "amocrm-contacts",
            Kind::AmocrmDeals => "amocrm-deals",
            Kind::FlowApplications => "flow-applications",
            Kind::ClientBase => "client-base",
            Kind::Managers => "managers",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// amoCRM's two header layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    Classic,
    New,
}

/// How a canonical field's text is interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    Id,
    Text,
    Date,
    Datetime,
    Money,
    Phone,
    Email,
    List,
    Note,
    Bool,
}

/// One canonical field of a profile.
#[derive(Debug, Clone, Deserialize)]
pub struct FieldSpec {
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Source headers, in order of preference.
    pub headers: Vec<String>,
    /// Flow CRM «Внешние источники» field.
    #[serde(default)]
    pub external: bool,
}

#[derive(Debug, Deserialize)]
struct ProfileFile {
    kind: Kind,
    required: Vec<String>,
    #[serde(default)]
    forbidden: Vec<String>,
    #[serde(default)]
    new_layout_suffixes: Vec<String>,
    fields: toml::Table,
}

/// A source format: its canonical fields (in file order) and detection hints.
#[derive(Debug, Clone)]
pub struct Profile {
    pub kind: Kind,
    pub required: Vec<String>,
    pub forbidden: Vec<String>,
    pub new_layout_suffixes: Vec<String>,
    pub fields: Vec<(String, FieldSpec)>,
}

impl Profile {
    /// Parses one profile file.
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        let config = |message: String| Error::Config {
            path: path.to_path_buf(),
            message,
        };
        let file: ProfileFile = toml::from_str(text).map_err(|e| config(e.to_string()))?;
        let mut fields = Vec::with_capacity(file.fields.len());
        for (name, value) in file.fields {
            let spec: FieldSpec = value
                .try_into()
                .map_err(|e: toml::de::Error| config(format!("field `{name}`: {e}")))?;
            fields.push((name, spec));
        }
        let profile = Profile {
            kind: file.kind,
            required: file.required,
            forbidden: file.forbidden,
            new_layout_suffixes: file.new_layout_suffixes,
            fields,
        };
        if let Some(name) = profile.required.iter().find(|n| profile.spec(n).is_none()) {
            return Err(config(format!("required field `{name}` is not defined")));
        }
        Ok(profile)
    }

    pub fn spec(&self, field: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|(n, _)| n == field).map(|(_, s)| s)
    }

    /// Maps headers onto this profile's fields. A column is claimed by one field only; phone and
    /// e-mail fields claim every column that matches, other fields the first one.
    pub fn map_headers(&self, headers: &[String]) -> Mapping {
        let normalised: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
        let mut claimed = vec![false; headers.len()];
        let mut fields = HashMap::default();
        for (name, spec) in &self.fields {
            let multi = matches!(spec.ty, FieldType::Phone | FieldType::Email);
            let mut columns = Vec::new();
            for synonym in &spec.headers {
                let wanted = normalize_header(synonym);
                for (i, h) in normalised.iter().enumerate() {
                    if !claimed[i] && *h == wanted {
                        claimed[i] = true;
                        columns.push(i);
                        if !multi {
                            break;
                        }
                    }
                }
                if !columns.is_empty() && !multi {
                    break;
                }
            }
            if !columns.is_empty() {
                fields.insert(name.clone(), columns);
            }
        }
        let layout = (!self.new_layout_suffixes.is_empty()).then(|| {
            let suffixes: Vec<String> = self
                .new_layout_suffixes
                .iter()
                .map(|s| normalize_header(s))
                .collect();
            if normalised
                .iter()
                .any(|h| suffixes.iter().any(|s| h.ends_with(s.as_str())))
            {
                Layout::New
            } else {
                Layout::Classic
            }
        });
        Mapping {
            kind: self.kind,
            layout,
            headers: headers.to_vec(),
            fields,
            types: self
                .fields
                .iter()
                .map(|(n, s)| (n.clone(), s.clone()))
                .collect(),
        }
    }
}

/// The result of mapping one file's headers onto a profile.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub kind: Kind,
    pub layout: Option<Layout>,
    pub headers: Vec<String>,
    /// canonical field → source column indices (first is the primary one); hashed, because
    /// records read their texts through it (millions of lookups on a big export)
    pub fields: HashMap<String, Vec<usize>>,
    types: BTreeMap<String, FieldSpec>,
}

impl Mapping {
    pub fn has(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }

    /// The primary column of a field.
    pub fn column(&self, field: &str) -> Option<usize> {
        self.fields.get(field).and_then(|c| c.first().copied())
    }

    /// All columns of a field.
    pub fn columns(&self, field: &str) -> &[usize] {
        self.fields.get(field).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The source header of a field's primary column.
    pub fn header(&self, field: &str) -> Option<&str> {
        self.column(field).map(|i| self.headers[i].as_str())
    }

    /// The header a finding about `field` should name: the source header when mapped, else the
    /// profile's preferred header name.
    pub fn label(&self, field: &str) -> String {
        self.header(field)
            .map(str::to_string)
            .or_else(|| {
                self.types
                    .get(field)
                    .and_then(|s| s.headers.first().cloned())
            })
            .unwrap_or_else(|| field.to_string())
    }

    /// Canonical fields of a type, in profile order of their names.
    pub fn fields_of(&self, ty: FieldType) -> impl Iterator<Item = &str> {
        self.types
            .iter()
            .filter(move |(_, s)| s.ty == ty)
            .map(|(n, _)| n.as_str())
    }

    /// Mapped fields flagged `external` (Flow «Внешние источники»).
    pub fn external_fields(&self) -> impl Iterator<Item = &str> {
        self.types
            .iter()
            .filter(|(n, s)| s.external && self.has(n))
            .map(|(n, _)| n.as_str())
    }

    /// Columns no canonical field claimed.
    pub fn unmapped(&self) -> Vec<usize> {
        let mut used = vec![false; self.headers.len()];
        for cols in self.fields.values() {
            for &c in cols {
                used[c] = true;
            }
        }
        (0..self.headers.len()).filter(|&i| !used[i]).collect()
    }

    /// `{canonical: source header}` for the primary columns.
    pub fn mapped_headers(&self) -> BTreeMap<String, String> {
        self.fields
            .iter()
            .map(|(f, c)| (f.clone(), self.headers[c[0]].clone()))
            .collect()
    }
}

/// Normalises a header for comparison: trim, NBSP and BOM, collapse spaces, lowercase, ё→е, and a
/// trailing currency sign (`Бюджет ₽`, `Сумма, руб.`) dropped.
pub fn normalize_header(h: &str) -> String {
    let mut s: String = h
        .replace(['\u{a0}', '\u{feff}'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .replace('ё', "е");
    for suffix in [
        "₽",
        "руб.",
        "руб",
        "(руб.)",
        "(руб)",
        "rub",
        "$",
        "€",
        "(₽)",
    ] {
        if let Some(stripped) = s.strip_suffix(suffix) {
            s = stripped.trim_end_matches([' ', ',']).to_string();
            break;
        }
    }
    s.trim_end_matches(':').trim().to_string()
}

/// All profiles of a rules folder.
#[derive(Debug, Clone)]
pub struct Profiles(pub Vec<Profile>);

/// Why a file matched no profile: the closest one and what it lacked.
#[derive(Debug, Clone)]
pub struct NoMatch {
    pub closest: Kind,
    pub missing: Vec<String>,
}

impl fmt::Display for NoMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "closest format is {}, which needs the header(s) {}",
            self.closest,
            self.missing
                .iter()
                .map(|m| format!("«{m}»"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

impl Profiles {
    /// Loads every `*.toml` in `dir`.
    pub fn load(dir: &Path) -> Result<Self> {
        let entries = std::fs::read_dir(dir).map_err(|e| Error::Config {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        let mut profiles = Vec::new();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::Config {
                path: path.clone(),
                message: e.to_string(),
            })?;
            profiles.push(Profile::parse(&path, &text)?);
        }
        if profiles.is_empty() {
            return Err(Error::Config {
                path: dir.to_path_buf(),
                message: "no column profiles (*.toml) found".into(),
            });
        }
        Ok(Profiles(profiles))
    }

    pub fn get(&self, kind: Kind) -> Option<&Profile> {
        self.0.iter().find(|p| p.kind == kind)
    }

    /// Detects the format of a header row: the profile whose required fields are all present
    /// and forbidden ones absent, preferring the one that maps most columns.
    pub fn detect(&self, headers: &[String]) -> std::result::Result<Mapping, NoMatch> {
        let mut best: Option<Mapping> = None;
        let mut closest: Option<(usize, usize, &Profile, Vec<String>)> = None;
        for profile in &self.0 {
            let mapping = profile.map_headers(headers);
            let missing: Vec<String> = profile
                .required
                .iter()
                .filter(|f| !mapping.has(f))
                .map(|f| {
                    profile
                        .spec(f)
                        .and_then(|s| s.headers.first().cloned())
                        .unwrap_or_else(|| f.clone())
                })
                .collect();
            let forbidden = profile.forbidden.iter().any(|f| mapping.has(f));
            if missing.is_empty() && !forbidden {
                if best
                    .as_ref()
                    .is_none_or(|b| mapping.fields.len() > b.fields.len())
                {
                    best = Some(mapping);
                }
            } else {
                let found = profile.required.len() - missing.len();
                let score = (found, mapping.fields.len());
                if closest.as_ref().is_none_or(|(f, n, _, _)| score > (*f, *n)) {
                    closest = Some((score.0, score.1, profile, missing));
                }
            }
        }
        best.ok_or_else(|| {
            let (_, _, profile, missing) = closest.expect("at least one profile");
            NoMatch {
                closest: profile.kind,
                missing,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles() -> Profiles {
        Profiles::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/profiles")).unwrap()
    }

    fn h(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn header_normalisation() {
        assert_eq!(normalize_header(" Бюджет ₽ "), "бюджет");
        assert_eq!(normalize_header("Объём\u{a0}работ"), "объем работ");
        assert_eq!(normalize_header("\u{feff}ID"), "id");
        assert_eq!(normalize_header("Сумма, руб."), "сумма");
    }

    #[test]
    fn detects_deals_new_layout() {
        let m = profiles()
            .detect(&h(&[
                "ID",
                "Название сделки",
                "Бюджет ₽",
                "Этап сделки",
                "Основной контакт",
                "Мобильный телефон (контакт)",
            ]))
            .unwrap();
        assert_eq!(m.kind, Kind::AmocrmDeals);
        assert_eq!(m.layout, Some(Layout::New));
        assert_eq!(m.header("budget"), Some("Бюджет ₽"));
        assert_eq!(
            m.header("phone_mobile"),
            Some("Мобильный телефон (контакт)")
        );
    }

    #[test]
    fn detects_contacts_classic_and_keeps_repeated_headers() {
        let m = profiles()
            .detect(&h(&[
                "ID",
                "Тип",
                "Полное имя контакта",
                "Мобильный телефон",
                "Мобильный телефон",
                "Примечание",
                "Примечание",
            ]))
            .unwrap();
        assert_eq!(m.kind, Kind::AmocrmContacts);
        assert_eq!(m.layout, Some(Layout::Classic));
        assert_eq!(m.columns("phone_mobile"), &[3, 4]);
        assert_eq!(m.column("note"), Some(5));
        assert_eq!(m.unmapped(), vec![6]);
    }

    #[test]
    fn detects_the_small_formats() {
        let p = profiles();
        let kind = |hs: &[&str]| p.detect(&h(hs)).map(|m| m.kind);
        assert_eq!(
            kind(&["Номер договора", "ФИО клиента", "Телефон", "Адрес"]).unwrap(),
            Kind::ClientBase
        );
        assert_eq!(kind(&["Имя", "Email"]).unwrap(), Kind::Managers);
        assert_eq!(
            kind(&["Номер заявки", "ФИО", "Активная", "СНИЛС"]).unwrap(),
            Kind::FlowApplications
        );
    }

    #[test]
    fn no_match_names_closest_and_missing() {
        let err = profiles()
            .detect(&h(&["ID", "Название сделки", "Бюджет"]))
            .unwrap_err();
        assert_eq!(err.closest, Kind::AmocrmDeals);
        assert_eq!(err.missing, vec!["Этап сделки".to_string()]);
    }
}
