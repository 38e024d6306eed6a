//! Settings: loading, validation, masking, secrets.

use super::*;
use secrecy::ExposeSecret;

#[test]
fn derived_keys_keep_their_bytes() {
    let tag = |k: &ring::hmac::Key| ring::hmac::sign(k, b"x").as_ref().to_vec();
    for (purpose, seed) in [
        ("csrf", "hocso csrf\0s3cret"),
        ("rate limits", "hocso rate limits\0s3cret"),
    ] {
        let d = ring::digest::digest(&ring::digest::SHA256, seed.as_bytes());
        let expected = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, d.as_ref());
        assert_eq!(tag(&derived_key("s3cret", purpose)), tag(&expected));
    }
    assert_ne!(
        tag(&derived_key("s3cret", "csrf")),
        tag(&derived_key("s3cret", "rate limits"))
    );
}

#[test]
fn masks_database_password() {
    assert_eq!(
        mask_url_password("postgres://u:secret@localhost/db"),
        "postgres://u:********@localhost/db"
    );
    assert_eq!(
        mask_url_password("sqlite://data/hocso.db"),
        "sqlite://data/hocso.db"
    );
    // libpq's multi-host form is no URL to the url crate: masked all the same.
    assert_eq!(
        mask_url_password(
            "postgres://u:p%40ss@db1:5432,db2:5432/hocso?target_session_attrs=read-write"
        ),
        "postgres://u:********@db1:5432,db2:5432/hocso?target_session_attrs=read-write"
    );
    assert_eq!(
        mask_url_password("postgresql://db1/hocso?user=u&password=secret&sslmode=require"),
        "postgresql://db1/hocso?user=u&password=********&sslmode=require"
    );
    assert_eq!(
        mask_url_password("postgres://u@db1/hocso"),
        "postgres://u@db1/hocso"
    );
}

#[test]
fn default_database_is_sqlite_under_data_dir() {
    let s = Settings::default();
    assert_eq!(s.effective_database_url(), "sqlite://data/hocso.db");
}

#[test]
fn secrets_are_generated_once_with_private_mode() {
    let dir = tempfile::tempdir().unwrap();
    let s = Settings {
        data_dir: dir.path().to_path_buf(),
        ..Settings::default()
    };
    let first = s.resolve_secrets().unwrap();
    let second = s.resolve_secrets().unwrap();
    assert_eq!(
        first.jwt_secret.expose_secret(),
        second.jwt_secret.expose_secret()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("secrets/jwt-secret"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
