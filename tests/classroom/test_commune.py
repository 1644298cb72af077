"""The commune's numbers (`classroom.commune`), in `kynangso report` and on `/coach/commune/`,
checked against a store built by hand: 3 classes, 5 learner entries of which 2 are one person,
completions over 2 months."""

from __future__ import annotations

import html
import re
from pathlib import Path

import httpx
import pytest
from classmode import Server
from click.testing import CliRunner

from kynangso.catalog import load_catalog, write_catalog
from kynangso.classroom import commune, database, roster, store
from kynangso.classroom.report import write_report
from kynangso.cli import main
from kynangso.site.render import site_catalog
from kynangso.sources.validate import load_project

LESSON = "sample-lesson"  # two questions, pass mark 1
NAMES = ["Lò Văn An", "Lò An (Chrome)", "Quàng Thị Bình", "Cầm Văn Cường", "Tòng Thị Dung"]

# (learner index, month, passed): An's two entries are one person; Dung only joined.
DONE = [
    (0, "2026-10", True),
    (1, "2026-11", False),
    (1, "2026-11", True),
    (2, "2026-11", False),
    (3, "2026-10", False),
    (3, "2026-11", True),
]
# (joined, residents who tried, residents who passed, attempts, passes)
TOTALS = (4, 3, 2, 6, 3)
PER_CLASS = {"A": (2, 2, 1, 4, 2), "B": (1, 1, 1, 2, 1), "C": (1, 0, 0, 0, 0)}
PER_MONTH = {"2026-10": (2, 1, 2, 1), "2026-11": (3, 2, 4, 2)}
PER_LESSON = (3, 2, 6, 3)


@pytest.fixture
def town(
    project: Path, tmp_path: Path, db_target: database.Target
) -> tuple[database.Target, Path, dict[str, str]]:
    """The hand-built store (SQLite, then PostgreSQL) and a site with the sample project's catalog.
    Returns (store, site, {"A"|"B"|"C": class code})."""
    site = tmp_path / "site"
    site.mkdir()
    write_catalog(site_catalog(load_project(project)), site)
    db = db_target
    connection = store.connect(db)
    codes = {key: store.create_class(connection, f"Lớp {key}", "2468") for key in "ABC"}
    homes = ["A", "A", "A", "B", "C"]
    ids = [store.add_learner(connection, codes[h], n) for h, n in zip(homes, NAMES)]
    for number, (who, month, passed) in enumerate(DONE):
        store.add_completion(
            connection,
            store.Completion(
                id=f"c{number}",
                class_code=codes[homes[who]],
                learner_id=ids[who],
                lesson=LESSON,
                lang="vi",
                score=int(passed),
                total=2,
                passed=passed,
                answered_at=f"{month}-15T03:00:00+00:00",
            ),
        )
    roster.merge_learners(connection, ids[0], ids[1])
    connection.close()
    return db, site, codes


def _numbers(f: commune.Figures, joined: bool) -> tuple[int, ...]:
    head = (f.joined or 0,) if joined else ()
    return (*head, f.residents, f.residents_passed, f.attempts, f.passes)


def test_commune_figures_count_persons_per_grouping(
    town: tuple[database.Target, Path, dict[str, str]],
) -> None:
    db, site, codes = town
    connection = store.reader(db)
    figures = commune.commune(connection, load_catalog(site))
    assert _numbers(figures.totals, True) == TOTALS
    tables = {grouping.name: rows for grouping, rows in figures.tables}
    assert list(tables) == ["class", "topic", "lesson", "month"]
    assert {f.key: _numbers(f, True) for f in tables["class"]} == {
        codes[k]: v for k, v in PER_CLASS.items()
    }
    assert {f.key: _numbers(f, False) for f in tables["month"]} == PER_MONTH
    assert [_numbers(f, False) for f in tables["lesson"]] == [PER_LESSON]
    assert [_numbers(f, False) for f in tables["topic"]] == [PER_LESSON]
    assert [f.label for f in tables["month"]] == ["10/2026", "11/2026"]


def _table_after(page: str, marker: str) -> list[list[str]]:
    """The body rows (cell texts) of the first table after `marker` in `page`."""
    part = page.split(marker, 1)[1]
    body = part.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_report_begins_with_the_commune_totals_and_tables(
    town: tuple[database.Target, Path, dict[str, str]], tmp_path: Path
) -> None:
    db, site, codes = town
    out = tmp_path / "report.html"
    write_report(db, out, None, site)
    page = out.read_text(encoding="utf-8")
    assert page.index('id="commune"') < page.index("Số liệu cho báo cáo của xã")
    totals = [int(row[1]) for row in _table_after(page, 'id="commune"')]
    assert tuple(totals) == TOTALS
    per_class = {
        row[0]: tuple(int(n) for n in row[1:]) for row in _table_after(page, 'id="commune-class"')
    }
    assert per_class == {f"Lớp {k} ({codes[k]})": v for k, v in PER_CLASS.items()}
    per_month = {
        row[0]: tuple(int(n) for n in row[1:]) for row in _table_after(page, 'id="commune-month"')
    }
    assert per_month == {"10/2026": PER_MONTH["2026-10"], "11/2026": PER_MONTH["2026-11"]}
    for grouping in ("topic", "lesson"):
        rows = _table_after(page, f'id="commune-{grouping}"')
        assert [tuple(int(n) for n in row[1:]) for row in rows] == [PER_LESSON]
    # The report's own figures count persons too: 4 joined, not 5 entries.
    assert "có 4 người tham gia" in page
    assert not any(name in page for name in NAMES)


def test_the_commune_view_needs_its_pin_and_shows_only_counts(
    town: tuple[database.Target, Path, dict[str, str]], tmp_path: Path
) -> None:
    db, site, codes = town
    server = Server(site, db).start()
    try:
        with httpx.Client(base_url=server.url, follow_redirects=False) as client:
            # No PIN set yet: the login page says how to set one, and no PIN opens the view.
            first = client.get("/coach/commune/")
            assert first.status_code == 200 and "kynangso commune pin" in first.text
            assert 'id="commune-totals"' not in first.text
            assert client.post("/coach/commune/login", data={"pin": "2468"}).status_code == 401
            pin_file = tmp_path / "pin.txt"
            pin_file.write_text("xã-9753\n", encoding="utf-8")
            result = CliRunner().invoke(
                main, ["commune", "pin", "--db", str(db), "--pin-file", str(pin_file)]
            )
            assert result.exit_code == 0, result.output
            # A class PIN is not the commune PIN, and a class session does not open the view.
            assert client.post("/coach/commune/login", data={"pin": "2468"}).status_code == 401
            coach = client.post("/coach/login", data={"code": codes["A"], "pin": "2468"})
            client.cookies.set("kns_coach", coach.cookies["kns_coach"])
            assert 'id="commune-totals"' not in client.get("/coach/commune/").text
            login = client.post("/coach/commune/login", data={"pin": "xã-9753"})
            assert login.status_code == 303
            cookie = login.headers["set-cookie"].lower()
            assert "httponly" in cookie and "samesite=strict" in cookie
            client.cookies.set("kns_commune", login.cookies["kns_commune"])
            page = client.get("/coach/commune/").text
    finally:
        server.stop()
    totals = re.findall(r"<strong>(\d+)</strong>", page.split('id="commune-totals"')[1])
    assert tuple(int(n) for n in totals) == TOTALS
    per_class = {
        row[0]: tuple(int(n) for n in row[1:]) for row in _table_after(page, 'id="table-class"')
    }
    assert per_class == {f"Lớp {k} ({codes[k]})": v for k, v in PER_CLASS.items()}
    month = _table_after(page, 'id="table-month"')
    assert [tuple(int(n) for n in row[1:]) for row in month] == [
        PER_MONTH["2026-10"],
        PER_MONTH["2026-11"],
    ]
    assert not any(name in page for name in NAMES)
