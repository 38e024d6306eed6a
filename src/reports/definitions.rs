//! What the indicators are: their keys, names, populations and default conditions
//! (`INDICATORS`), and the qualification that makes a person count, stored over the defaults
//! (`courses/indicators.toml`, the admins' changes).

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::content::is_valid_key;
use crate::db::community::Census;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

/// Who an indicator is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Population {
    Aged14Plus,
    WorkingAge,
    Officials,
    Adults,
    EnterpriseWorkers,
    /// Pupils and students (learner group `student`).
    Students,
    Households,
}

/// What makes a person (or a household) count.
#[derive(Clone, Copy, Debug)]
pub enum Condition {
    EidLevel2,
    EidAny,
    /// Completed every one of these courses.
    CompletedAll(&'static [&'static str]),
    /// Completed at least one of these courses.
    CompletedAny(&'static [&'static str]),
    /// Completed every course of `all` and at least one of `any`.
    CompletedAllAndAny {
        all: &'static [&'static str],
        any: &'static [&'static str],
    },
    /// Holds a valid certificate of this program.
    Program(&'static str),
}

/// What makes a person count for an indicator: every part given must hold. The default of each
/// indicator comes from `INDICATORS`; admins change it (`PUT /admin/indicators/{key}`, or
/// `courses/indicators.toml`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Qualification {
    /// `level2` or `any` (level 1 or 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eid: Option<String>,
    /// Completed every one of these courses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub all_courses: Vec<String>,
    /// Completed at least one of these courses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any_courses: Vec<String>,
    /// Holds a valid certificate of this program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
}

impl From<Condition> for Qualification {
    fn from(c: Condition) -> Self {
        let list = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        match c {
            Condition::EidLevel2 => Qualification {
                eid: Some("level2".into()),
                ..Default::default()
            },
            Condition::EidAny => Qualification {
                eid: Some("any".into()),
                ..Default::default()
            },
            Condition::CompletedAll(l) => Qualification {
                all_courses: list(l),
                ..Default::default()
            },
            Condition::CompletedAny(l) => Qualification {
                any_courses: list(l),
                ..Default::default()
            },
            Condition::CompletedAllAndAny { all, any } => Qualification {
                all_courses: list(all),
                any_courses: list(any),
                ..Default::default()
            },
            Condition::Program(p) => Qualification {
                program: Some(p.into()),
                ..Default::default()
            },
        }
    }
}

impl Qualification {
    /// Problems with a qualification (empty when it can be used).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.eid.is_none()
            && self.all_courses.is_empty()
            && self.any_courses.is_empty()
            && self.program.is_none()
        {
            out.push("give at least one of eid, all_courses, any_courses, program".to_string());
        }
        if let Some(e) = &self.eid {
            if e != "level2" && e != "any" {
                out.push(format!("eid `{e}`: use level2 or any"));
            }
        }
        for s in self
            .all_courses
            .iter()
            .chain(&self.any_courses)
            .chain(self.program.iter())
        {
            if !is_valid_key(s) {
                out.push(format!("`{s}` is not a course or program slug"));
            }
        }
        out
    }
    /// The valid slugs of `all_courses`, each once.
    pub(super) fn all_set(&self) -> Vec<&str> {
        slug_set(&self.all_courses)
    }

    /// The valid slugs of `any_courses`, each once.
    pub(super) fn any_set(&self) -> Vec<&str> {
        slug_set(&self.any_courses)
    }

    /// The program, when its slug is valid.
    pub(super) fn valid_program(&self) -> Option<&str> {
        self.program.as_deref().filter(|p| is_valid_key(p))
    }

    /// Does the qualification have a course or certificate part (kept in the learners' facts)?
    pub(super) fn has_fact(&self) -> bool {
        !self.all_set().is_empty() || !self.any_set().is_empty() || self.valid_program().is_some()
    }
}

/// The valid slugs of a list, each once.
fn slug_set(list: &[String]) -> Vec<&str> {
    let mut out: Vec<&str> = list
        .iter()
        .map(String::as_str)
        .filter(|s| is_valid_key(s))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The qualification of every indicator: the stored configuration over the defaults.
pub fn effective_config(conn: &mut DbConn) -> ApiResult<Config> {
    use crate::db::schema::indicator_config;
    let stored: HashMap<String, String> = indicator_config::table
        .select((indicator_config::indicator, indicator_config::qualification))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(INDICATORS
        .iter()
        .map(|d| {
            let q = stored
                .get(d.key)
                .and_then(|j| serde_json::from_str::<Qualification>(j).ok())
                .filter(|q| q.problems().is_empty())
                .unwrap_or_else(|| d.condition.into());
            (d.key, q)
        })
        .collect())
}

/// Stores (or with `None` removes) the qualification of each indicator given, then rebuilds
/// the learners' facts if the configuration changed, all in one transaction.
pub fn save_config(conn: &mut DbConn, changes: &[(&str, Option<&Qualification>)]) -> ApiResult<()> {
    crate::db::transaction::<_, ApiError, _>(conn, |conn| {
        store_config(conn, changes)?;
        super::facts::ensure_facts(conn, false)?;
        Ok(())
    })
}

/// Stores (or with `None` removes) the qualification of each indicator given, leaving the facts
/// to [`super::facts::ensure_facts_on`] (or [`save_config`]).
pub fn store_config(
    conn: &mut DbConn,
    changes: &[(&str, Option<&Qualification>)],
) -> ApiResult<()> {
    use crate::db::schema::indicator_config;
    crate::db::transaction::<_, ApiError, _>(conn, |conn| {
        for (key, q) in changes {
            diesel::delete(indicator_config::table.find(key)).execute(conn)?;
            if let Some(q) = q {
                diesel::insert_into(indicator_config::table)
                    .values((
                        indicator_config::indicator.eq(key),
                        indicator_config::qualification
                            .eq(serde_json::to_string(q).map_err(ApiError::internal)?),
                        indicator_config::updated_at.eq(crate::db::now()),
                    ))
                    .execute(conn)?;
            }
        }
        Ok(())
    })
}

/// One indicator of the report and the sheet.
pub struct IndicatorDef {
    pub key: &'static str,
    /// Its name on the report and the sheet: the official wording, or for a proxy what hocso
    /// counts.
    pub name: &'static str,
    pub name_en: &'static str,
    /// hocso cannot see what the official indicator counts (the confirmation on VNeID) and counts
    /// its own certificates instead: the report says so, the sheet marks the name "[Ước tính]".
    pub proxy: bool,
    /// For a proxy, the official indicator's wording.
    pub official_name: Option<&'static str>,
    /// Who is counted, as the explanation's numerator begins: "người từ 18 tuổi".
    pub counted: &'static str,
    /// The denominator in words: "dân số trưởng thành".
    pub denominator: &'static str,
    pub population: Population,
    pub condition: Condition,
}

pub const BASIC_PROGRAM: &str = "pho-cap-ky-nang-so-co-ban";
pub const OFFICIALS_PROGRAM: &str = "ky-nang-so-cho-can-bo";
pub const STUDENTS_PROGRAM: &str = "ky-nang-so-cho-hoc-sinh";

/// The default configuration, fitted to the shipped curriculum (and the same as the shipped
/// `courses/indicators.toml`). The order is the sheet's: the five standard indicator families of
/// the provincial plans (shared/CURRICULUM.md §4) after the e-identity and training indicators.
pub const INDICATORS: &[IndicatorDef] = &[
    IndicatorDef {
        key: "eid_level2_14plus",
        name: "Tỷ lệ người dân từ 14 tuổi trở lên có danh tính điện tử mức 2 (dùng được cho giao dịch)",
        name_en: "People aged 14+ with a level-2 e-identity (usable for transactions)",
        proxy: false,
        official_name: None,
        counted: "người từ 14 tuổi trở lên",
        denominator: "dân số từ 14 tuổi trở lên",
        population: Population::Aged14Plus,
        condition: Condition::EidLevel2,
    },
    IndicatorDef {
        key: "eid_any_14plus",
        name: "Tỷ lệ người dân từ 14 tuổi trở lên có danh tính điện tử (mức 1 hoặc mức 2)",
        name_en: "People aged 14+ with an e-identity of any level",
        proxy: false,
        official_name: None,
        counted: "người từ 14 tuổi trở lên",
        denominator: "dân số từ 14 tuổi trở lên",
        population: Population::Aged14Plus,
        condition: Condition::EidAny,
    },
    IndicatorDef {
        key: "working_age_trained",
        name: "Tỷ lệ người trong độ tuổi lao động được tập huấn kỹ năng số cơ bản và an toàn trên môi trường số",
        name_en: "Working-age people trained in basic digital skills and online safety",
        proxy: false,
        official_name: None,
        counted: "người 15–60 tuổi",
        denominator: "dân số trong độ tuổi lao động",
        population: Population::WorkingAge,
        condition: Condition::CompletedAll(&["dien-thoai-thong-minh", "an-toan-tren-mang"]),
    },
    IndicatorDef {
        key: "officials_skilled",
        name: "Tỷ lệ cán bộ, công chức, viên chức và người lao động trong khu vực công có hiểu biết về chuyển đổi số, có kiến thức, kỹ năng số, sử dụng tốt các nền tảng, dịch vụ số phục vụ công việc",
        name_en: "Officials, public employees and public-sector workers who understand digital transformation and use digital platforms and services well in their work",
        proxy: false,
        official_name: None,
        counted: "cán bộ, công chức, viên chức và người lao động khu vực công",
        denominator: "số cán bộ, công chức, viên chức và người lao động khu vực công",
        population: Population::Officials,
        condition: Condition::Program(OFFICIALS_PROGRAM),
    },
    IndicatorDef {
        key: "students_skilled",
        name: "Tỷ lệ học sinh, sinh viên được trang bị kiến thức, kỹ năng số, nhận biết được nguy cơ, có kỹ năng bảo đảm an toàn trong môi trường số",
        name_en: "Pupils and students equipped with digital knowledge and skills, aware of the risks and able to stay safe online",
        proxy: false,
        official_name: None,
        counted: "học sinh, sinh viên",
        denominator: "số học sinh, sinh viên",
        population: Population::Students,
        condition: Condition::Program(STUDENTS_PROGRAM),
    },
    IndicatorDef {
        key: "adults_basic_knowledge",
        name: "Tỷ lệ người dân trưởng thành có tri thức cơ bản về chuyển đổi số, có kỹ năng số, sử dụng tốt thiết bị thông minh để khai thác thông tin, sử dụng nền tảng, dịch vụ số thiết yếu, tham gia tương tác, an toàn trên môi trường số",
        name_en: "Adults with basic knowledge of digital transformation and digital skills, who use smart devices, essential digital platforms and services, and stay safe online",
        proxy: false,
        official_name: None,
        counted: "người từ 18 tuổi",
        denominator: "dân số trưởng thành",
        population: Population::Adults,
        // Smart devices and finding information; safety in the digital environment; and at
        // least one essential digital platform or service.
        condition: Condition::CompletedAllAndAny {
            all: &["dien-thoai-thong-minh", "an-toan-tren-mang"],
            any: &[
                "zalo",
                "vneid",
                "dich-vu-cong-truc-tuyen",
                "thanh-toan-khong-tien-mat",
                "mua-sam-truc-tuyen-an-toan",
            ],
        },
    },
    IndicatorDef {
        key: "adults_certified",
        name: "Tỷ lệ người dân trưởng thành đạt phổ cập kỹ năng số cơ bản theo chứng nhận của hocso",
        name_en: "Adults holding hocso's certificate of basic digital skills (proxy for the confirmation on VNeID)",
        proxy: true,
        official_name: Some("Người dân trong độ tuổi trưởng thành được xác nhận đạt phổ cập tri thức về chuyển đổi số, kỹ năng số trên nền tảng VNeID"),
        counted: "người từ 18 tuổi",
        denominator: "dân số trưởng thành",
        population: Population::Adults,
        condition: Condition::Program(BASIC_PROGRAM),
    },
    IndicatorDef {
        key: "enterprise_workers_skilled",
        name: "Tỷ lệ người lao động trong các doanh nghiệp, hợp tác xã, liên hiệp hợp tác xã có kiến thức về công nghệ số, có kỹ năng số, sử dụng tốt thiết bị thông minh để phục vụ sản xuất, kinh doanh",
        name_en: "Workers of enterprises and cooperatives with digital knowledge and skills who use smart devices well in production and business",
        proxy: false,
        official_name: None,
        counted: "người lao động doanh nghiệp, hợp tác xã",
        denominator: "số người lao động doanh nghiệp, hợp tác xã",
        population: Population::EnterpriseWorkers,
        condition: Condition::Program("ky-nang-so-cho-nguoi-lao-dong"),
    },
    IndicatorDef {
        key: "households_certified",
        name: "Tỷ lệ hộ gia đình có ít nhất một thành viên có chứng nhận phổ cập kỹ năng số cơ bản của hocso",
        name_en: "Households with at least one member holding hocso's certificate of basic digital skills (proxy)",
        proxy: true,
        official_name: Some("Mỗi hộ gia đình có ít nhất một thành viên thành thạo kỹ năng số cơ bản"),
        counted: "hộ có ít nhất một thành viên",
        denominator: "số hộ gia đình",
        population: Population::Households,
        condition: Condition::Program(BASIC_PROGRAM),
    },
];

/// The configuration of every indicator, as the report reads it: the qualification of each key.
pub type Config = HashMap<&'static str, Qualification>;

/// The indicator with this key.
pub fn definition(key: &str) -> Option<&'static IndicatorDef> {
    INDICATORS.iter().find(|d| d.key == key)
}

/// Is there an indicator with this key?
pub fn indicator_exists(key: &str) -> bool {
    definition(key).is_some()
}

/// The household indicator: its key and qualification.
pub(super) fn household_indicator(config: &Config) -> Option<(&'static str, &Qualification)> {
    INDICATORS
        .iter()
        .find(|d| d.population == Population::Households)
        .map(|d| (d.key, &config[d.key]))
}

/// The census field that counts a population.
pub(super) fn census_field(p: Population) -> fn(&Census) -> Option<i64> {
    match p {
        Population::Aged14Plus => |c| c.aged_14_plus,
        Population::WorkingAge => |c| c.working_age,
        Population::Officials => |c| c.officials,
        Population::Adults => |c| c.adults,
        Population::EnterpriseWorkers => |c| c.enterprise_workers,
        Population::Students => |c| c.students,
        Population::Households => |c| c.households,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(key: &str) -> &'static IndicatorDef {
        INDICATORS.iter().find(|d| d.key == key).unwrap()
    }

    #[test]
    fn the_shipped_indicators_toml_says_what_the_defaults_say() {
        let file: std::collections::BTreeMap<String, Qualification> =
            toml::from_str(include_str!("../../courses/indicators.toml")).unwrap();
        assert_eq!(file.len(), INDICATORS.len());
        for d in INDICATORS {
            let q = &file[d.key];
            assert!(q.problems().is_empty(), "{}: {:?}", d.key, q.problems());
            assert_eq!(*q, Qualification::from(d.condition), "{}", d.key);
        }
    }

    #[test]
    fn keys_are_distinct_and_one_indicator_is_about_households() {
        let mut keys: Vec<&str> = INDICATORS.iter().map(|d| d.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), INDICATORS.len());
        assert_eq!(
            INDICATORS
                .iter()
                .filter(|d| d.population == Population::Households)
                .count(),
            1
        );
    }

    #[test]
    fn proxies_carry_the_official_wording() {
        for d in INDICATORS {
            assert_eq!(d.proxy, d.official_name.is_some(), "{}", d.key);
        }
        let proxies: Vec<&str> = INDICATORS
            .iter()
            .filter(|d| d.proxy)
            .map(|d| d.key)
            .collect();
        assert_eq!(proxies, ["adults_certified", "households_certified"]);
        assert!(def("adults_certified")
            .official_name
            .unwrap()
            .ends_with("trên nền tảng VNeID"));
    }

    #[test]
    fn officials_and_students_count_their_programs() {
        let o = def("officials_skilled");
        assert!(o.name.contains("người lao động trong khu vực công"));
        assert_eq!(
            Qualification::from(o.condition).program.as_deref(),
            Some(OFFICIALS_PROGRAM)
        );
        let s = def("students_skilled");
        assert_eq!(s.population, Population::Students);
        assert_eq!(
            Qualification::from(s.condition).program.as_deref(),
            Some(STUDENTS_PROGRAM)
        );
        let census = crate::db::community::Census {
            students: Some(420),
            officials: Some(7),
            ..Default::default()
        };
        assert_eq!(census_field(Population::Students)(&census), Some(420));
        assert_eq!(census_field(Population::Officials)(&census), Some(7));
    }

    #[test]
    fn all_of_and_any_of_together() {
        let q = Qualification::from(def("adults_basic_knowledge").condition);
        assert_eq!(
            q.all_courses,
            ["dien-thoai-thong-minh", "an-toan-tren-mang"]
        );
        assert_eq!(q.any_courses.len(), 5);
        assert!(!q.any_courses.iter().any(|c| q.all_courses.contains(c)));
        assert!(q.eid.is_none() && q.program.is_none());
        assert!(q.problems().is_empty());
        // The same in a file or a request body.
        let parsed: Qualification =
            toml::from_str("all_courses = [\"a\", \"b\"]\nany_courses = [\"c\", \"d\"]\n").unwrap();
        assert_eq!(parsed.all_courses, ["a", "b"]);
        assert_eq!(parsed.any_courses, ["c", "d"]);
        assert!(parsed.problems().is_empty());
        let bad = Qualification {
            all_courses: vec!["A b".into()],
            any_courses: vec!["c".into()],
            ..Default::default()
        };
        assert_eq!(bad.problems().len(), 1);
    }
}
