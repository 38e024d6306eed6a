use std::collections::BTreeMap;

use super::quiz::question;
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

/// The sample with six problems: an unknown topic and competence, a lesson without sources
/// and with a broken internal link, a second module `m1` (a duplicate key) that is empty.
fn with_problems() -> CourseDoc {
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
    doc
}

#[test]
fn every_problem_is_reported() {
    let doc = with_problems();
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

#[test]
fn every_problem_is_told_in_vietnamese_too() {
    let mut doc = with_problems();
    doc.meta.title.clear();
    let issues = validate(&doc);
    assert!(issues.len() >= 6, "{issues:?}");
    for i in &issues {
        assert!(
            !i.message_vi.is_empty() && i.message_vi != i.message,
            "{i:?}"
        );
    }
    let vi: Vec<&str> = issues.iter().map(|i| i.message_vi.as_str()).collect();
    assert!(vi.contains(&"`title` không được để trống"), "{vi:?}");
    assert!(vi.contains(&"mã phần `m1` bị trùng"), "{vi:?}");
    // The API's (English) words are as they were.
    assert!(issues
        .iter()
        .any(|i| i.message == "`title` must not be empty"));
}
