//! The quiz engine's rules, with no HTTP and no database: drawing a paper for an attempt,
//! what a learner may see before submitting, checking answers, grading.

use std::collections::{BTreeMap, HashSet};

use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::content::render::markdown_to_html_remembered;
use crate::content::{normalize_text, Question, QuizSpec};

/// Opaque, per-attempt id: 10 random characters.
fn opaque_id(rng: &mut impl Rng) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    (0..10)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// An option shown to the learner: its opaque id and its index in the question file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Opt {
    pub id: String,
    pub index: usize,
}

/// One drawn question of an attempt, with everything needed to grade it (kept on the server
/// only). Stored as a [`StoredPaper`]: the question itself is read from the attempt's release.
#[derive(Clone, Debug)]
pub struct PaperQuestion {
    pub id: String,
    pub spec: Question,
    /// Choices (single/multiple) or items (ordering) or left sides (matching), in shown order.
    pub options: Vec<Opt>,
    /// Right sides of a matching question, in shown order.
    pub rights: Vec<Opt>,
}

#[derive(Clone, Debug, Default)]
pub struct Paper {
    pub questions: Vec<PaperQuestion>,
    /// The quiz settings the attempt was started under (a later release does not change them).
    pub pass_mark: u32,
    pub show_answers: String,
    pub max_attempts: u32,
}

/// A drawn question as stored with its attempt: the question's key and this attempt's ids.
/// Attempts started before papers were stored this way hold the whole question (`spec`).
#[derive(Debug, Serialize, Deserialize)]
struct StoredQuestion {
    id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    key: String,
    #[serde(default, skip_serializing)]
    spec: Option<Question>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    options: Vec<Opt>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    rights: Vec<Opt>,
}

/// A paper as stored with its attempt (JSON): a few hundred bytes instead of every question's
/// text, so that starting and grading an attempt write small rows. [`StoredPaper::resolve`] puts
/// the questions of the attempt's release back.
#[derive(Debug, Serialize, Deserialize)]
pub struct StoredPaper {
    questions: Vec<StoredQuestion>,
    #[serde(default)]
    pass_mark: u32,
    #[serde(default)]
    show_answers: String,
    #[serde(default)]
    max_attempts: u32,
}

impl Paper {
    pub fn stored(&self) -> StoredPaper {
        StoredPaper {
            questions: self
                .questions
                .iter()
                .map(|q| StoredQuestion {
                    id: q.id.clone(),
                    key: q.spec.key.clone(),
                    spec: None,
                    options: q.options.clone(),
                    rights: q.rights.clone(),
                })
                .collect(),
            pass_mark: self.pass_mark,
            show_answers: self.show_answers.clone(),
            max_attempts: self.max_attempts,
        }
    }

    /// The per-question results with the explanation and the solution in this attempt's ids,
    /// which are not stored with the grading: they follow from the paper.
    pub fn explained(&self, results: Vec<QuestionResult>) -> Vec<QuestionResult> {
        results
            .into_iter()
            .map(|mut r| {
                if let Some(q) = self.questions.iter().find(|q| q.id == r.question) {
                    r.explanation = Some(q.spec.explanation.clone());
                    r.solution = Some(solution(q));
                }
                r
            })
            .collect()
    }
}

impl StoredPaper {
    /// Whether every question is stored whole (an attempt from before papers held keys only).
    pub fn is_self_contained(&self) -> bool {
        self.questions.iter().all(|q| q.spec.is_some())
    }

    /// The paper with its questions taken from `quiz`, the quiz of the attempt's release; the
    /// error names a question the release does not have.
    pub fn resolve(self, quiz: Option<&QuizSpec>) -> Result<Paper, String> {
        let questions = self
            .questions
            .into_iter()
            .map(|s| {
                let spec = match s.spec {
                    Some(spec) => spec,
                    None => quiz
                        .and_then(|quiz| quiz.questions.iter().find(|q| q.key == s.key))
                        .cloned()
                        .ok_or_else(|| {
                            format!("question `{}` is not in the attempt's release", s.key)
                        })?,
                };
                Ok(PaperQuestion {
                    id: s.id,
                    spec,
                    options: s.options,
                    rights: s.rights,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Paper {
            questions,
            pass_mark: self.pass_mark,
            show_answers: self.show_answers,
            max_attempts: self.max_attempts,
        })
    }
}

fn shuffled_opts(n: usize, shuffle: bool, rng: &mut impl Rng) -> Vec<Opt> {
    let mut opts: Vec<Opt> = (0..n)
        .map(|index| Opt {
            id: opaque_id(rng),
            index,
        })
        .collect();
    if shuffle {
        opts.shuffle(rng);
    }
    opts
}

/// Draws `questions_per_attempt` questions, meeting the tag quotas first, and gives every
/// question and option a fresh opaque id. Ordering items and matching sides are always shuffled,
/// since their file order is the answer.
pub fn draw(spec: &QuizSpec, rng: &mut impl Rng) -> Paper {
    let mut picked: Vec<usize> = Vec::new();
    for (tag, n) in &spec.quotas {
        let mut candidates: Vec<usize> = (0..spec.questions.len())
            .filter(|i| !picked.contains(i) && spec.questions[*i].tags.contains(tag))
            .collect();
        candidates.shuffle(rng);
        picked.extend(candidates.into_iter().take(*n as usize));
    }
    let want = (spec.questions_per_attempt as usize).min(spec.questions.len());
    let mut rest: Vec<usize> = (0..spec.questions.len())
        .filter(|i| !picked.contains(i))
        .collect();
    rest.shuffle(rng);
    picked.extend(rest.into_iter().take(want.saturating_sub(picked.len())));
    picked.truncate(want);
    if spec.shuffle_questions {
        picked.shuffle(rng);
    } else {
        picked.sort();
    }
    let questions = picked
        .into_iter()
        .map(|i| {
            let q = &spec.questions[i];
            let (options, rights) = match q.kind.as_str() {
                "single" | "multiple" => (
                    shuffled_opts(q.choices.len(), spec.shuffle_choices, rng),
                    Vec::new(),
                ),
                "ordering" => (shuffled_opts(q.items.len(), true, rng), Vec::new()),
                "matching" => (
                    shuffled_opts(q.pairs.len(), true, rng),
                    shuffled_opts(q.pairs.len(), true, rng),
                ),
                _ => (Vec::new(), Vec::new()),
            };
            PaperQuestion {
                id: opaque_id(rng),
                spec: q.clone(),
                options,
                rights,
            }
        })
        .collect();
    Paper {
        questions,
        pass_mark: spec.pass_mark,
        show_answers: spec.show_answers.clone(),
        max_attempts: spec.max_attempts,
    }
}

/// An option as the learner sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ShownOption {
    pub id: String,
    pub text: String,
}

/// A question as the learner sees it before submitting: nothing that reveals the answer.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ShownQuestion {
    pub id: String,
    /// single, multiple, true_false, short_text, ordering, matching
    #[serde(rename = "type")]
    pub kind: String,
    /// Sanitized HTML of the prompt.
    pub prompt_html: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Choices (single, multiple) or the items to put in order (ordering).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ShownOption>,
    /// Matching: the left sides; `options` holds nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left: Vec<ShownOption>,
    /// Matching: the right sides.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub right: Vec<ShownOption>,
}

pub fn shown(q: &PaperQuestion) -> ShownQuestion {
    let text_of = |o: &Opt| match q.spec.kind.as_str() {
        "single" | "multiple" => q.spec.choices[o.index].text.clone(),
        "ordering" => q.spec.items[o.index].clone(),
        _ => q.spec.pairs[o.index].left.clone(),
    };
    let (options, left, right) = if q.spec.kind == "matching" {
        (
            Vec::new(),
            q.options
                .iter()
                .map(|o| ShownOption {
                    id: o.id.clone(),
                    text: text_of(o),
                })
                .collect(),
            q.rights
                .iter()
                .map(|o| ShownOption {
                    id: o.id.clone(),
                    text: q.spec.pairs[o.index].right.clone(),
                })
                .collect(),
        )
    } else {
        (
            q.options
                .iter()
                .map(|o| ShownOption {
                    id: o.id.clone(),
                    text: text_of(o),
                })
                .collect(),
            Vec::new(),
            Vec::new(),
        )
    };
    ShownQuestion {
        id: q.id.clone(),
        kind: q.spec.kind.clone(),
        prompt_html: markdown_to_html_remembered(&q.spec.prompt),
        image_url: q.spec.image_url.clone(),
        options,
        left,
        right,
    }
}

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
    let expected = match q.spec.kind.as_str() {
        "single" => "choice",
        "multiple" => "choices",
        "true_false" => "value",
        "short_text" => "text",
        "ordering" => "order",
        _ => "matches",
    };
    let given = a.fields_given();
    if given != [expected] {
        return Err(format!(
            "question `{}` is a {} question: answer with `{expected}` only",
            q.id, q.spec.kind
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
    let mut a = Answer {
        question: q.id.clone(),
        choice: None,
        choices: None,
        value: None,
        text: None,
        order: None,
        matches: None,
    };
    match q.spec.kind.as_str() {
        "single" => {
            a.choice = q
                .options
                .iter()
                .find(|o| q.spec.choices[o.index].correct)
                .map(|o| o.id.clone());
        }
        "multiple" => {
            a.choices = Some(
                q.options
                    .iter()
                    .filter(|o| q.spec.choices[o.index].correct)
                    .map(|o| o.id.clone())
                    .collect(),
            );
        }
        "true_false" => a.value = q.spec.answer,
        "short_text" => a.text = q.spec.accepted.first().cloned(),
        "ordering" => {
            let mut opts = q.options.clone();
            opts.sort_by_key(|o| o.index);
            a.order = Some(opts.into_iter().map(|o| o.id).collect());
        }
        _ => {
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
    let (credit, wrong): (f64, Option<String>) = match (q.spec.kind.as_str(), a) {
        (_, None) => (0.0, None),
        ("single", Some(a)) => {
            let i = a.choice.as_deref().and_then(index_of);
            match i {
                Some(i) if q.spec.choices[i].correct => (1.0, None),
                Some(i) => (0.0, Some(q.spec.choices[i].text.clone())),
                None => (0.0, None),
            }
        }
        ("multiple", Some(a)) => {
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
        ("true_false", Some(a)) => {
            if a.value == q.spec.answer {
                (1.0, None)
            } else {
                (0.0, a.value.map(|v| v.to_string()))
            }
        }
        ("short_text", Some(a)) => {
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
        ("ordering", Some(a)) => {
            let indices: Vec<Option<usize>> =
                a.order.iter().flatten().map(|id| index_of(id)).collect();
            let ok = indices.len() == q.spec.items.len()
                && indices.iter().enumerate().all(|(pos, i)| *i == Some(pos));
            (if ok { 1.0 } else { 0.0 }, None)
        }
        (_, Some(a)) => {
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
pub fn reveal(show_answers: &str, passed: bool, attempts_left: Option<u32>) -> bool {
    match show_answers {
        "after_attempt" => true,
        "after_pass" => passed,
        "after_last_attempt" => passed || attempts_left == Some(0),
        _ => false,
    }
}

pub mod attempts;
pub mod learner;
pub mod stats;

#[cfg(test)]
mod tests;
