"""One cap on every request body, before it is read: ASGI middleware in front of the whole app."""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 16 * 1024  # for every request: a completion is under 1 KB, a login under 200 bytes


class BodyLimit:
    """ASGI middleware: no request body over `limit` bytes is ever read, for any endpoint.

    A declared Content-Length over the limit is answered 413 before anything is read; a body
    without one (chunked) is counted as it arrives and cut with a 413 the moment it passes the
    limit, so a 1 GB upload costs at most `limit` bytes of memory. `paths` gives a few exact
    paths a cap of their own (the hub's sync takes batches, not single completions)."""

    def __init__(
        self, app: ASGIApp, limit: int = MAX_BODY, paths: Mapping[str, int] | None = None
    ) -> None:
        self.app, self.limit, self.paths = app, limit, dict(paths or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.paths.get(scope["path"], self.limit)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._too_large(send, limit)
            return
        state = {"read": 0, "cut": False, "started": False}

        async def limited_receive() -> Message:
            if state["cut"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["read"] += len(message.get("body", b""))
                if state["read"] > limit:
                    state["cut"] = True
                    if not state["started"]:
                        await self._too_large(send, limit)
                    # the endpoint sees a client that went away and stops reading
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if state["cut"]:
                return  # the 413 is the answer
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not state["cut"]:
                raise  # a real fault; a cut body only makes the endpoint give up reading

    async def _too_large(self, send: Send, limit: int) -> None:
        body = json.dumps({"detail": f"body over {limit} bytes"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
