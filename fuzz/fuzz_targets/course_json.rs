//! JSON → `CourseDoc` (the authoring API's draft path) → validation → rendering and the content
//! hash. Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = serde_json::from_slice::<hocso::content::CourseDoc>(data) {
        hocso_fuzz::exercise_doc(&doc);
    }
});
