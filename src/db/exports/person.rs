//! What one person's export holds: the queries that gather everything hocso holds about them
//! (account, roles, profile and household, village links, consents, learning, attempts,
//! certificates, mail, one-time tokens, sessions, what was done about them and who read their
//! data). Secrets (password, session, refresh and one-time token hashes) are never selected.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::super::schema::{
    access_records, audit_log, certificates, consents, courses, enrollments, households,
    learner_profiles, lesson_progress, localities, mail_outbox, one_time_tokens, progress_events,
    quiz_attempts, role_grants, sessions, users, village_links,
};
use super::super::DbConn;

/// The account, without its password hash.
#[derive(Queryable, Serialize, Deserialize, Clone, Debug)]
pub struct AccountData {
    pub id: String,
    pub display_name: String,
    pub email: Option<String>,
    pub email_verified_at: Option<NaiveDateTime>,
    pub phone: Option<String>,
    pub username: Option<String>,
    pub language: String,
    pub disabled_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn account(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<AccountData>> {
    users::table
        .find(user_id)
        .select((
            users::id,
            users::display_name,
            users::email,
            users::email_verified_at,
            users::phone,
            users::username,
            users::language,
            users::disabled_at,
            users::created_at,
            users::updated_at,
        ))
        .first(conn)
        .optional()
}

#[derive(Queryable, Serialize, Deserialize, Clone, Debug)]
pub struct RoleData {
    pub role: String,
    /// The locality the grant is limited to (its name); none: everywhere.
    pub locality: Option<String>,
    pub granted_at: NaiveDateTime,
}

pub fn roles(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<RoleData>> {
    role_grants::table
        .left_join(localities::table.on(localities::id.nullable().eq(role_grants::locality_id)))
        .filter(role_grants::user_id.eq(user_id))
        .order(role_grants::created_at.asc())
        .select((
            role_grants::role,
            localities::name.nullable(),
            role_grants::created_at,
        ))
        .load(conn)
}

/// The learner profile, with the village's name and the household (its own fields only: never
/// its other members).
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct ProfileData {
    pub birth_year: Option<i32>,
    pub gender: Option<String>,
    pub learner_group: String,
    pub eid_status: String,
    pub village: Option<String>,
    pub household: Option<HouseholdData>,
    pub external_key: Option<String>,
    pub updated_at: NaiveDateTime,
    pub last_active_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Serialize, Deserialize, Clone, Debug)]
pub struct HouseholdData {
    pub code: String,
    pub label: String,
    pub address: Option<String>,
}

type ProfileTuple = (
    Option<i32>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

pub fn profile(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<ProfileData>> {
    let row: Option<ProfileTuple> = learner_profiles::table
        .left_join(localities::table.on(localities::id.nullable().eq(learner_profiles::village_id)))
        .filter(learner_profiles::user_id.eq(user_id))
        .select((
            learner_profiles::birth_year,
            learner_profiles::gender,
            learner_profiles::learner_group,
            learner_profiles::eid_status,
            localities::name.nullable(),
            learner_profiles::household_id,
            learner_profiles::external_key,
            learner_profiles::updated_at,
            learner_profiles::last_active_at,
        ))
        .first(conn)
        .optional()?;
    let Some((birth_year, gender, group, eid, village, household_id, key, updated, active)) = row
    else {
        return Ok(None);
    };
    let household = match household_id {
        Some(h) => households::table
            .find(h)
            .select((households::code, households::label, households::address))
            .first::<HouseholdData>(conn)
            .optional()?,
        None => None,
    };
    Ok(Some(ProfileData {
        birth_year,
        gender,
        learner_group: group,
        eid_status: eid,
        village,
        household,
        external_key: key,
        updated_at: updated,
        last_active_at: active,
    }))
}

/// A village's request to count the person among its residents, waiting for their answer.
#[derive(Queryable, Serialize, Deserialize, Clone, Debug)]
pub struct VillageLinkData {
    pub village: String,
    pub birth_year: Option<i32>,
    pub learner_group: String,
    pub eid_status: String,
    pub requested_at: NaiveDateTime,
}

pub fn village_links(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<VillageLinkData>> {
    village_links::table
        .inner_join(localities::table.on(localities::id.eq(village_links::village_id)))
        .filter(village_links::user_id.eq(user_id))
        .select((
            localities::name,
            village_links::birth_year,
            village_links::learner_group,
            village_links::eid_status,
            village_links::created_at,
        ))
        .load(conn)
}

#[derive(Queryable, Serialize, Deserialize, Clone, Debug)]
pub struct ConsentData {
    pub notice_version: String,
    pub way: String,
    pub given_at: NaiveDateTime,
    /// Who recorded it (their display name), when a facilitator did.
    pub recorded_by: Option<String>,
    pub withdrawn_at: Option<NaiveDateTime>,
}

pub fn consents(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<ConsentData>> {
    consents::table
        .left_join(users::table.on(users::id.nullable().eq(consents::recorded_by)))
        .filter(consents::user_id.eq(user_id))
        .order(consents::given_at.asc())
        .select((
            consents::notice_version,
            consents::way,
            consents::given_at,
            users::display_name.nullable(),
            consents::withdrawn_at,
        ))
        .load(conn)
}

#[derive(Queryable, Serialize, Deserialize, Clone, Debug)]
pub struct EnrolmentData {
    pub course: String,
    pub status: String,
    pub enrolled_at: NaiveDateTime,
    pub last_activity_at: NaiveDateTime,
    pub completed_at: Option<NaiveDateTime>,
}

pub fn enrolments(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<EnrolmentData>> {
    enrollments::table
        .inner_join(courses::table)
        .filter(enrollments::user_id.eq(user_id))
        .order(enrollments::enrolled_at.asc())
        .select((
            courses::slug,
            enrollments::status,
            enrollments::enrolled_at,
            enrollments::last_activity_at,
            enrollments::completed_at,
        ))
        .load(conn)
}

#[derive(Queryable, Serialize, Deserialize, Clone, Debug)]
pub struct LessonData {
    pub course: String,
    pub lesson_key: String,
    pub status: String,
    pub time_spent_seconds: i64,
    pub started_at: NaiveDateTime,
    pub completed_at: Option<NaiveDateTime>,
}

pub fn lessons(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<LessonData>> {
    lesson_progress::table
        .inner_join(courses::table.on(courses::id.eq(lesson_progress::course_id)))
        .filter(lesson_progress::user_id.eq(user_id))
        .order((
            lesson_progress::started_at.asc(),
            lesson_progress::lesson_key.asc(),
        ))
        .select((
            courses::slug,
            lesson_progress::lesson_key,
            lesson_progress::status,
            lesson_progress::time_spent_seconds,
            lesson_progress::started_at,
            lesson_progress::completed_at,
        ))
        .load(conn)
}

#[derive(Queryable, Serialize, Deserialize, Clone, Debug)]
pub struct ProgressEventData {
    pub course: String,
    pub lesson_key: String,
    pub status: String,
    pub time_spent_seconds: i64,
    pub occurred_at: NaiveDateTime,
    pub received_at: NaiveDateTime,
    /// The facilitator who recorded it in person (their display name).
    pub recorded_by: Option<String>,
}

pub fn progress_events(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<ProgressEventData>> {
    progress_events::table
        .inner_join(courses::table.on(courses::id.eq(progress_events::course_id)))
        .left_join(users::table.on(users::id.nullable().eq(progress_events::recorded_by)))
        .filter(progress_events::user_id.eq(user_id))
        .order((
            progress_events::occurred_at.asc(),
            progress_events::client_event_id.asc(),
        ))
        .select((
            courses::slug,
            progress_events::lesson_key,
            progress_events::status,
            progress_events::time_spent_seconds,
            progress_events::occurred_at,
            progress_events::received_at,
            users::display_name.nullable(),
        ))
        .load(conn)
}

/// An attempt at a quiz, with the answers given (as stored: question key → answer) and its
/// graded result.
#[derive(Queryable, Clone, Debug)]
pub struct AttemptRow {
    pub course: String,
    pub quiz_key: String,
    pub number: i32,
    pub status: String,
    pub answers: String,
    pub started_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub score_bp: Option<i32>,
    pub passed: Option<bool>,
    pub result: Option<String>,
}

pub fn attempts(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<AttemptRow>> {
    quiz_attempts::table
        .inner_join(courses::table.on(courses::id.eq(quiz_attempts::course_id)))
        .filter(quiz_attempts::user_id.eq(user_id))
        .order((quiz_attempts::started_at.asc(), quiz_attempts::id.asc()))
        .select((
            courses::slug,
            quiz_attempts::quiz_key,
            quiz_attempts::number,
            quiz_attempts::status,
            quiz_attempts::answers,
            quiz_attempts::started_at,
            quiz_attempts::submitted_at,
            quiz_attempts::score_bp,
            quiz_attempts::passed,
            quiz_attempts::result,
        ))
        .load(conn)
}

#[derive(Queryable, Serialize, Deserialize, Clone, Debug)]
pub struct CertificateData {
    pub serial: String,
    pub kind: String,
    pub title: String,
    pub title_en: String,
    pub recipient_name: String,
    pub issued_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
}

pub fn certificates(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<CertificateData>> {
    certificates::table
        .filter(certificates::user_id.eq(user_id))
        .order(certificates::issued_at.asc())
        .select((
            certificates::serial,
            certificates::kind,
            certificates::title,
            certificates::title_en,
            certificates::recipient_name,
            certificates::issued_at,
            certificates::revoked_at,
            certificates::revoked_reason,
        ))
        .load(conn)
}

/// A mail sent (or to send) to one of the person's addresses: its kind, subject and state; not
/// its body, which carries one-time links.
#[derive(Queryable, Serialize, Deserialize, Clone, Debug)]
pub struct MailData {
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// The mail to any of `addresses` (the person's e-mail, and those their one-time tokens were
/// sent to).
pub fn mail(conn: &mut DbConn, addresses: &[String]) -> QueryResult<Vec<MailData>> {
    if addresses.is_empty() {
        return Ok(Vec::new());
    }
    mail_outbox::table
        .filter(mail_outbox::to_address.eq_any(addresses))
        .order(mail_outbox::created_at.asc())
        .select((
            mail_outbox::kind,
            mail_outbox::to_address,
            mail_outbox::subject,
            mail_outbox::status,
            mail_outbox::created_at,
            mail_outbox::sent_at,
        ))
        .load(conn)
}

/// The addresses one-time tokens of `user_id` were sent to (an e-mail being verified).
pub fn token_addresses(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<String>> {
    one_time_tokens::table
        .filter(one_time_tokens::user_id.eq(user_id))
        .filter(one_time_tokens::email.is_not_null())
        .select(one_time_tokens::email.assume_not_null())
        .distinct()
        .load(conn)
}

/// A one-time code or link given to the person (its purpose and times; never the token).
#[derive(Queryable, Serialize, Deserialize, Clone, Debug)]
pub struct OneTimeTokenData {
    pub purpose: String,
    pub email: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

pub fn one_time_tokens(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<OneTimeTokenData>> {
    one_time_tokens::table
        .filter(one_time_tokens::user_id.eq(user_id))
        .order(one_time_tokens::created_at.asc())
        .select((
            one_time_tokens::purpose,
            one_time_tokens::email,
            one_time_tokens::created_at,
            one_time_tokens::expires_at,
            one_time_tokens::used_at,
        ))
        .load(conn)
}

/// A login session (never its cookie or token hashes).
#[derive(Queryable, Serialize, Deserialize, Clone, Debug)]
pub struct SessionData {
    pub created_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
    /// A browser session (a cookie) rather than an app's tokens.
    pub browser: bool,
}

pub fn sessions(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<SessionData>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .order(sessions::created_at.asc())
        .select((
            sessions::created_at,
            sessions::last_used_at,
            sessions::revoked_at,
            sessions::revoked_reason,
            sessions::cookie_hash.is_not_null(),
        ))
        .load(conn)
}

/// What someone (a facilitator, an admin, or the person) did about the person, from the audit
/// log: who by display name, what, where, when, and its details.
#[derive(Queryable, Clone, Debug)]
pub struct ActionRow {
    pub actor: String,
    pub action: String,
    pub village: Option<String>,
    pub details: String,
    pub at: NaiveDateTime,
}

pub fn actions(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<ActionRow>> {
    audit_log::table
        .inner_join(users::table.on(users::id.eq(audit_log::actor_id)))
        .left_join(localities::table.on(localities::id.nullable().eq(audit_log::locality_id)))
        .filter(audit_log::subject_user_id.eq(user_id))
        .order((audit_log::at.asc(), audit_log::id.asc()))
        .select((
            users::display_name,
            audit_log::action,
            localities::name.nullable(),
            audit_log::details,
            audit_log::at,
        ))
        .load(conn)
}

/// A read of the person's data by staff (`access_records`).
#[derive(Queryable, Serialize, Deserialize, Clone, Debug)]
pub struct ReadData {
    pub actor: String,
    pub actor_role: String,
    pub what: String,
    pub read_at: NaiveDateTime,
}

pub fn reads(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<ReadData>> {
    access_records::table
        .inner_join(users::table.on(users::id.eq(access_records::actor_id)))
        .filter(access_records::subject_id.eq(user_id))
        .order((access_records::read_at.asc(), access_records::id.asc()))
        .select((
            users::display_name,
            access_records::actor_role,
            access_records::what,
            access_records::read_at,
        ))
        .load(conn)
}

/// How many rows of the person's history an export would hold (what decides whether it is built
/// at once or in the background).
pub fn history_size(conn: &mut DbConn, user_id: &str) -> QueryResult<i64> {
    let events: i64 = progress_events::table
        .filter(progress_events::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    let attempts: i64 = quiz_attempts::table
        .filter(quiz_attempts::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    let actions: i64 = audit_log::table
        .filter(audit_log::subject_user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    let reads: i64 = access_records::table
        .filter(access_records::subject_id.eq(user_id))
        .count()
        .get_result(conn)?;
    Ok(events + attempts + actions + reads)
}
