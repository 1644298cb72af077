"""`catalog.json`: written by the build and read by class mode through one model, with a clear
message naming the file when it is missing or not a catalog."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kynangso.catalog import CatalogError, load_catalog, write_catalog
from kynangso.classroom import store
from kynangso.cli import main
from kynangso.site.render import site_catalog
from kynangso.sources.validate import load_project

BROKEN = {
    "not JSON": '{"topics": {',
    "not a catalog": '{"topics": {}, "lessons": {"x": {"topic": "e-id"}}}',
    "not UTF-8": b"\xff\xfe{}",
}


def _broken_site(tmp_path: Path, content: str | bytes) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    data = content.encode() if isinstance(content, str) else content
    (site / "catalog.json").write_bytes(data)
    return site


def test_what_the_build_writes_class_mode_reads(project: Path, tmp_path: Path) -> None:
    written = site_catalog(load_project(project))
    write_catalog(written, tmp_path)
    read = load_catalog(tmp_path)
    assert read == written
    lesson = read.lessons["sample-lesson"]
    assert (lesson.topic, lesson.pass_mark, len(lesson.questions)) == ("e-id", 1, 2)
    assert read.lesson_title("sample-lesson") == "Bài mẫu"
    assert read.lesson_title("gone") == "gone" and read.topic_title("gone") == "gone"


def test_a_missing_catalog_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"site/catalog.json is missing: build the site"):
        load_catalog(tmp_path / "site")


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_catalog_names_the_file(tmp_path: Path, case: str) -> None:
    site = _broken_site(tmp_path, BROKEN[case])
    with pytest.raises(CatalogError) as caught:
        load_catalog(site)
    assert caught.value.path == (site / "catalog.json").resolve()
    assert str(site / "catalog.json") in str(caught.value)


def test_a_broken_catalog_names_the_field(tmp_path: Path) -> None:
    site = _broken_site(tmp_path, BROKEN["not a catalog"])
    with pytest.raises(CatalogError, match=r"lessons\.x\.title: Field required"):
        load_catalog(site)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_serve_and_export_refuse_a_broken_catalog_without_a_traceback(
    tmp_path: Path, case: str
) -> None:
    site = _broken_site(tmp_path, BROKEN[case])
    db = tmp_path / "class.db"
    store.create_class(store.connect(db), "Lớp A", "2468")
    runner = CliRunner()
    for command, said in (
        (["serve", "--site", str(site), "--db", str(db)], "cannot serve: "),
        (["export", "--site", str(site), "--db", str(db)], "cannot export: "),
    ):
        result = runner.invoke(main, command)
        assert (
            result.exit_code == 1
            and result.exception is None
            or isinstance(result.exception, SystemExit)
        ), result.output
        assert said in result.output and str(site / "catalog.json") in result.output, (
            command,
            result.output,
        )
