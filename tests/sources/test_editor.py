"""The editor's workflow: scaffold, JSON Schema, strict warnings, links, errors with context."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from kynangso.cli import main
from kynangso.errors import Problem, SourceError, with_context
from kynangso.sources.jsonschema import write_schemas
from kynangso.sources.links import external_links
from kynangso.sources.review import MIN_KINDS, MIN_QUESTIONS, warnings
from kynangso.sources.scaffold import ScaffoldError, new_lesson
from kynangso.sources.validate import load_project, topic_names

REPO = Path(__file__).resolve().parents[2]


def test_scaffold_writes_both_files_with_every_field(project: Path) -> None:
    lesson, quiz = new_lesson(project, "new-one", "vssid", today=dt.date(2026, 11, 25))
    assert lesson.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../content/schemas/lesson.schema.json"
    )
    data = yaml.safe_load(lesson.read_text(encoding="utf-8"))
    assert set(data) == {
        "id",
        "topic",
        "level",
        "order",
        "minutes",
        "title",
        "summary",
        "objectives",
        "steps",
        "sources",
        "reviewed",
        "facilitator",
    }
    assert set(data["steps"][0]) == {
        "title",
        "body",
        "image",
        "alt",
        "tip",
        "warning",
        "note",
        "minutes",
    }
    assert set(data["facilitator"]) == {"prepare", "bring", "problems", "discussion"}
    assert "# mã bài" in lesson.read_text(encoding="utf-8")  # comments in Vietnamese
    quiz_data = yaml.safe_load(quiz.read_text(encoding="utf-8"))
    assert quiz_data["id"] == "new-one"
    # the skeleton already has the shape `validate --strict` asks of a published quiz
    assert len(quiz_data["questions"]) >= MIN_QUESTIONS
    assert len({question["kind"] for question in quiz_data["questions"]}) >= MIN_KINDS


def test_scaffold_placeholders_are_to_fill_with_positions(project: Path) -> None:
    new_lesson(project, "new-one", "vssid")
    with pytest.raises(SourceError) as caught:
        load_project(project)
    problems = caught.value.problems
    assert all(p.message == "to fill: replace the TODO placeholder" for p in problems)
    first = problems[0]
    assert (first.file, first.line, first.column, first.field) == (
        "lessons/new-one.yaml",
        10,
        7,
        "title.vi",
    )
    assert any(p.file == "quizzes/new-one.yaml" for p in problems)


def test_scaffold_refuses_existing_and_bad_ids(project: Path) -> None:
    with pytest.raises(ScaffoldError, match="already exists"):
        new_lesson(project, "sample-lesson", "e-id")
    for bad in ("Bad_Id", "with space", "-dash", "đ-vn"):
        with pytest.raises(ScaffoldError, match="not a lesson id"):
            new_lesson(project, bad, "e-id")
    with pytest.raises(ScaffoldError, match="not a topic"):
        new_lesson(project, "fine-id", "banking")


def test_new_lesson_command(project: Path) -> None:
    result = CliRunner().invoke(
        main, ["new", "lesson", "my-lesson", "--topic", "safety", "--root", str(project)]
    )
    assert result.exit_code == 0, result.output
    assert "wrote lessons/my-lesson.yaml" in result.output
    again = CliRunner().invoke(
        main, ["new", "lesson", "my-lesson", "--topic", "safety", "--root", str(project)]
    )
    assert again.exit_code == 1 and "already exists" in again.output


def _as_json_types(value: object) -> object:
    if isinstance(value, dict):
        return {k: _as_json_types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json_types(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_real_lessons_validate_against_the_json_schema(tmp_path: Path) -> None:
    lesson_schema, quiz_schema = (json.loads(p.read_text()) for p in write_schemas(tmp_path))
    checker = jsonschema.Draft202012Validator
    for folder, schema in (("lessons", lesson_schema), ("quizzes", quiz_schema)):
        for path in (REPO / folder).glob("*.yaml"):
            checker(schema, format_checker=checker.FORMAT_CHECKER).validate(
                _as_json_types(yaml.safe_load(path.read_text(encoding="utf-8")))
            )
    assert "Tiêu đề" in json.dumps(lesson_schema, ensure_ascii=False) or "Tên bài" in json.dumps(
        lesson_schema, ensure_ascii=False
    )
    assert "Lesson title" in json.dumps(lesson_schema)


def test_committed_schemas_match_the_models(tmp_path: Path) -> None:
    for path in write_schemas(tmp_path, topic_names(REPO)):
        committed = REPO / "content" / "schemas" / path.name
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            "run 'kynangso schema'"
        )


def test_json_schema_rejects_a_bad_lesson(tmp_path: Path) -> None:
    lesson_schema, _ = (
        json.loads(p.read_text()) for p in write_schemas(tmp_path, topic_names(REPO))
    )
    bad = {"id": "x", "topic": "banking"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, lesson_schema)


def test_json_schema_and_validate_agree_on_scalars(project: Path) -> None:
    """A YAML editor reads `2024` as a number and `yes` as text (YAML 1.2); validate reads
    both as text. A number as a text is fine for both; `yes` as true is refused by both."""
    lesson_schema, quiz_schema = (
        json.loads(p.read_text()) for p in write_schemas(project, topic_names(project))
    )
    lesson = project / "lessons" / "sample-lesson.yaml"
    lesson.write_text(lesson.read_text().replace('en: "Sample lesson"', "en: 2024"))
    data = _as_json_types(yaml.safe_load(lesson.read_text(encoding="utf-8")))
    jsonschema.validate(data, lesson_schema)
    assert load_project(project).lessons["sample-lesson"].title.en == "2024"

    quiz = project / "quizzes" / "sample-lesson.yaml"
    quiz.write_text(quiz.read_text().replace("correct: true", "correct: yes", 1))
    data = yaml.load(quiz.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # all text
    data["pass_mark"] = 1
    for question in data["questions"]:
        for choice in question["choices"]:
            choice["correct"] = {"true": True, "false": False}.get(choice["correct"], "yes")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, quiz_schema)
    with pytest.raises(
        SourceError, match="correct: expected true or false but received text 'yes'"
    ):
        load_project(project)


def test_every_schema_description_is_in_both_languages(tmp_path: Path) -> None:
    """Vietnamese first, then English, joined by ' · ': models and fields alike."""

    def descriptions(node: object) -> list[str]:
        if isinstance(node, dict):
            own = [node["description"]] if isinstance(node.get("description"), str) else []
            return own + [text for value in node.values() for text in descriptions(value)]
        if isinstance(node, list):
            return [text for value in node for text in descriptions(value)]
        return []

    for path in write_schemas(tmp_path, topic_names(REPO)):
        found = descriptions(json.loads(path.read_text(encoding="utf-8")))
        assert len(found) > 10
        assert [text for text in found if " · " not in text] == [], path.name


def test_every_source_file_names_its_json_schema() -> None:
    for folder, name in (("lessons", "lesson"), ("quizzes", "quiz")):
        for path in (REPO / folder).glob("*.yaml"):
            first = path.read_text(encoding="utf-8").splitlines()[0]
            assert (
                first == f"# yaml-language-server: $schema=../content/schemas/{name}.schema.json"
            ), path.name
    settings = json.loads((REPO / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings["yaml.schemas"] == {
        "content/schemas/lesson.schema.json": "lessons/*.yaml",
        "content/schemas/quiz.schema.json": "quizzes/*.yaml",
    }


def test_strict_warnings(project: Path) -> None:
    lesson = project / "lessons" / "sample-lesson.yaml"
    text = lesson.read_text().replace("seen: 2026-11-25", "seen: 2024-01-02")
    text = text.replace('      en: "Open the app."', '      en: "Open."').replace(
        '      vi: "Mở ứng dụng."',
        '      vi: "Mở ứng dụng VNeID chính thức trên điện thoại của bạn rồi bấm nút Tiếp tục."',
    )
    lesson.write_text(text)
    found = [str(w) for w in warnings(load_project(project), today=dt.date(2027, 12, 1))]
    assert found == [
        "lessons/sample-lesson.yaml:20:11: steps[1].body.en: English is much shorter than Vietnamese (5 vs 74 characters): is part of it untranslated?",
        "lessons/sample-lesson.yaml:60:3: sources: 1 source: a published lesson has at least 2",
        "lessons/sample-lesson.yaml:62:11: sources[1].seen: source read 1429 days ago: check it still says the same",
        "lessons/sample-lesson.yaml:64:3: reviewed: missing app_version: name the app version the steps were checked against",
        "lessons/sample-lesson.yaml:64:9: reviewed.date: review is 371 days old: check the lesson against its sources and the app again",
        "quizzes/sample-lesson.yaml:3:1: questions: 2 questions: a published quiz has at least 6",
    ]


def test_validate_strict_command_fails_on_warnings(project: Path) -> None:
    plain = CliRunner().invoke(main, ["validate", "--root", str(project)])
    assert plain.exit_code == 0 and "3 warnings" in plain.output and "(warning)" in plain.output
    strict = CliRunner().invoke(main, ["validate", "--strict", "--root", str(project)])
    assert strict.exit_code == 1 and "missing app_version" in strict.output


def test_strict_requires_the_facilitator_fields(project: Path) -> None:
    lesson = project / "lessons" / "sample-lesson.yaml"
    text = lesson.read_text(encoding="utf-8")
    text = text[: text.index("facilitator:")] + text[text.index("sources:") :]
    text = text.replace("    minutes: 8\n", "")
    lesson.write_text(text, encoding="utf-8")
    found = [str(w) for w in warnings(load_project(project), today=dt.date(2026, 11, 25))]
    assert (
        "lessons/sample-lesson.yaml:1:1: facilitator: missing facilitator: write prepare, bring, problems and discussion for the lesson plan"
        in found
    )
    assert any(
        w.startswith("lessons/sample-lesson.yaml:25:5: steps[2].minutes: missing minutes")
        for w in found
    )
    strict = CliRunner().invoke(main, ["validate", "--strict", "--root", str(project)])
    assert strict.exit_code == 1 and "missing facilitator" in strict.output


def test_publishing_rules_are_strict_warnings(project: Path) -> None:
    quiz = project / "quizzes" / "sample-lesson.yaml"
    quiz.write_text(quiz.read_text(encoding="utf-8").replace("kind: true_false", "kind: single"))
    (project / "content" / "media" / "big.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg">' + "<!-- x -->" * 1600 + "</svg>"
    )
    (project / "content" / "media" / "photo.png").write_bytes(b"\x89PNG")
    lesson = project / "lessons" / "sample-lesson.yaml"
    lesson.write_text(lesson.read_text().replace("image: sample.svg", "image: photo.png"))
    found = [str(w) for w in warnings(load_project(project), today=dt.date(2026, 11, 25))]
    assert (
        "lessons/sample-lesson.yaml:31:12: steps[2].image: a step's picture is a schematic SVG "
        "drawing, never a photo or screenshot" in found
    )
    assert (
        "content/media/big.svg:1:1: SVG is 15.7 KB; the limit is 15 KB: simplify the drawing"
        in found
    )
    assert (
        "quizzes/sample-lesson.yaml:3:1: questions: every question is 'single': mix at least 2 "
        "kinds (single, multiple, true_false)" in found
    )
    strict = CliRunner().invoke(main, ["validate", "--strict", "--root", str(project)])
    assert strict.exit_code == 1 and "big.svg" in strict.output


def test_real_curriculum_passes_strict() -> None:
    assert warnings(load_project(REPO), today=dt.date(2026, 11, 25)) == []


def test_external_links_are_listed_not_fetched(project: Path) -> None:
    found = external_links(load_project(project).documents)
    assert [(link.file, link.line, link.url) for link in found] == [
        ("lessons/sample-lesson.yaml", 60, "https://example.org/source")
    ]
    result = CliRunner().invoke(main, ["links", "--root", str(project)])
    assert (
        result.exit_code == 0
        and "lessons/sample-lesson.yaml:60: sources[1].url: https://example.org/source"
        in result.output
    )


def test_internal_links_to_pages_and_media_are_accepted(project: Path) -> None:
    lesson = project / "lessons" / "sample-lesson.yaml"
    lesson.write_text(
        lesson.read_text()
        .replace(
            '"Mở ứng dụng."',
            '"Xem [từ điển](../../glossary/), [chủ đề](/topics/vssid/), [hình](../../media/sample.svg)."',
        )
        .replace(
            '"Open the app."',
            '"See [the glossary](../../glossary/), [topic](../../topics/vssid/), [itself](./#step-2), [picture](../../../media/sample.svg)."',
        )
    )
    load_project(project)


LINKS_IN_ENGLISH_TEXT = [
    ("../sample-lesson/", None),
    ("../sample-lesson/index.html", None),
    ("/en/lessons/sample-lesson/", None),
    ("/en/lessons/sample-lesson/index.html#step-2", None),
    ("/en/progress/", None),
    ("/media/sample.svg", None),
    (
        "/lessons/sample-lesson/",
        "link '/lessons/sample-lesson/' leads to the Vietnamese page: in English text write "
        "'/en/lessons/sample-lesson/' (or a relative address)",
    ),
    ("../../media/sample.svg", "link '../../media/sample.svg' leads to no page of the site"),
    ("/media/missing.svg", "link '/media/missing.svg' leads to no file in content/media/"),
    ("../no-such-lesson/", "link '../no-such-lesson/' leads to no page of the site"),
]


@pytest.mark.parametrize(("target", "message"), LINKS_IN_ENGLISH_TEXT)
def test_links_are_judged_in_the_language_of_the_text(
    project: Path, target: str, message: str | None
) -> None:
    lesson = project / "lessons" / "sample-lesson.yaml"
    lesson.write_text(lesson.read_text().replace('"Open the app."', f'"See [this]({target})."'))
    if message is None:
        load_project(project)
        return
    with pytest.raises(SourceError) as caught:
        load_project(project)
    assert [str(p) for p in caught.value.problems] == [
        f"lessons/sample-lesson.yaml:20:11: steps[1].body.en: {message}"
    ]


def test_english_address_in_vietnamese_text_is_refused(project: Path) -> None:
    lesson = project / "lessons" / "sample-lesson.yaml"
    lesson.write_text(
        lesson.read_text().replace('"Mở ứng dụng."', '"Xem [bài](/en/lessons/sample-lesson/)."')
    )
    with pytest.raises(SourceError, match="in Vietnamese text write '/lessons/sample-lesson/'"):
        load_project(project)


def test_errors_show_the_line_and_a_caret(project: Path) -> None:
    problem = Problem(
        "lessons/sample-lesson.yaml",
        4,
        10,
        "minutes",
        "expected a whole number but received text 'ten'",
    )
    (project / "lessons" / "sample-lesson.yaml").write_text(
        (project / "lessons" / "sample-lesson.yaml")
        .read_text()
        .replace("minutes: 10", "minutes: ten")
    )
    assert with_context([problem], project) == "\n".join(
        [
            "lessons/sample-lesson.yaml:4:10: minutes: expected a whole number but received text 'ten'",
            "     4 | minutes: ten",
            "       |          ^",
            "1 problem found",
        ]
    )
