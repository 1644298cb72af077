"""The YAML loader: strings stay strings, positions are kept, hostile files are refused."""

from __future__ import annotations

from pathlib import Path

from kynangso.sources.loading import MAX_FILE_BYTES, field_path, load_yaml


def _load(tmp_path: Path, text: str | bytes):
    path = tmp_path / "x.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return load_yaml(path, "x.yaml")


def test_norway_problem_values_stay_text(tmp_path: Path) -> None:
    doc, problems = _load(tmp_path, "country: no\nanswer: yes\nswitch: on\nnumber: 010\nempty:\n")
    assert problems == []
    assert doc is not None
    assert doc.data == {
        "country": "no",
        "answer": "yes",
        "switch": "on",
        "number": "010",
        "empty": None,
    }


def test_positions_of_values_and_keys_count_from_one(tmp_path: Path) -> None:
    doc, _ = _load(tmp_path, "title:\n  vi: a\n  en: b\nsteps:\n  - x: 1\n")
    assert doc is not None
    assert doc.value_marks[("title", "en")] == (3, 7)
    assert doc.key_marks[("steps",)] == (4, 1)
    assert doc.value_marks[("steps", 0, "x")] == (5, 8)
    # an unknown position falls back to its nearest parent
    assert doc.mark(("steps", 0, "missing")) == (5, 5)


def test_field_path_counts_list_items_from_one() -> None:
    assert field_path(("steps", 1, "title", "en")) == "steps[2].title.en"
    assert field_path(()) == ""


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    doc, problems = _load(tmp_path, "\ufeffa: b\n".encode("utf-8"))
    assert problems == [] and doc is not None and doc.data == {"a": "b"}


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    doc, problems = _load(tmp_path, "a: " + "x" * MAX_FILE_BYTES + "\n")
    assert doc is None
    assert [str(p) for p in problems] == ["x.yaml:1:1: file is 256 KB; the limit is 256 KB"]


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for name, prev in zip("bcdefghij", "abcdefghi"):
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    doc, problems = _load(tmp_path, "\n".join(lines) + "\n")
    assert doc is None
    assert "aliases (*name) are not allowed" in str(problems[0])


def test_key_that_is_not_text(tmp_path: Path) -> None:
    doc, problems = _load(tmp_path, "? [a, b]\n: c\n")
    assert doc is None
    assert [str(p) for p in problems] == ["x.yaml:1:3: a key must be plain text"]


def test_every_tab_is_reported(tmp_path: Path) -> None:
    _, problems = _load(tmp_path, "a:\n\tb: 1\n\tc: 2\n")
    assert [(p.line, p.column) for p in problems] == [(2, 1), (3, 1)]
