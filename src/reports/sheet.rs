//! The commune indicator sheet as CSV: the columns of the commune sheets, UTF-8 with a BOM and
//! decimal commas, so that spreadsheet programs in Vietnamese settings open it right.

use super::{Report, TargetKind};

/// The sheet's opening of a proxy's explanation: the official indicator, and what hocso counts
/// instead.
fn proxy_note(official: &str) -> String {
    format!("Chỉ tiêu chính thức: {official}; hocso chỉ đếm chứng nhận của mình.")
}

/// The commune indicator sheet as a file to download: its name and its bytes (see [`sheet_csv`]).
pub fn sheet_file(r: &Report) -> (String, Vec<u8>) {
    (format!("chi-tieu-{}.csv", r.year), sheet_csv(r))
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
                Some(t) if t.kind == TargetKind::Rate => format!("{}%", pct(t.value)),
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

#[cfg(test)]
mod tests {
    use super::super::definitions::{IndicatorDef, INDICATORS};
    use super::super::explanation::tests::shipped_titles;
    use super::super::{explanation, Counts, IndicatorValue};
    use super::*;

    fn def(key: &str) -> &'static IndicatorDef {
        INDICATORS.iter().find(|d| d.key == key).unwrap()
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
