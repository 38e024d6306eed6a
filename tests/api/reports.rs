use hocso::db::community as cq;
use hocso::db::learning as lq;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::*;

both_backends!(
    indicator_arithmetic_rollup_breakdown_and_sheet,
    report_scope,
    indicators_follow_learning_revocation_and_configuration,
    proxies_required_courses_and_the_students_indicator,
    grouped_scans_equal_each_locality_and_month,
    counts_are_checked_and_rebuilt_by_the_cli
);

/// The indicator counts that reports read equal what the profiles and erased facts give now
/// (`hocso reports check`): every change on the way kept them in step.
pub async fn counts_in_step(app: &TestApp) {
    let drift = app.db(|conn| hocso::reports::drift(conn).unwrap()).await;
    assert!(drift.is_empty(), "the counts drifted: {drift:#?}");
}

const OFFICIALS_PROGRAM_TITLE: &str =
    "Kỹ năng số cho cán bộ, công chức, viên chức và người lao động khu vực công";
const STUDENTS_PROGRAM_TITLE: &str = "Kỹ năng số và an toàn trên mạng cho học sinh";

/// A commune of two villages, 10 households and 30 residents with known completions: 2 officials,
/// 3 enterprise workers, 20 citizens, 5 pupils (born 2015).
async fn fixture_commune(app: &TestApp, admin: &str) -> (String, String, String) {
    let province = create_locality(
        app,
        admin,
        json!({"kind": "province", "name": "Tỉnh", "code": "P"}),
    )
    .await;
    let commune = create_locality(
        app,
        admin,
        json!({"parent_id": province, "kind": "commune", "name": "An Nghĩa", "code": "AN"}),
    )
    .await;
    let v1 = create_locality(
        app,
        admin,
        json!({"parent_id": commune, "kind": "village", "name": "Thôn 1", "code": "AN-1"}),
    )
    .await;
    let v2 = create_locality(
        app,
        admin,
        json!({"parent_id": commune, "kind": "village", "name": "Thôn 2", "code": "AN-2"}),
    )
    .await;
    let census = json!({"aged_14_plus": 100, "working_age": 80, "adults": 90, "households": 40, "officials": 5, "enterprise_workers": 10, "students": 8});
    let res = app
        .put(&format!("/api/v1/admin/localities/{commune}/census/2026"))
        .token(admin)
        .json(&census)
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .put(&format!("/api/v1/admin/localities/{v1}/census/2026"))
        .token(admin)
        .json(&json!({"households": 6}))
        .await;
    assert_eq!(res.status(), 200);
    let (c, a, b) = (commune.clone(), v1.clone(), v2.clone());
    let hasher = app.state.hasher.clone();
    app.db(move |conn| {
        let mut courses = std::collections::HashMap::new();
        for slug in [
            "dien-thoai-thong-minh",
            "an-toan-tren-mang",
            "chuyen-doi-so-cho-can-bo",
            "zalo",
        ] {
            courses.insert(
                slug,
                hocso::db::courses::insert(conn, slug, None, "{}").unwrap(),
            );
        }
        for (slug, title) in [
            ("pho-cap-ky-nang-so-co-ban", "P"),
            ("ky-nang-so-cho-nguoi-lao-dong", "P"),
            ("ky-nang-so-cho-can-bo", OFFICIALS_PROGRAM_TITLE),
            ("ky-nang-so-cho-hoc-sinh", STUDENTS_PROGRAM_TITLE),
        ] {
            lq::upsert_program(conn, slug, title, "P", "", "", "[]", "[]", hocso::db::now())
                .unwrap();
        }
        let households: Vec<String> = (0..10)
            .map(|h| {
                cq::insert_household(
                    conn,
                    if h < 6 { &a } else { &b },
                    &format!("H{h}"),
                    "Hộ",
                    None,
                )
                .unwrap()
            })
            .collect();
        let at = chrono::NaiveDate::from_ymd_opt(2026, 6, 1)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap();
        let recent = hocso::db::now();
        for i in 0..30usize {
            let id = hocso::accounts::create_account(
                conn,
                &hasher,
                hocso::accounts::NewAccount {
                    display_name: &format!("Người {i}"),
                    email: None,
                    phone: None,
                    username: Some(&format!("nguoi{i}")),
                    password: "mat-khau-rat-dai-1",
                    language: "vi",
                },
            )
            .unwrap();
            let mut p = cq::Profile::empty(&id);
            p.village_id = Some(if i < 20 { a.clone() } else { b.clone() });
            p.household_id = Some(if i < 20 {
                households[i % 6].clone()
            } else {
                households[6 + i % 4].clone()
            });
            p.birth_year = Some(if i < 25 { 1980 } else { 2015 });
            p.eid_status = match i % 3 {
                0 => "level2",
                1 => "level1",
                _ => "none",
            }
            .into();
            p.learner_group = if i < 2 {
                "official"
            } else if i < 5 {
                "enterprise_worker"
            } else if i >= 25 {
                "student"
            } else {
                "citizen"
            }
            .into();
            hocso::community::save_profile(conn, &p).unwrap();
            let mut complete = |slug: &str| {
                lq::ensure_enrollment(conn, &id, &courses[slug], recent).unwrap();
                lq::mark_completed(conn, &id, &courses[slug], at).unwrap();
            };
            if i < 15 {
                complete("dien-thoai-thong-minh");
            }
            if i < 12 {
                complete("an-toan-tren-mang");
            }
            if i == 0 {
                // The officials' course alone does not count: officials_skilled asks for the
                // officials' program (resident 1 holds it).
                complete("chuyen-doi-so-cho-can-bo");
            }
            if i < 10 || i == 13 {
                // adults_basic_knowledge: residents 0–9 have the smartphone and safety courses
                // too; 13 lacks the safety course.
                complete("zalo");
            }
            let cert = |program: &str, revoked: bool| lq::CertificateRow {
                id: hocso::db::new_id(),
                serial: hocso::certs::new_serial(),
                user_id: id.clone(),
                kind: hocso::certs::CertificateKind::Program,
                course_id: None,
                program_slug: Some(program.into()),
                title: "P".into(),
                title_en: "P".into(),
                recipient_name: "x".into(),
                issued_at: at,
                credential: "x".into(),
                revoked_at: revoked.then_some(at),
                revoked_reason: revoked.then(|| "test".into()),
                village_id: p.village_id.clone(),
            };
            if i < 11 {
                lq::insert_certificate(conn, &cert("pho-cap-ky-nang-so-co-ban", i == 10)).unwrap();
            }
            if i == 2 {
                lq::insert_certificate(conn, &cert("ky-nang-so-cho-nguoi-lao-dong", false))
                    .unwrap();
            }
            if i == 1 {
                lq::insert_certificate(conn, &cert("ky-nang-so-cho-can-bo", false)).unwrap();
            }
            if i == 25 {
                lq::insert_certificate(conn, &cert("ky-nang-so-cho-hoc-sinh", false)).unwrap();
            }
            if i == 29 {
                let team = cq::insert_team(conn, &a, "Tổ 1").unwrap();
                cq::add_member(conn, &team, &id).unwrap();
            }
        }
        // The rows above went in behind the application's back.
        hocso::reports::ensure_facts(conn, true).unwrap();
    })
    .await;
    (c, v1, v2)
}

fn indicator<'a>(report: &'a Value, key: &str) -> &'a Value {
    report["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap()
}

async fn indicator_arithmetic_rollup_breakdown_and_sheet(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin_token) = admin(&app).await;
    let (commune, v1, _) = fixture_commune(&app, &admin_token).await;
    let res = app
        .put(&format!(
            "/api/v1/admin/localities/{commune}/targets/2026/adults_certified"
        ))
        .token(&admin_token)
        .json(&json!({"kind": "rate", "value": 50}))
        .await;
    assert_eq!(res.status(), 204);
    app.put(&format!(
        "/api/v1/admin/localities/{commune}/targets/2026/households_certified"
    ))
    .token(&admin_token)
    .json(&json!({"kind": "count", "value": 40}))
    .await;
    let r = app
        .get(&format!(
            "/api/v1/reports/localities/{commune}/indicators?year=2026&breakdown=children"
        ))
        .token(&admin_token)
        .expect(200)
        .await;
    for (key, num, den, rate) in [
        ("eid_level2_14plus", 9, 100, 9.0),
        ("eid_any_14plus", 17, 100, 17.0),
        ("working_age_trained", 12, 80, 15.0),
        ("officials_skilled", 1, 5, 20.0),
        ("students_skilled", 1, 8, 12.5),
        ("adults_basic_knowledge", 10, 90, 11.11),
        ("adults_certified", 10, 90, 11.11),
        ("enterprise_workers_skilled", 1, 10, 10.0),
        ("households_certified", 6, 40, 15.0),
    ] {
        let i = indicator(&r, key);
        assert_eq!(i["numerator"], num, "{key}: {i}");
        assert_eq!(i["denominator"], den, "{key}");
        assert_eq!(i["rate"], rate, "{key}");
        assert_eq!(i["denominator_source"], "census", "{key}");
    }
    assert!(indicator(&r, "officials_skilled")["explanation"]
        .as_str()
        .unwrap()
        .contains(OFFICIALS_PROGRAM_TITLE));
    let ac = indicator(&r, "adults_certified");
    assert_eq!(ac["target"], json!({"kind": "rate", "value": 50.0}));
    assert_eq!(ac["gap"], 38.89);
    assert_eq!(indicator(&r, "households_certified")["gap"], 34.0);
    assert_eq!(
        r["counts"],
        json!({"learners_registered": 30, "active_last_30_days": 15, "certificates_issued_in_year": 14, "teams": 1, "facilitators": 1})
    );

    // Per village: no census except V1's households, so registered people are the denominators.
    let children = r["children"].as_array().unwrap();
    assert_eq!(children.len(), 2);
    let village1 = children
        .iter()
        .find(|c| c["locality_id"] == v1.as_str())
        .unwrap();
    let e = indicator(village1, "eid_level2_14plus");
    assert_eq!(
        (
            e["numerator"].as_i64(),
            e["denominator"].as_i64(),
            e["denominator_source"].as_str()
        ),
        (Some(7), Some(20), Some("registered"))
    );
    assert_eq!(e["rate"], 35.0);
    let h = indicator(village1, "households_certified");
    assert_eq!(
        (
            h["numerator"].as_i64(),
            h["denominator"].as_i64(),
            h["denominator_source"].as_str()
        ),
        (Some(6), Some(6), Some("census"))
    );
    let village2 = children
        .iter()
        .find(|c| c["locality_id"] != v1.as_str())
        .unwrap();
    assert_eq!(indicator(village2, "eid_level2_14plus")["numerator"], 2);
    assert_eq!(indicator(village2, "eid_level2_14plus")["denominator"], 5);
    // The children add up to the commune.
    let sum: i64 = children
        .iter()
        .map(|c| {
            indicator(c, "adults_certified")["numerator"]
                .as_i64()
                .unwrap()
        })
        .sum();
    assert_eq!(sum, 10);

    // The indicator sheet.
    let res = app
        .get(&format!(
            "/api/v1/reports/localities/{commune}/indicators.csv?year=2026"
        ))
        .token(&admin_token)
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rows.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "STT",
            "Tên chỉ tiêu",
            "Giải thích chỉ tiêu",
            "Đơn vị tính",
            "Chỉ tiêu",
            "Thực hiện",
            "Tỷ lệ"
        ]
    );
    let records: Vec<csv::StringRecord> = rows.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), 9);
    let certified = records
        .iter()
        .find(|r| r[1].contains("đạt phổ cập"))
        .unwrap();
    assert_eq!(&certified[4], "50,00%");
    assert_eq!(&certified[5], "10/90");
    assert_eq!(&certified[6], "11,11%");

    // Bad input.
    let res = app
        .get(&format!(
            "/api/v1/reports/localities/{commune}/indicators?year=1900"
        ))
        .token(&admin_token)
        .await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app
        .get(&format!(
            "/api/v1/reports/localities/{commune}/indicators?breakdown=household"
        ))
        .token(&admin_token)
        .await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app
        .put(&format!(
            "/api/v1/admin/localities/{commune}/targets/2026/khong-co"
        ))
        .token(&admin_token)
        .json(&json!({"kind": "rate", "value": 5}))
        .await;
    assert_problem(res, 404, "not_found").await;
    let res = app
        .put(&format!(
            "/api/v1/admin/localities/{commune}/targets/2026/adults_certified"
        ))
        .token(&admin_token)
        .json(&json!({"kind": "rate", "value": 150}))
        .await;
    assert_problem(res, 422, "validation_failed").await;
}

async fn report_scope(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin_token) = admin(&app).await;
    let (commune, _, _) = fixture_commune(&app, &admin_token).await;
    let other = create_locality(
        &app,
        &admin_token,
        json!({"kind": "province", "name": "Tỉnh khác", "code": "Q"}),
    )
    .await;
    let (uid, learner_token) = learner(&app, "ca@example.vn").await;
    assert_problem(
        app.get(&format!("/api/v1/reports/localities/{commune}/indicators"))
            .token(&learner_token)
            .await,
        403,
        "forbidden",
    )
    .await;
    app.post(&format!("/api/v1/admin/users/{uid}/roles"))
        .token(&admin_token)
        .json(&json!({"role": "admin", "locality_code": "AN"}))
        .await;
    let token = login(&app, "ca@example.vn", "mat-khau-rat-dai-1").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .get(&format!(
            "/api/v1/reports/localities/{commune}/indicators?year=2026"
        ))
        .token(&token)
        .await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(!text.contains("Người 1"), "reports carry no names");
    assert_problem(
        app.get(&format!("/api/v1/reports/localities/{other}/indicators"))
            .token(&token)
            .await,
        403,
        "forbidden",
    )
    .await;
    let res = app
        .put(&format!(
            "/api/v1/admin/localities/{other}/targets/2026/adults_certified"
        ))
        .token(&token)
        .json(&json!({"kind": "rate", "value": 5}))
        .await;
    assert_problem(res, 403, "forbidden").await;
}

async fn numerator(app: &TestApp, token: &str, locality: &str, key: &str) -> i64 {
    let r = app
        .get(&format!(
            "/api/v1/reports/localities/{locality}/indicators?year=2026"
        ))
        .token(token)
        .expect(200)
        .await;
    indicator(&r, key)["numerator"].as_i64().unwrap()
}

/// Reports read per-learner facts kept up to date by completion, leaving a course, revocation and
/// configuration changes; the monthly series reads them as of each month's end.
async fn indicators_follow_learning_revocation_and_configuration(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin_token) = admin(&app).await;
    let (commune, _, _) = fixture_commune(&app, &admin_token).await;
    assert_eq!(
        numerator(&app, &admin_token, &commune, "adults_basic_knowledge").await,
        10
    );

    // Count a new course instead: nobody has completed it yet.
    simple_course(&app, "mot").await;
    let list = app
        .put("/api/v1/admin/indicators/adults_basic_knowledge")
        .token(&admin_token)
        .json(&json!({"any_courses": ["mot"]}))
        .expect(200)
        .await;
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "adults_basic_knowledge")
        .unwrap();
    assert_eq!(entry["qualification"], json!({"any_courses": ["mot"]}));
    assert_eq!(entry["is_default"], false);
    // The explanation says what is counted now.
    let r: Value = app
        .get(&format!(
            "/api/v1/reports/localities/{commune}/indicators?year=2026"
        ))
        .token(&admin_token)
        .value()
        .await;
    assert_eq!(
        indicator(&r, "adults_basic_knowledge")["explanation"],
        "Tử số: người từ 18 tuổi đã hoàn thành khóa “Khóa mot”. Mẫu số: dân số trưởng thành."
    );
    assert_eq!(
        numerator(&app, &admin_token, &commune, "adults_basic_knowledge").await,
        0
    );
    // A resident of the commune (born 1980) completes it through the API, then leaves it.
    let t = login(&app, "nguoi20", "mat-khau-rat-dai-1").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    for lesson in ["a", "b"] {
        let res = progress(&app, &t, "mot", lesson, &event("completed", 30)).await;
        assert_eq!(res.status(), 200);
    }
    assert_eq!(
        numerator(&app, &admin_token, &commune, "adults_basic_knowledge").await,
        1
    );
    let res = app.delete("/api/v1/courses/mot/enrollment").token(&t).await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        numerator(&app, &admin_token, &commune, "adults_basic_knowledge").await,
        0
    );
    // Back to the default.
    let res = app
        .delete("/api/v1/admin/indicators/adults_basic_knowledge")
        .token(&admin_token)
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        numerator(&app, &admin_token, &commune, "adults_basic_knowledge").await,
        10
    );

    // Revoking the first resident's certificate: one adult fewer; the household still counts
    // through another member.
    let serial = app
        .db(|c| {
            use diesel::prelude::*;
            use hocso::db::schema::{certificates, users};
            certificates::table
                .filter(
                    certificates::user_id.eq_any(
                        users::table
                            .filter(users::username.eq("nguoi0"))
                            .select(users::id),
                    ),
                )
                .select(certificates::serial)
                .first::<String>(c)
                .unwrap()
        })
        .await;
    let res = app
        .post(&format!("/api/v1/admin/certificates/{serial}/revoke"))
        .token(&admin_token)
        .json(&json!({"reason": "cấp nhầm"}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        numerator(&app, &admin_token, &commune, "adults_certified").await,
        9
    );
    assert_eq!(
        numerator(&app, &admin_token, &commune, "households_certified").await,
        6
    );
    // That other member moves to a household that counts already: their old one no longer does.
    let (member, other_household) = app
        .db(|c| {
            use diesel::prelude::*;
            use hocso::db::schema::{learner_profiles as lp, users};
            let mut id = |name: &str| {
                users::table
                    .filter(users::username.eq(name))
                    .select(users::id)
                    .first::<String>(c)
                    .unwrap()
            };
            let (six, one) = (id("nguoi6"), id("nguoi1"));
            let household: Option<String> = lp::table
                .find(&one)
                .select(lp::household_id)
                .first(c)
                .unwrap();
            (six, household.unwrap())
        })
        .await;
    let res = app
        .put(&format!("/api/v1/facilitator/residents/{member}/profile"))
        .token(&admin_token)
        .json(&json!({"household_id": other_household}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        numerator(&app, &admin_token, &commune, "households_certified").await,
        5
    );

    // The series: everything in the fixture was completed and issued on 2026-06-01.
    let points = app
        .get(&format!(
            "/api/v1/reports/localities/{commune}/indicators/timeline?from=2026-05&to=2026-06"
        ))
        .token(&admin_token)
        .expect(200)
        .await;
    assert_eq!(points.as_array().unwrap().len(), 2);
    assert_eq!(points[0]["month"], "2026-05");
    assert_eq!(points[0]["numerators"]["adults_certified"], 0);
    assert_eq!(points[0]["numerators"]["working_age_trained"], 0);
    assert_eq!(points[1]["month"], "2026-06");
    assert_eq!(points[1]["numerators"]["adults_certified"], 9);
    assert_eq!(points[0]["numerators"]["households_certified"], 0);
    assert_eq!(points[1]["numerators"]["households_certified"], 5);
    assert_eq!(points[1]["numerators"]["working_age_trained"], 12);
    // eid needs no course: the same in both months.
    assert_eq!(points[0]["numerators"]["eid_level2_14plus"], 9);
    counts_in_step(&app).await;
}

/// Signs up a resident of `village` (username and profile) directly; returns their token.
async fn resident(
    app: &TestApp,
    village: &str,
    username: &'static str,
    birth_year: i32,
    group: &'static str,
) -> String {
    let (village, hasher) = (village.to_string(), app.state.hasher.clone());
    app.db(move |conn| {
        let id = hocso::accounts::create_account(
            conn,
            &hasher,
            hocso::accounts::NewAccount {
                display_name: username,
                email: None,
                phone: None,
                username: Some(username),
                password: "mat-khau-rat-dai-1",
                language: "vi",
            },
        )
        .unwrap();
        let mut p = cq::Profile::empty(&id);
        p.village_id = Some(village);
        p.birth_year = Some(birth_year);
        p.learner_group = group.into();
        hocso::community::save_profile(conn, &p).unwrap();
    })
    .await;
    login(app, username, "mat-khau-rat-dai-1").await["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Completes both lessons of a `simple_course` through the API.
async fn finish(app: &TestApp, token: &str, slug: &str) {
    for lesson in ["a", "b"] {
        let res = progress(app, token, slug, lesson, &event("completed", 30)).await;
        assert_eq!(res.status(), 200, "{slug}/{lesson}");
    }
}

async fn report_of(app: &TestApp, token: &str, locality: &str) -> Value {
    let res = app
        .get(&format!(
            "/api/v1/reports/localities/{locality}/indicators?year=2026"
        ))
        .token(token)
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// The proxies say so (report and sheet); adults_basic_knowledge needs the smartphone course, the
/// safety course and an essential-service course; a pupil who finishes the students' program counts
/// for students_skilled against the census figure of students.
async fn proxies_required_courses_and_the_students_indicator(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin_token) = admin(&app).await;
    let province = create_locality(
        &app,
        &admin_token,
        json!({"kind": "province", "name": "Tỉnh", "code": "P"}),
    )
    .await;
    let commune = create_locality(
        &app,
        &admin_token,
        json!({"parent_id": province, "kind": "commune", "name": "An Nghĩa", "code": "AN"}),
    )
    .await;
    let village = create_locality(
        &app,
        &admin_token,
        json!({"parent_id": commune, "kind": "village", "name": "Thôn 1", "code": "AN-1"}),
    )
    .await;
    // The census: the commune's from a file (the `students` column), the village's through the API.
    let imported = app
        .db(|conn| {
            hocso::imports::import_census(
                conn,
                "code;year;adults;officials;students\nAN;2026;50;2;4\n".as_bytes(),
            )
            .unwrap()
        })
        .await;
    assert_eq!((imported.created, imported.rejected), (1, 0));
    let res = app
        .put(&format!("/api/v1/admin/localities/{village}/census/2026"))
        .token(&admin_token)
        .json(&json!({"adults": 50, "students": 3}))
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .get(&format!("/api/v1/admin/localities/{village}/census/2026"))
        .token(&admin_token)
        .await;
    let census: Value = res.json().await.unwrap();
    assert_eq!(
        (census["students"].as_i64(), census["adults"].as_i64()),
        (Some(3), Some(50))
    );
    let res = app
        .put(&format!("/api/v1/admin/localities/{village}/census/2026"))
        .token(&admin_token)
        .json(&json!({"students": -1}))
        .await;
    assert_problem(res, 422, "validation_failed").await;

    for slug in [
        "dien-thoai-thong-minh",
        "an-toan-tren-mang",
        "zalo",
        "tri-tue-nhan-tao",
    ] {
        simple_course(&app, slug).await;
    }
    app.db(|conn| {
        let now = hocso::db::now();
        lq::upsert_program(
            conn,
            "ky-nang-so-cho-hoc-sinh",
            STUDENTS_PROGRAM_TITLE,
            "Digital skills for pupils",
            "",
            "",
            r#"["student"]"#,
            r#"["dien-thoai-thong-minh","an-toan-tren-mang","tri-tue-nhan-tao"]"#,
            now,
        )
        .unwrap();
        lq::upsert_program(
            conn,
            "ky-nang-so-cho-can-bo",
            OFFICIALS_PROGRAM_TITLE,
            "Digital skills for officials",
            "",
            "",
            r#"["official"]"#,
            "[]",
            now,
        )
        .unwrap();
    })
    .await;
    let dan1 = resident(&app, &village, "dan1", 1970, "citizen").await;
    let dan2 = resident(&app, &village, "dan2", 1975, "citizen").await;
    let pupil = resident(&app, &village, "hocsinh", 2012, "student").await;

    // Smartphone and Zalo, no safety course: not yet.
    finish(&app, &dan1, "dien-thoai-thong-minh").await;
    finish(&app, &dan1, "zalo").await;
    // Smartphone and safety, no essential-service course: not yet either.
    finish(&app, &dan2, "dien-thoai-thong-minh").await;
    finish(&app, &dan2, "an-toan-tren-mang").await;
    let r = report_of(&app, &admin_token, &commune).await;
    assert_eq!(indicator(&r, "adults_basic_knowledge")["numerator"], 0);
    assert_eq!(indicator(&r, "working_age_trained")["numerator"], 1);
    // With the safety course, all three parts hold.
    finish(&app, &dan1, "an-toan-tren-mang").await;
    let r = report_of(&app, &admin_token, &commune).await;
    let abk = indicator(&r, "adults_basic_knowledge");
    assert_eq!(
        (abk["numerator"].as_i64(), abk["denominator"].as_i64()),
        (Some(1), Some(50))
    );
    assert_eq!(abk["rate"], 2.0);
    // Its explanation is made from the configuration: the catalogue's titles, and the slug of a
    // course not published here.
    let text = abk["explanation"].as_str().unwrap();
    assert!(
        text.starts_with(
            "Tử số: người từ 18 tuổi đã hoàn thành khóa “Khóa dien-thoai-thong-minh”, khóa “Khóa \
             an-toan-tren-mang” và ít nhất một trong các khóa “Khóa zalo”, “vneid”,"
        ),
        "{text}"
    );

    // The pupil finishes the students' program course by course; the program's certificate
    // counts them against the census figure of students.
    finish(&app, &pupil, "dien-thoai-thong-minh").await;
    finish(&app, &pupil, "an-toan-tren-mang").await;
    assert_eq!(
        numerator(&app, &admin_token, &commune, "students_skilled").await,
        0
    );
    finish(&app, &pupil, "tri-tue-nhan-tao").await;
    let r = report_of(&app, &admin_token, &commune).await;
    let st = indicator(&r, "students_skilled");
    assert_eq!(
        (
            st["numerator"].as_i64(),
            st["denominator"].as_i64(),
            st["denominator_source"].as_str(),
            st["rate"].as_f64()
        ),
        (Some(1), Some(4), Some("census"), Some(25.0))
    );
    assert!(st["explanation"]
        .as_str()
        .unwrap()
        .contains(STUDENTS_PROGRAM_TITLE));
    // A pupil of 14 is not an adult.
    assert_eq!(indicator(&r, "adults_basic_knowledge")["numerator"], 1);
    // The village's own census figure.
    let rv = report_of(&app, &admin_token, &village).await;
    assert_eq!(indicator(&rv, "students_skilled")["denominator"], 3);

    // Proxies in the report: flagged, with the official wording beside them.
    for key in ["adults_certified", "households_certified"] {
        assert_eq!(indicator(&r, key)["proxy"], true, "{key}");
    }
    assert_eq!(
        indicator(&r, "adults_certified")["official_name"],
        "Người dân trong độ tuổi trưởng thành được xác nhận đạt phổ cập tri thức về chuyển đổi số, \
         kỹ năng số trên nền tảng VNeID"
    );
    assert_eq!(
        indicator(&r, "households_certified")["official_name"],
        "Mỗi hộ gia đình có ít nhất một thành viên thành thạo kỹ năng số cơ bản"
    );
    for i in r["indicators"].as_array().unwrap() {
        if i["key"] != "adults_certified" && i["key"] != "households_certified" {
            assert_eq!(i["proxy"], false, "{}", i["key"]);
            assert!(i.get("official_name").is_none(), "{}", i["key"]);
        }
    }
    let officials = indicator(&r, "officials_skilled");
    assert!(officials["name"]
        .as_str()
        .unwrap()
        .contains("người lao động trong khu vực công"));
    assert!(officials["explanation"]
        .as_str()
        .unwrap()
        .contains(OFFICIALS_PROGRAM_TITLE));

    // And in the sheet.
    let res = app
        .get(&format!(
            "/api/v1/reports/localities/{commune}/indicators.csv?year=2026"
        ))
        .token(&admin_token)
        .await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let records: Vec<csv::StringRecord> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap())
        .collect();
    let proxies: Vec<&csv::StringRecord> = records
        .iter()
        .filter(|r| r[1].starts_with("[Ước tính] "))
        .collect();
    assert_eq!(proxies.len(), 2);
    assert_eq!(
        &proxies[0][1],
        "[Ước tính] Tỷ lệ người dân trưởng thành đạt phổ cập kỹ năng số cơ bản theo chứng nhận của \
         hocso"
    );
    assert!(
        proxies[0][2].starts_with(
            "Chỉ tiêu chính thức: Người dân trong độ tuổi trưởng thành được xác nhận đạt phổ cập \
             tri thức về chuyển đổi số, kỹ năng số trên nền tảng VNeID; hocso chỉ đếm chứng nhận \
             của mình. Tử số:"
        ),
        "{}",
        &proxies[0][2]
    );
    assert!(
        proxies[1][2].starts_with("Chỉ tiêu chính thức: Mỗi hộ gia đình có ít nhất một thành viên")
    );
    let students = records
        .iter()
        .find(|r| r[1].starts_with("Tỷ lệ học sinh"))
        .unwrap();
    assert_eq!((&students[5], &students[6]), ("1/4", "25,00%"));

    // The configuration lists the new indicator and the all-of-and-any-of default.
    let list: Value = app
        .get("/api/v1/admin/indicators")
        .token(&admin_token)
        .value()
        .await;
    let entry = |key: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == key)
            .unwrap()
            .clone()
    };
    assert_eq!(
        entry("students_skilled")["qualification"],
        json!({"program": "ky-nang-so-cho-hoc-sinh"})
    );
    assert_eq!(entry("students_skilled")["is_default"], true);
    let abk = entry("adults_basic_knowledge");
    assert_eq!(
        abk["qualification"]["all_courses"],
        json!(["dien-thoai-thong-minh", "an-toan-tren-mang"])
    );
    assert_eq!(
        abk["qualification"]["any_courses"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    // An admin may ask for both parts too: here the safety course and Zalo or the AI course.
    let res = app
        .put("/api/v1/admin/indicators/adults_basic_knowledge")
        .token(&admin_token)
        .json(&json!({"all_courses": ["an-toan-tren-mang"], "any_courses": ["zalo", "tri-tue-nhan-tao"]}))
        .await;
    assert_eq!(res.status(), 200);
    // dan1 (safety and Zalo) counts; dan2 has the safety course but neither Zalo nor AI.
    assert_eq!(
        numerator(&app, &admin_token, &commune, "adults_basic_knowledge").await,
        1
    );
    finish(&app, &dan2, "tri-tue-nhan-tao").await;
    assert_eq!(
        numerator(&app, &admin_token, &commune, "adults_basic_knowledge").await,
        2
    );
    // That also gave dan2 the students' program certificate; dan2 is no pupil.
    assert_eq!(
        numerator(&app, &admin_token, &commune, "students_skilled").await,
        1
    );
}

/// A report's children come from one scan of the parent's subtree grouped by locality, and the
/// timeline from one scan grouped by month: each child equals its own report, and each
/// December of the timeline equals that year's report (ages in that year: a resident born in
/// 2012 with level 2 e-identity is 14 in 2026, not in 2025).
async fn grouped_scans_equal_each_locality_and_month(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin_token) = admin(&app).await;
    let (commune, v1, _) = fixture_commune(&app, &admin_token).await;
    resident(&app, &v1, "sinh2012", 2012, "citizen").await;
    app.db(|conn| {
        use diesel::prelude::*;
        let id: String = hocso::db::schema::users::table
            .filter(hocso::db::schema::users::username.eq("sinh2012"))
            .select(hocso::db::schema::users::id)
            .first(conn)
            .unwrap();
        let mut p = cq::profile(conn, &id).unwrap().unwrap();
        p.eid_status = "level2".into();
        hocso::community::save_profile(conn, &p).unwrap();
    })
    .await;
    let get = |path: String| {
        let (app, token) = (&app, admin_token.clone());
        async move { app.get(&path).token(&token).expect(200).await }
    };
    let province = get(format!("/api/v1/admin/localities/{commune}")).await["parent_id"]
        .as_str()
        .unwrap()
        .to_string();
    for root in [&province, &commune] {
        let r = get(format!(
            "/api/v1/reports/localities/{root}/indicators?year=2026&breakdown=children"
        ))
        .await;
        let children = r["children"].as_array().unwrap();
        assert!(!children.is_empty());
        for child in children {
            let id = child["locality_id"].as_str().unwrap();
            let own = get(format!(
                "/api/v1/reports/localities/{id}/indicators?year=2026"
            ))
            .await;
            assert_eq!(child, &own, "{id}");
        }
        if *root == province {
            // The commune is the province's only child: the same figures.
            assert_eq!(children[0]["indicators"], r["indicators"]);
            assert_eq!(children[0]["counts"], r["counts"]);
        }
    }
    let points = get(format!(
        "/api/v1/reports/localities/{commune}/indicators/timeline?from=2025-11&to=2027-01"
    ))
    .await;
    let points = points.as_array().unwrap();
    assert_eq!(points.len(), 15);
    for (i, year) in [(1, 2025), (13, 2026)] {
        assert_eq!(points[i]["month"], format!("{year}-12"));
        let r = get(format!(
            "/api/v1/reports/localities/{commune}/indicators?year={year}"
        ))
        .await;
        for ind in r["indicators"].as_array().unwrap() {
            let key = ind["key"].as_str().unwrap();
            assert_eq!(
                points[i]["numerators"][key], ind["numerator"],
                "{year} {key}"
            );
        }
    }
    // The 2012-born resident counts from January 2026 only.
    let level2 = |i: usize| {
        points[i]["numerators"]["eid_level2_14plus"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(level2(2), level2(1) + 1);
    assert_eq!(points[14]["numerators"]["eid_level2_14plus"], level2(13));
    counts_in_step(&app).await;
}

/// `hocso reports check` finds counts out of step (exit 1, the row named) and `hocso reports
/// rebuild` puts them back; the report read from the counts was wrong meanwhile and is right again.
async fn counts_are_checked_and_rebuilt_by_the_cli(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin_token) = admin(&app).await;
    let (commune, _, _) = fixture_commune(&app, &admin_token).await;
    let cli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_hocso"))
            .args(args)
            .env("HOCSO_DATABASE_URL", &app.database_url)
            .env("HOCSO_DATA_DIR", app.dir.path().join("cli"))
            .output()
            .unwrap()
    };
    let out = cli(&["reports", "check"]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("in step"), "{stdout}");
    let before = numerator(&app, &admin_token, &commune, "adults_certified").await;
    assert!(before > 0);
    app.db(|conn| {
        use diesel::prelude::*;
        diesel::sql_query("UPDATE report_counts SET n = n + 1000 WHERE k = 'adults_certified'")
            .execute(conn)
            .unwrap();
    })
    .await;
    assert!(numerator(&app, &admin_token, &commune, "adults_certified").await > before + 999);
    let out = cli(&["reports", "check"]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!out.status.success(), "{stdout}");
    assert!(stdout.contains("\"adults_certified\""), "{stdout}");
    let out = cli(&["reports", "rebuild"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(cli(&["reports", "check"]).status.success());
    assert_eq!(
        numerator(&app, &admin_token, &commune, "adults_certified").await,
        before
    );
}
