//! The residents of my villages: searched by name, filtered by where they stand.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::super::{day, Chrome, Ctx, PageError};
use super::{course_views, eid_name, staff_user, CourseView};
use crate::community::help;
use crate::community::residents::{self, ResidentOverview};
use crate::community::Db;
use crate::content::fold;
use crate::telemetry::run_blocking;

struct ResidentView {
    href: String,
    name: String,
    eid: &'static str,
    courses: Vec<CourseView>,
    last_activity: String,
    needs_help: bool,
}

struct FilterView {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "staff_residents.html")]
struct ResidentsPage {
    c: Chrome,
    q: String,
    filters: Vec<FilterView>,
    residents: Vec<ResidentView>,
    total: usize,
}

#[derive(Deserialize)]
pub(super) struct ResidentsQuery {
    q: Option<String>,
    status: Option<String>,
}

/// Where a resident stands overall: not started (no course begun), finished (every course
/// joined completed), or in progress.
fn standing(o: &ResidentOverview) -> &'static str {
    if o.courses.is_empty() || o.courses.iter().all(|c| c.percent == 0 && !c.completed) {
        "not_started"
    } else if o.courses.iter().all(|c| c.completed) {
        "finished"
    } else {
        "in_progress"
    }
}

pub(super) async fn residents_page(
    ctx: Ctx,
    query: Result<web::Query<ResidentsQuery>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let user = staff_user(&ctx).await?;
    let lang = ctx.lang;
    let t = ctx.t();
    let (q, status) = match query {
        Ok(q) => (
            q.q.clone().unwrap_or_default(),
            q.status.clone().unwrap_or_default(),
        ),
        Err(_) => (String::new(), String::new()),
    };
    let st = ctx.state.clone();
    let (list, helped) = run_blocking(move || {
        st.read_stale_on(|pool| {
            let db = Db::reading_on(pool, &st);
            let list = residents::overview(&db, &st.catalogue, &user, None)?;
            let helped: std::collections::HashSet<String> =
                help::needs_help(&db, &st.clock, &user, 14)?
                    .into_iter()
                    .map(|n| n.resident.user_id)
                    .collect();
            Ok((list, helped))
        })
    })
    .await
    .map_err(|e| PageError::hidden(lang, e))?;
    let total = list.len();
    let folded = fold(&q);
    let residents = list
        .iter()
        .filter(|o| folded.is_empty() || fold(&o.resident.display_name).contains(&folded))
        .filter(|o| match status.as_str() {
            "needs_help" => helped.contains(&o.resident.user_id),
            "not_started" | "in_progress" | "finished" => standing(o) == status,
            _ => true,
        })
        .map(|o| ResidentView {
            href: format!("/staff/residents/{}", o.resident.user_id),
            name: o.resident.display_name.clone(),
            eid: eid_name(t, &o.profile.eid_status),
            courses: course_views(lang, &o.courses),
            last_activity: o
                .resident
                .last_activity_at
                .map(|d| day(lang, d))
                .unwrap_or_default(),
            needs_help: helped.contains(&o.resident.user_id),
        })
        .collect();
    let filters = [
        ("", t.filter_all),
        ("not_started", t.filter_not_started),
        ("in_progress", t.filter_in_progress),
        ("finished", t.filter_finished),
        ("needs_help", t.filter_needs_help),
    ]
    .into_iter()
    .map(|(value, label)| FilterView {
        value,
        label,
        selected: value == status,
    })
    .collect();
    ctx.ok(&ResidentsPage {
        c: ctx.chrome(t.staff_residents_title, true),
        q,
        filters,
        residents,
        total,
    })
}
