//! Bulk imports from CSV: the locality tree, census figures and residents. Every row is checked
//! and reported (row, column, problem); valid rows are applied, or none with all-or-nothing.
//! UTF-8 with or without BOM; comma or semicolon.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::content::{fold, GROUPS};
use crate::db::community as q;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct RowProblem {
    /// 1-based line in the file (the header is line 1).
    pub row: usize,
    pub column: String,
    pub problem: String,
}

#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct ImportReport {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Rows with problems (not applied).
    pub rejected: usize,
    /// Nothing was applied (all-or-nothing mode with problems).
    pub applied: bool,
    /// Lines whose phone number or key found an account that the importer may not change (a
    /// self-registered learner, an account with a role, or a person counted in another area):
    /// its owner is asked to confirm the link to the village (`POST /api/v1/me/village-link`),
    /// and until then nothing of the account changes.
    pub waiting_for_owner: Vec<usize>,
    pub problems: Vec<RowProblem>,
}

/// A data row: its 1-based line and its fields.
pub type Row = (usize, Vec<String>);

/// Parses CSV text: strips a BOM, picks `;` or `,` from the header line, lower-cases headers.
pub fn parse(bytes: &[u8]) -> ApiResult<(Vec<String>, Vec<Row>)> {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|e| ApiError::field("file", "not_utf8", format!("the file is not UTF-8: {e}")))?;
    let header = text.lines().next().unwrap_or("");
    let delimiter = if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ApiError::field("file", "bad_csv", e.to_string()))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record
            .map_err(|e| ApiError::field("file", "bad_csv", format!("line {}: {e}", i + 2)))?;
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        if record.iter().any(crate::text::has_refused_control) {
            return Err(ApiError::field(
                "file",
                "control_character",
                format!(
                    "line {}: a cell contains a control character (such as NUL)",
                    i + 2
                ),
            ));
        }
        rows.push((i + 2, record.iter().map(String::from).collect()));
    }
    Ok((headers, rows))
}

fn require_columns(headers: &[String], needed: &[&str]) -> ApiResult<()> {
    let missing: Vec<&str> = needed
        .iter()
        .copied()
        .filter(|c| !headers.iter().any(|h| h == c))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ApiError::field(
            "file",
            "missing_columns",
            format!("missing columns: {}", missing.join(", ")),
        ))
    }
}

fn cell<'a>(headers: &[String], row: &'a [String], name: &str) -> &'a str {
    headers
        .iter()
        .position(|h| h == name)
        .and_then(|i| row.get(i))
        .map(|s| s.as_str())
        .unwrap_or("")
}

struct ResidentRow {
    line: usize,
    key: String,
    village_id: String,
    household_code: String,
    name: String,
    birth_year: Option<i32>,
    group: String,
    phone: Option<String>,
    eid: String,
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
                    .filter(|l| l.kind == "village")
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
                format!("no village `{village_code}` in your area"),
            );
        }
        let household_code = cell(&headers, row, "household_code");
        if household_code.is_empty() || household_code.len() > 40 {
            problem("household_code", "required, at most 40 characters".into());
        }
        let name = cell(&headers, row, "name");
        if name.is_empty() || name.chars().count() > 100 {
            problem("name", "required, at most 100 characters".into());
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
                            "`{birth}` is not a year between {} and {}",
                            years.start(),
                            years.end()
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
                format!("`{group}`: use citizen, official, enterprise_worker or student"),
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
                    format!("`{phone_raw}` is not a Vietnamese phone number"),
                );
            }
            p
        };
        let eid = cell(&headers, row, "eid_status");
        let eid = if eid.is_empty() { "none" } else { eid };
        if !crate::community::EID_STATUSES.contains(&eid) {
            problem("eid_status", format!("`{eid}`: use none, level1 or level2"));
        }
        let external = cell(&headers, row, "external_id");
        let key = if external.is_empty() {
            format!("{village_code}/{household_code}/{}", fold(name))
        } else {
            format!("id:{external}")
        };
        if let Some(first) = seen_keys.insert(key.clone(), *line) {
            problem("name", format!("the same resident as line {first}"));
        }
        if let Some(p) = &phone {
            if let Some(first) = seen_phones.insert(p.clone(), *line) {
                problem("phone", format!("the same phone number as line {first}"));
            }
        }
        if problems.is_empty() {
            valid.push(ResidentRow {
                line: *line,
                key,
                village_id: village_id.unwrap_or_default(),
                household_code: household_code.to_string(),
                name: name.to_string(),
                birth_year,
                group: group.to_string(),
                phone,
                eid: eid.to_string(),
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
                problem: "this external id belongs to a person outside your area".into(),
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
                    eid_status: r.eid.clone(),
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
    let before = (
        profile.village_id.clone(),
        profile.household_id.clone(),
        profile.birth_year,
        profile.learner_group.clone(),
        profile.eid_status.clone(),
        profile.external_key.clone(),
    );
    profile.village_id = Some(r.village_id.clone());
    profile.household_id = Some(household);
    profile.birth_year = r.birth_year;
    profile.learner_group = r.group.clone();
    profile.eid_status = r.eid.clone();
    profile.external_key = Some(r.key.clone());
    let after = (
        profile.village_id.clone(),
        profile.household_id.clone(),
        profile.birth_year,
        profile.learner_group.clone(),
        profile.eid_status.clone(),
        profile.external_key.clone(),
    );
    if existing && before == after {
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

/// Imports a locality tree. Columns: `code, name, kind (province|commune|village), parent_code`.
/// Rows may come in any order; existing codes are updated (name), so a second run changes nothing.
pub fn import_localities(conn: &mut DbConn, bytes: &[u8]) -> ApiResult<ImportReport> {
    let (headers, rows) = parse(bytes)?;
    require_columns(&headers, &["code", "name", "kind", "parent_code"])?;
    let mut report = ImportReport {
        rows: rows.len(),
        ..Default::default()
    };
    let mut pending: Vec<Row> = rows;
    crate::db::transaction(conn, |conn| {
        // Parents first: repeat passes until nothing more can be placed.
        loop {
            let mut next = Vec::new();
            let before = pending.len();
            for (line, row) in pending {
                let (code, name, kind, parent) = (
                    cell(&headers, &row, "code"),
                    cell(&headers, &row, "name"),
                    cell(&headers, &row, "kind"),
                    cell(&headers, &row, "parent_code"),
                );
                let parent_id = if parent.is_empty() {
                    None
                } else {
                    match q::locality_by_code(conn, parent)? {
                        Some(p) => Some(p.id),
                        None => {
                            next.push((line, row));
                            continue;
                        }
                    }
                };
                if code.is_empty() || name.is_empty() || !crate::community::KINDS.contains(&kind) {
                    report.rejected += 1;
                    report.problems.push(RowProblem {
                        row: line,
                        column: "kind".into(),
                        problem:
                            "code, name and a kind of province, commune or village are required"
                                .into(),
                    });
                    continue;
                }
                match q::locality_by_code(conn, code)? {
                    Some(l) if l.name == name && l.parent_id == parent_id => report.unchanged += 1,
                    Some(l) => {
                        use crate::db::schema::localities;
                        use diesel::prelude::*;
                        diesel::update(localities::table.find(&l.id))
                            .set((
                                localities::name.eq(name),
                                localities::parent_id.eq(parent_id),
                            ))
                            .execute(conn)?;
                        report.updated += 1;
                    }
                    None => {
                        q::insert_locality(conn, parent_id.as_deref(), kind, name, Some(code))?;
                        report.created += 1;
                    }
                }
            }
            if next.is_empty() || next.len() == before {
                for (line, row) in &next {
                    report.rejected += 1;
                    report.problems.push(RowProblem {
                        row: *line,
                        column: "parent_code".into(),
                        problem: format!("no locality `{}`", cell(&headers, row, "parent_code")),
                    });
                }
                break;
            }
            pending = next;
        }
        Ok::<_, ApiError>(())
    })?;
    report.applied = true;
    Ok(report)
}

/// Imports census figures. Columns: `code, year` and any of `population, aged_14_plus, adults,
/// working_age, households, officials, enterprise_workers, students` (empty cells stay unknown).
pub fn import_census(conn: &mut DbConn, bytes: &[u8]) -> ApiResult<ImportReport> {
    const FIELDS: [&str; 8] = [
        "population",
        "aged_14_plus",
        "adults",
        "working_age",
        "households",
        "officials",
        "enterprise_workers",
        "students",
    ];
    let (headers, rows) = parse(bytes)?;
    require_columns(&headers, &["code", "year"])?;
    let mut report = ImportReport {
        rows: rows.len(),
        ..Default::default()
    };
    crate::db::transaction(conn, |conn| {
        for (line, row) in &rows {
            let code = cell(&headers, row, "code");
            let Some(loc) = q::locality_by_code(conn, code)? else {
                report.rejected += 1;
                report.problems.push(RowProblem {
                    row: *line,
                    column: "code".into(),
                    problem: format!("no locality `{code}`"),
                });
                continue;
            };
            let year = match cell(&headers, row, "year").parse::<i32>() {
                Ok(y) if (2000..=2100).contains(&y) => y,
                _ => {
                    report.rejected += 1;
                    report.problems.push(RowProblem {
                        row: *line,
                        column: "year".into(),
                        problem: "a year between 2000 and 2100".into(),
                    });
                    continue;
                }
            };
            let mut values = [None; FIELDS.len()];
            let mut bad = false;
            for (i, f) in FIELDS.iter().enumerate() {
                let v = cell(&headers, row, f);
                if v.is_empty() {
                    continue;
                }
                match v.replace(['.', ' '], "").parse::<i64>() {
                    Ok(n) if n >= 0 => values[i] = Some(n),
                    _ => {
                        bad = true;
                        report.problems.push(RowProblem {
                            row: *line,
                            column: f.to_string(),
                            problem: format!("`{v}` is not a whole number"),
                        });
                    }
                }
            }
            if bad {
                report.rejected += 1;
                continue;
            }
            let census = q::Census {
                locality_id: loc.id.clone(),
                year,
                population: values[0],
                aged_14_plus: values[1],
                adults: values[2],
                working_age: values[3],
                households: values[4],
                officials: values[5],
                enterprise_workers: values[6],
                students: values[7],
                updated_at: crate::db::now(),
            };
            match q::census_of(conn, &loc.id, year)? {
                Some(old)
                    if (
                        old.population,
                        old.aged_14_plus,
                        old.adults,
                        old.working_age,
                        old.households,
                        old.officials,
                        old.enterprise_workers,
                        old.students,
                    ) == (
                        census.population,
                        census.aged_14_plus,
                        census.adults,
                        census.working_age,
                        census.households,
                        census.officials,
                        census.enterprise_workers,
                        census.students,
                    ) =>
                {
                    report.unchanged += 1
                }
                Some(_) => {
                    q::save_census(conn, &census)?;
                    report.updated += 1;
                }
                None => {
                    q::save_census(conn, &census)?;
                    report.created += 1;
                }
            }
        }
        Ok::<_, ApiError>(())
    })?;
    report.applied = true;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_bom_and_semicolons() {
        let (h, rows) = parse("\u{feff}Village_Code;Name\nT1;Bà Tư\n\n".as_bytes()).unwrap();
        assert_eq!(h, ["village_code", "name"]);
        assert_eq!(rows, vec![(2, vec!["T1".to_string(), "Bà Tư".to_string()])]);
        let (_, rows) = parse(b"a,b\n1,2\n").unwrap();
        assert_eq!(rows[0].1, ["1", "2"]);
    }
}
