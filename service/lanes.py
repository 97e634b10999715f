"""Fast lanes: the busiest requests answered in front of Litestar's routing, middleware, dependency injection and
response objects — with every rule the application keeps on the way in and out.

A door scan and a registration are the requests that come in crowds (a queue of 300 at each door; a popular
event opening), and their own work is small: decode the body, one statement (shared with the requests that arrive
together), encode the answer. Through Litestar that work costs about twice the Python. A lane does it directly,
and answers only what it is sure of: a body that decodes into the endpoint's input and that the domain accepts.
Anything else — a body too large, malformed or unknown fields, a refusal (401, 403, 409, 422, 429, 503), any
failure — goes to the application's own route with the body replayed, and the route answers exactly as it always
does (problem+json in the caller's language). The routes also document the endpoints in OpenAPI.

What every answer gets, the lanes get from the same places as the routes:

- security headers and metrics: the application wraps lanes and routing alike (service/app.py, Moteplass);
- the request id (X-Request-ID, ours or the caller's) and the one log line per request, through
  logs.request_id_for and logs.log_request, with the route's template and path parameters set in the scope so the
  line and the metric name the route (and redact a secret parameter) exactly as for the route;
- a database that cannot answer: 503 with Retry-After in the caller's language, from the application's own handler;
- rate limits: a lane counts its request against them (or hands it over uncounted); a request it counted and
  then hands over is marked with the verdict (ratelimit.COUNTED), so the route refuses it or goes on without
  counting it twice.

tests/foundation/test_lanes.py checks that a lane's answer and the route's carry the same headers and log line.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import msgspec
from litestar.enums import ScopeType

from . import db, logs
from .bodies import BodyTimeout

if TYPE_CHECKING:
    from litestar.datastructures import State
    from litestar.types import (
        ASGIApp,
        HTTPResponseBodyEvent,
        HTTPResponseStartEvent,
        Message,
        Receive,
        ReceiveMessage,
        Scope,
        Send,
    )


# Answers a request whose lane found the database unavailable (the application's 503, see service/app.py).
Unavailable = Callable[["Scope", Exception, "Send"], Awaitable[None]]


class Answer(msgspec.Struct, frozen=True):
    """What a lane answers itself: a status and a JSON body."""

    status: int
    body: bytes


class Lane:
    """An ASGI app for the requests `route_of` recognises, handing whatever `answer` leaves (None) to `route` (the
    application). `state` is the application's: its batchers (there once the lifespan has started), settings and
    clock. Subclasses name the route (`template`) and implement route_of and answer."""

    template: str

    def __init__(self, state: State, route: ASGIApp, unavailable: Unavailable | None = None) -> None:
        self.state = state
        self.route = route
        self.unavailable = unavailable

    def route_of(self, scope: Scope) -> dict[str, str] | None:
        """The path parameters when this lane takes the request, else None."""
        raise NotImplementedError

    async def answer(self, scope: Scope, body: bytes) -> Answer | None:
        """The answer, or None to let the route answer (and log) whatever went wrong."""
        raise NotImplementedError

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        rid = logs.request_id_for(scope["headers"])
        token = logs.request_id.set(rid)
        try:
            received, body = await _read_body(receive, self.state.settings.max_body_bytes)
            answer = None
            if body is not None:
                try:
                    answer = await self.answer(scope, body)
                except Exception as error:
                    # The database cannot answer now: say so at once (503), as the route would, rather than let
                    # the route wait for it a second time. Anything else: the route judges again.
                    if self.unavailable is not None and db.is_unavailable(error):
                        await self.unavailable(scope, error, _with_request_id(send, rid))
                        logs.log_request(scope, 503, started)
                        return
            if answer is not None:
                start: HTTPResponseStartEvent = {
                    "type": "http.response.start",
                    "status": answer.status,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(answer.body)).encode()),
                        (b"x-request-id", rid.encode()),
                    ],
                }
                end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": answer.body, "more_body": False}
                await send(start)
                await send(end)
                logs.log_request(scope, answer.status, started)
                return
        finally:
            logs.request_id.reset(token)
        await self.route(scope, _replay(received, receive), send)


class Lanes:
    """The application's lanes, found by the request they take."""

    def __init__(self, *lanes: Lane) -> None:
        self.lanes = lanes

    def lane_for(self, scope: Scope) -> Lane | None:
        """The lane that takes this request (its template and path parameters set in the scope, as routing
        would set them), or None."""
        if scope["type"] != ScopeType.HTTP or scope["method"] != "POST":
            return None
        for lane in self.lanes:
            params = lane.route_of(scope)
            if params is not None:
                scope["path_template"] = lane.template
                scope["path_params"] = params
                return lane
        return None


def _with_request_id(send: Send, rid: str) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), (b"x-request-id", rid.encode())]
        await send(message)

    return sending


def header(scope: Scope, name: bytes) -> str | None:
    """A request header's value (the first, as latin-1), or None."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def hand_over_counted(scope: Scope, key: str, verdict: object = True) -> None:
    """Mark the request as counted by `key` (e.g. ratelimit.COUNTED), with its verdict, for the route it is
    handed to."""
    state: dict[str, Any] = scope.setdefault("state", {})
    state[key] = verdict


async def _read_body(receive: Receive, limit: int) -> tuple[list[ReceiveMessage], bytes | None]:
    """The messages received and the whole body, or None as the body when it is over `limit` bytes, stalls or
    the client went away (the route then reads on and answers 413 or 408, or notices the disconnect)."""
    received: list[ReceiveMessage] = []
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            message = await receive()
        except BodyTimeout:
            return received, None
        received.append(message)
        if message["type"] != "http.request":
            return received, None
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return received, None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return received, b"".join(chunks)


def _replay(received: list[ReceiveMessage], receive: Receive) -> Receive:
    """A receive that gives the messages the lane read, then goes on with the client's own."""
    pending = list(received)

    async def replayed() -> Any:
        return pending.pop(0) if pending else await receive()

    return replayed
