//! The whole route tree and the OpenAPI document.
//!
//! Every route is registered through `utoipa_actix_web`, so a route that is served is a route
//! that is documented.

pub mod admin;
pub mod auth;
pub mod certificates;
pub mod community;
pub mod constraints;
pub mod courses;
pub mod erasure;
pub mod extract;
pub mod learning;
pub mod me;
pub mod middleware;
pub mod pagination;
pub mod privacy;
pub mod quizzes;
pub mod reports;
pub mod system;
pub mod wire;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "hocso API",
        description = "Học số: self-paced digital-skills learning for Bình dân học vụ số. Errors are RFC 9457 problem+json with a stable `code`; see docs/API.md.",
        version = "1.0.0",
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "system", description = "Health, metrics and this document"),
        (name = "auth", description = "Registration, login, tokens, password reset"),
        (name = "me", description = "The current user's account"),
        (name = "privacy", description = "The privacy notice, consent to it, and erasure (docs/PRIVACY.md)"),
        (name = "admin", description = "User and role management"),
        (name = "catalogue", description = "Published courses, outlines and lessons (public)"),
        (name = "authoring", description = "Drafts, modules, lessons, quizzes, co-authors, releases"),
        (name = "quizzes", description = "Attempts graded on the server, history, statistics"),
        (name = "learning", description = "Enrolment, progress, offline sync, programs"),
        (name = "certificates", description = "Certificates, verification, the issuer's keys"),
        (name = "community", description = "Localities, census figures, households, teams"),
        (name = "facilitator", description = "Community digital teams' work for residents of their villages"),
        (name = "reports", description = "The movement's indicators per locality (docs/REPORTS.md)"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Registers every route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(system::live)
        .service(system::ready)
        .service(system::metrics)
        .service(system::openapi_json)
        .service(certificates::verify_page)
        .service(certificates::jwks)
        .service(certificates::issuer_profile)
        .service(
            utoipa_actix_web::scope("/api/v1")
                // The router tries each route of the scope in turn, a regular expression each, until
                // one matches: the public catalogue reads, the most frequent requests, come first
                // (issue 22: the lesson read tried some 45 patterns before its own). No route
                // they now precede matches their paths.
                .service(courses::list_courses)
                .service(courses::get_course)
                .service(courses::get_lesson)
                .service(auth::register)
                .service(auth::login)
                .service(auth::refresh)
                .service(auth::logout)
                .service(auth::logout_all)
                .service(auth::verify_email)
                .service(auth::forgot_password)
                .service(auth::reset_password)
                .service(me::get_me)
                .service(me::update_me)
                .service(me::change_password)
                .service(privacy::get_notice)
                .service(privacy::my_consents)
                .service(privacy::accept)
                .service(privacy::withdraw)
                .service(privacy::my_choices)
                .service(privacy::set_choices)
                .service(erasure::my_erasure)
                .service(erasure::request_my_erasure)
                .service(erasure::cancel_my_erasure)
                .service(erasure::resident_erasure)
                .service(erasure::request_resident_erasure)
                .service(erasure::cancel_resident_erasure)
                .service(erasure::run_erasures)
                .service(privacy::my_access_records)
                .service(privacy::request_export)
                .service(privacy::get_export)
                .service(privacy::download_export)
                .service(admin::list_users)
                .service(admin::get_user)
                .service(admin::grant_role)
                .service(admin::revoke_role)
                .service(admin::disable_user)
                .service(admin::enable_user)
                .service(admin::admin_password_reset)
                .service(courses::create_course)
                .service(courses::update_course)
                .service(courses::delete_course)
                .service(courses::get_draft)
                .service(courses::create_module)
                .service(courses::reorder_modules)
                .service(courses::update_module)
                .service(courses::delete_module)
                .service(courses::reorder_items)
                .service(courses::create_lesson)
                .service(courses::update_lesson)
                .service(courses::delete_lesson)
                .service(courses::add_author)
                .service(courses::remove_author)
                .service(courses::publish_course)
                .service(courses::list_releases)
                .service(courses::get_release)
                .service(quizzes::start_attempt)
                .service(quizzes::get_attempt)
                .service(quizzes::save_answers)
                .service(quizzes::submit_attempt)
                .service(quizzes::my_attempts)
                .service(quizzes::quiz_stats)
                .service(quizzes::create_quiz)
                .service(quizzes::replace_quiz)
                .service(quizzes::delete_quiz)
                .service(quizzes::add_question)
                .service(quizzes::replace_question)
                .service(quizzes::delete_question)
                .service(learning::enroll)
                .service(learning::leave)
                .service(learning::my_enrollments)
                .service(learning::my_course_progress)
                .service(learning::put_progress)
                .service(learning::progress_batch)
                .service(learning::list_programs)
                .service(learning::get_program)
                .service(learning::my_programs)
                .service(learning::put_program)
                .service(certificates::my_certificates)
                .service(certificates::get_certificate)
                .service(certificates::certificate_pdf)
                .service(certificates::revoke_certificate)
                .service(certificates::status_list)
                .service(certificates::put_certificate_signer)
                .service(certificates::get_certificate_signer)
                .service(community::create_locality)
                .service(community::list_localities)
                .service(community::get_locality)
                .service(community::update_locality)
                .service(community::put_census)
                .service(community::get_census)
                .service(community::create_household)
                .service(community::list_households)
                .service(community::create_team)
                .service(community::add_team_member)
                .service(community::remove_team_member)
                .service(community::get_my_profile)
                .service(community::put_my_profile)
                .service(community::get_my_village_link)
                .service(community::answer_my_village_link)
                .service(community::register_resident)
                .service(community::list_residents)
                .service(community::get_resident)
                .service(community::needs_help)
                .service(community::put_resident_profile)
                .service(community::enroll_resident)
                .service(community::record_resident_progress)
                .service(community::reset_resident_password)
                .service(community::resident_audit)
                .service(community::import_residents)
                .service(community::difficult_questions)
                .service(reports::indicators)
                .service(reports::indicators_csv)
                .service(reports::timeline)
                .service(reports::list_indicator_config)
                .service(reports::put_indicator_config)
                .service(reports::reset_indicator_config)
                .service(reports::put_target),
        );
}

/// The OpenAPI document of the routes `configure` registers.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(configure)
        .split_for_parts()
        .1;
    document_common_responses(&mut doc);
    document_media(&mut doc);
    constraints::refine(&mut doc);
    doc
}

/// Every operation of the document with the path it is on.
fn operations_mut(
    doc: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = (&str, &mut utoipa::openapi::path::Operation)> {
    doc.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        .map(move |op| (path.as_str(), op))
    })
}

/// Gives every answer that has a body a schema, so that generated clients type it: files
/// (`application/pdf`) are binary strings, other text (CSV, HTML, JWS, Prometheus) strings, JSON
/// documents (the JWK set, the issuer profile, this document) objects.
fn document_media(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{
        AdditionalProperties, KnownFormat, ObjectBuilder, SchemaFormat, Type,
    };
    use utoipa::openapi::RefOr;
    for (_, op) in operations_mut(doc) {
        for response in op.responses.responses.values_mut() {
            let RefOr::T(response) = response else {
                continue;
            };
            for (media_type, content) in response.content.iter_mut() {
                if content.schema.is_some() {
                    continue;
                }
                let schema = if media_type == "application/pdf" {
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                } else if media_type.starts_with("text/") || media_type.ends_with("+jwt") {
                    ObjectBuilder::new().schema_type(Type::String)
                } else {
                    ObjectBuilder::new()
                        .schema_type(Type::Object)
                        .additional_properties(Some(AdditionalProperties::FreeForm(true)))
                };
                content.schema = Some(schema.build().into());
            }
        }
    }
}

/// The problem answers that whole kinds of operations can give, documented here once instead of
/// on every handler: 401 where a token is read; 400, 413, 415 and 422 where a JSON body is read;
/// 400, 404 and 422 where path or query parameters are read; 429 on the rate-limited `auth`
/// operations; 503 everywhere (the database is unreachable).
fn document_common_responses(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let problem = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build(),
        )
    };
    for (path, op) in operations_mut(doc) {
        let limited = path.starts_with("/api/v1/auth/");
        let params = op.parameters.as_deref().unwrap_or_default();
        let in_path = params.iter().any(|p| p.parameter_in == ParameterIn::Path);
        let in_query = params.iter().any(|p| p.parameter_in == ParameterIn::Query);
        let body = op.request_body.is_some();
        let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
        let mut common: Vec<(&str, &str)> = Vec::new();
        if secured {
            common.push((
                "401",
                "`unauthenticated`, `invalid_token` or `account_disabled`",
            ));
        }
        if body || in_path || in_query {
            common.push((
                "400",
                "Malformed JSON or an unreadable path or query parameter",
            ));
            common.push((
                "422",
                "`validation_failed`, with every field problem in `errors`",
            ));
        }
        if body {
            common.push(("413", "`payload_too_large`"));
            let json = op
                .request_body
                .as_ref()
                .is_some_and(|b| b.content.contains_key("application/json"));
            if json {
                common.push(("415", "`unsupported_media_type`: send `application/json`"));
            }
            common.push(("404", "Something the request names does not exist"));
        }
        if in_path {
            common.push(("404", "Something the request names does not exist"));
        }
        if limited {
            common.push(("429", "`rate_limited`, with `Retry-After`"));
        }
        common.push((
            "503",
            "`service_unavailable`: the database is not reachable",
        ));
        for (status, description) in common {
            op.responses
                .responses
                .entry(status.to_string())
                .or_insert_with(|| problem(description));
        }
    }
}

/// States the body limit of this server (`max_body_bytes`) in the document: on every 413
/// answer, and on the request body of operations that take a file (`text/csv`, or the `file`
/// part of a `multipart/form-data` form).
pub fn document_body_limit(doc: &mut utoipa::openapi::OpenApi, max_body_bytes: usize) {
    use utoipa::openapi::RefOr;
    let limit = format!(
        "at most {max_body_bytes} bytes (`max_body_bytes`, {} by default); a larger body is \
         answered 413 `payload_too_large`",
        crate::config::Settings::default().max_body_bytes
    );
    for (_, op) in operations_mut(doc) {
        let Some(body) = op.request_body.as_mut() else {
            continue;
        };
        if body.content.keys().any(|ct| ct.starts_with("text/csv")) {
            if let Some(form) = body.content.get_mut("multipart/form-data") {
                form.encoding.insert(
                    "file".to_string(),
                    utoipa::openapi::encoding::EncodingBuilder::new()
                        .content_type(Some("text/csv"))
                        .build(),
                );
            }
            body.description = Some(format!(
                "A CSV file (UTF-8): the body itself (`text/csv`) or the `file` part of a form \
                     (`multipart/form-data`); the whole body {limit}."
            ));
        }
        match op.responses.responses.get_mut("413") {
            Some(RefOr::T(res)) if res.description == "`payload_too_large`" => {
                res.description =
                    format!("`payload_too_large`: the body is over {max_body_bytes} bytes");
            }
            _ => {}
        }
    }
}
