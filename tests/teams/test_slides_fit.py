"""Slides fit the screens community teams have: at 1366×768, 1280×720 and 1024×768 nothing of
any slide of any real lesson lies outside the window (measured in Chromium, answers revealed
or not: a hidden answer already takes its place)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from kynangso.sources.validate import load_project
from kynangso.teams.notebooks import lesson_notebook
from kynangso.teams.plan import lesson_plan
from kynangso.teams.slides import SlideMaker

REPO = Path(__file__).resolve().parents[2]
SITE_URL = "http://10.0.0.1:8000/"
SIZES = [(1366, 768), (1280, 720), (1024, 768)]
# Steps through the deck with the arrow key as a facilitator does; on each slide, every element
# with a box must lie inside the window and above the bar at the bottom.
WALK = """() => {
  const slides = Array.from(document.querySelectorAll('.slides > section'));
  const bar = document.querySelector('.kns-bar').getBoundingClientRect().top;
  const press = key => document.dispatchEvent(new KeyboardEvent('keydown', {key}));
  const state = () => slides.findIndex(s => !s.hidden) + ':' +
    document.querySelectorAll('.fragment.visible').length;
  const cut = [], seen = new Set();
  let smallest = 1;
  press('Home');
  for (let guard = 0; guard < 1000; guard++) {
    const index = slides.findIndex(s => !s.hidden);
    if (!seen.has(index)) {
      seen.add(index);
      const slide = slides[index];
      smallest = Math.min(smallest, parseFloat(slide.style.fontSize || '1'));
      for (const el of [slide, ...slide.querySelectorAll('*')]) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > bar + 0.5) {
          cut.push(`slide ${index + 1}: <${el.tagName.toLowerCase()}> ${(el.textContent || '').trim().slice(0, 40)}`);
          break;
        }
      }
    }
    const before = state();
    press('ArrowRight');
    if (state() === before) break;
  }
  return {slides: slides.length, seen: seen.size, cut, smallest};
}"""


@pytest.fixture(scope="module")
def decks(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The deck of every real lesson in both languages, with the site's address (so the quiz
    slide carries its QR code)."""
    project = load_project(REPO)
    folder = tmp_path_factory.mktemp("decks")
    maker = SlideMaker()
    made = []
    for lang in ("vi", "en"):
        for lesson in project.lessons.values():
            plan = lesson_plan(
                lesson, project.quizzes[lesson.id], project.topics[lesson.topic], lang, SITE_URL
            )
            path = folder / f"{lesson.id}.{lang}.html"
            path.write_text(
                maker.deck(lesson_notebook(plan), path.stem, project.media_dir.parent),
                encoding="utf-8",
            )
            made.append(path)
    return made


@pytest.fixture(scope="module")
def chromium(browser: Browser) -> Browser:
    """The suite's Chromium (pytest-playwright's, launched as tests/conftest.py says): one
    Playwright per test process, whichever test file ran before."""
    return browser


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_slide_fits_the_screen(
    decks: list[Path], chromium: Browser, width: int, height: int
) -> None:
    page = chromium.new_page(viewport={"width": width, "height": height})
    cut, smallest = [], 1.0
    for deck in decks:
        page.goto(deck.as_uri())
        found = page.evaluate(WALK)
        assert found["seen"] == found["slides"], deck.name
        cut += [f"{deck.name} {where}" for where in found["cut"]]
        smallest = min(smallest, found["smallest"])
    page.close()
    assert cut == []
    # a slide is never shrunk to type too small to read from the back of the room
    assert smallest >= 0.75


def test_the_quiz_slide_carries_the_lessons_qr_code(decks: list[Path]) -> None:
    deck = next(d for d in decks if d.name == "vneid-activate.vi.html").read_text(encoding="utf-8")
    quiz = deck.split('class="kns-qr"', 1)
    assert len(quiz) == 2 and f'alt="QR: {SITE_URL}lessons/vneid-activate/"' in quiz[1][:200]
