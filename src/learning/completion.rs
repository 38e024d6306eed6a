//! Completion: a course is complete when every required lesson is done and every required quiz
//! passed; completing it turns the enrolment completed and issues the course certificate, then
//! the certificates of the programs it completes, exactly once even under concurrent last events
//! (one transaction), with the congratulation mail and the indicator facts' hook.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use super::{done_items, required_items};
use crate::certs::{self, Achievement, CertificateKind, IssuerKeys};
use crate::content::catalogue::PublishedCourse;
use crate::content::CourseDoc;
use crate::db::learning::{self as q, CertificateRow};
use crate::db::{new_id, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::i18n::Lang;

/// What issuing needs besides the database.
pub struct Issuer<'a> {
    pub keys: &'a IssuerKeys,
    pub public_url: &'a str,
}

fn issue(
    conn: &mut DbConn,
    issuer: &Issuer<'_>,
    user: &crate::db::users::User,
    what: &Achievement<'_>,
    course_id: Option<&str>,
    now: NaiveDateTime,
) -> ApiResult<CertificateRow> {
    let serial = certs::new_serial();
    let status_index = q::next_status_index(conn)?;
    let credential = certs::credential(
        issuer.keys,
        issuer.public_url,
        &certs::Issued {
            serial: &serial,
            status_index,
            user_id: &user.id,
            recipient_name: &user.display_name,
            issued_at: now.and_utc(),
        },
        what,
    )
    .map_err(ApiError::internal)?;
    let row = CertificateRow {
        id: new_id(),
        serial,
        user_id: user.id.clone(),
        kind: what.kind,
        course_id: course_id.map(String::from),
        program_slug: (what.kind == CertificateKind::Program).then(|| what.slug.to_string()),
        title: what.title.to_string(),
        title_en: what.title_en.to_string(),
        recipient_name: user.display_name.clone(),
        issued_at: now,
        credential,
        revoked_at: None,
        revoked_reason: None,
        village_id: crate::db::community::profile(conn, &user.id)?.and_then(|p| p.village_id),
    };
    q::insert_certificate_at(conn, &row, status_index)?;
    Ok(row)
}

/// A certificate issued by a request (the course, and programs it completes).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IssuedCertificate {
    pub serial: String,
    /// `course` or `program`
    #[schema(value_type = String)]
    pub kind: CertificateKind,
    pub title: String,
}

/// What completing a course needs besides the database: who issues, the server's clock, and the
/// mail worker to wake when certificate mail is queued.
pub struct Completion<'a> {
    pub issuer: Issuer<'a>,
    pub clock: &'a crate::clock::Clock,
    pub mail: &'a tokio::sync::Notify,
}

/// Completes `course` for the learner if it is done now (`done`: the items done, when the caller
/// has read them already), with the certificates of the course and of the programs it completes;
/// returns what was issued. Called wherever a learner's progress may finish a course: progress
/// events, a passed quiz, a facilitator's record.
pub fn complete(
    conn: &mut DbConn,
    cx: &Completion<'_>,
    user_id: &str,
    course: &PublishedCourse,
    done: Option<&HashSet<String>>,
) -> ApiResult<Vec<IssuedCertificate>> {
    let read;
    let done = match done {
        Some(d) => d,
        None => {
            read = done_items(conn, user_id, &course.course_id)?;
            &read
        }
    };
    let issued = complete_if_done(
        conn,
        &cx.issuer,
        cx.clock.now(),
        user_id,
        &course.course_id,
        &course.content.doc,
        done,
    )?;
    if !issued.is_empty() {
        cx.mail.notify_one();
    }
    Ok(issued
        .into_iter()
        .map(|c| IssuedCertificate {
            serial: c.serial,
            kind: c.kind,
            title: c.title,
        })
        .collect())
}

/// Completes the course if every required lesson is done and every required quiz passed (`done`,
/// as read by the caller):
/// the enrolment turns completed and the certificate is issued in one transaction, once even
/// under concurrent last events; then program certificates whose courses are all complete.
fn complete_if_done(
    conn: &mut DbConn,
    issuer: &Issuer<'_>,
    now: NaiveDateTime,
    user_id: &str,
    course_id: &str,
    doc: &CourseDoc,
    done: &HashSet<String>,
) -> ApiResult<Vec<CertificateRow>> {
    if required_items(doc).iter().any(|(k, _)| !done.contains(k)) {
        return Ok(Vec::new());
    }
    crate::db::transaction::<_, ApiError, _>(conn, |conn| {
        q::ensure_enrollment(conn, user_id, course_id, now)?;
        if !q::mark_completed(conn, user_id, course_id, now)? {
            return Ok(Vec::new());
        }
        let user = crate::accounts::find_user(conn, user_id)?;
        let mut issued = vec![issue(
            conn,
            issuer,
            &user,
            &Achievement {
                kind: CertificateKind::Course,
                slug: &doc.slug,
                title: &doc.meta.title,
                title_en: &doc.meta.title_en,
            },
            Some(course_id),
            now,
        )?];
        if let Some(email) = &user.email {
            let lang = Lang::parse(&user.language).unwrap_or_default();
            crate::mail::queue_to_person(
                conn,
                user_id,
                &crate::mail::templates::congratulations(
                    lang,
                    &user.display_name,
                    email,
                    issuer.public_url,
                    &doc.meta.title,
                    &issued[0].serial,
                ),
            )?;
        }
        let completed: HashSet<String> = q::completed_slugs(conn, user_id)?.into_iter().collect();
        for program in q::all_programs(conn)? {
            let courses: Vec<String> = serde_json::from_str(&program.courses).unwrap_or_default();
            if !courses.contains(&doc.slug) || !courses.iter().all(|c| completed.contains(c)) {
                continue;
            }
            if q::has_program_certificate(conn, user_id, &program.slug)? {
                continue;
            }
            issued.push(issue(
                conn,
                issuer,
                &user,
                &Achievement {
                    kind: CertificateKind::Program,
                    slug: &program.slug,
                    title: &program.title,
                    title_en: &program.title_en,
                },
                None,
                now,
            )?);
        }
        crate::reports::learner_changed(conn, user_id, crate::reports::LearnerChange::Activity)?;
        Ok(issued)
    })
}
