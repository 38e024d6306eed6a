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

impl Texts {
    pub fn topic_name(&self, v: &str) -> &'static str {
        let en = std::ptr::eq(self, &EN);
        match (v, en) {
            ("basic_skills", false) => "Kỹ năng số cơ bản",
            ("basic_skills", true) => "Basic digital skills",
            ("online_safety", false) => "An toàn trên mạng",
            ("online_safety", true) => "Online safety",
            ("e_commerce", false) => "Thương mại điện tử",
            ("e_commerce", true) => "E-commerce",
            ("public_services", false) => "Dịch vụ công trực tuyến",
            ("public_services", true) => "Online public services",
            ("ai", false) => "Trí tuệ nhân tạo",
            ("ai", true) => "Artificial intelligence",
            ("officials_skills", false) => "Kỹ năng cho cán bộ",
            ("officials_skills", true) => "Skills for officials",
            _ => "",
        }
    }

    pub fn level_name(&self, v: &str) -> &'static str {
        let en = std::ptr::eq(self, &EN);
        match (v, en) {
            ("basic", false) => "Cơ bản",
            ("basic", true) => "Basic",
            ("intermediate", false) => "Trung bình",
            ("intermediate", true) => "Intermediate",
            ("advanced", false) => "Nâng cao",
            ("advanced", true) => "Advanced",
            _ => "",
        }
    }

    pub fn group_name(&self, v: &str) -> &'static str {
        let en = std::ptr::eq(self, &EN);
        match (v, en) {
            ("citizen", false) => "Người dân",
            ("citizen", true) => "Citizens",
            ("official", false) => "Cán bộ, công chức",
            ("official", true) => "Officials",
            ("enterprise_worker", false) => "Người lao động",
            ("enterprise_worker", true) => "Workers",
            ("student", false) => "Học sinh, sinh viên",
            ("student", true) => "Students",
            _ => "",
        }
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
    }
}
