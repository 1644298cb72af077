"""Class mode: the facilitator's laptop serves the built site, the completions API and the coach
dashboard. `create_app(site_dir, db_path)` builds the ASGI app; `kynangso serve` runs it.

Every request body is read with a size limit and validated here, so bad input gets a 4xx with
a reason and never reaches SQLite: no 5xx for anything a phone can send.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

from . import store
from .coach import off_the_loop, render_dashboard_from, render_login
from .export import class_csv
from .static import SiteApp
from .writer import Writer

M = TypeVar("M", bound=BaseModel)
MAX_BODY = 16 * 1024
SESSION_COOKIE = "kns_coach"
LOGIN_LIMIT = 5  # failed PINs per class code (and per address) in the window below
LOGIN_WINDOW_S = 600
ID = r"^[A-Za-z0-9_-]{1,64}$"
CHECKPOINT_EVERY_S = 2.0


def _no_lone_surrogates(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text must be valid Unicode") from exc
    return value


class LearnerIn(BaseModel):
    """A phone joining a class: just a display name, no account."""

    model_config = ConfigDict(extra="forbid")
    name: StrictStr = Field(description="Display name, 1–80 characters")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = _no_lone_surrogates(value).strip()
        if not 1 <= len(value) <= 80:
            raise ValueError("name must be 1 to 80 characters")
        return value


class LearnerOut(BaseModel):
    learner_id: str = Field(description="Id the phone sends with each completion")
    class_name: str = Field(description="Name of the class joined")


class CompletionIn(BaseModel):
    """One quiz attempt finished on a phone, sent (maybe again) from its outbox."""

    model_config = ConfigDict(extra="forbid")
    id: Annotated[StrictStr, Field(pattern=ID, description="Attempt id made on the phone (a UUID)")]
    class_code: Annotated[StrictStr, Field(pattern=r"^[A-Z0-9]{6}$", description="Class code")]
    learner_id: Annotated[StrictStr, Field(pattern=ID, description="From joining the class")]
    lesson: Annotated[
        StrictStr,
        Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80, description="Lesson id"),
    ]
    lang: Literal["vi", "en"] = Field(description="Language the quiz was taken in")
    score: Annotated[StrictInt, Field(ge=0, le=1000, description="Questions answered right")]
    total: Annotated[StrictInt, Field(ge=1, le=1000, description="Questions in the quiz")]
    passed: StrictBool = Field(description="Whether the score reached the pass mark")
    answered_at: StrictStr = Field(
        description="When it was finished, ISO 8601", json_schema_extra={"format": "date-time"}
    )
    answers: list[StrictBool] | None = Field(
        default=None,
        max_length=1000,
        description="Optional: right (true) or wrong per question, in order",
    )

    @field_validator("answered_at")
    @classmethod
    def _when(cls, value: str) -> str:
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError("answered_at must be an ISO 8601 date and time") from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC).isoformat(timespec="seconds")

    @model_validator(mode="after")
    def _consistent(self) -> CompletionIn:
        if self.score > self.total:
            raise ValueError("score cannot be more than total")
        if self.answers is not None and len(self.answers) != self.total:
            raise ValueError("answers must have one entry per question")
        return self


class Saved(BaseModel):
    id: str
    stored: Literal["new", "already stored"]


def _error(status: int, detail: Any) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


async def _json_body(request: Request) -> Any:
    """The request's JSON, or a 413/400 response; never more than MAX_BODY bytes are read."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        return _error(413, f"body over {MAX_BODY} bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return _error(413, f"body over {MAX_BODY} bytes")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _error(400, "body is not valid JSON")


async def _parsed(request: Request, model: type[M]) -> M | Response:
    """The request body as `model`, or the 400/413/422 response that says why not."""
    body = await _json_body(request)
    if isinstance(body, Response):
        return body
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        return _validation(exc)


def _body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI for a JSON body that the endpoint reads itself (to bound its size)."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }


def _validation(exc: ValidationError) -> JSONResponse:
    details = [
        {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
        for e in exc.errors(include_url=False, include_input=False)
    ]
    return _error(422, details)


class _Attempts:
    """Failed coach logins per key in a sliding window, in memory."""

    def __init__(self) -> None:
        self.failures: dict[str, deque[float]] = defaultdict(deque)

    def blocked(self, *keys: str) -> bool:
        cutoff = time.monotonic() - LOGIN_WINDOW_S
        for key in keys:
            window = self.failures[key]
            while window and window[0] < cutoff:
                window.popleft()
            if len(window) >= LOGIN_LIMIT:
                return True
        return False

    def failed(self, *keys: str) -> None:
        for key in keys:
            self.failures[key].append(time.monotonic())


def load_catalog(site_dir: Path) -> dict[str, Any]:
    path = site_dir / "catalog.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: build the site with 'kynangso build' first")
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def create_app(site_dir: Path, db_path: Path) -> FastAPI:
    """The whole class-mode server for one built site and one SQLite store."""
    site_dir = site_dir.resolve()
    catalog = load_catalog(site_dir)
    connection = store.connect(db_path)  # reads; every write goes through the writer
    writer = Writer(db_path)
    attempts = _Attempts()
    app = FastAPI(
        title="Kỹ năng số class mode",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.connection = connection

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async def checkpoints() -> None:
            while True:
                await asyncio.sleep(CHECKPOINT_EVERY_S)
                await asyncio.to_thread(store.checkpoint, db_path)

        await writer.start()
        task = asyncio.create_task(checkpoints())
        yield
        task.cancel()
        await writer.stop()
        # TRUNCATE, not PASSIVE: after a busy class the WAL file goes back to zero bytes.
        await asyncio.to_thread(store.checkpoint, db_path, "TRUNCATE")

    app.router.lifespan_context = lifespan

    @app.get("/api/v1/health", tags=["api"])
    async def health() -> dict[str, bool]:
        return {"ok": True}

    @app.post(
        "/api/v1/classes/{code}/learners",
        tags=["api"],
        status_code=201,
        response_model=LearnerOut,
        openapi_extra=_body_schema(LearnerIn),
        responses={
            400: {"description": "Malformed JSON"},
            404: {"description": "Unknown class"},
            413: {"description": "Body too large"},
            422: {"description": "Bad name"},
        },
    )
    async def join(code: str, request: Request) -> Any:
        learner = await _parsed(request, LearnerIn)
        if isinstance(learner, Response):
            return learner
        name = store.class_name(connection, code)
        if name is None:
            return _error(404, "unknown class code")
        try:
            learner_id = await writer.do(store.add_learner, code, learner.name)
        except store.StoreError:
            return _error(404, "unknown class code")
        return JSONResponse({"learner_id": learner_id, "class_name": name}, status_code=201)

    @app.post(
        "/api/v1/completions",
        tags=["api"],
        status_code=201,
        response_model=Saved,
        openapi_extra=_body_schema(CompletionIn),
        responses={
            200: {"description": "That id was already stored (counted once)", "model": Saved},
            400: {"description": "Malformed JSON"},
            404: {"description": "Unknown class or learner"},
            413: {"description": "Body too large"},
            422: {"description": "Wrong types or unknown lesson"},
        },
    )
    async def complete(request: Request) -> Any:
        completion = await _parsed(request, CompletionIn)
        if isinstance(completion, Response):
            return completion
        if completion.lesson not in catalog["lessons"]:
            return _error(422, f"unknown lesson '{completion.lesson}'")
        try:
            new = await writer.do(store.add_completion, store.Completion(**completion.model_dump()))
        except store.StoreError:
            return _error(404, "unknown class or learner")
        return JSONResponse(
            {"id": completion.id, "stored": "new" if new else "already stored"},
            status_code=201 if new else 200,
        )

    @app.get("/coach/", response_class=HTMLResponse, include_in_schema=False)
    async def coach(request: Request) -> Response:
        code = store.session_class(connection, request.cookies.get(SESSION_COOKIE))
        if code is None:
            return HTMLResponse(render_login())
        # SQL and templating in the coach thread, on a read connection of its own: the phones'
        # requests keep flowing while a coach looks at a big class.
        page = await off_the_loop(render_dashboard_from, db_path, code, catalog)
        return HTMLResponse(page)

    @app.post("/coach/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = parse_qs((await request.body())[:4096].decode("utf-8", "replace"))
        code = (form.get("code") or [""])[0].strip().upper()
        pin = (form.get("pin") or [""])[0]
        client = request.client.host if request.client else "?"
        if attempts.blocked(f"code:{code}", f"ip:{client}"):
            return HTMLResponse(
                render_login("too-many"),
                status_code=429,
                headers={"Retry-After": str(LOGIN_WINDOW_S)},
            )
        if not code or not store.check_pin(connection, code, pin):
            attempts.failed(f"code:{code}", f"ip:{client}")
            return HTMLResponse(render_login("wrong"), status_code=401)
        token = await writer.do(store.open_session, code)
        response = RedirectResponse("/coach/", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            max_age=12 * 3600,
            path="/coach/",
        )
        return response

    @app.post("/coach/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await writer.do(store.close_session, token)
        response = RedirectResponse("/coach/", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/coach/")
        return response

    @app.get("/coach/completions.csv", include_in_schema=False)
    async def coach_csv(request: Request) -> Response:
        code = store.session_class(connection, request.cookies.get(SESSION_COOKIE))
        if code is None:
            return RedirectResponse("/coach/", status_code=303)
        body = await off_the_loop(class_csv, db_path, code, catalog)
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="kynangso-{code}.csv"'},
        )

    app.mount("/", SiteApp(site_dir), name="site")
    return app
