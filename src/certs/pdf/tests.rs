use printpdf::lopdf::{self, Object};

use super::*;

fn sample(revoked: bool) -> Vec<u8> {
    render(
        &CertificateText {
            recipient: "Nguyễn Thị Hoa",
            title: "Kết nối và giao tiếp qua Zalo",
            title_en: "Connecting and communicating with Zalo",
            kind: crate::certs::CertificateKind::Course,
            issued_on: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
            serial: "ABCDEFGHJK1",
            verify_url: "https://hocso.example.vn/verify/ABCDEFGHJK1",
            revoked,
        },
        &Signing {
            issuing_body: "Ủy ban nhân dân xã Tân Phú",
            place: "Tân Phú",
            signer_title: "TM. Ủy ban nhân dân\nChủ tịch",
            signer_name: "Trần Văn Bình",
        },
    )
    .unwrap()
}

#[test]
fn renders_a_small_pdf_with_a_font_subset_and_vietnamese_metadata() {
    let bytes = sample(false);
    assert!(bytes.starts_with(b"%PDF"));
    assert!(bytes.len() < 100 * 1024, "{} bytes", bytes.len());
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let info = doc
        .get_object(doc.trailer.get(b"Info").unwrap().as_reference().unwrap())
        .unwrap()
        .as_dict()
        .unwrap();
    let Object::String(title, _) = info.get(b"Title").unwrap() else {
        panic!("no title")
    };
    assert_eq!(&title[..2], &[0xFE, 0xFF]);
    let units: Vec<u16> = title[2..]
        .chunks(2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .collect();
    assert_eq!(
        String::from_utf16(&units).unwrap(),
        "Giấy chứng nhận ABCDEFGHJK1 – Nguyễn Thị Hoa"
    );
    // The embedded font is a subset: far smaller than the whole font.
    let font_file = doc
        .objects
        .values()
        .find_map(|o| {
            o.as_dict()
                .ok()
                .and_then(|d| d.get(b"FontFile2").ok())
                .and_then(|r| r.as_reference().ok())
        })
        .unwrap();
    let stream = doc.get_object(font_file).unwrap().as_stream().unwrap();
    let length = stream.dict.get(b"Length1").unwrap().as_i64().unwrap();
    assert!(length < 60_000, "{length} bytes of font");
    assert!(String::from_utf8_lossy(&bytes).contains(SUBSET_NAME));
    let revoked = sample(true);
    assert!(revoked.len() < 100 * 1024);
    if let Ok(path) = std::env::var("HOCSO_PDF_PREVIEW") {
        std::fs::write(&path, &bytes).unwrap();
        std::fs::write(format!("{path}.revoked.pdf"), &revoked).unwrap();
    }
}

#[test]
fn long_texts_are_wrapped_or_shrunk() {
    let long = "Kỹ năng số cơ bản cho người dân: dùng điện thoại thông minh, Zalo, VNeID, dịch vụ công trực tuyến và thanh toán không dùng tiền mặt an toàn";
    let bytes = render(
        &CertificateText {
            recipient: "Tôn Nữ Thị Phương Thảo Nguyễn Hoàng Bảo Ngọc Châu",
            title: long,
            title_en: long,
            kind: crate::certs::CertificateKind::Program,
            issued_on: NaiveDate::from_ymd_opt(2027, 1, 2).unwrap(),
            serial: "ABCDEFGHJK1",
            verify_url: "https://hoc-so.ubnd-xa-tan-phu.dong-nai.gov.vn/verify/ABCDEFGHJK1",
            revoked: true,
        },
        &Signing {
            issuing_body: "Ủy ban nhân dân huyện Tân Phú\nBan chỉ đạo phong trào Bình dân học vụ số xã Phú Lâm",
            place: "",
            signer_title: "KT. Trưởng ban chỉ đạo phong trào Bình dân học vụ số\nPhó trưởng ban thường trực",
            signer_name: "",
        },
    )
    .unwrap();
    assert!(bytes.len() < 100 * 1024);
    if let Ok(path) = std::env::var("HOCSO_PDF_PREVIEW") {
        std::fs::write(format!("{path}.long.pdf"), &bytes).unwrap();
    }
}

#[test]
fn dates_are_written_as_official_documents_write_them() {
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(
        date_line("Tân Phú", d(2026, 2, 5)),
        "Tân Phú, ngày 05 tháng 02 năm 2026"
    );
    assert_eq!(
        date_line("Tân Phú", d(2026, 11, 26)),
        "Tân Phú, ngày 26 tháng 11 năm 2026"
    );
    assert_eq!(date_line(" ", d(2026, 3, 10)), "Ngày 10 tháng 3 năm 2026");
}

#[test]
fn text_strings_are_utf16_with_a_byte_order_mark() {
    let Object::String(bytes, _) = text_string("Hòa") else {
        unreachable!()
    };
    assert_eq!(bytes, vec![0xFE, 0xFF, 0x00, b'H', 0x00, 0xF2, 0x00, b'a']);
}
