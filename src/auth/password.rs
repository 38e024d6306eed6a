//! Passwords: argon2id with parameters from settings, stored as PHC strings, upgraded on login.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::FieldError;

/// Common passwords refused at registration (lower-cased); shipped with the project.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// Bounds how many argon2 computations run at once: each takes `memory_kib` of memory, and the
/// blocking pool would otherwise run hundreds side by side under a burst of logins.
#[derive(Default)]
struct Gate {
    busy: std::sync::Mutex<usize>,
    freed: std::sync::Condvar,
}

impl Gate {
    fn run<T>(&self, max: usize, f: impl FnOnce() -> T) -> T {
        {
            let mut busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
            while *busy >= max {
                busy = self.freed.wait(busy).unwrap_or_else(|e| e.into_inner());
            }
            *busy += 1;
        }
        let out = f();
        *self.busy.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
        self.freed.notify_one();
        out
    }
}

#[derive(Clone)]
pub struct PasswordHasherConfig {
    gate: std::sync::Arc<Gate>,
    max_parallel: usize,
    params: Params,
    /// A hash of a random password with the current parameters: unknown logins verify
    /// against it, so that they cost as much time as known ones.
    dummy_hash: String,
}

pub enum Verified {
    /// Right password; `Some(new_hash)` when the stored parameters were outdated.
    Yes(Option<String>),
    No,
}

impl PasswordHasherConfig {
    pub fn new(memory_kib: u32, iterations: u32, parallelism: u32) -> anyhow::Result<Self> {
        let params = Params::new(memory_kib, iterations, parallelism, None)
            .map_err(|e| anyhow::anyhow!("invalid argon2 parameters: {e}"))?;
        let mut cfg = Self {
            gate: Default::default(),
            max_parallel: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            params,
            dummy_hash: String::new(),
        };
        cfg.dummy_hash = cfg.hash(&uuid::Uuid::new_v4().to_string())?;
        Ok(cfg)
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    pub fn hash(&self, password: &str) -> anyhow::Result<String> {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        self.gate.run(self.max_parallel, || {
            self.argon2()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("cannot hash password: {e}"))
        })
    }

    /// Verifies `password` against `stored`, or against the dummy hash when there is no account.
    pub fn verify(&self, password: &str, stored: Option<&str>) -> Verified {
        let Some(stored) = stored else {
            let _ = self.check(password, &self.dummy_hash);
            return Verified::No;
        };
        if !self.check(password, stored) {
            return Verified::No;
        }
        let outdated = PasswordHash::new(stored)
            .ok()
            .and_then(|h| Params::try_from(&h).ok())
            .map(|p| {
                p.m_cost() != self.params.m_cost()
                    || p.t_cost() != self.params.t_cost()
                    || p.p_cost() != self.params.p_cost()
            })
            .unwrap_or(true);
        Verified::Yes(if outdated {
            self.hash(password).ok()
        } else {
            None
        })
    }

    fn check(&self, password: &str, stored: &str) -> bool {
        match PasswordHash::new(stored) {
            // The parameters come from the stored PHC string.
            Ok(parsed) => self.gate.run(self.max_parallel, || {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            }),
            Err(_) => false,
        }
    }
}

/// Password policy: 8 to 128 characters, not in the common-password list.
pub fn check_strength(field: &str, password: &str) -> Option<FieldError> {
    let n = password.chars().count();
    let err = |code: &str, message: &str| {
        Some(FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        })
    };
    if n < 8 {
        return err(
            "too_short",
            "Mật khẩu phải có ít nhất 8 ký tự. / The password must have at least 8 characters.",
        );
    }
    if n > 128 {
        return err(
            "too_long",
            "Mật khẩu dài tối đa 128 ký tự. / The password must have at most 128 characters.",
        );
    }
    let lower = password.trim().to_lowercase();
    if COMMON_PASSWORDS.lines().any(|l| l.trim() == lower) {
        return err(
            "common_password",
            "Mật khẩu này quá phổ biến, dễ bị đoán. / This password is too common and easy to guess.",
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strength_rules() {
        assert_eq!(check_strength("p", "short").unwrap().code, "too_short");
        assert_eq!(
            check_strength("p", "12345678").unwrap().code,
            "common_password"
        );
        assert_eq!(
            check_strength("p", "Password1").unwrap().code,
            "common_password"
        );
        assert!(check_strength("p", "trâu-vàng-2026-ruộng").is_none());
    }

    #[test]
    fn hash_verify_and_upgrade() {
        let old = PasswordHasherConfig::new(1024, 1, 1).unwrap();
        let new = PasswordHasherConfig::new(2048, 2, 1).unwrap();
        let hash = old.hash("mật khẩu dài").unwrap();
        assert!(matches!(
            old.verify("mật khẩu dài", Some(&hash)),
            Verified::Yes(None)
        ));
        assert!(matches!(old.verify("sai", Some(&hash)), Verified::No));
        assert!(matches!(old.verify("x", None), Verified::No));
        match new.verify("mật khẩu dài", Some(&hash)) {
            Verified::Yes(Some(upgraded)) => {
                assert!(upgraded.contains("m=2048,t=2,p=1"), "{upgraded}");
            }
            _ => panic!("expected an upgraded hash"),
        }
    }
}
