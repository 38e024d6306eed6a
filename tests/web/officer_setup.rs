//! The officers' setup pages (issue 20), in Chromium: an admin of commune A adds a village,
//! renames it and changes its code (`/officer/localities/{id}`), enters the commune's census
//! figures and two targets for a year (`…/census`, `…/targets`), creates a digital team for a
//! village, adds a member and removes them (`…/teams`); each change is read back through the
//! JSON API (the locality, the census, the indicator report, the facilitator's access). Bad input
//! comes back with the error beside its field and nothing stored; a form posted without this
//! browser's CSRF token changes nothing; commune B's pages are the 404 page for the admin of A,
//! and every page is for a learner. Each page type is checked with axe-core and photographed at
//! 360×800 and 1366×768 (`target/web-screenshots/officer-setup-*.png`).

use serde_json::{json, Value};

use crate::accessibility::Audit;
use crate::browser::Browser;
use crate::helpers::{admin, create_locality, learner, login, Backend, TestApp};
use crate::staff::{check, log_in};
use crate::T;

crate::both_backends!(officer_sets_up_the_area);

const YEAR: i32 = 2026;

struct Area {
    commune_a: String,
    commune_b: String,
    village_a: String,
    village_b: String,
    /// The platform admin's API token (to read back what the pages stored).
    api: String,
}

/// Province PT with communes AN (village AN-1) and BM (village BM-1); an admin of AN
/// (`can.bo@example.vn`), a learner, and someone to become a team member.
async fn area(app: &TestApp) -> Area {
    let (_, api) = admin(app).await;
    let loc = |body: Value| create_locality(app, &api, body);
    let province = loc(json!({"kind": "province", "name": "Phú Thọ", "code": "PT"})).await;
    let commune_a =
        loc(json!({"parent_id": province, "kind": "commune", "name": "An Nghĩa", "code": "AN"}))
            .await;
    let commune_b =
        loc(json!({"parent_id": province, "kind": "commune", "name": "Bình Minh", "code": "BM"}))
            .await;
    let village_a =
        loc(json!({"parent_id": commune_a, "kind": "village", "name": "Thôn Một", "code": "AN-1"}))
            .await;
    let village_b = loc(
        json!({"parent_id": commune_b, "kind": "village", "name": "Thôn Đông", "code": "BM-1"}),
    )
    .await;
    let (officer, _) = learner(app, "can.bo@example.vn").await;
    app.db(move |conn| {
        hocso::api::admin::grant(conn, &officer, hocso::auth::Role::Admin, Some("AN"), None)
            .unwrap()
    })
    .await;
    learner(app, "hoc.vien@example.vn").await;
    learner(app, "to.vien@example.vn").await;
    Area {
        commune_a,
        commune_b,
        village_a,
        village_b,
        api,
    }
}

/// A locality as the API shows it, with its children.
async fn locality(app: &TestApp, a: &Area, id: &str) -> Value {
    app.get(&format!("/api/v1/admin/localities/{id}"))
        .token(&a.api)
        .value()
        .await
}

async fn census(app: &TestApp, a: &Area) -> Value {
    app.get(&format!(
        "/api/v1/admin/localities/{}/census/{YEAR}",
        a.commune_a
    ))
    .token(&a.api)
    .value()
    .await
}

/// The indicator of the API report of commune A for `YEAR`.
async fn indicator(app: &TestApp, a: &Area, key: &str) -> Value {
    let report: Value = app
        .get(&format!(
            "/api/v1/reports/localities/{}/indicators?year={YEAR}",
            a.commune_a
        ))
        .token(&a.api)
        .value()
        .await;
    report["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap()
        .clone()
}

/// Posts a form with `fetch` (urlencoded `body`, the CSRF token added when `token`); the status.
async fn post(b: &Browser, path: &str, body: &str, token: bool) -> u64 {
    b.js(
        "const [path, body, token] = arguments;
         const csrf = document.querySelector('meta[name=csrf-token]').content;
         return fetch(path, {method: 'POST', redirect: 'manual',
             headers: {'Content-Type': 'application/x-www-form-urlencoded'},
             body: token ? body + '&csrf=' + encodeURIComponent(csrf) : body})
           .then(r => r.status);",
        vec![json!(path), json!(body), json!(token)],
    )
    .await
    .as_u64()
    .unwrap()
}

/// The error shown beside the field `id`.
async fn error_of(b: &Browser, id: &str) -> String {
    assert_eq!(
        b.find(&format!("#{id}"))
            .await
            .attr("aria-invalid")
            .await
            .unwrap(),
        Some("true".into()),
        "{id}"
    );
    b.text(&format!("#{id}-error")).await
}

async fn flash(b: &Browser) -> String {
    b.text(".flash").await
}

async fn officer_sets_up_the_area(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let a = area(&app).await;
    let mut audit = Audit::on();
    let b = Browser::start(&app.address).await;
    log_in(&b, "can.bo@example.vn", "mat-khau-rat-dai-1").await;

    // One commune administered: straight to it; its villages nested.
    b.open("/officer/localities").await;
    assert_eq!(
        b.path().await,
        format!("/officer/localities/{}", a.commune_a)
    );
    assert_eq!(b.text("h1").await, "An Nghĩa");
    assert!(b.text("#tree").await.contains("Thôn Một"));
    assert!(!b.main_text().await.contains("Bình Minh"));

    // A new village: its kind follows from the commune.
    b.type_into("#new_name", "Thôn Hai").await;
    b.type_into("#new_code", "AN-2").await;
    b.press(T.setup_add_button).await;
    assert_eq!(flash(&b).await, T.setup_created);
    assert!(b.text("#tree").await.contains("Thôn Hai"));
    let children = locality(&app, &a, &a.commune_a).await["children"].clone();
    let hai = children
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Thôn Hai")
        .unwrap_or_else(|| panic!("{children}"))
        .clone();
    assert_eq!(
        (hai["kind"].as_str(), hai["code"].as_str()),
        (Some("village"), Some("AN-2"))
    );
    let hai = hai["id"].as_str().unwrap().to_string();
    check(&b, &mut audit, "officer-setup-locality").await;

    // Bad input: beside the field, nothing added.
    b.type_into("#new_name", "Thôn Ba").await;
    b.type_into("#new_code", "AN-1").await;
    b.press(T.setup_add_button).await;
    assert_eq!(error_of(&b, "new_code").await, T.setup_err_code_taken);
    assert_eq!(
        b.find("#new_name").await.prop("value").await.unwrap(),
        Some("Thôn Ba".into())
    );
    b.type_into("#new_name", " ").await;
    b.type_into("#new_code", "AN-3").await;
    b.press(T.setup_add_button).await;
    assert_eq!(error_of(&b, "new_name").await, T.err_required);
    b.type_into("#new_name", "Thôn Ba").await;
    b.type_into("#new_code", &"X".repeat(41)).await;
    b.press(T.setup_add_button).await;
    assert_eq!(error_of(&b, "new_code").await, T.err_too_long);
    check(&b, &mut audit, "officer-setup-locality-errors").await;
    assert_eq!(
        locality(&app, &a, &a.commune_a).await["children"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "a refused form added a locality"
    );

    // Rename and recode the new village.
    b.open(&format!("/officer/localities/{}", a.commune_a))
        .await;
    b.press("Thôn Hai").await;
    assert_eq!(b.path().await, format!("/officer/localities/{hai}"));
    assert!(
        b.has(&format!("a[href='/officer/localities/{}']", a.commune_a))
            .await
    );
    b.type_into("#name", "Thôn Hai Mới").await;
    b.press(T.setup_rename_button).await;
    assert_eq!(flash(&b).await, T.setup_renamed);
    b.type_into("#code", "AN-02").await;
    b.press(T.setup_recode_button).await;
    assert_eq!(flash(&b).await, T.setup_recoded);
    let v = locality(&app, &a, &hai).await;
    assert_eq!(
        (v["name"].as_str(), v["code"].as_str()),
        (Some("Thôn Hai Mới"), Some("AN-02"))
    );
    b.type_into("#code", "AN-1").await;
    b.press(T.setup_recode_button).await;
    assert_eq!(error_of(&b, "code").await, T.setup_err_code_taken);
    b.type_into("#name", "").await;
    b.press(T.setup_rename_button).await;
    assert_eq!(error_of(&b, "name").await, T.err_required);
    let v = locality(&app, &a, &hai).await;
    assert_eq!(
        (v["name"].as_str(), v["code"].as_str()),
        (Some("Thôn Hai Mới"), Some("AN-02"))
    );
    // Without the token: refused, nothing changed.
    let status = post(
        &b,
        &format!("/officer/localities/{hai}/name"),
        "name=Sai",
        false,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(locality(&app, &a, &hai).await["name"], "Thôn Hai Mới");

    // The census figures of the commune.
    b.open(&format!("/officer/localities/{}", a.commune_a))
        .await;
    b.press(T.setup_census_title).await;
    b.type_into("#year", &YEAR.to_string()).await;
    b.press(T.setup_year_button).await;
    assert!(b.has("#census-none").await);
    check(&b, &mut audit, "officer-setup-census").await;
    for (field, value) in [
        ("population", "5000"),
        ("aged_14_plus", "4 000"),
        ("adults", "3500"),
        ("households", "1200"),
    ] {
        b.type_into(&format!("#{field}"), value).await;
    }
    b.press(T.setup_save_button).await;
    assert_eq!(flash(&b).await, T.setup_census_saved);
    assert_eq!(
        b.find("#aged_14_plus").await.prop("value").await.unwrap(),
        Some("4000".into())
    );
    let c = census(&app, &a).await;
    assert_eq!(
        (
            &c["population"],
            &c["aged_14_plus"],
            &c["adults"],
            &c["households"],
            &c["officials"]
        ),
        (
            &json!(5000),
            &json!(4000),
            &json!(3500),
            &json!(1200),
            &Value::Null
        )
    );
    // Bad numbers: beside their fields, nothing saved.
    b.type_into("#population", "-5").await;
    b.type_into("#adults", "nhiều").await;
    b.press(T.setup_save_button).await;
    assert_eq!(error_of(&b, "adults").await, T.setup_err_whole);
    // The long form says so at its top, linking to the first field to fix.
    assert_eq!(b.text("#form-errors").await, T.staff_form_errors);
    assert_eq!(
        b.find("#form-errors a").await.attr("href").await.unwrap(),
        Some("#adults".into())
    );
    assert_eq!(
        b.find("#population").await.prop("value").await.unwrap(),
        Some("-5".into())
    );
    b.type_into("#adults", "3500").await;
    b.press(T.setup_save_button).await;
    assert_eq!(error_of(&b, "population").await, T.setup_err_range);
    b.type_into("#population", "3000").await;
    b.press(T.setup_save_button).await;
    assert_eq!(error_of(&b, "adults").await, T.setup_err_adults);
    // People aged 14 and over are part of the population too.
    assert_eq!(error_of(&b, "aged_14_plus").await, T.setup_err_adults);
    check(&b, &mut audit, "officer-setup-census-errors").await;
    assert_eq!(
        census(&app, &a).await,
        c,
        "a refused form changed the census"
    );
    let status = post(
        &b,
        &format!("/officer/localities/{}/census/save", a.commune_a),
        &format!("year={YEAR}&population=1"),
        false,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(census(&app, &a).await, c);

    // Targets: a rate and a head-count; the API report shows them against the census.
    b.open(&format!(
        "/officer/localities/{}/targets?year={YEAR}",
        a.commune_a
    ))
    .await;
    check(&b, &mut audit, "officer-setup-targets").await;
    b.type_into("#value_adults_certified", "70,5").await;
    b.js(
        "document.querySelector('#kind_households_certified').value = 'count'; return true;",
        vec![],
    )
    .await;
    b.type_into("#value_households_certified", "800").await;
    b.press(T.setup_save_button).await;
    assert_eq!(flash(&b).await, T.setup_targets_saved);
    // Written as the dashboard writes it (decimal comma in Vietnamese), and so in its field.
    assert!(b
        .text("#target-adults_certified .current")
        .await
        .contains("70,5 %"));
    assert_eq!(
        b.find("#value_adults_certified")
            .await
            .prop("value")
            .await
            .unwrap(),
        Some("70,5".into())
    );
    let adults = indicator(&app, &a, "adults_certified").await;
    assert_eq!(adults["target"], json!({"kind": "rate", "value": 70.5}));
    assert_eq!(
        (
            adults["denominator"].as_i64(),
            adults["denominator_source"].as_str()
        ),
        (Some(3500), Some("census"))
    );
    let households = indicator(&app, &a, "households_certified").await;
    assert_eq!(
        households["target"],
        json!({"kind": "count", "value": 800.0})
    );
    assert_eq!(households["denominator"], 1200);
    // Bad values: beside their fields, nothing saved (not even the good one beside them).
    b.type_into("#value_adults_certified", "150").await;
    b.type_into("#value_eid_level2_14plus", "abc").await;
    b.type_into("#value_households_certified", "12.5").await;
    b.type_into("#value_working_age_trained", "60").await;
    b.press(T.setup_save_button).await;
    assert_eq!(
        error_of(&b, "value_adults_certified").await,
        T.setup_err_rate
    );
    assert_eq!(
        error_of(&b, "value_eid_level2_14plus").await,
        T.setup_err_number
    );
    assert_eq!(
        error_of(&b, "value_households_certified").await,
        T.setup_err_count
    );
    check(&b, &mut audit, "officer-setup-targets-errors").await;
    assert_eq!(
        indicator(&app, &a, "adults_certified").await["target"]["value"],
        70.5
    );
    assert_eq!(
        indicator(&app, &a, "working_age_trained")
            .await
            .get("target"),
        None
    );

    // The village's digital team and its members.
    b.open(&format!("/officer/localities/{}", a.village_a))
        .await;
    b.press(T.setup_teams_title).await;
    assert!(b.has("#no-teams").await);
    b.type_into("#team_name", "").await;
    b.press(T.setup_new_team_button).await;
    assert_eq!(error_of(&b, "team_name").await, T.err_required);
    b.type_into("#team_name", "Tổ công nghệ số Thôn Một").await;
    b.press(T.setup_new_team_button).await;
    assert_eq!(flash(&b).await, T.setup_team_created);
    b.type_into("input[name=member]", "khong.co@example.vn")
        .await;
    b.press(T.setup_add_member_button).await;
    let field = b
        .js(
            "return document.querySelector('input[name=member]').id",
            vec![],
        )
        .await;
    let field = field.as_str().unwrap().to_string();
    assert_eq!(error_of(&b, &field).await, T.setup_err_no_user);
    b.type_into("input[name=member]", "to.vien@example.vn")
        .await;
    b.press(T.setup_add_member_button).await;
    assert_eq!(flash(&b).await, T.setup_member_added);
    assert!(b.text(".members").await.contains("to.vien@example.vn"));
    check(&b, &mut audit, "officer-setup-teams").await;
    let member = login(&app, "to.vien@example.vn", "mat-khau-rat-dai-1").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .get("/api/v1/facilitator/residents")
        .token(&member)
        .await;
    assert_eq!(
        res.status(),
        200,
        "the member is no facilitator of the village"
    );
    b.press(T.setup_remove_button).await;
    assert_eq!(flash(&b).await, T.setup_member_removed);
    assert!(!b.has(".members").await);
    let res = app
        .get("/api/v1/facilitator/residents")
        .token(&member)
        .await;
    assert_eq!(
        res.status(),
        403,
        "the removed member still acts for the village"
    );

    // Commune B is not this officer's: the 404 page, and a post changes nothing.
    for path in [
        format!("/officer/localities/{}", a.commune_b),
        format!("/officer/localities/{}/census?year={YEAR}", a.commune_b),
        format!("/officer/localities/{}/targets", a.commune_b),
        format!("/officer/localities/{}/teams", a.village_b),
    ] {
        b.open(&path).await;
        assert_eq!(b.text("h1").await, T.not_found_title, "{path}");
    }
    b.open("/officer/localities").await;
    let status = post(
        &b,
        &format!("/officer/localities/{}/name", a.commune_b),
        "name=Sai",
        true,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(locality(&app, &a, &a.commune_b).await["name"], "Bình Minh");
    b.close().await;

    // A learner: the 404 page everywhere.
    let b = Browser::start(&app.address).await;
    log_in(&b, "hoc.vien@example.vn", "mat-khau-rat-dai-1").await;
    for path in [
        "/officer/localities".to_string(),
        format!("/officer/localities/{}", a.commune_a),
        format!("/officer/localities/{}/census", a.commune_a),
        format!("/officer/localities/{}/targets", a.commune_a),
        format!("/officer/localities/{}/teams", a.village_a),
    ] {
        b.open(&path).await;
        assert_eq!(b.text("h1").await, T.not_found_title, "{path}");
    }
    b.close().await;
    audit.assert_clean();
}
