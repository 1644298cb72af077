"""The coach dashboard: what a facilitator needs to see and report after a class.

SQL aggregates of one class's completions arranged into page data, and a Jinja2 template with
autoescaping: a learner's name is always data, never markup.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import multiprocessing
import os
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

import jinja2
import markupsafe

from kynangso import words
from kynangso.catalog import Catalog, Words
from kynangso.classroom import database, roster, store
from kynangso.classroom.database import Connection, Target
from kynangso.classroom.figures import hardest_questions

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "coach"
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True
)


T = TypeVar("T")


def _lower_priority() -> None:
    """Coach work yields the CPU to the phones' requests (Linux sets a nice value per thread;
    in the coach's process, the thread is the process)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


# One thread, at a lower priority, for the dashboard and the CSV of a SQLite store: however
# often coaches refresh, they use at most one core, and on a 2-core laptop the event loop
# comes first.
_COACH_THREAD = ThreadPoolExecutor(
    max_workers=1, thread_name_prefix="kns-coach", initializer=_lower_priority
)
# At a hub on PostgreSQL the same work runs in a process of its own, one, at the same lower
# priority. In a thread of the server it held the server's interpreter lock while templating
# and turning rows into pages, and each page a coach opened held up the phones' requests
# however low the thread's priority; a process takes only CPU time, which the system gives the
# server first. (On SQLite a reader in another process measured worse: a coach reloading in
# a loop moved the phones' p99 more, see the README's benchmarks.) "spawn": the server has
# threads (the writer, PostgreSQL's pool) that a forked copy must not inherit.
_process: ProcessPoolExecutor | None = None
_process_lock = threading.Lock()


def _coach_process() -> ProcessPoolExecutor:
    global _process
    with _process_lock:
        if _process is None:
            _process = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_lower_priority,
            )
        return _process


def start_coach_work(db_path: Target) -> None:
    """Start the coach's process of a PostgreSQL store now (it takes a second to import), not
    at the first page."""
    if database.is_url(db_path):
        _coach_process().submit(os.getpid)


def stop_coach_work() -> None:
    global _process
    with _process_lock:
        process, _process = _process, None
    if process is not None:
        process.shutdown(wait=True, cancel_futures=True)


async def off_the_loop(db_path: Target, function: Callable[..., T], *args: Any) -> T:
    """Run `function(*args)`, coach work on the store `db_path`, without blocking the loop:
    in the coach's thread for SQLite, in its process for PostgreSQL (`function` and its
    arguments then travel by pickle; a process that died, killed or out of memory, is
    replaced once)."""
    loop = asyncio.get_running_loop()
    if not database.is_url(db_path):
        return await loop.run_in_executor(_COACH_THREAD, function, *args)
    try:
        return await loop.run_in_executor(_coach_process(), function, *args)
    except BrokenProcessPool:
        stop_coach_work()
        return await loop.run_in_executor(_coach_process(), function, *args)


def coach_language(wanted: str | None, accept_language: str | None) -> str:
    """`?lang=` when it names a catalogue, else the browser's `Accept-Language`, else Vietnamese."""
    return words.pick(wanted, accept_language)


def coach_address(wanted: str | None) -> str:
    """Where the coach's pages send back to: `/coach/`, keeping a `?lang=` the coach chose."""
    return f"/coach/?lang={wanted}" if wanted in words.languages() else "/coach/"


def page_words(lang: str, folder: Path = words.FOLDER) -> dict[str, Any]:
    """What every coach page needs to speak `lang`: `say` for page text (a text the language
    lacks comes in Vietnamese inside `<span lang="vi">`), `text` for titles and attributes, and
    the other languages for the switch."""
    catalogue = words.load(lang, folder)
    texts = catalogue.section("coach")

    def text(key: str, **values: object) -> str:
        return texts[key].format(**values) if values else texts[key]

    def say(key: str, **values: object) -> markupsafe.Markup:
        escaped = markupsafe.escape(text(key, **values))
        if catalogue.lang_of("coach", key) != lang:
            return markupsafe.Markup(f'<span lang="{words.BASE}">{escaped}</span>')
        return escaped

    others = [
        (other, words.load(other, folder).name)
        for other in words.languages(folder)
        if other != lang
    ]
    return {"lang": lang, "say": say, "text": text, "languages": others}


def render_login(problem: str | None = None, lang: str = words.BASE) -> str:
    return _env.get_template("login.html.j2").render(problem=problem, **page_words(lang))


def render_dashboard(
    connection: Connection, code: str, catalog: Catalog, lang: str = words.BASE
) -> str:
    data = dashboard_data(connection, code, catalog, lang)
    return _env.get_template("dashboard.html.j2").render(
        code=code, class_name=store.class_name(connection, code), **data, **page_words(lang)
    )


def render_dashboard_from(
    db_path: Target, code: str, catalog: Catalog, lang: str = words.BASE
) -> str:
    """The dashboard on a read connection of its own: what the server runs in the coach process,
    so a coach opening it never holds up the phones' requests on the event loop."""
    connection = store.reader(db_path)
    try:
        return render_dashboard(connection, code, catalog, lang)
    finally:
        connection.close()


def dashboard_data(
    connection: Connection, code: str, catalog: Catalog, lang: str = words.BASE
) -> dict[str, Any]:
    """Grid, topic totals, hardest questions and chart bars of one class. SQLite does the
    counting (a few hundred rows come back however many completions there are); Python only
    arranges them."""
    lessons = catalog.lessons
    who = roster.person_sql(connection)
    # Per person, not per entry: a resident who joined from two browsers is one row.
    status: dict[tuple[str, str], str] = {
        (row[0], row[1]): "passed" if row[2] else "tried"
        for row in connection.execute(
            f"SELECT {who}, c.lesson, MAX(c.passed) FROM completions c"
            " JOIN learners l ON l.id = c.learner_id WHERE c.class_code = ?"
            f" GROUP BY c.lesson, {who}",
            (code,),
        )
    }
    people = roster.people(connection, code)
    total, passes = connection.execute(
        "SELECT COUNT(*), COALESCE(SUM(passed), 0) FROM completions WHERE class_code = ?", (code,)
    ).fetchone()
    grid = [
        {
            "id": person["id"],
            "name": person["name"],  # '' once forgotten: the page says so in words
            "entries": person["entries"],
            "joined_at": person["joined_at"],
            "cells": [status.get((person["id"], lesson_id), "none") for lesson_id in lessons],
        }
        for person in people
    ]
    return {
        "closed": roster.closed_at(connection, code),
        "lessons": [
            {"id": lesson_id, "title": in_language(info.title, lang), "topic": info.topic}
            for lesson_id, info in lessons.items()
        ],
        "grid": grid,
        "learner_count": len(people),
        "completion_count": total,
        "pass_count": passes,
        "topics": topic_totals(status, people, catalog, lang),
        "hardest": hardest_questions(_answer_counts(connection, code), catalog, lang=lang),
        "per_lesson": per_lesson_bars(status, catalog, lang),
        "per_day": per_day_bars(_day_counts(connection, code)),
    }


def _answer_counts(connection: Connection, code: str) -> list[tuple[str, str, int]]:
    """(lesson, right/wrong marks, how many attempts had exactly those marks)."""
    return [
        (row[0], row[1], row[2])
        for row in connection.execute(
            "SELECT lesson, answers, COUNT(*) FROM completions"
            " WHERE class_code = ? AND answers IS NOT NULL GROUP BY lesson, answers",
            (code,),
        )
    ]


def _day_counts(connection: Connection, code: str) -> dict[str, int]:
    """Completions per day they count for (`store.completion_day`, Vietnam time)."""
    return {
        row[0]: row[1]
        for row in connection.execute(
            "SELECT day, COUNT(*) FROM completions WHERE class_code = ? AND day != '' GROUP BY day",
            (code,),
        )
    }


def in_language(texts: Words, lang: str) -> str:
    """An author text of the catalog in `lang`, or in Vietnamese when the site has none in it."""
    return str(getattr(texts, lang, "") or texts.vi)


def topic_totals(
    status: dict[tuple[str, str], str],
    people: list[dict[str, Any]],
    catalog: Catalog,
    lang: str = words.BASE,
) -> list[dict[str, Any]]:
    """Per topic: residents who passed every lesson of it, and who passed at least one."""
    by_topic: dict[str, list[str]] = defaultdict(list)
    for lesson_id, lesson in catalog.lessons.items():
        by_topic[lesson.topic].append(lesson_id)
    totals = []
    for topic, info in catalog.topics.items():
        ids = by_topic.get(topic, [])
        if not ids:
            continue
        passed = [[status.get((p["id"], i)) == "passed" for i in ids] for p in people]
        totals.append(
            {
                "title": in_language(info.title, lang),
                "lessons": len(ids),
                "all": sum(all(p) for p in passed),
                "some": sum(any(p) for p in passed),
            }
        )
    return totals


def per_lesson_bars(
    status: dict[tuple[str, str], str], catalog: Catalog, lang: str = words.BASE
) -> list[dict[str, Any]]:
    passed = Counter(lesson for (_, lesson), state in status.items() if state == "passed")
    tried = Counter(lesson for (_, lesson), _state in status.items())
    return [
        {
            "title": in_language(info.title, lang),
            "passed": passed[lesson_id],
            "tried": tried[lesson_id],
        }
        for lesson_id, info in catalog.lessons.items()
        if tried[lesson_id]
    ]


def per_day_bars(counts: dict[str, int], days: int = 14) -> list[dict[str, Any]]:
    """The last `days` days up to the latest day with a completion, one bar each."""
    if not counts:
        return []
    last = max(dt.date.fromisoformat(day) for day in counts)
    return [
        {
            "day": (last - dt.timedelta(days=n)).strftime("%d/%m"),
            "count": counts.get((last - dt.timedelta(days=n)).isoformat(), 0),
        }
        for n in range(days - 1, -1, -1)
    ]
