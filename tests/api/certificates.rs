//! Certificates for printers and verifiers: the PDF downloaded through the API (its size, its
//! metadata and its layout, read back with poppler), and revocation that a verifier learns from the
//! credential alone: the signed status list it names, checked with `jsonwebtoken` as an independent
//! JOSE library, and the issuer profile its issuer id resolves to.

use std::io::Read;
use std::process::Command;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Datelike;
use printpdf::lopdf::{Document, Object};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::*;

both_backends!(
    certificate_pdf_is_small_and_reads_in_vietnamese,
    revocation_shows_in_the_status_list_the_credential_names,
    a_commune_sets_who_signs_its_certificates,
);

const PUBLIC_URL: &str = "https://hocso.example.vn";

fn have(cmd: &str) -> bool {
    Command::new("which")
        .arg(cmd)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// A new learner named `name` completes the published course `slug` (lessons `a` and `b`);
/// returns the certificate's serial.
async fn complete(app: &TestApp, slug: &str, name: &str, email: &str) -> String {
    let res = register(
        app,
        json!({"display_name": name, "email": email, "password": "hoc-so-mat-khau-1"}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let t = login(app, email, "hoc-so-mat-khau-1").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    progress(app, &t, slug, "a", &event("completed", 30)).await;
    let p: Value = progress(app, &t, slug, "b", &event("completed", 30))
        .await
        .json()
        .await
        .unwrap();
    p["certificates_issued"][0]["serial"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn certificate(app: &TestApp, serial: &str) -> Value {
    let res = app.get(&format!("/api/v1/certificates/{serial}")).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Verifies a VC-JWT with the published JWK set only; returns its header and claims.
async fn verify(app: &TestApp, jwt: &str) -> (jsonwebtoken::Header, Value) {
    let jwks: Value = app.get("/.well-known/jwks.json").value().await;
    let header = jsonwebtoken::decode_header(jwt).unwrap();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| Some(k["kid"].as_str().unwrap()) == header.kid.as_deref())
        .expect("the kid is in the JWK set");
    let decoding =
        jsonwebtoken::DecodingKey::from_ed_components(key["x"].as_str().unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    let data = jsonwebtoken::decode::<Value>(jwt, &decoding, &validation).unwrap();
    (data.header, data.claims)
}

/// The status list's bits, as the specification says to read them: strip the multibase `u`,
/// base64url-decode, gunzip.
fn bits_of(list_vc: &Value) -> Vec<u8> {
    let encoded = list_vc["credentialSubject"]["encodedList"]
        .as_str()
        .unwrap();
    let zipped = URL_SAFE_NO_PAD
        .decode(encoded.strip_prefix('u').expect("multibase base64url"))
        .unwrap();
    let mut bits = Vec::new();
    flate2::read::GzDecoder::new(&zipped[..])
        .read_to_end(&mut bits)
        .unwrap();
    bits
}

fn bit(bits: &[u8], index: usize) -> u8 {
    (bits[index / 8] >> (7 - index % 8)) & 1
}

/// What a credential's `credentialStatus` names: the list's path on this server and the index.
fn status_of(vc: &Value) -> (String, usize) {
    let status = &vc["credentialStatus"];
    assert_eq!(status["type"], "BitstringStatusListEntry");
    assert_eq!(status["statusPurpose"], "revocation");
    let url = status["statusListCredential"].as_str().unwrap();
    let index: usize = status["statusListIndex"]
        .as_str()
        .expect("the index is a string")
        .parse()
        .unwrap();
    assert_eq!(status["id"], format!("{url}#{index}"));
    let path = url.strip_prefix(PUBLIC_URL).expect("a URL of this server");
    (path.to_string(), index)
}

async fn revocation_shows_in_the_status_list_the_credential_names(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.public_url = PUBLIC_URL.into()).await;
    simple_course(&app, "cc").await;
    let hoa = complete(&app, "cc", "Nguyễn Thị Hoa", "hoa@example.vn").await;
    let nam = complete(&app, "cc", "Lê Văn Nam", "nam@example.vn").await;

    let (header, vc) = verify(
        &app,
        certificate(&app, &hoa).await["credential"]
            .as_str()
            .unwrap(),
    )
    .await;
    let (_, vc_nam) = verify(
        &app,
        certificate(&app, &nam).await["credential"]
            .as_str()
            .unwrap(),
    )
    .await;
    let (path, index) = status_of(&vc);
    let (path_nam, index_nam) = status_of(&vc_nam);
    assert_eq!(path, "/api/v1/credentials/status/1");
    assert_eq!(path_nam, path);
    assert_ne!(index, index_nam, "each certificate has a place of its own");

    // The issuer id resolves to the issuer's profile.
    let issuer_id = vc["issuer"]["id"].as_str().unwrap();
    assert_eq!(issuer_id, format!("{PUBLIC_URL}/issuer"));
    let res = app.get(issuer_id.strip_prefix(PUBLIC_URL).unwrap()).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let profile: Value = res.json().await.unwrap();
    assert_eq!(profile["id"], issuer_id);
    assert!(profile["type"]
        .as_array()
        .unwrap()
        .contains(&json!("Profile")));
    assert_eq!(profile["name"], vc["issuer"]["name"]);
    assert_eq!(profile["url"], PUBLIC_URL);
    assert_eq!(
        profile["@context"][0],
        "https://www.w3.org/ns/credentials/v2"
    );

    // The list: a credential signed with the same key, every bit 0.
    let res = app.get(&path).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/vc+jwt");
    assert_eq!(res.headers()["cache-control"], "public, max-age=60");
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let jwt = res.text().await.unwrap();
    let (list_header, list) = verify(&app, &jwt).await;
    assert_eq!(list_header.kid, header.kid, "signed with the issuer's key");
    assert_eq!(list_header.typ.as_deref(), Some("vc+jwt"));
    assert_eq!(list["id"], format!("{PUBLIC_URL}{path}"));
    assert!(list["type"]
        .as_array()
        .unwrap()
        .contains(&json!("BitstringStatusListCredential")));
    assert_eq!(list["issuer"], issuer_id);
    assert_eq!(list["credentialSubject"]["type"], "BitstringStatusList");
    assert_eq!(list["credentialSubject"]["statusPurpose"], "revocation");
    let bits = bits_of(&list);
    assert_eq!(bits.len(), 16 * 1024, "131,072 places");
    assert_eq!((bit(&bits, index), bit(&bits, index_nam)), (0, 0));
    assert!(bits.iter().all(|b| *b == 0));
    // Unchanged: 304.
    let res = app.get(&path).header("If-None-Match", &etag).await;
    assert_eq!(res.status(), 304);

    // Revoked: the bit turns 1, and only that one.
    let (_, admin_token) = admin(&app).await;
    let res = app
        .post(&format!("/api/v1/admin/certificates/{hoa}/revoke"))
        .token(&admin_token)
        .json(&json!({"reason": "Cấp nhầm người"}))
        .await;
    assert_eq!(res.status(), 200);
    let res = app.get(&path).header("If-None-Match", &etag).await;
    assert_eq!(res.status(), 200, "the list changed");
    assert_ne!(res.headers()["etag"].to_str().unwrap(), etag);
    let (_, list) = verify(&app, &res.text().await.unwrap()).await;
    let bits = bits_of(&list);
    assert_eq!((bit(&bits, index), bit(&bits, index_nam)), (1, 0));
    assert_eq!(bits.iter().map(|b| b.count_ones()).sum::<u32>(), 1);
    assert!(list["validFrom"].is_string());
    // The credential itself is unchanged and still verifies: the list is what tells.
    let (_, again) = verify(
        &app,
        certificate(&app, &hoa).await["credential"]
            .as_str()
            .unwrap(),
    )
    .await;
    assert_eq!(again, vc);

    // Lists that hold no certificate, and numbers that are no list.
    for bad in ["2", "0", "-1", "abc", "99999999999999999999"] {
        let res = app.get(&format!("/api/v1/credentials/status/{bad}")).await;
        assert_problem(res, 404, "not_found").await;
    }

    // Both are in the OpenAPI document.
    let doc: Value = app.get("/api/v1/openapi.json").value().await;
    assert!(doc["paths"]["/api/v1/credentials/status/{list}"]["get"].is_object());
    assert!(doc["paths"]["/issuer"]["get"].is_object());
}

/// One word that `pdftotext -bbox` found: its text and box, in points from the top left.
struct Word {
    text: String,
    x_min: f32,
    y_min: f32,
    x_max: f32,
}

fn words(pdf: &std::path::Path) -> Vec<Word> {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-bbox"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    let attr = |tag: &str, name: &str| -> f32 {
        let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[start..][..tag[start..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    html.split("<word ")
        .skip(1)
        .map(|w| {
            let (tag, rest) = w.split_once('>').unwrap();
            Word {
                text: rest.split("</word>").next().unwrap().to_string(),
                x_min: attr(tag, "xMin"),
                y_min: attr(tag, "yMin"),
                x_max: attr(tag, "xMax"),
            }
        })
        .collect()
}

async fn certificate_pdf_is_small_and_reads_in_vietnamese(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        s.public_url = PUBLIC_URL.into();
        s.certificate_issuing_body = "Ủy ban nhân dân xã Tân Phú".into();
        s.certificate_place = "Tân Phú".into();
        s.certificate_signer_title = "TM. Ủy ban nhân dân\nChủ tịch".into();
        s.certificate_signer_name = "Trần Văn Bình".into();
    })
    .await;
    simple_course(&app, "cc").await;
    let serial = complete(&app, "cc", "Nguyễn Thị Hoa", "hoa@example.vn").await;
    let res = app.get(&format!("/api/v1/certificates/{serial}/pdf")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap();
    eprintln!("certificate PDF: {} bytes", pdf.len());
    assert!(
        pdf.len() <= 100 * 1024,
        "the certificate is {} bytes",
        pdf.len()
    );

    // The title is a UTF-16BE text string with its byte order mark.
    let title = format!("Giấy chứng nhận {serial} – Nguyễn Thị Hoa");
    let doc = Document::load_mem(&pdf).unwrap();
    let info = doc
        .get_object(doc.trailer.get(b"Info").unwrap().as_reference().unwrap())
        .unwrap()
        .as_dict()
        .unwrap();
    let Object::String(raw, _) = info.get(b"Title").unwrap() else {
        panic!("no title");
    };
    assert_eq!(&raw[..2], &[0xFE, 0xFF]);
    let units: Vec<u16> = raw[2..]
        .chunks(2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .collect();
    assert_eq!(String::from_utf16(&units).unwrap(), title);

    if !have("pdfinfo") || !have("pdftotext") || !have("pdffonts") {
        eprintln!("poppler-utils is not installed: the metadata and layout checks are skipped; .ci/run installs it");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let run = |cmd: &str, args: &[&str]| {
        let mut command = Command::new(cmd);
        command.args(args).arg(&file);
        if cmd == "pdftotext" {
            command.arg("-");
        }
        let out = command.output().unwrap();
        assert!(out.status.success(), "{cmd}");
        String::from_utf8(out.stdout).unwrap()
    };
    // What viewers show.
    let info = run("pdfinfo", &["-enc", "UTF-8"]);
    assert!(
        info.lines()
            .any(|l| l == format!("Title:           {title}")),
        "{info}"
    );
    assert!(
        info.contains("Author:          Ủy ban nhân dân xã Tân Phú"),
        "{info}"
    );
    // One font, embedded as a subset, with a map back to Unicode.
    let fonts = run("pdffonts", &[]);
    let font = fonts.lines().nth(2).unwrap();
    assert!(font.contains("+DejaVuSans"), "{fonts}");
    assert!(
        font.split_whitespace()
            .collect::<Vec<_>>()
            .windows(3)
            .any(|w| w == ["yes", "yes", "yes"]),
        "embedded, subset, Unicode map: {fonts}"
    );

    // The layout: every line reads back as Vietnamese, where Vietnamese certificates put it.
    let issued: chrono::DateTime<chrono::Utc> = certificate(&app, &serial).await["issued_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let day = issued.date_naive();
    let month = if day.month() < 3 {
        format!("{:02}", day.month())
    } else {
        day.month().to_string()
    };
    let date = format!(
        "Tân Phú, ngày {:02} tháng {month} năm {}",
        day.day(),
        day.year()
    );
    let text = run("pdftotext", &["-enc", "UTF-8", "-layout"]);
    for line in [
        "ỦY BAN NHÂN DÂN XÃ TÂN PHÚ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "GIẤY CHỨNG NHẬN",
        "Nguyễn Thị Hoa",
        "Khóa cc",
        &date,
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Trần Văn Bình",
        &format!("Số hiệu: {serial}"),
    ] {
        assert!(text.contains(line), "`{line}` is not in:\n{text}");
    }
    let words = words(&file);
    // The top-most word so written.
    let find = |s: &str| {
        words
            .iter()
            .filter(|w| w.text == s)
            .min_by(|a, b| a.y_min.total_cmp(&b.y_min))
            .unwrap_or_else(|| panic!("no word `{s}`"))
    };
    let (width, height) = (841.89, 595.28);
    // The issuing body at the top left, the motto at the top right, level with each other.
    let body = find("ỦY");
    assert!(body.x_min < width / 2.0 && body.y_min < height / 4.0);
    let motto = (find("CỘNG"), find("NAM"));
    assert!(motto.0.x_min > width / 2.0 && motto.0.y_min < height / 4.0);
    assert!((motto.0.y_min - body.y_min).abs() < 3.0);
    // … centred over the second line of the motto.
    let (free, happy) = (find("Độc"), find("phúc"));
    let centre = |a: &Word, b: &Word| (a.x_min + b.x_max) / 2.0;
    assert!((centre(motto.0, motto.1) - centre(free, happy)).abs() < 2.0);
    assert!(free.y_min > motto.0.y_min);
    // Place and date above the signer's title and name, at the bottom right.
    let (place, title_word, name) = (find("ngày"), find("TỊCH"), find("Bình"));
    for w in [place, title_word, name] {
        assert!(w.x_min > width / 2.0 && w.y_min > height / 2.0);
    }
    assert!(place.y_min < title_word.y_min && title_word.y_min < name.y_min);
    // The heading between them, centred on the page.
    let heading = (find("GIẤY"), find("NHẬN"));
    assert!((centre(heading.0, heading.1) - width / 2.0).abs() < 2.0);
    assert!(heading.0.y_min > free.y_min && heading.0.y_min < place.y_min);
}

/// A learner of `village` (created in the database, as imports and facilitators do) completes
/// the course `slug`; returns the certificate's serial.
async fn complete_in(app: &TestApp, village: &str, slug: &str, username: &str) -> String {
    let (village, hasher, name) = (
        village.to_string(),
        app.state.hasher.clone(),
        username.to_string(),
    );
    app.db(move |conn| {
        let id = hocso::accounts::create_account(
            conn,
            &hasher,
            hocso::accounts::NewAccount {
                display_name: &name,
                email: None,
                phone: None,
                username: Some(&name),
                password: "mat-khau-rat-dai-1",
                language: "vi",
            },
        )
        .unwrap();
        let mut p = hocso::db::community::Profile::empty(&id);
        p.village_id = Some(village);
        hocso::community::save_profile(conn, &p).unwrap();
    })
    .await;
    let t = login(app, username, "mat-khau-rat-dai-1").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    progress(app, &t, slug, "a", &event("completed", 30)).await;
    let p: Value = progress(app, &t, slug, "b", &event("completed", 30))
        .await
        .json()
        .await
        .unwrap();
    p["certificates_issued"][0]["serial"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The certificate's PDF as text (`None` without poppler-utils).
async fn pdf_text(app: &TestApp, serial: &str) -> Option<String> {
    let res = app.get(&format!("/api/v1/certificates/{serial}/pdf")).await;
    assert_eq!(res.status(), 200);
    let pdf = res.bytes().await.unwrap();
    if !have("pdftotext") {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    Some(String::from_utf8(out.stdout).unwrap())
}

async fn a_commune_sets_who_signs_its_certificates(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        s.certificate_signer_name = "Phạm Mặc Định".into();
        s.certificate_place = "Nơi Mặc Định".into();
    })
    .await;
    let (_, root) = admin(&app).await;
    let province = create_locality(
        &app,
        &root,
        json!({"kind": "province", "name": "Tỉnh Một", "code": "T1"}),
    )
    .await;
    let mut communes = Vec::new();
    let mut villages = Vec::new();
    for code in ["XA", "XB"] {
        let commune = create_locality(
            &app,
            &root,
            json!({"parent_id": province, "kind": "commune", "name": format!("Xã {code}"), "code": code}),
        )
        .await;
        villages.push(
            create_locality(
                &app,
                &root,
                json!({"parent_id": commune, "kind": "village", "name": format!("Thôn {code}")}),
            )
            .await,
        );
        communes.push(commune);
    }
    // An admin of commune XA.
    let (uid, _) = learner(&app, "xa@example.vn").await;
    app.post(&format!("/api/v1/admin/users/{uid}/roles"))
        .token(&root)
        .json(&json!({"role": "admin", "locality_code": "XA"}))
        .expect(200)
        .await;
    let xa = login(&app, "xa@example.vn", "mat-khau-rat-dai-1").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let signer = |id: &str| format!("/api/v1/admin/localities/{id}/certificate-signer");

    // Nothing set yet: the settings.
    let got = app.get(&signer(&villages[0])).token(&xa).expect(200).await;
    assert_eq!(got["signer_name"], Value::Null);
    assert_eq!(got["effective"]["signer_name"], "Phạm Mặc Định");

    let body = json!({
        "issuing_body": "Ủy ban nhân dân xã Tân Phú",
        "place": " Tân Phú ",
        "signer_title": "TM. Ủy ban nhân dân\nChủ tịch",
        "signer_name": "Trần Văn Bình",
    });
    let set = app
        .put(&signer(&communes[0]))
        .token(&xa)
        .json(&body)
        .expect(200)
        .await;
    assert_eq!(set["locality_id"], communes[0].as_str());
    assert_eq!(set["place"], "Tân Phú");
    assert_eq!(set["effective"]["signer_name"], "Trần Văn Bình");
    // A village of the commune inherits it, field by field.
    app.put(&signer(&villages[0]))
        .token(&xa)
        .json(&json!({"place": "Thôn XA"}))
        .expect(200)
        .await;
    let got = app.get(&signer(&villages[0])).token(&xa).expect(200).await;
    assert_eq!(got["signer_name"], Value::Null);
    assert_eq!(got["place"], "Thôn XA");
    assert_eq!(got["effective"]["signer_name"], "Trần Văn Bình");
    assert_eq!(
        got["effective"]["issuing_body"],
        "Ủy ban nhân dân xã Tân Phú"
    );

    // Another commune's admin area: 403; no such locality: 404.
    for res in [
        app.put(&signer(&communes[1])).token(&xa).json(&body).await,
        app.get(&signer(&communes[1])).token(&xa).await,
        app.get(&signer(&province)).token(&xa).await,
    ] {
        assert_problem(res, 403, "forbidden").await;
    }
    assert_problem(
        app.put(&signer("no-such-place"))
            .token(&xa)
            .json(&body)
            .await,
        404,
        "not_found",
    )
    .await;
    // Bad input: 422 with the field.
    for (bad, field) in [
        (json!({"signer_name": "Trần\u{0}Bình"}), "signer_name"),
        (json!({"place": "x".repeat(101)}), "place"),
        (json!({"issuing_body": "y".repeat(201)}), "issuing_body"),
        (json!({"signer_title": "  "}), "signer_title"),
        (json!({"signer_name": "Trần\nBình"}), "signer_name"),
    ] {
        let p = assert_problem(
            app.put(&signer(&communes[0])).token(&xa).json(&bad).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }
    // A learner's admin area (nothing) may not read it.
    let (_, nobody) = learner(&app, "nobody@example.vn").await;
    assert_problem(
        app.get(&signer(&communes[0])).token(&nobody).await,
        403,
        "forbidden",
    )
    .await;

    // Certificates print it: the village of commune XA its commune's signer, the other the settings.
    simple_course(&app, "cc").await;
    let in_xa = complete_in(&app, &villages[0], "cc", "hocvien.xa").await;
    let in_xb = complete_in(&app, &villages[1], "cc", "hocvien.xb").await;
    let Some(text_xa) = pdf_text(&app, &in_xa).await else {
        eprintln!("poppler-utils is not installed: the PDF text checks are skipped");
        return;
    };
    let text_xb = pdf_text(&app, &in_xb).await.unwrap();
    assert!(text_xa.contains("Trần Văn Bình"), "{text_xa}");
    assert!(text_xa.contains("Thôn XA, ngày"), "{text_xa}");
    assert!(text_xa.contains("ỦY BAN NHÂN DÂN XÃ TÂN PHÚ"), "{text_xa}");
    assert!(!text_xa.contains("Phạm Mặc Định"), "{text_xa}");
    assert!(text_xb.contains("Phạm Mặc Định"), "{text_xb}");
    assert!(text_xb.contains("Nơi Mặc Định, ngày"), "{text_xb}");
    assert!(!text_xb.contains("Trần Văn Bình"), "{text_xb}");
}
