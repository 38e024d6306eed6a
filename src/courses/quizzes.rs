//! Quiz authoring: a draft's quizzes (settings and question pool) and their questions. Each use
//! case checks that the actor may edit the course and answers the new draft document.

use crate::auth::AuthUser;
use crate::content::validate::{quiz_issues, Issue};
use crate::content::{CourseDoc, ItemDoc, Question, QuizDoc, QuizSpec};
use crate::db::DbPool;
use crate::error::{ApiError, ApiResult, Code};

/// 422 with every issue of the quiz `key`'s settings and pool.
pub fn check_quiz(key: &str, spec: &QuizSpec) -> ApiResult<()> {
    super::authoring::issues_named(quiz_issues(key, spec, false), Issue::path)
}

fn quiz_mut<'a>(doc: &'a mut CourseDoc, key: &str) -> ApiResult<&'a mut QuizDoc> {
    doc.modules
        .iter_mut()
        .flat_map(|m| m.items.iter_mut())
        .find_map(|i| match i {
            ItemDoc::Quiz(q) if q.key == key => Some(q),
            _ => None,
        })
        .ok_or_else(|| ApiError::not_found(format!("No quiz `{key}` in this course.")))
}

/// Applies `f` to the draft for an author and answers the new document.
fn edit(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    f: impl FnMut(&mut CourseDoc) -> ApiResult<()>,
) -> ApiResult<CourseDoc> {
    let mut conn = pool.get()?;
    Ok(super::edit_draft(&mut conn, slug, actor, f)?.1)
}

/// Adds `quiz` to a module of the draft at `position`.
pub fn create_quiz(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    module: &str,
    quiz: QuizDoc,
    position: Option<usize>,
) -> ApiResult<CourseDoc> {
    check_quiz(&quiz.key, &quiz.spec)?;
    edit(pool, actor, slug, |doc| {
        super::authoring::insert_item(doc, module, position, ItemDoc::Quiz(quiz.clone()))
    })
}

/// Replaces a quiz's settings and pool.
pub fn replace_quiz(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    key: &str,
    spec: QuizSpec,
) -> ApiResult<CourseDoc> {
    check_quiz(key, &spec)?;
    edit(pool, actor, slug, |doc| {
        quiz_mut(doc, key)?.spec = spec.clone();
        Ok(())
    })
}

/// Removes a quiz from the draft.
pub fn delete_quiz(pool: &DbPool, actor: &AuthUser, slug: &str, key: &str) -> ApiResult<CourseDoc> {
    edit(pool, actor, slug, |doc| {
        quiz_mut(doc, key)?;
        for m in doc.modules.iter_mut() {
            m.items
                .retain(|i| !matches!(i, ItemDoc::Quiz(q) if q.key == key));
        }
        Ok(())
    })
}

/// Adds a question to a quiz's pool (409 `key_taken` when the quiz has one of that key).
pub fn add_question(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    key: &str,
    question: Question,
) -> ApiResult<CourseDoc> {
    edit(pool, actor, slug, |doc| {
        let quiz = quiz_mut(doc, key)?;
        if quiz.spec.questions.iter().any(|q| q.key == question.key) {
            return Err(ApiError::of(
                Code::KeyTaken,
                format!("The quiz already has a question `{}`.", question.key),
            ));
        }
        quiz.spec.questions.push(question.clone());
        check_quiz(key, &quiz.spec)
    })
}

/// Replaces the question `qkey` of a quiz's pool; `question` keeps that key (422 otherwise). For
/// an author who read the draft at version `expected` (when given): 409 `edit_conflict` when
/// someone saved it since, and nothing is changed.
pub fn replace_question(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    key: &str,
    qkey: &str,
    question: Question,
    expected: Option<i32>,
) -> ApiResult<CourseDoc> {
    if question.key != qkey {
        return Err(ApiError::field(
            "key",
            "mismatch",
            "must equal the question key in the path",
        ));
    }
    let mut conn = pool.get()?;
    let edited = super::edit_draft_at(&mut conn, slug, actor, expected, |doc| {
        let quiz = quiz_mut(doc, key)?;
        let slot = quiz
            .spec
            .questions
            .iter_mut()
            .find(|q| q.key == qkey)
            .ok_or_else(|| ApiError::not_found(format!("No question `{qkey}` in quiz `{key}`.")))?;
        *slot = question.clone();
        check_quiz(key, &quiz.spec)
    })?;
    Ok(edited.1)
}

/// Removes a question from a quiz's pool.
pub fn delete_question(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    key: &str,
    qkey: &str,
) -> ApiResult<CourseDoc> {
    edit(pool, actor, slug, |doc| {
        let quiz = quiz_mut(doc, key)?;
        let before = quiz.spec.questions.len();
        quiz.spec.questions.retain(|q| q.key != qkey);
        if quiz.spec.questions.len() == before {
            return Err(ApiError::not_found(format!(
                "No question `{qkey}` in quiz `{key}`."
            )));
        }
        Ok(())
    })
}
