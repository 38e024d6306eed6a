//! My courses and their drafts; one course's draft: its content, its problems by location, the
//! publish button when it has none, and its releases.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::super::learn::pick;
use super::super::{Chrome, Ctx, Form, PageError};
use super::when;
use crate::content::validate::Issue;
use crate::content::{CourseDoc, ItemDoc};
use crate::courses::authoring::{self, Overview};
use crate::error::Code;
use crate::i18n::Lang;
use crate::telemetry::run_blocking;

// ---------------------------------------------------------------- my courses

struct CourseRowView {
    href: String,
    title: String,
    role: &'static str,
    release: Option<(i32, String)>,
    changes: bool,
    updated: String,
    version: i32,
}

#[derive(Template)]
#[template(path = "author_courses.html")]
struct CoursesPage {
    c: Chrome,
    courses: Vec<CourseRowView>,
}

pub(super) async fn courses_page(ctx: Ctx) -> Result<HttpResponse, PageError> {
    let user = ctx.user().await?;
    let (lang, t) = (ctx.lang, ctx.t());
    let pool = ctx.state.pool.clone();
    let list = run_blocking(move || authoring::my_courses(&pool, &user))
        .await
        .map_err(|e| PageError::hidden(lang, e))?;
    let courses = list
        .into_iter()
        .map(|s| CourseRowView {
            href: format!("/author/courses/{}", s.slug),
            title: pick(lang, &s.title, &s.title_en).to_string(),
            role: if s.owner {
                t.author_owner
            } else {
                t.author_coauthor
            },
            release: s.latest_release.map(|(n, at)| (n, when(at))),
            changes: s.unpublished_changes,
            updated: when(s.updated_at),
            version: s.draft_version,
        })
        .collect();
    ctx.ok(&CoursesPage {
        c: ctx.chrome(t.author_title, true),
        courses,
    })
}

// ---------------------------------------------------------------- one course

struct ItemView {
    title: String,
    key: String,
    /// The editor's address, for a lesson.
    edit: Option<String>,
    /// The statistics page, for a quiz.
    stats: Option<String>,
    /// The module's item keys with this one moved up (none for the first) or down (none for
    /// the last): what its "Lên" / "Xuống" form posts.
    up: Option<Vec<String>>,
    down: Option<Vec<String>>,
}

struct ModuleView {
    title: String,
    key: String,
    items: Vec<ItemView>,
    up: Option<Vec<String>>,
    down: Option<Vec<String>>,
}

/// `keys` with the one at `i` swapped with the one before it (`up`) or after it: none when
/// there is nothing on that side.
pub(super) fn moved(keys: &[&str], i: usize, up: bool) -> Option<Vec<String>> {
    let j = if up { i.checked_sub(1)? } else { i + 1 };
    if i >= keys.len() || j >= keys.len() {
        return None;
    }
    let mut out: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    out.swap(i, j);
    Some(out)
}

struct IssueView {
    /// As the API's validation names it (`modules[0].items[1].body`).
    path: String,
    /// The module and item in words.
    place: String,
    /// The lesson's editor, when the problem is in a lesson.
    edit: Option<String>,
    /// The validator's words in the page's language.
    message: String,
}

struct ReleaseView {
    number: i32,
    at: String,
}

#[derive(Template)]
#[template(path = "author_course.html")]
pub(super) struct CoursePage {
    c: Chrome,
    slug: String,
    title: String,
    version: i32,
    updated: String,
    flash: String,
    /// Why a reorder was not done (a conflict, or keys that no longer match the draft).
    pub(super) move_error: Option<&'static str>,
    modules: Vec<ModuleView>,
    issues: Vec<IssueView>,
    changes: bool,
    releases: Vec<ReleaseView>,
}

fn lesson_editor(slug: &str, item: &ItemDoc) -> Option<String> {
    matches!(item, ItemDoc::Lesson(_))
        .then(|| format!("/author/courses/{slug}/lessons/{}", item.key()))
}

/// Where an issue is, in words: "Phần 2: title › item title".
fn place(lang: Lang, doc: &CourseDoc, issue: &Issue) -> (String, Option<String>) {
    let t = crate::i18n::pages::texts(lang);
    let Some(m) = issue
        .loc
        .module
        .and_then(|m| doc.modules.get(m).map(|x| (m, x)))
    else {
        return (
            pick(lang, &doc.meta.title, &doc.meta.title_en).to_string(),
            None,
        );
    };
    let (mi, module) = m;
    let mut words = format!(
        "{} {}: {}",
        t.author_module,
        mi + 1,
        pick(lang, &module.meta.title, &module.meta.title_en)
    );
    let item = issue.loc.item.and_then(|i| module.items.get(i));
    if let Some(item) = item {
        words.push_str(" › ");
        words.push_str(item.title());
    }
    (words, item.and_then(|i| lesson_editor(&doc.slug, i)))
}

pub(super) fn course_view(ctx: &Ctx, o: Overview, flash: String) -> CoursePage {
    let lang = ctx.lang;
    let t = ctx.t();
    let doc = &o.draft.doc;
    let slug = doc.slug.clone();
    let module_keys: Vec<&str> = doc.modules.iter().map(|m| m.key.as_str()).collect();
    let modules = doc
        .modules
        .iter()
        .enumerate()
        .map(|(mi, m)| {
            let item_keys: Vec<&str> = m.items.iter().map(|i| i.key()).collect();
            ModuleView {
                title: pick(lang, &m.meta.title, &m.meta.title_en).to_string(),
                key: m.key.clone(),
                up: moved(&module_keys, mi, true),
                down: moved(&module_keys, mi, false),
                items: m
                    .items
                    .iter()
                    .enumerate()
                    .map(|(ii, i)| ItemView {
                        title: match i {
                            ItemDoc::Lesson(l) => {
                                pick(lang, &l.meta.title, &l.meta.title_en).to_string()
                            }
                            ItemDoc::Quiz(q) => format!("{}: {}", t.author_quiz, q.spec.title),
                        },
                        key: i.key().to_string(),
                        edit: lesson_editor(&slug, i).or_else(|| {
                            matches!(i, ItemDoc::Quiz(_))
                                .then(|| format!("/author/courses/{slug}/quizzes/{}", i.key()))
                        }),
                        stats: matches!(i, ItemDoc::Quiz(_))
                            .then(|| format!("/author/courses/{slug}/quizzes/{}/stats", i.key())),
                        up: moved(&item_keys, ii, true),
                        down: moved(&item_keys, ii, false),
                    })
                    .collect(),
            }
        })
        .collect();
    let issues = o
        .issues
        .iter()
        .map(|i| {
            let (place, edit) = place(lang, doc, i);
            IssueView {
                path: i.path(),
                place,
                edit,
                message: super::said(lang, i),
            }
        })
        .collect();
    CoursePage {
        c: ctx.chrome(pick(lang, &doc.meta.title, &doc.meta.title_en), true),
        title: pick(lang, &doc.meta.title, &doc.meta.title_en).to_string(),
        version: o.draft.row.draft_version,
        updated: when(o.draft.row.updated_at.and_utc()),
        flash,
        move_error: None,
        modules,
        issues,
        changes: o.unpublished_changes,
        releases: o
            .releases
            .iter()
            .map(|r| ReleaseView {
                number: r.number,
                at: when(r.published_at),
            })
            .collect(),
        slug,
    }
}

#[derive(Deserialize)]
pub(super) struct CourseQuery {
    published: Option<i32>,
    unchanged: Option<i32>,
    moved: Option<i32>,
}

pub(super) async fn overview(ctx: &Ctx, slug: String) -> Result<Overview, PageError> {
    let user = ctx.user().await?;
    let lang = ctx.lang;
    let pool = ctx.state.pool.clone();
    run_blocking(move || authoring::overview(&pool, &user, &slug))
        .await
        .map_err(|e| PageError::hidden(lang, e))
}

pub(super) async fn course_page(
    ctx: Ctx,
    path: web::Path<String>,
    query: Result<web::Query<CourseQuery>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let o = overview(&ctx, path.into_inner()).await?;
    let t = ctx.t();
    let flash = match query.ok().map(|q| q.into_inner()) {
        Some(CourseQuery {
            published: Some(n), ..
        }) => format!("{} {n}.", t.author_published_flash),
        Some(CourseQuery {
            unchanged: Some(n), ..
        }) => format!("{} {n}.", t.author_unchanged_flash),
        Some(CourseQuery { moved: Some(n), .. }) => format!("{} {n}.", t.author_moved_flash),
        _ => String::new(),
    };
    ctx.ok(&course_view(&ctx, o, flash))
}

/// "Xuất bản": the draft validated and frozen as a new release (the API's publish); when it has
/// problems (someone changed it since the page was shown), the page again with them.
pub(super) async fn publish(
    form: Form,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let user = ctx.user().await?;
    let lang = ctx.lang;
    let slug = path.into_inner();
    let st = ctx.state.clone();
    let s = slug.clone();
    let res =
        run_blocking(move || authoring::publish(&st.pool, &st.writer, &st.catalogue, &user, &s))
            .await;
    match res {
        Ok(p) if p.created => {
            Ok(ctx.see_other(&format!("/author/courses/{slug}?published={}", p.number)))
        }
        Ok(p) => Ok(ctx.see_other(&format!("/author/courses/{slug}?unchanged={}", p.number))),
        Err(e) if e.code == Code::CourseInvalid => {
            let o = overview(ctx, slug).await?;
            ctx.render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &course_view(ctx, o, String::new()),
            )
        }
        Err(e) => Err(PageError::hidden(lang, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::moved;

    #[test]
    fn a_key_moves_one_place_and_not_past_either_end() {
        let keys = ["a", "b", "c"];
        assert_eq!(moved(&keys, 1, true).unwrap(), ["b", "a", "c"]);
        assert_eq!(moved(&keys, 1, false).unwrap(), ["a", "c", "b"]);
        assert_eq!(moved(&keys, 0, true), None);
        assert_eq!(moved(&keys, 2, false), None);
        assert_eq!(moved(&keys, 3, true), None);
        assert_eq!(moved(&["a"], 0, false), None);
    }
}
