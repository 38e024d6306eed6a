//! The rules every course must meet before it is published, shared by the file validator, the
//! importer and `POST /courses/{slug}/publish`: where a problem is ([`Issue`]), and the rules of
//! the course, its modules and lessons; a quiz's and its questions' rules are in `quiz.rs`.

mod quiz;
#[cfg(test)]
mod tests;

pub use quiz::quiz_issues;

use std::collections::HashSet;

use super::*;

/// Where in a course a problem is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Loc {
    pub module: Option<usize>,
    pub item: Option<usize>,
    pub question: Option<usize>,
    /// The field (TOML key) at fault, when there is one.
    pub field: Option<&'static str>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    pub loc: Loc,
    /// In English: what the API, the importer and the file validator say.
    pub message: String,
    /// The same in Vietnamese, for the authoring pages.
    pub message_vi: String,
}

impl Issue {
    /// A JSON-ish path such as `modules[1].items[0].questions[3].choices`.
    pub fn path(&self) -> String {
        let mut p = String::new();
        if let Some(m) = self.loc.module {
            p.push_str(&format!("modules[{m}]"));
        }
        if let Some(i) = self.loc.item {
            p.push_str(&format!(".items[{i}]"));
        }
        if let Some(q) = self.loc.question {
            p.push_str(&format!(".questions[{q}]"));
        }
        if let Some(f) = self.loc.field {
            if !p.is_empty() {
                p.push('.');
            }
            p.push_str(f);
        }
        if p.is_empty() {
            "course".into()
        } else {
            p
        }
    }
}

pub const MAX_BODY_BYTES: usize = 200_000;

/// The largest `questions_per_attempt` and `max_attempts` (the API document states the same).
pub const MAX_COUNT: u64 = 1_000_000;
/// The largest `cooldown_seconds` and `time_limit_seconds` (the API document states the same).
pub const MAX_SECONDS: u64 = 1_000_000_000;

struct Checker {
    issues: Vec<Issue>,
    loc: Loc,
}

impl Checker {
    /// A problem of `field`, in Vietnamese (`vi`) and in English (`en`).
    fn at(&mut self, field: &'static str, vi: impl Into<String>, en: impl Into<String>) {
        let mut loc = self.loc.clone();
        loc.field = Some(field);
        self.issues.push(Issue {
            loc,
            message: en.into(),
            message_vi: vi.into(),
        });
    }
    fn text(&mut self, field: &'static str, value: &str, max: usize) {
        let n = value.trim().chars().count();
        if n == 0 {
            self.at(
                field,
                format!("`{field}` không được để trống"),
                format!("`{field}` must not be empty"),
            );
        } else if n > max {
            self.at(
                field,
                format!("`{field}` dài hơn {max} ký tự"),
                format!("`{field}` is longer than {max} characters"),
            );
        }
    }
    fn one_of(&mut self, field: &'static str, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.at(
                field,
                format!(
                    "{field} `{value}` không có; hãy dùng một trong: {}",
                    allowed.join(", ")
                ),
                format!(
                    "unknown {field} `{value}`; use one of: {}",
                    allowed.join(", ")
                ),
            );
        }
    }
    fn competences(&mut self, codes: &[String]) {
        for c in codes {
            if !COMPETENCES.contains(&c.as_str()) {
                self.at(
                    "competences",
                    format!("không có mã năng lực `{c}` (TT02 / DigComp 2.2: 1.1–5.4, 6.1–6.3)"),
                    format!("unknown competence code `{c}` (TT02 / DigComp 2.2: 1.1–5.4, 6.1–6.3)"),
                );
            }
        }
    }
    fn url(&mut self, field: &'static str, value: &str) {
        let ok = is_plain_http_url(value)
            && url::Url::parse(value)
                .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .unwrap_or(false);
        if !ok {
            self.at(
                field,
                format!("`{value}` không phải địa chỉ http(s)"),
                format!("`{value}` is not an http(s) URL"),
            );
        }
    }
}

/// An http(s) URL in plain form, the grammar the API document states
/// (`^https?://(label\.)*last(:[0-9]{1,4})?([/?#][!-~]*)?$`, a label `[A-Za-z0-9](-*[A-Za-z0-9])*`,
/// the last one starting with a letter): ASCII host names, no IP addresses, no spaces.
pub fn is_plain_http_url(s: &str) -> bool {
    let Some(rest) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    else {
        return false;
    };
    let end = rest.find([':', '/', '?', '#']).unwrap_or(rest.len());
    let (host, tail) = rest.split_at(end);
    let label_ok = |l: &str| {
        let b = l.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
    };
    let labels: Vec<&str> = host.split('.').collect();
    let last_ok = labels
        .last()
        .is_some_and(|l| l.as_bytes().first().is_some_and(u8::is_ascii_alphabetic));
    if !last_ok || !labels.iter().all(|l| label_ok(l)) {
        return false;
    }
    let tail = match tail.strip_prefix(':') {
        Some(p) => {
            let digits = p.find(|c: char| !c.is_ascii_digit()).unwrap_or(p.len());
            if !(1..=4).contains(&digits) {
                return false;
            }
            &p[digits..]
        }
        None => tail,
    };
    tail.is_empty()
        || (matches!(tail.as_bytes()[0], b'/' | b'?' | b'#')
            && tail.bytes().all(|c| (b'!'..=b'~').contains(&c)))
}

/// Every problem of a course (empty when it may be published).
pub fn validate(doc: &CourseDoc) -> Vec<Issue> {
    let mut c = Checker {
        issues: Vec::new(),
        loc: Loc::default(),
    };
    if !is_valid_key(&doc.slug) {
        c.at(
            "slug",
            format!(
                "slug `{}` chỉ được gồm chữ thường a-z, số 0-9 và dấu gạch nối đơn, tối đa 64 ký tự",
                doc.slug
            ),
            format!(
                "slug `{}` must be lowercase a-z, 0-9 and single hyphens, at most 64 characters",
                doc.slug
            ),
        );
    }
    let m = &doc.meta;
    c.text("title", &m.title, 200);
    c.text("title_en", &m.title_en, 200);
    c.text("summary", &m.summary, 1000);
    c.text("summary_en", &m.summary_en, 1000);
    c.one_of("language", &m.language, LANGUAGES);
    c.one_of("topic", &m.topic, TOPICS);
    c.one_of("level", &m.level, LEVELS);
    if m.groups.is_empty() {
        c.at(
            "groups",
            "`groups` phải nêu ít nhất một nhóm người học",
            "`groups` must name at least one learner group",
        );
    }
    let mut seen = HashSet::new();
    for g in &m.groups {
        c.one_of("groups", g, GROUPS);
        if !seen.insert(g) {
            c.at(
                "groups",
                format!("nhóm `{g}` được nêu hai lần"),
                format!("group `{g}` is listed twice"),
            );
        }
    }
    c.competences(&m.competences);
    if !(1..=10_000).contains(&m.estimated_minutes) {
        c.at(
            "estimated_minutes",
            "`estimated_minutes` phải từ 1 đến 10000",
            "`estimated_minutes` must be between 1 and 10000",
        );
    }
    if let Some(u) = &m.cover_image_url {
        c.url("cover_image_url", u);
    }
    if doc.modules.is_empty() {
        c.at(
            "modules",
            "khóa học chưa có phần nào",
            "the course has no module",
        );
    }

    let all_keys: HashSet<&str> = doc
        .modules
        .iter()
        .flat_map(|m| m.items.iter().map(|i| i.key()))
        .collect();
    let mut module_keys = HashSet::new();
    let mut item_keys = HashSet::new();
    for (mi, module) in doc.modules.iter().enumerate() {
        c.loc = Loc {
            module: Some(mi),
            ..Loc::default()
        };
        if !is_valid_key(&module.key) {
            c.at(
                "key",
                format!(
                    "mã phần `{}` chỉ được gồm chữ thường a-z, số 0-9 và dấu gạch nối đơn",
                    module.key
                ),
                format!(
                    "module key `{}` must be lowercase a-z, 0-9 and single hyphens",
                    module.key
                ),
            );
        }
        if !module_keys.insert(&module.key) {
            c.at(
                "key",
                format!("mã phần `{}` bị trùng", module.key),
                format!("duplicate module key `{}`", module.key),
            );
        }
        c.text("title", &module.meta.title, 200);
        c.text("title_en", &module.meta.title_en, 200);
        if module.items.is_empty() {
            c.at(
                "items",
                format!(
                    "phần `{}` còn trống: hãy thêm một bài học hoặc một bài kiểm tra",
                    module.key
                ),
                format!("module `{}` is empty: add a lesson or a quiz", module.key),
            );
        }
        for (ii, item) in module.items.iter().enumerate() {
            c.loc = Loc {
                module: Some(mi),
                item: Some(ii),
                ..Loc::default()
            };
            if !is_valid_key(item.key()) {
                c.at(
                    "key",
                    format!(
                        "mã `{}` chỉ được gồm chữ thường a-z, số 0-9 và dấu gạch nối đơn",
                        item.key()
                    ),
                    format!(
                        "key `{}` must be lowercase a-z, 0-9 and single hyphens",
                        item.key()
                    ),
                );
            }
            if !item_keys.insert(item.key()) {
                c.at(
                    "key",
                    format!(
                        "mã `{}` bị trùng: mã của các bài học và bài kiểm tra trong khóa học phải khác nhau",
                        item.key()
                    ),
                    format!(
                        "duplicate key `{}`: lesson and quiz keys must be unique in the course",
                        item.key()
                    ),
                );
            }
            match item {
                ItemDoc::Lesson(l) => lesson(&mut c, l, Some(&all_keys)),
                ItemDoc::Quiz(q) => quiz::quiz(&mut c, &q.spec, true),
            }
        }
    }
    c.issues
}

/// Problems of a course's metadata alone (drafts may still lack modules).
pub fn meta_issues(doc: &CourseDoc) -> Vec<Issue> {
    validate(doc)
        .into_iter()
        .filter(|i| i.loc.module.is_none() && i.loc.field != Some("modules"))
        .collect()
}

/// Problems of a module's own fields.
pub fn module_issues(m: &ModuleDoc) -> Vec<Issue> {
    let mut c = Checker {
        issues: Vec::new(),
        loc: Loc::default(),
    };
    if !is_valid_key(&m.key) {
        c.at(
            "key",
            format!(
                "mã phần `{}` chỉ được gồm chữ thường a-z, số 0-9 và dấu gạch nối đơn",
                m.key
            ),
            format!(
                "module key `{}` must be lowercase a-z, 0-9 and single hyphens",
                m.key
            ),
        );
    }
    c.text("title", &m.meta.title, 200);
    c.text("title_en", &m.meta.title_en, 200);
    c.issues
}

/// Problems of a draft lesson on its own (sources and links are checked at publish).
pub fn lesson_issues(l: &LessonDoc) -> Vec<Issue> {
    let mut c = Checker {
        issues: Vec::new(),
        loc: Loc::default(),
    };
    if !is_valid_key(&l.key) {
        c.at(
            "key",
            format!(
                "mã `{}` chỉ được gồm chữ thường a-z, số 0-9 và dấu gạch nối đơn",
                l.key
            ),
            format!(
                "key `{}` must be lowercase a-z, 0-9 and single hyphens",
                l.key
            ),
        );
    }
    lesson(&mut c, l, None);
    c.issues
}

fn lesson(c: &mut Checker, l: &LessonDoc, keys: Option<&HashSet<&str>>) {
    let m = &l.meta;
    c.text("title", &m.title, 200);
    c.text("title_en", &m.title_en, 200);
    if !(1..=600).contains(&m.estimated_minutes) {
        c.at(
            "estimated_minutes",
            "`estimated_minutes` phải từ 1 đến 600",
            "`estimated_minutes` must be between 1 and 600",
        );
    }
    c.competences(&m.competences);
    if m.sources.is_empty() && keys.is_some() {
        c.at(
            "sources",
            "bài học cần ít nhất một nguồn ([[sources]] có title và url)",
            "a lesson needs at least one source ([[sources]] with title and url)",
        );
    }
    for s in &m.sources {
        if s.title.trim().is_empty() {
            c.at(
                "sources",
                "một nguồn chưa có tiêu đề",
                "a source has an empty title",
            );
        }
        c.url("sources", &s.url);
        if let Some(a) = &s.accessed {
            if chrono::NaiveDate::parse_from_str(a, "%Y-%m-%d").is_err() {
                c.at(
                    "sources",
                    format!("ngày truy cập `{a}` không theo dạng YYYY-MM-DD"),
                    format!("accessed date `{a}` is not YYYY-MM-DD"),
                );
            }
        }
    }
    if let Some(v) = &m.video_url {
        c.url("video_url", v);
        if m.transcript.as_deref().is_none_or(|t| t.trim().is_empty()) {
            c.at(
                "transcript",
                "bài học có video cần có lời thoại (transcript)",
                "a lesson with a video needs its transcript",
            );
        }
    }
    if l.body.trim().is_empty() {
        c.at(
            "body",
            "nội dung bài học đang trống",
            "the lesson body is empty",
        );
    }
    if l.body.len() > MAX_BODY_BYTES {
        c.at(
            "body",
            format!("nội dung bài học lớn hơn {MAX_BODY_BYTES} byte"),
            format!("the lesson body is larger than {MAX_BODY_BYTES} bytes"),
        );
    }
    let Some(keys) = keys else { return };
    for target in internal_links(&l.body) {
        if !keys.contains(target.as_str()) {
            c.at(
                "body",
                format!("liên kết nội bộ `lesson:{target}` bị hỏng: không có bài học hay bài kiểm tra nào mang mã này"),
                format!("broken internal link `lesson:{target}`: no lesson or quiz has this key"),
            );
        }
    }
}

/// Keys named by `](lesson:KEY)` links in Markdown.
pub fn internal_links(body: &str) -> Vec<String> {
    body.match_indices("](lesson:")
        .map(|(i, m)| {
            body[i + m.len()..]
                .chars()
                .take_while(|c| *c != ')' && *c != '#' && !c.is_whitespace())
                .collect()
        })
        .collect()
}
