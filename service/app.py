"""create_app(settings) -> Litestar. Nothing global happens at import time."""

from __future__ import annotations

import logging
import os
import re
import time
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import msgspec
from litestar import Litestar, MediaType, Request, Response, get
from litestar.config.response_cache import ResponseCacheConfig
from litestar.datastructures import State
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

from . import bodies, db, logs
from .announcements.routes import SlackChannelController
from .badges.routes import BADGE_ROUTES
from .certificates.routes import CERTIFICATE_ROUTES
from .checkin.domain import scan_batcher
from .checkin.lane import ScanLane
from .checkin.pages import CHECKIN_PAGES
from .checkin.routes import CHECKIN_ROUTES
from .console.guard import console_error, sign_in_redirect
from .console.routes import CONSOLE_ROUTES
from .errors import DomainError
from .eventcopy.routes import EVENT_COPY_ROUTES
from .events.routes import EventController
from .headers import with_security_headers
from .http import DEPENDENCIES, provide_now, request_language
from .lanes import Lanes
from .metrics import measured, metrics, sampling_pool
from .migrate import load_migrations
from .nominations.pages import PRIZE_PAGES
from .nominations.routes import PRIZE_ROUTES
from .openapi import declare_closed_objects
from .people.routes import PEOPLE_ROUTES
from .privacy.routes import PRIVACY_ROUTES
from .problems import PROBLEM_MEDIA_TYPE, FieldError, Problem, from_domain_error, make, path_of, title_for
from .programme.routes import PROGRAMME_ROUTES
from .registrations.batching import RegistrationBatcher
from .registrations.lane import RegistrationLane
from .registrations.routes import REGISTRATION_ROUTES
from .reminders.routes import REMINDER_ROUTES
from .settings import Settings
from .slack.routes import SlackController
from .surveys.routes import SURVEY_ROUTES
from .web.pages import PAGE_ROUTES
from .web.render import page
from .workshops.routes import WORKSHOP_ROUTES

log = logging.getLogger("moteplass.http")
CLIENT_WENT_AWAY = "client disconnected prematurely"  # Litestar's words when the body ends in a disconnect
RETRY_AFTER_UNAVAILABLE = 5  # seconds: a restarting database is usually back within a few
WEB_DIR = __import__("pathlib").Path(__file__).resolve().parent / "web"
_STATUS_CODES = {
    400: "malformed_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    429: "too_many_requests",
    503: "busy",
}


def _problem_response(problem: Problem, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        content=msgspec.json.encode(problem),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"content-language": "", **(headers or {})},
    )


def _field_of(key: str) -> str:
    field = key.removeprefix("$.").removeprefix("$").removeprefix("data").removeprefix(".")
    return field or "body"


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    return not path.startswith(("/api/", "/slack/", "/schema")) and "text/html" in request.headers.get("accept", "")


def _is_console_page(request: Request[Any, Any, Any]) -> bool:
    """The console's pages answer in HTML whatever the Accept header: a sign-in redirect or an error page."""
    path = request.url.path
    return path == "/console" or path.startswith("/console/")


def _is_jury_page(request: Request[Any, Any, Any]) -> bool:
    """The jury workspace's pages are HTML whatever the Accept header: a sign-in redirect or an error page."""
    path = request.url.path
    return path == "/jury" or path.startswith("/jury/")


def _html_error(request: Request[Any, Any, Any], status: int, code: str, retry_after: int = 0) -> Response[Any]:
    language = request_language(request)
    template = page(
        request, "error.html", title=title_for(code, language), status=status, code=code, retry_after=retry_after
    )
    template.status_code = status
    if retry_after:
        template.headers = {**template.headers, "retry-after": str(retry_after)}
    return template


def _on_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if _is_console_page(request):
        return console_error(request, exc)
    if _is_jury_page(request) and exc.status == 401:
        return sign_in_redirect(request)
    if (_wants_html(request) or _is_jury_page(request)) and exc.status in (401, 403, 404, 409, 410):
        return _html_error(request, exc.status, exc.code)
    if _wants_html(request) and exc.status == 429:  # a browser's form over a rate limit: a page, not JSON
        return _html_error(request, 429, exc.code, retry_after=int(exc.extra.get("retry_after", 60)))
    language = request_language(request)
    headers: dict[str, str] = {"content-language": language}
    if exc.status == 503:
        headers["retry-after"] = "1"
    elif exc.status == 429:
        headers["retry-after"] = str(exc.extra.get("retry_after", 60))
    return _problem_response(from_domain_error(exc, language), headers)


def _on_validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    language = request_language(request)
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors: list[FieldError] = []
    for item in extra:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", "invalid"))
        key = str(item.get("key", ""))
        field = _field_of(key or path_of(message) or "")
        named = re.search(r"(unknown|missing required) field `([^`]+)`", message)
        code = "invalid"
        if named:
            field = f"{field}.{named.group(2)}" if field != "body" else named.group(2)
            code = "unknown_field" if named.group(1) == "unknown" else "missing_field"
        errors.append(FieldError(field=field, message=message, code=code))
    malformed = not errors or any("malformed" in e.message.lower() for e in errors)
    if malformed:
        detail = errors[0].message if errors else str(exc.detail)
        problem = make("malformed_request", 400, language, detail=detail)
    else:
        problem = make(
            "validation_failed",
            422,
            language,
            detail="; ".join(f"{e.field}: {e.message}" for e in errors),
            errors=errors,
        )
    return _problem_response(problem, {"content-language": language})


def _on_http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    language = request_language(request)
    if exc.detail == CLIENT_WENT_AWAY:  # nobody reads the answer; an ordinary event, not an error of ours
        log.info("client went away", extra=logs.request_place(request.scope))
        return _problem_response(make("malformed_request", 400, language, detail=exc.detail))
    status = exc.status_code if exc.status_code in _STATUS_CODES else 400
    if exc.status_code >= 500:
        return _on_unexpected(request, exc)
    if _wants_html(request) and status in (401, 403, 404, 405):
        return _html_error(request, status, _STATUS_CODES[status])
    problem = make(_STATUS_CODES.get(status, "malformed_request"), status, language, detail=str(exc.detail))
    headers = {"content-language": language, **(exc.headers or {})}
    return _problem_response(problem, headers)


# A body the JSON decoder cannot read: bytes that are not UTF-8, nesting deeper than the decoder's limit.
_UNREADABLE_BODY = (UnicodeDecodeError, RecursionError, msgspec.DecodeError)


def _unreadable_body(exc: Exception) -> bool:
    """True for a decoding failure of the request body (raised inside Litestar's body decoder), not for the
    same kind of error raised by our own code, which stays a 500."""
    if not isinstance(exc, _UNREADABLE_BODY):
        return False
    frames = traceback.extract_tb(exc.__traceback__)
    return any(frame.name in ("decode_json", "decode_msgpack") for frame in frames)


def _on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if db.is_unavailable(exc):
        return _on_unavailable(request, exc)
    if _unreadable_body(exc):
        language = request_language(request)
        problem = make("malformed_request", 400, language, detail=f"the body could not be read: {type(exc).__name__}")
        return _problem_response(problem, {"content-language": language})
    log.error("unhandled error", exc_info=exc, extra=logs.request_place(request.scope))
    language = request_language(request)
    if _wants_html(request):
        return _html_error(request, 500, "internal_error")
    return _problem_response(make("internal_error", 500, language), {"content-language": language})


def _on_body_timeout(request: Request[Any, Any, Any], exc: bodies.BodyTimeout) -> Response[Any]:
    language = request_language(request)
    problem = make("body_timeout", 408, language, detail=str(exc))
    return _problem_response(problem, {"content-language": language, "connection": "close"})


def _on_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The database could not answer (down, starting, out of connections, a timeout): 503, try again soon.
    Nothing was stored: every change is one transaction, and it did not commit."""
    log.warning("database unavailable", extra={"error": f"{type(exc).__name__}: {exc}"[:300]})
    language = request_language(request)
    headers = {"content-language": language, "retry-after": str(RETRY_AFTER_UNAVAILABLE)}
    if _wants_html(request) or _is_console_page(request):
        response = _html_error(request, 503, "unavailable")
        response.headers.update(headers)
        return response
    return _problem_response(make("unavailable", 503, language), headers)


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Give every request an id (X-Request-ID, ours or a sane one from the caller), echo it, log the line."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # type: ignore[comparison-overlap]
            await app(scope, receive, send)
            return
        rid = logs.request_id_for(scope["headers"])
        token = logs.request_id.set(rid)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            logs.log_request(scope, status, started)
            logs.request_id.reset(token)

    return middleware


@get("/healthz", include_in_schema=False, media_type=MediaType.JSON)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


APPLIED = "SELECT count(*) FROM schema_migrations WHERE version = ANY($1::int[])"


@get("/readyz", include_in_schema=False, media_type=MediaType.JSON)
async def readyz(state: State) -> Response[dict[str, str]]:
    """Ready when the database answers and has every migration this code was shipped with."""
    expected: list[int] = state.migrations
    drain_file = state.settings.drain_file
    if drain_file and os.path.exists(drain_file):  # noqa: ASYNC240 - one stat() of a tmpfs file, microseconds
        return Response({"status": "draining"}, status_code=503)
    try:
        async with state.pool.acquire(timeout=2) as conn:
            applied = await conn.fetchval(APPLIED, expected)
    except Exception:
        return Response({"status": "unavailable"}, status_code=503)
    if applied != len(expected):
        return Response({"status": "migrations_pending"}, status_code=503)
    return Response({"status": "ok"})


async def _no_body() -> ReceiveMessage:
    return {"type": "http.disconnect"}


class Moteplass(Litestar):
    """Litestar with the fast lanes of door scans and registrations in front of its routing (service/lanes.py),
    and the security headers (service/headers.py) in front of both: every answer gets them, routing's 404s
    included. All of it is measured for /metrics when METRICS_TOKEN is set (service/metrics.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        route = partial(Litestar.__call__, self)
        self.lanes = Lanes(
            ScanLane(self.state, route, self.answer_unavailable),
            RegistrationLane(self.state, route, self.answer_unavailable),
        )
        self.https = self.state.settings.base_url.startswith("https:")
        self.handle: ASGIApp = self.dispatch
        if self.state.settings.metrics_token:
            self.handle = measured(self.dispatch)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.handle(scope, receive, send)

    async def answer_unavailable(self, scope: Any, error: Exception, send: Any) -> None:
        """The answer of a route whose database could not answer (for a lane that found it so)."""
        scope["app"] = self
        request: Request[Any, Any, Any] = Request(scope)
        response = _on_unavailable(request, error)
        await response.to_asgi_response(app=self, request=request)(scope, _no_body, send)

    async def dispatch(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            receive = bodies.with_timeout(receive, self.state.settings.body_timeout)
            send = with_security_headers(send, scope["path"], https=self.https)
        if lane := self.lanes.lane_for(scope):
            await lane(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(settings: Settings, **state: Any) -> Litestar:
    """The web application. `state` may carry test hooks such as a `clock`."""
    if not settings.database_url:
        raise RuntimeError("settings.database_url must be resolved before create_app (see `moteplass run`)")

    if not (settings.slack_signing_secret and settings.slack_bot_token):
        log.info("Slack is off: SLACK_SIGNING_SECRET or SLACK_BOT_TOKEN is not set; /slack/* answers 401")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state.pool = await db.create_pool(
            settings.database_url or "",
            size=settings.db_pool_size,
            timeouts=settings.web_timeouts(),
            statement_cache_size=settings.db_statement_cache_size,
        )
        app.state.scans = scan_batcher(app.state.pool)
        app.state.registrations = RegistrationBatcher(app.state.pool, settings, partial(provide_now, app.state))
        try:
            if settings.metrics_token:
                async with sampling_pool(app.state.pool):
                    yield
            else:
                yield
        finally:
            await app.state.pool.close()

    return Moteplass(
        route_handlers=[
            healthz,
            readyz,
            metrics,
            EventController,
            *REGISTRATION_ROUTES,
            *BADGE_ROUTES,
            *CERTIFICATE_ROUTES,
            *EVENT_COPY_ROUTES,
            *PEOPLE_ROUTES,
            *REMINDER_ROUTES,
            *SURVEY_ROUTES,
            *PROGRAMME_ROUTES,
            *PRIZE_ROUTES,
            *PRIZE_PAGES,
            *PRIVACY_ROUTES,
            *WORKSHOP_ROUTES,
            SlackChannelController,
            SlackController,
            *PAGE_ROUTES,
            *CHECKIN_ROUTES,
            *CHECKIN_PAGES,
            *CONSOLE_ROUTES,
            create_static_files_router(
                path="/static",
                directories=[WEB_DIR / "static"],
                include_in_schema=False,
                cache_control=None,
            ),
        ],
        dependencies=DEPENDENCIES,
        lifespan=[lifespan],
        on_startup=[declare_closed_objects],
        state=State({"settings": settings, "migrations": [m.version for m in load_migrations()], **state}),
        exception_handlers={
            DomainError: _on_domain_error,
            bodies.BodyTimeout: _on_body_timeout,
            ValidationException: _on_validation_error,
            NotFoundException: _on_http_error,
            HTTPException: _on_http_error,
            Exception: _on_unexpected,
        },
        middleware=[request_id_middleware],
        openapi_config=OpenAPIConfig(title="Møteplass", version="1.0.0", path="/schema"),
        template_config=TemplateConfig(directory=WEB_DIR / "templates", engine=JinjaTemplateEngine),
        response_cache_config=ResponseCacheConfig(),
        request_max_body_size=settings.max_body_bytes,
        debug=False,
        logging_config=None,
    )
