//! The texts of the web pages. Each text is written once in both languages (the macro makes a
//! missing translation a compile error), in the file of the pages that show it: `common`
//! (layout, error pages, field messages), `learner`, `account`, `staff`, `officer`, `author`,
//! `admin`, `privacy`. They all make one `Texts`, so a page reads any text as `t.key`. The API's
//! problem titles come from the same `Lang`, in `error::Code::title`, and pages show those for
//! domain errors.
//!
//! How the files join: each defines a macro (`staff_texts!` …) that takes the names of the
//! macros still to run and the list gathered so far, appends its own texts and hands the list on;
//! the last, `texts!`, makes the struct and its two statics. A key given twice is a compile error.

use super::Lang;

#[macro_use]
mod account;
#[macro_use]
mod admin;
#[macro_use]
mod author;
#[macro_use]
mod common;
#[macro_use]
mod learner;
#[macro_use]
mod officer;
#[macro_use]
mod privacy;
#[macro_use]
mod staff;

macro_rules! texts {
    (=> $($key:ident: $vi:expr, $en:expr;)*) => {
        /// Every page text in one language.
        pub struct Texts { $(pub $key: &'static str,)* }
        static VI: Texts = Texts { $($key: $vi,)* };
        static EN: Texts = Texts { $($key: $en,)* };
    };
}

common_texts! {
    learner_texts, account_texts, staff_texts, officer_texts, author_texts, admin_texts,
    privacy_texts, texts =>
}

/// The texts of `lang`.
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

/// The names of the catalogue's values: (value, Vietnamese, English).
const TOPIC_NAMES: &[(&str, &str, &str)] = &[
    ("basic_skills", "Kỹ năng số cơ bản", "Basic digital skills"),
    ("online_safety", "An toàn trên mạng", "Online safety"),
    ("e_commerce", "Thương mại điện tử", "E-commerce"),
    (
        "public_services",
        "Dịch vụ công trực tuyến",
        "Online public services",
    ),
    ("ai", "Trí tuệ nhân tạo", "Artificial intelligence"),
    (
        "officials_skills",
        "Kỹ năng cho cán bộ",
        "Skills for officials",
    ),
];

const LEVEL_NAMES: &[(&str, &str, &str)] = &[
    ("basic", "Cơ bản", "Basic"),
    ("intermediate", "Trung bình", "Intermediate"),
    ("advanced", "Nâng cao", "Advanced"),
];

const GROUP_NAMES: &[(&str, &str, &str)] = &[
    ("citizen", "Người dân", "Citizens"),
    ("official", "Cán bộ, công chức", "Officials"),
    ("enterprise_worker", "Người lao động", "Workers"),
    ("student", "Học sinh, sinh viên", "Students"),
];

impl Texts {
    /// The name of `v` in `names`, in this language; empty for an unknown value.
    fn name_in(&self, names: &[(&str, &'static str, &'static str)], v: &str) -> &'static str {
        let en = std::ptr::eq(self, &EN);
        names
            .iter()
            .find(|(value, ..)| *value == v)
            .map_or("", |&(_, vi, english)| if en { english } else { vi })
    }

    pub fn topic_name(&self, v: &str) -> &'static str {
        self.name_in(TOPIC_NAMES, v)
    }

    pub fn level_name(&self, v: &str) -> &'static str {
        self.name_in(LEVEL_NAMES, v)
    }

    pub fn group_name(&self, v: &str) -> &'static str {
        self.name_in(GROUP_NAMES, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_value_has_a_name_in_both_languages() {
        for lang in [Lang::Vi, Lang::En] {
            let t = texts(lang);
            for v in crate::content::TOPICS {
                assert!(!t.topic_name(v).is_empty(), "topic {v}");
            }
            for v in crate::content::LEVELS {
                assert!(!t.level_name(v).is_empty(), "level {v}");
            }
            for v in crate::content::GROUPS {
                assert!(!t.group_name(v).is_empty(), "group {v}");
            }
        }
        assert_ne!(
            texts(Lang::Vi).topic_name("ai"),
            texts(Lang::En).topic_name("ai")
        );
        assert_eq!(texts(Lang::Vi).group_name("student"), "Học sinh, sinh viên");
        assert_eq!(texts(Lang::En).group_name("student"), "Students");
        assert_eq!(texts(Lang::En).level_name("expert"), "");
    }
}
