//! The rules of a quiz and of its questions: its settings within the documented bounds, the pool
//! and the tag quotas, and what each question type needs.

use std::collections::{BTreeMap, HashSet};

use super::{Checker, Issue, Loc, MAX_COUNT, MAX_SECONDS};
use crate::content::{
    is_valid_key, normalize_text, Question, QuizSpec, QUESTION_TYPES, SHOW_ANSWERS,
};

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
            format!("mã `{key}` chỉ được gồm chữ thường a-z, số 0-9 và dấu gạch nối đơn"),
            format!("key `{key}` must be lowercase a-z, 0-9 and single hyphens"),
        );
    }
    quiz(&mut c, q, complete);
    c.issues
}

pub(super) fn quiz(c: &mut Checker, q: &QuizSpec, complete: bool) {
    c.text("title", &q.title, 200);
    if !(1..=100).contains(&q.pass_mark) {
        c.at(
            "pass_mark",
            "`pass_mark` là phần trăm từ 1 đến 100",
            "`pass_mark` is a percentage between 1 and 100",
        );
    }
    c.one_of("show_answers", &q.show_answers, SHOW_ANSWERS);
    let pool = q.questions.len() as u32;
    if q.questions_per_attempt == 0 {
        c.at(
            "questions_per_attempt",
            "`questions_per_attempt` phải ít nhất là 1",
            "`questions_per_attempt` must be at least 1",
        );
    } else if q.questions_per_attempt > pool && complete {
        c.at(
            "questions_per_attempt",
            format!(
                "ngân hàng chỉ có {pool} câu hỏi, ít hơn questions_per_attempt = {}",
                q.questions_per_attempt
            ),
            format!(
                "the pool has {pool} questions, fewer than questions_per_attempt = {}",
                q.questions_per_attempt
            ),
        );
    }
    if q.time_limit_seconds == Some(0) {
        c.at(
            "time_limit_seconds",
            "`time_limit_seconds` phải lớn hơn 0 (bỏ đi nếu không giới hạn thời gian)",
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
            c.at(
                field,
                format!("`{field}` tối đa là {max}"),
                format!("`{field}` is at most {max}"),
            );
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
                format!("hạn mức {tag} = {n} nhưng chỉ {have} câu hỏi có nhãn `{tag}`"),
                format!("quota {tag} = {n} but only {have} questions have the tag `{tag}`"),
            );
        }
    }
    if quota_total > u64::from(q.questions_per_attempt) {
        c.at(
            "quotas",
            "tổng các hạn mức lớn hơn questions_per_attempt",
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
                    "mã câu hỏi `{}` chỉ được gồm chữ thường a-z, số 0-9 và dấu gạch nối đơn",
                    question.key
                ),
                format!(
                    "question key `{}` must be lowercase a-z, 0-9 and single hyphens",
                    question.key
                ),
            );
        }
        if !keys.insert(&question.key) {
            c.at(
                "key",
                format!("mã câu hỏi `{}` bị trùng", question.key),
                format!("duplicate question key `{}`", question.key),
            );
        }
        self::question(c, question);
        c.loc = saved;
    }
}

pub(super) fn question(c: &mut Checker, q: &Question) {
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
            c.at(
                "choices",
                "câu hỏi lựa chọn cần từ 2 đến 8 phương án",
                "a choice question needs 2 to 8 choices",
            );
        }
        for ch in &q.choices {
            if ch.text.trim().is_empty() {
                c.at(
                    "choices",
                    "một phương án chưa có nội dung",
                    "a choice has no text",
                );
            }
        }
        let distinct: HashSet<&str> = q.choices.iter().map(|ch| ch.text.trim()).collect();
        if distinct.len() != q.choices.len() {
            c.at(
                "choices",
                "hai phương án có nội dung giống nhau",
                "two choices have the same text",
            );
        }
    };
    match q.kind.as_str() {
        "single" => {
            choices_ok(c);
            if correct != 1 {
                c.at("choices", format!("câu hỏi một lựa chọn cần đúng một phương án đúng, đang có {correct}"), format!("a single-choice question needs exactly one correct choice, found {correct}"));
            }
        }
        "multiple" => {
            choices_ok(c);
            if correct == 0 {
                c.at(
                    "choices",
                    "câu hỏi nhiều lựa chọn cần ít nhất một phương án đúng",
                    "a multiple-choice question needs at least one correct choice",
                );
            } else if correct == q.choices.len() {
                c.at(
                    "choices",
                    "mọi phương án của câu hỏi nhiều lựa chọn này đều đúng: hãy thêm phương án sai",
                    "every choice of this multiple-choice question is correct: add choices that are wrong",
                );
            }
        }
        "true_false" if q.answer.is_none() => {
            c.at(
                "answer",
                "câu hỏi đúng/sai cần `answer = true` hoặc `answer = false`",
                "a true_false question needs `answer = true` or `answer = false`",
            );
        }
        "short_text" => {
            if q.accepted.is_empty() {
                c.at(
                    "accepted",
                    "câu hỏi trả lời ngắn cần ít nhất một đáp án được chấp nhận",
                    "a short_text question needs at least one accepted answer",
                );
            }
            if q.accepted
                .iter()
                .any(|a| normalize_text(a, q.ignore_diacritics).is_empty())
            {
                c.at(
                    "accepted",
                    "một đáp án được chấp nhận chỉ toàn khoảng trắng: không câu trả lời nào khớp được",
                    "an accepted answer is empty once spaces are trimmed: no answer could match it",
                );
            }
        }
        "ordering" => {
            if !(2..=10).contains(&q.items.len()) {
                c.at(
                    "items",
                    "câu hỏi sắp xếp cần từ 2 đến 10 mục",
                    "an ordering question needs 2 to 10 items",
                );
            }
            let distinct: HashSet<&str> = q.items.iter().map(|s| s.trim()).collect();
            if distinct.len() != q.items.len() {
                c.at(
                    "items",
                    "hai mục có nội dung giống nhau",
                    "two items have the same text",
                );
            }
        }
        "matching" => {
            if !(3..=8).contains(&q.pairs.len()) {
                c.at(
                    "pairs",
                    "câu hỏi ghép đôi cần từ 3 đến 8 cặp (với hai cặp, cặp thứ hai suy ra từ cặp đầu)",
                    "a matching question needs 3 to 8 pairs (with two, the second follows from the first)",
                );
            }
            let lefts: HashSet<&str> = q.pairs.iter().map(|p| p.left.trim()).collect();
            let rights: HashSet<&str> = q.pairs.iter().map(|p| p.right.trim()).collect();
            if lefts.len() != q.pairs.len() || rights.len() != q.pairs.len() {
                c.at(
                    "pairs",
                    "hai cặp trùng vế trái hoặc vế phải",
                    "two pairs share a left or a right side",
                );
            }
        }
        _ => {}
    }
}
