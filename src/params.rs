//! Rule parameters (`rules/default.toml`) and the rules folder they live in.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::normalize::date::{parse_date, BirthdayRules};
use crate::normalize::text::fold_phrase;
use crate::profile::Profiles;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ContactParams {
    pub partner_tags: Vec<String>,
    pub partner_types: Vec<String>,
    pub company_types: Vec<String>,
    pub min_birth_year: i32,
    /// A date that stands for «unknown» (amoCRM's `01.01.1970`); empty for none.
    pub placeholder_birthday: String,
}

impl ContactParams {
    /// The birthday checks these parameters ask for.
    pub fn birthday_rules(&self) -> BirthdayRules {
        BirthdayRules {
            placeholder: parse_date(&self.placeholder_birthday),
            min_year: self.min_birth_year,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ManagerParams {
    #[serde(default)]
    pub extra_emails: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DealParams {
    pub mandatory: Vec<String>,
    pub activity_months: u32,
    pub response_minutes: i64,
    pub stop_list: Vec<String>,
    pub filler_words: Vec<String>,
    pub min_meaningful_words: usize,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct StageParams {
    pub unsorted: Vec<String>,
    pub trash: Vec<String>,
    pub won: Vec<String>,
    pub lost: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct StageRequirement {
    pub stage: Vec<String>,
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct FlowParams {
    pub mandatory: Vec<String>,
    pub portal_sources: Vec<String>,
    pub portal_id_field: String,
    pub active_values: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DedupeParams {
    pub name_similarity: f64,
    pub token_similarity: f64,
    pub use_diminutives: bool,
    pub max_block_size: usize,
    /// Edits a typo may make in one word (one more for words of 9+ letters).
    #[serde(default = "one")]
    pub max_edits: usize,
    /// A (birthday, name word) or (switchboard phone, birthday/word) block larger than this is
    /// skipped.
    #[serde(default = "default_max_subblock_size")]
    pub max_subblock_size: usize,
    /// First names and their diminutives: `diminutives.toml` of the rules folder.
    #[serde(skip, default = "crate::dedupe::Diminutives::embedded")]
    pub diminutives: crate::dedupe::Diminutives,
}

fn one() -> usize {
    1
}

fn default_max_subblock_size() -> usize {
    5000
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LookupParams {
    pub partner_min_deals: usize,
}

/// Whose number a deal note gives (`[notes]`): word stems, folded. A rules folder copied before
/// the section existed gets the bundled lists.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NoteParams {
    /// Words that make the number after them a client's («хозяйка», «клиентка», «заказчик»).
    pub client_words: Vec<String>,
    /// Verbs that make a partner word before them only the messenger («прораб дал номер …»).
    pub relay_words: Vec<String>,
    /// Words after a messenger verb that make the number his own after all («дал свой номер»).
    pub own_words: Vec<String>,
}

impl Default for NoteParams {
    /// The `[notes]` section of the bundled rules/default.toml.
    fn default() -> Self {
        bundled_section("notes")
    }
}

/// `[apply]`: how `crmclean apply` talks to the amoCRM API. A rules folder copied before the
/// section existed gets the bundled values.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ApplyParams {
    pub requests_per_second: f64,
    pub batch_size: usize,
    pub max_attempts: u32,
    pub backoff_ms: u64,
    pub timeout_secs: u64,
    /// Canonical phone field of the contacts profile → enum_code of amoCRM's PHONE field.
    pub phone_enums: BTreeMap<String, String>,
    pub new_contact_phone_enum: String,
    pub created_tag: String,
    pub duplicate_tag: String,
    pub rollback_tag: String,
}

impl Default for ApplyParams {
    /// The `[apply]` section of the bundled rules/default.toml.
    fn default() -> Self {
        bundled_section("apply")
    }
}

/// A section of the bundled rules/default.toml: the default of a section that a rules folder
/// copied before it existed lacks.
fn bundled_section<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let table: toml::Table = toml::from_str(EMBEDDED_PARAMS).expect("the bundled rules parse");
    table
        .get(name)
        .cloned()
        .and_then(|v| v.try_into().ok())
        .unwrap_or_else(|| panic!("the bundled rules/default.toml has a valid [{name}] section"))
}

/// `[output]`: how outputs are laid out.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct OutputParams {
    /// `audit`: records in one manager's correction workbook (`--max-rows`); the rest are only
    /// in the CSV beside it.
    pub max_rows: usize,
}

impl Default for OutputParams {
    /// The `[output]` section of the bundled rules/default.toml.
    fn default() -> Self {
        bundled_section("output")
    }
}

/// Everything in `rules/default.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Params {
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    pub contact: ContactParams,
    pub managers: ManagerParams,
    pub deal: DealParams,
    pub stages: StageParams,
    pub stage_requirements: Vec<StageRequirement>,
    pub flow: FlowParams,
    pub dedupe: DedupeParams,
    pub lookup: LookupParams,
    #[serde(default)]
    pub notes: NoteParams,
    #[serde(default)]
    pub apply: ApplyParams,
    /// Absent in rules folders copied before it existed.
    #[serde(default)]
    pub output: OutputParams,
}

/// Where a stage puts a deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StageClass {
    Unsorted,
    Trash,
    Won,
    Lost,
    Open,
}

impl StageClass {
    /// A deal proper: past «Неразобранное» and not in «Корзина».
    pub fn is_deal_proper(self) -> bool {
        !matches!(self, StageClass::Unsorted | StageClass::Trash)
    }
}

impl Params {
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        let mut p: Params = toml::from_str(text).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        p.fold_lists();
        Ok(p)
    }

    /// Folds every phrase list once so rules compare folded text with folded text.
    fn fold_lists(&mut self) {
        let fold_all = |v: &mut Vec<String>| {
            for s in v.iter_mut() {
                *s = fold_phrase(s);
            }
        };
        fold_all(&mut self.contact.partner_tags);
        fold_all(&mut self.contact.partner_types);
        fold_all(&mut self.contact.company_types);
        fold_all(&mut self.deal.stop_list);
        fold_all(&mut self.deal.filler_words);
        fold_all(&mut self.stages.unsorted);
        fold_all(&mut self.stages.trash);
        fold_all(&mut self.stages.won);
        fold_all(&mut self.stages.lost);
        fold_all(&mut self.flow.portal_sources);
        fold_all(&mut self.flow.active_values);
        fold_all(&mut self.notes.client_words);
        fold_all(&mut self.notes.relay_words);
        fold_all(&mut self.notes.own_words);
        for r in &mut self.stage_requirements {
            fold_all(&mut r.stage);
        }
        for e in &mut self.managers.extra_emails {
            *e = e.trim().to_lowercase();
        }
    }

    pub fn stage_class(&self, stage: &str) -> StageClass {
        let s = fold_phrase(stage);
        let st = &self.stages;
        if st.unsorted.contains(&s) {
            StageClass::Unsorted
        } else if st.trash.contains(&s) {
            StageClass::Trash
        } else if st.won.contains(&s) {
            StageClass::Won
        } else if st.lost.contains(&s) {
            StageClass::Lost
        } else {
            StageClass::Open
        }
    }
}

/// A rules folder: the column profiles and the parameters.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub dir: PathBuf,
    pub profiles: Profiles,
    pub params: Params,
}

impl RuleSet {
    /// Loads `DIR/profiles/*.toml` and `DIR/default.toml`.
    pub fn load(dir: &Path) -> Result<Self> {
        let profiles = Profiles::load(&dir.join("profiles"))?;
        let path = dir.join("default.toml");
        let text = std::fs::read_to_string(&path).map_err(|e| Error::Config {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let mut params = Params::parse(&path, &text)?;
        params.dedupe.diminutives = crate::dedupe::Diminutives::load(dir)?;
        Ok(RuleSet {
            dir: dir.to_path_buf(),
            profiles,
            params,
        })
    }

    /// The bundled rules folder: `--rules`, else `$CRMCLEAN_RULES`, else `rules/` next to the
    /// binary's crate or the working directory; as a last resort the copy compiled in.
    pub fn locate(explicit: Option<&Path>) -> Result<Self> {
        if let Some(dir) = explicit {
            return Self::load(dir);
        }
        if let Ok(dir) = std::env::var("CRMCLEAN_RULES") {
            return Self::load(Path::new(&dir));
        }
        let candidates = [
            PathBuf::from("rules"),
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules"),
        ];
        for dir in candidates {
            if dir.join("default.toml").is_file() {
                return Self::load(&dir);
            }
        }
        Self::embedded()
    }

    /// The rules folder as it was when crmclean was built.
    pub fn embedded() -> Result<Self> {
        let base = Path::new("<built-in rules>");
        let profiles = EMBEDDED_PROFILES
            .iter()
            .map(|(name, text)| crate::profile::Profile::parse(&base.join(name), text))
            .collect::<Result<Vec<_>>>()?;
        Ok(RuleSet {
            dir: base.to_path_buf(),
            profiles: Profiles(profiles),
            params: Params::parse(&base.join("default.toml"), EMBEDDED_PARAMS)?,
        })
    }
}

const EMBEDDED_PARAMS: &str = include_str!("../rules/default.toml");
const EMBEDDED_PROFILES: [(&str, &str); 5] = [
    (
        "amocrm-contacts.toml",
        include_str!("../rules/profiles/amocrm-contacts.toml"),
    ),
    (
        "amocrm-deals.toml",
        include_str!("../rules/profiles/amocrm-deals.toml"),
    ),
    (
        "flow-applications.toml",
        include_str!("../rules/profiles/flow-applications.toml"),
    ),
    (
        "client-base.toml",
        include_str!("../rules/profiles/client-base.toml"),
    ),
    (
        "managers.toml",
        include_str!("../rules/profiles/managers.toml"),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_rules_load_and_match_the_embedded_copy() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let on_disk = RuleSet::load(&dir).unwrap();
        let embedded = RuleSet::embedded().unwrap();
        assert_eq!(on_disk.profiles.0.len(), embedded.profiles.0.len());
        assert_eq!(
            on_disk.params.stage_class("Неразобранное"),
            StageClass::Unsorted
        );
        assert_eq!(on_disk.params.stage_class(" КОРЗИНА "), StageClass::Trash);
        assert_eq!(on_disk.params.stage_class("Замер"), StageClass::Open);
    }

    #[test]
    fn a_rules_folder_from_before_apply_gets_the_bundled_apply_values() {
        let text = EMBEDDED_PARAMS;
        let old = &text[..text.find("[apply]").unwrap()];
        let p = Params::parse(Path::new("default.toml"), old).unwrap();
        assert_eq!(p.apply.requests_per_second, 7.0);
        assert_eq!(p.apply.batch_size, 250);
        assert_eq!(p.apply.phone_enums["phone_other"], "OTHER");
    }
}
