//! The locality tree of an officer's area: where they start (`/officer/localities`), and one
//! locality with its children and grandchildren as nested lists, with the forms to add a child
//! (its kind follows from the parent's), to rename it and to change its official code.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::super::super::{Chrome, Ctx, Errors, Form, PageError};
use super::{done_of, form_errors, kind_name};
use crate::auth::AuthUser;
use crate::community::localities::{self, LocalityChanges, TreeNode};
use crate::community::Db;
use crate::community::LocalityKind;
use crate::i18n::pages::Texts;
use crate::telemetry::run_blocking;

type Answer = Result<HttpResponse, PageError>;

/// A locality as the tree shows it.
struct NodeView {
    id: String,
    kind: &'static str,
    name: String,
    code: String,
    children: Vec<NodeView>,
}

fn node_view(t: &Texts, n: TreeNode) -> NodeView {
    NodeView {
        id: n.locality.id,
        kind: kind_name(t, &n.locality.kind),
        name: n.locality.name,
        code: n.locality.code.unwrap_or_default(),
        children: n.children.into_iter().map(|c| node_view(t, c)).collect(),
    }
}

#[derive(Template)]
#[template(path = "officer_setup_roots.html")]
struct RootsPage {
    c: Chrome,
    roots: Vec<NodeView>,
}

/// Where an officer starts: the localities they administer (every province for a platform
/// admin); with one, straight to it.
pub(super) async fn roots_page(ctx: Ctx) -> Answer {
    let user = ctx.user().await?;
    let st = ctx.state.clone();
    let roots = run_blocking(move || localities::roots(&Db::of(&st), &user))
        .await
        .map_err(|e| PageError::hidden(ctx.lang, e))?;
    if let [only] = roots.as_slice() {
        return Ok(ctx.see_other(&format!("/officer/localities/{}", only.id)));
    }
    let t = ctx.t();
    let roots = roots
        .into_iter()
        .map(|l| {
            node_view(
                t,
                TreeNode {
                    locality: l,
                    children: Vec::new(),
                },
            )
        })
        .collect();
    ctx.ok(&RootsPage {
        c: ctx.chrome(t.setup_localities_title, true),
        roots,
    })
}

#[derive(Template)]
#[template(path = "officer_setup_locality.html")]
struct LocalityPage {
    c: Chrome,
    node: NodeView,
    /// The way up, when the officer administers the parent too.
    parent: Option<(String, String)>,
    /// The kind of a child, in words; `None` for a village (it holds none).
    child_kind: Option<&'static str>,
    is_village: bool,
    errs: Errors,
    flash: String,
    /// What the forms show: typed values after a refusal, else the locality's own.
    name: String,
    code: String,
    new_name: String,
    new_code: String,
}

/// What the locality page's forms hold after a refusal.
#[derive(Default)]
struct Typed {
    errs: Errors,
    name: Option<String>,
    code: Option<String>,
    new_name: String,
    new_code: String,
}

async fn locality_view(
    ctx: &Ctx,
    user: &AuthUser,
    id: String,
    typed: Typed,
    flash: String,
) -> Result<LocalityPage, PageError> {
    let t = ctx.t();
    let (st, actor) = (ctx.state.clone(), user.clone());
    let (tree, parent) = run_blocking(move || localities::tree_of(&Db::of(&st), &actor, &id))
        .await
        .map_err(|e| PageError::hidden(ctx.lang, e))?;
    let kind = LocalityKind::parse(&tree.locality.kind);
    let node = node_view(t, tree);
    Ok(LocalityPage {
        c: ctx.chrome(node.name.clone(), true),
        parent: parent.map(|p| (p.id, p.name)),
        child_kind: match kind {
            Some(LocalityKind::Village) => None,
            k => Some(kind_name(
                t,
                k.unwrap_or(LocalityKind::Commune)
                    .child()
                    .map_or("village", |c| c.as_str()),
            )),
        },
        is_village: kind == Some(LocalityKind::Village),
        errs: typed.errs,
        flash,
        name: typed.name.unwrap_or_else(|| node.name.clone()),
        code: typed.code.unwrap_or_else(|| node.code.clone()),
        new_name: typed.new_name,
        new_code: typed.new_code,
        node,
    })
}

pub(super) async fn locality_page(ctx: Ctx, path: web::Path<String>) -> Answer {
    let user = ctx.user().await?;
    let t = ctx.t();
    let flash = match done_of(&ctx.here).as_deref() {
        Some("created") => t.setup_created,
        Some("renamed") => t.setup_renamed,
        Some("recoded") => t.setup_recoded,
        _ => "",
    };
    let page = locality_view(
        &ctx,
        &user,
        path.into_inner(),
        Typed::default(),
        flash.to_string(),
    )
    .await?;
    ctx.ok(&page)
}

/// A refused form: the page again with what was typed and the error beside its field.
async fn again(ctx: &Ctx, user: &AuthUser, id: String, typed: Typed) -> Answer {
    let page = locality_view(ctx, user, id, typed, String::new()).await?;
    ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

pub(super) async fn create_child(form: Form, path: web::Path<String>) -> Answer {
    let ctx = &form.ctx;
    let user = ctx.user().await?;
    let id = path.into_inner();
    let (name, code) = (form.text("new_name"), form.text("new_code"));
    let code_opt = Some(code.trim().to_string()).filter(|c| !c.is_empty());
    let (st, actor, pid, n) = (ctx.state.clone(), user.clone(), id.clone(), name.clone());
    let result =
        run_blocking(move || localities::create_child(&Db::of(&st), &actor, pid, n, code_opt))
            .await;
    match result {
        Ok(_) => Ok(ctx.see_other(&format!("/officer/localities/{id}?done=created"))),
        Err(e) => {
            let errs = form_errors(ctx.t(), ctx.lang, e, "new_code", "new_name", |f| {
                format!("new_{f}")
            })?;
            let typed = Typed {
                errs,
                new_name: name,
                new_code: code,
                ..Typed::default()
            };
            again(ctx, &user, id, typed).await
        }
    }
}

/// Renames or recodes (`field`: `name` or `code`) the locality.
async fn change(form: Form, id: String, field: &str) -> Answer {
    let ctx = &form.ctx;
    let user = ctx.user().await?;
    let value = form.text(field);
    let ch = if field == "name" {
        LocalityChanges {
            name: Some(value.clone()),
            code: None,
        }
    } else {
        LocalityChanges {
            name: None,
            code: Some(value.trim().to_string()),
        }
    };
    let (st, actor, lid) = (ctx.state.clone(), user.clone(), id.clone());
    match run_blocking(move || localities::update(&Db::of(&st), &actor, lid, ch)).await {
        Ok(_) => {
            let done = if field == "name" {
                "renamed"
            } else {
                "recoded"
            };
            Ok(ctx.see_other(&format!("/officer/localities/{id}?done={done}")))
        }
        Err(e) => {
            let errs = form_errors(ctx.t(), ctx.lang, e, "code", field, str::to_string)?;
            let typed = if field == "name" {
                Typed {
                    errs,
                    name: Some(value),
                    ..Typed::default()
                }
            } else {
                Typed {
                    errs,
                    code: Some(value),
                    ..Typed::default()
                }
            };
            again(ctx, &user, id, typed).await
        }
    }
}

pub(super) async fn rename(form: Form, path: web::Path<String>) -> Answer {
    change(form, path.into_inner(), "name").await
}

pub(super) async fn recode(form: Form, path: web::Path<String>) -> Answer {
    change(form, path.into_inner(), "code").await
}
