"""Handouts for residents: two A4 sides at most, large type measured in the PDF, each step's
picture beside it, legal citations in a footnote line."""

from __future__ import annotations

import html
import io
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from kynangso.sources.validate import load_project
from kynangso.teams.citations import Citations
from kynangso.teams.plan import LessonPlan, lesson_plan
from kynangso.teams.printing import (
    MAX_HANDOUT_PAGES,
    handout_html,
    handout_job,
    page_count,
    print_all,
)

REPO = Path(__file__).resolve().parents[2]
SITE_URL = "http://10.0.0.1:8000/"
BODY_PT = 14.0
TIP_PT = 12.0
NEEDS_CHROMIUM = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian's chromium is not installed"
)


def words(text: str) -> str:
    return " ".join(re.sub(r"[*_`#|>\[\]()]", " ", text).split())


def text_runs(pdf: bytes) -> list[tuple[str, float]]:
    """Every run of text in the PDF with its size in points as printed (font size times the
    text and page matrices' vertical scale), so a layout shrunk when printing shows too."""
    runs: list[tuple[str, float]] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
            if text.strip():
                scale = (tm[2] ** 2 + tm[3] ** 2) ** 0.5 * (cm[2] ** 2 + cm[3] ** 2) ** 0.5
                runs.append((" ".join(text.split()), round(size * scale, 1)))

        page.extract_text(visitor_text=visit)
    return runs


def picture_words(media_dir: Path, plan: LessonPlan) -> str:
    """The words drawn inside the lesson's pictures (SVG text prints as PDF text too)."""
    found = []
    for step in plan.steps:
        if step.image:
            svg = (media_dir / step.image).read_text(encoding="utf-8")
            found += re.findall(r"<(?:text|tspan)\b[^>]*>([^<]+)<", svg)
    return words(html.unescape(" ".join(found)))


def type_problems(pdf: bytes, plan: LessonPlan, media_dir: Path) -> list[str]:
    """Text in the handout smaller than its minimum: the steps' text 14 pt, everything else
    (tips, warnings, headings, addresses) 12 pt; the pictures' own words and the footnote line
    of citations are exempt."""
    citations = Citations(plan.lang)
    bodies = words(" ".join(citations.move(step.body) for step in plan.steps))
    tips = words(" ".join(citations.move(step.tip or "") for step in plan.steps))
    citations.move(" ".join(plan.safety))
    footnote = words(citations.line())
    pictures = picture_words(media_dir, plan)
    problems = []
    for text, size in text_runs(pdf):
        plain = words(text)
        if not plain or plain in pictures or plain in footnote:
            continue
        if len(plain) >= 12 and plain in bodies and plain not in tips and size < BODY_PT:
            problems.append(f"step text at {size} pt: {plain[:40]}")
        elif size < TIP_PT:
            problems.append(f"text at {size} pt: {plain[:40]}")
    return problems


@pytest.fixture(scope="module")
def real_handouts() -> list[tuple[LessonPlan, bytes]]:
    """Every real lesson's handout in both languages, printed as the build prints them."""
    project = load_project(REPO)
    plans = [
        lesson_plan(lesson, project.quizzes[key], project.topics[lesson.topic], lang, SITE_URL)
        for key, lesson in project.lessons.items()
        for lang in ("vi", "en")
    ]
    pdfs = print_all(handout_job(plan, SITE_URL, project.media_dir) for plan in plans)
    return list(zip(plans, pdfs, strict=True))


@NEEDS_CHROMIUM
@pytest.mark.browser
@pytest.mark.timeout(600)
def test_every_real_handout_fits_two_sides_in_large_type(
    real_handouts: list[tuple[LessonPlan, bytes]],
) -> None:
    media_dir = load_project(REPO).media_dir
    problems = []
    for plan, pdf in real_handouts:
        name = f"{plan.lesson_id}.{plan.lang}.pdf"
        if page_count(pdf) > MAX_HANDOUT_PAGES:
            problems.append(f"{name}: {page_count(pdf)} pages")
        problems += [f"{name}: {p}" for p in type_problems(pdf, plan, media_dir)[:3]]
    assert problems == []


def test_citations_go_to_the_footnote_line() -> None:
    citations = Citations("vi")
    text = citations.move(
        "Theo **Thông tư 17/2024/TT-NHNN**, từ ngày 1/1/2025. **Thông tư 18/2024** cũng vậy "
        "(Nghị định 125/2025). Chữ ký số trong **Luật Giao dịch điện tử 2023**."
    )
    assert text == (
        "Theo quy định¹, từ ngày 1/1/2025. **Thông tư**² cũng vậy³. Chữ ký số trong **Luật**⁴."
    )
    assert citations.line() == (
        "¹ Thông tư 17/2024/TT-NHNN · ² Thông tư 18/2024 · ³ Nghị định 125/2025"
        " · ⁴ Luật Giao dịch điện tử 2023"
    )
    english = Citations("en")
    assert (
        english.move(
            "under Decree 117/2025 from July, by the **Law on Electronic Transactions 2023**"
        )
        == "by law¹ from July, by the **Law**²"
    )


def test_the_handout_shows_pictures_beside_their_steps_and_citations_below() -> None:
    project = load_project(REPO)
    lesson = project.lessons["household-tax-2026"]
    plan = lesson_plan(lesson, project.quizzes[lesson.id], project.topics[lesson.topic], "vi")
    page = handout_html(plan, None, project.media_dir)
    steps = page.split('<li class="step">')[1:]
    assert len(steps) == len(plan.steps)
    for step, text in zip(plan.steps, steps, strict=True):
        # the picture is in its step's item, before the title so the text flows beside it
        assert ('<figure><img src="data:image/svg+xml;base64,' in text) == bool(step.image)
    # what is printed (a picture's alt text is not)
    body = re.sub(r'alt="[^"]*"', "", page.split('<p class="citations">')[0])
    assert "117/2025" not in body and "Nghị định</strong>¹" in body
    assert "¹ Nghị định 117/2025/NĐ-CP" in page.split('<p class="citations">')[1]
