"""New links for a registration: the manage, ticket and agenda codes are signed over link_version (links.py), so
raising it revokes every old link at once; the new ones are only ever mailed to the registration's own address.

Three ways in: the holder of a manage link, someone who types an address (who learns nothing about whether it
is registered), and an organiser in the console. Each is recorded in the registration's history.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from ..errors import NotFound
from . import domain, queries
from .schemas import Registration

MAIL_NEW_LINKS = "registration.new_links"
RENEWED = "registration.links_renewed"
# Asked for by address, links are renewed at most once in this time per registration: a stranger who knows the
# address can neither flood it with mails nor keep revoking a ticket minute by minute.
RENEW_QUIET = timedelta(minutes=10)


async def renew_links(conn: asyncpg.Connection, registration_id: UUID, *, actor: str, now: datetime) -> Registration:
    """Revoke the registration's links and mail new ones to its address. Raises NotFound. Every call renews
    again (the old links are dead after the first, so a retry by their holder answers NotFound)."""
    async with conn.transaction():
        if await queries.registration_for_update(conn, registration_id) is None:
            raise NotFound("registration_not_found", "no such registration")
        await _renew(conn, registration_id, actor=actor, now=now)
        renewed = await queries.registration_by_id(conn, registration_id)
    assert renewed is not None
    return renewed


async def renew_links_by_email(conn: asyncpg.Connection, event_id: UUID, *, email: str, now: datetime) -> None:
    """For someone who knows only an address: renew the links of its registration for the event and mail them
    there. Says nothing either way: an address with no (active) registration, or one renewed within RENEW_QUIET,
    changes nothing and returns the same. Idempotent within RENEW_QUIET, also for requests at the same time."""
    found = await queries.active_by_email(conn, event_id, email.strip())
    if found is None:
        return
    async with conn.transaction():
        if await queries.registration_for_update(conn, found.id) is None:  # erased meanwhile
            return
        last = await queries.last_renewed(conn, found.id, RENEWED)
        if last is not None and now - last < RENEW_QUIET:
            return
        await _renew(conn, found.id, actor=domain.PUBLIC, now=now)


async def _renew(conn: asyncpg.Connection, registration_id: UUID, *, actor: str, now: datetime) -> None:
    """The renewal itself, with the registration's row locked by the caller's transaction."""
    version = await queries.renew_links(conn, registration_id, now)
    await queries.history(conn, registration_id, now, actor, RENEWED)
    await domain._mail(conn, MAIL_NEW_LINKS, registration_id, key=str(version))
