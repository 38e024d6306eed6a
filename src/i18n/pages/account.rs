//! Logging in, registering, resetting a password or PIN, and one's own account page.

macro_rules! account_texts {
    ($next:ident $(, $rest:ident)* => $($list:tt)*) => {
        $next! { $($rest),* => $($list)*
        login_title: "Đăng nhập", "Log in";
        login_label: "Số điện thoại, e-mail hoặc tên đăng nhập", "Phone, e-mail or username";
        login_hint: "Người được Tổ công nghệ số tạo tài khoản: dùng tên đăng nhập và mã PIN trên thẻ.",
            "If your village's digital team made your account: use the username and PIN on your card.";
        password_label: "Mật khẩu hoặc mã PIN", "Password or PIN";
        login_button: "Đăng nhập", "Log in";
        login_failed: "Sai thông tin đăng nhập hoặc mật khẩu. Hãy kiểm tra lại.", "The login or password is wrong. Please check them.";
        no_account: "Chưa có tài khoản?", "No account yet?";
        have_code: "Có mã đặt lại từ Tổ công nghệ số?", "Have a reset code from the digital team?";
        register_title: "Tạo tài khoản", "Create an account";
        name_label: "Họ và tên", "Full name";
        phone_label: "Số điện thoại", "Phone number";
        email_label: "E-mail (không bắt buộc nếu có số điện thoại)", "E-mail (not needed if you give a phone)";
        new_password_label: "Mật khẩu (ít nhất 8 ký tự)", "Password (at least 8 characters)";
        phone_or_email: "Cần số điện thoại hoặc e-mail.", "Give a phone number or an e-mail.";
        phone_invalid: "Số điện thoại Việt Nam không đúng, ví dụ 0912 345 678.", "Not a Vietnamese phone number, e.g. 0912 345 678.";
        email_invalid: "Địa chỉ e-mail không đúng.", "Not an e-mail address.";
        reset_title: "Đặt mật khẩu hoặc mã PIN mới", "Set a new password or PIN";
        reset_intro: "Nhập mã đặt lại do Tổ công nghệ số đưa cho bạn (hoặc mã trong e-mail).",
            "Type the reset code the digital team gave you (or the one from the e-mail).";
        code_label: "Mã đặt lại", "Reset code";
        new_secret_label: "Mật khẩu hoặc mã PIN mới", "New password or PIN";
        reset_button: "Đặt lại", "Set it";
        reset_done: "Đã đổi. Hãy đăng nhập bằng mật khẩu hoặc mã PIN mới.", "Done. Log in with your new password or PIN.";
        profile_title: "Tài khoản của tôi", "My account";
        language_label: "Ngôn ngữ", "Language";
        save_button: "Lưu", "Save";
        saved: "Đã lưu.", "Saved.";
        change_password_title: "Đổi mật khẩu hoặc mã PIN", "Change your password or PIN";
        current_password_label: "Mật khẩu hoặc mã PIN hiện tại", "Current password or PIN";
        change_button: "Đổi", "Change";
        password_changed: "Đã đổi mật khẩu. Các thiết bị khác đã được đăng xuất.", "Password changed. Your other devices were logged out.";
        wrong_password: "Mật khẩu hiện tại không đúng.", "The current password is wrong.";
        logout_button: "Đăng xuất", "Log out";
        logout_all_button: "Đăng xuất trên mọi thiết bị", "Log out everywhere";
        too_many: "Thử quá nhiều lần. Hãy đợi một lát rồi thử lại.", "Too many tries. Wait a little and try again.";
        }
    };
}
