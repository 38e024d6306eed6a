//! The shipped curriculum under `courses/`: valid, complete, sourced, NFC, covering the
//! competence frameworks.

use std::collections::BTreeSet;
use std::path::Path;

use hocso::content::files::load_tree;
use hocso::content::COMPETENCES;
use unicode_normalization::UnicodeNormalization;

fn courses_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("courses")
}

#[test]
fn the_shipped_curriculum_is_valid_and_complete() {
    let tree = load_tree(&courses_dir());
    let problems: Vec<String> = tree.problems.iter().map(|p| p.to_string()).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let courses = &tree.courses;
    let lessons: usize = courses.iter().map(|c| c.doc.lessons().count()).sum();
    let questions: usize = courses
        .iter()
        .flat_map(|c| c.doc.quizzes())
        .map(|q| q.spec.questions.len())
        .sum();
    assert!(courses.len() >= 10, "{} courses", courses.len());
    assert!(lessons >= 80, "{lessons} lessons");
    assert!(questions >= 300, "{questions} questions");
    for c in courses {
        let doc = &c.doc;
        assert!(
            (3..=5).contains(&doc.modules.len()),
            "{}: {} modules",
            doc.slug,
            doc.modules.len()
        );
        assert!(!doc.meta.title_en.is_empty() && !doc.meta.summary_en.is_empty());
        for m in &doc.modules {
            assert!(
                !m.meta.title_en.is_empty(),
                "{}/{} has no English title",
                doc.slug,
                m.key
            );
            let quizzes: Vec<_> = m
                .items
                .iter()
                .filter_map(|i| match i {
                    hocso::content::ItemDoc::Quiz(q) => Some(q),
                    _ => None,
                })
                .collect();
            assert_eq!(
                quizzes.len(),
                1,
                "{}/{}: one quiz per module",
                doc.slug,
                m.key
            );
            let q = &quizzes[0].spec;
            assert!(
                q.questions_per_attempt >= 5 && q.questions.len() >= 8,
                "{}/{}",
                doc.slug,
                m.key
            );
            assert!(q.questions.iter().all(|x| !x.explanation.trim().is_empty()));
        }
        for l in doc.lessons() {
            assert!(
                !l.meta.sources.is_empty(),
                "{}/{} has no source",
                doc.slug,
                l.key
            );
            assert!(
                !l.meta.competences.is_empty(),
                "{}/{} has no competence",
                doc.slug,
                l.key
            );
            let words = l.body.split_whitespace().count();
            assert!(
                (250..=700).contains(&words),
                "{}/{}: {words} words",
                doc.slug,
                l.key
            );
            assert!(
                l.body.contains("Ghi nhớ"),
                "{}/{} has no Ghi nhớ box",
                doc.slug,
                l.key
            );
        }
        let ordering = doc
            .quizzes()
            .flat_map(|q| q.spec.questions.iter())
            .filter(|q| q.kind == "ordering")
            .count();
        assert!(ordering > 0, "{} has no ordering question", doc.slug);
    }
    // The indicator configuration file covers every indicator.
    assert_eq!(tree.indicators.len(), hocso::reports::INDICATORS.len());
    // Programs as the issue names them.
    let program = |slug: &str| {
        tree.programs
            .iter()
            .find(|(s, _)| s == slug)
            .map(|(_, p)| p.courses.len())
    };
    assert_eq!(program("pho-cap-ky-nang-so-co-ban"), Some(7));
    assert_eq!(program("ky-nang-so-cho-can-bo"), Some(6));
    assert_eq!(program("ky-nang-so-cho-nguoi-lao-dong"), Some(5));
}

#[test]
fn every_competence_of_areas_one_to_five_and_ai_basics_is_taught() {
    let tree = load_tree(&courses_dir());
    let tagged: BTreeSet<String> = tree
        .courses
        .iter()
        .flat_map(|c| {
            c.doc
                .lessons()
                .flat_map(|l| l.meta.competences.clone())
                .collect::<Vec<_>>()
        })
        .collect();
    for code in COMPETENCES
        .iter()
        .filter(|c| !c.starts_with('6') || **c == "6.1" || **c == "6.2")
    {
        assert!(
            tagged.contains(*code),
            "no lesson teaches competence {code}"
        );
    }
}

#[test]
fn all_course_text_is_utf8_in_nfc() {
    let mut stack = vec![courses_dir()];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: not UTF-8: {e}", path.display()));
            let nfc: String = text.nfc().collect();
            assert!(nfc == text, "{} is not in NFC", path.display());
            files += 1;
        }
    }
    assert!(files > 100);
}
