//! The process's secrets (given in settings or generated once into the data directory), keys
//! derived from them, and database URLs with their passwords masked for printing.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

use super::Settings;

/// Secrets resolved for this process: given in settings, or generated once into the data directory.
#[derive(Clone)]
pub struct Secrets {
    pub jwt_secret: SecretString,
    pub cert_signing_seed: SecretString,
}

impl Settings {
    /// Secrets from settings, or read from (and on first start generated into) the data directory.
    pub fn resolve_secrets(&self) -> anyhow::Result<Secrets> {
        let dir = self.data_dir.join("secrets");
        let jwt_secret = match &self.jwt_secret {
            Some(s) if !s.expose_secret().is_empty() => s.clone(),
            _ => load_or_generate_secret(&dir.join("jwt-secret"))?,
        };
        let cert_signing_seed = match &self.cert_signing_seed {
            Some(s) if !s.expose_secret().is_empty() => s.clone(),
            _ => load_or_generate_secret(&dir.join("cert-signing-key"))?,
        };
        Ok(Secrets {
            jwt_secret,
            cert_signing_seed,
        })
    }
}

/// `postgres://user:pw@host/db` -> `postgres://user:********@host/db`, also for libpq's
/// multi-host form (`postgres://user:pw@h1:5432,h2:5432/db`, which is not a URL to the `url`
/// crate) and a `password=` parameter.
pub fn mask_url_password(raw: &str) -> String {
    let Some(scheme_end) = raw.find("://").map(|i| i + 3) else {
        return raw.to_string();
    };
    let rest = &raw[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let mut out = raw[..scheme_end].to_string();
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let userinfo = &rest[..at];
            match userinfo.find(':') {
                Some(colon) => {
                    out.push_str(&userinfo[..colon]);
                    out.push_str(":********");
                }
                None => out.push_str(userinfo),
            }
            out.push_str(&rest[at..authority_end]);
        }
        None => out.push_str(&rest[..authority_end]),
    }
    let tail = &rest[authority_end..];
    match tail.split_once('?') {
        Some((path, query)) => {
            out.push_str(path);
            out.push('?');
            let params: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=********"),
                    _ => kv.to_string(),
                })
                .collect();
            out.push_str(&params.join("&"));
        }
        None => out.push_str(tail),
    }
    out
}

/// A key for one `purpose` ("csrf", "rate limits"), derived from `secret` (the JWT secret):
/// HMAC-SHA256 keyed by SHA-256 of "hocso {purpose}\0{secret}", so each use has its own key and
/// tokens signed before stay valid.
pub fn derived_key(secret: &str, purpose: &str) -> ring::hmac::Key {
    let derived = ring::digest::digest(
        &ring::digest::SHA256,
        format!("hocso {purpose}\0{secret}").as_bytes(),
    );
    ring::hmac::Key::new(ring::hmac::HMAC_SHA256, derived.as_ref())
}

/// Reads a hex secret from `path`, or creates it with 32 random bytes and mode 0600.
fn load_or_generate_secret(path: &Path) -> anyhow::Result<SecretString> {
    if path.exists() {
        let text = fs::read_to_string(path)
            .with_context(|| format!("cannot read secret file {}", path.display()))?;
        let text = text.trim();
        if text.len() < 32 {
            bail!("secret file {} is too short", path.display());
        }
        return Ok(SecretString::from(text.to_string()));
    }
    let dir = path.parent().expect("secret path has a parent");
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let value = hex::encode(bytes);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create secret file {}", path.display()))?;
    file.write_all(value.as_bytes())?;
    file.sync_all()?;
    Ok(SecretString::from(value))
}
