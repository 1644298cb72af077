"""What a facilitator changes from the dashboard (rename or close the class, merge two learner
entries that are one person) and the commune view (`/coach/commune/`, behind its own PIN).

The class routes act only on the class of the coach's session; like logout, they are POSTs
that need the session cookie, which is SameSite=Strict, so another site's page cannot send
them. Closing and merging show a confirmation page first. Writes go through the writer; the
commune figures are counted in the coach process on a read connection of their own.
"""

from __future__ import annotations

import asyncio
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kynangso import words
from kynangso.catalog import Catalog
from kynangso.classroom import commune, pins, roster, sessions, store
from kynangso.classroom.coach import _env, coach_language, off_the_loop, page_words
from kynangso.classroom.logins import own_address

if TYPE_CHECKING:
    from kynangso.classroom.server import ClassMode

COMMUNE_COOKIE = "kns_commune"
COMMUNE_PATH = "/coach/commune/"


def language(request: Request) -> str:
    return coach_language(request.query_params.get("lang"), request.headers.get("accept-language"))


def back_to(request: Request, path: str = "/coach/") -> str:
    wanted = request.query_params.get("lang")
    return f"{path}?lang={wanted}" if wanted in words.languages() else path


async def form_of(request: Request) -> dict[str, str]:
    """The first value of each field of a form body (capped by BodyLimit before this)."""
    fields = parse_qs((await request.body()).decode("utf-8", "replace"))
    return {name: values[0] for name, values in fields.items()}


def render(template: str, lang: str, **values: Any) -> str:
    return _env.get_template(template).render(**values, **page_words(lang))


def manage_routes(mode: ClassMode, session_cookie: str) -> APIRouter:
    """Rename, close and merge, for the class of the coach's session."""
    routes = APIRouter(prefix="/coach", include_in_schema=False)

    def session_class(request: Request) -> str | None:
        return sessions.session_class(mode.connection, request.cookies.get(session_cookie))

    def problem(request: Request, message: str, status: int) -> HTMLResponse:
        page = render("notice.html.j2", language(request), message=message, back=back_to(request))
        return HTMLResponse(page, status_code=status)

    @routes.post("/rename")
    async def rename(request: Request) -> Response:
        code = session_class(request)
        if code is None:
            return RedirectResponse(back_to(request), status_code=303)
        name = (await form_of(request)).get("name", "")
        if roster.name_problem(name) is not None:
            return problem(request, page_words(language(request))["text"]("rename.bad"), 422)
        await mode.writer.do(roster.rename_class, code, name)
        return RedirectResponse(back_to(request), status_code=303)

    @routes.post("/close")
    async def close(request: Request) -> Response:
        code = session_class(request)
        if code is None:
            return RedirectResponse(back_to(request), status_code=303)
        if (await form_of(request)).get("confirm") != "yes":
            name = store.class_name(mode.connection, code) or code
            return _confirm(request, "close", {}, ask=("close.ask", {"name": name}))
        await mode.writer.do(roster.close_class, code)
        return RedirectResponse(back_to(request), status_code=303)

    @routes.post("/merge")
    async def merge(request: Request) -> Response:
        code = session_class(request)
        if code is None:
            return RedirectResponse(back_to(request), status_code=303)
        form = await form_of(request)
        keep, other = form.get("keep", ""), form.get("other", "")
        names = {p["id"]: p["name"] for p in store.learners(mode.connection, code)}
        if keep not in names or other not in names or keep == other:
            return problem(request, "pick two different learners of this class", 400)
        if form.get("confirm") != "yes":
            fields = {"keep": keep, "other": other}
            ask = ("merge.ask", {"keep": names[keep], "other": names[other]})
            return _confirm(request, "merge", fields, ask=ask)
        try:
            await mode.writer.do(roster.merge_learners, keep, other)
        except store.StoreError as exc:
            return problem(request, str(exc), 400)
        return RedirectResponse(back_to(request), status_code=303)

    return routes


def _confirm(
    request: Request, action: str, fields: dict[str, str], ask: tuple[str, dict[str, str]]
) -> HTMLResponse:
    """The page that asks before a change that cannot be undone from the dashboard."""
    lang = language(request)
    page = render(
        "confirm.html.j2",
        lang,
        action=f"/coach/{action}?lang={lang}",
        fields=fields,
        ask=ask,
        back=back_to(request),
    )
    return HTMLResponse(page)


def render_commune_from(db_path: Path, catalog: Catalog, lang: str) -> str:
    """The commune view on a read connection of its own (run in the coach process)."""
    connection = store.reader(db_path)
    try:
        figures = commune.commune(connection, catalog)
    finally:
        connection.close()
    return render("commune.html.j2", lang, commune=figures, vi=lang == "vi", here=COMMUNE_PATH)


def commune_routes(mode: ClassMode) -> APIRouter:
    """`/coach/commune/`: the commune's numbers, behind the commune PIN. No names."""
    routes = APIRouter(prefix="/coach/commune", include_in_schema=False)

    @routes.get("/", response_class=HTMLResponse)
    async def view(request: Request) -> Response:
        lang = language(request)
        token = request.cookies.get(COMMUNE_COOKIE)
        if not commune.session_open(mode.connection, token):
            return HTMLResponse(_login_page(mode, lang))
        page = await off_the_loop(
            mode.db_path, render_commune_from, mode.db_path, mode.catalog, lang
        )
        return HTMLResponse(page)

    @routes.post("/login")
    async def login(request: Request) -> Response:
        return await _commune_login(mode, request, (await form_of(request)).get("pin", ""))

    @routes.post("/logout")
    async def logout(request: Request) -> Response:
        token = request.cookies.get(COMMUNE_COOKIE)
        if token:
            await mode.writer.do(commune.close_session, token)
        response = RedirectResponse(back_to(request, COMMUNE_PATH), status_code=303)
        response.delete_cookie(COMMUNE_COOKIE, path=COMMUNE_PATH)
        return response

    return routes


def _login_page(mode: ClassMode, lang: str, problem: str | None = None) -> str:
    if commune.pin_record(mode.connection) is None:
        problem = "nopin"
    return render("commune_login.html.j2", lang, problem=problem, here=COMMUNE_PATH)


async def _commune_login(mode: ClassMode, request: Request, pin: str) -> Response:
    """The same per-address limit as class logins (never the laptop's own addresses)."""
    lang = language(request)
    client = request.client.host if request.client else "?"
    server = request.scope.get("server")
    limited = not own_address(client, server[0] if server else None, mode.laptop)
    wait = mode.limiter.attempt(client) if limited else 0.0
    if wait > 0:
        return HTMLResponse(
            render("commune_login.html.j2", lang, problem="too-many", here=COMMUNE_PATH),
            status_code=429,
            headers={"Retry-After": str(math.ceil(wait))},
        )
    record = commune.pin_record(mode.connection)
    right = False
    if record is not None and pins.pin_problem(pin) is None:
        async with mode.pin_checks:  # scrypt in a thread: the phones' requests go on
            right = await asyncio.to_thread(pins.pin_matches, pin, record)
    if not right:
        return HTMLResponse(_login_page(mode, lang, "wrong"), status_code=401)
    if limited:
        mode.limiter.succeeded(client)
    token = await mode.writer.do(commune.open_session)
    response = RedirectResponse(back_to(request, COMMUNE_PATH), status_code=303)
    response.set_cookie(
        COMMUNE_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        max_age=12 * 3600,
        path=COMMUNE_PATH,
    )
    return response
