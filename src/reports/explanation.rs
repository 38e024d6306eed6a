//! The indicators' explanations ("Giải thích chỉ tiêu"), written from the configuration as it
//! is now, naming courses and programs by their titles.

use std::collections::HashMap;

use diesel::prelude::*;

use super::definitions::{Config, IndicatorDef, Qualification};
use crate::db::DbConn;
use crate::error::ApiResult;

/// Titles of the courses and programs that explanations name; an unknown one is named by its
/// slug.
#[derive(Clone, Debug, Default)]
pub struct Titles {
    pub courses: HashMap<String, String>,
    pub programs: HashMap<String, String>,
}

impl Titles {
    fn course<'a>(&'a self, slug: &'a str) -> &'a str {
        self.courses.get(slug).map(String::as_str).unwrap_or(slug)
    }

    fn program<'a>(&'a self, slug: &'a str) -> &'a str {
        self.programs.get(slug).map(String::as_str).unwrap_or(slug)
    }
}

/// `a`, `a và b`, `a, b và c` (with `last` = "và" or "hoặc").
fn join_words(items: &[String], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., tail] => format!("{} {last} {tail}", init.join(", ")),
    }
}

/// The slugs of a list in their order, each once.
fn distinct(list: &[String]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for s in list {
        if !out.contains(&s.as_str()) {
            out.push(s);
        }
    }
    out
}

/// What a qualification asks, in words: "có VNeID mức 2", "đã hoàn thành khóa “A”, khóa “B” và
/// ít nhất một trong các khóa “C” hoặc “D”", "có chứng nhận (còn hiệu lực) chương trình “P”".
fn qualification_words(q: &Qualification, titles: &Titles) -> String {
    let mut parts = Vec::new();
    match q.eid.as_deref() {
        Some("level2") => parts.push("có VNeID mức 2".to_string()),
        Some(_) => parts.push("có VNeID mức 1 hoặc 2".to_string()),
        None => {}
    }
    let mut courses: Vec<String> = distinct(&q.all_courses)
        .into_iter()
        .map(|s| format!("khóa “{}”", titles.course(s)))
        .collect();
    let any: Vec<String> = distinct(&q.any_courses)
        .into_iter()
        .map(|s| format!("“{}”", titles.course(s)))
        .collect();
    match any.len() {
        0 => {}
        1 => courses.push(format!("khóa {}", any[0])),
        _ => courses.push(format!(
            "ít nhất một trong các khóa {}",
            join_words(&any, "hoặc")
        )),
    }
    if !courses.is_empty() {
        parts.push(format!("đã hoàn thành {}", join_words(&courses, "và")));
    }
    if let Some(p) = &q.program {
        parts.push(format!(
            "có chứng nhận (còn hiệu lực) chương trình “{}”",
            titles.program(p)
        ));
    }
    join_words(&parts, "và")
}

/// The indicator's "Giải thích chỉ tiêu" under a qualification (the effective one): its
/// numerator and denominator in words.
pub fn explanation(def: &IndicatorDef, q: &Qualification, titles: &Titles) -> String {
    format!(
        "Tử số: {} {}. Mẫu số: {}.",
        def.counted,
        qualification_words(q, titles),
        def.denominator
    )
}

/// The titles of the courses and programs that `config` names.
pub(super) fn titles(
    conn: &mut DbConn,
    config: &Config,
    course_title: &dyn Fn(&str) -> Option<String>,
) -> ApiResult<Titles> {
    use crate::db::schema::programs;
    let mut t = Titles::default();
    let mut programs = Vec::new();
    for q in config.values() {
        for slug in q.all_courses.iter().chain(&q.any_courses) {
            if let Some(title) = course_title(slug) {
                t.courses.insert(slug.clone(), title);
            }
        }
        programs.extend(q.program.iter().cloned());
    }
    t.programs = programs::table
        .filter(programs::slug.eq_any(&programs))
        .select((programs::slug, programs::title))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(t)
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::definitions::{
        IndicatorDef, BASIC_PROGRAM, INDICATORS, OFFICIALS_PROGRAM, STUDENTS_PROGRAM,
    };
    use super::*;

    fn def(key: &str) -> &'static IndicatorDef {
        INDICATORS.iter().find(|d| d.key == key).unwrap()
    }

    /// The titles of the shipped curriculum that the defaults name.
    pub(in crate::reports) fn shipped_titles() -> Titles {
        let map = |l: &[(&str, &str)]| {
            l.iter()
                .map(|(s, t)| (s.to_string(), t.to_string()))
                .collect()
        };
        Titles {
            courses: map(&[
                (
                    "dien-thoai-thong-minh",
                    "Làm quen với điện thoại thông minh",
                ),
                ("an-toan-tren-mang", "An toàn trên không gian mạng"),
                ("zalo", "Kết nối và giao tiếp qua Zalo"),
                ("vneid", "Danh tính điện tử VNeID"),
                ("dich-vu-cong-truc-tuyen", "Dịch vụ công trực tuyến"),
                (
                    "thanh-toan-khong-tien-mat",
                    "Thanh toán không dùng tiền mặt",
                ),
                ("mua-sam-truc-tuyen-an-toan", "Mua sắm trực tuyến an toàn"),
            ]),
            programs: map(&[
                (BASIC_PROGRAM, "Phổ cập kỹ năng số cơ bản cho người dân"),
                (
                    OFFICIALS_PROGRAM,
                    "Kỹ năng số cho cán bộ, công chức, viên chức và người lao động khu vực công",
                ),
                (
                    STUDENTS_PROGRAM,
                    "Kỹ năng số và an toàn trên mạng cho học sinh",
                ),
            ]),
        }
    }

    #[test]
    fn explanations_follow_the_configuration() {
        let t = shipped_titles();
        let explain = |key: &str| explanation(def(key), &def(key).condition.into(), &t);
        assert_eq!(
            explain("eid_level2_14plus"),
            "Tử số: người từ 14 tuổi trở lên có VNeID mức 2. Mẫu số: dân số từ 14 tuổi trở lên."
        );
        assert_eq!(
            explain("working_age_trained"),
            "Tử số: người 15–60 tuổi đã hoàn thành khóa “Làm quen với điện thoại thông minh” và \
             khóa “An toàn trên không gian mạng”. Mẫu số: dân số trong độ tuổi lao động."
        );
        assert_eq!(
            explain("officials_skilled"),
            "Tử số: cán bộ, công chức, viên chức và người lao động khu vực công có chứng nhận (còn \
             hiệu lực) chương trình “Kỹ năng số cho cán bộ, công chức, viên chức và người lao động \
             khu vực công”. Mẫu số: số cán bộ, công chức, viên chức và người lao động khu vực công."
        );
        assert_eq!(
            explain("adults_basic_knowledge"),
            "Tử số: người từ 18 tuổi đã hoàn thành khóa “Làm quen với điện thoại thông minh”, khóa \
             “An toàn trên không gian mạng” và ít nhất một trong các khóa “Kết nối và giao tiếp qua \
             Zalo”, “Danh tính điện tử VNeID”, “Dịch vụ công trực tuyến”, “Thanh toán không dùng \
             tiền mặt” hoặc “Mua sắm trực tuyến an toàn”. Mẫu số: dân số trưởng thành."
        );
        assert_eq!(
            explain("students_skilled"),
            "Tử số: học sinh, sinh viên có chứng nhận (còn hiệu lực) chương trình “Kỹ năng số và an \
             toàn trên mạng cho học sinh”. Mẫu số: số học sinh, sinh viên."
        );
        // A changed configuration: what it says, an unknown course by its slug.
        let q = Qualification {
            eid: Some("any".into()),
            any_courses: vec!["zalo".into(), "khoa-moi".into(), "zalo".into()],
            program: Some(BASIC_PROGRAM.into()),
            ..Default::default()
        };
        assert_eq!(
            explanation(def("adults_basic_knowledge"), &q, &t),
            "Tử số: người từ 18 tuổi có VNeID mức 1 hoặc 2, đã hoàn thành ít nhất một trong các \
             khóa “Kết nối và giao tiếp qua Zalo” hoặc “khoa-moi” và có chứng nhận (còn hiệu lực) \
             chương trình “Phổ cập kỹ năng số cơ bản cho người dân”. Mẫu số: dân số trưởng thành."
        );
        let one = Qualification {
            any_courses: vec!["vneid".into()],
            ..Default::default()
        };
        assert_eq!(
            qualification_words(&one, &t),
            "đã hoàn thành khóa “Danh tính điện tử VNeID”"
        );
        assert_eq!(join_words(&[], "và"), "");
        assert_eq!(join_words(&["a".into(), "b".into()], "hoặc"), "a hoặc b");
    }
}
