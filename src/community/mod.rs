//! The community: localities and their census, households, community digital teams, residents'
//! profiles (and the indicator facts a change of profile moves), village links waiting for the
//! owner, PINs and login cards, and what facilitators do for the residents of their villages.
//! Who may act on whom is `access`.
//!
//! Each use case is one function of a submodule: it takes its typed input and the acting user,
//! reads on a pooled connection and writes in one transaction of the writer ([`Db`]), and answers
//! typed output or an error; it knows nothing of HTTP.

pub mod help;
pub mod households;
pub mod imports;
pub mod localities;
pub mod profiles;
pub mod residents;
pub mod teams;

use crate::access;
use crate::auth::AuthUser;
use crate::db::community as q;
use crate::db::users::Locality;
use crate::db::{DbConn, DbPool, PooledConn, Writer};
use crate::error::{ApiError, ApiResult, Code};
pub use crate::kinds::{EidStatus, LocalityKind};

/// Where a use case reads (lookups and access checks, on a pooled connection) and writes (one
/// transaction on the writer).
#[derive(Clone)]
pub struct Db {
    pub pool: DbPool,
    pub writer: Writer,
}

impl Db {
    pub fn new(pool: &DbPool, writer: &Writer) -> Self {
        Self {
            pool: pool.clone(),
            writer: writer.clone(),
        }
    }

    /// The application's pool and writer.
    pub fn of(state: &crate::state::AppState) -> Self {
        Self::new(&state.pool, &state.writer)
    }

    /// The writer of `state` with `pool` to read on: a replica's for the lists that may be a
    /// moment old ([`crate::state::AppState::read_stale_on`]).
    pub fn reading_on(pool: &DbPool, state: &crate::state::AppState) -> Self {
        Self::new(pool, &state.writer)
    }

    /// A pooled connection to read on.
    pub fn read(&self) -> ApiResult<PooledConn> {
        Ok(self.pool.get()?)
    }
}

/// The village `id`, if `actor` may do `action` there: 404 for no such locality, 409
/// `not_a_village` for another kind, else the access decision.
fn village(
    conn: &mut DbConn,
    actor: &AuthUser,
    action: access::Action,
    id: &str,
) -> ApiResult<Locality> {
    let loc = q::locality(conn, id)?.ok_or_else(|| ApiError::not_found("No such village."))?;
    if LocalityKind::parse(&loc.kind) != Some(LocalityKind::Village) {
        return Err(ApiError::conflict(
            Code::NotAVillage,
            "households and teams belong to a village",
        ));
    }
    access::require_village(conn, actor, action, id)?;
    Ok(loc)
}

/// 404 unless `household_id` is a household of `village_id`.
fn check_household(conn: &mut DbConn, village_id: &str, household_id: &str) -> ApiResult<()> {
    match q::household(conn, household_id)? {
        Some(h) if h.village_id == village_id => Ok(()),
        _ => Err(ApiError::not_found("No such household in this village.")),
    }
}

/// The names of [`LocalityKind`] (the OpenAPI document lists them).
pub const KINDS: &[&str] = &["province", "commune", "village"];
/// The names of [`EidStatus`] (the OpenAPI document lists them).
pub const EID_STATUSES: &[&str] = &["none", "level1", "level2"];
pub const GENDERS: &[&str] = &["female", "male", "other"];

/// The village link waiting for the owner's answer.
pub fn waiting_village_link(conn: &mut DbConn, user_id: &str) -> ApiResult<q::VillageLink> {
    q::village_link_of(conn, user_id)?
        .ok_or_else(|| ApiError::not_found("No village is waiting for your answer."))
}

/// Creates or updates a learner's profile. A new profile gets the facts of what its user already
/// did; a move between households or a changed e-identity counts the households again; and
/// certificates earned before the learner was counted in a village count where they live now.
pub fn save_profile(conn: &mut DbConn, p: &q::Profile) -> ApiResult<()> {
    // The indicator counts follow the profile (its village, age, group, e-identity, facts).
    crate::reports::counted(conn, &p.user_id, |conn| write_profile(conn, p))
}

fn write_profile(conn: &mut DbConn, p: &q::Profile) -> ApiResult<()> {
    use crate::reports::{learner_changed, LearnerChange};
    let old = q::write_profile(conn, p)?;
    match &old {
        None => learner_changed(conn, &p.user_id, LearnerChange::Activity)?,
        Some(old) if old.household_id != p.household_id || old.eid_status != p.eid_status => {
            learner_changed(
                conn,
                &p.user_id,
                LearnerChange::Household {
                    left: old.household_id.as_deref(),
                    joined: p.household_id.as_deref(),
                },
            )?
        }
        Some(_) => {}
    }
    if let (Some(village), None) = (&p.village_id, old.and_then(|o| o.village_id)) {
        q::certificates_into_village(conn, &p.user_id, village)?;
    }
    Ok(())
}

/// The owner confirms the waiting link: their profile now puts them in the village and household
/// the import gave (an external id already taken by another person is left out).
pub fn accept_village_link(conn: &mut DbConn, user_id: &str) -> ApiResult<q::Profile> {
    crate::db::transaction(conn, |conn| {
        let link = waiting_village_link(conn, user_id)?;
        let mut profile = q::profile(conn, user_id)?.unwrap_or_else(|| q::Profile::empty(user_id));
        profile.village_id = Some(link.village_id.clone());
        profile.household_id = Some(link.household_id.clone());
        profile.birth_year = link.birth_year.or(profile.birth_year);
        profile.learner_group = link.learner_group.clone();
        profile.eid_status = link.eid_status.clone();
        if let Some(key) = &link.external_key {
            if q::profile_by_external_key(conn, key)?.is_none() {
                profile.external_key = Some(key.clone());
            }
        }
        profile.updated_at = crate::db::now();
        save_profile(conn, &profile)?;
        q::delete_village_link(conn, &link.id)?;
        q::audit(
            conn,
            user_id,
            "resident.link_accepted",
            Some(user_id),
            Some(&link.village_id),
            &serde_json::json!({}),
        )?;
        Ok(profile)
    })
}

/// The owner declines the waiting link: nothing of their account changes.
pub fn decline_village_link(conn: &mut DbConn, user_id: &str) -> ApiResult<()> {
    crate::db::transaction(conn, |conn| {
        let link = waiting_village_link(conn, user_id)?;
        q::delete_village_link(conn, &link.id)?;
        q::audit(
            conn,
            user_id,
            "resident.link_declined",
            Some(user_id),
            Some(&link.village_id),
            &serde_json::json!({}),
        )?;
        Ok(())
    })
}

/// A resident's secret: a PIN of 6 to 8 digits that is not trivial, or a password that meets the
/// password policy.
pub fn check_pin_or_password(secret: &str) -> Option<crate::error::FieldError> {
    let digits = secret.chars().all(|c| c.is_ascii_digit());
    if digits && (6..=8).contains(&secret.len()) {
        let bytes = secret.as_bytes();
        let all_same = bytes.iter().all(|b| *b == bytes[0]);
        let ascending = bytes.windows(2).all(|w| w[1] == w[0] + 1);
        let descending = bytes.windows(2).all(|w| w[0] == w[1] + 1);
        if all_same || ascending || descending {
            return Some(crate::error::FieldError {
                field: "password".into(),
                code: "weak_pin".into(),
                message: "Mã PIN quá dễ đoán (dãy số lặp hoặc liên tiếp). / The PIN is too easy to guess.".into(),
            });
        }
        return None;
    }
    crate::auth::password::check_strength("password", secret)
}

/// The secret an account may have: a PIN (or a password) for a resident a village manages
/// (`may_manage` within their own village), a password that meets the policy for everyone else.
pub fn check_new_secret(conn: &mut DbConn, user_id: &str, secret: &str) -> ApiResult<()> {
    let resident = match q::profile(conn, user_id)? {
        Some(p) => {
            let village = p.village_id.clone();
            let mut own_village = |_: &mut DbConn, v: &str| Ok(Some(v) == village.as_deref());
            crate::access::may_manage(conn, &p, &mut own_village)?
        }
        None => false,
    };
    let problem = if resident {
        check_pin_or_password(secret)
    } else {
        crate::auth::password::check_strength("new_password", secret)
    };
    match problem {
        Some(e) => Err(ApiError::validation(vec![e.for_field("new_password")])),
        None => Ok(()),
    }
}

/// The PINs `check_pin_or_password` refuses: 6–8 digits all the same, ascending or descending.
pub fn trivial_pins() -> Vec<String> {
    let mut out = Vec::new();
    for len in 6..=8u8 {
        for d in 0..=9u8 {
            out.push(((b'0' + d) as char).to_string().repeat(len as usize));
        }
        for start in 0..=(10 - len) {
            let up: String = (start..start + len).map(|d| (b'0' + d) as char).collect();
            out.push(up.chars().rev().collect());
            out.push(up);
        }
    }
    out
}

/// The text of a login card to print or send by Zalo, shown once.
pub fn login_card(
    public_url: &str,
    name: &str,
    village: &str,
    username: &str,
    secret: &str,
) -> String {
    format!(
        "HỌC SỐ – THẺ ĐĂNG NHẬP\n\
         Người học: {name}\n\
         Thôn/tổ dân phố: {village}\n\
         Địa chỉ: {public_url}\n\
         Tên đăng nhập: {username}\n\
         Mật khẩu/PIN: {secret}\n\
         Giữ thẻ này cẩn thận, không đưa cho người lạ. Quên mật khẩu, hãy hỏi Tổ công nghệ số cộng đồng.\n\
         (Login card: keep it safe; ask your community digital team if you forget the PIN.)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins() {
        assert!(check_pin_or_password("482915").is_none());
        assert_eq!(check_pin_or_password("111111").unwrap().code, "weak_pin");
        assert_eq!(check_pin_or_password("123456").unwrap().code, "weak_pin");
        assert_eq!(check_pin_or_password("987654").unwrap().code, "weak_pin");
        assert_eq!(check_pin_or_password("4829").unwrap().code, "too_short");
        assert!(check_pin_or_password("lua-chin-vang").is_none());
    }

    #[test]
    fn trivial_pins_are_the_refused_ones() {
        let trivial: std::collections::HashSet<String> = trivial_pins().into_iter().collect();
        assert_eq!(trivial.len(), 54);
        for p in &trivial {
            assert_eq!(check_pin_or_password(p).unwrap().code, "weak_pin", "{p}");
        }
        for n in 0..1_000_000u32 {
            let p = format!("{n:06}");
            assert_eq!(
                check_pin_or_password(&p).is_some(),
                trivial.contains(&p),
                "{p}"
            );
        }
    }
}
