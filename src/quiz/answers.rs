//! An answer as a learner gives it, and its check against the attempt's paper.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::paper::Paper;
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

/// Checks an answer against the attempt's paper; the message names what is wrong.
pub fn check_answer(paper: &Paper, a: &Answer) -> Result<(), String> {
    let q = paper
        .questions
        .iter()
        .find(|q| q.id == a.question)
        .ok_or_else(|| format!("question `{}` is not in this attempt", a.question))?;
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
        return Err(format!(
            "question `{}` is a {} question: answer with `{expected}` only",
            q.id, q.kind
        ));
    }
    let ids: HashSet<&str> = q.options.iter().map(|o| o.id.as_str()).collect();
    let unknown = |id: &str| {
        format!(
            "`{id}` is not an option of question `{}` in this attempt",
            q.id
        )
    };
    match expected {
        "choice" => {
            let c = a.choice.as_deref().unwrap_or("");
            if !ids.contains(c) {
                return Err(unknown(c));
            }
        }
        "choices" => {
            let cs = a.choices.as_deref().unwrap_or(&[]);
            let mut seen = HashSet::new();
            for c in cs {
                if !ids.contains(c.as_str()) {
                    return Err(unknown(c));
                }
                if !seen.insert(c) {
                    return Err(format!("`{c}` is chosen twice in question `{}`", q.id));
                }
            }
        }
        "text" if a.text.as_deref().unwrap_or("").chars().count() > 500 => {
            return Err(format!(
                "the answer to question `{}` is longer than 500 characters",
                q.id
            ));
        }
        "order" => {
            let order = a.order.as_deref().unwrap_or(&[]);
            let given: HashSet<&str> = order.iter().map(String::as_str).collect();
            if order.len() != ids.len() || given != ids {
                return Err(format!(
                    "`order` of question `{}` must list every item id exactly once",
                    q.id
                ));
            }
        }
        "matches" => {
            let rights: HashSet<&str> = q.rights.iter().map(|o| o.id.as_str()).collect();
            let mut lefts_seen = HashSet::new();
            let mut rights_seen = HashSet::new();
            for m in a.matches.as_deref().unwrap_or(&[]) {
                if !ids.contains(m.left.as_str()) {
                    return Err(unknown(&m.left));
                }
                if !rights.contains(m.right.as_str()) {
                    return Err(unknown(&m.right));
                }
                if !lefts_seen.insert(&m.left) || !rights_seen.insert(&m.right) {
                    return Err(format!("a side is matched twice in question `{}`", q.id));
                }
            }
        }
        _ => {}
    }
    Ok(())
}
