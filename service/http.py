"""Request-level dependencies shared by every controller: connection, caller, language, clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from .accounts.domain import authenticate
from .accounts.schemas import Principal
from .i18n import Language, negotiate
from .settings import Settings


async def provide_conn(state: State) -> AsyncIterator[asyncpg.Connection]:
    async with state.pool.acquire() as conn:
        yield conn


async def provide_principal(request: Request[Any, Any, Any], conn: NamedDependency[asyncpg.Connection]) -> Principal:
    return await authenticate(conn, request.headers.get("authorization"))


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def provide_now(state: State) -> datetime:
    clock = state.get("clock")
    return clock() if clock else datetime.now(UTC)


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

DEPENDENCIES = {
    "conn": Provide(provide_conn),
    "principal": Provide(provide_principal),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "now": Provide(provide_now, sync_to_thread=False),
    "ui_language": Provide(provide_language, sync_to_thread=False),
}
