"""Lighthouse (mobile) on the home page, a lesson and the progress page of the built site.

Builds the real project into a temporary folder, serves it with the project's own static server
(kynangso.classroom.static.SiteApp under uvicorn, as class mode serves phones) and runs Lighthouse 12.2.3
with Node 20 and Debian's Chromium (CHROME_PATH=/usr/bin/chromium, --headless=new --no-sandbox
--disable-background-networking), with Lighthouse's default mobile emulation and simulated
throttling. Prints the four category scores per page and the audits that cost points.

Lighthouse is a benchmark tool, not a test dependency: it is installed on first use with npm
into ~/.cache/kynangso-tools/lighthouse-12.2.3 (or give --lighthouse PATH to a lighthouse CLI).

    python benchmarks/lighthouse.py [--site site/] [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from contextlib import AbstractContextManager
from pathlib import Path

from kynangso.build import build

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from serving import serving  # noqa: E402

from kynangso.classroom.static import SiteApp

REPO = Path(__file__).resolve().parent.parent
VERSION = "12.2.3"
TOOLS = Path.home() / ".cache" / "kynangso-tools" / f"lighthouse-{VERSION}"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-background-networking"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PAGES = {"home": "/", "lesson": "/lessons/vneid-activate/", "progress": "/tien-do/"}


def lighthouse_cli(given: str | None) -> Path:
    """The lighthouse command: given, or installed once with npm into TOOLS."""
    if given:
        return Path(given)
    cli = TOOLS / "node_modules" / ".bin" / "lighthouse"
    if not cli.exists():
        TOOLS.mkdir(parents=True, exist_ok=True)
        (TOOLS / "package.json").write_text('{"private": true}\n', encoding="utf-8")
        print(f"installing lighthouse@{VERSION} into {TOOLS} …", file=sys.stderr)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent", f"lighthouse@{VERSION}"],
            cwd=TOOLS,
            check=True,
        )
    return cli


def node_major() -> int:
    out = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout
    return int(out.strip().lstrip("v").split(".")[0])


def serve(site: Path) -> AbstractContextManager[str]:
    """The built site behind the project's own static server."""
    return serving(SiteApp(site))


def run(cli: Path, url: str, out_dir: Path) -> dict:  # type: ignore[type-arg]
    """One Lighthouse run; its JSON report."""
    report = out_dir / "report.json"
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    command = [
        str(cli),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--only-categories={','.join(CATEGORIES)}",
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=300, check=False
    )
    if result.returncode != 0 or not report.exists():
        raise RuntimeError(
            f"lighthouse failed on {url} (exit {result.returncode}):\n{result.stderr[-2000:]}"
        )
    return json.loads(report.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def lost_points(report: dict) -> list[str]:  # type: ignore[type-arg]
    """Audits that scored below 1 in a category (weighted ones, or any failing in a11y/BP/SEO)."""
    lines = []
    for name in CATEGORIES:
        for ref in report["categories"][name]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            score = audit.get("score")
            if (
                score is not None
                and score < 1
                and (ref.get("weight", 0) > 0 or name != "performance")
            ):
                value = audit.get("displayValue", "")
                lines.append(f"{name}: {ref['id']} {score:.2f} {value}".rstrip())
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--site", type=Path, help="a built site to serve (default: build the project now)"
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="runs per page; the median score is shown"
    )
    parser.add_argument(
        "--lighthouse", help="path to a lighthouse CLI (default: install it on first use)"
    )
    args = parser.parse_args()

    if shutil.which("node") is None:
        sys.exit("node is not installed: Lighthouse 12 needs Node 18.20 or later (Node 20 here)")
    major = node_major()
    cli = lighthouse_cli(args.lighthouse)
    version = subprocess.run(
        [str(cli), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            build(REPO, site)
        print(
            f"Lighthouse {version}, Node {major}, {CHROMIUM} ({CHROME_FLAGS}), mobile emulation, simulated throttling"
        )
        print(
            f"site: {site}, served by kynangso.classroom.static.SiteApp; runs per page: {args.runs} (median)"
        )
        print(f"{'page':10}{'URL':28}" + "".join(f"{c:>16}" for c in CATEGORIES))
        notes: dict[str, list[str]] = {}
        with serve(site) as base:
            for name, path in PAGES.items():
                scores: dict[str, list[float]] = {c: [] for c in CATEGORIES}
                for _ in range(args.runs):
                    report = run(cli, base + path, Path(tmp))
                    for c in CATEGORIES:
                        scores[c].append(100 * (report["categories"][c]["score"] or 0))
                    notes[name] = lost_points(report)
                cells = "".join(f"{statistics.median(scores[c]):>16.0f}" for c in CATEGORIES)
                print(f"{name:10}{path:28}{cells}")
        for name, lines in notes.items():
            if lines:
                print(f"\n{name}: audits below full marks (last run)")
                for line in lines:
                    print(f"  {line}")


if __name__ == "__main__":
    main()
