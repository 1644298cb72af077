"""The numbers the coach dashboard and the progress report show, computed once for both.

`store_report_data` has the database count (grouped queries, as `commune` does): only a row
per day, lesson, topic or question comes back, however many completions the store holds.
`report_data` counts the same from rows already in Python: the path for a store older than
the stored `day` column, and the reference the tests hold the SQL to. No HTML here.
`hardest_questions` is shared: the dashboard and the report rank questions by the same rule
and give them the same fields.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kynangso.catalog import Catalog, Words
from kynangso.classroom import commune, roster, store
from kynangso.classroom.commune import topic_grouping
from kynangso.classroom.database import Connection
from kynangso.classroom.store import completion_day


@dataclass(frozen=True)
class HardQuestion:
    """A question of a quiz and how often it was answered right."""

    lesson: str  # the lesson's title (its id when the site is not known)
    number: int  # counted from 1, as on the quiz
    prompt: str  # the Vietnamese prompt ("" when the site is not known)
    tries: int
    percent: int  # answered right, in whole percent


# Right and wrong answers per question: tries and rights by (lesson, question index from 0).
Tallies = tuple[Counter[tuple[str, int]], Counter[tuple[str, int]]]


def hardest_questions(
    answer_counts: Iterable[tuple[str, str, int]],
    catalog: Catalog | None,
    limit: int = 5,
    lang: str = "vi",
) -> list[HardQuestion]:
    """The questions answered right least often, from (lesson, right/wrong marks as '1'/'0',
    how many attempts had exactly those marks) groups. With a catalog, marks that do not fit
    the quiz as built (a lesson gone or with another number of questions) are left out."""
    return ranked_questions(_tallies(answer_counts, catalog), catalog, limit, lang)


def _tallies(answer_counts: Iterable[tuple[str, str, int]], catalog: Catalog | None) -> Tallies:
    tries: Counter[tuple[str, int]] = Counter()
    rights: Counter[tuple[str, int]] = Counter()
    for lesson, marks, count in answer_counts:
        if not marks or not _fits(catalog, lesson, len(marks)):
            continue
        for index, mark in enumerate(marks):
            tries[(lesson, index)] += count
            rights[(lesson, index)] += count * (mark == "1")
    return tries, rights


def _fits(catalog: Catalog | None, lesson: str, size: int) -> bool:
    """Whether `size` marks fit `lesson`'s quiz as built (any do without a catalog)."""
    entry = catalog.lessons.get(lesson) if catalog is not None else None
    return catalog is None or (entry is not None and size == len(entry.questions))


def ranked_questions(
    tallies: Tallies, catalog: Catalog | None, limit: int = 5, lang: str = "vi"
) -> list[HardQuestion]:
    """The `limit` questions of `tallies` answered right least often (ties: the most tried
    first, then by lesson and number), with their titles and prompts from the catalog."""
    tries, rights = tallies
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


@dataclass(frozen=True)
class Group:
    """The completions of one lesson or topic (or all of them), counted."""

    attempts: int
    passes: int
    learners: int  # persons who tried
    learners_passed: int  # persons who passed


@dataclass
class _Counted:
    """What both ways of counting produce; `_report` turns it into `ReportData`."""

    joined: int
    everything: Group
    tried: Counter[dt.date | None]  # attempts per counted day (None: no day can be read)
    passed: Counter[dt.date | None]
    lessons: dict[str, Group]
    topics: dict[str, Group]  # '' for lessons the catalog does not have
    tallies: Tallies


# --- counted by the database -----------------------------------------------------------------

JOINS = (
    " FROM completions c JOIN learners l ON l.id = c.learner_id"
    " JOIN classes k ON k.code = c.class_code"
)
PASSED = "c.passed <> 0"  # as Python reads the stored 0/1: any other number passes too


def _measures(person: str) -> str:
    return (
        f"COUNT(*) AS attempts, COALESCE(SUM(CASE WHEN {PASSED} THEN 1 ELSE 0 END), 0) AS passes,"
        f" COUNT(DISTINCT {person}) AS learners,"
        f" COUNT(DISTINCT CASE WHEN {PASSED} THEN {person} END) AS learners_passed"
    )


# The same measures over the tallies (`tallies`: a row per class, learner entry and
# lesson, named `c` as the completions are), for the counts per person and lesson: a row per
# person and lesson is read, not every completion. The stored `passed` is 0 or 1, so a tally's
# passes (their sum) are the completions that passed.
TALLY_JOINS = (
    " FROM tally_lesson c JOIN learners l ON l.id = c.learner_id"
    " JOIN classes k ON k.code = c.class_code"
)


def _tally_measures(person: str) -> str:
    return (
        "COALESCE(SUM(c.attempts), 0) AS attempts, COALESCE(SUM(c.passes), 0) AS passes,"
        f" COUNT(DISTINCT {person}) AS learners,"
        f" COUNT(DISTINCT CASE WHEN c.passes > 0 THEN {person} END) AS learners_passed"
    )


def _group(row: Any) -> Group:
    return Group(
        int(row["attempts"]), int(row["passes"]), int(row["learners"]), int(row["learners_passed"])
    )


def store_report_data(
    connection: Connection, class_code: str | None, catalog: Catalog | None
) -> ReportData:
    """The report's numbers for class `class_code` (every class when None), counted by the
    database: a few grouped queries, a row back per day, lesson, topic and question. Residents
    are persons (`roster.person_sql`): two merged entries count once. A read-only look at a
    store older than the stored day (schema version 2) reads its rows, as it always did."""
    if store.schema_version(connection) < 2:
        return _report_data_from_rows(connection, class_code, catalog)
    query = _Query(connection, class_code)
    topic = topic_grouping(catalog) if catalog is not None else None
    counted = _Counted(
        joined=query.joined(),
        everything=_group(query.rows(f"SELECT {query.measures}{query.joins}{query.where}")[0]),
        tried=Counter(),
        passed=Counter(),
        lessons=query.groups("c.lesson"),
        topics=query.groups(topic.key, topic.params) if topic is not None else {},
        tallies=query.tallies(catalog),
    )
    if topic is None and counted.everything.attempts:  # no catalog: every lesson is off it
        counted.topics[""] = counted.everything
    for row in query.days():
        day = counted_day(dict(row))
        counted.tried[day] += int(row["attempts"])
        counted.passed[day] += int(row["passes"])
    return _report(store.classes(connection, class_code), counted, catalog)


class _Query:
    """The report's queries over one class's completions (or every class's)."""

    def __init__(self, connection: Connection, class_code: str | None) -> None:
        self.connection = connection
        self.person = roster.person_sql(connection)
        # Per person and lesson: from the tallies where the store keeps them.
        tallied = commune.tallies_known(connection)
        self.measures = (_tally_measures if tallied else _measures)(self.person)
        self.joins = TALLY_JOINS if tallied else JOINS
        self.class_code = class_code
        self.where = " WHERE c.class_code = ?" if class_code is not None else ""
        self.params: tuple[str, ...] = (class_code,) if class_code is not None else ()

    def rows(self, sql: str, before: tuple[str, ...] = ()) -> list[Any]:
        """`sql`'s rows; `before` are the values of `?`s ahead of the class filter's."""
        return list(self.connection.execute(sql, before + self.params).fetchall())

    def joined(self) -> int:
        """Persons who joined: entries that are nobody else's (merged ones point elsewhere)."""
        sql = f"SELECT COUNT(*) AS n FROM learners l WHERE {self.person} = l.id"
        if self.class_code is not None:
            sql += " AND l.class_code = ?"
        return int(self.rows(sql)[0]["n"])

    def groups(self, key: str, key_params: tuple[str, ...] = ()) -> dict[str, Group]:
        sql = f"SELECT {key} AS key, {self.measures}{self.joins}{self.where} GROUP BY 1"
        return {str(row["key"]): _group(row) for row in self.rows(sql, key_params)}

    def filtered(self, condition: str) -> str:
        """A WHERE clause: `condition`, and the class filter if there is one."""
        return f" WHERE {condition}" + (
            " AND c.class_code = ?" if self.class_code is not None else ""
        )

    def days(self) -> list[Any]:
        """Attempts and passes per stored day. The few completions stored without a day
        (neither of their times could be read) come per pair of times, for `counted_day` to
        try again, as the rows would."""
        passes = f"COALESCE(SUM(CASE WHEN {PASSED} THEN 1 ELSE 0 END), 0) AS passes"
        day = "COALESCE(c.day, '')"
        rows = self.rows(
            f"SELECT {day} AS day, COUNT(*) AS attempts, {passes}{JOINS}{self.where} GROUP BY 1"
        )
        if all(row["day"] for row in rows):
            return rows
        no_day = self.filtered(day + " = ''")
        return [row for row in rows if row["day"]] + self.rows(
            "SELECT c.answered_at AS answered_at, c.received_at AS received_at,"
            f" COUNT(*) AS attempts, {passes}{JOINS}{no_day} GROUP BY c.answered_at, c.received_at"
        )

    def tallies(self, catalog: Catalog | None) -> Tallies:
        """Tries and rights per question. The stored '0101' strings are first counted per
        lesson and string (a few per lesson, however many attempts), then each is cut into its
        marks by `substr` against a small table of positions 1..the longest and summed per
        lesson, number of marks and position. Marks that do not fit the quiz as built are left
        out, as `hardest_questions` leaves them out."""
        tries: Counter[tuple[str, int]] = Counter()
        rights: Counter[tuple[str, int]] = Counter()
        longest = self.rows(f"SELECT MAX(length(c.answers)) AS n FROM completions c{self.where}")
        size = int(longest[0]["n"] or 0)
        if not size:
            return tries, rights
        positions = ", ".join(f"({i})" for i in range(1, size + 1))
        for row in self.rows(
            "SELECT g.lesson AS lesson, length(g.answers) AS size, p.i AS i, SUM(g.n) AS tries,"
            " SUM(CASE WHEN substr(g.answers, p.i, 1) = '1' THEN g.n ELSE 0 END) AS rights"
            f" FROM (SELECT c.lesson AS lesson, c.answers AS answers, COUNT(*) AS n{JOINS}"
            f"{self.filtered('c.answers IS NOT NULL')} GROUP BY c.lesson, c.answers) g"
            f" JOIN (SELECT column1 AS i FROM (VALUES {positions}) AS v) p"
            " ON p.i <= length(g.answers)"
            " GROUP BY g.lesson, length(g.answers), p.i"
        ):
            lesson = str(row["lesson"])
            if _fits(catalog, lesson, int(row["size"])):
                tries[(lesson, int(row["i"]) - 1)] += int(row["tries"])
                rights[(lesson, int(row["i"]) - 1)] += int(row["rights"])
        return tries, rights


def _report_data_from_rows(
    connection: Connection, class_code: str | None, catalog: Catalog | None
) -> ReportData:
    """`report_data` over every row of an old store (no stored day), learners as persons."""
    person = {
        row[0]: row[1]
        for row in connection.execute(
            f"SELECT l.id, {roster.person_sql(connection)} FROM learners l"
        )
    }
    learners = [
        row for row in store.learners(connection, class_code) if person[row["id"]] == row["id"]
    ]
    rows = [
        {**row, "learner_id": person.get(row["learner_id"], row["learner_id"])}
        for row in store.completions(connection, class_code)
    ]
    return report_data(store.classes(connection, class_code), learners, rows, catalog)


# --- counted in Python -----------------------------------------------------------------------


def report_data(
    class_rows: list[dict[str, Any]],
    learner_rows: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    catalog: Catalog | None,
) -> ReportData:
    """The report's numbers from rows already read (completions with `learner_id` the person)."""
    topic_of = {
        lesson: entry.topic for lesson, entry in (catalog.lessons if catalog else {}).items()
    }
    days = [(counted_day(r), r) for r in rows]
    marks = Counter((r["lesson"], r["answers"]) for r in rows if r.get("answers"))
    counted = _Counted(
        joined=len(learner_rows),
        everything=_group_rows(rows),
        tried=Counter(day for day, _ in days),
        passed=Counter(day for day, r in days if r["passed"]),
        lessons=_groups_of(rows, lambda r: str(r["lesson"])),
        topics=_groups_of(rows, lambda r: topic_of.get(r["lesson"], "")),
        tallies=_tallies(((lesson, m, n) for (lesson, m), n in marks.items()), catalog),
    )
    return _report(class_rows, counted, catalog)


def _group_rows(rows: list[dict[str, Any]]) -> Group:
    passed = [r for r in rows if r["passed"]]
    return Group(
        len(rows),
        len(passed),
        len({r["learner_id"] for r in rows}),
        len({r["learner_id"] for r in passed}),
    )


def _groups_of(
    rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], str]
) -> dict[str, Group]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return {name: _group_rows(members) for name, members in grouped.items()}


# --- both ------------------------------------------------------------------------------------


def _report(
    class_rows: list[dict[str, Any]], counted: _Counted, catalog: Catalog | None
) -> ReportData:
    everything = counted.everything
    counts = {
        "classes": len(class_rows),
        "joined": counted.joined,
        "active": everything.learners,
        "passed_any": everything.learners_passed,
        "attempts": everything.attempts,
        "passes": everything.passes,
        # A person passing a lesson is one (person, lesson) pair: summed over the lessons.
        "lessons_passed": sum(group.learners_passed for group in counted.lessons.values()),
    }
    counts["pass_rate"] = percent(counts["passes"], counts["attempts"])
    per_day = _per_day(counted.tried, counted.passed)
    return ReportData(
        classes=class_rows,
        counts=counts,
        first_day=per_day[0][0] if per_day else None,
        last_day=per_day[-1][0] if per_day else None,
        per_day=per_day,
        per_lesson=_per_lesson(counted.lessons, catalog),
        per_topic=_per_topic(counted.topics, catalog),
        hardest=ranked_questions(counted.tallies, catalog),
        has_catalog=catalog is not None,
    )


def _per_day(
    tried: Counter[dt.date | None], passed: Counter[dt.date | None]
) -> list[tuple[dt.date, int, int]]:
    """(day, attempts, passes) for every day from the first to the last, quiet days included."""
    days = sorted(day for day in tried if day is not None)
    if not days:
        return []
    result, day = [], days[0]
    while day <= days[-1]:
        result.append((day, tried[day], passed[day]))
        day += dt.timedelta(days=1)
    return result


def _per_lesson(groups: dict[str, Group], catalog: Catalog | None) -> list[dict[str, Any]]:
    lessons = catalog.lessons if catalog is not None else {}
    order = list(lessons) + sorted(set(groups) - set(lessons))
    return [
        {
            "id": lesson_id,
            "title": lessons[lesson_id].title.vi if lesson_id in lessons else lesson_id,
            "topic": _topic_title(catalog, lessons[lesson_id].topic)
            if lesson_id in lessons
            else "—",
            "attempts": group.attempts,
            "pass_rate": percent(group.passes, group.attempts),
            "learners": group.learners,
            "learners_passed": group.learners_passed,
        }
        for lesson_id in order
        if (group := groups.get(lesson_id)) is not None and group.attempts
    ]


def _topic_title(catalog: Catalog | None, topic: str) -> str:
    return catalog.topic_title(topic) if catalog is not None else topic


def _per_topic(groups: dict[str, Group], catalog: Catalog | None) -> list[dict[str, Any]]:
    topics = catalog.topics if catalog is not None else {}
    order = list(topics) + sorted(set(groups) - set(topics))
    return [
        {
            "id": key,
            "title": _topic_title(catalog, key) if key else "—",
            "attempts": group.attempts,
            "pass_rate": percent(group.passes, group.attempts),
            "learners_passed": group.learners_passed,
        }
        for key in order
        if (group := groups.get(key)) is not None and group.attempts
    ]
