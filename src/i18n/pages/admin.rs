//! The platform administrators' pages (web/admin): users, roles, certificates.

macro_rules! admin_texts {
    ($next:ident $(, $rest:ident)* => $($list:tt)*) => {
        $next! { $($rest),* => $($list)*
        // platform admin (web/admin)
        admin_nav_label: "Quản trị nền tảng", "Platform administration";
        admin_users_title: "Người dùng", "Users";
        admin_certificates_title: "Chứng nhận", "Certificates";
        admin_certificate_title: "Chứng nhận", "Certificate";
        admin_search_label: "Tìm người dùng", "Find a user";
        admin_search_hint: "Gõ một phần họ tên, tên đăng nhập, số điện thoại hoặc thư điện tử.", "Type part of a name, username, phone number or e-mail address.";
        admin_bad_cursor: "Trang này không còn dùng được; đây là trang đầu.", "That page link no longer works; this is the first page.";
        admin_no_users: "Không có người dùng nào khớp.", "No user matches.";
        admin_users_caption: "Người dùng, mới nhất trước", "Users, newest first";
        admin_users_found: "Người dùng khớp với", "Users matching";
        admin_col_name: "Họ tên", "Name";
        admin_col_roles: "Vai trò", "Roles";
        admin_col_status: "Trạng thái", "Status";
        admin_col_role: "Vai trò", "Role";
        admin_col_place: "Phạm vi", "Where";
        admin_col_action: "Thao tác", "Action";
        admin_col_serial: "Số hiệu", "Serial";
        admin_col_course: "Khóa học", "Course";
        admin_col_issued: "Ngày cấp", "Issued";
        admin_role_learner: "Học viên", "Learner";
        admin_role_facilitator: "Tổ công nghệ số", "Digital team member";
        admin_role_instructor: "Người soạn bài", "Instructor";
        admin_role_admin: "Quản trị", "Admin";
        admin_status_active: "Đang hoạt động", "Active";
        admin_status_disabled: "Đã khóa", "Disabled";
        admin_since: "từ", "since";
        admin_pages_label: "Các trang kết quả", "Result pages";
        admin_first_page: "← Trang đầu", "← First page";
        admin_next_page: "Trang sau →", "Next page →";
        admin_username: "Tên đăng nhập", "Username";
        admin_phone: "Số điện thoại", "Phone";
        admin_email: "Thư điện tử", "E-mail";
        admin_created: "Ngày tạo tài khoản", "Account created";
        admin_roles_title: "Vai trò", "Roles";
        admin_roles_caption: "Vai trò và phạm vi của từng vai trò", "Roles and where each holds";
        admin_no_roles: "Người này chỉ là học viên.", "This person is a learner only.";
        admin_everywhere: "Toàn nền tảng", "The whole platform";
        admin_revoke_role: "Thu hồi", "Withdraw";
        admin_grant_title: "Cấp vai trò", "Grant a role";
        admin_choose_role: "Chọn vai trò", "Choose a role";
        admin_locality_code: "Mã địa bàn (thôn, xã, tỉnh)", "Locality code (village, commune, province)";
        admin_locality_hint: "Vai trò chỉ có hiệu lực trong địa bàn này và các địa bàn trực thuộc. Để trống: toàn nền tảng.", "The role holds in this locality and everything under it. Leave empty for the whole platform.";
        admin_grant_button: "Cấp vai trò", "Grant the role";
        admin_granted: "Đã cấp vai trò.", "The role was granted.";
        admin_role_revoked: "Đã thu hồi vai trò.", "The role was withdrawn.";
        admin_err_locality: "Không có địa bàn nào có mã này.", "No locality has this code.";
        admin_err_no_grant: "Người này không còn vai trò đó.", "This person no longer holds that role.";
        admin_certs_title: "Chứng nhận", "Certificates";
        admin_certs_caption: "Chứng nhận đã cấp cho người này", "Certificates issued to this person";
        admin_no_certs: "Chưa có chứng nhận nào.", "No certificate yet.";
        admin_cert_valid: "Hợp lệ", "Valid";
        admin_cert_revoked: "Đã thu hồi", "Revoked";
        admin_account_title: "Tài khoản", "Account";
        admin_disable_text: "Khóa tài khoản: người này không đăng nhập được nữa và mọi phiên đăng nhập của họ kết thúc ngay. Có thể mở lại sau.", "Disable the account: this person can no longer log in and every session of theirs ends at once. It can be enabled again.";
        admin_disable_confirm: "Tôi hiểu và muốn khóa tài khoản này.", "I understand and want to disable this account.";
        admin_disable_button: "Khóa tài khoản", "Disable the account";
        admin_err_confirm: "Hãy đánh dấu ô xác nhận để khóa tài khoản.", "Tick the box to confirm.";
        admin_err_self: "Bạn không thể tự khóa tài khoản của mình.", "You cannot disable your own account.";
        admin_disabled_done: "Đã khóa tài khoản.", "The account was disabled.";
        admin_enable_text: "Tài khoản đang bị khóa. Mở lại để người này đăng nhập được.", "The account is disabled. Enable it so this person can log in again.";
        admin_enable_button: "Mở lại tài khoản", "Enable the account";
        admin_enabled_done: "Đã mở lại tài khoản.", "The account was enabled.";
        admin_serial_label: "Số hiệu chứng nhận", "Certificate serial";
        admin_serial_hint: "11 ký tự in trên chứng nhận, dưới mã QR; có thể gõ chữ thường, dấu cách hoặc gạch nối.", "The 11 characters printed on the certificate under its QR code; any case, spaces or hyphens.";
        admin_find_button: "Tìm", "Find";
        admin_no_certificate: "Không có chứng nhận nào có số hiệu này.", "No certificate has this serial.";
        admin_recipient: "Cấp cho", "Issued to";
        admin_verify_link: "Trang xác minh công khai", "The public verification page";
        admin_revoke_title: "Thu hồi chứng nhận", "Revoke the certificate";
        admin_revoke_text: "Chứng nhận bị thu hồi sẽ hiện là không còn hiệu lực trên trang xác minh, kèm lý do dưới đây.", "A revoked certificate shows as no longer valid on the verification page, with the reason below.";
        admin_reason_label: "Lý do thu hồi", "Reason for revoking";
        admin_reason_hint: "Bắt buộc, tối đa 500 ký tự. Người xem trang xác minh sẽ thấy lý do này.", "Required, at most 500 characters. Whoever checks the certificate sees it.";
        admin_revoke_button: "Thu hồi chứng nhận", "Revoke the certificate";
        admin_cert_revoked_done: "Đã thu hồi chứng nhận.", "The certificate was revoked.";
        }
    };
}
