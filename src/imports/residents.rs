//! The resident import: each row checked, whom it reaches decided before anything is written,
//! then the rows written in short batches.

use std::collections::HashMap;

use super::{cell, parse, require_columns, ImportReport, RowProblem};
use crate::content::{fold, GROUPS};
use crate::db::community as q;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::kinds::{EidStatus, LocalityKind};

struct ResidentRow {
    line: usize,
    key: String,
    village_id: String,
    household_code: String,
    name: String,
    birth_year: Option<i32>,
    group: String,
    phone: Option<String>,
    eid: EidStatus,
}

/// Imports residents. Columns: `village_code, household_code, name, birth_year, learner_group,
/// phone (optional), eid_status (none|level1|level2)` and optionally `external_id`. A resident is
/// found again by `external_id`, else by village, household and name, so a second run of the same
/// file changes nothing. `may_import(village_id)` says whether the caller administers the village;
/// `actor` is the importing user (none from the command line). Rows are read and resolved on
/// `conn`; the writes go, in batches, to `writer` when one is given (the server's), else to `conn`.
pub fn import_residents(
    conn: &mut DbConn,
    bytes: &[u8],
    all_or_nothing: bool,
    actor: Option<&str>,
    writer: Option<&crate::db::Writer>,
    may_import: &mut dyn FnMut(&mut DbConn, &str) -> ApiResult<bool>,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> ApiResult<ImportReport> {
    let (headers, rows) = parse(bytes)?;
    require_columns(
        &headers,
        &[
            "village_code",
            "household_code",
            "name",
            "birth_year",
            "learner_group",
            "eid_status",
        ],
    )?;
    let mut report = ImportReport {
        rows: rows.len(),
        ..Default::default()
    };
    let mut villages: HashMap<String, Option<String>> = HashMap::new();
    let mut valid = Vec::new();
    let mut seen_keys = HashMap::new();
    let mut seen_phones = HashMap::new();
    for (line, row) in &rows {
        let mut problems = Vec::new();
        let mut problem = |column: &str, text: String| {
            problems.push(RowProblem {
                row: *line,
                column: column.into(),
                problem: text,
            })
        };
        let village_code = cell(&headers, row, "village_code");
        let village_id = match villages.get(village_code) {
            Some(v) => v.clone(),
            None => {
                let found = q::locality_by_code(conn, village_code)?
                    .filter(|l| LocalityKind::parse(&l.kind) == Some(LocalityKind::Village))
                    .map(|l| l.id);
                let allowed = match &found {
                    Some(id) => may_import(conn, id)?,
                    None => false,
                };
                let v = found.filter(|_| allowed);
                villages.insert(village_code.to_string(), v.clone());
                v
            }
        };
        if village_id.is_none() {
            problem(
                "village_code",
                format!(
                    "không có thôn mã `{village_code}` trong địa bàn của bạn / no village `{village_code}` in your area"
                ),
            );
        }
        let household_code = cell(&headers, row, "household_code");
        if household_code.is_empty() || household_code.len() > 40 {
            problem(
                "household_code",
                "bắt buộc, tối đa 40 ký tự / required, at most 40 characters".into(),
            );
        }
        let name = cell(&headers, row, "name");
        if name.is_empty() || name.chars().count() > 100 {
            problem(
                "name",
                "bắt buộc, tối đa 100 ký tự / required, at most 100 characters".into(),
            );
        }
        let birth = cell(&headers, row, "birth_year");
        let birth_year = if birth.is_empty() {
            None
        } else {
            match birth.parse::<i32>() {
                Ok(y) if crate::db::community::Profile::birth_years().contains(&y) => Some(y),
                _ => {
                    let years = crate::db::community::Profile::birth_years();
                    problem(
                        "birth_year",
                        format!(
                            "`{birth}` không phải năm từ {a} đến {b} / \
                             `{birth}` is not a year between {a} and {b}",
                            a = years.start(),
                            b = years.end()
                        ),
                    );
                    None
                }
            }
        };
        let group = cell(&headers, row, "learner_group");
        let group = if group.is_empty() { "citizen" } else { group };
        if !GROUPS.contains(&group) {
            problem(
                "learner_group",
                format!(
                    "`{group}`: dùng citizen, official, enterprise_worker hoặc student / \
                     `{group}`: use citizen, official, enterprise_worker or student"
                ),
            );
        }
        let phone_raw = cell(&headers, row, "phone");
        let phone = if phone_raw.is_empty() {
            None
        } else {
            let p = crate::accounts::normalize_phone(phone_raw);
            if p.is_none() {
                problem(
                    "phone",
                    format!(
                        "`{phone_raw}` không phải số điện thoại Việt Nam / \
                         `{phone_raw}` is not a Vietnamese phone number"
                    ),
                );
            }
            p
        };
        let eid = cell(&headers, row, "eid_status");
        let eid_text = eid;
        let eid = if eid_text.is_empty() {
            Some(EidStatus::None)
        } else {
            EidStatus::parse(eid_text)
        };
        if eid.is_none() {
            problem(
                "eid_status",
                format!(
                    "`{eid_text}`: dùng none, level1 hoặc level2 / \
                     `{eid_text}`: use none, level1 or level2"
                ),
            );
        }
        let external = cell(&headers, row, "external_id");
        let key = if external.is_empty() {
            format!("{village_code}/{household_code}/{}", fold(name))
        } else {
            format!("id:{external}")
        };
        if let Some(first) = seen_keys.insert(key.clone(), *line) {
            problem(
                "name",
                format!("trùng người ở dòng {first} / the same resident as line {first}"),
            );
        }
        if let Some(p) = &phone {
            if let Some(first) = seen_phones.insert(p.clone(), *line) {
                problem(
                    "phone",
                    format!(
                    "trùng số điện thoại ở dòng {first} / the same phone number as line {first}"
                ),
                );
            }
        }
        if let (true, Some(eid)) = (problems.is_empty(), eid) {
            valid.push(ResidentRow {
                line: *line,
                key,
                village_id: village_id.unwrap_or_default(),
                household_code: household_code.to_string(),
                name: name.to_string(),
                birth_year,
                group: group.to_string(),
                phone,
                eid,
            });
        } else {
            report.rejected += 1;
            report.problems.extend(problems);
        }
    }
    // Whom each valid row reaches, decided before anything is written.
    let mut planned = Vec::with_capacity(valid.len());
    for r in valid {
        match resolve_resident(conn, &r, may_import)? {
            Ok(target) => planned.push((r, target)),
            Err(problem) => {
                report.rejected += 1;
                report.problems.push(problem);
            }
        }
    }
    if all_or_nothing && !report.problems.is_empty() {
        report.applied = false;
        return Ok(report);
    }
    let total = planned.len();
    let mut done = 0;
    // Short transactions, so that other writers (learners' progress on SQLite's single writer)
    // never wait long behind an import.
    let actor = actor.map(str::to_string);
    let mut planned = planned.into_iter().peekable();
    while planned.peek().is_some() {
        let batch: Vec<_> = planned.by_ref().take(IMPORT_BATCH).collect();
        let n = batch.len();
        let actor = actor.clone();
        let write = move |conn: &mut DbConn| {
            let mut part = ImportReport::default();
            for (r, target) in &batch {
                apply_resident(conn, r, target, actor.as_deref(), &mut part)?;
            }
            Ok::<_, ApiError>(part)
        };
        let part = match writer {
            // The server's writer thread takes queued writes in turn: a learner's write waits
            // for one batch at most.
            Some(w) => w.transaction(write)?,
            None => {
                if done > 0 && matches!(conn, DbConn::Sqlite(_)) {
                    // SQLite hands its write lock to no one in particular: a writer of another
                    // process (the server, while `hocso residents import` runs) polls for it
                    // every 1–25 ms in its first 100 ms of waiting. A pause longer than that
                    // between two batches lets it in.
                    std::thread::sleep(IMPORT_PAUSE);
                }
                crate::db::transaction(conn, write)?
            }
        };
        report.created += part.created;
        report.updated += part.updated;
        report.unchanged += part.unchanged;
        report.waiting_for_owner.extend(part.waiting_for_owner);
        done += n;
        progress(done, total);
    }
    report.applied = true;
    Ok(report)
}

/// Rows written per transaction by the resident import: small enough (~25 ms on SQLite) that a
/// concurrent write waits tens of milliseconds, not the whole import (bench/import-stall).
pub const IMPORT_BATCH: usize = 50;

/// The pause between two batches written by a command on SQLite: longer than the longest poll
/// interval of SQLite's busy handler in its first 100 ms of waiting (25 ms), so that a writer of
/// another process waiting behind a batch gets the lock in the pause after it.
const IMPORT_PAUSE: std::time::Duration = std::time::Duration::from_millis(30);

/// The account a valid resident row reaches.
enum Target {
    /// A resident the importer manages: updated in place.
    Managed(q::Profile),
    /// Nobody yet: a new account, created for the resident in the row's village.
    New,
    /// An account the importer may not change (self-registered, holding a role, or counted in
    /// another area) found by the row's phone: its owner is asked to confirm the link.
    Owner(String),
}

/// Decides whom a row reaches. An import never moves or changes an account outside the
/// importer's area or one that holds a role (`access::may_manage`): such an account found by
/// phone is asked, and an external id already used outside the area is refused.
fn resolve_resident(
    conn: &mut DbConn,
    r: &ResidentRow,
    may_import: &mut dyn FnMut(&mut DbConn, &str) -> ApiResult<bool>,
) -> ApiResult<Result<Target, RowProblem>> {
    if let Some(p) = q::profile_by_external_key(conn, &r.key)? {
        if crate::access::may_manage(conn, &p, may_import)? {
            return Ok(Ok(Target::Managed(p)));
        }
        if r.key.starts_with("id:") {
            return Ok(Err(RowProblem {
                row: r.line,
                column: "external_id".into(),
                problem: "mã này thuộc về một người ngoài địa bàn của bạn / this external id belongs to a person outside your area".into(),
            }));
        }
        return Ok(Ok(Target::Owner(p.user_id)));
    }
    let Some(phone) = &r.phone else {
        return Ok(Ok(Target::New));
    };
    let Some(user) =
        crate::accounts::find_by_login(conn, &crate::accounts::LoginId::Phone(phone.clone()))?
    else {
        return Ok(Ok(Target::New));
    };
    match q::profile(conn, &user.id)? {
        Some(p) if crate::access::may_manage(conn, &p, may_import)? => Ok(Ok(Target::Managed(p))),
        _ => Ok(Ok(Target::Owner(user.id))),
    }
}

fn apply_resident(
    conn: &mut DbConn,
    r: &ResidentRow,
    target: &Target,
    actor: Option<&str>,
    report: &mut ImportReport,
) -> ApiResult<()> {
    let household = match q::household_by_code(conn, &r.village_id, &r.household_code)? {
        Some(h) => h.id,
        None => q::insert_household(
            conn,
            &r.village_id,
            &r.household_code,
            &r.household_code,
            None,
        )?,
    };
    let (existing, mut profile) = match target {
        Target::Managed(p) => (true, p.clone()),
        Target::New => {
            // No password: the account cannot log in until a facilitator gives a reset code.
            let user_id = crate::accounts::insert_account(
                conn,
                &crate::accounts::NewAccount {
                    display_name: &r.name,
                    email: None,
                    phone: r.phone.as_deref(),
                    username: None,
                    password: "",
                    language: "vi",
                },
                "!",
            )?
            .id;
            (false, q::Profile::empty(&user_id))
        }
        Target::Owner(user_id) => {
            let asked = q::request_village_link(
                conn,
                &q::VillageLink {
                    id: crate::db::new_id(),
                    user_id: user_id.clone(),
                    village_id: r.village_id.clone(),
                    household_id: household,
                    birth_year: r.birth_year,
                    learner_group: r.group.clone(),
                    eid_status: r.eid.as_str().to_string(),
                    external_key: Some(r.key.clone()),
                    requested_by: actor.map(String::from),
                    created_at: crate::db::now(),
                },
            )?;
            if asked {
                q::audit(
                    conn,
                    actor.unwrap_or("cli"),
                    "resident.link_requested",
                    Some(user_id),
                    Some(&r.village_id),
                    &serde_json::json!({}),
                )?;
            }
            report.waiting_for_owner.push(r.line);
            return Ok(());
        }
    };
    // What an import sets; the row is written only when one of these changes.
    let imported = |p: &q::Profile| {
        (
            p.village_id.clone(),
            p.household_id.clone(),
            p.birth_year,
            p.learner_group.clone(),
            p.eid_status.clone(),
            p.external_key.clone(),
        )
    };
    let before = imported(&profile);
    profile.village_id = Some(r.village_id.clone());
    profile.household_id = Some(household);
    profile.birth_year = r.birth_year;
    profile.learner_group = r.group.clone();
    profile.eid_status = r.eid.as_str().to_string();
    profile.external_key = Some(r.key.clone());
    if existing && before == imported(&profile) {
        report.unchanged += 1;
        return Ok(());
    }
    profile.updated_at = crate::db::now();
    crate::community::save_profile(conn, &profile)?;
    if existing {
        report.updated += 1;
    } else {
        report.created += 1;
    }
    Ok(())
}
