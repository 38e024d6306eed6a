//! The learner's pages: home ("Học tiếp"), catalogue, course, lesson and "learned", the
//! certificate, and the offline queue's endpoint.

mod catalogue;
mod certificate;
mod course;
mod home;
mod lesson;
mod offline;

use actix_web::web;

use super::{Ctx, PageError};
use crate::content::catalogue::PublishedCourse;
use crate::courses;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::home_page))
        .route("/courses", web::get().to(catalogue::catalogue_page))
        .route("/courses/{slug}", web::get().to(course::course_page))
        .route("/courses/{slug}/enrol", web::post().to(course::enrol))
        .route(
            "/courses/{slug}/lessons/{key}",
            web::get().to(lesson::lesson_page),
        )
        .route(
            "/courses/{slug}/lessons/{key}/done",
            web::post().to(lesson::lesson_done),
        )
        .route(
            "/courses/{slug}/offline",
            web::get().to(offline::offline_list),
        )
        .route("/learn/events", web::post().to(offline::offline_events))
        .route(
            "/my/certificates/{serial}",
            web::get().to(certificate::certificate_page),
        );
}

pub use super::pick;

fn published(ctx: &Ctx, slug: &str) -> Result<std::sync::Arc<PublishedCourse>, PageError> {
    courses::published(&ctx.state.catalogue, slug).map_err(|e| PageError::from_api(ctx.lang, e))
}

pub fn item_href(slug: &str, key: &str, is_quiz: bool) -> String {
    if is_quiz {
        format!("/courses/{slug}/quizzes/{key}")
    } else {
        format!("/courses/{slug}/lessons/{key}")
    }
}

pub use super::day;
