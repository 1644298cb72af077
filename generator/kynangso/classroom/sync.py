"""A team's laptop sends the hub what it has not acknowledged yet (`kynangso sync`).

The hub first names the team of the token (`GET /api/v1/sync`), so a wrong token is refused
before anything is sent, and the store records the team it synced as (`merge` reads it). Then
classes, learners and completions go in gzip batches, in that order, each item keyed by the id
it was made with. An item is marked acknowledged (`sync_acks`, per team) only after the hub
answered 2xx for its batch, in one local transaction: a sync stopped at any point leaves at
worst a batch the hub stored but the laptop does not know about, which the next run sends
again and the hub counts as "already". Nothing is lost and nothing is counted twice.

Names stay on the laptop unless the team asks (`with_names`): the hub then keeps '' for each
learner. A learner whose name changed (renamed, forgotten) is sent again after
`learner_changed`, and the hub overwrites the name it had.
"""

from __future__ import annotations

import gzip
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any

from kynangso.classroom import store
from kynangso.classroom.database import Connection, Target

BATCH = 500
RETRIES = 4  # after the first try: waits of 0.5, 1, 2 and 4 s
TIMEOUT_S = 60


class SyncError(Exception):
    """A sync that could not finish; the message is one line for the team. `totals` says what
    this run did before it stopped, and what is waiting."""

    totals: Totals | None = None


class Refused(SyncError):
    """The hub answered 401: the token is wrong or missing."""


@dataclass
class Totals:
    """Completions sent in this run, new at the hub, already there, and still not acknowledged."""

    sent: int = 0
    stored: int = 0
    already: int = 0
    waiting: int = 0
    others_waiting: int = 0  # classes and learners not acknowledged (the hub refused them)

    @property
    def done(self) -> bool:
        return self.waiting == 0 and self.others_waiting == 0

    def as_json(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "stored": self.stored,
            "already": self.already,
            "waiting": self.waiting,
        }


def learner_changed(connection: Connection, learner_id: str) -> None:
    """The learner's name changed here (renamed, or forgotten: set to ''), or the entry was
    merged into another entry of the same person: the next sync sends the learner again,
    whichever team the store synced as, and the hub takes the new name and `same_as`."""
    connection.execute("DELETE FROM sync_acks WHERE kind = 'learner' AND id = ?", (learner_id,))


class Hub:
    """The hub's sync endpoint, with the team's token, retries and backoff."""

    def __init__(self, url: str, token: str, retries: int = RETRIES) -> None:
        self.url = url.rstrip("/") + "/api/v1/sync"
        self.token, self.retries = token, retries

    def call(self, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """GET (no body) or POST a gzip batch; retried on network errors, 429 and 5xx."""
        data = None if body is None else gzip.compress(json.dumps(body).encode(), 6)
        for attempt in range(self.retries + 1):
            wait = 0.5 * 2**attempt
            try:
                return self._once(data)
            except urllib.error.HTTPError as exc:
                detail = _detail(exc)
                if exc.code == 401:
                    raise Refused(f"the hub refused the token (401): {detail}") from None
                if exc.code != 429 and exc.code < 500:
                    raise SyncError(f"the hub answered {exc.code}: {detail}") from None
                problem = f"the hub answered {exc.code}: {detail}"
                wait = max(wait, _retry_after(exc))
            except (urllib.error.URLError, OSError, HTTPException) as exc:
                problem = f"cannot reach the hub at {self.url}: {_reason(exc)}"
            if attempt < self.retries:
                time.sleep(min(wait, 30))
        raise SyncError(problem)

    def _once(self, data: bytes | None) -> dict[str, Any]:
        request = urllib.request.Request(
            self.url, data=data, method="GET" if data is None else "POST"
        )
        request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
            request.add_header("Content-Encoding", "gzip")
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            answer = json.loads(response.read())
        if not isinstance(answer, dict):
            raise SyncError("the hub's answer is not a JSON object: is this a kynangso hub?")
        return answer


def _detail(exc: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(exc.read())["detail"])
    except (ValueError, KeyError, TypeError, OSError):
        return str(exc.reason)


def _retry_after(exc: urllib.error.HTTPError) -> float:
    value = exc.headers.get("Retry-After", "") if exc.headers else ""
    return float(value) if value.isdigit() else 0.0


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "reason", "") or exc or type(exc).__name__)


def sync(
    db_path: Target,
    hub: Hub,
    *,
    with_names: bool = False,
    batch: int = BATCH,
    say: Callable[[str], None] = lambda _: None,
) -> Totals:
    """Send the hub everything of this store's own classes it has not acknowledged. Raises
    SyncError (with what is still waiting) when the hub cannot be reached or refuses."""
    connection = store.connect(db_path)
    totals = Totals()
    try:
        try:
            team = _whoami(connection, hub)
            for kind in ("classes", "learners", "completions"):
                _send(connection, hub, team, kind, with_names, batch, totals, say)
        except SyncError as exc:
            _count_waiting(connection, _last_team(connection), with_names, totals)
            error = Refused if isinstance(exc, Refused) else SyncError
            stopped = error(f"{exc}; {totals.waiting} completions waiting, kept in this store")
            stopped.totals = totals
            raise stopped from None
        _count_waiting(connection, team, with_names, totals)
        return totals
    finally:
        connection.close()


def _send(
    connection: Connection,
    hub: Hub,
    team: str,
    kind: str,
    with_names: bool,
    batch: int,
    totals: Totals,
    say: Callable[[str], None],
) -> None:
    """Every waiting item of one kind, `batch` at a time, each batch acknowledged on its 2xx."""
    items = _pending(connection, team, kind, with_names)
    for start in range(0, len(items), batch):
        chunk = items[start : start + batch]
        answer = hub.call({kind: chunk})
        _acknowledge(connection, team, kind, chunk, answer, with_names, say)
        if kind == "completions":
            totals.sent += len(chunk)
            totals.stored += int(answer[kind]["stored"])
            totals.already += int(answer[kind]["already"])


def _count_waiting(connection: Connection, team: str, with_names: bool, totals: Totals) -> None:
    totals.waiting = len(_pending(connection, team, "completions", with_names))
    totals.others_waiting = sum(
        len(_pending(connection, team, kind, with_names)) for kind in ("classes", "learners")
    )


def _whoami(connection: Connection, hub: Hub) -> str:
    """The team of the token, recorded in the store (merge uses it to keep classes apart)."""
    answer = hub.call()
    team = str(answer["team"])
    connection.execute(
        "INSERT INTO sync_team (team, name, place, hub, synced_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (team) DO UPDATE SET name = excluded.name, place = excluded.place,"
        " hub = excluded.hub, synced_at = excluded.synced_at",
        (team, str(answer.get("name", "")), str(answer.get("place", "")), hub.url, store.now()),
    )
    return team


def _last_team(connection: Connection) -> str:
    row = connection.execute(
        "SELECT team FROM sync_team ORDER BY synced_at DESC, team LIMIT 1"
    ).fetchone()
    return "" if row is None else str(row["team"])


_NOT_ACKED = (
    " NOT EXISTS (SELECT 1 FROM sync_acks a WHERE a.team = ? AND a.kind = ? AND a.id = {id}"
    " AND a.named = ?)"
)
_PENDING = {
    "classes": "SELECT code, name, created_at FROM classes k WHERE k.team = '' AND"
    + _NOT_ACKED.format(id="k.code")
    + " ORDER BY k.created_at, k.code",
    "learners": "SELECT l.id, l.class_code, l.name, l.joined_at, l.same_as FROM learners l"
    " JOIN classes k ON k.code = l.class_code WHERE k.team = '' AND"
    + _NOT_ACKED.format(id="l.id")
    + " ORDER BY l.joined_at, l.id",
    "completions": "SELECT c.id, c.class_code, c.learner_id, c.lesson, c.lang, c.score, c.total,"
    " c.passed, c.answered_at, c.received_at, c.answers FROM completions c"
    " JOIN classes k ON k.code = c.class_code WHERE k.team = '' AND"
    + _NOT_ACKED.format(id="c.id")
    + " ORDER BY c.received_at, c.id",
}
_KIND = {"classes": "class", "learners": "learner", "completions": "completion"}


def _pending(
    connection: Connection, team: str, kind: str, with_names: bool
) -> list[dict[str, Any]]:
    """Items of `kind` not acknowledged for `team`, as the hub reads them. A learner counts as
    acknowledged only with the same choice of names, so adding or dropping --with-names sends
    every learner once more."""
    named = int(with_names and kind == "learners")
    rows = connection.execute(_PENDING[kind], (team, _KIND[kind], named))
    return [wire(kind, dict(row), with_names) for row in rows]


def wire(kind: str, row: dict[str, Any], with_names: bool = True) -> dict[str, Any]:
    """A store row as the hub's sync endpoint reads it (merge sends the same)."""
    if kind == "learners" and not with_names:
        return {**row, "name": ""}
    if kind != "completions":
        return row
    answers = row.get("answers")
    return {
        **row,
        "passed": bool(row["passed"]),
        "answers": None if answers is None else [mark == "1" for mark in answers],
    }


def _acknowledge(
    connection: Connection,
    team: str,
    kind: str,
    sent: list[dict[str, Any]],
    answer: dict[str, Any],
    with_names: bool,
    say: Callable[[str], None],
) -> None:
    """Mark what the hub took (stored or already there); what it refused stays waiting."""
    key = "code" if kind == "classes" else "id"
    refused = {str(r["id"]) for r in answer.get("rejected", []) if r.get("kind") == kind}
    for problem in answer.get("rejected", [])[:20]:
        say(f"the hub refused {_KIND[kind]} {problem['id']}: {problem['detail']}")
    named = int(with_names and kind == "learners")
    rows = [(team, _KIND[kind], item[key], named) for item in sent if item[key] not in refused]
    connection.execute("BEGIN")
    try:
        connection.executemany(
            "INSERT INTO sync_acks (team, kind, id, named) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (team, kind, id) DO UPDATE SET named = excluded.named",
            rows,
        )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
