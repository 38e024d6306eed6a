//! A person's choices about optional processing (`privacy_choices`): one row per person who
//! changed them; no row means the defaults (src/privacy/choices.rs).

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::privacy_choices;
use super::DbConn;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = privacy_choices)]
pub struct ChoicesRow {
    pub user_id: String,
    pub optional_mail: bool,
    pub name_in_lists: bool,
    pub changed_at: NaiveDateTime,
}

/// The choices of `user_id`, if they ever changed them.
pub fn of_user(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<ChoicesRow>> {
    privacy_choices::table
        .find(user_id)
        .select(ChoicesRow::as_select())
        .first(conn)
        .optional()
}

/// Writes the choices of `row.user_id` (inserted or replaced).
pub fn save(conn: &mut DbConn, row: &ChoicesRow) -> QueryResult<()> {
    let set = (
        privacy_choices::optional_mail.eq(row.optional_mail),
        privacy_choices::name_in_lists.eq(row.name_in_lists),
        privacy_choices::changed_at.eq(row.changed_at),
    );
    match conn {
        DbConn::Pg(c) => diesel::insert_into(privacy_choices::table)
            .values(row)
            .on_conflict(privacy_choices::user_id)
            .do_update()
            .set(set)
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::insert_into(privacy_choices::table)
            .values(row)
            .on_conflict(privacy_choices::user_id)
            .do_update()
            .set(set)
            .execute(c)?,
    };
    Ok(())
}

/// Those among `user_ids` who asked that their name not be shown in lists.
pub fn names_withheld_among(
    conn: &mut DbConn,
    user_ids: &[String],
) -> QueryResult<HashSet<String>> {
    let mut out = HashSet::new();
    // Chunks keep PostgreSQL's and SQLite's parameter limits far away for a big commune.
    for chunk in user_ids.chunks(500) {
        out.extend(
            privacy_choices::table
                .filter(privacy_choices::user_id.eq_any(chunk))
                .filter(privacy_choices::name_in_lists.eq(false))
                .select(privacy_choices::user_id)
                .load::<String>(conn)?,
        );
    }
    Ok(out)
}

/// Removes the choices of `user_id` (erasure).
pub fn delete_of(conn: &mut DbConn, user_id: &str) -> QueryResult<usize> {
    diesel::delete(privacy_choices::table.find(user_id)).execute(conn)
}
