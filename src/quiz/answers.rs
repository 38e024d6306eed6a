//! An answer as a learner gives it, and its check against the attempt's paper.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::paper::{Paper, ShownQuestion};
use super::QuestionKind;

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MatchPair {
    pub left: String,
    pub right: String,
}

/// One answer. Give the field that fits the question's type: `choice` (single), `choices`
/// (multiple), `value` (true_false), `text` (short_text), `order` (ordering: every item id once),
/// `matches` (matching).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub question: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matches: Option<Vec<MatchPair>>,
}

impl Answer {
    /// An answer to `question` that gives nothing yet (fill in the field of its type).
    pub fn to(question: impl Into<String>) -> Self {
        Answer {
            question: question.into(),
            choice: None,
            choices: None,
            value: None,
            text: None,
            order: None,
            matches: None,
        }
    }

    /// Whether any field is given.
    pub fn is_given(&self) -> bool {
        !self.fields_given().is_empty()
    }

    fn fields_given(&self) -> Vec<&'static str> {
        let mut f = Vec::new();
        if self.choice.is_some() {
            f.push("choice");
        }
        if self.choices.is_some() {
            f.push("choices");
        }
        if self.value.is_some() {
            f.push("value");
        }
        if self.text.is_some() {
            f.push("text");
        }
        if self.order.is_some() {
            f.push("order");
        }
        if self.matches.is_some() {
            f.push("matches");
        }
        f
    }
}

/// What is wrong with a refused answer, for a page to say in its language (`src/i18n/pages`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerProblem {
    /// The question is not in this attempt.
    NotInAttempt,
    /// The answer's field does not fit the question's type.
    WrongField,
    /// An id that is none of the question's options (choices, items, sides) in this attempt.
    UnknownOption,
    /// A choice of a multiple-choice question given twice.
    ChosenTwice,
    /// A short answer longer than 500 characters.
    TooLong,
    /// An ordering that does not list every item exactly once.
    OrderIncomplete,
    /// A side of a matching question matched twice.
    MatchedTwice,
}

/// A refused answer: what is wrong, and the API's (English) sentence naming it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerRefusal {
    pub problem: AnswerProblem,
    /// What `PUT /attempts/{id}/answers` says (422 `invalid_answer`).
    pub message: String,
}

/// The ids a check needs of a question: its type, its options (choices, items or left sides) and
/// the right sides of a matching question.
struct Shape<'a> {
    id: &'a str,
    kind: QuestionKind,
    ids: HashSet<&'a str>,
    rights: HashSet<&'a str>,
}

/// Checks an answer against the attempt's paper; the refusal names what is wrong.
pub fn check_answer(paper: &Paper, a: &Answer) -> Result<(), AnswerRefusal> {
    let q = paper.questions.iter().find(|q| q.id == a.question);
    check(
        q.map(|q| Shape {
            id: &q.id,
            kind: q.kind,
            ids: q.options.iter().map(|o| o.id.as_str()).collect(),
            rights: q.rights.iter().map(|o| o.id.as_str()).collect(),
        }),
        a,
    )
}

/// The same check against the questions as the learner is shown them (the attempt pages check
/// what was posted with it first, to say what is wrong in the page's language).
pub fn check_shown(questions: &[ShownQuestion], a: &Answer) -> Result<(), AnswerRefusal> {
    let q = questions.iter().find(|q| q.id == a.question);
    check(
        q.map(|q| Shape {
            id: &q.id,
            kind: q.kind,
            ids: if q.kind == QuestionKind::Matching {
                q.left.iter().map(|o| o.id.as_str()).collect()
            } else {
                q.options.iter().map(|o| o.id.as_str()).collect()
            },
            rights: q.right.iter().map(|o| o.id.as_str()).collect(),
        }),
        a,
    )
}

fn check(q: Option<Shape<'_>>, a: &Answer) -> Result<(), AnswerRefusal> {
    let refuse = |problem, message: String| Err(AnswerRefusal { problem, message });
    let Some(q) = q else {
        return refuse(
            AnswerProblem::NotInAttempt,
            format!("question `{}` is not in this attempt", a.question),
        );
    };
    let expected = match q.kind {
        QuestionKind::Single => "choice",
        QuestionKind::Multiple => "choices",
        QuestionKind::TrueFalse => "value",
        QuestionKind::ShortText => "text",
        QuestionKind::Ordering => "order",
        QuestionKind::Matching => "matches",
    };
    let given = a.fields_given();
    if given != [expected] {
        return refuse(
            AnswerProblem::WrongField,
            format!(
                "question `{}` is a {} question: answer with `{expected}` only",
                q.id, q.kind
            ),
        );
    }
    let ids = &q.ids;
    let unknown = |id: &str| {
        refuse(
            AnswerProblem::UnknownOption,
            format!(
                "`{id}` is not an option of question `{}` in this attempt",
                q.id
            ),
        )
    };
    match expected {
        "choice" => {
            let c = a.choice.as_deref().unwrap_or("");
            if !ids.contains(c) {
                return unknown(c);
            }
        }
        "choices" => {
            let cs = a.choices.as_deref().unwrap_or(&[]);
            let mut seen = HashSet::new();
            for c in cs {
                if !ids.contains(c.as_str()) {
                    return unknown(c);
                }
                if !seen.insert(c) {
                    return refuse(
                        AnswerProblem::ChosenTwice,
                        format!("`{c}` is chosen twice in question `{}`", q.id),
                    );
                }
            }
        }
        "text" if a.text.as_deref().unwrap_or("").chars().count() > 500 => {
            return refuse(
                AnswerProblem::TooLong,
                format!(
                    "the answer to question `{}` is longer than 500 characters",
                    q.id
                ),
            );
        }
        "order" => {
            let order = a.order.as_deref().unwrap_or(&[]);
            let given: HashSet<&str> = order.iter().map(String::as_str).collect();
            if order.len() != ids.len() || &given != ids {
                return refuse(
                    AnswerProblem::OrderIncomplete,
                    format!(
                        "`order` of question `{}` must list every item id exactly once",
                        q.id
                    ),
                );
            }
        }
        "matches" => {
            let mut lefts_seen = HashSet::new();
            let mut rights_seen = HashSet::new();
            for m in a.matches.as_deref().unwrap_or(&[]) {
                if !ids.contains(m.left.as_str()) {
                    return unknown(&m.left);
                }
                if !q.rights.contains(m.right.as_str()) {
                    return unknown(&m.right);
                }
                if !lefts_seen.insert(&m.left) || !rights_seen.insert(&m.right) {
                    return refuse(
                        AnswerProblem::MatchedTwice,
                        format!("a side is matched twice in question `{}`", q.id),
                    );
                }
            }
        }
        _ => {}
    }
    Ok(())
}
