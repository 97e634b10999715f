"""`/moteplass stats`: the numbers of an event, in the organiser's language.

Each line comes from STAT_LINES, a list of small queries; check-ins and nearly full sessions join it when
those domains exist (see the note at the end).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from ..i18n import Language, gettext, pick

OSLO = ZoneInfo("Europe/Oslo")

COUNTS = """
SELECT e.capacity,
       count(r.id) FILTER (WHERE r.status = 'confirmed') AS confirmed,
       count(r.id) FILTER (WHERE r.status = 'waitlisted') AS waitlisted,
       count(r.id) FILTER (WHERE r.status = 'cancelled' AND r.cancelled_at >= $2) AS cancelled_today
  FROM events e LEFT JOIN registrations r ON r.event_id = e.id
 WHERE e.id = $1
 GROUP BY e.id
"""
EVENTS_OF = """
SELECT e.id, e.slug, e.title, e.starts_at FROM events e
 WHERE e.status <> 'cancelled' AND e.ends_at > $2
   AND ($3 OR EXISTS (SELECT 1 FROM user_event_scopes s WHERE s.user_id = $1 AND s.event_id = e.id))
 ORDER BY e.starts_at, e.slug
 LIMIT 100
"""

StatLines = Callable[[asyncpg.Connection, UUID, Language, datetime], Awaitable[list[tuple[str, str]]]]


def start_of_day(now: datetime) -> datetime:
    local = now.astimezone(OSLO)
    return datetime.combine(local.date(), time(0, 0), tzinfo=OSLO)


async def registration_lines(
    conn: asyncpg.Connection, event_id: UUID, language: Language, now: datetime
) -> list[tuple[str, str]]:
    row = await conn.fetchrow(COUNTS, event_id, start_of_day(now))
    if row is None:
        return []
    return [
        (gettext(language, "Registered"), f"{row['confirmed']} / {row['capacity']}"),
        (gettext(language, "Free seats"), str(max(row["capacity"] - row["confirmed"], 0))),
        (gettext(language, "Waiting list"), str(row["waitlisted"])),
        (gettext(language, "Cancellations today"), str(row["cancelled_today"])),
    ]


CHECKED_IN = "SELECT count(*) FROM checkin_admissions WHERE event_id = $1"
# Sessions with a capacity that are at least 90 % full, fullest first.
NEARLY_FULL = """
SELECT title, capacity, chosen FROM (
    SELECT s.title, s.capacity, s.starts_at,
           (SELECT count(*) FROM session_choices c WHERE c.session_id = s.id AND c.status = 'confirmed') AS chosen
      FROM sessions s
     WHERE s.event_id = $1 AND s.status = 'scheduled' AND s.capacity > 0) AS counted
 WHERE chosen >= 0.9 * capacity
 ORDER BY chosen::float / capacity DESC, starts_at
 LIMIT 5
"""


async def checkin_lines(
    conn: asyncpg.Connection, event_id: UUID, language: Language, now: datetime
) -> list[tuple[str, str]]:
    return [(gettext(language, "Checked in"), str(await conn.fetchval(CHECKED_IN, event_id)))]


async def session_lines(
    conn: asyncpg.Connection, event_id: UUID, language: Language, now: datetime
) -> list[tuple[str, str]]:
    full = await conn.fetch(NEARLY_FULL, event_id)
    if not full:
        return []
    listed = ", ".join(f"{pick(r['title'], language)} ({r['chosen']}/{r['capacity']})" for r in full)
    return [(gettext(language, "Sessions nearly full"), listed)]


STAT_LINES: list[StatLines] = [registration_lines, checkin_lines, session_lines]


async def event_stats(
    conn: asyncpg.Connection, event_id: UUID, language: Language, now: datetime
) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for source in STAT_LINES:
        lines += await source(conn, event_id, language, now)
    return lines


async def events_of(conn: asyncpg.Connection, user_id: UUID, *, admin: bool, now: datetime) -> list[dict[str, Any]]:
    """Upcoming events this organiser may act on."""
    return [dict(r) for r in await conn.fetch(EVENTS_OF, user_id, now, admin)]


def title_of(event: dict[str, Any], language: Language) -> str:
    return pick(event["title"], language)
