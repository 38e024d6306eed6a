//! Drawing on the certificate's page: colours, rectangles and rules, text measured with the
//! font's advances, wrapped or shrunk to fit, and the QR code as filled squares.

use std::cell::RefCell;
use std::collections::BTreeSet;

use printpdf::{Color, IndirectFontRef, Mm, PdfLayerReference, Rect, Rgb, TextRenderingMode};
use qrcode::QrCode;

const PT_TO_MM: f32 = 25.4 / 72.0;

pub(super) struct Page<'a> {
    pub(super) layer: PdfLayerReference,
    pub(super) font: IndirectFontRef,
    pub(super) face: &'a ttf_parser::Face<'a>,
    /// Every character drawn: the glyphs the embedded subset keeps.
    pub(super) used: RefCell<BTreeSet<char>>,
}

impl Page<'_> {
    pub(super) fn color(&self, (r, g, b): (f32, f32, f32)) {
        self.layer
            .set_fill_color(Color::Rgb(Rgb::new(r, g, b, None)));
        self.layer
            .set_outline_color(Color::Rgb(Rgb::new(r, g, b, None)));
    }

    /// Bold, as the one font has no bold face: the letters' outlines are stroked too.
    pub(super) fn bold(&self, on: bool) {
        if on {
            self.layer.set_outline_thickness(0.5);
            self.layer
                .set_text_rendering_mode(TextRenderingMode::FillStroke);
        } else {
            self.layer.set_text_rendering_mode(TextRenderingMode::Fill);
        }
    }

    pub(super) fn rect(&self, x1: f32, y1: f32, x2: f32, y2: f32) {
        self.layer
            .add_rect(Rect::new(Mm(x1), Mm(y1), Mm(x2), Mm(y2)));
    }

    /// The width of a line of text (mm); no kerning, as printpdf sets none.
    pub(super) fn width(&self, s: &str, size: f32) -> f32 {
        let units: u32 = s
            .chars()
            .filter_map(|c| self.face.glyph_index(c))
            .filter_map(|g| self.face.glyph_hor_advance(g))
            .map(u32::from)
            .sum();
        units as f32 / f32::from(self.face.units_per_em()) * size * PT_TO_MM
    }

    pub(super) fn text(&self, s: &str, size: f32, x: f32, y: f32) {
        self.used.borrow_mut().extend(s.chars());
        self.layer.use_text(s, size, Mm(x), Mm(y), &self.font);
    }

    pub(super) fn centred(&self, s: &str, size: f32, centre: f32, y: f32) {
        self.text(s, size, centre - self.width(s, size) / 2.0, y);
    }

    /// A rule under text: `width` mm wide, centred.
    pub(super) fn rule(&self, centre: f32, y: f32, width: f32) {
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
    pub(super) fn url_lines(&self, url: &str, size: f32, max: f32) -> Vec<String> {
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
    pub(super) fn block(
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
    pub(super) fn qr(&self, data: &str, x: f32, y: f32, size: f32) -> anyhow::Result<()> {
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
