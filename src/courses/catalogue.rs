//! The public catalogue, served from memory: search and paging over the published courses.

use crate::content::catalogue::{Catalogue, CourseCard, Filter};
use crate::error::{ApiError, ApiResult};

/// One page of the catalogue.
pub struct CardPage {
    pub items: Vec<CourseCard>,
    /// The offset of the next page, if there is one.
    pub next_offset: Option<usize>,
}

/// The published courses `filter` finds, `limit` of them from `offset`; `q` has at most 200
/// characters (422 `too_long`).
pub fn search(
    catalogue: &Catalogue,
    filter: Filter,
    offset: usize,
    limit: usize,
) -> ApiResult<CardPage> {
    if let Some(q) = &filter.q {
        if q.chars().count() > 200 {
            return Err(ApiError::field(
                "q",
                "too_long",
                "must have at most 200 characters",
            ));
        }
    }
    let found = catalogue.list(&filter);
    let items = found
        .iter()
        .skip(offset)
        .take(limit)
        .map(|c| c.card.clone())
        .collect();
    let next_offset = (offset + limit < found.len()).then_some(offset + limit);
    Ok(CardPage { items, next_offset })
}
