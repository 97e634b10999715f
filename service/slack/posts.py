"""One-off messages from any domain to an event's Slack channel (groups published, a prize winner): the job
is enqueued in the caller's transaction, and the worker posts it once (`slack.post` in service/slack/jobs.py)
if the event has a channel and Slack is configured. Channel messages are in bokmål: a channel has no single
language."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from .. import jobs

POST = "slack.post"


async def post_to_event_channel(
    conn: asyncpg.Connection, event_id: UUID, *, title: str, lines: Sequence[str], effect_key: str
) -> None:
    """Enqueue one message; the same effect_key is posted at most once."""
    await jobs.enqueue(
        conn,
        POST,
        {"event_id": str(event_id), "title": title, "lines": list(lines)},
        dedupe_key=f"{POST}:{effect_key}",
    )
