//! The movement's indicators for a locality and its subtree, computed with SQL aggregates
//! (docs/REPORTS.md defines each one).

use std::collections::HashMap;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde::Serialize;
use utoipa::ToSchema;

use crate::content::is_valid_key;
use crate::db::schema::{census, indicator_targets, localities};
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
}

/// The qualification of every indicator: the stored configuration over the defaults.
pub fn effective_config(conn: &mut DbConn) -> ApiResult<HashMap<&'static str, Qualification>> {
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
        ensure_facts(conn, false)?;
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

/// The sheet's opening of a proxy's explanation: the official indicator, and what hocso counts
/// instead.
fn proxy_note(official: &str) -> String {
    format!("Chỉ tiêu chính thức: {official}; hocso chỉ đếm chứng nhận của mình.")
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Target {
    /// `rate` (percent) or `count`
    pub kind: String,
    pub value: f64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IndicatorValue {
    pub key: &'static str,
    /// The official wording, or for a proxy what hocso counts.
    pub name: &'static str,
    pub name_en: &'static str,
    /// True when the figure only approximates the official indicator (`official_name`): hocso
    /// counts its own certificates, not the official confirmation on VNeID. Not to be reported
    /// as the official figure.
    pub proxy: bool,
    /// For a proxy, the official indicator's wording.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub official_name: Option<&'static str>,
    /// Numerator and denominator in words, after the indicator's configuration.
    pub explanation: String,
    /// `%`
    pub unit: &'static str,
    pub numerator: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denominator: Option<i64>,
    /// `census` (the official figures) or `registered` (people known to the platform)
    pub denominator_source: &'static str,
    /// Percent, two decimals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// Target minus actual: percentage points for a rate target, people or households for a count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<f64>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Counts {
    pub learners_registered: i64,
    pub active_last_30_days: i64,
    pub certificates_issued_in_year: i64,
    pub teams: i64,
    pub facilitators: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Report {
    pub locality_id: String,
    pub locality_name: String,
    pub kind: String,
    pub year: i32,
    pub indicators: Vec<IndicatorValue>,
    pub counts: Counts,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub children: Option<Vec<Report>>,
}

/// Runs a `SELECT COUNT(*) AS n ...`.
fn count(conn: &mut DbConn, sql: &str) -> ApiResult<i64> {
    let rows: Vec<crate::db::Count> = diesel::sql_query(sql).load(conn)?;
    Ok(rows.first().map(|r| r.n).unwrap_or(0))
}

fn slugs(list: &[&str]) -> String {
    list.iter()
        .filter(|s| is_valid_key(s))
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(",")
}

fn population_sql(p: Population, year: i32) -> String {
    match p {
        Population::Aged14Plus => {
            format!("p.birth_year IS NOT NULL AND p.birth_year <= {}", year - 14)
        }
        Population::WorkingAge => format!(
            "p.birth_year IS NOT NULL AND p.birth_year BETWEEN {} AND {}",
            year - 60,
            year - 15
        ),
        Population::Adults => format!("p.birth_year IS NOT NULL AND p.birth_year <= {}", year - 18),
        Population::Officials => "p.learner_group = 'official'".into(),
        Population::EnterpriseWorkers => "p.learner_group = 'enterprise_worker'".into(),
        Population::Students => "p.learner_group = 'student'".into(),
        Population::Households => "1 = 1".into(),
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

/// `a` and `b` both met: the later of the two times, else NULL.
fn later_of(a: &str, b: &str) -> String {
    format!("CASE WHEN ({a}) IS NULL OR ({b}) IS NULL THEN NULL WHEN ({a}) >= ({b}) THEN ({a}) ELSE ({b}) END")
}

/// Does the qualification have a course or certificate part (kept in `indicator_facts`)?
fn has_fact(q: &Qualification) -> bool {
    !slug_set(&q.all_courses).is_empty()
        || !slug_set(&q.any_courses).is_empty()
        || q.program.as_deref().is_some_and(is_valid_key)
}

/// Recomputes the facts columns of every learner profile (`one_user`: only of the user bound to
/// `$1`). Per indicator: when its course and certificate parts were first all met, from the
/// completed enrolments and unrevoked certificates; and the last activity in any course.
fn refresh_sql(config: &HashMap<&'static str, Qualification>, one_user: bool) -> String {
    let only = |col: &str| {
        if one_user {
            format!(" AND {col} = $1")
        } else {
            String::new()
        }
    };
    let done = "e.status = 'completed' AND e.completed_at IS NOT NULL";
    let (mut en_cols, mut cf_cols, mut facts) = (
        vec!["MAX(e.last_activity_at) AS last_at".to_string()],
        vec!["COUNT(*) AS held".to_string()],
        Vec::new(),
    );
    for (i, def) in INDICATORS.iter().enumerate() {
        let q = &config[def.key];
        let mut parts = Vec::new();
        let all = slug_set(&q.all_courses);
        if !all.is_empty() {
            let list = slugs(&all);
            en_cols.push(format!(
                "SUM(CASE WHEN {done} AND c.slug IN ({list}) THEN 1 ELSE 0 END) AS all_n{i}, \
                 MAX(CASE WHEN {done} AND c.slug IN ({list}) THEN e.completed_at END) AS all_at{i}"
            ));
            parts.push(format!(
                "CASE WHEN en.all_n{i} = {} THEN en.all_at{i} END",
                all.len()
            ));
        }
        let any = slug_set(&q.any_courses);
        if !any.is_empty() {
            en_cols.push(format!(
                "MIN(CASE WHEN {done} AND c.slug IN ({}) THEN e.completed_at END) AS any_at{i}",
                slugs(&any)
            ));
            parts.push(format!("en.any_at{i}"));
        }
        if let Some(prog) = q.program.as_deref().filter(|p| is_valid_key(p)) {
            cf_cols.push(format!(
                "MIN(CASE WHEN ct.program_slug = '{prog}' THEN ct.issued_at END) AS prog_at{i}"
            ));
            parts.push(format!("cf.prog_at{i}"));
        }
        facts.push(format!(
            "{} AS f{i}",
            parts
                .into_iter()
                .reduce(|a, b| later_of(&a, &b))
                .unwrap_or_else(|| "CAST(NULL AS TIMESTAMP)".to_string())
        ));
    }
    format!(
        "UPDATE learner_profiles SET {set}, last_active_at = x.last_at \
         FROM (SELECT p.user_id, en.last_at, {facts} FROM learner_profiles p \
           LEFT JOIN (SELECT e.user_id, {en} FROM enrollments e JOIN courses c ON c.id = e.course_id \
             WHERE 1 = 1{en_only} GROUP BY e.user_id) en ON en.user_id = p.user_id \
           LEFT JOIN (SELECT ct.user_id, {cf} FROM certificates ct \
             WHERE ct.revoked_at IS NULL{cf_only} GROUP BY ct.user_id) cf ON cf.user_id = p.user_id \
           WHERE 1 = 1{p_only}) x \
         WHERE learner_profiles.user_id = x.user_id",
        set = INDICATORS
            .iter()
            .enumerate()
            .map(|(i, d)| format!("met_{} = x.f{i}", d.key))
            .collect::<Vec<_>>()
            .join(", "),
        facts = facts.join(", "),
        en = en_cols.join(", "),
        cf = cf_cols.join(", "),
        en_only = only("e.user_id"),
        cf_only = only("ct.user_id"),
        p_only = only("p.user_id"),
    )
}

/// What changed about a learner, for [`learner_changed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LearnerChange<'a> {
    /// What they did (a course completed or left, a certificate revoked), or their profile was
    /// created: their facts and their household's are computed again.
    Activity,
    /// Their household or their e-identity: the household they left (if any) and the one they
    /// are in now are counted again.
    Household {
        left: Option<&'a str>,
        joined: Option<&'a str>,
    },
}

/// The one hook of the indicator facts: call it in the transaction that changes what a learner
/// did or where they count, and the facts the reports read stay in step.
pub fn learner_changed(conn: &mut DbConn, user_id: &str, what: LearnerChange<'_>) -> ApiResult<()> {
    match what {
        LearnerChange::Activity => refresh_facts(conn, user_id),
        LearnerChange::Household { left, joined } => {
            let touched: Vec<String> = left.into_iter().chain(joined).map(String::from).collect();
            if touched.is_empty() {
                return Ok(());
            }
            let config = effective_config(conn)?;
            refresh_households(conn, &config, Some(&touched))
        }
    }
}

/// Brings a learner's facts up to date (through [`learner_changed`]).
fn refresh_facts(conn: &mut DbConn, user_id: &str) -> ApiResult<()> {
    let config = effective_config(conn)?;
    let sql = refresh_sql(&config, true);
    match conn {
        DbConn::Pg(c) => diesel::sql_query(sql).bind::<Text, _>(user_id).execute(c)?,
        // `?1` binds the one value wherever it appears.
        DbConn::Sqlite(c) => diesel::sql_query(sql.replace("$1", "?1"))
            .bind::<Text, _>(user_id)
            .execute(c)?,
    };
    let household: Option<Option<String>> = crate::db::schema::learner_profiles::table
        .find(user_id)
        .select(crate::db::schema::learner_profiles::household_id)
        .first(conn)
        .optional()?;
    refresh_households(
        conn,
        &config,
        Some(&household.flatten().into_iter().collect::<Vec<_>>()),
    )
}

/// The household indicator: its key and qualification.
fn household_indicator<'a>(
    config: &'a HashMap<&'static str, Qualification>,
) -> Option<(&'static str, &'a Qualification)> {
    INDICATORS
        .iter()
        .find(|d| d.population == Population::Households)
        .map(|d| (d.key, &config[d.key]))
}

/// Recomputes when a member of each household (`None`: of every household) first counted for the
/// household indicator; through [`learner_changed`] when members' facts, e-identity or household
/// change, and when every fact is rebuilt.
fn refresh_households(
    conn: &mut DbConn,
    config: &HashMap<&'static str, Qualification>,
    ids: Option<&[String]>,
) -> ApiResult<()> {
    let Some((key, q)) = household_indicator(config) else {
        return Ok(());
    };
    if ids.is_some_and(|l| l.is_empty()) {
        return Ok(());
    }
    let scope = match ids {
        Some(list) => format!("id IN ({})", quoted_list(list)),
        None => "1 = 1".to_string(),
    };
    let eid = eid_part(q).unwrap_or_else(|| "1 = 1".to_string());
    // Without a course or certificate part, a household counts from its creation once a member
    // meets the e-identity part.
    let when = if has_fact(q) {
        format!("(SELECT MIN(p.met_{key}) FROM learner_profiles p WHERE p.household_id = households.id AND {eid})")
    } else {
        format!("CASE WHEN EXISTS (SELECT 1 FROM learner_profiles p WHERE p.household_id = households.id AND {eid}) THEN created_at END")
    };
    diesel::sql_query(format!(
        "UPDATE households SET met_{key} = {when} WHERE {scope}"
    ))
    .execute(conn)?;
    Ok(())
}

/// Rebuilds every learner's facts when the indicator configuration differs from the one they
/// were computed with (a new database, an admin's change, a changed `indicators.toml`), or
/// always with `force` (data written behind the application's back, as by the seeder).
/// Returns whether it rebuilt.
pub fn ensure_facts(conn: &mut DbConn, force: bool) -> ApiResult<bool> {
    use crate::db::schema::indicator_facts_basis as basis;
    let config = effective_config(conn)?;
    let ordered: std::collections::BTreeMap<_, _> = config.iter().collect();
    let fingerprint = serde_json::to_string(&ordered).map_err(ApiError::internal)?;
    crate::db::transaction::<_, ApiError, _>(conn, |conn| {
        let stored: Option<String> = basis::table
            .find(1)
            .select(basis::config)
            .first(conn)
            .optional()?;
        if !force && stored.as_deref() == Some(fingerprint.as_str()) {
            return Ok(false);
        }
        diesel::sql_query(refresh_sql(&config, false)).execute(conn)?;
        refresh_households(conn, &config, None)?;
        diesel::delete(basis::table).execute(conn)?;
        diesel::insert_into(basis::table)
            .values((
                basis::id.eq(1),
                basis::config.eq(&fingerprint),
                basis::refreshed_at.eq(crate::db::now()),
            ))
            .execute(conn)?;
        Ok(true)
    })
}

/// Every indicator of the people of `villages` (a subtree's localities) in one scan of their
/// profiles, which carry the facts.
///
/// Rows: `k` = index in `INDICATORS` with `n` qualifying and `d` registered in its population;
/// `k` = -1 with `n` = people active since `since` (0 without) and `d` = people registered.
/// The localities are written into the query rather than found by a recursive CTE, so that
/// PostgreSQL's estimate of the rows is right (an index scan for a commune, a parallel scan for a
/// province).
fn indicators_sql(
    config: &HashMap<&'static str, Qualification>,
    villages: &str,
    end: &str,
    year: i32,
    since: Option<&str>,
) -> String {
    let mut sums = Vec::new();
    for (i, def) in INDICATORS.iter().enumerate() {
        if def.population == Population::Households {
            // Counted from the households' own facts (`refresh_households`).
            sums.push(format!("0 AS n{i}, 0 AS d{i}"));
        } else {
            let cond = person_counts(&config[def.key], def.key, end);
            let pop = population_sql(def.population, year);
            sums.push(format!(
                "COUNT(*) FILTER (WHERE ({pop}) AND {cond}) AS n{i}, \
                 COUNT(*) FILTER (WHERE {pop}) AS d{i}"
            ));
        }
    }
    let active = match since {
        Some(since) => format!("COUNT(*) FILTER (WHERE p.last_active_at >= '{since}')"),
        None => "0".to_string(),
    };
    let rows: Vec<String> = (0..INDICATORS.len())
        .map(|i| format!("SELECT {i} AS k, n{i} AS n, d{i} AS d FROM agg"))
        .chain(std::iter::once(
            "SELECT -1 AS k, active AS n, people AS d FROM agg".to_string(),
        ))
        .collect();
    format!(
        "WITH agg AS MATERIALIZED (SELECT {sums}, {active} AS active, COUNT(*) AS people \
           FROM learner_profiles p WHERE p.village_id IN ({villages})) \
         {rows}",
        sums = sums.join(", "),
        rows = rows.join(" UNION ALL "),
    )
}

/// When a person (`p`) counts for an indicator at `end`: the e-identity part from the profile as
/// it is, the course and certificate part from its fact.
fn person_counts(q: &Qualification, key: &str, end: &str) -> String {
    let mut parts: Vec<String> = eid_part(q).into_iter().collect();
    if has_fact(q) {
        parts.push(format!("p.met_{key} < '{end}'"));
    }
    if parts.is_empty() {
        "1 = 0".to_string()
    } else {
        parts.join(" AND ")
    }
}

/// The e-identity part of a qualification, on a profile `p`.
fn eid_part(q: &Qualification) -> Option<String> {
    match q.eid.as_deref() {
        Some("level2") => Some("p.eid_status = 'level2'".to_string()),
        Some(_) => Some("p.eid_status IN ('level1', 'level2')".to_string()),
        None => None,
    }
}

/// `'a', 'b'`: ids written into a query, quotes doubled.
fn quoted_list(ids: &[String]) -> String {
    if ids.is_empty() {
        return "NULL".to_string();
    }
    ids.iter()
        .map(|id| format!("'{}'", id.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(QueryableByName)]
struct IndicatorRow {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    k: i32,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    d: i64,
}

/// What one pass over a subtree gives.
struct Pass {
    /// (qualifying, registered in the population), in the order of `INDICATORS`.
    pairs: Vec<(i64, i64)>,
    active: i64,
    people: i64,
}

fn indicator_pass(
    conn: &mut DbConn,
    subtree: &[String],
    config: &HashMap<&'static str, Qualification>,
    end: &str,
    year: i32,
    since: Option<&str>,
) -> ApiResult<Pass> {
    let villages = quoted_list(subtree);
    let sql = indicators_sql(config, &villages, end, year, since);
    let read = |c: &mut DbConn| -> ApiResult<Pass> {
        let rows: Vec<IndicatorRow> = diesel::sql_query(&sql).load(c)?;
        let mut pass = Pass {
            pairs: vec![(0, 0); INDICATORS.len()],
            active: 0,
            people: 0,
        };
        for r in rows {
            match usize::try_from(r.k) {
                Ok(i) if i < INDICATORS.len() => pass.pairs[i] = (r.n, r.d),
                _ => (pass.active, pass.people) = (r.n, r.d),
            }
        }
        // Households with a member who counts (kept on the household), and households
        // registered in the subtree (the household indicator's population).
        if let Some(i) = INDICATORS
            .iter()
            .position(|d| d.population == Population::Households)
        {
            let key = INDICATORS[i].key;
            let row: Vec<IndicatorRow> = diesel::sql_query(format!(
                "SELECT {i} AS k, COUNT(*) FILTER (WHERE h.met_{key} < '{end}') AS n, COUNT(*) AS d \
                 FROM households h WHERE h.village_id IN ({villages})"
            ))
            .load(c)?;
            pass.pairs[i] = row.first().map(|r| (r.n, r.d)).unwrap_or((0, 0));
        }
        Ok(pass)
    };
    match conn {
        // The households of a province do not fit PostgreSQL's default 4 MB of hash memory; give
        // these reads their own, inside a transaction so that it ends with it.
        DbConn::Pg(_) => conn.transaction::<_, ApiError, _>(|c| {
            c.batch_execute("SET LOCAL work_mem = '64MB'")?;
            read(c)
        }),
        DbConn::Sqlite(_) => read(conn),
    }
}

/// Census figure of a locality for a year: its own, else the sum of its children's.
fn census_total(
    id: &str,
    own: &HashMap<String, crate::db::community::Census>,
    children: &HashMap<String, Vec<String>>,
    field: fn(&crate::db::community::Census) -> Option<i64>,
) -> Option<i64> {
    if let Some(v) = own.get(id).and_then(field) {
        return Some(v);
    }
    let parts: Vec<i64> = children
        .get(id)
        .into_iter()
        .flatten()
        .filter_map(|c| census_total(c, own, children, field))
        .collect();
    (!parts.is_empty()).then(|| parts.iter().sum())
}

fn census_field(p: Population) -> fn(&crate::db::community::Census) -> Option<i64> {
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

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The indicators of `root` and its subtree for `year`; `now` bounds "active in the last 30 days".
/// `course_title` names the courses in the explanations (the catalogue's titles; a course it does
/// not know is named by its slug).
pub fn report(
    conn: &mut DbConn,
    root: &str,
    year: i32,
    now: NaiveDateTime,
    breakdown: bool,
    course_title: &dyn Fn(&str) -> Option<String>,
) -> ApiResult<Report> {
    let config = effective_config(conn)?;
    let titles = titles(conn, &config, course_title)?;
    let explanations: Vec<String> = INDICATORS
        .iter()
        .map(|d| explanation(d, &config[d.key], &titles))
        .collect();
    report_of(conn, root, year, now, breakdown, &config, &explanations)
}

/// The titles of the courses and programs that `config` names.
fn titles(
    conn: &mut DbConn,
    config: &HashMap<&'static str, Qualification>,
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

fn report_of(
    conn: &mut DbConn,
    root: &str,
    year: i32,
    now: NaiveDateTime,
    breakdown: bool,
    config: &HashMap<&'static str, Qualification>,
    explanations: &[String],
) -> ApiResult<Report> {
    let loc = crate::db::community::locality(conn, root)?
        .ok_or_else(|| ApiError::not_found("No such locality."))?;
    let subtree = crate::db::community::subtree(conn, root)?;
    let tree: Vec<(String, Option<String>)> = localities::table
        .filter(localities::id.eq_any(&subtree))
        .select((localities::id, localities::parent_id))
        .load(conn)?;
    let mut children: HashMap<String, Vec<String>> = HashMap::new();
    for (id, parent) in &tree {
        if let Some(p) = parent {
            children.entry(p.clone()).or_default().push(id.clone());
        }
    }
    let own: HashMap<String, crate::db::community::Census> = census::table
        .filter(census::locality_id.eq_any(&subtree))
        .filter(census::year.eq(year))
        .select(crate::db::community::Census::as_select())
        .load(conn)?
        .into_iter()
        .map(|c| (c.locality_id.clone(), c))
        .collect();
    let targets: HashMap<String, (String, i64)> = indicator_targets::table
        .filter(indicator_targets::locality_id.eq(root))
        .filter(indicator_targets::year.eq(year))
        .select((
            indicator_targets::indicator,
            indicator_targets::kind,
            indicator_targets::value_bp,
        ))
        .load::<(String, String, i64)>(conn)?
        .into_iter()
        .map(|(k, kind, v)| (k, (kind, v)))
        .collect();

    let year_end = format!("{}-01-01", year + 1);
    // Activity is kept by day (see `touch_profile`): from the start of the day 30 days ago.
    let since = (now - TimeDelta::days(30))
        .format("%Y-%m-%d 00:00:00")
        .to_string();
    let pass = indicator_pass(conn, &subtree, config, &year_end, year, Some(&since))?;
    let villages = quoted_list(&subtree);
    let mut indicators = Vec::new();
    for ((def, &(numerator, registered)), explanation) in
        INDICATORS.iter().zip(&pass.pairs).zip(explanations)
    {
        let census = census_total(root, &own, &children, census_field(def.population));
        let (denominator, source) = match census {
            Some(d) => (Some(d), "census"),
            None => (Some(registered), "registered"),
        };
        let rate = denominator
            .filter(|d| *d > 0)
            .map(|d| round2(numerator as f64 * 100.0 / d as f64));
        let target = targets.get(def.key).map(|(kind, v)| Target {
            kind: kind.clone(),
            value: if kind == "rate" {
                *v as f64 / 100.0
            } else {
                *v as f64
            },
        });
        let gap = target.as_ref().and_then(|t| {
            if t.kind == "rate" {
                rate.map(|r| round2(t.value - r))
            } else {
                Some(t.value - numerator as f64)
            }
        });
        indicators.push(IndicatorValue {
            key: def.key,
            name: def.name,
            name_en: def.name_en,
            proxy: def.proxy,
            official_name: def.official_name,
            explanation: explanation.clone(),
            unit: "%",
            numerator,
            denominator,
            denominator_source: source,
            rate,
            target,
            gap,
        });
    }
    let counts = Counts {
        learners_registered: pass.people,
        active_last_30_days: pass.active,
        certificates_issued_in_year: count(
            conn,
            &format!(
                "SELECT COUNT(*) AS n FROM certificates ct \
                 WHERE ct.village_id IN ({villages}) AND ct.issued_at >= '{year}-01-01' AND ct.issued_at < '{}-01-01'",
                year + 1
            ),
        )?,
        teams: count(
            conn,
            &format!("SELECT COUNT(*) AS n FROM teams t WHERE t.village_id IN ({villages})"),
        )?,
        facilitators: count(
            conn,
            &format!(
                "SELECT COUNT(DISTINCT m.user_id) AS n FROM team_members m JOIN teams t ON t.id = m.team_id \
                 WHERE t.village_id IN ({villages})"
            ),
        )?,
    };
    let children_reports = if breakdown {
        let mut list = Vec::new();
        for child in children.get(root).cloned().unwrap_or_default() {
            list.push(report_of(
                conn,
                &child,
                year,
                now,
                false,
                config,
                explanations,
            )?);
        }
        list.sort_by(|a, b| a.locality_name.cmp(&b.locality_name));
        Some(list)
    } else {
        None
    };
    Ok(Report {
        locality_id: loc.id,
        locality_name: loc.name,
        kind: loc.kind,
        year,
        indicators,
        counts,
        children: children_reports,
    })
}

/// The commune indicator sheet: UTF-8 with BOM, so spreadsheet programs read the diacritics.
pub fn sheet_csv(r: &Report) -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let _ = w.write_record([
            "STT",
            "Tên chỉ tiêu",
            "Giải thích chỉ tiêu",
            "Đơn vị tính",
            "Chỉ tiêu",
            "Thực hiện",
            "Tỷ lệ",
        ]);
        let pct = |x: f64| format!("{:.2}", x).replace('.', ",");
        for (i, ind) in r.indicators.iter().enumerate() {
            let target = match &ind.target {
                Some(t) if t.kind == "rate" => format!("{}%", pct(t.value)),
                Some(t) => format!("{}", t.value as i64),
                None => String::new(),
            };
            let done = match ind.denominator {
                Some(d) => format!("{}/{}", ind.numerator, d),
                None => ind.numerator.to_string(),
            };
            // A proxy says so in its name and opens its explanation with the official wording.
            let (name, note) = match (ind.proxy, ind.official_name) {
                (true, Some(official)) => (
                    format!("[Ước tính] {}", ind.name),
                    format!("{} ", proxy_note(official)),
                ),
                (true, None) => (format!("[Ước tính] {}", ind.name), String::new()),
                (false, _) => (ind.name.to_string(), String::new()),
            };
            let _ = w.write_record([
                (i + 1).to_string(),
                name,
                format!(
                    "{note}{} (Mẫu số theo: {})",
                    ind.explanation,
                    if ind.denominator_source == "census" {
                        "số liệu thống kê"
                    } else {
                        "số người đăng ký trên nền tảng"
                    }
                ),
                ind.unit.to_string(),
                target,
                done,
                ind.rate.map(|r| format!("{}%", pct(r))).unwrap_or_default(),
            ]);
        }
        let _ = w.flush();
    }
    out
}

/// One point of the monthly series.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TimelinePoint {
    /// `YYYY-MM`
    pub month: String,
    /// Numerator of every indicator at the end of the month, by key.
    #[schema(value_type = Object)]
    pub numerators: std::collections::BTreeMap<&'static str, i64>,
}

/// Numerators at the end of each month from `from` to `to` (both `(year, month)`).
pub fn timeline(
    conn: &mut DbConn,
    root: &str,
    from: (i32, u32),
    to: (i32, u32),
) -> ApiResult<Vec<TimelinePoint>> {
    crate::db::community::locality(conn, root)?
        .ok_or_else(|| ApiError::not_found("No such locality."))?;
    let subtree = crate::db::community::subtree(conn, root)?;
    let config = effective_config(conn)?;
    let mut points = Vec::new();
    let (mut y, mut m) = from;
    while (y, m) <= to {
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        let end = format!("{ny}-{nm:02}-01");
        let pass = indicator_pass(conn, &subtree, &config, &end, y, None)?;
        let numerators = INDICATORS
            .iter()
            .zip(&pass.pairs)
            .map(|(def, (n, _))| (def.key, *n))
            .collect();
        points.push(TimelinePoint {
            month: format!("{y}-{m:02}"),
            numerators,
        });
        (y, m) = (ny, nm);
    }
    Ok(points)
}

pub fn indicator_exists(key: &str) -> bool {
    INDICATORS.iter().any(|d| d.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(key: &str) -> &'static IndicatorDef {
        INDICATORS.iter().find(|d| d.key == key).unwrap()
    }

    /// The titles of the shipped curriculum that the defaults name.
    fn shipped_titles() -> Titles {
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
    fn the_shipped_indicators_toml_says_what_the_defaults_say() {
        let file: std::collections::BTreeMap<String, Qualification> =
            toml::from_str(include_str!("../courses/indicators.toml")).unwrap();
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
        assert_eq!(
            population_sql(Population::Students, 2026),
            "p.learner_group = 'student'"
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
        // The facts: met when every course of the first list and one of the second are done,
        // at the later of the last of the first and the first of the second.
        let mut config: HashMap<&'static str, Qualification> = INDICATORS
            .iter()
            .map(|d| (d.key, Qualification::from(d.condition)))
            .collect();
        config.insert("adults_basic_knowledge", parsed);
        let i = INDICATORS
            .iter()
            .position(|d| d.key == "adults_basic_knowledge")
            .unwrap();
        let sql = refresh_sql(&config, false);
        assert!(sql.contains(&format!(
            "c.slug IN ('a','b') THEN 1 ELSE 0 END) AS all_n{i}"
        )));
        assert!(sql.contains(&format!(
            "c.slug IN ('c','d') THEN e.completed_at END) AS any_at{i}"
        )));
        assert!(sql.contains(&format!("CASE WHEN en.all_n{i} = 2 THEN en.all_at{i} END")));
        assert!(sql.contains(&later_of(
            &format!("CASE WHEN en.all_n{i} = 2 THEN en.all_at{i} END"),
            &format!("en.any_at{i}")
        )));
        assert!(sql.contains("met_students_skilled = x.f"));
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

    fn value(key: &'static str) -> IndicatorValue {
        let d = def(key);
        IndicatorValue {
            key,
            name: d.name,
            name_en: d.name_en,
            proxy: d.proxy,
            official_name: d.official_name,
            explanation: explanation(d, &d.condition.into(), &shipped_titles()),
            unit: "%",
            numerator: 10,
            denominator: Some(90),
            denominator_source: "census",
            rate: Some(11.11),
            target: None,
            gap: None,
        }
    }

    #[test]
    fn the_sheet_names_proxies_as_proxies() {
        let report = Report {
            locality_id: "x".into(),
            locality_name: "An Nghĩa".into(),
            kind: "commune".into(),
            year: 2026,
            indicators: vec![value("officials_skilled"), value("adults_certified")],
            counts: Counts {
                learners_registered: 0,
                active_last_30_days: 0,
                certificates_issued_in_year: 0,
                teams: 0,
                facilitators: 0,
            },
            children: None,
        };
        let bytes = sheet_csv(&report);
        let mut rows = csv::Reader::from_reader(&bytes[3..]);
        let rows: Vec<csv::StringRecord> = rows.records().map(|r| r.unwrap()).collect();
        assert_eq!(&rows[0][1], def("officials_skilled").name);
        assert!(rows[0][2].starts_with("Tử số: cán bộ"), "{}", &rows[0][2]);
        assert_eq!(
            &rows[1][1],
            "[Ước tính] Tỷ lệ người dân trưởng thành đạt phổ cập kỹ năng số cơ bản theo chứng nhận \
             của hocso"
        );
        assert!(
            rows[1][2].starts_with(
                "Chỉ tiêu chính thức: Người dân trong độ tuổi trưởng thành được xác nhận đạt phổ cập \
                 tri thức về chuyển đổi số, kỹ năng số trên nền tảng VNeID; hocso chỉ đếm chứng \
                 nhận của mình. Tử số: người từ 18 tuổi có chứng nhận"
            ),
            "{}",
            &rows[1][2]
        );
        assert!(rows[1][2].ends_with("(Mẫu số theo: số liệu thống kê)"));
        assert_eq!((&rows[1][5], &rows[1][6]), ("10/90", "11,11%"));
        // The report's JSON carries the same.
        let json = serde_json::to_value(&report.indicators[1]).unwrap();
        assert_eq!(json["proxy"], true);
        assert_eq!(
            json["official_name"],
            def("adults_certified").official_name.unwrap()
        );
        let json = serde_json::to_value(&report.indicators[0]).unwrap();
        assert_eq!(json["proxy"], false);
        assert!(json.get("official_name").is_none());
    }
}
