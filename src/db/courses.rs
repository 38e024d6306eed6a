//! Rows and queries of courses, co-authors and releases.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{course_authors, course_releases, courses};
use super::{new_id, now, DbConn};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = courses)]
pub struct CourseRow {
    pub id: String,
    pub slug: String,
    pub owner_id: Option<String>,
    pub draft: String,
    pub draft_version: i32,
    pub latest_release: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = course_releases)]
pub struct ReleaseRow {
    pub id: String,
    pub course_id: String,
    pub number: i32,
    pub content: String,
    pub content_hash: String,
    pub published_at: NaiveDateTime,
    pub published_by: Option<String>,
}

pub fn find_by_slug(conn: &mut DbConn, slug: &str) -> QueryResult<Option<CourseRow>> {
    courses::table
        .filter(courses::slug.eq(slug))
        .select(CourseRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(
    conn: &mut DbConn,
    slug: &str,
    owner: Option<&str>,
    draft: &str,
) -> QueryResult<String> {
    let id = new_id();
    let at = now();
    diesel::insert_into(courses::table)
        .values((
            courses::id.eq(&id),
            courses::slug.eq(slug),
            courses::owner_id.eq(owner),
            courses::draft.eq(draft),
            courses::draft_version.eq(1),
            courses::created_at.eq(at),
            courses::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Saves a draft if nobody saved another one since `version` was read; false otherwise.
pub fn save_draft(conn: &mut DbConn, id: &str, version: i32, draft: &str) -> QueryResult<bool> {
    let n = diesel::update(
        courses::table
            .filter(courses::id.eq(id))
            .filter(courses::draft_version.eq(version)),
    )
    .set((
        courses::draft.eq(draft),
        courses::draft_version.eq(version + 1),
        courses::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Every course, by slug (the authoring pages keep those the actor may edit).
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<CourseRow>> {
    courses::table
        .select(CourseRow::as_select())
        .order(courses::slug)
        .load(conn)
}

pub fn authors(conn: &mut DbConn, course_id: &str) -> QueryResult<Vec<String>> {
    course_authors::table
        .filter(course_authors::course_id.eq(course_id))
        .select(course_authors::user_id)
        .order(course_authors::created_at)
        .load(conn)
}

pub fn is_author(conn: &mut DbConn, course_id: &str, user_id: &str) -> QueryResult<bool> {
    let n: i64 = course_authors::table
        .filter(course_authors::course_id.eq(course_id))
        .filter(course_authors::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn add_author(conn: &mut DbConn, course_id: &str, user_id: &str) -> QueryResult<()> {
    if !is_author(conn, course_id, user_id)? {
        diesel::insert_into(course_authors::table)
            .values((
                course_authors::course_id.eq(course_id),
                course_authors::user_id.eq(user_id),
                course_authors::created_at.eq(now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn remove_author(conn: &mut DbConn, course_id: &str, user_id: &str) -> QueryResult<usize> {
    diesel::delete(
        course_authors::table
            .filter(course_authors::course_id.eq(course_id))
            .filter(course_authors::user_id.eq(user_id)),
    )
    .execute(conn)
}

pub fn delete(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
    diesel::delete(courses::table.find(id)).execute(conn)
}

pub fn latest_release(conn: &mut DbConn, course_id: &str) -> QueryResult<Option<ReleaseRow>> {
    course_releases::table
        .filter(course_releases::course_id.eq(course_id))
        .order(course_releases::number.desc())
        .select(ReleaseRow::as_select())
        .first(conn)
        .optional()
}

pub fn release(conn: &mut DbConn, course_id: &str, number: i32) -> QueryResult<Option<ReleaseRow>> {
    course_releases::table
        .filter(course_releases::course_id.eq(course_id))
        .filter(course_releases::number.eq(number))
        .select(ReleaseRow::as_select())
        .first(conn)
        .optional()
}

/// (number, hash, published_at, published_by) of a release.
pub type ReleaseInfo = (i32, String, NaiveDateTime, Option<String>);

/// Every release of a course, newest first.
pub fn releases(conn: &mut DbConn, course_id: &str) -> QueryResult<Vec<ReleaseInfo>> {
    course_releases::table
        .filter(course_releases::course_id.eq(course_id))
        .order(course_releases::number.desc())
        .select((
            course_releases::number,
            course_releases::content_hash,
            course_releases::published_at,
            course_releases::published_by,
        ))
        .load(conn)
}

pub fn insert_release(
    conn: &mut DbConn,
    course_id: &str,
    number: i32,
    content: &str,
    hash: &str,
    by: Option<&str>,
) -> QueryResult<NaiveDateTime> {
    let at = now();
    diesel::insert_into(course_releases::table)
        .values((
            course_releases::id.eq(new_id()),
            course_releases::course_id.eq(course_id),
            course_releases::number.eq(number),
            course_releases::content.eq(content),
            course_releases::content_hash.eq(hash),
            course_releases::published_at.eq(at),
            course_releases::published_by.eq(by),
        ))
        .execute(conn)?;
    diesel::update(courses::table.find(course_id))
        .set(courses::latest_release.eq(Some(number)))
        .execute(conn)?;
    Ok(at)
}

/// The latest release of every published course.
pub fn all_latest_releases(conn: &mut DbConn) -> QueryResult<Vec<ReleaseRow>> {
    course_releases::table
        .inner_join(courses::table)
        .filter(courses::latest_release.eq(course_releases::number.nullable()))
        .select(ReleaseRow::as_select())
        .load(conn)
}

/// (slug, latest release) of every published course: what replicas poll.
pub fn release_versions(conn: &mut DbConn) -> QueryResult<Vec<(String, i32)>> {
    let rows: Vec<(String, Option<i32>)> = courses::table
        .filter(courses::latest_release.is_not_null())
        .select((courses::slug, courses::latest_release))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(s, r)| r.map(|r| (s, r)))
        .collect())
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    courses::table.count().get_result(conn)
}

/// The slug of the course `id`.
pub fn slug_of(conn: &mut DbConn, id: &str) -> QueryResult<String> {
    courses::table.find(id).select(courses::slug).first(conn)
}
