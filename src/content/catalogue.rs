//! The published catalogue, held in memory and swapped atomically on publish, so that reading
//! a course outline or a lesson touches no database. Responses are serialized once, with their
//! ETags, when a release is loaded.

use std::collections::BTreeMap;
use std::sync::Arc;

use actix_web::web::Bytes;
use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::render::ReleaseContent;
use super::{fold, ItemDoc, QuizSpec, Source};

/// A course in the catalogue list.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CourseCard {
    pub slug: String,
    pub title: String,
    pub title_en: String,
    pub summary: String,
    pub summary_en: String,
    pub topic: String,
    pub level: String,
    pub language: String,
    pub groups: Vec<String>,
    pub estimated_minutes: u32,
    pub lesson_count: usize,
    pub quiz_count: usize,
    /// Number of the release served.
    pub release: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover_image_url: Option<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OutlineItem {
    pub key: String,
    /// Quizzes: the id to start attempts with (`SLUG.KEY`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `lesson` or `quiz`
    pub kind: &'static str,
    pub title: String,
    pub title_en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_minutes: Option<u32>,
    /// Optional items do not count towards completion.
    pub optional: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub questions_per_attempt: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pass_mark: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_limit_seconds: Option<u32>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OutlineModule {
    pub key: String,
    pub title: String,
    pub title_en: String,
    pub summary: String,
    pub summary_en: String,
    pub items: Vec<OutlineItem>,
}

/// A course's outline: metadata, modules and items; no lesson bodies, no quiz questions.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Outline {
    #[serde(flatten)]
    pub card: CourseCard,
    pub competences: Vec<String>,
    pub strict_order: bool,
    pub published_at: DateTime<Utc>,
    pub modules: Vec<OutlineModule>,
}

/// One lesson of a published release.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LessonView {
    pub course: String,
    pub release: i32,
    pub module: String,
    pub key: String,
    pub title: String,
    pub title_en: String,
    pub estimated_minutes: u32,
    pub competences: Vec<String>,
    pub optional: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcript: Option<String>,
    pub sources: Vec<Source>,
    /// Sanitized HTML of the lesson body.
    pub html: String,
    /// Key of the previous item (lesson or quiz) in course order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// A serialized response with its ETag.
#[derive(Clone, Debug)]
pub struct Cached {
    pub body: Bytes,
    pub etag: String,
}

impl Cached {
    fn of<T: Serialize>(value: &T) -> Self {
        let body = serde_json::to_vec(value).expect("response serializes");
        let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..32]);
        Self {
            body: Bytes::from(body),
            etag,
        }
    }
}

pub struct PublishedCourse {
    /// The course's database id, so that requests on a published course need no lookup.
    pub course_id: String,
    pub content: ReleaseContent,
    pub release: i32,
    pub card: CourseCard,
    pub outline: Cached,
    pub lessons: BTreeMap<String, Cached>,
    /// Every competence code of the course and its lessons.
    pub competences: Vec<String>,
    folded_title: String,
    folded_summary: String,
    folded_text: String,
}

impl PublishedCourse {
    pub fn build(
        course_id: String,
        content: ReleaseContent,
        release: i32,
        published_at: DateTime<Utc>,
    ) -> Self {
        let doc = &content.doc;
        let card = CourseCard {
            slug: doc.slug.clone(),
            title: doc.meta.title.clone(),
            title_en: doc.meta.title_en.clone(),
            summary: doc.meta.summary.clone(),
            summary_en: doc.meta.summary_en.clone(),
            topic: doc.meta.topic.clone(),
            level: doc.meta.level.clone(),
            language: doc.meta.language.clone(),
            groups: doc.meta.groups.clone(),
            estimated_minutes: doc.meta.estimated_minutes,
            lesson_count: doc.lessons().count(),
            quiz_count: doc.quizzes().count(),
            release,
            cover_image_url: doc.meta.cover_image_url.clone(),
        };
        let modules = doc
            .modules
            .iter()
            .map(|m| OutlineModule {
                key: m.key.clone(),
                title: m.meta.title.clone(),
                title_en: m.meta.title_en.clone(),
                summary: m.meta.summary.clone(),
                summary_en: m.meta.summary_en.clone(),
                items: m
                    .items
                    .iter()
                    .map(|i| match i {
                        ItemDoc::Lesson(l) => OutlineItem {
                            key: l.key.clone(),
                            id: None,
                            kind: "lesson",
                            title: l.meta.title.clone(),
                            title_en: l.meta.title_en.clone(),
                            estimated_minutes: Some(l.meta.estimated_minutes),
                            optional: l.meta.optional,
                            questions_per_attempt: None,
                            pass_mark: None,
                            time_limit_seconds: None,
                        },
                        ItemDoc::Quiz(q) => OutlineItem {
                            key: q.key.clone(),
                            id: Some(format!("{}.{}", doc.slug, q.key)),
                            kind: "quiz",
                            title: q.spec.title.clone(),
                            title_en: q.spec.title_en.clone(),
                            estimated_minutes: None,
                            optional: q.spec.optional,
                            questions_per_attempt: Some(q.spec.questions_per_attempt),
                            pass_mark: Some(q.spec.pass_mark),
                            time_limit_seconds: q.spec.time_limit_seconds,
                        },
                    })
                    .collect(),
            })
            .collect();
        let mut competences: Vec<String> = doc.meta.competences.clone();
        competences.extend(
            doc.lessons()
                .flat_map(|l| l.meta.competences.iter().cloned()),
        );
        competences.sort();
        competences.dedup();
        let outline = Outline {
            card: card.clone(),
            competences: competences.clone(),
            strict_order: doc.meta.strict_order,
            published_at,
            modules,
        };
        let order: Vec<(&str, &str)> = doc
            .modules
            .iter()
            .flat_map(|m| m.items.iter().map(move |i| (m.key.as_str(), i.key())))
            .collect();
        let mut lessons = BTreeMap::new();
        for (pos, (module, key)) in order.iter().enumerate() {
            let Some(l) = doc.lessons().find(|l| l.key == *key) else {
                continue;
            };
            let view = LessonView {
                course: doc.slug.clone(),
                release,
                module: module.to_string(),
                key: l.key.clone(),
                title: l.meta.title.clone(),
                title_en: l.meta.title_en.clone(),
                estimated_minutes: l.meta.estimated_minutes,
                competences: l.meta.competences.clone(),
                optional: l.meta.optional,
                video_url: l.meta.video_url.clone(),
                transcript: l.meta.transcript.clone(),
                sources: l.meta.sources.clone(),
                html: content.html.get(&l.key).cloned().unwrap_or_default(),
                previous: pos.checked_sub(1).map(|p| order[p].1.to_string()),
                next: order.get(pos + 1).map(|(_, k)| k.to_string()),
            };
            lessons.insert(l.key.clone(), Cached::of(&view));
        }
        let folded_title = fold(&format!("{} {}", doc.meta.title, doc.meta.title_en));
        let folded_summary = fold(&format!("{} {}", doc.meta.summary, doc.meta.summary_en));
        let folded_text = fold(
            &doc.modules
                .iter()
                .flat_map(|m| {
                    std::iter::once(format!("{} {}", m.meta.title, m.meta.title_en)).chain(
                        m.items.iter().map(|i| match i {
                            ItemDoc::Lesson(l) => {
                                format!("{} {} {}", l.meta.title, l.meta.title_en, l.body)
                            }
                            ItemDoc::Quiz(q) => format!("{} {}", q.spec.title, q.spec.title_en),
                        }),
                    )
                })
                .collect::<Vec<_>>()
                .join(" "),
        );
        Self {
            course_id,
            outline: Cached::of(&outline),
            content,
            release,
            card,
            lessons,
            competences,
            folded_title,
            folded_summary,
            folded_text,
        }
    }

    /// Search rank for folded query terms: 3 all in the title, 2 in title or summary, 1 anywhere
    /// in the course; `None` when a term is missing.
    pub fn rank(&self, terms: &[String]) -> Option<u8> {
        let in_title = terms.iter().all(|t| self.folded_title.contains(t.as_str()));
        if in_title {
            return Some(3);
        }
        let head = terms.iter().all(|t| {
            self.folded_title.contains(t.as_str()) || self.folded_summary.contains(t.as_str())
        });
        if head {
            return Some(2);
        }
        terms
            .iter()
            .all(|t| {
                self.folded_title.contains(t.as_str())
                    || self.folded_summary.contains(t.as_str())
                    || self.folded_text.contains(t.as_str())
            })
            .then_some(1)
    }
}

/// Filters of the catalogue list.
#[derive(Default, Debug)]
pub struct Filter {
    pub topic: Option<String>,
    pub group: Option<String>,
    pub level: Option<String>,
    pub language: Option<String>,
    pub competence: Option<String>,
    pub q: Option<String>,
}

/// Quizzes of releases the catalogue no longer serves, by (course id, release, quiz key): the
/// attempts started under them are still shown and graded with them.
type OlderQuizzes =
    std::sync::Mutex<std::collections::HashMap<(String, i32, String), Arc<QuizSpec>>>;

/// How many quizzes of older releases are remembered; past that the memory starts again.
const OLDER_QUIZZES_KEPT: usize = 64;

#[derive(Default)]
pub struct Catalogue {
    courses: ArcSwap<BTreeMap<String, Arc<PublishedCourse>>>,
    older_quizzes: OlderQuizzes,
}

impl Catalogue {
    pub fn get(&self, slug: &str) -> Option<Arc<PublishedCourse>> {
        self.courses.load().get(slug).cloned()
    }

    /// The published course with this database id (a scan: the catalogue holds tens of courses).
    pub fn by_id(&self, course_id: &str) -> Option<Arc<PublishedCourse>> {
        self.courses
            .load()
            .values()
            .find(|c| c.course_id == course_id)
            .cloned()
    }

    /// The quiz `key` of a release that is not served any more: remembered, or read by `load`
    /// (from the stored release) and remembered. Releases never change, so nothing goes stale.
    pub fn remembered_quiz<E>(
        &self,
        course_id: &str,
        release: i32,
        key: &str,
        load: impl FnOnce() -> Result<Option<QuizSpec>, E>,
    ) -> Result<Option<Arc<QuizSpec>>, E> {
        let id = (course_id.to_string(), release, key.to_string());
        let lock = || {
            self.older_quizzes
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(quiz) = lock().get(&id) {
            return Ok(Some(quiz.clone()));
        }
        let Some(quiz) = load()? else {
            return Ok(None);
        };
        let quiz = Arc::new(quiz);
        let mut kept = lock();
        if kept.len() >= OLDER_QUIZZES_KEPT {
            kept.clear();
        }
        kept.insert(id, quiz.clone());
        Ok(Some(quiz))
    }

    /// Replaces (or adds) one course; readers see the old or the new map, never a mix.
    pub fn put(&self, course: PublishedCourse) {
        let course = Arc::new(course);
        self.courses.rcu(|map| {
            let mut next = BTreeMap::clone(map);
            next.insert(course.card.slug.clone(), course.clone());
            next
        });
    }

    pub fn remove(&self, slug: &str) {
        self.courses.rcu(|map| {
            let mut next = BTreeMap::clone(map);
            next.remove(slug);
            next
        });
    }

    /// Release number served per slug.
    pub fn releases(&self) -> BTreeMap<String, i32> {
        self.courses
            .load()
            .iter()
            .map(|(k, v)| (k.clone(), v.release))
            .collect()
    }

    /// Matching courses: by rank (with `q`), then by slug.
    pub fn list(&self, f: &Filter) -> Vec<Arc<PublishedCourse>> {
        let terms: Vec<String> =
            f.q.as_deref()
                .map(|q| {
                    fold(q)
                        .split(' ')
                        .filter(|t| !t.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default();
        let map = self.courses.load();
        let mut found: Vec<(u8, Arc<PublishedCourse>)> = map
            .values()
            .filter(|c| f.topic.as_ref().is_none_or(|t| &c.card.topic == t))
            .filter(|c| f.level.as_ref().is_none_or(|t| &c.card.level == t))
            .filter(|c| f.language.as_ref().is_none_or(|t| &c.card.language == t))
            .filter(|c| f.group.as_ref().is_none_or(|g| c.card.groups.contains(g)))
            .filter(|c| {
                f.competence
                    .as_ref()
                    .is_none_or(|k| c.competences.contains(k))
            })
            .filter_map(|c| {
                if terms.is_empty() {
                    Some((0, c.clone()))
                } else {
                    c.rank(&terms).map(|r| (r, c.clone()))
                }
            })
            .collect();
        found.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then_with(|| a.1.card.slug.cmp(&b.1.card.slug))
        });
        found.into_iter().map(|(_, c)| c).collect()
    }
}
