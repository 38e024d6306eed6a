//! The learner's pages: home, catalogue, course and lesson pages, certificates, quizzes and
//! the offline page.

macro_rules! learner_texts {
    ($next:ident $(, $rest:ident)* => $($list:tt)*) => {
        $next! { $($rest),* => $($list)*
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
        best_score: "Điểm cao nhất", "Best score";
        cooldown: "Bạn có thể làm lại sau", "You can try again after";
        no_attempts_left: "Bạn đã hết lượt làm bài này.", "You have no attempts left for this quiz.";
        answer_not_in_attempt: "Câu hỏi này không có trong lần làm bài này. Hãy mở lại bài làm.", "This question is not in this attempt. Open your attempt again.";
        answer_wrong_field: "Câu trả lời không đúng dạng của câu hỏi. Hãy trả lời lại.", "The answer does not fit the question. Please answer it again.";
        answer_unknown_option: "Có một lựa chọn không thuộc câu hỏi này. Hãy chọn lại.", "A choice is not one of this question's. Please choose again.";
        answer_chosen_twice: "Một lựa chọn được chọn hai lần. Hãy chọn lại.", "A choice is chosen twice. Please choose again.";
        answer_too_long: "Câu trả lời dài quá 500 ký tự. Hãy viết ngắn hơn.", "The answer is longer than 500 characters. Please make it shorter.";
        answer_order_incomplete: "Mỗi mục phải được xếp đúng một lần: có mục bị chọn hai lần hoặc bị thiếu. Hãy chọn lại.", "Each item must be placed exactly once: one is chosen twice or missing. Please choose again.";
        answer_matched_twice: "Một vế được ghép hai lần. Mỗi vế bên phải chỉ ghép với một vế bên trái: hãy chọn lại.", "A side is matched twice. Each right side goes with one left side only: please choose again.";
        answer_refused: "Câu trả lời chưa được lưu.", "The answers were not saved.";
        answer_look_again: "Hãy xem lại câu", "Please look again at question";
        attempt_time_over: "Đã hết giờ làm bài: bài làm đã được chấm, câu trả lời không sửa được nữa.", "The time for this attempt is over: it has been graded and answers can no longer change.";
        attempt_already_submitted: "Bài làm này đã được nộp: câu trả lời không sửa được nữa.", "This attempt is already submitted: answers can no longer change.";
        attempt_started_meanwhile: "Một lần làm bài khác vừa được bắt đầu cùng lúc. Hãy mở lại trang bài kiểm tra.", "Another attempt was started at the same time. Open the quiz page again.";
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
        }
    };
}
