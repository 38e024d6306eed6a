//! Erasure of a person's data (docs/PRIVACY.md): asked and cancelled by the person or by staff
//! of their village, carried out after the grace period; the village's indicator figures do not
//! change, nothing that names the person stays in any table, their certificates verify as
//! revoked at their request without the name, and their phone and e-mail can register again.

use chrono::TimeDelta;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use hocso::db::community as cq;
use hocso::db::learning as lq;
use hocso::db::DbConn;
use serde_json::{json, Value};

use crate::both_backends;
use crate::community::world;
use crate::helpers::*;

both_backends!(
    erasure_keeps_the_figures_and_leaves_no_trace,
    who_may_ask_and_cancel
);

const PASSWORD: &str = "mat-khau-rat-dai-1";

/// People of village V1 with households, courses done and certificates issued on 2026-06-01.
/// Returns their ids by username.
async fn village_people(
    app: &TestApp,
    village: &str,
) -> std::collections::HashMap<&'static str, String> {
    let (village, hasher) = (village.to_string(), app.state.hasher.clone());
    app.db(move |conn| {
        let mut courses = std::collections::HashMap::new();
        for slug in ["dien-thoai-thong-minh", "an-toan-tren-mang", "zalo"] {
            courses.insert(
                slug,
                hocso::db::courses::insert(conn, slug, None, "{}").unwrap(),
            );
        }
        lq::upsert_program(
            conn,
            "pho-cap-ky-nang-so-co-ban",
            "P",
            "P",
            "",
            "",
            "[]",
            "[]",
            hocso::db::now(),
        )
        .unwrap();
        let h1 = cq::insert_household(conn, &village, "H1", "Hộ bà Lan", Some("Xóm Đình")).unwrap();
        let h2 = cq::insert_household(conn, &village, "H2", "Hộ ông Tuấn", None).unwrap();
        let at = chrono::NaiveDate::from_ymd_opt(2026, 6, 1)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap();
        let mut ids = std::collections::HashMap::new();
        // (username, name, e-mail, phone, household, birth year, group, e-identity, certified)
        let people = [
            (
                "lan",
                "Trần Thị Lan",
                Some("lan.tran@example.vn"),
                Some("0912345678"),
                &h1,
                1980,
                "citizen",
                "level2",
                true,
            ),
            (
                "minh",
                "Trần Văn Minh",
                None,
                None,
                &h1,
                2010,
                "student",
                "none",
                false,
            ),
            (
                "hoa",
                "Lê Thị Hoa",
                None,
                Some("0987654321"),
                &h2,
                1970,
                "official",
                "level1",
                true,
            ),
            (
                "tuan",
                "Phạm Văn Tuấn",
                None,
                None,
                &h2,
                1985,
                "citizen",
                "level2",
                true,
            ),
        ];
        for (username, name, email, phone, household, born, group, eid, certified) in people {
            let id = hocso::accounts::create_account(
                conn,
                &hasher,
                hocso::accounts::NewAccount {
                    display_name: name,
                    email,
                    phone,
                    username: Some(username),
                    password: PASSWORD,
                    language: "vi",
                },
            )
            .unwrap();
            hocso::privacy::record(conn, &id, hocso::privacy::ConsentWay::Paper, None).unwrap();
            let mut p = cq::Profile::empty(&id);
            p.village_id = Some(village.clone());
            p.household_id = Some(household.clone());
            p.birth_year = Some(born);
            p.learner_group = group.into();
            p.eid_status = eid.into();
            hocso::community::save_profile(conn, &p).unwrap();
            if certified {
                for slug in ["dien-thoai-thong-minh", "an-toan-tren-mang", "zalo"] {
                    lq::ensure_enrollment(conn, &id, &courses[slug], hocso::db::now()).unwrap();
                    lq::mark_completed(conn, &id, &courses[slug], at).unwrap();
                }
                lq::insert_certificate(
                    conn,
                    &lq::CertificateRow {
                        id: hocso::db::new_id(),
                        serial: hocso::certs::new_serial(),
                        user_id: id.clone(),
                        kind: hocso::certs::CertificateKind::Program,
                        course_id: None,
                        program_slug: Some("pho-cap-ky-nang-so-co-ban".into()),
                        title: "Phổ cập kỹ năng số cơ bản".into(),
                        title_en: "Basic digital skills".into(),
                        recipient_name: name.into(),
                        issued_at: at,
                        credential: format!("header.{{\"name\":\"{name}\"}}.signature"),
                        revoked_at: None,
                        revoked_reason: None,
                        village_id: p.village_id.clone(),
                    },
                )
                .unwrap();
            }
            ids.insert(username, id);
        }
        // The rows above went in behind the application's back.
        hocso::reports::ensure_facts(conn, true).unwrap();
        ids
    })
    .await
}

/// Every figure the reports give of the commune and its village for 2026: the report with its
/// children, the village's, and the monthly series.
async fn figures(app: &TestApp, admin: &str, commune: &str, village: &str) -> Vec<Value> {
    let mut all = Vec::new();
    for path in [
        format!("/api/v1/reports/localities/{commune}/indicators?year=2026&breakdown=children"),
        format!("/api/v1/reports/localities/{village}/indicators?year=2026"),
        format!("/api/v1/reports/localities/{commune}/indicators/timeline?from=2026-01&to=2026-12"),
    ] {
        all.push(app.get(&path).token(admin).expect(200).await);
    }
    all
}

fn numerator(report: &Value, key: &str) -> i64 {
    report["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap()["numerator"]
        .as_i64()
        .unwrap()
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    t: String,
    #[diesel(sql_type = Text)]
    c: String,
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Where any of `needles` appears in a text column of any table: `table.column` for each.
fn scan(conn: &mut DbConn, needles: &[String]) -> Vec<String> {
    let columns: Vec<Column> = match conn {
        DbConn::Pg(c) => diesel::sql_query(
            "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
             WHERE table_schema = current_schema() \
             AND data_type IN ('text', 'character varying', 'json', 'jsonb')",
        )
        .load(c)
        .unwrap(),
        DbConn::Sqlite(c) => diesel::sql_query(
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND (p.type = '' OR upper(p.type) LIKE '%TEXT%' \
             OR upper(p.type) LIKE '%CHAR%')",
        )
        .load(c)
        .unwrap(),
    };
    assert!(columns.len() > 50, "{} text columns", columns.len());
    let mut found = Vec::new();
    for col in &columns {
        for needle in needles {
            let n: Vec<Found> = match conn {
                DbConn::Pg(c) => diesel::sql_query(format!(
                    "SELECT COUNT(*) AS n FROM \"{}\" WHERE strpos(\"{}\"::text, $1) > 0",
                    col.t, col.c
                ))
                .bind::<Text, _>(needle)
                .load(c)
                .unwrap(),
                DbConn::Sqlite(c) => diesel::sql_query(format!(
                    "SELECT COUNT(*) AS n FROM \"{}\" WHERE instr(CAST(\"{}\" AS TEXT), ?1) > 0",
                    col.t, col.c
                ))
                .bind::<Text, _>(needle)
                .load(c)
                .unwrap(),
            };
            if n[0].n > 0 {
                found.push(format!("{}.{} has {needle}", col.t, col.c));
            }
        }
    }
    found
}

/// The name, e-mail, phone and username of an account as stored.
async fn identifiers(app: &TestApp, id: &str) -> Vec<String> {
    let id = id.to_string();
    app.db(move |c| {
        use hocso::db::schema::users;
        let (name, email, phone, username): (
            String,
            Option<String>,
            Option<String>,
            Option<String>,
        ) = users::table
            .find(&id)
            .select((
                users::display_name,
                users::email,
                users::phone,
                users::username,
            ))
            .first(c)
            .unwrap();
        let mut all = vec![name];
        all.extend(email);
        all.extend(phone);
        // A username as short as `lan` is part of other words; the test scans for the long ones.
        all.extend(username.filter(|u| u.len() > 4));
        all
    })
    .await
}

async fn erasure_keeps_the_figures_and_leaves_no_trace(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let ids = village_people(&app, &w.v1).await;
    let (lan, hoa) = (ids["lan"].clone(), ids["hoa"].clone());
    // Lan learns through the API (progress, a session) and asks for a new password (a mail to
    // her address).
    simple_course(&app, "mot").await;
    let lan_token = login(&app, "lan.tran@example.vn", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let res = progress(&app, &lan_token, "mot", "a", &event("completed", 30)).await;
    assert_eq!(res.status(), 200);
    // An export of her data, which holds everything about her.
    let res = app.post("/api/v1/me/exports").token(&lan_token).await;
    assert!(res.status().is_success(), "{}", res.status());
    let res = app
        .post("/api/v1/auth/password/forgot")
        .json(&json!({"login": "lan.tran@example.vn"}))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let serial = app
        .db({
            let lan = lan.clone();
            move |c| {
                use hocso::db::schema::certificates;
                certificates::table
                    .filter(certificates::user_id.eq(&lan))
                    .select(certificates::serial)
                    .first::<String>(c)
                    .unwrap()
            }
        })
        .await;
    let mut needles = identifiers(&app, &lan).await;
    needles.extend(identifiers(&app, &hoa).await);
    assert_eq!(needles.len(), 5, "{needles:?}");
    assert!(!app
        .db({
            let n = needles.clone();
            move |c| scan(c, &n)
        })
        .await
        .is_empty());

    let before = figures(&app, &w.admin, &w.commune, &w.v1).await;
    // The figures count them: Lan's and Hoa's households through them, Lan certified.
    assert_eq!(numerator(&before[1], "households_certified"), 2);
    assert_eq!(numerator(&before[1], "adults_certified"), 3);
    assert_eq!(before[1]["counts"]["learners_registered"], 4);

    // Lan asks (her password again), Hoa's facilitator on her written request.
    let res = app
        .post("/api/v1/me/erasure")
        .token(&lan_token)
        .json(&json!({"password": "not-her-password"}))
        .await;
    assert_problem(res, 403, "wrong_password").await;
    let asked = app
        .post("/api/v1/me/erasure")
        .token(&lan_token)
        .json(&json!({"password": PASSWORD}))
        .expect(201)
        .await;
    assert_eq!(asked["requested_by"], "person");
    let res = app
        .post(&format!("/api/v1/facilitator/residents/{hoa}/erasure"))
        .token(&w.facilitator)
        .json(&json!({"reason": "Đơn xin xóa dữ liệu", "document_ref": "Đơn số 12/2026"}))
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());

    // Nothing happens before the day.
    let run = app
        .post("/api/v1/admin/erasures/run")
        .token(&w.admin)
        .expect(200)
        .await;
    assert_eq!(run["erased"], 0);
    app.get("/api/v1/me").token(&lan_token).expect(200).await;

    app.state.clock.advance(TimeDelta::days(8));
    let res = app
        .post("/api/v1/admin/erasures/run")
        .token(&w.facilitator)
        .await;
    assert_problem(res, 403, "forbidden").await;
    let run = app
        .post("/api/v1/admin/erasures/run")
        .token(&w.admin)
        .expect(200)
        .await;
    assert_eq!(run["erased"], 2);

    // The figures are the same to the last digit, also after the facts are rebuilt whole (as a
    // change of the indicators' configuration does).
    assert_eq!(figures(&app, &w.admin, &w.commune, &w.v1).await, before);
    app.db(|c| hocso::reports::ensure_facts(c, true).unwrap())
        .await;
    assert_eq!(figures(&app, &w.admin, &w.commune, &w.v1).await, before);

    // Nothing names them any more, in any text column of any table.
    let found = app.db(move |c| scan(c, &needles)).await;
    assert!(found.is_empty(), "{found:?}");

    // Lan can no longer use her session or log in.
    let res = app.get("/api/v1/me").token(&lan_token).await;
    assert_eq!(res.status(), 401);
    let res = app
        .post("/api/v1/auth/login")
        .json(&json!({"login": "lan.tran@example.vn", "password": PASSWORD}))
        .await;
    assert_problem(res, 401, "invalid_credentials").await;

    // Her certificate verifies as revoked at her request, without her name.
    let cert = app
        .get(&format!("/api/v1/certificates/{serial}"))
        .expect(200)
        .await;
    assert_eq!(cert["status"], "revoked");
    assert_eq!(cert["revoked_reason"], hocso::db::erasure::HOLDER_REQUEST);
    assert_eq!(cert["recipient_name"], "");
    assert_eq!(cert["credential"], "");
    let page = app.get(&format!("/verify/{serial}")).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Thu hồi theo yêu cầu của người được cấp"),
        "{page}"
    );
    assert!(
        !page.contains("Trần Thị Lan") && !page.contains("Người học"),
        "{page}"
    );

    // What stays: the requests done (the staff one's reason gone, its document's reference
    // kept), the audit entries of each step, the anonymous facts; the household of a last
    // member without their label.
    let (lan2, hoa2) = (lan.clone(), hoa.clone());
    let (requests, actions, facts, household) = app
        .db(move |c| {
            use hocso::db::schema::{audit_log, erasure_requests as er, households};
            let requests: Vec<(Option<String>, Option<String>, bool)> = er::table
                .filter(er::user_id.eq_any([&lan2, &hoa2]))
                .order(er::requested_at)
                .select((er::reason, er::document_ref, er::done_at.is_not_null()))
                .load(c)
                .unwrap();
            let actions: Vec<String> = audit_log::table
                .filter(audit_log::subject_user_id.eq(&lan2))
                .filter(audit_log::action.like("erasure%"))
                .order(audit_log::at)
                .select(audit_log::action)
                .load(c)
                .unwrap();
            let facts: Vec<Found> = diesel::sql_query("SELECT COUNT(*) AS n FROM erased_facts")
                .load(c)
                .unwrap();
            let household: String = households::table
                .filter(households::code.eq("H1"))
                .select(households::label)
                .first(c)
                .unwrap();
            (requests, actions, facts[0].n, household)
        })
        .await;
    assert_eq!(
        requests,
        [
            (None, None, true),
            (None, Some("Đơn số 12/2026".to_string()), true)
        ]
    );
    assert_eq!(actions, ["erasure_requested", "erasure_done"]);
    assert_eq!(facts, 2);
    // Minh still lives in H1: its label stays.
    assert_eq!(household, "Hộ bà Lan");

    // Her phone and e-mail can register again, as a new person.
    let res = register(
        &app,
        json!({"display_name": "Trần Thị Lan", "email": "lan.tran@example.vn", "phone": "0912345678", "password": PASSWORD}),
    )
    .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let new: Value = res.json().await.unwrap();
    assert_ne!(new["id"], lan.as_str());
    let t = login(&app, "0912345678", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let certs = app
        .get("/api/v1/me/certificates")
        .token(&t)
        .expect(200)
        .await;
    assert_eq!(certs, json!([]));
    crate::reports::counts_in_step(&app).await;
}

async fn who_may_ask_and_cancel(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let ids = village_people(&app, &w.v1).await;
    let tuan = ids["tuan"].clone();
    let token = login(&app, "tuan", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();

    // Nothing waits; cancelling nothing is a 404.
    let s = app
        .get("/api/v1/me/erasure")
        .token(&token)
        .expect(200)
        .await;
    assert_eq!(s, json!({"pending": null, "grace_days": 7}));
    let res = app.delete("/api/v1/me/erasure").token(&token).await;
    assert_problem(res, 404, "not_found").await;
    let res = app
        .post("/api/v1/me/erasure")
        .token(&token)
        .json(&json!({"password": ""}))
        .await;
    let p = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "password");

    // Asked once; a second time is a conflict; the person cancels it.
    let asked = app
        .post("/api/v1/me/erasure")
        .token(&token)
        .json(&json!({"password": PASSWORD}))
        .expect(201)
        .await;
    let s = app
        .get("/api/v1/me/erasure")
        .token(&token)
        .expect(200)
        .await;
    assert_eq!(s["pending"]["id"], asked["id"]);
    assert_eq!(s["pending"]["requested_by"], "person");
    let res = app
        .post("/api/v1/me/erasure")
        .token(&token)
        .json(&json!({"password": PASSWORD}))
        .await;
    assert_problem(res, 409, "erasure_requested").await;
    let s = app
        .delete("/api/v1/me/erasure")
        .token(&token)
        .expect(200)
        .await;
    assert_eq!(s["pending"], Value::Null);

    // Staff: a facilitator of another village and a plain learner get a 404 / 403, bad input a
    // 422 beside each field; the facilitator of the village asks, sees it, the commune admin
    // cancels it.
    let path = format!("/api/v1/facilitator/residents/{tuan}/erasure");
    let body = json!({"reason": "Theo đơn", "document_ref": "Số 3"});
    let res = app
        .post(&path)
        .token(&w.other_facilitator)
        .json(&body)
        .await;
    assert_problem(res, 404, "not_found").await;
    let res = app.get(&path).token(&w.other_facilitator).await;
    assert_problem(res, 404, "not_found").await;
    let res = app
        .post(&path)
        .token(&w.facilitator)
        .json(&json!({"reason": " ", "document_ref": ""}))
        .await;
    let p = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"].as_array().unwrap().len(), 2, "{p}");
    let asked = app
        .post(&path)
        .token(&w.facilitator)
        .json(&body)
        .expect(201)
        .await;
    assert_eq!(asked["requested_by"], "staff");
    assert_eq!(asked["document_ref"], "Số 3");
    let s = app
        .get("/api/v1/me/erasure")
        .token(&token)
        .expect(200)
        .await;
    assert_eq!(s["pending"]["id"], asked["id"]);
    let s = app.get(&path).token(&w.facilitator).expect(200).await;
    assert_eq!(s["pending"]["id"], asked["id"]);
    let res = app.delete(&path).token(&w.other_facilitator).await;
    assert_problem(res, 404, "not_found").await;
    let s = app.delete(&path).token(&w.commune_admin).expect(200).await;
    assert_eq!(s["pending"], Value::Null);
    app.state.clock.advance(TimeDelta::days(30));
    let run = app
        .post("/api/v1/admin/erasures/run")
        .token(&w.admin)
        .expect(200)
        .await;
    assert_eq!(run["erased"], 0);
    login(&app, "tuan", PASSWORD).await;

    // Someone holding a staff role cannot erase themselves: an admin takes the role back first.
    let res = app
        .post("/api/v1/me/erasure")
        .token(&w.commune_admin)
        .json(&json!({"password": PASSWORD}))
        .await;
    assert_problem(res, 409, "erasure_holds_role").await;

    // The audit trail of each step names no one.
    let details: Vec<(String, String)> = app
        .db(move |c| {
            use hocso::db::schema::audit_log;
            audit_log::table
                .filter(audit_log::subject_user_id.eq(&tuan))
                .filter(audit_log::action.like("erasure%"))
                .order(audit_log::at)
                .select((audit_log::action, audit_log::details))
                .load(c)
                .unwrap()
        })
        .await;
    let actions: Vec<&str> = details.iter().map(|d| d.0.as_str()).collect();
    assert_eq!(
        actions,
        [
            "erasure_requested",
            "erasure_cancelled",
            "erasure_requested",
            "erasure_cancelled"
        ]
    );
    for (_, d) in &details {
        assert!(!d.contains("Tuấn") && !d.contains("Số 3"), "{d}");
    }
}
