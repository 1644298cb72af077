"""The `kynangso` command line."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from classmode import free_port
from click.testing import CliRunner

from kynangso.cli import main


def test_validate_ok(project: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "--root", str(project)])
    assert result.exit_code == 0, result.output
    assert "ok: 1 lessons, 1 quizzes" in result.output


def test_validate_lists_problems_without_traceback(project: Path) -> None:
    lesson = project / "lessons" / "sample-lesson.yaml"
    lesson.write_text(lesson.read_text().replace('      en: "Second step"\n', ""))
    result = CliRunner().invoke(main, ["validate", "--root", str(project)])
    assert result.exit_code == 1
    assert (
        "lessons/sample-lesson.yaml:26:7: steps[2].title.en: missing English text" in result.output
    )
    assert "Traceback" not in result.output


def test_build_and_failed_build_message(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["build", "--no-teams", "--root", str(project), "--site", str(site)]
    )
    assert result.exit_code == 0, result.output
    assert (site / "index.html").is_file() and not (site / "teams" / "notebooks").exists()
    (project / "quizzes" / "sample-lesson.yaml").write_text("")
    result = CliRunner().invoke(
        main, ["build", "--no-teams", "--root", str(project), "--site", str(site)]
    )
    assert result.exit_code == 1
    assert "quizzes/sample-lesson.yaml:1:1: file is empty" in result.output
    assert "site/ was left as it was" in result.output


def test_serve_prints_url_and_serves_pages(real_site: Path, tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kynangso.cli",
            "serve",
            "--port",
            str(port),
            "--site",
            str(real_site),
            "--db",
            str(tmp_path / "class.db"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line
        for _ in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/en/") as response:
                    assert response.status == 200
                    assert '<html lang="en"' in response.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("server did not answer")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_class_create_export_and_backup(real_site: Path, tmp_path: Path) -> None:
    import csv
    import io
    import json

    from kynangso.classroom import store

    db = tmp_path / "class.db"
    runner = CliRunner()
    result = runner.invoke(
        main, ["class", "create", "Lớp Bản Hua", "--pin", "2468", "--db", str(db), "--json"]
    )
    assert result.exit_code == 0, result.output
    created = json.loads(result.output.strip().splitlines()[-1])
    assert created["name"] == "Lớp Bản Hua" and len(created["code"]) == 6
    assert (
        runner.invoke(main, ["class", "create", "X", "--pin", "12", "--db", str(db)]).exit_code == 2
    )

    connection = store.connect(db)
    learner = store.add_learner(connection, created["code"], "=1+2")
    store.add_completion(
        connection,
        store.Completion(
            id="c1",
            class_code=created["code"],
            learner_id=learner,
            lesson="vneid-activate",
            lang="vi",
            score=6,
            total=6,
            passed=True,
            answered_at="2026-11-25T10:00:00+00:00",
        ),
    )
    out = tmp_path / "out.csv"
    result = runner.invoke(
        main,
        ["export", "--db", str(db), "--format", "csv", "--site", str(real_site), "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["id"] == "c1" and rows[0]["learner_name"] == "'=1+2" and rows[0]["score"] == "6"
    assert rows[0]["lesson_title"] == "Kích hoạt tài khoản VNeID trên điện thoại"

    backup_file = tmp_path / "backup.db"
    result = runner.invoke(main, ["backup", "--db", str(db), "--out", str(backup_file)])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in store.completions(store.connect(backup_file))] == ["c1"]


def _created_code(output: str) -> str:
    import json

    return str(json.loads(output.strip().splitlines()[-1])["code"])


def test_class_create_asks_for_the_pin_twice_when_not_given(tmp_path: Path) -> None:
    from kynangso.classroom import pins, store

    db = tmp_path / "class.db"
    pin = "một câu dài 2468"
    result = CliRunner().invoke(
        main,
        ["class", "create", "Lớp A", "--db", str(db), "--json"],
        input=f"12\n12\n{pin}\nsomething else\n{pin}\n{pin}\n",
    )
    assert result.exit_code == 0, result.output
    assert pin not in result.output  # hidden input: never echoed
    assert "the PIN must be 4 to 64 characters" in result.output
    assert "do not match" in result.output
    assert pins.check_pin(store.connect(db), _created_code(result.output), pin)


def test_class_create_reads_the_pin_from_a_file(tmp_path: Path) -> None:
    from kynangso.classroom import pins, store

    db = tmp_path / "class.db"
    pin_file = tmp_path / "pin.txt"
    pin_file.write_text("x" * 64 + "\n", encoding="utf-8")
    runner = CliRunner()
    args = ["class", "create", "Lớp A", "--db", str(db), "--json", "--pin-file", str(pin_file)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert pins.check_pin(store.connect(db), _created_code(result.output), "x" * 64)
    pin_file.write_text("x" * 65, encoding="utf-8")
    result = runner.invoke(main, args)
    assert result.exit_code == 2 and "the PIN must be 4 to 64 characters" in result.output
    both = runner.invoke(main, [*args[:-2], "--pin", "2468", "--pin-file", str(pin_file)])
    assert both.exit_code == 2 and "either --pin or --pin-file" in both.output
    missing = runner.invoke(main, [*args[:-1], str(tmp_path / "nowhere.txt")])
    assert missing.exit_code == 2 and "nowhere.txt" in missing.output
