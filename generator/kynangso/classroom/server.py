"""Class mode: the facilitator's laptop serves the built site, the completions API and the coach
dashboard. `create_app(site_dir, db_path)` builds the ASGI app; `kynangso serve` runs it.

Every request body is capped before it is read (`BodyLimit`), FastAPI validates the API's
bodies against the typed models of `api`, and every completion is checked against the built
catalog, so bad or forged input gets a 4xx with a reason and never reaches SQLite: no 5xx for
anything a phone can send. One exception handler gives every refused body the same shape.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp

from kynangso.catalog import Catalog, load_catalog
from kynangso.classroom import database, pins, roster, sessions, store, storefile
from kynangso.classroom.api import CompletionIn, LearnerIn, LearnerOut, Saved, catalog_problem
from kynangso.classroom.bodylimit import MAX_BODY, BodyLimit
from kynangso.classroom.coach import (
    coach_address,
    coach_language,
    off_the_loop,
    render_dashboard_from,
    render_login,
    start_coach_work,
    stop_coach_work,
)
from kynangso.classroom.export import class_csv
from kynangso.classroom.forget import forget_learner
from kynangso.classroom.hub import MAX_SYNC_BODY, SYNC_PATH, sync_routes
from kynangso.classroom.lane import CompletionsLane
from kynangso.classroom.logins import LoginLimiter, laptop_addresses, own_address
from kynangso.classroom.manage import commune_routes, manage_routes
from kynangso.classroom.poster import poster_router
from kynangso.classroom.static import SiteApp
from kynangso.classroom.writer import Writer

__all__ = ["MAX_BODY", "ClassApp", "ClassMode", "LoginLimiter", "create_app"]

SESSION_COOKIE = "kns_coach"
PIN_CHECKS_AT_ONCE = 2  # scrypt needs 16 MB and ~0.2 s: leave threads for the writer
CHECKPOINT_EVERY_S = 2.0
BAD_JSON = "body is not valid JSON"


@dataclass
class ClassMode:
    """What the routes of one server share: the built catalog, the store (a read connection
    and the one writer), and the coach-login limits."""

    site_dir: Path
    db_path: database.Target  # a SQLite path or a PostgreSQL URL
    catalog: Catalog
    connection: database.Connection  # reads; every write goes through the writer
    writer: Writer
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    laptop: frozenset[str] = field(default_factory=laptop_addresses)
    pin_checks: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(PIN_CHECKS_AT_ONCE)
    )

    @classmethod
    def open(cls, site_dir: Path, db_path: database.Target) -> ClassMode:
        site_dir = site_dir.resolve()
        catalog = load_catalog(site_dir)  # first: a missing site opens no store
        return cls(site_dir, db_path, catalog, store.connect(db_path), Writer(db_path))


def create_app(site_dir: Path, db_path: database.Target) -> FastAPI:
    """The whole class-mode server for one built site and one class store (a SQLite path or a
    PostgreSQL URL)."""
    mode = ClassMode.open(site_dir, db_path)
    app = ClassApp(
        mode,
        title="Kỹ năng số class mode",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan(mode),
        # JSON bodies sent without a Content-Type are still read as JSON, as phones' are
        strict_content_type=False,
    )
    app.state.connection = mode.connection
    app.add_middleware(BodyLimit, limit=MAX_BODY, paths={SYNC_PATH: MAX_SYNC_BODY})
    app.add_exception_handler(RequestValidationError, refused_body)
    app.include_router(api_routes(mode))
    app.include_router(sync_routes(mode.connection, mode.writer, mode.catalog))  # the hub's side
    app.include_router(coach_routes(mode))
    app.include_router(poster_router(SESSION_COOKIE))  # /coach/poster: the class's own poster
    app.include_router(manage_routes(mode, SESSION_COOKIE))  # rename, close, merge
    app.include_router(commune_routes(mode))  # /coach/commune/: behind the commune PIN
    app.mount("/", SiteApp(mode.site_dir), name="site")
    return app


class ClassApp(FastAPI):
    """The class server's FastAPI app, with the completions lane (`CompletionsLane`) in front
    of its whole middleware stack, error handling included: a plainly right completion post is
    answered there, everything else goes through the stack to the routes."""

    def __init__(self, mode: ClassMode, **settings: Any) -> None:
        super().__init__(**settings)
        self.mode = mode

    def build_middleware_stack(self) -> ASGIApp:
        return CompletionsLane(
            super().build_middleware_stack(), self.mode.catalog, self.mode.writer
        )


def _lifespan(mode: ClassMode) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    """The writer thread and the background WAL checkpoints (SQLite's; PostgreSQL keeps its
    own), for as long as the server runs."""
    sqlite = None if database.is_url(mode.db_path) else Path(mode.db_path)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async def checkpoints(db_path: Path) -> None:
            while True:
                await asyncio.sleep(CHECKPOINT_EVERY_S)
                await asyncio.to_thread(storefile.checkpoint, db_path)

        await mode.writer.start()
        start_coach_work(mode.db_path)
        task = asyncio.create_task(checkpoints(sqlite)) if sqlite is not None else None
        yield
        if task is not None:
            task.cancel()
        await mode.writer.stop()
        await asyncio.to_thread(stop_coach_work)
        if sqlite is not None:
            # TRUNCATE, not PASSIVE: after a busy class the WAL file goes back to zero bytes.
            await asyncio.to_thread(storefile.checkpoint, sqlite, "TRUNCATE")

    return lifespan


async def refused_body(request: Request, exc: Exception) -> JSONResponse:
    """A body FastAPI could not read as its model: 400 when it is not JSON at all (or empty),
    else 422 with one `{loc, msg, type}` per problem, `loc` counted from the body itself."""
    assert isinstance(exc, RequestValidationError)
    problems = exc.errors()
    if any(p["type"] == "json_invalid" for p in problems) or not await request.body():
        return JSONResponse({"detail": BAD_JSON}, status_code=400)
    detail = [{"loc": _from_body(p["loc"]), "msg": p["msg"], "type": p["type"]} for p in problems]
    return JSONResponse({"detail": detail}, status_code=422)


def _from_body(loc: tuple[Any, ...]) -> list[Any]:
    return list(loc[1:] if loc[:1] == ("body",) else loc)


BODY_PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed JSON"},
    413: {"description": "Body too large"},
}


def api_routes(mode: ClassMode) -> APIRouter:
    """The JSON API the phones use: joining a class and sending completions."""
    api = APIRouter(prefix="/api/v1", tags=["api"])

    @api.get("/health")
    async def health() -> dict[str, bool]:
        return {"ok": True}

    @api.post(
        "/classes/{code}/learners",
        status_code=201,
        response_model=LearnerOut,
        responses={
            **BODY_PROBLEMS,
            404: {"description": "Unknown class"},
            410: {"description": "The class is closed: no new learners"},
            422: {"description": "Bad name: empty, too long, or an ID or phone number"},
        },
    )
    async def join(code: str, learner: LearnerIn) -> LearnerOut:
        name = store.class_name(mode.connection, code)
        if name is None:
            raise HTTPException(404, "unknown class code")
        try:
            learner_id = await mode.writer.do(roster.join, code, learner.name)
        except roster.ClassClosed:
            raise HTTPException(410, "this class is closed: it takes no new learners") from None
        except store.StoreError:
            raise HTTPException(404, "unknown class code") from None
        return LearnerOut(learner_id=learner_id, class_name=name)

    @api.post(
        "/completions",
        status_code=201,
        response_model=Saved,
        responses={
            **BODY_PROBLEMS,
            200: {"description": "That id was already stored (counted once)", "model": Saved},
            404: {"description": "Unknown class or learner"},
            422: {
                "description": "Wrong types, unknown lesson, total not the quiz's number of"
                " questions, score outside 0..total, passed not matching the pass mark"
            },
        },
    )
    async def complete(completion: CompletionIn, response: Response) -> Saved:
        problem = catalog_problem(completion, mode.catalog)
        if problem is not None:
            raise HTTPException(422, problem)
        try:
            row = store.Completion(**completion.model_dump())
            new = await mode.writer.do(store.add_completion, row)
        except store.StoreError:
            raise HTTPException(404, "unknown class or learner") from None
        response.status_code = 201 if new else 200
        return Saved(id=completion.id, stored="new" if new else "already stored")

    return api


def coach_routes(mode: ClassMode) -> APIRouter:
    """The coach dashboard: login with the class PIN, the page, the CSV, logout."""
    coach = APIRouter(prefix="/coach", include_in_schema=False)

    def session_class(request: Request) -> str | None:
        return sessions.session_class(mode.connection, request.cookies.get(SESSION_COOKIE))

    @coach.get("/", response_class=HTMLResponse)
    async def dashboard(request: Request) -> Response:
        code = session_class(request)
        lang = language(request)
        if code is None:
            return HTMLResponse(render_login(lang=lang))
        # SQL and templating in the coach process, on a read connection of its own: the phones'
        # requests keep flowing while a coach looks at a big class.
        page = await off_the_loop(
            mode.db_path, render_dashboard_from, mode.db_path, code, mode.catalog, lang
        )
        return HTMLResponse(page)

    @coach.post("/login")
    async def login(request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))  # capped: BodyLimit
        return await _login(mode, request, form)

    @coach.post("/logout")
    async def logout(request: Request) -> Response:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await mode.writer.do(sessions.close_session, token)
        response = RedirectResponse(
            coach_address(request.query_params.get("lang")), status_code=303
        )
        response.delete_cookie(SESSION_COOKIE, path="/coach/")
        return response

    @coach.get("/completions.csv")
    async def completions_csv(request: Request) -> Response:
        code = session_class(request)
        if code is None:
            return RedirectResponse("/coach/", status_code=303)
        body = await off_the_loop(mode.db_path, class_csv, mode.db_path, code, mode.catalog)
        # The file holds residents' names: its name says so wherever it is saved or sent.
        filename = f"kynangso-{code}-co-ten-nguoi-hoc.csv"
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @coach.post("/learners/{learner_id}/forget")
    async def forget(request: Request, learner_id: str) -> Response:
        code = session_class(request)
        if code is None:
            return RedirectResponse("/coach/", status_code=303)
        if not same_origin(request):
            raise HTTPException(403, "refused: the request did not come from this dashboard")
        try:
            await mode.writer.do(forget_learner, learner_id, code)
        except store.StoreError:
            raise HTTPException(404, "no such learner in this class") from None
        # The old name must not wait in the -wal file until it happens to be overwritten.
        await asyncio.to_thread(storefile.checkpoint, mode.db_path, "TRUNCATE")
        return RedirectResponse(coach_address(request.query_params.get("lang")), status_code=303)

    return coach


def same_origin(request: Request) -> bool:
    """Whether a coach's POST comes from a page of this server. The SameSite=Strict cookie
    already stays home from other sites, but another port of the same laptop (a preview
    server) is the same site: browsers say where a request comes from (`Sec-Fetch-Site`,
    `Origin`), and a request that says another origin is refused. A client that says nothing
    is not a browser another page could steer."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host", "")


async def _login(mode: ClassMode, request: Request, form: dict[str, list[str]]) -> Response:
    """A coach login: limited per client address (never the laptop's own), then the PIN."""
    code = (form.get("code") or [""])[0].strip().upper()
    pin = (form.get("pin") or [""])[0]
    client = request.client.host if request.client else "?"
    server = request.scope.get("server")
    limited = not own_address(client, server[0] if server else None, mode.laptop)
    wait = mode.limiter.attempt(client) if limited else 0.0
    if wait > 0:
        return HTMLResponse(
            render_login("too-many", language(request)),
            status_code=429,
            headers={"Retry-After": str(math.ceil(wait))},
        )
    if not await _pin_is_right(mode, code, pin):
        return HTMLResponse(render_login("wrong", language(request)), status_code=401)
    if limited:
        mode.limiter.succeeded(client)
    token = await mode.writer.do(sessions.open_session, code)
    response = RedirectResponse(coach_address(request.query_params.get("lang")), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict", max_age=12 * 3600, path="/coach/"
    )
    return response


def language(request: Request) -> str:
    """The coach's pages speak `?lang=` or the browser's language; the API stays in English."""
    return coach_language(request.query_params.get("lang"), request.headers.get("accept-language"))


async def _pin_is_right(mode: ClassMode, code: str, pin: str) -> bool:
    if not code or pins.pin_problem(pin) is not None:
        return False
    record = pins.pin_record(mode.connection, code)
    async with mode.pin_checks:  # scrypt in a thread: the phones' requests go on meanwhile
        return await asyncio.to_thread(pins.pin_matches, pin, record)
