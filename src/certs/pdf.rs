//! The certificate as an A4 landscape PDF, laid out as Vietnamese certificates are: the issuing
//! body at the top left with the serial under it, the national motto centred at the top right,
//! the recipient and what they completed in the middle, "<place>, ngày … tháng … năm …" above
//! the signer's title and name at the bottom right, and a QR code that opens the public
//! verification page at the bottom left.
//!
//! DejaVu Sans covers every Vietnamese letter. printpdf 0.7 embeds a font whole (740 KB), so
//! [`finish`] replaces it with a subset of the glyphs the page uses (typst's `subsetter`) and
//! compresses every stream: a certificate weighs some 30 KB. The document information (title,
//! subject, author …) is written as UTF-16BE text strings, which viewers show in Vietnamese.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use printpdf::lopdf::{self, Dictionary, Object, ObjectId, Stream, StringFormat};
use printpdf::{
    Color, IndirectFontRef, Mm, PdfDocument, PdfLayerReference, Rect, Rgb, TextRenderingMode,
};
use qrcode::QrCode;
use unicode_normalization::UnicodeNormalization;

const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The PostScript name of the embedded subset: six capitals and `+` say that it is a subset.
const SUBSET_NAME: &str = "HOCSOA+DejaVuSans";

/// What the PDF shows about the certificate.
pub struct CertificateText<'a> {
    pub recipient: &'a str,
    pub title: &'a str,
    pub title_en: &'a str,
    /// `course` or `program`
    pub kind: &'a str,
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

const PT_TO_MM: f32 = 25.4 / 72.0;
const RED: (f32, f32, f32) = (0.72, 0.08, 0.08);
const INK: (f32, f32, f32) = (0.1, 0.1, 0.1);
const GREY: (f32, f32, f32) = (0.35, 0.35, 0.35);
/// Page centre, and the centres of the left and right columns (mm).
const MID: f32 = 148.5;
const LEFT: f32 = 80.0;
const RIGHT: f32 = 212.0;

struct Page<'a> {
    layer: PdfLayerReference,
    font: IndirectFontRef,
    face: &'a ttf_parser::Face<'a>,
    /// Every character drawn: the glyphs the embedded subset keeps.
    used: RefCell<BTreeSet<char>>,
}

impl Page<'_> {
    fn color(&self, (r, g, b): (f32, f32, f32)) {
        self.layer
            .set_fill_color(Color::Rgb(Rgb::new(r, g, b, None)));
        self.layer
            .set_outline_color(Color::Rgb(Rgb::new(r, g, b, None)));
    }

    /// Bold, as the one font has no bold face: the letters' outlines are stroked too.
    fn bold(&self, on: bool) {
        if on {
            self.layer.set_outline_thickness(0.5);
            self.layer
                .set_text_rendering_mode(TextRenderingMode::FillStroke);
        } else {
            self.layer.set_text_rendering_mode(TextRenderingMode::Fill);
        }
    }

    fn rect(&self, x1: f32, y1: f32, x2: f32, y2: f32) {
        self.layer
            .add_rect(Rect::new(Mm(x1), Mm(y1), Mm(x2), Mm(y2)));
    }

    /// The width of a line of text (mm); no kerning, as printpdf sets none.
    fn width(&self, s: &str, size: f32) -> f32 {
        let units: u32 = s
            .chars()
            .filter_map(|c| self.face.glyph_index(c))
            .filter_map(|g| self.face.glyph_hor_advance(g))
            .map(u32::from)
            .sum();
        units as f32 / f32::from(self.face.units_per_em()) * size * PT_TO_MM
    }

    fn text(&self, s: &str, size: f32, x: f32, y: f32) {
        self.used.borrow_mut().extend(s.chars());
        self.layer.use_text(s, size, Mm(x), Mm(y), &self.font);
    }

    fn centred(&self, s: &str, size: f32, centre: f32, y: f32) {
        self.text(s, size, centre - self.width(s, size) / 2.0, y);
    }

    /// A rule under text: `width` mm wide, centred.
    fn rule(&self, centre: f32, y: f32, width: f32) {
        self.rect(centre - width / 2.0, y, centre + width / 2.0, y + 0.35);
    }

    /// Splits `s` into lines at most `max` mm wide (line breaks in `s` are kept).
    fn wrap(&self, s: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in s.lines().map(str::trim).filter(|p| !p.is_empty()) {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let longer = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if !line.is_empty() && self.width(&longer, size) > max {
                    lines.push(std::mem::replace(&mut line, word.to_string()));
                } else {
                    line = longer;
                }
            }
            lines.push(line);
        }
        lines
    }

    /// The largest size from `size` down to `min` at which `s` fits in `max_lines` lines of at
    /// most `max` mm; at `min`, what does not fit is cut with "…".
    fn fit(&self, s: &str, size: f32, min: f32, max: f32, max_lines: usize) -> (f32, Vec<String>) {
        let mut size = size;
        loop {
            let mut lines = self.wrap(s, size, max);
            let fits = lines.len() <= max_lines && lines.iter().all(|l| self.width(l, size) <= max);
            if fits {
                return (size, lines);
            }
            if size <= min {
                lines.truncate(max_lines);
                for line in &mut lines {
                    while self.width(&format!("{line}…"), size) > max && line.pop().is_some() {}
                }
                if let Some(last) = lines.last_mut() {
                    if !last.ends_with('…') {
                        last.push('…');
                    }
                }
                return (size, lines);
            }
            size = (size - 0.5).max(min);
        }
    }

    /// A URL in lines of at most `max` mm, broken anywhere (a URL has no spaces); never cut.
    fn url_lines(&self, url: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = vec![String::new()];
        for c in url.chars() {
            let line = lines.last_mut().expect("one line at least");
            line.push(c);
            if self.width(line, size) > max && line.chars().count() > 1 {
                line.pop();
                lines.push(c.to_string());
            }
        }
        lines
    }

    /// Draws `s` centred in lines from `y` down, `gap` mm apart; returns the last baseline.
    #[allow(clippy::too_many_arguments)]
    fn block(
        &self,
        s: &str,
        size: f32,
        min: f32,
        max: f32,
        max_lines: usize,
        centre: f32,
        y: f32,
        gap: f32,
    ) -> f32 {
        let (size, lines) = self.fit(s, size, min, max, max_lines);
        let mut baseline = y;
        for (i, line) in lines.iter().enumerate() {
            baseline = y - i as f32 * gap;
            self.centred(line, size, centre, baseline);
        }
        baseline
    }

    /// The QR code as filled squares: crisp at any zoom, no image needed.
    fn qr(&self, data: &str, x: f32, y: f32, size: f32) -> anyhow::Result<()> {
        let code = QrCode::new(data.as_bytes())?;
        let width = code.width();
        let quiet = 4.0;
        let module = size / (width as f32 + 2.0 * quiet);
        self.color((1.0, 1.0, 1.0));
        self.rect(x, y, x + size, y + size);
        self.color((0.0, 0.0, 0.0));
        let colors = code.to_colors();
        for row in 0..width {
            for col in 0..width {
                if colors[row * width + col] == qrcode::Color::Dark {
                    let left = x + (quiet + col as f32) * module;
                    let top = y + size - (quiet + row as f32) * module;
                    self.rect(left, top - module, left + module, top);
                }
            }
        }
        Ok(())
    }
}

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
    let what = if c.kind == "program" {
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

/// A PDF text string: UTF-16BE with its byte order mark, so that any Vietnamese text reads back
/// as written (PDF 32000-1 §7.9.2.2).
pub fn text_string(s: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    for unit in s.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// What printpdf 0.7 does not: the font embedded as a subset of the glyphs drawn, the document
/// information and the layer's name as text strings (it writes UTF-8 bytes, which viewers read as
/// PDFDocEncoding: "Chá»©ng nháº­n"), no PDF/X keys (this is no PDF/X file), and every stream
/// compressed (printpdf compresses only in release builds, and never the font).
fn finish(
    bytes: &[u8],
    face: &ttf_parser::Face<'_>,
    used: &BTreeSet<char>,
    info: &[(&str, &str)],
) -> anyhow::Result<Vec<u8>> {
    let mut doc = lopdf::Document::load_mem(bytes)?;
    let info_id = doc.trailer.get(b"Info")?.as_reference()?;
    let dict = doc.get_object_mut(info_id)?.as_dict_mut()?;
    for (key, value) in info {
        dict.set(*key, text_string(value));
    }
    for key in [&b"GTS_PDFXVersion"[..], b"Trapped", b"Identifier"] {
        dict.remove(key);
    }
    for object in doc.objects.values_mut() {
        let Ok(dict) = object.as_dict_mut() else {
            continue;
        };
        if dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"OCG") {
            if let Ok(Object::String(name, _)) = dict.get(b"Name") {
                let name = String::from_utf8_lossy(name).into_owned();
                dict.set("Name", text_string(&name));
            }
        }
    }
    embed_subset(&mut doc, face, used)?;
    doc.compress();
    let mut out = Vec::with_capacity(64 * 1024);
    doc.save_to(&mut out)?;
    Ok(out)
}

/// Replaces the whole font that printpdf embedded with the glyphs drawn. printpdf writes each
/// glyph's id in the full font as its CID (Identity-H); the subset numbers its glyphs from 0, so a
/// `CIDToGIDMap` leads each CID to its new glyph and the page's text stays as it is. The widths
/// and the `ToUnicode` map (text search and copy) are written again for the CIDs used only.
fn embed_subset(
    doc: &mut lopdf::Document,
    face: &ttf_parser::Face<'_>,
    used: &BTreeSet<char>,
) -> anyhow::Result<()> {
    // The CIDs used (glyph ids in the full font), each with the character it shows.
    let mut cids = BTreeMap::new();
    for c in used {
        if let Some(gid) = face.glyph_index(*c) {
            cids.entry(gid.0).or_insert(*c);
        }
    }
    let remapper =
        subsetter::GlyphRemapper::new_from_glyphs_sorted(&cids.keys().copied().collect::<Vec<_>>());
    let subset = subsetter::subset(FONT, 0, &remapper)
        .map_err(|e| anyhow::anyhow!("cannot subset the font: {e}"))?;
    let last = cids.keys().next_back().copied().unwrap_or(0);
    let mut cid_to_gid = Vec::with_capacity(2 * (usize::from(last) + 1));
    for cid in 0..=last {
        cid_to_gid.extend_from_slice(&remapper.get(cid).unwrap_or(0).to_be_bytes());
    }
    let per_em = f32::from(face.units_per_em());
    let scale = |v: i16| Object::Integer((f32::from(v) * 1000.0 / per_em).round() as i64);
    let mut widths = Vec::new();
    for cid in cids.keys() {
        let advance = face
            .glyph_hor_advance(ttf_parser::GlyphId(*cid))
            .unwrap_or(0);
        widths.push(Object::Integer(i64::from(*cid)));
        widths.push(Object::Array(vec![scale(
            i16::try_from(advance).unwrap_or(i16::MAX),
        )]));
    }
    let bbox = face.global_bounding_box();

    let font_id = doc
        .objects
        .iter()
        .find(|(_, o)| {
            o.as_dict()
                .is_ok_and(|d| d.has(b"DescendantFonts") && d.has(b"ToUnicode"))
        })
        .map(|(id, _)| *id)
        .ok_or_else(|| anyhow::anyhow!("no Type0 font in the PDF"))?;
    let map_id = doc.add_object(Stream::new(Dictionary::new(), cid_to_gid));
    let font = doc.get_object_mut(font_id)?.as_dict_mut()?;
    font.set("BaseFont", Object::Name(SUBSET_NAME.into()));
    let to_unicode_id: ObjectId = font.get(b"ToUnicode")?.as_reference()?;
    let Ok(Object::Array(descendants)) = font.get_mut(b"DescendantFonts") else {
        anyhow::bail!("the font has no descendant font");
    };
    let cid_font = descendants
        .first_mut()
        .ok_or_else(|| anyhow::anyhow!("the font has no descendant font"))?
        .as_dict_mut()?;
    cid_font.set("BaseFont", Object::Name(SUBSET_NAME.into()));
    cid_font.set("W", Object::Array(widths));
    cid_font.set("CIDToGIDMap", Object::Reference(map_id));
    let descriptor_id = cid_font.get(b"FontDescriptor")?.as_reference()?;

    let descriptor = doc.get_object_mut(descriptor_id)?.as_dict_mut()?;
    descriptor.set("FontName", Object::Name(SUBSET_NAME.into()));
    descriptor.set(
        "FontBBox",
        Object::Array(vec![
            scale(bbox.x_min),
            scale(bbox.y_min),
            scale(bbox.x_max),
            scale(bbox.y_max),
        ]),
    );
    if let Some(cap) = face.capital_height() {
        descriptor.set("CapHeight", scale(cap));
    }
    let file_id = descriptor.get(b"FontFile2")?.as_reference()?;
    let file = doc.get_object_mut(file_id)?.as_stream_mut()?;
    file.dict
        .set("Length1", Object::Integer(subset.len() as i64));
    file.set_plain_content(subset);

    let to_unicode = doc.get_object_mut(to_unicode_id)?.as_stream_mut()?;
    to_unicode.set_plain_content(to_unicode_cmap(&cids).into_bytes());
    Ok(())
}

/// The `ToUnicode` CMap of the CIDs used (PDF 32000-1 §9.10.3), at most 100 entries a block.
fn to_unicode_cmap(cids: &BTreeMap<u16, char>) -> String {
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = cids.iter().collect();
    for block in entries.chunks(100) {
        let _ = writeln!(cmap, "{} beginbfchar", block.len());
        for (cid, c) in block {
            let mut units = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut units)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            let _ = writeln!(cmap, "<{cid:04X}> <{hex}>");
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    cmap
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(revoked: bool) -> Vec<u8> {
        render(
            &CertificateText {
                recipient: "Nguyễn Thị Hoa",
                title: "Kết nối và giao tiếp qua Zalo",
                title_en: "Connecting and communicating with Zalo",
                kind: "course",
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
                kind: "program",
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
}
