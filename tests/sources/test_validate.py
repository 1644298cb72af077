"""Validation: each bad input in tests/bad/<case>/ gives exactly the messages in its expected.txt.

A case folder holds files laid over the small valid project in tests/fixtures/good, so each
case shows only what is wrong with it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kynangso.errors import SourceError
from kynangso.sources.validate import load_project

BAD = Path(__file__).resolve().parents[1] / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())


def _problems(root: Path) -> str:
    with pytest.raises(SourceError) as caught:
        load_project(root)
    return str(caught.value) + "\n"


@pytest.mark.parametrize("case", CASES)
def test_bad_input_gives_expected_messages(project: Path, case: str) -> None:
    shutil.copytree(
        BAD / case, project, dirs_exist_ok=True, ignore=shutil.ignore_patterns("expected.txt")
    )
    expected = (BAD / case / "expected.txt").read_text(encoding="utf-8")
    assert _problems(project) == expected


def test_every_case_has_expected_messages() -> None:
    assert len(CASES) >= 19
    for case in CASES:
        assert (BAD / case / "expected.txt").is_file(), case


def test_good_project_loads(project: Path) -> None:
    loaded = load_project(project)
    assert list(loaded.lessons) == ["sample-lesson"]
    assert loaded.quizzes["sample-lesson"].questions[1].choices[0].correct is True
    assert loaded.lessons["sample-lesson"].steps[1].image == "sample.svg"


def test_image_outside_media_folder_is_refused(project: Path) -> None:
    lesson = project / "lessons" / "sample-lesson.yaml"
    lesson.write_text(lesson.read_text().replace("image: sample.svg", "image: ../../mkdocs.yml"))
    message = _problems(project)
    assert "steps[2].image: '../../mkdocs.yml' must be a file inside content/media/" in message


def test_file_with_wrong_extension_is_reported(project: Path) -> None:
    (project / "lessons" / "notes.yml").write_text("a: b\n")
    assert "lessons/notes.yml:1:1: not a source file" in _problems(project)


def test_topics_yaml_is_the_list_of_topics(project: Path) -> None:
    """A topic is an entry of content/topics.yaml: one added there is usable at once, and a
    lesson whose topic is not there is refused with the list from that file."""
    topics = project / "content" / "topics.yaml"
    topics.write_text(
        topics.read_text()
        + '  farming:\n    title: {vi: "Nông nghiệp", en: "Farming"}\n'
        + '    summary: {vi: "Bán nông sản.", en: "Selling produce."}\n'
    )
    lesson = project / "lessons" / "sample-lesson.yaml"
    lesson.write_text(lesson.read_text().replace("topic: e-id", "topic: farming"))
    assert list(load_project(project).topics)[-1] == "farming"

    topics.write_text(topics.read_text().split("  farming:")[0])
    assert _problems(project) == (
        "lessons/sample-lesson.yaml:2:8: topic: expected one of 'e-id', 'vssid', 'cashless', "
        "'selling', 'public-services', 'digital-signature' or 'safety' but received text "
        "'farming'\n1 problem found\n"
    )


def test_ten_problems_give_ten_messages(project: Path) -> None:
    quiz = project / "quizzes" / "sample-lesson.yaml"
    text = quiz.read_text()
    for _ in range(5):
        text += (
            '  - kind: single\n    prompt: {vi: ""}\n    choices:\n'
            "      - text: {vi: a, en: a}\n        correct: false\n        explanation: {vi: a, en: a}\n"
        )
    quiz.write_text(text)
    message = _problems(project)
    lines = message.strip().splitlines()
    assert lines[-1] == "15 problems found"
    assert sum("prompt.vi: empty Vietnamese text" in line for line in lines) == 5
    assert sum("prompt.en: missing English text" in line for line in lines) == 5
    assert sum("choices: needs at least 2 items" in line for line in lines) == 5
