//! The reference for the lesson read (bench/run): a bare actix-web handler, with hocso's actix-web
//! version and features and nothing else (no middleware, no state, no routing table beyond one
//! route), answering the bytes of a file with `Content-Type: application/json`.
//!
//! `bare_lesson FILE ADDR` — bench/run fetches hocso's lesson read once into FILE and serves it
//! from here at ADDR on the same path, so that wrk's requests and answers are the same size and
//! the ratio of the two rates is what hocso's request path costs.

use actix_web::web::Bytes;
use actix_web::{get, web, App, HttpResponse, HttpServer};

#[get("/api/v1/courses/{slug}/lessons/{key}")]
async fn lesson(body: web::Data<Bytes>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body.get_ref().clone())
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(file), Some(addr)) = (args.next(), args.next()) else {
        eprintln!("usage: bare_lesson FILE ADDR");
        std::process::exit(2);
    };
    let body = web::Data::new(Bytes::from(std::fs::read(&file)?));
    HttpServer::new(move || App::new().app_data(body.clone()).service(lesson))
        .bind(addr)?
        .run()
        .await
}
