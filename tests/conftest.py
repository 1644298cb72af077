"""Shared fixtures: sample project trees, a built site, a local server and a phone-sized browser."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres import INSTALL_HINT, Cluster, find_bin
from serving import serving as serve_app

from kynangso.build import build
from kynangso.classroom import database
from kynangso.classroom.static import SiteApp

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}


BROWSER_FIXTURES = {"page", "browser", "context"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that drives Chromium carries the `browser` mark, so `pytest -m "not browser"`
    is the quick run an editor can use."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


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


@contextlib.contextmanager
def serving(site: Path) -> Iterator[str]:
    """`site` served by the same static app class mode uses, in a thread, on a free port."""
    with serve_app(SiteApp(site)) as url:
        yield url


@pytest.fixture(scope="session")
def site_url(real_site: Path) -> Iterator[str]:
    """The real site served over HTTP on a free local port."""
    with serving(real_site) as url:
        yield url


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


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """A real PostgreSQL server of the tests' own, started once per run. Fails (never skips)
    when PostgreSQL is not installed: the store's contract holds on both databases."""
    bindir = find_bin()
    if bindir is None:
        pytest.fail(INSTALL_HINT)
    cluster = Cluster(bindir).start()
    yield cluster
    cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> Iterator[str]:
    """A fresh database on the test server, dropped after the test."""
    url = postgres_cluster.create_database()
    yield url
    database.close_readers(url)
    postgres_cluster.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> database.Target:
    """Where a class store lives, once per database: a SQLite file, a PostgreSQL URL."""
    if request.param == "sqlite":
        return tmp_path / "class.db"
    return str(request.getfixturevalue("postgres_url"))
