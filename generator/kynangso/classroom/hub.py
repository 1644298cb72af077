"""The commune hub's side of sync: teams, their tokens, and the union of what laptops send.

The hub is the same `kynangso serve`; a team's laptop posts batches of classes, learners and
completions to `/api/v1/sync` with its team's token. At the hub a class belongs to a team: the
class a laptop calls ABC234 is kept under the code `<team>-ABC234` (with `classes.team` set), so
two laptops that drew the same 6-character code stay two classes, and a team's token can only
ever name its own classes. Learners and completions keep the ids made on the phone or laptop and
are stored once: sending them again is harmless, which makes sync and merge safe to repeat.

Every completion is checked again exactly as the completions API checks a phone's
(`CompletionIn` and `catalog_problem`); one that fails is reported back by id and the rest of
the batch is stored.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import secrets
import zlib
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError, field_validator

from kynangso.catalog import Catalog
from kynangso.classroom import sessions, store
from kynangso.classroom.api import ID, CompletionIn, catalog_problem
from kynangso.classroom.database import Connection
from kynangso.classroom.writer import Writer

SYNC_PATH = "/api/v1/sync"
MAX_SYNC_BODY = 1024 * 1024  # compressed, as sent: a batch of 500 completions is ~30 KB
MAX_SYNC_JSON = 8 * 1024 * 1024  # decompressed: more is a gzip bomb, refused with 413
MAX_ITEMS = 1000  # of each kind per request; the laptop sends 500
CODE = r"^[A-Z0-9]{6}$"
KINDS = ("classes", "learners", "completions")


class HubError(Exception):
    """A sync request the hub refuses as a whole, with its HTTP status."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


# --- teams ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    place: str


def create_team(connection: Connection, name: str, place: str = "") -> tuple[Team, str]:
    """A new team and its token (256 random bits), which is returned once and kept only as
    its sha256."""
    token = secrets.token_urlsafe(32)
    return add_team(connection, name, place, sessions.token_hash(token)), token


def add_team(connection: Connection, name: str, place: str, token_hash: str) -> Team:
    """A team with a fresh id; `token_hash` '' for a team that cannot sync (made by merge)."""
    for _ in range(100):
        team_id = "".join(secrets.choice(store.CODE_ALPHABET) for _ in range(store.CODE_LENGTH))
        cursor = connection.execute(
            "INSERT INTO teams (id, name, place, token_hash, created_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            (team_id, name, place, token_hash, store.now()),
        )
        if cursor.rowcount == 1:
            return Team(team_id, name, place)
    raise store.StoreError("could not find a free team id")


def team_by_token(connection: Connection, token: str) -> Team | None:
    if not token:
        return None
    row = connection.execute(
        "SELECT id, name, place FROM teams WHERE token_hash = ?", (sessions.token_hash(token),)
    ).fetchone()
    return None if row is None else Team(row["id"], row["name"], row["place"])


def hub_code(team: str, code: str) -> str:
    """The code a team's class is kept under at the hub."""
    return f"{team}-{code}"


# --- what a laptop sends ------------------------------------------------------------------------


def _text(value: str, longest: int, shortest: int = 0) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text must be valid Unicode") from exc
    if not shortest <= len(value) <= longest:
        raise ValueError(f"must be {shortest} to {longest} characters")
    return value


class SyncClass(BaseModel):
    """A class as the laptop made it."""

    model_config = ConfigDict(extra="forbid")
    code: Annotated[StrictStr, Field(pattern=CODE, description="The laptop's class code")]
    name: StrictStr = Field(description="Class name, 1–80 characters")
    created_at: StrictStr = Field(max_length=64, description="When the laptop made it")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _text(value, 80, 1)


class SyncLearner(BaseModel):
    """A learner of one of the team's classes; `name` is '' unless the team sends names."""

    model_config = ConfigDict(extra="forbid")
    id: Annotated[StrictStr, Field(pattern=ID, description="Learner id made by the laptop")]
    class_code: Annotated[StrictStr, Field(pattern=CODE, description="The laptop's class code")]
    name: StrictStr = Field(description="Display name, or '' when names are not sent")
    joined_at: StrictStr = Field(max_length=64, description="When the learner joined")
    same_as: Annotated[StrictStr, Field(pattern=ID)] | None = Field(
        default=None, description="The entry of the same person this one was merged into"
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _text(value, 80)


class SyncCompletion(CompletionIn):
    """A completion as the phone sent it, with the time the laptop received it."""

    received_at: StrictStr | None = Field(
        default=None, max_length=64, description="When the laptop received it, ISO 8601"
    )


@dataclass
class Batch:
    """One request's items that passed the checks, and why the others did not."""

    classes: list[SyncClass] = field(default_factory=list)
    learners: list[SyncLearner] = field(default_factory=list)
    completions: list[SyncCompletion] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)

    def reject(self, kind: str, item: Any, detail: str) -> None:
        item_id = (
            item.get("code" if kind == "classes" else "id") if isinstance(item, dict) else None
        )
        self.rejected.append({"kind": kind, "id": str(item_id), "detail": detail})


def read_body(raw: bytes, encoding: str | None) -> dict[str, Any]:
    """The request's JSON object, gunzipped when sent with Content-Encoding: gzip; never more
    than MAX_SYNC_JSON bytes are unpacked, whatever the body claims."""
    if (encoding or "").strip().lower() == "gzip":
        unpacker = zlib.decompressobj(wbits=31)
        try:
            raw = unpacker.decompress(raw, MAX_SYNC_JSON)
        except zlib.error as exc:
            raise HubError(400, f"body is not valid gzip: {exc}") from None
        if unpacker.unconsumed_tail:
            raise HubError(413, f"body unpacks to more than {MAX_SYNC_JSON} bytes")
        if not unpacker.eof:
            raise HubError(400, "body is not valid gzip: it ends too early")
    elif encoding and encoding.strip().lower() != "identity":
        raise HubError(415, f"Content-Encoding '{encoding}' is not gzip")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise HubError(400, "body is not valid JSON") from None
    if not isinstance(body, dict) or set(body) - set(KINDS):
        raise HubError(422, f"body must be a JSON object with lists {', '.join(KINDS)}")
    return body


def check_batch(body: dict[str, Any], catalog: Catalog) -> Batch:
    """Each item checked on its own, as the class server checks a phone's: an item that fails
    is rejected with its reason, and the others go on."""
    batch = Batch()
    for kind, model in (("classes", SyncClass), ("learners", SyncLearner)):
        for item in _items(body, kind):
            try:
                getattr(batch, kind).append(model.model_validate(item))
            except ValidationError as exc:
                batch.reject(kind, item, _reason(exc))
    for item in _items(body, "completions"):
        try:
            completion = SyncCompletion.model_validate(item)
        except ValidationError as exc:
            batch.reject("completions", item, _reason(exc))
            continue
        problem = catalog_problem(completion, catalog)
        if problem is not None:
            batch.reject("completions", item, problem)
        else:
            batch.completions.append(completion)
    return batch


def _items(body: dict[str, Any], kind: str) -> list[Any]:
    items = body.get(kind, [])
    if not isinstance(items, list):
        raise HubError(422, f"{kind} must be a list")
    if len(items) > MAX_ITEMS:
        raise HubError(413, f"at most {MAX_ITEMS} {kind} per request, not {len(items)}")
    return items


def _reason(exc: ValidationError) -> str:
    problem = exc.errors()[0]
    where = ".".join(str(part) for part in problem["loc"])
    return f"{where}: {problem['msg']}" if where else str(problem["msg"])


# --- storing it ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one batch did at the hub, per kind: new, already there, refused."""

    stored: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    already: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    rejected: list[dict[str, str]] = field(default_factory=list)

    def count(self, kind: str, new: bool) -> None:
        (self.stored if new else self.already)[kind] += 1

    def as_json(self, team: str) -> dict[str, Any]:
        return {
            "team": team,
            **{k: {"stored": self.stored[k], "already": self.already[k]} for k in KINDS},
            "rejected": self.rejected,
        }


def store_batch(connection: Connection, team: str, batch: Batch) -> Outcome:
    """Add a checked batch to the store for `team`, each item once. Classes first, then their
    learners, then completions, so one request can carry all three."""
    outcome = Outcome(rejected=list(batch.rejected))
    for sent_class in batch.classes:
        outcome.count("classes", _store_class(connection, team, sent_class))
    for learner in batch.learners:
        problem = _store_learner(connection, team, learner, outcome)
        if problem is not None:
            outcome.rejected.append({"kind": "learners", "id": learner.id, "detail": problem})
    stored = store.insert_completions(
        connection, [_received(team, completion) for completion in batch.completions]
    )
    for completion, new in zip(batch.completions, stored, strict=True):
        if new is None:
            detail = "unknown class or learner: send the learner first"
            outcome.rejected.append({"kind": "completions", "id": completion.id, "detail": detail})
        else:
            outcome.count("completions", new)
    return outcome


def _store_class(connection: Connection, team: str, sent: SyncClass) -> bool:
    # No PIN travels: a synced class has a random hash no PIN matches, so the hub's dashboard
    # opens it to nobody by a team's class PIN.
    cursor = connection.execute(
        "INSERT INTO classes (code, name, pin_salt, pin_hash, created_at, team)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
        (
            hub_code(team, sent.code),
            sent.name,
            secrets.token_bytes(16),
            secrets.token_bytes(32),
            sent.created_at,
            team,
        ),
    )
    return bool(cursor.rowcount == 1)


def _store_learner(
    connection: Connection, team: str, learner: SyncLearner, outcome: Outcome
) -> str | None:
    """Store a learner once; a learner sent again gets the name sent (so a name forgotten on
    the laptop is dropped here too). Returns why it was refused, or None."""
    code = hub_code(team, learner.class_code)
    row = connection.execute(
        "SELECT class_code FROM learners WHERE id = ?", (learner.id,)
    ).fetchone()
    if row is not None:
        if row["class_code"] != code:
            return "learner id belongs to another class"
        connection.execute("UPDATE learners SET name = ? WHERE id = ?", (learner.name, learner.id))
        _same_person(connection, code, learner)
        outcome.count("learners", False)
        return None
    if connection.execute("SELECT 1 FROM classes WHERE code = ?", (code,)).fetchone() is None:
        return f"unknown class '{learner.class_code}': send the class first"
    cursor = connection.execute(
        "INSERT INTO learners (id, class_code, name, joined_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (id) DO NOTHING",
        (learner.id, code, learner.name, learner.joined_at),
    )
    _same_person(connection, code, learner)
    outcome.count("learners", cursor.rowcount == 1)
    return None


def _same_person(connection: Connection, code: str, learner: SyncLearner) -> None:
    """Keep the laptop's merge of two entries of one person, so the hub counts that resident
    once too. The kept entry may arrive later in the same sync; one of another class never
    counts (a team cannot fold a resident into someone else's class)."""
    same_as = learner.same_as
    if same_as is not None:
        row = connection.execute(
            "SELECT class_code FROM learners WHERE id = ?", (same_as,)
        ).fetchone()
        if row is not None and row["class_code"] != code:
            same_as = None
    connection.execute("UPDATE learners SET same_as = ? WHERE id = ?", (same_as, learner.id))


def _received(team: str, completion: SyncCompletion) -> tuple[store.Completion, str]:
    """A sent completion as the class server would store it, in the team's class, with the
    laptop's receipt time: the batch's completions then go in by one statement
    (`store.insert_completions`)."""
    sent = completion.model_dump(exclude={"received_at"})
    row = store.Completion(**{**sent, "class_code": hub_code(team, completion.class_code)})
    return row, received_time(completion.received_at)


def received_time(sent: str | None) -> str:
    """The laptop's receipt time when it is plausible (not before 2024, not in the hub's
    future), else now: a laptop's wrong clock cannot move a completion's day either."""
    now = dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(sent or "")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        if store.EARLIEST_PLAUSIBLE <= moment <= now + store.AHEAD_ALLOWED:
            return moment.astimezone(dt.UTC).isoformat(timespec="seconds")
    except (ValueError, OverflowError):
        pass
    return now.isoformat(timespec="seconds")


# --- the endpoint -------------------------------------------------------------------------------


def sync_routes(connection: Connection, writer: Writer, catalog: Catalog) -> APIRouter:
    """`GET /api/v1/sync` names the team of a token; `POST /api/v1/sync` takes a batch."""
    api = APIRouter(prefix="/api/v1", tags=["sync"])
    responses: dict[int | str, dict[str, Any]] = {
        401: {"description": "No team token, or not one this hub knows"},
    }

    def team_of(request: Request) -> Team:
        # Checked before the body is read: a stranger's upload costs the hub nothing.
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(
                401,
                "no team token: send 'Authorization: Bearer TOKEN' with the token"
                " 'kynangso team create' printed",
                headers={"WWW-Authenticate": "Bearer"},
            )
        team = team_by_token(connection, token.strip())
        if team is None:
            raise HTTPException(
                401, "unknown team token for this hub", headers={"WWW-Authenticate": "Bearer"}
            )
        return team

    @api.get("/sync", responses=responses)
    async def whoami(request: Request) -> dict[str, str]:
        team = team_of(request)
        return {"team": team.id, "name": team.name, "place": team.place}

    @api.post(
        "/sync",
        responses={
            **responses,
            400: {"description": "Not gzip or not JSON"},
            413: {"description": "Body or its unpacked JSON too large, or too many items"},
        },
    )
    async def take(request: Request) -> dict[str, Any]:
        team = team_of(request)
        raw = await request.body()  # capped at MAX_SYNC_BODY by BodyLimit
        encoding = request.headers.get("content-encoding")
        try:
            # Unpacking and checking 500 completions is CPU work: off the event loop.
            batch = await asyncio.to_thread(_parse, raw, encoding, catalog)
        except HubError as exc:
            raise HTTPException(exc.status, exc.detail) from None
        outcome = await writer.do(store_batch, team.id, batch)
        return outcome.as_json(team.id)

    return api


def _parse(raw: bytes, encoding: str | None, catalog: Catalog) -> Batch:
    return check_batch(read_body(raw, encoding), catalog)
