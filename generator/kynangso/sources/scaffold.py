"""`kynangso new lesson`: a lesson and its quiz with every field present, commented in
Vietnamese, and TODO placeholders that `validate` lists as "to fill" until they are written."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from kynangso.errors import SourceError
from kynangso.sources.schema import ID_PATTERN
from kynangso.sources.validate import topic_names

LESSON = """\
# yaml-language-server: $schema=../content/schemas/lesson.schema.json
# Bài học mới. Thay mọi chữ TODO bằng nội dung thật; "kynangso validate" chỉ ra chỗ còn thiếu.
# Mỗi nội dung viết cả hai thứ tiếng: vi (tiếng Việt) và en (tiếng Anh).
id: {id}                 # mã bài: trùng tên tệp, không đổi sau khi xuất bản
topic: {topic}           # chủ đề: {topics}
level: beginner          # mức độ: beginner (cơ bản), intermediate, advanced
order: 100               # thứ tự trong chủ đề (số nhỏ đứng trước)
minutes: 10              # thời gian học, tính bằng phút
title:                   # tên bài, ngắn gọn
  vi: "TODO: tên bài bằng tiếng Việt"
  en: "TODO: lesson title in English"
summary:                 # tóm tắt 1–2 câu
  vi: "TODO: tóm tắt"
  en: "TODO: summary"
objectives:              # học xong, người học làm được gì (mỗi ý một dòng "- ")
  - vi: "TODO: mục tiêu"
    en: "TODO: objective"
steps:                   # các bước; mỗi bước một khối "- title: ..."
  - title:
      vi: "TODO: tên bước"
      en: "TODO: step title"
    body:                # nội dung bước, viết Markdown (**đậm**, danh sách "- ")
      vi: |
        TODO: làm gì, bấm vào đâu, vì sao.
      en: |
        TODO: what to do, where to tap, why.
    image: TODO.svg      # hình sơ đồ trong content/media/ (xoá dòng này và "alt" nếu không có hình)
    alt:                 # mô tả hình cho người không nhìn thấy
      vi: "TODO: mô tả hình"
      en: "TODO: describe the picture"
    tip:                 # mẹo (xoá nếu không cần)
      vi: "TODO: mẹo"
      en: "TODO: tip"
    warning:             # cảnh báo an toàn (xoá nếu không cần)
      vi: "TODO: cảnh báo"
      en: "TODO: warning"
    note:                # ghi chú cho người hướng dẫn: ở bước này bà con hay vướng gì, gỡ thế nào
      vi: "TODO: ghi chú cho người hướng dẫn"
      en: "TODO: note for the facilitator"
    minutes: 10          # số phút trên lớp cho bước này, tính cho người lớn tuổi tự bấm trên máy
facilitator:             # cho người hướng dẫn (in trong giáo án; "validate --strict" bắt buộc)
  prepare:               # người hướng dẫn chuẩn bị gì trước buổi học
    - vi: "TODO: chuẩn bị gì"
      en: "TODO: what to ready"
  bring:                 # bà con mang theo gì (in trên tờ phát tay); không bao giờ xin số thật hay mã OTP
    - vi: "TODO: mang theo gì"
      en: "TODO: what to bring"
  problems:              # vướng mắc thường gặp, mỗi cái kèm cách gỡ
    - problem:
        vi: "TODO: điều hay vướng"
        en: "TODO: what goes wrong"
      fix:
        vi: "TODO: cách gỡ"
        en: "TODO: what to do"
  discussion:            # câu hỏi thảo luận gắn với tình huống của bài
    - vi: "TODO: câu hỏi thảo luận"
      en: "TODO: discussion question"
sources:                 # nguồn của mọi thông tin (ít nhất 2; bắt đầu từ content/facts.md)
  - url: "TODO: https://địa-chỉ-nguồn"
    title: "TODO: tên bài báo hoặc văn bản"
    seen: {today}        # ngày bạn đọc nguồn
reviewed:
  date: {today}          # ngày kiểm tra bài lần cuối
  app_version: "TODO: phiên bản ứng dụng đã đối chiếu, ví dụ VNeID 2.1.x (xoá nếu bài không nói về ứng dụng)"
"""

QUIZ = """\
# yaml-language-server: $schema=../content/schemas/quiz.schema.json
# Câu đố của bài "{id}". Cần ít nhất 6 câu, trộn các loại, có một câu tình huống
# ("kynangso validate --strict" kiểm tra điều này trước khi xuất bản).
# Không bao giờ hỏi hay ghi số định danh, mã OTP, tài khoản thật; tên trong ví dụ là tên giả.
id: {id}
pass_mark: 5             # số câu đúng tối thiểu để đạt
questions:
  - kind: single         # single: một đáp án đúng
    prompt:
      vi: "TODO: câu hỏi"
      en: "TODO: question"
    choices:             # mỗi lựa chọn: nội dung, đúng/sai (true/false), giải thích
      - text: {{vi: "TODO: lựa chọn đúng", en: "TODO: right choice"}}
        correct: true
        explanation: {{vi: "TODO: vì sao đúng", en: "TODO: why it is right"}}
      - text: {{vi: "TODO: lựa chọn sai", en: "TODO: wrong choice"}}
        correct: false
        explanation: {{vi: "TODO: vì sao sai", en: "TODO: why it is wrong"}}
  - kind: multiple       # multiple: một hoặc nhiều đáp án đúng
    prompt:
      vi: "TODO: câu hỏi (chọn tất cả ý đúng)"
      en: "TODO: question (choose all that apply)"
    choices:
      - text: {{vi: "TODO", en: "TODO"}}
        correct: true
        explanation: {{vi: "TODO", en: "TODO"}}
      - text: {{vi: "TODO", en: "TODO"}}
        correct: true
        explanation: {{vi: "TODO", en: "TODO"}}
      - text: {{vi: "TODO", en: "TODO"}}
        correct: false
        explanation: {{vi: "TODO", en: "TODO"}}
  - kind: true_false     # true_false: đúng 2 lựa chọn "Đúng"/"Sai", một lựa chọn đúng
    prompt:
      vi: "TODO: một câu khẳng định"
      en: "TODO: a statement"
    choices:
      - text: {{vi: "Đúng", en: "True"}}
        correct: true
        explanation: {{vi: "TODO", en: "TODO"}}
      - text: {{vi: "Sai", en: "False"}}
        correct: false
        explanation: {{vi: "TODO", en: "TODO"}}
  - kind: single         # câu tình huống: một người (tên giả) gặp chuyện, nên làm gì?
    prompt:
      vi: "TODO: tình huống — Chị Lò Thị B (tên giả) ... Chị nên làm gì?"
      en: "TODO: a situation — Lo Thi B (not a real person) ... What should she do?"
    choices:
      - text: {{vi: "TODO", en: "TODO"}}
        correct: true
        explanation: {{vi: "TODO", en: "TODO"}}
      - text: {{vi: "TODO", en: "TODO"}}
        correct: false
        explanation: {{vi: "TODO", en: "TODO"}}
  - kind: multiple
    prompt:
      vi: "TODO: câu hỏi (chọn tất cả ý đúng)"
      en: "TODO: question (choose all that apply)"
    choices:
      - text: {{vi: "TODO", en: "TODO"}}
        correct: true
        explanation: {{vi: "TODO", en: "TODO"}}
      - text: {{vi: "TODO", en: "TODO"}}
        correct: false
        explanation: {{vi: "TODO", en: "TODO"}}
  - kind: true_false
    prompt:
      vi: "TODO: một câu khẳng định"
      en: "TODO: a statement"
    choices:
      - text: {{vi: "Đúng", en: "True"}}
        correct: false
        explanation: {{vi: "TODO", en: "TODO"}}
      - text: {{vi: "Sai", en: "False"}}
        correct: true
        explanation: {{vi: "TODO", en: "TODO"}}
"""


class ScaffoldError(Exception):
    """The id or topic cannot be used for a new lesson."""


def new_lesson(root: Path, lesson_id: str, topic: str, today: dt.date | None = None) -> list[Path]:
    """Write lessons/<id>.yaml and quizzes/<id>.yaml; refuse a bad or existing id."""
    if not re.fullmatch(ID_PATTERN, lesson_id):
        raise ScaffoldError(
            f"'{lesson_id}' is not a lesson id: use lowercase letters, digits and hyphens, like 'vneid-activate'"
        )
    try:
        topics = topic_names(root)
    except SourceError as exc:
        raise ScaffoldError(f"content/topics.yaml cannot be read:\n{exc}") from exc
    if topic not in topics:
        raise ScaffoldError(
            f"'{topic}' is not a topic: use one of {', '.join(topics)} (content/topics.yaml)"
        )
    targets = [root / "lessons" / f"{lesson_id}.yaml", root / "quizzes" / f"{lesson_id}.yaml"]
    for target in targets:
        if target.exists():
            raise ScaffoldError(
                f"{target.relative_to(root).as_posix()} already exists: choose another id"
            )
    date = (today or dt.date.today()).isoformat()
    texts = [
        LESSON.format(id=lesson_id, topic=topic, topics=", ".join(topics), today=date),
        QUIZ.format(id=lesson_id),
    ]
    for target, text in zip(targets, texts):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return targets
