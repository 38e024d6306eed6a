//! Mail texts in the recipient's language.

use crate::db::mail::MailContent;
use crate::i18n::Lang;
use crate::kinds::MailKind;
use crate::text::escape_html as escape;

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

/// A mail of `kind` to `to`: the greeting, the paragraphs and the link, as text and as HTML with
/// the link on a button.
fn mail(
    kind: MailKind,
    to: &str,
    subject: String,
    greeting: &str,
    lines: &[String],
    link: &str,
    button: &str,
) -> MailContent {
    MailContent {
        kind,
        to: to.to_string(),
        subject,
        html: html(greeting, lines, link, button),
        text: format!("{greeting}\n\n{}\n\n{link}\n", lines.join("\n\n")),
    }
}

/// The salutation a mail opens with.
fn greeting(lang: Lang, name: &str) -> String {
    match lang {
        Lang::Vi => format!("Xin chào {name},"),
        Lang::En => format!("Hello {name},"),
    }
}

/// `path` under the public address (`public_url` with or without a final `/`).
fn public_link(public_url: &str, path: &str) -> String {
    format!("{}{path}", public_url.trim_end_matches('/'))
}

pub fn verify_email(
    lang: Lang,
    name: &str,
    to: &str,
    public_url: &str,
    token: &str,
) -> MailContent {
    let link = public_link(public_url, &format!("/verify-email?token={token}"));
    let (subject, lines, button) = match lang {
        Lang::Vi => (
            "Xác minh địa chỉ e-mail của bạn trên Học số".to_string(),
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
            vec![
                "You have just registered a Học số account with this e-mail address.".to_string(),
                "Open the link below to verify it. It works once, within 24 hours.".to_string(),
                format!("Verification code: {token}"),
                "If you did not register, ignore this message.".to_string(),
            ],
            "Verify e-mail",
        ),
    };
    mail(
        MailKind::VerifyEmail,
        to,
        subject,
        &greeting(lang, name),
        &lines,
        &link,
        button,
    )
}

pub fn reset_password(
    lang: Lang,
    name: &str,
    to: &str,
    public_url: &str,
    token: &str,
) -> MailContent {
    let link = public_link(public_url, &format!("/reset-password?token={token}"));
    let (subject, lines, button) = match lang {
        Lang::Vi => (
            "Đặt lại mật khẩu Học số".to_string(),
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
            vec![
                "Someone asked to reset the password of your Học số account.".to_string(),
                "Open the link below to choose a new password. It works once, within 1 hour.".to_string(),
                format!("Reset code: {token}"),
                "If it was not you, ignore this message. Your password stays the same.".to_string(),
            ],
            "Choose a new password",
        ),
    };
    mail(
        MailKind::ResetPassword,
        to,
        subject,
        &greeting(lang, name),
        &lines,
        &link,
        button,
    )
}

pub fn congratulations(
    lang: Lang,
    name: &str,
    to: &str,
    public_url: &str,
    course: &str,
    serial: &str,
) -> MailContent {
    let link = public_link(public_url, &format!("/verify/{serial}"));
    let (subject, lines, button) = match lang {
        Lang::Vi => (
            format!("Chúc mừng bạn đã hoàn thành khóa học “{course}”"),
            vec![
                format!("Chúc mừng bạn đã hoàn thành khóa học “{course}” trên Học số."),
                format!("Số hiệu chứng nhận của bạn: {serial}. Ai cũng có thể kiểm tra chứng nhận bằng đường dẫn dưới đây hoặc mã QR trên giấy chứng nhận."),
            ],
            "Xem chứng nhận",
        ),
        Lang::En => (
            format!("Congratulations on completing “{course}”"),
            vec![
                format!("Congratulations on completing the course “{course}” on Học số."),
                format!("Your certificate serial: {serial}. Anyone can verify it with the link below or the QR code on the certificate."),
            ],
            "View the certificate",
        ),
    };
    mail(
        MailKind::CourseCompleted,
        to,
        subject,
        &greeting(lang, name),
        &lines,
        &link,
        button,
    )
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
        assert!(m.text.starts_with("Xin chào <b>Lan</b>,\n\n"));
        let m = reset_password(Lang::En, "Lan", "lan@example.vn", "https://h.vn/", "tok");
        assert!(m.text.contains("https://h.vn/reset-password?token=tok"));
        assert!(m.subject.starts_with("Reset"));
        let m = congratulations(
            Lang::En,
            "Lan",
            "lan@example.vn",
            "https://h.vn/",
            "<C>",
            "S-1",
        );
        assert_eq!(m.kind, MailKind::CourseCompleted);
        assert_eq!(m.to, "lan@example.vn");
        assert!(m.text.ends_with("\n\nhttps://h.vn/verify/S-1\n"));
        assert!(m.html.contains("href=\"https://h.vn/verify/S-1\""));
        assert!(m.html.contains("&lt;C&gt;"));
        assert!(m.text.starts_with("Hello Lan,\n\n"));
        assert!(m.html.contains("<p>Hello Lan,</p>"));
    }
}
