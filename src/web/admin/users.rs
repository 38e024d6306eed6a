//! The users of the platform, newest first: searched by name, username, phone or e-mail (as
//! `GET /api/v1/admin/users?q=` searches), a page at a time with the API's opaque cursor.

use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::super::{Chrome, Ctx, Errors, PageError};
use super::{as_admin, platform_admin, role_name, Answer};
use crate::accounts::admin::{self as platform, UserCursor, UserQuery};
use crate::api::pagination::{decode_cursor, encode_cursor};

/// Users a page shows.
const PAGE: i64 = 20;

struct UserRow {
    href: String,
    name: String,
    username: String,
    phone: String,
    email: String,
    roles: String,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    c: Chrome,
    q: String,
    users: Vec<UserRow>,
    /// The address of the next page; empty on the last one.
    next: String,
    /// Whether this is a later page (a link back to the first).
    later: bool,
    errs: Errors,
}

#[derive(Deserialize)]
pub(super) struct UsersQuery {
    q: Option<String>,
    cursor: Option<String>,
}

pub(super) async fn users_page(
    ctx: Ctx,
    query: Result<web::Query<UsersQuery>, actix_web::Error>,
) -> Answer {
    let user = platform_admin(&ctx).await?;
    let lang = ctx.lang;
    let t = ctx.t();
    let (q, cursor) = match query {
        Ok(q) => (q.q.clone().unwrap_or_default(), q.cursor.clone()),
        Err(_) => (String::new(), None),
    };
    let mut errs = Errors::default();
    // A cursor that is not one this server gave out: the first page, said beside the search.
    let after = cursor.as_deref().and_then(|c| {
        match decode_cursor(c, 2).and_then(|p| UserCursor::from_parts(&p)) {
            Ok(c) => Some(c),
            Err(_) => {
                errs.push("q", t.admin_bad_cursor);
                None
            }
        }
    });
    let later = after.is_some();
    let query = UserQuery {
        q: Some(q.clone()),
        limit: PAGE,
        after,
    };
    let page = as_admin(&ctx.state, &user, move |a, admin| {
        platform::list_users(a, admin, query)
    })
    .await
    .map_err(|e| PageError::hidden(lang, e))?;
    let next = page
        .next
        .map(|c| {
            let [at, id] = c.to_parts();
            let mut url = url::form_urlencoded::Serializer::new(String::new());
            if !q.trim().is_empty() {
                url.append_pair("q", &q);
            }
            url.append_pair("cursor", &encode_cursor(&[&at, &id]));
            format!("/admin/users?{}", url.finish())
        })
        .unwrap_or_default();
    let users = page
        .items
        .into_iter()
        .map(|a| {
            let mut roles: Vec<&str> = a.roles.iter().map(|r| role_name(t, r.role)).collect();
            roles.sort_unstable();
            roles.dedup();
            UserRow {
                href: format!("/admin/users/{}", a.user.id),
                name: a.user.display_name,
                username: a.user.username.unwrap_or_default(),
                phone: a.user.phone.unwrap_or_default(),
                email: a.user.email.unwrap_or_default(),
                roles: roles.join(", "),
                disabled: a.user.disabled_at.is_some(),
            }
        })
        .collect();
    ctx.ok(&UsersPage {
        c: ctx.chrome(t.admin_users_title, true),
        q,
        users,
        next,
        later,
        errs,
    })
}
