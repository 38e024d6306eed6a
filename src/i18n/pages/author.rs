//! The instructors' authoring pages (web/author).

macro_rules! author_texts {
    ($next:ident $(, $rest:ident)* => $($list:tt)*) => {
        $next! { $($rest),* => $($list)*
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
        }
    };
}
