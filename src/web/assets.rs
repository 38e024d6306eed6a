//! Static assets compiled into the binary and served under content-hashed names
//! (`/assets/site.3f2a9c1b.css`) with a year of immutable caching: a new build with a changed
//! file changes its name. The service worker and the manifest keep fixed names (a service
//! worker's scope is its address; browsers re-check it on every visit), served `no-cache`.

use std::sync::LazyLock;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpResponse};
use sha2::{Digest, Sha256};

struct Asset {
    /// The name in templates: `site.css`.
    name: &'static str,
    body: &'static [u8],
    content_type: &'static str,
}

const FILES: &[Asset] = &[
    Asset {
        name: "site.css",
        body: include_bytes!("assets/site.css"),
        content_type: "text/css; charset=utf-8",
    },
    Asset {
        name: "app.js",
        body: include_bytes!("assets/app.js"),
        content_type: "text/javascript; charset=utf-8",
    },
    Asset {
        name: "icon.svg",
        body: include_bytes!("assets/icon.svg"),
        content_type: "image/svg+xml",
    },
];

pub const SERVICE_WORKER: &[u8] = include_bytes!("assets/sw.js");

/// Each asset's hashed address, computed once from its bytes.
struct Hashed {
    urls: Vec<String>,
}

static HASHED: LazyLock<Hashed> = LazyLock::new(|| Hashed {
    urls: FILES
        .iter()
        .map(|a| {
            let digest = hex::encode(&Sha256::digest(a.body)[..5]);
            let (stem, ext) = a.name.rsplit_once('.').unwrap_or((a.name, ""));
            format!("/assets/{stem}.{digest}.{ext}")
        })
        .collect(),
});

/// The hashed address of an asset (`url("site.css")`).
pub fn url(name: &str) -> &'static str {
    FILES
        .iter()
        .position(|a| a.name == name)
        .map(|i| HASHED.urls[i].as_str())
        .unwrap_or("/assets/missing")
}

/// Every hashed address (the service worker keeps them for offline use).
pub fn all_urls() -> &'static [String] {
    &HASHED.urls
}

/// `GET /assets/{file}`: only the current hashed names exist.
pub async fn serve(path: web::Path<String>) -> HttpResponse {
    let wanted = format!("/assets/{}", path.into_inner());
    match HASHED.urls.iter().position(|u| *u == wanted) {
        Some(i) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, FILES[i].content_type))
            .insert_header((
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ))
            .body(FILES[i].body),
        None => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("not found"),
    }
}

/// `GET /sw.js`: the service worker, with the current asset addresses written in.
pub async fn service_worker() -> HttpResponse {
    static BODY: LazyLock<String> = LazyLock::new(|| {
        let list = serde_json::to_string(all_urls()).unwrap_or_else(|_| "[]".into());
        String::from_utf8_lossy(SERVICE_WORKER).replace("\"__ASSETS__\"", &list)
    });
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/javascript; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(BODY.as_str())
}

/// `GET /manifest.webmanifest`: what a phone needs to add hocso to its home screen.
pub async fn manifest() -> HttpResponse {
    let body = serde_json::json!({
        "name": "hocso – Học số",
        "short_name": "Học số",
        "lang": "vi",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b4f8a",
        "icons": [
            {"src": url("icon.svg"), "sizes": "any", "type": "image/svg+xml"}
        ]
    });
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/manifest+json"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body.to_string())
}
