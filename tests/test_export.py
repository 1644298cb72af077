"""CSV export: opens in a spreadsheet with the right columns and no formula cells."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from kynangso import store
from kynangso.cli import main
from kynangso.export import COLUMNS, completions_csv, safe_cell

ROW = {
    "id": "c1",
    "class_code": "ABC234",
    "class_name": '=HYPERLINK("http://x")',
    "learner_id": "L1",
    "learner_name": "+84 912",
    "lesson": "vneid-activate",
    "lang": "vi",
    "score": 5,
    "total": 6,
    "passed": 1,
    "answered_at": "2026-11-25T10:00:00+00:00",
    "received_at": "2026-11-25T10:00:01+00:00",
}


def test_formula_cells_are_neutralised() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(start + "1+1") == "'" + start + "1+1"
    assert safe_cell("Lò Văn A") == "Lò Văn A"
    assert safe_cell(5) == 5 and safe_cell(True) == 1 and safe_cell(None) == ""


def test_csv_has_bom_columns_and_numbers() -> None:
    catalog = {
        "lessons": {
            "vneid-activate": {"topic": "e-id", "title": {"vi": "Kích hoạt VNeID", "en": "x"}}
        }
    }
    text = completions_csv([ROW], catalog)
    assert text.startswith("\ufeffid,class_code,")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert tuple(rows[0]) == COLUMNS
    record = dict(zip(rows[0], rows[1]))
    assert record["class_name"].startswith("'=") and record["learner_name"] == "'+84 912"
    assert record["lesson_title"] == "Kích hoạt VNeID" and record["topic"] == "e-id"
    assert (record["score"], record["total"], record["percent"], record["passed"]) == (
        "5",
        "6",
        "83",
        "1",
    )
    assert '"5"' not in text  # numbers are not quoted as text


def test_only_human_written_text_is_neutralised() -> None:
    row = {**ROW, "learner_id": "-Fq3x9", "id": "-a1", "learner_name": "-Lò", "day": "2026-11-25"}
    text = completions_csv([row], {"lessons": {}})
    record = dict(zip(COLUMNS, list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1]))
    assert record["learner_id"] == "-Fq3x9" and record["id"] == "-a1"  # keys stay keys
    assert record["learner_name"] == "'-Lò" and record["class_name"].startswith("'=")
    assert record["day"] == "2026-11-25"


def test_export_without_a_catalog_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "class.db"
    store.create_class(store.connect(db), "Lớp A", "2468")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # outside the project folder: no site/ here
    result = CliRunner().invoke(main, ["export", "--db", str(db)])
    assert result.exit_code == 1
    assert "no lesson catalog at" in result.output and "catalog.json" in result.output
    assert "--site PATH" in result.output and "kynangso build" in result.output
