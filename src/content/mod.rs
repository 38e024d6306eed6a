//! Course content: the document model shared by course files, the authoring API and releases;
//! validation; Markdown rendering; the in-memory published catalogue.

pub mod catalogue;
pub mod files;
pub mod render;
pub mod schema;
pub mod validate;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use utoipa::ToSchema;

pub const TOPICS: &[&str] = &[
    "basic_skills",
    "online_safety",
    "e_commerce",
    "public_services",
    "ai",
    "officials_skills",
];
pub const LEVELS: &[&str] = &["basic", "intermediate", "advanced"];
pub const GROUPS: &[&str] = &["citizen", "official", "enterprise_worker", "student"];
pub const LANGUAGES: &[&str] = &["vi", "en"];
pub const QUESTION_TYPES: &[&str] = &[
    "single",
    "multiple",
    "true_false",
    "short_text",
    "ordering",
    "matching",
];
pub const SHOW_ANSWERS: &[&str] = &["never", "after_attempt", "after_pass", "after_last_attempt"];

/// TT02/2025/TT-BGDĐT and DigComp 2.2 competence codes (domains 1–5), plus TT02's AI domain.
pub const COMPETENCES: &[&str] = &[
    "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "3.1", "3.2", "3.3", "3.4",
    "4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "5.4", "6.1", "6.2", "6.3",
];

/// A whole course: metadata, modules, lessons and quizzes. The draft is one of these; a release
/// freezes one of these plus rendered HTML.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CourseDoc {
    pub slug: String,
    pub meta: CourseMeta,
    #[serde(default)]
    pub modules: Vec<ModuleDoc>,
}

/// What `course.toml` holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CourseMeta {
    pub title: String,
    pub title_en: String,
    pub summary: String,
    pub summary_en: String,
    #[serde(default = "default_language")]
    pub language: String,
    pub topic: String,
    pub level: String,
    pub groups: Vec<String>,
    #[serde(default)]
    pub competences: Vec<String>,
    pub estimated_minutes: u32,
    #[serde(default)]
    pub strict_order: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover_image_url: Option<String>,
}

fn default_language() -> String {
    "vi".into()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModuleDoc {
    pub key: String,
    pub meta: ModuleMeta,
    #[serde(default)]
    pub items: Vec<ItemDoc>,
}

/// What `module.toml` holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModuleMeta {
    pub title: String,
    pub title_en: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub summary_en: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ItemDoc {
    Lesson(LessonDoc),
    Quiz(QuizDoc),
}

impl ItemDoc {
    pub fn key(&self) -> &str {
        match self {
            ItemDoc::Lesson(l) => &l.key,
            ItemDoc::Quiz(q) => &q.key,
        }
    }
    pub fn title(&self) -> &str {
        match self {
            ItemDoc::Lesson(l) => &l.meta.title,
            ItemDoc::Quiz(q) => &q.spec.title,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LessonDoc {
    pub key: String,
    pub meta: LessonMeta,
    /// Markdown.
    pub body: String,
}

/// A lesson's front matter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LessonMeta {
    pub title: String,
    #[serde(default)]
    pub title_en: String,
    pub estimated_minutes: u32,
    #[serde(default)]
    pub competences: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub optional: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<String>,
    #[serde(default)]
    pub sources: Vec<Source>,
}

pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub title: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessed: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QuizDoc {
    pub key: String,
    pub spec: QuizSpec,
}

/// A quiz file: settings and the question pool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuizSpec {
    pub title: String,
    #[serde(default)]
    pub title_en: String,
    pub pass_mark: u32,
    pub questions_per_attempt: u32,
    #[serde(default = "yes")]
    pub shuffle_questions: bool,
    #[serde(default = "yes")]
    pub shuffle_choices: bool,
    #[serde(default)]
    pub max_attempts: u32,
    #[serde(default)]
    pub cooldown_seconds: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_seconds: Option<u32>,
    #[serde(default = "after_attempt")]
    pub show_answers: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub optional: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub quotas: BTreeMap<String, u32>,
    #[serde(default)]
    pub questions: Vec<Question>,
}

pub(crate) fn yes() -> bool {
    true
}
pub(crate) fn after_attempt() -> String {
    "after_attempt".into()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub key: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub prompt: String,
    pub explanation: String,
    #[serde(default)]
    pub competences: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub partial_credit: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub ignore_diacritics: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pairs: Vec<Pair>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub text: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub correct: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    pub left: String,
    pub right: String,
}

impl CourseDoc {
    pub fn lessons(&self) -> impl Iterator<Item = &LessonDoc> {
        self.modules.iter().flat_map(|m| {
            m.items.iter().filter_map(|i| match i {
                ItemDoc::Lesson(l) => Some(l),
                ItemDoc::Quiz(_) => None,
            })
        })
    }

    pub fn quizzes(&self) -> impl Iterator<Item = &QuizDoc> {
        self.modules.iter().flat_map(|m| {
            m.items.iter().filter_map(|i| match i {
                ItemDoc::Quiz(q) => Some(q),
                ItemDoc::Lesson(_) => None,
            })
        })
    }

    /// The settings and questions of the quiz `key`.
    pub fn quiz(&self, key: &str) -> Option<&QuizSpec> {
        self.quizzes().find(|q| q.key == key).map(|q| &q.spec)
    }
}

/// A key or slug: lowercase ASCII letters and digits in hyphen-separated words, at most 64.
pub fn is_valid_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// A short answer as it is compared: trimmed, lower case, inner spaces collapsed; with
/// `ignore_diacritics`, also without Vietnamese diacritics (đ → d). Punctuation and symbols stay:
/// `@` is an answer, and nothing is dropped that could make two different answers equal.
pub fn normalize_text(s: &str, ignore_diacritics: bool) -> String {
    let t = s.trim().to_lowercase();
    let t: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if ignore_diacritics {
        strip_diacritics(&t)
    } else {
        t
    }
}

/// Text without Vietnamese diacritics (combining marks removed, đ → d), all else kept as it is.
pub fn strip_diacritics(s: &str) -> String {
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            c => c,
        })
        .nfc()
        .collect()
}

/// Text folded for search: lower case, Vietnamese diacritics removed (đ → d), spaces collapsed.
/// "Lừa ĐẢO" → "lua dao".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// What `hocso courses stats` prints: totals and competence coverage of a tree.
pub fn stats(tree: &files::Tree) -> String {
    let mut out = String::new();
    let (mut lessons, mut minutes, mut questions) = (0, 0, 0);
    let mut covered = std::collections::BTreeSet::new();
    for c in &tree.courses {
        let doc = &c.doc;
        let l = doc.lessons().count();
        let q: usize = doc.quizzes().map(|q| q.spec.questions.len()).sum();
        let m: u32 = doc.lessons().map(|l| l.meta.estimated_minutes).sum();
        for lesson in doc.lessons() {
            covered.extend(lesson.meta.competences.iter().cloned());
        }
        out.push_str(&format!(
            "{:<32} {:>2} modules {:>3} lessons {:>4} min {:>3} questions\n",
            doc.slug,
            doc.modules.len(),
            l,
            m,
            q
        ));
        lessons += l;
        minutes += m;
        questions += q;
    }
    out.push_str(&format!(
        "total: {} courses, {} programs, {lessons} lessons, {minutes} minutes, {questions} questions\n",
        tree.courses.len(),
        tree.programs.len()
    ));
    let missing: Vec<&str> = COMPETENCES
        .iter()
        .copied()
        .filter(|c| !covered.contains(*c))
        .collect();
    out.push_str(&format!(
        "competences tagged on lessons: {}/{}{}\n",
        COMPETENCES.len() - missing.len(),
        COMPETENCES.len(),
        if missing.is_empty() {
            String::new()
        } else {
            format!(" (missing: {})", missing.join(", "))
        }
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_answers_keep_symbols_and_lose_only_case_and_diacritics() {
        assert_eq!(normalize_text(" @ ", true), "@");
        assert_eq!(normalize_text("@", true), normalize_text("@", false));
        assert_eq!(normalize_text("  Đà   Nẵng ", true), "da nang");
        assert_eq!(normalize_text("Đà Nẵng", false), "đà nẵng");
        assert_ne!(normalize_text("1+1", true), normalize_text("11", true));
        assert_eq!(normalize_text("   ", true), "");
    }

    #[test]
    fn folding_ignores_case_and_diacritics() {
        assert_eq!(fold("Lừa ĐẢO qua mạng!"), "lua dao qua mang");
        assert_eq!(fold("Dịch vụ công"), "dich vu cong");
        assert_eq!(fold("Đăng ký  VNeID"), "dang ky vneid");
    }

    #[test]
    fn keys() {
        assert!(is_valid_key("an-toan-2"));
        assert!(!is_valid_key("An-toan"));
        assert!(!is_valid_key("an--toan"));
        assert!(!is_valid_key("-an"));
        assert!(!is_valid_key("an toàn"));
        assert!(!is_valid_key(""));
    }
}
