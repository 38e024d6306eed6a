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

/// What a mail carrying a one-time token says, in one language: the subject, the paragraphs
/// around the code (`code` names it) and the button.
struct TokenText {
    subject: &'static str,
    why: &'static str,
    open: &'static str,
    code: &'static str,
    ignore: &'static str,
    button: &'static str,
}

/// A mail of `kind` with a one-time `token`: its code in the text and its link to `path` (the
/// page that takes `?token=`) under the public address.
#[allow(clippy::too_many_arguments)]
fn token_mail(
    kind: MailKind,
    lang: Lang,
    name: &str,
    to: &str,
    public_url: &str,
    path: &str,
    token: &str,
    t: TokenText,
) -> MailContent {
    let link = public_link(public_url, &format!("{path}?token={token}"));
    let lines = [
        t.why.to_string(),
        t.open.to_string(),
        format!("{}: {token}", t.code),
        t.ignore.to_string(),
    ];
    mail(
        kind,
        to,
        t.subject.to_string(),
        &greeting(lang, name),
        &lines,
        &link,
        t.button,
    )
}

pub fn verify_email(
    lang: Lang,
    name: &str,
    to: &str,
    public_url: &str,
    token: &str,
) -> MailContent {
    let text = match lang {
        Lang::Vi => TokenText {
            subject: "Xác minh địa chỉ e-mail của bạn trên Học số",
            why: "Bạn vừa đăng ký tài khoản Học số với địa chỉ e-mail này.",
            open: "Hãy bấm vào đường dẫn dưới đây để xác minh. Đường dẫn dùng được một lần, trong 24 giờ.",
            code: "Mã xác minh",
            ignore: "Nếu bạn không đăng ký, hãy bỏ qua thư này.",
            button: "Xác minh e-mail",
        },
        Lang::En => TokenText {
            subject: "Verify your e-mail address on Học số",
            why: "You have just registered a Học số account with this e-mail address.",
            open: "Open the link below to verify it. It works once, within 24 hours.",
            code: "Verification code",
            ignore: "If you did not register, ignore this message.",
            button: "Verify e-mail",
        },
    };
    let kind = MailKind::VerifyEmail;
    token_mail(
        kind,
        lang,
        name,
        to,
        public_url,
        "/verify-email",
        token,
        text,
    )
}

pub fn reset_password(
    lang: Lang,
    name: &str,
    to: &str,
    public_url: &str,
    token: &str,
) -> MailContent {
    let text = match lang {
        Lang::Vi => TokenText {
            subject: "Đặt lại mật khẩu Học số",
            why: "Có người vừa yêu cầu đặt lại mật khẩu cho tài khoản Học số của bạn.",
            open: "Hãy bấm vào đường dẫn dưới đây để đặt mật khẩu mới. Đường dẫn dùng được một lần, trong 1 giờ.",
            code: "Mã đặt lại",
            ignore: "Nếu không phải bạn yêu cầu, hãy bỏ qua thư này. Mật khẩu của bạn vẫn giữ nguyên.",
            button: "Đặt mật khẩu mới",
        },
        Lang::En => TokenText {
            subject: "Reset your Học số password",
            why: "Someone asked to reset the password of your Học số account.",
            open: "Open the link below to choose a new password. It works once, within 1 hour.",
            code: "Reset code",
            ignore: "If it was not you, ignore this message. Your password stays the same.",
            button: "Choose a new password",
        },
    };
    let kind = MailKind::ResetPassword;
    token_mail(
        kind,
        lang,
        name,
        to,
        public_url,
        "/reset-password",
        token,
        text,
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
