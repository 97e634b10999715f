"""Idempotency-Key for POSTs (IDEM-1/2): the same key and body replay the first answer, the same key with
another body is 422, a key whose first request is still running is 409; keys are kept 24 hours.

The key row is written in the same transaction as the effect, so an effect and its stored answer commit
together. Error answers are not stored: a client may fix its request and retry with the same key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import asyncpg
from litestar import Request, Response
from litestar.params import HeaderParameter

from .errors import Conflict, DomainError, Invalid

_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")

# The header a POST handler declares: `idempotency_key: Key = None`.
Key = Annotated[str | None, HeaderParameter(name="Idempotency-Key", max_length=255)]

LOOKUP = "SELECT request_hash, status_code, body FROM idempotency_keys WHERE principal = $1 AND key = $2"
STORE = """
INSERT INTO idempotency_keys (principal, key, request_hash, status_code, body) VALUES ($1, $2, $3, $4, $5)
"""


class Replay(Exception):
    """Not an error: the stored answer of an earlier request with the same key."""

    def __init__(self, status_code: int, body: bytes) -> None:
        super().__init__(status_code)
        self.status_code = status_code
        self.body = body


def request_fingerprint(method: str, path: str, body: bytes) -> bytes:
    return hashlib.sha256(b"\0".join((method.encode(), path.encode(), body))).digest()


async def run_once(
    conn: asyncpg.Connection,
    *,
    principal: str,
    key: str | None,
    fingerprint: bytes,
    action: Callable[[], Awaitable[tuple[int, bytes]]],
) -> tuple[int, bytes, bool]:
    """Run `action` at most once per (principal, key). Returns (status, body, replayed).

    Raises Invalid (invalid_idempotency_key), Conflict (idempotency_key_in_flight), Invalid
    (idempotency_key_reused, 422), and whatever DomainError the action raises (nothing stored then).
    """
    if key is None:
        status, body = await action()
        return status, body, False
    if not _KEY.match(key):
        raise Invalid(
            "invalid_idempotency_key", "Idempotency-Key must be 1-255 visible ASCII characters", field="Idempotency-Key"
        )
    failure: DomainError | None = None
    async with conn.transaction():
        got = await conn.fetchval("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 42))", f"{principal}|{key}")
        if not got:
            raise Conflict("idempotency_key_in_flight", "a request with this Idempotency-Key is still running")
        stored = await conn.fetchrow(LOOKUP, principal, key)
        if stored is not None:
            if stored["request_hash"] != fingerprint:
                raise Invalid(
                    "idempotency_key_reused",
                    "this Idempotency-Key was used with a different request",
                    field="Idempotency-Key",
                )
            return stored["status_code"], bytes(stored["body"]), True
        try:
            status, body = await action()
        except DomainError as error:
            failure = error  # committed side effects of a refused request (e.g. a reminder mail) stay
        else:
            await conn.execute(STORE, principal, key, fingerprint, status, body)
            return status, body, False
    raise failure


async def respond(
    request: Request[Any, Any, Any],
    conn: asyncpg.Connection,
    *,
    principal: str,
    key: str | None,
    action: Callable[[], Awaitable[tuple[int, bytes]]],
) -> Response[Any]:
    """A POST's JSON answer under its `Idempotency-Key` (see `run_once`): the first answer, or its replay with
    `Idempotent-Replayed: true`. The fingerprint is the method, path and body. Raises what `run_once` raises."""
    fingerprint = request_fingerprint(request.method, request.url.path, await request.body()) if key else b""
    status, body, replayed = await run_once(conn, principal=principal, key=key, fingerprint=fingerprint, action=action)
    headers = {"idempotent-replayed": "true"} if replayed else {}
    return Response(body, status_code=status, media_type="application/json", headers=headers)
