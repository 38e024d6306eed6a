//! A learner's home: what to learn next in each course in progress ("Học tiếp"), their courses
//! with progress, their certificates and their programs. One read; the web home page shows it.

use std::collections::HashSet;

use chrono::NaiveDateTime;

use super::programs::{self, MyProgram};
use super::Snapshot;
use crate::auth::AuthUser;
use crate::content::catalogue::Catalogue;
use crate::content::{CourseDoc, ItemDoc};
use crate::db::learning as q;
use crate::db::DbPool;
use crate::error::ApiResult;

/// The next item to open in a course: the first required item not done (strict order or not),
/// else the first optional item not done.
pub fn next_item<'d>(doc: &'d CourseDoc, done: &HashSet<String>) -> Option<&'d ItemDoc> {
    let items = || doc.modules.iter().flat_map(|m| m.items.iter());
    let optional = |i: &ItemDoc| match i {
        ItemDoc::Lesson(l) => l.meta.optional,
        ItemDoc::Quiz(q) => q.spec.optional,
    };
    items()
        .find(|i| !optional(i) && !done.contains(i.key()))
        .or_else(|| items().find(|i| !done.contains(i.key())))
}

pub struct NextItem {
    pub key: String,
    pub is_quiz: bool,
    pub title: String,
    pub title_en: String,
}

pub struct MyCourse {
    pub slug: String,
    pub title: String,
    pub title_en: String,
    pub status: super::EnrollmentStatus,
    pub percent: u32,
    pub next: Option<NextItem>,
    pub last_activity_at: NaiveDateTime,
}

pub struct MyCertificate {
    pub serial: String,
    pub title: String,
    pub title_en: String,
    pub issued_at: NaiveDateTime,
    pub revoked: bool,
}

pub struct Home {
    /// Most recently active first.
    pub courses: Vec<MyCourse>,
    pub certificates: Vec<MyCertificate>,
    /// Programs the learner has begun (a course of it completed) or that hold a course they
    /// are enrolled in.
    pub programs: Vec<MyProgram>,
}

pub fn home(pool: &DbPool, catalogue: &Catalogue, actor: &AuthUser) -> ApiResult<Home> {
    let mut conn = pool.get()?;
    let mut courses = Vec::new();
    for (e, slug) in q::enrollments_of(&mut conn, &actor.id)? {
        let Some(course) = catalogue.get(&slug) else {
            continue;
        };
        let doc = &course.content.doc;
        let done = Snapshot::load(&mut conn, &actor.id, &course.course_id)?.done();
        let next = if e.status == super::EnrollmentStatus::Completed {
            None
        } else {
            next_item(doc, &done).map(|i| match i {
                ItemDoc::Lesson(l) => NextItem {
                    key: l.key.clone(),
                    is_quiz: false,
                    title: l.meta.title.clone(),
                    title_en: l.meta.title_en.clone(),
                },
                ItemDoc::Quiz(qz) => NextItem {
                    key: qz.key.clone(),
                    is_quiz: true,
                    title: qz.spec.title.clone(),
                    title_en: qz.spec.title_en.clone(),
                },
            })
        };
        courses.push(MyCourse {
            slug,
            title: course.card.title.clone(),
            title_en: course.card.title_en.clone(),
            status: e.status,
            percent: super::percent(doc, &done),
            next,
            last_activity_at: e.last_activity_at,
        });
    }
    courses.sort_by_key(|c| std::cmp::Reverse(c.last_activity_at));
    let certificates = q::certificates_of(&mut conn, &actor.id)?
        .into_iter()
        .map(|c| MyCertificate {
            serial: c.serial,
            title: c.title,
            title_en: c.title_en,
            issued_at: c.issued_at,
            revoked: c.revoked_at.is_some(),
        })
        .collect();
    drop(conn);
    let mine: HashSet<&str> = courses.iter().map(|c| c.slug.as_str()).collect();
    let programs = programs::mine(pool, actor)?
        .into_iter()
        .filter(|p| {
            !p.completed_courses.is_empty()
                || p.program.courses.iter().any(|c| mine.contains(c.as_str()))
        })
        .collect();
    Ok(Home {
        courses,
        certificates,
        programs,
    })
}
