//! Bulk imports from CSV: the locality tree, census figures and residents. Every row is checked
//! and reported (row, column, problem); valid rows are applied, or none with all-or-nothing.
//! UTF-8 with or without BOM; comma or semicolon.
//!
//! Here: the report, CSV parsing and the column helpers every import shares; one file per import
//! (`residents.rs`, `localities.rs`, `census.rs`).

mod census;
mod localities;
mod residents;

pub use census::import_census;
pub use localities::import_localities;
pub use residents::{import_residents, IMPORT_BATCH};

use serde::Serialize;
use utoipa::ToSchema;

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
