"""Interface words of the generated pages, in both languages."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {
    "vi": {
        "home": "Trang chủ",
        "topics": "Các chủ đề",
        "lessons": "Bài học",
        "minutes": "phút",
        "level.beginner": "Cơ bản",
        "level.intermediate": "Trung bình",
        "level.advanced": "Nâng cao",
        "objectives": "Học xong bài này, bạn sẽ",
        "steps": "Các bước",
        "step": "Bước",
        "tip": "Mẹo",
        "warning": "Cảnh báo",
        "quiz": "Câu đố",
        "quiz.intro": "Trả lời {count} câu hỏi. Đúng từ {pass_mark} câu trở lên là đạt.",
        "question": "Câu",
        "choose_one": "Chọn một đáp án.",
        "choose_many": "Chọn tất cả đáp án đúng.",
        "true_false": "Đúng hay sai?",
        "check": "Nộp bài",
        "answers": "Xem đáp án và giải thích",
        "correct": "Đúng",
        "wrong": "Sai",
        "sources": "Nguồn",
        "seen": "xem ngày",
        "reviewed": "Nội dung được kiểm tra lần cuối ngày {date}",
        "against": "đối chiếu với {version}",
        "topic": "Chủ đề",
        "no_lessons": "Chủ đề này đang được soạn bài.",
        "lesson_count": "{count} bài học",
        "glossary": "Từ điển thuật ngữ",
        "about": "Giới thiệu",
        "teams": "Dành cho tổ công nghệ số",
        "start": "Bắt đầu học",
        "progress": "Tiến độ của tôi",
        "progress.intro": "Kết quả các bài bạn đã làm trên điện thoại này. Kết quả chỉ lưu trong máy của bạn.",
        "progress.nojs": "Trang này cần JavaScript để đọc kết quả lưu trong điện thoại.",
        "passport": "Hộ chiếu kỹ năng số",
        "passport.intro": "Danh sách các bài bạn đã đạt, để in hoặc cho tổ công nghệ số xem.",
        "passport.unofficial": "Đây không phải chứng nhận chính thức. Chứng nhận chính thức do nền tảng quốc gia Bình dân học vụ số cấp.",
        "redirect": "Trang này đã chuyển tới",
        "join": "Tham gia lớp",
        "join.intro": "Khi học cùng tổ công nghệ số, nhập mã lớp (hoặc quét mã QR của lớp) và tên của bạn. Kết quả câu đố sẽ được gửi cho người hướng dẫn, kể cả khi bạn làm lúc mất mạng.",
        "join.nojs": "Trang này cần JavaScript.",
        "materials": "Tài liệu cho buổi học",
        "materials.all": "Tất cả tài liệu: giáo án, trình chiếu, tờ hướng dẫn in (PDF)",
        "materials.handbook": "Sổ tay hướng dẫn viên (tất cả giáo án)",
        "materials.posters": "Áp phích có mã QR cho điểm Wi-Fi (PDF)",
    },
    "en": {
        "home": "Home",
        "topics": "Topics",
        "lessons": "Lessons",
        "minutes": "min",
        "level.beginner": "Beginner",
        "level.intermediate": "Intermediate",
        "level.advanced": "Advanced",
        "objectives": "After this lesson you will",
        "steps": "Steps",
        "step": "Step",
        "tip": "Tip",
        "warning": "Warning",
        "quiz": "Quiz",
        "quiz.intro": "Answer {count} questions. {pass_mark} or more correct is a pass.",
        "question": "Question",
        "choose_one": "Choose one answer.",
        "choose_many": "Choose every right answer.",
        "true_false": "True or false?",
        "check": "Check my answers",
        "answers": "Show the answers and explanations",
        "correct": "Right",
        "wrong": "Wrong",
        "sources": "Sources",
        "seen": "seen",
        "reviewed": "Content last checked on {date}",
        "against": "against {version}",
        "topic": "Topic",
        "no_lessons": "Lessons for this topic are being written.",
        "lesson_count": "{count} lessons",
        "glossary": "Glossary",
        "about": "About",
        "teams": "For community teams",
        "start": "Start learning",
        "progress": "My progress",
        "progress.intro": "Results of the lessons you took on this phone. They are kept only on your phone.",
        "progress.nojs": "This page needs JavaScript to read the results kept on your phone.",
        "passport": "Digital skills passport",
        "passport.intro": "The lessons you passed, to print or to show your community team.",
        "passport.unofficial": "This is not an official certificate. The official certificate comes from the national Bình dân học vụ số platform.",
        "redirect": "This page has moved to",
        "join": "Join a class",
        "join.intro": "When you learn with a community team, enter the class code (or scan the class QR code) and your name. Your quiz results are sent to the facilitator, even when you take them offline.",
        "join.nojs": "This page needs JavaScript.",
        "materials": "Materials for a session",
        "materials.all": "All materials: lesson plans, slides, printable handouts (PDF)",
        "materials.handbook": "Facilitator's handbook (every lesson plan)",
        "materials.posters": "Posters with QR codes for the Wi-Fi points (PDF)",
    },
}


def format_date(value: object, lang: str) -> str:
    """25/11/2026 in Vietnamese, 25 November 2026 in English."""
    import datetime as dt

    assert isinstance(value, dt.date)
    if lang == "vi":
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    return value.strftime("%-d %B %Y")


# Pages whose address differs by language; the other language's address redirects to it so
# the language switch (which keeps the path) always lands on the right page.
LOCALIZED_PAGES: dict[str, dict[str, str]] = {
    "progress": {"vi": "tien-do", "en": "progress"},
    "passport": {"vi": "ho-chieu", "en": "passport"},
    "join": {"vi": "tham-gia-lop", "en": "join-class"},
}
