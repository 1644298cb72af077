"""Recorded voices: what `validate` takes as a step's recording, by its bytes and its size."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from kynangso.sources.audio import FILE_LIMIT, audio_problem, kind_of_bytes, ogg_opus_seconds
from kynangso.sources.jsonschema import write_schemas

REPO = Path(__file__).resolve().parents[2]
BAD = Path(__file__).resolve().parents[1] / "bad" / "audio-files" / "content" / "media" / "audio"


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"OggS\x00\x02" + bytes(10), "ogg"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81" + bytes(8), "webm"),
        (b"ID3\x04\x00" + bytes(11), "mp3"),
        (b"\xff\xfb\x90\x64" + bytes(12), "mp3"),  # an MPEG frame with no tag before it
        (b"\x00\x00\x00\x20ftypM4A " + bytes(4), "m4a"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        (b"<svg xmlns='http", None),
    ],
)
def test_audio_is_told_by_its_first_bytes(head: bytes, kind: str | None) -> None:
    assert kind_of_bytes(head) == kind


def test_ogg_opus_length_is_read_from_the_last_page() -> None:
    seconds = ogg_opus_seconds((BAD / "fine.ogg").read_bytes())
    assert seconds is not None and abs(seconds - 1.0) < 0.05


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "long.webm"
    big.write_bytes(b"\x1a\x45\xdf\xa3" + bytes(FILE_LIMIT))
    problem = audio_problem(big, "content/media/audio/long.webm")
    assert problem is not None and "may be at most 1024 KB" in problem


def test_a_small_opus_file_is_a_recording() -> None:
    assert audio_problem(BAD / "fine.ogg", "content/media/audio/fine.ogg") is None


def test_the_editors_schema_marks_a_key_that_is_no_language_code(tmp_path: Path) -> None:
    lesson_schema = json.loads(write_schemas(tmp_path)[0].read_text())
    lesson = yaml.safe_load((REPO / "lessons" / "vneid-activate.yaml").read_text())
    checker = jsonschema.Draft202012Validator(lesson_schema)
    lesson["reviewed"]["date"] = str(lesson["reviewed"]["date"])
    for source in lesson["sources"]:
        source["seen"] = str(source["seen"])
    assert not list(checker.iter_errors(lesson))
    lesson["steps"][0]["audio"]["VI"] = "x.ogg"
    [error] = checker.iter_errors(lesson)  # under anyOf (a mapping, or nothing)
    assert "additionalProperties" in [inner.validator for inner in error.context or []]
