"""Class mode: the facilitator's laptop serves the built site, the completions API and the coach
dashboard. `create_app(site_dir, db_path)` builds the ASGI app; `kynangso serve` runs it.

Every request body is capped before it is read (`BodyLimit`) and validated here, and every
completion is checked against the built catalog, so bad or forged input gets a 4xx with a reason
and never reaches SQLite: no 5xx for anything a phone can send.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import json
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
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
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kynangso.classroom import store
from kynangso.classroom.coach import (
    coach_address,
    coach_language,
    off_the_loop,
    render_dashboard_from,
    render_login,
)
from kynangso.classroom.export import class_csv
from kynangso.classroom.poster import poster_router
from kynangso.classroom.static import SiteApp
from kynangso.classroom.writer import Writer

M = TypeVar("M", bound=BaseModel)
MAX_BODY = 16 * 1024  # for every request: a completion is under 1 KB, a login under 200 bytes
SESSION_COOKIE = "kns_coach"
LOGIN_FREE = 5  # wrong PINs an address may make before it has to wait (typing mistakes)
LOGIN_FIRST_WAIT_S = 30  # the wait after the LOGIN_FREE-th wrong PIN, doubled after each next one
LOGIN_MAX_WAIT_S = 900  # ... up to a quarter of an hour
LOGIN_FORGET_S = 24 * 3600  # an address with no wrong PIN for a day starts afresh
LOGIN_ADDRESSES = 4096  # addresses remembered at most; the longest quiet are forgotten first
PIN_CHECKS_AT_ONCE = 2  # scrypt needs 16 MB and ~0.2 s: leave threads for the writer
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
            moment = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError("answered_at must be an ISO 8601 date and time") from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        try:
            return moment.astimezone(dt.UTC).isoformat(timespec="seconds")
        except OverflowError:
            # A phone clock at the very edge of the calendar (year 1 or 9999) has no UTC time
            # in Python's range. The completion is still real: keep the phone's own time,
            # with its offset, as valid ISO 8601.
            return moment.isoformat(timespec="seconds")

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


def catalog_problem(completion: CompletionIn, lessons: dict[str, Any]) -> str | None:
    """Why a completion cannot be true for the built site, or None. The phone computes score and
    pass itself, so anything can be posted: the lesson must exist, `total` must be its number of
    questions and `passed` must follow from `score` and its pass mark."""
    lesson = lessons.get(completion.lesson)
    if lesson is None:
        return f"unknown lesson '{completion.lesson}'"
    questions = len(lesson["questions"])
    if completion.total != questions:
        return (
            f"total must be {questions}: the quiz of lesson '{completion.lesson}'"
            f" has {questions} questions, not {completion.total}"
        )
    if not 0 <= completion.score <= completion.total:
        return f"score must be between 0 and {completion.total}"
    should_pass = completion.score >= lesson["pass_mark"]
    if completion.passed != should_pass:
        return (
            f"passed must be {str(should_pass).lower()}: the pass mark of lesson"
            f" '{completion.lesson}' is {lesson['pass_mark']} and the score is {completion.score}"
        )
    return None


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


class BodyLimit:
    """ASGI middleware: no request body over `limit` bytes is ever read, for any endpoint.

    A declared Content-Length over the limit is answered 413 before anything is read; a body
    without one (chunked) is counted as it arrives and cut with a 413 the moment it passes the
    limit, so a 1 GB upload costs at most `limit` bytes of memory."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._too_large(send)
            return
        state = {"read": 0, "cut": False, "started": False}

        async def limited_receive() -> Message:
            if state["cut"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["read"] += len(message.get("body", b""))
                if state["read"] > self.limit:
                    state["cut"] = True
                    if not state["started"]:
                        await self._too_large(send)
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

    async def _too_large(self, send: Send) -> None:
        body = json.dumps({"detail": f"body over {self.limit} bytes"}).encode()
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


@dataclass
class _Tries:
    count: int  # PIN tries since the last success (each counted as wrong until it is right)
    last: float  # when the last one was made
    until: float  # no try before this moment


class LoginLimiter:
    """Coach logins per client address, with waits that grow with each wrong PIN.

    A try is counted as wrong when it starts and forgiven when the PIN was right, so many tries
    sent at once from one phone cannot all slip in before the first one fails. The first
    LOGIN_FREE tries cost nothing; each one after that makes the address wait twice as long as
    the one before, from LOGIN_FIRST_WAIT_S up to LOGIN_MAX_WAIT_S. Memory is bounded: at most
    `capacity` addresses, and an address quiet for LOGIN_FORGET_S is forgotten. IPv6 addresses
    count by their /64, since one phone can take a fresh address in its network whenever it likes.
    The laptop's own addresses are not limited at all: the server decides that (`own_address`).
    """

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, capacity: int = LOGIN_ADDRESSES
    ) -> None:
        self.clock, self.capacity = clock, capacity
        self.tries: OrderedDict[str, _Tries] = OrderedDict()  # oldest last try first

    def __len__(self) -> int:
        return len(self.tries)

    def attempt(self, address: str) -> float:
        """Seconds `address` must still wait (the try is refused), or 0 (the try is counted)."""
        now = self.clock()
        self._forget_before(now - LOGIN_FORGET_S)
        key = _address_key(address)
        tries = self.tries.pop(key, None) or _Tries(0, now, now)
        if now < tries.until:
            self.tries[key] = tries
            return tries.until - now
        tries.count += 1
        tries.last = now
        if tries.count >= LOGIN_FREE:
            wait = LOGIN_FIRST_WAIT_S * 2 ** min(tries.count - LOGIN_FREE, 16)
            tries.until = now + min(wait, LOGIN_MAX_WAIT_S)
        self.tries[key] = tries
        while len(self.tries) > self.capacity:
            self.tries.popitem(last=False)
        return 0.0

    def wait(self, address: str) -> float:
        """Seconds `address` must still wait before its next try (0: it may try now)."""
        tries = self.tries.get(_address_key(address))
        return 0.0 if tries is None else max(0.0, tries.until - self.clock())

    def succeeded(self, address: str) -> None:
        self.tries.pop(_address_key(address), None)

    def _forget_before(self, moment: float) -> None:
        while self.tries:
            key, tries = next(iter(self.tries.items()))
            if tries.last >= moment:
                break
            del self.tries[key]


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _address_key(address: str) -> str:
    ip = _ip(address)
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip) if ip is not None else address


def laptop_addresses() -> frozenset[str]:
    """Every address of this machine's network interfaces (loopback is checked separately)."""
    import ifaddr

    found: set[str] = set()
    for adapter in ifaddr.get_adapters():
        for entry in adapter.ips:
            ip = _ip(entry.ip if isinstance(entry.ip, str) else entry.ip[0])
            if ip is not None:
                found.add(str(ip))
    return frozenset(found)


def own_address(client: str, server: str | None, laptop: frozenset[str]) -> bool:
    """Whether a request comes from the laptop running the class itself: loopback, the address
    the request came in on, or any address of its interfaces. The facilitator at the laptop can
    always log in, however many wrong PINs the class Wi-Fi has sent."""
    ip = _ip(client)
    if ip is None:
        return False
    return ip.is_loopback or str(ip) in laptop or (server is not None and _ip(server) == ip)


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
    limiter = LoginLimiter()
    laptop = laptop_addresses()
    pin_checks = asyncio.Semaphore(PIN_CHECKS_AT_ONCE)
    app = FastAPI(
        title="Kỹ năng số class mode",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.connection = connection
    app.add_middleware(BodyLimit, limit=MAX_BODY)

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
            422: {
                "description": "Wrong types, unknown lesson, total not the quiz's number of"
                " questions, score outside 0..total, passed not matching the pass mark"
            },
        },
    )
    async def complete(request: Request) -> Any:
        completion = await _parsed(request, CompletionIn)
        if isinstance(completion, Response):
            return completion
        problem = catalog_problem(completion, catalog["lessons"])
        if problem is not None:
            return _error(422, problem)
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
        lang = language(request)
        if code is None:
            return HTMLResponse(render_login(lang=lang))
        # SQL and templating in the coach thread, on a read connection of its own: the phones'
        # requests keep flowing while a coach looks at a big class.
        page = await off_the_loop(render_dashboard_from, db_path, code, catalog, lang)
        return HTMLResponse(page)

    def language(request: Request) -> str:
        # the coach's pages speak ?lang= or the browser's language; the API stays in English
        return coach_language(
            request.query_params.get("lang"), request.headers.get("accept-language")
        )

    async def pin_is_right(code: str, pin: str) -> bool:
        if not code or store.pin_problem(pin) is not None:
            return False
        record = store.pin_record(connection, code)
        async with pin_checks:  # scrypt in a thread: the phones' requests go on meanwhile
            return await asyncio.to_thread(store.pin_matches, pin, record)

    @app.post("/coach/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))  # capped: BodyLimit
        code = (form.get("code") or [""])[0].strip().upper()
        pin = (form.get("pin") or [""])[0]
        client = request.client.host if request.client else "?"
        server = request.scope.get("server")
        limited = not own_address(client, server[0] if server else None, laptop)
        wait = limiter.attempt(client) if limited else 0.0
        if wait > 0:
            return HTMLResponse(
                render_login("too-many", language(request)),
                status_code=429,
                headers={"Retry-After": str(math.ceil(wait))},
            )
        if not await pin_is_right(code, pin):
            return HTMLResponse(render_login("wrong", language(request)), status_code=401)
        if limited:
            limiter.succeeded(client)
        token = await writer.do(store.open_session, code)
        response = RedirectResponse(
            coach_address(request.query_params.get("lang")), status_code=303
        )
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
        response = RedirectResponse(
            coach_address(request.query_params.get("lang")), status_code=303
        )
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

    app.include_router(poster_router(SESSION_COOKIE))  # /coach/poster: the class's own poster
    app.mount("/", SiteApp(site_dir), name="site")
    return app
