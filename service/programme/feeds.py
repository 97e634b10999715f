"""Calendar feeds: the public programme of an event, and an attendee's own agenda."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import msgspec

from integrations import calendar

from ..events import domain as events
from ..events import queries as event_queries
from ..i18n import Language, gettext, pick
from ..registrations import links
from ..registrations.access import by_code
from ..settings import Settings
from . import items, queries

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


async def _modified(conn: asyncpg.Connection, event_id: object) -> datetime:
    stamp: datetime | None = await conn.fetchval("SELECT updated_at FROM events WHERE id = $1", event_id)
    return stamp or _EPOCH


async def public_feed(
    conn: asyncpg.Connection, settings: Settings, slug: str, *, language: Language
) -> calendar.CalendarFile:
    """The event and every session (cancelled ones too). Raises NotFound for unknown or draft events."""
    event = await events.get_event(conn, slug)
    sequence = await conn.fetchval("SELECT calendar_sequence FROM events WHERE id = $1", event.id)
    stamp = await _modified(conn, event.id)
    entries = [
        items.event_item(settings, event, language, uid=items.public_uid(settings, event, None), sequence=sequence)
    ]
    for session in await queries.sessions_of_event(conn, event.id):
        uid = items.public_uid(settings, event, session)
        entries.append(items.session_item(settings, event, session, language, uid=uid, sequence=session.sequence))
    return calendar.feed(
        entries,
        uid=f"programme-{event.id}@{items.uid_domain(settings)}",
        name=pick(event.title, language),
        description=gettext(language, "Programme"),
        stamp=stamp,
        language=language,
    )


async def personal_feed(conn: asyncpg.Connection, settings: Settings, code: str) -> calendar.CalendarFile:
    """The attendee's event and the sessions in their calendar. Raises NotFound for a forged or revoked code."""
    registration = await by_code(conn, settings, links.AGENDA, code)
    event = await event_queries.event_by_id(conn, registration.event_id)
    assert event is not None
    language = registration.language
    invites = {
        r["session_id"]: r
        for r in await conn.fetch(
            "SELECT session_id, uid, sequence FROM calendar_invites WHERE registration_id = $1", registration.id
        )
    }

    def uid_and_sequence(key: object, revision: int) -> tuple[str, int]:
        row = invites.get(key)
        if row is None:
            return items.personal_uid(settings, registration.id, key), revision  # type: ignore[arg-type]
        return row["uid"], max(row["sequence"], revision)

    stamp = await _modified(conn, event.id)
    uid, sequence = uid_and_sequence(
        None, await conn.fetchval("SELECT calendar_sequence FROM events WHERE id = $1", event.id)
    )
    event_entry = items.event_item(settings, event, language, uid=uid, sequence=sequence)
    if registration.status == "cancelled":
        event_entry = msgspec.structs.replace(event_entry, cancelled=True)
    entries = [event_entry]
    chosen = {c.session_id for c in await queries.choices_of(conn, registration.id) if c.status == "confirmed"}
    for session in await queries.sessions_of_event(conn, event.id):
        if session.kind == "plenary" or session.id in chosen:
            uid, sequence = uid_and_sequence(session.id, session.sequence)
            entries.append(items.session_item(settings, event, session, language, uid=uid, sequence=sequence))
    return calendar.feed(
        entries,
        uid=f"agenda-{registration.id}@{items.uid_domain(settings)}",
        name=f"{pick(event.title, language)} – {gettext(language, 'My programme')}",
        stamp=stamp,
        language=language,
    )
