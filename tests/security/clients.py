"""Clients that reach the app from a chosen address: Litestar's test client always connects from "testclient"."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import msgspec
import pytest

from service import db
from service.app import create_app
from service.settings import Settings

Connect = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def connect(settings: Settings, clock: Any) -> AsyncIterator[Connect]:
    """`await connect(address, **settings_changes)`: a client reaching the app from that address (the test
    client's is fixed), served on the test's own event loop by an app with those settings."""
    async with AsyncExitStack() as stack:

        async def make(address: str, **changes: Any) -> httpx.AsyncClient:
            app = create_app(msgspec.structs.replace(settings, **changes), clock=clock)
            app.state.pool = await db.create_pool(settings.database_url or "", size=2)  # what the lifespan does
            stack.push_async_callback(app.state.pool.close)
            # Litestar types its ASGI callable with its own event dicts, httpx with plain mappings: the same protocol
            transport = httpx.ASGITransport(app=app, client=(address, 40000))  # type: ignore[arg-type]
            return await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://testserver.local")
            )

        yield make
