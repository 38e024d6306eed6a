//! Drawing a paper for an attempt (questions and options under fresh opaque ids), the paper as
//! stored with its attempt, and what a learner may see of a question before submitting.

use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::grading::{solution, QuestionResult};
use super::{QuestionKind, ShowAnswers};
use crate::content::render::markdown_to_html_remembered;
use crate::content::{Question, QuizSpec};

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
    /// The type of `spec` (its `kind`, parsed).
    pub kind: QuestionKind,
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
    /// `None` for an attempt from before papers stored the setting: no answers revealed, and
    /// per-question correctness shown.
    pub show_answers: Option<ShowAnswers>,
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
            show_answers: self
                .show_answers
                .map_or_else(String::new, |s| s.as_str().to_string()),
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
    /// error names a question the release does not have, or a type or setting not known.
    pub fn resolve(self, quiz: Option<&QuizSpec>) -> Result<Paper, String> {
        let show_answers = match self.show_answers.as_str() {
            "" => None,
            s => Some(ShowAnswers::parse(s).ok_or_else(|| format!("unknown show_answers `{s}`"))?),
        };
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
                    kind: kind_of(&spec)?,
                    spec,
                    options: s.options,
                    rights: s.rights,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Paper {
            questions,
            pass_mark: self.pass_mark,
            show_answers,
            max_attempts: self.max_attempts,
        })
    }
}

/// The type of a question; the error names a question whose type is not known.
fn kind_of(q: &Question) -> Result<QuestionKind, String> {
    QuestionKind::parse(&q.kind)
        .ok_or_else(|| format!("question `{}` has an unknown type `{}`", q.key, q.kind))
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
/// since their file order is the answer. The error names a question whose type or a setting that
/// is not known (a published quiz has none).
pub fn draw(spec: &QuizSpec, rng: &mut impl Rng) -> Result<Paper, String> {
    let show_answers = ShowAnswers::parse(&spec.show_answers)
        .ok_or_else(|| format!("unknown show_answers `{}`", spec.show_answers))?;
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
            let kind = kind_of(q)?;
            let (options, rights) = match kind {
                QuestionKind::Single | QuestionKind::Multiple => (
                    shuffled_opts(q.choices.len(), spec.shuffle_choices, rng),
                    Vec::new(),
                ),
                QuestionKind::Ordering => (shuffled_opts(q.items.len(), true, rng), Vec::new()),
                QuestionKind::Matching => (
                    shuffled_opts(q.pairs.len(), true, rng),
                    shuffled_opts(q.pairs.len(), true, rng),
                ),
                QuestionKind::TrueFalse | QuestionKind::ShortText => (Vec::new(), Vec::new()),
            };
            Ok(PaperQuestion {
                id: opaque_id(rng),
                kind,
                spec: q.clone(),
                options,
                rights,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(Paper {
        questions,
        pass_mark: spec.pass_mark,
        show_answers: Some(show_answers),
        max_attempts: spec.max_attempts,
    })
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
    #[schema(value_type = String)]
    pub kind: QuestionKind,
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
    let text_of = |o: &Opt| match q.kind {
        QuestionKind::Single | QuestionKind::Multiple => q.spec.choices[o.index].text.clone(),
        QuestionKind::Ordering => q.spec.items[o.index].clone(),
        _ => q.spec.pairs[o.index].left.clone(),
    };
    let shown = |opts: &[Opt], text: &dyn Fn(&Opt) -> String| -> Vec<ShownOption> {
        opts.iter()
            .map(|o| ShownOption {
                id: o.id.clone(),
                text: text(o),
            })
            .collect()
    };
    let options = shown(&q.options, &text_of);
    let (options, left, right) = if q.kind == QuestionKind::Matching {
        let right = shown(&q.rights, &|o: &Opt| q.spec.pairs[o.index].right.clone());
        (Vec::new(), options, right)
    } else {
        (options, Vec::new(), Vec::new())
    };
    ShownQuestion {
        id: q.id.clone(),
        kind: q.kind,
        prompt_html: markdown_to_html_remembered(&q.spec.prompt),
        image_url: q.spec.image_url.clone(),
        options,
        left,
        right,
    }
}
