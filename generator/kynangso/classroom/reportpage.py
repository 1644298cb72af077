"""Small HTML pieces the report notebook displays: dates, bilingual labels, tables and the
paragraph to paste into the commune's report. Every value is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from kynangso.classroom.figures import ReportData


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
