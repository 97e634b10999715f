"""`/moteplass stats`: the numbers of an event, in the organiser's language.

Each line comes from STAT_LINES, a list of small queries; check-ins and nearly full sessions join it when
those domains exist (see the note at the end).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, time
from uuid import UUID

import asyncpg

from ..i18n import Language, gettext, pick
from ..types import OSLO
from . import queries
from .schemas import UpcomingEvent

StatLines = Callable[[asyncpg.Connection, UUID, Language, datetime], Awaitable[list[tuple[str, str]]]]


def start_of_day(now: datetime) -> datetime:
    local = now.astimezone(OSLO)
    return datetime.combine(local.date(), time(0, 0), tzinfo=OSLO)


async def registration_lines(
    conn: asyncpg.Connection, event_id: UUID, language: Language, now: datetime
) -> list[tuple[str, str]]:
    counts = await queries.registration_counts(conn, event_id, start_of_day(now))
    if counts is None:
        return []
    return [
        (gettext(language, "Registered"), f"{counts.confirmed} / {counts.capacity}"),
        (gettext(language, "Free seats"), str(max(counts.capacity - counts.confirmed, 0))),
        (gettext(language, "Waiting list"), str(counts.waitlisted)),
        (gettext(language, "Cancellations today"), str(counts.cancelled_today)),
    ]


async def checkin_lines(
    conn: asyncpg.Connection, event_id: UUID, language: Language, now: datetime
) -> list[tuple[str, str]]:
    return [(gettext(language, "Checked in"), str(await queries.checked_in(conn, event_id)))]


async def session_lines(
    conn: asyncpg.Connection, event_id: UUID, language: Language, now: datetime
) -> list[tuple[str, str]]:
    full = await queries.nearly_full_sessions(conn, event_id)
    if not full:
        return []
    listed = ", ".join(f"{pick(s.title, language)} ({s.chosen}/{s.capacity})" for s in full)
    return [(gettext(language, "Sessions nearly full"), listed)]


STAT_LINES: list[StatLines] = [registration_lines, checkin_lines, session_lines]


async def event_stats(
    conn: asyncpg.Connection, event_id: UUID, language: Language, now: datetime
) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for source in STAT_LINES:
        lines += await source(conn, event_id, language, now)
    return lines


async def events_of(conn: asyncpg.Connection, user_id: UUID, *, admin: bool, now: datetime) -> list[UpcomingEvent]:
    """Upcoming events this organiser may act on."""
    return await queries.upcoming_events(conn, user_id, now, admin)


def title_of(event: UpcomingEvent, language: Language) -> str:
    return pick(event.title, language)
