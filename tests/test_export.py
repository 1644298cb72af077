"""CSV export: opens in a spreadsheet with the right columns and no formula cells."""

from __future__ import annotations

import csv
import io

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
