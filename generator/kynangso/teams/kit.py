"""The class kit printed beside each lesson's handout: a paper quiz with its answer key on its
own last page, and a blank attendance sheet; and, from a class's records, certificates of
participation and an attendance sheet with the residents' names.

The quiz pages carry nothing that gives an answer away: the key is the last page, so the
facilitator tears it off before handing the quiz out. Attendance sheets ask for a name and a
village only, never an ID card or phone number.

What comes from the class store reaches this module as plain rows (`roster.people`, one per
person however many learner entries were merged into them, and `roster.people_completions`,
each under its person): team materials never open the store themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kynangso.site.render import OPENING_VERDICT
from kynangso.site.strings import format_date
from kynangso.teams.notebooks import letters
from kynangso.teams.plan import LessonPlan
from kynangso.teams.printing import environment
from kynangso.teams.strings import KIT_UI, TEAMS_UI

# Rows of a blank attendance sheet: one A4 page in portrait.
BLANK_ROWS = 20
# Session columns of a class's attendance sheet.
SESSIONS = 6
# Rows of a class's sheet on the first page (landscape): names first, then blank rows.
CLASS_ROWS = 14


@dataclass(frozen=True)
class KeyLine:
    """One question of the answer key: its number, the right letters and why."""

    number: int
    right: str
    why: tuple[str, ...]


def answer_key(plan: LessonPlan) -> tuple[KeyLine, ...]:
    lines = []
    for question in plan.questions:
        marks = letters(len(question.choices))
        right = [(mark, c) for mark, c in zip(marks, question.choices) if c.correct]
        lines.append(
            KeyLine(
                number=question.number,
                right=", ".join(mark for mark, _ in right),
                why=tuple(filter(None, (_reason(c.explanation) for _, c in right))),
            )
        )
    return tuple(lines)


def _reason(explanation: str) -> str:
    """The explanation without its opening "Right." (the key only lists right answers)."""
    return OPENING_VERDICT.sub("", " ".join(explanation.split()), count=1)


def quiz_html(plan: LessonPlan) -> str:
    """The lesson's quiz on paper: the questions with boxes to tick, then the answer key alone
    on the last page."""
    return (
        environment()
        .get_template("quiz.html.j2")
        .render(
            plan=plan,
            t=plan.t,
            k=KIT_UI[plan.lang],
            letters=letters,
            key=answer_key(plan),
        )
    )


def attendance_html(plan: LessonPlan) -> str:
    """A blank attendance sheet for one session of the lesson."""
    k = KIT_UI[plan.lang]
    return (
        environment()
        .get_template("attendance.html.j2")
        .render(
            lang=plan.lang,
            t=plan.t,
            k=k,
            title=k["attendance.title"].format(title=plan.title),
            subtitle=f"{plan.topic_title} · {plan.minutes} {plan.t['minutes']}",
            names=[""] * BLANK_ROWS,
            sessions=[k["attendance.present"]],
        )
    )


def class_attendance_html(class_name: str, names: list[str], lang: str) -> str:
    """The attendance sheet of a class: its residents' names, a ✓ column per session, blank
    rows for newcomers."""
    k = KIT_UI[lang]
    rows = names + [""] * max(3, CLASS_ROWS - len(names))
    return (
        environment()
        .get_template("attendance.html.j2")
        .render(
            lang=lang,
            t=TEAMS_UI[lang],
            k=k,
            title=k["attendance.class"].format(name=class_name),
            subtitle="",
            names=rows,
            sessions=[k["attendance.session"].format(number=n) for n in range(1, SESSIONS + 1)],
        )
    )


@dataclass(frozen=True)
class Certificate:
    """One resident's record: the lessons they passed, each with the day of the first pass."""

    name: str
    lessons: tuple[tuple[str, str], ...]


def certificates(
    learners: Iterable[Mapping[str, Any]],
    completions: Iterable[Mapping[str, Any]],
    titles: Mapping[str, str],
    lang: str,
) -> list[Certificate]:
    """A certificate per learner row with a name who passed at least one lesson, in the order
    given, each lesson once; a forgotten learner (empty name) gets none. `titles` names
    lessons by id (a lesson this build does not know keeps its id)."""
    first_pass: dict[str, dict[str, str]] = {}
    for row in completions:
        if row["passed"]:
            days = first_pass.setdefault(str(row["learner_id"]), {})
            day = str(row["day"])
            lesson = str(row["lesson"])
            # the earliest known day ('' when the store could read no time at all)
            known = [d for d in (days.get(lesson, ""), day) if d]
            days[lesson] = min(known) if known else ""
    made = []
    for learner in learners:
        name = " ".join(str(learner["name"] or "").split())
        passed = first_pass.get(str(learner["id"]), {})
        if not name or not passed:
            continue
        ordered = sorted(passed.items(), key=lambda item: (item[1], item[0]))
        made.append(
            Certificate(
                name=name,
                lessons=tuple(
                    (titles.get(lesson, lesson), _day(day, lang)) for lesson, day in ordered
                ),
            )
        )
    return made


def certificates_html(certificates: list[Certificate], class_name: str, lang: str) -> str:
    """One A5 page per certificate, as one HTML document."""
    return (
        environment()
        .get_template("certificates.html.j2")
        .render(
            lang=lang,
            t=TEAMS_UI[lang],
            k=KIT_UI[lang],
            class_name=class_name,
            certificates=certificates,
        )
    )


def _day(day: str, lang: str) -> str:
    return format_date(dt.date.fromisoformat(day), lang) if day else ""
