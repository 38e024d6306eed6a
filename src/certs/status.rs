//! Revocation a verifier can check with nothing but the credential: a W3C Bitstring Status List
//! (<https://www.w3.org/TR/vc-bitstring-status-list/>). Every certificate has a place (its
//! `status_index`, given when it is issued); list n (from 1) holds the places
//! `(n - 1) * LIST_SIZE` to `n * LIST_SIZE - 1`, one bit each, 1 once the certificate is revoked.
//! Each credential names its list and place in `credentialStatus`; the list itself is a credential
//! signed with the issuer's key (a VC-JWT, like the certificates), computed from the database
//! when asked for.

use std::io::Write;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{issuer_id, IssuerKeys, VC_CONTEXT};

/// Places per list: the specification's minimum (16 KiB of bits), so that one list hides which
/// of many certificates a verifier asks about.
pub const LIST_SIZE: i64 = 131_072;

/// How long verifiers and caches may keep a list, in seconds (`Cache-Control` and `ttl`).
pub const MAX_AGE_SECONDS: u32 = 60;

/// The list (from 1) that holds a place.
pub fn list_of(status_index: i64) -> i64 {
    status_index / LIST_SIZE + 1
}

/// The first place of a list.
pub fn first_index(list: i64) -> i64 {
    (list - 1) * LIST_SIZE
}

/// The stable URL of a list, which is also its credential's `id`.
pub fn list_url(public_url: &str, list: i64) -> String {
    format!(
        "{}/api/v1/credentials/status/{list}",
        public_url.trim_end_matches('/')
    )
}

/// The `credentialStatus` of the certificate at a place.
pub fn entry(public_url: &str, status_index: i64) -> Value {
    let list = list_url(public_url, list_of(status_index));
    let index = status_index - first_index(list_of(status_index));
    json!({
        "id": format!("{list}#{index}"),
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": index.to_string(),
        "statusListCredential": list,
    })
}

/// The list's bits, GZIP-compressed and written as multibase base64url (`u`, no padding). Bit 0
/// is the most significant bit of the first byte.
pub fn encode_list(set: impl IntoIterator<Item = usize>) -> anyhow::Result<String> {
    let mut bits = vec![0u8; (LIST_SIZE / 8) as usize];
    for i in set {
        anyhow::ensure!(i < LIST_SIZE as usize, "place {i} is outside the list");
        bits[i / 8] |= 0x80 >> (i % 8);
    }
    // Deterministic: the GZIP header carries no time, so an unchanged list gives the same bytes.
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    gz.write_all(&bits)?;
    Ok(format!("u{}", URL_SAFE_NO_PAD.encode(gz.finish()?)))
}

/// The `BitstringStatusListCredential` of list `list`, signed as a VC-JWT. `revoked` gives the
/// revoked places in the list (as places, not offsets) with their revocation times; the latest
/// time is the credential's `validFrom`, so that the same list gives the same bytes.
pub fn list_credential(
    keys: &IssuerKeys,
    public_url: &str,
    list: i64,
    revoked: &[(i64, DateTime<Utc>)],
) -> anyhow::Result<String> {
    let first = first_index(list);
    let id = list_url(public_url, list);
    let encoded = encode_list(
        revoked
            .iter()
            .map(|(i, _)| usize::try_from(i - first).unwrap_or(usize::MAX)),
    )?;
    let subject = format!("{id}#list");
    let mut vc = json!({
        "@context": [VC_CONTEXT],
        "id": id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(public_url),
        "credentialSubject": {
            "id": subject,
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded,
            "ttl": u64::from(MAX_AGE_SECONDS) * 1000,
        },
        "iss": issuer_id(public_url),
        "jti": id,
        "sub": subject,
    });
    if let Some(latest) = revoked.iter().map(|(_, at)| *at).max() {
        vc["validFrom"] = json!(latest.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        vc["iat"] = json!(latest.timestamp());
        vc["nbf"] = json!(latest.timestamp());
    }
    keys.sign(&vc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;
    use std::io::Read;

    fn decode(encoded: &str) -> Vec<u8> {
        let zipped = URL_SAFE_NO_PAD
            .decode(encoded.strip_prefix('u').unwrap())
            .unwrap();
        let mut bits = Vec::new();
        flate2::read::GzDecoder::new(&zipped[..])
            .read_to_end(&mut bits)
            .unwrap();
        bits
    }

    #[test]
    fn bits_are_set_from_the_left() {
        let bits = decode(&encode_list([0, 9, LIST_SIZE as usize - 1]).unwrap());
        assert_eq!(bits.len(), 16 * 1024);
        assert_eq!(bits[0], 0b1000_0000);
        assert_eq!(bits[1], 0b0100_0000);
        assert_eq!(bits[bits.len() - 1], 0b0000_0001);
        assert_eq!(bits.iter().map(|b| b.count_ones()).sum::<u32>(), 3);
        assert!(encode_list([LIST_SIZE as usize]).is_err());
        // An empty list is small.
        assert!(encode_list([]).unwrap().len() < 200);
    }

    #[test]
    fn places_map_to_lists_and_entries() {
        assert_eq!(list_of(0), 1);
        assert_eq!(list_of(LIST_SIZE - 1), 1);
        assert_eq!(list_of(LIST_SIZE), 2);
        let e = entry("https://h.vn/", LIST_SIZE + 5);
        assert_eq!(
            e["statusListCredential"],
            "https://h.vn/api/v1/credentials/status/2"
        );
        assert_eq!(e["statusListIndex"], "5");
        assert_eq!(e["statusPurpose"], "revocation");
    }

    #[test]
    fn an_unchanged_list_signs_to_the_same_bytes() {
        let keys = IssuerKeys::from_seed(&SecretString::from("22".repeat(32))).unwrap();
        let at = Utc::now();
        let a = list_credential(&keys, "https://h.vn", 1, &[(3, at)]).unwrap();
        let b = list_credential(&keys, "https://h.vn", 1, &[(3, at)]).unwrap();
        assert_eq!(a, b);
        let c = list_credential(&keys, "https://h.vn", 1, &[]).unwrap();
        assert_ne!(a, c);
    }
}
