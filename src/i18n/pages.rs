//! The texts of the web pages. Each text is written once here in both languages (the macro
//! makes a missing translation a compile error); the API's problem titles come from the same
//! `Lang`, in `error::Code::title`, and pages show those for domain errors.

use super::Lang;

macro_rules! texts {
    ($($key:ident: $vi:expr, $en:expr;)*) => {
        /// Every page text in one language.
        pub struct Texts { $(pub $key: &'static str,)* }
        static VI: Texts = Texts { $($key: $vi,)* };
        static EN: Texts = Texts { $($key: $en,)* };
    };
}

/// The texts of `lang`.
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

texts! {
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
    welcome_title: "Chào mừng đến với Học số", "Welcome to Học số";
    welcome_text: "Các khóa học ngắn, miễn phí, giúp bạn dùng điện thoại, Zalo, VNeID, dịch vụ công trực tuyến và thanh toán an toàn. Học xong được cấp chứng nhận.",
        "Short free courses to use your phone, Zalo, VNeID, online public services and payments safely. Finish one and get a certificate.";
    register_button: "Tạo tài khoản", "Create an account";
    featured_courses: "Một số khóa học", "Some courses";
    all_courses: "Xem tất cả khóa học", "See all courses";
    minutes: "phút", "min";
    lessons: "bài học", "lessons";
    quizzes: "bài kiểm tra", "quizzes";
    home_title: "Trang của tôi", "My page";
    hello: "Xin chào", "Hello";
    continue_learning: "Học tiếp", "Continue learning";
    continue_button: "Học tiếp", "Continue";
    my_courses: "Khóa học của tôi", "My courses";
    no_courses_yet: "Bạn chưa bắt đầu khóa học nào.", "You have not started a course yet.";
    find_course: "Tìm khóa học", "Find a course";
    completed: "Đã hoàn thành", "Completed";
    my_certificates: "Chứng nhận của tôi", "My certificates";
    no_certificates_yet: "Học xong một khóa học để nhận chứng nhận.", "Finish a course to get a certificate.";
    revoked: "Đã bị thu hồi", "Revoked";
    my_programs: "Chương trình học", "My programs";
    catalogue_title: "Khóa học", "Courses";
    search_label: "Tìm khóa học (gõ có dấu hoặc không dấu)", "Search courses (with or without accents)";
    search_button: "Tìm", "Search";
    filters: "Lọc theo chủ đề, trình độ, đối tượng", "Filter by topic, level, group";
    topic: "Chủ đề", "Topic";
    level: "Trình độ", "Level";
    group: "Đối tượng", "Learner group";
    any: "Tất cả", "All";
    no_results: "Không tìm thấy khóa học nào. Hãy thử từ khác.", "No course found. Try other words.";
    more: "Xem thêm", "Show more";
    login_to_learn: "Đăng nhập để học", "Log in to learn";
    enrol_button: "Bắt đầu học khóa này", "Start this course";
    strict_order_note: "Khóa học này học lần lượt: bài sau mở khi bạn học xong bài trước.",
        "This course goes in order: each item opens when you finish the one before.";
    locked_reason: "Học xong các bài trước để mở bài này.", "Finish the items before to open this one.";
    quiz: "Bài kiểm tra", "Quiz";
    lesson: "Bài học", "Lesson";
    optional: "không bắt buộc", "optional";
    done: "đã học", "done";
    item: "Bài", "Item";
    recorded: "Đã ghi nhận bài trước. Tiếp tục nhé!", "The previous item is recorded. Keep going!";
    watch_video: "Xem video", "Watch the video";
    transcript: "Lời thoại của video", "Video transcript";
    learned_button: "Tôi đã học xong bài này", "I have finished this lesson";
    pager_label: "Bài trước và bài sau", "Previous and next";
    previous: "Bài trước", "Previous";
    next: "Bài sau", "Next";
    keep_offline_title: "Học khi không có mạng", "Learn without a connection";
    keep_offline_button: "Tải khóa học để học khi không có mạng", "Keep this course for offline use";
    unkeep_offline_button: "Xóa bản đã tải", "Remove the offline copy";
    certificate: "Chứng nhận", "Certificate";
    holder: "Người nhận", "Holder";
    course: "Khóa học", "Course";
    issued_on: "Ngày cấp", "Issued on";
    serial: "Số hiệu", "Serial";
    download_pdf: "Tải chứng nhận (PDF)", "Download the certificate (PDF)";
    verify_title: "Kiểm tra chứng nhận", "Verify the certificate";
    verify_text: "Ai cũng có thể quét mã QR này hoặc mở đường dẫn dưới đây để kiểm tra chứng nhận.",
        "Anyone can scan this QR code or open the link below to check the certificate.";
    share: "Chia sẻ", "Share";
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
    quiz_title: "Bài kiểm tra", "Quiz";
    quiz_needs_connection: "Bài kiểm tra cần có mạng: câu trả lời được chấm trên máy chủ.",
        "Quizzes need a connection: answers are graded on the server.";
    questions: "câu hỏi", "questions";
    pass_mark: "Điểm đạt", "Pass mark";
    time_limit: "Thời gian làm bài", "Time limit";
    attempts_left: "Số lần làm còn lại", "Attempts left";
    unlimited: "không giới hạn", "unlimited";
    start_quiz: "Bắt đầu làm bài", "Start the quiz";
    resume_quiz: "Làm tiếp bài đang làm", "Resume your attempt";
    save_answers: "Lưu câu trả lời", "Save my answers";
    submit_quiz: "Nộp bài", "Submit";
    submit_confirm_title: "Nộp bài?", "Submit the quiz?";
    submit_confirm_text: "Sau khi nộp, bạn không sửa được câu trả lời.", "After submitting you cannot change your answers.";
    unanswered: "Câu chưa trả lời", "Unanswered questions";
    confirm_submit: "Có, nộp bài", "Yes, submit";
    back_to_quiz: "Quay lại bài làm", "Back to my answers";
    time_left: "Thời gian còn lại", "Time left";
    deadline_at: "Hạn nộp", "Deadline";
    answers_saved: "Đã lưu câu trả lời.", "Answers saved.";
    result_title: "Kết quả", "Result";
    score: "Điểm", "Score";
    passed: "Đạt", "Passed";
    failed: "Chưa đạt", "Not passed";
    correct: "Đúng", "Correct";
    wrong: "Chưa đúng", "Not correct";
    explanation: "Giải thích", "Explanation";
    right_answer: "Đáp án đúng", "Right answer";
    try_again_quiz: "Làm lại", "Try again";
    cooldown: "Bạn có thể làm lại sau", "You can try again after";
    no_attempts_left: "Bạn đã hết lượt làm bài này.", "You have no attempts left for this quiz.";
    true_label: "Đúng", "True";
    false_label: "Sai", "False";
    your_answer: "Câu trả lời của bạn", "Your answer";
    position: "Thứ tự", "Position";
    choose: "Chọn", "Choose";
    question: "Câu", "Question";
    answers_hidden: "Bài kiểm tra này chưa cho xem đáp án và lời giải ở lần làm này.", "This quiz does not show the answers and explanations for this attempt.";
    late_note: "Nộp sau thời hạn: chỉ các câu đã lưu trước hạn được tính.", "Submitted late: only answers saved in time counted.";
    offline_waiting: "bài đã học đang chờ gửi khi có mạng", "finished lessons waiting for a connection";
    offline_sent: "Đã gửi tiến độ học lúc", "Progress sent at";
    offline_title: "Không có mạng", "No connection";
    offline_text: "Trang này chưa được tải về máy. Các khóa học bạn đã tải vẫn mở được. Khi có mạng, hãy thử lại.",
        "This page is not kept on your phone. Courses you kept still open. Try again when you are back online.";
    // Staff pages: the community digital teams (issue 20).
    nav_staff: "Tổ công nghệ số", "Digital team";
    staff_nav_label: "Việc của Tổ công nghệ số", "Digital team pages";
    staff_residents_title: "Người dân trong thôn", "Residents of my villages";
    staff_new_title: "Đăng ký người dân", "Register a resident";
    staff_card_title: "Thẻ đăng nhập", "Login cards";
    staff_help_title: "Người cần giúp đỡ", "Who needs help";
    staff_search_label: "Tìm theo tên (gõ có dấu hay không dấu đều được)", "Search by name (with or without diacritics)";
    staff_filter_label: "Lọc", "Filter";
    staff_search_button: "Tìm", "Search";
    staff_people: "người", "people";
    staff_no_residents: "Không có người dân nào khớp.", "No resident matches.";
    staff_no_course: "Chưa tham gia khóa học nào.", "Not enrolled in any course yet.";
    staff_last_activity: "Học gần nhất", "Last activity";
    staff_eid_label: "Định danh điện tử (VNeID)", "Electronic identity (VNeID)";
    eid_none: "Chưa có", "None";
    eid_level1: "Mức 1", "Level 1";
    eid_level2: "Mức 2", "Level 2";
    gender_female: "Nữ", "Female";
    gender_male: "Nam", "Male";
    gender_other: "Khác", "Other";
    filter_all: "Tất cả", "Everyone";
    filter_not_started: "Chưa bắt đầu", "Not started";
    filter_in_progress: "Đang học", "In progress";
    filter_finished: "Đã học xong", "Finished";
    filter_needs_help: "Cần giúp đỡ", "Needs help";
    staff_village_label: "Thôn/tổ dân phố", "Village";
    staff_household_legend: "Hộ gia đình", "Household";
    staff_household_label: "Hộ gia đình", "Household";
    staff_household_none: "Chưa chọn hộ", "No household";
    staff_household_new_label: "Hoặc tạo hộ mới: tên chủ hộ", "Or a new household: its head's name";
    staff_household_new_hint: "Điền tên chủ hộ nếu hộ chưa có trong danh sách; hộ mới được tạo ở thôn đã chọn.", "Fill in the head of household if it is not in the list; the new household is created in the chosen village.";
    staff_birth_year_label: "Năm sinh", "Year of birth";
    staff_gender_label: "Giới tính", "Gender";
    staff_not_said: "Không nói", "Not said";
    staff_group_label: "Nhóm người học", "Learner group";
    staff_phone_label: "Số điện thoại (không bắt buộc)", "Phone number (optional)";
    staff_username_label: "Tên đăng nhập (không bắt buộc)", "Username (optional)";
    staff_username_hint: "Để trống: hệ thống tự đặt theo tên. Mã PIN 6 số được tạo và in trên thẻ.", "Leave empty to make one from the name. A 6-digit PIN is made and printed on the card.";
    staff_register_button: "Đăng ký và in thẻ", "Register and print the card";
    staff_form_errors: "Có ô cần sửa, xem ghi chú bên cạnh từng ô.", "Some fields need fixing: see the note beside each.";
    err_birth_year: "Năm sinh là 4 chữ số, ví dụ 1958.", "The year of birth is 4 digits, e.g. 1958.";
    err_household: "Hộ này không thuộc thôn đã chọn.", "This household is not in the chosen village.";
    staff_cards_waiting: "Thẻ đã có trên tờ in", "Cards already on the sheet";
    staff_registered: "Đã đăng ký. Hãy in thẻ và đưa tận tay người dân.", "Registered. Print the card and hand it to the resident.";
    staff_card_once: "Mã PIN chỉ hiện một lần ở trang này. In thẻ ngay; nếu người dân quên, hãy cấp mã đặt lại.", "The PIN is shown only once, on this page. Print the card now; if it is forgotten, give a reset code.";
    staff_print_button: "In thẻ", "Print the cards";
    staff_print_hint: "Hoặc dùng lệnh In của trình duyệt (Ctrl+P). Một tờ A4 in được tối đa 10 thẻ.", "Or use the browser's Print (Ctrl+P). One A4 sheet holds up to 10 cards.";
    staff_open_resident: "Mở trang người này", "Open this resident";
    staff_card_heading: "HỌC SỐ – THẺ ĐĂNG NHẬP", "HỌC SỐ – LOGIN CARD";
    staff_card_name: "Người học", "Learner";
    staff_card_username: "Tên đăng nhập", "Username";
    staff_card_pin: "Mã PIN", "PIN";
    staff_card_site: "Địa chỉ", "Address";
    staff_card_qr: "Mã QR mở trang đăng nhập", "QR code of the login page";
    staff_card_keep: "Giữ thẻ cẩn thận, không đưa cho người lạ. Quên mã PIN, hãy hỏi Tổ công nghệ số.", "Keep this card safe. Forgot the PIN? Ask the digital team.";
    staff_next_title: "Đăng ký người tiếp theo", "Register the next person";
    staff_next_text: "Thẻ của người tiếp theo được thêm vào cùng tờ in này.", "The next person's card is added to this same sheet.";
    staff_register_another: "Đăng ký thêm người", "Register another person";
    staff_help_intro: "Người dân chưa bắt đầu học, lâu không học, đang dừng ở một bài, hoặc làm sai bài kiểm tra hai lần", "Residents who never started, have been inactive, are stuck on a lesson, or failed a quiz twice";
    staff_days: "ngày", "days";
    staff_help_nobody: "Hiện không ai cần giúp đỡ.", "Nobody needs help now.";
    help_inactive: "Lâu không vào học", "Has not learned for a while";
    help_never_started: "Chưa bắt đầu học", "Never started";
    help_failed_quiz_twice: "Làm sai một bài kiểm tra hai lần", "Failed a quiz twice";
    help_stuck_on_lesson: "Dừng ở một bài học đã lâu", "Stuck on a lesson";
    staff_courses_title: "Tiến độ các khóa học", "Progress per course";
    staff_enrol_title: "Ghi danh vào khóa học", "Enrol in a course";
    staff_course_label: "Khóa học", "Course";
    staff_enrol_button: "Ghi danh", "Enrol";
    staff_enrolled: "Đã ghi danh.", "Enrolled.";
    staff_lesson_title: "Ghi nhận bài đã học trực tiếp", "Record an in-person lesson";
    staff_lesson_hint: "Ghi là do Tổ công nghệ số ghi nhận.", "Marked as recorded by the digital team.";
    staff_lesson_label: "Bài học", "Lesson";
    staff_lesson_button: "Ghi nhận đã học xong", "Record as done";
    staff_lesson_recorded: "Đã ghi nhận bài học.", "The lesson is recorded.";
    staff_reset_title: "Cấp mã đặt lại PIN", "Give a reset code";
    staff_reset_button: "Cấp mã đặt lại", "Give a reset code";
    staff_reset_given: "Mã đặt lại (chỉ hiện một lần):", "Reset code (shown once):";
    staff_reset_until: "dùng được đến", "valid until";
    staff_profile_title: "Sửa thông tin", "Correct the profile";
    staff_profile_button: "Lưu thông tin", "Save";
    staff_profile_saved: "Đã lưu thông tin.", "The profile is saved.";
    staff_household_keep: "Giữ như cũ", "Keep as it is";
    staff_audit_title: "Những việc đã làm thay người này", "What was done on their behalf";
    staff_audit_empty: "Chưa có.", "Nothing yet.";
    staff_audit_admins: "Nhật ký này chỉ cán bộ quản lý địa bàn xem được.", "Only admins of the area see this record.";
    audit_register: "Đăng ký tài khoản", "Registered";
    audit_enroll: "Ghi danh khóa học", "Enrolled in a course";
    audit_progress: "Ghi nhận bài học", "Lesson recorded";
    audit_reset: "Cấp mã đặt lại", "Reset code given";
    audit_profile: "Sửa thông tin", "Profile corrected";
    staff_questions_title: "Câu hỏi khó", "Hardest questions";
    staff_questions_intro: "Những câu hỏi mà người học ở thôn của bạn đã trả lời ít nhất 3 lần và đúng dưới một nửa, khó nhất trước.", "The questions the learners of your villages answered at least 3 times and got right less than half the time, hardest first.";
    staff_questions_caption: "Câu hỏi người học thấy khó nhất", "The questions my learners find hardest";
    staff_questions_none: "Chưa có câu hỏi nào khó với người học của bạn.", "No question is hard for your learners yet.";
    staff_col_course: "Khóa học", "Course";
    staff_col_quiz: "Bài kiểm tra", "Quiz";
    staff_col_question: "Câu hỏi", "Question";
    staff_col_right: "Tỷ lệ trả lời đúng", "Right answers";
    staff_col_answered: "Số lần trả lời", "Times answered";
    staff_import_title: "Nhập danh sách từ tệp CSV", "Import residents from CSV";
    staff_import_intro: "Các cột: village_code, household_code, name, birth_year, learner_group, phone, eid_status (và external_id nếu có). Tệp UTF-8, phân cách bằng dấu phẩy hoặc chấm phẩy.", "Columns: village_code, household_code, name, birth_year, learner_group, phone, eid_status (and external_id if any). A UTF-8 file, separated by commas or semicolons.";
    staff_import_file: "Tệp CSV", "CSV file";
    staff_import_all: "Tất cả hoặc không: nếu có dòng lỗi thì không nhập dòng nào", "All or nothing: if any line has a problem, import no line";
    staff_import_button: "Nhập", "Import";
    staff_import_report: "Kết quả nhập", "Import report";
    staff_import_caption: "Kết quả từng dòng", "Line by line";
    staff_import_summary: "Số dòng / mới / cập nhật / không đổi / bị từ chối", "Lines / created / updated / unchanged / rejected";
    staff_import_applied: "Đã nhập các dòng hợp lệ.", "The valid lines were imported.";
    staff_import_not_applied: "Không nhập dòng nào vì có dòng lỗi.", "Nothing was imported because some lines have problems.";
    staff_import_all_good: "Mọi dòng đều hợp lệ.", "Every line was fine.";
    staff_import_no_file: "Hãy chọn một tệp CSV.", "Choose a CSV file.";
    staff_col_line: "Dòng", "Line";
    staff_col_outcome: "Kết quả", "Outcome";
    staff_col_message: "Lý do", "Why";
    staff_outcome_rejected: "Bị từ chối", "Rejected";
    staff_outcome_waiting: "Chờ chủ tài khoản đồng ý", "Waiting for the owner's consent";
    staff_waiting_message: "Số điện thoại hoặc mã này thuộc một tài khoản đã có; chủ tài khoản cần xác nhận liên kết với thôn, đến lúc đó tài khoản không thay đổi.", "This phone number or key belongs to an existing account: its owner must confirm the link to the village, and until then the account does not change.";
    staff_column: "Cột", "Column";
    nav_officer: "Chỉ số", "Indicators";
    nav_author: "Soạn bài", "Authoring";
    // officer dashboard (web/officer/dashboard.rs)
    dash_title: "Chỉ số phổ cập kỹ năng số", "Digital skills indicators";
    dash_pick_title: "Chọn địa bàn", "Choose a locality";
    dash_pick_intro: "Chọn địa bàn để xem chỉ số.", "Choose a locality to see its indicators.";
    dash_pick_none: "Chưa có địa bàn nào.", "There are no localities yet.";
    dash_choose_legend: "Xem theo năm và chỉ tiêu", "Year and indicator";
    dash_year: "Năm", "Year";
    dash_focus: "Chỉ tiêu xem theo địa bàn và theo tháng", "Indicator by locality and by month";
    dash_show: "Xem", "Show";
    dash_counts: "Số liệu chung", "Counts";
    dash_registered: "Người học đã đăng ký", "Learners registered";
    dash_active: "Hoạt động trong 30 ngày qua", "Active in the last 30 days";
    dash_certificates: "Chứng nhận cấp trong năm", "Certificates issued this year";
    dash_teams: "Tổ công nghệ số", "Digital teams";
    dash_facilitators: "Thành viên tổ công nghệ số", "Team members";
    dash_indicators: "Các chỉ tiêu", "The indicators";
    dash_numerator: "Tử số (số đạt)", "Numerator (reached)";
    dash_denominator: "Mẫu số", "Denominator";
    dash_rate: "Tỷ lệ", "Rate";
    dash_target: "Mục tiêu", "Target";
    dash_gap: "Chênh lệch với mục tiêu (số âm: đã vượt)", "Gap to target (negative: passed)";
    dash_col_gap: "Chênh lệch", "Gap";
    attempt_number: "Lần", "Attempt";
    dash_how: "Cách tính", "How it is counted";
    dash_official: "Chỉ tiêu chính thức", "Official indicator";
    dash_proxy: "Số gần đúng: Học số đếm chứng nhận của mình, không phải xác nhận trên VNeID.", "An approximation: Học số counts its own certificates, not the confirmation on VNeID.";
    dash_source_census: "theo số liệu dân số đã nhập cho năm", "from the census figures entered for the year";
    dash_source_registered: "theo số đã đăng ký trên Học số, vì chưa nhập số liệu dân số", "from those registered on Học số, as no census figures were entered";
    dash_sum_short: "Đạt {actual}, mục tiêu {target}, còn thiếu {gap}.", "Reached {actual}, target {target}: {gap} short.";
    dash_sum_beyond: "Đạt {actual}, mục tiêu {target}, vượt {gap}.", "Reached {actual}, target {target}: {gap} beyond it.";
    dash_sum_met: "Đạt {actual}, đúng bằng mục tiêu {target}.", "Reached {actual}, exactly the target {target}.";
    dash_sum_no_target: "Đạt {actual}, chưa đặt mục tiêu.", "Reached {actual}, no target set.";
    dash_sum_no_rate: "Chưa tính được tỷ lệ: mẫu số bằng 0.", "No rate yet: the denominator is 0.";
    dash_points: "điểm", "points";
    dash_people: "người", "people";
    dash_households: "hộ", "households";
    dash_none: "chưa có", "none";
    dash_children: "Theo địa bàn trực thuộc", "By locality within";
    dash_children_caption: "Chỉ tiêu theo địa bàn trực thuộc (bấm tên cột để sắp xếp)", "The indicator by locality within (choose a column to sort)";
    dash_children_none: "Địa bàn này không có địa bàn trực thuộc.", "This locality has no localities within it.";
    dash_col_locality: "Địa bàn", "Locality";
    dash_col_registered: "Đăng ký", "Registered";
    dash_col_reached: "Số đạt", "Reached";
    dash_sorted_asc: "xếp tăng dần", "sorted ascending";
    dash_sorted_desc: "xếp giảm dần", "sorted descending";
    dash_timeline: "Theo tháng", "By month";
    dash_timeline_intro: "Số người (hoặc hộ) đạt chỉ tiêu vào cuối mỗi tháng.", "People (or households) counted at the end of each month.";
    dash_timeline_caption: "Số đạt vào cuối mỗi tháng", "Reached at the end of each month";
    dash_month: "Tháng", "Month";
    dash_csv: "Tải bảng chỉ tiêu (CSV)", "Download the indicator sheet (CSV)";
    // census, targets, localities, teams (web/officer/setup.rs)
    setup_officer_nav: "Việc của cán bộ xã, tỉnh", "Officer pages";
    setup_localities_title: "Địa bàn", "Localities";
    setup_no_localities: "Bạn chưa được giao quản lý địa bàn nào.", "You administer no locality yet.";
    setup_kind_province: "Tỉnh", "Province";
    setup_kind_commune: "Xã", "Commune";
    setup_kind_village: "Thôn", "Village";
    setup_kind_other: "Địa bàn", "Locality";
    setup_code_label: "Mã", "Code";
    setup_code_optional: "Mã (không bắt buộc)", "Code (optional)";
    setup_code_hint: "Mã chính thức của địa bàn, tối đa 40 ký tự. Để trống để bỏ mã.", "The locality's official code, up to 40 characters. Leave it empty to remove the code.";
    setup_name_label: "Tên", "Name";
    setup_children_title: "Địa bàn trực thuộc", "Localities within";
    setup_no_children: "Chưa có địa bàn trực thuộc.", "No locality within yet.";
    setup_add_child: "Thêm địa bàn trực thuộc", "Add a locality within";
    setup_add_button: "Thêm", "Add";
    setup_rename_title: "Đổi tên", "Rename";
    setup_rename_button: "Lưu tên mới", "Save the new name";
    setup_recode_title: "Đổi mã", "Change the code";
    setup_recode_button: "Lưu mã mới", "Save the new code";
    setup_created: "Đã thêm địa bàn.", "The locality was added.";
    setup_renamed: "Đã đổi tên.", "The name was changed.";
    setup_recoded: "Đã đổi mã.", "The code was changed.";
    setup_err_code_taken: "Mã này đã được dùng cho địa bàn khác.", "Another locality already has this code.";
    setup_err_range: "Hãy nhập một số từ 0 đến 200.000.000.", "Enter a number from 0 to 200,000,000.";
    setup_err_adults: "Nhóm tuổi này không thể lớn hơn dân số.", "This age group cannot be more than the population.";
    setup_err_no_user: "Không tìm thấy người dùng này. Hãy nhập tên đăng nhập, số điện thoại hoặc e-mail của họ.", "No such user. Enter their username, phone number or e-mail.";
    setup_err_whole: "Hãy nhập một số nguyên, ví dụ 12500, hoặc để trống.", "Enter a whole number, e.g. 12500, or leave it empty.";
    setup_err_number: "Hãy nhập một số, ví dụ 85 hoặc 85,5.", "Enter a number, e.g. 85 or 85.5.";
    setup_err_rate: "Tỷ lệ là một số từ 0 đến 100.", "A rate is a number from 0 to 100.";
    setup_err_count: "Số người là một số nguyên không âm.", "A head-count is a whole number, 0 or more.";
    setup_year_label: "Năm", "Year";
    setup_year_button: "Xem năm này", "Show this year";
    setup_save_button: "Lưu", "Save";
    setup_census_title: "Số liệu dân số", "Census figures";
    setup_census_intro: "Các tỷ lệ chính thức tính trên số liệu dân số. Ô để trống là chưa có số liệu: khi đó tỷ lệ tính trên số người đã đăng ký.", "Official rates are against the census figures. An empty box is unknown: the rate is then against the people registered.";
    setup_census_none: "Chưa có số liệu cho năm này.", "No figures for this year yet.";
    setup_census_saved: "Đã lưu số liệu dân số.", "The census figures were saved.";
    setup_population: "Dân số", "Population";
    setup_aged_14_plus: "Số người từ 14 tuổi trở lên", "People aged 14 and over";
    setup_adults: "Số người trưởng thành (từ 18 tuổi)", "Adults (18 and over)";
    setup_working_age: "Số người trong độ tuổi lao động", "Working-age people";
    setup_households: "Số hộ gia đình", "Households";
    setup_officials: "Số cán bộ, công chức, viên chức", "Officials and public employees";
    setup_enterprise_workers: "Số người lao động doanh nghiệp, hợp tác xã", "Workers of enterprises and cooperatives";
    setup_students: "Số học sinh, sinh viên", "Pupils and students";
    setup_targets_title: "Chỉ tiêu", "Targets";
    setup_targets_intro: "Chỉ tiêu của từng chỉ số trong năm: một tỷ lệ (%) hoặc một số người (hộ).", "Each indicator's target for the year: a rate (%) or a number of people (households).";
    setup_targets_hint: "Ô để trống giữ nguyên chỉ tiêu đang có.", "An empty box keeps the target as it is.";
    setup_targets_none: "Chưa nhập chỉ tiêu nào: hãy nhập ít nhất một giá trị.", "No target was entered: enter at least one value.";
    setup_targets_saved: "Đã lưu chỉ tiêu.", "The targets were saved.";
    setup_target_now: "Chỉ tiêu hiện tại", "Current target";
    setup_target_unset: "chưa đặt", "not set";
    setup_target_kind: "Loại chỉ tiêu", "Kind of target";
    setup_target_value: "Giá trị", "Value";
    setup_kind_rate: "Tỷ lệ (%)", "Rate (%)";
    setup_kind_count: "Số người (hộ)", "Head-count (households)";
    setup_proxy: "Ước tính", "Estimate";
    setup_people: "người (hộ)", "people (households)";
    setup_teams_title: "Tổ công nghệ số", "Digital teams";
    setup_teams_intro: "Thành viên của tổ là người hỗ trợ người dân trong thôn: họ xem và đăng ký người học của thôn.", "A team's members help the village's residents: they see and register its learners.";
    setup_no_teams: "Thôn chưa có tổ công nghệ số.", "The village has no digital team yet.";
    setup_no_members: "Tổ chưa có thành viên.", "The team has no member yet.";
    setup_member_label: "Thêm thành viên: tên đăng nhập, số điện thoại hoặc e-mail", "Add a member: username, phone number or e-mail";
    setup_add_member_button: "Thêm vào tổ", "Add to the team";
    setup_remove_button: "Bỏ khỏi tổ", "Remove from the team";
    setup_new_team_title: "Lập tổ mới", "New team";
    setup_team_name: "Tên tổ", "Team name";
    setup_new_team_button: "Lập tổ", "Create the team";
    setup_team_created: "Đã lập tổ.", "The team was created.";
    setup_member_added: "Đã thêm thành viên.", "The member was added.";
    setup_member_removed: "Đã bỏ thành viên khỏi tổ.", "The member was removed.";
    // instructors (web/author)
    author_title: "Khóa học tôi soạn", "The courses I author";
    author_intro: "Các khóa học bạn sở hữu hoặc cùng soạn. Chọn một khóa để sửa bài, kiểm tra và xuất bản.",
        "The courses you own or co-author. Choose one to edit its lessons, check it and publish it.";
    author_none: "Bạn chưa có khóa học nào để soạn.", "You have no course to author yet.";
    author_courses_caption: "Khóa học và bản nháp của chúng", "Courses and their drafts";
    author_col_course: "Khóa học", "Course";
    author_col_status: "Trạng thái", "Status";
    author_col_changed: "Sửa lần cuối", "Last change";
    author_col_version: "Phiên bản nháp", "Draft version";
    author_never_published: "Chưa xuất bản", "Not published yet";
    author_release: "Bản", "Release";
    author_changes: "Có thay đổi chưa xuất bản", "Changes not yet published";
    author_up_to_date: "Giống bản đã xuất bản", "Same as the published release";
    author_owner: "chủ khóa học", "owner";
    author_coauthor: "cùng soạn", "co-author";
    author_back: "Khóa học tôi soạn", "The courses I author";
    author_draft_heading: "Nội dung bản nháp", "The draft's content";
    author_module: "Phần", "Module";
    author_edit: "Sửa", "Edit";
    author_quiz: "Bài kiểm tra", "Quiz";
    author_check_heading: "Kiểm tra và xuất bản", "Check and publish";
    author_no_problems: "Bản nháp không có lỗi nào: có thể xuất bản.", "The draft has no problem: it can be published.";
    author_problems: "Cần sửa các lỗi sau trước khi xuất bản. Số lỗi:", "Fix these problems before publishing. Problems:";
    author_problems_caption: "Lỗi của bản nháp, theo vị trí", "Problems of the draft, by location";
    author_col_where: "Vị trí", "Location";
    author_nothing_new: "Bản nháp giống hệt bản đã xuất bản: chưa có gì mới để xuất bản.",
        "The draft equals the published release: there is nothing new to publish.";
    author_publish_hint: "Khi xuất bản, người học thấy ngay nội dung mới. Bài đã học của họ vẫn được giữ.",
        "Once published, learners see the new content at once. Their progress is kept.";
    author_publish_button: "Xuất bản", "Publish";
    author_published_flash: "Đã xuất bản. Người học đang thấy bản", "Published. Learners now see release";
    author_unchanged_flash: "Không có gì mới: người học vẫn thấy bản", "Nothing new: learners still see release";
    author_releases_heading: "Các bản đã xuất bản", "Releases";
    author_releases_caption: "Các bản đã xuất bản, mới nhất trước", "Releases, newest first";
    author_col_published: "Ngày xuất bản", "Published on";
    author_no_releases: "Khóa học chưa được xuất bản lần nào.", "The course has never been published.";
    author_view_learner: "Xem như người học", "View as a learner";
    author_lesson_title: "Sửa bài", "Edit lesson";
    author_body_label: "Nội dung bài (Markdown)", "Lesson text (Markdown)";
    author_body_hint: "Viết bằng Markdown: ## tiêu đề, **chữ đậm**, - danh sách, [liên kết](https://…). Bấm “Xem trước” để thấy bài như người học, rồi bấm “Lưu”.",
        "Written in Markdown: ## heading, **bold**, - list, [link](https://…). Press “Preview” to see the lesson as learners will, then “Save”.";
    author_preview_button: "Xem trước", "Preview";
    author_save_button: "Lưu", "Save";
    author_preview_heading: "Xem trước: người học sẽ thấy bài như sau", "Preview: learners will see the lesson like this";
    author_preview_note: "Bản xem trước chưa được lưu.", "The preview is not saved yet.";
    author_saved: "Đã lưu vào bản nháp. Phiên bản nháp:", "Saved to the draft. Draft version:";
    author_editing_version: "Đang sửa từ phiên bản nháp", "Editing from draft version";
    author_conflict_title: "Có người đã lưu bản nháp sau khi bạn mở trang này", "Someone saved the draft after you opened this page";
    author_conflict_text: "Bài của bạn CHƯA được lưu nhưng không bị mất: nó vẫn ở trong ô soạn bài bên dưới. Hãy so sánh với văn bản đang lưu, sửa nếu cần, rồi bấm “Lưu” lần nữa để thay bằng bài của bạn.",
        "Your text was NOT saved, but nothing is lost: it is still in the editing box below. Compare it with the saved text, change it if needed, then press “Save” again to replace the saved text with yours.";
    author_current_label: "Văn bản đang lưu trong bản nháp, phiên bản", "The text saved in the draft, version";
    author_not_published_note: "Bài này chưa có trong bản đã xuất bản.", "This lesson is not in the published release yet.";
    author_up: "Lên", "Up";
    author_down: "Xuống", "Down";
    author_moved_flash: "Đã đổi thứ tự. Phiên bản nháp:", "The order is changed. Draft version:";
    author_move_conflict: "Chưa đổi thứ tự: có người đã lưu bản nháp sau khi bạn mở trang này. Đây là thứ tự đang lưu; hãy bấm lại nếu vẫn muốn đổi.",
        "The order was not changed: someone saved the draft after you opened this page. This is the saved order; press again if you still want to move it.";
    author_move_stale: "Chưa đổi thứ tự: nội dung bản nháp đã thay đổi. Đây là thứ tự đang lưu; hãy bấm lại.",
        "The order was not changed: the draft's content has changed. This is the saved order; press again.";
    author_stats_link: "Thống kê", "Statistics";
    author_stats_title: "Thống kê bài kiểm tra", "Quiz statistics";
    author_back_course: "Về khóa học", "Back to the course";
    author_stats_attempts: "Số lượt nộp bài:", "Attempts submitted:";
    author_stats_pass_rate: "Tỉ lệ đạt:", "Pass rate:";
    author_stats_median: "Điểm ở giữa (trung vị):", "Median score:";
    author_stats_none: "chưa có", "none yet";
    author_stats_difficult: "Câu khó (dưới một nửa trả lời đúng), khó nhất trước:", "Difficult questions (fewer than half right), hardest first:";
    author_stats_no_difficult: "Không có câu nào dưới một nửa người học trả lời đúng.", "No question was answered right by fewer than half of the learners.";
    author_stats_questions: "Từng câu hỏi", "Question by question";
    author_stats_chart_title: "Tỉ lệ trả lời đúng của từng câu hỏi", "Share of right answers to each question";
    author_stats_chart_note: "Mỗi thanh là một câu hỏi: phần tô đậm là tỉ lệ trả lời đúng. Số liệu đầy đủ ở bảng bên dưới.",
        "Each bar is a question: the filled part is the share of right answers. The full figures are in the table below.";
    author_stats_empty: "Chưa có ai trả lời bài kiểm tra này.", "Nobody has answered this quiz yet.";
    author_stats_caption: "Từng câu hỏi: số câu trả lời và tỉ lệ đúng", "Each question: answers and share right";
    author_stats_col_question: "Câu hỏi", "Question";
    author_stats_col_answered: "Số câu trả lời", "Answers";
    author_stats_col_share: "Tỉ lệ đúng", "Share right";
    author_stats_col_wrong: "Đáp án sai hay chọn nhất", "Wrong answer chosen most";
    author_questions_title: "Câu hỏi của bài kiểm tra", "The quiz's questions";
    author_questions_intro: "Sửa lời hỏi và lời giải thích của từng câu rồi bấm “Lưu” của câu đó. Các đáp án giữ nguyên.",
        "Change a question's prompt and explanation, then press that question's “Save”. Its answers stay as they are.";
    author_prompt_label: "Lời hỏi", "Prompt";
    author_explanation_label: "Lời giải thích (hiện sau khi làm bài)", "Explanation (shown after the attempt)";
    author_question_saved: "Đã lưu câu hỏi vào bản nháp. Phiên bản nháp:", "The question is saved to the draft. Draft version:";
    author_question_conflict: "Chưa lưu: có người đã lưu bản nháp sau khi bạn mở trang này. Những gì bạn gõ vẫn ở đây; bấm “Lưu” lần nữa để thay.",
        "Not saved: someone saved the draft after you opened this page. What you typed is still here; press “Save” again to replace it.";
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

impl Texts {
    pub fn topic_name(&self, v: &str) -> &'static str {
        let en = std::ptr::eq(self, &EN);
        match (v, en) {
            ("basic_skills", false) => "Kỹ năng số cơ bản",
            ("basic_skills", true) => "Basic digital skills",
            ("online_safety", false) => "An toàn trên mạng",
            ("online_safety", true) => "Online safety",
            ("e_commerce", false) => "Thương mại điện tử",
            ("e_commerce", true) => "E-commerce",
            ("public_services", false) => "Dịch vụ công trực tuyến",
            ("public_services", true) => "Online public services",
            ("ai", false) => "Trí tuệ nhân tạo",
            ("ai", true) => "Artificial intelligence",
            ("officials_skills", false) => "Kỹ năng cho cán bộ",
            ("officials_skills", true) => "Skills for officials",
            _ => "",
        }
    }

    pub fn level_name(&self, v: &str) -> &'static str {
        let en = std::ptr::eq(self, &EN);
        match (v, en) {
            ("basic", false) => "Cơ bản",
            ("basic", true) => "Basic",
            ("intermediate", false) => "Trung bình",
            ("intermediate", true) => "Intermediate",
            ("advanced", false) => "Nâng cao",
            ("advanced", true) => "Advanced",
            _ => "",
        }
    }

    pub fn group_name(&self, v: &str) -> &'static str {
        let en = std::ptr::eq(self, &EN);
        match (v, en) {
            ("citizen", false) => "Người dân",
            ("citizen", true) => "Citizens",
            ("official", false) => "Cán bộ, công chức",
            ("official", true) => "Officials",
            ("enterprise_worker", false) => "Người lao động",
            ("enterprise_worker", true) => "Workers",
            ("student", false) => "Học sinh, sinh viên",
            ("student", true) => "Students",
            _ => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_value_has_a_name_in_both_languages() {
        for lang in [Lang::Vi, Lang::En] {
            let t = texts(lang);
            for v in crate::content::TOPICS {
                assert!(!t.topic_name(v).is_empty(), "topic {v}");
            }
            for v in crate::content::LEVELS {
                assert!(!t.level_name(v).is_empty(), "level {v}");
            }
            for v in crate::content::GROUPS {
                assert!(!t.group_name(v).is_empty(), "group {v}");
            }
        }
        assert_ne!(
            texts(Lang::Vi).topic_name("ai"),
            texts(Lang::En).topic_name("ai")
        );
    }
}
