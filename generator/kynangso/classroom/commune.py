"""The commune's numbers: totals for the whole store, then (at a hub) per team and village,
then per class, topic, lesson and month.

Each table is one grouped SQL query; only a row per group comes back, however many
completions the store holds. A way of splitting the numbers is a `Grouping`: a name, a
heading, and the SQL expression of its key over completions `c`, learners `l` and classes
`k` (`GROUPINGS`). Another split (a team, a village) is one more entry with its key; a key
that depends on the class alone (`of_class`) also counts the residents who joined.

The rows counted are the store's tallies (`tally_lesson`, `tally_month`: attempts and passes per
class, learner entry and lesson or month, kept by triggers with every completion), so a load
reads a row per person and lesson, not every completion; a store older than them is counted
from its completions.

Residents are persons, not learner entries (`roster.PERSON`): an entry merged into another
counts once. Counts only: no name of a resident is ever read here.

The commune view of the dashboard has a PIN of its own, set by the hub's operator
(`kynangso commune pin`), kept like a class PIN as a salted scrypt hash (hex text in
`settings`), and sessions of its own (`commune_sessions`, the sha256 of each token).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from kynangso.catalog import Catalog
from kynangso.classroom import pins, roster, sessions, store
from kynangso.classroom.database import Connection

JOINS = (
    " FROM completions c JOIN learners l ON l.id = c.learner_id"
    " JOIN classes k ON k.code = c.class_code"
)
PIN_SETTING = "commune_pin"


@dataclass(frozen=True)
class Grouping:
    """One way to split the commune's numbers: a row per value of `key`."""

    name: str  # what the rows are, in the users' words: class, topic, lesson, month
    heading: tuple[str, str]  # (Vietnamese, English)
    key: str  # SQL over completions c and learners l; classes k too when `of_class`
    label: str = ""  # SQL aggregate naming a row (e.g. the class's name); default: the key
    of_class: bool = False  # the key reads only classes k: residents who joined count too
    params: tuple[str, ...] = ()  # values of the key's `?`s
    teams: bool = False  # the key or label reads the hub's teams t (the class's team)
    grain: str = "lesson"  # what the key reads of c beyond class and learner: lesson, month or
    # nothing ("learner": a key of the class alone)

    def joins(self, base: str) -> str:
        """`base` (the FROM part over c, l, k), with the class's team when the key needs it."""
        return base + (" LEFT JOIN teams t ON t.id = k.team" if self.teams else "")


GROUPINGS = [
    Grouping(
        "class", ("Theo lớp", "Per class"), "k.code", "MAX(k.name)", of_class=True, grain="learner"
    ),
    Grouping("lesson", ("Theo bài học", "Per lesson"), "c.lesson"),
    # The stored day is 'YYYY-MM-DD' (Vietnam time): its first 7 characters are the month.
    Grouping("month", ("Theo tháng", "Per month"), "substr(c.day, 1, 7)", grain="month"),
]


# At the commune hub each class belongs to a team, and each team to its village (bản, tiểu
# khu): two more splits, shown when the store holds teams (`hub_groupings`).
HUB_GROUPINGS = [
    Grouping(
        "team",
        ("Theo tổ", "Per team"),
        "k.team",
        "MAX(t.name)",
        of_class=True,
        teams=True,
        grain="learner",
    ),
    Grouping(
        "village",
        ("Theo bản, tiểu khu", "Per village"),
        "COALESCE(t.place, '')",
        of_class=True,
        teams=True,
        grain="learner",
    ),
]


def hub_groupings(connection: Connection) -> list[Grouping]:
    """Per team and per village, on a store that has teams (a hub); none on a laptop."""
    if store.schema_version(connection) < store.MIGRATIONS.index(store._add_teams_and_sync) + 1:
        return []
    found = connection.execute("SELECT COUNT(*) AS n FROM teams").fetchone()
    return list(HUB_GROUPINGS) if int(found["n"]) else []


def topic_grouping(catalog: Catalog) -> Grouping:
    """Per topic: the lesson-to-topic table of the built catalog, as one CASE, so SQL counts
    each person once per topic however many of its lessons they tried."""
    cases = " ".join("WHEN ? THEN ?" for _ in catalog.lessons)
    params = tuple(v for lesson, entry in catalog.lessons.items() for v in (lesson, entry.topic))
    key = f"CASE c.lesson {cases} ELSE '' END" if params else "''"
    return Grouping("topic", ("Theo chủ đề", "Per topic"), key, params=params)


@dataclass(frozen=True)
class Figures:
    """The numbers of one group (or of the whole store)."""

    key: str
    label: str
    residents: int  # persons with at least one attempt
    residents_passed: int  # persons who passed at least one lesson
    attempts: int
    passes: int
    joined: int | None = None  # persons who joined (groupings of the class only)


@dataclass
class Commune:
    """Everything the commune view and the report's first part show."""

    totals: Figures
    tables: list[tuple[Grouping, list[Figures]]] = field(default_factory=list)


# Counting per (key, person) first, then per key, gives the same numbers as COUNT(DISTINCT)
# per key, but the databases sort and hash far less: at 1,000,000 completions a DISTINCT
# per key sorted every row once per measure, and spilled to disk on PostgreSQL.
PER_PERSON = (
    "COUNT(*) AS attempts, COALESCE(SUM(c.passed), 0) AS passes,"
    " MAX(CASE WHEN c.passed = 1 THEN 1 ELSE 0 END) AS passed"
)
PER_KEY = (
    "COUNT(*) AS residents, COALESCE(SUM(p.passed), 0) AS residents_passed,"
    " COALESCE(SUM(p.attempts), 0) AS attempts, COALESCE(SUM(p.passes), 0) AS passes"
)


def _figures(row: Any, key: str, label: str, joined: int | None) -> Figures:
    return Figures(
        key=key,
        label=label,
        residents=int(row["residents"]),
        residents_passed=int(row["residents_passed"]),
        attempts=int(row["attempts"]),
        passes=int(row["passes"]),
        joined=joined,
    )


def totals(connection: Connection) -> Figures:
    """The whole store: persons who joined, tried and passed; attempts and passes."""
    person = roster.person_sql(connection)
    row = connection.execute(
        f"SELECT {PER_KEY} FROM (SELECT {person} AS person, {PER_PERSON}{JOINS} GROUP BY 1) p"
    ).fetchone()
    joined = connection.execute(f"SELECT COUNT(DISTINCT {person}) AS n FROM learners l").fetchone()
    return _figures(row, "", "", int(joined["n"]))


def by(connection: Connection, grouping: Grouping) -> list[Figures]:
    """The numbers per value of `grouping`'s key, ordered by key."""
    person = roster.person_sql(connection)
    label = grouping.label or f"MAX({grouping.key})"
    # The label is the key's own (MAX of one value) unless the grouping names one.
    rows = connection.execute(
        f"SELECT p.key AS key, MAX(p.label) AS label, {PER_KEY}"
        f" FROM (SELECT {grouping.key} AS key, {label} AS label, {person} AS person,"
        f" {PER_PERSON}{grouping.joins(JOINS)} GROUP BY 1, 3) p GROUP BY 1",
        grouping.params + (grouping.params if not grouping.label else ()),
    ).fetchall()
    return _table(connection, grouping, person, rows)


def _table(
    connection: Connection, grouping: Grouping, person: str, rows: list[Any]
) -> list[Figures]:
    """`rows` (key, label and the measures per key) with the residents who joined, by key."""
    joined = _joined(connection, grouping, person) if grouping.of_class else {}
    found = {}
    for row in rows:
        key = _text(row["key"])
        count = joined[key][1] if key in joined else (0 if grouping.of_class else None)
        found[key] = _figures(row, key, _text(row["label"]), count)
    # A class where residents joined but no one has finished a quiz yet still has a row.
    for key, (label, count) in joined.items():
        if key not in found:
            found[key] = Figures(key, label, 0, 0, 0, 0, count)
    return [found[key] for key in sorted(found)]


# One statement for the totals and every grouping, over a row per (class, learner, lesson)
# or per (class, learner, month) (`Grouping.grain`): at most learners x lessons, or learners x
# months, rows however many completions there are. Those rows are the store's tallies
# (`tallies`, kept by triggers with every completion), so the view never reads the
# completions. Each grouping counts over the rows of its grain, named `c` as the completions
# are, with the columns its key reads: a key on the month grain reads the day only as
# `substr(c.day, 1, 7)`, which gives the same month from the kept 'YYYY-MM'. A grain's passes
# are the sum of its completions' `passed` (0 or 1), so it passed when they are more than 0.
GRAINS = {
    "lesson": "(SELECT class_code, learner_id, lesson, attempts, passes FROM tally_lesson)",
    "month": "(SELECT class_code, learner_id, month AS day, attempts, passes FROM tally_month)",
}
# A read-only look (`kynangso report`) at a store older than the tallies counts the same rows
# from its completions, as a grain per statement.
OLD_GRAINS = {"lesson": "c.lesson", "month": "substr(c.day, 1, 7) AS day"}
# The totals and every split by class (class, team, village) need a row per learner entry
# only, not per lesson: it is counted once from the lesson grain, kept for the statement
# (MATERIALIZED, on both databases), and those four arms read its few thousand rows instead
# of the lesson grain's hundred thousand each.
LEARNER_GRAIN = (
    "learner_grain AS MATERIALIZED (SELECT class_code, learner_id, SUM(attempts) AS attempts,"
    " SUM(passes) AS passes FROM {lesson} GROUP BY 1, 2)"
)


def tallies_known(connection: Connection) -> bool:
    """Whether the store keeps the tallies (schema version 6 and later)."""
    return store.schema_version(connection) > store.MIGRATIONS.index(store._add_tallies)


def _grains(connection: Connection) -> tuple[str, dict[str, str]]:
    """The WITH clause and the FROM item of each grain."""
    if tallies_known(connection):
        grains = dict(GRAINS)
        ctes = [LEARNER_GRAIN.format(lesson="tally_lesson")]
    else:
        ctes = [
            f"{name}_grain AS (SELECT c.class_code, c.learner_id, {column}, COUNT(*) AS attempts,"
            " COALESCE(SUM(c.passed), 0) AS passes FROM completions c GROUP BY 1, 2, 3)"
            for name, column in OLD_GRAINS.items()
        ]
        ctes.append(LEARNER_GRAIN.format(lesson="lesson_grain"))
        grains = {name: f"{name}_grain" for name in OLD_GRAINS}
    return f"WITH {', '.join(ctes)} ", {**grains, "learner": "learner_grain"}


def _grain_arm(number: int, grouping: Grouping | None, person: str, grains: dict[str, str]) -> str:
    key = grouping.key if grouping else "''"
    label = (grouping.label or f"MAX({grouping.key})") if grouping else "''"
    joins = (
        f" FROM {grains[grouping.grain if grouping else 'learner']} c"
        " JOIN learners l ON l.id = c.learner_id"
    )
    if grouping is not None and grouping.of_class:  # only a key of the class reads k
        joins += " JOIN classes k ON k.code = c.class_code"
    return (
        f"SELECT {number} AS g, p.key AS key, MAX(p.label) AS label, {PER_KEY}"
        f" FROM (SELECT {key} AS key, {label} AS label, {person} AS person,"
        " SUM(c.attempts) AS attempts, SUM(c.passes) AS passes,"
        " MAX(CASE WHEN c.passes > 0 THEN 1 ELSE 0 END) AS passed"
        f"{grouping.joins(joins) if grouping else joins} GROUP BY 1, 3) p GROUP BY 2"
    )


def _on_grains(
    connection: Connection, groupings: list[Grouping], person: str
) -> tuple[Any, dict[int, list[Any]]]:
    """The totals' row (None when there are no completions) and the rows of each grouping
    (by its place in `groupings`), from one statement."""
    with_clause, grains = _grains(connection)
    arms = [_grain_arm(0, None, person, grains)]
    params: tuple[str, ...] = ()
    for number, grouping in enumerate(groupings, start=1):
        arms.append(_grain_arm(number, grouping, person, grains))
        params += grouping.params + (grouping.params if not grouping.label else ())
    found: dict[int, list[Any]] = {number: [] for number in range(len(groupings) + 1)}
    for row in connection.execute(f"{with_clause}{' UNION ALL '.join(arms)}", params):
        found[int(row["g"])].append(row)
    return (found[0][0] if found[0] else None), {n - 1: found[n] for n in found if n}


def _text(value: Any) -> str:
    """A key or label as text; a class with no team or place yet (NULL) is ''."""
    return "" if value is None else str(value)


def _joined(connection: Connection, grouping: Grouping, person: str) -> dict[str, Any]:
    label = grouping.label or f"MAX({grouping.key})"
    return {
        _text(row["key"]): (_text(row["label"]), int(row["n"]))
        for row in connection.execute(
            f"SELECT {grouping.key} AS key, {label} AS label, COUNT(DISTINCT {person}) AS n"
            + grouping.joins(" FROM learners l JOIN classes k ON k.code = l.class_code")
            + " GROUP BY 1",
            grouping.params + (grouping.params if not grouping.label else ()),
        )
    }


def commune(connection: Connection, catalog: Catalog | None) -> Commune:
    """Totals, then a table per grouping (per topic only with the built catalog), rows named
    in Vietnamese from the catalog where it knows the lesson or topic."""
    groupings = [*hub_groupings(connection), *GROUPINGS]
    if catalog is not None:
        groupings.insert(groupings.index(GROUPINGS[0]) + 1, topic_grouping(catalog))
    person = roster.person_sql(connection)
    total_row, rows = _on_grains(connection, groupings, person)
    joined = connection.execute(f"SELECT COUNT(DISTINCT {person}) AS n FROM learners l").fetchone()
    empty = {"residents": 0, "residents_passed": 0, "attempts": 0, "passes": 0}
    result = Commune(_figures(total_row or empty, "", "", int(joined["n"])))
    for grouping in groupings:
        found = _table(connection, grouping, person, rows[groupings.index(grouping)])
        rows_named = [replace(r, label=_label(grouping, r, catalog)) for r in found]
        result.tables.append((grouping, rows_named))
    return result


def _label(grouping: Grouping, row: Figures, catalog: Catalog | None) -> str:
    if not row.key:
        return "—"
    if grouping.name == "class":
        return f"{row.label} ({row.key})"
    if grouping.name == "lesson" and catalog is not None:
        return catalog.lesson_title(row.key)
    if grouping.name == "topic" and catalog is not None:
        return catalog.topic_title(row.key)
    if grouping.name == "team":
        return row.label or row.key
    if grouping.name == "month":
        return f"{row.key[5:7]}/{row.key[:4]}"
    return row.label


def rows_of(figures: list[Figures], *, joined: bool) -> list[list[Any]]:
    """Table rows for the report: label, (joined,) residents, passed, attempts, passes."""
    return [
        [f.label, *([f.joined or 0] if joined else []), f.residents, f.residents_passed]
        + [f.attempts, f.passes]
        for f in figures
    ]


# --- the commune PIN and sessions -------------------------------------------------------------


def set_pin(connection: Connection, pin: str) -> None:
    """Set (or replace) the commune PIN; open commune sessions end with the old one."""
    salt = secrets.token_bytes(16)
    value = f"{salt.hex()}:{pins.hash_pin(pin, salt).hex()}"
    connection.execute("DELETE FROM settings WHERE name = ?", (PIN_SETTING,))
    connection.execute("INSERT INTO settings (name, value) VALUES (?, ?)", (PIN_SETTING, value))
    connection.execute("DELETE FROM commune_sessions")


def pin_record(connection: Connection) -> tuple[bytes, bytes] | None:
    """(salt, hash) of the commune PIN, None when none is set (then no PIN opens the view)."""
    if not roster.merges_known(connection):
        return None
    row = connection.execute("SELECT value FROM settings WHERE name = ?", (PIN_SETTING,)).fetchone()
    if row is None:
        return None
    salt, digest = str(row["value"]).split(":")
    return bytes.fromhex(salt), bytes.fromhex(digest)


def open_session(connection: Connection, hours: int = 12) -> str:
    token = secrets.token_urlsafe(32)
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
    connection.execute("DELETE FROM commune_sessions WHERE expires_at < ?", (store.now(),))
    connection.execute(
        "INSERT INTO commune_sessions (token_hash, expires_at) VALUES (?, ?)",
        (sessions.token_hash(token), expires.isoformat(timespec="seconds")),
    )
    return token


def session_open(connection: Connection, token: str | None) -> bool:
    if not token:
        return False
    row = connection.execute(
        "SELECT 1 FROM commune_sessions WHERE token_hash = ? AND expires_at >= ?",
        (sessions.token_hash(token), store.now()),
    ).fetchone()
    return row is not None


def close_session(connection: Connection, token: str) -> None:
    connection.execute(
        "DELETE FROM commune_sessions WHERE token_hash = ?", (sessions.token_hash(token),)
    )
