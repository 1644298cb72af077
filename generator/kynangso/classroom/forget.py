"""Residents' names, kept no longer than needed: forget one learner on request, and drop the
names of learners who have not taken a quiz for a season.

A learner's name lives in one place in the store, `learners.name`; completions point at the
learner's random id, which says nothing about the person. Forgetting sets the name to '' and
keeps the results, so the class's counts do not change. Plain SQL with `?` placeholders only:
the same functions run on every store the server can use.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from kynangso.classroom import store
from kynangso.classroom.database import Connection
from kynangso.classroom.sync import learner_changed

# "365d" or "52w": how long a name is kept after the learner's last result.
_AGE = re.compile(r"^\s*([0-9]{1,5})\s*([dw])\s*$")


def forget_learner(
    connection: Connection, learner_id: str, class_code: str | None = None
) -> dict[str, Any]:
    """Remove the name of learner `learner_id` (of class `class_code` when given: a coach may
    forget only their own class's learners) and say what was removed. Raises StoreError for an
    unknown learner. The results stay, counted under the learner's id."""
    row = connection.execute(
        "SELECT l.class_code, l.name, k.name AS class_name FROM learners l"
        " JOIN classes k ON k.code = l.class_code WHERE l.id = ?",
        (learner_id,),
    ).fetchone()
    if row is None or (class_code is not None and row["class_code"] != class_code):
        raise store.StoreError(f"no learner with id '{learner_id}' in this store")
    # Every entry of the same person (a resident who joined from two browsers and was merged)
    # loses the name, and the hub is told at the next sync.
    entries = _entries_of_person(connection, learner_id)
    for entry in entries:
        connection.execute("UPDATE learners SET name = ? WHERE id = ?", ("", entry))
        learner_changed(connection, entry)
    marks = ", ".join("?" for _ in entries)
    kept = connection.execute(
        f"SELECT COUNT(*) AS n FROM completions WHERE learner_id IN ({marks})", tuple(entries)
    ).fetchone()
    return {
        "learner_id": learner_id,
        "class_code": row["class_code"],
        "class_name": row["class_name"],
        "name_removed": row["name"] != "",  # False when it had been forgotten already
        "results_kept": int(kept["n"]),
    }


def _entries_of_person(connection: Connection, learner_id: str) -> list[str]:
    """`learner_id` and every other entry merged into the same person."""
    root = connection.execute(
        "SELECT COALESCE(same_as, id) AS person FROM learners WHERE id = ?", (learner_id,)
    ).fetchone()["person"]
    rows = connection.execute(
        "SELECT id FROM learners WHERE id = ? OR same_as = ? ORDER BY id", (root, root)
    )
    return sorted({learner_id, *(str(row["id"]) for row in rows)})


def parse_age(text: str) -> dt.timedelta:
    """`365d` or `52w` as a timedelta; ValueError with the accepted forms otherwise."""
    match = _AGE.match(text)
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"expected a number of days or weeks such as 365d or 52w, not '{text}'")
    number, unit = int(match.group(1)), match.group(2)
    return dt.timedelta(days=number * (7 if unit == "w" else 1))


def prune_names(
    connection: Connection, older_than: dt.timedelta, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Drop the names of learners with no result received within `older_than` of `now`; a
    learner with no result at all counts from joining. Results and counts stay.

    The laptop's own receipt time decides, never the phone's clock: a phone set to 2099 must
    not keep a name for ever, nor one set to 1970 lose it at once."""
    moment = (now or dt.datetime.now(dt.UTC)) - older_than
    cutoff = moment.astimezone(dt.UTC).isoformat(timespec="seconds")
    quiet = [
        str(row["id"])
        for row in connection.execute(
            "SELECT id FROM learners WHERE name <> ? AND joined_at < ?"
            " AND id NOT IN (SELECT learner_id FROM completions WHERE received_at >= ?)",
            ("", cutoff, cutoff),
        )
    ]
    for learner_id in quiet:  # a name the hub was sent goes there too at the next sync
        connection.execute("UPDATE learners SET name = ? WHERE id = ?", ("", learner_id))
        learner_changed(connection, learner_id)
    return {"names_dropped": len(quiet), "cutoff": cutoff}
