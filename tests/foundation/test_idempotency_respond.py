"""service.idempotency.respond: the one Idempotency-Key answer of a POST, tried through a real Litestar route on
a real database (the first answer, its replay, a reused key, and no key at all)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import msgspec
import pytest
from litestar import Litestar, Request, Response, post
from litestar.params import JSONBody
from litestar.testing import AsyncTestClient

from service import audit, db, idempotency
from service.errors import DomainError
from tests.conftest import Client


def _domain_error(request: Request[Any, Any, Any], error: DomainError) -> Response[Any]:
    return Response({"code": error.code}, status_code=error.status)


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[AsyncTestClient[Any]]:
    """A one-route app on its own pool (the test client runs the app on another event loop)."""

    @post("/things", status_code=201)
    async def make_thing(
        request: Request[Any, Any, Any], data: JSONBody[dict[str, Any]], idempotency_key: idempotency.Key = None
    ) -> Response[Any]:
        async with request.app.state.pool.acquire() as conn:

            async def action() -> tuple[int, bytes]:
                await audit.record(conn, "thing.made", actor="test", event_id=None, data=data)
                made = await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'thing.made'")
                return 201, msgspec.json.encode({"made": made})

            return await idempotency.respond(request, conn, principal="test", key=idempotency_key, action=action)

    @asynccontextmanager
    async def pool_of(app: Litestar) -> AsyncIterator[None]:
        app.state.pool = await db.create_pool(database_url, size=2)
        try:
            yield
        finally:
            await app.state.pool.close()

    app = Litestar([make_thing], exception_handlers={DomainError: _domain_error}, lifespan=[pool_of])
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


def _answer(response: Any) -> tuple[int, Any, str | None, str]:
    return (
        response.status_code,
        response.json(),
        response.headers.get("idempotent-replayed"),
        response.headers["content-type"],
    )


async def test_respond_replays_the_first_answer_for_the_same_key_and_body(
    client: Client, conn: asyncpg.Connection
) -> None:
    first = await client.post("/things", json={"n": 1}, headers={"Idempotency-Key": "k-1"})

    again = await client.post("/things", json={"n": 1}, headers={"Idempotency-Key": "k-1"})

    assert (_answer(first), _answer(again)) == (
        (201, {"made": 1}, None, "application/json"),
        (201, {"made": 1}, "true", "application/json"),
    )
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'thing.made'") == 1


async def test_respond_refuses_the_same_key_with_another_body(client: Client, conn: asyncpg.Connection) -> None:
    await client.post("/things", json={"n": 1}, headers={"Idempotency-Key": "k-1"})

    other = await client.post("/things", json={"n": 2}, headers={"Idempotency-Key": "k-1"})

    assert (other.status_code, other.json()) == (422, {"code": "idempotency_key_reused"})
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'thing.made'") == 1


async def test_respond_without_a_key_acts_every_time(client: Client, conn: asyncpg.Connection) -> None:
    answers = [_answer(await client.post("/things", json={"n": 1})) for _ in range(2)]

    assert answers == [(201, {"made": 1}, None, "application/json"), (201, {"made": 2}, None, "application/json")]
    assert await conn.fetchval("SELECT count(*) FROM idempotency_keys") == 0
