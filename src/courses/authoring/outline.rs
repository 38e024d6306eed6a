//! The authoring use cases of a draft's outline: its modules and lessons, added, changed,
//! removed and put in order, each an [`edit`] (or [`edit_at`]) of the draft by an author.

use super::{edit, edit_at, issues_to_error, Draft};
use crate::auth::AuthUser;
use crate::content::validate::{lesson_issues, module_issues};
use crate::content::{CourseDoc, ItemDoc, LessonDoc, ModuleDoc, Source};
use crate::db::DbPool;
use crate::error::{ApiError, ApiResult, Code};

/// Whether any module of the course has an item `key`.
pub fn key_taken(doc: &CourseDoc, key: &str) -> bool {
    doc.modules
        .iter()
        .any(|m| m.items.iter().any(|i| i.key() == key))
}

/// The module `key` of the draft (404 when none).
pub fn module_mut<'a>(doc: &'a mut CourseDoc, key: &str) -> ApiResult<&'a mut ModuleDoc> {
    doc.modules
        .iter_mut()
        .find(|m| m.key == key)
        .ok_or_else(|| ApiError::not_found(format!("No module `{key}` in this course.")))
}

/// Where to insert among `len` items: at `position`, or at the end (409 past the end).
pub fn check_position(position: Option<usize>, len: usize) -> ApiResult<usize> {
    match position {
        None => Ok(len),
        Some(p) if p <= len => Ok(p),
        Some(_) => Err(ApiError::of(
            Code::PositionOutOfRange,
            format!("position must be between 0 and {len}"),
        )),
    }
}

/// Adds `module` (with no items) to the draft at `position`.
pub fn create_module(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    module: ModuleDoc,
    position: Option<usize>,
) -> ApiResult<Draft> {
    edit(pool, actor, slug, move |doc| {
        issues_to_error(module_issues(&module))?;
        if doc.modules.iter().any(|m| m.key == module.key) {
            return Err(ApiError::of(
                Code::KeyTaken,
                format!("The course already has a module `{}`.", module.key),
            ));
        }
        let at = check_position(position, doc.modules.len())?;
        doc.modules.insert(at, module.clone());
        Ok(())
    })
}

/// New titles and summaries for a module.
pub struct ModulePatch {
    pub title: Option<String>,
    pub title_en: Option<String>,
    pub summary: Option<String>,
    pub summary_en: Option<String>,
}

/// Changes a module's titles and summaries.
pub fn update_module(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    key: &str,
    b: ModulePatch,
) -> ApiResult<Draft> {
    edit(pool, actor, slug, move |doc| {
        let m = module_mut(doc, key)?;
        for (dst, v) in [
            (&mut m.meta.title, &b.title),
            (&mut m.meta.title_en, &b.title_en),
            (&mut m.meta.summary, &b.summary),
            (&mut m.meta.summary_en, &b.summary_en),
        ] {
            if let Some(v) = v {
                *dst = v.clone();
            }
        }
        issues_to_error(module_issues(m))
    })
}

/// Removes a module and its items from the draft.
pub fn delete_module(pool: &DbPool, actor: &AuthUser, slug: &str, key: &str) -> ApiResult<Draft> {
    edit(pool, actor, slug, |doc| {
        module_mut(doc, key)?;
        doc.modules.retain(|m| m.key != key);
        Ok(())
    })
}

/// Reorders `items` to `wanted`, which must name each key exactly once (422 `not_a_permutation`).
fn reorder<T>(items: &mut [T], key: impl Fn(&T) -> &str, wanted: &[String]) -> ApiResult<()> {
    let current: Vec<String> = items.iter().map(|i| key(i).to_string()).collect();
    let mut errors = Vec::new();
    for k in &current {
        if !wanted.contains(k) {
            errors.push(format!("`{k}` is missing"));
        }
    }
    for (i, k) in wanted.iter().enumerate() {
        if !current.contains(k) {
            errors.push(format!("`{k}` does not exist"));
        } else if wanted[..i].contains(k) {
            errors.push(format!("`{k}` is given twice"));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::field(
            "keys",
            "not_a_permutation",
            errors.join("; "),
        ));
    }
    items.sort_by_key(|i| {
        wanted
            .iter()
            .position(|w| w == key(i))
            .unwrap_or(usize::MAX)
    });
    Ok(())
}

/// Puts the draft's modules in the order of `keys`.
pub fn reorder_modules(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    keys: Vec<String>,
) -> ApiResult<Draft> {
    reorder_modules_at(pool, actor, slug, keys, None)
}

/// [`reorder_modules`] for an author who read the draft at version `expected` (when given): 409
/// `edit_conflict` when someone saved it since, and nothing is changed.
pub fn reorder_modules_at(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    keys: Vec<String>,
    expected: Option<i32>,
) -> ApiResult<Draft> {
    edit_at(pool, actor, slug, expected, |doc| {
        reorder(&mut doc.modules, |m| &m.key, &keys)
    })
}

/// Puts the lessons and quizzes of a module in the order of `keys`.
pub fn reorder_items(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    module: &str,
    keys: Vec<String>,
) -> ApiResult<Draft> {
    reorder_items_at(pool, actor, slug, module, keys, None)
}

/// [`reorder_items`] for an author who read the draft at version `expected` (when given): 409
/// `edit_conflict` when someone saved it since, and nothing is changed.
pub fn reorder_items_at(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    module: &str,
    keys: Vec<String>,
    expected: Option<i32>,
) -> ApiResult<Draft> {
    edit_at(pool, actor, slug, expected, |doc| {
        let m = module_mut(doc, module)?;
        reorder(&mut m.items, |i| i.key(), &keys)
    })
}

/// Adds `lesson` to a module of the draft at `position`; its body is normalized first.
pub fn create_lesson(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    module: &str,
    mut lesson: LessonDoc,
    position: Option<usize>,
) -> ApiResult<Draft> {
    lesson.body = crate::content::files::normalize_body(&lesson.body);
    lesson.meta.video_url = lesson.meta.video_url.filter(|v| !v.is_empty());
    lesson.meta.transcript = lesson.meta.transcript.filter(|v| !v.is_empty());
    edit(pool, actor, slug, move |doc| {
        issues_to_error(lesson_issues(&lesson))?;
        insert_item(doc, module, position, ItemDoc::Lesson(lesson.clone()))
    })
}

/// Inserts a new item into a module of the draft at `position` (the end when absent); its key
/// must be new in the whole course (409 `key_taken`).
pub(in crate::courses) fn insert_item(
    doc: &mut CourseDoc,
    module: &str,
    position: Option<usize>,
    item: ItemDoc,
) -> ApiResult<()> {
    if key_taken(doc, item.key()) {
        return Err(ApiError::of(
            Code::KeyTaken,
            format!("The course already has an item `{}`.", item.key()),
        ));
    }
    let m = module_mut(doc, module)?;
    let at = check_position(position, m.items.len())?;
    m.items.insert(at, item);
    Ok(())
}

/// New values for some of a lesson's fields; `video_url` empty removes the video and its
/// transcript, `transcript` empty removes the transcript.
pub struct LessonPatch {
    pub title: Option<String>,
    pub title_en: Option<String>,
    pub estimated_minutes: Option<u32>,
    pub competences: Option<Vec<String>>,
    pub optional: Option<bool>,
    pub video_url: Option<String>,
    pub transcript: Option<String>,
    pub sources: Option<Vec<Source>>,
    pub body: Option<String>,
}

fn lesson_mut<'a>(doc: &'a mut CourseDoc, key: &str) -> ApiResult<&'a mut LessonDoc> {
    doc.modules
        .iter_mut()
        .flat_map(|m| m.items.iter_mut())
        .find_map(|i| match i {
            ItemDoc::Lesson(l) if l.key == key => Some(l),
            _ => None,
        })
        .ok_or_else(|| ApiError::not_found(format!("No lesson `{key}` in this course.")))
}

/// Changes a lesson of the draft.
pub fn update_lesson(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    key: &str,
    b: LessonPatch,
) -> ApiResult<Draft> {
    update_lesson_at(pool, actor, slug, key, b, None)
}

/// Changes a lesson of the draft that the author read at version `expected` (when given): 409
/// `edit_conflict` if someone saved the draft since, and nothing is saved.
pub fn update_lesson_at(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    key: &str,
    b: LessonPatch,
    expected: Option<i32>,
) -> ApiResult<Draft> {
    edit_at(pool, actor, slug, expected, move |doc| {
        let l = lesson_mut(doc, key)?;
        if let Some(v) = &b.title {
            l.meta.title = v.clone();
        }
        if let Some(v) = &b.title_en {
            l.meta.title_en = v.clone();
        }
        if let Some(v) = b.estimated_minutes {
            l.meta.estimated_minutes = v;
        }
        if let Some(v) = &b.competences {
            l.meta.competences = v.clone();
        }
        if let Some(v) = b.optional {
            l.meta.optional = v;
        }
        if let Some(v) = &b.video_url {
            l.meta.video_url = (!v.is_empty()).then(|| v.clone());
            if v.is_empty() {
                l.meta.transcript = None;
            }
        }
        if let Some(v) = &b.transcript {
            l.meta.transcript = (!v.is_empty()).then(|| v.clone());
        }
        if let Some(v) = &b.sources {
            l.meta.sources = v.clone();
        }
        if let Some(v) = &b.body {
            l.body = crate::content::files::normalize_body(v);
        }
        issues_to_error(lesson_issues(l))
    })
}

/// Removes a lesson from the draft.
pub fn delete_lesson(pool: &DbPool, actor: &AuthUser, slug: &str, key: &str) -> ApiResult<Draft> {
    edit(pool, actor, slug, |doc| {
        lesson_mut(doc, key)?;
        for m in doc.modules.iter_mut() {
            m.items
                .retain(|i| !matches!(i, ItemDoc::Lesson(l) if l.key == key));
        }
        Ok(())
    })
}
