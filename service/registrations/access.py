"""Finding a registration by the code in an attendee's link, without timing leaks."""

from __future__ import annotations

import hmac

import asyncpg

from ..errors import NotFound
from ..settings import Settings
from . import links, queries
from .schemas import Registration

_NOT_FOUND = "no registration for this link"


async def by_code(conn: asyncpg.Connection, settings: Settings, purpose: str, code: str | None) -> Registration:
    """The registration a signed code points at. Raises NotFound for unknown, forged or revoked codes.

    The tag is checked before the database is asked, so a forged code costs the same as any other miss.
    """
    ident = links.parse(settings, purpose, code or "")
    if ident is None:
        raise NotFound("registration_not_found", _NOT_FOUND)
    registration = await queries.registration_by_id(conn, ident)
    if registration is None or not links.check(settings, purpose, registration, code or ""):
        hmac.compare_digest(b"x" * 16, b"y" * 16)
        raise NotFound("registration_not_found", _NOT_FOUND)
    return registration
