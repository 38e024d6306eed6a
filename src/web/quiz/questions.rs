//! The questions of an attempt form: each question as the form shows it with the answer saved
//! so far, the answers read back from a posted form, and a right answer in words.

use super::super::Form;
use crate::i18n::Lang;
use crate::quiz::{Answer, MatchPair, QuestionKind, ShownQuestion};

/// One question as the form shows it, with the answer saved so far.
pub(super) struct QuestionView {
    pub(super) number: usize,
    /// The form field's name: `a.<question id>`.
    pub(super) name: String,
    pub(super) kind: String,
    pub(super) prompt_html: String,
    pub(super) image_url: Option<String>,
    /// single, multiple, ordering: (id, text, chosen); true_false: ("true"/"false", label, chosen)
    pub(super) options: Vec<(String, String, bool)>,
    /// short_text: the saved text
    pub(super) text: String,
    /// ordering: per position, the options with the one chosen there;
    /// matching: per left side (its text and field name), the right sides with the chosen one
    pub(super) rows: Vec<SelectRow>,
    /// After submitting: (correct, explanation, right answer in words)
    pub(super) result: Option<(bool, String, String)>,
    /// Why the answer just posted was refused, in the page's language.
    pub(super) error: String,
}

pub(super) struct SelectRow {
    pub(super) label: String,
    pub(super) name: String,
    pub(super) choices: Vec<(String, String, bool)>,
}

pub(super) fn question_view(
    t_lang: Lang,
    n: usize,
    q: &ShownQuestion,
    saved: Option<&Answer>,
) -> QuestionView {
    let t = crate::i18n::pages::texts(t_lang);
    let name = format!("a.{}", q.id);
    let mut v = QuestionView {
        number: n,
        name: name.clone(),
        kind: q.kind.as_str().to_string(),
        prompt_html: q.prompt_html.clone(),
        image_url: q.image_url.clone(),
        options: Vec::new(),
        text: String::new(),
        rows: Vec::new(),
        result: None,
        error: String::new(),
    };
    match q.kind {
        QuestionKind::Single | QuestionKind::Multiple => {
            let chosen: Vec<&str> = match saved {
                Some(a) => a
                    .choice
                    .iter()
                    .map(String::as_str)
                    .chain(a.choices.iter().flatten().map(String::as_str))
                    .collect(),
                None => Vec::new(),
            };
            v.options = q
                .options
                .iter()
                .map(|o| {
                    (
                        o.id.clone(),
                        o.text.clone(),
                        chosen.contains(&o.id.as_str()),
                    )
                })
                .collect();
        }
        QuestionKind::TrueFalse => {
            let value = saved.and_then(|a| a.value);
            v.options = vec![
                ("true".into(), t.true_label.into(), value == Some(true)),
                ("false".into(), t.false_label.into(), value == Some(false)),
            ];
        }
        QuestionKind::ShortText => v.text = saved.and_then(|a| a.text.clone()).unwrap_or_default(),
        QuestionKind::Ordering => {
            let order = saved.and_then(|a| a.order.clone()).unwrap_or_default();
            v.rows = (0..q.options.len())
                .map(|i| SelectRow {
                    label: format!("{} {}", t.position, i + 1),
                    name: format!("{name}.{i}"),
                    choices: q
                        .options
                        .iter()
                        .map(|o| (o.id.clone(), o.text.clone(), order.get(i) == Some(&o.id)))
                        .collect(),
                })
                .collect();
        }
        QuestionKind::Matching => {
            let pairs = saved.and_then(|a| a.matches.clone()).unwrap_or_default();
            v.rows = q
                .left
                .iter()
                .map(|l| {
                    let right = pairs
                        .iter()
                        .find(|p| p.left == l.id)
                        .map(|p| p.right.as_str());
                    SelectRow {
                        label: l.text.clone(),
                        name: format!("{name}.{}", l.id),
                        choices: q
                            .right
                            .iter()
                            .map(|r| (r.id.clone(), r.text.clone(), right == Some(r.id.as_str())))
                            .collect(),
                    }
                })
                .collect();
        }
    }
    v
}

/// The answers a posted attempt form holds; unanswered questions (and incomplete orderings
/// and matchings) are left out, so they stay unanswered.
pub(super) fn answers_of(form: &Form, questions: &[ShownQuestion]) -> Vec<Answer> {
    let mut out = Vec::new();
    for q in questions {
        let name = format!("a.{}", q.id);
        let mut a = Answer::to(q.id.clone());
        match q.kind {
            QuestionKind::Single => {
                a.choice = form
                    .get(&name)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            }
            QuestionKind::Multiple => {
                let all = form.all(&name);
                // A hidden empty field marks that the question was on the form: clearing
                // every box saves "nothing chosen".
                if !all.is_empty() {
                    a.choices = Some(all.into_iter().filter(|s| !s.is_empty()).collect());
                }
            }
            QuestionKind::TrueFalse => {
                a.value = match form.get(&name) {
                    Some("true") => Some(true),
                    Some("false") => Some(false),
                    _ => None,
                }
            }
            QuestionKind::ShortText => {
                a.text = form
                    .get(&name)
                    .filter(|s| !s.trim().is_empty())
                    .map(str::to_string)
            }
            QuestionKind::Ordering => {
                let order: Vec<String> = (0..q.options.len())
                    .filter_map(|i| form.get(&format!("{name}.{i}")).filter(|s| !s.is_empty()))
                    .map(str::to_string)
                    .collect();
                if order.len() == q.options.len() {
                    a.order = Some(order);
                }
            }
            QuestionKind::Matching => {
                let pairs: Vec<MatchPair> = q
                    .left
                    .iter()
                    .filter_map(|l| {
                        form.get(&format!("{name}.{}", l.id))
                            .filter(|s| !s.is_empty())
                            .map(|r| MatchPair {
                                left: l.id.clone(),
                                right: r.to_string(),
                            })
                    })
                    .collect();
                if pairs.len() == q.left.len() {
                    a.matches = Some(pairs);
                }
            }
        }
        if a.is_given() {
            out.push(a);
        }
    }
    out
}

/// A solution in words: the texts of the right options, in order.
pub(super) fn solution_text(q: &ShownQuestion, s: &Answer, lang: Lang) -> String {
    let t = crate::i18n::pages::texts(lang);
    let text_of = |id: &str, list: &[crate::quiz::ShownOption]| {
        list.iter()
            .find(|o| o.id == id)
            .map(|o| o.text.clone())
            .unwrap_or_default()
    };
    if let Some(c) = &s.choice {
        return text_of(c, &q.options);
    }
    if let Some(cs) = &s.choices {
        return cs
            .iter()
            .map(|c| text_of(c, &q.options))
            .collect::<Vec<_>>()
            .join("; ");
    }
    if let Some(v) = s.value {
        return if v { t.true_label } else { t.false_label }.to_string();
    }
    if let Some(text) = &s.text {
        return text.clone();
    }
    if let Some(o) = &s.order {
        return o
            .iter()
            .map(|c| text_of(c, &q.options))
            .collect::<Vec<_>>()
            .join(" → ");
    }
    if let Some(m) = &s.matches {
        return m
            .iter()
            .map(|p| {
                format!(
                    "{} – {}",
                    text_of(&p.left, &q.left),
                    text_of(&p.right, &q.right)
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
    }
    String::new()
}
