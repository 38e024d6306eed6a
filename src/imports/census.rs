//! The census import: a locality's figures for a year, empty cells left unknown.

use super::{cell, parse, require_columns, ImportReport, RowProblem};
use crate::db::community as q;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

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
                    problem: format!("không có địa bàn mã `{code}` / no locality `{code}`"),
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
                        problem: "một năm từ 2000 đến 2100 / a year between 2000 and 2100".into(),
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
                            problem: format!(
                                "`{v}` không phải số nguyên / `{v}` is not a whole number"
                            ),
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
