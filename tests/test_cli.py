"""The `kynangso` command line."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

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
    assert "lessons/sample-lesson.yaml:22:7: steps[2].title.en: missing English text" in result.output
    assert "Traceback" not in result.output


def test_build_and_failed_build_message(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--root", str(project), "--site", str(site)])
    assert result.exit_code == 0, result.output
    assert (site / "index.html").is_file()
    (project / "quizzes" / "sample-lesson.yaml").write_text("")
    result = CliRunner().invoke(main, ["build", "--root", str(project), "--site", str(site)])
    assert result.exit_code == 1
    assert "quizzes/sample-lesson.yaml:1:1: file is empty" in result.output
    assert "site/ was left as it was" in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_prints_url_and_serves_pages(real_site: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kynangso.cli", "serve", "--port", str(port), "--site", str(real_site)],
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
