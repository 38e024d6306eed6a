//! Who may act where: admins over their locality subtree, facilitators over their team's
//! villages. Residents registered by facilitators, and their login cards.

use crate::auth::{AuthUser, Role};
use crate::db::community as q;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

pub const KINDS: &[&str] = &["province", "commune", "village"];
pub const EID_STATUSES: &[&str] = &["none", "level1", "level2"];
pub const GENDERS: &[&str] = &["female", "male", "other"];

/// Roots of the subtrees a user administers; `None` for a global admin.
pub fn admin_roots(user: &AuthUser) -> Option<Vec<String>> {
    if user.has_global_role(Role::Admin) {
        return None;
    }
    Some(
        user.roles
            .iter()
            .filter(|r| r.role == Role::Admin)
            .filter_map(|r| r.locality.clone())
            .collect(),
    )
}

/// Whether `user` administers `locality_id` (it or one of its ancestors is granted).
pub fn is_admin_of(conn: &mut DbConn, user: &AuthUser, locality_id: &str) -> ApiResult<bool> {
    let Some(roots) = admin_roots(user) else {
        return Ok(true);
    };
    if roots.is_empty() {
        return Ok(false);
    }
    if roots.iter().any(|r| r == locality_id) {
        return Ok(true);
    }
    Ok(q::ancestors(conn, locality_id)?
        .iter()
        .any(|a| roots.contains(a)))
}

/// 404 for a locality that does not exist, 403 outside the admin's subtree.
pub fn require_admin_of(
    conn: &mut DbConn,
    user: &AuthUser,
    locality_id: &str,
) -> ApiResult<crate::db::users::Locality> {
    let loc =
        q::locality(conn, locality_id)?.ok_or_else(|| ApiError::not_found("No such locality."))?;
    if !is_admin_of(conn, user, locality_id)? {
        return Err(ApiError::forbidden(
            "This locality is outside the area you administer.",
        ));
    }
    Ok(loc)
}

/// Villages where `user` may act as a facilitator (their teams' villages), or every village of
/// the subtrees they administer (admins may do what facilitators do).
pub fn may_facilitate(conn: &mut DbConn, user: &AuthUser, village_id: &str) -> ApiResult<bool> {
    if q::facilitator_villages(conn, &user.id)?
        .iter()
        .any(|v| v == village_id)
    {
        return Ok(true);
    }
    if user.has_role(Role::Admin) {
        return is_admin_of(conn, user, village_id);
    }
    Ok(false)
}

/// The village of a resident, if the caller may act for them; another village → 404, so that
/// a facilitator learns nothing about people outside their villages.
pub fn require_resident(
    conn: &mut DbConn,
    user: &AuthUser,
    resident_id: &str,
) -> ApiResult<q::Profile> {
    let not_found = || ApiError::not_found("No such resident in your villages.");
    let profile = q::profile(conn, resident_id)?.ok_or_else(not_found)?;
    let village = profile.village_id.clone().ok_or_else(not_found)?;
    if !may_facilitate(conn, user, &village)? {
        return Err(not_found());
    }
    Ok(profile)
}

/// Whether staff whose area `in_area` answers for may change a person's account on their behalf
/// (move it, correct it, give a reset code): the profile puts the person in a village of that
/// area (an account created there for a resident, or linked there by its owner) and the account
/// holds no role. Imports, registrations and resets all ask this.
pub fn may_manage(
    conn: &mut DbConn,
    profile: &q::Profile,
    in_area: &mut dyn FnMut(&mut DbConn, &str) -> ApiResult<bool>,
) -> ApiResult<bool> {
    let Some(village) = &profile.village_id else {
        return Ok(false);
    };
    Ok(in_area(conn, village)? && !q::holds_any_role(conn, &profile.user_id)?)
}

/// A resident whose account `user` may change on their behalf (`may_manage`); anyone else → the
/// same 404 as an unknown resident.
pub fn require_managed_resident(
    conn: &mut DbConn,
    user: &AuthUser,
    resident_id: &str,
) -> ApiResult<q::Profile> {
    let profile = require_resident(conn, user, resident_id)?;
    let mut in_area = |conn: &mut DbConn, village: &str| may_facilitate(conn, user, village);
    if !may_manage(conn, &profile, &mut in_area)? {
        return Err(ApiError::not_found("No such resident in your villages."));
    }
    Ok(profile)
}

/// The village link waiting for the owner's answer.
pub fn waiting_village_link(conn: &mut DbConn, user_id: &str) -> ApiResult<q::VillageLink> {
    q::village_link_of(conn, user_id)?
        .ok_or_else(|| ApiError::not_found("No village is waiting for your answer."))
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
        q::save_profile(conn, &profile)?;
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
            may_manage(conn, &p, &mut own_village)?
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
