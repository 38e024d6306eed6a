//! Who issues and signs the certificates of a locality's learners: the issuing body, the place in
//! the date line, the signer's title and name, each set (or not) per locality by its admins. A
//! certificate takes, field by field, the value of its village, else of the nearest ancestor
//! that sets it (commune, district, province), else the `certificate_*` setting.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::access;
use crate::auth::AuthUser;
use crate::config::Settings;
use crate::db::community as cq;
use crate::db::schema::certificate_signers as cs;
use crate::db::{DbConn, DbPool, Writer};
use crate::error::{ApiError, ApiResult, Validator};

/// The longest issuing body and signer title (characters; line breaks allowed).
pub const MAX_BLOCK: usize = 200;
/// The longest place and signer name (characters; one line).
pub const MAX_LINE: usize = 100;

/// What a locality sets: `None` for a field it does not set (inherited).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignerInput {
    pub issuing_body: Option<String>,
    pub place: Option<String>,
    pub signer_title: Option<String>,
    pub signer_name: Option<String>,
}

/// What a certificate prints (`pdf::Signing` borrows it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = CertificateSigning)]
pub struct Signing {
    pub issuing_body: String,
    /// Empty: the date line has no place.
    pub place: String,
    pub signer_title: String,
    /// Empty: no name under the signature.
    pub signer_name: String,
}

impl Signing {
    /// The PDF's view of it.
    pub fn as_pdf(&self) -> super::pdf::Signing<'_> {
        super::pdf::Signing {
            issuing_body: &self.issuing_body,
            place: &self.place,
            signer_title: &self.signer_title,
            signer_name: &self.signer_name,
        }
    }
}

/// A locality's own values and what a certificate of a learner there prints.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CertificateSigner {
    pub locality_id: String,
    /// Set at this locality; `null`: inherited.
    #[schema(nullable)]
    pub issuing_body: Option<String>,
    #[schema(nullable)]
    pub place: Option<String>,
    #[schema(nullable)]
    pub signer_title: Option<String>,
    #[schema(nullable)]
    pub signer_name: Option<String>,
    /// When this locality's values were last set; `null`: never.
    #[schema(nullable)]
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
    /// What a certificate of a learner of this locality prints: this locality's values, else its
    /// nearest ancestor's, else the server's settings.
    pub effective: Signing,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = cs)]
struct Row {
    locality_id: String,
    issuing_body: Option<String>,
    place: Option<String>,
    signer_title: Option<String>,
    signer_name: Option<String>,
    updated_at: NaiveDateTime,
}

fn rows_of(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<Row>> {
    cs::table
        .filter(cs::locality_id.eq_any(ids))
        .select(Row::as_select())
        .load(conn)
}

/// The settings' values, overridden field by field by the first of `path` (nearest first) that
/// sets each.
fn resolve(settings: &Settings, path: &[String], rows: &[Row]) -> Signing {
    let pick = |get: fn(&Row) -> &Option<String>, default: &str| {
        path.iter()
            .find_map(|id| {
                rows.iter()
                    .find(|r| &r.locality_id == id)
                    .and_then(|r| get(r).clone())
            })
            .unwrap_or_else(|| default.to_string())
    };
    Signing {
        issuing_body: pick(|r| &r.issuing_body, &settings.certificate_issuing_body),
        place: pick(|r| &r.place, &settings.certificate_place),
        signer_title: pick(|r| &r.signer_title, &settings.certificate_signer_title),
        signer_name: pick(|r| &r.signer_name, &settings.certificate_signer_name),
    }
}

/// The locality and its ancestors, nearest first.
fn path_of(conn: &mut DbConn, locality_id: &str) -> QueryResult<Vec<String>> {
    let mut path = vec![locality_id.to_string()];
    path.extend(cq::ancestors(conn, locality_id)?);
    Ok(path)
}

/// What a certificate issued in `village_id` prints (the settings when it has no village).
pub fn for_village(
    conn: &mut DbConn,
    settings: &Settings,
    village_id: Option<&str>,
) -> QueryResult<Signing> {
    let Some(village) = village_id else {
        return Ok(resolve(settings, &[], &[]));
    };
    let path = path_of(conn, village)?;
    let rows = rows_of(conn, &path)?;
    Ok(resolve(settings, &path, &rows))
}

fn view(
    conn: &mut DbConn,
    settings: &Settings,
    locality_id: &str,
) -> QueryResult<CertificateSigner> {
    let path = path_of(conn, locality_id)?;
    let rows = rows_of(conn, &path)?;
    let effective = resolve(settings, &path, &rows);
    let own = rows.into_iter().find(|r| r.locality_id == locality_id);
    Ok(match own {
        Some(r) => CertificateSigner {
            locality_id: r.locality_id,
            issuing_body: r.issuing_body,
            place: r.place,
            signer_title: r.signer_title,
            signer_name: r.signer_name,
            updated_at: Some(r.updated_at.and_utc()),
            effective,
        },
        None => CertificateSigner {
            locality_id: locality_id.to_string(),
            issuing_body: None,
            place: None,
            signer_title: None,
            signer_name: None,
            updated_at: None,
            effective,
        },
    })
}

/// Trims each value and checks it: the issuing body and the title 1 to [`MAX_BLOCK`] characters
/// (line breaks start new lines), the place and the name at most [`MAX_LINE`] on one line (empty:
/// none printed, whatever an ancestor or the settings say).
pub fn check(input: SignerInput) -> ApiResult<SignerInput> {
    let mut v = Validator::new();
    let trim = |s: Option<String>| s.map(|s| s.trim().to_string());
    let out = SignerInput {
        issuing_body: trim(input.issuing_body),
        place: trim(input.place),
        signer_title: trim(input.signer_title),
        signer_name: trim(input.signer_name),
    };
    for (field, value) in [
        ("issuing_body", &out.issuing_body),
        ("signer_title", &out.signer_title),
    ] {
        if let Some(s) = value {
            v.length(field, s, 1, MAX_BLOCK);
        }
    }
    for (field, value) in [("place", &out.place), ("signer_name", &out.signer_name)] {
        if let Some(s) = value {
            v.length(field, s, 0, MAX_LINE);
            v.check(
                !s.contains(['\n', '\r', '\t']),
                field,
                "invalid",
                "one line, without line breaks or tabs",
            );
        }
    }
    v.finish()?;
    Ok(out)
}

/// The signer a locality sets and what its certificates print: admins of its subtree (404 for no
/// such locality, 403 outside the subtree).
pub fn get(
    pool: &DbPool,
    settings: &Settings,
    actor: &AuthUser,
    locality_id: &str,
) -> ApiResult<CertificateSigner> {
    let mut conn = pool.get()?;
    access::require_admin_of(&mut conn, actor, locality_id)?;
    Ok(view(&mut conn, settings, locality_id)?)
}

/// Sets (replaces) the signer of a locality the actor administers; `None` fields are inherited.
/// Certificates print the new values from then on, those issued before included.
pub fn set(
    pool: &DbPool,
    writer: &Writer,
    settings: &Settings,
    actor: &AuthUser,
    locality_id: String,
    input: SignerInput,
) -> ApiResult<CertificateSigner> {
    let input = check(input)?;
    access::require_admin_of(&mut *pool.get()?, actor, &locality_id)?;
    let actor_id = actor.id.clone();
    let settings = settings.clone();
    writer.transaction::<_, ApiError, _>(move |conn| {
        let now = crate::db::now();
        let values = (
            cs::issuing_body.eq(&input.issuing_body),
            cs::place.eq(&input.place),
            cs::signer_title.eq(&input.signer_title),
            cs::signer_name.eq(&input.signer_name),
            cs::updated_at.eq(now),
            cs::updated_by.eq(Some(&actor_id)),
        );
        let updated = diesel::update(cs::table.find(&locality_id))
            .set(values)
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(cs::table)
                .values((cs::locality_id.eq(&locality_id), values))
                .execute(conn)?;
        }
        cq::audit(
            conn,
            &actor_id,
            "certificate_signer.set",
            None,
            Some(&locality_id),
            &json!({
                "issuing_body": input.issuing_body,
                "place": input.place,
                "signer_title": input.signer_title,
                "signer_name": input.signer_name,
            }),
        )?;
        Ok(view(conn, &settings, &locality_id)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, place: Option<&str>, name: Option<&str>) -> Row {
        Row {
            locality_id: id.into(),
            issuing_body: None,
            place: place.map(Into::into),
            signer_title: None,
            signer_name: name.map(Into::into),
            updated_at: crate::db::now(),
        }
    }

    #[test]
    fn each_field_comes_from_the_nearest_locality_that_sets_it() {
        let settings = Settings::default();
        let path: Vec<String> = ["V", "C", "P"].map(String::from).into();
        let rows = [
            row("P", Some("Tỉnh"), Some("Tỉnh trưởng")),
            row("C", None, Some("Chủ tịch xã")),
        ];
        let s = resolve(&settings, &path, &rows);
        assert_eq!(s.signer_name, "Chủ tịch xã");
        assert_eq!(s.place, "Tỉnh");
        assert_eq!(s.issuing_body, settings.certificate_issuing_body);
        assert_eq!(s.signer_title, settings.certificate_signer_title);
        // An empty name set nearer wins over a name set farther.
        let rows = [row("V", None, Some("")), row("C", None, Some("Chủ tịch"))];
        assert_eq!(resolve(&settings, &path, &rows).signer_name, "");
    }

    #[test]
    fn values_are_checked() {
        let ok = check(SignerInput {
            signer_title: Some(" TM. Ủy ban nhân dân\nChủ tịch ".into()),
            signer_name: Some("".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            ok.signer_title.as_deref(),
            Some("TM. Ủy ban nhân dân\nChủ tịch")
        );
        for bad in [
            SignerInput {
                issuing_body: Some(" ".into()),
                ..Default::default()
            },
            SignerInput {
                signer_name: Some("a\nb".into()),
                ..Default::default()
            },
            SignerInput {
                place: Some("x".repeat(MAX_LINE + 1)),
                ..Default::default()
            },
        ] {
            assert!(check(bad).is_err());
        }
    }
}
