"""Coach sessions: the token behind the dashboard's cookie, kept in the store only as its
sha256 (`token_hash`, also what the hub keeps of a team's token and the commune view of its
sessions' tokens), so a copy of the store opens nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from kynangso.classroom.database import Connection
from kynangso.classroom.store import now


def token_hash(token: str) -> str:
    """What the store keeps of a session token: a copy of the store (a backup, a stick) then
    holds nothing that opens the dashboard. The token is 256 random bits: no salt needed."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def open_session(connection: Connection, code: str, hours: int = 12) -> str:
    """A new coach session for `code`; returns the token for the cookie (stored only hashed)."""
    token = secrets.token_urlsafe(32)
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
    connection.execute("DELETE FROM sessions WHERE expires_at < ?", (now(),))
    connection.execute(
        "INSERT INTO sessions (token_hash, class_code, expires_at) VALUES (?, ?, ?)",
        (token_hash(token), code, expires.isoformat(timespec="seconds")),
    )
    return token


def session_class(connection: Connection, token: str | None) -> str | None:
    if not token:
        return None
    row = connection.execute(
        "SELECT class_code FROM sessions WHERE token_hash = ? AND expires_at >= ?",
        (token_hash(token), now()),
    ).fetchone()
    return None if row is None else str(row["class_code"])


def close_session(connection: Connection, token: str) -> None:
    connection.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash(token),))
