"""Posting to Slack from jobs: once per effect (the message ts is stored, so the message can be updated in place),
paced to one message per second per channel across all workers, and a rate limit or a long Retry-After reschedules
the job instead of sleeping. Answers to slash commands go through their response_url while it may be used (5 times
in 30 minutes)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from integrations.slack import SlackApi, SlackError
from integrations.slack.blocks import escape

from ..jobs import RetryLater
from . import queries

PACE = timedelta(seconds=1)
INLINE_WAIT = 2.0  # seconds a worker may wait for a channel's turn; longer and the job is rescheduled
RESPONSE_URL_USES = 5
RESPONSE_URL_LIFETIME = timedelta(minutes=30)


async def _wait_for_turn(conn: asyncpg.Connection, slack: SlackApi, channel: str, now: datetime) -> None:
    next_at = await queries.next_slot(conn, channel)
    if next_at is not None and (next_at - now).total_seconds() > INLINE_WAIT:
        raise RetryLater((next_at - now).total_seconds(), f"channel {channel} is busy")
    slot = await queries.take_slot(conn, channel, now, PACE)
    wait = (slot - now).total_seconds()
    if wait > 0:
        await slack.sleep(wait)


async def post_once(
    pool: asyncpg.Pool,
    slack: SlackApi,
    *,
    effect_key: str,
    channel: str,
    text: str,
    pages: Sequence[Sequence[dict[str, Any]]],
    now: datetime,
) -> list[str]:
    """Post the pages (messages) of one effect to a channel; pages posted before are not posted again.
    `text` (the notification's text) is as written; it is escaped here.

    Returns the ts of each page. Raises RetryLater on a rate limit, SlackError on other failures.
    """
    stamps: list[str] = []
    for number, blocks in enumerate(pages or [[]]):
        key = effect_key if number == 0 else f"{effect_key}#{number}"
        async with pool.acquire() as conn:
            ts = await queries.posted_ts(conn, key)
            if ts is None:
                await _wait_for_turn(conn, slack, channel, now)
                try:
                    posted = await slack.post_message(channel, text=escape(text), blocks=blocks)
                except SlackError as exc:
                    if exc.status == 429:
                        raise RetryLater(exc.retry_after or 1.0, "rate limited") from exc
                    raise
                ts = posted.ts
                await queries.store_posted(conn, key, posted.channel, ts)
        stamps.append(ts)
    return stamps


async def update_posted(
    pool: asyncpg.Pool, slack: SlackApi, *, effect_key: str, text: str, blocks: Sequence[dict[str, Any]]
) -> bool:
    """Change, in place, the message an effect posted (its first page); False when it has not posted one.
    The same text twice changes nothing, so a retry is harmless. Raises RetryLater on a rate limit."""
    async with pool.acquire() as conn:
        posted = await queries.posted_message(conn, effect_key)
    if posted is None:
        return False
    channel, ts = posted
    try:
        await slack.update_message(channel, ts, text=escape(text), blocks=blocks)
    except SlackError as exc:
        if exc.status == 429:
            raise RetryLater(exc.retry_after or 1.0, "rate limited") from exc
        raise
    return True


async def reply(
    pool: asyncpg.Pool,
    slack: SlackApi,
    *,
    response_url: str | None,
    user_id: str,
    effect_key: str,
    text: str,
    blocks: Sequence[dict[str, Any]] = (),
    now: datetime,
) -> None:
    """Answer a user: through the response_url while it may still be used, else in a direct message.
    `text` is as written (escaped here and in post_once)."""
    if response_url:
        digest = hashlib.sha256(response_url.encode()).digest()
        async with pool.acquire() as conn:
            uses = await queries.use_response_url(conn, digest, now, RESPONSE_URL_USES, RESPONSE_URL_LIFETIME)
        if uses is not None:
            try:
                await slack.respond(response_url, text=escape(text), blocks=blocks)
                return
            except SlackError as exc:
                if exc.status == 429:
                    raise RetryLater(exc.retry_after or 1.0, "rate limited") from exc
                if exc.status not in (404, 410):  # an expired url falls back to a direct message
                    raise
    await post_once(pool, slack, effect_key=effect_key, channel=user_id, text=text, pages=[list(blocks)], now=now)
