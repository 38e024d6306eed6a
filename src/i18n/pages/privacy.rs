//! Privacy: the notice and consent, records of access, one's own data as a file, erasure
//! (one's own and on a resident's written request), choices.

macro_rules! privacy_texts {
    ($next:ident $(, $rest:ident)* => $($list:tt)*) => {
        $next! { $($rest),* => $($list)*
        // privacy notice and consent (web/privacy.rs)
        privacy_title: "Thông báo về dữ liệu cá nhân", "Privacy notice";
        consent_label: "Tôi đã đọc và đồng ý với", "I have read and accept the";
        consent_required: "Hãy đọc và đánh dấu đồng ý với thông báo về dữ liệu cá nhân.", "Read the privacy notice and tick that you accept it.";
        consent_outdated: "Thông báo đã được cập nhật: hãy đọc lại và đồng ý.", "The notice has changed: read it again and accept it.";
        consent_way_legend: "Người dân đã đồng ý với thông báo về dữ liệu cá nhân", "The resident consented to the privacy notice";
        consent_way_paper: "Ký vào giấy đồng ý", "On a signed paper form";
        consent_way_in_person: "Đồng ý trực tiếp với tôi", "In person, with me";
        consent_way_online: "Tự đồng ý trên trang", "Online, by themselves";
        consents_title: "Sự đồng ý của bạn", "Your consent";
        consent_version: "Phiên bản", "Version";
        consent_given_at: "Ngày đồng ý", "Given on";
        consent_way_title: "Cách đồng ý", "How";
        consent_recorded_by: "Người ghi nhận", "Recorded by";
        consent_state: "Tình trạng", "State";
        consent_active: "Đang có hiệu lực", "In force";
        consent_withdrawn_on: "Đã rút lại ngày", "Withdrawn on";
        consent_withdraw_button: "Rút lại sự đồng ý", "Withdraw my consent";
        consent_withdraw_hint: "Khi rút lại, bạn sẽ được hỏi lại lần sau. Muốn xóa dữ liệu, hãy vào trang Xóa dữ liệu của tôi (trong Tài khoản) hoặc báo Tổ công nghệ số của thôn.", "After withdrawing you will be asked again next time. To have your data erased, use Erase my data (on your account page) or tell your village's digital team.";
        consent_withdrawn_done: "Đã rút lại sự đồng ý.", "Your consent was withdrawn.";
        consent_ask: "Thông báo về dữ liệu cá nhân cần sự đồng ý của bạn. Hãy đọc bên dưới.", "The privacy notice needs your consent. Please read it below.";
        consent_accept_button: "Tôi đã đọc và đồng ý", "I have read it and accept";
        consent_accepted_done: "Cảm ơn bạn đã đồng ý.", "Thank you for your consent.";
        // records of access on the privacy page (web/privacy.rs; privacy::access_records)
        reads_title: "Ai đã xem dữ liệu của bạn", "Who looked at your data";
        reads_intro: "Mỗi lần Tổ công nghệ số hay cán bộ quản trị mở hồ sơ, tiến độ học, tài khoản hay chứng nhận của bạn, việc đó được ghi lại ở đây: ai xem, xem gì, lúc nào. Danh sách chung của cả thôn không được ghi theo từng người.", "Each time the community digital team or an administrator opens your profile, progress, account or certificates, it is recorded here: who, what and when. Lists of a whole village are not recorded person by person.";
        reads_none: "Chưa có ai xem dữ liệu của bạn.", "Nobody has looked at your data yet.";
        reads_more: "Xem các lần cũ hơn", "Older records";
        reads_newest: "Về các lần mới nhất", "Back to the newest";
        read_profile: "hồ sơ (năm sinh, hộ gia đình, định danh điện tử)", "profile (birth year, household, e-identity)";
        read_progress: "tiến độ học", "learning progress";
        read_account: "tài khoản (tên, điện thoại, thư điện tử, vai trò)", "account (name, phone, e-mail, roles)";
        read_certificates: "chứng nhận", "certificates";
        read_audit: "nhật ký việc đã làm cho bạn", "the log of what staff did for you";
        reader_facilitator: "Tổ công nghệ số cộng đồng", "community digital team";
        reader_admin: "quản trị", "administrator";
        read_looked_at: "đã xem", "looked at";
        // a person's own data as a file on the privacy page (web/privacy.rs; privacy::export)
        export_title: "Dữ liệu của tôi", "My data";
        export_intro: "Bạn có thể tải về mọi dữ liệu Học số lưu về bạn: tài khoản, hồ sơ, sự đồng ý, khóa học, tiến độ, bài kiểm tra và câu trả lời, chứng nhận, thư đã gửi, phiên đăng nhập, và những gì Tổ công nghệ số hay cán bộ đã làm và đã xem. Có hai tệp: một trang dễ đọc và một tệp JSON cho máy. Chỉ bạn tải được, và tệp hết hạn sau vài ngày. Mật khẩu và các mã bí mật không có trong tệp.", "You can download everything Học số keeps about you: account, profile, consents, courses, progress, quiz attempts and answers, certificates, mail sent, sessions, and what the digital team or administrators did and looked at. There are two files: a readable page and a JSON file for machines. Only you can download them, and they expire after a few days. Passwords and secret codes are not in them.";
        export_button: "Tải dữ liệu của tôi", "Download my data";
        export_asked_done: "Đã nhận yêu cầu. Tệp sẽ có ở đây khi sẵn sàng.", "Asked. The files appear here when ready.";
        export_asked_at: "Yêu cầu lúc", "Asked at";
        export_ready: "Sẵn sàng", "Ready";
        export_pending: "Đang chuẩn bị, hãy tải lại trang sau ít phút", "Being prepared: reload this page in a few minutes";
        export_failed: "Không tạo được, hãy yêu cầu lại", "Could not be made: ask again";
        export_expired: "Đã hết hạn", "Expired";
        export_html: "Trang dễ đọc (HTML)", "Readable page (HTML)";
        export_json: "Tệp cho máy (JSON)", "File for machines (JSON)";
        export_until: "Tải được đến", "Available until";
        // erasure of one's own data (web/erasure.rs; privacy::erasure)
        erasure_title: "Xóa dữ liệu của tôi", "Erase my data";
        erasure_link: "Xóa dữ liệu của tôi", "Erase my data";
        erasure_intro: "Bạn có quyền yêu cầu xóa dữ liệu cá nhân của mình. Hãy đọc kỹ trước khi làm: việc xóa không lấy lại được.", "You have the right to have your personal data erased. Read this carefully first: an erasure cannot be undone.";
        erasure_what_title: "Khi xóa, điều gì xảy ra", "What an erasure does";
        erasure_what_account: "Tên, số điện thoại, thư điện tử, tên đăng nhập, năm sinh và hộ gia đình của bạn bị xóa. Bạn không đăng nhập được nữa.", "Your name, phone, e-mail, username, year of birth and household are erased. You can no longer log in.";
        erasure_what_learning: "Khóa học, tiến độ, bài kiểm tra và câu trả lời của bạn bị xóa.", "Your courses, progress, quizzes and answers are erased.";
        erasure_what_certificates: "Chứng nhận của bạn bị thu hồi theo yêu cầu của bạn; trang kiểm tra không còn hiện tên bạn.", "Your certificates are revoked at your request; the verification page no longer shows your name.";
        erasure_what_figures: "Số liệu thống kê của thôn giữ lại vài con số không có tên (năm sinh, nhóm, tháng hoàn thành) để báo cáo các năm trước không thay đổi.", "The village's figures keep a few facts without a name (year of birth, group, month completed) so that past reports do not change.";
        erasure_what_grace: "Dữ liệu được xóa sau", "Your data is erased after";
        erasure_days: "ngày; trong thời gian đó bạn có thể hủy yêu cầu", "days; until then you can cancel the request";
        erasure_export_link: "Dữ liệu của tôi", "My data";
        erasure_export_hint: "Muốn giữ một bản dữ liệu của mình, hãy tải về trước:", "To keep a copy of your data, download it first:";
        erasure_password_label: "Nhập lại mật khẩu hoặc mã PIN để xác nhận", "Type your password or PIN again to confirm";
        erasure_wrong_password: "Mật khẩu hoặc mã PIN không đúng.", "The password or PIN is wrong.";
        erasure_password_required: "Hãy nhập mật khẩu hoặc mã PIN.", "Type your password or PIN.";
        erasure_holds_role: "Tài khoản này đang giữ vai trò quản lý. Hãy nhờ quản trị thu hồi vai trò trước.", "This account holds a staff role. Ask an administrator to take it back first.";
        erasure_button: "Yêu cầu xóa dữ liệu của tôi", "Ask to erase my data";
        erasure_asked_done: "Đã nhận yêu cầu xóa dữ liệu.", "Your erasure request was received.";
        erasure_cancelled_done: "Đã hủy yêu cầu xóa dữ liệu.", "The erasure request was cancelled.";
        erasure_pending_title: "Dữ liệu của bạn sắp bị xóa", "Your data is about to be erased";
        erasure_pending_on: "Dữ liệu của bạn sẽ bị xóa vào ngày", "Your data will be erased on";
        erasure_by_staff: "Tổ công nghệ số đã gửi yêu cầu này theo đơn của bạn.", "The digital team made this request on your written request.";
        erasure_cancel_hint: "Nếu bạn đổi ý, hãy hủy trước ngày đó.", "If you change your mind, cancel before that day.";
        erasure_cancel_button: "Hủy yêu cầu, giữ dữ liệu của tôi", "Cancel the request, keep my data";
        // restriction and objection: the choices on the privacy page (web/privacy.rs; privacy::choices)
        choices_title: "Lựa chọn của bạn", "Your choices";
        choices_intro: "Bạn có thể dừng những việc không bắt buộc với dữ liệu của mình. Bỏ đánh dấu rồi bấm Lưu.", "You can stop what is optional in the use of your data. Untick and press Save.";
        choices_mail_label: "Nhận thư chúc mừng và thư thông tin (không phải thư bảo mật)", "Receive congratulations and news by mail (not security mail)";
        choices_mail_hint: "Thư bảo mật (xác minh thư điện tử, đặt lại mật khẩu) vẫn luôn được gửi.", "Security mail (e-mail verification, password reset) is always sent.";
        choices_name_label: "Hiện tên đầy đủ của tôi trong danh sách của Tổ công nghệ số", "Show my full name in the community digital team's lists";
        choices_name_hint: "Nếu bỏ, danh sách chỉ hiện chữ cái đầu (ví dụ N. V. A.). Khi Tổ mở trang riêng của bạn để giúp bạn học, họ vẫn thấy tên bạn.", "If unticked, lists show only initials (e.g. N. V. A.). When the team opens your own page to help you, they still see your name.";
        choices_save_button: "Lưu lựa chọn", "Save my choices";
        choices_saved_done: "Đã lưu lựa chọn của bạn.", "Your choices were saved.";
        choices_changed_at: "Thay đổi lần cuối", "Last changed";
        // erasure on a resident's written request, on the staff resident page (web/staff/resident.rs; privacy::erasure)
        staff_erasure_title: "Xóa dữ liệu theo đơn của người dân", "Erasure at the resident's request";
        staff_erasure_intro: "Khi người dân gửi đơn yêu cầu xóa dữ liệu của mình, hãy ghi lại ở đây. Tên, điện thoại, hồ sơ, tiến độ học và câu trả lời của họ sẽ bị xóa, chứng nhận bị thu hồi, và họ không đăng nhập được nữa. Số liệu của thôn không thay đổi.", "When a resident hands in a written request to erase their data, record it here. Their name, phone, profile, progress and answers will be erased, their certificates revoked, and they can no longer log in. The village's figures do not change.";
        staff_erasure_after: "Dữ liệu được xóa sau", "The data is erased after";
        staff_erasure_days: "ngày; trước ngày đó bạn hoặc người dân có thể hủy yêu cầu.", "days; until then you or the resident can cancel the request.";
        staff_erasure_reason_label: "Lý do và cách người dân yêu cầu (không ghi tên)", "Reason, and how the resident asked (write no name)";
        staff_erasure_doc_label: "Số hoặc ngày của đơn", "Number or date of the written request";
        staff_erasure_confirm: "Tôi đã nhận đơn của chính người này và hiểu rằng việc xóa không lấy lại được", "I received this person's own written request and understand that an erasure cannot be undone";
        staff_erasure_confirm_required: "Hãy đánh dấu xác nhận trước khi gửi.", "Tick the confirmation before sending.";
        staff_erasure_button: "Yêu cầu xóa dữ liệu của người này", "Ask to erase this person's data";
        staff_erasure_pending: "Dữ liệu của người này sẽ bị xóa vào ngày", "This person's data will be erased on";
        staff_erasure_doc: "đơn", "request";
        staff_erasure_cancel_button: "Hủy yêu cầu xóa, giữ dữ liệu", "Cancel the erasure, keep the data";
        staff_erasure_asked: "Đã ghi yêu cầu xóa dữ liệu.", "The erasure request was recorded.";
        staff_erasure_cancelled: "Đã hủy yêu cầu xóa dữ liệu.", "The erasure request was cancelled.";
        audit_erasure_requested: "Yêu cầu xóa dữ liệu", "Erasure requested";
        audit_erasure_cancelled: "Hủy yêu cầu xóa dữ liệu", "Erasure cancelled";
        audit_privacy_choices: "Người dân thay đổi lựa chọn về dữ liệu", "The resident changed their privacy choices";
        }
    };
}
