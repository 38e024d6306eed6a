use diesel::prelude::*;
use hocso::db::schema::{learner_profiles, localities};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::*;

both_backends!(
    locality_tree_from_csv,
    residents_from_csv,
    an_imported_resident_keeps_earlier_certificates_in_the_village
);

const TREE: &str = "\u{feff}code;name;kind;parent_code\nAN-1;Thôn Một;village;AN\nAN;Xã An Nghĩa;commune;PT\nPT;Tỉnh Phú Thọ;province;\nAN-2;Thôn Hai;village;AN\nBM-9;Thôn lạc;village;KHONG-CO\n";

/// `hocso localities import` of [`TREE`] on the app's database.
fn import_tree(app: &TestApp) -> std::process::Output {
    let path = app.dir.path().join("tree.csv");
    std::fs::write(&path, TREE).unwrap();
    app.cli()
        .args(["localities", "import"])
        .arg(&path)
        .output()
        .unwrap()
}

async fn locality_tree_from_csv(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let out = import_tree(&app);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "the bad row makes the exit status non-zero"
    );
    assert!(
        stdout.contains(
            "line 6: parent_code: không có địa bàn mã `KHONG-CO` / no locality `KHONG-CO`"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("5 rows: 4 created, 0 updated, 0 unchanged, 1 rejected"),
        "{stdout}"
    );
    let out = import_tree(&app);
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 created, 0 updated, 4 unchanged"));
    let n = app
        .db(|c| localities::table.count().get_result::<i64>(c).unwrap())
        .await;
    assert_eq!(n, 4);
    let parent = app
        .db(|c| {
            let an: String = localities::table
                .filter(localities::code.eq("AN"))
                .select(localities::id)
                .first(c)
                .unwrap();
            localities::table
                .filter(localities::code.eq("AN-1"))
                .select(localities::parent_id)
                .first::<Option<String>>(c)
                .unwrap()
                == Some(an)
        })
        .await;
    assert!(parent);
}

async fn residents_from_csv(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    import_tree(&app);
    let (_, admin_token) = admin(&app).await;
    let csv = "village_code,household_code,name,birth_year,learner_group,phone,eid_status\n\
        AN-1,H1,Nguyễn Văn Một,1960,citizen,0912345001,level2\n\
        AN-1,H1,Trần Thị Hai,1965,citizen,,level1\n\
        AN-2,H7,Lê Văn Ba,1990,enterprise_worker,,none\n\
        AN-2,H8,Phạm Thị Tư,2008,student,,\n\
        XX-1,H9,Không Có Thôn,1970,citizen,,none\n\
        AN-1,H2,Sai Năm Sinh,19x0,farmer,12345,level7\n";
    let import = |body: &'static str, mode: &'static str| {
        app.post(&format!("/api/v1/admin/imports/residents?mode={mode}"))
            .token(&admin_token)
            .header("content-type", "text/csv")
            .body(body)
    };
    let report: Value = import(csv, "all_or_nothing").value().await;
    assert_eq!(report["applied"], false);
    assert_eq!(report["created"], 0);
    let n = app
        .db(|c| {
            learner_profiles::table
                .count()
                .get_result::<i64>(c)
                .unwrap()
        })
        .await;
    assert_eq!(n, 0, "all or nothing applied nothing");

    let res = import(csv, "valid_rows").await;
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["created"], 4);
    assert_eq!(report["rejected"], 2);
    let problems = report["problems"].as_array().unwrap();
    let find = |row: i64, column: &str| {
        problems
            .iter()
            .any(|p| p["row"] == row && p["column"] == column)
    };
    assert!(find(6, "village_code"));
    for column in ["birth_year", "learner_group", "phone", "eid_status"] {
        assert!(find(7, column), "{column}: {problems:?}");
    }
    // The same file again changes nothing.
    let report: Value = import(csv, "valid_rows").value().await;
    assert_eq!(
        (
            report["created"].as_i64(),
            report["updated"].as_i64(),
            report["unchanged"].as_i64()
        ),
        (Some(0), Some(0), Some(4))
    );
    // The same file as the `file` part of a form: the same report; a form without it is refused.
    let form = |part: &str, file: &str| {
        format!(
            "--B0und4ry\r\nContent-Disposition: form-data; name=\"{part}\"; filename=\"cu-dan.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n{file}\r\n--B0und4ry--\r\n"
        )
    };
    let upload = |body: String| {
        app.post("/api/v1/admin/imports/residents")
            .token(&admin_token)
            .header("content-type", "multipart/form-data; boundary=B0und4ry")
            .body(body)
    };
    let again = upload(form("file", csv)).expect(200).await;
    assert_eq!(again, report);
    let res = upload(form("tep", csv)).await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "file", "{body}");
    // A changed row is an update, found again by village, household and name.
    let changed = "\u{feff}village_code;household_code;name;birth_year;learner_group;eid_status\nAN-1;H1;Trần Thị Hai;1965;citizen;level2\n";
    let report: Value = import(changed, "valid_rows").value().await;
    assert_eq!(report["updated"], 1);
    let level2 = app
        .db(|c| {
            learner_profiles::table
                .filter(learner_profiles::eid_status.eq("level2"))
                .count()
                .get_result::<i64>(c)
                .unwrap()
        })
        .await;
    assert_eq!(level2, 2);

    // The report counts them; a commune admin elsewhere cannot import here.
    let commune: String = app
        .db(|c| {
            localities::table
                .filter(localities::code.eq("AN"))
                .select(localities::id)
                .first(c)
                .unwrap()
        })
        .await;
    let r: Value = app
        .get(&format!(
            "/api/v1/reports/localities/{commune}/indicators?year=2026"
        ))
        .token(&admin_token)
        .value()
        .await;
    assert_eq!(r["counts"]["learners_registered"], 4);
    let (uid, _) = learner(&app, "khac@example.vn").await;
    let res = app
        .post(&format!("/api/v1/admin/users/{uid}/roles"))
        .token(&admin_token)
        .json(&json!({"role": "admin", "locality_code": "AN-2"}))
        .await;
    assert_eq!(res.status(), 200);
    let t = login(&app, "khac@example.vn", "mat-khau-rat-dai-1").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .post("/api/v1/admin/imports/residents")
        .token(&t)
        .header("content-type", "text/csv")
        .body("village_code,household_code,name,birth_year,learner_group,eid_status\nAN-1,H3,Người Mới,1980,citizen,none\n")
        .await;
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["created"], 0);
    assert_eq!(report["problems"][0]["column"], "village_code");
    let (_, plain) = learner(&app, "thuong@example.vn").await;
    let res = app
        .post("/api/v1/admin/imports/residents")
        .token(&plain)
        .header("content-type", "text/csv")
        .body("x")
        .await;
    assert_problem(res, 403, "forbidden").await;
    let res = import("name\nx\n", "valid_rows").await;
    assert_problem(res, 422, "validation_failed").await;

    // The CLI, with its progress bar, on the same data: nothing changes.
    let file = app.dir.path().join("residents.csv");
    std::fs::write(&file, csv).unwrap();
    let out = app
        .cli()
        .args(["residents", "import"])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("6 rows: 0 created, 1 updated, 3 unchanged, 2 rejected"),
        "{stdout}"
    );
    crate::reports::counts_in_step(&app).await;
}

/// A learner who registered alone (no profile, no village) earns a certificate; a resident import
/// then finds the account by its phone: nothing changes until the owner confirms the link, then the
/// earlier certificate counts in that village, and no second account is made.
async fn an_imported_resident_keeps_earlier_certificates_in_the_village(backend: Backend) {
    use hocso::db::schema::{certificates, users};
    let app = TestApp::spawn(backend).await;
    import_tree(&app);
    simple_course(&app, "cv").await;
    let res = register(
        &app,
        json!({"display_name": "Bác Ba", "phone": "0912 345 678", "password": "che-tan-cuong-ngon"}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let token = login(&app, "0912345678", "che-tan-cuong-ngon").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    for lesson in ["a", "b"] {
        let res = progress(&app, &token, "cv", lesson, &event("completed", 60)).await;
        assert_eq!(res.status(), 200);
    }
    let villages = || {
        app.db(|c| {
            certificates::table
                .filter(
                    certificates::user_id.eq_any(
                        users::table
                            .filter(users::phone.eq("+84912345678"))
                            .select(users::id),
                    ),
                )
                .select(certificates::village_id)
                .load::<Option<String>>(c)
                .unwrap()
        })
    };
    assert_eq!(
        villages().await,
        vec![None],
        "one certificate, no village yet"
    );

    let (_, admin_token) = admin(&app).await;
    let report: Value = app
        .post("/api/v1/admin/imports/residents")
        .token(&admin_token)
        .header("content-type", "text/csv")
        .body(
            "village_code,household_code,name,birth_year,learner_group,phone,eid_status\n\
               AN-1,H1,Bác Ba,1960,citizen,0912345678,level2\n",
        )
        .value()
        .await;
    assert_eq!(report["created"], 0, "{report}");
    assert_eq!(report["waiting_for_owner"], json!([2]), "{report}");
    assert_eq!(
        villages().await,
        vec![None],
        "nothing moves before the owner answers"
    );
    // The same file again asks nothing new.
    let again: Value = app
        .post("/api/v1/admin/imports/residents")
        .token(&admin_token)
        .header("content-type", "text/csv")
        .body(
            "village_code,household_code,name,birth_year,learner_group,phone,eid_status\n\
               AN-1,H1,Bác Ba,1960,citizen,0912345678,level2\n",
        )
        .value()
        .await;
    assert_eq!(again["waiting_for_owner"], json!([2]), "{again}");
    let link: Value = app
        .get("/api/v1/me/village-link")
        .token(&token)
        .value()
        .await;
    assert_eq!(link["village_name"], "Thôn Một", "{link}");
    let profile = app
        .post("/api/v1/me/village-link")
        .token(&token)
        .json(&json!({"accept": true}))
        .expect(200)
        .await;
    assert_eq!(profile["eid_status"], "level2");
    assert_eq!(profile["birth_year"], 1960);
    let res = app.get("/api/v1/me/village-link").token(&token).await;
    assert_problem(res, 404, "not_found").await;
    let an1 = app
        .db(|c| {
            localities::table
                .filter(localities::code.eq("AN-1"))
                .select(localities::id)
                .first::<String>(c)
                .unwrap()
        })
        .await;
    assert_eq!(villages().await, vec![Some(an1)]);
    let accounts = app
        .db(|c| {
            users::table
                .filter(users::phone.eq("+84912345678"))
                .count()
                .get_result::<i64>(c)
                .unwrap()
        })
        .await;
    assert_eq!(accounts, 1, "the import found the account by its phone");
}
