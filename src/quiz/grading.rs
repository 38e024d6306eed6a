//! Grading, pure and unit-tested: each question's credit (partial credit included), the wrong
//! answer kept for statistics, the score of a paper, the right answer in an attempt's ids, and
//! when the answers are revealed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::answers::{Answer, MatchPair};
use super::paper::{Paper, PaperQuestion};
use super::{QuestionKind, ShowAnswers};
use crate::content::normalize_text;

/// The grading of one question.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct QuestionResult {
    pub question: String,
    pub correct: bool,
    /// 0 to 1; below 1 only with partial credit.
    pub credit: f64,
    /// Explanation, when the quiz shows answers (not stored: see [`Paper::explained`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// The right answer in this attempt's ids, when the quiz shows answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub solution: Option<Answer>,
}

/// What grading found, also kept for statistics: the question's key, and the text of the wrong
/// option chosen (for "most chosen wrong answer").
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Graded {
    pub key: String,
    pub result: QuestionResult,
    pub wrong_answer: Option<String>,
}

/// The right answer to a drawn question, in the attempt's ids.
pub fn solution(q: &PaperQuestion) -> Answer {
    let mut a = Answer::to(q.id.clone());
    match q.kind {
        QuestionKind::Single => {
            a.choice = q
                .options
                .iter()
                .find(|o| q.spec.choices[o.index].correct)
                .map(|o| o.id.clone());
        }
        QuestionKind::Multiple => {
            a.choices = Some(
                q.options
                    .iter()
                    .filter(|o| q.spec.choices[o.index].correct)
                    .map(|o| o.id.clone())
                    .collect(),
            );
        }
        QuestionKind::TrueFalse => a.value = q.spec.answer,
        QuestionKind::ShortText => a.text = q.spec.accepted.first().cloned(),
        QuestionKind::Ordering => {
            let mut opts = q.options.clone();
            opts.sort_by_key(|o| o.index);
            a.order = Some(opts.into_iter().map(|o| o.id).collect());
        }
        QuestionKind::Matching => {
            a.matches = Some(
                q.options
                    .iter()
                    .filter_map(|l| {
                        q.rights
                            .iter()
                            .find(|r| r.index == l.index)
                            .map(|r| MatchPair {
                                left: l.id.clone(),
                                right: r.id.clone(),
                            })
                    })
                    .collect(),
            );
        }
    }
    a
}

/// Grades one question (an unanswered question earns nothing).
pub fn grade_question(q: &PaperQuestion, a: Option<&Answer>) -> Graded {
    let index_of = |id: &str| q.options.iter().find(|o| o.id == id).map(|o| o.index);
    let (credit, wrong): (f64, Option<String>) = match (q.kind, a) {
        (_, None) => (0.0, None),
        (QuestionKind::Single, Some(a)) => {
            let i = a.choice.as_deref().and_then(index_of);
            match i {
                Some(i) if q.spec.choices[i].correct => (1.0, None),
                Some(i) => (0.0, Some(q.spec.choices[i].text.clone())),
                None => (0.0, None),
            }
        }
        (QuestionKind::Multiple, Some(a)) => {
            let chosen: Vec<usize> = a
                .choices
                .iter()
                .flatten()
                .filter_map(|c| index_of(c))
                .collect();
            let correct_total = q.spec.choices.iter().filter(|c| c.correct).count().max(1) as f64;
            let right = chosen
                .iter()
                .filter(|i| q.spec.choices[**i].correct)
                .count() as f64;
            let wrong_picks: Vec<&usize> = chosen
                .iter()
                .filter(|i| !q.spec.choices[**i].correct)
                .collect();
            let exact = right == correct_total && wrong_picks.is_empty();
            let credit = if exact {
                1.0
            } else if q.spec.partial_credit {
                ((right - wrong_picks.len() as f64) / correct_total).max(0.0)
            } else {
                0.0
            };
            (
                credit,
                wrong_picks
                    .first()
                    .map(|i| q.spec.choices[**i].text.clone()),
            )
        }
        (QuestionKind::TrueFalse, Some(a)) => {
            if a.value == q.spec.answer {
                (1.0, None)
            } else {
                (0.0, a.value.map(|v| v.to_string()))
            }
        }
        (QuestionKind::ShortText, Some(a)) => {
            let given = normalize_text(a.text.as_deref().unwrap_or(""), q.spec.ignore_diacritics);
            let ok = !given.is_empty()
                && q.spec
                    .accepted
                    .iter()
                    .any(|acc| normalize_text(acc, q.spec.ignore_diacritics) == given);
            if ok {
                (1.0, None)
            } else {
                (0.0, Some(given))
            }
        }
        (QuestionKind::Ordering, Some(a)) => {
            let indices: Vec<Option<usize>> =
                a.order.iter().flatten().map(|id| index_of(id)).collect();
            let ok = indices.len() == q.spec.items.len()
                && indices.iter().enumerate().all(|(pos, i)| *i == Some(pos));
            (if ok { 1.0 } else { 0.0 }, None)
        }
        (QuestionKind::Matching, Some(a)) => {
            let right_index = |id: &str| q.rights.iter().find(|o| o.id == id).map(|o| o.index);
            let matches = a.matches.as_deref().unwrap_or(&[]);
            let good = matches
                .iter()
                .filter(|m| {
                    index_of(&m.left).is_some() && index_of(&m.left) == right_index(&m.right)
                })
                .count();
            (if good == q.spec.pairs.len() { 1.0 } else { 0.0 }, None)
        }
    };
    Graded {
        key: q.spec.key.clone(),
        result: QuestionResult {
            question: q.id.clone(),
            correct: credit >= 1.0,
            credit,
            explanation: None,
            solution: None,
        },
        wrong_answer: wrong,
    }
}

/// Grades a paper: per-question results and the score in percent (0–100).
pub fn grade(paper: &Paper, answers: &BTreeMap<String, Answer>) -> (Vec<Graded>, f64) {
    let graded: Vec<Graded> = paper
        .questions
        .iter()
        .map(|q| grade_question(q, answers.get(&q.id)))
        .collect();
    let total: f64 = graded.iter().map(|g| g.result.credit).sum();
    let score = if graded.is_empty() {
        0.0
    } else {
        (total / graded.len() as f64 * 10000.0).round() / 100.0
    };
    (graded, score)
}

/// Whether the answers are shown after this attempt.
pub fn reveal(show_answers: ShowAnswers, passed: bool, attempts_left: Option<u32>) -> bool {
    match show_answers {
        ShowAnswers::AfterAttempt => true,
        ShowAnswers::AfterPass => passed,
        ShowAnswers::AfterLastAttempt => passed || attempts_left == Some(0),
        ShowAnswers::Never => false,
    }
}
