//! Mail texts in the recipient's language.

use crate::db::mail::MailContent;
use crate::i18n::Lang;
use crate::kinds::MailKind;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn html(greeting: &str, paragraphs: &[String], link: &str, button: &str) -> String {
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<p>{}</p>", escape(p)))
        .collect();
    format!(
        "<!doctype html><html><body style=\"font-family:sans-serif;font-size:16px\"><p>{}</p>{}<p><a href=\"{}\" style=\"font-size:18px\">{}</a></p></body></html>",
        escape(greeting),
        body,
        escape(link),
        escape(button)
    )
}

pub fn verify_email(
    lang: Lang,
    name: &str,
    to: &str,
    public_url: &str,
    token: &str,
) -> MailContent {
    let link = format!(
        "{}/verify-email?token={}",
        public_url.trim_end_matches('/'),
        token
    );
    let (subject, greeting, lines, button) = match lang {
        Lang::Vi => (
            "Xác minh địa chỉ e-mail của bạn trên Học số".to_string(),
            format!("Xin chào {name},"),
            vec![
                "Bạn vừa đăng ký tài khoản Học số với địa chỉ e-mail này.".to_string(),
                "Hãy bấm vào đường dẫn dưới đây để xác minh. Đường dẫn dùng được một lần, trong 24 giờ.".to_string(),
                format!("Mã xác minh: {token}"),
                "Nếu bạn không đăng ký, hãy bỏ qua thư này.".to_string(),
            ],
            "Xác minh e-mail",
        ),
        Lang::En => (
            "Verify your e-mail address on Học số".to_string(),
            format!("Hello {name},"),
            vec![
                "You have just registered a Học số account with this e-mail address.".to_string(),
                "Open the link below to verify it. It works once, within 24 hours.".to_string(),
                format!("Verification code: {token}"),
                "If you did not register, ignore this message.".to_string(),
            ],
            "Verify e-mail",
        ),
    };
    let text = format!("{greeting}\n\n{}\n\n{link}\n", lines.join("\n\n"));
    MailContent {
        kind: MailKind::VerifyEmail,
        to: to.to_string(),
        subject,
        html: html(&greeting, &lines, &link, button),
        text,
    }
}

pub fn reset_password(
    lang: Lang,
    name: &str,
    to: &str,
    public_url: &str,
    token: &str,
) -> MailContent {
    let link = format!(
        "{}/reset-password?token={}",
        public_url.trim_end_matches('/'),
        token
    );
    let (subject, greeting, lines, button) = match lang {
        Lang::Vi => (
            "Đặt lại mật khẩu Học số".to_string(),
            format!("Xin chào {name},"),
            vec![
                "Có người vừa yêu cầu đặt lại mật khẩu cho tài khoản Học số của bạn.".to_string(),
                "Hãy bấm vào đường dẫn dưới đây để đặt mật khẩu mới. Đường dẫn dùng được một lần, trong 1 giờ.".to_string(),
                format!("Mã đặt lại: {token}"),
                "Nếu không phải bạn yêu cầu, hãy bỏ qua thư này. Mật khẩu của bạn vẫn giữ nguyên.".to_string(),
            ],
            "Đặt mật khẩu mới",
        ),
        Lang::En => (
            "Reset your Học số password".to_string(),
            format!("Hello {name},"),
            vec![
                "Someone asked to reset the password of your Học số account.".to_string(),
                "Open the link below to choose a new password. It works once, within 1 hour.".to_string(),
                format!("Reset code: {token}"),
                "If it was not you, ignore this message. Your password stays the same.".to_string(),
            ],
            "Choose a new password",
        ),
    };
    let text = format!("{greeting}\n\n{}\n\n{link}\n", lines.join("\n\n"));
    MailContent {
        kind: MailKind::ResetPassword,
        to: to.to_string(),
        subject,
        html: html(&greeting, &lines, &link, button),
        text,
    }
}

pub fn congratulations(
    lang: Lang,
    name: &str,
    to: &str,
    public_url: &str,
    course: &str,
    serial: &str,
) -> MailContent {
    let link = format!("{}/verify/{}", public_url.trim_end_matches('/'), serial);
    let (subject, greeting, lines, button) = match lang {
        Lang::Vi => (
            format!("Chúc mừng bạn đã hoàn thành khóa học “{course}”"),
            format!("Xin chào {name},"),
            vec![
                format!("Chúc mừng bạn đã hoàn thành khóa học “{course}” trên Học số."),
                format!("Số hiệu chứng nhận của bạn: {serial}. Ai cũng có thể kiểm tra chứng nhận bằng đường dẫn dưới đây hoặc mã QR trên giấy chứng nhận."),
            ],
            "Xem chứng nhận",
        ),
        Lang::En => (
            format!("Congratulations on completing “{course}”"),
            format!("Hello {name},"),
            vec![
                format!("Congratulations on completing the course “{course}” on Học số."),
                format!("Your certificate serial: {serial}. Anyone can verify it with the link below or the QR code on the certificate."),
            ],
            "View the certificate",
        ),
    };
    let text = format!("{greeting}\n\n{}\n\n{link}\n", lines.join("\n\n"));
    MailContent {
        kind: MailKind::CourseCompleted,
        to: to.to_string(),
        subject,
        html: html(&greeting, &lines, &link, button),
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_in_html() {
        let m = verify_email(
            Lang::Vi,
            "<b>Lan</b>",
            "lan@example.vn",
            "https://h.vn",
            "tok",
        );
        assert!(m.html.contains("&lt;b&gt;Lan&lt;/b&gt;"));
        assert!(m.text.contains("https://h.vn/verify-email?token=tok"));
        assert!(m.subject.contains("Xác minh"));
        let m = reset_password(Lang::En, "Lan", "lan@example.vn", "https://h.vn/", "tok");
        assert!(m.text.contains("https://h.vn/reset-password?token=tok"));
        assert!(m.subject.starts_with("Reset"));
    }
}
