//! Rate limit buckets in PostgreSQL, shared by every server instance (`ratelimit::Shared`).
//!
//! GCRA as `governor` counts in memory: a bucket of `burst_ms / interval_ms` attempts refilled
//! one per `interval_ms`, kept as its theoretical arrival time (`tat_ms`). One statement takes
//! an attempt atomically, whatever the number of instances, on the database's clock (instances'
//! clocks may differ).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::PgConnection;

/// Milliseconds since 1970 on the database's clock.
const NOW_MS: &str = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";

#[derive(QueryableByName)]
struct Tat {
    #[diesel(sql_type = BigInt, column_name = tat_ms)]
    _taken: i64,
}

#[derive(QueryableByName)]
struct Ahead {
    #[diesel(sql_type = BigInt)]
    ahead_ms: i64,
}

/// Takes one attempt from the bucket of `key`: `Ok(None)` when allowed, `Ok(Some(ms))` when the
/// bucket is empty, with how long until it holds one attempt again.
pub fn take(
    conn: &mut PgConnection,
    key: &str,
    interval_ms: i64,
    burst_ms: i64,
) -> QueryResult<Option<i64>> {
    // EXCLUDED.tat_ms is now + interval: the new arrival time of a fresh bucket.
    let taken = diesel::sql_query(format!(
        "INSERT INTO rate_limits AS r (key, tat_ms) VALUES ($1, {NOW_MS} + $2) \
         ON CONFLICT (key) DO UPDATE \
         SET tat_ms = GREATEST(r.tat_ms, EXCLUDED.tat_ms - $2) + $2 \
         WHERE GREATEST(r.tat_ms, EXCLUDED.tat_ms - $2) + $2 - (EXCLUDED.tat_ms - $2) <= $3 \
         RETURNING tat_ms"
    ))
    .bind::<Text, _>(key)
    .bind::<BigInt, _>(interval_ms)
    .bind::<BigInt, _>(burst_ms)
    .get_result::<Tat>(conn)
    .optional()?;
    if taken.is_some() {
        return Ok(None);
    }
    let ahead = diesel::sql_query(format!(
        "SELECT tat_ms - {NOW_MS} AS ahead_ms FROM rate_limits WHERE key = $1"
    ))
    .bind::<Text, _>(key)
    .get_result::<Ahead>(conn)
    .optional()?
    .map_or(0, |a| a.ahead_ms);
    // One attempt fits again once the arrival time is at most `burst - interval` ahead.
    Ok(Some((ahead + interval_ms - burst_ms).max(1)))
}

/// Deletes the buckets that are full again (their arrival time has passed); how many.
pub fn sweep(conn: &mut PgConnection) -> QueryResult<usize> {
    diesel::sql_query(format!("DELETE FROM rate_limits WHERE tat_ms < {NOW_MS}")).execute(conn)
}

/// Buckets held now.
pub fn count(conn: &mut PgConnection) -> QueryResult<i64> {
    use crate::db::schema::rate_limits::dsl::rate_limits;
    rate_limits.count().get_result(conn)
}
