"""An event starting a day and a minute after the test clock, so its default one-day reminder is due in a minute."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import T0, auth

SLUG = "kk"
STARTS = T0 + timedelta(days=1, minutes=1)
DUE = STARTS - timedelta(days=1)

Register = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
async def event(make_event: Callable[..., Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    return await make_event(
        slug=SLUG,
        starts_at=STARTS.isoformat(),
        ends_at=(STARTS + timedelta(hours=7)).isoformat(),
        registration_opens_at=(T0 - timedelta(days=30)).isoformat(),
        registration_closes_at=(STARTS - timedelta(hours=1)).isoformat(),
        address="Haukelandsveien 28, Bergen",
    )


@pytest.fixture
def register(client: AsyncTestClient[Any]) -> Register:
    async def make(name: str, email: str, language: str = "nb") -> dict[str, Any]:
        response = await client.post(
            f"/api/v1/events/{SLUG}/registrations",
            json={"name": name, "email": email, "accept_privacy": True, "language": language},
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    return make


async def make_due(conn: asyncpg.Connection) -> None:
    """The database's clock is not the test's: the reminder's job is made ready now, as its due time would."""
    await conn.execute("UPDATE jobs SET run_after = now() WHERE kind = 'event.reminder' AND done_at IS NULL")


async def run_again(conn: asyncpg.Connection) -> None:
    """As if a worker died after the fan-out committed and before the job was marked done."""
    await conn.execute("UPDATE jobs SET done_at = NULL, run_after = now() WHERE kind = 'event.reminder'")


@pytest.fixture
def organiser_headers(organiser_token: str) -> dict[str, str]:
    return auth(organiser_token)
