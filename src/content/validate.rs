//! The rules every course must meet before it is published, shared by the file validator, the
//! importer and `POST /courses/{slug}/publish`.

use std::collections::{BTreeMap, HashSet};

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
    pub message: String,
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
    fn at(&mut self, field: &'static str, message: impl Into<String>) {
        let mut loc = self.loc.clone();
        loc.field = Some(field);
        self.issues.push(Issue {
            loc,
            message: message.into(),
        });
    }
    fn text(&mut self, field: &'static str, value: &str, max: usize) {
        let n = value.trim().chars().count();
        if n == 0 {
            self.at(field, format!("`{field}` must not be empty"));
        } else if n > max {
            self.at(field, format!("`{field}` is longer than {max} characters"));
        }
    }
    fn one_of(&mut self, field: &'static str, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.at(
                field,
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
            self.at(field, format!("`{value}` is not an http(s) URL"));
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
        c.at("groups", "`groups` must name at least one learner group");
    }
    let mut seen = HashSet::new();
    for g in &m.groups {
        c.one_of("groups", g, GROUPS);
        if !seen.insert(g) {
            c.at("groups", format!("group `{g}` is listed twice"));
        }
    }
    c.competences(&m.competences);
    if !(1..=10_000).contains(&m.estimated_minutes) {
        c.at(
            "estimated_minutes",
            "`estimated_minutes` must be between 1 and 10000",
        );
    }
    if let Some(u) = &m.cover_image_url {
        c.url("cover_image_url", u);
    }
    if doc.modules.is_empty() {
        c.at("modules", "the course has no module");
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
                    "module key `{}` must be lowercase a-z, 0-9 and single hyphens",
                    module.key
                ),
            );
        }
        if !module_keys.insert(&module.key) {
            c.at("key", format!("duplicate module key `{}`", module.key));
        }
        c.text("title", &module.meta.title, 200);
        c.text("title_en", &module.meta.title_en, 200);
        if module.items.is_empty() {
            c.at(
                "items",
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
                        "key `{}` must be lowercase a-z, 0-9 and single hyphens",
                        item.key()
                    ),
                );
            }
            if !item_keys.insert(item.key()) {
                c.at(
                    "key",
                    format!(
                        "duplicate key `{}`: lesson and quiz keys must be unique in the course",
                        item.key()
                    ),
                );
            }
            match item {
                ItemDoc::Lesson(l) => lesson(&mut c, l, Some(&all_keys)),
                ItemDoc::Quiz(q) => quiz(&mut c, &q.spec, true),
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
            "`estimated_minutes` must be between 1 and 600",
        );
    }
    c.competences(&m.competences);
    if m.sources.is_empty() && keys.is_some() {
        c.at(
            "sources",
            "a lesson needs at least one source ([[sources]] with title and url)",
        );
    }
    for s in &m.sources {
        if s.title.trim().is_empty() {
            c.at("sources", "a source has an empty title");
        }
        c.url("sources", &s.url);
        if let Some(a) = &s.accessed {
            if chrono::NaiveDate::parse_from_str(a, "%Y-%m-%d").is_err() {
                c.at("sources", format!("accessed date `{a}` is not YYYY-MM-DD"));
            }
        }
    }
    if let Some(v) = &m.video_url {
        c.url("video_url", v);
        if m.transcript.as_deref().is_none_or(|t| t.trim().is_empty()) {
            c.at("transcript", "a lesson with a video needs its transcript");
        }
    }
    if l.body.trim().is_empty() {
        c.at("body", "the lesson body is empty");
    }
    if l.body.len() > MAX_BODY_BYTES {
        c.at(
            "body",
            format!("the lesson body is larger than {MAX_BODY_BYTES} bytes"),
        );
    }
    let Some(keys) = keys else { return };
    for target in internal_links(&l.body) {
        if !keys.contains(target.as_str()) {
            c.at(
                "body",
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

/// Problems of a quiz being authored; pool size and quotas are checked at publish
/// (`complete = true`) when the pool may still be growing.
pub fn quiz_issues(key: &str, q: &QuizSpec, complete: bool) -> Vec<Issue> {
    let mut c = Checker {
        issues: Vec::new(),
        loc: Loc::default(),
    };
    if !is_valid_key(key) {
        c.at(
            "key",
            format!("key `{key}` must be lowercase a-z, 0-9 and single hyphens"),
        );
    }
    quiz(&mut c, q, complete);
    c.issues
}

fn quiz(c: &mut Checker, q: &QuizSpec, complete: bool) {
    c.text("title", &q.title, 200);
    if !(1..=100).contains(&q.pass_mark) {
        c.at("pass_mark", "`pass_mark` is a percentage between 1 and 100");
    }
    c.one_of("show_answers", &q.show_answers, SHOW_ANSWERS);
    let pool = q.questions.len() as u32;
    if q.questions_per_attempt == 0 {
        c.at(
            "questions_per_attempt",
            "`questions_per_attempt` must be at least 1",
        );
    } else if q.questions_per_attempt > pool && complete {
        c.at(
            "questions_per_attempt",
            format!(
                "the pool has {pool} questions, fewer than questions_per_attempt = {}",
                q.questions_per_attempt
            ),
        );
    }
    if q.time_limit_seconds == Some(0) {
        c.at(
            "time_limit_seconds",
            "`time_limit_seconds` must be positive (leave it out for no limit)",
        );
    }
    // The bounds the API document states (a quiz of ~30 years at most, a million attempts).
    let too_large: [(&'static str, u64, u64); 4] = [
        (
            "questions_per_attempt",
            u64::from(q.questions_per_attempt),
            MAX_COUNT,
        ),
        ("max_attempts", u64::from(q.max_attempts), MAX_COUNT),
        (
            "cooldown_seconds",
            u64::from(q.cooldown_seconds),
            MAX_SECONDS,
        ),
        (
            "time_limit_seconds",
            u64::from(q.time_limit_seconds.unwrap_or(0)),
            MAX_SECONDS,
        ),
    ];
    for (field, value, max) in too_large {
        if value > max {
            c.at(field, format!("`{field}` is at most {max}"));
        }
    }
    let mut tag_counts: BTreeMap<&str, u32> = BTreeMap::new();
    for question in &q.questions {
        for t in &question.tags {
            *tag_counts.entry(t.as_str()).or_default() += 1;
        }
    }
    // u64: quotas near u32::MAX must not overflow the sum (found by reading, confirmed by fuzzing).
    let mut quota_total: u64 = 0;
    for (tag, n) in &q.quotas {
        quota_total += u64::from(*n);
        let have = tag_counts.get(tag.as_str()).copied().unwrap_or(0);
        if *n > have && complete {
            c.at(
                "quotas",
                format!("quota {tag} = {n} but only {have} questions have the tag `{tag}`"),
            );
        }
    }
    if quota_total > u64::from(q.questions_per_attempt) {
        c.at(
            "quotas",
            "the quotas add up to more than questions_per_attempt",
        );
    }
    let mut keys = HashSet::new();
    for (qi, question) in q.questions.iter().enumerate() {
        let saved = c.loc.clone();
        c.loc.question = Some(qi);
        if !is_valid_key(&question.key) {
            c.at(
                "key",
                format!(
                    "question key `{}` must be lowercase a-z, 0-9 and single hyphens",
                    question.key
                ),
            );
        }
        if !keys.insert(&question.key) {
            c.at("key", format!("duplicate question key `{}`", question.key));
        }
        self::question(c, question);
        c.loc = saved;
    }
}

fn question(c: &mut Checker, q: &Question) {
    c.text("prompt", &q.prompt, 5000);
    c.text("explanation", &q.explanation, 5000);
    c.competences(&q.competences);
    if let Some(u) = &q.image_url {
        c.url("image_url", u);
    }
    c.one_of("type", &q.kind, QUESTION_TYPES);
    let correct = q.choices.iter().filter(|ch| ch.correct).count();
    let choices_ok = |c: &mut Checker| {
        if !(2..=8).contains(&q.choices.len()) {
            c.at("choices", "a choice question needs 2 to 8 choices");
        }
        for ch in &q.choices {
            if ch.text.trim().is_empty() {
                c.at("choices", "a choice has no text");
            }
        }
        let distinct: HashSet<&str> = q.choices.iter().map(|ch| ch.text.trim()).collect();
        if distinct.len() != q.choices.len() {
            c.at("choices", "two choices have the same text");
        }
    };
    match q.kind.as_str() {
        "single" => {
            choices_ok(c);
            if correct != 1 {
                c.at("choices", format!("a single-choice question needs exactly one correct choice, found {correct}"));
            }
        }
        "multiple" => {
            choices_ok(c);
            if correct == 0 {
                c.at(
                    "choices",
                    "a multiple-choice question needs at least one correct choice",
                );
            } else if correct == q.choices.len() {
                c.at(
                    "choices",
                    "every choice of this multiple-choice question is correct: add choices that are wrong",
                );
            }
        }
        "true_false" if q.answer.is_none() => {
            c.at(
                "answer",
                "a true_false question needs `answer = true` or `answer = false`",
            );
        }
        "short_text" => {
            if q.accepted.is_empty() {
                c.at(
                    "accepted",
                    "a short_text question needs at least one accepted answer",
                );
            }
            if q.accepted
                .iter()
                .any(|a| super::normalize_text(a, q.ignore_diacritics).is_empty())
            {
                c.at(
                    "accepted",
                    "an accepted answer is empty once spaces are trimmed: no answer could match it",
                );
            }
        }
        "ordering" => {
            if !(2..=10).contains(&q.items.len()) {
                c.at("items", "an ordering question needs 2 to 10 items");
            }
            let distinct: HashSet<&str> = q.items.iter().map(|s| s.trim()).collect();
            if distinct.len() != q.items.len() {
                c.at("items", "two items have the same text");
            }
        }
        "matching" => {
            if !(3..=8).contains(&q.pairs.len()) {
                c.at(
                    "pairs",
                    "a matching question needs 3 to 8 pairs (with two, the second follows from the first)",
                );
            }
            let lefts: HashSet<&str> = q.pairs.iter().map(|p| p.left.trim()).collect();
            let rights: HashSet<&str> = q.pairs.iter().map(|p| p.right.trim()).collect();
            if lefts.len() != q.pairs.len() || rights.len() != q.pairs.len() {
                c.at("pairs", "two pairs share a left or a right side");
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn sample() -> CourseDoc {
        CourseDoc {
            slug: "mau".into(),
            meta: CourseMeta {
                title: "Khóa mẫu".into(),
                title_en: "Sample".into(),
                summary: "Tóm tắt".into(),
                summary_en: "Summary".into(),
                language: "vi".into(),
                topic: "basic_skills".into(),
                level: "basic".into(),
                groups: vec!["citizen".into()],
                competences: vec!["1.1".into()],
                estimated_minutes: 10,
                strict_order: false,
                cover_image_url: None,
            },
            modules: vec![ModuleDoc {
                key: "m1".into(),
                meta: ModuleMeta {
                    title: "Mô-đun".into(),
                    title_en: "Module".into(),
                    summary: String::new(),
                    summary_en: String::new(),
                },
                items: vec![ItemDoc::Lesson(LessonDoc {
                    key: "bai-1".into(),
                    meta: LessonMeta {
                        title: "Bài 1".into(),
                        title_en: "Lesson 1".into(),
                        estimated_minutes: 5,
                        competences: vec!["1.1".into()],
                        optional: false,
                        video_url: None,
                        transcript: None,
                        sources: vec![Source {
                            title: "Nguồn".into(),
                            url: "https://example.vn".into(),
                            accessed: None,
                        }],
                    },
                    body: "Xin chào [tiếp](lesson:bai-1).".into(),
                })],
            }],
        }
    }

    #[test]
    fn a_good_course_has_no_issue() {
        assert_eq!(validate(&sample()), vec![]);
    }

    #[test]
    fn quotas_near_the_integer_limit_are_refused_not_overflowed() {
        // Found by reading for the fuzz targets: the sum used to overflow a u32 and panic.
        let spec = QuizSpec {
            title: "Kiểm tra".into(),
            title_en: "Check".into(),
            pass_mark: 50,
            questions_per_attempt: 1,
            shuffle_questions: true,
            shuffle_choices: true,
            max_attempts: 0,
            cooldown_seconds: 0,
            time_limit_seconds: None,
            show_answers: "after_attempt".into(),
            optional: false,
            quotas: [("a".to_string(), u32::MAX), ("b".to_string(), 1)].into(),
            questions: vec![],
        };
        let issues = quiz_issues("kiem-tra", &spec, false);
        assert!(issues.iter().any(|i| i
            .message
            .contains("the quotas add up to more than questions_per_attempt")));
    }

    #[test]
    fn every_problem_is_reported() {
        let mut doc = sample();
        doc.meta.topic = "cooking".into();
        doc.meta.competences.push("9.9".into());
        if let ItemDoc::Lesson(l) = &mut doc.modules[0].items[0] {
            l.meta.sources.clear();
            l.body = "Xem [bài khác](lesson:khong-co).".into();
        }
        doc.modules.push(ModuleDoc {
            key: "m1".into(),
            meta: doc.modules[0].meta.clone(),
            items: vec![],
        });
        let issues = validate(&doc);
        let text: Vec<String> = issues
            .iter()
            .map(|i| format!("{}: {}", i.path(), i.message))
            .collect();
        let all = text.join("\n");
        assert!(all.contains("topic: unknown topic `cooking`"), "{all}");
        assert!(all.contains("unknown competence code `9.9`"), "{all}");
        assert!(all.contains("modules[0].items[0].sources"), "{all}");
        assert!(
            all.contains("broken internal link `lesson:khong-co`"),
            "{all}"
        );
        assert!(all.contains("duplicate module key `m1`"), "{all}");
        assert!(all.contains("module `m1` is empty"), "{all}");
    }

    #[test]
    fn quiz_rules() {
        let mut doc = sample();
        let q = |kind: &str| Question {
            key: format!("q-{kind}"),
            kind: kind.into(),
            prompt: "Hỏi?".into(),
            explanation: "Vì.".into(),
            competences: vec![],
            tags: vec![],
            image_url: None,
            choices: vec![
                Choice {
                    text: "A".into(),
                    correct: false,
                },
                Choice {
                    text: "B".into(),
                    correct: false,
                },
            ],
            partial_credit: false,
            answer: None,
            accepted: vec![],
            ignore_diacritics: false,
            items: vec!["x".into()],
            pairs: vec![],
        };
        let mut quotas = BTreeMap::new();
        quotas.insert("otp".to_string(), 1);
        doc.modules[0].items.push(ItemDoc::Quiz(QuizDoc {
            key: "kiem-tra".into(),
            spec: QuizSpec {
                title: "Kiểm tra".into(),
                title_en: "Check".into(),
                pass_mark: 150,
                questions_per_attempt: 9,
                shuffle_questions: true,
                shuffle_choices: true,
                max_attempts: 0,
                cooldown_seconds: 0,
                time_limit_seconds: None,
                show_answers: "after_attempt".into(),
                optional: false,
                quotas,
                questions: vec![
                    q("single"),
                    q("true_false"),
                    q("ordering"),
                    q("short_text"),
                    q("matching"),
                ],
            },
        }));
        let all: Vec<String> = validate(&doc)
            .iter()
            .map(|i| format!("{}: {}", i.path(), i.message))
            .collect();
        let all = all.join("\n");
        for expected in [
            "pass_mark",
            "fewer than questions_per_attempt = 9",
            "only 0 questions have the tag `otp`",
            "questions[0].choices: a single-choice question needs exactly one correct choice, found 0",
            "questions[1].answer",
            "questions[2].items",
            "questions[3].accepted",
            "questions[4].pairs",
        ] {
            assert!(all.contains(expected), "missing {expected} in\n{all}");
        }
    }

    #[test]
    fn urls_in_plain_form() {
        for good in [
            "https://www.24h.com.vn/a-b_c.html?x=1#y",
            "http://1cuacaphuyen.cantho.gov.vn/huong-dan/220-313",
            "https://xn--vit-nam-g1a.vn",
            "http://a.b:8080",
            "https://A",
        ] {
            assert!(is_plain_http_url(good), "{good}");
        }
        for bad in [
            "https://k.f-l-XInf*",
            "ftp://a.vn",
            "https://1.2.3.4/",
            "https://a..vn",
            "https://-a.vn",
            "https://a.vn:123456",
            "https://a.vn/ b",
            "https://bà.vn",
            "https://",
        ] {
            assert!(!is_plain_http_url(bad), "{bad}");
        }
    }

    #[test]
    fn quiz_settings_within_the_documented_bounds() {
        let spec = QuizSpec {
            title: "Kiểm tra".into(),
            title_en: "Check".into(),
            pass_mark: 60,
            questions_per_attempt: 1,
            shuffle_questions: true,
            shuffle_choices: true,
            max_attempts: MAX_COUNT as u32 + 1,
            cooldown_seconds: MAX_SECONDS as u32,
            time_limit_seconds: Some(MAX_SECONDS as u32 + 1),
            show_answers: "after_attempt".into(),
            optional: false,
            quotas: BTreeMap::new(),
            questions: vec![],
        };
        let all: Vec<String> = quiz_issues("kiem-tra", &spec, false)
            .into_iter()
            .map(|i| i.message)
            .collect();
        assert!(
            all.iter()
                .any(|m| m.contains("`time_limit_seconds` is at most")),
            "{all:?}"
        );
        assert!(
            all.iter().any(|m| m.contains("`max_attempts` is at most")),
            "{all:?}"
        );
        assert!(
            !all.iter().any(|m| m.contains("`cooldown_seconds`")),
            "{all:?}"
        );
    }

    #[test]
    fn what_a_machine_can_see_of_a_bad_item() {
        let base = Question {
            key: "q".into(),
            kind: "multiple".into(),
            prompt: "Hỏi?".into(),
            explanation: "Vì.".into(),
            competences: vec![],
            tags: vec![],
            image_url: None,
            choices: ["A", "B", "C"]
                .iter()
                .map(|t| Choice {
                    text: t.to_string(),
                    correct: true,
                })
                .collect(),
            partial_credit: false,
            answer: None,
            accepted: vec![],
            ignore_diacritics: true,
            items: vec![],
            pairs: vec![],
        };
        let problems = |q: &Question| -> String {
            let mut c = Checker {
                issues: Vec::new(),
                loc: Loc::default(),
            };
            question(&mut c, q);
            c.issues
                .iter()
                .map(|i| format!("{}: {}", i.path(), i.message))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert!(
            problems(&base).contains("every choice"),
            "{}",
            problems(&base)
        );
        let mut one_wrong = base.clone();
        one_wrong.choices[2].correct = false;
        assert_eq!(problems(&one_wrong), "");

        let mut short = base.clone();
        short.kind = "short_text".into();
        short.accepted = vec!["@".into()];
        assert_eq!(problems(&short), "");
        short.accepted.push("   ".into());
        assert!(
            problems(&short).contains("accepted"),
            "{}",
            problems(&short)
        );

        let mut matching = base.clone();
        matching.kind = "matching".into();
        let pair = |l: &str, r: &str| Pair {
            left: l.into(),
            right: r.into(),
        };
        matching.pairs = vec![pair("a", "1"), pair("b", "2")];
        assert!(
            problems(&matching).contains("3 to 8 pairs"),
            "{}",
            problems(&matching)
        );
        matching.pairs.push(pair("c", "3"));
        assert_eq!(problems(&matching), "");
    }
}
