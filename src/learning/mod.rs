//! Learning rules: progress events (single and offline batches), strict order, percentage,
//! completion, and issuing course and program certificates exactly once.

pub mod completion;
pub mod enrolment;
pub mod home;
pub mod programs;
pub mod progress;

use std::collections::HashSet;

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::content::{CourseDoc, ItemDoc};
use crate::db::learning::{self as q, NewEvent, NewLessonProgress, StateKind};
use crate::db::DbConn;
use crate::error::ApiResult;
pub use crate::kinds::{CourseStatus, EnrollmentStatus, ItemKind, ItemStatus, LessonStatus};
pub use completion::{complete, Completion, IssuedCertificate, Issuer};

pub const MAX_TIME_SPENT: i64 = 24 * 3600;

pub const MAX_FUTURE: TimeDelta = TimeDelta::minutes(5);

/// One progress event as a device sends it.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressEvent {
    /// A UUID made by the device: the same id sent twice is applied once.
    #[schema(schema_with = crate::content::schema::uuid)]
    pub client_event_id: String,
    #[schema(schema_with = crate::content::schema::progress_status)]
    pub status: String,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 86400)]
    pub time_spent_seconds: i64,
    /// When it happened on the device; at most 5 minutes ahead of the server's clock.
    pub occurred_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    Duplicate,
    Rejected { code: &'static str, reason: String },
}

fn reject(code: &'static str, reason: impl Into<String>) -> Outcome {
    Outcome::Rejected {
        code,
        reason: reason.into(),
    }
}

/// Required items in course order: (key, is_quiz).
pub fn required_items(doc: &CourseDoc) -> Vec<(String, bool)> {
    doc.modules
        .iter()
        .flat_map(|m| m.items.iter())
        .filter_map(|i| match i {
            ItemDoc::Lesson(l) if !l.meta.optional => Some((l.key.clone(), false)),
            ItemDoc::Quiz(q) if !q.spec.optional => Some((q.key.clone(), true)),
            _ => None,
        })
        .collect()
}

/// Items that strict order keeps locked: every item after the first required item not done.
pub fn locked_items(doc: &CourseDoc, done: &HashSet<String>) -> HashSet<String> {
    let mut locked = HashSet::new();
    if !doc.meta.strict_order {
        return locked;
    }
    let mut blocked = false;
    for item in doc.modules.iter().flat_map(|m| m.items.iter()) {
        if blocked {
            locked.insert(item.key().to_string());
        }
        let optional = match item {
            ItemDoc::Lesson(l) => l.meta.optional,
            ItemDoc::Quiz(q) => q.spec.optional,
        };
        if !optional && !done.contains(item.key()) {
            blocked = true;
        }
    }
    locked
}

/// Share of required items done, 0–100.
pub fn percent(doc: &CourseDoc, done: &HashSet<String>) -> u32 {
    let required = required_items(doc);
    if required.is_empty() {
        return 100;
    }
    let n = required.iter().filter(|(k, _)| done.contains(k)).count();
    (n * 100 / required.len()) as u32
}

/// Completed lessons and passed quizzes of a user in a course.
pub fn done_items(conn: &mut DbConn, user_id: &str, course_id: &str) -> ApiResult<HashSet<String>> {
    Ok(Snapshot::load(conn, user_id, course_id)?.done())
}

/// Checks an event on its own (shape, lesson, time).
pub fn check_event(
    doc: &CourseDoc,
    lesson_key: &str,
    e: &ProgressEvent,
    now: NaiveDateTime,
) -> Result<LessonStatus, Outcome> {
    if uuid::Uuid::parse_str(&e.client_event_id).is_err() {
        return Err(reject("invalid_event_id", "client_event_id must be a UUID"));
    }
    let Some(status) = LessonStatus::parse(&e.status) else {
        return Err(reject(
            "invalid_status",
            "status must be `started` or `completed`",
        ));
    };
    if !(0..=MAX_TIME_SPENT).contains(&e.time_spent_seconds) {
        return Err(reject(
            "invalid_time_spent",
            "time_spent_seconds must be between 0 and 86400",
        ));
    }
    if e.occurred_at.naive_utc() > now + MAX_FUTURE {
        return Err(reject("future_event", "occurred_at is in the future"));
    }
    if !doc.lessons().any(|l| l.key == lesson_key) {
        return Err(reject(
            "unknown_lesson",
            format!("the course has no lesson `{lesson_key}`"),
        ));
    }
    Ok(status)
}

/// Applies one event: records it once, enrols the learner if needed, raises the lesson's status
/// and adds its time. With strict order, completing a locked lesson is refused.
/// Whose progress it is, and who recorded it (a facilitator, for in-person sessions).
#[derive(Clone, Copy)]
pub struct Learner<'a> {
    pub id: &'a str,
    pub recorded_by: Option<&'a str>,
}

pub fn apply(
    conn: &mut DbConn,
    now: NaiveDateTime,
    learner: Learner<'_>,
    course_id: &str,
    doc: &CourseDoc,
    lesson_key: &str,
    e: &ProgressEvent,
) -> ApiResult<Outcome> {
    let (user_id, recorded_by) = (learner.id, learner.recorded_by);
    let status = match check_event(doc, lesson_key, e, now) {
        Ok(status) => status,
        Err(o) => return Ok(o),
    };
    let completed = status == LessonStatus::Completed;
    if completed && doc.meta.strict_order {
        // A duplicate is answered as such even when order rules changed since.
        if q::event_exists(conn, user_id, &e.client_event_id)? {
            return Ok(Outcome::Duplicate);
        }
        let done = done_items(conn, user_id, course_id)?;
        if locked_items(doc, &done).contains(lesson_key) {
            return Ok(reject(
                "lesson_locked",
                "the lessons before this one are not done yet (the course is taken in order)",
            ));
        }
    }
    let at = e.occurred_at.naive_utc().min(now);
    let fresh = q::record_event(
        conn,
        &NewEvent {
            user_id,
            client_event_id: &e.client_event_id,
            course_id,
            lesson_key,
            status,
            time_spent_seconds: e.time_spent_seconds,
            occurred_at: e.occurred_at.naive_utc(),
            received_at: now,
            recorded_by,
        },
        &NewLessonProgress {
            user_id,
            course_id,
            lesson_key,
            status,
            time_spent_seconds: e.time_spent_seconds,
            started_at: at,
            completed_at: completed.then_some(at),
            updated_at: now,
        },
    )?;
    Ok(if fresh {
        Outcome::Applied
    } else {
        Outcome::Duplicate
    })
}

/// What a learner has done in one course, read once per request (one query).
pub struct Snapshot {
    /// (lesson key, status, seconds)
    pub lessons: Vec<(String, LessonStatus, i64)>,
    pub passed_quizzes: Vec<String>,
    /// None when not enrolled.
    pub enrollment_status: Option<EnrollmentStatus>,
}

impl Snapshot {
    pub fn load(conn: &mut DbConn, user_id: &str, course_id: &str) -> ApiResult<Self> {
        let mut snap = Snapshot {
            lessons: Vec::new(),
            passed_quizzes: Vec::new(),
            enrollment_status: None,
        };
        for row in q::course_state(conn, user_id, course_id)? {
            match (row.kind, row.lesson_status) {
                (StateKind::Lesson, Some(status)) => {
                    snap.lessons.push((row.key, status, row.seconds))
                }
                (StateKind::Lesson, None) => {}
                (StateKind::Quiz, _) => snap.passed_quizzes.push(row.key),
                (StateKind::Enrollment, _) => snap.enrollment_status = row.enrollment_status,
            }
        }
        Ok(snap)
    }

    /// Completed lessons and passed quizzes.
    pub fn done(&self) -> HashSet<String> {
        self.lessons
            .iter()
            .filter(|(_, s, _)| *s == LessonStatus::Completed)
            .map(|(k, _, _)| k.clone())
            .chain(self.passed_quizzes.iter().cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::*;

    fn doc(strict: bool) -> CourseDoc {
        let lesson = |key: &str, optional: bool| {
            ItemDoc::Lesson(LessonDoc {
                key: key.into(),
                meta: LessonMeta {
                    title: key.into(),
                    title_en: key.into(),
                    estimated_minutes: 5,
                    competences: vec![],
                    optional,
                    video_url: None,
                    transcript: None,
                    sources: vec![],
                },
                body: "x".into(),
            })
        };
        CourseDoc {
            slug: "c".into(),
            meta: CourseMeta {
                title: "C".into(),
                title_en: "C".into(),
                summary: "s".into(),
                summary_en: "s".into(),
                language: "vi".into(),
                topic: "ai".into(),
                level: "basic".into(),
                groups: vec!["citizen".into()],
                competences: vec![],
                estimated_minutes: 10,
                strict_order: strict,
                cover_image_url: None,
            },
            modules: vec![ModuleDoc {
                key: "m".into(),
                meta: ModuleMeta {
                    title: "M".into(),
                    title_en: "M".into(),
                    summary: String::new(),
                    summary_en: String::new(),
                },
                items: vec![
                    lesson("a", false),
                    lesson("b", true),
                    lesson("c", false),
                    lesson("d", false),
                ],
            }],
        }
    }

    #[test]
    fn strict_order_locks_after_the_first_missing_required_item() {
        let d = doc(true);
        let none = HashSet::new();
        let locked = locked_items(&d, &none);
        assert!(!locked.contains("a"));
        assert!(locked.contains("b") && locked.contains("c") && locked.contains("d"));
        let done: HashSet<String> = ["a".to_string()].into();
        let locked = locked_items(&d, &done);
        // The optional `b` does not block `c`.
        assert!(!locked.contains("b") && !locked.contains("c"));
        assert!(locked.contains("d"));
        assert!(locked_items(&doc(false), &none).is_empty());
    }

    #[test]
    fn percentage_counts_required_items_only() {
        let d = doc(false);
        let done: HashSet<String> = ["a".to_string(), "b".to_string()].into();
        assert_eq!(percent(&d, &done), 33);
        let done: HashSet<String> = ["a", "c", "d"].iter().map(|s| s.to_string()).collect();
        assert_eq!(percent(&d, &done), 100);
    }

    #[test]
    fn events_are_checked() {
        let d = doc(false);
        let now = Utc::now().naive_utc();
        let ev = |id: &str, status: &str, t: i64, at: DateTime<Utc>| ProgressEvent {
            client_event_id: id.into(),
            status: status.into(),
            time_spent_seconds: t,
            occurred_at: at,
        };
        let id = uuid::Uuid::new_v4().to_string();
        assert!(check_event(&d, "a", &ev(&id, "completed", 60, Utc::now()), now).is_ok());
        let code = |r: Result<LessonStatus, Outcome>| match r {
            Err(Outcome::Rejected { code, .. }) => code,
            _ => "ok",
        };
        assert_eq!(
            code(check_event(
                &d,
                "a",
                &ev("x", "completed", 60, Utc::now()),
                now
            )),
            "invalid_event_id"
        );
        assert_eq!(
            code(check_event(&d, "a", &ev(&id, "done", 60, Utc::now()), now)),
            "invalid_status"
        );
        assert_eq!(
            code(check_event(
                &d,
                "a",
                &ev(&id, "started", -1, Utc::now()),
                now
            )),
            "invalid_time_spent"
        );
        assert_eq!(
            code(check_event(
                &d,
                "a",
                &ev(&id, "started", 86401, Utc::now()),
                now
            )),
            "invalid_time_spent"
        );
        let future = Utc::now() + TimeDelta::hours(1);
        assert_eq!(
            code(check_event(&d, "a", &ev(&id, "started", 1, future), now)),
            "future_event"
        );
        assert_eq!(
            code(check_event(
                &d,
                "zz",
                &ev(&id, "started", 1, Utc::now()),
                now
            )),
            "unknown_lesson"
        );
    }
}
