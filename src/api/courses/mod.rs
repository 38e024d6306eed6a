//! `/api/v1/courses`: the public catalogue (served from memory) and the authoring API, one file
//! per resource. Each handler extracts, calls one use case of [`crate::courses`] and maps its
//! answer.

mod authors;
mod catalogue;
mod drafts;
mod lessons;
mod modules;
mod publish;

pub use authors::*;
pub use catalogue::*;
pub use drafts::*;
pub use lessons::*;
pub use modules::*;
pub use publish::*;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::content::CourseDoc;
use crate::courses::authoring::Draft;

#[derive(Serialize, ToSchema)]
pub struct DraftResponse {
    pub slug: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    pub co_authors: Vec<String>,
    /// Number of the latest release, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_release: Option<i32>,
    pub draft_version: i32,
    pub updated_at: DateTime<Utc>,
    pub draft: CourseDoc,
}

impl From<Draft> for DraftResponse {
    fn from(d: Draft) -> Self {
        Self {
            slug: d.row.slug,
            owner_id: d.row.owner_id,
            co_authors: d.co_authors,
            latest_release: d.row.latest_release,
            draft_version: d.row.draft_version,
            updated_at: d.row.updated_at.and_utc(),
            draft: d.doc,
        }
    }
}
