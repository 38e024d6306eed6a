//! The catalogue: search without diacritics, filters, pages of cards.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::super::{Chrome, Ctx, PageError};
use super::pick;
use crate::content::catalogue::Filter;
use crate::courses::catalogue;
use crate::i18n::Lang;

pub(super) struct CardView {
    pub(super) title: String,
    pub(super) summary: String,
    pub(super) href: String,
    pub(super) minutes: u32,
    pub(super) lessons: usize,
    pub(super) quizzes: usize,
    pub(super) topic: String,
    pub(super) level: String,
}

pub(super) fn card_view(lang: Lang, c: &crate::content::catalogue::CourseCard) -> CardView {
    let t = crate::i18n::pages::texts(lang);
    CardView {
        title: pick(lang, &c.title, &c.title_en).to_string(),
        summary: pick(lang, &c.summary, &c.summary_en).to_string(),
        href: format!("/courses/{}", c.slug),
        minutes: c.estimated_minutes,
        lessons: c.lesson_count,
        quizzes: c.quiz_count,
        topic: t.topic_name(&c.topic).to_string(),
        level: t.level_name(&c.level).to_string(),
    }
}

#[derive(Deserialize)]
pub(super) struct CatalogueQuery {
    q: Option<String>,
    topic: Option<String>,
    level: Option<String>,
    group: Option<String>,
    from: Option<usize>,
}

/// A select's options: (value, label, selected).
type Options = Vec<(&'static str, &'static str, bool)>;

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    c: Chrome,
    q: String,
    topics: Options,
    levels: Options,
    groups: Options,
    cards: Vec<CardView>,
    more: Option<String>,
    error: String,
    /// A filter is chosen: the filters are shown open.
    filtered: bool,
}

const PAGE_SIZE: usize = 20;

fn options(
    values: &[&'static str],
    label: impl Fn(&str) -> &'static str,
    chosen: &Option<String>,
) -> Options {
    values
        .iter()
        .map(|v| (*v, label(v), chosen.as_deref() == Some(*v)))
        .collect()
}

pub(super) async fn catalogue_page(
    ctx: Ctx,
    query: Result<web::Query<CatalogueQuery>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let lang = ctx.lang;
    let t = ctx.t();
    let query = query.map(|q| q.into_inner()).unwrap_or(CatalogueQuery {
        q: None,
        topic: None,
        level: None,
        group: None,
        from: None,
    });
    let blank = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let (topic, level, group) = (blank(query.topic), blank(query.level), blank(query.group));
    let q = blank(query.q.clone());
    let from = query.from.unwrap_or(0);
    let filter = Filter {
        topic: topic.clone(),
        group: group.clone(),
        level: level.clone(),
        language: None,
        competence: None,
        q: q.clone(),
    };
    let (cards, more, error) =
        match catalogue::search(&ctx.state.catalogue, filter, from, PAGE_SIZE) {
            Ok(page) => {
                let more = page.next_offset.map(|n| {
                    let mut s = url::form_urlencoded::Serializer::new(String::new());
                    for (k, v) in [
                        ("q", &q),
                        ("topic", &topic),
                        ("level", &level),
                        ("group", &group),
                    ] {
                        if let Some(v) = v {
                            s.append_pair(k, v);
                        }
                    }
                    s.append_pair("from", &n.to_string());
                    format!("/courses?{}", s.finish())
                });
                (
                    page.items.iter().map(|c| card_view(lang, c)).collect(),
                    more,
                    String::new(),
                )
            }
            Err(e) => (Vec::new(), None, crate::web::message_of(lang, &e)),
        };
    ctx.ok(&CataloguePage {
        c: ctx.chrome(t.catalogue_title, ctx.has_session()),
        q: query.q.unwrap_or_default(),
        topics: options(crate::content::TOPICS, |v| t.topic_name(v), &topic),
        levels: options(crate::content::LEVELS, |v| t.level_name(v), &level),
        groups: options(crate::content::GROUPS, |v| t.group_name(v), &group),
        filtered: topic.is_some() || level.is_some() || group.is_some(),
        cards,
        more,
        error,
    })
}
