//! What identifies an account: an e-mail address, a phone number or a login name, normalised.

/// Lower-cased e-mail address, or `None` when it is not one.
pub fn normalize_email(raw: &str) -> Option<String> {
    let s = raw.trim().to_lowercase();
    if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let (local, domain) = s.split_once('@')?;
    let ok = !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..");
    ok.then_some(s)
}

/// A Vietnamese phone number in E.164 form (`+84...`): mobile numbers have nine digits after
/// the country code starting with 3, 5, 7, 8 or 9; landlines ten digits starting with 2.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let cleaned: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
        .collect();
    let national = if let Some(rest) = cleaned.strip_prefix("+84") {
        rest.to_string()
    } else if let Some(rest) = cleaned.strip_prefix("0084") {
        rest.to_string()
    } else if let Some(rest) = cleaned.strip_prefix('0') {
        rest.to_string()
    } else if cleaned.starts_with("84") && cleaned.len() >= 11 {
        cleaned[2..].to_string()
    } else {
        return None;
    };
    let national = national.strip_prefix('0').unwrap_or(&national).to_string();
    if !national.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let first = national.chars().next()?;
    let ok = (national.len() == 9 && matches!(first, '3' | '5' | '7' | '8' | '9'))
        || (national.len() == 10 && first == '2');
    ok.then(|| format!("+84{national}"))
}

/// Login names chosen for residents without e-mail or phone: 3–32 of a-z, 0-9, `.`, `_`, `-`.
pub fn normalize_username(raw: &str) -> Option<String> {
    let s = raw.trim().to_lowercase();
    let ok = (3..=32).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    ok.then_some(s)
}

/// What a person typed in the login field.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginId {
    Email(String),
    Phone(String),
    Username(String),
}

pub fn parse_login(raw: &str) -> LoginId {
    let t = raw.trim();
    if t.contains('@') {
        return LoginId::Email(t.to_lowercase());
    }
    if let Some(p) = normalize_phone(t) {
        return LoginId::Phone(p);
    }
    LoginId::Username(t.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_normalised() {
        assert_eq!(
            normalize_phone("0912 345 678").as_deref(),
            Some("+84912345678")
        );
        assert_eq!(
            normalize_phone("+84 912.345.678").as_deref(),
            Some("+84912345678")
        );
        assert_eq!(
            normalize_phone("84912345678").as_deref(),
            Some("+84912345678")
        );
        assert_eq!(
            normalize_phone("+840912345678").as_deref(),
            Some("+84912345678")
        );
        assert_eq!(
            normalize_phone("024 3825 1234").as_deref(),
            Some("+842438251234")
        );
        assert_eq!(normalize_phone("0123"), None);
        assert_eq!(normalize_phone("0112345678"), None);
        assert_eq!(normalize_phone("+1 202 555 0100"), None);
    }

    #[test]
    fn emails_and_logins() {
        assert_eq!(
            normalize_email(" Lan@Example.VN ").as_deref(),
            Some("lan@example.vn")
        );
        assert_eq!(normalize_email("lan@localhost"), None);
        assert_eq!(normalize_email("a b@x.vn"), None);
        assert_eq!(
            parse_login("Lan@Example.vn"),
            LoginId::Email("lan@example.vn".into())
        );
        assert_eq!(
            parse_login("0912345678"),
            LoginId::Phone("+84912345678".into())
        );
        assert_eq!(parse_login("Ba.Tam"), LoginId::Username("ba.tam".into()));
        assert_eq!(normalize_username("ba.tam").as_deref(), Some("ba.tam"));
        assert_eq!(normalize_username("-x"), None);
    }
}
