"""The scanner page (`/door`), a small installable web app, and its service worker.

The page holds no data of its own in HTML: it pairs from the link's fragment, then talks to the check-in API
with the door's token (kept in the browser's localStorage).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.response import Template

from ..web.render import page

STATIC = Path(__file__).resolve().parent.parent / "web" / "static" / "checkin"
# The service worker is served from the root so that it may control /door (a worker's scope cannot be wider
# than its own folder without a Service-Worker-Allowed header).
SERVICE_WORKER = STATIC / "sw.js"


@get("/door", include_in_schema=False)
async def scanner_page(request: Request[Any, Any, Any]) -> Template:
    """The door's scanner: camera, keyboard-wedge scanner, name search, counts and the last scans."""
    response = page(request, "checkin/door.html")
    response.headers["cache-control"] = "no-cache"
    return response


@get("/door-sw.js", include_in_schema=False)
async def service_worker() -> Response[bytes]:
    return Response(
        SERVICE_WORKER.read_bytes(),
        media_type="text/javascript; charset=utf-8",
        headers={"cache-control": "no-cache"},
    )


CHECKIN_PAGES = [scanner_page, service_worker]
