//! Course files: `courses/<slug>/course.toml`, `NN-module/module.toml`, `NN-key.md` lessons with
//! TOML front matter, `NN-key.quiz.toml` quizzes, and `courses/programs/*.toml`
//! (docs/COURSE-FORMAT.md). Loading reports every problem with file and line; export writes a
//! course back so that export → import → export is byte-identical.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::validate::{validate, Issue};
use super::*;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.file.display(), l, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

fn problem(file: &Path, line: Option<usize>, message: impl Into<String>) -> FileProblem {
    FileProblem {
        file: file.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// A source file and its text, to point problems at lines.
#[derive(Clone, Debug)]
struct SourceFile {
    path: PathBuf,
    text: String,
    /// Lines before the TOML starts (the `+++` of a lesson).
    offset: usize,
}

#[derive(Clone, Debug)]
struct ModuleSources {
    dir: PathBuf,
    file: SourceFile,
    items: Vec<SourceFile>,
}

/// A course read from files, with where each part came from.
#[derive(Clone, Debug)]
pub struct LoadedCourse {
    pub doc: CourseDoc,
    course_file: SourceFile,
    modules: Vec<ModuleSources>,
}

/// A program (learning path): `courses/programs/SLUG.toml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramDoc {
    #[schema(schema_with = crate::content::schema::non_blank)]
    pub title: String,
    #[schema(schema_with = crate::content::schema::non_blank)]
    pub title_en: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub summary_en: String,
    #[serde(default)]
    #[schema(schema_with = crate::content::schema::any_groups)]
    pub groups: Vec<String>,
    /// Slugs of published courses (another → 404), at least one.
    #[schema(min_items = 1)]
    pub courses: Vec<String>,
}

fn line_at_byte(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

fn parse_toml<T: serde::de::DeserializeOwned>(
    src: &SourceFile,
    toml_text: &str,
) -> Result<T, FileProblem> {
    toml::from_str(toml_text).map_err(|e| {
        let line = e
            .span()
            .map(|s| line_at_byte(toml_text, s.start) + src.offset);
        problem(&src.path, line, e.message().trim().to_string())
    })
}

fn read(path: &Path) -> Result<SourceFile, FileProblem> {
    let bytes = fs::read(path).map_err(|e| problem(path, None, format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = line_at_byte(
            &String::from_utf8_lossy(e.as_bytes()),
            e.utf8_error().valid_up_to(),
        );
        problem(path, Some(line), "not valid UTF-8")
    })?;
    Ok(SourceFile {
        path: path.to_path_buf(),
        text: text.replace("\r\n", "\n"),
        offset: 0,
    })
}

/// `NN-key` → (NN, key).
fn split_prefix(name: &str) -> Option<(u32, &str)> {
    let (n, key) = name.split_once('-')?;
    if n.len() != 2 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((n.parse().ok()?, key))
}

/// The last part of `path`, or "" when it has none or it is not UTF-8.
fn name_of(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, FileProblem> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| problem(dir, None, format!("cannot read directory: {e}")))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or(".")
                .starts_with('.')
        })
        .collect();
    entries.sort();
    Ok(entries)
}

/// Normalises a lesson body: no leading blank lines, exactly one final newline.
pub fn normalize_body(body: &str) -> String {
    let trimmed = body.replace("\r\n", "\n");
    let trimmed = trimmed.trim_start_matches('\n').trim_end();
    format!("{trimmed}\n")
}

/// Reads one course folder. Parse problems are returned; rule checks are `validate_loaded`.
pub fn load_course(dir: &Path) -> Result<LoadedCourse, Vec<FileProblem>> {
    let mut problems = Vec::new();
    let slug = name_of(dir).to_string();
    let course_path = dir.join("course.toml");
    let course_file = match read(&course_path) {
        Ok(f) => f,
        Err(p) => return Err(vec![p]),
    };
    let meta: Option<CourseMeta> = parse_toml(&course_file, &course_file.text.clone())
        .map_err(|p| problems.push(p))
        .ok();
    let mut modules = Vec::new();
    let mut module_sources = Vec::new();
    for entry in sorted_entries(dir).map_err(|p| vec![p])? {
        let name = name_of(&entry).to_string();
        if name == "course.toml" {
            continue;
        }
        let Some((_, key)) = split_prefix(&name).filter(|_| entry.is_dir()) else {
            problems.push(problem(
                &entry,
                None,
                "unexpected entry: modules are folders named NN-key",
            ));
            continue;
        };
        match load_module(&entry, key) {
            Ok((module, sources)) => {
                modules.push(module);
                module_sources.push(sources);
            }
            Err(mut ps) => problems.append(&mut ps),
        }
    }
    match meta {
        Some(meta) if problems.is_empty() => Ok(LoadedCourse {
            doc: CourseDoc {
                slug,
                meta,
                modules,
            },
            course_file,
            modules: module_sources,
        }),
        _ => Err(problems),
    }
}

fn load_module(dir: &Path, key: &str) -> Result<(ModuleDoc, ModuleSources), Vec<FileProblem>> {
    let mut problems = Vec::new();
    let file = match read(&dir.join("module.toml")) {
        Ok(f) => f,
        Err(_) => return Err(vec![problem(dir, None, "module.toml is missing")]),
    };
    let meta: Option<ModuleMeta> = parse_toml(&file, &file.text.clone())
        .map_err(|p| problems.push(p))
        .ok();
    let mut items = Vec::new();
    let mut sources = Vec::new();
    for entry in sorted_entries(dir).map_err(|p| vec![p])? {
        let name = name_of(&entry).to_string();
        if name == "module.toml" {
            continue;
        }
        let parsed = if let Some(stem) = name.strip_suffix(".quiz.toml") {
            split_prefix(stem).map(|(_, k)| (k.to_string(), true))
        } else if let Some(stem) = name.strip_suffix(".md") {
            split_prefix(stem).map(|(_, k)| (k.to_string(), false))
        } else {
            None
        };
        let Some((item_key, is_quiz)) = parsed.filter(|_| entry.is_file()) else {
            problems.push(problem(
                &entry,
                None,
                "unexpected entry: items are NN-key.md lessons or NN-key.quiz.toml quizzes",
            ));
            continue;
        };
        let src = match read(&entry) {
            Ok(s) => s,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        if is_quiz {
            match parse_toml::<QuizSpec>(&src, &src.text) {
                Ok(spec) => {
                    items.push(ItemDoc::Quiz(QuizDoc {
                        key: item_key,
                        spec,
                    }));
                    sources.push(src);
                }
                Err(p) => problems.push(p),
            }
        } else {
            match parse_lesson(src, &item_key) {
                Ok((lesson, src)) => {
                    items.push(ItemDoc::Lesson(lesson));
                    sources.push(src);
                }
                Err(p) => problems.push(p),
            }
        }
    }
    match meta {
        Some(meta) if problems.is_empty() => Ok((
            ModuleDoc {
                key: key.to_string(),
                meta,
                items,
            },
            ModuleSources {
                dir: dir.to_path_buf(),
                file,
                items: sources,
            },
        )),
        _ => Err(problems),
    }
}

fn parse_lesson(mut src: SourceFile, key: &str) -> Result<(LessonDoc, SourceFile), FileProblem> {
    let text = src.text.clone();
    let Some(rest) = text.strip_prefix("+++\n") else {
        return Err(problem(
            &src.path,
            Some(1),
            "a lesson starts with TOML front matter between two `+++` lines",
        ));
    };
    let Some(end) = rest
        .find("\n+++\n")
        .or_else(|| rest.strip_suffix("\n+++").map(|r| r.len()))
    else {
        return Err(problem(
            &src.path,
            Some(1),
            "the front matter is not closed with a `+++` line",
        ));
    };
    let front = &rest[..end + 1];
    let body = rest.get(end + 5..).unwrap_or("");
    src.offset = 1;
    let meta: LessonMeta = parse_toml(&src, front)?;
    Ok((
        LessonDoc {
            key: key.to_string(),
            meta,
            body: normalize_body(body),
        },
        src,
    ))
}

/// 1-based line of `field = ...` (or `[[field]]`, `[field]`) at or after line `from`.
fn line_of(text: &str, field: &str, from: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find_map(|(i, l)| {
            let t = l.trim_start();
            let is_key = t
                .strip_prefix(field)
                .is_some_and(|r| r.trim_start().starts_with('='));
            let is_table = t == format!("[[{field}]]") || t == format!("[{field}]");
            (is_key || is_table).then_some(i + 1)
        })
}

fn line_containing(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

impl LoadedCourse {
    /// Rule problems of this course, pointed at files and lines.
    pub fn problems(&self) -> Vec<FileProblem> {
        validate(&self.doc).iter().map(|i| self.locate(i)).collect()
    }

    fn locate(&self, issue: &Issue) -> FileProblem {
        let field = issue.loc.field.unwrap_or("");
        let (src, start) = match (issue.loc.module, issue.loc.item) {
            (None, _) => (&self.course_file, 1),
            (Some(m), None) => {
                let module = &self.modules[m];
                if field == "key" || field == "items" {
                    return problem(&module.dir, None, &issue.message);
                }
                (&module.file, 1)
            }
            (Some(m), Some(i)) => {
                let src = &self.modules[m].items[i];
                if field == "key" && issue.loc.question.is_none() {
                    return problem(&src.path, None, &issue.message);
                }
                let start = match issue.loc.question {
                    Some(q) => src
                        .text
                        .lines()
                        .enumerate()
                        .filter(|(_, l)| l.trim() == "[[questions]]")
                        .nth(q)
                        .map(|(n, _)| n + 1)
                        .unwrap_or(1),
                    None => 1,
                };
                (src, start)
            }
        };
        let line = if field == "body" {
            issue
                .message
                .split('`')
                .nth(1)
                .and_then(|needle| line_containing(&src.text, needle))
        } else {
            line_of(&src.text, field, start).or((start > 1).then_some(start))
        };
        problem(&src.path, line, &issue.message)
    }
}

/// Everything under a `courses/` tree: the courses, the programs, and every problem.
pub struct Tree {
    pub courses: Vec<LoadedCourse>,
    pub programs: Vec<(String, ProgramDoc)>,
    /// `indicators.toml`: which courses or programs count for each indicator.
    pub indicators: Vec<(String, crate::reports::Qualification)>,
    pub problems: Vec<FileProblem>,
}

/// Reads every course folder and `programs/` under `root`; validates each course and checks
/// that programs name existing courses.
pub fn load_tree(root: &Path) -> Tree {
    let mut tree = Tree {
        courses: Vec::new(),
        programs: Vec::new(),
        indicators: Vec::new(),
        problems: Vec::new(),
    };
    let entries = match sorted_entries(root) {
        Ok(e) => e,
        Err(p) => {
            tree.problems.push(p);
            return tree;
        }
    };
    for entry in entries {
        let name = name_of(&entry).to_string();
        if name == "indicators.toml" {
            match read(&entry).and_then(|src| {
                parse_toml::<std::collections::BTreeMap<String, crate::reports::Qualification>>(
                    &src, &src.text,
                )
                .map(|m| (src, m))
            }) {
                Ok((src, map)) => {
                    for (key, q) in map {
                        let line = line_of(&src.text, &format!("[{key}]"), 1)
                            .or_else(|| line_containing(&src.text, &format!("[{key}]")));
                        if !crate::reports::indicator_exists(&key) {
                            tree.problems.push(problem(
                                &entry,
                                line,
                                format!("unknown indicator `{key}`"),
                            ));
                            continue;
                        }
                        for p in q.problems() {
                            tree.problems
                                .push(problem(&entry, line, format!("{key}: {p}")));
                        }
                        tree.indicators.push((key, q));
                    }
                }
                Err(p) => tree.problems.push(p),
            }
            continue;
        }
        if !entry.is_dir() {
            // Notes for authors (README, the cast of characters, the fact-check review).
            if !name.ends_with(".md") {
                tree.problems.push(problem(
                    &entry,
                    None,
                    "unexpected file: courses are folders",
                ));
            }
            continue;
        }
        if name == "programs" {
            continue;
        }
        match load_course(&entry) {
            Ok(course) => {
                tree.problems.extend(course.problems());
                tree.courses.push(course);
            }
            Err(ps) => tree.problems.extend(ps),
        }
    }
    let programs_dir = root.join("programs");
    if programs_dir.is_dir() {
        let slugs: Vec<String> = tree.courses.iter().map(|c| c.doc.slug.clone()).collect();
        for entry in sorted_entries(&programs_dir).unwrap_or_default() {
            let name = name_of(&entry).to_string();
            let Some(slug) = name.strip_suffix(".toml") else {
                tree.problems.push(problem(
                    &entry,
                    None,
                    "unexpected file: programs are SLUG.toml",
                ));
                continue;
            };
            let src = match read(&entry) {
                Ok(s) => s,
                Err(p) => {
                    tree.problems.push(p);
                    continue;
                }
            };
            match parse_toml::<ProgramDoc>(&src, &src.text) {
                Ok(p) => {
                    if !is_valid_key(slug) {
                        tree.problems.push(problem(
                            &entry,
                            None,
                            format!("program slug `{slug}` must be lowercase a-z, 0-9 and hyphens"),
                        ));
                    }
                    for c in &p.courses {
                        if !slugs.contains(c) {
                            let line = line_containing(&src.text, &format!("\"{c}\""));
                            tree.problems.push(problem(
                                &entry,
                                line,
                                format!("unknown course `{c}`"),
                            ));
                        }
                    }
                    for g in &p.groups {
                        if !GROUPS.contains(&g.as_str()) {
                            tree.problems.push(problem(
                                &entry,
                                line_of(&src.text, "groups", 1),
                                format!("unknown group `{g}`"),
                            ));
                        }
                    }
                    tree.programs.push((slug.to_string(), p));
                }
                Err(e) => tree.problems.push(e),
            }
        }
    }
    tree
}

fn to_toml<T: Serialize>(value: &T) -> std::io::Result<String> {
    toml::to_string(value).map_err(std::io::Error::other)
}

/// Writes `doc` as files under `dir/<slug>/`, replacing what was there.
pub fn export_course(doc: &CourseDoc, dir: &Path) -> std::io::Result<PathBuf> {
    let root = dir.join(&doc.slug);
    if root.exists() {
        fs::remove_dir_all(&root)?;
    }
    fs::create_dir_all(&root)?;
    fs::write(root.join("course.toml"), to_toml(&doc.meta)?)?;
    for (mi, module) in doc.modules.iter().enumerate() {
        let mdir = root.join(format!("{:02}-{}", mi + 1, module.key));
        fs::create_dir_all(&mdir)?;
        fs::write(mdir.join("module.toml"), to_toml(&module.meta)?)?;
        for (ii, item) in module.items.iter().enumerate() {
            let n = ii + 1;
            match item {
                ItemDoc::Lesson(l) => {
                    let text = format!(
                        "+++\n{}+++\n\n{}",
                        to_toml(&l.meta)?,
                        normalize_body(&l.body)
                    );
                    fs::write(mdir.join(format!("{n:02}-{}.md", l.key)), text)?;
                }
                ItemDoc::Quiz(q) => {
                    fs::write(
                        mdir.join(format!("{n:02}-{}.quiz.toml", q.key)),
                        to_toml(&q.spec)?,
                    )?;
                }
            }
        }
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_fields() {
        let t = "title = \"a\"\n[[questions]]\nkey = \"x\"\n[[questions]]\nkey = \"y\"\n";
        assert_eq!(line_of(t, "key", 1), Some(3));
        assert_eq!(line_of(t, "key", 4), Some(5));
        assert_eq!(line_of(t, "questions", 1), Some(2));
        assert_eq!(split_prefix("01-lam-quen"), Some((1, "lam-quen")));
        assert_eq!(split_prefix("1-lam"), None);
    }
}
