//! Enums stored as TEXT: [`text_enum!`](crate::text_enum) declares one (its variants and their
//! stored names) with `as_str`, `parse`, serde in the same names and diesel's conversions, so a
//! row field or a filter takes the enum itself. A stored value the enum does not know is a
//! deserialization error (an internal error for the request), never a panic.

/// Declares an enum stored as TEXT, each variant with the name it is stored (and serialized) as:
///
/// ```text
/// text_enum! {
///     /// An attempt's state.
///     pub enum AttemptStatus { Open = "open", Submitted = "submitted" }
/// }
/// ```
#[macro_export]
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Clone,
            Copy,
            Debug,
            PartialEq,
            Eq,
            Hash,
            ::serde::Serialize,
            ::serde::Deserialize,
            ::utoipa::ToSchema,
            ::diesel::expression::AsExpression,
            ::diesel::deserialize::FromSqlRow,
        )]
        #[serde(rename_all = "snake_case")]
        #[diesel(sql_type = ::diesel::sql_types::Text)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name it is stored and serialized as.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value stored as `s`, if any.
            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<DB> ::diesel::deserialize::FromSql<::diesel::sql_types::Text, DB> for $name
        where
            DB: ::diesel::backend::Backend,
            String: ::diesel::deserialize::FromSql<::diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> ::diesel::deserialize::Result<Self> {
                let s =
                    <String as ::diesel::deserialize::FromSql<::diesel::sql_types::Text, DB>>::from_sql(
                        bytes,
                    )?;
                $name::parse(&s).ok_or_else(|| {
                    format!(concat!("unknown ", stringify!($name), " `{}` stored"), s).into()
                })
            }
        }

        impl<DB> ::diesel::serialize::ToSql<::diesel::sql_types::Text, DB> for $name
        where
            DB: ::diesel::backend::Backend,
            str: ::diesel::serialize::ToSql<::diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut ::diesel::serialize::Output<'b, '_, DB>,
            ) -> ::diesel::serialize::Result {
                <str as ::diesel::serialize::ToSql<::diesel::sql_types::Text, DB>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use diesel::sql_types::Text;

    use crate::db::DbConn;
    use crate::kinds::CertificateKind;
    use crate::kinds::{AttemptStatus, QuestionKind, ShowAnswers};
    use crate::kinds::{EnrollmentStatus, LessonStatus};

    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        status: AttemptStatus,
    }

    #[test]
    fn stored_names_round_trip_and_unknown_ones_are_errors() {
        let mut conn = DbConn::Sqlite(diesel::SqliteConnection::establish(":memory:").unwrap());
        let DbConn::Sqlite(c) = &mut conn else {
            unreachable!()
        };
        c.batch_execute("CREATE TABLE t (status TEXT NOT NULL)")
            .unwrap();
        diesel::sql_query("INSERT INTO t VALUES (?)")
            .bind::<Text, _>(AttemptStatus::Submitted)
            .execute(&mut conn)
            .unwrap();
        let rows: Vec<Row> = diesel::sql_query("SELECT status FROM t")
            .load(&mut conn)
            .unwrap();
        assert_eq!(rows[0].status, AttemptStatus::Submitted);
        diesel::sql_query("UPDATE t SET status = 'closed'")
            .execute(&mut conn)
            .unwrap();
        let err = diesel::sql_query("SELECT status FROM t")
            .load::<Row>(&mut conn)
            .err()
            .expect("an unknown status is an error");
        assert!(
            err.to_string().contains("unknown AttemptStatus `closed`"),
            "{err}"
        );
    }

    #[test]
    fn serde_as_str_and_parse_agree() {
        fn check<T>(all: &[T], as_str: fn(T) -> &'static str, parse: fn(&str) -> Option<T>)
        where
            T: Copy + PartialEq + std::fmt::Debug + serde::Serialize,
        {
            for &v in all {
                assert_eq!(serde_json::to_value(v).unwrap(), as_str(v));
                assert_eq!(parse(as_str(v)), Some(v));
            }
        }
        check(
            AttemptStatus::ALL,
            AttemptStatus::as_str,
            AttemptStatus::parse,
        );
        check(QuestionKind::ALL, QuestionKind::as_str, QuestionKind::parse);
        check(ShowAnswers::ALL, ShowAnswers::as_str, ShowAnswers::parse);
        check(
            EnrollmentStatus::ALL,
            EnrollmentStatus::as_str,
            EnrollmentStatus::parse,
        );
        check(LessonStatus::ALL, LessonStatus::as_str, LessonStatus::parse);
        check(
            CertificateKind::ALL,
            CertificateKind::as_str,
            CertificateKind::parse,
        );
        // The content's lists of allowed values are the enums' names.
        let names = |all: &[&'static str]| all.to_vec();
        assert_eq!(
            QuestionKind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>(),
            names(crate::content::QUESTION_TYPES)
        );
        let mut shown: Vec<_> = ShowAnswers::ALL.iter().map(|s| s.as_str()).collect();
        let mut allowed = names(crate::content::SHOW_ANSWERS);
        shown.sort();
        allowed.sort();
        assert_eq!(shown, allowed);
    }
}
