//! Passwords: argon2id with parameters from settings, stored as PHC strings, upgraded on login.

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::error::FieldError;

/// Common passwords refused at registration (lower-cased); shipped with the project.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// The common passwords, for the API document (`check_strength` compares them case-insensitively).
pub fn common_passwords() -> Vec<&'static str> {
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

/// At most `max` argon2 computations at once, each in a memory buffer of its own that is kept
/// and reused. Without it a burst of logins runs dozens of hashes side by side on the blocking
/// pool, each allocating (and page-faulting) `memory_kib` afresh in a different malloc arena:
/// slower than the raw hash rate and hundreds of MB of resident memory.
struct Gate {
    max: usize,
    state: std::sync::Mutex<GateState>,
    freed: std::sync::Condvar,
}

#[derive(Default)]
struct GateState {
    busy: usize,
    idle: Vec<Vec<Block>>,
}

impl Gate {
    fn new(max: usize) -> Self {
        Self {
            max: max.max(1),
            state: Default::default(),
            freed: Default::default(),
        }
    }

    /// Runs `f` with a buffer of at least `blocks` blocks.
    fn run<T>(&self, blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
        let mut memory = {
            let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
            while st.busy >= self.max {
                st = self.freed.wait(st).unwrap_or_else(|e| e.into_inner());
            }
            st.busy += 1;
            st.idle.pop().unwrap_or_default()
        };
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        let out = f(&mut memory[..blocks]);
        {
            let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
            st.busy -= 1;
            st.idle.push(memory);
        }
        self.freed.notify_one();
        out
    }
}

#[derive(Clone)]
pub struct PasswordHasherConfig {
    gate: std::sync::Arc<Gate>,
    params: Params,
    dummy_hash: String,
    /// argon2 computations run so far (hashes and verifications).
    computations: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// The outcome of a password check; `Yes(Some(hash))` carries a re-hash with today's
/// parameters when the stored one used others.
pub enum Verified {
    Yes(Option<String>),
    No,
}

/// Longest salt accepted in a stored hash (bytes, decoded).
const MAX_SALT: usize = 64;

impl PasswordHasherConfig {
    /// The hasher the settings ask for (`argon2_*`): the server's and every command's.
    pub fn from_settings(settings: &crate::config::Settings) -> anyhow::Result<Self> {
        Self::new(
            settings.argon2_memory_kib,
            settings.argon2_iterations,
            settings.argon2_parallelism,
        )
    }

    pub fn new(memory_kib: u32, iterations: u32, parallelism: u32) -> anyhow::Result<Self> {
        let params = Params::new(memory_kib, iterations, parallelism, None)
            .map_err(|e| anyhow::anyhow!("invalid argon2 parameters: {e}"))?;
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let mut cfg = Self {
            gate: std::sync::Arc::new(Gate::new(cores)),
            params,
            dummy_hash: String::new(),
            computations: Default::default(),
        };
        cfg.dummy_hash = cfg.hash(&uuid::Uuid::new_v4().to_string())?;
        Ok(cfg)
    }

    /// argon2id over `password` and `salt` with `params`, in a gated, reused buffer.
    fn compute(
        &self,
        algorithm: Algorithm,
        version: Version,
        params: &Params,
        password: &str,
        salt: &[u8],
    ) -> argon2::Result<Output> {
        let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let argon2 = Argon2::new(algorithm, version, params.clone());
        let mut out = [0u8; Output::MAX_LENGTH];
        let out = &mut out[..len.min(Output::MAX_LENGTH)];
        self.computations
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.gate.run(params.block_count(), |memory| {
            argon2.hash_password_into_with_memory(password.as_bytes(), salt, out, memory)
        })?;
        Output::new(out).map_err(|_| argon2::Error::OutputTooLong)
    }

    pub fn hash(&self, password: &str) -> anyhow::Result<String> {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let mut raw = [0u8; MAX_SALT];
        let salt_bytes = salt
            .decode_b64(&mut raw)
            .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
        let output = self
            .compute(
                Algorithm::Argon2id,
                Version::V0x13,
                &self.params,
                password,
                salt_bytes,
            )
            .map_err(|e| anyhow::anyhow!("cannot hash password: {e}"))?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&self.params)
                .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?,
            salt: Some(salt.as_salt()),
            hash: Some(output),
        };
        Ok(phc.to_string())
    }

    /// argon2 computations run so far by this hasher and its clones.
    pub fn computations(&self) -> u64 {
        self.computations.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Checks `password` against the stored hash. Every call runs exactly one argon2
    /// computation, whatever the account: with no account (`None`), or a stored value that is
    /// not a usable hash (the `!` placeholder of a resident who has no password yet, a damaged
    /// row), the dummy hash is verified instead, so the time taken does not tell them apart.
    pub fn verify(&self, password: &str, stored: Option<&str>) -> Verified {
        let checked = match stored {
            Some(stored) => self.check(password, stored),
            None => Checked::NotRun,
        };
        match checked {
            Checked::NotRun => {
                let _ = self.check(password, &self.dummy_hash);
                Verified::No
            }
            Checked::Mismatch => Verified::No,
            Checked::Match(params) => {
                let outdated = params.m_cost() != self.params.m_cost()
                    || params.t_cost() != self.params.t_cost()
                    || params.p_cost() != self.params.p_cost();
                Verified::Yes(if outdated {
                    self.hash(password).ok()
                } else {
                    None
                })
            }
        }
    }

    /// Verifies `password` against `stored`; `NotRun` when `stored` is not a hash this
    /// server can compute (so that no argon2 ran).
    fn check(&self, password: &str, stored: &str) -> Checked {
        let Some(parsed) = Parsed::new(stored) else {
            return Checked::NotRun;
        };
        let mut raw = [0u8; MAX_SALT];
        let Some(salt) = parsed.salt.decode_b64(&mut raw).ok() else {
            return Checked::NotRun;
        };
        match self.compute(
            parsed.algorithm,
            parsed.version,
            &parsed.params,
            password,
            salt,
        ) {
            // `Output` compares in constant time.
            Ok(computed) if computed == parsed.expected => Checked::Match(parsed.params),
            Ok(_) => Checked::Mismatch,
            // argon2 refused the inputs before computing anything.
            Err(_) => Checked::NotRun,
        }
    }
}

enum Checked {
    Match(Params),
    Mismatch,
    NotRun,
}

/// The parts of a stored PHC string that a verification needs.
struct Parsed<'a> {
    algorithm: Algorithm,
    version: Version,
    params: Params,
    salt: argon2::password_hash::Salt<'a>,
    expected: Output,
}

impl<'a> Parsed<'a> {
    fn new(stored: &'a str) -> Option<Self> {
        let parsed = PasswordHash::new(stored).ok()?;
        let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
        let version = match parsed.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(&parsed).ok()?;
        Some(Self {
            algorithm,
            version,
            params,
            salt: parsed.salt?,
            expected: parsed.hash?,
        })
    }
}

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

    /// Every failed login costs one argon2 computation, whatever the account: no account, a
    /// resident's placeholder, a damaged hash, a wrong password (issue 17, item 5).
    #[test]
    fn every_verification_runs_argon2_once() {
        let hasher = PasswordHasherConfig::new(1024, 1, 1).unwrap();
        let real = hasher.hash("mật khẩu dài").unwrap();
        let cases: Vec<(&str, Option<&str>)> = vec![
            ("đúng?", None),
            ("đúng?", Some("!")),
            ("đúng?", Some("")),
            ("đúng?", Some("$argon2id$v=19$m=1024,t=1,p=1$garbage")),
            ("đúng?", Some("$pbkdf2-sha256$i=1000$c2FsdHNhbHQ$aGFzaA")),
            ("đúng?", Some(&real)),
            ("mật khẩu dài", Some(&real)),
        ];
        for (password, stored) in cases {
            let before = hasher.computations();
            let _ = hasher.verify(password, stored);
            assert_eq!(hasher.computations() - before, 1, "stored {stored:?}");
        }
        assert!(matches!(hasher.verify("!", Some("!")), Verified::No));
    }
}
