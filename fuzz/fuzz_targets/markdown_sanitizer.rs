//! Markdown → `markdown_to_html`, whose output must keep the sanitizer's promises (no scripts,
//! no event handlers, no `javascript:`/`data:` URLs, ...; see `hocso_fuzz::html_safety`).
//!
//! Input: UTF-8 text (bytes after the first invalid sequence are ignored).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        // The checker is checked before it is trusted.
        hocso_fuzz::html_safety::self_test();
    },
    |data: &[u8]| {
    let md = match std::str::from_utf8(data) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&data[..e.valid_up_to()]).unwrap(),
    };
    let html = hocso::content::render::markdown_to_html(md);
    hocso_fuzz::assert_safe(&html);
    }
);
