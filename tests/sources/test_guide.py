"""The editors' guide (`/editors/`, content/pages/editors.yaml): every `make …` and `kynangso …`
command it names works, in a fresh copy of the project, as an editor would type it.

`make` targets are read with `make -n` (nothing is installed); for the editors' own targets the
`kynangso` line make would run is then run for real. `kynangso` commands run for real; a server
(`preview`) is started on a free port, asked for its home page and stopped; a build adds
`--no-teams`, as the team materials are tested elsewhere and take minutes.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "content" / "pages" / "editors.yaml"
# What a fresh clone holds that the commands read.
PROJECT_PARTS = (
    "lessons",
    "quizzes",
    "content",
    "mkdocs.yml",
    "Makefile",
    "pyproject.toml",
    "package.json",
)
EDITOR_TARGETS = ("new", "validate", "preview", "status")
INLINE = re.compile(r"`((?:make|kynangso) [^`]*)`")
CODE_LINE = re.compile(r"^ {4,}((?:make|kynangso) .*)$", re.MULTILINE)


def guide_commands() -> list[str]:
    """Every command the guide names, in both languages, once each."""
    body = yaml.safe_load(GUIDE.read_text(encoding="utf-8"))["body"]
    found: dict[str, None] = {}
    for text in (body["vi"], body["en"]):
        for command in INLINE.findall(text) + CODE_LINE.findall(text):
            found[command.strip()] = None
    return list(found)


COMMANDS = guide_commands()


def test_the_guide_names_the_editors_commands() -> None:
    assert {f"make {target}" for target in ("validate", "preview", "status")} <= set(COMMANDS)
    assert any(command.startswith("make new ID=") for command in COMMANDS)
    assert "kynangso validate --strict" in COMMANDS and "make validate STRICT=1" in COMMANDS


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A fresh copy of the project, as an editor's clone would hold it."""
    root = tmp_path / "clone"
    root.mkdir()
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        else:
            shutil.copy(source, root / part)
    (root / "requirements").mkdir()
    for lock in (REPO / "requirements").glob("*.txt"):
        shutil.copy(lock, root / "requirements" / lock.name)
    return root


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_in_the_guide_works(copy: Path, command: str) -> None:
    words = shlex.split(command)
    if words[0] == "make":
        _make(copy, words[1:])
    else:
        _kynangso(copy, words[1:])


def _make(root: Path, arguments: list[str]) -> None:
    port = _free_port()
    venv = Path(sys.executable).parent.parent
    dry = subprocess.run(
        ["make", "-n", *arguments, f"VENV={venv}", f"PREVIEW_PORT={port}"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert dry.returncode == 0, dry.stdout + dry.stderr
    if arguments[0] not in EDITOR_TARGETS:
        return
    [line] = [line for line in dry.stdout.splitlines() if "/kynangso " in line]
    words = shlex.split(line)
    assert Path(words[0]).name == "kynangso", line
    _kynangso(root, words[1:], port=port)


def _kynangso(root: Path, arguments: list[str], port: int | None = None) -> None:
    if arguments[0] == "build" and "--no-teams" not in arguments:
        arguments = [*arguments, "--no-teams"]
    if arguments[0] == "preview":
        if "--port" not in arguments:
            arguments = [*arguments, "--port", str(port or _free_port())]
        _preview(root, arguments)
        return
    done = subprocess.run(
        [*_program(), *arguments], cwd=root, capture_output=True, text=True, timeout=300, env=_env()
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _preview(root: Path, arguments: list[str]) -> None:
    port = int(arguments[arguments.index("--port") + 1])
    server = subprocess.Popen(
        [*_program(), *arguments],
        cwd=root,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                if response.status_code == 200 and "Kỹ năng số" in response.text:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the preview never answered"
            time.sleep(0.5)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _program() -> list[str]:
    return [sys.executable, "-c", "from kynangso.cli import main; main()"]


def _env() -> dict[str, str]:
    """The code under test first on the path, as in the rest of the suite."""
    generator = str(REPO / "generator")
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": f"{generator}{os.pathsep}{path}" if path else generator}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
