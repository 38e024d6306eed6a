//! The officer's indicator dashboard (issue 20), in Chromium: an admin of a commune (granted
//! through the API) opens `/officer`, lands on the commune's dashboard for this year, and every
//! figure on the page (each indicator's numerator, denominator, rate, target and gap, the
//! counts, the villages' figures) equals `/api/v1/reports/localities/{id}/indicators` for the
//! same locality and year with the officer's token; the villages' table sorts by the column
//! chosen (links, no script); a village's name opens its own dashboard; the CSV sheet downloads
//! with the browser session, byte for byte the API's. Another commune, the province above and a
//! learner get the 404 page. Checked with axe-core, photographed at 360×800 and 1366×768
//! (`target/web-screenshots/officer-dash*.png`).

use chrono::Datelike;
use hocso::db::learning as lq;
use serde_json::{json, Value};

use crate::accessibility::Audit;
use crate::browser::Browser;
use crate::helpers::{admin, create_locality, learner, login, Backend, TestApp};
use crate::staff::{check, log_in};
use crate::T;

crate::both_backends!(officer_dashboard_equals_the_api);

struct Area {
    province: String,
    commune: String,
    one: String,
    two: String,
    other: String,
}

/// A province, commune AN with villages "Thôn Một" (AN-1) and "Thôn Hai" (AN-2), another
/// commune BX; residents with e-identities, two certificates, a team; census and targets for
/// `year` on the commune. Returns the area and the officer's token (admin of AN).
async fn commune_with_figures(app: &TestApp, year: i32) -> (Area, String) {
    let (_, root) = admin(app).await;
    let province = create_locality(
        app,
        &root,
        json!({"kind": "province", "name": "Phú Thọ", "code": "PT"}),
    )
    .await;
    let commune = create_locality(
        app,
        &root,
        json!({"parent_id": province, "kind": "commune", "name": "An Nghĩa", "code": "AN"}),
    )
    .await;
    let one = create_locality(
        app,
        &root,
        json!({"parent_id": commune, "kind": "village", "name": "Thôn Một", "code": "AN-1"}),
    )
    .await;
    let two = create_locality(
        app,
        &root,
        json!({"parent_id": commune, "kind": "village", "name": "Thôn Hai", "code": "AN-2"}),
    )
    .await;
    let other = create_locality(
        app,
        &root,
        json!({"parent_id": province, "kind": "commune", "name": "Bình Xuyên", "code": "BX"}),
    )
    .await;
    let (uid, _) = learner(app, "can.bo@example.vn").await;
    app.post(&format!("/api/v1/admin/users/{uid}/roles"))
        .token(&root)
        .json(&json!({"role": "admin", "locality_code": "AN"}))
        .expect(200)
        .await;
    let officer = login(app, "can.bo@example.vn", "mat-khau-rat-dai-1").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();

    // Thôn Một: 3 of 4 with a level-2 e-identity; Thôn Hai: 1 of 2.
    let people = [
        (&one, "level2"),
        (&one, "level2"),
        (&one, "level2"),
        (&one, "none"),
        (&two, "level2"),
        (&two, "level1"),
    ];
    let mut ids = Vec::new();
    for (i, (village, eid)) in people.iter().enumerate() {
        let r = app
            .post("/api/v1/facilitator/residents")
            .token(&officer)
            .json(
                &json!({"consent_way": "paper", "village_id": village, "display_name": format!("Người {i}"),
                "username": format!("nguoi.{i}"), "password": "593817", "birth_year": 1960,
                "eid_status": eid}),
            )
            .expect(201)
            .await;
        ids.push(r["user"]["id"].as_str().unwrap().to_string());
    }
    // A team of Thôn Một with one member.
    let (fid, _) = learner(app, "to.cns@example.vn").await;
    let team = app
        .post("/api/v1/admin/teams")
        .token(&officer)
        .json(&json!({"village_id": one, "name": "Tổ công nghệ số"}))
        .expect(201)
        .await;
    app.post(&format!(
        "/api/v1/admin/teams/{}/members",
        team["id"].as_str().unwrap()
    ))
    .token(&officer)
    .json(&json!({"user_id": fid}))
    .expect(200)
    .await;
    // Census and targets for the year, as an officer enters them.
    app.put(&format!("/api/v1/admin/localities/{commune}/census/{year}"))
        .token(&officer)
        .json(&json!({"aged_14_plus": 10, "adults": 9, "households": 5}))
        .expect(200)
        .await;
    for (key, kind, value) in [
        ("eid_level2_14plus", "rate", 80.0),
        ("adults_certified", "rate", 12.5),
        ("households_certified", "count", 3.0),
    ] {
        let res = app
            .put(&format!(
                "/api/v1/admin/localities/{commune}/targets/{year}/{key}"
            ))
            .token(&officer)
            .json(&json!({"kind": kind, "value": value}))
            .await;
        assert_eq!(res.status(), 204, "target {key}");
    }
    // Two residents of Thôn Một hold the basic program's certificate, issued this year.
    let village = one.clone();
    app.db(move |conn| {
        let now = hocso::db::now();
        lq::upsert_program(
            conn,
            hocso::reports::BASIC_PROGRAM,
            "Phổ cập kỹ năng số cơ bản",
            "P",
            "",
            "",
            "[]",
            "[]",
            now,
        )
        .unwrap();
        for user in &ids[..2] {
            lq::insert_certificate(
                conn,
                &lq::CertificateRow {
                    id: hocso::db::new_id(),
                    serial: hocso::certs::new_serial(),
                    user_id: user.clone(),
                    kind: hocso::certs::CertificateKind::Program,
                    course_id: None,
                    program_slug: Some(hocso::reports::BASIC_PROGRAM.into()),
                    title: "P".into(),
                    title_en: "P".into(),
                    recipient_name: "x".into(),
                    issued_at: now,
                    credential: "x".into(),
                    revoked_at: None,
                    revoked_reason: None,
                    village_id: Some(village.clone()),
                },
            )
            .unwrap();
        }
        // The rows above went in behind the application's back.
        hocso::reports::ensure_facts(conn, true).unwrap();
    })
    .await;
    (
        Area {
            province,
            commune,
            one,
            two,
            other,
        },
        officer,
    )
}

/// A number as the Vietnamese page writes it ("1.234", "62,5 %", "3 hộ", "chưa có").
fn number(s: &str) -> Option<f64> {
    let first = s.split_whitespace().next()?;
    first.replace('.', "").replace(',', ".").parse().ok()
}

/// The page's figures of indicator `key`: numerator, denominator, rate, target, gap.
async fn figures(b: &Browser, key: &str) -> Vec<Option<f64>> {
    let v = b
        .js(
            "const s = document.getElementById('ind-' + arguments[0]);
             return ['numerator', 'denominator', 'rate', 'target', 'gap']
               .map(k => s.querySelector('[data-k=' + k + ']').textContent.trim());",
            vec![json!(key)],
        )
        .await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| number(s.as_str().unwrap()))
        .collect()
}

fn api_figures(v: &Value) -> Vec<Option<f64>> {
    vec![
        v["numerator"].as_f64(),
        v["denominator"].as_f64(),
        v["rate"].as_f64(),
        v["target"]["value"].as_f64(),
        v["gap"].as_f64(),
    ]
}

/// The rows of the villages' table: name and the cells after it.
async fn child_rows(b: &Browser) -> Vec<Vec<String>> {
    let v = b
        .js(
            "return [...document.querySelectorAll('#children-table tbody tr')]
                 .map(r => [...r.children].map(c => c.textContent.trim()))",
            vec![],
        )
        .await;
    serde_json::from_value(v).unwrap()
}

fn names(rows: &[Vec<String>]) -> Vec<&str> {
    rows.iter().map(|r| r[0].as_str()).collect()
}

/// Follows the sort link of the villages' table's column `n` (1-based).
async fn sort_by(b: &Browser, n: usize) {
    let link = b
        .find(&format!("#children-table thead th:nth-child({n}) a"))
        .await;
    b.click_to_next_page(link).await;
}

/// The HTTP status of a GET from this browser (with its session).
async fn status(b: &Browser, path: &str) -> u64 {
    b.js(
        "return fetch(arguments[0]).then(r => r.status)",
        vec![json!(path)],
    )
    .await
    .as_u64()
    .unwrap()
}

async fn officer_dashboard_equals_the_api(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let year = app.state.clock.now().year();
    let (area, officer) = commune_with_figures(&app, year).await;
    let mut audit = Audit::on();
    let api: Value = app
        .get(&format!(
            "/api/v1/reports/localities/{}/indicators?year={year}&breakdown=children",
            area.commune
        ))
        .token(&officer)
        .value()
        .await;

    let b = Browser::start(&app.address).await;
    log_in(&b, "can.bo@example.vn", "mat-khau-rat-dai-1").await;
    b.open("/officer").await;
    assert_eq!(
        b.path().await,
        format!("/officer/dashboard/{}", area.commune)
    );
    assert!(b.text("h1").await.contains("An Nghĩa"));
    check(&b, &mut audit, "officer-dash").await;

    // Every indicator's figures are the API's.
    let indicators = api["indicators"].as_array().unwrap();
    assert_eq!(indicators.len(), 9);
    for v in indicators {
        let key = v["key"].as_str().unwrap();
        assert_eq!(
            figures(&b, key).await,
            api_figures(v),
            "indicator {key}: page against API {v}"
        );
    }
    // The figures are not all zero, and the words say the gap.
    let eid = indicators
        .iter()
        .find(|v| v["key"] == "eid_level2_14plus")
        .unwrap();
    assert_eq!(
        (eid["numerator"].as_i64(), eid["denominator"].as_i64()),
        (Some(4), Some(10))
    );
    assert_eq!(eid["denominator_source"], "census");
    let section = b
        .text("#ind-eid_level2_14plus")
        .await
        .replace('\u{a0}', " ");
    assert!(
        section.contains("Đạt 40 %, mục tiêu 80 %, còn thiếu 40 điểm."),
        "{section}"
    );
    assert!(section.contains(T.dash_source_census), "{section}");
    let certified = b.text("#ind-adults_certified .dash-sum").await;
    assert!(certified.contains("vượt"), "{certified}");
    let households = b.text("#ind-households_certified .dash-sum").await;
    assert!(households.contains("hộ"), "{households}");
    // The counts.
    for (key, field) in [
        ("registered", "learners_registered"),
        ("active", "active_last_30_days"),
        ("certificates", "certificates_issued_in_year"),
        ("teams", "teams"),
        ("facilitators", "facilitators"),
    ] {
        let text = b.text(&format!("[data-count={key}]")).await;
        assert_eq!(number(&text), api["counts"][field].as_f64(), "count {key}");
    }
    assert_eq!(api["counts"]["certificates_issued_in_year"], 2);
    assert_eq!(api["counts"]["teams"], 1);

    // The villages, for the focused indicator (the first one): the API's figures, sorted.
    let focus = indicators[0]["key"].as_str().unwrap();
    assert_eq!(focus, "eid_level2_14plus");
    let rows = child_rows(&b).await;
    assert_eq!(names(&rows), ["Thôn Hai", "Thôn Một"]);
    for row in &rows {
        let child = api["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["locality_name"] == row[0].as_str())
            .unwrap();
        let v = child["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["key"] == focus)
            .unwrap();
        assert_eq!(
            number(&row[1]),
            child["counts"]["learners_registered"].as_f64()
        );
        assert_eq!(number(&row[2]), v["numerator"].as_f64(), "{row:?}");
        assert_eq!(number(&row[3]), v["denominator"].as_f64(), "{row:?}");
        assert_eq!(number(&row[4]), v["rate"].as_f64(), "{row:?}");
    }
    // Rate (column 5): ascending, then descending on a second click.
    sort_by(&b, 5).await;
    assert!(b.path().await.contains("sort=rate"));
    assert_eq!(names(&child_rows(&b).await), ["Thôn Hai", "Thôn Một"]);
    sort_by(&b, 5).await;
    assert!(b.path().await.contains("sort=-rate"));
    assert_eq!(names(&child_rows(&b).await), ["Thôn Một", "Thôn Hai"]);
    let sorted = b
        .js(
            "return document.querySelector('#children-table thead th:nth-child(5)').getAttribute('aria-sort')",
            vec![],
        )
        .await;
    assert_eq!(sorted, json!("descending"));
    // Registered people (column 2), ascending: Thôn Hai has 2, Thôn Một 4.
    sort_by(&b, 2).await;
    assert_eq!(names(&child_rows(&b).await), ["Thôn Hai", "Thôn Một"]);
    sort_by(&b, 2).await;
    assert_eq!(names(&child_rows(&b).await), ["Thôn Một", "Thôn Hai"]);

    // The timeline: one row a month of the year so far, ending with the indicator's numerator.
    let months = b
        .js(
            "return [...document.querySelectorAll('#timeline-table tbody tr')]
                 .map(r => [...r.children].map(c => c.textContent.trim()))",
            vec![],
        )
        .await;
    let months: Vec<Vec<String>> = serde_json::from_value(months).unwrap();
    let this_month = app.state.clock.now().month() as usize;
    assert_eq!(months.len(), this_month, "{months:?}");
    assert_eq!(months[0][0], format!("{year}-01"));
    assert_eq!(number(&months[this_month - 1][1]), Some(4.0));
    assert!(b.has("svg.dash-line polyline").await || this_month == 1);

    // The CSV sheet with the browser session: the API's, byte for byte, as an attachment.
    let csv = b
        .js(
            "return fetch(document.querySelector('a[download]').href).then(async r =>
                 [r.status, r.headers.get('content-disposition'), r.headers.get('content-type'),
                  Array.from(new Uint8Array(await r.arrayBuffer()))])",
            vec![],
        )
        .await;
    assert_eq!(csv[0], 200);
    assert_eq!(
        csv[1],
        json!(format!("attachment; filename=\"chi-tieu-{year}.csv\""))
    );
    assert!(csv[2].as_str().unwrap().starts_with("text/csv"));
    let from_api = app
        .get(&format!(
            "/api/v1/reports/localities/{}/indicators.csv?year={year}",
            area.commune
        ))
        .token(&officer)
        .await
        .bytes()
        .await
        .unwrap();
    let bytes: Vec<u8> = serde_json::from_value(csv[3].clone()).unwrap();
    assert_eq!(bytes, from_api.to_vec());

    // A village's name opens its own dashboard, with its own figures.
    let link = b.find("#children-table tbody tr:first-child th a").await;
    b.click_to_next_page(link).await;
    assert!(b
        .path()
        .await
        .starts_with(&format!("/officer/dashboard/{}", area.one)));
    assert!(b.text("h1").await.contains("Thôn Một"));
    let village: Value = app
        .get(&format!(
            "/api/v1/reports/localities/{}/indicators?year={year}",
            area.one
        ))
        .token(&officer)
        .value()
        .await;
    for v in village["indicators"].as_array().unwrap() {
        let key = v["key"].as_str().unwrap();
        assert_eq!(figures(&b, key).await, api_figures(v), "village, {key}");
    }
    assert!(b.has_text("p", T.dash_children_none).await);
    check(&b, &mut audit, "officer-dash-village").await;
    // A year in the address: last year's dashboard (no census, no target then).
    b.open(&format!(
        "/officer/dashboard/{}?year={}",
        area.two,
        year - 1
    ))
    .await;
    assert!(b.text("h1").await.contains(&(year - 1).to_string()));

    // Outside the officer's commune: the 404 page, for the page and the sheet.
    for path in [
        format!("/officer/dashboard/{}", area.other),
        format!("/officer/dashboard/{}", area.province),
        format!("/officer/dashboard/{}/indicators.csv", area.other),
        "/officer/dashboard/no-such-place".to_string(),
    ] {
        assert_eq!(status(&b, &path).await, 404, "{path}");
    }
    b.open(&format!("/officer/dashboard/{}", area.other)).await;
    assert_eq!(b.text("h1").await, T.not_found_title);
    assert!(!b.main_text().await.contains("Bình Xuyên"));
    b.close().await;

    // A learner: the 404 page.
    learner(&app, "hoc.vien@example.vn").await;
    let b = Browser::start(&app.address).await;
    log_in(&b, "hoc.vien@example.vn", "mat-khau-rat-dai-1").await;
    b.open("/officer").await;
    assert_eq!(b.text("h1").await, T.not_found_title);
    assert_eq!(status(&b, "/officer").await, 404);
    assert_eq!(
        status(&b, &format!("/officer/dashboard/{}", area.commune)).await,
        404
    );
    b.close().await;

    // The platform admin chooses among the provinces.
    let root = login(&app, "admin@hocso.test", "quan-tri-mat-khau-1").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    create_locality(
        &app,
        &root,
        json!({"kind": "province", "name": "Hà Giang", "code": "HG"}),
    )
    .await;
    let b = Browser::start(&app.address).await;
    log_in(&b, "admin@hocso.test", "quan-tri-mat-khau-1").await;
    b.open("/officer").await;
    assert_eq!(b.text("h1").await, T.dash_pick_title);
    check(&b, &mut audit, "officer-dash-pick").await;
    let pick = b.by_text("a", "Tỉnh Phú Thọ").await;
    b.click_to_next_page(pick).await;
    assert_eq!(
        b.path().await,
        format!("/officer/dashboard/{}", area.province)
    );
    let rows = child_rows(&b).await;
    assert_eq!(names(&rows), ["An Nghĩa", "Bình Xuyên"]);
    check(&b, &mut audit, "officer-dash-province").await;
    b.close().await;
    audit.assert_clean();
}
