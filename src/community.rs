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
