//! The locality tree import: provinces, communes and villages by code, parents placed first.

use super::{cell, parse, require_columns, ImportReport, Row, RowProblem};
use crate::db::community as q;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::kinds::LocalityKind;

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
                let kind =
                    LocalityKind::parse(kind).filter(|_| !code.is_empty() && !name.is_empty());
                let Some(kind) = kind else {
                    report.rejected += 1;
                    report.problems.push(RowProblem {
                        row: line,
                        column: "kind".into(),
                        problem:
                            "cần mã, tên và loại (province, commune hoặc village) / code, name and a kind of province, commune or village are required"
                                .into(),
                    });
                    continue;
                };
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
                        q::insert_locality(
                            conn,
                            parent_id.as_deref(),
                            kind.as_str(),
                            name,
                            Some(code),
                        )?;
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
                        problem: {
                            let c = cell(&headers, row, "parent_code");
                            format!("không có địa bàn mã `{c}` / no locality `{c}`")
                        },
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
