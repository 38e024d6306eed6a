//! The public verification page: small, readable without JavaScript, in Vietnamese.

use crate::text::escape_html as escape;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;padding:16px;background:#f7f7f7;color:#222;font-size:18px;line-height:1.5}\
main{max-width:560px;margin:0 auto;background:#fff;border-radius:12px;padding:20px;box-shadow:0 1px 4px #0002}\
h1{font-size:24px;margin:0 0 12px}.ok{color:#11702c}.bad{color:#b00020}dt{font-weight:600;margin-top:10px}dd{margin:0}\
small{color:#666}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        escape(title)
    )
}

pub struct VerifyView<'a> {
    pub serial: &'a str,
    pub recipient: &'a str,
    pub title: &'a str,
    pub kind: super::CertificateKind,
    pub issued_on: &'a str,
    /// (date, reason) when revoked.
    pub revoked: Option<(String, String)>,
}

pub fn verify(v: &VerifyView<'_>) -> String {
    let status = match &v.revoked {
        None => "<h1 class=\"ok\">✓ Chứng nhận hợp lệ</h1><p><small>Valid certificate</small></p>".to_string(),
        Some((date, reason)) => format!(
            "<h1 class=\"bad\">✗ Chứng nhận đã bị thu hồi</h1><p><small>Revoked certificate</small></p>\
<p>Ngày thu hồi: {}<br>Lý do: {}</p>",
            escape(date),
            escape(reason)
        ),
    };
    let what = if v.kind == super::CertificateKind::Program {
        "Chương trình"
    } else {
        "Khóa học"
    };
    page(
        &format!("Kiểm tra chứng nhận {}", v.serial),
        &format!(
            "{status}<dl>{}<dt>{what}</dt><dd>{}</dd><dt>Ngày cấp</dt><dd>{}</dd>\
<dt>Số hiệu</dt><dd>{}</dd><dt>Đơn vị cấp</dt><dd>Học số – Bình dân học vụ số</dd></dl>",
            // No name once erased at the holder's request.
            if v.recipient.is_empty() {
                String::new()
            } else {
                format!("<dt>Người học</dt><dd>{}</dd>", escape(v.recipient))
            },
            escape(v.title),
            escape(v.issued_on),
            escape(v.serial)
        ),
    )
}

pub fn not_found(serial: &str) -> String {
    page(
        "Không tìm thấy chứng nhận",
        &format!(
            "<h1 class=\"bad\">Không tìm thấy chứng nhận</h1><p>Không có chứng nhận nào mang số hiệu <b>{}</b>. \
Hãy kiểm tra lại từng ký tự, hoặc hỏi Tổ công nghệ số cộng đồng ở thôn của bạn.</p>\
<p><small>No certificate has this serial. Check each character again.</small></p>",
            escape(serial)
        ),
    )
}
