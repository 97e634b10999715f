"""Request-level dependencies shared by every controller: connection, caller, language, clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import msgspec
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from . import db
from .accounts.domain import authenticate
from .accounts.schemas import Principal
from .console import sessions
from .errors import Forbidden, Unauthorized
from .i18n import Language, negotiate
from .settings import Settings


async def provide_conn(state: State) -> AsyncIterator[asyncpg.Connection]:
    async with db.borrowed(state.pool) as conn:
        yield conn


async def provide_principal(
    request: Request[Any, Any, Any],
    conn: NamedDependency[asyncpg.Connection],
    now: NamedDependency[datetime],
    settings: NamedDependency[Settings],
) -> Principal:
    """A bearer token when the request has an Authorization header (exactly as before), else the console
    session cookie; with the cookie, a state-changing request must carry its CSRF token."""
    authorization = request.headers.get("authorization")
    token = request.cookies.get(sessions.SESSION_COOKIE)
    if authorization or not token:
        return await authenticate(conn, authorization)
    principal = await sessions.principal_of_session(conn, token, now=now)
    if principal is None:
        raise Unauthorized("session_expired", "the session has ended; sign in again")
    if request.method not in sessions.SAFE_METHODS:
        await require_csrf(request, settings, token)
    return principal


async def offered_csrf_token(request: Request[Any, Any, Any]) -> str | None:
    """The CSRF token of a request: the X-CSRF-Token header, or the form field of an HTML form."""
    offered = request.headers.get(sessions.CSRF_HEADER)
    if offered:
        return offered
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(sessions.CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def require_csrf(request: Request[Any, Any, Any], settings: Settings, binding: str | None) -> None:
    """Raises Forbidden (csrf_failed) unless the request carries the token bound to `binding`."""
    if not sessions.csrf_ok(settings.verification_keys(), binding, await offered_csrf_token(request)):
        raise Forbidden("csrf_failed", "the form is out of date or was not sent from Møteplass; try again")


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def provide_now(state: State) -> datetime:
    clock = state.get("clock")
    return clock() if clock else datetime.now(UTC)


class Context(msgspec.Struct, frozen=True):
    """The connection, settings and clock as one dependency, for routes that must answer fast (Slack's
    acknowledgements within 3 s): Litestar resolves two or more dependencies of one level in an anyio task group,
    a task each, which costs a short request about a fifth of its CPU time."""

    conn: asyncpg.Connection
    settings: Settings
    now: datetime


async def provide_context(state: State) -> AsyncIterator[Context]:
    async with db.borrowed(state.pool) as conn:
        yield Context(conn=conn, settings=provide_settings(state), now=provide_now(state))


def request_language(request: Request[Any, Any, Any]) -> Language:
    cached: Language | None = request.scope.get("moteplass_language")  # type: ignore[assignment]
    if cached:
        return cached
    language = negotiate(
        request.query_params.get("lang"), request.cookies.get("lang"), request.headers.get("accept-language")
    )
    request.scope["moteplass_language"] = language  # type: ignore[typeddict-unknown-key]
    return language


def provide_language(request: Request[Any, Any, Any]) -> Language:
    return request_language(request)


# Handler parameter types: name-based injection of the dependencies above.
Conn = NamedDependency[asyncpg.Connection]
Caller = NamedDependency[Principal]
Now = NamedDependency[datetime]
Config = NamedDependency[Settings]
Lang = NamedDependency[Language]
Ctx = NamedDependency[Context]

DEPENDENCIES = {
    "conn": Provide(provide_conn),
    "principal": Provide(provide_principal),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "now": Provide(provide_now, sync_to_thread=False),
    "ui_language": Provide(provide_language, sync_to_thread=False),
    "ctx": Provide(provide_context),
}
