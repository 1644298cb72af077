"""The numbers the coach dashboard and the progress report show, computed once for both.

Pure functions of store rows and the built catalog (no SQL, no HTML), so the tests check the
same figures the pages print. `hardest_questions` is shared: the dashboard and the report rank
questions by the same rule and give them the same fields.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kynangso.catalog import Catalog, Words
from kynangso.classroom.store import completion_day


@dataclass(frozen=True)
class HardQuestion:
    """A question of a quiz and how often it was answered right."""

    lesson: str  # the lesson's title (its id when the site is not known)
    number: int  # counted from 1, as on the quiz
    prompt: str  # the Vietnamese prompt ("" when the site is not known)
    tries: int
    percent: int  # answered right, in whole percent


def hardest_questions(
    answer_counts: Iterable[tuple[str, str, int]],
    catalog: Catalog | None,
    limit: int = 5,
    lang: str = "vi",
) -> list[HardQuestion]:
    """The questions answered right least often, from (lesson, right/wrong marks as '1'/'0',
    how many attempts had exactly those marks) groups. With a catalog, marks that do not fit
    the quiz as built (a lesson gone or with another number of questions) are left out."""
    tries: Counter[tuple[str, int]] = Counter()
    rights: Counter[tuple[str, int]] = Counter()
    for lesson, marks, count in answer_counts:
        entry = catalog.lessons.get(lesson) if catalog is not None else None
        if not marks or (
            catalog is not None and (entry is None or len(marks) != len(entry.questions))
        ):
            continue
        for index, mark in enumerate(marks):
            tries[(lesson, index)] += count
            rights[(lesson, index)] += count * (mark == "1")
    ranked = sorted(tries, key=lambda key: (rights[key] / tries[key], -tries[key], key))
    return [
        HardQuestion(
            lesson=_in(catalog.lessons[lesson].title, lang) if catalog is not None else lesson,
            number=index + 1,
            prompt=_in(catalog.lessons[lesson].questions[index], lang)
            if catalog is not None
            else "",
            tries=tries[(lesson, index)],
            percent=percent(rights[(lesson, index)], tries[(lesson, index)]),
        )
        for lesson, index in ranked[:limit]
    ]


def _in(texts: Words, lang: str) -> str:
    """A catalog text in `lang`, or in Vietnamese when the site has none in it."""
    return str(getattr(texts, lang, "") or texts.vi)


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


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
    hardest: list[HardQuestion]
    has_catalog: bool = field(default=False)


def counted_day(row: dict[str, Any]) -> dt.date | None:
    """The day a completion counts for: the same rule as the dashboard and the CSV
    (`store.completion_day`: Vietnam time, the receipt time when the phone's clock is wrong)."""
    day = row.get("day") or completion_day(row.get("answered_at"), row.get("received_at"))
    return dt.date.fromisoformat(day) if day else None


def report_data(
    class_rows: list[dict[str, Any]],
    learner_rows: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    catalog: Catalog | None,
) -> ReportData:
    passed_pairs = {(r["learner_id"], r["lesson"]) for r in rows if r["passed"]}
    per_day = _per_day(rows)
    marks = Counter((r["lesson"], r["answers"]) for r in rows if r.get("answers"))
    return ReportData(
        classes=class_rows,
        counts=_counts(class_rows, learner_rows, rows, passed_pairs),
        first_day=per_day[0][0] if per_day else None,
        last_day=per_day[-1][0] if per_day else None,
        per_day=per_day,
        per_lesson=_per_lesson(rows, passed_pairs, catalog),
        per_topic=_per_topic(rows, passed_pairs, catalog),
        hardest=hardest_questions(
            ((lesson, answers, n) for (lesson, answers), n in marks.items()), catalog
        ),
        has_catalog=catalog is not None,
    )


def _counts(
    class_rows: list[dict[str, Any]],
    learner_rows: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    passed_pairs: set[tuple[str, str]],
) -> dict[str, int]:
    counts = {
        "classes": len(class_rows),
        "joined": len(learner_rows),
        "active": len({r["learner_id"] for r in rows}),
        "passed_any": len({learner for learner, _ in passed_pairs}),
        "attempts": len(rows),
        "passes": sum(1 for r in rows if r["passed"]),
        "lessons_passed": len(passed_pairs),
    }
    counts["pass_rate"] = percent(counts["passes"], counts["attempts"])
    return counts


def _per_day(rows: list[dict[str, Any]]) -> list[tuple[dt.date, int, int]]:
    """(day, attempts, passes) for every day from the first to the last, quiet days included."""
    day_of = [(counted_day(r), r) for r in rows]
    days = sorted({day for day, _ in day_of if day is not None})
    if not days:
        return []
    tried = Counter(day for day, _ in day_of)
    passed = Counter(day for day, r in day_of if r["passed"])
    result, day = [], days[0]
    while day <= days[-1]:
        result.append((day, tried[day], passed[day]))
        day += dt.timedelta(days=1)
    return result


def _per_lesson(
    rows: list[dict[str, Any]], passed_pairs: set[tuple[str, str]], catalog: Catalog | None
) -> list[dict[str, Any]]:
    lessons = catalog.lessons if catalog is not None else {}
    attempts: Counter[str] = Counter(r["lesson"] for r in rows)
    passes: Counter[str] = Counter(r["lesson"] for r in rows if r["passed"])
    tried_by: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        tried_by[r["lesson"]].add(r["learner_id"])
    order = list(lessons) + sorted(set(attempts) - set(lessons))
    return [
        {
            "id": lesson_id,
            "title": lessons[lesson_id].title.vi if lesson_id in lessons else lesson_id,
            "topic": _topic_title(catalog, lessons[lesson_id].topic)
            if lesson_id in lessons
            else "—",
            "attempts": attempts[lesson_id],
            "pass_rate": percent(passes[lesson_id], attempts[lesson_id]),
            "learners": len(tried_by[lesson_id]),
            "learners_passed": sum(1 for _, lesson in passed_pairs if lesson == lesson_id),
        }
        for lesson_id in order
        if attempts[lesson_id]
    ]


def _topic_title(catalog: Catalog | None, topic: str) -> str:
    return catalog.topic_title(topic) if catalog is not None else topic


def _per_topic(
    rows: list[dict[str, Any]], passed_pairs: set[tuple[str, str]], catalog: Catalog | None
) -> list[dict[str, Any]]:
    lessons = catalog.lessons if catalog is not None else {}
    topics = catalog.topics if catalog is not None else {}
    topic_of = {lesson_id: entry.topic for lesson_id, entry in lessons.items()}
    attempts: Counter[str] = Counter(topic_of.get(r["lesson"], "") for r in rows)
    passes: Counter[str] = Counter(topic_of.get(r["lesson"], "") for r in rows if r["passed"])
    passed_someone: dict[str, set[str]] = defaultdict(set)
    for learner, lesson in passed_pairs:
        passed_someone[topic_of.get(lesson, "")].add(learner)
    order = list(topics) + sorted(set(attempts) - set(topics))
    return [
        {
            "id": key,
            "title": _topic_title(catalog, key) if key else "—",
            "attempts": attempts[key],
            "pass_rate": percent(passes[key], attempts[key]),
            "learners_passed": len(passed_someone[key]),
        }
        for key in order
        if attempts[key]
    ]
