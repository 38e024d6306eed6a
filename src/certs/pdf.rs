//! The certificate as an A4 landscape PDF, in Vietnamese with an English line, and a QR code
//! that opens the public verification page. DejaVu Sans is embedded so that every Vietnamese
//! diacritic renders.

use printpdf::{Color, IndirectFontRef, Mm, PdfDocument, PdfLayerReference, Rect, Rgb};
use qrcode::QrCode;

const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// What the PDF shows.
pub struct CertificateText<'a> {
    pub recipient: &'a str,
    pub title: &'a str,
    pub title_en: &'a str,
    /// `course` or `program`
    pub kind: &'a str,
    pub issued_on: &'a str,
    pub serial: &'a str,
    pub verify_url: &'a str,
    pub revoked: bool,
}

fn color(layer: &PdfLayerReference, r: f32, g: f32, b: f32) {
    layer.set_fill_color(Color::Rgb(Rgb::new(r, g, b, None)));
}

/// Draws the QR code as filled squares: crisp at any zoom, no image needed.
fn draw_qr(layer: &PdfLayerReference, data: &str, x: f32, y: f32, size: f32) -> anyhow::Result<()> {
    let code = QrCode::new(data.as_bytes())?;
    let width = code.width();
    let quiet = 4.0;
    let module = size / (width as f32 + 2.0 * quiet);
    color(layer, 1.0, 1.0, 1.0);
    layer.add_rect(Rect::new(Mm(x), Mm(y), Mm(x + size), Mm(y + size)));
    color(layer, 0.0, 0.0, 0.0);
    let colors = code.to_colors();
    for row in 0..width {
        for col in 0..width {
            if colors[row * width + col] == qrcode::Color::Dark {
                let left = x + (quiet + col as f32) * module;
                let top = y + size - (quiet + row as f32) * module;
                layer.add_rect(Rect::new(
                    Mm(left),
                    Mm(top - module),
                    Mm(left + module),
                    Mm(top),
                ));
            }
        }
    }
    Ok(())
}

fn text(layer: &PdfLayerReference, font: &IndirectFontRef, s: &str, size: f32, x: f32, y: f32) {
    layer.use_text(s, size, Mm(x), Mm(y), font);
}

pub fn render(c: &CertificateText<'_>) -> anyhow::Result<Vec<u8>> {
    let (doc, page, layer) = PdfDocument::new(
        format!("Chứng nhận {}", c.serial),
        Mm(297.0),
        Mm(210.0),
        "Chứng nhận",
    );
    let layer = doc.get_page(page).get_layer(layer);
    let font = doc
        .add_external_font(std::io::Cursor::new(FONT))
        .map_err(|e| anyhow::anyhow!("cannot embed the font: {e}"))?;
    // Frame.
    color(&layer, 0.75, 0.1, 0.1);
    layer.add_rect(Rect::new(Mm(10.0), Mm(10.0), Mm(287.0), Mm(200.0)));
    color(&layer, 1.0, 1.0, 1.0);
    layer.add_rect(Rect::new(Mm(13.0), Mm(13.0), Mm(284.0), Mm(197.0)));

    color(&layer, 0.75, 0.1, 0.1);
    text(
        &layer,
        &font,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        14.0,
        30.0,
        180.0,
    );
    text(
        &layer,
        &font,
        "Độc lập – Tự do – Hạnh phúc",
        12.0,
        30.0,
        173.0,
    );
    color(&layer, 0.1, 0.1, 0.1);
    text(&layer, &font, "GIẤY CHỨNG NHẬN", 34.0, 30.0, 150.0);
    text(
        &layer,
        &font,
        "Phong trào Bình dân học vụ số · Certificate of completion",
        12.0,
        30.0,
        141.0,
    );
    text(&layer, &font, "Chứng nhận Ông/Bà:", 14.0, 30.0, 125.0);
    text(&layer, &font, c.recipient, 26.0, 30.0, 113.0);
    let what = if c.kind == "program" {
        "đã hoàn thành chương trình"
    } else {
        "đã hoàn thành khóa học"
    };
    text(&layer, &font, what, 14.0, 30.0, 100.0);
    text(&layer, &font, c.title, 20.0, 30.0, 89.0);
    text(
        &layer,
        &font,
        &format!("has completed: {}", c.title_en),
        12.0,
        30.0,
        80.0,
    );
    text(
        &layer,
        &font,
        &format!("Ngày cấp / Issued: {}", c.issued_on),
        12.0,
        30.0,
        62.0,
    );
    text(
        &layer,
        &font,
        &format!("Số hiệu / Serial: {}", c.serial),
        12.0,
        30.0,
        54.0,
    );
    text(
        &layer,
        &font,
        "Đơn vị cấp / Issuer: Học số – Bình dân học vụ số",
        12.0,
        30.0,
        46.0,
    );
    text(
        &layer,
        &font,
        "Quét mã QR để kiểm tra / Scan to verify:",
        10.0,
        30.0,
        34.0,
    );
    text(&layer, &font, c.verify_url, 10.0, 30.0, 28.0);
    if c.revoked {
        color(&layer, 0.8, 0.0, 0.0);
        text(&layer, &font, "ĐÃ THU HỒI / REVOKED", 24.0, 160.0, 150.0);
    }
    draw_qr(&layer, c.verify_url, 215.0, 25.0, 60.0)?;
    doc.save_to_bytes()
        .map_err(|e| anyhow::anyhow!("cannot write the PDF: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_pdf_with_the_font_embedded() {
        let bytes = render(&CertificateText {
            recipient: "Nguyễn Thị Hoa",
            title: "Kết nối và giao tiếp qua Zalo",
            title_en: "Connecting and communicating with Zalo",
            kind: "course",
            issued_on: "26/11/2026",
            serial: "ABCDEFGHJK1",
            verify_url: "https://hocso.example.vn/verify/ABCDEFGHJK1",
            revoked: false,
        })
        .unwrap();
        assert!(bytes.starts_with(b"%PDF"));
        assert!(String::from_utf8_lossy(&bytes).contains("DejaVu"));
        if let Ok(path) = std::env::var("HOCSO_PDF_PREVIEW") {
            std::fs::write(path, &bytes).unwrap();
        }
    }
}
