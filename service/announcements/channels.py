"""Each event's Slack notification channel: set by its organisers through the API; the watcher starts then."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from .. import audit, jobs
from ..accounts.schemas import Principal
from ..events import domain as events
from ..i18n import Language
from . import queries
from .schemas import Channel, ChannelOut

WATCH = "slack.watch"
WATCH_SECONDS = 60


def watch_key(event_id: object, now: datetime) -> str:
    """One watch job per event per interval, however often it is asked for."""
    return f"{WATCH}:{event_id}:{int(now.timestamp()) // WATCH_SECONDS}"


async def set_channel(
    conn: asyncpg.Connection,
    slug: str,
    *,
    channel_id: str,
    language: Language = "nb",
    actor: Principal,
    now: datetime,
) -> ChannelOut:
    """Send this event's notifications to a Slack channel, written in `language` (what happened before is not
    announced again). Raises NotFound, Forbidden. Idempotent."""
    event = await events.get_event_for_actor(conn, slug, actor, "organiser")
    async with conn.transaction():
        await queries.set_channel(conn, event.id, channel_id, language, actor.actor, now)
        await jobs.enqueue(conn, WATCH, {"event_id": str(event.id)}, dedupe_key=watch_key(event.id, now))
        await audit.record(
            conn,
            "event.slack_channel_set",
            actor=actor.actor,
            event_id=event.id,
            data={"channel_id": channel_id, "language": language},
        )
    return ChannelOut(event=event.slug, channel_id=channel_id, language=language)


async def remove_channel(conn: asyncpg.Connection, slug: str, *, actor: Principal) -> None:
    """Stop notifications for this event. Raises NotFound, Forbidden. Idempotent (only a removal is logged)."""
    event = await events.get_event_for_actor(conn, slug, actor, "organiser")
    async with conn.transaction():
        removed = await queries.remove_channel(conn, event.id)
        if removed is not None:
            await audit.record(
                conn, "event.slack_channel_removed", actor=actor.actor, event_id=event.id, data={"channel_id": removed}
            )


async def channel_of(conn: asyncpg.Connection, event_id: UUID) -> Channel | None:
    return await queries.channel_of(conn, event_id)
