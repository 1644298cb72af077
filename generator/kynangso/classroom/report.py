"""The progress report: a notebook executed against the class store, exported as one HTML file.

`write_report` checks its inputs, fills the report notebook (`templates/teams/report_notebook.ipy`,
cells in the `# %%` format) with the store's path (or PostgreSQL URL), the class code and the built site's folder,
runs it in a Jupyter kernel with nbconvert, and exports it with a template that inlines its
own style and embeds the charts (matplotlib PNGs) as data: URIs, so the report opens anywhere
with no internet and can be mailed to the commune as one file.

The notebook calls `load_report_data`; the numbers come from `figures` (counted by the
database, shared with the coach dashboard) and the HTML pieces from `reportpage`. Learners'
names never appear in the report, only counts.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from kynangso.catalog import CatalogError, load_catalog
from kynangso.classroom import database, store
from kynangso.classroom.commune import Commune, commune
from kynangso.classroom.database import Connection, Target
from kynangso.classroom.figures import ReportData, store_report_data

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "teams"
NOTEBOOK_SOURCE = TEMPLATES / "report_notebook.ipy"
EXECUTE_TIMEOUT_S = 180


class ReportError(Exception):
    """Something the person asking for the report can fix: no store, an unknown class."""


def open_store(db_path: Target) -> Connection:
    """The class store, read-only: a report can run while `kynangso serve` is writing."""
    if database.is_url(db_path):
        return database.reader(db_path)
    db_path = Path(db_path)
    connection = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    connection.row_factory = sqlite3.Row
    return connection


def load_report_data(db_path: str, class_code: str | None, site_dir: str | None) -> ReportData:
    """What the report notebook calls first: the store and the built site's catalog (none when
    `site_dir` is None), read into `ReportData`."""
    catalog = load_catalog(Path(site_dir)) if site_dir else None
    connection = open_store(database.target(db_path))
    try:
        # Counted by the database: a row per day, lesson, topic and question comes back.
        return store_report_data(connection, class_code, catalog)
    finally:
        connection.close()


def load_commune_data(db_path: str, site_dir: str | None) -> Commune:
    """The report's first part for every class: the commune's totals and tables, counted by
    SQL (`commune.commune`)."""
    catalog = load_catalog(Path(site_dir)) if site_dir else None
    connection = open_store(database.target(db_path))
    try:
        return commune(connection, catalog)
    finally:
        connection.close()


def report_notebook(parameters: dict[str, Any]) -> Any:
    """The report notebook: a parameters cell, then the cells of `report_notebook.ipy`."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    lines = [f"{name} = {value!r}" for name, value in parameters.items()]
    cells = [
        new_code_cell(  # type: ignore[no-untyped-call]
            "\n".join(lines), id="parameters", metadata={"tags": ["parameters"]}
        )
    ]
    for number, (kind, source) in enumerate(
        _percent_cells(NOTEBOOK_SOURCE.read_text(encoding="utf-8")), 1
    ):
        make = new_markdown_cell if kind == "markdown" else new_code_cell
        cells.append(make(source, id=f"cell-{number}"))  # type: ignore[no-untyped-call]
    notebook = new_notebook(  # type: ignore[no-untyped-call]
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
            "title": "Báo cáo tiến độ · Progress report",
        },
    )
    nbformat.validate(notebook)
    return notebook


def _percent_cells(text: str) -> list[tuple[str, str]]:
    """Cells of a `# %%` script: ('code', source) or ('markdown', source without '# ')."""
    cells: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("# %%"):
            cells.append(("markdown" if "[markdown]" in line else "code", []))
        elif cells:
            cells[-1][1].append(line)
    result = []
    for kind, body in cells:
        if kind == "markdown":
            body = [line[2:] if line.startswith("# ") else line.lstrip("#") for line in body]
        source = "\n".join(body).strip("\n")
        if source:
            result.append((kind, source))
    return result


def write_report(db_path: Target, out: Path, class_code: str | None, site_dir: Path | None) -> None:
    """Execute the report notebook against the class store `db_path` (one class, or every
    class when `class_code` is None) and write a self-contained HTML report to `out`.
    `site_dir` (the built site) gives lesson titles, topics and question texts; without it the
    report shows lesson ids. Raises `ReportError` for a missing store or an unknown class."""
    where = database.shown(db_path) if database.is_url(db_path) else str(db_path)
    if not database.is_url(db_path) and not Path(db_path).is_file():
        raise ReportError(f"no class store at {db_path}")
    try:
        connection = open_store(db_path)
        try:
            found = store.classes(connection, class_code)
        finally:
            connection.close()
    except database.DatabaseError as exc:
        raise ReportError(f"{where} is not a class store: {exc}") from exc
    if class_code is not None and not found:
        raise ReportError(f"there is no class with the code '{class_code}' in {where}")
    if site_dir is not None:
        try:
            load_catalog(site_dir)  # here, not in the kernel: a clear message, not a traceback
        except CatalogError as exc:
            raise ReportError(f"{exc}, or leave out --site") from exc
    notebook = report_notebook(
        {
            "DB_PATH": str(db_path) if database.is_url(db_path) else str(Path(db_path).resolve()),
            "CLASS_CODE": class_code,
            "SITE_DIR": str(site_dir.resolve()) if site_dir is not None else None,
        }
    )
    text = _execute_and_export(notebook)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


def _execute_and_export(notebook: Any) -> str:
    from jupyter_client.manager import KernelManager
    from nbconvert.exporters import HTMLExporter
    from nbconvert.preprocessors import CellExecutionError, ExecutePreprocessor
    from traitlets import CaselessStrEnum, default

    with tempfile.TemporaryDirectory(prefix="kns-report-") as work:

        class LocalKernel(KernelManager):
            """Unix sockets in our own temporary folder, not TCP ports: nothing of the kernel
            is reachable from the class Wi-Fi (and no warning about unencrypted TCP)."""

            transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc")

            @default("ip")
            def _ip_default(self) -> str:
                return str(Path(work) / "kernel")

        executor = ExecutePreprocessor(  # type: ignore[no-untyped-call]
            timeout=EXECUTE_TIMEOUT_S, kernel_name="python3", kernel_manager_class=LocalKernel
        )
        try:
            executor.preprocess(notebook, {"metadata": {"path": work}})
        except CellExecutionError as exc:
            raise ReportError(f"the report notebook failed:\n{exc}") from exc
    exporter = HTMLExporter(  # type: ignore[no-untyped-call]
        template_name="kns_report",
        extra_template_basedirs=[str(TEMPLATES / "nbconvert")],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    body, _ = exporter.from_notebook_node(
        notebook, resources={"metadata": {"name": "report"}, "kns": {"css": css}}
    )
    return str(body)
