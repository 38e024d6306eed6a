//! What facilitators do for the residents of their villages: register them, follow them, correct
//! their profiles, enrol them, record their progress in person, give them a reset code; and the
//! audit trail of all of it (every action is audited).

use std::sync::Arc;

use chrono::{NaiveDateTime, TimeDelta};
use serde_json::json;

use super::profiles::{apply, ProfileChanges};
use super::{check_household, check_pin_or_password, login_card, save_profile, village, Db};
use crate::access::{self, Action};
use crate::accounts;
use crate::auth::password::PasswordHasherConfig;
use crate::auth::AuthUser;
use crate::clock::Clock;
use crate::content::catalogue::{Catalogue, PublishedCourse};
use crate::db::community::{self as q, AuditRow, Profile, ResidentRow};
use crate::db::users::User;
use crate::db::{learning as lq, now, DbConn};
use crate::error::{ApiError, ApiResult, Code, FieldError, Validator};
use crate::learning::{self, Completion, Learner, Outcome, ProgressEvent};
use crate::privacy::access_records::{record_read, ReadKind, Staff};

/// A resident without e-mail or phone: a username and a PIN or password chosen with them.
pub struct NewResident {
    pub village_id: String,
    pub household_id: Option<String>,
    pub display_name: String,
    pub username: String,
    pub password: String,
    /// A phone number the resident may also log in with (none: the card's username only).
    pub phone: Option<String>,
    pub profile: ProfileChanges,
    /// How the resident consented to the privacy notice before the facilitator: on a signed
    /// paper form or in person (required; `online` is the person's own way, not a facilitator's).
    pub consent_way: Option<crate::privacy::ConsentWay>,
}

/// A registered resident, with the login card to print or send (shown this once).
pub struct Registered {
    pub user: User,
    pub profile: Profile,
    pub login_card: String,
}

/// Registers a resident in a village the actor facilitates; audited.
pub fn register(
    db: &Db,
    hasher: &PasswordHasherConfig,
    public_url: &str,
    actor: &AuthUser,
    new: NewResident,
) -> ApiResult<Registered> {
    let mut v = Validator::new();
    v.length("display_name", &new.display_name, 1, 100);
    let username = accounts::normalize_username(&new.username);
    v.check(
        username.is_some(),
        "username",
        "invalid",
        "3–32 of a-z, 0-9, . _ -",
    );
    if let Some(e) = check_pin_or_password(&new.password) {
        v.push(&e.field, &e.code, e.message);
    }
    let phone = match new
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(raw) => {
            let p = accounts::normalize_phone(raw);
            v.check(p.is_some(), "phone", "invalid", "a Vietnamese phone number");
            p
        }
        None => None,
    };
    let consent_way = new
        .consent_way
        .filter(|w| *w != crate::privacy::ConsentWay::Online);
    v.check(
        consent_way.is_some(),
        "consent_way",
        "consent_required",
        "how the resident consented to the privacy notice: `paper` or `in_person`",
    );
    v.finish()?;
    let consent_way = consent_way.unwrap_or(crate::privacy::ConsentWay::Paper);
    let username = username.unwrap_or_default();
    let mut conn = db.read()?;
    let loc = village(&mut conn, actor, Action::RegisterResident, &new.village_id)?;
    if let Some(h) = &new.household_id {
        check_household(&mut conn, &new.village_id, h)?;
    }
    let mut profile = Profile::empty("");
    let staff_fields = ProfileChanges {
        household_id: None,
        ..new.profile.clone()
    };
    apply(&mut profile, &staff_fields, true)?;
    let hash = hasher.hash(&new.password).map_err(ApiError::internal)?;
    drop(conn);
    let actor_id = actor.id.clone();
    let (secret, card_username) = (new.password.clone(), username.clone());
    let (user, profile) = db.writer.transaction(move |conn| {
        let resident = accounts::insert_account(
            conn,
            &accounts::NewAccount {
                display_name: &new.display_name,
                email: None,
                phone: phone.as_deref(),
                username: Some(&username),
                password: &new.password,
                language: "vi",
            },
            &hash,
        )?;
        profile.user_id = resident.id.clone();
        profile.village_id = Some(new.village_id.clone());
        profile.household_id = new.household_id.clone();
        save_profile(conn, &profile)?;
        crate::privacy::record(conn, &resident.id, consent_way, Some(&actor_id))?;
        q::audit(
            conn,
            &actor_id,
            "resident.register",
            Some(&resident.id),
            Some(&new.village_id),
            &json!({"username": username}),
        )?;
        Ok::<_, ApiError>((resident, profile))
    })?;
    Ok(Registered {
        login_card: login_card(
            public_url,
            &user.display_name,
            &loc.name,
            &card_username,
            &secret,
        ),
        user,
        profile,
    })
}

/// The villages the actor facilitates: `only` (which must be one), or all of their teams'.
pub(super) fn my_villages(
    conn: &mut DbConn,
    actor: &AuthUser,
    only: Option<&str>,
) -> ApiResult<Vec<String>> {
    if let Some(v) = only {
        access::require_village(conn, actor, Action::Facilitate, v)?;
        return Ok(vec![v.to_string()]);
    }
    access::require_team_villages(conn, actor)
}

/// The learners of the actor's villages (or of `only`, one of them), by name, with their
/// progress.
pub fn list(db: &Db, actor: &AuthUser, only: Option<&str>) -> ApiResult<Vec<ResidentRow>> {
    let mut conn = db.read()?;
    let villages = my_villages(&mut conn, actor, only)?;
    listed_rows(&mut conn, &villages)
}

/// The learners of `villages` as every list shows them to staff: the name of each who asked
/// that it not be listed replaced by initials (`privacy::choices`).
pub(super) fn listed_rows(conn: &mut DbConn, villages: &[String]) -> ApiResult<Vec<ResidentRow>> {
    let mut rows = q::resident_rows(conn, villages)?;
    crate::privacy::choices::hide_names_in_list(conn, &mut rows)?;
    Ok(rows)
}

/// Corrects the profile of a resident the actor may manage (household, e-identity status, ...);
/// audited.
pub fn update_profile(
    db: &Db,
    actor: &AuthUser,
    resident_id: String,
    ch: ProfileChanges,
) -> ApiResult<Profile> {
    let mut conn = db.read()?;
    let mut p = access::require_resident(&mut conn, actor, Action::Manage, &resident_id)?;
    apply(&mut p, &ch, true)?;
    if let Some(h) = &ch.household_id {
        let village = p.village_id.clone().unwrap_or_default();
        check_household(&mut conn, &village, h)?;
        p.household_id = Some(h.clone());
    }
    drop(conn);
    let actor_id = actor.id.clone();
    db.writer.transaction(move |conn| {
        save_profile(conn, &p)?;
        q::audit(
            conn,
            &actor_id,
            "resident.profile",
            Some(&resident_id),
            p.village_id.as_deref(),
            &serde_json::to_value(&p).unwrap_or_default(),
        )?;
        Ok(p)
    })
}

/// Enrols a resident the actor may see in a published course; audited.
pub fn enroll(
    db: &Db,
    catalogue: &Catalogue,
    clock: &Clock,
    actor: &AuthUser,
    resident_id: String,
    slug: String,
) -> ApiResult<()> {
    if catalogue.get(&slug).is_none() {
        return Err(crate::courses::course_not_found(&slug));
    }
    let mut conn = db.read()?;
    let p = access::require_resident(&mut conn, actor, Action::See, &resident_id)?;
    let row = crate::courses::find(&mut conn, &slug)?;
    drop(conn);
    let (actor_id, at) = (actor.id.clone(), clock.now());
    db.writer.transaction(move |conn| {
        lq::ensure_enrollment(conn, &resident_id, &row.id, at)?;
        q::audit(
            conn,
            &actor_id,
            "resident.enroll",
            Some(&resident_id),
            p.village_id.as_deref(),
            &json!({"course": slug}),
        )?;
        Ok(())
    })
}

/// A lesson's progress recorded for a resident during an in-person session.
pub struct RecordedProgress {
    pub resident_id: String,
    pub course: Arc<PublishedCourse>,
    pub slug: String,
    pub lesson_key: String,
    pub event: ProgressEvent,
}

/// Records a resident's lesson progress (marked as recorded by the actor), on the writer's
/// connection `conn`, and completes the course if it is done now; audited. A refused event is a
/// 409 `lesson_locked` (strict order) or a 422 on `event`.
pub fn record_progress(
    conn: &mut DbConn,
    completion: &Completion<'_>,
    actor: &AuthUser,
    r: RecordedProgress,
) -> ApiResult<()> {
    let p = access::require_resident(conn, actor, Action::See, &r.resident_id)?;
    let outcome = learning::apply(
        conn,
        completion.clock.now(),
        Learner {
            id: &r.resident_id,
            recorded_by: Some(&actor.id),
        },
        &r.course.course_id,
        &r.course.content.doc,
        &r.lesson_key,
        &r.event,
    )?;
    match outcome {
        Outcome::Rejected {
            code: "lesson_locked",
            reason,
        } => return Err(ApiError::conflict(Code::LessonLocked, reason)),
        Outcome::Rejected { code, reason } => {
            return Err(ApiError::validation(vec![FieldError {
                field: "event".into(),
                code: code.into(),
                message: reason,
            }]))
        }
        _ => {}
    }
    q::audit(
        conn,
        &actor.id,
        "resident.progress",
        Some(&r.resident_id),
        p.village_id.as_deref(),
        &json!({"course": r.slug, "lesson": r.lesson_key, "status": r.event.status}),
    )?;
    learning::complete(conn, completion, &r.resident_id, &r.course, None)?;
    Ok(())
}

/// A one-time code with which a resident sets a new PIN or password.
pub struct ResetCode {
    pub code: String,
    pub expires_at: NaiveDateTime,
}

/// Gives a reset code (valid 1 hour) for a resident the actor may manage; audited.
pub fn reset_code(db: &Db, actor: &AuthUser, resident_id: String) -> ApiResult<ResetCode> {
    let p = access::require_resident(&mut *db.read()?, actor, Action::Manage, &resident_id)?;
    let actor_id = actor.id.clone();
    db.writer.transaction(move |conn| {
        let ttl = TimeDelta::hours(1);
        let code = accounts::create_one_time_token(
            conn,
            &resident_id,
            accounts::PURPOSE_RESET_PASSWORD,
            None,
            ttl,
            crate::auth::tokens::human_code(),
        )?;
        q::audit(
            conn,
            &actor_id,
            "resident.password_reset",
            Some(&resident_id),
            p.village_id.as_deref(),
            &json!({}),
        )?;
        Ok(ResetCode {
            code,
            expires_at: now() + ttl,
        })
    })
}

/// The audit records about a resident (admins of their village's area); the read is recorded for
/// them.
pub fn audit_trail(db: &Db, actor: &AuthUser, resident_id: &str) -> ApiResult<Vec<AuditRow>> {
    let mut conn = db.read()?;
    access::require_resident(&mut conn, actor, Action::Audit, resident_id)?;
    let rows = q::audit_of(&mut conn, resident_id)?;
    drop(conn);
    record_read(
        &db.writer,
        Staff::of(actor),
        resident_id,
        &[ReadKind::Audit],
    )?;
    Ok(rows)
}

/// A village the actor facilitates, with its households (what a registration form offers).
pub struct MyVillage {
    pub village: crate::db::users::Locality,
    pub households: Vec<crate::db::community::Household>,
}

/// The villages of the actor's teams, by name, each with its households.
pub fn my_village_list(db: &Db, actor: &AuthUser) -> ApiResult<Vec<MyVillage>> {
    let mut conn = db.read()?;
    let mut out = Vec::new();
    for id in my_villages(&mut conn, actor, None)? {
        if let Some(village) = q::locality(&mut conn, &id)? {
            let households = q::households_of(&mut conn, &id)?;
            out.push(MyVillage {
                village,
                households,
            });
        }
    }
    out.sort_by(|a, b| a.village.name.cmp(&b.village.name));
    Ok(out)
}

/// Where a resident stands in one course they joined.
pub struct CourseProgress {
    pub slug: String,
    pub title: String,
    pub title_en: String,
    pub completed: bool,
    /// Share of the required items done, 0–100.
    pub percent: u32,
}

/// A resident as a facilitator follows them: their row of [`list`], their profile (e-identity
/// status, household, ...) and their progress per course.
pub struct ResidentOverview {
    pub resident: ResidentRow,
    pub profile: Profile,
    pub courses: Vec<CourseProgress>,
}

fn progress_of(
    conn: &mut DbConn,
    catalogue: &Catalogue,
    user_id: &str,
) -> ApiResult<Vec<CourseProgress>> {
    let mut out = Vec::new();
    for (e, slug) in lq::enrollments_of(conn, user_id)? {
        let Some(course) = catalogue.get(&slug) else {
            continue;
        };
        let done = learning::done_items(conn, user_id, &course.course_id)?;
        out.push(CourseProgress {
            percent: learning::percent(&course.content.doc, &done),
            completed: e.status == learning::EnrollmentStatus::Completed,
            title: course.card.title.clone(),
            title_en: course.card.title_en.clone(),
            slug,
        });
    }
    Ok(out)
}

/// The residents of the actor's villages (as [`list`]), each with their profile and progress
/// per course.
pub fn overview(
    db: &Db,
    catalogue: &Catalogue,
    actor: &AuthUser,
    only: Option<&str>,
) -> ApiResult<Vec<ResidentOverview>> {
    let mut conn = db.read()?;
    let villages = my_villages(&mut conn, actor, only)?;
    let rows = listed_rows(&mut conn, &villages)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let profile =
            q::profile(&mut conn, &r.user_id)?.unwrap_or_else(|| Profile::empty(&r.user_id));
        let courses = progress_of(&mut conn, catalogue, &r.user_id)?;
        out.push(ResidentOverview {
            resident: r,
            profile,
            courses,
        });
    }
    Ok(out)
}

/// One resident the actor may see (404 otherwise, as every resident outside their villages);
/// the read of their profile and progress is recorded for them.
pub fn overview_of(
    db: &Db,
    catalogue: &Catalogue,
    actor: &AuthUser,
    resident_id: &str,
) -> ApiResult<ResidentOverview> {
    let mut conn = db.read()?;
    let profile = access::require_resident(&mut conn, actor, Action::See, resident_id)?;
    let village = profile.village_id.clone().unwrap_or_default();
    let resident = q::resident_rows(&mut conn, &[village])?
        .into_iter()
        .find(|r| r.user_id == resident_id)
        .ok_or_else(|| ApiError::not_found("No such resident in your villages."))?;
    let courses = progress_of(&mut conn, catalogue, resident_id)?;
    drop(conn);
    record_read(
        &db.writer,
        Staff::of(actor),
        resident_id,
        &[ReadKind::Profile, ReadKind::Progress],
    )?;
    Ok(ResidentOverview {
        resident,
        profile,
        courses,
    })
}
