"""SQL of the Slack app: linked users, replay protection, the posting outbox and its pace, the numbers of
`/moteplass stats`, and the channel watcher's state."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from .schemas import (
    DeadJob,
    EventChannel,
    NearlyFullSession,
    NewNominations,
    RegistrationCounts,
    SlackUser,
    UpcomingEvent,
    WatchState,
)

# Who a Slack user is.
LINKED = """
SELECT u.id, u.email, u.role, u.language FROM slack_user_links l JOIN users u ON u.id = l.user_id
 WHERE l.team_id = $1 AND l.slack_user_id = $2 AND u.disabled_at IS NULL
"""
BY_EMAIL = "SELECT id, email, role, language FROM users WHERE email = $1 AND disabled_at IS NULL"
LINK = """
INSERT INTO slack_user_links (team_id, slack_user_id, user_id) VALUES ($1, $2, $3)
ON CONFLICT (team_id, slack_user_id) DO UPDATE SET user_id = EXCLUDED.user_id, linked_at = now()
"""

# Signed requests seen before (replays are refused).
REMEMBER = "INSERT INTO slack_requests_seen (signature, seen_at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1"
FORGET = "DELETE FROM slack_requests_seen WHERE seen_at < $1"

# The outbox: one message per effect, one message per second per channel.
POSTED = "SELECT ts FROM slack_messages WHERE effect_key = $1"
POSTED_MESSAGE = "SELECT channel_id, ts FROM slack_messages WHERE effect_key = $1"
STORE_POSTED = "INSERT INTO slack_messages (effect_key, channel_id, ts) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
NEXT_SLOT = "SELECT next_at FROM slack_channel_pace WHERE channel_id = $1"
# Take the channel's next free second: no earlier than now, one second after the last one taken.
TAKE_SLOT = """
INSERT INTO slack_channel_pace (channel_id, next_at) VALUES ($1, $2::timestamptz + $3::interval)
ON CONFLICT (channel_id) DO UPDATE SET next_at = greatest(slack_channel_pace.next_at, $2) + $3
RETURNING next_at - $3 AS slot
"""
USE_RESPONSE_URL = """
INSERT INTO slack_response_urls (url_hash, first_used_at, uses) VALUES ($1, $2, 1)
ON CONFLICT (url_hash) DO UPDATE SET uses = slack_response_urls.uses + 1
 WHERE slack_response_urls.uses < $3 AND slack_response_urls.first_used_at > $2 - $4::interval
RETURNING uses
"""

# `/moteplass stats`.
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

# The channel watcher.
WATCH_STATE = """
SELECT c.channel_id, c.language, c.seen_confirmed, c.seen_waitlisted, c.seen_cancelled, c.milestones, c.seen_dead_job,
       c.seen_nomination,
       e.slug, e.title, e.capacity, e.ends_at, e.status,
       (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'confirmed') AS confirmed,
       (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'waitlisted') AS waitlisted,
       (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'cancelled') AS cancelled
  FROM event_slack_channels c JOIN events e ON e.id = c.event_id
 WHERE c.event_id = $1
"""
# Jobs about this event (by event_id, or by one of its registrations) that ended dead since last time.
DEAD_JOBS = """
SELECT j.id, j.kind, j.last_error FROM jobs j
 WHERE j.dead_at IS NOT NULL AND j.id > $2
   AND (j.payload ->> 'event_id' = ($1::uuid)::text
        OR j.payload ->> 'registration_id' IN (SELECT r.id::text FROM registrations r WHERE r.event_id = $1::uuid))
 ORDER BY j.id
 LIMIT 20
"""
# Nominations (not withdrawn) newer than the last reported, per prize, for calls awarded at this event.
NEW_NOMINATIONS = """
SELECT p.name AS prize, count(*)::int AS n, max(n.number) AS last
  FROM nominations n JOIN prize_calls c ON c.id = n.call_id JOIN prizes p ON p.id = c.prize_id
 WHERE c.event_id = $1 AND n.number > $2 AND n.status <> 'withdrawn'
 GROUP BY p.id, p.name ORDER BY p.id
"""
SAVE_WATCH = """
UPDATE event_slack_channels
   SET seen_confirmed = $2, seen_waitlisted = $3, seen_cancelled = $4, milestones = $5, seen_dead_job = $6,
       seen_nomination = $7
 WHERE event_id = $1
"""
CHANNEL_OF = """
SELECT c.channel_id, c.language, e.slug
  FROM event_slack_channels c JOIN events e ON e.id = c.event_id
 WHERE c.event_id = $1
"""


async def linked_user(conn: asyncpg.Connection, team_id: str, slack_user_id: str) -> SlackUser | None:
    row = await conn.fetchrow(LINKED, team_id, slack_user_id)
    return SlackUser(**row) if row else None


async def user_by_email(conn: asyncpg.Connection, email: str) -> SlackUser | None:
    row = await conn.fetchrow(BY_EMAIL, email)
    return SlackUser(**row) if row else None


async def link_user(conn: asyncpg.Connection, team_id: str, slack_user_id: str, user_id: UUID) -> None:
    await conn.execute(LINK, team_id, slack_user_id, user_id)


async def remember_request(conn: asyncpg.Connection, signature: str, now: datetime) -> bool:
    """Whether this signature is seen for the first time (it is remembered now)."""
    return await conn.fetchval(REMEMBER, signature, now) is not None


async def forget_requests(conn: asyncpg.Connection, before: datetime) -> None:
    await conn.execute(FORGET, before)


async def posted_ts(conn: asyncpg.Connection, effect_key: str) -> str | None:
    ts: str | None = await conn.fetchval(POSTED, effect_key)
    return ts


async def posted_message(conn: asyncpg.Connection, effect_key: str) -> tuple[str, str] | None:
    """The channel and ts of the message an effect posted, if it did."""
    row = await conn.fetchrow(POSTED_MESSAGE, effect_key)
    return (row["channel_id"], row["ts"]) if row else None


async def store_posted(conn: asyncpg.Connection, effect_key: str, channel_id: str, ts: str) -> None:
    await conn.execute(STORE_POSTED, effect_key, channel_id, ts)


async def next_slot(conn: asyncpg.Connection, channel_id: str) -> datetime | None:
    next_at: datetime | None = await conn.fetchval(NEXT_SLOT, channel_id)
    return next_at


async def take_slot(conn: asyncpg.Connection, channel_id: str, now: datetime, pace: timedelta) -> datetime:
    slot: datetime = await conn.fetchval(TAKE_SLOT, channel_id, now, pace)
    return slot


async def use_response_url(
    conn: asyncpg.Connection, url_hash: bytes, now: datetime, uses: int, lifetime: timedelta
) -> int | None:
    """The use this is of the response_url, or None when it may not be used again."""
    used: int | None = await conn.fetchval(USE_RESPONSE_URL, url_hash, now, uses, lifetime)
    return used


async def registration_counts(conn: asyncpg.Connection, event_id: UUID, since: datetime) -> RegistrationCounts | None:
    row = await conn.fetchrow(COUNTS, event_id, since)
    return RegistrationCounts(**row) if row else None


async def upcoming_events(conn: asyncpg.Connection, user_id: UUID, now: datetime, admin: bool) -> list[UpcomingEvent]:
    return [UpcomingEvent(**row) for row in await conn.fetch(EVENTS_OF, user_id, now, admin)]


async def checked_in(conn: asyncpg.Connection, event_id: UUID) -> int:
    return int(await conn.fetchval(CHECKED_IN, event_id))


async def nearly_full_sessions(conn: asyncpg.Connection, event_id: UUID) -> list[NearlyFullSession]:
    return [NearlyFullSession(**row) for row in await conn.fetch(NEARLY_FULL, event_id)]


async def watch_state(conn: asyncpg.Connection, event_id: UUID) -> WatchState | None:
    row = await conn.fetchrow(WATCH_STATE, event_id)
    return WatchState(**row) if row else None


async def dead_jobs(conn: asyncpg.Connection, event_id: UUID, after: int) -> list[DeadJob]:
    return [DeadJob(**row) for row in await conn.fetch(DEAD_JOBS, event_id, after)]


async def new_nominations(conn: asyncpg.Connection, event_id: UUID, after: int) -> list[NewNominations]:
    return [NewNominations(**row) for row in await conn.fetch(NEW_NOMINATIONS, event_id, after)]


async def save_watch(
    conn: asyncpg.Connection,
    event_id: UUID,
    state: WatchState,
    *,
    milestones: list[str],
    seen_dead_job: int,
    seen_nomination: int,
) -> None:
    await conn.execute(
        SAVE_WATCH,
        event_id,
        state.confirmed,
        state.waitlisted,
        state.cancelled,
        milestones,
        seen_dead_job,
        seen_nomination,
    )


async def channel_of(conn: asyncpg.Connection, event_id: UUID) -> EventChannel | None:
    row = await conn.fetchrow(CHANNEL_OF, event_id)
    return EventChannel(**row) if row else None
