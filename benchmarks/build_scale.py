"""How validate and build scale with the number of lessons.

Generates N synthetic bilingual lessons (with quizzes) in a temporary project that uses the
real content/ and mkdocs.yml, then times, in the same run:
  - validate (load + check every file),
  - our full build (validate, render, mkdocs, post-process, swap),
  - a plain `mkdocs build` of the very Markdown our build rendered (the anchor).
Budgets: validate 200 lessons <= 1 s; build <= 1.3 x plain mkdocs.

    python benchmarks/build_scale.py [--lessons 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from kynangso.build import build, run_mkdocs
from kynangso.sources.validate import load_project, topic_names

REPO = Path(__file__).resolve().parent.parent

LESSON = """id: {id}
topic: {topic}
level: beginner
order: {n}
minutes: 10
title:
  vi: "Bài học thử số {n}: thanh toán và định danh"
  en: "Synthetic lesson {n}: payment and identity"
summary:
  vi: "Bài học tạo tự động số {n} để đo tốc độ."
  en: "Generated lesson {n} for measuring speed."
objectives:
  - vi: "Làm theo các bước"
    en: "Follow the steps"
steps:
{steps}sources:
  - url: "https://example.org/{id}"
    title: "Nguồn {n}"
    seen: 2026-11-25
reviewed:
  date: 2026-11-25
"""
STEP = """  - title:
      vi: "Bước {s} của bài {n}"
      en: "Step {s} of lesson {n}"
    body:
      vi: |
        Mở ứng dụng, bấm **Tiếp tục** rồi kiểm tra tên người nhận. Không đưa mã OTP cho ai.
        Đây là đoạn văn thứ {s} với đủ chữ để giống một bài học thật trên điện thoại.
      en: |
        Open the app, tap **Continue** and check the recipient's name. Never share an OTP.
        This is paragraph {s}, long enough to look like a real lesson on a phone.
    tip:
      vi: "Cứ từ từ, không ai được giục bạn."
      en: "Take your time; nobody should rush you."
"""
QUIZ = """id: {id}
pass_mark: 4
questions:
{questions}"""
QUESTION = """  - kind: single
    prompt: {{vi: "Câu hỏi {q} của bài {n}?", en: "Question {q} of lesson {n}?"}}
    choices:
      - text: {{vi: "Đúng là thế này", en: "This is right"}}
        correct: true
        explanation: {{vi: "Đúng, vì đã kiểm tra.", en: "Right, because it was checked."}}
      - text: {{vi: "Không phải thế", en: "Not this"}}
        correct: false
        explanation: {{vi: "Sai, hãy đọc lại bước {q}.", en: "Wrong, read step {q} again."}}
"""


def make_project(root: Path, count: int) -> None:
    """A project with the real content/ and mkdocs.yml and `count` synthetic lessons."""
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "lessons").mkdir()
    (root / "quizzes").mkdir()
    topics = topic_names(root)  # content/topics.yaml is the one list of topics
    for n in range(1, count + 1):
        lesson_id = f"synthetic-{n:04d}"
        steps = "".join(STEP.format(s=s, n=n) for s in range(1, 6))
        topic = topics[n % len(topics)]
        (root / "lessons" / f"{lesson_id}.yaml").write_text(
            LESSON.format(id=lesson_id, n=n, topic=topic, steps=steps), encoding="utf-8"
        )
        questions = "".join(QUESTION.format(q=q, n=n) for q in range(1, 7))
        (root / "quizzes" / f"{lesson_id}.yaml").write_text(
            QUIZ.format(id=lesson_id, questions=questions), encoding="utf-8"
        )


def timed(action) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def plain_mkdocs(root: Path, out: Path) -> None:
    """mkdocs alone on the Markdown and config our build wrote, run the way the build runs it."""
    run_mkdocs(root / "build" / "mkdocs.yml", out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--lessons", type=int, default=200, help="synthetic lessons (each in vi and en)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each measurement; the median is shown"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        root.mkdir()
        make_project(root, args.lessons)
        validate = [timed(lambda: load_project(root)) for _ in range(args.repeat)]
        ours, plain = [], []
        for i in range(args.repeat):
            ours.append(timed(lambda: build(root, root / "site")))
            plain.append(timed(lambda i=i: plain_mkdocs(root, Path(tmp) / f"plain-{i}")))
        pages = sum(1 for _ in (root / "site").rglob("*.html"))

    v, o, p = (statistics.median(x) for x in (validate, ours, plain))
    print(
        f"lessons: {args.lessons} (x2 languages), HTML pages built: {pages}, runs: {args.repeat} (median)"
    )
    print(
        f"validate:            {v:7.3f} s   budget 1.0 s for 200 lessons   {'OK' if v <= 1.0 * args.lessons / 200 else 'OVER'}"
    )
    print(f"kynangso build:      {o:7.3f} s")
    print(f"plain mkdocs build:  {p:7.3f} s")
    print(
        f"ratio build/mkdocs:  {o / p:7.2f}     budget 1.30                    {'OK' if o / p <= 1.3 else 'OVER'}"
    )


if __name__ == "__main__":
    main()
