//! The community digital teams (Tổ công nghệ số cộng đồng) of a village: the list with each
//! team's members, a new team, a member added (found by how they log in: username, phone or
//! e-mail; they become a facilitator of the village) or removed.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::super::super::{Chrome, Ctx, Errors, Form, PageError};
use super::{done_of, form_errors};
use crate::auth::AuthUser;
use crate::community::teams;
use crate::community::Db;
use crate::telemetry::run_blocking;

type Answer = Result<HttpResponse, PageError>;

struct MemberItem {
    id: String,
    name: String,
    login: String,
}

struct TeamItem {
    id: String,
    name: String,
    members: Vec<MemberItem>,
    /// What was typed in this team's "add a member" field after a refusal.
    member: String,
}

#[derive(Template)]
#[template(path = "officer_setup_teams.html")]
struct TeamsPage {
    c: Chrome,
    id: String,
    name: String,
    teams: Vec<TeamItem>,
    errs: Errors,
    flash: &'static str,
    team_name: String,
}

/// What the forms hold after a refusal: the new team's name, or a team's member field.
#[derive(Default)]
struct Typed {
    errs: Errors,
    team_name: String,
    member: Option<(String, String)>,
}

async fn teams_view(
    ctx: &Ctx,
    user: &AuthUser,
    id: String,
    typed: Typed,
) -> Result<TeamsPage, PageError> {
    let t = ctx.t();
    let (st, actor, vid) = (ctx.state.clone(), user.clone(), id.clone());
    let (village, list) = run_blocking(move || teams::of_village(&Db::of(&st), &actor, &vid))
        .await
        .map_err(|e| PageError::hidden(ctx.lang, e))?;
    let teams = list
        .into_iter()
        .map(|tv| TeamItem {
            member: match &typed.member {
                Some((team, typed)) if *team == tv.team.id => typed.clone(),
                _ => String::new(),
            },
            id: tv.team.id,
            name: tv.team.name,
            members: tv
                .members
                .into_iter()
                .map(|m| MemberItem {
                    id: m.id,
                    name: m.display_name,
                    login: m.login,
                })
                .collect(),
        })
        .collect();
    Ok(TeamsPage {
        c: ctx.chrome(format!("{} – {}", t.setup_teams_title, village.name), true),
        id,
        name: village.name,
        teams,
        errs: typed.errs,
        flash: "",
        team_name: typed.team_name,
    })
}

pub(super) async fn teams_page(ctx: Ctx, path: web::Path<String>) -> Answer {
    let user = ctx.user().await?;
    let t = ctx.t();
    let mut page = teams_view(&ctx, &user, path.into_inner(), Typed::default()).await?;
    page.flash = match done_of(&ctx.here).as_deref() {
        Some("created") => t.setup_team_created,
        Some("added") => t.setup_member_added,
        Some("removed") => t.setup_member_removed,
        _ => "",
    };
    ctx.ok(&page)
}

async fn again(ctx: &Ctx, user: &AuthUser, id: String, typed: Typed) -> Answer {
    let page = teams_view(ctx, user, id, typed).await?;
    ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

fn done(ctx: &Ctx, id: &str, what: &str) -> HttpResponse {
    ctx.see_other(&format!("/officer/localities/{id}/teams?done={what}"))
}

pub(super) async fn create_team(form: Form, path: web::Path<String>) -> Answer {
    let ctx = &form.ctx;
    let user = ctx.user().await?;
    let id = path.into_inner();
    let name = form.text("team_name");
    let (st, actor, vid, n) = (ctx.state.clone(), user.clone(), id.clone(), name.clone());
    match run_blocking(move || teams::create(&Db::of(&st), &actor, vid, n)).await {
        Ok(_) => Ok(done(ctx, &id, "created")),
        Err(e) => {
            let errs = form_errors(ctx.t(), ctx.lang, e, "team_name", "team_name", |_| {
                "team_name".to_string()
            })?;
            let typed = Typed {
                errs,
                team_name: name,
                member: None,
            };
            again(ctx, &user, id, typed).await
        }
    }
}

pub(super) async fn add_member(form: Form, path: web::Path<String>) -> Answer {
    let ctx = &form.ctx;
    let user = ctx.user().await?;
    let id = path.into_inner();
    let (team, login) = (form.text("team"), form.text("member"));
    let (st, actor, tid, l) = (ctx.state.clone(), user.clone(), team.clone(), login.clone());
    let result =
        run_blocking(move || teams::add_member_by_login(&Db::of(&st), &actor, tid, l.trim())).await;
    match result {
        // The team may be of another village the officer administers: back to its page.
        Ok(tm) => Ok(done(ctx, &tm.team.village_id, "added")),
        Err(e) => {
            let field = format!("member-{team}");
            let errs = form_errors(ctx.t(), ctx.lang, e, &field, &field, |_| field.clone())?;
            let typed = Typed {
                errs,
                team_name: String::new(),
                member: Some((team, login)),
            };
            again(ctx, &user, id, typed).await
        }
    }
}

pub(super) async fn remove_member(form: Form, _village: web::Path<String>) -> Answer {
    let ctx = &form.ctx;
    let user = ctx.user().await?;
    let (team, member) = (form.text("team"), form.text("member"));
    let (st, actor) = (ctx.state.clone(), user.clone());
    match run_blocking(move || teams::remove_member(&Db::of(&st), &actor, team, member)).await {
        Ok(tm) => Ok(done(ctx, &tm.team.village_id, "removed")),
        Err(e) => Err(PageError::hidden(ctx.lang, e)),
    }
}
