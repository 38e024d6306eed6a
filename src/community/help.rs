//! Who needs a facilitator's help, and which quiz questions the learners of their villages find
//! hard.

use std::collections::{HashMap, HashSet};

use chrono::TimeDelta;

use super::residents::{listed_rows, my_villages};
use super::Db;
use crate::auth::AuthUser;
use crate::clock::Clock;
use crate::content::catalogue::Catalogue;
use crate::db::community::ResidentRow;
use crate::db::{learning as lq, quiz as qq};
use crate::error::{ApiError, ApiResult};

/// A resident who needs help, and why: `inactive`, `never_started`, `failed_quiz_twice`,
/// `stuck_on_lesson`.
pub struct NeedsHelp {
    pub resident: ResidentRow,
    pub reasons: Vec<&'static str>,
}

/// The residents of the actor's villages who need help: inactive for `days` (1–365), never
/// started, stuck on a lesson started `days` ago or more, or a quiz failed twice without a pass
/// since. Three queries, whatever the number of residents.
pub fn needs_help(
    db: &Db,
    clock: &Clock,
    actor: &AuthUser,
    days: i64,
) -> ApiResult<Vec<NeedsHelp>> {
    if !(1..=365).contains(&days) {
        return Err(ApiError::field(
            "days",
            "out_of_range",
            "must be between 1 and 365",
        ));
    }
    let mut conn = db.read()?;
    let villages = my_villages(&mut conn, actor, None)?;
    let cutoff = clock.now() - TimeDelta::days(days);
    let residents = listed_rows(&mut conn, &villages)?;
    let failed = failed_twice(qq::submitted_results_in(&mut conn, &villages)?);
    let stuck: HashSet<String> = lq::stuck_in(&mut conn, &villages, cutoff)?
        .into_iter()
        .collect();
    Ok(residents
        .into_iter()
        .filter_map(|r| {
            let mut reasons = Vec::new();
            match r.last_activity_at {
                None => reasons.push("never_started"),
                Some(at) if at < cutoff => reasons.push("inactive"),
                _ => {}
            }
            if failed.contains(&r.user_id) {
                reasons.push("failed_quiz_twice");
            }
            if stuck.contains(&r.user_id) {
                reasons.push("stuck_on_lesson");
            }
            (!reasons.is_empty()).then_some(NeedsHelp {
                resident: r,
                reasons,
            })
        })
        .collect())
}

/// The users who failed some quiz at least twice and never passed it, from their submitted
/// attempts (user, course, quiz, passed).
fn failed_twice(results: Vec<qq::SubmittedResult>) -> HashSet<String> {
    let mut per_quiz: HashMap<(String, String, String), (u32, bool)> = HashMap::new();
    for (user, course, quiz, passed) in results {
        let e = per_quiz.entry((user, course, quiz)).or_default();
        if passed == Some(true) {
            e.1 = true;
        } else {
            e.0 += 1;
        }
    }
    per_quiz
        .into_iter()
        .filter(|(_, (failed, passed))| *failed >= 2 && !passed)
        .map(|((user, _, _), _)| user)
        .collect()
}

/// A quiz question and how the learners of the actor's villages answered it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct DifficultQuestion {
    pub course: String,
    pub quiz: String,
    pub question: String,
    pub prompt: String,
    pub answered: i64,
    /// Share answered correctly by my villages' learners, 0–1.
    pub correct_share: f64,
}

/// The questions the learners of the actor's villages answered at least 3 times and under half
/// right, hardest first.
pub fn difficult_questions(
    db: &Db,
    catalogue: &Catalogue,
    actor: &AuthUser,
) -> ApiResult<Vec<DifficultQuestion>> {
    let mut conn = db.read()?;
    let villages = my_villages(&mut conn, actor, None)?;
    let counts = qq::question_counts_in(&mut conn, &villages)?;
    let slugs = lq::course_slugs(&mut conn)?;
    let mut out: Vec<DifficultQuestion> = counts
        .into_iter()
        .filter(|(_, n, _)| *n >= 3)
        .map(|((course_id, quiz, question), n, c)| {
            let course = slugs.get(&course_id).cloned().unwrap_or_default();
            let prompt = prompt(catalogue, &course, &quiz, &question).unwrap_or_default();
            DifficultQuestion {
                correct_share: c as f64 / n as f64,
                course,
                quiz,
                question,
                prompt,
                answered: n,
            }
        })
        .filter(|d| d.correct_share < 0.5)
        .collect();
    out.sort_by(|a, b| a.correct_share.total_cmp(&b.correct_share));
    Ok(out)
}

/// The prompt of a question of the published course `slug`.
fn prompt(catalogue: &Catalogue, slug: &str, quiz: &str, question: &str) -> Option<String> {
    let course = catalogue.get(slug)?;
    let quiz = course.content.doc.quizzes().find(|q| q.key == quiz)?;
    let q = quiz.spec.questions.iter().find(|x| x.key == question)?;
    Some(q.prompt.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(user: &str, quiz: &str, passed: Option<bool>) -> qq::SubmittedResult {
        (user.into(), "c".into(), quiz.into(), passed)
    }

    #[test]
    fn failed_twice_without_a_pass() {
        let users = failed_twice(vec![
            r("a", "q1", Some(false)),
            r("a", "q1", Some(false)),
            r("b", "q1", Some(false)),
            r("b", "q1", Some(false)),
            r("b", "q1", Some(true)),
            r("c", "q1", Some(false)),
            r("c", "q2", None),
        ]);
        assert_eq!(users, HashSet::from(["a".to_string()]));
    }
}
