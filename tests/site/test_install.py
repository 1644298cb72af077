"""The split install: the core (requirements/core.txt) validates and builds the site alone.

A fresh core-only environment would take minutes to make, so the command runs in a
subprocess of this environment where every module that no core package provides fails to
import, as it would there.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORE_LOCK = REPO / "requirements" / "core.txt"

# Runs `kynangso` after putting a finder first on the import path that refuses every top-level
# module provided only by distributions outside the core lock (argv[1]: their names).
CORE_ONLY = """
import sys
from importlib.metadata import packages_distributions

core = set(sys.argv.pop(1).split(","))
norm = lambda name: name.lower().replace("_", "-").replace(".", "-")
outside = {
    module
    for module, dists in packages_distributions().items()
    if module != "kynangso" and not any(norm(dist) in core for dist in dists)
}

class CoreOnly:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in outside:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, CoreOnly())
from kynangso.cli import main
main()
"""


def _core_distributions() -> str:
    names = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", CORE_LOCK.read_text(), re.MULTILINE)
    assert "mkdocs" in names and "nbformat" not in names and "playwright" not in names
    return ",".join(sorted({name.lower().replace("_", "-").replace(".", "-") for name in names}))


def _core_only(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CORE_ONLY, _core_distributions(), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_core_install_validates_and_builds_the_site_without_team_materials(
    project: Path, tmp_path: Path
) -> None:
    checked = _core_only("validate", "--root", str(project))
    assert checked.returncode == 0, checked.stderr
    assert "ok: 1 lessons, 1 quizzes" in checked.stdout

    site = tmp_path / "site"
    result = _core_only("build", "--root", str(project), "--site", str(site))
    assert result.returncode == 0, result.stderr
    skipped = [line for line in result.stdout.splitlines() if "team materials" in line]
    assert skipped == [
        "team materials skipped (nbformat is not installed):"
        " install them with pip install -e '.[teams]'"
    ]
    assert "Traceback" not in result.stderr
    assert (site / "index.html").is_file() and (site / "en" / "index.html").is_file()
    assert (site / "lessons" / "sample-lesson" / "index.html").is_file()
    assert not (site / "teams" / "notebooks").exists()


def test_playwright_is_no_dependency_of_the_core() -> None:
    core = _core_distributions().split(",")
    for extra in ("playwright", "jupyter-book", "matplotlib", "fastapi", "uvicorn", "pytest"):
        assert extra not in core
