"""One-off messages from any domain to an event's Slack channel (groups published, a prize winner): the job
is enqueued in the caller's transaction, and the worker posts it once (`slack.post` in service/slack/jobs.py)
if the event has a channel and Slack is configured. The message is written in every language when it is
enqueued, and posted in the language the organisers chose for the channel (bokmål unless they chose another),
as it is when the job runs: a channel switched to nynorsk in between gets nynorsk."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

import asyncpg

from .. import jobs
from ..i18n import LANGUAGES, Language

POST = "slack.post"

# A message in one language: its title and its lines.
Message = tuple[str, Sequence[str]]


async def post_to_event_channel(
    conn: asyncpg.Connection, event_id: UUID, *, message: Callable[[Language], Message], effect_key: str
) -> None:
    """Enqueue one message, written by `message` in each language; the same effect_key is posted at most once."""
    texts = {}
    for language in LANGUAGES:
        title, lines = message(language)
        texts[language] = {"title": title, "lines": list(lines)}
    await jobs.enqueue(conn, POST, {"event_id": str(event_id), "texts": texts}, dedupe_key=f"{POST}:{effect_key}")


def message_in(payload: Mapping[str, Any], language: Language) -> Message:
    """The job's message in the channel's language (a job enqueued before messages had languages: bokmål)."""
    texts = payload.get("texts") or {"nb": {"title": payload["title"], "lines": payload["lines"]}}
    text = texts.get(language) or texts["nb"]
    return str(text["title"]), [str(line) for line in text["lines"]]
