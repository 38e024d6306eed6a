//! Helpers shared by the fuzz targets: the input framing of `course_files`, the HTML safety
//! check used on everything `markdown_to_html` produces, and the "validate and render a course"
//! step that `course_files` and `course_json` both run.

pub mod framing;
pub mod html_safety;

use hocso::content::render::{content_hash, markdown_to_html, ReleaseContent};
use hocso::content::validate::{lesson_issues, meta_issues, module_issues, quiz_issues, validate};
use hocso::content::{CourseDoc, ItemDoc};

/// Everything the publish path and the authoring API do with a course document: the full
/// validation, the per-part checks the draft endpoints run, rendering every lesson (and quiz
/// prompts, as a quiz attempt does), and the content hash. Every rendered HTML string must pass
/// [`html_safety::check`].
pub fn exercise_doc(doc: &CourseDoc) {
    for issue in validate(doc) {
        let _ = issue.path();
    }
    let _ = meta_issues(doc);
    for m in &doc.modules {
        let _ = module_issues(m);
        for item in &m.items {
            match item {
                ItemDoc::Lesson(l) => {
                    let _ = lesson_issues(l);
                }
                ItemDoc::Quiz(q) => {
                    let _ = quiz_issues(&q.key, &q.spec, false);
                    let _ = quiz_issues(&q.key, &q.spec, true);
                    for question in &q.spec.questions {
                        assert_safe(&markdown_to_html(&question.prompt));
                    }
                }
            }
        }
    }
    let release = ReleaseContent::build(doc);
    for html in release.html.values() {
        assert_safe(html);
    }
    let _ = content_hash(doc);
}

/// Panics (a fuzzer finding) when `html` breaks one of the sanitizer's promises.
pub fn assert_safe(html: &str) {
    if let Err(e) = html_safety::check(html) {
        panic!("unsafe HTML from markdown_to_html: {e}\n--- output ---\n{html}\n---");
    }
}
