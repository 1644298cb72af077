"""The coach dashboard: what a facilitator needs to see and report after a class.

Pure functions from store rows to page data, and a Jinja2 template with autoescaping: a
learner's name is always data, never markup.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import jinja2

from . import store

TEMPLATES = Path(__file__).resolve().parent / "templates" / "coach"
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True
)


def render_login(problem: str | None = None) -> str:
    return _env.get_template("login.html.j2").render(problem=problem)


def render_dashboard(connection: sqlite3.Connection, code: str, catalog: dict[str, Any]) -> str:
    rows = store.completions(connection, code)
    people = store.learners(connection, code)
    data = dashboard_data(rows, people, catalog)
    return _env.get_template("dashboard.html.j2").render(
        code=code, class_name=store.class_name(connection, code), **data
    )


def dashboard_data(
    rows: list[dict[str, Any]], people: list[dict[str, Any]], catalog: dict[str, Any]
) -> dict[str, Any]:
    """Grid, topic totals, hardest questions and chart bars from the class's completions."""
    lessons = catalog["lessons"]
    status: dict[tuple[str, str], str] = {}
    for row in rows:
        key = (row["learner_id"], row["lesson"])
        if row["passed"]:
            status[key] = "passed"
        else:
            status.setdefault(key, "tried")
    grid = [
        {
            "name": person["name"],
            "cells": [status.get((person["id"], lesson_id), "none") for lesson_id in lessons],
        }
        for person in people
    ]
    return {
        "lessons": [
            {"id": lesson_id, "title": info["title"]["vi"], "topic": info["topic"]}
            for lesson_id, info in lessons.items()
        ],
        "grid": grid,
        "learner_count": len(people),
        "completion_count": len(rows),
        "pass_count": sum(1 for row in rows if row["passed"]),
        "topics": topic_totals(status, people, catalog),
        "hardest": hardest_questions(rows, catalog),
        "per_lesson": per_lesson_bars(status, catalog),
        "per_day": per_day_bars(rows),
    }


def topic_totals(
    status: dict[tuple[str, str], str], people: list[dict[str, Any]], catalog: dict[str, Any]
) -> list[dict[str, Any]]:
    """Per topic: residents who passed every lesson of it, and who passed at least one."""
    by_topic: dict[str, list[str]] = defaultdict(list)
    for lesson_id, info in catalog["lessons"].items():
        by_topic[info["topic"]].append(lesson_id)
    totals = []
    for topic, info in catalog["topics"].items():
        ids = by_topic.get(topic, [])
        if not ids:
            continue
        passed = [[status.get((p["id"], i)) == "passed" for i in ids] for p in people]
        totals.append(
            {
                "title": info["title"]["vi"],
                "lessons": len(ids),
                "all": sum(all(p) for p in passed),
                "some": sum(any(p) for p in passed),
            }
        )
    return totals


def hardest_questions(
    rows: list[dict[str, Any]], catalog: dict[str, Any], limit: int = 5
) -> list[dict[str, Any]]:
    """The questions answered right least often (from the per-question answers phones send)."""
    tries: Counter[tuple[str, int]] = Counter()
    rights: Counter[tuple[str, int]] = Counter()
    for row in rows:
        questions = catalog["lessons"].get(row["lesson"], {}).get("questions", [])
        answers = row.get("answers") or ""
        if len(answers) != len(questions):
            continue
        for index, mark in enumerate(answers):
            tries[(row["lesson"], index)] += 1
            rights[(row["lesson"], index)] += mark == "1"
    ranked = sorted(tries, key=lambda key: (rights[key] / tries[key], -tries[key], key))
    return [
        {
            "lesson": catalog["lessons"][lesson]["title"]["vi"],
            "number": index + 1,
            "prompt": catalog["lessons"][lesson]["questions"][index]["vi"],
            "tries": tries[(lesson, index)],
            "percent": round(100 * rights[(lesson, index)] / tries[(lesson, index)]),
        }
        for lesson, index in ranked[:limit]
    ]


def per_lesson_bars(
    status: dict[tuple[str, str], str], catalog: dict[str, Any]
) -> list[dict[str, Any]]:
    passed = Counter(lesson for (_, lesson), state in status.items() if state == "passed")
    tried = Counter(lesson for (_, lesson), _state in status.items())
    return [
        {"title": info["title"]["vi"], "passed": passed[lesson_id], "tried": tried[lesson_id]}
        for lesson_id, info in catalog["lessons"].items()
        if tried[lesson_id]
    ]


def per_day_bars(rows: list[dict[str, Any]], days: int = 14) -> list[dict[str, Any]]:
    counts = Counter(row["answered_at"][:10] for row in rows)
    if not counts:
        return []
    last = max(dt.date.fromisoformat(day) for day in counts)
    return [
        {
            "day": (last - dt.timedelta(days=n)).strftime("%d/%m"),
            "count": counts[(last - dt.timedelta(days=n)).isoformat()],
        }
        for n in range(days - 1, -1, -1)
    ]
