//! Localities, census figures, households, learner profiles, teams and the audit log.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::schema::{
    audit_log, census, households, learner_profiles, localities, role_grants, team_members, teams,
    village_links,
};
use super::users::Locality;
use super::{new_id, now, DbConn};
use crate::kinds::EidStatus;

pub fn locality(conn: &mut DbConn, id: &str) -> QueryResult<Option<Locality>> {
    localities::table
        .find(id)
        .select(Locality::as_select())
        .first(conn)
        .optional()
}

pub fn children(conn: &mut DbConn, parent: Option<&str>) -> QueryResult<Vec<Locality>> {
    let q = localities::table
        .select(Locality::as_select())
        .order(localities::name)
        .into_boxed();
    match parent {
        Some(p) => q.filter(localities::parent_id.eq(p.to_string())).load(conn),
        None => q.filter(localities::parent_id.is_null()).load(conn),
    }
}

/// The children of several localities in one query, by name.
pub fn children_of(conn: &mut DbConn, parents: &[String]) -> QueryResult<Vec<Locality>> {
    localities::table
        .filter(localities::parent_id.eq_any(parents))
        .select(Locality::as_select())
        .order(localities::name)
        .load(conn)
}

pub fn insert_locality(
    conn: &mut DbConn,
    parent: Option<&str>,
    kind: &str,
    name: &str,
    code: Option<&str>,
) -> QueryResult<String> {
    let id = new_id();
    diesel::insert_into(localities::table)
        .values((
            localities::id.eq(&id),
            localities::parent_id.eq(parent),
            localities::kind.eq(kind),
            localities::name.eq(name),
            localities::code.eq(code),
            localities::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn locality_by_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<Locality>> {
    localities::table
        .filter(localities::code.eq(code))
        .select(Locality::as_select())
        .first(conn)
        .optional()
}

/// Ids of the ancestors of a locality, nearest first (the tree is at most a few levels deep).
pub fn ancestors(conn: &mut DbConn, id: &str) -> QueryResult<Vec<String>> {
    let mut out = Vec::new();
    let mut current = locality(conn, id)?.and_then(|l| l.parent_id);
    while let Some(p) = current {
        if out.contains(&p) || out.len() > 16 {
            break;
        }
        out.push(p.clone());
        current = locality(conn, &p)?.and_then(|l| l.parent_id);
    }
    Ok(out)
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    id: String,
}

/// The recursive CTE naming `sub`: the locality bound as `$1` and every locality below it.
pub const SUBTREE_CTE: &str = "WITH RECURSIVE sub(id) AS (SELECT id FROM localities WHERE id = $1 \
    UNION ALL SELECT l.id FROM localities l JOIN sub ON l.parent_id = sub.id) ";

/// Runs `SUBTREE_CTE` followed by `tail` with `root` bound, on either backend.
pub fn load_over_subtree<T>(conn: &mut DbConn, root: &str, tail: &str) -> QueryResult<Vec<T>>
where
    T: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + 'static,
{
    let sql = format!("{SUBTREE_CTE}{tail}");
    match conn {
        DbConn::Pg(c) => diesel::sql_query(sql).bind::<Text, _>(root).load(c),
        DbConn::Sqlite(c) => diesel::sql_query(sql.replace("$1", "?"))
            .bind::<Text, _>(root)
            .load(c),
    }
}

/// The locality and every locality below it.
pub fn subtree(conn: &mut DbConn, root: &str) -> QueryResult<Vec<String>> {
    let rows: Vec<IdRow> = load_over_subtree(conn, root, "SELECT id FROM sub")?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

#[derive(
    Queryable,
    Selectable,
    Insertable,
    AsChangeset,
    Clone,
    Debug,
    Default,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[diesel(table_name = census, treat_none_as_null = true)]
pub struct Census {
    #[serde(skip_deserializing, default)]
    pub locality_id: String,
    #[serde(skip_deserializing, default)]
    pub year: i32,
    pub population: Option<i64>,
    pub aged_14_plus: Option<i64>,
    pub adults: Option<i64>,
    pub working_age: Option<i64>,
    pub households: Option<i64>,
    pub officials: Option<i64>,
    pub enterprise_workers: Option<i64>,
    /// Pupils and students (the students' indicator).
    pub students: Option<i64>,
    #[serde(skip)]
    #[schema(ignore)]
    pub updated_at: NaiveDateTime,
}

pub fn census_of(conn: &mut DbConn, locality_id: &str, year: i32) -> QueryResult<Option<Census>> {
    census::table
        .find((locality_id, year))
        .select(Census::as_select())
        .first(conn)
        .optional()
}

pub fn save_census(conn: &mut DbConn, c: &Census) -> QueryResult<()> {
    if census_of(conn, &c.locality_id, c.year)?.is_some() {
        diesel::update(census::table.find((&c.locality_id, c.year)))
            .set(c)
            .execute(conn)?;
    } else {
        diesel::insert_into(census::table).values(c).execute(conn)?;
    }
    Ok(())
}

#[derive(Queryable, Selectable, Clone, Debug, serde::Serialize, utoipa::ToSchema)]
#[diesel(table_name = households)]
pub struct Household {
    pub id: String,
    pub village_id: String,
    pub code: String,
    pub label: String,
    pub address: Option<String>,
    #[serde(skip)]
    #[schema(ignore)]
    pub created_at: NaiveDateTime,
}

pub fn household(conn: &mut DbConn, id: &str) -> QueryResult<Option<Household>> {
    households::table
        .find(id)
        .select(Household::as_select())
        .first(conn)
        .optional()
}

pub fn households_of(conn: &mut DbConn, village_id: &str) -> QueryResult<Vec<Household>> {
    households::table
        .filter(households::village_id.eq(village_id))
        .order(households::code)
        .select(Household::as_select())
        .load(conn)
}

pub fn insert_household(
    conn: &mut DbConn,
    village_id: &str,
    code: &str,
    label: &str,
    address: Option<&str>,
) -> QueryResult<String> {
    let id = new_id();
    diesel::insert_into(households::table)
        .values((
            households::id.eq(&id),
            households::village_id.eq(village_id),
            households::code.eq(code),
            households::label.eq(label),
            households::address.eq(address),
            households::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

#[derive(
    Queryable, Selectable, Insertable, AsChangeset, Clone, Debug, serde::Serialize, utoipa::ToSchema,
)]
#[diesel(table_name = learner_profiles, treat_none_as_null = true)]
pub struct Profile {
    #[serde(skip)]
    pub user_id: String,
    pub birth_year: Option<i32>,
    pub gender: Option<String>,
    /// citizen, official, enterprise_worker, student
    pub learner_group: String,
    pub village_id: Option<String>,
    pub household_id: Option<String>,
    /// none, level1, level2
    pub eid_status: String,
    #[serde(skip)]
    #[schema(ignore)]
    pub updated_at: NaiveDateTime,
    /// The key of a bulk-imported resident (village, household and name, or the file's own id).
    #[serde(skip)]
    #[schema(ignore)]
    pub external_key: Option<String>,
}

impl Profile {
    /// The years of birth a profile may give: from 1900 to this year.
    pub fn birth_years() -> std::ops::RangeInclusive<i32> {
        use chrono::Datelike;
        1900..=chrono::Utc::now().year()
    }

    pub fn empty(user_id: &str) -> Self {
        Self {
            user_id: user_id.to_string(),
            birth_year: None,
            gender: None,
            learner_group: "citizen".into(),
            village_id: None,
            household_id: None,
            eid_status: EidStatus::None.as_str().into(),
            updated_at: now(),
            external_key: None,
        }
    }
}

pub fn profile(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<Profile>> {
    learner_profiles::table
        .find(user_id)
        .select(Profile::as_select())
        .first(conn)
        .optional()
}

/// Creates or updates a profile; returns the one it replaced. (`community::save_profile` is the
/// use: it keeps the indicator facts and the certificates' village in step.)
pub fn write_profile(conn: &mut DbConn, p: &Profile) -> QueryResult<Option<Profile>> {
    let old = profile(conn, &p.user_id)?;
    if old.is_some() {
        diesel::update(learner_profiles::table.find(&p.user_id))
            .set(p)
            .execute(conn)?;
    } else {
        diesel::insert_into(learner_profiles::table)
            .values(p)
            .execute(conn)?;
    }
    Ok(old)
}

/// Gives `village` to the user's certificates that have no village.
pub fn certificates_into_village(
    conn: &mut DbConn,
    user_id: &str,
    village: &str,
) -> QueryResult<usize> {
    use super::schema::certificates;
    diesel::update(
        certificates::table
            .filter(certificates::user_id.eq(user_id))
            .filter(certificates::village_id.is_null()),
    )
    .set(certificates::village_id.eq(village))
    .execute(conn)
}

/// A learner of some villages with what their enrolments add up to.
#[derive(Queryable, Clone, Debug)]
pub struct ResidentRow {
    pub user_id: String,
    pub display_name: String,
    pub village_id: Option<String>,
    pub courses_joined: i64,
    pub courses_completed: i64,
    pub last_activity_at: Option<NaiveDateTime>,
}

diesel::allow_columns_to_appear_in_same_group_by_clause!(
    super::schema::users::id,
    super::schema::users::display_name,
    learner_profiles::village_id,
);

/// The learners whose profile puts them in one of `villages`, by name, each with the courses
/// they joined and completed and their latest activity: one query.
pub fn resident_rows(conn: &mut DbConn, villages: &[String]) -> QueryResult<Vec<ResidentRow>> {
    use super::schema::{enrollments, users};
    use diesel::dsl::{count, max, sql};
    learner_profiles::table
        .inner_join(users::table.on(users::id.eq(learner_profiles::user_id)))
        .left_join(enrollments::table.on(enrollments::user_id.eq(learner_profiles::user_id)))
        .filter(learner_profiles::village_id.eq_any(villages))
        .group_by((users::id, users::display_name, learner_profiles::village_id))
        .order(users::display_name)
        .select((
            users::id,
            users::display_name,
            learner_profiles::village_id,
            count(enrollments::course_id.nullable()),
            sql::<diesel::sql_types::BigInt>(
                "COUNT(CASE WHEN enrollments.status = 'completed' THEN 1 END)",
            ),
            max(enrollments::last_activity_at.nullable()),
        ))
        .load(conn)
}

/// Renames a locality.
pub fn rename_locality(conn: &mut DbConn, id: &str, name: &str) -> QueryResult<usize> {
    diesel::update(localities::table.find(id))
        .set(localities::name.eq(name))
        .execute(conn)
}

/// Sets or clears a locality's official code.
pub fn set_locality_code(conn: &mut DbConn, id: &str, code: Option<&str>) -> QueryResult<usize> {
    diesel::update(localities::table.find(id))
        .set(localities::code.eq(code))
        .execute(conn)
}

#[derive(Queryable, Selectable, Clone, Debug, serde::Serialize, utoipa::ToSchema)]
#[diesel(table_name = teams)]
pub struct Team {
    pub id: String,
    pub village_id: String,
    pub name: String,
    #[serde(skip)]
    #[schema(ignore)]
    pub created_at: NaiveDateTime,
}

pub fn team(conn: &mut DbConn, id: &str) -> QueryResult<Option<Team>> {
    teams::table
        .find(id)
        .select(Team::as_select())
        .first(conn)
        .optional()
}

/// The teams of a village, by name.
pub fn teams_of(conn: &mut DbConn, village_id: &str) -> QueryResult<Vec<Team>> {
    teams::table
        .filter(teams::village_id.eq(village_id))
        .select(Team::as_select())
        .order((teams::name, teams::created_at))
        .load(conn)
}

pub fn insert_team(conn: &mut DbConn, village_id: &str, name: &str) -> QueryResult<String> {
    let id = new_id();
    diesel::insert_into(teams::table)
        .values((
            teams::id.eq(&id),
            teams::village_id.eq(village_id),
            teams::name.eq(name),
            teams::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn members(conn: &mut DbConn, team_id: &str) -> QueryResult<Vec<String>> {
    team_members::table
        .filter(team_members::team_id.eq(team_id))
        .select(team_members::user_id)
        .order(team_members::created_at)
        .load(conn)
}

pub fn add_member(conn: &mut DbConn, team_id: &str, user_id: &str) -> QueryResult<()> {
    let exists: i64 = team_members::table
        .filter(team_members::team_id.eq(team_id))
        .filter(team_members::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(team_members::table)
            .values((
                team_members::team_id.eq(team_id),
                team_members::user_id.eq(user_id),
                team_members::created_at.eq(now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn remove_member(conn: &mut DbConn, team_id: &str, user_id: &str) -> QueryResult<usize> {
    diesel::delete(
        team_members::table
            .filter(team_members::team_id.eq(team_id))
            .filter(team_members::user_id.eq(user_id)),
    )
    .execute(conn)
}

/// Villages whose team the user belongs to: where a facilitator may act.
pub fn facilitator_villages(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<String>> {
    team_members::table
        .inner_join(teams::table)
        .filter(team_members::user_id.eq(user_id))
        .select(teams::village_id)
        .distinct()
        .load(conn)
}

pub fn audit(
    conn: &mut DbConn,
    actor: &str,
    action: &str,
    subject: Option<&str>,
    locality: Option<&str>,
    details: &serde_json::Value,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(new_id()),
            audit_log::actor_id.eq(actor),
            audit_log::action.eq(action),
            audit_log::subject_user_id.eq(subject),
            audit_log::locality_id.eq(locality),
            audit_log::details.eq(details.to_string()),
            audit_log::at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// (action, actor, subject, at) of an audit record.
pub type AuditRow = (String, String, Option<String>, NaiveDateTime);

/// The audit records about a user, newest first.
pub fn audit_of(conn: &mut DbConn, subject: &str) -> QueryResult<Vec<AuditRow>> {
    audit_log::table
        .filter(audit_log::subject_user_id.eq(subject))
        .order(audit_log::at.desc())
        .select((
            audit_log::action,
            audit_log::actor_id,
            audit_log::subject_user_id,
            audit_log::at,
        ))
        .load(conn)
}

pub fn profile_by_external_key(conn: &mut DbConn, key: &str) -> QueryResult<Option<Profile>> {
    learner_profiles::table
        .filter(learner_profiles::external_key.eq(key))
        .select(Profile::as_select())
        .first(conn)
        .optional()
}

pub fn household_by_code(
    conn: &mut DbConn,
    village_id: &str,
    code: &str,
) -> QueryResult<Option<Household>> {
    households::table
        .filter(households::village_id.eq(village_id))
        .filter(households::code.eq(code))
        .select(Household::as_select())
        .first(conn)
        .optional()
}

/// Whether a user holds any role (admin, facilitator, instructor) anywhere.
pub fn holds_any_role(conn: &mut DbConn, user_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        role_grants::table.filter(role_grants::user_id.eq(user_id)),
    ))
    .get_result(conn)
}

/// A village's request to count an account among its residents, waiting for the owner.
#[derive(Queryable, Selectable, Insertable, Clone, Debug, PartialEq)]
#[diesel(table_name = village_links)]
pub struct VillageLink {
    pub id: String,
    pub user_id: String,
    pub village_id: String,
    pub household_id: String,
    pub birth_year: Option<i32>,
    pub learner_group: String,
    pub eid_status: String,
    pub external_key: Option<String>,
    pub requested_by: Option<String>,
    pub created_at: NaiveDateTime,
}

/// Records (or replaces) the one waiting link of `link.user_id`; `false` when the same link
/// was already waiting.
pub fn request_village_link(conn: &mut DbConn, link: &VillageLink) -> QueryResult<bool> {
    if let Some(old) = village_link_of(conn, &link.user_id)? {
        let same = (
            &old.village_id,
            &old.household_id,
            old.birth_year,
            &old.learner_group,
            &old.eid_status,
            &old.external_key,
        ) == (
            &link.village_id,
            &link.household_id,
            link.birth_year,
            &link.learner_group,
            &link.eid_status,
            &link.external_key,
        );
        if same {
            return Ok(false);
        }
        diesel::delete(village_links::table.find(&old.id)).execute(conn)?;
    }
    diesel::insert_into(village_links::table)
        .values(link)
        .execute(conn)?;
    Ok(true)
}

/// The link waiting for `user_id`'s answer, if any.
pub fn village_link_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<VillageLink>> {
    village_links::table
        .filter(village_links::user_id.eq(user_id))
        .select(VillageLink::as_select())
        .first(conn)
        .optional()
}

pub fn delete_village_link(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
    diesel::delete(village_links::table.find(id)).execute(conn)
}
