//! Certificates: human-typable serials, Open Badges 3.0 credentials signed as VC-JWT with
//! Ed25519, the JWK set that verifies them, the issuer's profile, the revocation status list, the
//! PDF and the public verification page.

pub mod admin;
pub mod page;
pub mod pdf;
pub mod signers;
pub mod status;

pub use crate::kinds::CertificateKind;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rand::RngCore;
use ring::signature::KeyPair;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The issuer's name in every credential, its profile and the API.
pub const ISSUER_NAME: &str = "Học số – Bình dân học vụ số";

const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

/// The issuer's id, `{public_url}/issuer`: a URL that answers the issuer's profile.
pub fn issuer_id(public_url: &str) -> String {
    format!("{}/issuer", public_url.trim_end_matches('/'))
}

fn profile_fields(public_url: &str) -> Value {
    json!({
        "id": issuer_id(public_url),
        "type": ["Profile"],
        "name": ISSUER_NAME,
        "url": public_url.trim_end_matches('/'),
    })
}

/// The Open Badges 3.0 issuer `Profile` that the issuer id resolves to.
pub fn issuer_profile(public_url: &str) -> Value {
    let mut profile = profile_fields(public_url);
    profile["@context"] = json!([VC_CONTEXT, OB_CONTEXT]);
    profile
}

const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Crockford's check symbols for values 32–36.
const CHECK_EXTRA: &[u8] = b"*~$=U";

fn check_symbol(value: u64) -> char {
    let m = (value % 37) as usize;
    if m < 32 {
        CROCKFORD[m] as char
    } else {
        CHECK_EXTRA[m - 32] as char
    }
}

/// A new serial: 10 Crockford base32 characters (50 random bits) and a mod-37 check symbol.
pub fn new_serial() -> String {
    let mut bytes = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let value = u64::from_le_bytes(bytes) & ((1u64 << 50) - 1);
    let mut s = String::with_capacity(11);
    for i in (0..10).rev() {
        s.push(CROCKFORD[((value >> (i * 5)) & 31) as usize] as char);
    }
    s.push(check_symbol(value));
    s
}

/// Normalises what a person typed (case, spaces, hyphens, O→0, I/L→1) and checks the
/// check symbol; `None` when it cannot be a serial.
pub fn parse_serial(raw: &str) -> Option<String> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    // ASCII first: an 11-byte string of wider characters must not be split inside one.
    if !cleaned.is_ascii() || cleaned.len() != 11 {
        return None;
    }
    let (body, check) = cleaned.split_at(10);
    let mut value = 0u64;
    for c in body.bytes() {
        let d = CROCKFORD.iter().position(|x| *x == c)? as u64;
        value = (value << 5) | d;
    }
    check.starts_with(check_symbol(value)).then_some(cleaned)
}

/// The issuer's Ed25519 key, derived from the seed in the data directory.
pub struct IssuerKeys {
    encoding: EncodingKey,
    public: [u8; 32],
    pub kid: String,
}

impl IssuerKeys {
    pub fn from_seed(seed_hex: &SecretString) -> anyhow::Result<Self> {
        let seed = hex::decode(seed_hex.expose_secret().trim())?;
        anyhow::ensure!(
            seed.len() >= 32,
            "the certificate signing key must have 32 bytes"
        );
        let seed = &seed[..32];
        let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(seed)
            .map_err(|_| anyhow::anyhow!("invalid Ed25519 seed"))?;
        let mut public = [0u8; 32];
        public.copy_from_slice(pair.public_key().as_ref());
        // PKCS#8 v1 wrapping of an Ed25519 seed (RFC 8410).
        let mut pkcs8 = hex::decode("302e020100300506032b657004220420").expect("static hex");
        pkcs8.extend_from_slice(seed);
        let kid = hex::encode(&Sha256::digest(public)[..8]);
        Ok(Self {
            encoding: EncodingKey::from_ed_der(&pkcs8),
            public,
            kid,
        })
    }

    /// The JWK set that verifies credentials: `/.well-known/jwks.json`.
    pub fn jwks(&self) -> Value {
        json!({"keys": [{
            "kty": "OKP",
            "crv": "Ed25519",
            "x": URL_SAFE_NO_PAD.encode(self.public),
            "kid": self.kid,
            "alg": "EdDSA",
            "use": "sig"
        }]})
    }

    fn sign(&self, payload: &Value) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        header.typ = Some("vc+jwt".into());
        jsonwebtoken::encode(&header, payload, &self.encoding)
            .map_err(|e| anyhow::anyhow!("cannot sign credential: {e}"))
    }
}

/// What a certificate attests.
pub struct Achievement<'a> {
    pub kind: CertificateKind,
    pub slug: &'a str,
    pub title: &'a str,
    pub title_en: &'a str,
}

/// Who got a certificate, when, and where its revocation shows.
pub struct Issued<'a> {
    pub serial: &'a str,
    /// Its place in the revocation status list ([`status`]).
    pub status_index: i64,
    pub user_id: &'a str,
    pub recipient_name: &'a str,
    pub issued_at: DateTime<Utc>,
}

/// An Open Badges 3.0 `OpenBadgeCredential` (VC data model 2.0), signed as a VC-JWT. The
/// subject is identified by an opaque URN; no e-mail or phone appears. `credentialStatus` points
/// to the revocation status list.
pub fn credential(
    keys: &IssuerKeys,
    public_url: &str,
    issued: &Issued<'_>,
    what: &Achievement<'_>,
) -> anyhow::Result<String> {
    let base = public_url.trim_end_matches('/');
    let issuer = issuer_id(base);
    let id = format!("{base}/verify/{}", issued.serial);
    let subject = format!("urn:uuid:{}", issued.user_id);
    let issued_at = issued.issued_at;
    let path = if what.kind == CertificateKind::Program {
        "programs"
    } else {
        "courses"
    };
    let criteria = if what.kind == CertificateKind::Program {
        format!("Hoàn thành mọi khóa học của chương trình \"{}\". / Completed every course of the program.", what.title)
    } else {
        format!("Hoàn thành các bài học bắt buộc và đạt các bài kiểm tra bắt buộc của khóa \"{}\". / Completed the required lessons and passed the required quizzes.", what.title)
    };
    let vc = json!({
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": profile_fields(base),
        "validFrom": issued_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "name": what.title,
        "credentialStatus": status::entry(base, issued.status_index),
        "credentialSubject": {
            "id": subject,
            "type": ["AchievementSubject"],
            "name": issued.recipient_name,
            "achievement": {
                "id": format!("{base}/api/v1/{path}/{}", what.slug),
                "type": ["Achievement"],
                "name": what.title,
                "description": what.title_en,
                "criteria": {"narrative": criteria}
            }
        },
        "iss": issuer,
        "jti": id,
        "sub": subject,
        "nbf": issued_at.timestamp(),
        "iat": issued_at.timestamp()
    });
    keys.sign(&vc)
}

/// The public verification page of a certificate (what its QR code opens).
pub fn verify_url(public_url: &str, serial: &str) -> String {
    format!("{}/verify/{serial}", public_url.trim_end_matches('/'))
}

/// A certificate of `user_id` by its serial (typed in any case, with spaces or hyphens); the
/// same 404 for an unknown serial and for someone else's.
pub fn mine(
    conn: &mut crate::db::DbConn,
    user_id: &str,
    raw_serial: &str,
) -> crate::error::ApiResult<crate::db::learning::CertificateRow> {
    let not_found =
        || crate::error::ApiError::not_found(format!("No certificate `{raw_serial}` of yours."));
    let serial = parse_serial(raw_serial).ok_or_else(not_found)?;
    crate::db::learning::certificate_by_serial(conn, &serial)?
        .filter(|c| c.user_id == user_id)
        .ok_or_else(not_found)
}

/// A QR code as an SVG element (one path of dark squares, a quiet zone of four), for pages.
pub fn qr_svg(data: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(data.as_bytes()) else {
        return String::new();
    };
    let width = code.width();
    let size = width + 8;
    let colors = code.to_colors();
    let mut path = String::new();
    for row in 0..width {
        for col in 0..width {
            if colors[row * width + col] == qrcode::Color::Dark {
                path.push_str(&format!("M{} {}h1v1h-1z", col + 4, row + 4));
            }
        }
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"200\" \
         height=\"200\" role=\"img\" aria-label=\"QR\" shape-rendering=\"crispEdges\">\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_round_trip_and_catch_typos() {
        for _ in 0..200 {
            let s = new_serial();
            assert_eq!(s.len(), 11);
            assert_eq!(parse_serial(&s).as_deref(), Some(s.as_str()));
            assert_eq!(parse_serial(&s.to_lowercase()).as_deref(), Some(s.as_str()));
            let spaced = format!("{}-{} {}", &s[..4], &s[4..8], &s[8..]);
            assert_eq!(parse_serial(&spaced).as_deref(), Some(s.as_str()));
            // One changed character is caught.
            let mut chars: Vec<char> = s.chars().collect();
            chars[3] = if chars[3] == 'A' { 'B' } else { 'A' };
            let typo: String = chars.into_iter().collect();
            assert_eq!(parse_serial(&typo), None, "{s} vs {typo}");
        }
        assert_eq!(parse_serial("short"), None);
        // Found by schemathesis: 11 bytes of wider characters (the split used to panic).
        assert_eq!(parse_serial("¼곔1ãª"), None);
        assert_eq!(parse_serial("HX_§\u{654ae}"), None);
    }

    #[test]
    fn credentials_verify_with_the_published_key() {
        let keys = IssuerKeys::from_seed(&SecretString::from("11".repeat(32))).unwrap();
        let jwt = credential(
            &keys,
            "https://hocso.example.vn",
            &Issued {
                serial: "ABCDEFGHJK1",
                status_index: 7,
                user_id: "u-1",
                recipient_name: "Nguyễn Văn A",
                issued_at: Utc::now(),
            },
            &Achievement {
                kind: CertificateKind::Course,
                slug: "zalo",
                title: "Zalo",
                title_en: "Zalo",
            },
        )
        .unwrap();
        let x = keys.jwks()["keys"][0]["x"].as_str().unwrap().to_string();
        let key = jsonwebtoken::DecodingKey::from_ed_components(&x).unwrap();
        let mut v = jsonwebtoken::Validation::new(Algorithm::EdDSA);
        v.required_spec_claims.clear();
        v.validate_exp = false;
        let data = jsonwebtoken::decode::<Value>(&jwt, &key, &v).unwrap();
        assert_eq!(data.claims["credentialSubject"]["name"], "Nguyễn Văn A");
        assert_eq!(data.header.kid.as_deref(), Some(keys.kid.as_str()));
        assert_eq!(
            data.claims["issuer"]["id"],
            "https://hocso.example.vn/issuer"
        );
        assert_eq!(
            data.claims["credentialStatus"]["statusListCredential"],
            "https://hocso.example.vn/api/v1/credentials/status/1"
        );
        assert_eq!(data.claims["credentialStatus"]["statusListIndex"], "7");
    }
}
