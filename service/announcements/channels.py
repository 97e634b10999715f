"""Each event's Slack notification channel: set by its organisers through the API; the watcher starts then."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from .. import audit, jobs
from ..accounts.schemas import Principal
from ..events import domain as events
from .schemas import ChannelOut

WATCH = "slack.watch"
WATCH_SECONDS = 60

SET_CHANNEL = """
INSERT INTO event_slack_channels (event_id, channel_id, set_by, set_at, seen_confirmed, seen_waitlisted, seen_cancelled,
                                  seen_dead_job)
SELECT e.id, $2, $3, $4,
       count(*) FILTER (WHERE r.status = 'confirmed'), count(*) FILTER (WHERE r.status = 'waitlisted'),
       count(*) FILTER (WHERE r.status = 'cancelled'), (SELECT coalesce(max(id), 0) FROM jobs)
  FROM events e LEFT JOIN registrations r ON r.event_id = e.id
 WHERE e.id = $1
 GROUP BY e.id
ON CONFLICT (event_id) DO UPDATE
   SET channel_id = EXCLUDED.channel_id, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at
"""
CHANNEL_OF = "SELECT channel_id FROM event_slack_channels WHERE event_id = $1"
REMOVE = "DELETE FROM event_slack_channels WHERE event_id = $1"


def watch_key(event_id: object, now: datetime) -> str:
    """One watch job per event per interval, however often it is asked for."""
    return f"{WATCH}:{event_id}:{int(now.timestamp()) // WATCH_SECONDS}"


async def set_channel(
    conn: asyncpg.Connection, slug: str, *, channel_id: str, actor: Principal, now: datetime
) -> ChannelOut:
    """Send this event's notifications to a Slack channel (what happened before is not announced again).
    Raises NotFound, Forbidden. Idempotent."""
    event = await events.get_event_for_actor(conn, slug, actor, "organiser")
    async with conn.transaction():
        await conn.execute(SET_CHANNEL, event.id, channel_id, actor.actor, now)
        await jobs.enqueue(conn, WATCH, {"event_id": str(event.id)}, dedupe_key=watch_key(event.id, now))
        await audit.record(
            conn, "event.slack_channel_set", actor=actor.actor, event_id=event.id, data={"channel_id": channel_id}
        )
    return ChannelOut(event=event.slug, channel_id=channel_id)


async def remove_channel(conn: asyncpg.Connection, slug: str, *, actor: Principal) -> None:
    """Stop notifications for this event. Raises NotFound, Forbidden. Idempotent."""
    event = await events.get_event_for_actor(conn, slug, actor, "organiser")
    await conn.execute(REMOVE, event.id)


async def channel_of(conn: asyncpg.Connection, event_id: object) -> str | None:
    result: str | None = await conn.fetchval(CHANNEL_OF, event_id)
    return result
