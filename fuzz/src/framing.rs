//! The input format of the `course_files` target: one byte string holds a whole course folder.
//!
//! ```text
//! title = "..."                 <- no header yet: this part is course.toml
//! ...
//! ==> 01-mo-dau/module.toml     <- a line "==> PATH" starts a new file at PATH
//! title = "..."
//! ==> 01-mo-dau/01-bai-mot.md
//! +++
//! ...
//! ```
//!
//! A file runs from the line after its header to the start of the next header line (so the
//! newline before `==> ` belongs to the file above it). Contents are raw bytes: they need not be
//! UTF-8. A PATH is 1 to 3 `/`-separated parts, each of 1 to 64 characters from
//! `A-Z a-z 0-9 . _ + -`, and neither `.` nor `..`, so nothing is ever written outside the
//! course folder; a part with a bad path is dropped. A later file with the same path replaces
//! an earlier one. `fuzz/seeds.py` writes course folders in this format.

use std::fs;
use std::path::{Path, PathBuf};

pub const HEADER: &[u8] = b"==> ";

/// One file of a framed course: a path relative to the course folder and its bytes.
#[derive(Debug, PartialEq, Eq)]
pub struct File<'a> {
    pub path: PathBuf,
    pub bytes: &'a [u8],
}

fn valid_part(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= 64
        && p != "."
        && p != ".."
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'-'))
}

fn parse_path(header: &[u8]) -> Option<PathBuf> {
    let s = std::str::from_utf8(header).ok()?;
    let s = s.strip_suffix('\r').unwrap_or(s);
    let parts: Vec<&str> = s.split('/').collect();
    if parts.is_empty() || parts.len() > 3 || !parts.iter().all(|p| valid_part(p)) {
        return None;
    }
    Some(parts.iter().collect())
}

/// Splits `data` into files. The part before the first header is `course.toml`.
pub fn split(data: &[u8]) -> Vec<File<'_>> {
    // Offsets where a header line starts.
    let mut starts = Vec::new();
    if data.starts_with(HEADER) {
        starts.push(0);
    }
    let mut i = 0;
    while let Some(pos) = data[i..]
        .windows(HEADER.len() + 1)
        .position(|w| w[0] == b'\n' && &w[1..] == HEADER)
    {
        starts.push(i + pos + 1);
        i += pos + 1;
    }
    let mut files = Vec::new();
    let first_end = starts.first().copied().unwrap_or(data.len());
    if first_end > 0 || starts.is_empty() {
        files.push(File {
            path: PathBuf::from("course.toml"),
            bytes: &data[..first_end],
        });
    }
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(data.len());
        let part = &data[start + HEADER.len()..end];
        let (header, bytes) = match part.iter().position(|&b| b == b'\n') {
            Some(nl) => (&part[..nl], &part[nl + 1..]),
            None => (part, &part[part.len()..]),
        };
        if let Some(path) = parse_path(header) {
            files.push(File { path, bytes });
        }
    }
    files
}

/// Where a target writes its course folder: `/dev/shm` when there is one (no disk writes),
/// else the temporary directory; `HOCSO_FUZZ_TMP` overrides. One folder per process, so that
/// `-jobs`/`-workers` runs do not share it.
pub fn scratch_root() -> PathBuf {
    let base = std::env::var_os("HOCSO_FUZZ_TMP")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let shm = Path::new("/dev/shm");
            if shm.is_dir() {
                shm.to_path_buf()
            } else {
                std::env::temp_dir()
            }
        });
    base.join(format!("hocso-fuzz-{}", std::process::id()))
}

/// Writes `files` into a fresh `dir` (removing what an earlier run left there). Files whose
/// path clashes with another (a file where a folder is needed, or the other way round) are
/// skipped, as the file system would refuse them.
pub fn write_course(dir: &Path, files: &[File<'_>]) {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).expect("create the scratch course folder");
    for f in files {
        let path = dir.join(&f.path);
        if let Some(parent) = path.parent() {
            if fs::create_dir_all(parent).is_err() {
                continue;
            }
        }
        if path.is_dir() {
            continue;
        }
        let _ = fs::write(&path, f.bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_header_lines() {
        let data = b"a = 1\n==> 01-m/module.toml\nt = 2\n==> ../x\nbad\n==> 01-m/01-b.md\n+++\n";
        let files = split(data);
        assert_eq!(files.len(), 3);
        assert_eq!(files[0].path, PathBuf::from("course.toml"));
        assert_eq!(files[0].bytes, b"a = 1\n");
        assert_eq!(files[1].path, PathBuf::from("01-m/module.toml"));
        assert_eq!(files[1].bytes, b"t = 2\n");
        assert_eq!(files[2].path, PathBuf::from("01-m/01-b.md"));
        assert_eq!(files[2].bytes, b"+++\n");
    }
}
