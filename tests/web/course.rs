//! The shipped courses as the tests use them: imported into the app, and their quiz files read
//! here to know the right answers (a learner who studied well), then given on the attempt page
//! by clicking and typing only.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

use crate::accessibility::Audit;
use crate::browser::Browser;
use crate::helpers::TestApp;
use crate::T;

/// The course the journeys take: shipped, with a Vietnamese title full of diacritics, no
/// strict order, no time limits, and quizzes with every kind of question.
pub const SLUG: &str = "an-toan-tren-mang";

pub fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("courses")
}

/// Imports and publishes the shipped courses (`courses/`).
pub async fn import_shipped(app: &TestApp) {
    let state = app.state.clone();
    app.db(move |conn| {
        let tree = hocso::content::files::load_tree(&shipped());
        assert!(tree.problems.is_empty(), "{:?}", tree.problems);
        hocso::courses::import_tree(conn, &tree, None, Some(&state.catalogue)).unwrap();
    })
    .await;
}

/// What `course.toml` says of the course.
#[derive(Deserialize)]
pub struct CourseFile {
    pub title: String,
}

pub fn course_file(slug: &str) -> CourseFile {
    let text = std::fs::read_to_string(shipped().join(slug).join("course.toml")).unwrap();
    toml::from_str(&text).unwrap()
}

#[derive(Deserialize, Debug, Clone)]
pub struct QuizFile {
    pub questions: Vec<Question>,
}

#[derive(Deserialize, Debug, Clone)]
pub struct Question {
    pub key: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub prompt: String,
    #[serde(default)]
    pub choices: Vec<Choice>,
    #[serde(default)]
    pub answer: Option<bool>,
    #[serde(default)]
    pub accepted: Vec<String>,
    #[serde(default)]
    pub items: Vec<String>,
    #[serde(default)]
    pub pairs: Vec<Pair>,
}

#[derive(Deserialize, Debug, Clone)]
pub struct Choice {
    pub text: String,
    #[serde(default)]
    pub correct: bool,
}

#[derive(Deserialize, Debug, Clone)]
pub struct Pair {
    pub left: String,
    pub right: String,
}

/// Every quiz of a shipped course, in file order (`NN-key.quiz.toml` in its module folders):
/// (key, file).
pub fn quizzes(slug: &str) -> Vec<(String, QuizFile)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(shipped().join(slug))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .flat_map(|m| {
            std::fs::read_dir(m)
                .unwrap()
                .filter_map(|e| e.ok().map(|e| e.path()))
        })
        .filter(|p| p.to_string_lossy().ends_with(".quiz.toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let quiz: QuizFile =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let name = p.file_name().unwrap().to_string_lossy();
            let stem = name.trim_end_matches(".quiz.toml");
            let key = stem.split_once('-').map_or(stem, |(n, k)| {
                if n.chars().all(|c| c.is_ascii_digit()) {
                    k
                } else {
                    stem
                }
            });
            (key.to_string(), quiz)
        })
        .collect()
}

/// Text as compared here: NFC, lower case, letters and digits only (the page shows the prompt's
/// Markdown as HTML; punctuation and spacing may differ).
pub fn norm(s: &str) -> String {
    s.nfc()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Words without their Vietnamese diacritics ("An toàn trên" → "an toan tren").
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            c => c,
        })
        .collect::<String>()
        .to_lowercase()
}

/// One question of the attempt page, as the browser shows it (read by [`READ_FORM`]).
#[derive(Debug)]
struct Shown {
    prompt: String,
    radios: Vec<(String, String, String)>,
    checks: Vec<(String, String, String)>,
    text: Option<String>,
    selects: Vec<ShownSelect>,
}

/// A select of an ordering or matching question: its id, its label, its options (value, text).
#[derive(Debug)]
struct ShownSelect {
    id: String,
    label: String,
    options: Vec<(String, String)>,
}

const READ_FORM: &str = r#"
const lab = i => (i.closest('label') || {}).innerText || '';
return [...document.querySelectorAll('form.attempt fieldset')].map(f => ({
  prompt: f.querySelector('.prompt').innerText,
  radios: [...f.querySelectorAll('input[type=radio]')].map(i => [i.name, i.value, lab(i)]),
  checks: [...f.querySelectorAll('input[type=checkbox]')].map(i => [i.name, i.value, lab(i)]),
  text: (f.querySelector('input[type=text]') || {}).id || null,
  selects: [...f.querySelectorAll('select')].map(s => [s.id,
    (f.querySelector('label[for="' + CSS.escape(s.id) + '"]') || {}).innerText || '',
    [...s.options].map(o => [o.value, o.text])]),
}));
"#;

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap_or_default().to_string())
        .collect()
}

fn shown(v: &Value) -> Shown {
    let triples = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let s = strings(t);
                (s[0].clone(), s[1].clone(), s[2].clone())
            })
            .collect()
    };
    Shown {
        prompt: v["prompt"].as_str().unwrap().to_string(),
        radios: triples(&v["radios"]),
        checks: triples(&v["checks"]),
        text: v["text"].as_str().map(str::to_string),
        selects: v["selects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let opts: Vec<(String, String)> = s[2]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|o| {
                        let o = strings(o);
                        (o[0].clone(), o[1].clone())
                    })
                    .collect();
                ShownSelect {
                    id: s[0].as_str().unwrap().to_string(),
                    label: s[1].as_str().unwrap().to_string(),
                    options: opts,
                }
            })
            .collect(),
    }
}

fn css_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Answers every question of the open attempt on the page right, by clicking the radios and
/// checkboxes, typing the short answer and choosing in the selects. Returns the kinds answered.
pub async fn answer_attempt(b: &Browser, bank: &[Question]) -> Vec<String> {
    b.find("form.attempt").await;
    let read = b.js(READ_FORM, vec![]).await;
    let mut kinds = Vec::new();
    for f in read.as_array().unwrap().iter().map(shown) {
        let p = norm(&f.prompt);
        let q = bank
            .iter()
            .find(|q| norm(&q.prompt) == p)
            .unwrap_or_else(|| panic!("the page asks “{}”, which no quiz file holds", f.prompt));
        let option = |list: &[(String, String, String)], text: &str| {
            list.iter()
                .find(|(_, _, label)| norm(label) == norm(text))
                .map(|(name, value, _)| {
                    format!("input[name={}][value={}]", css_str(name), css_str(value))
                })
                .unwrap_or_else(|| panic!("no option “{text}” shown for {}: {f:?}", q.key))
        };
        match q.kind.as_str() {
            "single" => {
                let right = q.choices.iter().find(|c| c.correct).unwrap();
                b.find(&option(&f.radios, &right.text))
                    .await
                    .click()
                    .await
                    .unwrap();
            }
            "multiple" => {
                for c in q.choices.iter().filter(|c| c.correct) {
                    b.find(&option(&f.checks, &c.text))
                        .await
                        .click()
                        .await
                        .unwrap();
                }
            }
            "true_false" => {
                let value = if q.answer.unwrap() { "true" } else { "false" };
                let (name, _, _) = &f.radios[0];
                b.find(&format!("input[name={}][value={value}]", css_str(name)))
                    .await
                    .click()
                    .await
                    .unwrap();
            }
            "short_text" => {
                let id = f.text.as_ref().expect("a text box");
                b.type_into(&format!("input[id={}]", css_str(id)), &q.accepted[0])
                    .await;
            }
            "ordering" | "matching" => {
                assert_eq!(
                    f.selects.len(),
                    q.items.len().max(q.pairs.len()),
                    "{}",
                    q.key
                );
                for (i, ShownSelect { id, label, options }) in f.selects.iter().enumerate() {
                    let want = if q.kind == "ordering" {
                        q.items[i].clone()
                    } else {
                        q.pairs
                            .iter()
                            .find(|p| norm(&p.left) == norm(label))
                            .unwrap_or_else(|| panic!("no pair for “{label}” in {}", q.key))
                            .right
                            .clone()
                    };
                    let (value, _) = options
                        .iter()
                        .find(|(_, t)| norm(t) == norm(&want))
                        .unwrap_or_else(|| panic!("no “{want}” to choose in {}", q.key));
                    b.find(&format!("select[id={}]", css_str(id)))
                        .await
                        .select_by_value(value)
                        .await
                        .unwrap();
                }
            }
            k => panic!("unknown question type {k}"),
        }
        kinds.push(q.kind.clone());
    }
    kinds
}

/// On a quiz page: starts an attempt, answers it right, submits it after the confirmation and
/// checks the result. Returns the kinds of question answered.
pub async fn pass_quiz(b: &Browser, bank: &[Question], audit: &mut Audit) -> Vec<String> {
    audit.page(b, "quiz").await;
    if b.has_text("button", T.start_quiz).await {
        b.press(T.start_quiz).await;
    } else {
        b.press(T.try_again_quiz).await;
    }
    assert!(
        b.path().await.starts_with("/attempts/"),
        "{}",
        b.path().await
    );
    let kinds = answer_attempt(b, bank).await;
    audit.page(b, "attempt").await;
    // "Saved" appearing (the autosave) moves nothing: a tap meant for "Submit" once landed on
    // "Save" when the line above it grew under the finger.
    let moved = b
        .js(
            "const s = document.querySelector('.save-status'), \
               r = () => JSON.stringify([...document.querySelectorAll('form.attempt .actions button')] \
                 .map(x => x.getBoundingClientRect().top)), before = r(), was = s.textContent; \
             s.textContent = s.textContent ? '' : s.dataset.saved; \
             const after = r(); s.textContent = was; return before === after ? '' : before + ' → ' + after;",
            vec![],
        )
        .await;
    assert_eq!(moved, serde_json::json!(""), "the buttons moved");
    b.press(T.submit_quiz).await;
    // Once (CI, 2026-12-06) the attempt page came back here instead: say what it showed.
    let h1 = b.text("h1").await;
    assert_eq!(
        h1,
        T.submit_confirm_title,
        "after “{}” at {}: {}",
        T.submit_quiz,
        b.path().await,
        b.main_text().await
    );
    assert!(
        !b.has("main .error").await,
        "unanswered questions: {}",
        b.main_text().await
    );
    audit.page(b, "confirm").await;
    b.press(T.confirm_submit).await;
    let result = b.text("section.result h2").await;
    assert!(
        result.contains(T.passed) && !result.contains(T.failed),
        "{result}\n{}",
        b.main_text().await
    );
    assert!(b.text("section.result .lead").await.contains("100%"));
    // Every answer right: nothing to try again.
    assert!(
        !b.has_text("a", T.try_again_quiz).await,
        "{}",
        b.main_text().await
    );
    audit.page(b, "result").await;
    kinds
}
