"""A fast lane for the phones' commonest request: a plainly right `POST /api/v1/completions`.

At a class or at the commune hub, most requests are phones posting a finished quiz. Through
the framework's whole stack (middleware, routing, dependency solving, response model) such a
request cost the server more than the writing of it. This ASGI middleware, in front of the
app, answers the ordinary case itself, with the route's own steps: the same model
(`CompletionIn`), the same catalog check, the same writer, the same answer. Anything else
(no Content-Length, a body over the cap, not JSON, any field the model refuses, a result the
catalog refuses, an unknown learner) is handed on untouched, body included, to the FastAPI
route, which answers it exactly as before: the route stays the contract and the OpenAPI
schema, and its error shapes stay in one place.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kynangso.catalog import Catalog
from kynangso.classroom import store
from kynangso.classroom.api import CompletionIn, catalog_problem
from kynangso.classroom.bodylimit import MAX_BODY
from kynangso.classroom.writer import Writer

PATH = "/api/v1/completions"


class CompletionsLane:
    """Answers a plainly right completion post; hands every other request to `app` (the
    app's whole middleware stack: `ClassApp` puts the lane in front of it)."""

    def __init__(self, app: ASGIApp, catalog: Catalog, writer: Writer) -> None:
        self.app, self.catalog, self.writer = app, catalog, writer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        length = _json_length(scope)
        if length is None:  # chunked, too large, or not JSON: the route (and BodyLimit) decide
            await self.app(scope, receive, send)
            return
        body, ended = await _read(receive, length)
        if not ended:  # more than declared, or the phone went away: the route decides
            await self.app(scope, _replay(body, receive), send)
            return
        answer = await self._store(body)
        if answer is None:
            await self.app(scope, _replay(body, receive), send)
            return
        status, payload = answer
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-length", str(len(payload)).encode()),
                    (b"content-type", b"application/json"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    async def _store(self, body: bytes) -> tuple[int, bytes] | None:
        """(status, body) of the route's answer for a completion it would store, or None when
        the route must answer (whatever it would refuse, for whatever reason)."""
        try:
            completion = CompletionIn.model_validate(json.loads(body))
        except (ValueError, ValidationError):  # ValueError: not JSON (UnicodeDecodeError too)
            return None
        if catalog_problem(completion, self.catalog) is not None:
            return None
        try:
            new = await self.writer.do(
                store.add_completion, store.Completion(**completion.model_dump())
            )
        except Exception:  # noqa: BLE001 - the route tries once more and answers it as ever
            # An unknown learner (404), a store that is down (500): nothing was stored, and
            # the route's own handling (outside this lane) gives the answer it always gave.
            return None
        saved = {"id": completion.id, "stored": "new" if new else "already stored"}
        return (201 if new else 200), json.dumps(saved, separators=(",", ":")).encode()


def _json_length(scope: Scope) -> int | None:
    """The declared length of a JSON body within the cap, else None. A body without a
    Content-Type is read as JSON, as the route does (phones' are)."""
    length = content_type = None
    for name, value in scope["headers"]:
        if name == b"content-length":
            length = value
        elif name == b"content-type":
            content_type = value
    if length is None or not length.isdigit() or int(length) > MAX_BODY:
        return None
    if content_type is not None and content_type.split(b";")[0].strip().lower() != (
        b"application/json"
    ):
        return None
    return int(length)


async def _read(receive: Receive, length: int) -> tuple[bytes, bool]:
    """The body, and whether it ended where its Content-Length said."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts), False
        chunk = message.get("body", b"")
        parts.append(chunk)
        size += len(chunk)
        if size > length:
            return b"".join(parts), False
        if not message.get("more_body", False):
            return b"".join(parts), size == length


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the body already read, then whatever the client sends next."""
    given = False

    async def replayed() -> Message:
        nonlocal given
        if not given:
            given = True
            message: dict[str, Any] = {"type": "http.request", "body": body, "more_body": False}
            return message
        return await receive()

    return replayed
