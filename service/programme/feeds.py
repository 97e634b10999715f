"""Calendar feeds: the public programme of an event, and an attendee's own agenda."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import msgspec

from integrations import calendar

from ..errors import NotFound
from ..events import domain as events
from ..events import queries as event_queries
from ..i18n import Language, gettext, pick
from ..registrations import links
from ..registrations.access import by_code
from ..settings import Settings
from . import items, queries


async def _stamp(conn: asyncpg.Connection, event_id: UUID) -> queries.FeedStamp:
    stamp = await queries.feed_stamp(conn, event_id)
    if stamp is None:  # deleted since it was read
        raise NotFound("event_not_found", "no such event")
    return stamp


async def public_feed(
    conn: asyncpg.Connection, settings: Settings, slug: str, *, language: Language
) -> calendar.CalendarFile:
    """The event and every session (cancelled ones too). Raises NotFound for unknown or draft events."""
    event = await events.get_event(conn, slug)
    stamp = await _stamp(conn, event.id)
    uid = items.public_uid(settings, event, None)
    entries = [items.event_item(settings, event, language, uid=uid, sequence=stamp.calendar_sequence)]
    for session in await queries.feed_sessions(conn, event.id):
        uid = items.public_uid(settings, event, session)
        entries.append(items.session_item(settings, event, session, language, uid=uid, sequence=session.sequence))
    return calendar.feed(
        entries,
        uid=f"programme-{event.id}@{items.uid_domain(settings)}",
        name=pick(event.title, language),
        description=gettext(language, "Programme"),
        stamp=stamp.updated_at,
        language=language,
    )


async def personal_feed(conn: asyncpg.Connection, settings: Settings, code: str) -> calendar.CalendarFile:
    """The attendee's event, the day's programme (plenaries, breaks, socials) and their confirmed sessions.
    Raises NotFound for a forged or revoked code."""
    registration = await by_code(conn, settings, links.AGENDA, code)
    event = await event_queries.event_by_id(conn, registration.event_id)
    assert event is not None
    language = registration.language
    invites = await queries.invite_keys(conn, registration.id)

    def uid_and_sequence(key: UUID | None, revision: int) -> tuple[str, int]:
        invite = invites.get(key)
        if invite is None:
            return items.personal_uid(settings, registration.id, key), revision
        return invite.uid, max(invite.sequence, revision)

    stamp = await _stamp(conn, event.id)
    uid, sequence = uid_and_sequence(None, stamp.calendar_sequence)
    event_entry = items.event_item(settings, event, language, uid=uid, sequence=sequence)
    if registration.status == "cancelled":
        event_entry = msgspec.structs.replace(event_entry, cancelled=True)
    entries = [event_entry]
    for session in await queries.agenda_sessions(conn, event.id, registration.id):
        uid, sequence = uid_and_sequence(session.id, session.sequence)
        entries.append(items.session_item(settings, event, session, language, uid=uid, sequence=sequence))
    return calendar.feed(
        entries,
        uid=f"agenda-{registration.id}@{items.uid_domain(settings)}",
        name=f"{pick(event.title, language)} – {gettext(language, 'My programme')}",
        stamp=stamp.updated_at,
        language=language,
    )
