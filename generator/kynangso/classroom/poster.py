"""The poster of one running class, printed from the coach dashboard (`/coach/poster`).

It shows where phones open the join page, found from where the server is actually reachable:
the address the coach's own browser used (the Host header) and this laptop's addresses on the
local network, each with its QR code; then the class code and the Wi-Fi name the facilitator
types in. An address no phone can open (loopback, `localhost`, `.local`) is never shown, and
when there is none the page says how to get one instead of printing a code that leads nowhere.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from kynangso.classroom import sessions, store
from kynangso.classroom.coach import TEMPLATES
from kynangso.classroom.database import Connection
from kynangso.classroom.network import lan_addresses, reachable
from kynangso.qr import address_text, qr_svg

JOIN_PATH = "/tham-gia-lop/"
MAX_WIFI = 64  # an SSID is at most 32 bytes; room for a few words of where to find it
HOST = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")
LOOPBACK_NAMES = ("localhost", "ip6-localhost", "ip6-loopback")

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True
)


def phone_host(host: str) -> bool:
    """Whether a phone could open `host` (a name or an IPv4 address, without port)."""
    name = host.rstrip(".").lower()
    if name in LOOPBACK_NAMES or name.endswith((".local", ".localhost")):
        return False
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return bool(name)
    return reachable(name.strip("[]"))


def join_addresses(
    host_header: str | None, scheme: str, port: int, listen_host: str | None
) -> list[str]:
    """The join page's addresses phones can open: the one the coach's browser used first (when a
    phone could use it too), then this laptop's network addresses, unless the server listens on
    loopback only (then no phone reaches it at all)."""
    found: list[str] = []
    if host_header and HOST.match(host_header):
        parsed = urlsplit(f"//{host_header}")
        if parsed.hostname and phone_host(parsed.hostname):
            found.append(f"{scheme}://{host_header.lower()}{JOIN_PATH}")
        port = parsed.port or port
    if listen_host is None or not _loopback_only(listen_host):
        found += [f"http://{address}:{port}{JOIN_PATH}" for address in lan_addresses()]
    return list(dict.fromkeys(found))


def _loopback_only(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def poster_router(session_cookie: str) -> APIRouter:
    """`GET /coach/poster?wifi=NAME` behind the coach login (the cookie `session_cookie`, checked
    on the app's read connection `app.state.connection`, as for `/coach/`)."""
    router = APIRouter()

    @router.get("/coach/poster", response_class=HTMLResponse, include_in_schema=False)
    async def poster(request: Request, wifi: str = "") -> Response:
        connection: Connection = request.app.state.connection
        code = sessions.session_class(connection, request.cookies.get(session_cookie))
        if code is None:
            return RedirectResponse("/coach/", status_code=303)
        wifi = " ".join(wifi.split())
        if len(wifi) > MAX_WIFI or any(ord(c) < 32 or ord(c) == 127 for c in wifi):
            return JSONResponse(
                {"detail": f"wifi: the Wi-Fi name must be at most {MAX_WIFI} printable characters"},
                status_code=422,
            )
        server = request.scope.get("server")
        addresses = join_addresses(
            request.headers.get("host"),
            request.url.scheme,
            int(server[1]) if server and server[1] else 80,
            getattr(request.app.state, "listen_host", None),
        )
        page = _env.get_template("poster.html.j2").render(
            code=code,
            class_name=store.class_name(connection, code),
            wifi=wifi,
            max_wifi=MAX_WIFI,
            addresses=[(url, address_text(url), qr_svg(url)) for url in addresses],
        )
        return HTMLResponse(page)

    return router
