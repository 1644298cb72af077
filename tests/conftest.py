"""Shared fixtures: sample project trees, a built site, a local server and a phone-sized browser."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kynangso.build import build
from kynangso.serve import make_server

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small, valid project (one lesson and its quiz) in a temporary folder, with our mkdocs.yml."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "good", root)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built once from the project's real lessons, quizzes and content."""
    site = tmp_path_factory.mktemp("real") / "site"
    build(REPO, site)
    return site


@pytest.fixture(scope="session")
def site_url(real_site: Path) -> Iterator[str]:
    """The real site served over HTTP on a free local port."""
    server = make_server(real_site, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium, headless, with no calls home."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """A cheap Android phone's screen."""
    return {**browser_context_args, "viewport": PHONE, "locale": "vi-VN"}
