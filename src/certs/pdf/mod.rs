//! The certificate as an A4 landscape PDF, laid out as Vietnamese certificates are: the issuing
//! body at the top left with the serial under it, the national motto centred at the top right,
//! the recipient and what they completed in the middle, "<place>, ngày … tháng … năm …" above
//! the signer's title and name at the bottom right, and a QR code that opens the public
//! verification page at the bottom left.
//!
//! DejaVu Sans covers every Vietnamese letter. printpdf 0.7 embeds a font whole (740 KB), so
//! [`finish()`] replaces it with a subset of the glyphs the page uses (typst's `subsetter`) and
//! compresses every stream: a certificate weighs some 30 KB. The document information (title,
//! subject, author …) is written as UTF-16BE text strings, which viewers show in Vietnamese.
//!
//! Here: what the certificate shows and where ([`render`]); the drawing primitives (text widths,
//! wrapping, the QR code) in `draw.rs`; what printpdf leaves undone (the font subset, the
//! document information, compression) in `finish.rs`.

mod draw;
mod finish;
#[cfg(test)]
mod tests;

pub use finish::text_string;

use std::cell::RefCell;
use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use printpdf::{Mm, PdfDocument};
use unicode_normalization::UnicodeNormalization;

use draw::Page;
use finish::finish;

const FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// The PostScript name of the embedded subset: six capitals and `+` say that it is a subset.
const SUBSET_NAME: &str = "HOCSOA+DejaVuSans";

/// What the PDF shows about the certificate.
pub struct CertificateText<'a> {
    pub recipient: &'a str,
    pub title: &'a str,
    pub title_en: &'a str,
    pub kind: crate::certs::CertificateKind,
    pub issued_on: NaiveDate,
    pub serial: &'a str,
    pub verify_url: &'a str,
    pub revoked: bool,
}

/// Who issues and signs, set per locality ([`super::signers`], over the `certificate_*`
/// settings). A line break in the body or the title starts a new line.
pub struct Signing<'a> {
    pub issuing_body: &'a str,
    /// Empty: the date line has no place.
    pub place: &'a str,
    pub signer_title: &'a str,
    /// Empty: no name under the signature.
    pub signer_name: &'a str,
}

/// "<place>, ngày 05 tháng 02 năm 2026": as official documents write dates (Decree 30/2020/NĐ-CP,
/// appendix I: a zero before days under 10 and before months 1 and 2).
pub fn date_line(place: &str, date: NaiveDate) -> String {
    let day = format!("{:02}", date.day());
    let month = if date.month() < 3 {
        format!("{:02}", date.month())
    } else {
        date.month().to_string()
    };
    let place = place.trim();
    if place.is_empty() {
        format!("Ngày {day} tháng {month} năm {}", date.year())
    } else {
        format!("{place}, ngày {day} tháng {month} năm {}", date.year())
    }
}

const RED: (f32, f32, f32) = (0.72, 0.08, 0.08);
const INK: (f32, f32, f32) = (0.1, 0.1, 0.1);
const GREY: (f32, f32, f32) = (0.35, 0.35, 0.35);
/// Page centre, and the centres of the left and right columns (mm).
const MID: f32 = 148.5;
const LEFT: f32 = 80.0;
const RIGHT: f32 = 212.0;
fn nfc(s: &str) -> String {
    s.nfc().collect()
}

pub fn render(c: &CertificateText<'_>, signing: &Signing<'_>) -> anyhow::Result<Vec<u8>> {
    let recipient = nfc(c.recipient.trim());
    let title = nfc(c.title.trim());
    let title_en = nfc(c.title_en.trim());
    let body = nfc(signing.issuing_body.trim());
    let signer_title = nfc(signing.signer_title.trim());
    let signer_name = nfc(signing.signer_name.trim());
    let place = nfc(signing.place.trim());
    let what = if c.kind == crate::certs::CertificateKind::Program {
        "đã hoàn thành chương trình"
    } else {
        "đã hoàn thành khóa học"
    };

    let (doc, page, layer) =
        PdfDocument::new("Giấy chứng nhận", Mm(297.0), Mm(210.0), "Giấy chứng nhận");
    let font = doc
        .add_external_font(std::io::Cursor::new(FONT))
        .map_err(|e| anyhow::anyhow!("cannot embed the font: {e}"))?;
    let face = ttf_parser::Face::parse(FONT, 0)
        .map_err(|e| anyhow::anyhow!("cannot read the font: {e}"))?;
    let p = Page {
        layer: doc.get_page(page).get_layer(layer),
        font,
        face: &face,
        used: RefCell::new(BTreeSet::new()),
    };

    // Frame: a red band and a thin red line inside it.
    p.color(RED);
    p.rect(10.0, 10.0, 287.0, 200.0);
    p.color((1.0, 1.0, 1.0));
    p.rect(13.0, 13.0, 284.0, 197.0);
    p.color(RED);
    p.rect(15.0, 15.0, 282.0, 195.0);
    p.color((1.0, 1.0, 1.0));
    p.rect(15.4, 15.4, 281.6, 194.6);

    // Top left: the issuing body, a short rule, the serial.
    p.color(INK);
    p.bold(true);
    let last = p.block(&body.to_uppercase(), 12.0, 9.0, 118.0, 3, LEFT, 184.0, 5.5);
    p.bold(false);
    p.rule(LEFT, last - 2.6, 30.0);
    p.centred(&format!("Số hiệu: {}", c.serial), 11.0, LEFT, last - 9.0);

    // Top right: the national motto, its second line underlined.
    let motto = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
    let freedom = "Độc lập - Tự do - Hạnh phúc";
    p.bold(true);
    p.centred(motto, 12.0, RIGHT, 184.0);
    p.centred(freedom, 12.5, RIGHT, 178.0);
    p.bold(false);
    p.rule(RIGHT, 175.4, p.width(freedom, 12.5));

    // The heading and what is certified.
    p.color(RED);
    p.bold(true);
    p.centred("GIẤY CHỨNG NHẬN", 34.0, MID, 148.0);
    p.bold(false);
    p.color(GREY);
    p.centred("CERTIFICATE OF COMPLETION", 11.0, MID, 140.0);
    p.color(INK);
    p.centred("Chứng nhận Ông/Bà", 14.0, MID, 128.0);
    p.bold(true);
    p.block(&recipient, 24.0, 14.0, 240.0, 1, MID, 116.5, 0.0);
    p.bold(false);
    p.centred(what, 14.0, MID, 105.0);
    p.bold(true);
    let last = p.block(&title, 20.0, 12.0, 240.0, 2, MID, 95.0, 8.0);
    p.bold(false);
    p.color(GREY);
    p.block(
        &format!("has completed: {title_en}"),
        11.0,
        8.0,
        240.0,
        1,
        MID,
        last - 7.5,
        0.0,
    );
    if c.revoked {
        p.color((0.8, 0.0, 0.0));
        p.bold(true);
        p.centred("ĐÃ THU HỒI / REVOKED", 16.0, MID, 72.0);
        p.bold(false);
    }

    // Bottom right: place and date, the signer's title, room to sign and seal, the name.
    p.color(INK);
    p.centred(&date_line(&place, c.issued_on), 12.0, RIGHT, 62.0);
    p.bold(true);
    p.block(
        &signer_title.to_uppercase(),
        12.0,
        9.0,
        125.0,
        3,
        RIGHT,
        55.5,
        5.5,
    );
    if !signer_name.is_empty() {
        p.block(&signer_name, 13.0, 10.0, 125.0, 1, RIGHT, 22.0, 0.0);
    }
    p.bold(false);

    // Bottom left: the QR code and how to check.
    p.qr(c.verify_url, 22.0, 19.0, 46.0)?;
    p.color(INK);
    p.text("Quét mã QR để kiểm tra", 11.0, 71.0, 56.0);
    p.color(GREY);
    p.text("Scan to verify", 9.0, 71.0, 51.0);
    for (i, line) in p.url_lines(c.verify_url, 8.5, 72.0).iter().enumerate() {
        p.text(line, 8.5, 71.0, 45.0 - i as f32 * 3.6);
    }

    let bytes = doc
        .save_to_bytes()
        .map_err(|e| anyhow::anyhow!("cannot write the PDF: {e}"))?;
    let title_info = format!("Giấy chứng nhận {} – {recipient}", c.serial);
    let subject = format!("{} {what} {title} / Completed {title_en}", recipient);
    let author = body.lines().map(str::trim).collect::<Vec<_>>().join(", ");
    let used = p.used.take();
    finish(
        &bytes,
        &face,
        &used,
        &[
            ("Title", title_info.as_str()),
            ("Subject", subject.as_str()),
            ("Author", author.as_str()),
            ("Creator", super::ISSUER_NAME),
            ("Producer", "hocso"),
            ("Keywords", c.serial),
        ],
    )
}
