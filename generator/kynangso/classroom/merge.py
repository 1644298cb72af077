"""`kynangso merge`: the hub's union for stores carried on a USB stick, without a network.

Each source is read (never written) and added to the target exactly as the hub adds a sync
batch (`hub.check_batch`, then `hub.store_batch`): the same checks, each id once, so merging
the same stick twice adds nothing. The classes made on a source belong to its team, which is
the team the source last synced as (recorded by `kynangso sync`) or else the one named with
`--team`; classes a source already holds for a team (a hub's own store) keep that team.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kynangso.catalog import Catalog
from kynangso.classroom import hub, store
from kynangso.classroom.database import Connection, Target
from kynangso.classroom.sync import wire


class MergeError(Exception):
    """A source that cannot be merged; nothing of it was added."""


@dataclass
class MergeTotals:
    """New in the target, already there, and refused by the checks, per kind."""

    stored: dict[str, int] = field(default_factory=lambda: dict.fromkeys(hub.KINDS, 0))
    already: dict[str, int] = field(default_factory=lambda: dict.fromkeys(hub.KINDS, 0))
    rejected: list[dict[str, str]] = field(default_factory=list)

    def add(self, outcome: hub.Outcome) -> None:
        for kind in hub.KINDS:
            self.stored[kind] += outcome.stored[kind]
            self.already[kind] += outcome.already[kind]
        self.rejected += outcome.rejected

    def as_json(self) -> dict[str, int]:
        return {
            "classes": self.stored["classes"],
            "learners": self.stored["learners"],
            "stored": self.stored["completions"],
            "already": self.already["completions"],
            "rejected": len(self.rejected),
        }


def merge(
    target: Target,
    sources: list[Path],
    catalog: Catalog,
    team_name: str | None = None,
    place: str = "",
) -> MergeTotals:
    """Add every source to `target`, one transaction per source."""
    totals = MergeTotals()
    connection = store.connect(target)
    try:
        for source in sources:
            if isinstance(target, Path) and source.resolve() == target.resolve():
                raise MergeError(f"{source} is the target itself")
            _merge_one(connection, source, catalog, team_name, place, totals)
    finally:
        connection.close()
    return totals


def _merge_one(
    connection: Connection,
    source: Path,
    catalog: Catalog,
    team_name: str | None,
    place: str,
    totals: MergeTotals,
) -> None:
    groups = _read(source)  # before the transaction: a bad source changes nothing
    connection.execute("BEGIN IMMEDIATE")
    try:
        for team, body in groups.items():
            team_id = _target_team(connection, source, team, team_name, place)
            totals.add(hub.store_batch(connection, team_id, hub.check_batch(body, catalog)))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


# A source's team: its own id, name and place (from a team row or the recorded sync), or None
# for classes made on it that never synced.
_SourceTeam = tuple[str, str, str] | None


def _read(source: Path) -> dict[_SourceTeam, dict[str, list[dict[str, Any]]]]:
    """The source's classes, learners and completions in the hub's wire form, grouped by the
    team they belong to."""
    if not source.is_file():
        raise MergeError(f"no class store at {source}")
    reader = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    reader.row_factory = sqlite3.Row
    try:
        return _groups(reader)
    except sqlite3.DatabaseError as exc:
        raise MergeError(f"{source} is not a class store: {exc}") from None
    finally:
        reader.close()


def _groups(reader: Connection) -> dict[_SourceTeam, dict[str, list[dict[str, Any]]]]:
    version = store.schema_version(reader)
    teams: dict[str, _SourceTeam] = {"": None}
    if version >= 4:
        row = reader.execute(
            "SELECT team, name, place FROM sync_team ORDER BY synced_at DESC, team LIMIT 1"
        ).fetchone()
        teams[""] = None if row is None else (row["team"], row["name"], row["place"])
        for row in reader.execute("SELECT id, name, place FROM teams"):
            teams[row["id"]] = (row["id"], row["name"], row["place"])
    team_of = "team" if version >= 4 else "''"
    codes: dict[str, tuple[_SourceTeam, str]] = {}
    groups: dict[_SourceTeam, dict[str, list[dict[str, Any]]]] = {}
    for row in reader.execute(f"SELECT code, name, created_at, {team_of} AS team FROM classes"):
        team = teams.get(row["team"])
        own = row["code"][len(row["team"]) + 1 :] if row["team"] else row["code"]
        codes[row["code"]] = (team, own)
        group = groups.setdefault(team, {kind: [] for kind in hub.KINDS})
        group["classes"].append({"code": own, "name": row["name"], "created_at": row["created_at"]})
    for kind, query in _ROWS.items():
        for row in reader.execute(query):
            team, own = codes[row["class_code"]]
            groups[team][kind].append(wire(kind, {**dict(row), "class_code": own}))
    return groups


_ROWS = {
    "learners": "SELECT id, class_code, name, joined_at FROM learners",
    "completions": "SELECT id, class_code, learner_id, lesson, lang, score, total, passed,"
    " answered_at, received_at, answers FROM completions",
}


def _target_team(
    connection: Connection,
    source: Path,
    team: _SourceTeam,
    team_name: str | None,
    place: str,
) -> str:
    """The target's id for a source's team, adding the team when the target lacks it."""
    if team is not None:
        team_id, name, team_place = team
        # Without its token: a team that can sync here is made here, with `team create`.
        connection.execute(
            "INSERT INTO teams (id, name, place, token_hash, created_at) VALUES (?, ?, ?, '', ?)"
            " ON CONFLICT (id) DO NOTHING",
            (team_id, name, team_place, store.now()),
        )
        return team_id
    if team_name is None:
        raise MergeError(
            f"{source} never synced to a hub, so its team is unknown: name it with --team NAME"
        )
    row = connection.execute(
        "SELECT id FROM teams WHERE name = ? ORDER BY created_at, id LIMIT 1", (team_name,)
    ).fetchone()
    if row is not None:
        return str(row["id"])
    return hub.add_team(connection, team_name, place, "").id
