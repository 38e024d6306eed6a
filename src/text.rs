//! Rules for text that every entry point applies alike.

/// Control characters other than tab, line feed and carriage return: NUL, which PostgreSQL
/// cannot store in text (SQLite can, so without this rule the two databases would answer
/// differently), and the rest (C0, DEL, C1), which no name, answer, file or lesson needs.
pub fn is_refused_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Whether `s` holds a character `is_refused_control` refuses.
pub fn has_refused_control(s: &str) -> bool {
    s.chars().any(is_refused_control)
}

/// `s` as HTML (or XML) text or a quoted attribute value: `&`, `<`, `>`, `"` and `'` escaped.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping_covers_the_five_characters_and_leaves_the_rest() {
        assert_eq!(
            escape_html(r#"<a href="x">Tôm & 'cá'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tôm &amp; &#39;cá&#39;&lt;/a&gt;"
        );
        assert_eq!(escape_html("&amp;"), "&amp;amp;");
    }

    #[test]
    fn nul_and_other_controls_are_refused_line_breaks_are_not() {
        for bad in ["a\u{0}b", "\u{7}", "x\u{1b}[31m", "\u{7f}", "\u{85}"] {
            assert!(has_refused_control(bad), "{bad:?}");
        }
        for good in ["Bà Tư", "dòng 1\ndòng 2\r\n\tthụt", "@", ""] {
            assert!(!has_refused_control(good), "{good:?}");
        }
    }
}
