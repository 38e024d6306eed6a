//! `hocso dev seed`: realistic benchmark data, quickly. A province of communes of ten villages,
//! four residents per household, profiles, completed and running enrolments in the shipped
//! courses, and basic-program certificates for a share of adults.

use chrono::TimeDelta;
use diesel::prelude::*;
use rand::Rng;

use crate::certs::CertificateKind;
use crate::db::community::{self as cq, Profile};
use crate::db::learning::CertificateRow;
use crate::db::schema::{enrollments, households, users};
use crate::db::{new_id, now, seed, DbConn};
use crate::learning::EnrollmentStatus;

pub const BATCH: usize = 500;
pub const RESIDENTS_PER_COMMUNE: usize = 20_000;
pub const VILLAGES_PER_COMMUNE: usize = 10;
pub const PASSWORD: &str = "bench-mat-khau-2026";

pub struct Seeded {
    pub province: String,
    pub communes: Vec<String>,
    pub learners: usize,
}

/// Seeds `learners` residents. `hash` is the argon2 hash of [`PASSWORD`] shared by every seeded
/// account (they log in as `seed<N>`); `progress(done)` is called after each batch.
pub fn seed(
    conn: &mut DbConn,
    learners: usize,
    hash: &str,
    progress: &mut dyn FnMut(usize),
) -> anyhow::Result<Seeded> {
    // Sendable: the batches run on the database's writer thread.
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_entropy();
    let at = now();
    let tag: String = new_id()[..4].to_string();
    let province = cq::insert_locality(
        conn,
        None,
        "province",
        &format!("Tỉnh thử {tag}"),
        Some(&format!("SEED-{tag}")),
    )?;
    let courses: Vec<(String, String)> = crate::db::schema::courses::table
        .filter(crate::db::schema::courses::latest_release.is_not_null())
        .select((
            crate::db::schema::courses::id,
            crate::db::schema::courses::slug,
        ))
        .load(conn)?;
    let basic: Vec<&(String, String)> = courses
        .iter()
        .filter(|(_, s)| {
            [
                "dien-thoai-thong-minh",
                "zalo",
                "vneid",
                "dich-vu-cong-truc-tuyen",
                "thanh-toan-khong-tien-mat",
                "an-toan-tren-mang",
                "mua-sam-truc-tuyen-an-toan",
            ]
            .contains(&s.as_str())
        })
        .collect();
    let has_program = crate::db::learning::program(conn, crate::reports::BASIC_PROGRAM)?.is_some();
    let communes_n = learners.div_ceil(RESIDENTS_PER_COMMUNE).max(1);
    let mut communes = Vec::new();
    let mut done = 0usize;
    let mut user_no = 0usize;
    for c in 0..communes_n {
        let commune = cq::insert_locality(
            conn,
            Some(&province),
            "commune",
            &format!("Xã {c}"),
            Some(&format!("SEED-{tag}-{c}")),
        )?;
        communes.push(commune.clone());
        let in_commune = (learners - done).min(RESIDENTS_PER_COMMUNE);
        for v in 0..VILLAGES_PER_COMMUNE {
            let village = cq::insert_locality(
                conn,
                Some(&commune),
                "village",
                &format!("Thôn {v}"),
                Some(&format!("SEED-{tag}-{c}-{v}")),
            )?;
            let in_village = in_commune / VILLAGES_PER_COMMUNE
                + usize::from(v < in_commune % VILLAGES_PER_COMMUNE);
            let mut left = in_village;
            let mut h = 0usize;
            while left > 0 {
                let n = left.min(BATCH);
                crate::db::transaction(conn, |conn| -> anyhow::Result<()> {
                    let mut household_rows = Vec::new();
                    let mut household_ids = Vec::new();
                    for _ in 0..n.div_ceil(4) {
                        let id = new_id();
                        household_ids.push(id.clone());
                        household_rows.push((
                            households::id.eq(id),
                            households::village_id.eq(village.clone()),
                            households::code.eq(format!("H{h}")),
                            households::label.eq(format!("Hộ {h}")),
                            households::created_at.eq(at),
                        ));
                        h += 1;
                    }
                    seed::households(conn, &household_rows)?;
                    let mut user_rows = Vec::with_capacity(n);
                    let mut profiles = Vec::with_capacity(n);
                    let mut enrollment_rows = Vec::new();
                    let mut certs = Vec::new();
                    for i in 0..n {
                        let id = new_id();
                        user_rows.push((
                            users::id.eq(id.clone()),
                            users::display_name.eq(format!("Người học {user_no}")),
                            users::username.eq(Some(format!("seed{user_no}"))),
                            users::password_hash.eq(hash.to_string()),
                            users::language.eq("vi"),
                            users::created_at.eq(at),
                            users::updated_at.eq(at),
                        ));
                        user_no += 1;
                        let birth_year = rng.gen_range(1940..=2015);
                        profiles.push(Profile {
                            user_id: id.clone(),
                            birth_year: Some(birth_year),
                            gender: Some(if rng.gen_bool(0.5) { "female" } else { "male" }.into()),
                            learner_group: match rng.gen_range(0..100) {
                                0..=2 => "official",
                                3..=12 => "enterprise_worker",
                                13..=25 => "student",
                                _ => "citizen",
                            }
                            .into(),
                            village_id: Some(village.clone()),
                            household_id: Some(household_ids[i / 4].clone()),
                            eid_status: match rng.gen_range(0..10) {
                                0..=5 => "level2",
                                6..=7 => "level1",
                                _ => "none",
                            }
                            .into(),
                            updated_at: at,
                            external_key: None,
                        });
                        // Most learners are on their way; some finished the basic courses.
                        let finished_all = rng.gen_bool(0.3) && birth_year <= 2008;
                        for (course_id, _) in basic.iter() {
                            if !(finished_all || rng.gen_bool(0.3)) {
                                continue;
                            }
                            let completed = finished_all || rng.gen_bool(0.4);
                            let when = at - TimeDelta::days(rng.gen_range(0..300));
                            enrollment_rows.push((
                                enrollments::user_id.eq(id.clone()),
                                enrollments::course_id.eq(course_id.clone()),
                                enrollments::status.eq(if completed {
                                    EnrollmentStatus::Completed
                                } else {
                                    EnrollmentStatus::InProgress
                                }),
                                enrollments::enrolled_at.eq(when),
                                enrollments::last_activity_at.eq(when),
                                enrollments::completed_at.eq(completed.then_some(when)),
                            ));
                        }
                        if finished_all && has_program && basic.len() == 7 {
                            certs.push(CertificateRow {
                                id: new_id(),
                                serial: crate::certs::new_serial(),
                                user_id: id.clone(),
                                kind: CertificateKind::Program,
                                course_id: None,
                                program_slug: Some(crate::reports::BASIC_PROGRAM.into()),
                                title: "Phổ cập kỹ năng số cơ bản cho người dân".into(),
                                title_en: "Basic digital skills for every citizen".into(),
                                recipient_name: format!("Người học {}", user_no - 1),
                                issued_at: at - TimeDelta::days(rng.gen_range(0..200)),
                                credential: String::new(),
                                revoked_at: None,
                                revoked_reason: None,
                                village_id: Some(village.clone()),
                            });
                        }
                    }
                    seed::users(conn, &user_rows)?;
                    seed::profiles(conn, &profiles)?;
                    for chunk in enrollment_rows.chunks(BATCH) {
                        seed::enrollments(conn, chunk)?;
                    }
                    for chunk in certs.chunks(BATCH) {
                        seed::certificates(conn, chunk)?;
                    }
                    Ok(())
                })?;
                left -= n;
                done += n;
                progress(done);
            }
        }
    }
    // Enrolments and certificates went in behind the application's back.
    crate::reports::ensure_facts(conn, true).map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    Ok(Seeded {
        province,
        communes,
        learners: done,
    })
}
