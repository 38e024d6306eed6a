//! What every page shows: the layout (tagline, footer, menu), the error pages and the
//! messages of form fields.

macro_rules! common_texts {
    ($next:ident $(, $rest:ident)* => $($list:tt)*) => {
        $next! { $($rest),* => $($list)*
        tagline: "Học kỹ năng số miễn phí: điện thoại, Zalo, VNeID, dịch vụ công, thanh toán, an toàn trên mạng.",
            "Free digital skills courses: smartphone, Zalo, VNeID, public services, payments, online safety.";
        footer: "Học số – Bình dân học vụ số", "Học số – digital literacy for everyone";
        skip_to_content: "Đến nội dung chính", "Skip to main content";
        nav_label: "Menu chính", "Main menu";
        nav_courses: "Khóa học", "Courses";
        nav_profile: "Tài khoản", "Account";
        nav_login: "Đăng nhập", "Log in";
        go_home: "Về trang chủ", "Go to the home page";
        try_again: "Thử lại", "Try again";
        not_found_title: "Không tìm thấy trang", "Page not found";
        not_found_text: "Trang này không có hoặc đã được chuyển đi. Hãy về trang chủ để tìm khóa học.",
            "This page does not exist or has moved. Go to the home page to find a course.";
        csrf_title: "Biểu mẫu đã hết hạn", "The form has expired";
        csrf_text: "Vì an toàn, biểu mẫu này không được gửi. Không có gì bị thay đổi. Hãy mở lại trang và thử lại.",
            "For your safety this form was not sent. Nothing was changed. Open the page again and retry.";
        bad_form_title: "Dữ liệu gửi lên không đọc được", "The form could not be read";
        bad_form_text: "Biểu mẫu có ký tự không hợp lệ hoặc quá dài. Không có gì bị thay đổi.",
            "The form holds characters that are not allowed or is too long. Nothing was changed.";
        server_error_title: "Hệ thống đang gặp sự cố", "Something went wrong on our side";
        server_error_text: "Xin lỗi, hãy thử lại sau ít phút. Dữ liệu của bạn vẫn an toàn.",
            "Sorry, please try again in a few minutes. Your data is safe.";
        err_required: "Ô này cần được điền.", "This field is required.";
        err_too_long: "Nội dung quá dài.", "This is too long.";
        err_invalid: "Giá trị này không hợp lệ.", "This value is not valid.";
        err_taken: "Đã có tài khoản dùng thông tin này.", "An account already uses this.";
        nav_staff: "Tổ công nghệ số", "Digital team";
        nav_officer: "Chỉ số", "Indicators";
        nav_author: "Soạn bài", "Authoring";
        }
    };
}
