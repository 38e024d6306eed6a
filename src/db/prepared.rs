//! Statements whose SQL never changes, prepared once per connection and kept.
//!
//! diesel keeps a prepared statement per connection only for queries whose SQL it can prove
//! fixed. It never keeps `UPDATE` statements, upserts (`ON CONFLICT … DO UPDATE`), inserts with
//! optional columns or raw SQL (`sql_query`): each is compiled again on every call. On SQLite that
//! compiling was about a quarter of the CPU of a progress write; on PostgreSQL each such statement
//! costs a round trip of its own (parse, then execute).
//!
//! [`fixed!`](crate::fixed) gives a constant SQL text a type of its own, so that diesel caches the
//! statement by that type. The text numbers its parameters as PostgreSQL does (`$1`, `$2`, …, in any
//! order, any number of times); the values are bound in that numbering, and each backend gets its
//! own placeholders.
//!
//! ```text
//! fixed!("UPDATE users SET display_name = $2 WHERE id = $1")
//!     .bind::<Text, _>(id)
//!     .bind::<Text, _>(name)
//!     .execute(conn)?;
//! ```

use std::marker::PhantomData;
use std::sync::OnceLock;

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Untyped};
use diesel::{QueryResult, RunQueryDsl};

/// A piece of a statement's text: SQL, or the number (from 0) of a parameter.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece {
    Sql(&'static str),
    Param(usize),
}

/// Splits SQL at its `$N` parameters.
fn pieces(sql: &'static str) -> Vec<Piece> {
    let bytes = sql.as_bytes();
    let (mut out, mut start, mut i) = (Vec::new(), 0, 0);
    while i < bytes.len() {
        let digits = bytes[i + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if bytes[i] != b'$' || digits == 0 {
            i += 1;
            continue;
        }
        if start < i {
            out.push(Piece::Sql(&sql[start..i]));
        }
        let n: usize = sql[i + 1..i + 1 + digits].parse().unwrap_or(0);
        out.push(Piece::Param(n.saturating_sub(1)));
        i += 1 + digits;
        start = i;
    }
    if start < bytes.len() {
        out.push(Piece::Sql(&sql[start..]));
    }
    out
}

/// A constant SQL statement and the values bound so far; `Id` is a type made for this statement
/// alone (see [`fixed!`](crate::fixed)), which diesel uses as the key of its statement cache.
pub struct Fixed<Id, B = ()> {
    pieces: &'static [Piece],
    binds: B,
    id: PhantomData<Id>,
}

impl<Id> Fixed<Id> {
    /// Use [`fixed!`](crate::fixed), which gives every statement its own `Id`: two texts with one
    /// `Id` would share a cache entry.
    #[doc(hidden)]
    pub fn new(sql: &'static str, split: &'static OnceLock<Vec<Piece>>) -> Self {
        Fixed {
            pieces: split.get_or_init(|| pieces(sql)),
            binds: (),
            id: PhantomData,
        }
    }
}

impl<Id, B> Fixed<Id, B> {
    /// Binds the next parameter (`$1`, then `$2`, …) as SQL type `ST`.
    pub fn bind<ST, V>(self, value: V) -> Fixed<Id, (B, Bound<ST, V>)> {
        Fixed {
            pieces: self.pieces,
            binds: (
                self.binds,
                Bound {
                    value,
                    st: PhantomData,
                },
            ),
            id: PhantomData,
        }
    }
}

/// A value bound as SQL type `ST`.
pub struct Bound<ST, V> {
    value: V,
    st: PhantomData<ST>,
}

/// The values of a statement, as a list built by [`Fixed::bind`].
pub trait Binds<DB: Backend> {
    const LEN: usize;
    /// Pushes parameter `n` (from 0).
    fn push<'b>(&'b self, n: usize, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()>;
}

impl<DB: Backend> Binds<DB> for () {
    const LEN: usize = 0;
    fn push<'b>(&'b self, n: usize, _: &mut AstPass<'_, 'b, DB>) -> QueryResult<()> {
        Err(diesel::result::Error::QueryBuilderError(
            format!("parameter ${} of a fixed statement is not bound", n + 1).into(),
        ))
    }
}

impl<DB, Rest, ST, V> Binds<DB> for (Rest, Bound<ST, V>)
where
    DB: Backend + HasSqlType<ST>,
    Rest: Binds<DB>,
    V: ToSql<ST, DB>,
{
    const LEN: usize = Rest::LEN + 1;
    fn push<'b>(&'b self, n: usize, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()> {
        if n == Rest::LEN {
            out.push_bind_param::<ST, V>(&self.1.value)
        } else {
            self.0.push(n, out)
        }
    }
}

impl<Id: 'static, B> QueryId for Fixed<Id, B> {
    type QueryId = Id;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<Id, B> Query for Fixed<Id, B> {
    type SqlType = Untyped;
}

impl<Id, B, C> RunQueryDsl<C> for Fixed<Id, B> {}

impl<Id, B, DB> QueryFragment<DB> for Fixed<Id, B>
where
    DB: Backend,
    B: Binds<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        for piece in self.pieces {
            match piece {
                Piece::Sql(sql) => out.push_sql(sql),
                Piece::Param(n) => self.binds.push(*n, &mut out)?,
            }
        }
        Ok(())
    }
}

/// A [`Fixed`] statement of a constant SQL text (`$1` parameters), with a type of its own.
#[macro_export]
macro_rules! fixed {
    ($sql:expr) => {{
        const SQL: &str = $sql;
        enum Statement {}
        static PIECES: ::std::sync::OnceLock<::std::vec::Vec<$crate::db::prepared::Piece>> =
            ::std::sync::OnceLock::new();
        $crate::db::prepared::Fixed::<Statement>::new(SQL, &PIECES)
    }};
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use diesel::connection::{InstrumentationEvent, SimpleConnection};
    use diesel::prelude::*;
    use diesel::sql_types::{Integer, Text};
    use diesel::sqlite::SqliteConnection;

    use super::*;

    diesel::table! { t (id) { id -> Integer, name -> Text, } }

    /// A connection that counts the statements it prepares to keep.
    fn counting() -> (SqliteConnection, Arc<Mutex<usize>>) {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        conn.batch_execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            .unwrap();
        let cached = Arc::new(Mutex::new(0));
        let seen = cached.clone();
        conn.set_instrumentation(move |e: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::CacheQuery { .. } = e {
                *seen.lock().unwrap() += 1;
            }
        });
        (conn, cached)
    }

    #[test]
    fn a_fixed_statement_is_prepared_once_per_connection() {
        let (mut conn, cached) = counting();
        for (id, name) in [(1, "An"), (2, "Bình"), (1, "Chi")] {
            crate::fixed!(
                "INSERT INTO t (id, name) VALUES ($1, $2) \
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name"
            )
            .bind::<Integer, _>(id)
            .bind::<Text, _>(name)
            .execute(&mut conn)
            .unwrap();
        }
        assert_eq!(*cached.lock().unwrap(), 1);
        let names: Vec<String> = t::table
            .select(t::name)
            .order(t::id)
            .load(&mut conn)
            .unwrap();
        assert_eq!(names, ["Chi", "Bình"]);
    }

    #[test]
    fn diesel_alone_prepares_an_upsert_on_every_call() {
        // What `fixed!` is for: if diesel started caching these, it could go.
        let (mut conn, cached) = counting();
        for id in [1, 1] {
            diesel::insert_into(t::table)
                .values((t::id.eq(id), t::name.eq("An")))
                .on_conflict(t::id)
                .do_update()
                .set(t::name.eq("Bình"))
                .execute(&mut conn)
                .unwrap();
        }
        assert_eq!(*cached.lock().unwrap(), 0);
    }

    #[test]
    fn text_splits_at_numbered_parameters() {
        use Piece::{Param, Sql};
        assert_eq!(
            pieces("UPDATE t SET a = $2, b = '$' WHERE id = $1 AND n = $10::int"),
            [
                Sql("UPDATE t SET a = "),
                Param(1),
                Sql(", b = '$' WHERE id = "),
                Param(0),
                Sql(" AND n = "),
                Param(9),
                Sql("::int"),
            ]
        );
        assert_eq!(pieces("$1"), [Param(0)]);
    }
}
