//! Course folder → `load_course` → (when it loads) validation with file/line locations,
//! `validate`, rendering and the content hash. Must never panic.
//!
//! Input: a whole course folder in the framing of `hocso_fuzz::framing` (`==> PATH` lines
//! start files; the part before the first one is `course.toml`).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use hocso_fuzz::framing;
use libfuzzer_sys::fuzz_target;

static COURSE_DIR: OnceLock<PathBuf> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    // The folder name is the course slug.
    let dir = COURSE_DIR.get_or_init(|| framing::scratch_root().join("khoa-hoc-fuzz"));
    let files = framing::split(data);
    framing::write_course(dir, &files);
    match hocso::content::files::load_course(dir) {
        Ok(course) => {
            // validate() plus mapping every issue back to a file and line.
            for p in course.problems() {
                let _ = p.to_string();
            }
            hocso_fuzz::exercise_doc(&course.doc);
        }
        Err(problems) => {
            for p in problems {
                let _ = p.to_string();
            }
        }
    }
});
