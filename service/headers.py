"""The browser security headers of every response, from one table.

`security_headers(path, content_type, https=...)` names them for one response; `with_security_headers` adds
them to whatever an ASGI app sends. The application (service/app.py, Moteplass) puts it in front of everything
it answers, the check-in fast lane and Litestar's routing alike, so no response leaves without them: pages,
API answers, static files, the errors of routing (404, 405) and the Slack routes.

- Content-Security-Policy by what the answer is: pages run only our own scripts and styles (no inline script,
  style or event handler); the API docs viewer (/schema) runs its CDN scripts in a sandbox, an origin of its
  own; a JavaScript file may be a worker (the door's service worker), whose own policy lets it fetch from us;
  anything else (JSON, problem+json, CSS, images, calendars) gets `default-src 'none'`.
- Referrer-Policy `no-referrer` where the URL holds a code (a manage, ticket, calendar, nomination or password
  link, the door's pairing), so no link on such a page hands the code to another site.
- Permissions-Policy: the camera only on the door's scanner page.
- Strict-Transport-Security when the service is served over HTTPS (BASE_URL).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar.types import Message, Send

Headers = tuple[tuple[bytes, bytes], ...]

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; media-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Litestar's OpenAPI viewers load their scripts from CDNs and start them inline. The sandbox (no
# allow-same-origin) gives the page an opaque origin: whatever those scripts do, they cannot read our cookies
# or make same-origin requests as the visitor.
DOCS_POLICY = (
    "sandbox allow-scripts allow-popups; default-src 'none'; "
    "script-src 'unsafe-inline' https://cdn.jsdelivr.net https://cdn.redoc.ly https://unpkg.com; "
    "style-src 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com https://unpkg.com; "
    "font-src https://fonts.gstatic.com; img-src data: https:; worker-src blob:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
WORKER_POLICY = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
STRICT_POLICY = "default-src 'none'; frame-ancestors 'none'"

# Paths whose URL holds a code: /r/{manage code}, /t/{ticket}, /agenda/{code}.ics, /nominations/{secret},
# /console/password/{code}, the door (its pairing link carries the token in the fragment), and the attendee's
# and nominator's own API (`?secret=`).
CODE_PREFIXES = (
    "/r/",
    "/t/",
    "/agenda/",
    "/nominations/",
    "/console/password/",
    "/door",
    "/api/v1/registrations/self",
    "/api/v1/nominations/self",
)
CAMERA_PAGE = "/door"
_DENIED = ("accelerometer", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb")
HSTS = "max-age=31536000; includeSubDomains"


def _policy_of(path: str, content_type: bytes) -> str:
    if content_type.startswith(b"text/html"):
        return DOCS_POLICY if path == "/schema" or path.startswith("/schema/") else PAGE_POLICY
    if content_type.startswith((b"text/javascript", b"application/javascript")):
        return WORKER_POLICY
    return STRICT_POLICY


def security_headers(path: str, content_type: bytes, *, https: bool) -> Headers:
    """The security headers of the answer to `path` with this Content-Type (b"" when it has none)."""
    return _headers(_policy_of(path, content_type), path.startswith(CODE_PREFIXES), path == CAMERA_PAGE, https)


@lru_cache(maxsize=64)
def _headers(policy: str, holds_code: bool, camera: bool, https: bool) -> Headers:
    permissions = ", ".join([f"camera={'(self)' if camera else '()'}", *(f"{name}=()" for name in _DENIED)])
    headers = [
        (b"content-security-policy", policy.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer" if holds_code else b"strict-origin-when-cross-origin"),
        (b"permissions-policy", permissions.encode()),
    ]
    if https:
        headers.append((b"strict-transport-security", HSTS.encode()))
    return tuple(headers)


def with_security_headers(send: Send, path: str, *, https: bool) -> Send:
    """`send` adding the security headers to the start of the answer."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            sent = list(message.get("headers", ()))
            content_type = next((value for name, value in sent if name.lower() == b"content-type"), b"")
            message["headers"] = [*sent, *security_headers(path, content_type, https=https)]
        await send(message)

    return sending
