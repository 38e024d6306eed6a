//! Cursor pagination: `?limit=` (default 20, max 100) and `?cursor=`; the next cursor in the body
//! (`next_cursor`) and in an RFC 8288 `Link` header.

use actix_web::{HttpRequest, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

#[derive(Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `?cursor=` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

pub fn limit(raw: Option<i64>) -> ApiResult<i64> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::field(
            "limit",
            "out_of_range",
            format!("limit must be between 1 and {MAX_LIMIT}"),
        )),
    }
}

pub fn encode_cursor(parts: &[&str]) -> String {
    URL_SAFE_NO_PAD.encode(parts.join("\n"))
}

pub fn decode_cursor(raw: &str, n: usize) -> ApiResult<Vec<String>> {
    let bad = || {
        ApiError::field(
            "cursor",
            "invalid",
            "The cursor is not one this server gave out.",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let parts: Vec<String> = text.split('\n').map(String::from).collect();
    if parts.len() != n {
        return Err(bad());
    }
    Ok(parts)
}

/// 200 with the page as JSON and, when there is a next page, a `Link: <...>; rel="next"`.
pub fn respond<T: Serialize + ToSchema>(req: &HttpRequest, page: Page<T>) -> HttpResponse {
    let mut res = HttpResponse::Ok();
    if let Some(cursor) = &page.next_cursor {
        let mut url = url::Url::parse("http://x").expect("static url");
        url.set_path(req.path());
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
                if k != "cursor" {
                    q.append_pair(&k, &v);
                }
            }
            q.append_pair("cursor", cursor);
        }
        let target = match url.query() {
            Some(q) => format!("{}?{}", url.path(), q),
            None => url.path().to_string(),
        };
        res.insert_header(("Link", format!("<{target}>; rel=\"next\"")));
    }
    res.json(page)
}
