"""Run an ASGI app (the site, the preview) on a free local port in a background thread: for the
tests and the benchmarks, which need a real server without a separate process."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import uvicorn


@contextmanager
def serving(app: Any, lifespan: Literal["auto", "on", "off"] = "off") -> Iterator[str]:
    """Serve `app` on 127.0.0.1 at a free port; yield its base URL; stop it afterwards."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan=lifespan)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
