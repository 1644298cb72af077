"""The progress report: a notebook executed against the class store, exported as one HTML file.

`write_report` checks its inputs, fills the report notebook (`templates/teams/report_notebook.ipy`,
cells in the `# %%` format) with the store's path, the class code and the site's catalog,
runs it in a Jupyter kernel with nbconvert, and exports it with a template that inlines its
own style and embeds the charts (matplotlib PNGs) as data: URIs, so the report opens anywhere
with no internet and can be mailed to the commune as one file.

The numbers come from the pure functions below (`report_data`), which the notebook calls; they
are also what the tests check. Learners' names never appear in the report, only counts.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import sqlite3
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "teams"
NOTEBOOK_SOURCE = TEMPLATES / "report_notebook.ipy"
VIETNAM = dt.timezone(dt.timedelta(hours=7))  # no daylight saving
EXECUTE_TIMEOUT_S = 180


class ReportError(Exception):
    """Something the person asking for the report can fix: no store, an unknown class."""


# --- reading the store -------------------------------------------------------------------


def open_store(db_path: Path) -> sqlite3.Connection:
    """The class store, read-only: a report can run while `kynangso serve` is writing."""
    connection = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    connection.row_factory = sqlite3.Row
    return connection


def classes(connection: sqlite3.Connection, code: str | None) -> list[dict[str, Any]]:
    query = "SELECT code, name, created_at FROM classes"
    params: tuple[str, ...] = ()
    if code is not None:
        query += " WHERE code = ?"
        params = (code,)
    return [dict(row) for row in connection.execute(query + " ORDER BY created_at, code", params)]


def learners(connection: sqlite3.Connection, code: str | None) -> list[dict[str, Any]]:
    query = "SELECT id, class_code, joined_at FROM learners"
    params: tuple[str, ...] = ()
    if code is not None:
        query += " WHERE class_code = ?"
        params = (code,)
    return [dict(row) for row in connection.execute(query + " ORDER BY joined_at, id", params)]


def load_catalog(path: Path | None) -> dict[str, Any] | None:
    if path is None or not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


# --- the numbers -----------------------------------------------------------------------------


@dataclass
class ReportData:
    """Everything the report shows, computed from store rows and the site's catalog."""

    classes: list[dict[str, Any]]
    counts: dict[str, int]
    first_day: dt.date | None
    last_day: dt.date | None
    per_day: list[tuple[dt.date, int, int]]
    per_lesson: list[dict[str, Any]]
    per_topic: list[dict[str, Any]]
    hardest: list[dict[str, Any]]
    has_catalog: bool = field(default=False)


def local_day(moment: str) -> dt.date:
    """The day in Vietnam of a stored UTC time."""
    return dt.datetime.fromisoformat(moment).astimezone(VIETNAM).date()


def counted_day(row: dict[str, Any]) -> dt.date | None:
    """The day a completion counts for: the same rule as the dashboard and the CSV
    (`store.completion_day`: Vietnam time, the receipt time when the phone's clock is wrong)."""
    from kynangso.classroom.store import completion_day

    day = row.get("day") or completion_day(row.get("answered_at"), row.get("received_at"))
    return dt.date.fromisoformat(day) if day else None


def report_data(
    class_rows: list[dict[str, Any]],
    learner_rows: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    catalog: dict[str, Any] | None,
) -> ReportData:
    lessons = (catalog or {}).get("lessons", {})
    topics = (catalog or {}).get("topics", {})
    passed_pairs = {(r["learner_id"], r["lesson"]) for r in rows if r["passed"]}
    counts = {
        "classes": len(class_rows),
        "joined": len(learner_rows),
        "active": len({r["learner_id"] for r in rows}),
        "passed_any": len({learner for learner, _ in passed_pairs}),
        "attempts": len(rows),
        "passes": sum(1 for r in rows if r["passed"]),
        "lessons_passed": len(passed_pairs),
    }
    counts["pass_rate"] = _percent(counts["passes"], counts["attempts"])
    day_of = [(counted_day(r), r) for r in rows]
    days = sorted({day for day, _ in day_of if day is not None})
    per_day: list[tuple[dt.date, int, int]] = []
    if days:
        tried = Counter(day for day, _ in day_of)
        passed = Counter(day for day, r in day_of if r["passed"])
        day = days[0]
        while day <= days[-1]:
            per_day.append((day, tried[day], passed[day]))
            day += dt.timedelta(days=1)
    per_lesson = _per_lesson(rows, passed_pairs, lessons, topics)
    return ReportData(
        classes=class_rows,
        counts=counts,
        first_day=days[0] if days else None,
        last_day=days[-1] if days else None,
        per_day=per_day,
        per_lesson=per_lesson,
        per_topic=_per_topic(rows, passed_pairs, lessons, topics),
        hardest=hardest_questions(rows, lessons),
        has_catalog=catalog is not None,
    )


def _per_lesson(
    rows: list[dict[str, Any]],
    passed_pairs: set[tuple[str, str]],
    lessons: dict[str, Any],
    topics: dict[str, Any],
) -> list[dict[str, Any]]:
    attempts: Counter[str] = Counter(r["lesson"] for r in rows)
    passes: Counter[str] = Counter(r["lesson"] for r in rows if r["passed"])
    tried_by: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        tried_by[r["lesson"]].add(r["learner_id"])
    order = list(lessons) + sorted(set(attempts) - set(lessons))
    result = []
    for lesson_id in order:
        if not attempts[lesson_id]:
            continue
        info = lessons.get(lesson_id, {})
        topic = info.get("topic", "")
        result.append(
            {
                "id": lesson_id,
                "title": info.get("title", {}).get("vi", lesson_id),
                "topic": topics.get(topic, {}).get("title", {}).get("vi", topic or "—"),
                "attempts": attempts[lesson_id],
                "pass_rate": _percent(passes[lesson_id], attempts[lesson_id]),
                "learners": len(tried_by[lesson_id]),
                "learners_passed": sum(1 for _, lesson in passed_pairs if lesson == lesson_id),
            }
        )
    return result


def _per_topic(
    rows: list[dict[str, Any]],
    passed_pairs: set[tuple[str, str]],
    lessons: dict[str, Any],
    topics: dict[str, Any],
) -> list[dict[str, Any]]:
    topic_of = {lesson_id: info.get("topic", "") for lesson_id, info in lessons.items()}
    attempts: Counter[str] = Counter(topic_of.get(r["lesson"], "") for r in rows)
    passes: Counter[str] = Counter(topic_of.get(r["lesson"], "") for r in rows if r["passed"])
    passed_someone: dict[str, set[str]] = defaultdict(set)
    for learner, lesson in passed_pairs:
        passed_someone[topic_of.get(lesson, "")].add(learner)
    order = list(topics) + sorted(set(attempts) - set(topics))
    return [
        {
            "id": key,
            "title": topics.get(key, {}).get("title", {}).get("vi", key or "—"),
            "attempts": attempts[key],
            "pass_rate": _percent(passes[key], attempts[key]),
            "learners_passed": len(passed_someone[key]),
        }
        for key in order
        if attempts[key]
    ]


def hardest_questions(
    rows: list[dict[str, Any]], lessons: dict[str, Any], limit: int = 5
) -> list[dict[str, Any]]:
    """Questions answered right least often, from the per-question marks phones send; only
    attempts whose marks match the quiz's current number of questions count."""
    tries: Counter[tuple[str, int]] = Counter()
    rights: Counter[tuple[str, int]] = Counter()
    for row in rows:
        marks = row.get("answers") or ""
        questions = lessons.get(row["lesson"], {}).get("questions")
        if not marks or (questions is not None and len(marks) != len(questions)):
            continue
        for index, mark in enumerate(marks):
            tries[(row["lesson"], index)] += 1
            rights[(row["lesson"], index)] += mark == "1"
    ranked = sorted(tries, key=lambda key: (rights[key] / tries[key], -tries[key], key))
    result = []
    for lesson_id, index in ranked[:limit]:
        info = lessons.get(lesson_id, {})
        prompts = info.get("questions") or []
        result.append(
            {
                "lesson": info.get("title", {}).get("vi", lesson_id),
                "number": index + 1,
                "prompt": prompts[index]["vi"] if index < len(prompts) else "",
                "tries": tries[(lesson_id, index)],
                "right": _percent(rights[(lesson_id, index)], tries[(lesson_id, index)]),
            }
        )
    return result


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def load_report_data(db_path: str, class_code: str | None, catalog_path: str | None) -> ReportData:
    """What the report notebook calls first: the store and catalog, read into `ReportData`."""
    from kynangso.classroom import store

    connection = open_store(Path(db_path))
    try:
        data = report_data(
            classes(connection, class_code),
            learners(connection, class_code),
            store.completions(connection, class_code),
            load_catalog(Path(catalog_path) if catalog_path else None),
        )
    finally:
        connection.close()
    return data


# --- small HTML pieces the notebook displays (every value escaped) --------------------------


def vn_date(day: dt.date | None) -> str:
    return "—" if day is None else f"{day.day:02d}/{day.month:02d}/{day.year}"


def label(vi: str, en: str) -> str:
    return f'{html.escape(vi)} <span class="en">· {html.escape(en)}</span>'


def table(headers: list[tuple[str, str]], rows: list[list[Any]], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{label(vi, en)}</th>" for vi, en in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"num" if i >= numeric_from else ""}">{html.escape(str(value))}</td>'
            for i, value in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f'<table class="kns-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def summary_sentence(data: ReportData) -> str:
    """One paragraph in Vietnamese with every count, ready to paste into the commune's report."""
    c = data.counts
    names = ", ".join(f"{row['name']} ({row['code']})" for row in data.classes) or "—"
    return (
        f"Từ ngày {vn_date(data.first_day)} đến ngày {vn_date(data.last_day)}, "
        f"{c['classes']} lớp học kỹ năng số ({names}) có {c['joined']} người tham gia; "
        f"{c['active']} người đã làm câu đố, {c['passed_any']} người đạt ít nhất một bài. "
        f"Tổng cộng {c['attempts']} lượt làm câu đố, {c['passes']} lượt đạt (tỉ lệ đạt {c['pass_rate']}%), "
        f"{c['lessons_passed']} lượt bài học được hoàn thành (mỗi người mỗi bài tính một lần)."
    )


# --- running the notebook --------------------------------------------------------------------


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


def write_report(db_path: Path, out: Path, class_code: str | None, site_dir: Path | None) -> None:
    """Execute the report notebook against the class store `db_path` (one class, or every
    class when `class_code` is None) and write a self-contained HTML report to `out`.
    `site_dir` (the built site) gives lesson titles, topics and question texts; without it the
    report shows lesson ids. Raises `ReportError` for a missing store or an unknown class."""
    if not db_path.is_file():
        raise ReportError(f"no class store at {db_path}")
    try:
        connection = open_store(db_path)
        try:
            found = classes(connection, class_code)
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise ReportError(f"{db_path} is not a class store: {exc}") from exc
    if class_code is not None and not found:
        raise ReportError(f"there is no class with the code '{class_code}' in {db_path}")
    catalog = site_dir / "catalog.json" if site_dir is not None else None
    if catalog is not None and not catalog.is_file():
        raise ReportError(
            f"{catalog} is missing: build the site with 'kynangso build' first, or leave out --site"
        )
    notebook = report_notebook(
        {
            "DB_PATH": str(db_path.resolve()),
            "CLASS_CODE": class_code,
            "CATALOG_PATH": str(catalog.resolve()) if catalog is not None else None,
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
