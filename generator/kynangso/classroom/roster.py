"""Who is in a class: one person behind several learner entries, and classes listed, renamed
and closed.

A resident who joins from Zalo's browser and again from Chrome gets two learner entries. A
facilitator merges them: the other entry points at the kept one (`learners.same_as`), and
every count of residents counts `COALESCE(same_as, id)`, the person, not the entry.
Completions keep their learner ids, so a merge moves no result and a copy of the store
merged elsewhere (sync, USB stick) still holds each completion once.

Every function takes the store's connection first, like `store`'s, and its SQL is plain
enough for every database the store supports (`?` placeholders, rows read by column name).
"""

from __future__ import annotations

from typing import Any

from kynangso.classroom import store
from kynangso.classroom.database import Connection
from kynangso.classroom.sync import learner_changed

# The person a learner entry belongs to, in SQL over learners `l`.
PERSON = "COALESCE(l.same_as, l.id)"


class ClassClosed(store.StoreError):
    """The class was closed by its facilitator: it takes no new learners."""


def merges_known(connection: Connection) -> bool:
    """Whether the store has `same_as` and `closed_at` yet: a report opens a store read-only
    and never migrates it, so an older store is read as one entry per person, all open."""
    return store.schema_version(connection) > store.MIGRATIONS.index(store._add_people_and_commune)


def person_sql(connection: Connection) -> str:
    """`PERSON`, or the entry itself on a store older than merges."""
    return PERSON if merges_known(connection) else "l.id"


def _learner(connection: Connection, learner_id: str) -> dict[str, Any]:
    row = connection.execute(
        "SELECT id, class_code, same_as FROM learners WHERE id = ?", (learner_id,)
    ).fetchone()
    if row is None:
        raise store.StoreError(f"there is no learner with the id '{learner_id}'")
    return {"id": row["id"], "class_code": row["class_code"], "same_as": row["same_as"]}


def merge_learners(connection: Connection, keep_id: str, other_id: str) -> str:
    """Make `other_id` the same person as `keep_id`; returns the person's id (the entry every
    entry of that person now points at). Merging into an entry that is itself merged follows
    it to its person, and the other entry's own merged entries come along, so `same_as`
    always names a person's first entry and one COALESCE finds it. Refused (StoreError) for
    one entry with itself, an unknown id, or entries of two classes."""
    if keep_id == other_id:
        raise store.StoreError("a learner cannot be merged with itself: give two learner ids")
    keep, other = _learner(connection, keep_id), _learner(connection, other_id)
    if keep["class_code"] != other["class_code"]:
        raise store.StoreError(
            f"learners '{keep_id}' (class {keep['class_code']}) and '{other_id}'"
            f" (class {other['class_code']}) are in different classes: only entries of one"
            " class can be merged"
        )
    person = keep["same_as"] or keep["id"]
    merged = other["same_as"] or other["id"]
    if merged != person:
        moved = [
            str(row["id"])
            for row in connection.execute(
                "SELECT id FROM learners WHERE id = ? OR same_as = ?", (merged, merged)
            )
        ]
        connection.execute(
            "UPDATE learners SET same_as = ? WHERE id = ? OR same_as = ?", (person, merged, merged)
        )
        for learner_id in moved:  # the hub learns of the merge at the next sync
            learner_changed(connection, learner_id)
    return str(person)


def class_rows(connection: Connection) -> list[dict[str, Any]]:
    """Every class, oldest first: code, name, persons who joined, completions, created,
    closed (None while open). Counted in SQL, one grouped query per table."""
    learners = {
        row["class_code"]: int(row["n"])
        for row in connection.execute(
            f"SELECT l.class_code, COUNT(DISTINCT {person_sql(connection)}) AS n"
            " FROM learners l GROUP BY l.class_code"
        )
    }
    done = {
        row["class_code"]: int(row["n"])
        for row in connection.execute(
            "SELECT class_code, COUNT(*) AS n FROM completions GROUP BY class_code"
        )
    }
    closed = ", closed_at" if merges_known(connection) else ", NULL AS closed_at"
    return [
        {
            "code": row["code"],
            "name": row["name"],
            "learners": learners.get(row["code"], 0),
            "completions": done.get(row["code"], 0),
            "created": row["created_at"],
            "closed": row["closed_at"],
        }
        for row in connection.execute(
            f"SELECT code, name, created_at{closed} FROM classes ORDER BY created_at, code"
        )
    ]


def _known(connection: Connection, code: str) -> None:
    if store.class_name(connection, code) is None:
        raise store.StoreError(f"there is no class with the code '{code}'")


def name_problem(name: str) -> str | None:
    """What is wrong with a class name (the rule of `kynangso class create`), or None."""
    return None if 1 <= len(name.strip()) <= 80 else "the class name must be 1 to 80 characters"


def rename_class(connection: Connection, code: str, name: str) -> None:
    problem = name_problem(name)
    if problem is not None:
        raise store.StoreError(problem)
    _known(connection, code)
    connection.execute("UPDATE classes SET name = ? WHERE code = ?", (name.strip(), code))


def close_class(connection: Connection, code: str) -> str:
    """Close class `code` to new joins (its learners' completions still count); returns when
    it was closed. Closing a closed class keeps the first time."""
    _known(connection, code)
    connection.execute(
        "UPDATE classes SET closed_at = ? WHERE code = ? AND closed_at IS NULL", (store.now(), code)
    )
    return str(closed_at(connection, code))


def closed_at(connection: Connection, code: str) -> str | None:
    if not merges_known(connection):
        return None
    row = connection.execute("SELECT closed_at FROM classes WHERE code = ?", (code,)).fetchone()
    return None if row is None or row["closed_at"] is None else str(row["closed_at"])


def join(connection: Connection, code: str, name: str) -> str:
    """A new learner of an open class (what the join API runs in the writer): ClassClosed
    for a closed class, StoreError for an unknown one."""
    if closed_at(connection, code) is not None:
        raise ClassClosed(f"the class '{code}' is closed: it takes no new learners")
    return store.add_learner(connection, code, name)


def people(connection: Connection, code: str) -> list[dict[str, Any]]:
    """One row per person of class `code`, in the order they joined: the person's id (their
    first entry), the kept entry's name, and how many entries they have."""
    person = person_sql(connection)
    rows = connection.execute(
        f"SELECT {person} AS person, COUNT(*) AS entries FROM learners l"
        f" WHERE l.class_code = ? GROUP BY {person}",
        (code,),
    ).fetchall()
    entries = {row["person"]: int(row["entries"]) for row in rows}
    return [
        {**learner, "entries": entries[learner["id"]]}
        for learner in store.learners(connection, code)
        if learner["id"] in entries
    ]


def entries_of_people(connection: Connection, code: str) -> dict[str, str]:
    """Each learner entry of class `code` and the person it belongs to (its own id when it was
    never merged)."""
    person = person_sql(connection)
    return {
        str(row["id"]): str(row["person"])
        for row in connection.execute(
            f"SELECT l.id, {person} AS person FROM learners l WHERE l.class_code = ?", (code,)
        )
    }


def people_completions(connection: Connection, code: str) -> list[dict[str, Any]]:
    """`store.completions` of class `code`, each under its person: `learner_id` and
    `learner_name` are the person's (the kept entry's), so what is printed per learner row,
    with `people`'s rows, is printed once per person with every entry's results."""
    person_of = entries_of_people(connection, code)
    names = {row["id"]: row["name"] for row in store.learners(connection, code)}
    rows = []
    for row in store.completions(connection, code):
        person = person_of.get(row["learner_id"], row["learner_id"])
        rows.append({**row, "learner_id": person, "learner_name": names.get(person, "")})
    return rows
