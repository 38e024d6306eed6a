//! Quiz statistics for a course's authors: pass rate, median score, and per question the share
//! of right answers and the wrong answer chosen most.

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::content::catalogue::Catalogue;
use crate::courses;
use crate::db::quiz as q;
use crate::db::DbPool;
use crate::error::ApiResult;

#[derive(Serialize, ToSchema)]
pub struct QuestionStats {
    pub key: String,
    pub prompt: String,
    pub answered: i64,
    /// Share of answers that were fully correct, 0–1.
    pub correct_share: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub most_chosen_wrong_answer: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct QuizStats {
    pub quiz: String,
    pub attempts: usize,
    pub pass_rate: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_score: Option<f64>,
    pub questions: Vec<QuestionStats>,
    /// Keys of questions that fewer than half of the learners got right, hardest first.
    pub difficult_questions: Vec<String>,
}

/// The median of scores in basis points, as a percentage.
fn median(mut values: Vec<i32>) -> Option<f64> {
    values.sort();
    (!values.is_empty()).then(|| {
        let n = values.len();
        let m = if n % 2 == 1 {
            f64::from(values[n / 2])
        } else {
            f64::from(values[n / 2 - 1] + values[n / 2]) / 2.0
        };
        m / 100.0
    })
}

/// The statistics of the quiz `key` of the course `slug`, for its authors.
pub fn quiz_stats(
    pool: &DbPool,
    catalogue: &Catalogue,
    actor: &AuthUser,
    slug: &str,
    key: &str,
) -> ApiResult<QuizStats> {
    let mut conn = pool.get()?;
    let row = courses::find(&mut conn, slug)?;
    crate::access::require_editor(&mut conn, actor, &row)?;
    // Prompts from the served release, else from the draft.
    let source = match catalogue.get(slug) {
        Some(c) => c.content.doc.clone(),
        None => courses::parse_draft(&row)?,
    };
    let prompts: Vec<(String, String)> = source
        .quizzes()
        .filter(|q| q.key == key)
        .flat_map(|q| {
            q.spec
                .questions
                .iter()
                .map(|x| (x.key.clone(), x.prompt.clone()))
        })
        .collect();
    let scores = q::submitted_scores(&mut conn, &row.id, key)?;
    let median = median(scores.iter().filter_map(|(s, _)| *s).collect());
    let passed = scores.iter().filter(|(_, p)| *p == Some(true)).count();
    let wrong = q::wrong_answers(&mut conn, &row.id, key)?;
    let mut questions: Vec<QuestionStats> = q::question_counts(&mut conn, &row.id, key)?
        .into_iter()
        .map(|(k, n, c)| QuestionStats {
            prompt: prompts
                .iter()
                .find(|(pk, _)| *pk == k)
                .map(|(_, p)| p.clone())
                .unwrap_or_default(),
            most_chosen_wrong_answer: wrong
                .iter()
                .find(|(wk, _, _)| *wk == k)
                .and_then(|(_, w, _)| w.clone()),
            correct_share: if n > 0 { c as f64 / n as f64 } else { 0.0 },
            answered: n,
            key: k,
        })
        .collect();
    questions.sort_by(|a, b| a.key.cmp(&b.key));
    let mut difficult: Vec<&QuestionStats> =
        questions.iter().filter(|q| q.correct_share < 0.5).collect();
    difficult.sort_by(|a, b| a.correct_share.total_cmp(&b.correct_share));
    Ok(QuizStats {
        quiz: format!("{slug}.{key}"),
        attempts: scores.len(),
        pass_rate: if scores.is_empty() {
            0.0
        } else {
            passed as f64 / scores.len() as f64
        },
        median_score: median,
        difficult_questions: difficult.iter().map(|q| q.key.clone()).collect(),
        questions,
    })
}
